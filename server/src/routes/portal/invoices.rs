//! The invoices tab: the filtered, sorted list, one invoice, and its PDF.

use app::api::portal::{parse_statuses, InvoiceDetail, InvoicePage, InvoiceSort};
use app::api::records::{Invoice, InvoiceStatus};
use app::api::session::Tab;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::routes::paging;
use crate::state::AppState;
use crate::store::{InvoiceSearch, SortCursor, SortValue};
use crate::validate::Check;

use super::require_section;

/// The invoice list's query: filters, order and paging.
#[derive(Deserialize)]
pub(super) struct InvoiceQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    order: Option<String>,
    cursor: Option<String>,
    limit: Option<i64>,
}

impl InvoiceQuery {
    /// The search it asks for on `today`; every bad parameter is named.
    pub(super) fn search(&self, today: NaiveDate) -> Result<InvoiceSearch, ApiError> {
        let mut check = Check::default();
        let statuses = match self.status.as_deref().map(parse_statuses).transpose() {
            Ok(statuses) => statuses.unwrap_or_default(),
            Err(e) => {
                check.fail("status", e.to_string());
                Vec::new()
            }
        };
        let mut date = |field: &str, text: &Option<String>| match text.as_deref() {
            None | Some("") => None,
            // Exactly YYYY-MM-DD: chrono alone also reads `2026-1-5` and `+02026-01-05`.
            Some(text) => match crate::contract::DATE
                .is_match(text)
                .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
            {
                Some(Ok(d)) => Some(d),
                _ => {
                    check.fail(field, "must be a date as YYYY-MM-DD");
                    None
                }
            },
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        check.ordered("from", from, "to", to);
        if self
            .q
            .as_deref()
            .is_some_and(|q| q.chars().count() > crate::validate::max::SEARCH)
        {
            check.fail("q", "must be at most 100 characters");
        }
        let number = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        let sort = match self.sort.as_deref() {
            None | Some("") => InvoiceSort::IssuedAt,
            Some(text) => text
                .parse()
                .unwrap_or_else(|e: app::api::records::UnknownValue| {
                    check.fail("sort", e.to_string());
                    InvoiceSort::IssuedAt
                }),
        };
        let descending = match self.order.as_deref() {
            None | Some("") | Some("desc") => true,
            Some("asc") => false,
            Some(_) => {
                check.fail("order", "must be one of: asc, desc");
                true
            }
        };
        check.finish()?;
        let start_of = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        Ok(InvoiceSearch {
            statuses,
            issued_from: from.and_then(start_of),
            issued_before: to.and_then(|d| d.succ_opt()).and_then(start_of),
            number,
            sort,
            descending,
            today,
        })
    }
}

/// A sorted list's cursor: `<sort>.<order>.<value>.<id>` of the previous page's last row,
/// so that a cursor is only ever used with the order it was made for.
pub(super) fn sort_cursor(search: &InvoiceSearch, invoice: &Invoice) -> String {
    let value = match search.sort {
        InvoiceSort::IssuedAt => invoice.issued_at.timestamp_millis().to_string(),
        InvoiceSort::Total => invoice.total.to_string(),
        InvoiceSort::AmountDue => invoice.amount_due.to_string(),
        InvoiceSort::DueDate => invoice
            .due_date
            .unwrap_or_else(crate::store::no_due_date)
            .to_string(),
    };
    let order = if search.descending { "desc" } else { "asc" };
    format!("{}.{order}.{value}.{}", search.sort.as_str(), invoice.id)
}

pub(super) fn parse_sort_cursor(
    search: &InvoiceSearch,
    text: &str,
) -> Result<SortCursor, ApiError> {
    let bad = || ApiError::field("cursor", "is not a cursor this API returned for this order");
    let mut parts = text.splitn(4, '.');
    let (Some(sort), Some(order), Some(value), Some(id)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let order_matches = (order == "desc") == search.descending && matches!(order, "asc" | "desc");
    if sort != search.sort.as_str() || !order_matches || id.is_empty() || id.len() > 64 {
        return Err(bad());
    }
    let value = match search.sort {
        InvoiceSort::DueDate => {
            SortValue::Date(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| bad())?)
        }
        _ => SortValue::Int(value.parse().map_err(|_| bad())?),
    };
    Ok(SortCursor {
        value,
        id: id.to_owned(),
    })
}

/// `GET /api/v1/portal/invoices?status=&from=&to=&q=&sort=&order=&cursor=&limit=`:
/// newest first unless sorted otherwise; drafts never.
pub(super) async fn list_invoices(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<InvoiceQuery>,
    request: axum::http::Uri,
) -> Result<Response, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Invoices).await?;
    let limit = paging::limit(query.limit, 25, 100)?;
    let search = query.search(state.clock.now().date_naive())?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| parse_sort_cursor(&search, c))
        .transpose()?;
    let s = &portal.session;
    super::cached_list(&state, &portal, &request, async {
        let rows = state
            .store
            .search_invoices(
                &s.organisation_id,
                &s.customer_id,
                &search,
                cursor.as_ref(),
                limit + 1,
            )
            .await?;
        let rows = rows
            .into_iter()
            .map(|invoice| super::pay::as_shown(&organisation, invoice))
            .collect();
        Ok::<InvoicePage, ApiError>(paging::page(rows, limit, |i| sort_cursor(&search, i)))
    })
    .await
}

/// `GET /api/v1/portal/invoices/{id}`: one of the customer's invoices, with its lines.
/// Another customer's invoice, or a draft, is "not found" — never "forbidden".
pub(super) async fn get_invoice(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<InvoiceDetail>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Invoices).await?;
    let invoice = customers_invoice(&state, &portal, &id).await?;
    let invoice = super::pay::as_shown(&organisation, invoice);
    let s = &portal.session;
    let payments = state
        .store
        .invoice_payments(&s.organisation_id, &s.customer_id, &invoice.id)
        .await?;
    let credit_notes = state
        .store
        .invoice_credit_notes(&s.organisation_id, &s.customer_id, &invoice.id)
        .await?;
    let has_pdf = state.store.has_invoice_pdf(&invoice.id).await?;
    Ok(Json(InvoiceDetail {
        invoice,
        payments,
        credit_notes,
        has_pdf,
    }))
}

/// One of the session's customer's invoices that is not a draft, or "not found".
pub(super) async fn customers_invoice(
    state: &AppState,
    portal: &PortalSession,
    id: &str,
) -> Result<Invoice, ApiError> {
    let s = &portal.session;
    match state.store.get_invoice(&s.organisation_id, id).await? {
        Some(invoice)
            if invoice.customer_id == s.customer_id && invoice.status != InvoiceStatus::Draft =>
        {
            Ok(invoice)
        }
        _ => Err(ApiError::NotFound),
    }
}

/// `GET /api/v1/portal/invoices/{id}/pdf`: the PDF the vendor uploaded for the invoice.
pub(super) async fn download_invoice_pdf(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, Tab::Invoices).await?;
    let invoice = customers_invoice(&state, &portal, &id).await?;
    let pdf = state
        .store
        .get_invoice_pdf(&invoice.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::record_action(
        &state,
        &portal,
        "invoice.pdf_downloaded",
        serde_json::json!({
            "invoice_id": invoice.id,
            "external_id": invoice.external_id,
            "number": invoice.number,
            "by": "customer",
        }),
    )
    .await?;
    let mut response = crate::routes::records::pdf_response(pdf, &invoice.number);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
