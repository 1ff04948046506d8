//! `portico demo`: the "Acme Cloud" organisation with three customers and eighteen months
//! of realistic billing history.
//!
//! Every record is written with an idempotent upsert keyed by a stable vendor id, so running
//! the demo again refreshes the same records instead of adding new ones. Dates are relative
//! to today, so the history always ends now.

use app::api::records::{
    Address, BillingInterval, CreditNoteInput, CreditNoteStatus, CustomerInput, EntitlementInput,
    InvoiceInput, InvoiceLine, InvoiceStatus, PaymentInput, PaymentKind, PaymentMethodInput,
    PaymentMethodKind, PaymentStatus, SubscriptionInput, SubscriptionStatus,
};
use app::api::settings::OrganisationSettings;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};

use crate::config::Config;
use crate::links::{self, LinkRequest};
use crate::orgs;
use crate::store::{Organisation, Store, StoreResult};

/// The demo organisation's name.
pub const DEMO_NAME: &str = "Acme Cloud";

/// Label of the demo's API key; a new run revokes the previous one.
const DEMO_KEY_LABEL: &str = "demo";

/// The demo organisation's fixed id, so every run finds the same organisation.
pub fn demo_organisation_id() -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"portico:demo:acme-cloud").to_string()
}

/// What a demo run hands back to print.
pub struct DemoOutput {
    pub organisation: Organisation,
    /// A fresh API key (the previous demo key is revoked).
    pub api_key: String,
    /// One fresh portal link per customer: (customer name, URL).
    pub links: Vec<(String, String)>,
}

/// Creates the demo organisation if needed and, when `write_records` is set or the
/// organisation is new, writes its records; then issues a fresh API key and a portal link
/// for each customer.
pub async fn run(
    store: &dyn Store,
    config: &Config,
    now: DateTime<Utc>,
    write_records: bool,
) -> StoreResult<DemoOutput> {
    let id = demo_organisation_id();
    let (mut organisation, write_records) = match store.get_organisation(&id).await? {
        Some(existing) => (existing, write_records),
        None => {
            let public_origin = config.public_url.origin().ascii_serialization();
            let settings = OrganisationSettings {
                return_origins: vec![public_origin.clone()],
                embed_origins: vec![public_origin],
                ..OrganisationSettings::default()
            };
            let created = store
                .create_organisation(&id, DEMO_NAME, &settings, now)
                .await?;
            (created, true)
        }
    };

    // The demo vendor page can then be opened under the other loopback name, which the
    // browser treats as another site: the portal is embedded across origins.
    if let Some(other) = other_loopback_origin(&config.public_url) {
        if !organisation.settings.embed_origins.contains(&other) {
            organisation.settings.embed_origins.push(other);
            if let Some(updated) = store
                .update_organisation(&id, &organisation.name, &organisation.settings, now)
                .await?
            {
                organisation = updated;
            }
        }
    }

    let today = now.date_naive();
    let mut customers = Vec::new();
    for customer in demo_customers() {
        let record = if write_records {
            let (record, _) = store
                .upsert_customer(&id, customer.external_id, &customer.input, now)
                .await?;
            let history = History::new(customer.external_id, today);
            (customer.write)(store, &id, &record.id, &history, now).await?;
            record
        } else {
            match store.find_customer(&id, customer.external_id).await? {
                Some(record) => record,
                None => continue,
            }
        };
        customers.push(record);
    }

    let prefix_of_old_keys: Vec<String> = store
        .list_api_keys(&id)
        .await?
        .into_iter()
        .filter(|k| k.label == DEMO_KEY_LABEL && k.revoked_at.is_none())
        .map(|k| k.prefix)
        .collect();
    for prefix in prefix_of_old_keys {
        store.revoke_api_keys(&id, &prefix, now).await?;
    }
    let api_key = orgs::issue_api_key(
        store,
        &id,
        DEMO_KEY_LABEL,
        crate::store::KeyScope::Full,
        now,
    )
    .await?;

    let mut links = Vec::new();
    for customer in customers {
        let link = links::create_link(
            store,
            config,
            &organisation,
            &customer.id,
            LinkRequest {
                return_url: Some(format!("{}/", config.public_base())),
                ..LinkRequest::default()
            },
            now,
        )
        .await?;
        links.push((customer.name, link.url));
    }
    Ok(DemoOutput {
        organisation,
        api_key,
        links,
    })
}

/// `http://localhost:3000` for `http://127.0.0.1:3000` and the other way round.
fn other_loopback_origin(public_url: &url::Url) -> Option<String> {
    let other = match public_url.host_str()? {
        "127.0.0.1" => "localhost",
        "localhost" => "127.0.0.1",
        _ => return None,
    };
    let mut url = public_url.clone();
    url.set_host(Some(other)).ok()?;
    Some(url.origin().ascii_serialization())
}

type WriteFn = for<'a> fn(
    &'a dyn Store,
    &'a str,
    &'a str,
    &'a History,
    DateTime<Utc>,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = StoreResult<()>> + Send + 'a>,
>;

struct DemoCustomer {
    external_id: &'static str,
    input: CustomerInput,
    write: WriteFn,
}

fn demo_customers() -> Vec<DemoCustomer> {
    vec![
        DemoCustomer {
            external_id: "cus_northwind",
            input: CustomerInput {
                name: "Northwind Traders GmbH".into(),
                email: Some("billing@northwind.example".into()),
                phone: Some("+49 40 5550 1234".into()),
                tax_id: Some("DE298765432".into()),
                address: Address {
                    line1: Some("Speicherstadt 12".into()),
                    line2: Some("3. OG".into()),
                    postal_code: Some("20457".into()),
                    city: Some("Hamburg".into()),
                    region: None,
                    country: Some("DE".into()),
                },
                locale: Some("de".into()),
            },
            write: |s, o, c, h, n| Box::pin(write_northwind(s, o, c, h, n)),
        },
        DemoCustomer {
            external_id: "cus_blueharbor",
            input: CustomerInput {
                name: "Blue Harbor Studio LLC".into(),
                email: Some("accounts@blueharbor.example".into()),
                phone: Some("+1 503 555 0142".into()),
                tax_id: None,
                address: Address {
                    line1: Some("1120 NW Couch St".into()),
                    line2: Some("Suite 400".into()),
                    postal_code: Some("97209".into()),
                    city: Some("Portland".into()),
                    region: Some("OR".into()),
                    country: Some("US".into()),
                },
                locale: Some("en".into()),
            },
            write: |s, o, c, h, n| Box::pin(write_blueharbor(s, o, c, h, n)),
        },
        DemoCustomer {
            external_id: "cus_vandijk",
            input: CustomerInput {
                name: "Van Dijk Logistiek B.V.".into(),
                email: Some("crediteuren@vandijk.example".into()),
                phone: Some("+31 10 555 0199".into()),
                tax_id: Some("NL812345678B01".into()),
                address: Address {
                    line1: Some("Waalhaven Zuidzijde 21".into()),
                    line2: None,
                    postal_code: Some("3089 JH".into()),
                    city: Some("Rotterdam".into()),
                    region: None,
                    country: Some("NL".into()),
                },
                locale: Some("nl".into()),
            },
            write: |s, o, c, h, n| Box::pin(write_vandijk(s, o, c, h, n)),
        },
    ]
}

/// Date arithmetic for one customer's history, anchored on today.
struct History {
    prefix: &'static str,
    today: NaiveDate,
}

impl History {
    fn new(external_id: &'static str, today: NaiveDate) -> Self {
        Self {
            prefix: external_id.trim_start_matches("cus_"),
            today,
        }
    }

    /// The first day of the month `months_ago` months before this one.
    fn month(&self, months_ago: u32) -> NaiveDate {
        let first = self.today.with_day(1).expect("day 1 exists in every month");
        first - Months::new(months_ago)
    }

    /// The last day of that month.
    fn month_end(&self, months_ago: u32) -> NaiveDate {
        (self.month(months_ago) + Months::new(1)) - Duration::days(1)
    }

    /// Noon UTC on a date: a plausible moment for a billing run.
    fn at(&self, date: NaiveDate) -> DateTime<Utc> {
        Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).expect("noon exists"))
    }

    fn id(&self, kind: &str, n: u32) -> String {
        format!("{kind}_{}_{n:03}", self.prefix)
    }
}

/// An invoice, due in 30 days, whose total is the sum of its lines plus VAT at
/// `vat_percent`; `paid` is what was already paid on a partially paid one.
#[allow(clippy::too_many_arguments)]
fn invoice(
    customer_external_id: &str,
    number: String,
    status: InvoiceStatus,
    currency: &str,
    issued: DateTime<Utc>,
    period: (NaiveDate, NaiveDate),
    mut lines: Vec<InvoiceLine>,
    vat_percent: i64,
    paid: i64,
) -> InvoiceInput {
    let net: i64 = lines.iter().map(|l| l.amount).sum();
    if vat_percent > 0 {
        let vat = (net * vat_percent + 50) / 100;
        lines.push(line(&format!("VAT {vat_percent} %"), 1, vat, None));
    }
    let total: i64 = lines.iter().map(|l| l.amount).sum();
    let amount_due = match status {
        InvoiceStatus::Paid | InvoiceStatus::Void => 0,
        _ => total - paid,
    };
    InvoiceInput {
        customer_id: customer_external_id.to_owned(),
        number,
        status,
        currency: currency.to_owned(),
        total,
        amount_due,
        due_date: Some(issued.date_naive() + Duration::days(30)),
        period_start: Some(period.0),
        period_end: Some(period.1),
        issued_at: issued,
        lines,
        pdf_url: None,
    }
}

fn line(
    description: &str,
    quantity: i64,
    unit_amount: i64,
    period: Option<(NaiveDate, NaiveDate)>,
) -> InvoiceLine {
    InvoiceLine {
        description: description.to_owned(),
        quantity,
        unit_amount,
        amount: quantity * unit_amount,
        period_start: period.map(|p| p.0),
        period_end: period.map(|p| p.1),
    }
}

#[allow(clippy::too_many_arguments)]
async fn pay(
    store: &dyn Store,
    org: &str,
    customer: &str,
    invoice_id: Option<&str>,
    external_id: String,
    kind: PaymentKind,
    status: PaymentStatus,
    method: &str,
    currency: &str,
    amount: i64,
    paid_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let input = PaymentInput {
        customer_id: customer.to_owned(),
        invoice_id: invoice_id.map(str::to_owned),
        kind,
        status,
        method: method.to_owned(),
        currency: currency.to_owned(),
        amount,
        paid_at,
    };
    store
        .upsert_payment(org, &external_id, customer, invoice_id, &input, now)
        .await?;
    Ok(())
}

/// A German mid-size customer on a monthly plan with usage: 18 months of invoices in
/// every everyday status, card payments, a failed attempt, a refund with its credit note.
async fn write_northwind(
    store: &dyn Store,
    org: &str,
    customer: &str,
    h: &History,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    const CARD: &str = "Visa •••• 4242";
    for months_ago in (0..18u32).rev() {
        let n = 18 - months_ago;
        let (start, end) = (h.month(months_ago), h.month_end(months_ago));
        // A month is invoiced on the 1st of the next; this month's invoice is a draft.
        let issued = if months_ago == 0 {
            h.at(h.today)
        } else {
            h.at(end + Duration::days(1))
        };
        let status = match months_ago {
            0 => InvoiceStatus::Draft,
            1 => InvoiceStatus::Open,
            2 => InvoiceStatus::Overdue,
            3 => InvoiceStatus::PartiallyPaid,
            11 => InvoiceStatus::Void,
            _ => InvoiceStatus::Paid,
        };
        let mut lines = vec![line("Business plan", 1, 24_900, Some((start, end)))];
        let overage = [0, 12, 0, 31, 7, 0, 0, 48, 3, 0, 22, 0, 0, 15, 0, 9, 0, 0][n as usize - 1];
        if overage > 0 {
            lines.push(line(
                "API calls over plan (per 10,000)",
                overage,
                450,
                Some((start, end)),
            ));
        }
        lines.push(line("Additional seats", 3, 1_200, Some((start, end))));
        let paid = if status == InvoiceStatus::PartiallyPaid {
            15_000
        } else {
            0
        };
        let inv = invoice(
            customer,
            format!("NW-{}-{:04}", start.year(), n),
            status,
            "EUR",
            issued,
            (start, end),
            lines,
            19,
            paid,
        );
        let invoice_external = h.id("inv", n);
        let (record, _) = store
            .upsert_invoice(org, &invoice_external, customer, &inv, now)
            .await?;
        let paid_at = issued + Duration::days(3);
        match status {
            InvoiceStatus::Paid => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Succeeded,
                    CARD,
                    "EUR",
                    inv.total,
                    paid_at,
                    now,
                )
                .await?;
            }
            InvoiceStatus::PartiallyPaid => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Succeeded,
                    CARD,
                    "EUR",
                    paid,
                    paid_at,
                    now,
                )
                .await?;
            }
            InvoiceStatus::Overdue => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Failed,
                    CARD,
                    "EUR",
                    inv.total,
                    paid_at,
                    now,
                )
                .await?;
            }
            _ => {}
        }
        // Eight months ago an outage earned the customer a service credit, refunded to
        // the card and documented by a credit note.
        if months_ago == 8 {
            let refund = 5_000;
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("ref", n),
                PaymentKind::Refund,
                PaymentStatus::Succeeded,
                CARD,
                "EUR",
                refund,
                paid_at + Duration::days(9),
                now,
            )
            .await?;
            let note = CreditNoteInput {
                customer_id: customer.to_owned(),
                invoice_id: Some(invoice_external.clone()),
                number: format!("NW-CN-{}-0001", start.year()),
                status: CreditNoteStatus::Issued,
                currency: "EUR".into(),
                total: refund,
                reason: Some("Service credit for the outage on the 14th".into()),
                issued_at: paid_at + Duration::days(9),
            };
            store
                .upsert_credit_note(org, &h.id("cn", 1), customer, Some(&record.id), &note, now)
                .await?;
        }
    }

    let sub = SubscriptionInput {
        customer_id: customer.to_owned(),
        plan: "Business".into(),
        status: SubscriptionStatus::Active,
        currency: "EUR".into(),
        amount: 24_900,
        interval: BillingInterval::Month,
        current_period_start: h.month(0),
        current_period_end: h.month_end(0),
        renews_at: Some(h.month_end(0) + Duration::days(1)),
        cancel_at_period_end: false,
        cancelled_at: None,
    };
    store
        .upsert_subscription(org, &h.id("sub", 1), customer, &sub, now)
        .await?;

    let valid = (h.month(0), Some(h.month_end(0)));
    for (n, feature, limit, usage, unit) in [
        (1, "API calls", Some(1_000_000), 734_210, "calls"),
        (2, "Seats", Some(25), 18, "seats"),
        (3, "Storage", Some(500), 487, "GB"),
        (4, "Priority support", None, 4, "tickets"),
    ] {
        let e = EntitlementInput {
            customer_id: customer.to_owned(),
            feature: feature.into(),
            limit,
            usage,
            unit: unit.into(),
            valid_from: valid.0,
            valid_until: valid.1,
        };
        store
            .upsert_entitlement(org, &h.id("ent", n), customer, &e, now)
            .await?;
    }

    for (n, kind, brand, last4, exp, default) in [
        (
            1,
            PaymentMethodKind::Card,
            "visa",
            "4242",
            Some((8, 2028)),
            true,
        ),
        (
            2,
            PaymentMethodKind::SepaDebit,
            "Commerzbank",
            "3000",
            None,
            false,
        ),
    ] {
        let pm = PaymentMethodInput {
            customer_id: customer.to_owned(),
            kind,
            brand: Some(brand.into()),
            last4: Some(last4.into()),
            exp_month: exp.map(|e| e.0),
            exp_year: exp.map(|e| e.1),
            is_default: default,
        };
        store
            .upsert_payment_method(org, &h.id("pm", n), customer, &pm, now)
            .await?;
    }
    Ok(())
}

/// A small US studio that upgraded half a year ago; one invoice went uncollectible.
async fn write_blueharbor(
    store: &dyn Store,
    org: &str,
    customer: &str,
    h: &History,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    const CARD: &str = "Mastercard •••• 5454";
    for months_ago in (1..=12u32).rev() {
        let n = 13 - months_ago;
        let (start, end) = (h.month(months_ago), h.month_end(months_ago));
        let issued = h.at(end + Duration::days(1));
        let (plan, price) = if months_ago > 6 {
            ("Starter plan", 4_900)
        } else {
            ("Growth plan", 12_900)
        };
        let status = match months_ago {
            1 => InvoiceStatus::Open,
            9 => InvoiceStatus::Uncollectible,
            _ => InvoiceStatus::Paid,
        };
        let inv = invoice(
            customer,
            format!("BH-{:05}", 1040 + n),
            status,
            "USD",
            issued,
            (start, end),
            vec![line(plan, 1, price, Some((start, end)))],
            0,
            0,
        );
        let (record, _) = store
            .upsert_invoice(org, &h.id("inv", n), customer, &inv, now)
            .await?;
        let when = issued + Duration::days(1);
        match status {
            InvoiceStatus::Paid => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Succeeded,
                    CARD,
                    "USD",
                    inv.total,
                    when,
                    now,
                )
                .await?;
            }
            InvoiceStatus::Uncollectible => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Failed,
                    "American Express •••• 0005",
                    "USD",
                    inv.total,
                    when,
                    now,
                )
                .await?;
            }
            _ => {}
        }
    }

    let sub = SubscriptionInput {
        customer_id: customer.to_owned(),
        plan: "Growth".into(),
        status: SubscriptionStatus::Active,
        currency: "USD".into(),
        amount: 12_900,
        interval: BillingInterval::Month,
        current_period_start: h.month(0),
        current_period_end: h.month_end(0),
        renews_at: Some(h.month_end(0) + Duration::days(1)),
        cancel_at_period_end: false,
        cancelled_at: None,
    };
    store
        .upsert_subscription(org, &h.id("sub", 1), customer, &sub, now)
        .await?;

    for (n, feature, limit, usage, unit) in [
        (1, "Projects", Some(20), 7, "projects"),
        (2, "Team members", Some(10), 10, "members"),
        (3, "Bandwidth", Some(1_000), 312, "GB"),
    ] {
        let e = EntitlementInput {
            customer_id: customer.to_owned(),
            feature: feature.into(),
            limit,
            usage,
            unit: unit.into(),
            valid_from: h.month(0),
            valid_until: Some(h.month_end(0)),
        };
        store
            .upsert_entitlement(org, &h.id("ent", n), customer, &e, now)
            .await?;
    }

    for (n, brand, last4, exp, default) in [
        (1, "mastercard", "5454", (2, 2027), true),
        (2, "amex", "0005", (11, 2025), false),
    ] {
        let pm = PaymentMethodInput {
            customer_id: customer.to_owned(),
            kind: PaymentMethodKind::Card,
            brand: Some(brand.into()),
            last4: Some(last4.into()),
            exp_month: Some(exp.0),
            exp_year: Some(exp.1),
            is_default: default,
        };
        store
            .upsert_payment_method(org, &h.id("pm", n), customer, &pm, now)
            .await?;
    }
    Ok(())
}

/// A Dutch enterprise on an annual contract with quarterly usage billing, paid by bank
/// transfer, with one add-on cancelled three months ago.
async fn write_vandijk(
    store: &dyn Store,
    org: &str,
    customer: &str,
    h: &History,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    const BANK: &str = "Bank transfer (ING)";
    // Two annual contract invoices: 18 and 6 months ago; the second paid in two parts.
    for (n, months_ago) in [(1u32, 17u32), (2, 5)] {
        let start = h.month(months_ago);
        let end = (start + Months::new(12)) - Duration::days(1);
        let issued = h.at(start);
        let inv = invoice(
            customer,
            format!("VD-{}-A{:02}", start.year(), n),
            InvoiceStatus::Paid,
            "EUR",
            issued,
            (start, end),
            vec![
                line("Enterprise plan, annual", 1, 1_200_000, Some((start, end))),
                line(
                    "Onboarding and training",
                    if n == 1 { 1 } else { 0 },
                    250_000,
                    None,
                ),
            ]
            .into_iter()
            .filter(|l| l.quantity > 0)
            .collect(),
            21,
            0,
        );
        let (record, _) = store
            .upsert_invoice(org, &h.id("inv", n), customer, &inv, now)
            .await?;
        if n == 1 {
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", 1),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                inv.total,
                issued + Duration::days(12),
                now,
            )
            .await?;
        } else {
            let first = inv.total / 2;
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", 2),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                first,
                issued + Duration::days(10),
                now,
            )
            .await?;
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", 3),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                inv.total - first,
                issued + Duration::days(40),
                now,
            )
            .await?;
        }
    }
    // Quarterly usage invoices; the latest is still open.
    for (i, months_ago) in [13u32, 10, 7, 4, 1].into_iter().enumerate() {
        let n = 10 + i as u32;
        let start = h.month(months_ago + 2);
        let end = h.month_end(months_ago);
        let issued = h.at(end + Duration::days(1));
        let shipments = [8_200, 9_950, 11_300, 10_480, 12_760][i];
        let status = if months_ago == 1 {
            InvoiceStatus::Open
        } else {
            InvoiceStatus::Paid
        };
        let inv = invoice(
            customer,
            format!("VD-{}-U{:02}", end.year(), n - 9),
            status,
            "EUR",
            issued,
            (start, end),
            vec![line(
                "Tracked shipments over contract volume",
                shipments / 100,
                1_500,
                Some((start, end)),
            )],
            21,
            0,
        );
        let (record, _) = store
            .upsert_invoice(org, &h.id("inv", n), customer, &inv, now)
            .await?;
        if status == InvoiceStatus::Paid {
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", n),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                inv.total,
                issued + Duration::days(14),
                now,
            )
            .await?;
        }
    }

    let contract_start = h.month(5);
    let contract_end = (contract_start + Months::new(12)) - Duration::days(1);
    let subs = [
        SubscriptionInput {
            customer_id: customer.to_owned(),
            plan: "Enterprise".into(),
            status: SubscriptionStatus::Active,
            currency: "EUR".into(),
            amount: 1_200_000,
            interval: BillingInterval::Year,
            current_period_start: contract_start,
            current_period_end: contract_end,
            renews_at: Some(contract_end + Duration::days(1)),
            cancel_at_period_end: false,
            cancelled_at: None,
        },
        SubscriptionInput {
            customer_id: customer.to_owned(),
            plan: "Fleet tracking add-on".into(),
            status: SubscriptionStatus::Cancelled,
            currency: "EUR".into(),
            amount: 29_000,
            interval: BillingInterval::Quarter,
            current_period_start: h.month(6),
            current_period_end: h.month_end(4),
            renews_at: None,
            cancel_at_period_end: true,
            cancelled_at: Some(h.at(h.month(3))),
        },
    ];
    for (n, sub) in subs.iter().enumerate() {
        store
            .upsert_subscription(org, &h.id("sub", n as u32 + 1), customer, sub, now)
            .await?;
    }

    for (n, feature, limit, usage, unit) in [
        (1, "Tracked shipments", Some(50_000), 41_870, "shipments"),
        (2, "Warehouses", Some(5), 3, "sites"),
        (3, "API access", None, 1_284_511, "calls"),
    ] {
        let e = EntitlementInput {
            customer_id: customer.to_owned(),
            feature: feature.into(),
            limit,
            usage,
            unit: unit.into(),
            valid_from: contract_start,
            valid_until: Some(contract_end),
        };
        store
            .upsert_entitlement(org, &h.id("ent", n), customer, &e, now)
            .await?;
    }

    let pm = PaymentMethodInput {
        customer_id: customer.to_owned(),
        kind: PaymentMethodKind::BankTransfer,
        brand: Some("ING".into()),
        last4: Some("4321".into()),
        exp_month: None,
        exp_year: None,
        is_default: true,
    };
    store
        .upsert_payment_method(org, &h.id("pm", 1), customer, &pm, now)
        .await?;
    Ok(())
}
