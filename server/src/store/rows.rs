//! The rows both backends read, and their conversions into the API's record types.
//!
//! Row structs map column names and are private to the store. The SQL that reads them lives
//! in `sql/`, compiled once per backend; it is not one generic impl because sqlx's bounds for
//! "any database whose executor accepts these types" grow with every column type, while the
//! SQL itself is the same text for SQLite and PostgreSQL.

use std::str::FromStr;

use app::api::records::{
    Address, CreditNote, Customer, Entitlement, Invoice, InvoiceLine, Payment, PaymentMethod,
    Subscription,
};
use chrono::NaiveDate;

use super::{from_millis, ApiKey, Link, Organisation, Session, StoreError, StoreResult};

/// Parses a stored enum value, naming the column when it is not one we know.
fn parse<T: FromStr>(value: &str, column: &str) -> StoreResult<T> {
    value
        .parse()
        .map_err(|_| StoreError::Corrupt(format!("{column} has unknown value {value:?}")))
}

/// A fresh record id. Ids are ordered by time (UUIDv7), so that new rows go to the end of
/// every index on an id instead of to random pages of it: a bulk import writes about four
/// times as fast on SQLite once the tables outgrow the page cache. They carry the
/// millisecond of creation, which every record also shows as `created_at`; nothing secret
/// is made with this.
pub(super) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[derive(sqlx::FromRow)]
pub(super) struct OrganisationRow {
    id: String,
    name: String,
    settings: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;
    fn try_from(r: OrganisationRow) -> StoreResult<Self> {
        Ok(Organisation {
            settings: serde_json::from_str(&r.settings)
                .map_err(|e| StoreError::Corrupt(format!("organisation settings: {e}")))?,
            id: r.id,
            name: r.name,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ApiKeyRow {
    id: String,
    organisation_id: String,
    prefix: String,
    key_hash: Vec<u8>,
    label: String,
    scope: String,
    created_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = StoreError;
    fn try_from(r: ApiKeyRow) -> StoreResult<Self> {
        let scope = crate::store::KeyScope::parse(&r.scope).ok_or_else(|| {
            StoreError::Corrupt(format!("api key {} has scope {:?}", r.id, r.scope))
        })?;
        Ok(ApiKey {
            id: r.id,
            organisation_id: r.organisation_id,
            prefix: r.prefix,
            key_hash: r.key_hash,
            label: r.label,
            scope,
            created_at: from_millis(r.created_at)?,
            revoked_at: r.revoked_at.map(from_millis).transpose()?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CustomerRow {
    id: String,
    external_id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    /// JSON, as [`tax_ids_text`] writes it.
    tax_ids: Option<String>,
    address_line1: Option<String>,
    address_line2: Option<String>,
    address_postal_code: Option<String>,
    address_city: Option<String>,
    address_region: Option<String>,
    address_country: Option<String>,
    locale: Option<String>,
    balance_payment_url: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<CustomerRow> for Customer {
    type Error = StoreError;
    fn try_from(r: CustomerRow) -> StoreResult<Self> {
        Ok(Customer {
            id: r.id,
            external_id: r.external_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            tax_ids: match r.tax_ids.as_deref() {
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| StoreError::Corrupt(format!("customers.tax_ids: {e}")))?,
                None => Vec::new(),
            },
            address: Address {
                line1: r.address_line1,
                line2: r.address_line2,
                postal_code: r.address_postal_code,
                city: r.address_city,
                region: r.address_region,
                country: r.address_country,
            },
            locale: r.locale,
            balance_payment_url: r.balance_payment_url,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InvoiceRow {
    pub(super) id: String,
    external_id: String,
    customer_id: String,
    number: String,
    status: String,
    currency: String,
    total: i64,
    amount_due: i64,
    due_date: Option<NaiveDate>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    issued_at: i64,
    pdf_url: Option<String>,
    payment_url: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl InvoiceRow {
    pub(super) fn into_invoice(self, lines: Vec<InvoiceLine>) -> StoreResult<Invoice> {
        Ok(Invoice {
            status: parse(&self.status, "invoices.status")?,
            id: self.id,
            external_id: self.external_id,
            customer_id: self.customer_id,
            number: self.number,
            currency: self.currency,
            total: self.total,
            amount_due: self.amount_due,
            due_date: self.due_date,
            period_start: self.period_start,
            period_end: self.period_end,
            issued_at: from_millis(self.issued_at)?,
            lines,
            pdf_url: self.pdf_url,
            payment_url: self.payment_url,
            created_at: from_millis(self.created_at)?,
            updated_at: from_millis(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InvoiceLineRow {
    pub(super) invoice_id: String,
    description: String,
    quantity: i64,
    unit_amount: i64,
    amount: i64,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
}

impl From<InvoiceLineRow> for InvoiceLine {
    fn from(r: InvoiceLineRow) -> Self {
        InvoiceLine {
            description: r.description,
            quantity: r.quantity,
            unit_amount: r.unit_amount,
            amount: r.amount,
            period_start: r.period_start,
            period_end: r.period_end,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CreditNoteRow {
    id: String,
    external_id: String,
    customer_id: String,
    invoice_id: Option<String>,
    number: String,
    status: String,
    currency: String,
    total: i64,
    reason: Option<String>,
    issued_at: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<CreditNoteRow> for CreditNote {
    type Error = StoreError;
    fn try_from(r: CreditNoteRow) -> StoreResult<Self> {
        Ok(CreditNote {
            status: parse(&r.status, "credit_notes.status")?,
            id: r.id,
            external_id: r.external_id,
            customer_id: r.customer_id,
            invoice_id: r.invoice_id,
            number: r.number,
            currency: r.currency,
            total: r.total,
            reason: r.reason,
            issued_at: from_millis(r.issued_at)?,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PaymentRow {
    id: String,
    external_id: String,
    customer_id: String,
    invoice_id: Option<String>,
    kind: String,
    status: String,
    method: String,
    currency: String,
    amount: i64,
    paid_at: i64,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PaymentRow> for Payment {
    type Error = StoreError;
    fn try_from(r: PaymentRow) -> StoreResult<Self> {
        Ok(Payment {
            kind: parse(&r.kind, "payments.kind")?,
            status: parse(&r.status, "payments.status")?,
            id: r.id,
            external_id: r.external_id,
            customer_id: r.customer_id,
            invoice_id: r.invoice_id,
            method: r.method,
            currency: r.currency,
            amount: r.amount,
            paid_at: from_millis(r.paid_at)?,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct EntitlementRow {
    id: String,
    external_id: String,
    customer_id: String,
    feature: String,
    limit_value: Option<i64>,
    usage: i64,
    unit: String,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    /// JSON, as [`usage_series_text`] writes it.
    usage_series: Option<String>,
    created_at: i64,
    updated_at: i64,
}

/// A customer's tax IDs as stored: JSON, or nothing when there are none.
pub(super) fn tax_ids_text(ids: &[app::api::records::TaxId]) -> Option<String> {
    (!ids.is_empty()).then(|| serde_json::to_string(ids).unwrap_or_default())
}

/// A plan of the catalogue as stored.
#[derive(sqlx::FromRow)]
pub(super) struct PlanRow {
    id: String,
    document: String,
    updated_at: i64,
}

impl TryFrom<PlanRow> for app::api::plans::Plan {
    type Error = StoreError;
    fn try_from(r: PlanRow) -> StoreResult<Self> {
        let input: app::api::plans::PlanInput = serde_json::from_str(&r.document)
            .map_err(|e| StoreError::Corrupt(format!("plans.document: {e}")))?;
        Ok(app::api::plans::Plan {
            id: r.id,
            name: input.name,
            interval: input.interval,
            prices: input.prices,
            features: input.features,
            switches_to: input.switches_to,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

/// A credit balance as stored.
#[derive(sqlx::FromRow)]
pub(super) struct CreditBalanceRow {
    currency: String,
    amount: i64,
    /// JSON, as [`transactions_text`] writes it.
    transactions: Option<String>,
    updated_at: i64,
}

/// A credit balance's transactions as stored: JSON, or nothing when there are none.
pub(super) fn transactions_text(list: &[app::api::records::CreditTransaction]) -> Option<String> {
    (!list.is_empty()).then(|| serde_json::to_string(list).unwrap_or_default())
}

impl TryFrom<CreditBalanceRow> for app::api::records::CreditBalance {
    type Error = StoreError;
    fn try_from(r: CreditBalanceRow) -> StoreResult<Self> {
        Ok(app::api::records::CreditBalance {
            currency: r.currency,
            amount: r.amount,
            transactions: match r.transactions.as_deref() {
                Some(text) => serde_json::from_str(text).map_err(|e| {
                    StoreError::Corrupt(format!("credit_balances.transactions: {e}"))
                })?,
                None => Vec::new(),
            },
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

/// An entitlement's usage series as stored: JSON, or nothing when there is none.
pub(super) fn usage_series_text(series: &[app::api::records::UsagePoint]) -> Option<String> {
    (!series.is_empty()).then(|| serde_json::to_string(series).unwrap_or_default())
}

impl TryFrom<EntitlementRow> for Entitlement {
    type Error = StoreError;
    fn try_from(r: EntitlementRow) -> StoreResult<Self> {
        Ok(Entitlement {
            id: r.id,
            external_id: r.external_id,
            customer_id: r.customer_id,
            feature: r.feature,
            limit: r.limit_value,
            usage: r.usage,
            unit: r.unit,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            usage_series: match r.usage_series.as_deref() {
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| StoreError::Corrupt(format!("entitlements.usage_series: {e}")))?,
                None => Vec::new(),
            },
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SubscriptionRow {
    id: String,
    external_id: String,
    customer_id: String,
    plan: String,
    plan_id: Option<String>,
    status: String,
    currency: String,
    amount: i64,
    billing_interval: String,
    current_period_start: NaiveDate,
    current_period_end: NaiveDate,
    renews_at: Option<NaiveDate>,
    cancel_at_period_end: bool,
    cancelled_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<SubscriptionRow> for Subscription {
    type Error = StoreError;
    fn try_from(r: SubscriptionRow) -> StoreResult<Self> {
        Ok(Subscription {
            status: parse(&r.status, "subscriptions.status")?,
            interval: parse(&r.billing_interval, "subscriptions.billing_interval")?,
            id: r.id,
            external_id: r.external_id,
            customer_id: r.customer_id,
            plan: r.plan,
            plan_id: r.plan_id,
            currency: r.currency,
            amount: r.amount,
            current_period_start: r.current_period_start,
            current_period_end: r.current_period_end,
            renews_at: r.renews_at,
            cancel_at_period_end: r.cancel_at_period_end,
            cancelled_at: r.cancelled_at.map(from_millis).transpose()?,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PaymentMethodRow {
    id: String,
    external_id: String,
    customer_id: String,
    kind: String,
    brand: Option<String>,
    last4: Option<String>,
    exp_month: Option<i32>,
    exp_year: Option<i32>,
    pub(super) is_default: bool,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<PaymentMethodRow> for PaymentMethod {
    type Error = StoreError;
    fn try_from(r: PaymentMethodRow) -> StoreResult<Self> {
        Ok(PaymentMethod {
            kind: parse(&r.kind, "payment_methods.kind")?,
            id: r.id,
            external_id: r.external_id,
            customer_id: r.customer_id,
            brand: r.brand,
            last4: r.last4,
            exp_month: r.exp_month,
            exp_year: r.exp_year,
            is_default: r.is_default,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct LinkRow {
    id: String,
    organisation_id: String,
    customer_id: String,
    return_url: Option<String>,
    locale: Option<String>,
    section: Option<String>,
    idle_timeout_secs: i64,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<LinkRow> for Link {
    type Error = StoreError;
    fn try_from(r: LinkRow) -> StoreResult<Self> {
        Ok(Link {
            id: r.id,
            organisation_id: r.organisation_id,
            customer_id: r.customer_id,
            return_url: r.return_url,
            locale: r.locale,
            section: r.section,
            idle_timeout_secs: r.idle_timeout_secs,
            expires_at: from_millis(r.expires_at)?,
            used_at: r.used_at.map(from_millis).transpose()?,
            revoked_at: r.revoked_at.map(from_millis).transpose()?,
            created_at: from_millis(r.created_at)?,
        })
    }
}

/// A session joined with its link's return URL and section.
#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id: String,
    organisation_id: String,
    customer_id: String,
    link_id: String,
    locale: Option<String>,
    idle_timeout_secs: i64,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    return_url: Option<String>,
    section: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Self> {
        Ok(Session {
            id: r.id,
            organisation_id: r.organisation_id,
            customer_id: r.customer_id,
            link_id: r.link_id,
            locale: r.locale,
            idle_timeout_secs: r.idle_timeout_secs,
            created_at: from_millis(r.created_at)?,
            last_seen_at: from_millis(r.last_seen_at)?,
            expires_at: from_millis(r.expires_at)?,
            ended_at: r.ended_at.map(from_millis).transpose()?,
            end_reason: r.end_reason,
            return_url: r.return_url,
            section: r.section,
        })
    }
}

/// The columns of a [`SessionRow`], for queries that join sessions with links.
pub(super) const SESSION_COLUMNS: &str = "s.id, s.organisation_id, s.customer_id, s.link_id, \
    s.locale, s.idle_timeout_secs, s.created_at, s.last_seen_at, s.expires_at, s.ended_at, \
    s.end_reason, l.return_url, l.section";

/// Converts a list of rows, failing on the first unreadable one.
pub(super) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

/// Maps a unique-key violation to [`StoreError::Conflict`] naming `what`.
pub(super) fn conflict(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

pub(super) use super::no_due_date;

#[derive(sqlx::FromRow)]
pub(super) struct BalanceRow {
    pub currency: String,
    pub amount_due: i64,
    pub overdue: i64,
    pub overdue_invoices: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: String,
    customer_id: Option<String>,
    kind: String,
    payload: String,
    created_at: i64,
}

impl TryFrom<EventRow> for super::Event {
    type Error = StoreError;
    fn try_from(r: EventRow) -> StoreResult<Self> {
        Ok(super::Event {
            payload: serde_json::from_str(&r.payload)
                .map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?,
            id: r.id,
            kind: r.kind,
            customer_id: r.customer_id,
            created_at: from_millis(r.created_at)?,
        })
    }
}
