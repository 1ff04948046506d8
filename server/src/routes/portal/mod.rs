//! The portal API: everything here is scoped by the bearer session's organisation and
//! customer, never by anything in the request.

mod actions;
mod csv;
mod exports;
mod invoices;
mod lists;
mod overview;
mod pay;
mod payments;
mod plans;
mod profile;
mod session;

use app::api::records::{CreditBalance, Customer, Entitlement, PaymentMethod, Subscription};
use app::api::routes;
use app::api::session::Tab;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::Router;
use chrono::DateTime;
use serde::Deserialize;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Cursor, Organisation};

pub fn router() -> Router<AppState> {
    let under_api = |path: &'static str| path.strip_prefix("/api").expect("starts with /api");
    Router::new()
        .route(
            under_api(routes::PORTAL_SESSION),
            get(session::get_session).patch(session::update_session),
        )
        .route(
            under_api(routes::PORTAL_OVERVIEW),
            get(overview::get_overview),
        )
        .route(
            under_api(routes::PORTAL_INVOICES),
            get(invoices::list_invoices),
        )
        .route(
            under_api(routes::PORTAL_INVOICES_CSV),
            get(exports::export_invoices),
        )
        .route(
            under_api(routes::PORTAL_INVOICE),
            get(invoices::get_invoice),
        )
        .route(
            under_api(routes::PORTAL_INVOICE_PDF),
            get(invoices::download_invoice_pdf),
        )
        .route(
            under_api(routes::PORTAL_INVOICE_PAYMENT_STARTED),
            post(pay::invoice_payment_started),
        )
        .route(
            under_api(routes::PORTAL_BALANCE_PAYMENT_STARTED),
            post(pay::balance_payment_started),
        )
        .route(
            under_api(routes::PORTAL_PAYMENTS),
            get(payments::list_payments),
        )
        .route(
            under_api(routes::PORTAL_PAYMENTS_CSV),
            get(exports::export_payments),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTION_CANCEL),
            post(actions::cancel_subscription),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTION_RESUME),
            post(actions::resume_subscription),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTION_PAUSE),
            post(actions::request_pause),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTION_PLANS),
            get(plans::list_plan_choices),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTION_CHANGE_PLAN),
            post(plans::change_plan),
        )
        .route(
            under_api(routes::PORTAL_PAYMENT_METHOD_DEFAULT),
            post(actions::set_default_payment_method),
        )
        .route(
            under_api(routes::PORTAL_PAYMENT_METHOD),
            delete(actions::remove_payment_method),
        )
        .route(
            under_api(routes::PORTAL_PAYMENT_METHOD_SETUP_STARTED),
            post(actions::payment_method_setup_started),
        )
        .route(
            under_api(routes::PORTAL_PROFILE),
            get(profile::get_profile).patch(profile::update_profile),
        )
        .route(
            under_api(routes::PORTAL_ENTITLEMENTS),
            get(lists::list_all::<Entitlement>),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTIONS),
            get(lists::list_all::<Subscription>),
        )
        .route(
            under_api(routes::PORTAL_PAYMENT_METHODS),
            get(lists::list_all::<PaymentMethod>),
        )
        .route(
            under_api(routes::PORTAL_CREDITS),
            get(lists::list_all::<CreditBalance>),
        )
}

/// Refuses a section the organisation hides, with 403: the session is fine, the section
/// is not offered.
pub(super) async fn require_section(
    state: &AppState,
    portal: &PortalSession,
    tab: Tab,
) -> Result<std::sync::Arc<Organisation>, ApiError> {
    let organisation = state
        .organisation(&portal.session.organisation_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    if organisation.shows(tab) {
        Ok(organisation)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A list's answer: from memory when this customer's answer to the same request was read
/// in the last second and nothing of theirs changed since (see `store::cache`), else
/// `read` from the database, answered and kept.
pub(super) async fn cached_list<T: serde::Serialize>(
    state: &AppState,
    portal: &PortalSession,
    request: &axum::http::Uri,
    read: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<axum::response::Response, ApiError> {
    let s = &portal.session;
    let cache = state.store.cache();
    let key = request
        .path_and_query()
        .map_or_else(|| request.path(), |p| p.as_str());
    let body = match cache.page(&s.organisation_id, &s.customer_id, key) {
        Some(body) => body,
        None => {
            let seen = cache.generation();
            let value = read.await?;
            let body = bytes::Bytes::from(
                serde_json::to_vec(&value)
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("a list answer: {e}")))?,
            );
            cache.keep_page(&s.organisation_id, &s.customer_id, key, body.clone(), seen);
            body
        }
    };
    Ok(axum::response::IntoResponse::into_response((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )))
}

/// The customer the session is for; a customer deleted since the session began ends it.
async fn session_customer(state: &AppState, portal: &PortalSession) -> Result<Customer, ApiError> {
    let s = &portal.session;
    state
        .store
        .get_customer(&s.organisation_id, &s.customer_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)
}

/// Records something the customer did that changes no record (a download), for the
/// vendor's event log and webhooks.
pub(super) async fn record_action(
    state: &AppState,
    portal: &PortalSession,
    kind: &str,
    payload: serde_json::Value,
) -> Result<(), ApiError> {
    let now = state.clock.now();
    state
        .store
        .record_event(&portal.session, kind, &payload, now)
        .await?;
    state.events_written();
    Ok(())
}

/// An action the organisation does not offer its customers.
pub(super) fn not_offered(message: &'static str) -> ApiError {
    ApiError::Denied {
        status: StatusCode::FORBIDDEN,
        code: "not_allowed",
        message,
        return_url: None,
    }
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    cursor: Option<String>,
    limit: Option<i64>,
}

/// A cursor is `<epoch ms>.<id>` of the last row of the previous page.
pub(super) fn parse_cursor(text: &str) -> Result<Cursor, ApiError> {
    let bad = || ApiError::field("cursor", "is not a cursor this API returned");
    let (ms, id) = text.split_once('.').ok_or_else(bad)?;
    let at = ms
        .parse()
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(bad)?;
    if id.is_empty() || id.len() > 64 {
        return Err(bad());
    }
    Ok(Cursor {
        at,
        id: id.to_owned(),
    })
}

pub(super) fn format_cursor(at: DateTime<chrono::Utc>, id: &str) -> String {
    format!("{}.{id}", at.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_names_the_field() {
        let at = DateTime::from_timestamp_millis(1_767_225_600_123).unwrap();
        let cursor = parse_cursor(&format_cursor(at, "abc-1")).unwrap();
        assert_eq!(
            cursor,
            Cursor {
                at,
                id: "abc-1".into()
            }
        );
        for bad in ["", "x.y", "123", "123.", "99999999999999999999.a"] {
            match parse_cursor(bad) {
                Err(ApiError::Validation(f)) => assert_eq!(f[0].field, "cursor"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
