import { test, expect } from '@playwright/test';
import { demoVendor, freshCustomer, revokeLink, vendorCall, zenskarLink } from './vendor';

test.describe('portal links and sessions', () => {
  test('a vendor link lands on the overview in the customer\'s language, the token leaves the address bar, and a reload keeps the session', async ({
    page,
    request,
    baseURL,
  }) => {
    // A customer of this test's own whose language is German, with a draft newer than
    // every invoice it may see.
    const customer = await freshCustomer(request, baseURL!, { locale: 'de' });
    await vendorCall(request, baseURL!, 'PUT', `/v1/invoices/${customer.externalId}_draft`, {
      customer_id: customer.externalId, number: 'ADA-DRAFT', status: 'draft', currency: 'EUR', total: 100,
      amount_due: 100, issued_at: '2026-11-01T08:00:00Z',
      lines: [{ description: 'Not billed yet', quantity: 1, unit_amount: 100, amount: 100 }],
    });
    const link = await zenskarLink(request, baseURL!, customer.externalId);
    const token = new URL(link).pathname.split('/').pop()!;

    await page.goto('about:blank');
    await page.goto(link);
    await expect(page).toHaveURL(new RegExp(`/portal/${demoVendor().organisation}/overview$`));
    expect(page.url()).not.toContain(token);
    await expect(page.getByRole('heading', { name: 'Offener Betrag' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');

    // The link token is in no history entry: going back leaves the portal entirely.
    const history = await page.evaluate(() => window.history.length);
    expect(history).toBeLessThanOrEqual(2);
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    expect(stored).not.toContain(token);

    await page.getByRole('navigation', { name: 'Abrechnungsbereiche' }).getByRole('link', { name: 'Rechnungen' }).click();
    const rows = page.locator('table.records tbody tr');
    await expect(rows.first()).toBeVisible();
    // Drafts are never shown; the newest invoice the customer can see is ADA-014, paid.
    await expect(page.getByText('ADA-DRAFT')).toHaveCount(0);
    await expect(page.getByText('Entwurf', { exact: true })).toHaveCount(0);
    await expect(rows.first().locator('th')).toHaveText('ADA-014');
    await expect(rows.first().getByText('Bezahlt', { exact: true })).toBeVisible();

    await page.reload();
    await expect(page.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    await expect(rows.first()).toBeVisible();

    // Ten at a time; older invoices load on demand, without duplicates.
    await expect(rows).toHaveCount(10);
    await page.getByRole('button', { name: 'Mehr anzeigen' }).click();
    await expect(rows).toHaveCount(14);
    await expect(page.getByRole('button', { name: 'Mehr anzeigen' })).toHaveCount(0);
    const numbers = await page.locator('table.records tbody th').allTextContents();
    expect(new Set(numbers).size).toBe(numbers.length);

    // An invoice opens on its own page with its lines.
    await rows.first().getByRole('link').click();
    await expect(page.getByRole('heading', { name: /^Rechnung / })).toBeVisible();
    await expect(page.getByRole('cell', { name: 'Analytical Engine rental' })).toBeVisible();
  });

  test('opening the same link again fails cleanly with a way back', async ({ page, browser, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    const link = await zenskarLink(request, baseURL!, customer.externalId);
    await page.goto(link);
    await expect(page.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();

    const other = await browser.newContext();
    const second = await other.newPage();
    await second.goto(link);
    await expect(second.getByRole('heading', { name: 'This link has already been used' })).toBeVisible();
    const back = second.getByRole('link', { name: 'Back to your account' });
    await expect(back).toHaveAttribute('href', `${baseURL}/`);
    await back.click();
    await expect(second.getByRole('heading', { name: 'Your billing portal' })).toBeVisible();
    await other.close();
  });

  test('a forged link shows that it is not valid, and never a return link taken from the address', async ({ page }) => {
    await page.goto('/session/forged-token?return_url=javascript:alert(1)');
    await expect(page.getByRole('heading', { name: 'This link is not valid' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to your account' })).toHaveCount(0);
  });

  test('signing out ends the session for good', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { locale: 'nl', invoices: 2 });
    await page.goto(await zenskarLink(request, baseURL!, customer.externalId));
    await expect(page.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    await page.getByRole('button', { name: 'Afmelden' }).click();
    await expect(page.getByRole('heading', { name: 'U bent afgemeld' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Terug naar uw account' })).toHaveAttribute('href', `${baseURL}/`);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Your session has ended' })).toBeVisible();
  });

  test('a session revoked by the vendor while open shows the ended page', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    const link = await customer.link({ locale: 'en' });
    await page.goto(link.url);
    await expect(page.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    expect(await revokeLink(request, baseURL!, link.id)).toBe(204);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Your session has ended' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Back to your account' })).toHaveAttribute('href', `${baseURL}/`);
  });

  test('a session left idle past its timeout shows the ended page', async ({ page, request, baseURL }, testInfo) => {
    test.skip(testInfo.project.name !== 'desktop', 'one real minute of waiting is enough');
    test.setTimeout(120_000);
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    const link = await customer.link({ idle_timeout: 60 });
    await page.goto(link.url);
    await expect(page.getByRole('heading', { name: 'Ada Lovelace Ltd' })).toBeVisible();
    // The page notices by itself, without a click or a reload.
    await page.waitForTimeout(60_000);
    await expect(page.getByRole('heading', { name: 'Your session has ended' })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole('link', { name: 'Back to your account' })).toHaveAttribute('href', `${baseURL}/`);
    // And the server agrees: a reload cannot bring it back.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Your session has ended' })).toBeVisible();
  });

  test('a deep link opens one invoice', async ({ page, request, baseURL }) => {
    const vendor = demoVendor();
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const first = await customer.link({ section: 'invoices', locale: 'en' });
    await page.goto(first.url);
    const firstRow = page.locator('table.records tbody tr').first();
    await expect(firstRow).toBeVisible();
    const href = await firstRow.getByRole('link').getAttribute('href');
    const invoiceId = href!.split('/').pop()!;
    const number = (await firstRow.locator('th').textContent())!.trim();

    const deep = await customer.link({ section: `invoice:${invoiceId}`, locale: 'en' });
    await page.goto(deep.url);
    await expect(page).toHaveURL(`${baseURL}/portal/${vendor.organisation}/invoices/${invoiceId}`);
    await expect(page.getByRole('heading', { name: `Invoice ${number}` })).toBeVisible();
  });
});
