//! What a customer may do to a subscription or a payment method, where allowed.

use app::api::portal::{CancelRequest, PauseRequest, OTHER_REASON};
use app::api::records::{PaymentMethod, Subscription};
use app::api::session::Tab;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use bytes::Bytes;
use chrono::Datelike;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::parse_object;
use crate::state::AppState;
use crate::validate::{max, Check};

use super::{not_offered, record_action, require_section, session_customer};

/// `POST /api/v1/portal/subscriptions/{id}/cancel`: ends the subscription at the end of
/// its current period, where the organisation lets customers do so, with the reason the
/// customer picked (a body `{reason, comment}`, needed where the organisation lists
/// reasons). Asking again changes nothing and answers the same.
pub(super) async fn cancel_subscription(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Subscription>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Subscriptions).await?;
    if !organisation.settings.allow_subscription_cancel {
        return Err(not_offered(
            "Subscriptions cannot be cancelled here; please contact the vendor.",
        ));
    }
    let why = reason_given(&organisation.settings.cancellation_reasons, &body)?;
    let current = customers_subscription(&state, &portal, &id).await?;
    if !current.cancel_at_period_end && !current.status.is_running() {
        return Err(ApiError::Conflict(format!(
            "A {} subscription cannot be cancelled.",
            current.status.as_str().replace('_', " ")
        )));
    }
    mark_cancellation(&state, &portal, &id, Some(&why)).await
}

/// `POST /api/v1/portal/subscriptions/{id}/resume`: "Keep my subscription" — undoes a
/// cancellation at period end before the period is over, so the subscription renews.
pub(super) async fn resume_subscription(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Subscriptions).await?;
    if !organisation.settings.allow_subscription_cancel {
        return Err(not_offered(
            "Subscriptions cannot be changed here; please contact the vendor.",
        ));
    }
    let current = customers_subscription(&state, &portal, &id).await?;
    let today = state.clock.now().date_naive();
    if !current.status.is_running() || current.current_period_end < today {
        return Err(ApiError::Conflict(
            "This subscription has ended and cannot be kept.".into(),
        ));
    }
    mark_cancellation(&state, &portal, &id, None).await
}

/// Marks the subscription to end at its period's end (`Some(why)`) or to renew after all.
async fn mark_cancellation(
    state: &AppState,
    portal: &PortalSession,
    id: &str,
    cancel: Option<&CancelRequest>,
) -> Result<Json<Subscription>, ApiError> {
    let s = &portal.session;
    state
        .store
        .cancel_at_period_end(
            &s.organisation_id,
            &s.customer_id,
            id,
            cancel,
            state.clock.now(),
        )
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `POST /api/v1/portal/subscriptions/{id}/pause`: asks the vendor to pause a running
/// subscription, where the organisation allows it (`subscription.pause_requested`); the
/// vendor decides, and pushes the subscription when it is paused.
pub(super) async fn request_pause(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Subscriptions).await?;
    if !organisation.settings.allow_subscription_pause {
        return Err(not_offered(
            "Subscriptions cannot be paused here; please contact the vendor.",
        ));
    }
    let why: PauseRequest = body_or_default(&body)?;
    let mut check = Check::default();
    check.opt_text("comment", &why.comment, max::REASON);
    check.finish()?;
    let current = customers_subscription(&state, &portal, &id).await?;
    if !current.renews() {
        return Err(ApiError::Conflict(
            "Only a subscription that renews can be paused.".into(),
        ));
    }
    record_action(
        &state,
        &portal,
        "subscription.pause_requested",
        serde_json::json!({
            "subscription_id": current.id,
            "external_id": current.external_id,
            "plan": current.plan,
            "comment": why.comment,
            "by": "customer",
        }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A JSON body that may be left out.
fn body_or_default<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_object(body)
    }
}

/// One of the session's customer's payment methods, or "not found".
async fn customers_payment_method(
    state: &AppState,
    portal: &PortalSession,
    id: &str,
) -> Result<PaymentMethod, ApiError> {
    let s = &portal.session;
    state
        .store
        .list_payment_methods(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(ApiError::NotFound)
}

/// One of the session's customer's subscriptions, or "not found".
pub(super) async fn customers_subscription(
    state: &AppState,
    portal: &PortalSession,
    id: &str,
) -> Result<Subscription, ApiError> {
    let s = &portal.session;
    state
        .store
        .list_subscriptions(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .find(|sub| sub.id == id)
        .ok_or(ApiError::NotFound)
}

/// The reason in a request's body (which may be empty), checked against the
/// organisation's `reasons`: one of them or `other` where it lists any, none otherwise; a
/// comment is needed with `other` and at most 500 characters.
fn reason_given(reasons: &[String], body: &[u8]) -> Result<CancelRequest, ApiError> {
    let why: CancelRequest = body_or_default(body)?;
    let mut check = Check::default();
    check.opt_text("comment", &why.comment, max::REASON);
    match why.reason.as_deref() {
        None if !reasons.is_empty() => check.fail("reason", "must be given: pick one"),
        None => {}
        // A blank comment is already refused by the text rule.
        Some(OTHER_REASON) if why.comment.is_none() => {
            check.fail("comment", "must say the reason when it is \"other\"")
        }
        Some(OTHER_REASON) => {}
        Some(reason) if reasons.iter().any(|r| r == reason) => {}
        Some(_) if reasons.is_empty() => check.fail("reason", "must be left out: none are offered"),
        Some(_) => check.fail(
            "reason",
            format!("must be one of: {}, {OTHER_REASON}", reasons.join(", ")),
        ),
    }
    check.finish()?;
    Ok(why)
}

/// `POST /api/v1/portal/payment_methods/{id}/default`: makes one of the customer's
/// payment methods the default, where the organisation allows it. An expired card is
/// refused.
pub(super) async fn set_default_payment_method(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<PaymentMethod>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::PaymentMethods).await?;
    if !organisation.settings.allow_default_payment_method_change {
        return Err(not_offered(
            "The default payment method cannot be changed here; please contact the vendor.",
        ));
    }
    let s = &portal.session;
    let method = customers_payment_method(&state, &portal, &id).await?;
    let today = state.clock.now().date_naive();
    if method.expired_before(today.year(), today.month()) {
        return Err(ApiError::field(
            "payment_method",
            "has expired and cannot become the default",
        ));
    }
    let method = state
        .store
        .set_default_payment_method(&s.organisation_id, &s.customer_id, &id, state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(method))
}

/// `DELETE /api/v1/portal/payment_methods/{id}`: removes a payment method that is not the
/// default, where the organisation allows it, and tells the vendor
/// (`payment_method.removed`), whose provider still holds it.
pub(super) async fn remove_payment_method(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let organisation = require_section(&state, &portal, Tab::PaymentMethods).await?;
    if !organisation.settings.allow_payment_method_removal {
        return Err(not_offered(
            "Payment methods cannot be removed here; please contact the vendor.",
        ));
    }
    let s = &portal.session;
    let method = customers_payment_method(&state, &portal, &id).await?;
    if method.is_default {
        return Err(ApiError::Conflict(
            "The default payment method cannot be removed; make another the default first.".into(),
        ));
    }
    state
        .store
        .remove_payment_method(&s.organisation_id, &s.customer_id, &id, state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    state.events_written();
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/portal/payment_methods/setup_started`: the customer opened the vendor's
/// page for adding a payment method (`payment_method.setup_started`).
pub(super) async fn payment_method_setup_started(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<StatusCode, ApiError> {
    let organisation = require_section(&state, &portal, Tab::PaymentMethods).await?;
    let Some(template) = organisation.settings.payment_method_setup_url.as_deref() else {
        return Err(not_offered(
            "Payment methods cannot be added here; please contact the vendor.",
        ));
    };
    let customer = session_customer(&state, &portal).await?;
    let return_url = portal.session.return_url.as_deref();
    let url = crate::settings::setup_url(template, &customer.external_id, return_url);
    record_action(
        &state,
        &portal,
        "payment_method.setup_started",
        serde_json::json!({"setup_url": url, "by": "customer"}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
