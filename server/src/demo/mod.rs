//! `portico demo`: the "Acme Cloud" organisation with three customers and eighteen months
//! of realistic billing history.
//!
//! Every record is written with an idempotent upsert keyed by a stable vendor id, so running
//! the demo again refreshes the same records instead of adding new ones. Dates are relative
//! to today, so the history always ends now.

use app::api::records::{Address, CustomerInput, TaxId};
use app::api::settings::OrganisationSettings;
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::links::{self, LinkRequest};
use crate::orgs;
use crate::routes::records::{write_one, Customers, Kind};
use crate::store::{Organisation, Store};
use ledger::Ledger;

mod blueharbor;
mod ledger;
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
                payment_method_setup_url: pay_page(config)
                    .map(|page| format!("{page}?setup={{customer_id}}&back={{return_url}}")),
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

    if write_records {
        publish_catalogue(store, &id, now).await?;
    }
    let today = now.date_naive();
    let pay_page = pay_page(config);
    let pay_page = pay_page.as_deref();
    let mut customers = Vec::new();
    for profile in &PROFILES {
        let record = if write_records {
            let record = put::<Customers>(
                store,
                &organisation,
                profile.external_id,
                &profile.customer(pay_page),
                now,
            )
            .await?;
            profile
                .ledger(today, pay_page)
                .write(store, &organisation, now)
                .await?;
            record
        } else {
            match store.find_customer(&id, profile.external_id).await? {
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
    organisation: &Organisation,
    external_id: &str,
    input: &K::Input,
    now: DateTime<Utc>,
) -> anyhow::Result<K::Record> {
    match write_one::<K>(store, organisation, external_id, input, now).await {
        Ok((record, _)) => Ok(record),
        Err(error) => Err(anyhow::anyhow!(
            "the demo's {} {external_id} was refused: {error:?}",
            K::SINGULAR
        )),
    }
}

/// The demo's stand-in for a payment provider's page (`/demo/pay`), when this server's
/// address may serve as one: https, or plain http on the machine itself.
fn pay_page(config: &Config) -> Option<String> {
    let page = format!("{}/demo/pay", config.public_base());
    let mut check = crate::validate::Check::default();
    check.payment_url("payment_url", &Some(page.clone()), &[]);
    check.is_ok().then_some(page)
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

/// A plan of the demo's catalogue: monthly, priced in EUR and USD.
struct DemoPlan {
    id: &'static str,
    name: &'static str,
    eur: i64,
    usd: i64,
    features: &'static [&'static str],
    /// The plans a subscriber may switch to.
    switches_to: &'static [&'static str],
}

const CATALOGUE: [DemoPlan; 3] = [
    DemoPlan {
        id: "growth",
        name: "Growth",
        eur: 11_900,
        usd: 12_900,
        features: &[
            "5 seats",
            "250,000 API calls a month",
            "100 GB storage",
            "Email support",
        ],
        switches_to: &["business", "scale"],
    },
    DemoPlan {
        id: "business",
        name: "Business",
        eur: 24_900,
        usd: 26_900,
        features: &[
            "25 seats",
            "1,000,000 API calls a month",
            "500 GB storage",
            "Priority support",
        ],
        switches_to: &["growth", "scale"],
    },
    DemoPlan {
        id: "scale",
        name: "Scale",
        eur: 49_900,
        usd: 54_900,
        features: &[
            "100 seats",
            "5,000,000 API calls a month",
            "2 TB storage",
            "Priority support",
            "SSO and audit log",
        ],
        switches_to: &["business"],
    },
];

/// Puts the demo's plans in the catalogue, checked as a vendor's would be.
async fn publish_catalogue(
    store: &dyn Store,
    organisation_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use crate::validate::{Check, Validate};
    use app::api::plans::{PlanInput, PlanPrice};
    for DemoPlan {
        id,
        name,
        eur,
        usd,
        features,
        switches_to,
    } in CATALOGUE
    {
        let price = |currency: &str, amount| PlanPrice {
            currency: currency.to_owned(),
            amount,
        };
        let plan = PlanInput {
            name: name.to_owned(),
            interval: app::api::records::BillingInterval::Month,
            prices: vec![price("EUR", eur), price("USD", usd)],
            features: features.iter().map(|f| (*f).to_owned()).collect(),
            switches_to: switches_to.iter().map(|s| (*s).to_owned()).collect(),
        };
        let mut check = Check::default();
        plan.validate(&mut check);
        anyhow::ensure!(
            check.is_ok(),
            "the demo's plan {id}: {:?}",
            check.into_problems()
        );
        store.put_plan(organisation_id, id, &plan, now).await?;
    }
    Ok(())
}

/// A demo customer: who they are, and the history their ledger is filled with.
struct Profile {
    external_id: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    /// Type and value of each tax ID.
    tax_ids: &'static [(&'static str, &'static str)],
    /// Street, second line, postal code, city, region and country.
    address: [Option<&'static str>; 6],
    locale: &'static str,
    currency: &'static str,
    vat_percent: i64,
    history: fn(&mut Ledger),
}

const PROFILES: [Profile; 3] = [
    Profile {
        external_id: "cus_northwind",
        name: "Northwind Traders GmbH",
        email: "billing@northwind.example",
        phone: "+49 40 5550 1234",
        tax_ids: &[("eu_vat", "DE298765432")],
        address: [
            Some("Speicherstadt 12"),
            Some("3. OG"),
            Some("20457"),
            Some("Hamburg"),
            None,
            Some("DE"),
        ],
        locale: "de",
        currency: "EUR",
        vat_percent: 19,
        history: northwind::history,
    },
    Profile {
        external_id: "cus_blueharbor",
        name: "Blue Harbor Studio LLC",
        email: "accounts@blueharbor.example",
        phone: "+1 503 555 0142",
        tax_ids: &[("us_ein", "93-1234567")],
        address: [
            Some("1120 NW Couch St"),
            Some("Suite 400"),
            Some("97209"),
            Some("Portland"),
            Some("OR"),
            Some("US"),
        ],
        locale: "en",
        currency: "USD",
        vat_percent: 0,
        history: blueharbor::history,
    },
    Profile {
        external_id: "cus_vandijk",
        name: "Van Dijk Logistiek B.V.",
        email: "crediteuren@vandijk.example",
        phone: "+31 10 555 0199",
        tax_ids: &[("eu_vat", "NL812345678B01")],
        address: [
            Some("Waalhaven Zuidzijde 21"),
            None,
            Some("3089 JH"),
            Some("Rotterdam"),
            None,
            Some("NL"),
        ],
        locale: "nl",
        currency: "EUR",
        vat_percent: 21,
        history: vandijk::history,
    },
];

impl Profile {
    fn customer(&self, pay_page: Option<&str>) -> CustomerInput {
        let [line1, line2, postal_code, city, region, country] =
            self.address.map(|part| part.map(str::to_owned));
        CustomerInput {
            name: self.name.to_owned(),
            email: Some(self.email.to_owned()),
            phone: Some(self.phone.to_owned()),
            tax_ids: self
                .tax_ids
                .iter()
                .map(|(kind, value)| TaxId {
                    kind: (*kind).to_owned(),
                    value: (*value).to_owned(),
                })
                .collect(),
            address: Address {
                line1,
                line2,
                postal_code,
                city,
                region,
                country,
            },
            locale: Some(self.locale.to_owned()),
            balance_payment_url: pay_page
                .map(|page| format!("{page}?balance={}", self.external_id)),
        }
    }

    /// Everything the customer was billed, with dates up to `today`.
    fn ledger(&self, today: NaiveDate, pay_page: Option<&str>) -> Ledger {
        let pay_page = pay_page.map(str::to_owned);
        let mut ledger = Ledger::new(
            self.external_id,
            self.currency,
            self.vat_percent,
            today,
            pay_page,
        );
        (self.history)(&mut ledger);
        ledger
    }
}
