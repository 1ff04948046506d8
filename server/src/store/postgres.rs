use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use super::{Backend, StoreResult};

/// PostgreSQL, for several stateless servers sharing one database.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The hot path's memory of what this store read; see [`super::cache`].
    cache: std::sync::Arc<super::cache::HotCache>,
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
        super::migrations::migrator(Backend::Postgres)
            .await?
            .run(&pool)
            .await?;
        Ok(Self {
            pool,
            // Nothing is kept until the change feed is heard (`follow_changes`).
            cache: std::sync::Arc::new(super::cache::HotCache::paused()),
        })
    }
}

// The SQL in `sql/` is written once against these three names and compiled here for this
// backend, so both backends run the same text without a macro around it.
type SqlStore = PgStore;
type Db = sqlx::Postgres;
const BACKEND: Backend = Backend::Postgres;

/// Listens to the changes every instance announces (see `sql/common.rs`'s `announce`)
/// and forgets what they make stale. When the connection is lost, notifications sent
/// meanwhile are lost with it, so everything kept is forgotten before listening again.
async fn follow_changes(pool: &PgPool, cache: &super::cache::HotCache) {
    use super::cache::{Change, CHANNEL};
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other instances' changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // A lost connection is reported at once rather than silently re-established, so
        // that the cache stops keeping anything until a new listener is heard again.
        listener.eager_reconnect(false);
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for other instances' changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever changed before this connection listened went unheard.
        cache.following(true);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match Change::from_payload(notification.payload()) {
                    Some(change) => cache.apply(&change),
                    None => cache.following(true),
                },
                // The connection was lost; `try_recv` reconnects on the next call, and
                // what was sent meanwhile is gone.
                Ok(None) => {
                    cache.following(false);
                    tracing::warn!("lost the change feed; listening again");
                    break;
                }
                Err(e) => {
                    cache.following(false);
                    tracing::warn!(error = %e, "lost the change feed; listening again");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[path = "sql/mod.rs"]
#[allow(
    clippy::duplicate_mod,
    reason = "the shared SQL is meant to be compiled once per backend"
)]
mod sql;
