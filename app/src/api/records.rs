//! Billing records as the vendor API accepts them (`*Input`) and as Portico returns them.
//!
//! Money is always an integer amount in the currency's minor units plus an ISO 4217 code;
//! times are UTC; calendar dates (due dates, billing periods) carry no time zone.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod values;
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
    pub period_start: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
    pub period_start: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
    pub period_end: Option<NaiveDate>,
    /// When the invoice was generated ("Generated On").
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(default, deserialize_with = "crate::api::dates::option_date")
    )]
    pub due_date: Option<NaiveDate>,
    #[cfg_attr(
        feature = "hydrate",
        serde(default, deserialize_with = "crate::api::dates::option_date")
    )]
    pub period_start: Option<NaiveDate>,
    #[cfg_attr(
        feature = "hydrate",
        serde(default, deserialize_with = "crate::api::dates::option_date")
    )]
    pub period_end: Option<NaiveDate>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub issued_at: DateTime<Utc>,
    pub lines: Vec<InvoiceLine>,
    pub pdf_url: Option<String>,
    pub payment_url: Option<String>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub issued_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub paid_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub updated_at: DateTime<Utc>,
}

/// An entitlement as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntitlementInput {
    pub customer_id: String,
    pub feature: String,
    /// `None` means unlimited.
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub usage: i64,
    pub unit: String,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub valid_from: NaiveDate,
    #[serde(default)]
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
    pub valid_until: Option<NaiveDate>,
    /// What was used each day of the period so far, oldest first (at most 366 days, within
    /// the validity): the portal charts it and projects it to the period's end.
    #[serde(default)]
    pub usage_series: Vec<UsagePoint>,
}

/// One day's use of an entitlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UsagePoint {
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub date: NaiveDate,
    pub value: i64,
}

/// An entitlement as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entitlement {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub feature: String,
    pub limit: Option<i64>,
    pub usage: i64,
    pub unit: String,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub valid_from: NaiveDate,
    #[cfg_attr(
        feature = "hydrate",
        serde(default, deserialize_with = "crate::api::dates::option_date")
    )]
    pub valid_until: Option<NaiveDate>,
    pub usage_series: Vec<UsagePoint>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub updated_at: DateTime<Utc>,
}

impl Entitlement {
    /// Where use is heading by the last day of the period, in a straight line: the usage so
    /// far plus the recorded days' average for each day left after `today`. None without
    /// an end, without recorded days, or once the period is over.
    pub fn projected_usage(&self, today: NaiveDate) -> Option<i64> {
        let end = self.valid_until?;
        if self.usage_series.is_empty() || today > end {
            return None;
        }
        let days = self.usage_series.len() as i128;
        let recorded: i128 = self.usage_series.iter().map(|p| i128::from(p.value)).sum();
        let left = i128::from((end - today).num_days());
        let ahead = (recorded * left + days / 2) / days;
        Some(i64::try_from(i128::from(self.usage) + ahead).unwrap_or(i64::MAX))
    }
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub current_period_start: NaiveDate,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub current_period_end: NaiveDate,
    #[serde(default)]
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_date")
    )]
    pub renews_at: Option<NaiveDate>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    #[serde(default)]
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::option_time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub current_period_start: NaiveDate,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::date")
    )]
    pub current_period_end: NaiveDate,
    #[cfg_attr(
        feature = "hydrate",
        serde(default, deserialize_with = "crate::api::dates::option_date")
    )]
    pub renews_at: Option<NaiveDate>,
    pub cancel_at_period_end: bool,
    #[cfg_attr(
        feature = "hydrate",
        serde(default, deserialize_with = "crate::api::dates::option_time")
    )]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
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

    fn entitlement(usage: i64, limit: Option<i64>, series: &[(u32, i64)]) -> Entitlement {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        Entitlement {
            id: "e".into(),
            external_id: "e".into(),
            customer_id: "c".into(),
            feature: "API calls".into(),
            limit,
            usage,
            unit: "calls".into(),
            valid_from: day(1),
            valid_until: Some(day(30)),
            usage_series: series
                .iter()
                .map(|&(d, value)| UsagePoint {
                    date: day(d),
                    value,
                })
                .collect(),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn use_is_projected_in_a_straight_line_to_the_period_end() {
        let on = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        // Ten days of 100: 1,000 so far, 100 a day for the 20 days after the 10th.
        let ten: Vec<(u32, i64)> = (1..=10).map(|d| (d, 100)).collect();
        let e = entitlement(1_000, Some(2_500), &ten);
        assert_eq!(e.projected_usage(on(10)), Some(3_000));
        assert_eq!(
            e.projected_usage(on(30)),
            Some(1_000),
            "nothing left to add"
        );
        assert_eq!(
            e.projected_usage(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            None
        );
        // Uneven days average out: (10 + 20) / 2 = 15 a day.
        let e = entitlement(30, None, &[(1, 10), (2, 20)]);
        assert_eq!(e.projected_usage(on(2)), Some(30 + 15 * 28));
        assert_eq!(entitlement(5, None, &[]).projected_usage(on(2)), None);
        let mut open_ended = entitlement(5, None, &[(1, 5)]);
        open_ended.valid_until = None;
        assert_eq!(open_ended.projected_usage(on(2)), None);
        // No overflow, however large the figures.
        let huge = entitlement(i64::MAX, None, &[(1, i64::MAX)]);
        assert_eq!(huge.projected_usage(on(1)), Some(i64::MAX));
    }

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

/// `PUT /v1/customers/{id}/balance`: the credit a customer holds in one currency, which the
/// vendor takes off their next invoices, and how it came about. Writing a currency again
/// replaces it; an amount of 0 with no transactions removes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditBalanceInput {
    pub currency: String,
    /// The credit available, in minor units; never negative.
    pub amount: i64,
    /// The movements of the credit, in any order (the portal shows the newest first); at
    /// most 500.
    #[serde(default, deserialize_with = "super::object::each")]
    pub transactions: Vec<CreditTransaction>,
}

/// One movement of a customer's credit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditTransaction {
    /// In minor units: positive when credit was added (a refund kept as credit, a
    /// goodwill gesture), negative when it was used on an invoice.
    pub amount: i64,
    /// What it was, as the customer reads it: "Applied to INV-2026-0042".
    pub description: String,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub created_at: DateTime<Utc>,
}

/// A customer's credit in one currency, as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditBalance {
    pub currency: String,
    pub amount: i64,
    /// Newest first.
    pub transactions: Vec<CreditTransaction>,
    #[cfg_attr(
        feature = "hydrate",
        serde(deserialize_with = "crate::api::dates::time")
    )]
    pub updated_at: DateTime<Utc>,
}
