import { test, expect } from '@playwright/test';
import { freshCustomer, holdWasm, live } from './vendor';

/** What each language calls the tabs and a few landmarks, from the portal's catalogue. */
const LANGUAGES = {
  en: {
    tabs: ['Overview', 'Invoices', 'Payments', 'Entitlements', 'Subscriptions', 'Payment methods', 'Profile'],
    headings: ['Balance due', 'Invoices', 'Payments and refunds', 'Entitlements', 'Subscriptions', 'Payment methods', 'Your details'],
    money: '€140.99',
    date: '1 Feb 2026',
    signOut: 'Sign out',
  },
  de: {
    tabs: ['Übersicht', 'Rechnungen', 'Zahlungen', 'Leistungen', 'Abonnements', 'Zahlungsmethoden', 'Profil'],
    headings: ['Offener Betrag', 'Rechnungen', 'Zahlungen und Erstattungen', 'Leistungen', 'Abonnements', 'Zahlungsmethoden', 'Ihre Angaben'],
    money: '140,99 €',
    date: '1. Feb. 2026',
    signOut: 'Abmelden',
  },
  fr: {
    tabs: ['Aperçu', 'Factures', 'Paiements', 'Droits d’utilisation', 'Abonnements', 'Moyens de paiement', 'Profil'],
    headings: ['Solde dû', 'Factures', 'Paiements et remboursements', 'Droits d’utilisation', 'Abonnements', 'Moyens de paiement', 'Vos coordonnées'],
    money: '140,99 €',
    date: '1 févr. 2026',
    signOut: 'Se déconnecter',
  },
  nl: {
    tabs: ['Overzicht', 'Facturen', 'Betalingen', 'Rechten', 'Abonnementen', 'Betaalmethoden', 'Profiel'],
    headings: ['Openstaand saldo', 'Facturen', 'Betalingen en terugbetalingen', 'Rechten', 'Abonnementen', 'Betaalmethoden', 'Uw gegevens'],
    money: '€ 140,99',
    date: '1 feb. 2026',
    signOut: 'Afmelden',
  },
  es: {
    tabs: ['Resumen', 'Facturas', 'Pagos', 'Derechos de uso', 'Suscripciones', 'Métodos de pago', 'Perfil'],
    headings: ['Saldo pendiente', 'Facturas', 'Pagos y reembolsos', 'Derechos de uso', 'Suscripciones', 'Métodos de pago', 'Tus datos'],
    money: '140,99 €',
    date: '1 feb 2026',
    signOut: 'Cerrar sesión',
  },
  it: {
    tabs: ['Panoramica', 'Fatture', 'Pagamenti', "Diritti d'uso", 'Abbonamenti', 'Metodi di pagamento', 'Profilo'],
    headings: ['Saldo da pagare', 'Fatture', 'Pagamenti e rimborsi', "Diritti d'uso", 'Abbonamenti', 'Metodi di pagamento', 'I tuoi dati'],
    money: '140,99 €',
    date: '1 feb 2026',
    signOut: 'Esci',
  },
  pt: {
    tabs: ['Visão geral', 'Faturas', 'Pagamentos', 'Direitos de uso', 'Assinaturas', 'Formas de pagamento', 'Perfil'],
    headings: ['Saldo devedor', 'Faturas', 'Pagamentos e reembolsos', 'Direitos de uso', 'Assinaturas', 'Formas de pagamento', 'Seus dados'],
    money: '€ 140,99',
    date: '1 de fev. de 2026',
    signOut: 'Sair',
  },
  pl: {
    tabs: ['Przegląd', 'Faktury', 'Płatności', 'Uprawnienia', 'Subskrypcje', 'Metody płatności', 'Profil'],
    headings: ['Do zapłaty', 'Faktury', 'Płatności i zwroty', 'Uprawnienia', 'Subskrypcje', 'Metody płatności', 'Twoje dane'],
    money: '140,99 €',
    date: '1 lut 2026',
    signOut: 'Wyloguj się',
  },
  sv: {
    tabs: ['Översikt', 'Fakturor', 'Betalningar', 'Rättigheter', 'Abonnemang', 'Betalsätt', 'Profil'],
    headings: ['Att betala', 'Fakturor', 'Betalningar och återbetalningar', 'Rättigheter', 'Abonnemang', 'Betalsätt', 'Dina uppgifter'],
    money: '140,99 €',
    date: '1 feb. 2026',
    signOut: 'Logga ut',
  },
} as const;

/** Text a page must never show: English leftovers and unfilled placeholders. */
const LEFTOVERS = /\{[0-9]\}|undefined|\bInvoice total\b|\bAmount due\b|\bShow more\b|\bDownload CSV\b/;

test.describe('languages', () => {
  for (const [lang, words] of Object.entries(LANGUAGES)) {
    test(`every tab renders in ${lang} from the customer's language`, async ({ page, request, baseURL }) => {
      const customer = await freshCustomer(request, baseURL!, { locale: lang, invoices: 14 });
      await page.goto((await customer.link()).url);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const tabs = page.getByRole('navigation').locator('a');
      await expect(tabs).toHaveText([...words.tabs]);
      await expect(page.getByRole('button', { name: words.signOut })).toBeVisible();
      for (let i = 0; i < words.tabs.length; i++) {
        await tabs.nth(i).click();
        await expect(page.getByRole('heading', { name: words.headings[i], exact: true }).first()).toBeVisible();
        await expect(page.locator('.skeleton')).toHaveCount(0);
        const text = await page.locator('main').innerText();
        if (lang !== 'en') expect(text).not.toMatch(LEFTOVERS);
        expect(text).not.toMatch(/\{[0-9]\}/);
        if (i === 1) {
          // Money and dates in the language's own form (non-breaking spaces included).
          const first = page.locator('table.invoices-table tbody tr').first();
          await expect(first).toContainText(words.money);
          await expect(first).toContainText(words.date);
        }
      }
    });
  }

  test('the switcher changes the language at once and the session keeps it', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 2 });
    // The page brings its own language's strings; another language's are fetched once.
    const fetched: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/i18n/')) fetched.push(new URL(r.url()).pathname);
    });
    await page.goto((await customer.link({ section: 'invoices' })).url);
    await expect(page.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(2);
    expect(fetched).toEqual([]);
    await page.getByLabel('Language').selectOption('sv');
    await expect(page.getByRole('heading', { name: 'Fakturor', exact: true })).toBeVisible();
    await expect(page.locator('table.invoices-table tbody tr').first()).toContainText(/\d,\d\d\s€/);
    await page.getByLabel('Språk').selectOption('en');
    await expect(page.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();
    await page.getByLabel('Language').selectOption('sv');
    await expect(page.getByRole('heading', { name: 'Fakturor', exact: true })).toBeVisible();
    expect(fetched).toEqual([expect.stringMatching(/^\/i18n\/[0-9a-f]{16}\/sv\.json$/)]);
    await page.getByLabel('Språk').selectOption('fr');
    await expect(page.getByRole('heading', { name: 'Factures', exact: true })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Factures', exact: true })).toBeVisible();
    await expect(page.getByLabel('Langue')).toHaveValue('fr');
  });

  test('a language picked and a search typed before the app has started are the app\'s once it is live, in that order', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { invoices: 3 });
    const release = await holdWasm(page);
    await page.goto((await customer.link({ locale: 'en', section: 'invoices' })).url, { waitUntil: 'commit' });
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(3);
    await expect(page.locator('html')).toHaveAttribute('data-app', 'starting');
    // A tap reaches the fields already.
    await page.getByLabel('Language').selectOption('sv');
    await page.getByLabel('Invoice number').click();
    await page.keyboard.type('ADA-002');
    await page.waitForTimeout(200);
    await expect(page.getByRole('heading', { name: 'Invoices', exact: true })).toBeVisible();

    // Taking the page over, the app sets its fields to what it holds; what the customer
    // did is then put back and done, in the order it was done.
    release();
    await live(page);
    await expect(page.getByRole('heading', { name: 'Fakturor', exact: true })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'sv');
    await expect(page.getByLabel('Språk')).toHaveValue('sv');
    // The field the customer is typing in is the same one, still theirs.
    await expect(page.locator('#filter-q')).toHaveValue('ADA-002');
    await expect(page.locator('#filter-q')).toBeFocused();
    await page.keyboard.type('!');
    await expect(page.locator('#filter-q')).toHaveValue('ADA-002!');
    await page.keyboard.press('Backspace');
    await expect(page.locator('table.invoices-table tbody tr')).toHaveCount(1);
    await expect(page.locator('table.invoices-table tbody tr th')).toHaveText('ADA-002');
  });

  test('?lang= wins over the customer\'s language but not over the link\'s', async ({ page, request, baseURL }) => {
    const customer = await freshCustomer(request, baseURL!, { locale: 'de', invoices: 1 });
    await page.goto((await customer.link({ section: 'invoices' })).url);
    await expect(page.getByRole('heading', { name: 'Rechnungen', exact: true })).toBeVisible();
    await expect(page).toHaveURL(/\/portal\/.*\/invoices$/);
    await page.goto(`${page.url()}?lang=nl`);
    await expect(page.getByRole('heading', { name: 'Facturen', exact: true })).toBeVisible();

    await page.goto((await customer.link({ section: 'invoices', locale: 'fr' })).url);
    // Wait until the link has been exchanged: going to it again would reuse it.
    await expect(page).toHaveURL(/\/portal\/.*\/invoices$/);
    await page.goto(`${page.url()}?lang=nl`);
    await expect(page.getByRole('heading', { name: 'Factures', exact: true })).toBeVisible();
  });
});
