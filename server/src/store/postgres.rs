use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::{Backend, StoreResult};

/// PostgreSQL, for several stateless servers sharing one database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

/// How long a request waits for a database connection before answering 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl PgStore {
    /// Connects to the database a `postgres://` URL names and brings its schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with explicit options (tests add a private `search_path`).
    pub async fn connect_with(options: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // During an outage a request waits this long for a connection, then answers
            // 503; the pool reconnects on its own once the database is back.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        // Servers starting together each try to migrate; sqlx serialises that with an
        // advisory lock, so only one applies each migration.
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

// The SQL in `sql/` is written once against these three names and compiled here for this
// backend, so both backends run the same text without a macro around it.
type SqlStore = PgStore;
type Db = sqlx::Postgres;
const BACKEND: Backend = Backend::Postgres;

#[path = "sql/mod.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "the shared SQL is meant to be compiled once per backend"
)]
mod sql;
