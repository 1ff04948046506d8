//! Where the browser keeps its session: `sessionStorage` (per tab, never a cookie, so it
//! works in third-party iframes), or this page's memory when storage is blocked.

use serde::{Deserialize, Serialize};

/// What the portal remembers about its session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    pub token: String,
    pub organisation_id: String,
    pub return_url: Option<String>,
    pub locale: Option<String>,
}

impl From<crate::api::session::ExchangeResponse> for StoredSession {
    fn from(opened: crate::api::session::ExchangeResponse) -> Self {
        StoredSession {
            token: opened.session_token,
            organisation_id: opened.organisation_id,
            return_url: opened.return_url,
            locale: opened.locale,
        }
    }
}

/// Where a saved session lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// `sessionStorage`: survives reloads of this tab.
    Tab,
    /// Storage is blocked (some iframes): lost when the page is left or reloaded.
    PageMemory,
}

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use gloo_storage::{SessionStorage, Storage};

    use super::{Persistence, StoredSession};

    fn key(organisation_id: &str) -> String {
        format!("portico.session.{organisation_id}")
    }

    thread_local! {
        static MEMORY: RefCell<HashMap<String, StoredSession>> = RefCell::new(HashMap::new());
    }

    /// Whether this page may use `sessionStorage`. Browsers that block third-party
    /// storage throw a SecurityError on mere access, and gloo-storage panics on that, so
    /// every use is guarded by this probe.
    fn storage_available() -> bool {
        web_sys::window().is_some_and(|w| matches!(w.session_storage(), Ok(Some(_))))
    }

    pub fn save(session: &StoredSession) -> Persistence {
        let key = key(&session.organisation_id);
        if storage_available() && SessionStorage::set(&key, session).is_ok() {
            Persistence::Tab
        } else {
            MEMORY.with(|m| m.borrow_mut().insert(key, session.clone()));
            Persistence::PageMemory
        }
    }

    pub fn load(organisation_id: &str) -> Option<(StoredSession, Persistence)> {
        let key = key(organisation_id);
        if let Some(session) = MEMORY.with(|m| m.borrow().get(&key).cloned()) {
            return Some((session, Persistence::PageMemory));
        }
        if !storage_available() {
            return None;
        }
        SessionStorage::get::<StoredSession>(&key)
            .ok()
            .map(|s| (s, Persistence::Tab))
    }

    pub fn clear(organisation_id: &str) {
        let key = key(organisation_id);
        MEMORY.with(|m| m.borrow_mut().remove(&key));
        if storage_available() {
            SessionStorage::delete(&key);
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::{Persistence, StoredSession};

    // The server never holds a customer's session: pages render their loading state.
    pub fn save(_session: &StoredSession) -> Persistence {
        Persistence::PageMemory
    }

    pub fn load(_organisation_id: &str) -> Option<(StoredSession, Persistence)> {
        None
    }

    pub fn clear(_organisation_id: &str) {}
}

pub use imp::{clear, load, save};

/// A link's session as its page was rendered with it, with the language picked since in
/// this browser tab, if any: the whole app that replaces a link's landing page starts from
/// the link's answer, and the customer may have picked another language on that page.
pub fn with_picked_language(mut landed: StoredSession) -> StoredSession {
    if let Some((kept, _)) = load(&landed.organisation_id) {
        if kept.token == landed.token && kept.locale.is_some() {
            landed.locale = kept.locale;
        }
    }
    landed
}
