import { readFileSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';

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
