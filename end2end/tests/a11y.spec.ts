import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { freshCustomer, vendorCall } from './vendor';

async function audit(page: Page, where: string) {
  await expect(page.locator('.skeleton')).toHaveCount(0);
  // While a tab's code loads, the page being left is faded on purpose: measure the
  // contrast of the settled page, not of the fade.
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  // Every impact counts, minor ones included.
  const violations = results.violations.map(
    (v) => `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(violations).toEqual([]);
}

test.describe('accessibility', () => {
  for (const scheme of ['light', 'dark'] as const) {
    test(`every tab passes axe-core with no violation of any impact (${scheme})`, async ({ page, request, baseURL }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
      // The open invoice gets a payment page, so that the list shows its "Pay now".
      await vendorCall(request, baseURL!, 'PUT', `/v1/invoices/${customer.externalId}_inv_1`, {
        customer_id: customer.externalId, number: 'ADA-001', status: 'open', currency: 'EUR',
        total: 1099, amount_due: 1099, due_date: '2025-01-28', issued_at: '2025-01-01T08:00:00Z',
        lines: [{ description: 'Analytical Engine rental', quantity: 1, unit_amount: 1099, amount: 1099 }],
        payment_url: 'https://pay.psp.example/invoices/ADA-001',
      });
      await page.goto((await customer.link()).url);
      await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
      await audit(page, 'overview');
      const tabs = page.getByRole('navigation', { name: 'Billing sections' });
      for (const tab of ['Invoices', 'Payments', 'Entitlements', 'Subscriptions', 'Payment methods', 'Profile']) {
        await tabs.getByRole('link', { name: tab }).click();
        await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
        if (tab === 'Invoices') await expect(page.getByRole('link', { name: /^Pay now/ })).toHaveCount(1);
        await audit(page, tab);
      }
      // The profile with its problems shown beside the fields, a tax ID's among them.
      await page.getByRole('button', { name: 'Add a tax ID' }).click();
      await page.getByLabel('Number', { exact: true }).last().fill('DE1');
      await page.getByLabel('Postal code').fill('1');
      await page.getByLabel('Email').fill('not an email');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect(page.locator('.field-error')).toHaveCount(3);
      await audit(page, 'profile problems');
      // The invoice page, and the cancellation dialog.
      await tabs.getByRole('link', { name: 'Invoices' }).click();
      await page.getByRole('link', { name: 'ADA-002' }).click();
      await expect(page.getByRole('heading', { name: 'Invoice ADA-002' })).toBeVisible();
      await audit(page, 'invoice');
      await tabs.getByRole('link', { name: 'Subscriptions' }).click();
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      await expect(page.getByRole('alertdialog')).toBeVisible();
      await audit(page, 'cancel dialog');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('alertdialog')).toHaveCount(0);
      // The removal of a payment method.
      await tabs.getByRole('link', { name: 'Payment methods' }).click();
      await page.getByRole('button', { name: 'Remove Mastercard •••• 4444' }).click();
      await expect(page.getByRole('alertdialog')).toBeVisible();
      await audit(page, 'removal dialog');
      // A phone's folded filters, opened.
      await page.keyboard.press('Escape');
      await tabs.getByRole('link', { name: 'Invoices' }).click();
      const toggle = page.locator('.filters-toggle');
      if (await toggle.isVisible()) {
        await toggle.click();
        await audit(page, 'invoice filters');
      }
    });
  }
});
