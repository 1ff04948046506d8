//! Portal links and the sessions they open.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// A one-time portal link to be stored; the token itself is never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLink {
    pub id: String,
    pub organisation_id: String,
    pub customer_id: String,
    pub token_hash: Vec<u8>,
    pub return_url: Option<String>,
    pub locale: Option<String>,
    pub section: Option<String>,
    pub idle_timeout_secs: i64,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The API key that made the link; `None` for the command line and the demo.
    pub api_key_id: Option<String>,
}

/// A stored portal link, as read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub organisation_id: String,
    pub customer_id: String,
    pub return_url: Option<String>,
    pub locale: Option<String>,
    pub section: Option<String>,
    pub idle_timeout_secs: i64,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A portal session made from a link, with the link's return URL and section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub organisation_id: String,
    pub customer_id: String,
    pub link_id: String,
    pub locale: Option<String>,
    pub idle_timeout_secs: i64,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end of the session, whatever its activity.
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
    pub return_url: Option<String>,
    pub section: Option<String>,
}

impl Session {
    /// Whether the session may still be used at `now`: not ended, not past its absolute
    /// lifetime, and not idle for longer than its idle timeout.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none()
            && now < self.expires_at
            && now < self.last_seen_at + chrono::Duration::seconds(self.idle_timeout_secs)
    }
}

/// A link that can still be used, or whose session is still live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveLink {
    pub link: Link,
    /// The session made from it, when it has been opened.
    pub session: Option<Session>,
}

/// Portal links and the sessions they open.
#[async_trait]
pub trait LinkStore: Send + Sync {
    async fn insert_link(&self, link: &NewLink) -> StoreResult<()>;
    async fn find_link(&self, token_hash: &[u8]) -> StoreResult<Option<Link>>;
    /// Claims a link that is unused, unrevoked and unexpired at `now` and makes its
    /// session, atomically: of two concurrent exchanges of one link, one gets `None`.
    async fn exchange_link(
        &self,
        token_hash: &[u8],
        session_id: &str,
        session_token_hash: &[u8],
        session_lifetime_secs: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>>;
    async fn find_session(&self, token_hash: &[u8]) -> StoreResult<Option<Session>>;
    /// Records activity, but writes only when the last record is older than
    /// `coalesce_secs`, so a busy session does not write on every request.
    async fn touch_session(
        &self,
        id: &str,
        now: DateTime<Utc>,
        coalesce_secs: i64,
    ) -> StoreResult<()>;
    /// Ends a live session; returns whether it was live.
    async fn end_session(&self, id: &str, reason: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Revokes a link of the organisation and ends every session made from it; returns
    /// whether the link exists.
    async fn revoke_link(
        &self,
        organisation_id: &str,
        link_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// A customer's links that can still be opened or whose session is live, newest first.
    async fn list_live_links(
        &self,
        organisation_id: &str,
        customer_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<LiveLink>>;
    /// The language the customer chose for a live session.
    async fn set_session_locale(&self, session_id: &str, locale: &str) -> StoreResult<()>;
}
