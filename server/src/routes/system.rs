use app::api::routes;
use app::api::system::Health;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

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
async fn get_health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let reachable = match state.store.ping().await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "health check: database unreachable");
            false
        }
    };
    let health = Health {
        status: if reachable { "ok" } else { "degraded" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: state.store.backend().as_str().to_owned(),
    };
    let status = if reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
