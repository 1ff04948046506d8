import { test, expect } from '@playwright/test';
import { freshCustomer, holdWasm, live } from './vendor';

// A customer's first visit: the link's page posts the link, the server exchanges it and
// answers with the landing tab already rendered and the answers it was rendered from, the
// app uses those instead of asking again, the bundle arrives compressed and cacheable, and
// nothing moves when the app takes over.
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

    // The exchange and the first reads came with the page: the app asked for none of them.
    expect(calls).toEqual([]);
    expect(new URL(page.url()).pathname).toMatch(/^\/portal\/[0-9a-f-]{36}\/invoices$/);
    // The app is live on the rows the server rendered: the next page comes on a click.
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(12);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^GET \/api\/v1\/portal\/invoices\?limit=10&cursor=/);

    // The app's script and its chunk loader, the WASM and the stylesheet, each once,
    // compressed and kept for a year. The landing tab is in the first WASM: no tab's chunk
    // is fetched.
    expect(bundle.map((b) => new URL(b.url).pathname.split('.').pop()).sort()).toEqual(['css', 'js', 'js', 'wasm']);
    expect(bundle.map((b) => new URL(b.url).pathname).filter((p) => p.endsWith('.wasm'))[0]).toMatch(
      /^\/pkg\/portico\.[\w-]{22}\.wasm$/,
    );
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

  test('another tab arrives when first opened, and a reload preloads it', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ section: 'invoices' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const chunks: { path: string; encoding?: string; cache?: string }[] = [];
    page.on('response', async (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/pkg/') && path.endsWith('.wasm') && !path.startsWith('/pkg/portico.')) {
        const headers = await r.allHeaders();
        chunks.push({ path, encoding: headers['content-encoding'], cache: headers['cache-control'] });
      }
    });

    await page.goto(link.url);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    expect(chunks).toEqual([]);
    // Before the app is live a tab link is a page load: what follows is the app's.
    await live(page);

    // The payments tab's code comes with the click: its own chunk and what it shares.
    // On a slow line the page being left says it is busy meanwhile.
    await page.route(/\/pkg\/split___payments_route_view_/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.getByRole('link', { name: 'Payments' }).click();
    await expect(page.locator('main')).toHaveAttribute('aria-busy', 'true');
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    await expect(page.locator('main')).not.toHaveAttribute('aria-busy', /.*/);
    expect(chunks.some((c) => /^\/pkg\/split___payments_route_view_\d+\.[\w-]{22}\.wasm$/.test(c.path))).toBe(true);
    for (const chunk of chunks) {
      expect(chunk.encoding, chunk.path).toBe('br');
      expect(chunk.cache, chunk.path).toBe('public, max-age=31536000, immutable');
    }
    // Once loaded, it stays: going back and forth fetches nothing more.
    const fetched = chunks.length;
    await page.getByRole('link', { name: 'Invoices' }).click();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await page.getByRole('link', { name: 'Payments' }).click();
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    expect(chunks).toHaveLength(fetched);

    // A reload renders the tab on the server, whose page preloads the tab's chunk, so the
    // app hydrates it without waiting for a second round trip.
    const reload = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/payments'));
    await page.reload();
    const html = await (await reload).text();
    expect(html).toMatch(/<link rel="preload" href="\/pkg\/split___payments_route_view_\d+\.[\w-]{22}\.wasm" as="fetch"/);
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    expect(errors).toEqual([]);
  });

  test("a link to a tab outside the first bundle preloads the tab's code with the page", async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ section: 'payments' });
    const opened = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.startsWith('/session/'));
    const requested: string[] = [];
    page.on('request', (r) => requested.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await page.goto(link.url);
    const html = await (await opened).text();
    const preload = [...html.matchAll(/<link rel="preload" href="(\/pkg\/split___[^"]+\.wasm)"/g)].map((m) => m[1]);
    expect(preload.some((p) => /^\/pkg\/split___payments_route_view_\d+\.[\w-]{22}\.wasm$/.test(p))).toBe(true);
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    expect(new URL(page.url()).pathname).toMatch(/^\/portal\/[0-9a-f-]{36}\/payments$/);
    // Each chunk is asked for once: by the page's hint, which the app's own fetch reuses;
    // the exchange and the tab's first reads came with the page.
    for (const chunk of preload) expect(requested.filter((p) => p === `GET ${chunk}`), chunk).toHaveLength(1);
    expect(requested.filter((r) => r.includes('/api/'))).toEqual([]);
  });

  test("the first rows are in the page before the app has loaded, and Back does not reuse the link", async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ section: 'invoices' });
    // The app's WASM held back: what shows is the server's page alone.
    const release = await holdWasm(page);
    await page.goto('about:blank');
    await page.goto(link.url, { waitUntil: 'commit' });
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await expect(page.locator('.portal-head .customer')).toHaveText('Ada Lovelace Ltd');
    // The link left the address bar before the app started.
    expect(new URL(page.url()).pathname).toMatch(/^\/portal\/[0-9a-f-]{36}\/invoices$/);
    // A tab followed before the app has started is a plain page load, signed in all the
    // same.
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.waitForURL(/\/payments$/);
    release();
    await expect(page.getByRole('heading', { name: 'Payments and refunds', level: 2 })).toBeVisible();
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    // Back through the portal, and out of it: the link's own page is not in the history.
    await page.goBack();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await page.goBack();
    expect(page.url()).toBe('about:blank');
  });

  test('a link to a tab outside the first bundle shows it before the app has loaded, whose buttons wait for the app', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    // The organisation's first section: the overview, whose code is split out.
    const link = await customer.link({ locale: 'en' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const calls: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/api/')) calls.push(`${r.method()} ${url.pathname}`);
    });
    const release = await holdWasm(page);
    await page.goto(link.url, { waitUntil: 'commit' });
    // The server's page alone: the figures and the overdue alert, and the controls waiting.
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('overdue');
    await expect(page.locator('.overview [aria-busy]')).toHaveCount(0);
    await expect(page.locator('html')).toHaveAttribute('data-app', 'starting');
    expect(new URL(page.url()).pathname).toMatch(/^\/portal\/[0-9a-f-]{36}\/overview$/);
    // A button clicked now is held for the app, and the pointer says it is waiting.
    const root = page.locator('.portico');
    await expect(root).toHaveAttribute('data-theme', 'auto');
    await page.getByRole('button', { name: 'Dark' }).click();
    await expect(page.locator('html')).toHaveAttribute('data-held', '');
    expect(await root.evaluate((e) => getComputedStyle(e).cursor)).toBe('progress');
    await page.waitForTimeout(200);
    await expect(root).toHaveAttribute('data-theme', 'auto');

    release();
    // The app takes over the page it was given, asking for none of it again, and the
    // held click is its first.
    await expect(page.locator('html')).not.toHaveAttribute('data-app');
    await expect(root).toHaveAttribute('data-theme', 'dark');
    await expect(page.locator('html')).not.toHaveAttribute('data-held');
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    expect(calls).toEqual([]);
    // The open one past its due date counts as overdue too.
    await page.getByRole('link', { name: 'View overdue invoices' }).click();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(2);
    expect(errors).toEqual([]);
  });

  test('a tab link clicked while the app takes the page over is followed once it is live', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const link = await customer.link({ locale: 'en', section: 'overview' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The overview's chunk held back: the app has started and waits for it to hydrate.
    const release = await holdWasm(page, /\/pkg\/split___overview_route_view_\w+\.[\w-]+\.wasm$/);
    await page.goto(link.url);
    await expect(page.locator('html')).toHaveAttribute('data-app', 'hydrating');
    const tabs = page.getByRole('navigation', { name: 'Billing sections' });
    await tabs.getByRole('link', { name: 'Invoices', exact: true }).click();
    await expect(page.locator('html')).toHaveAttribute('data-held', '');
    await page.waitForTimeout(200);
    expect(new URL(page.url()).pathname).toMatch(/\/overview$/);

    release();
    await live(page);
    await expect(page).toHaveURL(/\/invoices$/);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await expect(tabs.getByRole('link', { name: 'Invoices', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('html')).not.toHaveAttribute('data-held');
    expect(errors).toEqual([]);
  });

  test('without JavaScript the link opens with a button, and the invoices are there', async ({ browser, request, baseURL }, testInfo) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    const link = await customer.link({ section: 'invoices' });
    // This project's screen (a phone's, too), without scripts.
    const { viewport, isMobile, hasTouch, deviceScaleFactor } = testInfo.project.use;
    const context = await browser.newContext({ viewport, isMobile, hasTouch, deviceScaleFactor, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(link.url);
    // The button is what the page shows, not a loading skeleton that would never end.
    const open = page.getByRole('button', { name: 'Open your billing portal' });
    const box = await open.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(viewport!.height);
    // In the organisation's colours, though it stands outside the portal's frame.
    await expect(open).not.toHaveCSS('background-color', 'rgba(0, 0, 0, 0)');
    await expect(page.getByText('Opening your billing portal…')).toBeHidden();
    await open.click();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(2);
    await expect(page.locator('.portal-head .customer')).toHaveText('Ada Lovelace Ltd');
    await expect(page.locator('nav.tabs a')).toHaveText([
      'Overview', 'Invoices', 'Payments', 'Entitlements', 'Subscriptions', 'Payment methods', 'Profile',
    ]);
    await context.close();
  });

  test('without JavaScript a link to any other tab opens on that tab', async ({ browser, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    // The organisation's first section, the overview.
    await page.goto((await customer.link()).url);
    await page.getByRole('button', { name: 'Open your billing portal' }).click();
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    await expect(page.locator('[aria-busy="true"], .skeleton')).toHaveCount(0);
    // A tab of its own, with its list.
    await page.goto((await customer.link({ section: 'payments' })).url);
    await page.getByRole('button', { name: 'Open your billing portal' }).click();
    await expect(page.getByRole('heading', { name: 'Payments and refunds', level: 2 })).toBeVisible();
    await expect(page.locator('table.records tbody tr')).toHaveCount(1);
    await context.close();
  });

  test('a used link says so before the app has loaded, and without JavaScript', async ({ page, browser, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    const link = await customer.link({ section: 'invoices' });
    // Someone opened it already.
    const used = await request.post(new URL(link.url).pathname);
    expect(used.status()).toBe(200);

    const release = await holdWasm(page);
    await page.goto(link.url, { waitUntil: 'commit' });
    const heading = page.getByRole('heading', { name: 'This link has already been used' });
    await expect(heading).toBeVisible();
    await expect(page.locator('[aria-busy]')).toHaveCount(0);
    // The app takes the page over as it is (it answers the theme switch), and the way
    // back stays.
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    release();
    const root = page.locator('.portico');
    await page.getByRole('button', { name: 'Dark' }).click();
    await expect(root).toHaveAttribute('data-theme', 'dark');
    await expect(heading).toBeVisible();
    expect(failures).toEqual([]);
    await expect(page.getByRole('link', { name: 'Back to your account' })).toHaveAttribute('href', `${baseURL}/`);

    const context = await browser.newContext({ javaScriptEnabled: false });
    const plain = await context.newPage();
    await plain.goto(link.url);
    await plain.getByRole('button', { name: 'Open your billing portal' }).click();
    await expect(plain.getByRole('heading', { name: 'This link has already been used' })).toBeVisible();
    await expect(plain.getByRole('link', { name: 'Back to your account' })).toHaveAttribute('href', `${baseURL}/`);
    await context.close();
  });

  test('a stale bundle name is a plain 404, not the page', async ({ request, baseURL }) => {
    const response = await request.get(`${baseURL}/pkg/portico.AAAAAAAAAAAAAAAAAAAAAA.wasm`);
    expect(response.status()).toBe(404);
    expect(await response.text()).not.toContain('<html');
  });
});
