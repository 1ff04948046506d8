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
});
