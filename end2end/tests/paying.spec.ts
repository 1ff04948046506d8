import { test, expect, type APIRequestContext, type BrowserContext } from '@playwright/test';
import { demoVendor, eventsAbout, vendorCall } from './vendor';

const DAY = 24 * 60 * 60 * 1000;
const isoDate = (at: Date) => at.toISOString().slice(0, 10);
/** The payment provider's hosted pages, answered in the browser: there is no network. */
const PSP = 'https://pay.psp.example';

async function providerPages(context: BrowserContext) {
  await context.route(`${PSP}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>Checkout</title><h1>Checkout</h1>' }),
  );
}

/** A customer who owes one overdue and one open invoice, each with a payment page, and has paid a third. */
async function owingCustomer(request: APIRequestContext, baseURL: string, balancePage = false) {
  const id = `e2e_pay_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const put = (path: string, data: unknown) => vendorCall(request, baseURL, 'PUT', path, data);
  await put(`/v1/customers/${id}`, {
    name: 'Grace Hopper Ltd', locale: 'en',
    balance_payment_url: balancePage ? `${PSP}/balance/${id}` : undefined,
  });
  const now = Date.now();
  const invoices = [
    { n: 1, status: 'overdue', total: 12000, due: now - 10 * DAY, issued: now - 40 * DAY },
    { n: 2, status: 'open', total: 3400, due: now + 20 * DAY, issued: now - 2 * DAY },
    { n: 3, status: 'paid', total: 5600, due: now - 50 * DAY, issued: now - 80 * DAY },
  ];
  for (const invoice of invoices) {
    await put(`/v1/invoices/${id}_inv_${invoice.n}`, {
      customer_id: id, number: `GH-${invoice.n}`, status: invoice.status, currency: 'EUR',
      total: invoice.total, amount_due: invoice.status === 'paid' ? 0 : invoice.total,
      due_date: isoDate(new Date(invoice.due)), issued_at: new Date(invoice.issued).toISOString(),
      lines: [{ description: 'Compiler time', quantity: 1, unit_amount: invoice.total, amount: invoice.total }],
      payment_url: `${PSP}/invoices/GH-${invoice.n}`,
    });
  }
  const link = async (section: string, locale = 'en') => {
    const response = await request.post(`${baseURL}/v1/portal_sessions`, {
      headers: { organisation: demoVendor().organisation, 'X-API-KEY': demoVendor().apiKey },
      data: { external_id: id, return_url: `${baseURL}/`, section, locale },
    });
    expect(response.status()).toBe(201);
    return (await response.json()).url as string;
  };
  return { id, link };
}

/** The customer's payment events, oldest first. */
async function eventsOf(request: APIRequestContext, baseURL: string, customer: string) {
  return (await eventsAbout(request, baseURL, customer)).filter((e) => e.kind.includes('payment_started'));
}

test.describe('paying from the portal', () => {
  test('"Pay now" stays inside its invoice\'s row in every language, a phone\'s card included', async ({ page, request, baseURL }) => {
    const customer = await owingCustomer(request, baseURL!);
    // Every language the portal offers, as its switcher lists them (a language added is
    // covered without this test knowing it).
    await page.goto(await customer.link('invoices'));
    const locales = await page.getByLabel('Language').locator('option').evaluateAll((options) =>
      options.map((o) => (o as HTMLOptionElement).value),
    );
    expect(locales).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'nl', 'es', 'it', 'pt', 'pl', 'sv']));
    for (const locale of locales) {
      await page.goto(await customer.link('invoices', locale));
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      const buttons = page.locator('table.invoices-table tbody .button.pay');
      await expect(buttons).toHaveCount(2);
      for (const button of await buttons.all()) {
        const [cell, box] = await button.evaluate((b) => [b.closest('td')!.getBoundingClientRect().toJSON(), b.getBoundingClientRect().toJSON()]);
        expect(box.left, locale).toBeGreaterThanOrEqual(cell.left - 0.5);
        expect(box.right, locale).toBeLessThanOrEqual(cell.right + 0.5);
      }
    }
  });

  test('an owed invoice offers "Pay now" in the list and on its page, in a new tab, and the vendor hears of it', async ({ page, context, request, baseURL }) => {
    await providerPages(context);
    const customer = await owingCustomer(request, baseURL!);
    await page.goto(await customer.link('invoices'));
    const row = (number: string) => page.getByRole('row', { name: new RegExp(number) });
    await expect(row('GH-1')).toBeVisible();
    await expect(row('GH-1').getByRole('link', { name: /Pay now/ })).toBeVisible();
    await expect(row('GH-2').getByRole('link', { name: /Pay now/ })).toBeVisible();
    await expect(row('GH-3').getByRole('link', { name: /Pay now/ })).toHaveCount(0);
    // Screen readers hear which invoice, and that a tab opens.
    await expect(row('GH-2').getByRole('link', { name: 'Pay now (invoice GH-2, opens in a new tab)' })).toBeVisible();

    const [checkout] = await Promise.all([
      context.waitForEvent('page'),
      row('GH-2').getByRole('link', { name: /Pay now/ }).click(),
    ]);
    await expect(checkout).toHaveURL(`${PSP}/invoices/GH-2`);
    await expect(checkout.getByRole('heading', { name: 'Checkout' })).toBeVisible();
    // The portal stays where it was.
    await expect(page.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();
    await expect.poll(async () => (await eventsOf(request, baseURL!, customer.id)).map((e) => e.payload.number)).toEqual(['GH-2']);
    await checkout.close();

    await row('GH-1').getByRole('link', { name: 'GH-1', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Invoice GH-1' })).toBeVisible();
    const [again] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: /Pay now/ }).click(),
    ]);
    await expect(again).toHaveURL(`${PSP}/invoices/GH-1`);
    await expect.poll(async () => (await eventsOf(request, baseURL!, customer.id)).map((e) => e.payload.number)).toEqual(['GH-2', 'GH-1']);
  });

  test('the overdue alert pays the one overdue invoice, or everything overdue where the vendor has a page for it', async ({ page, context, request, baseURL }) => {
    await providerPages(context);
    const single = await owingCustomer(request, baseURL!);
    await page.goto(await single.link('overview'));
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('€120.00 is overdue on 1 invoice.');
    const [checkout] = await Promise.all([
      context.waitForEvent('page'),
      alert.getByRole('link', { name: /Pay now/ }).click(),
    ]);
    await expect(checkout).toHaveURL(`${PSP}/invoices/GH-1`);
    await checkout.close();

    const withBalance = await owingCustomer(request, baseURL!, true);
    // A second overdue invoice: no single one to name, so the balance page is offered.
    await vendorCall(request, baseURL!, 'PUT', `/v1/invoices/${withBalance.id}_inv_2`, {
      customer_id: withBalance.id, number: 'GH-2', status: 'overdue', currency: 'EUR', total: 3400, amount_due: 3400,
      due_date: isoDate(new Date(Date.now() - 3 * DAY)), issued_at: new Date(Date.now() - 33 * DAY).toISOString(), lines: [],
    });
    await page.goto(await withBalance.link('overview'));
    await expect(page.getByRole('alert')).toContainText('€154.00 is overdue on 2 invoices.');
    await expect(page.getByRole('alert').getByRole('link', { name: /Pay now/ })).toHaveCount(0);
    const [all] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('alert').getByRole('link', { name: /Pay all overdue/ }).click(),
    ]);
    await expect(all).toHaveURL(`${PSP}/balance/${withBalance.id}`);
    await expect.poll(async () => (await eventsOf(request, baseURL!, withBalance.id)).map((e) => e.kind)).toEqual(['balance.payment_started']);
  });

  test('inside a vendor page on another origin, the payment page opens in a tab of its own', async ({ page, context, request, baseURL }) => {
    await providerPages(context);
    const customer = await owingCustomer(request, baseURL!);
    const url = new URL(baseURL!);
    url.hostname = url.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
    await page.goto(`${url.origin}/demo/vendor?customer=${customer.id}&section=invoices&locale=en`);
    const portal = page.frameLocator('#portal iframe');
    const pay = portal.getByRole('row', { name: /GH-2/ }).getByRole('link', { name: /Pay now/ });
    await expect(pay).toBeVisible();
    const [checkout] = await Promise.all([context.waitForEvent('page'), pay.click()]);
    await expect(checkout).toHaveURL(`${PSP}/invoices/GH-2`);
    // Neither the vendor's page nor the frame left for the payment page.
    expect(page.url()).toContain('/demo/vendor');
    await expect(portal.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();
    await expect(page.locator('#events li').filter({ hasText: 'invoice_payment_started' })).toHaveCount(1);
  });
});
