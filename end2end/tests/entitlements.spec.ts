import { test, expect } from '@playwright/test';
import { freshCustomer, vendorCall } from './vendor';

test.describe('the entitlements tab', () => {
  test('shows each limited feature as a meter and an unlimited one as a count', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    const id = customer.externalId;
    const put = (path: string, data: unknown) => vendorCall(request, baseURL!, 'PUT', path, data);
    await put(`/v1/entitlements/${id}_ent_storage`, {
      customer_id: id, feature: 'Storage', limit: 500, usage: 487, unit: 'GB', valid_from: '2026-01-01',
    });
    await put(`/v1/entitlements/${id}_ent_support`, {
      customer_id: id, feature: 'Priority support', usage: 4, unit: 'tickets', valid_from: '2026-01-01',
    });
    await page.goto((await customer.link({ section: 'entitlements', locale: 'en' })).url);
    await expect(page.getByRole('meter', { name: 'Storage used' })).toHaveAttribute('aria-valuenow', '487');
    await expect(page.getByRole('meter', { name: 'Punched cards used' })).toHaveAttribute('aria-valuenow', '950');
    await expect(page.getByText('4 tickets · unlimited')).toBeVisible();
  });

  test('a feature with its daily use is charted and projected to the end of the period, with a warning past the limit', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    const id = customer.externalId;
    const day = 24 * 60 * 60 * 1000;
    const iso = (at: number) => new Date(at).toISOString().slice(0, 10);
    // Nine days of 100 up to today, in a period that ends in 20 days.
    const today = Date.now();
    const series = Array.from({ length: 9 }, (_, i) => ({ date: iso(today - (8 - i) * day), value: 100 }));
    const entitlement = (limit: number) => ({
      customer_id: id, feature: 'Analyses', limit, usage: 900, unit: 'runs',
      valid_from: iso(today - 8 * day), valid_until: iso(today + 20 * day), usage_series: series,
    });
    await vendorCall(request, baseURL!, 'PUT', `/v1/entitlements/${id}_ent_runs`, entitlement(2500));
    await page.goto((await customer.link({ section: 'entitlements', locale: 'en' })).url);
    const item = page.locator('ul.entitlements li', { hasText: 'Analyses' });
    await expect(item.getByRole('img', { name: 'Analyses, used per day' })).toBeVisible();
    await expect(item.locator('.usage-chart rect')).toHaveCount(9);
    // 900 so far and 100 a day for 20 more days: 2,900, past the limit of 2,500.
    await expect(item.locator('.pace.over')).toHaveText(/At this pace: about 2,900 runs by .*, over the limit of 2,500\./);

    await vendorCall(request, baseURL!, 'PUT', `/v1/entitlements/${id}_ent_runs`, entitlement(5000));
    await page.reload();
    await expect(item.locator('.pace')).toHaveText(/At this pace: about 2,900 runs by /);
    await expect(item.locator('.pace.over')).toHaveCount(0);
  });
});
