//! Customers' credit balances in the vendor API: `PUT` one currency, `GET` all of them.

use app::api::portal::List;
use app::api::records::{CreditBalance, CreditBalanceInput};
use app::api::routes;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};

use crate::auth::VendorKey;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::Store;
use crate::validate::{Check, Validate};

pub fn router() -> Router<AppState> {
    Router::new().route(
        routes::CUSTOMER_BALANCE,
        get(list_credit_balances).put(put_credit_balance),
    )
}

/// `PUT /v1/customers/{id}/balance`: the customer's credit in one currency, replaced.
async fn put_credit_balance(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(customer_ref): Path<String>,
    ApiJson(input): ApiJson<CreditBalanceInput>,
) -> Result<Json<CreditBalance>, ApiError> {
    let organisation = &vendor.organisation.id;
    let now = state.clock.now();
    let kept = write_credit_balance(
        state.store.as_ref(),
        organisation,
        &customer_ref,
        input,
        now,
    )
    .await?;
    Ok(Json(kept))
}

/// Checks and keeps a customer's credit in one currency; `customer_ref` is the vendor's id
/// for the customer or Portico's.
pub async fn write_credit_balance(
    store: &dyn Store,
    organisation_id: &str,
    customer_ref: &str,
    input: CreditBalanceInput,
    now: DateTime<Utc>,
) -> Result<CreditBalance, ApiError> {
    let mut check = Check::default();
    input.validate(&mut check);
    check.finish()?;
    let customer = customer_of(store, organisation_id, customer_ref).await?;
    let kept = store
        .put_credit_balance(organisation_id, &customer.id, &input, now)
        .await?;
    // A removed balance answers as what it now is: nothing, in that currency.
    Ok(kept.unwrap_or(CreditBalance {
        currency: input.currency,
        amount: 0,
        transactions: Vec::new(),
        updated_at: now,
    }))
}

/// `GET /v1/customers/{id}/balance`: every currency the customer holds credit in.
async fn list_credit_balances(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(customer_ref): Path<String>,
) -> Result<Json<List<CreditBalance>>, ApiError> {
    let organisation = &vendor.organisation.id;
    let customer = customer_of(state.store.as_ref(), organisation, &customer_ref).await?;
    let data = state
        .store
        .credit_balances(organisation, &customer.id)
        .await?;
    Ok(Json(List { data }))
}

/// The customer a path names, by the vendor's id or Portico's; 404 when there is none.
async fn customer_of(
    store: &dyn Store,
    organisation_id: &str,
    customer_ref: &str,
) -> Result<app::api::records::Customer, ApiError> {
    store
        .find_customer(organisation_id, customer_ref)
        .await?
        .ok_or(ApiError::NotFound)
}
