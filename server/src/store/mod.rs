//! Persistence: one async [`Store`] trait with an SQLite and a PostgreSQL implementation.
//!
//! Both backends run the same SQL text (see [`shared`]): the schemas differ only in column
//! types, instants are stored as epoch milliseconds and `$n` placeholders work on both.
//! What differs per backend — connecting, pragmas, migrations — lives in `sqlite.rs` and
//! `postgres.rs`. Every query that reads customer data is scoped by organisation id.

mod postgres;
mod shared;
mod sqlite;

use std::sync::Arc;

use app::api::portal::InvoiceSort;
use app::api::records::{
    CreditNote, CreditNoteInput, Customer, CustomerInput, Entitlement, EntitlementInput, Invoice,
    InvoiceInput, InvoiceStatus, Payment, PaymentInput, PaymentMethod, PaymentMethodInput,
    Subscription, SubscriptionInput,
};
use app::api::settings::OrganisationSettings;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique key already holds this value (names the constraint's subject).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// Stored data that cannot be read back, e.g. an unknown status string.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Whether an upsert made a new record or changed an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
}

/// An organisation (a vendor) and its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub settings: OrganisationSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An organisation's logo image.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Logo {
    pub content_type: String,
    pub content: Vec<u8>,
    /// Epoch milliseconds of the upload; changes the logo's URL so caches refresh.
    pub updated_at: i64,
}

/// A vendor API key as stored: only its hash and a short public prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub organisation_id: String,
    /// The first characters of the key, enough to tell keys apart in a list.
    pub prefix: String,
    pub key_hash: Vec<u8>,
    pub label: String,
    pub scope: KeyScope,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What an API key may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyScope {
    /// Every vendor operation.
    #[default]
    Full,
    /// Reads only (`GET`): records, settings, events, links.
    Read,
    /// Minting portal links only: what a vendor's web tier needs.
    Links,
}

impl KeyScope {
    pub const ALL: [KeyScope; 3] = [KeyScope::Full, KeyScope::Read, KeyScope::Links];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Full => "full",
            KeyScope::Read => "read",
            KeyScope::Links => "links",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A one-time portal link to be stored; the token itself is never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLink {
    pub id: String,
    pub organisation_id: String,
    pub customer_id: String,
    pub token_hash: Vec<u8>,
    pub return_url: Option<String>,
    pub locale: Option<String>,
    pub section: Option<String>,
    pub idle_timeout_secs: i64,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The API key that made the link; `None` for the command line and the demo.
    pub api_key_id: Option<String>,
}

/// A stored portal link, as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub organisation_id: String,
    pub customer_id: String,
    pub return_url: Option<String>,
    pub locale: Option<String>,
    pub section: Option<String>,
    pub idle_timeout_secs: i64,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A portal session made from a link, with the link's return URL and section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub organisation_id: String,
    pub customer_id: String,
    pub link_id: String,
    pub locale: Option<String>,
    pub idle_timeout_secs: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end of the session, whatever its activity.
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
    pub return_url: Option<String>,
    pub section: Option<String>,
}

impl Session {
    /// Whether the session may still be used at `now`: not ended, not past its absolute
    /// lifetime, and not idle for longer than its idle timeout.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none()
            && now < self.expires_at
            && now < self.last_seen_at + chrono::Duration::seconds(self.idle_timeout_secs)
    }
}

/// A link that can still be used, or whose session is still live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveLink {
    pub link: Link,
    /// The session made from it, when it has been opened.
    pub session: Option<Session>,
}

/// The kinds of billing record a vendor writes, each in its own table.
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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

/// A customer action or vendor change, kept as the audit log and the webhook outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: String,
    pub kind: String,
    pub customer_id: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// What a customer owes in one currency, as the overview shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceRow {
    pub currency: String,
    pub amount_due: i64,
    pub overdue: i64,
    pub overdue_invoices: i64,
}

/// Everything Portico keeps. Customer-facing reads take both organisation and customer id
/// so that no caller can forget one of them.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn create_organisation(
        &self,
        id: &str,
        name: &str,
        settings: &OrganisationSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Organisation>;
    async fn get_organisation(&self, id: &str) -> StoreResult<Option<Organisation>>;
    /// Replaces an organisation's name and settings; returns it as stored.
    async fn update_organisation(
        &self,
        id: &str,
        name: &str,
        settings: &OrganisationSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Organisation>>;
    /// Stores the organisation's logo, replacing any earlier one.
    async fn put_logo(
        &self,
        organisation_id: &str,
        content_type: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn get_logo(&self, organisation_id: &str) -> StoreResult<Option<Logo>>;
    /// Removes the logo; returns whether there was one.
    async fn delete_logo(&self, organisation_id: &str) -> StoreResult<bool>;
    async fn count_organisations(&self) -> StoreResult<i64>;

    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    async fn find_api_key(&self, key_hash: &[u8]) -> StoreResult<Option<ApiKey>>;
    async fn list_api_keys(&self, organisation_id: &str) -> StoreResult<Vec<ApiKey>>;
    /// Revokes the organisation's live keys starting with `prefix`; returns how many.
    async fn revoke_api_keys(
        &self,
        organisation_id: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;

    async fn upsert_customer(
        &self,
        organisation_id: &str,
        external_id: &str,
        input: &CustomerInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Customer, Upserted)>;
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

    /// Writes an invoice and replaces its lines, atomically.
    async fn upsert_invoice(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &InvoiceInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Invoice, Upserted)>;
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

    async fn upsert_credit_note(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
        input: &CreditNoteInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(CreditNote, Upserted)>;
    async fn list_credit_notes(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<CreditNote>>;

    async fn upsert_payment(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
        input: &PaymentInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Payment, Upserted)>;
    /// A customer's payments and refunds, newest first.
    async fn list_payments(
        &self,
        organisation_id: &str,
        customer_id: &str,
        before: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<Vec<Payment>>;

    async fn upsert_entitlement(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &EntitlementInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Entitlement, Upserted)>;
    async fn list_entitlements(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Entitlement>>;

    async fn upsert_subscription(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &SubscriptionInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Subscription, Upserted)>;
    async fn list_subscriptions(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Subscription>>;

    /// Writes a payment method; when it is the default, the customer's others stop being so.
    async fn upsert_payment_method(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &PaymentMethodInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(PaymentMethod, Upserted)>;
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
    async fn get_invoice_pdf(&self, invoice_id: &str) -> StoreResult<Option<Vec<u8>>>;

    async fn insert_link(&self, link: &NewLink) -> StoreResult<()>;
    async fn find_link(&self, token_hash: &[u8]) -> StoreResult<Option<Link>>;
    /// Claims a link that is unused, unrevoked and unexpired at `now` and makes its
    /// session, atomically: of two concurrent exchanges of one link, one gets `None`.
    async fn exchange_link(
        &self,
        token_hash: &[u8],
        session_id: &str,
        session_token_hash: &[u8],
        session_lifetime_secs: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>>;
    async fn find_session(&self, token_hash: &[u8]) -> StoreResult<Option<Session>>;
    /// Records activity, but writes only when the last record is older than
    /// `coalesce_secs`, so a busy session does not write on every request.
    async fn touch_session(
        &self,
        id: &str,
        now: DateTime<Utc>,
        coalesce_secs: i64,
    ) -> StoreResult<()>;
    /// Ends a live session; returns whether it was live.
    async fn end_session(&self, id: &str, reason: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Revokes a link of the organisation and ends every session made from it; returns
    /// whether the link exists.
    async fn revoke_link(
        &self,
        organisation_id: &str,
        link_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// A customer's links that can still be opened or whose session is live, newest first.
    async fn list_live_links(
        &self,
        organisation_id: &str,
        customer_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<LiveLink>>;

    async fn record_counts(&self, organisation_id: &str) -> StoreResult<RecordCounts>;

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
    /// Marks a subscription of the customer to end at its period's end and records a
    /// `subscription.cancellation_requested` event, in one transaction. `None` when the
    /// customer has no such subscription; an already-marked one is returned unchanged
    /// and records nothing.
    async fn cancel_at_period_end(
        &self,
        organisation_id: &str,
        customer_id: &str,
        subscription_id: &str,
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
    /// The organisation's events, oldest first, after the event `after` (by id).
    async fn list_events(
        &self,
        organisation_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Event>>;
    /// The language the customer chose for a live session.
    async fn set_session_locale(&self, session_id: &str, locale: &str) -> StoreResult<()>;
}

/// Opens the store a database URL names: `postgres://` or `postgresql://` selects
/// PostgreSQL, anything else (`sqlite://file.db`, a bare path) SQLite. Runs migrations.
pub async fn connect(database_url: &str) -> StoreResult<Arc<dyn Store>> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(database_url).await?))
    } else {
        Ok(Arc::new(SqliteStore::connect(database_url).await?))
    }
}

/// Converts stored epoch milliseconds back into an instant.
pub(crate) fn from_millis(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range")))
}
