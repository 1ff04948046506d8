//! The SQL both backends run, written once.
//!
//! Row structs are private and map column names; conversions turn them into the API's
//! record types. `sql_store!` implements [`Store`](super::Store) for a type with a
//! `pool` field. It is a macro rather than a generic impl because sqlx's bounds for
//! "any database whose executor accepts these types" grow with every column type, while
//! the SQL itself is the same text for SQLite and PostgreSQL.

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

/// A fresh record id.
pub(super) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
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
    tax_id: Option<String>,
    address_line1: Option<String>,
    address_line2: Option<String>,
    address_postal_code: Option<String>,
    address_city: Option<String>,
    address_region: Option<String>,
    address_country: Option<String>,
    locale: Option<String>,
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
            tax_id: r.tax_id,
            address: Address {
                line1: r.address_line1,
                line2: r.address_line2,
                postal_code: r.address_postal_code,
                city: r.address_city,
                region: r.address_region,
                country: r.address_country,
            },
            locale: r.locale,
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
            created_at: from_millis(self.created_at)?,
            updated_at: from_millis(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InvoiceLineRow {
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
    created_at: i64,
    updated_at: i64,
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

#[derive(sqlx::FromRow)]
pub(super) struct CountsRow {
    pub customers: i64,
    pub invoices: i64,
    pub invoice_lines: i64,
    pub credit_notes: i64,
    pub payments: i64,
    pub entitlements: i64,
    pub subscriptions: i64,
    pub payment_methods: i64,
}

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

/// An upsert keyed by `(organisation_id, external_id)` that works the same on both
/// backends: insert unless the key exists, otherwise update. Neither statement can lose a
/// concurrent write; if the row vanishes between them (a concurrent delete) it tries again.
///
/// Both statements take the same binds. The fresh id is the last one; the update uses it
/// only as `id <> $n`, which is always true, because SQLite refuses a bound parameter that
/// a statement never names.
macro_rules! upsert {
    ($exec:expr, $row:ty, insert: $insert:expr, update: $update:expr, binds: |$q:ident| $binds:expr) => {{
        let mut outcome = None;
        for _ in 0..3 {
            let $q = sqlx::query_as::<_, $row>($insert);
            if let Some(row) = $binds.fetch_optional(&mut *$exec).await? {
                outcome = Some((row, $crate::store::Upserted::Created));
                break;
            }
            let $q = sqlx::query_as::<_, $row>($update);
            if let Some(row) = $binds.fetch_optional(&mut *$exec).await? {
                outcome = Some((row, $crate::store::Upserted::Updated));
                break;
            }
        }
        outcome.ok_or_else(|| {
            $crate::store::StoreError::Corrupt("upsert raced with a delete three times".into())
        })?
    }};
}
pub(super) use upsert;

macro_rules! sql_store {
    ($store:ty, $backend:expr, $db:ty) => {
        impl $store {
            /// A transaction that writes. SQLite takes its write lock at the start
            /// (`BEGIN IMMEDIATE`), so that a busy database is waited for: a deferred
            /// transaction that has read first cannot wait for another writer and fails at
            /// once with "database is locked".
            async fn write_tx(
                &self,
            ) -> Result<sqlx::Transaction<'static, $db>, sqlx::Error> {
                if $backend == $crate::store::Backend::Sqlite {
                    self.pool.begin_with("BEGIN IMMEDIATE").await
                } else {
                    self.pool.begin().await
                }
            }

            /// Appends an event inside the caller's transaction, so that a change and its
            /// record land together or not at all.
            async fn insert_event(
                tx: &mut sqlx::Transaction<'_, $db>,
                organisation_id: &str,
                customer_id: Option<&str>,
                kind: &str,
                payload: &serde_json::Value,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO events (id, organisation_id, customer_id, kind, payload, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(shared::new_id())
                .bind(organisation_id)
                .bind(customer_id)
                .bind(kind)
                .bind(payload.to_string())
                .bind(now.timestamp_millis())
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// One record of `table` by Portico's id or, failing that, the vendor's.
            async fn find_one<R>(
                &self,
                table: &'static str,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<R>>
            where
                R: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
            {
                Ok(sqlx::query_as::<_, R>(&format!(
                    "SELECT * FROM {table} WHERE organisation_id = $1 \
                     AND (id = $2 OR external_id = $2) \
                     ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1"
                ))
                .bind(organisation_id)
                .bind(id_or_external_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            /// A page of `table` in the vendor's id order, optionally for one customer.
            async fn page_of<R>(
                &self,
                table: &'static str,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<R>>
            where
                R: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
            {
                // Parameters are numbered as they are added: SQLite refuses unused ones.
                let mut sql = format!("SELECT * FROM {table} WHERE organisation_id = $1");
                let mut n = 1;
                if page.customer_id.is_some() {
                    n += 1;
                    sql.push_str(&format!(" AND customer_id = ${n}"));
                }
                if page.after.is_some() {
                    n += 1;
                    sql.push_str(&format!(" AND external_id > ${n}"));
                }
                sql.push_str(&format!(" ORDER BY external_id LIMIT ${}", n + 1));
                let mut query = sqlx::query_as::<$db, R>(&sql).bind(organisation_id);
                if let Some(customer) = page.customer_id {
                    query = query.bind(customer);
                }
                if let Some(after) = page.after {
                    query = query.bind(after);
                }
                Ok(query.bind(page.limit).fetch_all(&self.pool).await?)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::store::Backend {
                $backend
            }

            async fn ping(&self) -> $crate::store::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_organisation(
                &self,
                id: &str,
                name: &str,
                settings: &app::api::settings::OrganisationSettings,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<$crate::store::Organisation> {
                let settings = serde_json::to_string(settings)
                    .map_err(|e| $crate::store::StoreError::Corrupt(e.to_string()))?;
                let row = sqlx::query_as::<_, shared::OrganisationRow>(
                    "INSERT INTO organisations (id, name, settings, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $4) RETURNING *",
                )
                .bind(id)
                .bind(name)
                .bind(settings)
                .bind(now.timestamp_millis())
                .fetch_one(&self.pool)
                .await
                .map_err(shared::conflict("organisation"))?;
                row.try_into()
            }

            async fn get_organisation(
                &self,
                id: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::Organisation>> {
                sqlx::query_as::<_, shared::OrganisationRow>(
                    "SELECT * FROM organisations WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn update_organisation(
                &self,
                id: &str,
                name: &str,
                settings: &app::api::settings::OrganisationSettings,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Option<$crate::store::Organisation>> {
                let settings = serde_json::to_string(settings)
                    .map_err(|e| $crate::store::StoreError::Corrupt(e.to_string()))?;
                sqlx::query_as::<_, shared::OrganisationRow>(
                    "UPDATE organisations SET name = $2, settings = $3, updated_at = $4 \
                     WHERE id = $1 RETURNING *",
                )
                .bind(id)
                .bind(name)
                .bind(settings)
                .bind(now.timestamp_millis())
                .fetch_optional(&self.pool)
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn put_logo(
                &self,
                organisation_id: &str,
                content_type: &str,
                content: &[u8],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO organisation_logos (organisation_id, content_type, content, updated_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO UPDATE SET \
                     content_type = excluded.content_type, content = excluded.content, \
                     updated_at = excluded.updated_at",
                )
                .bind(organisation_id)
                .bind(content_type)
                .bind(content)
                .bind(now.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_logo(
                &self,
                organisation_id: &str,
            ) -> $crate::store::StoreResult<Option<$crate::store::Logo>> {
                Ok(sqlx::query_as::<_, $crate::store::Logo>(
                    "SELECT content_type, content, updated_at FROM organisation_logos \
                     WHERE organisation_id = $1",
                )
                .bind(organisation_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn delete_logo(&self, organisation_id: &str) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query("DELETE FROM organisation_logos WHERE organisation_id = $1")
                    .bind(organisation_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn count_organisations(&self) -> $crate::store::StoreResult<i64> {
                Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn insert_api_key(
                &self,
                key: &$crate::store::ApiKey,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO api_keys \
                     (id, organisation_id, prefix, key_hash, label, created_at, revoked_at, scope) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&key.id)
                .bind(&key.organisation_id)
                .bind(&key.prefix)
                .bind(&key.key_hash)
                .bind(&key.label)
                .bind(key.created_at.timestamp_millis())
                .bind(key.revoked_at.map(|t| t.timestamp_millis()))
                .bind(key.scope.as_str())
                .execute(&self.pool)
                .await
                .map_err(shared::conflict("api key"))?;
                Ok(())
            }

            async fn find_api_key(
                &self,
                key_hash: &[u8],
            ) -> $crate::store::StoreResult<Option<$crate::store::ApiKey>> {
                sqlx::query_as::<_, shared::ApiKeyRow>("SELECT * FROM api_keys WHERE key_hash = $1")
                    .bind(key_hash)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn list_api_keys(
                &self,
                organisation_id: &str,
            ) -> $crate::store::StoreResult<Vec<$crate::store::ApiKey>> {
                let rows = sqlx::query_as::<_, shared::ApiKeyRow>(
                    "SELECT * FROM api_keys WHERE organisation_id = $1 ORDER BY created_at, id",
                )
                .bind(organisation_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn revoke_api_keys(
                &self,
                organisation_id: &str,
                prefix: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<u64> {
                let now_ms = now.timestamp_millis();
                let mut tx = self.write_tx().await?;
                // The prefix is matched literally, never as a LIKE pattern.
                let revoked = sqlx::query_scalar::<_, String>(
                    "UPDATE api_keys SET revoked_at = $3 \
                     WHERE organisation_id = $1 AND revoked_at IS NULL \
                     AND substr(prefix, 1, length($2)) = $2 RETURNING id",
                )
                .bind(organisation_id)
                .bind(prefix)
                .bind(now_ms)
                .fetch_all(&mut *tx)
                .await?;
                // What the keys made stops working with them: their links, and the
                // sessions opened from those links.
                for key_id in &revoked {
                    sqlx::query(
                        "UPDATE sessions SET ended_at = $2, end_reason = 'revoked' \
                         WHERE ended_at IS NULL AND link_id IN \
                         (SELECT id FROM link_tokens WHERE api_key_id = $1)",
                    )
                    .bind(key_id)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE link_tokens SET revoked_at = $2 \
                         WHERE api_key_id = $1 AND revoked_at IS NULL",
                    )
                    .bind(key_id)
                    .bind(now_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(revoked.len() as u64)
            }

            async fn upsert_customer(
                &self,
                organisation_id: &str,
                external_id: &str,
                input: &app::api::records::CustomerInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::Customer,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let a = &input.address;
                let mut conn = self.pool.acquire().await?;
                let (row, outcome) = shared::upsert!(
                    conn,
                    shared::CustomerRow,
                    insert: "INSERT INTO customers (organisation_id, external_id, name, email, \
                        phone, tax_id, address_line1, address_line2, address_postal_code, \
                        address_city, address_region, address_country, locale, updated_at, \
                        created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE customers SET name = $3, email = $4, phone = $5, \
                        tax_id = $6, address_line1 = $7, address_line2 = $8, \
                        address_postal_code = $9, address_city = $10, address_region = $11, \
                        address_country = $12, locale = $13, updated_at = $14 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $15 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(&input.name)
                        .bind(&input.email)
                        .bind(&input.phone)
                        .bind(&input.tax_id)
                        .bind(&a.line1)
                        .bind(&a.line2)
                        .bind(&a.postal_code)
                        .bind(&a.city)
                        .bind(&a.region)
                        .bind(&a.country)
                        .bind(&input.locale)
                        .bind(now)
                        .bind(&id)
                );
                Ok((row.try_into()?, outcome))
            }

            async fn get_customer(
                &self,
                organisation_id: &str,
                id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Customer>> {
                sqlx::query_as::<_, shared::CustomerRow>(
                    "SELECT * FROM customers WHERE organisation_id = $1 AND id = $2",
                )
                .bind(organisation_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn find_customer(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Customer>> {
                // Portico's own id wins when a vendor id happens to look like one.
                sqlx::query_as::<_, shared::CustomerRow>(
                    "SELECT * FROM customers WHERE organisation_id = $1 \
                     AND (id = $2 OR external_id = $2) \
                     ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1",
                )
                .bind(organisation_id)
                .bind(id_or_external_id)
                .fetch_optional(&self.pool)
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn list_customers(
                &self,
                organisation_id: &str,
                after: Option<&str>,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Customer>> {
                let rows = match after {
                    None => sqlx::query_as::<_, shared::CustomerRow>(
                        "SELECT * FROM customers WHERE organisation_id = $1 \
                         ORDER BY external_id LIMIT $2",
                    )
                    .bind(organisation_id)
                    .bind(limit),
                    Some(after) => sqlx::query_as::<_, shared::CustomerRow>(
                        "SELECT * FROM customers WHERE organisation_id = $1 \
                         AND external_id > $3 ORDER BY external_id LIMIT $2",
                    )
                    .bind(organisation_id)
                    .bind(limit)
                    .bind(after),
                }
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn upsert_invoice(
                &self,
                organisation_id: &str,
                external_id: &str,
                customer_id: &str,
                input: &app::api::records::InvoiceInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::Invoice,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let mut tx = self.write_tx().await?;
                let (row, outcome) = shared::upsert!(
                    tx,
                    shared::InvoiceRow,
                    insert: "INSERT INTO invoices (organisation_id, external_id, customer_id, \
                        number, status, currency, total, amount_due, due_date, period_start, \
                        period_end, issued_at, pdf_url, updated_at, created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE invoices SET customer_id = $3, number = $4, status = $5, \
                        currency = $6, total = $7, amount_due = $8, due_date = $9, \
                        period_start = $10, period_end = $11, issued_at = $12, pdf_url = $13, \
                        updated_at = $14 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $15 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(customer_id)
                        .bind(&input.number)
                        .bind(input.status.as_str())
                        .bind(&input.currency)
                        .bind(input.total)
                        .bind(input.amount_due)
                        .bind(input.due_date)
                        .bind(input.period_start)
                        .bind(input.period_end)
                        .bind(input.issued_at.timestamp_millis())
                        .bind(&input.pdf_url)
                        .bind(now)
                        .bind(&id)
                );
                sqlx::query("DELETE FROM invoice_lines WHERE invoice_id = $1")
                    .bind(&row.id)
                    .execute(&mut *tx)
                    .await?;
                for (position, line) in input.lines.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO invoice_lines (invoice_id, position, description, \
                         quantity, unit_amount, amount, period_start, period_end) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(&row.id)
                    .bind(i32::try_from(position).unwrap_or(i32::MAX))
                    .bind(&line.description)
                    .bind(line.quantity)
                    .bind(line.unit_amount)
                    .bind(line.amount)
                    .bind(line.period_start)
                    .bind(line.period_end)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok((row.into_invoice(input.lines.clone())?, outcome))
            }

            async fn get_invoice(
                &self,
                organisation_id: &str,
                id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Invoice>> {
                let row = sqlx::query_as::<_, shared::InvoiceRow>(
                    "SELECT * FROM invoices WHERE organisation_id = $1 AND id = $2",
                )
                .bind(organisation_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let lines = sqlx::query_as::<_, shared::InvoiceLineRow>(
                    "SELECT * FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                row.into_invoice(lines.into_iter().map(Into::into).collect())
                    .map(Some)
            }

            async fn find_invoice(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Invoice>> {
                let id = sqlx::query_scalar::<_, String>(
                    "SELECT id FROM invoices WHERE organisation_id = $1 \
                     AND (id = $2 OR external_id = $2) \
                     ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1",
                )
                .bind(organisation_id)
                .bind(id_or_external_id)
                .fetch_optional(&self.pool)
                .await?;
                match id {
                    Some(id) => self.get_invoice(organisation_id, &id).await,
                    None => Ok(None),
                }
            }

            async fn list_invoices(
                &self,
                organisation_id: &str,
                customer_id: &str,
                include_drafts: bool,
                before: Option<&$crate::store::Cursor>,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Invoice>> {
                let rows = match before {
                    None => sqlx::query_as::<_, shared::InvoiceRow>(
                        "SELECT * FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
                         AND (status <> 'draft' OR $4) \
                         ORDER BY issued_at DESC, id DESC LIMIT $3",
                    )
                    .bind(organisation_id)
                    .bind(customer_id)
                    .bind(limit)
                    .bind(include_drafts),
                    Some(c) => sqlx::query_as::<_, shared::InvoiceRow>(
                        "SELECT * FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
                         AND (status <> 'draft' OR $4) \
                         AND (issued_at, id) < ($5, $6) \
                         ORDER BY issued_at DESC, id DESC LIMIT $3",
                    )
                    .bind(organisation_id)
                    .bind(customer_id)
                    .bind(limit)
                    .bind(include_drafts)
                    .bind(c.at.timestamp_millis())
                    .bind(&c.id),
                }
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(|r| r.into_invoice(Vec::new())).collect()
            }

            async fn upsert_credit_note(
                &self,
                organisation_id: &str,
                external_id: &str,
                customer_id: &str,
                invoice_id: Option<&str>,
                input: &app::api::records::CreditNoteInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::CreditNote,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let mut conn = self.pool.acquire().await?;
                let (row, outcome) = shared::upsert!(
                    conn,
                    shared::CreditNoteRow,
                    insert: "INSERT INTO credit_notes (organisation_id, external_id, \
                        customer_id, invoice_id, number, status, currency, total, reason, \
                        issued_at, updated_at, created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE credit_notes SET customer_id = $3, invoice_id = $4, \
                        number = $5, status = $6, currency = $7, total = $8, reason = $9, \
                        issued_at = $10, updated_at = $11 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $12 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(customer_id)
                        .bind(invoice_id)
                        .bind(&input.number)
                        .bind(input.status.as_str())
                        .bind(&input.currency)
                        .bind(input.total)
                        .bind(&input.reason)
                        .bind(input.issued_at.timestamp_millis())
                        .bind(now)
                        .bind(&id)
                );
                Ok((row.try_into()?, outcome))
            }

            async fn list_credit_notes(
                &self,
                organisation_id: &str,
                customer_id: &str,
            ) -> $crate::store::StoreResult<Vec<app::api::records::CreditNote>> {
                let rows = sqlx::query_as::<_, shared::CreditNoteRow>(
                    "SELECT * FROM credit_notes WHERE organisation_id = $1 AND customer_id = $2 \
                     ORDER BY issued_at DESC, id DESC",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn upsert_payment(
                &self,
                organisation_id: &str,
                external_id: &str,
                customer_id: &str,
                invoice_id: Option<&str>,
                input: &app::api::records::PaymentInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::Payment,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let mut conn = self.pool.acquire().await?;
                let (row, outcome) = shared::upsert!(
                    conn,
                    shared::PaymentRow,
                    insert: "INSERT INTO payments (organisation_id, external_id, customer_id, \
                        invoice_id, kind, status, method, currency, amount, paid_at, \
                        updated_at, created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE payments SET customer_id = $3, invoice_id = $4, kind = $5, \
                        status = $6, method = $7, currency = $8, amount = $9, paid_at = $10, \
                        updated_at = $11 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $12 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(customer_id)
                        .bind(invoice_id)
                        .bind(input.kind.as_str())
                        .bind(input.status.as_str())
                        .bind(&input.method)
                        .bind(&input.currency)
                        .bind(input.amount)
                        .bind(input.paid_at.timestamp_millis())
                        .bind(now)
                        .bind(&id)
                );
                Ok((row.try_into()?, outcome))
            }

            async fn list_payments(
                &self,
                organisation_id: &str,
                customer_id: &str,
                before: Option<&$crate::store::Cursor>,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Payment>> {
                let rows = match before {
                    None => sqlx::query_as::<_, shared::PaymentRow>(
                        "SELECT * FROM payments WHERE organisation_id = $1 AND customer_id = $2 \
                         ORDER BY paid_at DESC, id DESC LIMIT $3",
                    )
                    .bind(organisation_id)
                    .bind(customer_id)
                    .bind(limit),
                    Some(c) => sqlx::query_as::<_, shared::PaymentRow>(
                        "SELECT * FROM payments WHERE organisation_id = $1 AND customer_id = $2 \
                         AND (paid_at, id) < ($4, $5) \
                         ORDER BY paid_at DESC, id DESC LIMIT $3",
                    )
                    .bind(organisation_id)
                    .bind(customer_id)
                    .bind(limit)
                    .bind(c.at.timestamp_millis())
                    .bind(&c.id),
                }
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn upsert_entitlement(
                &self,
                organisation_id: &str,
                external_id: &str,
                customer_id: &str,
                input: &app::api::records::EntitlementInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::Entitlement,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let mut conn = self.pool.acquire().await?;
                let (row, outcome) = shared::upsert!(
                    conn,
                    shared::EntitlementRow,
                    insert: "INSERT INTO entitlements (organisation_id, external_id, \
                        customer_id, feature, limit_value, usage, unit, valid_from, \
                        valid_until, updated_at, created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE entitlements SET customer_id = $3, feature = $4, \
                        limit_value = $5, usage = $6, unit = $7, valid_from = $8, \
                        valid_until = $9, updated_at = $10 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $11 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(customer_id)
                        .bind(&input.feature)
                        .bind(input.limit)
                        .bind(input.usage)
                        .bind(&input.unit)
                        .bind(input.valid_from)
                        .bind(input.valid_until)
                        .bind(now)
                        .bind(&id)
                );
                Ok((row.try_into()?, outcome))
            }

            async fn list_entitlements(
                &self,
                organisation_id: &str,
                customer_id: &str,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Entitlement>> {
                let rows = sqlx::query_as::<_, shared::EntitlementRow>(
                    "SELECT * FROM entitlements WHERE organisation_id = $1 AND customer_id = $2 \
                     ORDER BY feature, id",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn upsert_subscription(
                &self,
                organisation_id: &str,
                external_id: &str,
                customer_id: &str,
                input: &app::api::records::SubscriptionInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::Subscription,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let mut conn = self.pool.acquire().await?;
                let (row, outcome) = shared::upsert!(
                    conn,
                    shared::SubscriptionRow,
                    insert: "INSERT INTO subscriptions (organisation_id, external_id, \
                        customer_id, plan, status, currency, amount, billing_interval, \
                        current_period_start, current_period_end, renews_at, \
                        cancel_at_period_end, cancelled_at, updated_at, created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE subscriptions SET customer_id = $3, plan = $4, status = $5, \
                        currency = $6, amount = $7, billing_interval = $8, \
                        current_period_start = $9, current_period_end = $10, renews_at = $11, \
                        cancel_at_period_end = $12, cancelled_at = $13, updated_at = $14 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $15 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(customer_id)
                        .bind(&input.plan)
                        .bind(input.status.as_str())
                        .bind(&input.currency)
                        .bind(input.amount)
                        .bind(input.interval.as_str())
                        .bind(input.current_period_start)
                        .bind(input.current_period_end)
                        .bind(input.renews_at)
                        .bind(input.cancel_at_period_end)
                        .bind(input.cancelled_at.map(|t| t.timestamp_millis()))
                        .bind(now)
                        .bind(&id)
                );
                Ok((row.try_into()?, outcome))
            }

            async fn list_subscriptions(
                &self,
                organisation_id: &str,
                customer_id: &str,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Subscription>> {
                let rows = sqlx::query_as::<_, shared::SubscriptionRow>(
                    "SELECT * FROM subscriptions WHERE organisation_id = $1 AND customer_id = $2 \
                     ORDER BY current_period_end DESC, id",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn upsert_payment_method(
                &self,
                organisation_id: &str,
                external_id: &str,
                customer_id: &str,
                input: &app::api::records::PaymentMethodInput,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<(
                app::api::records::PaymentMethod,
                $crate::store::Upserted,
            )> {
                let now = now.timestamp_millis();
                let id = shared::new_id();
                let mut tx = self.write_tx().await?;
                if input.is_default {
                    sqlx::query(
                        "UPDATE payment_methods SET is_default = $4, updated_at = $5 \
                         WHERE organisation_id = $1 AND customer_id = $2 \
                         AND external_id <> $3 AND is_default = $6",
                    )
                    .bind(organisation_id)
                    .bind(customer_id)
                    .bind(external_id)
                    .bind(false)
                    .bind(now)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
                }
                let (row, outcome) = shared::upsert!(
                    tx,
                    shared::PaymentMethodRow,
                    insert: "INSERT INTO payment_methods (organisation_id, external_id, \
                        customer_id, kind, brand, last4, exp_month, exp_year, is_default, \
                        updated_at, created_at, id) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
                        ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
                    update: "UPDATE payment_methods SET customer_id = $3, kind = $4, \
                        brand = $5, last4 = $6, exp_month = $7, exp_year = $8, \
                        is_default = $9, updated_at = $10 \
                        WHERE organisation_id = $1 AND external_id = $2 AND id <> $11 \
                        RETURNING *",
                    binds: |q| q
                        .bind(organisation_id)
                        .bind(external_id)
                        .bind(customer_id)
                        .bind(input.kind.as_str())
                        .bind(&input.brand)
                        .bind(&input.last4)
                        .bind(input.exp_month)
                        .bind(input.exp_year)
                        .bind(input.is_default)
                        .bind(now)
                        .bind(&id)
                );
                tx.commit().await?;
                Ok((row.try_into()?, outcome))
            }

            async fn list_payment_methods(
                &self,
                organisation_id: &str,
                customer_id: &str,
            ) -> $crate::store::StoreResult<Vec<app::api::records::PaymentMethod>> {
                let rows = sqlx::query_as::<_, shared::PaymentMethodRow>(
                    "SELECT * FROM payment_methods \
                     WHERE organisation_id = $1 AND customer_id = $2 \
                     ORDER BY is_default DESC, created_at, id",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn find_credit_note(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::CreditNote>> {
                self.find_one::<shared::CreditNoteRow>("credit_notes", organisation_id, id_or_external_id)
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn find_payment(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Payment>> {
                self.find_one::<shared::PaymentRow>("payments", organisation_id, id_or_external_id)
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn find_entitlement(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Entitlement>> {
                self.find_one::<shared::EntitlementRow>("entitlements", organisation_id, id_or_external_id)
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn find_subscription(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::Subscription>> {
                self.find_one::<shared::SubscriptionRow>("subscriptions", organisation_id, id_or_external_id)
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn find_payment_method(
                &self,
                organisation_id: &str,
                id_or_external_id: &str,
            ) -> $crate::store::StoreResult<Option<app::api::records::PaymentMethod>> {
                self.find_one::<shared::PaymentMethodRow>("payment_methods", organisation_id, id_or_external_id)
                    .await?
                    .map(TryInto::try_into)
                    .transpose()
            }

            async fn page_invoices(
                &self,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Invoice>> {
                self.page_of::<shared::InvoiceRow>("invoices", organisation_id, page)
                    .await?
                    .into_iter()
                    .map(|r| r.into_invoice(Vec::new()))
                    .collect()
            }

            async fn page_credit_notes(
                &self,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<app::api::records::CreditNote>> {
                shared::convert_all(self.page_of::<shared::CreditNoteRow>("credit_notes", organisation_id, page).await?)
            }

            async fn page_payments(
                &self,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Payment>> {
                shared::convert_all(self.page_of::<shared::PaymentRow>("payments", organisation_id, page).await?)
            }

            async fn page_entitlements(
                &self,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Entitlement>> {
                shared::convert_all(self.page_of::<shared::EntitlementRow>("entitlements", organisation_id, page).await?)
            }

            async fn page_subscriptions(
                &self,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Subscription>> {
                shared::convert_all(self.page_of::<shared::SubscriptionRow>("subscriptions", organisation_id, page).await?)
            }

            async fn page_payment_methods(
                &self,
                organisation_id: &str,
                page: $crate::store::VendorPage<'_>,
            ) -> $crate::store::StoreResult<Vec<app::api::records::PaymentMethod>> {
                shared::convert_all(self.page_of::<shared::PaymentMethodRow>("payment_methods", organisation_id, page).await?)
            }

            async fn delete_record(
                &self,
                kind: $crate::store::RecordKind,
                organisation_id: &str,
                id: &str,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(&format!(
                    "DELETE FROM {} WHERE organisation_id = $1 AND id = $2",
                    kind.table()
                ))
                .bind(organisation_id)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn put_invoice_pdf(
                &self,
                invoice_id: &str,
                content: &[u8],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO invoice_pdfs (invoice_id, content, uploaded_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (invoice_id) DO UPDATE SET content = excluded.content, \
                     uploaded_at = excluded.uploaded_at",
                )
                .bind(invoice_id)
                .bind(content)
                .bind(now.timestamp_millis())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_invoice_pdf(
                &self,
                invoice_id: &str,
            ) -> $crate::store::StoreResult<Option<Vec<u8>>> {
                Ok(sqlx::query_scalar::<_, Vec<u8>>(
                    "SELECT content FROM invoice_pdfs WHERE invoice_id = $1",
                )
                .bind(invoice_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn insert_link(
                &self,
                link: &$crate::store::NewLink,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO link_tokens (id, organisation_id, customer_id, token_hash, \
                     return_url, locale, section, idle_timeout_secs, expires_at, created_at, \
                     api_key_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&link.id)
                .bind(&link.organisation_id)
                .bind(&link.customer_id)
                .bind(&link.token_hash)
                .bind(&link.return_url)
                .bind(&link.locale)
                .bind(&link.section)
                .bind(link.idle_timeout_secs)
                .bind(link.expires_at.timestamp_millis())
                .bind(link.created_at.timestamp_millis())
                .bind(&link.api_key_id)
                .execute(&self.pool)
                .await
                .map_err(shared::conflict("link token"))?;
                Ok(())
            }

            async fn find_link(
                &self,
                token_hash: &[u8],
            ) -> $crate::store::StoreResult<Option<$crate::store::Link>> {
                sqlx::query_as::<_, shared::LinkRow>(
                    "SELECT * FROM link_tokens WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn exchange_link(
                &self,
                token_hash: &[u8],
                session_id: &str,
                session_token_hash: &[u8],
                session_lifetime_secs: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Option<$crate::store::Session>> {
                let now_ms = now.timestamp_millis();
                let mut tx = self.write_tx().await?;
                // The conditional update is the claim: only one exchange can flip used_at.
                let link = sqlx::query_as::<_, shared::LinkRow>(
                    "UPDATE link_tokens SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL \
                     AND expires_at > $2 RETURNING *",
                )
                .bind(token_hash)
                .bind(now_ms)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(link) = link else { return Ok(None) };
                let link: $crate::store::Link = link.try_into()?;
                sqlx::query(
                    "INSERT INTO sessions (id, organisation_id, customer_id, link_id, \
                     token_hash, locale, idle_timeout_secs, created_at, last_seen_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
                )
                .bind(session_id)
                .bind(&link.organisation_id)
                .bind(&link.customer_id)
                .bind(&link.id)
                .bind(session_token_hash)
                .bind(&link.locale)
                .bind(link.idle_timeout_secs)
                .bind(now_ms)
                .bind(now_ms + session_lifetime_secs * 1000)
                .execute(&mut *tx)
                .await
                .map_err(shared::conflict("session token"))?;
                tx.commit().await?;
                Ok(Some($crate::store::Session {
                    id: session_id.to_owned(),
                    organisation_id: link.organisation_id,
                    customer_id: link.customer_id,
                    link_id: link.id,
                    locale: link.locale,
                    idle_timeout_secs: link.idle_timeout_secs,
                    created_at: now,
                    last_seen_at: now,
                    expires_at: now + chrono::Duration::seconds(session_lifetime_secs),
                    ended_at: None,
                    end_reason: None,
                    return_url: link.return_url,
                    section: link.section,
                }))
            }

            async fn find_session(
                &self,
                token_hash: &[u8],
            ) -> $crate::store::StoreResult<Option<$crate::store::Session>> {
                sqlx::query_as::<_, shared::SessionRow>(&format!(
                    "SELECT {} FROM sessions s JOIN link_tokens l ON l.id = s.link_id \
                     WHERE s.token_hash = $1",
                    shared::SESSION_COLUMNS
                ))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
                .map(TryInto::try_into)
                .transpose()
            }

            async fn touch_session(
                &self,
                id: &str,
                now: chrono::DateTime<chrono::Utc>,
                coalesce_secs: i64,
            ) -> $crate::store::StoreResult<()> {
                let now_ms = now.timestamp_millis();
                sqlx::query(
                    "UPDATE sessions SET last_seen_at = $2 \
                     WHERE id = $1 AND ended_at IS NULL AND last_seen_at <= $3",
                )
                .bind(id)
                .bind(now_ms)
                .bind(now_ms - coalesce_secs * 1000)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn end_session(
                &self,
                id: &str,
                reason: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<bool> {
                let done = sqlx::query(
                    "UPDATE sessions SET ended_at = $2, end_reason = $3 \
                     WHERE id = $1 AND ended_at IS NULL",
                )
                .bind(id)
                .bind(now.timestamp_millis())
                .bind(reason)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn revoke_link(
                &self,
                organisation_id: &str,
                link_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<bool> {
                let now_ms = now.timestamp_millis();
                let mut tx = self.write_tx().await?;
                let found = sqlx::query_scalar::<_, String>(
                    "SELECT id FROM link_tokens WHERE organisation_id = $1 AND id = $2",
                )
                .bind(organisation_id)
                .bind(link_id)
                .fetch_optional(&mut *tx)
                .await?;
                if found.is_none() {
                    return Ok(false);
                }
                sqlx::query(
                    "UPDATE link_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                )
                .bind(link_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE sessions SET ended_at = $2, end_reason = $3 \
                     WHERE link_id = $1 AND ended_at IS NULL",
                )
                .bind(link_id)
                .bind(now_ms)
                .bind("revoked")
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn list_live_links(
                &self,
                organisation_id: &str,
                customer_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Vec<$crate::store::LiveLink>> {
                let now_ms = now.timestamp_millis();
                let links = sqlx::query_as::<_, shared::LinkRow>(
                    "SELECT l.* FROM link_tokens l \
                     WHERE l.organisation_id = $1 AND l.customer_id = $2 \
                     AND l.revoked_at IS NULL \
                     AND ((l.used_at IS NULL AND l.expires_at > $3) OR EXISTS ( \
                       SELECT 1 FROM sessions s WHERE s.link_id = l.id AND s.ended_at IS NULL \
                       AND s.expires_at > $3 \
                       AND s.last_seen_at + s.idle_timeout_secs * 1000 > $3)) \
                     ORDER BY l.created_at DESC, l.id DESC",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(now_ms)
                .fetch_all(&self.pool)
                .await?;
                let sessions = sqlx::query_as::<_, shared::SessionRow>(&format!(
                    "SELECT {} FROM sessions s JOIN link_tokens l ON l.id = s.link_id \
                     WHERE s.organisation_id = $1 AND s.customer_id = $2 \
                     AND s.ended_at IS NULL AND s.expires_at > $3 \
                     AND s.last_seen_at + s.idle_timeout_secs * 1000 > $3",
                    shared::SESSION_COLUMNS
                ))
                .bind(organisation_id)
                .bind(customer_id)
                .bind(now_ms)
                .fetch_all(&self.pool)
                .await?;
                let mut sessions: Vec<$crate::store::Session> = shared::convert_all(sessions)?;
                links
                    .into_iter()
                    .map(|row| {
                        let link: $crate::store::Link = row.try_into()?;
                        let session = sessions
                            .iter()
                            .position(|s| s.link_id == link.id)
                            .map(|i| sessions.swap_remove(i));
                        Ok($crate::store::LiveLink { link, session })
                    })
                    .collect()
            }

            async fn record_counts(
                &self,
                organisation_id: &str,
            ) -> $crate::store::StoreResult<$crate::store::RecordCounts> {
                let c = sqlx::query_as::<_, shared::CountsRow>(
                    "SELECT \
                     (SELECT COUNT(*) FROM customers WHERE organisation_id = $1) AS customers, \
                     (SELECT COUNT(*) FROM invoices WHERE organisation_id = $1) AS invoices, \
                     (SELECT COUNT(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
                       WHERE i.organisation_id = $1) AS invoice_lines, \
                     (SELECT COUNT(*) FROM credit_notes WHERE organisation_id = $1) AS credit_notes, \
                     (SELECT COUNT(*) FROM payments WHERE organisation_id = $1) AS payments, \
                     (SELECT COUNT(*) FROM entitlements WHERE organisation_id = $1) AS entitlements, \
                     (SELECT COUNT(*) FROM subscriptions WHERE organisation_id = $1) AS subscriptions, \
                     (SELECT COUNT(*) FROM payment_methods WHERE organisation_id = $1) AS payment_methods",
                )
                .bind(organisation_id)
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::store::RecordCounts {
                    customers: c.customers,
                    invoices: c.invoices,
                    invoice_lines: c.invoice_lines,
                    credit_notes: c.credit_notes,
                    payments: c.payments,
                    entitlements: c.entitlements,
                    subscriptions: c.subscriptions,
                    payment_methods: c.payment_methods,
                })
            }

            async fn search_invoices(
                &self,
                organisation_id: &str,
                customer_id: &str,
                search: &$crate::store::InvoiceSearch,
                after: Option<&$crate::store::SortCursor>,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Invoice>> {
                use app::api::portal::InvoiceSort;
                use $crate::store::SortValue;
                enum Bind {
                    Text(String),
                    Int(i64),
                    Date(chrono::NaiveDate),
                }
                // Parameters are numbered as they are added: SQLite refuses unused ones.
                let mut binds: Vec<Bind> = Vec::new();
                let mut mark = |bind: Bind| {
                    binds.push(bind);
                    format!("${}", binds.len() + 2)
                };
                let mut sql = String::from(
                    "SELECT * FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
                     AND status <> 'draft'",
                );
                if !search.statuses.is_empty() {
                    let marks: Vec<String> = search
                        .statuses
                        .iter()
                        .map(|status| mark(Bind::Text(status.as_str().to_owned())))
                        .collect();
                    sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
                }
                if let Some(from) = search.issued_from {
                    let m = mark(Bind::Int(from.timestamp_millis()));
                    sql.push_str(&format!(" AND issued_at >= {m}"));
                }
                if let Some(before) = search.issued_before {
                    let m = mark(Bind::Int(before.timestamp_millis()));
                    sql.push_str(&format!(" AND issued_at < {m}"));
                }
                if let Some(number) = &search.number {
                    let pattern = number
                        .to_lowercase()
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_");
                    let m = mark(Bind::Text(format!("%{pattern}%")));
                    sql.push_str(&format!(" AND LOWER(number) LIKE {m} ESCAPE '\\'"));
                }
                // Invoices without a due date sort as if due at the end of time.
                let key = match search.sort {
                    InvoiceSort::IssuedAt => "issued_at".to_owned(),
                    InvoiceSort::Total => "total".to_owned(),
                    InvoiceSort::AmountDue => "amount_due".to_owned(),
                    InvoiceSort::DueDate => {
                        format!("COALESCE(due_date, {})", mark(Bind::Date(shared::no_due_date())))
                    }
                };
                let (cmp, dir) = if search.descending { ("<", "DESC") } else { (">", "ASC") };
                if let Some(cursor) = after {
                    let v = mark(match cursor.value {
                        SortValue::Int(v) => Bind::Int(v),
                        SortValue::Date(d) => Bind::Date(d),
                    });
                    let id = mark(Bind::Text(cursor.id.clone()));
                    // A row-value comparison, which both databases can answer with an
                    // index range scan; the equivalent OR form makes PostgreSQL read every
                    // earlier row, so deep pages got slower.
                    sql.push_str(&format!(" AND ({key}, id) {cmp} ({v}, {id})"));
                }
                let l = mark(Bind::Int(limit));
                sql.push_str(&format!(" ORDER BY {key} {dir}, id {dir} LIMIT {l}"));

                let mut query = sqlx::query_as::<$db, shared::InvoiceRow>(&sql)
                    .bind(organisation_id)
                    .bind(customer_id);
                for bind in binds {
                    query = match bind {
                        Bind::Text(t) => query.bind(t),
                        Bind::Int(v) => query.bind(v),
                        Bind::Date(d) => query.bind(d),
                    };
                }
                let rows = query.fetch_all(&self.pool).await?;
                rows.into_iter().map(|r| r.into_invoice(Vec::new())).collect()
            }

            async fn invoice_payments(
                &self,
                organisation_id: &str,
                customer_id: &str,
                invoice_id: &str,
            ) -> $crate::store::StoreResult<Vec<app::api::records::Payment>> {
                let rows = sqlx::query_as::<_, shared::PaymentRow>(
                    "SELECT * FROM payments \
                     WHERE organisation_id = $1 AND customer_id = $2 AND invoice_id = $3 \
                     ORDER BY paid_at, id",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(invoice_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn invoice_credit_notes(
                &self,
                organisation_id: &str,
                customer_id: &str,
                invoice_id: &str,
            ) -> $crate::store::StoreResult<Vec<app::api::records::CreditNote>> {
                let rows = sqlx::query_as::<_, shared::CreditNoteRow>(
                    "SELECT * FROM credit_notes \
                     WHERE organisation_id = $1 AND customer_id = $2 AND invoice_id = $3 \
                     ORDER BY issued_at, id",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(invoice_id)
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn has_invoice_pdf(&self, invoice_id: &str) -> $crate::store::StoreResult<bool> {
                Ok(sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM invoice_pdfs WHERE invoice_id = $1",
                )
                .bind(invoice_id)
                .fetch_one(&self.pool)
                .await?
                    > 0)
            }

            async fn invoice_numbers(
                &self,
                organisation_id: &str,
                customer_id: &str,
            ) -> $crate::store::StoreResult<Vec<(String, String)>> {
                Ok(sqlx::query_as::<_, (String, String)>(
                    "SELECT id, number FROM invoices WHERE organisation_id = $1 \
                     AND customer_id = $2 AND status <> 'draft'",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn balances(
                &self,
                organisation_id: &str,
                customer_id: &str,
                today: chrono::NaiveDate,
            ) -> $crate::store::StoreResult<Vec<$crate::store::BalanceRow>> {
                // SUM over BIGINT is NUMERIC on PostgreSQL; the casts keep both at BIGINT.
                let rows = sqlx::query_as::<_, shared::BalanceRow>(
                    "SELECT currency, \
                     CAST(SUM(amount_due) AS BIGINT) AS amount_due, \
                     CAST(SUM(CASE WHEN status = 'overdue' OR due_date < $3 \
                       THEN amount_due ELSE 0 END) AS BIGINT) AS overdue, \
                     CAST(SUM(CASE WHEN status = 'overdue' OR due_date < $3 \
                       THEN 1 ELSE 0 END) AS BIGINT) AS overdue_invoices \
                     FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
                     AND status IN ('open', 'partially_paid', 'overdue') AND amount_due > 0 \
                     GROUP BY currency ORDER BY amount_due DESC, currency",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(today)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|r| $crate::store::BalanceRow {
                        currency: r.currency,
                        amount_due: r.amount_due,
                        overdue: r.overdue,
                        overdue_invoices: r.overdue_invoices,
                    })
                    .collect())
            }

            async fn invoiced_since(
                &self,
                organisation_id: &str,
                customer_id: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Vec<(chrono::DateTime<chrono::Utc>, String, i64)>> {
                let rows = sqlx::query_as::<_, (i64, String, i64)>(
                    "SELECT issued_at, currency, total FROM invoices \
                     WHERE organisation_id = $1 AND customer_id = $2 AND issued_at >= $3 \
                     AND status NOT IN ('draft', 'void') ORDER BY issued_at",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(since.timestamp_millis())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(at, currency, total)| Ok(($crate::store::from_millis(at)?, currency, total)))
                    .collect()
            }

            async fn update_profile(
                &self,
                organisation_id: &str,
                customer_id: &str,
                input: &app::api::records::CustomerInput,
                changed: &[String],
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Option<app::api::records::Customer>> {
                let a = &input.address;
                let mut tx = self.write_tx().await?;
                let row = sqlx::query_as::<_, shared::CustomerRow>(
                    "UPDATE customers SET name = $3, email = $4, phone = $5, tax_id = $6, \
                     address_line1 = $7, address_line2 = $8, address_postal_code = $9, \
                     address_city = $10, address_region = $11, address_country = $12, \
                     updated_at = $13 WHERE organisation_id = $1 AND id = $2 RETURNING *",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(&input.name)
                .bind(&input.email)
                .bind(&input.phone)
                .bind(&input.tax_id)
                .bind(&a.line1)
                .bind(&a.line2)
                .bind(&a.postal_code)
                .bind(&a.city)
                .bind(&a.region)
                .bind(&a.country)
                .bind(now.timestamp_millis())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let customer: app::api::records::Customer = row.try_into()?;
                let payload = serde_json::json!({
                    "customer_id": customer.id,
                    "external_id": customer.external_id,
                    "changed": changed,
                    "by": "customer",
                });
                Self::insert_event(&mut tx, organisation_id, Some(customer_id), "customer.updated", &payload, now).await?;
                tx.commit().await?;
                Ok(Some(customer))
            }

            async fn cancel_at_period_end(
                &self,
                organisation_id: &str,
                customer_id: &str,
                subscription_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Option<app::api::records::Subscription>> {
                let mut tx = self.write_tx().await?;
                let updated = sqlx::query_as::<_, shared::SubscriptionRow>(
                    "UPDATE subscriptions SET cancel_at_period_end = $4, cancelled_at = $5, \
                     updated_at = $5 WHERE organisation_id = $1 AND customer_id = $2 AND id = $3 \
                     AND cancel_at_period_end = $6 RETURNING *",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(subscription_id)
                .bind(true)
                .bind(now.timestamp_millis())
                .bind(false)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = updated else {
                    let existing = sqlx::query_as::<_, shared::SubscriptionRow>(
                        "SELECT * FROM subscriptions WHERE organisation_id = $1 \
                         AND customer_id = $2 AND id = $3",
                    )
                    .bind(organisation_id)
                    .bind(customer_id)
                    .bind(subscription_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    return existing.map(TryInto::try_into).transpose();
                };
                let subscription: app::api::records::Subscription = row.try_into()?;
                let payload = serde_json::json!({
                    "subscription_id": subscription.id,
                    "external_id": subscription.external_id,
                    "plan": subscription.plan,
                    "ends_at": subscription.current_period_end,
                    "by": "customer",
                });
                Self::insert_event(&mut tx, organisation_id, Some(customer_id), "subscription.cancellation_requested", &payload, now).await?;
                tx.commit().await?;
                Ok(Some(subscription))
            }

            async fn set_default_payment_method(
                &self,
                organisation_id: &str,
                customer_id: &str,
                payment_method_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::store::StoreResult<Option<app::api::records::PaymentMethod>> {
                let mut tx = self.write_tx().await?;
                let chosen = sqlx::query_as::<_, shared::PaymentMethodRow>(
                    "SELECT * FROM payment_methods WHERE organisation_id = $1 \
                     AND customer_id = $2 AND id = $3",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(payment_method_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(chosen) = chosen else { return Ok(None) };
                if chosen.is_default {
                    return chosen.try_into().map(Some);
                }
                sqlx::query(
                    "UPDATE payment_methods SET is_default = (id = $3), updated_at = $4 \
                     WHERE organisation_id = $1 AND customer_id = $2",
                )
                .bind(organisation_id)
                .bind(customer_id)
                .bind(payment_method_id)
                .bind(now.timestamp_millis())
                .execute(&mut *tx)
                .await?;
                let row = sqlx::query_as::<_, shared::PaymentMethodRow>(
                    "SELECT * FROM payment_methods WHERE id = $1",
                )
                .bind(payment_method_id)
                .fetch_one(&mut *tx)
                .await?;
                let method: app::api::records::PaymentMethod = row.try_into()?;
                let payload = serde_json::json!({
                    "payment_method_id": method.id,
                    "external_id": method.external_id,
                    "by": "customer",
                });
                Self::insert_event(&mut tx, organisation_id, Some(customer_id), "payment_method.default_changed", &payload, now).await?;
                tx.commit().await?;
                Ok(Some(method))
            }

            async fn list_events(
                &self,
                organisation_id: &str,
                after: Option<&str>,
                limit: i64,
            ) -> $crate::store::StoreResult<Vec<$crate::store::Event>> {
                // Events are ordered by (created_at, id); `after` names the last one seen.
                let rows = match after {
                    None => sqlx::query_as::<_, shared::EventRow>(
                        "SELECT * FROM events WHERE organisation_id = $1 \
                         ORDER BY created_at, id LIMIT $2",
                    )
                    .bind(organisation_id)
                    .bind(limit),
                    Some(after) => sqlx::query_as::<_, shared::EventRow>(
                        "SELECT e.* FROM events e JOIN events a ON a.id = $3 \
                         AND a.organisation_id = $1 \
                         WHERE e.organisation_id = $1 AND (e.created_at > a.created_at \
                         OR (e.created_at = a.created_at AND e.id > a.id)) \
                         ORDER BY e.created_at, e.id LIMIT $2",
                    )
                    .bind(organisation_id)
                    .bind(limit)
                    .bind(after),
                }
                .fetch_all(&self.pool)
                .await?;
                shared::convert_all(rows)
            }

            async fn set_session_locale(
                &self,
                session_id: &str,
                locale: &str,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE sessions SET locale = $2 WHERE id = $1 AND ended_at IS NULL")
                    .bind(session_id)
                    .bind(locale)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    };
}
pub(super) use sql_store;
