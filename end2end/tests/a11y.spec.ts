import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { freshCustomer } from './vendor';

async function audit(page: Page, where: string) {
  await expect(page.locator('.skeleton')).toHaveCount(0);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

test.describe('accessibility', () => {
  for (const scheme of ['light', 'dark'] as const) {
    test(`every tab passes axe-core with no serious or critical violation (${scheme})`, async ({ page, request, baseURL }) => {
      await page.emulateMedia({ colorScheme: scheme });
      const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
      await page.goto((await customer.link()).url);
      await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
      await audit(page, 'overview');
      const tabs = page.getByRole('navigation', { name: 'Billing sections' });
      for (const tab of ['Invoices', 'Payments', 'Entitlements', 'Subscriptions', 'Payment methods', 'Profile']) {
        await tabs.getByRole('link', { name: tab }).click();
        await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
        await audit(page, tab);
      }
      // The invoice page, and the cancellation dialog.
      await tabs.getByRole('link', { name: 'Invoices' }).click();
      await page.getByRole('link', { name: 'ADA-002' }).click();
      await expect(page.getByRole('heading', { name: 'Invoice ADA-002' })).toBeVisible();
      await audit(page, 'invoice');
      await tabs.getByRole('link', { name: 'Subscriptions' }).click();
      await page.getByRole('button', { name: 'Cancel subscription' }).click();
      await expect(page.getByRole('alertdialog')).toBeVisible();
      await audit(page, 'cancel dialog');
    });
  }
});
