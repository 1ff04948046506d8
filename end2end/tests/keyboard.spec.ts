import { test, expect, type Page } from '@playwright/test';
import { freshCustomer } from './vendor';

/** What has the keyboard: the focused element's id, else its tag and text. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return 'body';
    return e.id ? `#${e.id}` : `${e.tagName.toLowerCase()}:${(e.textContent ?? '').trim().slice(0, 40)}`;
  });
}

test.describe('keyboard', () => {
  test('the skip link moves the keyboard to the main content', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    await page.goto((await customer.link({ locale: 'en', section: 'invoices' })).url);
    await expect(page.locator('table.records tbody tr').first()).toBeVisible();

    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a:Skip to content');
    await expect(page.locator('.skip-link')).toBeInViewport();
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('#main');
    // The next Tab goes on inside the main content, not back to the page's top.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => !!document.activeElement?.closest('main'));
    expect(next).toBe(true);
    expect(await focused(page)).not.toBe('body');
  });

  test('the tab links show their whole focus ring inside the scrolling tab bar', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    await page.goto((await customer.link({ locale: 'en', section: 'overview' })).url);
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Billing sections' });
    let checked = 0;
    for (let presses = 0; presses < 30 && checked < 7; presses++) {
      await page.keyboard.press('Tab');
      const inBar = await nav.evaluate((bar) => bar.contains(document.activeElement));
      if (!inBar) continue;
      checked++;
      // The ring stays within the tab's own box (so no side of the bar can clip it) and
      // within the bar's height (which its sideways scrolling clips to).
      const overflow = await nav.evaluate((bar) => {
        const link = document.activeElement as HTMLElement;
        const style = getComputedStyle(link);
        const reach = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
        const ring = link.getBoundingClientRect();
        const box = bar.getBoundingClientRect();
        return Math.max(reach, box.top - (ring.top - reach), ring.bottom + reach - (box.top + bar.clientHeight));
      });
      expect(overflow, `tab ${checked}`).toBeLessThanOrEqual(0);
    }
    expect(checked).toBe(7);
  });
});
