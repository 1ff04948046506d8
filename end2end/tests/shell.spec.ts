import { test, expect, type Page } from '@playwright/test';
import { freshCustomer, live } from './vendor';

/** Collects the page's console errors and uncaught exceptions. */
function trackErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test.describe('server-rendered shell, hydrated', () => {
  test('the WASM client hydrates the page and a signal drives the theme', async ({ page }) => {
    const errors = trackErrors(page);
    const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm'));
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Your billing portal' })).toBeVisible();
    expect((await wasm).status()).toBe(200);

    const root = page.locator('.portico');
    const dark = page.getByRole('button', { name: 'Dark' });
    await expect(root).toHaveAttribute('data-theme', 'auto');
    await expect(dark).toHaveAttribute('aria-pressed', 'false');

    // One click, whenever it comes: a click before the app has started is held for it.
    await dark.click();
    await expect(root).toHaveAttribute('data-theme', 'dark');
    await expect(dark).toHaveAttribute('aria-pressed', 'true');
    const background = await root.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(15, 20, 25)');

    await page.getByRole('button', { name: 'Light' }).click();
    await expect(root).toHaveAttribute('data-theme', 'light');
    await expect(dark).toHaveAttribute('aria-pressed', 'false');
    expect(await root.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(246, 247, 249)');

    expect(errors).toEqual([]);
  });

  test('the theme switch works from the keyboard', async ({ page, isMobile }) => {
    test.skip(isMobile, 'no keyboard on a phone');
    await page.goto('/');
    const root = page.locator('.portico');
    const dark = page.getByRole('button', { name: 'Dark' });
    await dark.focus();
    await page.keyboard.press('Enter');
    await expect(root).toHaveAttribute('data-theme', 'dark');
    await expect(dark).toBeFocused();
  });

  test('an unknown page is a 404 with a way back', async ({ page }) => {
    const response = await page.goto('/no/such/page');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Go to the start page' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('heading', { name: 'Your billing portal' })).toBeVisible();
  });
});

test.describe('the tab bar', () => {
  test('keeps the open tab in view where the tabs do not fit', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { locale: 'de', invoices: 2 });
    await page.goto((await customer.link()).url);
    const bar = page.getByRole('navigation', { name: 'Abrechnungsbereiche' });
    await expect(bar.getByRole('link')).toHaveCount(7);
    /** Whether the open tab lies wholly inside the bar's visible part. */
    const currentInView = () =>
      bar.evaluate((nav) => {
        const current = nav.querySelector('[aria-current=page]');
        if (!current) return false;
        const [b, t] = [nav.getBoundingClientRect(), current.getBoundingClientRect()];
        return t.left >= b.left - 1 && t.right <= b.right + 1;
      });
    for (const name of ['Profil', 'Übersicht', 'Abonnements', 'Rechnungen', 'Zahlungsmethoden']) {
      await bar.getByRole('link', { name, exact: true }).click();
      await expect(bar.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
      await expect.poll(currentInView).toBe(true);
    }
    // The tab's address opened again is drawn in the browser's language until the
    // session's is in, when the tabs change width: the open tab is still in view after that.
    await bar.getByRole('link', { name: 'Profil', exact: true }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await page.goto(page.url());
    await live(page);
    await expect(bar.getByRole('link', { name: 'Profil', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect.poll(currentInView).toBe(true);
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the server-rendered shell is complete and styled', async ({ page }) => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1, name: 'Your billing portal' })).toBeVisible();
    await expect(page.getByText('Portico', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Dark' })).toBeVisible();
    // The stylesheet applies without any script.
    const background = await page.locator('.portico').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(246, 247, 249)');

    // Nothing hydrates, so the theme stays as rendered.
    await page.getByRole('button', { name: 'Dark' }).click();
    await expect(page.locator('.portico')).toHaveAttribute('data-theme', 'auto');
  });
});
