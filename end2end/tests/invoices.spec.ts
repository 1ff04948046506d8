import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { demoVendor, freshCustomer, vendorCall } from './vendor';

const rows = (page: Page) => page.locator('table.invoices-table tbody tr');
const numbers = (page: Page) => page.locator('table.invoices-table tbody th').allTextContents();

test.describe('the invoices tab', () => {
  test('shows every column, then filters, searches, sorts and pages', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!);
    await page.goto((await customer.link({ section: 'invoices' })).url);
    await expect(page.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();
    for (const name of ['Invoice ID', 'Status', 'Invoice total', 'Due date', 'Amount due', 'Billing period', 'Generated on']) {
      await expect(page.getByRole('columnheader', { name, exact: true })).toBeAttached();
    }
    // Newest first: ADA-014 was issued on 1 Feb 2026 and is paid.
    await expect(rows(page)).toHaveCount(10);
    const first = rows(page).first();
    await expect(first.locator('th')).toHaveText('ADA-014');
    await expect(first.locator('td').nth(0)).toHaveText('Paid');
    await expect(first.locator('td').nth(1)).toHaveText('€140.99');
    await expect(first.locator('td').nth(2)).toHaveText('28 Feb 2026');
    await expect(first.locator('td').nth(3)).toHaveText('€0.00');
    await expect(first.locator('td').nth(4)).toHaveText('1 Feb – 27 Feb 2026');
    await expect(first.locator('td').nth(5)).toHaveText('1 Feb 2026');
    // A partially paid invoice owes half.
    await expect(page.getByRole('row', { name: /ADA-012/ })).toContainText('Partially paid');
    await expect(page.getByRole('row', { name: /ADA-012/ })).toContainText('€60.49');

    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(rows(page)).toHaveCount(14);
    await expect(page.getByRole('button', { name: 'Show more' })).toHaveCount(0);
    expect(new Set(await numbers(page)).size).toBe(14);

    // On a phone the filters other than the search are folded behind one button.
    const toggle = page.locator('.filters-toggle');
    if (await toggle.isVisible()) await toggle.click();
    // Overdue: what the vendor calls overdue, and what is still owed past its due date
    // on an open or partly paid invoice, as the overview counts it.
    await page.getByLabel('Status', { exact: true }).selectOption('overdue');
    await expect.poll(() => numbers(page)).toEqual(['ADA-012', 'ADA-010', 'ADA-008', 'ADA-005', 'ADA-003', 'ADA-001']);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(rows(page)).toHaveCount(10);
    await page.getByLabel('Invoice number').fill('ada-01');
    await expect.poll(() => numbers(page)).toEqual(['ADA-014', 'ADA-013', 'ADA-012', 'ADA-011', 'ADA-010']);
    await page.getByLabel('Invoice number').fill('no such invoice');
    await expect(page.getByText('No invoices match these filters.')).toBeVisible();

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('From').fill('2025-03-01');
    await page.getByLabel('To').fill('2025-05-31');
    await expect.poll(() => numbers(page)).toEqual(['ADA-005', 'ADA-004', 'ADA-003']);

    await page.getByLabel('Sort by').selectOption({ label: 'Total, lowest first' });
    await expect.poll(() => numbers(page)).toEqual(['ADA-003', 'ADA-004', 'ADA-005']);
    await expect(page.getByRole('columnheader', { name: 'Invoice total' })).toHaveAttribute('aria-sort', 'ascending');

    // The CSV holds exactly the filtered rows, in the same order.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('invoices.csv');
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('number,status,currency,total,amount_due,due_date,period_start,period_end,issued_at');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual(['ADA-003', 'ADA-004', 'ADA-005']);
    expect(csv[1]).toBe('ADA-003,overdue,EUR,30.99,30.99,2025-03-28,2025-03-01,2025-03-27,2025-03-01T08:00:00Z');
  });

  test('an invoice shows its payments and credit notes and downloads its PDF', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const invoice = await vendorCall(request, baseURL!, 'GET', `/v1/invoices/${customer.externalId}_inv_2`);
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const upload = await request.put(`${baseURL}/v1/invoices/${invoice.id}/pdf`, {
      headers: {
        organisation: demoVendor().organisation,
        'X-API-KEY': demoVendor().apiKey,
        'Content-Type': 'application/pdf',
      },
      data: pdf,
    });
    expect(upload.status()).toBe(204);

    await page.goto((await customer.link({ section: `invoice:${invoice.id}` })).url);
    await expect(page.getByRole('heading', { name: 'Invoice ADA-002' })).toBeVisible();
    const applied = page.getByRole('region', { name: 'Payments applied' });
    await expect(applied).toContainText('Visa •••• 4242');
    await expect(applied).toContainText('€20.99');
    const credits = page.getByRole('region', { name: 'Credit notes' });
    await expect(credits).toContainText('CN-ADA-1');
    await expect(credits).toContainText('Goodwill');
    await expect(credits).toContainText('−€5.00');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('ADA-002.pdf');
    expect(readFileSync((await download.path())!)).toEqual(pdf);

    // An invoice without a PDF offers none.
    await page.getByRole('link', { name: '← All invoices' }).click();
    await page.getByRole('link', { name: 'ADA-003' }).click();
    await expect(page.getByRole('heading', { name: 'Invoice ADA-003' })).toBeVisible();
    await expect(page.getByText('No payments have been recorded for this invoice.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Download PDF' })).toHaveCount(0);
  });

  test('an invoice that is not the customer\'s is not found, and the list is one click away', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 1 });
    const other = await freshCustomer(request, baseURL!, { invoices: 1 });
    const theirs = await vendorCall(request, baseURL!, 'GET', `/v1/invoices/${other.externalId}_inv_1`);
    await page.goto((await customer.link({ section: 'invoices', locale: 'en' })).url);
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(2);
    // The address of another customer's invoice, opened in this customer's tab.
    await page.goto(page.url().replace(/\/invoices$/, `/invoices/${theirs.id}`));
    await expect(page.getByRole('heading', { name: 'Invoice not found' })).toBeVisible();
    await expect(page.getByRole('heading', { name: /^Invoice ADA/ })).toHaveCount(0);
    await page.getByRole('link', { name: '← All invoices' }).click();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(2);
  });
});
