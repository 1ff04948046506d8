import { test, expect } from '@playwright/test';
import { demoVendor, portalLink } from './vendor';

test.describe('the read-only tabs', () => {
  test('a deep link lands on its tab and every tab shows the demo records', async ({ page, request, baseURL }) => {
    const org = demoVendor().organisation;
    const link = await portalLink(request, baseURL!, { external_id: 'cus_northwind', section: 'payments', locale: 'en' });
    await page.goto(link.url);
    await expect(page).toHaveURL(`${baseURL}/portal/${org}/payments`);
    await expect(page.getByRole('heading', { name: 'Payments and refunds' })).toBeVisible();
    const payments = page.locator('table.records tbody tr');
    await expect(payments).toHaveCount(10);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => payments.count()).toBeGreaterThan(10);
    await expect(page.getByText('Refund', { exact: true })).toBeVisible();
    await expect(page.getByText('−€50.00')).toBeVisible();

    const tabs = page.getByRole('navigation', { name: 'Billing sections' });
    await tabs.getByRole('link', { name: 'Entitlements' }).click();
    await expect(page.getByRole('meter', { name: 'Storage used' })).toHaveAttribute('aria-valuenow', '487');
    await expect(page.getByText('4 tickets · unlimited')).toBeVisible();

    await tabs.getByRole('link', { name: 'Subscriptions' }).click();
    await expect(page.getByRole('rowheader', { name: 'Business' })).toBeVisible();
    await expect(page.getByText('€249.00 per month')).toBeVisible();

    await tabs.getByRole('link', { name: 'Payment methods' }).click();
    const methods = page.locator('ul.methods li');
    await expect(methods).toHaveCount(2);
    await expect(methods.first()).toContainText('Visa •••• 4242');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.nth(1)).toContainText('SEPA Direct Debit');

    await tabs.getByRole('link', { name: 'Invoices' }).click();
    await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible();
  });
});
