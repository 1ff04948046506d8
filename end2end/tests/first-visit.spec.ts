import { test, expect } from '@playwright/test';
import { freshCustomer } from './vendor';

// A customer's first visit: the link's page starts the exchange and the landing tab's reads
// itself, the app uses those answers instead of asking again, the bundle arrives compressed
// and cacheable, and the portal's frame does not move when the data arrives.
test.describe('the first visit', () => {
  test('asks for each thing once, compressed, and nothing jumps', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 12 });
    const link = await customer.link({ section: 'invoices' });

    const calls: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) calls.push(`${r.method()} ${url.pathname}${url.search}`);
    });
    const bundle: { url: string; encoding?: string; cache?: string }[] = [];
    page.on('response', async (r) => {
      if (new URL(r.url()).pathname.startsWith('/pkg/')) {
        const headers = await r.allHeaders();
        bundle.push({ url: r.url(), encoding: headers['content-encoding'], cache: headers['cache-control'] });
      }
    });
    await page.addInitScript(() => {
      (window as any).__shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as any[]) {
          if (!entry.hadRecentInput) (window as any).__shift += entry.value;
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });

    await page.goto(link.url);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(10);
    await expect(page.locator('.portal-head .customer')).toHaveText('Ada Lovelace Ltd');
    await page.waitForLoadState('load');
    // Time for a second request for the same thing to show, had the app made one.
    await page.waitForTimeout(500);

    expect(calls.filter((c) => c === 'POST /api/v1/session/exchange')).toHaveLength(1);
    expect(calls.filter((c) => c === 'GET /api/v1/portal/session')).toHaveLength(1);
    expect(calls.filter((c) => c === 'GET /api/v1/portal/invoices?limit=10')).toHaveLength(1);

    // The JavaScript, the WASM and the stylesheet, each once, compressed and kept for a year.
    expect(bundle.map((b) => new URL(b.url).pathname.split('.').pop()).sort()).toEqual(['css', 'js', 'wasm']);
    for (const file of bundle) {
      expect(file.encoding, file.url).toBe('br');
      expect(file.cache, file.url).toBe('public, max-age=31536000, immutable');
    }

    // The link's page already has the portal's head and tab bar where they end up: the
    // cumulative layout shift of the landing tab stays within 0.02.
    const shift = await page.evaluate(() => (window as any).__shift as number);
    console.log(`layout shift on landing: ${shift.toFixed(4)}`);
    expect(shift).toBeLessThanOrEqual(0.02);
  });

  test("the link's page is the portal's frame before any script runs", async ({ browser, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!);
    const link = await customer.link({ section: 'invoices' });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(link.url);
    await expect(page.locator('.portal-head')).toBeAttached();
    await expect(page.locator('.tabs span')).toHaveText([
      'Overview', 'Invoices', 'Payments', 'Entitlements', 'Subscriptions', 'Payment methods', 'Profile',
    ]);
    await expect(page.getByRole('status')).toHaveText('Opening your billing portal…');
    await context.close();
  });

  test('a stale bundle name is a plain 404, not the page', async ({ request, baseURL }) => {
    const response = await request.get(`${baseURL}/pkg/portico.AAAAAAAAAAAAAAAAAAAAAA.wasm`);
    expect(response.status()).toBe(404);
    expect(await response.text()).not.toContain('<html');
  });
});
