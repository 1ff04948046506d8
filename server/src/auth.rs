//! Who is calling: a vendor with an API key, or a customer with a portal session.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Organisation, Session};
use crate::token;

/// A vendor call: headers `organisation` and `X-API-KEY` that belong together. Every
/// failure is the same 401, so a caller learns nothing about which part was wrong.
pub struct VendorKey {
    pub organisation: Organisation,
}

impl FromRequestParts<AppState> for VendorKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let (Some(organisation_id), Some(key)) = (header("organisation"), header("x-api-key"))
        else {
            return Err(ApiError::Unauthorized);
        };
        let Some(stored) = state.store.find_api_key(&token::hash(key)).await? else {
            return Err(ApiError::Unauthorized);
        };
        let same_org: bool = stored
            .organisation_id
            .as_bytes()
            .ct_eq(organisation_id.as_bytes())
            .into();
        if stored.revoked_at.is_some() || !same_org || !token::matches(key, &stored.key_hash) {
            return Err(ApiError::Unauthorized);
        }
        let organisation = state
            .store
            .get_organisation(&stored.organisation_id)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(VendorKey { organisation })
    }
}

/// A portal call: `Authorization: Bearer <session token>` of a live session. Organisation
/// and customer come from here, never from the request.
pub struct PortalSession {
    pub session: Session,
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
        let session = state
            .store
            .find_session(&token::hash(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let now = state.clock.now();
        if !session.is_live(now) {
            if session.ended_at.is_none() {
                let reason = if now >= session.expires_at {
                    "expired"
                } else {
                    "idle"
                };
                state.store.end_session(&session.id, reason, now).await?;
            }
            return Err(ApiError::SESSION_EXPIRED.with_return_url(session.return_url));
        }
        state
            .store
            .touch_session(
                &session.id,
                now,
                touch_interval_secs(session.idle_timeout_secs),
            )
            .await?;
        Ok(PortalSession { session })
    }
}

#[cfg(test)]
mod tests {
    use super::touch_interval_secs;

    #[test]
    fn activity_writes_are_coalesced_within_a_tenth_of_the_idle_timeout() {
        assert_eq!(touch_interval_secs(60), 6);
        assert_eq!(touch_interval_secs(3600), 60);
        assert_eq!(touch_interval_secs(5), 1);
    }
}
