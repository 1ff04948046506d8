//! Plan changes: the subscription's plan beside the plans its catalogue entry lets it
//! switch to, with a day-based estimate for the rest of the period, and the customer's
//! request for one of them (`subscription.change_requested`), which the vendor applies.

use app::api::plans::{
    days_left, prorated, Plan, PlanChangeRequest, PlanChoices, PlanOption, PlanView,
};
use app::api::records::Subscription;
use app::api::session::Tab;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;

use super::actions::customers_subscription;
use super::{not_offered, record_action, require_section};

/// `GET /api/v1/portal/subscriptions/{id}/plans`.
pub(super) async fn list_plan_choices(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<PlanChoices>, ApiError> {
    let (_, choices) = choices(&state, &portal, &id).await?;
    Ok(Json(choices))
}

/// `POST /api/v1/portal/subscriptions/{id}/change_plan`: 409 for a plan the catalogue does
/// not let this subscription switch to.
pub(super) async fn change_plan(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PlanChangeRequest>,
) -> Result<StatusCode, ApiError> {
    let (subscription, choices) = choices(&state, &portal, &id).await?;
    let Some(chosen) = choices
        .options
        .iter()
        .find(|o| o.plan.id == request.plan_id)
    else {
        return Err(ApiError::Conflict(format!(
            "This subscription cannot switch to plan {:?}: the plans it may switch to are {}.",
            request.plan_id,
            choices
                .options
                .iter()
                .map(|o| o.plan.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    record_action(
        &state,
        &portal,
        "subscription.change_requested",
        serde_json::json!({
            "subscription_id": subscription.id,
            "external_id": subscription.external_id,
            "from_plan": choices.current.id,
            "to_plan": chosen.plan.id,
            "currency": chosen.plan.currency,
            "amount": chosen.plan.amount,
            "interval": chosen.plan.interval,
            "estimate": chosen.estimate,
            "by": "customer",
        }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The customer's subscription `id` and what it may switch to, today. A subscription
/// without a plan in the catalogue has no choices (404); one that does not renew, or a
/// plan not sold in its currency, offers none.
async fn choices(
    state: &AppState,
    portal: &PortalSession,
    id: &str,
) -> Result<(Subscription, PlanChoices), ApiError> {
    let organisation = require_section(state, portal, Tab::Subscriptions).await?;
    if !organisation.settings.allow_plan_change {
        return Err(not_offered(
            "Plans cannot be changed here; please contact the vendor.",
        ));
    }
    let subscription = customers_subscription(state, portal, id).await?;
    let org = &organisation.id;
    let plan = match &subscription.plan_id {
        Some(plan_id) => state.store.find_plan(org, plan_id).await?,
        None => None,
    };
    let Some(plan) = plan else {
        return Err(ApiError::NotFound);
    };
    let today = state.clock.now().date_naive();
    let (left, period) = days_left(
        subscription.current_period_start,
        subscription.current_period_end,
        today,
    );
    let current = PlanView {
        id: plan.id.clone(),
        name: plan.name.clone(),
        interval: subscription.interval,
        currency: subscription.currency.clone(),
        // What the customer pays now, whatever the catalogue's list price.
        amount: subscription.amount,
        features: plan.features.clone(),
    };
    let mut options = Vec::new();
    if subscription.renews() && !plan.switches_to.is_empty() {
        // One read of the catalogue, whatever the number of switches.
        let catalogue = state.store.list_plans(org).await?;
        for target in &plan.switches_to {
            let Some(other) = catalogue.iter().find(|p| &p.id == target) else {
                continue;
            };
            if let Some(view) = in_currency(other, &subscription.currency) {
                let estimate = (view.interval == current.interval)
                    .then(|| prorated(current.amount, view.amount, left, period));
                options.push(PlanOption {
                    plan: view,
                    estimate,
                });
            }
        }
    }
    let choices = PlanChoices {
        current,
        options,
        days_left: left,
        period_days: period,
    };
    Ok((subscription, choices))
}

/// `plan` at its price in `currency`, if it is sold in it.
fn in_currency(plan: &Plan, currency: &str) -> Option<PlanView> {
    let price = plan.prices.iter().find(|p| p.currency == currency)?;
    Some(PlanView {
        id: plan.id.clone(),
        name: plan.name.clone(),
        interval: plan.interval,
        currency: price.currency.clone(),
        amount: price.amount,
        features: plan.features.clone(),
    })
}
