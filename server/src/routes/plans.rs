//! The plan catalogue in the vendor API: `PUT`, `GET` and `DELETE /v1/plans/{id}`, and
//! `GET /v1/plans`.

use app::api::plans::{Plan, PlanInput};
use app::api::portal::List;
use app::api::routes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};

use crate::auth::VendorKey;
use crate::error::{removed, ApiError};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::Store;
use crate::validate::{self, Check, Validate};

pub fn router() -> Router<AppState> {
    Router::new().route(routes::PLANS, get(list_plans)).route(
        routes::PLAN,
        get(get_plan).put(put_plan).delete(delete_plan),
    )
}

/// `PUT /v1/plans/{id}`: 201 for a new plan, 200 for a replaced one.
async fn put_plan(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<(StatusCode, Json<Plan>), ApiError> {
    let now = state.clock.now();
    let (plan, created) = write_plan(
        state.store.as_ref(),
        &vendor.organisation.id,
        &id,
        &input,
        now,
    )
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(plan)))
}

/// Checks and keeps a plan under the vendor's id; answers it and whether it is new.
pub async fn write_plan(
    store: &dyn Store,
    organisation_id: &str,
    id: &str,
    input: &PlanInput,
    now: DateTime<Utc>,
) -> Result<(Plan, bool), ApiError> {
    let mut check = Check::default();
    validate::external_id(&mut check, "id", id);
    input.validate(&mut check);
    if input.switches_to.iter().any(|other| other == id) {
        check.fail("switches_to", "must not list the plan itself");
    }
    check.finish()?;
    Ok(store.put_plan(organisation_id, id, input, now).await?)
}

async fn get_plan(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<Json<Plan>, ApiError> {
    let plan = state.store.find_plan(&vendor.organisation.id, &id).await?;
    plan.map(Json).ok_or(ApiError::NotFound)
}

/// `GET /v1/plans`: the whole catalogue, by id.
async fn list_plans(
    State(state): State<AppState>,
    vendor: VendorKey,
) -> Result<Json<List<Plan>>, ApiError> {
    let data = state.store.list_plans(&vendor.organisation.id).await?;
    Ok(Json(List { data }))
}

/// `DELETE /v1/plans/{id}`: subscriptions that name it are no longer offered switches.
async fn delete_plan(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let org = &vendor.organisation.id;
    removed(state.store.delete_plan(org, &id).await?)
}
