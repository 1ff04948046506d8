//! `/v1/webhook_endpoints` and `/v1/webhook_deliveries`: where an organisation's events
//! are pushed, and how each delivery went.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::paging;
use crate::auth::VendorKey;
use crate::error::{removed, ApiError};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{Delivery, EndpointChange, Retry, WebhookEndpoint};
use crate::webhooks::{self, guard};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/webhook_endpoints",
            get(list_endpoints).post(create_endpoint),
        )
        .route(
            "/v1/webhook_endpoints/{id}",
            get(get_endpoint)
                .patch(update_endpoint)
                .delete(delete_endpoint),
        )
        .route(
            "/v1/webhook_endpoints/{id}/rotate_secret",
            post(rotate_secret),
        )
        .route(
            "/v1/webhook_endpoints/{id}/deliveries",
            get(list_deliveries),
        )
        .route("/v1/webhook_deliveries/{id}/retry", post(retry_delivery))
}

/// The most endpoints an organisation may have.
pub const MAX_ENDPOINTS: usize = 16;
/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 200;

/// `POST /v1/webhook_endpoints`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    /// Where events are posted: an https URL on a public address.
    pub url: String,
    /// Event types to send, or `["*"]` for all of them.
    pub events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `PATCH /v1/webhook_endpoints/{id}`: fields left out stay as they are.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// `true` turns an endpoint on again after Portico turned it off for failing.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// An empty string removes the description.
    #[serde(default)]
    pub description: Option<String>,
}

/// An endpoint; its secret is shown only when it is made or rotated.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EndpointView {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<String>,
    pub enabled: bool,
    /// `failing` when Portico turned the endpoint off after three days of failures.
    pub disabled_reason: Option<String>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An endpoint with its signing secret: the only time the secret is shown.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: EndpointView,
    /// The key of `Portico-Signature`'s HMAC-SHA256 (the whole string, as UTF-8).
    pub secret: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EndpointList {
    pub data: Vec<EndpointView>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    pub data: Vec<Delivery>,
    /// Pass as `?before=` for older deliveries; absent on the last page.
    pub next_before: Option<String>,
}

#[derive(Deserialize)]
struct DeliveryQuery {
    before: Option<String>,
    limit: Option<i64>,
}

impl From<WebhookEndpoint> for EndpointView {
    fn from(e: WebhookEndpoint) -> Self {
        EndpointView {
            previous_secret_expires_at: e
                .previous_secret
                .as_ref()
                .and(e.previous_secret_expires_at),
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events,
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Checks event types: known ones, each once, or `*` alone.
pub fn check_events(events: &[String]) -> Result<Vec<String>, ApiError> {
    if events.is_empty() {
        return Err(ApiError::field(
            "events",
            "must name at least one event type, or \"*\" for all",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if event != "*" && !webhooks::EVENT_TYPES.contains(&event.as_str()) {
            return Err(ApiError::field(
                format!("events[{i}]"),
                format!(
                    "is not an event type; use \"*\" or one of: {}",
                    webhooks::EVENT_TYPES.join(", ")
                ),
            ));
        }
        if out.contains(event) {
            return Err(ApiError::field(format!("events[{i}]"), "is listed twice"));
        }
        out.push(event.clone());
    }
    if out.len() > 1 && out.iter().any(|e| e == "*") {
        return Err(ApiError::field(
            "events",
            "\"*\" already means every event type; send it alone",
        ));
    }
    Ok(out)
}

/// Checks an endpoint URL as written and where its name points now.
pub async fn check_url(text: &str, allowed: &guard::AllowedHosts) -> Result<String, ApiError> {
    let url = guard::check_url(text, allowed).map_err(|why| ApiError::field("url", why))?;
    guard::check_resolves(&url, allowed)
        .await
        .map_err(|why| ApiError::field("url", why))?;
    Ok(url.to_string())
}

/// A description, trimmed; white space alone removes it.
fn check_description(text: &str) -> Result<Option<String>, ApiError> {
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::field(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    app::api::rules::text(text, MAX_DESCRIPTION_CHARS).map_err(|problem| {
        ApiError::field(
            "description",
            match problem {
                app::api::rules::Problem::TooLong => {
                    format!("must be at most {MAX_DESCRIPTION_CHARS} characters")
                }
                _ => "must not contain control characters".to_owned(),
            },
        )
    })?;
    Ok(Some(text.to_owned()))
}

/// A new endpoint for an organisation, checked as the API checks it.
pub async fn new_endpoint(
    store: &dyn crate::store::Store,
    allowed: &guard::AllowedHosts,
    organisation_id: &str,
    input: EndpointInput,
    now: DateTime<Utc>,
) -> Result<WebhookEndpoint, ApiError> {
    let url = check_url(&input.url, allowed).await?;
    let events = check_events(&input.events)?;
    let description = input
        .description
        .as_deref()
        .map(check_description)
        .transpose()?
        .flatten();
    let existing = store.list_webhook_endpoints(organisation_id).await?;
    if existing.len() >= MAX_ENDPOINTS {
        return Err(ApiError::Conflict(format!(
            "An organisation has at most {MAX_ENDPOINTS} webhook endpoints; delete one first."
        )));
    }
    let endpoint = WebhookEndpoint {
        id: uuid::Uuid::now_v7().to_string(),
        organisation_id: organisation_id.to_owned(),
        url,
        description,
        events,
        enabled: true,
        secret: webhooks::new_secret(),
        previous_secret: None,
        previous_secret_expires_at: None,
        failing_since: None,
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    store.insert_webhook_endpoint(&endpoint).await?;
    Ok(endpoint)
}

pub fn with_secret(endpoint: WebhookEndpoint) -> EndpointWithSecret {
    let secret = endpoint.secret.clone();
    EndpointWithSecret {
        endpoint: endpoint.into(),
        secret,
    }
}

async fn create_endpoint(
    State(state): State<AppState>,
    vendor: VendorKey,
    ApiJson(input): ApiJson<EndpointInput>,
) -> Result<(StatusCode, Json<EndpointWithSecret>), ApiError> {
    let endpoint = new_endpoint(
        state.store.as_ref(),
        &state.webhooks.allowed,
        &vendor.organisation.id,
        input,
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(with_secret(endpoint))))
}

async fn list_endpoints(
    State(state): State<AppState>,
    vendor: VendorKey,
) -> Result<Json<EndpointList>, ApiError> {
    let data = state
        .store
        .list_webhook_endpoints(&vendor.organisation.id)
        .await?
        .into_iter()
        .map(EndpointView::from)
        .collect();
    Ok(Json(EndpointList { data }))
}

/// Ids are UUIDs: anything longer is no endpoint, and never reaches the database.
fn plausible_id(id: &str) -> Result<(), ApiError> {
    if id.len() > 64 {
        Err(ApiError::NotFound)
    } else {
        Ok(())
    }
}

async fn get_endpoint(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<Json<EndpointView>, ApiError> {
    plausible_id(&id)?;
    state
        .store
        .get_webhook_endpoint(&vendor.organisation.id, &id)
        .await?
        .map(|e| Json(e.into()))
        .ok_or(ApiError::NotFound)
}

async fn update_endpoint(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<EndpointPatch>,
) -> Result<Json<EndpointView>, ApiError> {
    plausible_id(&id)?;
    let change = EndpointChange {
        url: match &patch.url {
            Some(url) => Some(check_url(url, &state.webhooks.allowed).await?),
            None => None,
        },
        events: patch.events.as_deref().map(check_events).transpose()?,
        description: patch
            .description
            .as_deref()
            .map(check_description)
            .transpose()?,
        enabled: patch.enabled,
    };
    let updated = state
        .store
        .update_webhook_endpoint(&vendor.organisation.id, &id, &change, state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(updated.into()))
}

async fn delete_endpoint(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    plausible_id(&id)?;
    let org = &vendor.organisation.id;
    removed(state.store.delete_webhook_endpoint(org, &id).await?)
}

async fn rotate_secret(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<Json<EndpointWithSecret>, ApiError> {
    plausible_id(&id)?;
    let now = state.clock.now();
    state
        .store
        .rotate_webhook_secret(
            &vendor.organisation.id,
            &id,
            &webhooks::new_secret(),
            now + webhooks::ROTATION_OVERLAP,
            now,
        )
        .await?
        .map(|e| Json(with_secret(e)))
        .ok_or(ApiError::NotFound)
}

async fn list_deliveries(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryList>, ApiError> {
    plausible_id(&id)?;
    let limit = paging::limit(query.limit, 50, 200)?;
    let before = paging::id_cursor(query.before.as_deref(), "before", "is not a delivery id")?;
    let org = &vendor.organisation.id;
    if state.store.get_webhook_endpoint(org, &id).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let rows = state
        .store
        .list_webhook_deliveries(org, &id, before, limit + 1)
        .await?;
    let page = paging::page(rows, limit, |d| d.id.clone());
    Ok(Json(DeliveryList {
        data: page.data,
        next_before: page.next_cursor,
    }))
}

async fn retry_delivery(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Delivery>), ApiError> {
    plausible_id(&id)?;
    match state
        .store
        .retry_webhook_delivery(&vendor.organisation.id, &id, state.clock.now())
        .await?
    {
        Retry::NotFound => Err(ApiError::NotFound),
        Retry::InFlight => Err(ApiError::Conflict(
            "This delivery is being sent right now.".into(),
        )),
        Retry::EndpointDisabled => Err(ApiError::Conflict(
            "The delivery's endpoint is disabled; enable it with PATCH first.".into(),
        )),
        Retry::Queued(delivery) => Ok((StatusCode::ACCEPTED, Json(delivery))),
    }
}
