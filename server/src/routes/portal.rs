//! The portal API: everything here is scoped by the bearer session's organisation and
//! customer, never by anything in the request.

use app::api::portal::{InvoicePage, List, PaymentPage};
use app::api::records::{Invoice, InvoiceStatus};
use app::api::routes;
use app::api::session::SessionInfo;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::DateTime;
use serde::Deserialize;

use super::paging;
use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::store::Cursor;

pub fn router() -> Router<AppState> {
    let under_api = |path: &'static str| path.strip_prefix("/api").expect("starts with /api");
    Router::new()
        .route(under_api(routes::PORTAL_SESSION), get(get_session))
        .route(under_api(routes::PORTAL_INVOICES), get(list_invoices))
        .route("/v1/portal/invoices/{id}", get(get_invoice))
        .route(under_api(routes::PORTAL_PAYMENTS), get(list_payments))
        .route(
            under_api(routes::PORTAL_ENTITLEMENTS),
            get(list_entitlements),
        )
        .route(
            under_api(routes::PORTAL_SUBSCRIPTIONS),
            get(list_subscriptions),
        )
        .route(
            under_api(routes::PORTAL_PAYMENT_METHODS),
            get(list_payment_methods),
        )
}

/// Refuses a section the organisation hides, with 403: the session is fine, the section
/// is not offered.
async fn require_section(
    state: &AppState,
    portal: &PortalSession,
    section: &str,
) -> Result<(), ApiError> {
    let organisation = state
        .store
        .get_organisation(&portal.session.organisation_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    if organisation.settings.sections.iter().any(|s| s == section) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// `GET /api/v1/portal/session`: who is signed in, for whom.
async fn get_session(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<SessionInfo>, ApiError> {
    let s = portal.session;
    let organisation = state
        .store
        .get_organisation(&s.organisation_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    let customer = state
        .store
        .get_customer(&s.organisation_id, &s.customer_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    Ok(Json(SessionInfo {
        customer_name: customer.name,
        organisation_id: organisation.id,
        organisation_name: organisation.name,
        return_url: s.return_url,
        locale: s.locale.or(customer.locale),
        expires_at: s.expires_at,
        idle_timeout: s.idle_timeout_secs,
    }))
}

#[derive(Deserialize)]
struct ListQuery {
    cursor: Option<String>,
    limit: Option<i64>,
}

/// A cursor is `<epoch ms>.<id>` of the last row of the previous page.
fn parse_cursor(text: &str) -> Result<Cursor, ApiError> {
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

fn format_cursor(at: DateTime<chrono::Utc>, id: &str) -> String {
    format!("{}.{id}", at.timestamp_millis())
}

/// `GET /api/v1/portal/invoices?cursor=&limit=`: newest first, drafts never.
async fn list_invoices(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<InvoicePage>, ApiError> {
    require_section(&state, &portal, "invoices").await?;
    let limit = paging::limit(query.limit, 25, 100)?;
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let s = &portal.session;
    let rows = state
        .store
        .list_invoices(
            &s.organisation_id,
            &s.customer_id,
            false,
            cursor.as_ref(),
            limit + 1,
        )
        .await?;
    Ok(Json(paging::page(rows, limit, |i| {
        format_cursor(i.issued_at, &i.id)
    })))
}

/// `GET /api/v1/portal/invoices/{id}`: one of the customer's invoices, with its lines.
/// Another customer's invoice, or a draft, is "not found" — never "forbidden".
async fn get_invoice(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<Invoice>, ApiError> {
    require_section(&state, &portal, "invoices").await?;
    let s = &portal.session;
    match state.store.get_invoice(&s.organisation_id, &id).await? {
        Some(invoice)
            if invoice.customer_id == s.customer_id && invoice.status != InvoiceStatus::Draft =>
        {
            Ok(Json(invoice))
        }
        _ => Err(ApiError::NotFound),
    }
}

/// `GET /api/v1/portal/payments?cursor=&limit=`: payments and refunds, newest first.
async fn list_payments(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<PaymentPage>, ApiError> {
    require_section(&state, &portal, "payments").await?;
    let limit = paging::limit(query.limit, 25, 100)?;
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let s = &portal.session;
    let rows = state
        .store
        .list_payments(
            &s.organisation_id,
            &s.customer_id,
            cursor.as_ref(),
            limit + 1,
        )
        .await?;
    Ok(Json(paging::page(rows, limit, |p| {
        format_cursor(p.paid_at, &p.id)
    })))
}

/// `GET /api/v1/portal/entitlements`.
async fn list_entitlements(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<List<app::api::records::Entitlement>>, ApiError> {
    require_section(&state, &portal, "entitlements").await?;
    let s = &portal.session;
    let data = state
        .store
        .list_entitlements(&s.organisation_id, &s.customer_id)
        .await?;
    Ok(Json(List { data }))
}

/// `GET /api/v1/portal/subscriptions`.
async fn list_subscriptions(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<List<app::api::records::Subscription>>, ApiError> {
    require_section(&state, &portal, "subscriptions").await?;
    let s = &portal.session;
    let data = state
        .store
        .list_subscriptions(&s.organisation_id, &s.customer_id)
        .await?;
    Ok(Json(List { data }))
}

/// `GET /api/v1/portal/payment_methods`: the default first.
async fn list_payment_methods(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<List<app::api::records::PaymentMethod>>, ApiError> {
    require_section(&state, &portal, "payment_methods").await?;
    let s = &portal.session;
    let data = state
        .store
        .list_payment_methods(&s.organisation_id, &s.customer_id)
        .await?;
    Ok(Json(List { data }))
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
