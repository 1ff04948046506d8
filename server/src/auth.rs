//! Who is calling: a vendor with an API key, or a customer with a portal session.

use app::api::routes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use std::sync::atomic::{AtomicU64, Ordering};

use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{KeyScope, Organisation, Session};
use crate::token;

/// A vendor call: headers `organisation` and `X-API-KEY` that belong together, with a
/// scope that allows the request. Every credential failure is the same 401, so a caller
/// learns nothing about which part was wrong; each is logged, and a client that keeps
/// failing is refused (429) before any key is checked.
pub struct VendorKey {
    pub organisation: std::sync::Arc<Organisation>,
    /// The key's id: links it makes remember it, so revoking the key ends them.
    pub key_id: String,
    pub scope: KeyScope,
}

/// Whether a key of `scope` may make this request. A `read` key may only read; a `links`
/// key may only make portal links.
pub fn scope_allows(scope: KeyScope, method: &Method, path: &str) -> bool {
    match scope {
        KeyScope::Full => true,
        KeyScope::Read => matches!(*method, Method::GET | Method::HEAD),
        KeyScope::Links => {
            *method == Method::POST
                && (path == routes::PORTAL_SESSIONS || path == routes::CUSTOMER_SESSION)
        }
    }
}

impl FromRequestParts<AppState> for VendorKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let client = state.request_client_key(&parts.extensions, &parts.headers);
        let now = state.clock.now();
        let failures = &state.limits.key_failures_by_client;
        failures
            .over(state.store.as_ref(), &client, now)
            .await?
            .map_err(|secs| ApiError::RateLimited {
                retry_after_secs: secs,
            })?;
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let organisation_header = header("organisation");
        let key = header("x-api-key");
        let found = match (organisation_header, key) {
            (Some(organisation_id), Some(key)) => {
                match state.store.find_api_key(&token::hash(key)).await? {
                    Some(stored) => {
                        let same_org: bool = stored
                            .organisation_id
                            .as_bytes()
                            .ct_eq(organisation_id.as_bytes())
                            .into();
                        (stored.revoked_at.is_none()
                            && same_org
                            && token::matches(key, &stored.key_hash))
                        .then_some(stored)
                    }
                    None => None,
                }
            }
            _ => None,
        };
        let organisation = match &found {
            Some(stored) => state.organisation(&stored.organisation_id).await?,
            None => None,
        };
        let (Some(stored), Some(organisation)) = (found, organisation) else {
            // A presented key that fails is a guess or a misconfigured client: counted, and
            // logged without the key itself (its first characters tell an operator which
            // key it was). A request with no key at all guesses nothing.
            if let Some(key) = key {
                let _ = failures.hit(state.store.as_ref(), &client, now).await?;
                tracing::warn!(
                    client = %client,
                    organisation = organisation_header.unwrap_or("-"),
                    key_prefix = %token::api_key_prefix(key),
                    path = %parts.uri.path(),
                    "API key refused"
                );
            }
            return Err(ApiError::Unauthorized);
        };
        if !scope_allows(stored.scope, &parts.method, parts.uri.path()) {
            return Err(ApiError::INSUFFICIENT_SCOPE);
        }
        Ok(VendorKey {
            organisation,
            key_id: stored.id,
            scope: stored.scope,
        })
    }
}

/// When the last portal call came, in milliseconds since [`EPOCH`] (0: never): bulk work,
/// an import, gives way while customers are being answered.
static LAST_PORTAL_CALL_MS: AtomicU64 = AtomicU64::new(0);
static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

fn since_epoch_ms() -> u64 {
    let epoch = EPOCH.get_or_init(std::time::Instant::now);
    u64::try_from(epoch.elapsed().as_millis()).map_or(u64::MAX, |ms| ms.max(1))
}

/// Whether a portal call came in the last tenth of a second.
pub fn portal_busy() -> bool {
    let last = LAST_PORTAL_CALL_MS.load(Ordering::Relaxed);
    last != 0 && since_epoch_ms().saturating_sub(last) < 100
}

/// A portal call: `Authorization: Bearer <session token>` of a live session. Organisation
/// and customer come from here, never from the request.
pub struct PortalSession {
    pub session: std::sync::Arc<Session>,
}

/// How often, at most, a session's activity is written: a tenth of its idle timeout,
/// between 1 and 60 seconds, so the idle timeout stays accurate to 10 %.
fn touch_interval_secs(idle_timeout_secs: i64) -> i64 {
    (idle_timeout_secs / 10).clamp(1, 60)
}

impl FromRequestParts<AppState> for PortalSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let hash = token::hash(token);
        let now = state.clock.now();
        let cache = state.store.cache();
        // A live session read in the last second is used as read: every change that ends
        // or alters one forgets it (see `store::cache`). Anything else asks the database,
        // which alone decides that a session has ended.
        let session = match cache.session(&hash).filter(|s| s.is_live(now)) {
            Some(session) => session,
            None => {
                let seen = cache.generation();
                let session = std::sync::Arc::new(
                    state
                        .store
                        .find_session(&hash)
                        .await?
                        .ok_or(ApiError::Unauthorized)?,
                );
                if session.is_live(now) {
                    cache.keep_session(&hash, &session, seen);
                }
                session
            }
        };
        if !session.is_live(now) {
            if session.ended_at.is_none() {
                let reason = if now >= session.expires_at {
                    "expired"
                } else {
                    "idle"
                };
                state.store.end_session(&session.id, reason, now).await?;
            }
            return Err(ApiError::SESSION_EXPIRED.with_return_url(session.return_url.clone()));
        }
        // Activity is recorded only when a tenth of the idle timeout has passed since it
        // last was: most reads write nothing, and so never wait for a writer.
        let interval = touch_interval_secs(session.idle_timeout_secs);
        if now - session.last_seen_at >= chrono::Duration::seconds(interval) {
            state
                .store
                .touch_session(&session.id, now, interval)
                .await?;
            cache.touched(&hash, now);
        }
        // Only a live session counts: a stream of bad tokens does not slow an import.
        LAST_PORTAL_CALL_MS.store(since_epoch_ms(), Ordering::Relaxed);
        Ok(PortalSession { session })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_narrow_what_a_key_may_do() {
        let post = Method::POST;
        let get = Method::GET;
        for (method, path) in [(&get, "/v1/invoices"), (&post, "/v1/import")] {
            assert!(scope_allows(KeyScope::Full, method, path));
        }
        assert!(scope_allows(KeyScope::Read, &get, "/v1/events"));
        assert!(!scope_allows(
            KeyScope::Read,
            &Method::PUT,
            "/v1/invoices/x"
        ));
        assert!(!scope_allows(
            KeyScope::Read,
            &post,
            routes::PORTAL_SESSIONS
        ));
        assert!(scope_allows(
            KeyScope::Links,
            &post,
            routes::PORTAL_SESSIONS
        ));
        assert!(scope_allows(
            KeyScope::Links,
            &post,
            routes::CUSTOMER_SESSION
        ));
        assert!(!scope_allows(
            KeyScope::Links,
            &get,
            "/v1/customers/c/portal_sessions"
        ));
        assert!(!scope_allows(
            KeyScope::Links,
            &Method::DELETE,
            "/v1/portal_sessions/x"
        ));
        assert!(!scope_allows(KeyScope::Links, &get, "/v1/invoices"));
    }

    #[test]
    fn activity_writes_are_coalesced_within_a_tenth_of_the_idle_timeout() {
        assert_eq!(touch_interval_secs(60), 6);
        assert_eq!(touch_interval_secs(3600), 60);
        assert_eq!(touch_interval_secs(5), 1);
    }
}
