//! Persistence: one async [`Store`] trait with an SQLite and a PostgreSQL implementation.
//!
//! [`Store`] is the sum of one trait per area, each declared with its types in a file of its
//! own: organisations and keys (`orgs`), billing records (`records`), links and sessions
//! (`links`), the portal's reads and the customer's changes (`portal`), credit balances
//! (`credits`), the plan catalogue (`plans`), events (`events`),
//! webhook endpoints and their deliveries (`webhooks`).
//!
//! Both backends run the same SQL text: `sql/<area>.rs` holds an area's queries and is
//! compiled once inside `sqlite.rs` and once inside `postgres.rs`, where the names
//! `SqlStore`, `Db` and `BACKEND` mean that backend. The schemas differ only in column types,
//! instants are stored as epoch milliseconds and `$n` placeholders work on both. What differs
//! per backend — connecting, pragmas, migrations — lives in `sqlite.rs` and `postgres.rs`.
//! Every query that reads customer data is scoped by organisation id.

pub mod cache;
mod credits;
mod events;
mod limits;
mod links;
mod migrations;
mod orgs;
mod plans;
mod portal;
mod postgres;
mod records;
mod rows;
mod sqlite;
pub mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use credits::CreditStore;
pub use events::{Event, EventStore};
pub use limits::LimitStore;
pub use links::{Link, LinkStore, LiveLink, NewLink, Session};
pub use orgs::{ApiKey, KeyScope, Logo, OrgStore, Organisation};
pub use plans::PlanStore;
pub use portal::{no_due_date, BalanceRow, InvoiceSearch, PortalStore, SortCursor, SortValue};
pub use postgres::PgStore;
pub use records::{
    refused, BatchItem, BatchOutcome, BatchRecord, Cursor, RecordCounts, RecordKind, RecordReader,
    RecordWriter, Upserted, VendorPage,
};
pub use sqlite::SqliteStore;
pub use webhooks::{
    AfterFailure, Attempt, ClaimedDelivery, Delivery, DeliveryStatus, EndpointChange, QueueDepth,
    Retry, WebhookEndpoint, WebhookStore,
};

/// How many database connections are open, how many of those wait unused, and the most
/// the pool opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStatus {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

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

/// Whether an error says the database is out of reach for now, rather than that this
/// request is wrong: no connection within the pool's wait, a broken connection, or a
/// server shutting down, starting up or refusing connections (SQLSTATE class 08, 57P01–03).
/// SQLite's "busy" past its timeout counts too: the writer holds the file.
pub fn is_outage(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLITE_BUSY and its extended codes
                code.parse::<u32>().is_ok_and(|c| c & 0xff == 5)
            } else {
                code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
            }
        }
        _ => false,
    }
}

/// Everything Portico keeps. Customer-facing reads take both organisation and customer id
/// so that no caller can forget one of them.
#[async_trait]
pub trait Store:
    OrgStore
    + RecordWriter
    + RecordReader
    + LinkStore
    + PortalStore
    + CreditStore
    + PlanStore
    + EventStore
    + LimitStore
    + WebhookStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;
    /// The connection pool's use right now, for `/metrics`.
    fn pool_status(&self) -> PoolStatus;
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Writes a consistent copy of an SQLite database to the new file `path`; `false` on
    /// PostgreSQL, whose own `pg_dump` does that.
    async fn backup_to(&self, path: &str) -> StoreResult<bool>;
    /// What the hot path keeps of this store's reads; every write through this store
    /// forgets what it makes stale once it commits.
    fn cache(&self) -> &Arc<cache::HotCache>;
    /// Keeps [`Store::cache`] told of what other instances change, for as long as it runs:
    /// on PostgreSQL by listening to their notifications (reconnecting, and forgetting
    /// everything, after a lost connection); on SQLite, a file with one server, it returns
    /// at once.
    async fn follow_changes(&self);
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
