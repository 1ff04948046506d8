use app::api::routes;
use app::api::system::Health;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::VendorKey;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        routes::HEALTH
            .strip_prefix("/api")
            .expect("API paths start with /api"),
        get(get_health),
    )
}

/// 200 when the database answers, 503 when it does not, so a load balancer can drain us.
/// The version and the database backend are told only to a caller with a valid API key
/// (`organisation` and `X-API-KEY`), so that a scan learns nothing to match exploits to.
async fn get_health(State(state): State<AppState>, mut parts: Parts) -> (StatusCode, Json<Health>) {
    let vendor = if parts.headers.contains_key("x-api-key") {
        VendorKey::from_request_parts(&mut parts, &state).await.ok()
    } else {
        None
    };
    let reachable = match state.store.ping().await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            false
        }
    };
    let health = Health {
        status: if reachable { "ok" } else { "degraded" }.to_owned(),
        version: vendor
            .as_ref()
            .map(|_| env!("CARGO_PKG_VERSION").to_owned()),
        database: vendor
            .as_ref()
            .map(|_| state.store.backend().as_str().to_owned()),
    };
    let status = if reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
