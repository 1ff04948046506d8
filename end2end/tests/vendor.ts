import { readFileSync } from 'node:fs';
import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** The demo organisation's id and API key, as `portico demo` printed them for this run. */
export function demoVendor(): { organisation: string; apiKey: string } {
  const file = process.env.PORTICO_DEMO_OUTPUT;
  if (!file) throw new Error('PORTICO_DEMO_OUTPUT is not set: run the browser tests through `make test`.');
  const text = readFileSync(file, 'utf8');
  const organisation = /Demo organisation: .* \(([0-9a-f-]{36})\)/.exec(text)?.[1];
  const apiKey = /API key \(shown once\): (ptc_\S+)/.exec(text)?.[1];
  if (!organisation || !apiKey) throw new Error(`unexpected demo output:\n${text}`);
  return { organisation, apiKey };
}

/** Asks for a portal link exactly as a vendor's backend would (Zenskar's request). */
export async function zenskarLink(
  request: APIRequestContext,
  baseURL: string,
  customerId: string,
  idleTimeout = 86400,
): Promise<string> {
  const vendor = demoVendor();
  const response = await request.post(`${baseURL}/customer/session`, {
    headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey, 'Content-Type': 'application/json' },
    data: JSON.stringify({ customer_id: customerId, return_url: `${baseURL}/`, idle_timeout: idleTimeout }),
  });
  if (response.status() !== 200) throw new Error(`link request failed: ${response.status()} ${await response.text()}`);
  const body = await response.json();
  return body.redirect_url as string;
}

/** Revokes a portal link (and its sessions) through the vendor API. */
export async function revokeLink(request: APIRequestContext, baseURL: string, linkId: string): Promise<number> {
  const vendor = demoVendor();
  const response = await request.delete(`${baseURL}/v1/portal_sessions/${linkId}`, {
    headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey },
  });
  return response.status();
}

/** A link from the richer API: its id (for revocation) and URL. */
export async function portalLink(
  request: APIRequestContext,
  baseURL: string,
  body: Record<string, unknown>,
): Promise<{ id: string; url: string }> {
  const vendor = demoVendor();
  const response = await request.post(`${baseURL}/v1/portal_sessions`, {
    headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey },
    data: { return_url: `${baseURL}/`, ...body },
  });
  if (response.status() !== 201) throw new Error(`link request failed: ${response.status()} ${await response.text()}`);
  return response.json();
}

/** The organisation that hides sections, read from `PORTICO_RESTRICTED_ORG`. */
export function restrictedVendor(): { organisation: string; apiKey: string } {
  const file = process.env.PORTICO_RESTRICTED_ORG;
  if (!file) throw new Error('PORTICO_RESTRICTED_ORG is not set: run the browser tests through `make test`.');
  const created = JSON.parse(readFileSync(file, 'utf8'));
  return { organisation: created.organisation, apiKey: created.api_key };
}

/** The organisation that lists cancellation reasons, read from `PORTICO_RETENTION_ORG`. */
export function retentionVendor(): { organisation: string; apiKey: string } {
  const file = process.env.PORTICO_RETENTION_ORG;
  if (!file) throw new Error('PORTICO_RETENTION_ORG is not set: run the browser tests through `make test`.');
  const created = JSON.parse(readFileSync(file, 'utf8'));
  return { organisation: created.organisation, apiKey: created.api_key };
}

type Vendor = { organisation: string; apiKey: string };

/** A vendor API call that must succeed. */
export async function vendorCall(
  request: APIRequestContext,
  baseURL: string,
  method: 'PUT' | 'PATCH' | 'GET',
  path: string,
  data?: unknown,
  vendor: Vendor = demoVendor(),
): Promise<any> {
  const response = await request.fetch(`${baseURL}${path}`, {
    method,
    headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey },
    data: data === undefined ? undefined : data,
  });
  if (!response.ok()) throw new Error(`${method} ${path}: ${response.status()} ${await response.text()}`);
  return response.status() === 204 ? null : response.json();
}

/**
 * A customer of its own for one test, so that tests which change data can run side by
 * side: billing records of every kind, in English and euros unless told otherwise.
 */
export async function freshCustomer(
  request: APIRequestContext,
  baseURL: string,
  options: { locale?: string; vendor?: Vendor; invoices?: number } = {},
): Promise<{ externalId: string; link: (body?: Record<string, unknown>) => Promise<{ id: string; url: string }> }> {
  const vendor = options.vendor ?? demoVendor();
  const externalId = `e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const put = (path: string, data: unknown) => vendorCall(request, baseURL, 'PUT', path, data, vendor);
  await put(`/v1/customers/${externalId}`, {
    name: 'Ada Lovelace Ltd',
    email: 'ada@example.com',
    phone: '+44 20 7946 0000',
    tax_ids: [{ type: 'gb_vat', value: 'GB123456782' }],
    address: { line1: '12 Analytical Row', city: 'London', postal_code: 'N1 9GU', country: 'GB' },
    locale: options.locale ?? 'en',
  });
  // The payment and the credit note below belong to the second invoice.
  const count = Math.max(options.invoices ?? 14, 2);
  const statuses = ['open', 'paid', 'overdue', 'paid', 'partially_paid', 'void', 'paid'];
  for (let i = 1; i <= count; i++) {
    const status = statuses[(i - 1) % statuses.length];
    const total = 1000 * i + 99;
    const month = String(((i - 1) % 12) + 1).padStart(2, '0');
    const year = i > 12 ? 2026 : 2025;
    await put(`/v1/invoices/${externalId}_inv_${i}`, {
      customer_id: externalId,
      number: `ADA-${String(i).padStart(3, '0')}`,
      status,
      currency: 'EUR',
      total,
      amount_due: status === 'paid' || status === 'void' ? 0 : status === 'partially_paid' ? Math.floor(total / 2) : total,
      due_date: `${year}-${month}-28`,
      period_start: `${year}-${month}-01`,
      period_end: `${year}-${month}-27`,
      issued_at: `${year}-${month}-01T08:00:00Z`,
      lines: [{ description: 'Analytical Engine rental', quantity: 1, unit_amount: total, amount: total }],
    });
  }
  await put(`/v1/payments/${externalId}_pay_2`, {
    customer_id: externalId, invoice_id: `${externalId}_inv_2`, kind: 'payment', status: 'succeeded',
    method: 'Visa •••• 4242', currency: 'EUR', amount: 2099, paid_at: '2025-02-03T10:00:00Z',
  });
  await put(`/v1/credit_notes/${externalId}_cn_2`, {
    customer_id: externalId, invoice_id: `${externalId}_inv_2`, number: 'CN-ADA-1', status: 'issued',
    currency: 'EUR', total: 500, reason: 'Goodwill', issued_at: '2025-02-05T00:00:00Z',
  });
  await put(`/v1/subscriptions/${externalId}_sub`, {
    customer_id: externalId, plan: 'Engine Pro', status: 'active', currency: 'EUR', amount: 4900, interval: 'month',
    current_period_start: '2026-11-01', current_period_end: '2030-11-30', renews_at: '2030-12-01',
  });
  await put(`/v1/payment_methods/${externalId}_pm_visa`, {
    customer_id: externalId, kind: 'card', brand: 'visa', last4: '4242', exp_month: 8, exp_year: 2031, is_default: true,
  });
  await put(`/v1/payment_methods/${externalId}_pm_mc`, {
    customer_id: externalId, kind: 'card', brand: 'mastercard', last4: '4444', exp_month: 3, exp_year: 2032, is_default: false,
  });
  await put(`/v1/entitlements/${externalId}_ent`, {
    customer_id: externalId, feature: 'Punched cards', limit: 1000, usage: 950, unit: 'cards', valid_from: '2026-01-01',
  });
  const link = async (body: Record<string, unknown> = {}) => {
    const response = await request.post(`${baseURL}/v1/portal_sessions`, {
      headers: { organisation: vendor.organisation, 'X-API-KEY': vendor.apiKey },
      data: { external_id: externalId, return_url: `${baseURL}/`, ...body },
    });
    if (response.status() !== 201) throw new Error(`link: ${response.status()} ${await response.text()}`);
    return response.json();
  };
  return { externalId, link };
}

/** Every event of the demo organisation whose JSON mentions `text` (a test's own customer), oldest first. */
export async function eventsAbout(request: APIRequestContext, baseURL: string, text: string): Promise<any[]> {
  const found: any[] = [];
  let after = '';
  for (;;) {
    const page = await vendorCall(request, baseURL, 'GET', `/v1/events?limit=500${after}`);
    found.push(...page.data.filter((event: any) => JSON.stringify(event).includes(text)));
    if (!page.next_after || page.data.length < 500) return found;
    after = `&after=${encodeURIComponent(page.next_after)}`;
  }
}

/** Waits until the app has taken over the page the server rendered: its controls work. */
export async function live(page: Page): Promise<void> {
  await expect(page.locator('html')).not.toHaveAttribute('data-app');
}

/**
 * Holds back the app's WASM, so that what shows is the server's page alone (or, given a
 * chunk's `files`, that chunk, so that the app waits for it as it hydrates): the release.
 */
export async function holdWasm(page: Page, files = /\/pkg\/portico\.[\w-]+\.wasm$/): Promise<() => void> {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(files, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}
