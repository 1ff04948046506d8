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
});
