import { test, expect } from '@playwright/test';
import { demoVendor, eventsAbout, freshCustomer, vendorCall } from './vendor';

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

  test('a method that is not the default is removed after confirming, and the vendor hears of it', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ section: 'payment_methods', locale: 'en' })).url);
    const methods = page.locator('ul.methods li');
    await expect(methods).toHaveCount(2);
    // The default has no Remove button; the other names what it removes.
    await expect(methods.first().getByRole('button', { name: /Remove/ })).toHaveCount(0);
    const remove = methods.filter({ hasText: 'Mastercard' }).getByRole('button', { name: 'Remove Mastercard •••• 4444' });

    // Escape keeps it.
    await remove.click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Mastercard •••• 4444?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Keep it' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(remove).toBeFocused();
    await expect(methods).toHaveCount(2);

    await remove.click();
    await dialog.getByRole('button', { name: 'Yes, remove it' }).click();
    await expect(page.getByText('Mastercard •••• 4444 was removed.')).toBeVisible();
    await expect(methods).toHaveCount(1);
    await expect(page.getByRole('heading', { name: 'Payment methods' })).toBeFocused();
    await page.reload();
    await expect(page.locator('ul.methods li')).toHaveCount(1);
    const removed = (await eventsAbout(request, baseURL!, customer.externalId)).filter((e) => e.kind === 'payment_method.removed');
    expect(removed.map((e) => e.payload.external_id)).toEqual([`${customer.externalId}_pm_mc`]);
  });

  test('"Add a payment method" opens the vendor\'s setup page for this customer in a new tab', async ({ page, context, request, baseURL }) => {
    await context.route('https://setup.psp.example/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>Add a card</title><h1>Add a card</h1>' }),
    );
    const vendor = demoVendor();
    const response = await request.patch(`${baseURL}/v1/settings`, {
      headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey },
      data: { payment_method_setup_url: 'https://setup.psp.example/cards/new?customer={customer_id}&back={return_url}' },
    });
    expect(response.status()).toBe(200);
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ section: 'payment_methods', locale: 'en' })).url);
    const add = page.getByRole('link', { name: 'Add a payment method (opens in a new tab)' });
    await expect(add).toBeVisible();
    const [setup] = await Promise.all([context.waitForEvent('page'), add.click()]);
    await expect(setup).toHaveURL(
      `https://setup.psp.example/cards/new?customer=${customer.externalId}&back=${encodeURIComponent(`${baseURL}/`)}`,
    );
    await expect(page.getByRole('heading', { name: 'Payment methods' })).toBeVisible();
    await expect.poll(async () =>
      (await eventsAbout(request, baseURL!, customer.externalId)).filter((e) => e.kind === 'payment_method.setup_started').length,
    ).toBe(1);
  });
});
