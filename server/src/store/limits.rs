//! Rate-limit counters kept in the database, so that every instance on one PostgreSQL
//! counts against the same limit.

use async_trait::async_trait;

use super::StoreResult;

/// Hits per key in fixed windows.
#[async_trait]
pub trait LimitStore: Send + Sync {
    /// Counts a hit for `key` of the limit `name` in the window that started at
    /// `window_start` (Unix seconds), or only reads the count when `add` is false, and
    /// returns the window's count. A key's count starts again with each new window.
    async fn count_hit(
        &self,
        name: &str,
        key: &str,
        window_start: i64,
        add: bool,
    ) -> StoreResult<i64>;

    /// Forgets the counts of windows that started before `before`; returns how many.
    async fn forget_hits_before(&self, before: i64) -> StoreResult<u64>;
}
