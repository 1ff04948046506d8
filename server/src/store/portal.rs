//! The portal's reads and the customer's own changes.

use app::api::portal::InvoiceSort;
use app::api::records::{
    CreditNote, Customer, CustomerInput, Invoice, InvoiceStatus, Payment, PaymentMethod,
    Subscription,
};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::StoreResult;

/// How the portal's invoice list is narrowed and ordered. Drafts are never included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceSearch {
    /// Only these statuses; empty means every status but draft.
    pub statuses: Vec<InvoiceStatus>,
    /// Issued at or after this instant.
    pub issued_from: Option<DateTime<Utc>>,
    /// Issued before this instant.
    pub issued_before: Option<DateTime<Utc>>,
    /// Part of the number, compared in lower case.
    pub number: Option<String>,
    pub sort: InvoiceSort,
    pub descending: bool,
    /// The day that decides which open invoices are past due, and so listed as overdue.
    pub today: NaiveDate,
}

/// Where invoices without a due date sort: after every dated one.
pub fn no_due_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date")
}

/// The sort column's value in the last row of a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortValue {
    Int(i64),
    Date(NaiveDate),
}

/// A position in a sorted list: the last row of the previous page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortCursor {
    pub value: SortValue,
    pub id: String,
}

/// What a customer owes in one currency, as the overview shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceRow {
    pub currency: String,
    pub amount_due: i64,
    pub overdue: i64,
    pub overdue_invoices: i64,
}

/// What the portal reads, and the few changes a customer makes. Every method takes the
/// organisation and customer of the caller's session.
#[async_trait]
pub trait PortalStore: Send + Sync {
    /// The portal's invoice list: filtered, sorted, and paged after `after`.
    async fn search_invoices(
        &self,
        organisation_id: &str,
        customer_id: &str,
        search: &InvoiceSearch,
        after: Option<&SortCursor>,
        limit: i64,
    ) -> StoreResult<Vec<Invoice>>;
    /// The customer's payments and refunds recorded against one invoice, oldest first.
    /// Another customer's rows never appear, even when the invoice was moved between them.
    async fn invoice_payments(
        &self,
        organisation_id: &str,
        customer_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<Payment>>;
    /// The customer's credit notes issued against one invoice, oldest first.
    async fn invoice_credit_notes(
        &self,
        organisation_id: &str,
        customer_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<CreditNote>>;
    async fn has_invoice_pdf(&self, invoice_id: &str) -> StoreResult<bool>;
    /// `(id, number)` of every invoice of the customer, for naming them in exports.
    async fn invoice_numbers(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Money due per currency; an invoice is overdue when marked so or past its due date
    /// on `today` while still unpaid.
    async fn balances(
        &self,
        organisation_id: &str,
        customer_id: &str,
        today: NaiveDate,
    ) -> StoreResult<Vec<BalanceRow>>;
    /// `(issued_at, currency, total)` of the customer's invoices issued since `since`,
    /// leaving out drafts and void invoices.
    async fn invoiced_since(
        &self,
        organisation_id: &str,
        customer_id: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, String, i64)>>;
    /// The customer's own change to their details, recorded as a `customer.updated`
    /// event naming the changed fields, in one transaction.
    async fn update_profile(
        &self,
        organisation_id: &str,
        customer_id: &str,
        input: &CustomerInput,
        changed: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Customer>>;
    /// Marks a subscription to end at the end of its current period, with why (`Some`),
    /// or to renew after all (`None`), and records `subscription.cancellation_requested`
    /// or `subscription.cancellation_withdrawn`, in one transaction. Asking for what is
    /// already so changes nothing and records nothing.
    async fn cancel_at_period_end(
        &self,
        organisation_id: &str,
        customer_id: &str,
        subscription_id: &str,
        cancel: Option<&app::api::portal::CancelRequest>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Subscription>>;
    /// Makes one of the customer's payment methods the default, the others not, and
    /// records a `payment_method.default_changed` event, in one transaction.
    async fn set_default_payment_method(
        &self,
        organisation_id: &str,
        customer_id: &str,
        payment_method_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PaymentMethod>>;
    /// Deletes one of the customer's payment methods that is not the default, and records
    /// a `payment_method.removed` event, in one transaction; `None` when there is no such
    /// method (or it is the default).
    async fn remove_payment_method(
        &self,
        organisation_id: &str,
        customer_id: &str,
        payment_method_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PaymentMethod>>;
}
