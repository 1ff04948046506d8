//! The portal API: everything here is scoped by the bearer session's organisation and
//! customer, never by anything in the request.

use app::api::portal::{
    parse_statuses, Balance, InvoiceDetail, InvoicePage, InvoiceSort, List, MonthTotal, Overview,
    PaymentPage, Profile, ProfilePatch, Renewal, SessionPatch,
};
use app::api::records::{
    CustomerInput, Invoice, InvoiceStatus, Payment, PaymentMethod, Subscription,
};
use app::api::routes;
use app::api::session::{SessionInfo, LOCALES};
use app::api::settings::PROFILE_FIELDS;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::Deserialize;

use super::paging;
use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{Cursor, InvoiceSearch, Organisation, SortCursor, SortValue};
use crate::validate::{Check, Validate};

pub fn router() -> Router<AppState> {
    let under_api = |path: &'static str| path.strip_prefix("/api").expect("starts with /api");
    Router::new()
        .route(
            under_api(routes::PORTAL_SESSION),
            get(get_session).patch(update_session),
        )
        .route(under_api(routes::PORTAL_OVERVIEW), get(get_overview))
        .route(under_api(routes::PORTAL_INVOICES), get(list_invoices))
        .route(under_api(routes::PORTAL_INVOICES_CSV), get(export_invoices))
        .route("/v1/portal/invoices/{id}", get(get_invoice))
        .route("/v1/portal/invoices/{id}/pdf", get(download_invoice_pdf))
        .route(under_api(routes::PORTAL_PAYMENTS), get(list_payments))
        .route(under_api(routes::PORTAL_PAYMENTS_CSV), get(export_payments))
        .route(
            "/v1/portal/subscriptions/{id}/cancel",
            post(cancel_subscription),
        )
        .route(
            "/v1/portal/payment_methods/{id}/default",
            post(set_default_payment_method),
        )
        .route(
            under_api(routes::PORTAL_PROFILE),
            get(get_profile).patch(update_profile),
        )
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
) -> Result<Organisation, ApiError> {
    let organisation = state
        .organisation(&portal.session.organisation_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    if organisation.settings.sections.iter().any(|s| s == section) {
        Ok(organisation)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// An action the organisation does not offer its customers.
fn not_offered(message: &'static str) -> ApiError {
    ApiError::Denied {
        status: StatusCode::FORBIDDEN,
        code: "not_allowed",
        message,
        return_url: None,
    }
}

/// `GET /api/v1/portal/session`: who is signed in, for whom.
async fn get_session(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<SessionInfo>, ApiError> {
    let s = portal.session;
    let organisation = state
        .organisation(&s.organisation_id)
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
        locale: s.locale,
        customer_locale: customer.locale,
        default_locale: organisation.settings.default_locale,
        expires_at: s.expires_at,
        idle_timeout: s.idle_timeout_secs,
    }))
}

/// `PATCH /api/v1/portal/session`: the language the customer picked, kept for the rest
/// of the session.
async fn update_session(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiJson(patch): ApiJson<SessionPatch>,
) -> Result<StatusCode, ApiError> {
    if !LOCALES.contains(&patch.locale.as_str()) {
        return Err(ApiError::field(
            "locale",
            format!("must be one of: {}", LOCALES.join(", ")),
        ));
    }
    state
        .store
        .set_session_locale(&portal.session.id, &patch.locale)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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

/// The invoice list's query: filters, order and paging.
#[derive(Deserialize)]
struct InvoiceQuery {
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
    /// The search it asks for; every bad parameter is named.
    fn search(&self) -> Result<InvoiceSearch, ApiError> {
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
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    check.fail(field, "must be a date as YYYY-MM-DD");
                    None
                }
            },
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        check.ordered("from", from, "to", to);
        let number = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned);
        if let Some(q) = &number {
            if q.chars().count() > 100 {
                check.fail("q", "must be at most 100 characters");
            }
        }
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
        })
    }
}

/// A sorted list's cursor: `<sort>.<order>.<value>.<id>` of the previous page's last row,
/// so that a cursor is only ever used with the order it was made for.
fn sort_cursor(search: &InvoiceSearch, invoice: &Invoice) -> String {
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

fn parse_sort_cursor(search: &InvoiceSearch, text: &str) -> Result<SortCursor, ApiError> {
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
async fn list_invoices(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<InvoiceQuery>,
) -> Result<Json<InvoicePage>, ApiError> {
    require_section(&state, &portal, "invoices").await?;
    let limit = paging::limit(query.limit, 25, 100)?;
    let search = query.search()?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| parse_sort_cursor(&search, c))
        .transpose()?;
    let s = &portal.session;
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
    Ok(Json(paging::page(rows, limit, |i| sort_cursor(&search, i))))
}

/// The most rows one CSV export holds; a customer with more narrows the dates.
const MAX_EXPORT_ROWS: usize = 50_000;

/// `GET /api/v1/portal/invoices.csv?…`: the filtered list, every page, as CSV.
async fn export_invoices(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<InvoiceQuery>,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, "invoices").await?;
    let search = query.search()?;
    let s = &portal.session;
    let mut out = csv_row(&[
        "number",
        "status",
        "currency",
        "total",
        "amount_due",
        "due_date",
        "period_start",
        "period_end",
        "issued_at",
    ]);
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
    Ok(csv_response(out, "invoices.csv"))
}

/// `GET /api/v1/portal/payments.csv`: every payment and refund, newest first.
async fn export_payments(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, "payments").await?;
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
    Ok(csv_response(out, "payments.csv"))
}

/// Minor units as a plain decimal (`1234.50`), which spreadsheets read in any locale's
/// import dialog; the currency has its own column.
fn decimal(amount: i64, currency: &str) -> String {
    let digits = app::format::minor_digits(currency);
    if digits == 0 {
        return amount.to_string();
    }
    let scale = 10u64.pow(digits);
    let magnitude = amount.unsigned_abs();
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = digits as usize
    )
}

/// One CSV line (RFC 4180). Text that a spreadsheet would run as a formula gets a leading
/// apostrophe: vendor-supplied numbers and methods are not trusted.
fn csv_row(fields: &[&str]) -> String {
    let cells: Vec<String> = fields
        .iter()
        .map(|field| {
            let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r'])
                && field.parse::<f64>().is_err()
            {
                format!("'{field}")
            } else {
                (*field).to_owned()
            };
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect();
    format!("{}\r\n", cells.join(","))
}

fn csv_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/v1/portal/invoices/{id}`: one of the customer's invoices, with its lines.
/// Another customer's invoice, or a draft, is "not found" — never "forbidden".
async fn get_invoice(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<InvoiceDetail>, ApiError> {
    require_section(&state, &portal, "invoices").await?;
    let invoice = customers_invoice(&state, &portal, &id).await?;
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
async fn customers_invoice(
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
async fn download_invoice_pdf(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, "invoices").await?;
    let invoice = customers_invoice(&state, &portal, &id).await?;
    let pdf = state
        .store
        .get_invoice_pdf(&invoice.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut response = super::records::pdf_response(pdf, &invoice.number);
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
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

/// `GET /api/v1/portal/overview`: balance due, overdue money, next renewal and the last
/// twelve months' invoiced totals.
async fn get_overview(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<Overview>, ApiError> {
    require_section(&state, &portal, "overview").await?;
    let s = &portal.session;
    let now = state.clock.now();
    let today = now.date_naive();
    let balances = state
        .store
        .balances(&s.organisation_id, &s.customer_id, today)
        .await?
        .into_iter()
        .map(|b| Balance {
            currency: b.currency,
            amount_due: b.amount_due,
            overdue: b.overdue,
            overdue_invoices: b.overdue_invoices,
        })
        .collect();
    let next_renewal = state
        .store
        .list_subscriptions(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .filter(|sub| sub.renews() && sub.renews_at.is_some_and(|d| d >= today))
        .min_by_key(|sub| sub.renews_at)
        .and_then(|sub| {
            Some(Renewal {
                date: sub.renews_at?,
                subscription_id: sub.id,
                plan: sub.plan,
                currency: sub.currency,
                amount: sub.amount,
            })
        });
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(11))
        .unwrap_or(this_month);
    let since = first
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let invoiced = state
        .store
        .invoiced_since(&s.organisation_id, &s.customer_id, since)
        .await?;
    Ok(Json(Overview {
        balances,
        next_renewal,
        spending: monthly_totals(first, &invoiced),
        as_of: now,
    }))
}

/// Twelve months from `first`, each with its total per currency (zero when nothing was
/// invoiced that month), currencies in order of first appearance.
fn monthly_totals(first: NaiveDate, invoiced: &[(DateTime<Utc>, String, i64)]) -> Vec<MonthTotal> {
    let mut currencies: Vec<&str> = Vec::new();
    for (_, currency, _) in invoiced {
        if !currencies.contains(&currency.as_str()) {
            currencies.push(currency);
        }
    }
    let mut out = Vec::new();
    for currency in currencies {
        for m in 0..12 {
            let Some(month) = first.checked_add_months(Months::new(m)) else {
                continue;
            };
            let total = invoiced
                .iter()
                .filter(|(at, c, _)| {
                    c == currency && at.year() == month.year() && at.month() == month.month()
                })
                .map(|(_, _, total)| *total)
                .fold(0i64, i64::saturating_add);
            out.push(MonthTotal {
                month,
                currency: currency.to_owned(),
                total,
            });
        }
    }
    out
}

/// `GET /api/v1/portal/profile`.
async fn get_profile(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<Profile>, ApiError> {
    let organisation = require_section(&state, &portal, "profile").await?;
    let s = &portal.session;
    let customer = state
        .store
        .get_customer(&s.organisation_id, &s.customer_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    Ok(Json(profile_of(customer, &organisation)))
}

fn profile_of(customer: app::api::records::Customer, organisation: &Organisation) -> Profile {
    Profile {
        name: customer.name,
        email: customer.email,
        phone: customer.phone,
        tax_id: customer.tax_id,
        address: customer.address,
        editable: PROFILE_FIELDS
            .iter()
            .filter(|f| {
                organisation
                    .settings
                    .editable_profile_fields
                    .iter()
                    .any(|e| e == *f)
            })
            .map(|f| (*f).to_owned())
            .collect(),
    }
}

/// `PATCH /api/v1/portal/profile`: the customer changes their own details. Fields the
/// organisation keeps read-only are refused by name; the change is recorded as an event.
async fn update_profile(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Json<Profile>, ApiError> {
    let organisation = require_section(&state, &portal, "profile").await?;
    let s = &portal.session;
    let customer = state
        .store
        .get_customer(&s.organisation_id, &s.customer_id)
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    let editable = &organisation.settings.editable_profile_fields;
    let sent: Vec<&str> = [
        ("name", patch.name.is_some()),
        ("email", patch.email.is_some()),
        ("phone", patch.phone.is_some()),
        ("tax_id", patch.tax_id.is_some()),
        ("address", patch.address.is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| *present)
    .map(|(field, _)| field)
    .collect();
    let mut check = Check::default();
    for field in &sent {
        if !editable.iter().any(|e| e == field) {
            check.fail(field, "cannot be changed here; ask the vendor to change it");
        }
    }
    check.finish()?;

    // An empty string clears an optional field; text is stored trimmed.
    let optional = |value: Option<String>, current: Option<String>| match value {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().to_owned()),
        None => current,
    };
    let address = match patch.address {
        Some(a) => app::api::records::Address {
            line1: optional(a.line1, None),
            line2: optional(a.line2, None),
            postal_code: optional(a.postal_code, None),
            city: optional(a.city, None),
            region: optional(a.region, None),
            country: optional(a.country, None).map(|c| c.to_ascii_uppercase()),
        },
        None => customer.address.clone(),
    };
    let input = CustomerInput {
        name: patch
            .name
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| customer.name.clone()),
        email: optional(patch.email, customer.email.clone()),
        phone: optional(patch.phone, customer.phone.clone()),
        tax_id: optional(patch.tax_id, customer.tax_id.clone()),
        address,
        locale: customer.locale.clone(),
    };
    let mut check = Check::default();
    input.validate(&mut check);
    if let Some(phone) = &input.phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
        if !allowed || digits < 5 {
            check.fail(
                "phone",
                "must be a phone number: digits, spaces and + - ( ) . /",
            );
        }
    }
    check.finish()?;

    let changed: Vec<String> = [
        ("name", input.name != customer.name),
        ("email", input.email != customer.email),
        ("phone", input.phone != customer.phone),
        ("tax_id", input.tax_id != customer.tax_id),
        ("address", input.address != customer.address),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(field, _)| field.to_owned())
    .collect();
    if changed.is_empty() {
        return Ok(Json(profile_of(customer, &organisation)));
    }
    let updated = state
        .store
        .update_profile(
            &s.organisation_id,
            &s.customer_id,
            &input,
            &changed,
            state.clock.now(),
        )
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    Ok(Json(profile_of(updated, &organisation)))
}

/// `POST /api/v1/portal/subscriptions/{id}/cancel`: ends the subscription at the end of
/// its current period, where the organisation lets customers do so. Asking again changes
/// nothing and answers the same.
async fn cancel_subscription(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, ApiError> {
    let organisation = require_section(&state, &portal, "subscriptions").await?;
    if !organisation.settings.allow_subscription_cancel {
        return Err(not_offered(
            "Subscriptions cannot be cancelled here; please contact the vendor.",
        ));
    }
    let s = &portal.session;
    let current = state
        .store
        .list_subscriptions(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .find(|sub| sub.id == id)
        .ok_or(ApiError::NotFound)?;
    if !current.cancel_at_period_end && !current.status.is_running() {
        return Err(ApiError::Conflict(format!(
            "A {} subscription cannot be cancelled.",
            current.status.as_str().replace('_', " ")
        )));
    }
    let subscription = state
        .store
        .cancel_at_period_end(&s.organisation_id, &s.customer_id, &id, state.clock.now())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(subscription))
}

/// `POST /api/v1/portal/payment_methods/{id}/default`: makes one of the customer's
/// payment methods the default, where the organisation allows it. An expired card is
/// refused.
async fn set_default_payment_method(
    State(state): State<AppState>,
    portal: PortalSession,
    Path(id): Path<String>,
) -> Result<Json<PaymentMethod>, ApiError> {
    let organisation = require_section(&state, &portal, "payment_methods").await?;
    if !organisation.settings.allow_default_payment_method_change {
        return Err(not_offered(
            "The default payment method cannot be changed here; please contact the vendor.",
        ));
    }
    let s = &portal.session;
    let method = state
        .store
        .list_payment_methods(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(ApiError::NotFound)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(
            csv_row(&["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            csv_row(&["=HYPERLINK(1)", "-12.50", "@x"]),
            "'=HYPERLINK(1),-12.50,'@x\r\n"
        );
        assert_eq!(decimal(123_456, "EUR"), "1234.56");
        assert_eq!(decimal(-5, "USD"), "-0.05");
        assert_eq!(decimal(1500, "JPY"), "1500");
        assert_eq!(decimal(1234, "KWD"), "1.234");
    }

    #[test]
    fn monthly_totals_fill_every_month() {
        let first = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let at = |y, m| {
            NaiveDate::from_ymd_opt(y, m, 15)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
        };
        let totals = monthly_totals(
            first,
            &[
                (at(2025, 7), "EUR".into(), 100),
                (at(2025, 7), "EUR".into(), 50),
                (at(2026, 6), "EUR".into(), 7),
                (at(2026, 1), "USD".into(), 9),
            ],
        );
        assert_eq!(totals.len(), 24);
        assert_eq!(totals[0].total, 150);
        assert_eq!(
            totals[11].month,
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        );
        assert_eq!(totals[11].total, 7);
        assert_eq!(totals[12].currency, "USD");
        assert_eq!(totals[18].total, 9);
        assert_eq!(totals.iter().map(|t| t.total).sum::<i64>(), 166);
    }

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
