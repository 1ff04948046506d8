import { test, expect, type APIRequestContext } from '@playwright/test';
import { demoVendor, vendorCall } from './vendor';

const DAY = 24 * 60 * 60 * 1000;
const isoDate = (at: Date) => at.toISOString().slice(0, 10);
/** Months from `at` to now, counted by calendar month in UTC as the server counts. */
const monthsAgo = (at: Date, now: Date) =>
  (now.getUTCFullYear() - at.getUTCFullYear()) * 12 + now.getUTCMonth() - at.getUTCMonth();

/** A customer with only the records a test gives it; its link opens the overview. */
async function customerWith(
  request: APIRequestContext,
  baseURL: string,
  invoices: { status: string; currency: string; total: number; due: Date; issued: Date }[],
  renewal?: { plan: string; renews: Date },
) {
  const id = `e2e_ov_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const put = (path: string, data: unknown) => vendorCall(request, baseURL, 'PUT', path, data);
  await put(`/v1/customers/${id}`, { name: 'Babbage & Daughters', email: 'ada@example.com', locale: 'en' });
  for (const [i, invoice] of invoices.entries()) {
    const owed = invoice.status === 'paid' || invoice.status === 'void' ? 0 : invoice.total;
    await put(`/v1/invoices/${id}_inv_${i + 1}`, {
      customer_id: id, number: `BD-${i + 1}`, status: invoice.status, currency: invoice.currency,
      total: invoice.total, amount_due: owed, due_date: isoDate(invoice.due), issued_at: invoice.issued.toISOString(),
      lines: [{ description: 'Difference engine time', quantity: 1, unit_amount: invoice.total, amount: invoice.total }],
    });
  }
  if (renewal) {
    const start = new Date(renewal.renews.getTime() - 30 * DAY);
    await put(`/v1/subscriptions/${id}_sub`, {
      customer_id: id, plan: renewal.plan, status: 'active', currency: 'EUR', amount: 4900, interval: 'month',
      current_period_start: isoDate(start), current_period_end: isoDate(new Date(renewal.renews.getTime() - DAY)),
      renews_at: isoDate(renewal.renews),
    });
  }
  const response = await request.post(`${baseURL}/v1/portal_sessions`, {
    headers: { organisation: demoVendor().organisation, 'X-API-KEY': demoVendor().apiKey },
    data: { external_id: id, return_url: `${baseURL}/`, section: 'overview', locale: 'en' },
  });
  expect(response.status()).toBe(201);
  return (await response.json()).url as string;
}

test.describe('the overview tab', () => {
  test('adds up what is due and overdue, names the next renewal, and charts the spending', async ({ page, request, baseURL }) => {
    const now = new Date();
    const justNow = new Date(now.getTime() - 60 * 1000);
    const weeksAgo = new Date(now.getTime() - 40 * DAY);
    const url = await customerWith(
      request,
      baseURL!,
      [
        // Overdue by the vendor's word, and open but past its due date: both count.
        { status: 'overdue', currency: 'EUR', total: 123400, due: new Date(now.getTime() - 5 * DAY), issued: justNow },
        { status: 'open', currency: 'EUR', total: 10000, due: new Date(now.getTime() - 10 * DAY), issued: weeksAgo },
        // Owed in dollars, not due yet.
        { status: 'open', currency: 'USD', total: 2000, due: new Date(now.getTime() + 20 * DAY), issued: justNow },
        // Neither paid nor void invoices are owed; a void one is not spending either.
        { status: 'paid', currency: 'EUR', total: 5000, due: weeksAgo, issued: weeksAgo },
        { status: 'void', currency: 'EUR', total: 99900, due: weeksAgo, issued: weeksAgo },
      ],
      { plan: 'Engine Pro', renews: new Date(now.getTime() + 12 * DAY) },
    );
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();

    const alert = page.getByRole('alert');
    await expect(alert).toHaveText(/€1,334\.00 is overdue on 2 invoices\./);
    await expect(page.locator('section[aria-labelledby="balance-title"] .figure')).toHaveText(['€1,334.00', '$20.00']);
    const renewal = page.locator('section[aria-labelledby="renewal-title"]');
    await expect(renewal).toContainText('Engine Pro renews on');
    await expect(renewal).toContainText('€49.00');

    // One chart per currency, twelve months each, this month last; the table behind each
    // chart gives the figures to screen readers.
    await expect(page.getByRole('img', { name: 'Invoiced per month in EUR' })).toBeVisible();
    await expect(page.getByRole('img', { name: 'Invoiced per month in USD' })).toBeVisible();
    const eur = page.locator('table', { has: page.locator('caption', { hasText: 'Invoiced per month in EUR' }) });
    const eurMonths = eur.locator('tbody tr');
    await expect(eurMonths).toHaveCount(12);
    const back = monthsAgo(weeksAgo, now);
    if (back === 0) {
      await expect(eurMonths.nth(11).locator('td')).toHaveText('€1,384.00');
    } else {
      await expect(eurMonths.nth(11).locator('td')).toHaveText('€1,234.00');
      await expect(eurMonths.nth(11 - back).locator('td')).toHaveText('€150.00');
    }
    const usd = page.locator('table', { has: page.locator('caption', { hasText: 'Invoiced per month in USD' }) });
    await expect(usd.locator('tbody tr').nth(11).locator('td')).toHaveText('$20.00');
    await expect(page.locator('.chart svg rect.bar')).toHaveCount(24);

    // The alert leads to exactly the invoices it counted.
    await alert.getByRole('link', { name: 'View overdue invoices' }).click();
    await expect(page).toHaveURL(/\/invoices\?status=overdue$/);
    await expect(page.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();
    await expect.poll(() => page.locator('table.invoices-table tbody th').allTextContents()).toEqual(['BD-1', 'BD-2']);
    await expect(page.getByLabel('Status', { exact: true })).toHaveValue('overdue');

    // Back on the overview by its tab.
    await page.getByRole('navigation', { name: 'Billing sections' }).getByRole('link', { name: 'Overview' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
  });

  test('a customer who owes nothing sees that, and no alert', async ({ page, request, baseURL }) => {
    const now = new Date();
    const url = await customerWith(request, baseURL!, [
      { status: 'paid', currency: 'EUR', total: 4900, due: now, issued: new Date(now.getTime() - 60 * 1000) },
    ]);
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    await expect(page.getByText('Nothing due. Thank you!')).toBeVisible();
    await expect(page.locator('section[aria-labelledby="balance-title"] .figure')).toHaveText('€0.00');
    await expect(page.getByText('No upcoming renewals.')).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.getByRole('img', { name: 'Invoiced per month in EUR' })).toBeVisible();
  });

  test('with nothing invoiced in a year, the chart makes way for a sentence', async ({ page, request, baseURL }) => {
    const url = await customerWith(request, baseURL!, []);
    await page.goto(url);
    await expect(page.getByText('Nothing was invoiced in the last 12 months.')).toBeVisible();
    await expect(page.locator('.chart')).toHaveCount(0);
    await expect(page.getByText('Nothing due. Thank you!')).toBeVisible();
  });
});
