//! `GET /v1/events`: what customers did in the portal (and, later, vendor changes), oldest
//! first, for a vendor's backend to follow and act on.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::paging;
use crate::auth::VendorKey;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::store::Event;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/events", get(list_events))
}

#[derive(Deserialize)]
struct EventQuery {
    /// The id of the last event already seen.
    after: Option<String>,
    limit: Option<i64>,
}

#[derive(Serialize)]
struct EventList {
    data: Vec<Event>,
    /// Pass as `?after=` for the events that follow; absent when there are none yet.
    next_after: Option<String>,
}

/// `GET /v1/events?after=&limit=`.
async fn list_events(
    State(state): State<AppState>,
    vendor: VendorKey,
    ApiQuery(query): ApiQuery<EventQuery>,
) -> Result<Json<EventList>, ApiError> {
    let limit = paging::limit(query.limit, 100, 500)?;
    let after = paging::id_cursor(query.after.as_deref(), "after", "is not an event id")?;
    let data = state
        .store
        .list_events(&vendor.organisation.id, after, limit)
        .await?;
    let next_after = data.last().map(|e| e.id.clone());
    Ok(Json(EventList { data, next_after }))
}
