use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::{Backend, StoreResult};

/// The embedded default: one SQLite file in WAL mode.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The hot path's memory of what this store read; see [`super::cache`].
    cache: std::sync::Arc<super::cache::HotCache>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database a `sqlite:` URL or a bare path names, and
    /// brings its schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let url = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL makes NORMAL durable against application crashes; only a power cut can
            // lose the last transactions, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        Self::connect_with(options).await
    }

    /// Opens a database from explicit options (tests use a private in-memory file).
    pub async fn connect_with(options: SqliteConnectOptions) -> StoreResult<Self> {
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self {
            pool,
            cache: Default::default(),
        })
    }
}

// The SQL in `sql/` is written once against these three names and compiled here for this
// backend, so both backends run the same text without a macro around it.
type SqlStore = SqliteStore;
type Db = sqlx::Sqlite;
const BACKEND: Backend = Backend::Sqlite;

/// An SQLite file has one server: no other instance's changes to follow.
async fn follow_changes(_pool: &SqlitePool, _cache: &super::cache::HotCache) {}

#[path = "sql/mod.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "the shared SQL is meant to be compiled once per backend"
)]
mod sql;
