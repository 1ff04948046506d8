import { test, expect } from '@playwright/test';
import { freshCustomer, restrictedVendor } from './vendor';

test.describe('an organisation that hides sections and locks its profile fields', () => {
  test('shows only its sections, refuses the hidden ones, and keeps read-only fields read-only', async ({
    page,
    request,
    baseURL,
  }) => {
    const vendor = restrictedVendor();
    const customer = await freshCustomer(request, baseURL!, { vendor, invoices: 2 });
    await page.goto((await customer.link()).url);
    // It lands on the first section it shows.
    await expect(page).toHaveURL(`${baseURL}/portal/${vendor.organisation}/invoices`);
    await expect(page.locator('.portico')).toHaveAttribute('data-theme', 'dark');
    const tabs = page.getByRole('navigation', { name: 'Billing sections' });
    await expect(tabs.getByRole('link')).toHaveText(['Invoices', 'Profile']);

    // A hidden section, typed into the address bar, is plainly not available.
    await page.goto(`${baseURL}/portal/${vendor.organisation}/payments`);
    await expect(page.getByRole('heading', { name: 'This section is not available' })).toBeVisible();

    await page.goto(`${baseURL}/portal/${vendor.organisation}/profile`);
    const name = page.getByLabel('Name', { exact: true });
    await expect(name).toHaveAttribute('readonly', '');
    await expect(page.getByText('Managed by your provider').first()).toBeVisible();
    await name.click();
    await page.keyboard.type('Mallory');
    await expect(name).toHaveValue('Ada Lovelace Ltd');
    await page.getByLabel('Email').fill('new@ada.example');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Your details have been saved.')).toBeVisible();

    // The API refuses a read-only field even when the page is bypassed.
    const token = await page.evaluate(
      (org) => JSON.parse(sessionStorage.getItem(`portico.session.${org}`) ?? '{}').token as string,
      vendor.organisation,
    );
    const response = await request.patch(`${baseURL}/api/v1/portal/profile`, {
      headers: { Authorization: `Bearer ${token}` },
      data: { name: 'Mallory' },
    });
    expect(response.status()).toBe(422);
    expect((await response.json()).error.fields[0].field).toBe('name');
  });
});
