import { test, expect } from '@playwright/test';
import { eventsAbout, freshCustomer, holdWasm, live, restrictedVendor, vendorCall } from './vendor';

test.describe('the profile tab', () => {
  test('before the app has started, Enter in a field sends nothing itself, and the app saves what was typed', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!);
    const release = await holdWasm(page);
    await page.goto((await customer.link({ section: 'profile' })).url, { waitUntil: 'commit' });
    const name = page.getByLabel('Name', { exact: true });
    // The server's page, filled in.
    await expect(name).toHaveValue('Ada Lovelace Ltd');
    await name.fill('Ada Lovelace & Co');
    await name.press('Enter');
    // The browser did not send the form itself: no page load with the details in its address.
    await page.waitForTimeout(300);
    expect(new URL(page.url()).search).toBe('');
    await expect(name).toHaveValue('Ada Lovelace & Co');

    await expect(page.getByText('Your details have been saved.')).toHaveCount(0);

    // The Enter is the app's once it is live: it saves, once.
    release();
    await live(page);
    await expect(page.getByText('Your details have been saved.')).toBeVisible();
    await expect.poll(async () => (await eventsAbout(request, baseURL!, customer.externalId))
      .filter((e: any) => e.kind === 'customer.updated').length).toBe(1);
    await page.reload();
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada Lovelace & Co');
  });

  test('a tax ID added before the app has started is added once it is live', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { locale: 'de' });
    const release = await holdWasm(page);
    await page.goto((await customer.link({ section: 'profile' })).url, { waitUntil: 'commit' });
    const numbers = page.getByRole('group', { name: 'Steuernummern' }).getByLabel('Nummer', { exact: true });
    await expect(numbers).toHaveValue('GB123456782');
    await page.getByRole('button', { name: 'Steuernummer hinzufügen' }).click();
    await page.waitForTimeout(200);
    await expect(numbers).toHaveCount(1);
    // The app takes over the rows the server drew (it draws none of them again, which
    // would lose the click), then the click is its: the new row takes the keyboard.
    release();
    await expect(numbers).toHaveCount(2);
    await expect(numbers.nth(1)).toBeFocused();
  });

  test('a language picked, a field changed and Save pressed before the app has started are done once it is live, in that order', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { locale: 'de' });
    const release = await holdWasm(page);
    await page.goto((await customer.link({ section: 'profile' })).url, { waitUntil: 'commit' });
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada Lovelace Ltd');
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByLabel('Name', { exact: true }).fill('Ada Lovelace & Söhne');
    await page.getByLabel('Ort').fill('Zürich');
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await page.waitForTimeout(200);
    await expect(page.getByText('Ihre Angaben wurden gespeichert.')).toHaveCount(0);

    // The form comes back in English with what was typed, and saves it, once.
    release();
    await live(page);
    await expect(page.getByText('Your details have been saved.')).toBeVisible();
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada Lovelace & Söhne');
    await expect(page.getByLabel('City')).toHaveValue('Zürich');
    await expect.poll(async () => (await eventsAbout(request, baseURL!, customer.externalId))
      .filter((e: any) => e.kind === 'customer.updated').length).toBe(1);
    await page.reload();
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada Lovelace & Söhne');
    await expect(page.getByLabel('City')).toHaveValue('Zürich');
  });

  test('the profile saves, survives a reload and explains bad input beside the field', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!);
    await page.goto((await customer.link({ section: 'profile' })).url);
    await expect(page.getByRole('heading', { name: 'Your details' })).toBeVisible();
    const name = page.getByLabel('Name', { exact: true });
    await expect(name).toHaveValue('Ada Lovelace Ltd');

    // Bad input: the browser says what is wrong next to the field and moves focus there.
    const email = page.getByLabel('Email');
    await email.fill('not an email');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(email).toHaveAttribute('aria-invalid', 'true');
    await expect(email).toBeFocused();
    await expect(page.getByText('Enter an email address such as name@example.com.')).toBeVisible();
    await expect(page.getByText('Please correct the marked fields.')).toBeVisible();

    await name.fill('Ada & Byron <Analytical> Ltd');
    await email.fill('accounts@ada.example');
    await page.getByLabel('City').fill('Zürich');
    await page.getByLabel('Country code').fill('ch');
    // A London postal code is not a Swiss one: the sentence gives one that is.
    const postalCode = page.getByLabel('Postal code');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(postalCode).toHaveAttribute('aria-invalid', 'true');
    await expect(postalCode).toBeFocused();
    await expect(page.getByText('This is not a postal code of this country, for example 8001.')).toBeVisible();
    await postalCode.fill('8001');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Your details have been saved.')).toBeVisible();
    await expect(email).not.toHaveAttribute('aria-invalid', 'true');

    await page.reload();
    await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Ada & Byron <Analytical> Ltd');
    await expect(page.getByLabel('City')).toHaveValue('Zürich');
    await expect(page.getByLabel('Country code')).toHaveValue('CH');
    const record = await vendorCall(request, baseURL!, 'GET', `/v1/customers/${customer.externalId}`);
    expect(record.email).toBe('accounts@ada.example');
    expect(record.address.country).toBe('CH');
    expect(record.address.postal_code).toBe('8001');
  });

  test('tax IDs are added, checked by type in the customer’s language, and removed', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { locale: 'de' });
    await page.goto((await customer.link({ section: 'profile' })).url);
    const taxIds = page.getByRole('group', { name: 'Steuernummern' });
    await expect(taxIds.getByLabel('Art', { exact: true })).toHaveValue('gb_vat');
    await expect(taxIds.getByLabel('Art', { exact: true }).locator('option:checked')).toHaveText('USt-IdNr. (Vereinigtes Königreich)');
    await expect(taxIds.getByLabel('Nummer', { exact: true })).toHaveValue('GB123456782');

    // A new row takes the keyboard; a number that is not of its type is explained there.
    await taxIds.getByRole('button', { name: 'Steuernummer hinzufügen' }).click();
    const added = taxIds.getByLabel('Nummer', { exact: true }).nth(1);
    await expect(added).toBeFocused();
    await expect(taxIds.getByLabel('Art', { exact: true }).nth(1)).toHaveValue('eu_vat');
    await added.fill('DE12345678');
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await expect(added).toHaveAttribute('aria-invalid', 'true');
    await expect(added).toBeFocused();
    await expect(taxIds.getByText('Das ist keine gültige Nummer dieser Art, zum Beispiel DE123456789.')).toBeVisible();

    // Typed with spaces and in lower case, it is kept as the office writes it.
    await added.fill('de 123 456 789');
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await expect(page.getByText('Ihre Angaben wurden gespeichert.')).toBeVisible();
    await expect(added).toHaveValue('DE123456789');
    await expect(added).not.toHaveAttribute('aria-invalid', 'true');
    let record = await vendorCall(request, baseURL!, 'GET', `/v1/customers/${customer.externalId}`);
    expect(record.tax_ids).toEqual([
      { type: 'gb_vat', value: 'GB123456782' },
      { type: 'eu_vat', value: 'DE123456789' },
    ]);
    const told = await eventsAbout(request, baseURL!, customer.externalId);
    const updated = told.find((event) => event.kind === 'customer.updated');
    expect(updated.payload.changed).toEqual(['tax_ids']);
    expect(updated.payload.customer.tax_ids).toEqual(record.tax_ids);

    // Removing one moves the keyboard to the row that takes its place.
    await taxIds.getByRole('button', { name: 'USt-IdNr. (Vereinigtes Königreich) GB123456782 entfernen' }).click();
    await expect(taxIds.getByLabel('Nummer', { exact: true })).toHaveCount(1);
    await expect(taxIds.getByLabel('Nummer', { exact: true })).toBeFocused();
    await page.getByRole('button', { name: 'Änderungen speichern' }).click();
    await expect(page.getByText('Ihre Angaben wurden gespeichert.')).toBeVisible();
    record = await vendorCall(request, baseURL!, 'GET', `/v1/customers/${customer.externalId}`);
    expect(record.tax_ids).toEqual([{ type: 'eu_vat', value: 'DE123456789' }]);
  });

  test('tax IDs the vendor keeps are shown, not offered for editing', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { vendor: restrictedVendor() });
    await page.goto((await customer.link({ section: 'profile' })).url);
    const taxIds = page.getByRole('group', { name: 'Tax IDs' });
    await expect(taxIds.getByText('UK VAT number')).toBeVisible();
    await expect(taxIds.getByText('GB123456782')).toBeVisible();
    await expect(taxIds.getByText('Managed by your provider')).toBeVisible();
    await expect(taxIds.getByRole('button')).toHaveCount(0);
    await expect(taxIds.getByRole('textbox')).toHaveCount(0);
  });
});
