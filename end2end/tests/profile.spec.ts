import { test, expect } from '@playwright/test';
import { freshCustomer, vendorCall } from './vendor';

test.describe('the profile tab', () => {
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
});
