use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};

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
            // A connection must come back to the pool outside any transaction. sqlx can
            // lose track of a `BEGIN IMMEDIATE` whose caller is cancelled half-way (a
            // client hanging up mid-write): that connection would keep the database's
            // write lock for good, so that every other write waits out the busy timeout
            // and fails, and the next `BEGIN` on it is refused. It is closed instead,
            // which rolls its transaction back.
            .after_release(|conn, _| {
                Box::pin(async move {
                    let stuck = in_transaction(conn).await?;
                    if stuck {
                        tracing::warn!(
                            "an SQLite connection came back inside a transaction; closing it"
                        );
                    }
                    Ok(!stuck)
                })
            })
            .connect_with(options)
            .await?;
        super::migrations::migrator(Backend::Sqlite)
            .await?
            .run(&pool)
            .await?;
        Ok(Self {
            pool,
            cache: Default::default(),
        })
    }
}

/// Whether `conn` is inside a transaction, whatever sqlx's own count of them says.
async fn in_transaction(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is an open connection, locked for this thread while `handle`
    // lives; `sqlite3_get_autocommit` only reads its state.
    let autocommit =
        unsafe { libsqlite3_sys::sqlite3_get_autocommit(handle.as_raw_handle().as_ptr()) };
    Ok(autocommit == 0)
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

#[cfg(test)]
mod tests {
    use super::SqliteStore;

    /// What a cancelled `begin` can leave behind: a connection back in the pool inside a
    /// write transaction that sqlx does not know of. Before the pool checked, the next
    /// `BEGIN IMMEDIATE` on it was refused and every other one timed out on the lock.
    #[tokio::test]
    async fn a_connection_returned_inside_a_transaction_is_closed_not_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portico.db");
        let store = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        // More writes than the pool has connections, so that each of them is used.
        for n in 0..12 {
            let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            sqlx::query("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query("INSERT INTO probe (n) VALUES ($1)")
                .bind(n)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM probe")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(count, 12);
    }
}
