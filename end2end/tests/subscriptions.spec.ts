import { test, expect } from '@playwright/test';
import { freshCustomer, vendorCall } from './vendor';

test.describe('the subscriptions tab', () => {
  test('shows each plan with its price and renewal', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ section: 'subscriptions', locale: 'en' })).url);
    await expect(page.getByRole('rowheader', { name: 'Engine Pro' })).toBeVisible();
    await expect(page.getByText('€49.00 per month')).toBeVisible();
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
});
