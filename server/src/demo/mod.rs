//! `portico demo`: the "Acme Cloud" organisation with three customers and eighteen months
//! of realistic billing history.
//!
//! Every record is written with an idempotent upsert keyed by a stable vendor id, so running
//! the demo again refreshes the same records instead of adding new ones. Dates are relative
//! to today, so the history always ends now.

use app::api::records::{
    Address, CustomerInput, InvoiceInput, InvoiceLine, InvoiceStatus, PaymentInput, PaymentKind,
    PaymentStatus,
};
use app::api::settings::OrganisationSettings;
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};

use crate::config::Config;
use crate::links::{self, LinkRequest};
use crate::orgs;
use crate::routes::records::{write_one, Customers, Kind, Payments};
use crate::store::{Organisation, Store};

mod blueharbor;
mod northwind;
mod vandijk;

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
) -> anyhow::Result<DemoOutput> {
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
            let record =
                put::<Customers>(store, &id, customer.external_id, &customer.input, now).await?;
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

/// Writes one record the way a vendor's `PUT` does: validated, its references resolved.
/// Demo data that the API would refuse is a bug in the demo, reported by record.
async fn put<K: Kind>(
    store: &dyn Store,
    organisation_id: &str,
    external_id: &str,
    input: &K::Input,
    now: DateTime<Utc>,
) -> anyhow::Result<K::Record> {
    match write_one::<K>(store, organisation_id, external_id, input, now).await {
        Ok((record, _)) => Ok(record),
        Err(error) => Err(anyhow::anyhow!(
            "the demo's {} {external_id} was refused: {error:?}",
            K::SINGULAR
        )),
    }
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
    Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send + 'a>,
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
            write: |s, o, c, h, n| Box::pin(northwind::write(s, o, c, h, n)),
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
            write: |s, o, c, h, n| Box::pin(blueharbor::write(s, o, c, h, n)),
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
            write: |s, o, c, h, n| Box::pin(vandijk::write(s, o, c, h, n)),
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
) -> anyhow::Result<()> {
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
    put::<Payments>(store, org, &external_id, &input, now).await?;
    Ok(())
}
