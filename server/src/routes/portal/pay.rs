//! Paying: Portico moves no money. The customer leaves for the vendor's hosted payment
//! page, and Portico tells the vendor that they did.

use app::api::portal::Balance;
use app::api::records::Invoice;
use app::api::session::Tab;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::json;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Organisation;

use super::invoices::customers_invoice;
use super::{not_offered, record_action, require_section};

/// The invoice as the customer sees it: without its payment page where the organisation
/// does not offer payment in the portal.
pub(super) fn as_shown(organisation: &Organisation, mut invoice: Invoice) -> Invoice {
    if !organisation.settings.allow_invoice_payment {
        invoice.payment_url = None;
    }
    invoice
}

fn offered(organisation: &Organisation) -> Result<(), ApiError> {
    if organisation.settings.allow_invoice_payment {
        Ok(())
    } else {
        Err(not_offered(
            "Invoices cannot be paid from the portal; please contact the vendor.",
        ))
    }
}

/// `POST /api/v1/portal/invoices/{id}/payment_started`: the customer opened the invoice's
/// payment page, which the portal opens in a new tab. Recorded as
/// `invoice.payment_started`; an invoice with nothing to pay online is a conflict.
pub(super) async fn invoice_payment_started(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Invoices).await?;
    offered(&organisation)?;
    let invoice = customers_invoice(&state, &portal, &id).await?;
    let Some(payment_url) = invoice.payable_at() else {
        return Err(ApiError::Conflict(
            "This invoice has nothing to pay online.".into(),
        ));
    };
    record_action(
        &state,
        &portal,
        "invoice.payment_started",
        json!({
            "invoice_id": invoice.id,
            "external_id": invoice.external_id,
            "number": invoice.number,
            "currency": invoice.currency,
            "amount_due": invoice.amount_due,
            "payment_url": payment_url,
            "by": "customer",
        }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/portal/balance/payment_started`: the customer opened the page where the
/// vendor takes everything overdue at once. Recorded as `balance.payment_started`, with
/// what was overdue per currency.
pub(super) async fn balance_payment_started(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<StatusCode, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Overview).await?;
    offered(&organisation)?;
    let s = &portal.session;
    let customer = state
        .store
        .find_customer(&s.organisation_id, &s.customer_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    let overdue = overdue_balances(&state, &portal).await?;
    let (Some(payment_url), false) = (customer.balance_payment_url, overdue.is_empty()) else {
        return Err(ApiError::Conflict(
            "Nothing overdue can be paid online.".into(),
        ));
    };
    let overdue: Vec<_> = overdue
        .iter()
        .map(|b| json!({"currency": b.currency, "amount": b.overdue, "invoices": b.overdue_invoices}))
        .collect();
    record_action(
        &state,
        &portal,
        "balance.payment_started",
        json!({
            "customer_id": customer.id,
            "external_id": customer.external_id,
            "overdue": overdue,
            "payment_url": payment_url,
            "by": "customer",
        }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The currencies in which something is overdue today, with how much.
pub(super) async fn overdue_balances(
    state: &AppState,
    portal: &PortalSession,
) -> Result<Vec<Balance>, ApiError> {
    let s = &portal.session;
    let today = state.clock.now().date_naive();
    Ok(state
        .store
        .balances(&s.organisation_id, &s.customer_id, today)
        .await?
        .into_iter()
        .filter(|b| b.overdue > 0)
        .map(|b| Balance {
            currency: b.currency,
            amount_due: b.amount_due,
            overdue: b.overdue,
            overdue_invoices: b.overdue_invoices,
        })
        .collect())
}
