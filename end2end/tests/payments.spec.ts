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

  test('credit is shown above the payments with how it came about, and summed up on the overview', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    await vendorCall(request, baseURL!, 'PUT', `/v1/customers/${customer.externalId}/balance`, {
      currency: 'EUR',
      amount: 4500,
      transactions: [
        { amount: 10000, description: 'Referral credit <b>bonus</b>', created_at: '2026-03-02T10:00:00Z' },
        { amount: -5500, description: 'Applied to ADA-002', created_at: '2026-04-01T10:00:00Z' },
      ],
    });
    await page.goto((await customer.link({ locale: 'en' })).url);
    const note = page.getByRole('link', { name: 'Credit available: €45.00, taken off your next invoices.' });
    await expect(note).toBeVisible();
    await note.click();
    const credit = page.getByRole('region', { name: 'Credit balance' });
    await expect(credit.getByText('Available in EUR')).toBeVisible();
    await expect(credit.getByText('€45.00')).toBeVisible();
    const movements = credit.getByRole('table', { name: 'How your EUR credit came about' }).locator('tbody tr');
    await expect(movements).toHaveCount(2);
    // Newest first; the vendor's text is text, not markup.
    await expect(movements.nth(0)).toContainText('Applied to ADA-002');
    await expect(movements.nth(0)).toContainText('−€55.00');
    await expect(movements.nth(1)).toContainText('Referral credit <b>bonus</b>');
    await expect(page.getByRole('heading', { name: 'Payments and refunds' })).toBeVisible();

    // Used up, it is no longer offered on the overview; the history stays.
    await vendorCall(request, baseURL!, 'PUT', `/v1/customers/${customer.externalId}/balance`, {
      currency: 'EUR', amount: 0,
      transactions: [{ amount: -4500, description: 'Applied to ADA-003', created_at: '2026-05-01T10:00:00Z' }],
    });
    await page.reload();
    await expect(credit.getByText('€0.00')).toBeVisible();
    await page.getByRole('navigation', { name: 'Billing sections' }).getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    await expect(page.getByText(/Credit available/)).toHaveCount(0);
  });
});
