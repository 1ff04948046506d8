//! Organisations as the hot path reads them: every portal call needs its organisation's
//! settings (which sections it shows), so they are kept in memory for at most a second.
//!
//! A change made through this server is seen at once (the settings routes forget the
//! entry); a change made by another instance or by `portico org set` is seen within
//! [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::{Organisation, Store, StoreResult};

/// How long a read organisation is used without asking the database again.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Above this many organisations the cache starts again from empty: memory stays bounded
/// whatever the number of organisations.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct OrgCache {
    entries: Mutex<HashMap<String, (Instant, Arc<Organisation>)>>,
}

impl OrgCache {
    /// The organisation, from memory while fresh, else from the store.
    pub async fn get(&self, store: &dyn Store, id: &str) -> StoreResult<Option<Arc<Organisation>>> {
        if let Some((read_at, organisation)) = self.lock().get(id) {
            if read_at.elapsed() < FRESH_FOR {
                return Ok(Some(organisation.clone()));
            }
        }
        let read_at = Instant::now();
        let found = store.get_organisation(id).await?.map(Arc::new);
        let mut entries = self.lock();
        match &found {
            Some(organisation) => {
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
                entries.insert(id.to_owned(), (read_at, organisation.clone()));
            }
            None => {
                entries.remove(id);
            }
        }
        Ok(found)
    }

    /// Drops what is known of an organisation after this server changed it.
    pub fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<Organisation>)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
