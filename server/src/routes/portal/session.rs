//! Calls about the session itself, whatever the tab: who is signed in, and the language
//! they picked.

use app::api::portal::SessionPatch;
use app::api::session::{SessionInfo, LOCALES};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

use super::session_customer;

/// `GET /api/v1/portal/session`: who is signed in, for whom.
pub(super) async fn get_session(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<SessionInfo>, ApiError> {
    let customer = session_customer(&state, &portal).await?;
    let s = portal.session;
    let organisation = state
        .organisation(&s.organisation_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    let payment_method_setup_url = organisation
        .settings
        .payment_method_setup_url
        .as_deref()
        .filter(|_| {
            organisation
                .settings
                .sections
                .iter()
                .any(|s| s == "payment_methods")
        })
        .map(|template| {
            crate::settings::setup_url(template, &customer.external_id, s.return_url.as_deref())
        });
    Ok(Json(SessionInfo {
        payment_method_setup_url,
        customer_name: customer.name,
        organisation_id: organisation.id.clone(),
        organisation_name: organisation.name.clone(),
        return_url: s.return_url.clone(),
        locale: s.locale.clone(),
        customer_locale: customer.locale,
        default_locale: organisation.settings.default_locale.clone(),
        expires_at: s.expires_at,
        idle_timeout: s.idle_timeout_secs,
    }))
}

/// `PATCH /api/v1/portal/session`: the language the customer picked, kept for the rest
/// of the session.
pub(super) async fn update_session(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiJson(patch): ApiJson<SessionPatch>,
) -> Result<StatusCode, ApiError> {
    if !LOCALES.contains(&patch.locale.as_str()) {
        return Err(ApiError::field(
            "locale",
            format!("must be one of: {}", LOCALES.join(", ")),
        ));
    }
    state
        .store
        .set_session_locale(&portal.session.id, &patch.locale)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
