//! Fixed-window rate limiting: link exchanges, link pages and failed API keys.
//!
//! On PostgreSQL the counters live in the database (`rate_limit_hits`), so that several
//! instances behind a load balancer enforce one limit between them: each hit is one upsert,
//! and windows that have ended are deleted once a minute. On SQLite, whose file one server
//! owns, they live in this server's memory.
//!
//! Memory is bounded: at most `capacity` keys are counted apart. Once that many are live
//! in the current window, keys seen for the first time share one overflow counter, so a
//! flood of new addresses cannot grow memory, and clients already counted keep their own
//! limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::store::{Store, StoreResult};

/// Counts events per key in fixed windows.
pub struct RateLimiter {
    /// The limit's name in the database's counters.
    name: &'static str,
    /// Whether the counts are kept in the database, shared by every instance.
    shared: bool,
    /// When the database's ended windows were last deleted (Unix seconds).
    last_cleanup: AtomicI64,
    limit: u32,
    window_secs: i64,
    capacity: usize,
    state: Mutex<Windows>,
}

#[derive(Default)]
struct Windows {
    counts: HashMap<String, (i64, u32)>,
    /// What keys beyond the capacity share: (window start, count).
    overflow: (i64, u32),
}

/// Keys counted apart by default: about 10 MB at most.
pub const DEFAULT_CAPACITY: usize = 100_000;

impl RateLimiter {
    /// Allows `limit` events per key in each `window_secs`.
    pub fn new(limit: u32, window_secs: i64) -> Self {
        Self::with_capacity(limit, window_secs, DEFAULT_CAPACITY)
    }

    /// Like [`RateLimiter::new`], counting at most `capacity` keys apart.
    pub fn with_capacity(limit: u32, window_secs: i64, capacity: usize) -> Self {
        Self {
            name: "",
            shared: false,
            last_cleanup: AtomicI64::new(0),
            limit,
            window_secs,
            capacity: capacity.max(1),
            state: Mutex::new(Windows::default()),
        }
    }

    /// Allows `limit` events per key in each `window_secs`, counted in the database as
    /// `name` when `shared`, else in memory.
    pub fn named(name: &'static str, shared: bool, limit: u32, window_secs: i64) -> Self {
        Self {
            name,
            shared,
            ..Self::new(limit, window_secs)
        }
    }

    /// Counts one event for `key` where this limit keeps its counts; the inner
    /// `Err(seconds)` tells how long until it is allowed again.
    pub async fn hit(
        &self,
        store: &dyn Store,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), u64>> {
        self.count_in(store, key, now, true).await
    }

    /// Whether `key` is over its limit, without counting an event.
    pub async fn over(
        &self,
        store: &dyn Store,
        key: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), u64>> {
        self.count_in(store, key, now, false).await
    }

    async fn count_in(
        &self,
        store: &dyn Store,
        key: &str,
        now: DateTime<Utc>,
        add: bool,
    ) -> StoreResult<Result<(), u64>> {
        if !self.shared {
            return Ok(self.count(key, now, add));
        }
        let (window, retry) = self.window(now);
        let hits = store.count_hit(self.name, key, window, add).await?;
        // An event over the limit is counted too: it was tried.
        let over = if add {
            hits > i64::from(self.limit)
        } else {
            hits >= i64::from(self.limit)
        };
        let last = self.last_cleanup.load(Ordering::Relaxed);
        if now.timestamp() - last >= 60
            && self
                .last_cleanup
                .compare_exchange(last, now.timestamp(), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            store.forget_hits_before(window).await?;
        }
        Ok(if over { Err(retry) } else { Ok(()) })
    }

    /// The start of the window `now` falls in, and the seconds until the next one.
    fn window(&self, now: DateTime<Utc>) -> (i64, u64) {
        let now = now.timestamp();
        let window = now - now.rem_euclid(self.window_secs);
        (window, (window + self.window_secs - now).max(1) as u64)
    }

    /// Counts one event for `key` in memory; `Err(seconds)` tells how long until it is
    /// allowed again.
    #[cfg(test)]
    fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        self.count(key, now, true)
    }

    /// Whether `key` is over its in-memory limit, without counting an event.
    #[cfg(test)]
    fn peek(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        self.count(key, now, false)
    }

    /// How many keys are counted apart now (for tests and metrics).
    pub fn tracked_keys(&self) -> usize {
        self.lock().counts.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Windows> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count(&self, key: &str, now: DateTime<Utc>, add: bool) -> Result<(), u64> {
        let (window, retry) = self.window(now);
        let mut state = self.lock();
        let Windows { counts, overflow } = &mut *state;
        if !counts.contains_key(key) && counts.len() >= self.capacity {
            counts.retain(|_, (start, _)| *start == window);
        }
        let entry = if let Some(entry) = counts.get_mut(key) {
            entry
        } else if counts.len() < self.capacity {
            if !add {
                return Ok(());
            }
            counts.entry(key.to_owned()).or_insert((window, 0))
        } else {
            overflow
        };
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.limit {
            return Err(retry);
        }
        if add {
            entry.1 += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn allows_the_limit_then_refuses_until_the_next_window() {
        let limiter = RateLimiter::new(3, 60);
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 10).unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.peek("a", t), Ok(()));
            assert_eq!(limiter.check("a", t), Ok(()));
        }
        assert_eq!(limiter.peek("a", t), Err(50));
        assert_eq!(limiter.check("a", t), Err(50));
        assert_eq!(limiter.check("b", t), Ok(()), "keys are counted apart");
        let next = t + chrono::Duration::seconds(50);
        assert_eq!(limiter.check("a", next), Ok(()));
    }

    #[test]
    fn a_flood_of_new_keys_shares_one_counter_and_memory_stays_bounded() {
        let limiter = RateLimiter::with_capacity(2, 60, 100);
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        assert_eq!(limiter.check("regular", t), Ok(()));
        let mut refused = 0;
        for i in 0..10_000 {
            if limiter.check(&format!("rotated-{i}"), t).is_err() {
                refused += 1;
            }
        }
        assert_eq!(limiter.tracked_keys(), 100);
        // 99 rotated keys got a counter of their own, two more shared the overflow one.
        assert_eq!(refused, 10_000 - 99 - 2);
        // The client counted before the flood keeps its own allowance.
        assert_eq!(limiter.check("regular", t), Ok(()));
        assert_eq!(limiter.check("regular", t), Err(60));
        // In the next window the stale keys make room again.
        let next = t + chrono::Duration::seconds(60);
        assert_eq!(limiter.check("newcomer", next), Ok(()));
        assert_eq!(limiter.tracked_keys(), 1);
    }
}
