import AxeBuilder from '@axe-core/playwright';
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
    // No reasons listed by the vendor: none is asked for, and saying anything is optional.
    await expect(dialog.getByRole('radio')).toHaveCount(0);
    await expect(dialog.getByLabel('Anything you would like to tell us (optional)')).toBeVisible();
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

  test('plans the catalogue allows are compared side by side with an estimate, and one is asked for', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    // This month's period, so that the estimate covers the days left of it.
    const now = new Date();
    const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0));
    const day = (d: Date) => d.toISOString().slice(0, 10);
    await vendorCall(request, baseURL!, 'PUT', `/v1/subscriptions/${customer.externalId}_business`, {
      customer_id: customer.externalId, plan: 'Business', plan_id: 'business', status: 'active', currency: 'EUR',
      amount: 24900, interval: 'month', current_period_start: day(first), current_period_end: day(last),
      renews_at: day(new Date(last.getTime() + 86_400_000)),
    });
    await page.goto((await customer.link({ section: 'subscriptions', locale: 'en' })).url);
    // Only a subscription whose plan is in the catalogue offers a change.
    await expect(page.getByRole('row', { name: /Engine Pro/ }).getByRole('button', { name: 'Change plan' })).toHaveCount(0);
    const row = page.getByRole('row', { name: /Business/ });
    await row.getByRole('button', { name: 'Change plan' }).click();
    const compare = page.getByRole('region', { name: 'Compare plans for Business' });
    await expect(compare.getByRole('heading', { name: 'Compare plans for Business' })).toBeFocused();
    const plans = compare.locator('.plan');
    await expect(plans).toHaveCount(3);
    await expect(plans.nth(0)).toContainText('Current plan');
    await expect(plans.nth(0)).toContainText('€249.00 per month');
    await expect(compare.locator('.plan', { hasText: 'Growth' })).toContainText('€119.00 per month');
    const scale = compare.locator('.plan', { hasText: 'Scale' });
    await expect(scale).toContainText('SSO and audit log');

    // The estimate is by the days left of this month, today included.
    const period = last.getUTCDate();
    const left = period - now.getUTCDate() + 1;
    const cents = Math.round(((49900 - 24900) * left) / period);
    await expect(scale).toContainText(`Estimate for the rest of this period: +€${(cents / 100).toFixed(2)}`);
    await expect(compare).toContainText(`(${left} of ${period})`);
    const audit = await new AxeBuilder({ page }).include('#plan-change')
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
    expect(audit.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    await scale.getByRole('button', { name: 'Switch to Scale' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Your request to switch to Scale was sent. Your provider will confirm the change.' })).toBeVisible();
    await expect(compare).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Subscriptions' })).toBeFocused();
    const asked = (await eventsAbout(request, baseURL!, `${customer.externalId}_business`))
      .filter((e) => e.kind === 'subscription.change_requested');
    expect(asked).toHaveLength(1);
    expect(asked[0].payload.from_plan).toBe('business');
    expect(asked[0].payload.to_plan).toBe('scale');
    expect(asked[0].payload.estimate).toBe(cents);
    // The subscription itself waits for the vendor.
    await expect(row).toContainText('€249.00 per month');
  });

  test('a list that could not be loaded says so, and loads when asked again', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    const down = async (route: import('@playwright/test').Route) => route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'unavailable', message: 'The database is not answering.' } }),
    });
    // A link's page comes with its first reads, so the failure is met on the way there.
    await page.goto((await customer.link({ section: 'invoices', locale: 'en' })).url);
    await expect(page.locator('table.invoices-table tbody tr').first()).toBeVisible();
    await page.route('**/api/v1/portal/subscriptions', down);
    await page.getByRole('link', { name: 'Subscriptions' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'Something went wrong' });
    await expect(problem).toBeVisible();
    await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
    await page.unroute('**/api/v1/portal/subscriptions', down);
    await problem.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByRole('rowheader', { name: 'Engine Pro' })).toBeVisible();
    await expect(problem).toHaveCount(0);
  });
});
