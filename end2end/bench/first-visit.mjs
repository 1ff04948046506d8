// `make bench`, the customer's side: what a first and a repeat visit to a link's landing
// tab move on the wire, and how long the tab's first content (the invoice list's first
// row, the overview's first figure) takes to appear, against a static copy of the same
// rendered page served from this machine in the same run, and when the app is live (until
// then what the customer clicks or types waits for it).
//
// Run by scripts/bench.py against a release server it started:
//   node bench/first-visit.mjs <base URL> <organisation> <api key> <customer external id> [invoices|overview]
// Prints one JSON object on stdout.

import http from 'node:http';
import { chromium } from '@playwright/test';

const [base, organisation, apiKey, customer, section = 'invoices'] = process.argv.slice(2);
/** What shows that a landing tab has its content. */
const CONTENT = { invoices: 'table.invoices-table tbody tr', overview: '.overview .figure' };
const ROW = CONTENT[section];
if (!customer || !ROW) {
  console.error('usage: first-visit.mjs BASE_URL ORGANISATION API_KEY CUSTOMER_EXTERNAL_ID [invoices|overview]');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_VISITS ?? 7);
/**
 * A phone's connection, as Lighthouse's mobile preset takes it: 150 ms round trips,
 * 1.6 Mbit/s down and 750 kbit/s up, shared by all of a page's requests. On loopback
 * nothing competes for the line; here the app's files and the landing tab's first rows do.
 */
const PHONE = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const PHONE_RUNS = Math.max(3, Math.ceil(RUNS / 2));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** A fresh browser context (an empty cache) at a phone's size. */
const phoneContext = () => browser.newContext({ viewport: { width: 390, height: 844 } });

async function link() {
  const response = await fetch(`${base}/v1/portal_sessions`, {
    method: 'POST',
    headers: { organisation, 'X-API-KEY': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ external_id: customer, return_url: `${base}/`, section }),
  });
  if (response.status !== 201) throw new Error(`link: ${response.status} ${await response.text()}`);
  return (await response.json()).url;
}

// Records, in the page, when the tab's first content is in the document, and when the
// frame that draws it is done: before the stylesheet is in, a static page has its rows in
// the document but draws nothing. Times are on the machine's clock: a link's page is two
// documents (the GET, then its POST), and the time counts from the first navigation, not
// from the last document's own start.
const markFirstRow = `(() => {
  const seen = () => document.querySelector(${JSON.stringify(ROW)});
  const now = () => performance.timeOrigin + performance.now();
  const mark = () => {
    if (window.__inDocument || !seen()) return;
    window.__inDocument = now();
    // A frame's callbacks run before it is drawn; a message posted from them is taken
    // once the frame is.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { window.__onScreen = now(); };
      channel.port2.postMessage(null);
    });
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', mark);
  // When the app is live (it removes \`data-app\`): until then a click is held for it.
  new MutationObserver(() => {
    if (document.documentElement.hasAttribute('data-app')) window.__starting = true;
    else if (window.__starting) window.__live ??= now();
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-app'] });
})()`;

/** ms from `started` to the first content on screen, and in the document. */
async function firstContent(page, started) {
  await page.waitForFunction(() => window.__onScreen, null, { timeout: 60_000 });
  const { inDocument, onScreen } = await page.evaluate(() => ({ inDocument: window.__inDocument, onScreen: window.__onScreen }));
  return { firstRow: onScreen - started, inDocument: inDocument - started };
}

/**
 * A new page in `context` that marks its first content, watched the same way for a link
 * and for the static copy (the protocol's network events), over `network` if given.
 */
async function openPage(context, network) {
  const page = await context.newPage();
  await page.addInitScript(markFirstRow);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (network) await cdp.send('Network.emulateNetworkConditions', network);
  return { page, cdp };
}

/**
 * ms from `started` until the app has taken the page over (it removes `data-app`); fails
 * the bench if it does not: a server and a WASM that do not match still show the server's
 * rows, and the figures would be of a page that never starts.
 */
async function live(page, started, errors) {
  const at = await page
    .waitForFunction(() => window.__live, null, { timeout: 30_000 })
    .then((handle) => handle.jsonValue(), () => null);
  if (at === null || errors.length) {
    throw new Error(`the app did not start on ${page.url()}: ${errors.join('; ') || 'no error, but still starting after 30 s'}`);
  }
  return at - started;
}

/**
 * One visit in `context`: bytes received per resource type, and ms to the first content;
 * over `network` (a phone's connection) only the time, as the rest is still loading then.
 */
async function visit(context, url, network) {
  const { page, cdp } = await openPage(context, network);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  const types = new Map();
  const bytes = {};
  const encodings = {};
  cdp.on('Network.responseReceived', (e) => {
    const type = e.response.mimeType === 'application/wasm' ? 'wasm' : e.type.toLowerCase();
    types.set(e.requestId, type === 'xhr' ? 'fetch' : type);
    const encoding = e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'];
    if (encoding) encodings[encoding] = (encodings[encoding] ?? 0) + 1;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const kind = types.get(e.requestId) ?? 'other';
    bytes[kind] = (bytes[kind] ?? 0) + e.encodedDataLength;
  });
  const started = performance.timeOrigin + performance.now();
  await page.goto(url, { waitUntil: network ? 'commit' : 'load', timeout: 60_000 });
  const { firstRow, inDocument } = await firstContent(page, started);
  const liveAt = await live(page, started, errors);
  if (network) {
    await page.close();
    return { firstRow, inDocument, live: liveAt };
  }
  // Whatever the page still asks for after its first rows (the session's names) has
  // answered by now on this machine.
  await page.waitForTimeout(500);
  const html = await page.content();
  await page.close();
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  return { bytes, total, firstRow, inDocument, live: liveAt, encodings, html };
}

/** A static server for one HTML document and the stylesheet it names. */
async function staticCopy(html) {
  // The copy keeps the rendered markup and the stylesheet; scripts and preloads go.
  const css = /<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/.exec(html)?.[1];
  const cssBody = css ? Buffer.from(await (await fetch(`${base}${css}`)).arrayBuffer()) : Buffer.alloc(0);
  const page = html
    .replace(/<script\b[\s\S]*?<\/script>/g, '')
    .replace(/<link[^>]+rel="(modulepreload|preload)"[^>]*>/g, '');
  const server = http.createServer((req, res) => {
    if (css && req.url === css) {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(cssBody);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/portal/static/${section}` };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const first = [];
const repeat = [];
let rendered = null;
for (let i = 0; i < RUNS; i++) {
  // A new context has an empty cache: a first visit. A second link in the same context
  // is the customer coming back.
  const context = await phoneContext();
  const one = await visit(context, await link());
  first.push(one);
  rendered ??= one.html;
  repeat.push(await visit(context, await link()));
  await context.close();
}

const phone = [];
for (let i = 0; i < PHONE_RUNS; i++) {
  const context = await phoneContext();
  phone.push(await visit(context, await link(), PHONE));
  await context.close();
}

const copy = await staticCopy(rendered);
/** ms to the first content of the static copy (on screen, in the document), in a fresh context, over `network`. */
async function staticVisit(network) {
  const context = await phoneContext();
  const { page } = await openPage(context, network);
  const started = performance.timeOrigin + performance.now();
  await page.goto(copy.url, { timeout: 60_000 });
  const times = await firstContent(page, started);
  await context.close();
  return times;
}
const staticTimes = [];
for (let i = 0; i < RUNS; i++) staticTimes.push(await staticVisit());
const staticPhone = [];
for (let i = 0; i < PHONE_RUNS; i++) staticPhone.push(await staticVisit(PHONE));
copy.server.close();
await browser.close();

const summary = (visits) => {
  const kinds = new Set(visits.flatMap((v) => Object.keys(v.bytes)));
  const byType = {};
  for (const kind of kinds) byType[kind] = median(visits.map((v) => v.bytes[kind] ?? 0));
  return {
    total: median(visits.map((v) => v.total)),
    byType,
    firstRowMs: median(visits.map((v) => v.firstRow)),
    inDocumentMs: median(visits.map((v) => v.inDocument)),
    liveMs: median(visits.map((v) => v.live)),
    encodings: visits[0].encodings,
  };
};
console.log(JSON.stringify({
  section,
  runs: RUNS,
  first: summary(first),
  repeat: summary(repeat),
  staticFirstRowMs: median(staticTimes.map((t) => t.firstRow)),
  staticInDocumentMs: median(staticTimes.map((t) => t.inDocument)),
  phone: {
    runs: PHONE_RUNS,
    firstRowMs: median(phone.map((t) => t.firstRow)),
    inDocumentMs: median(phone.map((t) => t.inDocument)),
    liveMs: median(phone.map((t) => t.live)),
    staticFirstRowMs: median(staticPhone.map((t) => t.firstRow)),
    staticInDocumentMs: median(staticPhone.map((t) => t.inDocument)),
  },
}));
