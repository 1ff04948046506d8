//! Billing records as the vendor API accepts them (`*Input`) and as Portico returns them.
//!
//! Money is always an integer amount in the currency's minor units plus an ISO 4217 code;
//! times are UTC; calendar dates (due dates, billing periods) carry no time zone.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use super::dates;

mod credit;
mod entitlements;
mod values;
pub use credit::*;
pub use entitlements::*;
pub use values::*;

/// A postal billing address; every part is optional because countries differ.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub line1: Option<String>,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default)]
    pub country: Option<String>,
}

/// One of a customer's tax registrations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TaxId {
    /// `eu_vat`, `gb_vat`, `ch_uid`, `us_ein`, `au_abn` or `ca_bn`, whose format (and
    /// check digit, where the kind has one) is checked and whose value is kept in its
    /// usual written form; any other kind, such as `no_vat`, is taken as free text.
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// A vendor's customer, as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// At most 10, each kind and value once.
    #[serde(default, deserialize_with = "super::object::each")]
    pub tax_ids: Vec<TaxId>,
    #[serde(default, deserialize_with = "super::object::only")]
    pub address: Address,
    /// Preferred portal language, e.g. `de`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The vendor's hosted page where the customer pays everything overdue at once
    /// (absolute https); the portal offers "Pay all overdue" with it.
    #[serde(default)]
    pub balance_payment_url: Option<String>,
}

/// A customer as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Portico's id.
    pub id: String,
    /// The vendor's own id for this customer.
    pub external_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_ids: Vec<TaxId>,
    pub address: Address,
    pub locale: Option<String>,
    pub balance_payment_url: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

/// One line of an invoice. `amount` is the line's total in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub amount: i64,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub period_start: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub period_end: Option<NaiveDate>,
}

/// An invoice as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// The customer: the vendor's id for them, or Portico's.
    pub customer_id: String,
    /// The number printed on the invoice, e.g. `INV-2026-0042`.
    pub number: String,
    pub status: InvoiceStatus,
    pub currency: String,
    pub total: i64,
    pub amount_due: i64,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub period_start: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub period_end: Option<NaiveDate>,
    /// When the invoice was generated ("Generated On").
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub issued_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "super::object::each")]
    pub lines: Vec<InvoiceLine>,
    /// Where the vendor hosts the PDF, when it is not uploaded to Portico.
    #[serde(default)]
    pub pdf_url: Option<String>,
    /// The vendor's hosted payment page for this invoice (absolute https); the portal
    /// offers "Pay now" with it while the invoice is owed.
    #[serde(default)]
    pub payment_url: Option<String>,
}

/// An invoice as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invoice {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub number: String,
    pub status: InvoiceStatus,
    pub currency: String,
    pub total: i64,
    pub amount_due: i64,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub due_date: Option<NaiveDate>,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub period_start: Option<NaiveDate>,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub period_end: Option<NaiveDate>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub issued_at: DateTime<Utc>,
    pub lines: Vec<InvoiceLine>,
    pub pdf_url: Option<String>,
    pub payment_url: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

/// A credit note as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditNoteInput {
    pub customer_id: String,
    /// The vendor's id of the invoice it credits, if any.
    #[serde(default)]
    pub invoice_id: Option<String>,
    pub number: String,
    pub status: CreditNoteStatus,
    pub currency: String,
    pub total: i64,
    #[serde(default)]
    pub reason: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub issued_at: DateTime<Utc>,
}

/// A credit note as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditNote {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub invoice_id: Option<String>,
    pub number: String,
    pub status: CreditNoteStatus,
    pub currency: String,
    pub total: i64,
    pub reason: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub issued_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

/// A payment or refund as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    pub customer_id: String,
    #[serde(default)]
    pub invoice_id: Option<String>,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    /// How it was paid, as shown to the customer, e.g. `Visa •••• 4242`.
    pub method: String,
    pub currency: String,
    /// Always positive; `kind` says which way the money went.
    pub amount: i64,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub paid_at: DateTime<Utc>,
}

/// A payment or refund as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub invoice_id: Option<String>,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub method: String,
    pub currency: String,
    pub amount: i64,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub paid_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

/// A subscription as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    pub customer_id: String,
    pub plan: String,
    /// The vendor's id of the plan in the catalogue (`PUT /v1/plans/{id}`), whose
    /// switches the portal then offers.
    #[serde(default)]
    pub plan_id: Option<String>,
    pub status: SubscriptionStatus,
    pub currency: String,
    /// Price per interval, in minor units.
    pub amount: i64,
    pub interval: BillingInterval,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub current_period_start: NaiveDate,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub current_period_end: NaiveDate,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub renews_at: Option<NaiveDate>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_time"))]
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// A subscription as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub plan: String,
    pub plan_id: Option<String>,
    pub status: SubscriptionStatus,
    pub currency: String,
    pub amount: i64,
    pub interval: BillingInterval,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub current_period_start: NaiveDate,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub current_period_end: NaiveDate,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub renews_at: Option<NaiveDate>,
    pub cancel_at_period_end: bool,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_time"))]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

/// A payment method as written by the vendor. Portico never sees full card numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentMethodInput {
    pub customer_id: String,
    pub kind: PaymentMethodKind,
    /// Card brand or bank name, e.g. `visa`.
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub exp_month: Option<i32>,
    #[serde(default)]
    pub exp_year: Option<i32>,
    #[serde(default)]
    pub is_default: bool,
}

/// A payment method as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentMethod {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub kind: PaymentMethodKind,
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub exp_month: Option<i32>,
    pub exp_year: Option<i32>,
    pub is_default: bool,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

impl SubscriptionStatus {
    /// Still running: billed and able to renew (active, in trial or past due).
    pub fn is_running(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Active | SubscriptionStatus::Trialing | SubscriptionStatus::PastDue
        )
    }
}

impl Invoice {
    /// The vendor's payment page, while the invoice is still owed: open, overdue or
    /// partly paid, with money due.
    pub fn payable_at(&self) -> Option<&str> {
        let owed = matches!(
            self.status,
            InvoiceStatus::Open | InvoiceStatus::Overdue | InvoiceStatus::PartiallyPaid
        ) && self.amount_due > 0;
        self.payment_url.as_deref().filter(|_| owed)
    }
}

impl Subscription {
    /// Running and not marked to end: it will renew, and the customer may still cancel it.
    pub fn renews(&self) -> bool {
        self.status.is_running() && !self.cancel_at_period_end
    }
}

impl PaymentMethod {
    /// Whether its expiry month lies before `year`-`month` (1–12); methods without an
    /// expiry never expire.
    pub fn expired_before(&self, year: i32, month: u32) -> bool {
        matches!((self.exp_year, self.exp_month), (Some(y), Some(m)) if (y, m) < (year, month as i32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T>(all: &[T])
    where
        T: Copy + std::fmt::Debug + PartialEq + Serialize + std::str::FromStr + std::fmt::Display,
        <T as std::str::FromStr>::Err: std::fmt::Debug,
    {
        for value in all {
            let text = value.to_string();
            assert_eq!(text.parse::<T>().unwrap(), *value);
            assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{text}\""));
        }
    }

    #[test]
    fn enum_values_round_trip_through_their_spelling() {
        round_trips(InvoiceStatus::ALL);
        round_trips(CreditNoteStatus::ALL);
        round_trips(PaymentKind::ALL);
        round_trips(PaymentStatus::ALL);
        round_trips(SubscriptionStatus::ALL);
        round_trips(BillingInterval::ALL);
        round_trips(PaymentMethodKind::ALL);
    }

    #[test]
    fn unknown_enum_value_lists_what_is_accepted() {
        let err = "refunded".parse::<PaymentStatus>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "must be one of: pending, succeeded, failed"
        );
    }

    #[test]
    fn a_card_expires_after_its_month() {
        let card = PaymentMethod {
            id: "pm".into(),
            external_id: "pm".into(),
            customer_id: "c".into(),
            kind: PaymentMethodKind::Card,
            brand: None,
            last4: None,
            exp_month: Some(11),
            exp_year: Some(2026),
            is_default: false,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        };
        assert!(!card.expired_before(2026, 11));
        assert!(card.expired_before(2026, 12));
        assert!(card.expired_before(2027, 1));
        let sepa = PaymentMethod {
            exp_month: None,
            exp_year: None,
            ..card
        };
        assert!(!sepa.expired_before(2099, 1));
    }

    #[test]
    fn inputs_refuse_unknown_fields() {
        let body = r#"{"name":"Ada","nmae":"typo"}"#;
        assert!(serde_json::from_str::<CustomerInput>(body).is_err());
    }
}
