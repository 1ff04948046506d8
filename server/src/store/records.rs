//! Billing records as the vendor pushes them: customers, invoices, credit notes, payments,
//! entitlements, subscriptions and payment methods.

use app::api::records::{
    CreditNote, CreditNoteInput, Customer, CustomerInput, Entitlement, EntitlementInput, Invoice,
    InvoiceInput, Payment, PaymentInput, PaymentMethod, PaymentMethodInput, Subscription,
    SubscriptionInput,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// Whether an upsert made a new record or changed an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
}

/// The kinds of billing record a vendor writes, each in its own table, in the order of
/// their references: a kind points only at kinds before it. A write batch relies on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Customer,
    Invoice,
    CreditNote,
    Payment,
    Entitlement,
    Subscription,
    PaymentMethod,
}

impl RecordKind {
    /// The table holding this kind; never built from request input.
    pub fn table(self) -> &'static str {
        match self {
            RecordKind::Customer => "customers",
            RecordKind::Invoice => "invoices",
            RecordKind::CreditNote => "credit_notes",
            RecordKind::Payment => "payments",
            RecordKind::Entitlement => "entitlements",
            RecordKind::Subscription => "subscriptions",
            RecordKind::PaymentMethod => "payment_methods",
        }
    }
}

/// A page of records in the vendor's id order: which customer (if any), and after which
/// vendor id.
#[derive(Clone, Copy, Debug, Default)]
pub struct VendorPage<'a> {
    pub customer_id: Option<&'a str>,
    pub after: Option<&'a str>,
    pub limit: i64,
}

/// How many records of each kind an organisation holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct RecordCounts {
    pub customers: i64,
    pub invoices: i64,
    pub invoice_lines: i64,
    pub credit_notes: i64,
    pub payments: i64,
    pub entitlements: i64,
    pub subscriptions: i64,
    pub payment_methods: i64,
}

/// A position in a newest-first list: the last row of the previous page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: String,
}

/// One record of a write batch: the vendor's id and the input, already checked against
/// its field rules. The store resolves its references (`customer_id`, `invoice_id`) inside
/// the batch, so that a record may point at one written earlier in the same batch.
#[derive(Clone, Debug)]
pub struct BatchItem {
    pub external_id: String,
    pub record: BatchRecord,
    /// False when the input failed its field rules: its references are still checked, so
    /// that every problem is reported at once, but nothing is written.
    pub valid: bool,
}

/// A record of any kind, as the vendor writes it.
#[derive(Clone, Debug)]
pub enum BatchRecord {
    Customer(CustomerInput),
    Invoice(InvoiceInput),
    CreditNote(CreditNoteInput),
    Payment(PaymentInput),
    Entitlement(EntitlementInput),
    Subscription(SubscriptionInput),
    PaymentMethod(PaymentMethodInput),
}

impl BatchRecord {
    pub fn kind(&self) -> RecordKind {
        match self {
            BatchRecord::Customer(_) => RecordKind::Customer,
            BatchRecord::Invoice(_) => RecordKind::Invoice,
            BatchRecord::CreditNote(_) => RecordKind::CreditNote,
            BatchRecord::Payment(_) => RecordKind::Payment,
            BatchRecord::Entitlement(_) => RecordKind::Entitlement,
            BatchRecord::Subscription(_) => RecordKind::Subscription,
            BatchRecord::PaymentMethod(_) => RecordKind::PaymentMethod,
        }
    }

    /// The customer the record belongs to, as the vendor named it; none for a customer.
    pub fn customer_ref(&self) -> Option<&str> {
        match self {
            BatchRecord::Customer(_) => None,
            BatchRecord::Invoice(r) => Some(&r.customer_id),
            BatchRecord::CreditNote(r) => Some(&r.customer_id),
            BatchRecord::Payment(r) => Some(&r.customer_id),
            BatchRecord::Entitlement(r) => Some(&r.customer_id),
            BatchRecord::Subscription(r) => Some(&r.customer_id),
            BatchRecord::PaymentMethod(r) => Some(&r.customer_id),
        }
    }

    /// The invoice the record points at, as the vendor named it, if any.
    pub fn invoice_ref(&self) -> Option<&str> {
        match self {
            BatchRecord::CreditNote(r) => r.invoice_id.as_deref(),
            BatchRecord::Payment(r) => r.invoice_id.as_deref(),
            _ => None,
        }
    }
}

/// What became of one [`BatchItem`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// Portico's id of the record and whether it was made or changed, when it was written.
    pub written: Option<(String, Upserted)>,
    /// References that name nothing the record may point at: (field, reason).
    pub problems: Vec<(&'static str, &'static str)>,
}

/// Why a reference was refused; the same words for a `PUT` and an import line.
pub mod refused {
    pub const NO_CUSTOMER: &str = "does not name a customer of this organisation";
    pub const NO_INVOICE: &str = "does not name an invoice of this organisation";
    pub const OTHER_CUSTOMERS_INVOICE: &str = "belongs to another customer";
}

/// The vendor's writes: idempotent upserts keyed by the vendor's ids, deletes and PDFs.
#[async_trait]
pub trait RecordWriter: Send + Sync {
    /// Writes the valid items whose references resolve, in order, in one transaction:
    /// all of them or, when the database fails, none. Records are keyed by the vendor's id,
    /// so writing an item again changes the record in place; an invoice's lines are
    /// replaced with the input's, and a default payment method makes the customer's
    /// others stop being so. Answers one outcome per item.
    async fn write_batch(
        &self,
        organisation_id: &str,
        items: &[BatchItem],
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<BatchOutcome>>;
    /// Deletes one record of the organisation by Portico's id; returns whether it existed.
    /// Deleting a customer deletes everything of theirs.
    async fn delete_record(
        &self,
        kind: RecordKind,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<bool>;
    /// Stores an invoice's PDF, replacing any earlier one.
    async fn put_invoice_pdf(
        &self,
        invoice_id: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// Reads of billing records by id, by the vendor's id, and in pages.
#[async_trait]
pub trait RecordReader: Send + Sync {
    async fn get_customer(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Customer>>;
    /// Finds a customer by Portico's id or, failing that, by the vendor's own id.
    async fn find_customer(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Customer>>;
    /// Customers ordered by the vendor's id, after `after` (exclusive).
    async fn list_customers(
        &self,
        organisation_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Customer>>;
    /// One invoice with its lines.
    async fn get_invoice(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Invoice>>;
    /// Finds an invoice by Portico's id or the vendor's own id.
    async fn find_invoice(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Invoice>>;
    /// A customer's invoices, newest first, without their lines; drafts only when asked.
    async fn list_invoices(
        &self,
        organisation_id: &str,
        customer_id: &str,
        include_drafts: bool,
        before: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<Vec<Invoice>>;
    async fn list_credit_notes(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<CreditNote>>;
    /// A customer's payments and refunds, newest first.
    async fn list_payments(
        &self,
        organisation_id: &str,
        customer_id: &str,
        before: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<Vec<Payment>>;
    async fn list_entitlements(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Entitlement>>;
    async fn list_subscriptions(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Subscription>>;
    async fn list_payment_methods(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<PaymentMethod>>;
    async fn find_credit_note(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<CreditNote>>;
    async fn find_payment(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Payment>>;
    async fn find_entitlement(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Entitlement>>;
    async fn find_subscription(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Subscription>>;
    async fn find_payment_method(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<PaymentMethod>>;
    /// Records of the organisation in the vendor's id order (invoices without lines).
    async fn page_invoices(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Invoice>>;
    async fn page_credit_notes(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<CreditNote>>;
    async fn page_payments(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Payment>>;
    async fn page_entitlements(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Entitlement>>;
    async fn page_subscriptions(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Subscription>>;
    async fn page_payment_methods(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<PaymentMethod>>;
    async fn get_invoice_pdf(&self, invoice_id: &str) -> StoreResult<Option<Vec<u8>>>;
    async fn record_counts(&self, organisation_id: &str) -> StoreResult<RecordCounts>;
}
