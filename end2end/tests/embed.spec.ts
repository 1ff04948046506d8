import { test, expect, type Page, type Frame } from '@playwright/test';
import { demoVendor, freshCustomer, holdWasm } from './vendor';

/** The same server under its other loopback name: another site to the browser. */
function vendorOrigin(baseURL: string): string {
  const url = new URL(baseURL);
  url.hostname = url.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  return url.origin;
}

async function portalFrame(page: Page, baseURL: string): Promise<Frame> {
  await expect.poll(() => page.frames().some((f) => f.url().startsWith(`${baseURL}/portal/`))).toBe(true);
  return page.frames().find((f) => f.url().startsWith(`${baseURL}/portal/`))!;
}

async function heights(page: Page, frame: Frame): Promise<[number, number]> {
  const outer = await page.locator('#portal iframe').evaluate((e) => Math.round(e.getBoundingClientRect().height));
  const inner = await frame.evaluate(() => (document.querySelector('.portico') as HTMLElement).offsetHeight);
  return [outer, inner];
}

/** The vendor's demo page with the customer's invoices embedded, once the frame has taken
 * its content's height. */
async function embedInvoices(page: Page, baseURL: string, externalId: string) {
  await page.goto(`${vendorOrigin(baseURL)}/demo/vendor?customer=${externalId}&section=invoices&locale=en`);
  const portal = page.frameLocator('#portal iframe');
  await expect(portal.locator('table.records tbody tr').first()).toBeVisible();
  const frame = await portalFrame(page, baseURL);
  await expect.poll(async () => {
    const [outer, inner] = await heights(page, frame);
    return Math.abs(outer - inner);
  }).toBeLessThanOrEqual(1);
  return { portal, frame };
}

test.describe('embedded in a vendor page on another origin', () => {
  test('the portal loads in the iframe and its height follows the content across pages', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!);
    const { portal, frame } = await embedInvoices(page, baseURL!, customer.externalId);
    await expect(portal.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    // No inner scrollbar: the frame shows all of its content.
    expect(await frame.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1)).toBe(true);
    const listHeight = (await heights(page, frame))[0];

    const events = page.locator('#events li');
    await expect(events.filter({ hasText: '"type":"ready"' })).toHaveCount(1);
    // A link's path (it holds the one-time token) is never announced to the host.
    await expect(events.filter({ hasText: '/session/' })).toHaveCount(0);
    await expect(events.filter({ hasText: '"type":"resize"' }).first()).toBeVisible();

    await portal.locator('table.records tbody tr').first().getByRole('link').click();
    await expect(portal.getByRole('heading', { name: /^Invoice / })).toBeVisible();
    await expect(events.filter({ hasText: '"path":"/portal/' }).filter({ hasText: '/invoices/' })).toHaveCount(1);
    await expect.poll(async () => {
      const [outer, inner] = await heights(page, frame);
      return outer !== listHeight && Math.abs(outer - inner) <= 1;
    }).toBe(true);
  });

  test('a message from another origin is ignored', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const { frame } = await embedInvoices(page, baseURL!, customer.externalId);
    const before = (await heights(page, frame))[0];

    // A forged resize from the vendor page itself: the wrong origin and the wrong window.
    await page.evaluate(() => window.postMessage({ source: 'portico', type: 'resize', height: 7 }, '*'));
    await page.waitForTimeout(500);
    expect((await heights(page, frame))[0]).toBe(before);
    // (A real resize may be 7xx pixels high; only the forged 7 must be absent.)
    await expect(page.locator('#events li').filter({ hasText: /"height":7[,}]/ })).toHaveCount(0);
  });

  test('a page on an origin that is not allowed cannot frame the portal', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    const link = await customer.link();
    await page.route('http://evil.test/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><title>Evil</title><iframe src="${link.url}"></iframe>` }),
    );
    await page.goto('http://evil.test/');
    // The browser refuses the frame (frame-ancestors) and shows its error page instead.
    await expect.poll(() => page.frames().map((f) => f.url())).toContain('chrome-error://chromewebdata/');
    await page.waitForTimeout(500);
    expect(page.frames().some((f) => f.url().startsWith(baseURL!))).toBe(false);
    // Nothing ran in the refused frame: the link is still unused.
    const vendor = demoVendor();
    const listed = await request.get(`${baseURL}/v1/customers/${customer.externalId}/portal_sessions`, {
      headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey },
    });
    const mine = (await listed.json()).data.find((s: { id: string }) => s.id === link.id);
    expect(mine.status).toBe('pending');
  });

  test("the organisation's colours and logo are in the first HTML", async ({ browser, request, baseURL }) => {
    const vendor = demoVendor();
    const headers = { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey };
    const patched = await request.patch(`${baseURL}/v1/settings`, { headers, data: { primary_color: '#0b6e4f' } });
    expect(patched.status()).toBe(200);
    const logo = `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32"><rect width="96" height="32" rx="6" fill="#0b6e4f"/></svg>`;
    const uploaded = await request.put(`${baseURL}/v1/settings/logo`, {
      headers: { ...headers, 'Content-Type': 'image/svg+xml' },
      data: Buffer.from(logo),
    });
    expect(uploaded.status()).toBe(204);
    const link = await (await freshCustomer(request, baseURL!, { invoices: 2 })).link();

    // Without any script (the link's page is then posted with its button): the server's
    // HTML alone is branded.
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(link.url);
    await page.getByRole('button', { name: 'Open your billing portal' }).click();
    const brand = await page.locator('.portico').evaluate((e) => getComputedStyle(e).getPropertyValue('--brand').trim());
    expect(brand).toBe('#0b6e4f');
    const image = page.locator('.masthead img.logo');
    await expect(image).toBeVisible();
    expect(await image.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(96);
    await expect(image).toHaveAttribute('alt', 'Acme Cloud');
    await expect(page.locator('.masthead')).toHaveAttribute('href', `${baseURL}/`);
    await context.close();
  });

  test("the customer's actions reach the vendor page as events", async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto(`${vendorOrigin(baseURL!)}/demo/vendor?customer=${customer.externalId}&section=subscriptions`);
    const portal = page.frameLocator('#portal iframe');
    const events = page.locator('#events li');
    await portal.getByRole('button', { name: 'Cancel subscription' }).click();
    await portal.getByRole('button', { name: 'Yes, cancel at period end' }).click();
    await expect(events.filter({ hasText: '"action":"subscription_cancellation_requested"' })).toHaveCount(1);

    await portal.getByRole('link', { name: 'Payment methods' }).click();
    await portal.getByRole('button', { name: 'Make default' }).click();
    await expect(events.filter({ hasText: '"action":"default_payment_method_changed"' })).toHaveCount(1);
  });

  test('a tab chosen before the app has started opens signed in, though the frame cannot keep the session', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const release = await holdWasm(page);
    await page.goto(`${vendorOrigin(baseURL!)}/demo/vendor?customer=${customer.externalId}&section=overview&locale=en`);
    const portal = page.frameLocator('#portal iframe');
    await expect(portal.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    const frame = await portalFrame(page, baseURL!);
    // The browser keeps nothing for a third-party frame: the session is in the page alone.
    expect(await frame.evaluate(() => { try { return typeof sessionStorage.length; } catch { return 'blocked'; } })).toBe('blocked');
    const tabs = portal.getByRole('navigation', { name: 'Billing sections' });
    await tabs.getByRole('link', { name: 'Invoices', exact: true }).click();
    // The click waits for the app rather than leaving the page, and its session with it.
    await page.waitForTimeout(300);
    expect(new URL(frame.url()).pathname).toMatch(/\/overview$/);
    expect(await frame.evaluate(() => getComputedStyle(document.body).cursor)).toBe('progress');
    release();
    await expect(tabs.getByRole('link', { name: 'Invoices', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(portal.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await expect(portal.getByText('Your session has ended')).toHaveCount(0);
    expect(await frame.evaluate(() => getComputedStyle(document.body).cursor)).toBe('auto');
  });
});
