//! The portal API the customer's browser calls with its session token.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use super::dates;

use crate::api::records::{
    string_enum, Address, CreditNote, Entitlement, Invoice, InvoiceStatus, Payment, PaymentMethod,
    Subscription, TaxId, UnknownValue,
};

/// One page of a list, newest first, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `?cursor=` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/portal/invoices`.
pub type InvoicePage = Page<Invoice>;

/// `GET /api/v1/portal/payments`.
pub type PaymentPage = Page<Payment>;

/// A whole list, for records a customer has few of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

pub type EntitlementList = List<Entitlement>;
pub type SubscriptionList = List<Subscription>;
pub type PaymentMethodList = List<PaymentMethod>;
/// `GET /api/v1/portal/credits`.
pub type CreditList = List<crate::api::records::CreditBalance>;

string_enum!(
    /// The invoice columns a customer can sort by.
    InvoiceSort {
        IssuedAt => "issued_at",
        DueDate => "due_date",
        Total => "total",
        AmountDue => "amount_due",
    }
);

/// What the invoices list and its CSV export show: the query string of
/// `GET /api/v1/portal/invoices` and `GET /api/v1/portal/invoices.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Only these statuses; empty means every status a customer may see.
    pub statuses: Vec<InvoiceStatus>,
    /// Issued on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Issued on or before this day (UTC).
    pub to: Option<NaiveDate>,
    /// Part of the invoice number, in any case.
    pub search: String,
    pub sort: InvoiceSort,
    pub descending: bool,
}

impl Default for InvoiceFilter {
    fn default() -> Self {
        InvoiceFilter {
            statuses: Vec::new(),
            from: None,
            to: None,
            search: String::new(),
            sort: InvoiceSort::IssuedAt,
            descending: true,
        }
    }
}

impl InvoiceFilter {
    /// The query-string pairs this filter is sent as (defaults left out).
    pub fn to_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.statuses.is_empty() {
            let statuses: Vec<&str> = self.statuses.iter().map(|s| s.as_str()).collect();
            pairs.push(("status", statuses.join(",")));
        }
        if let Some(from) = self.from {
            pairs.push(("from", from.to_string()));
        }
        if let Some(to) = self.to {
            pairs.push(("to", to.to_string()));
        }
        if !self.search.trim().is_empty() {
            pairs.push(("q", self.search.trim().to_owned()));
        }
        if self.sort != InvoiceSort::IssuedAt || !self.descending {
            pairs.push(("sort", self.sort.as_str().to_owned()));
            pairs.push(("order", if self.descending { "desc" } else { "asc" }.into()));
        }
        pairs
    }

    /// Whether anything narrows the list (for "no invoices match" versus "no invoices").
    pub fn narrows(&self) -> bool {
        !self.statuses.is_empty()
            || self.from.is_some()
            || self.to.is_some()
            || !self.search.trim().is_empty()
    }
}

/// Parses the `status` parameter: comma-separated statuses (empty items aside), drafts
/// never.
pub fn parse_statuses(text: &str) -> Result<Vec<InvoiceStatus>, UnknownValue> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| match s.parse::<InvoiceStatus>() {
            Ok(InvoiceStatus::Draft) | Err(_) => Err(UnknownValue {
                expected: &[
                    "open",
                    "paid",
                    "partially_paid",
                    "overdue",
                    "void",
                    "uncollectible",
                ],
            }),
            Ok(status) => Ok(status),
        })
        .collect()
}

/// `GET /api/v1/portal/invoices/{id}`: one invoice with what settled or reduced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceDetail {
    #[serde(flatten)]
    pub invoice: Invoice,
    /// Payments and refunds recorded against this invoice, oldest first.
    pub payments: Vec<Payment>,
    /// Credit notes issued against this invoice, oldest first.
    pub credit_notes: Vec<CreditNote>,
    /// Whether `GET …/invoices/{id}/pdf` has a PDF to download.
    pub has_pdf: bool,
}

/// `GET /api/v1/portal/profile`: the customer's details and which of them they may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tax_ids: Vec<TaxId>,
    pub address: Address,
    /// Of `name`, `email`, `phone`, `address`, `tax_ids`: the ones this customer may edit.
    pub editable: Vec<String>,
}

/// `PATCH /api/v1/portal/profile`: only the fields present change. An empty string clears
/// an optional field. A field the organisation does not let customers edit is refused.
/// `POST /api/v1/portal/subscriptions/{id}/cancel`: why, as the customer says. The body
/// may be left out where the organisation lists no reasons.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// One of the organisation's `cancellation_reasons`, or `other`.
    #[serde(default)]
    pub reason: Option<String>,
    /// In the customer's words; needed with `other`.
    #[serde(default)]
    pub comment: Option<String>,
}

/// `POST /api/v1/portal/subscriptions/{id}/pause`: the customer's words, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    #[serde(default)]
    pub comment: Option<String>,
}

/// The reason a customer gives that is none of the organisation's.
pub const OTHER_REASON: &str = "other";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Replaces every tax ID; an empty list removes them all.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::object::optional_each"
    )]
    pub tax_ids: Option<Vec<TaxId>>,
    /// Replaces the whole address; empty parts are cleared.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::object::optional"
    )]
    pub address: Option<Address>,
}

/// `PATCH /api/v1/portal/session`: the customer's choice of language for this session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    pub locale: String,
}

/// What the customer owes in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Balance {
    pub currency: String,
    /// Sum of the amount due of open, partially paid and overdue invoices.
    pub amount_due: i64,
    /// The part of `amount_due` past its due date.
    pub overdue: i64,
    pub overdue_invoices: i64,
}

/// Invoiced in one calendar month (UTC) in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthTotal {
    /// The month's first day.
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub month: NaiveDate,
    pub currency: String,
    pub total: i64,
}

/// The next subscription to renew.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Renewal {
    pub subscription_id: String,
    pub plan: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub date: NaiveDate,
    pub currency: String,
    pub amount: i64,
}

/// `GET /api/v1/portal/overview`: the landing page's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overview {
    /// One entry per currency with money due, largest first.
    pub balances: Vec<Balance>,
    pub next_renewal: Option<Renewal>,
    /// The last twelve months, oldest first, every month present (zero when nothing was
    /// invoiced), per currency the customer was invoiced in.
    pub spending: Vec<MonthTotal>,
    /// When these figures were computed.
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub as_of: DateTime<Utc>,
    /// Where the customer pays everything overdue at once, when something is overdue and
    /// the vendor gave such a page.
    #[serde(default)]
    pub pay_overdue_url: Option<String>,
    /// The overdue invoice, when exactly one is overdue and it can be paid online.
    #[serde(default)]
    pub overdue_invoice: Option<PayableInvoice>,
    /// The credit the customer holds, per currency with any, by currency code; the vendor
    /// takes it off the next invoices. Empty where the payments tab is hidden.
    #[serde(default)]
    pub credits: Vec<Credit>,
}

/// Credit held in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Credit {
    pub currency: String,
    pub amount: i64,
}

/// An invoice the customer can pay on the vendor's payment page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayableInvoice {
    /// Portico's id.
    pub id: String,
    pub number: String,
    pub payment_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_leave_defaults_out_of_the_query() {
        assert!(InvoiceFilter::default().to_query().is_empty());
        let filter = InvoiceFilter {
            statuses: vec![InvoiceStatus::Open, InvoiceStatus::Overdue],
            from: NaiveDate::from_ymd_opt(2026, 1, 1),
            to: None,
            search: "  INV-2 ".into(),
            sort: InvoiceSort::Total,
            descending: false,
        };
        assert_eq!(
            filter.to_query(),
            vec![
                ("status", "open,overdue".to_owned()),
                ("from", "2026-01-01".to_owned()),
                ("q", "INV-2".to_owned()),
                ("sort", "total".to_owned()),
                ("order", "asc".to_owned()),
            ]
        );
    }

    #[test]
    fn status_lists_refuse_drafts_and_unknowns() {
        assert_eq!(
            parse_statuses("open,paid,").unwrap(),
            vec![InvoiceStatus::Open, InvoiceStatus::Paid]
        );
        assert!(parse_statuses("draft").is_err());
        assert!(parse_statuses("open,refunded").is_err());
        assert_eq!(parse_statuses("").unwrap(), vec![]);
    }
}
