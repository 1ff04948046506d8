import { test, expect } from '@playwright/test';
import { eventsAbout, freshCustomer, retentionVendor, vendorCall } from './vendor';

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
    const mine = (await eventsAbout(request, baseURL!, customer.externalId)).filter(
      (e) => e.kind === 'subscription.cancellation_requested',
    );
    expect(mine).toHaveLength(1);

    await page.reload();
    await expect(page.getByRole('row', { name: /Engine Pro/ })).toContainText('Ends 30 Nov 2030');
  });

  test('where the vendor asks why, a reason is picked after its offer is shown; the subscription can be kept after all, or a pause asked for', async ({ page, request, baseURL }) => {
    const vendor = retentionVendor();
    const customer = await freshCustomer(request, baseURL!, { invoices: 1, vendor });
    await page.goto((await customer.link({ section: 'subscriptions', locale: 'en' })).url);
    const row = page.getByRole('row', { name: /Engine Pro/ });
    await row.getByRole('button', { name: 'Cancel subscription' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel Engine Pro?' });
    await expect(dialog).toContainText('Before you go: we can take 20 % off your next three months.');
    const reasons = dialog.getByRole('group', { name: 'Why are you cancelling?' });
    await expect(reasons.getByRole('radio')).toHaveCount(3);
    const confirm = dialog.getByRole('button', { name: 'Yes, cancel at period end' });
    await expect(confirm).toBeDisabled();
    // "Another reason" needs the customer's own words.
    await reasons.getByRole('radio', { name: 'Another reason' }).check();
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/In your own words/).fill('We are closing the <office>');
    await expect(confirm).toBeEnabled();
    await confirm.click();
    await expect(page.getByRole('status').filter({ hasText: 'Engine Pro will end on 30 Nov 2030.' })).toBeVisible();

    // Changed their mind before the period ends.
    await row.getByRole('button', { name: 'Keep my subscription' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Engine Pro will renew on 1 Dec 2030.' })).toBeVisible();
    await expect(row).toContainText('1 Dec 2030');
    await expect(row.getByRole('button', { name: 'Cancel subscription' })).toBeVisible();

    await row.getByRole('button', { name: 'Request a pause' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Your request to pause Engine Pro was sent.' })).toBeVisible();
    const record = await vendorCall(request, baseURL!, 'GET', `/v1/subscriptions/${customer.externalId}_sub`, undefined, vendor);
    expect(record.cancel_at_period_end).toBe(false);
    expect(record.status).toBe('active');

    const all = await vendorCall(request, baseURL!, 'GET', '/v1/events?limit=500', undefined, vendor);
    const mine = all.data.filter((e: any) => JSON.stringify(e).includes(customer.externalId) && e.kind.startsWith('subscription.'));
    expect(mine.map((e: any) => e.kind)).toEqual([
      'subscription.cancellation_requested', 'subscription.cancellation_withdrawn', 'subscription.pause_requested',
    ]);
    expect(mine[0].payload.reason).toBe('other');
    expect(mine[0].payload.comment).toBe('We are closing the <office>');
  });
});
