//! Fixed-window rate limiting for the link exchange.
//!
//! The counters live in this server's memory: with several servers behind a load
//! balancer each enforces its own limit. That is acceptable here because the limit is a
//! second line of defence — link tokens carry 256 random bits and cannot be guessed.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// Counts events per key in fixed windows.
pub struct RateLimiter {
    limit: u32,
    window_secs: i64,
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

/// Above this many keys, expired windows are dropped before counting.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    /// Allows `limit` events per key in each `window_secs`.
    pub fn new(limit: u32, window_secs: i64) -> Self {
        Self {
            limit,
            window_secs,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; `Err(seconds)` tells how long until it is allowed again.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let now = now.timestamp();
        let window = now - now.rem_euclid(self.window_secs);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (start, _)| *start == window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.limit {
            return Err((window + self.window_secs - now).max(1) as u64);
        }
        entry.1 += 1;
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
            assert_eq!(limiter.check("a", t), Ok(()));
        }
        assert_eq!(limiter.check("a", t), Err(50));
        assert_eq!(limiter.check("b", t), Ok(()), "keys are counted apart");
        let next = t + chrono::Duration::seconds(50);
        assert_eq!(limiter.check("a", next), Ok(()));
    }
}
