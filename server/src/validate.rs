//! Validation of what vendors send: every problem is collected and named by its field, so a
//! request learns everything that is wrong at once.

use app::api::rules::{self, Problem};
use app::api::session::LOCALES;
use app::api::settings::OrganisationSettings;
use app::api::FieldError;
use chrono::NaiveDate;

use crate::error::ApiError;

/// Active ISO 4217 currency codes.
const CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
    BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN \
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD \
    JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT \
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR \
    RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND \
    TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW \
    ZWG ZWL";

/// Whether `code` is an active ISO 4217 currency (upper case, as the standard writes it).
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && CURRENCIES.split_ascii_whitespace().any(|c| c == code)
}

/// Every currency [`is_currency`] takes.
pub fn is_currency_list() -> Vec<&'static str> {
    CURRENCIES.split_ascii_whitespace().collect()
}

/// The longest each text field may be, in characters; the OpenAPI document states the
/// same numbers.
pub mod max {
    /// A reference to another record: a customer's or an invoice's id.
    pub const REFERENCE: usize = 255;
    pub const NAME: usize = 200;
    pub const PHONE: usize = 40;
    pub const TAX_ID: usize = app::api::rules::TAX_ID_MAX;
    pub const ADDRESS_LINE: usize = 200;
    pub const NUMBER: usize = 100;
    pub const LINE_DESCRIPTION: usize = 500;
    pub const REASON: usize = 500;
    pub const METHOD: usize = 100;
    pub const UNIT: usize = 50;
    pub const BRAND: usize = 50;
    pub const INVOICE_LINES: usize = 1000;
    /// Days in an entitlement's usage series.
    pub const USAGE_DAYS: usize = 366;
    /// Prices of one plan: one a currency.
    pub const PLAN_PRICES: usize = 20;
    /// Features of one plan, and plans it may switch to.
    pub const PLAN_LIST: usize = 30;
    /// Transactions of one credit balance.
    pub const CREDIT_TRANSACTIONS: usize = 500;
    /// The portal's invoice-number search.
    pub const SEARCH: usize = 100;
}

/// Collects field errors.
#[derive(Default, Debug)]
pub struct Check {
    problems: Vec<FieldError>,
    /// Prefixed to every field name (`lines[2].`).
    prefix: String,
}

impl Check {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.push(field, message.into(), Problem::Invalid);
    }

    /// Records a shared rule's verdict on a field, in English; `max` is the length that
    /// a [`Problem::TooLong`] names.
    pub fn rule(&mut self, field: &str, verdict: Result<(), Problem>, max: usize) {
        let Err(problem) = verdict else { return };
        let message = match problem {
            Problem::Required => "must not be empty".to_owned(),
            Problem::TooLong => format!("must be at most {max} characters"),
            Problem::ControlCharacter => "must not contain control characters".to_owned(),
            Problem::Email => "must be an email address".to_owned(),
            Problem::Phone => "must be a phone number: digits, spaces and + - ( ) . /".to_owned(),
            Problem::Country => "must be an ISO 3166-1 alpha-2 code such as DE".to_owned(),
            Problem::TaxId => "is not a tax ID of its type: check its format and digits".to_owned(),
            Problem::PostalCode => "is not a postal code of the address's country".to_owned(),
            Problem::Duplicate => "is listed twice".to_owned(),
            Problem::Invalid => "is invalid".to_owned(),
        };
        self.push(field, message, problem);
    }

    fn push(&mut self, field: &str, message: String, code: Problem) {
        self.problems.push(FieldError {
            field: format!("{}{field}", self.prefix),
            message,
            code,
        });
    }

    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Runs `f` with field names under `prefix` (e.g. `address.`).
    pub fn nested(&mut self, prefix: &str, f: impl FnOnce(&mut Check)) {
        let inner = format!("{}{prefix}", self.prefix);
        let outer = std::mem::replace(&mut self.prefix, inner);
        f(self);
        self.prefix = outer;
    }

    /// Required text: not blank, at most `max` characters, no control characters.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        self.rule(field, rules::text(value, max), max);
    }

    /// Optional text: when present, as [`Check::text`].
    pub fn opt_text(&mut self, field: &str, value: &Option<String>, max: usize) {
        if let Some(value) = value {
            self.text(field, value, max);
        }
    }

    pub fn currency(&mut self, field: &str, code: &str) {
        if !is_currency(code) {
            self.fail(
                field,
                "must be an ISO 4217 currency code such as EUR or USD",
            );
        }
    }

    pub fn non_negative(&mut self, field: &str, value: i64) {
        if value < 0 {
            self.fail(field, "must not be negative (amounts are in minor units)");
        }
    }

    pub fn positive(&mut self, field: &str, value: i64) {
        if value <= 0 {
            self.fail(
                field,
                "must be greater than zero (amounts are in minor units)",
            );
        }
    }

    /// `start` must not come after `end` when both are given.
    pub fn ordered(
        &mut self,
        start_field: &str,
        start: Option<NaiveDate>,
        end_field: &str,
        end: Option<NaiveDate>,
    ) {
        if let (Some(start), Some(end)) = (start, end) {
            if start > end {
                self.fail(end_field, format!("must not be before {start_field}"));
            }
        }
    }

    pub fn locale(&mut self, field: &str, value: &Option<String>) {
        if let Some(locale) = value {
            if !LOCALES.contains(&locale.as_str()) {
                self.fail(field, format!("must be one of: {}", LOCALES.join(", ")));
            }
        }
    }

    /// An absolute http(s) URL.
    pub fn url(&mut self, field: &str, value: &Option<String>) {
        if let Some(value) = value {
            // The document's pattern, and then the parser it is meant to agree with.
            let ok = value.len() <= crate::contract::URL_MAX
                && crate::contract::URL.is_match(value)
                && url::Url::parse(value)
                    .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .unwrap_or(false);
            if !ok {
                self.fail(
                    field,
                    "must be an absolute http or https URL of at most 2048 characters",
                );
            }
        }
    }

    /// Where the customer pays: an absolute https URL (plain http only on the developer's
    /// own machine), and on one of `origins` (the payment provider's) when the
    /// organisation lists any.
    pub fn payment_url(&mut self, field: &str, value: &Option<String>, origins: &[String]) {
        let Some(value) = value else { return };
        let parsed = url::Url::parse(value).ok().filter(|u| u.host().is_some());
        let parsed = parsed.filter(|_| {
            value.len() <= crate::contract::URL_MAX && crate::contract::PAYMENT_URL.is_match(value)
        });
        let Some(url) = parsed else {
            return self.fail(
                field,
                "must be an absolute https URL of at most 2048 characters (plain http only on localhost)",
            );
        };
        let origin = url.origin().ascii_serialization();
        if !origins.is_empty() && !origins.contains(&origin) {
            self.fail(
                field,
                format!(
                    "must be on one of the organisation's payment_origins: {}",
                    origins.join(", ")
                ),
            );
        }
    }

    pub fn into_problems(self) -> Vec<FieldError> {
        self.problems
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.problems))
        }
    }
}

/// A vendor's id for a record (the `{id}` of `PUT /v1/<kind>/{id}`).
pub fn external_id(check: &mut Check, field: &str, id: &str) {
    if id.is_empty() || id.chars().count() > crate::contract::EXTERNAL_ID_MAX {
        check.fail(field, "must be 1 to 255 characters long");
    } else if id
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '/')
    {
        check.fail(
            field,
            "must not contain spaces, slashes or control characters",
        );
    }
}

mod records;
pub use records::{normalise_tax_ids, tax_ids};

/// Field rules of each kind of record (references to other records are checked against
/// the store by the caller); each kind's are in `validate/records.rs`.
pub trait Validate {
    fn validate(&self, check: &mut Check);

    /// The rules that depend on the organisation's settings.
    fn validate_for(&self, _settings: &OrganisationSettings, _check: &mut Check) {}

    /// Puts valid values in the form they are kept in (a tax ID as its office writes it).
    fn normalise(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::api::records::{
        Address, CustomerInput, InvoiceInput, InvoiceLine, InvoiceStatus, TaxId,
    };

    fn fields(v: &impl Validate) -> Vec<String> {
        let mut check = Check::default();
        v.validate(&mut check);
        v.validate_for(&OrganisationSettings::default(), &mut check);
        check.into_problems().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn currencies_are_iso_4217_in_upper_case() {
        assert!(is_currency("EUR") && is_currency("JPY") && is_currency("KWD"));
        assert!(
            !is_currency("eur") && !is_currency("EURO") && !is_currency("XXX") && !is_currency("")
        );
    }

    #[test]
    fn invoices_name_every_bad_field_including_lines() {
        let invoice = InvoiceInput {
            customer_id: "".into(),
            number: "N".repeat(101),
            status: InvoiceStatus::Open,
            currency: "EURO".into(),
            total: 100,
            amount_due: 101,
            due_date: None,
            period_start: NaiveDate::from_ymd_opt(2026, 2, 1),
            period_end: NaiveDate::from_ymd_opt(2026, 1, 31),
            issued_at: chrono::Utc::now(),
            lines: vec![InvoiceLine {
                description: "\u{0007}bell".into(),
                quantity: -1,
                unit_amount: 1,
                amount: -1,
                period_start: None,
                period_end: None,
            }],
            pdf_url: Some("javascript:alert(1)".into()),
            payment_url: Some("http://pay.example/inv".into()),
        };
        assert_eq!(
            fields(&invoice),
            [
                "customer_id",
                "number",
                "currency",
                "amount_due",
                "period_end",
                "pdf_url",
                "lines[0].description",
                "lines[0].quantity",
                "payment_url"
            ]
        );
    }

    #[test]
    fn customers_check_email_country_and_locale() {
        let mut customer = CustomerInput {
            name: "Zoë <b>".into(),
            email: Some("not-an-email".into()),
            phone: None,
            tax_ids: vec![
                TaxId {
                    kind: "eu_vat".into(),
                    value: "DE12345678".into(),
                },
                TaxId {
                    kind: "EU VAT".into(),
                    value: "DE123456789".into(),
                },
            ],
            address: Address {
                country: Some("deu".into()),
                postal_code: Some("x".repeat(201)),
                ..Address::default()
            },
            locale: Some("da".into()),
            balance_payment_url: Some("ftp://pay.example".into()),
        };
        assert_eq!(
            fields(&customer),
            [
                "email",
                "tax_ids[0].value",
                "tax_ids[1].type",
                "locale",
                "address.country",
                "address.postal_code",
                "balance_payment_url"
            ]
        );
        customer.tax_ids[0].value = "de 123 456 789".into();
        customer.tax_ids[1].kind = "eu_vat".into();
        assert_eq!(
            fields(&customer)[1..3],
            ["tax_ids[1].value", "locale"],
            "listed twice"
        );
        customer.tax_ids[1] = TaxId {
            kind: "no_vat".into(),
            value: " NO 974 760 673 MVA ".into(),
        };
        customer.address.country = Some("DE".into());
        customer.address.postal_code = Some("2045".into());
        assert!(fields(&customer).contains(&"address.postal_code".to_owned()));
        customer.address.postal_code = Some("20457".into());
        customer.email = Some("billing@example.com".into());
        customer.balance_payment_url = Some("https://pay.example/balance/c1".into());
        customer.locale = Some("de".into());
        assert!(
            fields(&customer).is_empty(),
            "HTML in names is data, not an error"
        );
        customer.normalise();
        let kept: Vec<&str> = customer.tax_ids.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(kept, ["DE123456789", "NO 974 760 673 MVA"]);
    }

    #[test]
    fn payment_pages_are_https_and_on_the_providers_origins() {
        let problems = |url: &str, origins: &[&str]| {
            let mut check = Check::default();
            let origins: Vec<String> = origins.iter().map(|o| (*o).to_owned()).collect();
            check.payment_url("payment_url", &Some(url.to_owned()), &origins);
            check.into_problems()
        };
        assert!(problems("https://pay.example/i/1", &[]).is_empty());
        // A developer's own machine is as safe as https to the browser.
        assert!(problems("http://localhost:3000/pay", &[]).is_empty());
        assert!(problems("http://127.0.0.1:3000/pay", &[]).is_empty());
        for bad in [
            "http://pay.example/i/1",
            "javascript:alert(1)",
            "/pay/1",
            "pay.example",
        ] {
            let found = problems(bad, &[]);
            assert_eq!(found.len(), 1, "{bad}");
            assert_eq!(found[0].field, "payment_url");
        }
        let psp = ["https://checkout.psp.example"];
        assert!(problems("https://checkout.psp.example/c/9", &psp).is_empty());
        let elsewhere = problems("https://evil.example/c/9", &psp);
        assert_eq!(elsewhere.len(), 1);
        assert!(
            elsewhere[0].message.contains("payment_origins"),
            "{:?}",
            elsewhere[0]
        );
    }

    #[test]
    fn vendor_ids_are_bounded_and_plain() {
        for bad in ["", "a b", "a/b", "tab\there", &"x".repeat(256)] {
            let mut check = Check::default();
            external_id(&mut check, "id", bad);
            assert!(!check.is_ok(), "{bad:?}");
        }
        let mut check = Check::default();
        external_id(&mut check, "id", "cus_Ünïcødé-1.2");
        assert!(check.is_ok());
    }
}
