import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { demoVendor, freshCustomer, vendorCall } from './vendor';

test.describe('the payments tab', () => {
  test('a deep link lands on the tab, which pages through payments and refunds', async ({ page, request, baseURL }) => {
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

    // The other tabs are a click away.
    const tabs = page.getByRole('navigation', { name: 'Billing sections' });
    await tabs.getByRole('link', { name: 'Invoices' }).click();
    await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible();
    await expect(page.locator('table.invoices-table tbody tr').first()).toBeVisible();
  });

  test('payments export as CSV', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    await page.goto((await customer.link({ section: 'payments' })).url);
    await expect(page.getByRole('heading', { name: 'Payments and refunds' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'View invoice' })).toBeVisible();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('payments.csv');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(
      'date,kind,status,method,currency,amount,invoice\r\n2025-02-03T10:00:00Z,payment,succeeded,Visa •••• 4242,EUR,20.99,ADA-002\r\n',
    );
  });
});
