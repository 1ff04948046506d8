import { test, expect } from '@playwright/test';
import { demoVendor, freshCustomer, vendorCall } from './vendor';

test.describe('the read-only tabs', () => {
  test('a deep link lands on its tab and every tab shows the customer\'s records', async ({ page, request, baseURL }) => {
    const org = demoVendor().organisation;
    // A customer of this test's own, so that the demo's figures can change freely.
    const customer = await freshCustomer(request, baseURL!);
    const id = customer.externalId;
    const put = (path: string, data: unknown) => vendorCall(request, baseURL!, 'PUT', path, data);
    // Eleven more payments than the one freshCustomer makes, the last of them a refund:
    // more than one page.
    for (let i = 1; i <= 11; i++) {
      const refund = i === 11;
      await put(`/v1/payments/${id}_pay_more_${i}`, {
        customer_id: id, kind: refund ? 'refund' : 'payment', status: 'succeeded',
        method: refund ? 'Visa •••• 4242' : 'SEPA Direct Debit •••• 3000', currency: 'EUR',
        amount: refund ? 5000 : 1000 + i, paid_at: `2026-0${1 + (i % 9)}-1${i % 10}T09:00:00Z`,
      });
    }
    await put(`/v1/entitlements/${id}_ent_storage`, {
      customer_id: id, feature: 'Storage', limit: 500, usage: 487, unit: 'GB', valid_from: '2026-01-01',
    });
    await put(`/v1/entitlements/${id}_ent_support`, {
      customer_id: id, feature: 'Priority support', usage: 4, unit: 'tickets', valid_from: '2026-01-01',
    });
    await put(`/v1/payment_methods/${id}_pm_sepa`, {
      customer_id: id, kind: 'sepa_debit', brand: 'Commerzbank', last4: '3000', is_default: false,
    });

    const link = await customer.link({ section: 'payments', locale: 'en' });
    await page.goto(link.url);
    await expect(page).toHaveURL(`${baseURL}/portal/${org}/payments`);
    await expect(page.getByRole('heading', { name: 'Payments and refunds' })).toBeVisible();
    const payments = page.locator('table.records tbody tr');
    await expect(payments).toHaveCount(10);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(payments).toHaveCount(12);
    await expect(page.getByText('Refund', { exact: true })).toBeVisible();
    await expect(page.getByText('−€50.00')).toBeVisible();

    const tabs = page.getByRole('navigation', { name: 'Billing sections' });
    await tabs.getByRole('link', { name: 'Entitlements' }).click();
    await expect(page.getByRole('meter', { name: 'Storage used' })).toHaveAttribute('aria-valuenow', '487');
    await expect(page.getByRole('meter', { name: 'Punched cards used' })).toHaveAttribute('aria-valuenow', '950');
    await expect(page.getByText('4 tickets · unlimited')).toBeVisible();

    await tabs.getByRole('link', { name: 'Subscriptions' }).click();
    await expect(page.getByRole('rowheader', { name: 'Engine Pro' })).toBeVisible();
    await expect(page.getByText('€49.00 per month')).toBeVisible();

    await tabs.getByRole('link', { name: 'Payment methods' }).click();
    const methods = page.locator('ul.methods li');
    await expect(methods).toHaveCount(3);
    await expect(methods.first()).toContainText('Visa •••• 4242');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.nth(2)).toContainText('SEPA Direct Debit');

    await tabs.getByRole('link', { name: 'Invoices' }).click();
    await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible();
    await expect(page.locator('table.invoices-table tbody tr').first()).toBeVisible();
  });
});
