//! [`LimitStore`](crate::store::LimitStore) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use crate::store::{LimitStore, StoreResult};

use super::SqlStore;

#[async_trait::async_trait]
impl LimitStore for SqlStore {
    async fn count_hit(
        &self,
        name: &str,
        key: &str,
        window_start: i64,
        add: bool,
    ) -> StoreResult<i64> {
        let hits = if add {
            // One statement, so that instances counting at once never lose a hit.
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO rate_limit_hits (name, key, window_start, hits) \
                 VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (name, key) DO UPDATE SET \
                 hits = CASE WHEN rate_limit_hits.window_start = excluded.window_start \
                 THEN rate_limit_hits.hits + 1 ELSE 1 END, \
                 window_start = excluded.window_start \
                 RETURNING hits",
            )
            .bind(name)
            .bind(key)
            .bind(window_start)
            .fetch_one(&self.pool)
            .await?
        } else {
            sqlx::query_scalar::<_, i64>(
                "SELECT hits FROM rate_limit_hits \
                 WHERE name = $1 AND key = $2 AND window_start = $3",
            )
            .bind(name)
            .bind(key)
            .bind(window_start)
            .fetch_optional(&self.pool)
            .await?
            .unwrap_or(0)
        };
        Ok(hits)
    }

    async fn forget_hits_before(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_limit_hits WHERE window_start < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
