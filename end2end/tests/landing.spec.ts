import { test, expect, Page } from '@playwright/test';
import { freshCustomer, live } from './vendor';

// A link's landing page on the invoice list is the invoices tab without the router and the
// other tabs: the first visit downloads one WASM file. Leaving it for another page of the
// portal starts the whole app there, in place: no page load, the customer's choices kept.

/** The split-out WASM files the page has asked for, by path. */
function chunksOf(page: Page): string[] {
  const chunks: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/pkg/split_') && path.endsWith('.wasm')) chunks.push(path);
  });
  return chunks;
}

/** What the page reports as errors: thrown, or logged as errors. */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return errors;
}

test.describe("a link's landing page on the invoices", () => {
  test('fetches no chunk, and a tab link starts the whole app on that tab in place', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ section: 'invoices', locale: 'en' });
    const errors = errorsOf(page);
    const chunks = chunksOf(page);

    await page.goto(link.url);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await live(page);
    await page.waitForLoadState('networkidle');
    expect(chunks).toEqual([]);

    // What the customer chose on the landing page, and a mark that a page load would lose.
    await page.getByRole('button', { name: 'Dark' }).click();
    await expect(page.locator('.portico')).toHaveAttribute('data-theme', 'dark');
    await page.evaluate(() => ((window as any).__samePage = true));

    const tabs = page.getByRole('navigation', { name: 'Billing sections' });
    await expect(tabs.getByRole('link', { name: 'Invoices', exact: true })).toHaveAttribute('aria-current', 'page');
    await tabs.getByRole('link', { name: 'Payments' }).click();
    await expect(page).toHaveURL(/\/portal\/[0-9a-f-]{36}\/payments$/);
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    await expect(tabs.getByRole('link', { name: 'Payments' })).toHaveAttribute('aria-current', 'page');
    await expect(tabs.getByRole('link', { name: 'Invoices', exact: true })).not.toHaveAttribute('aria-current');
    expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
    await expect(page.locator('.portico')).toHaveAttribute('data-theme', 'dark');
    await expect(page.getByRole('button', { name: 'Dark' })).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('.portal-head .customer')).toHaveText('Ada Lovelace Ltd');
    // One portal on the page, and the keyboard at the new tab's heading, as after any
    // change of tab.
    await expect(page.locator('.portico')).toHaveCount(1);
    await expect(page.locator('main')).toHaveCount(1);
    await expect(page.locator('main .card h2').first()).toBeFocused();
    // The whole app's chunk and the payments tab's came with the click.
    expect(chunks.some((c) => /^\/pkg\/split_whole_app_\d+\.[\w-]{22}\.wasm$/.test(c))).toBe(true);
    expect(chunks.some((c) => /^\/pkg\/split___payments_route_view_\d+\.[\w-]{22}\.wasm$/.test(c))).toBe(true);

    // From here the router has the page: Back returns to the invoices, Forward to the payments.
    await page.goBack();
    await expect(page).toHaveURL(/\/invoices$/);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await page.goForward();
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);
    expect(errors).toEqual([]);
  });

  test('an invoice opens from it, and a language picked on it stays', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ section: 'invoices', locale: 'en' });
    const errors = errorsOf(page);

    await page.goto(link.url);
    await live(page);
    await page.getByLabel('Language').selectOption('sv');
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await page.getByRole('link', { name: 'ADA-002' }).click();
    await expect(page).toHaveURL(/\/invoices\/[^/]+$/);
    await expect(page.getByRole('heading', { name: /ADA-002/ })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await expect(page.getByLabel('Språk')).toHaveValue('sv');
    // The tab bar still marks the invoices, under which the invoice is.
    const tabs = page.locator('nav.tabs');
    await expect(tabs.locator('a[aria-current=page]')).toHaveCount(1);
    await expect(tabs.locator('a[aria-current=page]')).toHaveAttribute('href', /\/invoices$/);
    expect(errors).toEqual([]);
  });

  test('a click that opens a new tab of the browser is left to the browser', async ({ page, context, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ section: 'invoices' });
    await page.goto(link.url);
    await live(page);
    const opened = context.waitForEvent('page');
    await page.getByRole('link', { name: 'Payments' }).click({ modifiers: ['Control'] });
    await opened;
    // The landing page stays as it was.
    await expect(page).toHaveURL(/\/invoices$/);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await expect(page.locator('main')).not.toHaveAttribute('aria-busy');
  });
});
