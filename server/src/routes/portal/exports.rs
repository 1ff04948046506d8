//! The CSV downloads of the invoices and payments tabs.

use app::api::records::Payment;
use app::api::session::Tab;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::store::{Cursor, SortCursor};

use super::csv::{csv_response, csv_row, decimal};
use super::invoices::{parse_sort_cursor, sort_cursor, InvoiceQuery};
use super::{record_action, require_section};

/// The most rows one CSV export holds; a customer with more narrows the dates.
pub(super) const MAX_EXPORT_ROWS: usize = 50_000;

/// `GET /api/v1/portal/invoices.csv?…`: the filtered list, every page, as CSV.
pub(super) async fn export_invoices(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<InvoiceQuery>,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, Tab::Invoices).await?;
    let search = query.search(state.clock.now().date_naive())?;
    let s = &portal.session;
    // Plain names, which need no quoting.
    let mut out = String::from(
        "number,status,currency,total,amount_due,due_date,period_start,period_end,issued_at\r\n",
    );
    let mut cursor: Option<SortCursor> = None;
    let mut rows = 0;
    loop {
        let page = state
            .store
            .search_invoices(
                &s.organisation_id,
                &s.customer_id,
                &search,
                cursor.as_ref(),
                500,
            )
            .await?;
        for i in &page {
            let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            out.push_str(&csv_row(&[
                &i.number,
                i.status.as_str(),
                &i.currency,
                &decimal(i.total, &i.currency),
                &decimal(i.amount_due, &i.currency),
                &date(i.due_date),
                &date(i.period_start),
                &date(i.period_end),
                &i.issued_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ]));
        }
        rows += page.len();
        match page.last() {
            Some(last) if page.len() == 500 && rows < MAX_EXPORT_ROWS => {
                cursor = Some(parse_sort_cursor(&search, &sort_cursor(&search, last))?);
            }
            _ => break,
        }
    }
    record_action(
        &state,
        &portal,
        "export.downloaded",
        serde_json::json!({"export": "invoices", "rows": rows, "by": "customer"}),
    )
    .await?;
    Ok(csv_response(out, "invoices.csv"))
}

/// `GET /api/v1/portal/payments.csv`: every payment and refund, newest first.
pub(super) async fn export_payments(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, Tab::Payments).await?;
    let s = &portal.session;
    // One query names every invoice, rather than one query per payment.
    let invoices: std::collections::HashMap<String, String> = state
        .store
        .invoice_numbers(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .collect();
    let mut out = csv_row(&[
        "date", "kind", "status", "method", "currency", "amount", "invoice",
    ]);
    let mut cursor: Option<Cursor> = None;
    let mut rows = 0;
    loop {
        let page: Vec<Payment> = state
            .store
            .list_payments(&s.organisation_id, &s.customer_id, cursor.as_ref(), 500)
            .await?;
        for p in &page {
            let invoice = p
                .invoice_id
                .as_ref()
                .and_then(|id| invoices.get(id))
                .map_or("", String::as_str);
            out.push_str(&csv_row(&[
                &p.paid_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                p.kind.as_str(),
                p.status.as_str(),
                &p.method,
                &p.currency,
                &decimal(p.amount, &p.currency),
                invoice,
            ]));
        }
        rows += page.len();
        match page.last() {
            Some(last) if page.len() == 500 && rows < MAX_EXPORT_ROWS => {
                cursor = Some(Cursor {
                    at: last.paid_at,
                    id: last.id.clone(),
                });
            }
            _ => break,
        }
    }
    record_action(
        &state,
        &portal,
        "export.downloaded",
        serde_json::json!({"export": "payments", "rows": rows, "by": "customer"}),
    )
    .await?;
    Ok(csv_response(out, "payments.csv"))
}
