import { test, expect, type Page } from '@playwright/test';
import { freshCustomer, holdWasm, live, vendorCall } from './vendor';

/** What has the keyboard: the focused element's id, else its tag and text. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return 'body';
    return e.id ? `#${e.id}` : `${e.tagName.toLowerCase()}:${(e.textContent ?? '').trim().slice(0, 40)}`;
  });
}

test.describe('keyboard', () => {
  test('the skip link moves the keyboard to the main content', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    await page.goto((await customer.link({ locale: 'en', section: 'invoices' })).url);
    await expect(page.locator('table.records tbody tr').first()).toBeVisible();

    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a:Skip to content');
    await expect(page.locator('.skip-link')).toBeInViewport();
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('#main');
    // The next Tab goes on inside the main content, not back to the page's top.
    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => !!document.activeElement?.closest('main'));
    expect(next).toBe(true);
    expect(await focused(page)).not.toBe('body');
  });

  test('the tab links show their whole focus ring inside the scrolling tab bar', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    await page.goto((await customer.link({ locale: 'en', section: 'overview' })).url);
    await expect(page.getByRole('heading', { name: 'Balance due' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Billing sections' });
    let checked = 0;
    for (let presses = 0; presses < 30 && checked < 7; presses++) {
      await page.keyboard.press('Tab');
      const inBar = await nav.evaluate((bar) => bar.contains(document.activeElement));
      if (!inBar) continue;
      checked++;
      // The ring stays within the tab's own box (so no side of the bar can clip it) and
      // within the bar's height (which its sideways scrolling clips to).
      const overflow = await nav.evaluate((bar) => {
        const link = document.activeElement as HTMLElement;
        const style = getComputedStyle(link);
        const reach = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
        const ring = link.getBoundingClientRect();
        const box = bar.getBoundingClientRect();
        return Math.max(reach, box.top - (ring.top - reach), ring.bottom + reach - (box.top + bar.clientHeight));
      });
      expect(overflow, `tab ${checked}`).toBeLessThanOrEqual(0);
    }
    expect(checked).toBe(7);
  });

  test('Show more and Clear filters leave the keyboard where the list goes on, and results are announced', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!);
    for (let i = 1; i <= 11; i++) {
      await vendorCall(request, baseURL!, 'PUT', `/v1/payments/${customer.externalId}_more_${i}`, {
        customer_id: customer.externalId, kind: 'payment', status: 'succeeded', method: 'Visa •••• 4242',
        currency: 'EUR', amount: 100 * i, paid_at: `2026-03-${String(i).padStart(2, '0')}T09:00:00Z`,
      });
    }
    await page.goto((await customer.link({ locale: 'en', section: 'invoices' })).url);
    const rows = page.locator('#invoice-rows tbody tr');
    await expect(rows).toHaveCount(10);
    await live(page);

    // "Show more" leaves the page while the next rows load: the keyboard goes on at the
    // first new row's invoice link, not at the page body.
    await tabTo(page, 'button:Show more');
    await page.keyboard.press('Enter');
    await expect(rows).toHaveCount(14);
    await expect.poll(() => page.evaluate(() => {
      const row = document.querySelector('#invoice-rows tbody tr:nth-child(11)');
      return !!row && row.contains(document.activeElement) && document.activeElement?.tagName === 'A';
    })).toBe(true);

    // A search is announced with its count; clearing it hands the keyboard to the list's
    // heading, since the "Clear filters" button goes away with the filters.
    await tabTo(page, '#filter-q');
    await page.keyboard.type('ADA-00');
    const status = page.locator('section.card p.visually-hidden[role="status"]');
    await expect(status).toHaveText('Showing 9 invoices');
    await tabTo(page, 'button:Clear filters');
    await page.keyboard.press('Enter');
    await expect(rows).toHaveCount(10);
    await expect.poll(() => focused(page)).toBe('#invoices-title');
    await expect(status).toHaveText('Showing 10 invoices');

    // A date field shows the page's own focus ring (not Chromium's faint one) while one of
    // its parts has the keyboard. On a phone it is folded behind the Filters button.
    if (await page.locator('.filters-toggle').isVisible()) {
      await tabTo(page, 'button:Filters');
      await page.keyboard.press('Enter');
    }
    await tabTo(page, '#filter-from');
    const ring = await page.locator('#filter-from').evaluate((e) => {
      const style = getComputedStyle(e);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(ring).toBe('solid 3px');

    // The payments list does the same: its first new row gets the keyboard.
    await page.goto((await customer.link({ locale: 'en', section: 'payments' })).url);
    const payments = page.locator('#payment-rows tbody tr');
    await expect(payments).toHaveCount(10);
    // The tab is the server's page until the app has taken it over.
    await live(page);
    await tabTo(page, 'button:Show more');
    await page.keyboard.press('Enter');
    await expect(payments).toHaveCount(12);
    await expect.poll(() => page.evaluate(() =>
      document.activeElement === document.querySelector('#payment-rows tbody tr:nth-child(11)'))).toBe(true);
  });

  test('the cancel dialog takes the keyboard, keeps it, and gives it back', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    await page.goto((await customer.link({ locale: 'en', section: 'subscriptions' })).url);
    await expect(page.getByRole('row', { name: /Engine Pro/ })).toContainText('Active');
    const dialog = page.getByRole('alertdialog', { name: 'Cancel Engine Pro?' });

    await tabTo(page, 'button:Cancel subscription');
    await page.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    await expect.poll(() => focused(page)).toBe('#cancel-keep');
    // Tab and Shift+Tab go round inside the dialog, never to the page behind it.
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key);
      const inside = await page.evaluate(() => {
        const e = document.activeElement;
        return e === document.body || !!e?.closest('dialog');
      });
      expect(inside, key).toBe(true);
    }
    // Escape closes it from wherever the keyboard is, and the opener has the keyboard again.
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => focused(page)).toBe('button:Cancel subscription');

    // "Keep subscription" does the same.
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('#cancel-keep');
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => focused(page)).toBe('button:Cancel subscription');

    // Confirming removes the opener with the cancellation: the tab's heading takes over.
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('#cancel-keep');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Yes, cancel at period end');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Engine Pro will end on 30 Nov 2030.' })).toBeVisible();
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => focused(page)).toBe('#subscriptions-title');
  });

  test('Enter on a button before the app has started is kept for the app', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    const release = await holdWasm(page);
    await page.goto((await customer.link({ locale: 'en', section: 'subscriptions' })).url, { waitUntil: 'commit' });
    await expect(page.getByRole('row', { name: /Engine Pro/ })).toContainText('Active');
    await expect(page.locator('html')).toHaveAttribute('data-app', 'starting');
    await tabTo(page, 'button:Cancel subscription');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(200);
    const dialog = page.getByRole('alertdialog', { name: 'Cancel Engine Pro?' });
    await expect(dialog).toHaveCount(0);
    release();
    // The dialog opens once the app is live, with the keyboard in it, as if pressed then.
    await expect(dialog).toBeVisible();
    await expect.poll(() => focused(page)).toBe('#cancel-keep');
    await page.keyboard.press('Escape');
    await expect.poll(() => focused(page)).toBe('button:Cancel subscription');
  });

  test('a new tab, an invoice and the signed-out page each give the keyboard to their heading', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    await page.goto((await customer.link({ locale: 'en', section: 'invoices' })).url);
    await expect(page.locator('#invoice-rows tbody tr')).toHaveCount(3);
    // Until the app is live a tab is a page load, which starts at the page's top.
    await live(page);

    await tabTo(page, 'a:Payments');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('#payments-title');
    await tabTo(page, 'a:Invoices', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('#invoices-title');
    await tabTo(page, 'a:ADA-003');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: /ADA-003/ })).toBeVisible();
    await expect.poll(() => focused(page)).toBe('#invoice-title');

    await tabTo(page, 'button:Sign out', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'You have signed out' })).toBeVisible();
    await expect.poll(() => focused(page)).toBe('#problem-title');
  });

  test('on a phone the filters fold behind one button that counts them, and the first invoice shows at once', async ({ page, request, baseURL }, info) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    await page.goto((await customer.link({ locale: 'en', section: 'invoices' })).url);
    const firstRow = page.locator('#invoice-rows tbody tr').first();
    await expect(firstRow).toBeVisible();
    const status = page.locator('#filter-status');
    const toggle = page.getByRole('button', { name: /^Filters/ });
    if (info.project.name !== 'phone') {
      // A wide screen shows every filter and no fold.
      await expect(status).toBeVisible();
      await expect(toggle).toBeHidden();
      return;
    }
    await expect(firstRow).toBeInViewport();
    await expect(status).toBeHidden();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');

    await tabTo(page, 'button:Filters');
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(status).toBeVisible();
    await tabTo(page, '#filter-status');
    await page.keyboard.press('ArrowDown');
    await expect(toggle).toHaveText('Filters (1)');
    // Folding them again keeps what they filter.
    await tabTo(page, 'button:Filters (1)', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await expect(status).toBeHidden();
    await expect(toggle).toHaveText('Filters (1)');
    await expect(page.getByRole('button', { name: 'Clear filters' })).toBeVisible();
  });
});

/** Presses Tab (or `key`) until `target` (as `focused` names it) has the keyboard. */
async function tabTo(page: Page, target: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    if ((await focused(page)) === target) return;
    await page.keyboard.press(key);
  }
  throw new Error(`Tab never reached ${target}; the keyboard is on ${await focused(page)}`);
}
