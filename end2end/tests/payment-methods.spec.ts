import { test, expect } from '@playwright/test';
import { freshCustomer, vendorCall } from './vendor';

test.describe('the payment methods tab', () => {
  test('lists the default first, then the others', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await vendorCall(request, baseURL!, 'PUT', `/v1/payment_methods/${customer.externalId}_pm_sepa`, {
      customer_id: customer.externalId, kind: 'sepa_debit', brand: 'Commerzbank', last4: '3000', is_default: false,
    });
    await page.goto((await customer.link({ section: 'payment_methods', locale: 'en' })).url);
    const methods = page.locator('ul.methods li');
    await expect(methods).toHaveCount(3);
    await expect(methods.first()).toContainText('Visa •••• 4242');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.nth(2)).toContainText('SEPA Direct Debit');
  });

  test('another payment method becomes the default', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ section: 'payment_methods' })).url);
    const methods = page.locator('ul.methods li');
    await expect(methods.first()).toContainText('Visa •••• 4242');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.first().getByRole('button')).toHaveCount(0);

    await methods.filter({ hasText: 'Mastercard' }).getByRole('button', { name: 'Make default' }).click();
    await expect(page.getByText('Mastercard •••• 4444 is now your default payment method.')).toBeVisible();
    await expect(methods.first()).toContainText('Mastercard •••• 4444');
    await expect(methods.first()).toContainText('Default');
    await expect(methods.nth(1).getByRole('button', { name: 'Make default' })).toBeVisible();

    await page.reload();
    await expect(page.locator('ul.methods li').first()).toContainText('Mastercard •••• 4444');
    const record = await vendorCall(request, baseURL!, 'GET', `/v1/payment_methods/${customer.externalId}_pm_mc`);
    expect(record.is_default).toBe(true);
  });
});
