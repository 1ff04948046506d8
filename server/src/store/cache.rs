//! What the portal's hot path reads, kept in memory: live sessions by token, and list
//! answers by customer and query. A portal read that finds both here asks the database
//! nothing.
//!
//! Nothing here is the truth, only a copy of it that is forgotten when the truth changes:
//! - a write through this process's store tells the cache what it changed once it has
//!   committed ([`HotCache::apply`]);
//! - on PostgreSQL, the same write also notifies every other instance when it commits,
//!   and each forgets the same entries within milliseconds (see `follow_changes`);
//! - whatever neither reaches (a lost notification while an instance reconnects, a
//!   `portico` command writing an SQLite file beside a running server) is bounded by
//!   [`FRESH_FOR`]: no entry is used longer than that after it was read.
//!
//! A read that overlapped a change to what it read is not kept: every change moves the
//! generation and notes it against what it touched (sessions, or a customer's lists), and
//! a value read from the database is stored only if nothing it belongs to changed after
//! the generation its read started under, so a value read just before a commit cannot
//! outlive it. An import changing other customers does not stop a list from being kept.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Organisation, Session};

/// How long an entry is used after it was read from the database.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// Above this many organisations the cache of them starts again from empty.
const MAX_ORGANISATIONS: usize = 10_000;
/// Above this many sessions the cache starts again from empty.
const MAX_SESSIONS: usize = 20_000;
/// Customers whose last change is remembered at most (a few MiB); past it, reads that
/// started before are not kept.
const MAX_CHANGED_CUSTOMERS: usize = 50_000;
/// The bytes of list answers kept at most; past it the page cache starts again from empty.
const MAX_PAGE_BYTES: usize = 16 << 20;
/// A list answer larger than this is not kept (a 100-row page is about 45 KB).
const MAX_PAGE: usize = 256 << 10;

/// What a committed write changed, as far as the cache is concerned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "c", rename_all = "snake_case")]
pub enum Change {
    /// A session changed or ended (by its id).
    Session { id: String },
    /// The session opened from a link ended (revoked, logged out, lapsed).
    Link { id: String },
    /// These customers' records changed: their cached lists go.
    Customers {
        organisation: String,
        customers: Vec<String>,
    },
    /// Any customer's lists of the organisation may have changed (a record changed in
    /// place, which may have moved it between customers): all of its lists go.
    Organisation { id: String },
    /// An organisation's name or settings changed.
    Settings { id: String },
    /// A customer was deleted, with their sessions: both go.
    CustomerDeleted {
        organisation: String,
        customer: String,
    },
}

impl Change {
    /// The PostgreSQL notification's payload.
    pub fn payload(&self) -> String {
        serde_json::to_string(self).expect("a change serialises")
    }

    pub fn from_payload(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    pub fn customer(organisation: &str, customer: &str) -> Self {
        Change::Customers {
            organisation: organisation.to_owned(),
            customers: vec![customer.to_owned()],
        }
    }

    /// The changes that name these customers, each small enough for one notification
    /// (PostgreSQL takes payloads below 8,000 bytes).
    pub fn customers<'c>(
        organisation: &str,
        customers: impl IntoIterator<Item = &'c str>,
    ) -> Vec<Self> {
        let mut changes = Vec::new();
        let mut chunk: Vec<String> = Vec::new();
        let mut size = 0;
        for customer in customers {
            if !chunk.is_empty() && size + customer.len() > MAX_PAYLOAD_IDS {
                changes.push(Change::Customers {
                    organisation: organisation.to_owned(),
                    customers: std::mem::take(&mut chunk),
                });
                size = 0;
            }
            size += customer.len() + 3;
            chunk.push(customer.to_owned());
        }
        if !chunk.is_empty() {
            changes.push(Change::Customers {
                organisation: organisation.to_owned(),
                customers: chunk,
            });
        }
        changes
    }
}

/// The bytes of customer ids one notification names at most.
const MAX_PAYLOAD_IDS: usize = 6000;

/// The PostgreSQL channel changes are announced on.
pub const CHANNEL: &str = "portico_changes";

struct SessionEntry {
    read_at: Instant,
    session: Arc<Session>,
}

struct PageEntry {
    read_at: Instant,
    body: Bytes,
}

#[derive(Default)]
struct Inner {
    /// Whether what is read may be kept: not while the change feed of other instances is
    /// down (see [`HotCache::following`]).
    paused: bool,
    /// Moved by every change.
    generation: u64,
    /// The generation of the last change to any session.
    sessions_changed: u64,
    /// [`customer_key`] → the generation of the last change to that customer's lists; the
    /// key with an empty customer stands for every list of the organisation.
    lists_changed: HashMap<String, u64>,
    /// The generation of the last change to any organisation's settings.
    settings_changed: u64,
    /// Organisations by id, as every portal call reads them (which sections they show).
    organisations: HashMap<String, (Instant, Arc<Organisation>)>,
    /// Reads that started before this generation are not kept: what changed before it is
    /// no longer in `lists_changed`.
    floor: u64,
    sessions: HashMap<Vec<u8>, SessionEntry>,
    /// [`customer_key`] → request (path and query) → answer.
    pages: HashMap<String, HashMap<String, PageEntry>>,
    page_bytes: usize,
}

/// A customer's key among the pages: ids hold no NUL.
fn customer_key(organisation: &str, customer: &str) -> String {
    format!("{organisation}\0{customer}")
}

/// The hot path's memory; see the module's notes.
#[derive(Default)]
pub struct HotCache {
    inner: Mutex<Inner>,
    counts: [AtomicU64; 4],
}

/// How often the hot path found what it looked for, since the server started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    pub session_hits: u64,
    pub session_misses: u64,
    pub page_hits: u64,
    pub page_misses: u64,
}

const SESSION_HITS: usize = 0;
const SESSION_MISSES: usize = 1;
const PAGE_HITS: usize = 2;
const PAGE_MISSES: usize = 3;

impl HotCache {
    /// A cache that keeps nothing until [`Self::following`] says other instances' changes
    /// are heard (PostgreSQL, where several instances share the database).
    pub fn paused() -> Self {
        let cache = Self::default();
        cache.lock().paused = true;
        cache
    }

    /// Whether the change feed is heard: when it is lost, everything is forgotten and
    /// nothing is kept until it is back.
    pub fn following(&self, heard: bool) {
        let mut inner = self.lock();
        inner.paused = !heard;
        inner.generation += 1;
        inner.sessions_changed = inner.generation;
        inner.settings_changed = inner.generation;
        inner.organisations.clear();
        inner.floor = inner.generation;
        inner.lists_changed.clear();
        inner.sessions.clear();
        inner.pages.clear();
        inner.page_bytes = 0;
    }
}

/// The generation a database read started under: what it read may be kept only if no
/// change came in the meantime.
#[derive(Clone, Copy, Debug)]
pub struct Generation(u64);

impl HotCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Taken before reading what will be offered to [`Self::keep_session`] or
    /// [`Self::keep_page`].
    pub fn generation(&self) -> Generation {
        Generation(self.lock().generation)
    }

    /// The session of a token hash, if read less than [`FRESH_FOR`] ago.
    pub fn session(&self, token_hash: &[u8]) -> Option<Arc<Session>> {
        let found = {
            let inner = self.lock();
            inner
                .sessions
                .get(token_hash)
                .filter(|e| e.read_at.elapsed() < FRESH_FOR)
                .map(|e| e.session.clone())
        };
        self.count(found.is_some(), SESSION_HITS, SESSION_MISSES);
        found
    }

    fn count(&self, hit: bool, hits: usize, misses: usize) {
        self.counts[if hit { hits } else { misses }].fetch_add(1, Ordering::Relaxed);
    }

    /// The lookups so far, for `/metrics`.
    pub fn lookups(&self) -> Lookups {
        let get = |n: usize| self.counts[n].load(Ordering::Relaxed);
        Lookups {
            session_hits: get(SESSION_HITS),
            session_misses: get(SESSION_MISSES),
            page_hits: get(PAGE_HITS),
            page_misses: get(PAGE_MISSES),
        }
    }

    /// Keeps a session read from the database, unless something changed since `seen`.
    pub fn keep_session(&self, token_hash: &[u8], session: &Arc<Session>, seen: Generation) {
        let mut inner = self.lock();
        if inner.paused || inner.sessions_changed > seen.0 {
            return;
        }
        if inner.sessions.len() >= MAX_SESSIONS {
            inner.sessions.clear();
        }
        inner.sessions.insert(
            token_hash.to_vec(),
            SessionEntry {
                read_at: Instant::now(),
                session: Arc::clone(session),
            },
        );
    }

    /// An organisation, if read less than [`FRESH_FOR`] ago.
    pub fn organisation(&self, id: &str) -> Option<Arc<Organisation>> {
        let inner = self.lock();
        let (read_at, organisation) = inner.organisations.get(id)?;
        (read_at.elapsed() < FRESH_FOR).then(|| organisation.clone())
    }

    /// Keeps an organisation read from the database, unless settings changed since `seen`.
    pub fn keep_organisation(&self, organisation: &Arc<Organisation>, seen: Generation) {
        let mut inner = self.lock();
        if inner.paused || inner.settings_changed > seen.0 {
            return;
        }
        if inner.organisations.len() >= MAX_ORGANISATIONS {
            inner.organisations.clear();
        }
        inner.organisations.insert(
            organisation.id.clone(),
            (Instant::now(), Arc::clone(organisation)),
        );
    }

    /// Notes activity this process wrote for a cached session, so that the next request
    /// does not write it again.
    pub fn touched(&self, token_hash: &[u8], at: DateTime<Utc>) {
        if let Some(entry) = self.lock().sessions.get_mut(token_hash) {
            if entry.session.last_seen_at < at {
                Arc::make_mut(&mut entry.session).last_seen_at = at;
            }
        }
    }

    /// A customer's answer to `request`, if read less than [`FRESH_FOR`] ago.
    pub fn page(&self, organisation: &str, customer: &str, request: &str) -> Option<Bytes> {
        let key = customer_key(organisation, customer);
        let found = {
            let inner = self.lock();
            inner
                .pages
                .get(&key)
                .and_then(|pages| pages.get(request))
                .filter(|e| e.read_at.elapsed() < FRESH_FOR)
                .map(|e| e.body.clone())
        };
        self.count(found.is_some(), PAGE_HITS, PAGE_MISSES);
        found
    }

    /// Keeps a customer's answer to `request`, unless something changed since `seen`.
    pub fn keep_page(
        &self,
        organisation: &str,
        customer: &str,
        request: &str,
        body: Bytes,
        seen: Generation,
    ) {
        if body.len() > MAX_PAGE {
            return;
        }
        let key = customer_key(organisation, customer);
        let mut inner = self.lock();
        let changed = [
            inner.lists_changed.get(&key),
            inner.lists_changed.get(&customer_key(organisation, "")),
        ]
        .into_iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
        if inner.paused || seen.0 < inner.floor || changed > seen.0 {
            return;
        }
        if inner.page_bytes + body.len() > MAX_PAGE_BYTES {
            inner.pages.clear();
            inner.page_bytes = 0;
        }
        inner.page_bytes += body.len();
        let replaced = inner.pages.entry(key).or_default().insert(
            request.to_owned(),
            PageEntry {
                read_at: Instant::now(),
                body,
            },
        );
        if let Some(old) = replaced {
            inner.page_bytes -= old.body.len();
        }
    }

    /// Forgets what a committed change makes stale.
    pub fn apply(&self, change: &Change) {
        let mut inner = self.lock();
        inner.generation += 1;
        let generation = inner.generation;
        match change {
            Change::Session { id } => {
                inner.sessions_changed = generation;
                inner.sessions.retain(|_, e| e.session.id != *id);
            }
            Change::Link { id } => {
                inner.sessions_changed = generation;
                inner.sessions.retain(|_, e| e.session.link_id != *id);
            }
            Change::Customers {
                organisation,
                customers,
            } => {
                for customer in customers {
                    let key = customer_key(organisation, customer);
                    inner.drop_pages(&key);
                    inner.note_lists_changed(key);
                }
            }
            Change::Organisation { id } => inner.forget_organisations_pages(id),
            Change::Settings { id } => {
                inner.settings_changed = generation;
                inner.organisations.remove(id);
                // What the lists show can depend on the settings (payment pages).
                inner.forget_organisations_pages(id);
            }
            Change::CustomerDeleted {
                organisation,
                customer,
            } => {
                inner.sessions_changed = generation;
                inner.sessions.retain(|_, e| {
                    e.session.organisation_id != *organisation || e.session.customer_id != *customer
                });
                let key = customer_key(organisation, customer);
                inner.drop_pages(&key);
                inner.note_lists_changed(key);
            }
        }
    }
}

impl Inner {
    /// Drops every list kept for an organisation's customers, and notes the change.
    fn forget_organisations_pages(&mut self, id: &str) {
        let prefix = customer_key(id, "");
        let keys: Vec<String> = self
            .pages
            .keys()
            .filter(|key| key.starts_with(&prefix))
            .cloned()
            .collect();
        for key in &keys {
            self.drop_pages(key);
        }
        self.note_lists_changed(prefix);
    }

    /// Drops the lists kept for one [`customer_key`].
    fn drop_pages(&mut self, key: &str) {
        if let Some(pages) = self.pages.remove(key) {
            self.page_bytes -= pages.values().map(|p| p.body.len()).sum::<usize>();
        }
    }

    /// Notes a change against a customer's lists, or (with an empty customer) against all
    /// of an organisation's: reads that began before it are not kept.
    fn note_lists_changed(&mut self, key: String) {
        if self.lists_changed.len() >= MAX_CHANGED_CUSTOMERS {
            self.lists_changed.clear();
            self.floor = self.generation;
        }
        self.lists_changed.insert(key, self.generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, link: &str, org: &str) -> Arc<Session> {
        let now = Utc::now();
        Arc::new(Session {
            id: id.into(),
            organisation_id: org.into(),
            customer_id: "c".into(),
            link_id: link.into(),
            locale: None,
            idle_timeout_secs: 60,
            created_at: now,
            last_seen_at: now,
            expires_at: now,
            ended_at: None,
            end_reason: None,
            return_url: None,
            section: None,
        })
    }

    #[test]
    fn a_read_that_overlapped_a_change_is_not_kept() {
        let cache = HotCache::default();
        let seen = cache.generation();
        cache.apply(&Change::Session { id: "s".into() });
        cache.keep_session(b"t", &session("s", "l", "o"), seen);
        assert!(cache.session(b"t").is_none());
        // A change of a session, or of another customer, does not stop a list.
        cache.apply(&Change::customer("o", "other"));
        cache.keep_page("o", "c", "/x", Bytes::from_static(b"[]"), seen);
        assert!(cache.page("o", "c", "/x").is_some());
        let seen = cache.generation();
        cache.apply(&Change::customer("o", "c"));
        cache.keep_page("o", "c", "/x", Bytes::from_static(b"[]"), seen);
        assert!(cache.page("o", "c", "/x").is_none());
        let seen = cache.generation();
        cache.keep_session(b"t", &session("s", "l", "o"), seen);
        assert!(cache.session(b"t").is_some());
        assert_eq!(
            cache.lookups(),
            Lookups {
                session_hits: 1,
                session_misses: 1,
                page_hits: 1,
                page_misses: 1,
            }
        );
    }

    #[test]
    fn changes_forget_exactly_what_they_name() {
        let cache = HotCache::default();
        let seen = cache.generation();
        cache.keep_session(b"1", &session("s1", "l1", "o"), seen);
        cache.keep_session(b"2", &session("s2", "l2", "o"), seen);
        cache.keep_session(b"3", &session("s3", "l3", "p"), seen);
        cache.keep_page("o", "c1", "/a", Bytes::from_static(b"a"), seen);
        cache.keep_page("o", "c2", "/a", Bytes::from_static(b"bb"), seen);
        cache.keep_page("p", "c1", "/a", Bytes::from_static(b"ccc"), seen);
        cache.apply(&Change::Link { id: "l1".into() });
        assert!(cache.session(b"1").is_none());
        assert!(cache.session(b"2").is_some());
        cache.apply(&Change::Session { id: "s2".into() });
        assert!(cache.session(b"2").is_none());
        cache.apply(&Change::customer("o", "c1"));
        assert!(cache.page("o", "c1", "/a").is_none());
        assert_eq!(cache.page("o", "c2", "/a").as_deref(), Some(&b"bb"[..]));
        assert_eq!(cache.lock().page_bytes, 5);
        let seen = cache.generation();
        cache.apply(&Change::Organisation { id: "o".into() });
        assert!(cache.page("o", "c2", "/a").is_none());
        cache.keep_page("o", "c2", "/a", Bytes::from_static(b"bb"), seen);
        assert!(
            cache.page("o", "c2", "/a").is_none(),
            "read before the change"
        );
        assert!(cache.session(b"3").is_some());
        assert!(cache.page("p", "c1", "/a").is_some());
        assert_eq!(cache.lock().page_bytes, 3);
    }

    #[test]
    fn many_customers_are_announced_in_notifications_that_fit() {
        let ids: Vec<String> = (0..1000).map(|n| format!("{n:036}")).collect();
        let changes = Change::customers("o", ids.iter().map(String::as_str));
        assert!(changes.len() > 1);
        let mut named = Vec::new();
        for change in &changes {
            assert!(change.payload().len() < 8000, "{}", change.payload().len());
            let Change::Customers { customers, .. } = change else {
                panic!("{change:?}")
            };
            named.extend(customers.iter().cloned());
        }
        assert_eq!(named, ids);
    }

    #[test]
    fn a_read_older_than_the_changes_remembered_is_not_kept() {
        let cache = HotCache::default();
        let seen = cache.generation();
        let ids: Vec<String> = (0..MAX_CHANGED_CUSTOMERS + 1)
            .map(|n| n.to_string())
            .collect();
        for change in Change::customers("o", ids.iter().map(String::as_str)) {
            cache.apply(&change);
        }
        // "c" itself did not change, but that is no longer known for a read this old.
        cache.keep_page("o", "c", "/x", Bytes::from_static(b"[]"), seen);
        assert!(cache.page("o", "c", "/x").is_none());
        let seen = cache.generation();
        cache.keep_page("o", "c", "/x", Bytes::from_static(b"[]"), seen);
        assert!(cache.page("o", "c", "/x").is_some());
    }

    #[test]
    fn nothing_is_kept_while_the_change_feed_is_lost() {
        let cache = HotCache::paused();
        let seen = cache.generation();
        cache.keep_session(b"t", &session("s", "l", "o"), seen);
        assert!(cache.session(b"t").is_none());
        cache.following(true);
        let seen = cache.generation();
        cache.keep_session(b"t", &session("s", "l", "o"), seen);
        assert!(cache.session(b"t").is_some());
        cache.following(false);
        assert!(cache.session(b"t").is_none());
        let seen = cache.generation();
        cache.keep_page("o", "c", "/x", Bytes::from_static(b"[]"), seen);
        assert!(cache.page("o", "c", "/x").is_none());
    }

    #[test]
    fn payloads_round_trip() {
        for change in [
            Change::Session { id: "s".into() },
            Change::Link { id: "l".into() },
            Change::customer("o", "c:1"),
            Change::Organisation { id: "o".into() },
            Change::Settings { id: "o".into() },
            Change::CustomerDeleted {
                organisation: "o".into(),
                customer: "c".into(),
            },
        ] {
            assert_eq!(Change::from_payload(&change.payload()), Some(change));
        }
        assert_eq!(Change::from_payload("garbage"), None);
    }
}
