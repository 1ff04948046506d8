import { test, expect } from '@playwright/test';
import { freshCustomer, vendorCall } from './vendor';

test.describe("the customer's own changes", () => {
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
  });

  test('a subscription is cancelled at period end only after confirming', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ section: 'subscriptions' })).url);
    const row = page.getByRole('row', { name: /Engine Pro/ });
    await expect(row).toContainText('Active');
    await expect(row).toContainText('1 Dec 2030');

    await row.getByRole('button', { name: 'Cancel subscription' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel Engine Pro?' });
    await expect(dialog).toContainText('stays active until 30 Nov 2030');
    await dialog.getByRole('button', { name: 'Keep subscription' }).click();
    await expect(dialog).toHaveCount(0);
    let record = await vendorCall(request, baseURL!, 'GET', `/v1/subscriptions/${customer.externalId}_sub`);
    expect(record.cancel_at_period_end).toBe(false);

    await row.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.getByRole('button', { name: 'Yes, cancel at period end' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Engine Pro will end on 30 Nov 2030.' })).toBeVisible();
    await expect(row).toContainText('Ends 30 Nov 2030');
    await expect(row.getByRole('button', { name: 'Cancel subscription' })).toHaveCount(0);

    record = await vendorCall(request, baseURL!, 'GET', `/v1/subscriptions/${customer.externalId}_sub`);
    expect(record.cancel_at_period_end).toBe(true);
    const events = await vendorCall(request, baseURL!, 'GET', '/v1/events?limit=500');
    const mine = events.data.filter(
      (e: any) => e.kind === 'subscription.cancellation_requested' && e.payload.external_id === `${customer.externalId}_sub`,
    );
    expect(mine).toHaveLength(1);

    await page.reload();
    await expect(page.getByRole('row', { name: /Engine Pro/ })).toContainText('Ends 30 Nov 2030');
  });

  test('another payment method becomes the default', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ section: 'payment_methods' })).url);
    const methods = page.locator('ul.methods li');
    await expect(methods.first()).toContainText('Visa •••• 4242');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.first().getByRole('button')).toHaveCount(0);

    await methods.filter({ hasText: 'Mastercard' }).getByRole('button', { name: 'Make default' }).click();
    await expect(page.getByText('Mastercard •••• 4444 is now your default payment method.')).toBeVisible();
    await expect(methods.first()).toContainText('Mastercard •••• 4444');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.nth(1).getByRole('button', { name: 'Make default' })).toBeVisible();

    await page.reload();
    await expect(page.locator('ul.methods li').first()).toContainText('Mastercard •••• 4444');
    const record = await vendorCall(request, baseURL!, 'GET', `/v1/payment_methods/${customer.externalId}_pm_mc`);
    expect(record.is_default).toBe(true);
  });
});
