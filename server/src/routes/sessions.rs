//! Portal links for vendors, and their exchange for a session by the browser.

use std::net::SocketAddr;

use app::api::routes;
use app::api::session::{
    CustomerSessionRequest, CustomerSessionResponse, ExchangeRequest, ExchangeResponse,
    PortalSessionCreated, PortalSessionList, PortalSessionRequest, PortalSessionSummary, Section,
    Tab, LOCALES,
};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};

use crate::auth::{PortalSession, VendorKey};
use crate::error::{removed, ApiError};
use crate::extract::ApiJson;
use crate::links::{self, LinkRequest};
use crate::state::AppState;
use crate::store::Organisation;
use crate::token;
use crate::validate::Check;
use app::api::records::Customer;

/// Idle timeouts a vendor may ask for: one minute to seven days.
const IDLE_TIMEOUT_RANGE: std::ops::RangeInclusive<i64> =
    crate::settings::SECONDS_MIN..=crate::settings::SECONDS_MAX;

/// Vendor routes (API key).
pub fn vendor_router() -> Router<AppState> {
    Router::new()
        .route(routes::CUSTOMER_SESSION, post(create_customer_session))
        .route(routes::PORTAL_SESSIONS, post(create_portal_session))
        .route("/v1/portal_sessions/{id}", delete(revoke_portal_session))
        .route(
            "/v1/customers/{id}/portal_sessions",
            get(list_portal_sessions),
        )
}

/// Browser routes under `/api` (link token, then session token).
pub fn portal_router() -> Router<AppState> {
    let under_api = |path: &'static str| path.strip_prefix("/api").expect("starts with /api");
    Router::new()
        .route(under_api(routes::SESSION_EXCHANGE), post(exchange_session))
        .route(under_api(routes::SESSION_LOGOUT), post(logout_session))
}

/// A link request checked against the organisation, ready to store.
struct Checked {
    customer: Customer,
    request: LinkRequest,
}

async fn check_link_request(
    state: &AppState,
    organisation: &Organisation,
    customer_field: &str,
    customer_ref: Option<&str>,
    request: &PortalSessionRequest,
) -> Result<Checked, ApiError> {
    let mut problems = Check::default();
    let settings = &organisation.settings;

    let customer = match customer_ref.map(str::trim).filter(|c| !c.is_empty()) {
        None => {
            problems.fail(customer_field, "is required");
            None
        }
        Some(reference) if reference.chars().count() > crate::validate::max::REFERENCE => {
            problems.fail(customer_field, "must be at most 255 characters");
            None
        }
        Some(reference) => {
            let found = state
                .store
                .find_customer(&organisation.id, reference)
                .await?;
            if found.is_none() {
                problems.fail(
                    customer_field,
                    "does not name a customer of this organisation",
                );
            }
            found
        }
    };

    let return_url = match request.return_url.as_deref() {
        None => None,
        Some(url) => match links::validate_return_url(url, &settings.return_origins) {
            Ok(url) => Some(url),
            Err(why) => {
                problems.fail("return_url", why);
                None
            }
        },
    };

    if let Some(idle) = request.idle_timeout {
        if !IDLE_TIMEOUT_RANGE.contains(&idle) {
            problems.fail("idle_timeout", "must be between 60 and 604800 seconds");
        }
    }

    if let Some(expires_in) = request.expires_in {
        if !(60..=settings.link_lifetime_secs).contains(&expires_in) {
            problems.fail(
                "expires_in",
                format!(
                    "must be between 60 and {} seconds (the organisation's link lifetime)",
                    settings.link_lifetime_secs
                ),
            );
        }
    }

    if let Some(locale) = request.locale.as_deref() {
        if !LOCALES.contains(&locale) {
            problems.fail("locale", format!("must be one of: {}", LOCALES.join(", ")));
        }
    }

    let section = match request.section.as_deref() {
        None => None,
        Some(text) => match Section::parse(text) {
            None => {
                problems.fail(
                    "section",
                    "must be one of overview, invoices, payments, entitlements, subscriptions, \
                     payment_methods, profile, or invoice:<id>",
                );
                None
            }
            Some(Section::Invoice(id)) => {
                // Deep links name an invoice the customer can actually see.
                let invoice = state.store.find_invoice(&organisation.id, &id).await?;
                match (invoice, &customer) {
                    (Some(invoice), Some(customer))
                        if invoice.customer_id == customer.id
                            && invoice.status != app::api::records::InvoiceStatus::Draft =>
                    {
                        Some(Section::Invoice(invoice.id))
                    }
                    _ => {
                        problems.fail("section", "does not name an invoice of this customer");
                        None
                    }
                }
            }
            Some(tab) => Some(tab),
        },
    };
    // A deep link into a hidden section would land on nothing.
    if let Some(section) = &section {
        let name = section.as_string();
        let tab = name
            .split(':')
            .next()
            .map(|t| if t == "invoice" { "invoices" } else { t });
        if tab.is_some_and(|tab| !settings.sections.iter().any(|s| s == tab)) {
            problems.fail("section", "is hidden by this organisation's settings");
        }
    }

    problems.finish()?;
    Ok(Checked {
        customer: customer.expect("no problems means the customer was found"),
        request: LinkRequest {
            return_url,
            locale: request.locale.clone(),
            section: section.map(|s| s.as_string()),
            idle_timeout_secs: request.idle_timeout,
            expires_in_secs: request.expires_in,
            api_key_id: None,
        },
    })
}

/// Stores a checked link, remembering the key that asked for it.
async fn store_link(
    state: &AppState,
    vendor: &VendorKey,
    checked: Checked,
) -> Result<links::CreatedLink, ApiError> {
    Ok(links::create_link(
        state.store.as_ref(),
        &state.config,
        &vendor.organisation,
        &checked.customer.id,
        LinkRequest {
            api_key_id: Some(vendor.key_id.clone()),
            ..checked.request
        },
        state.clock.now(),
    )
    .await?)
}

/// `POST /customer/session`: the Zenskar-compatible form.
async fn create_customer_session(
    State(state): State<AppState>,
    vendor: VendorKey,
    ApiJson(body): ApiJson<CustomerSessionRequest>,
) -> Result<Json<CustomerSessionResponse>, ApiError> {
    let request = PortalSessionRequest {
        customer_id: Some(body.customer_id.clone()),
        return_url: Some(body.return_url),
        idle_timeout: body.idle_timeout,
        ..PortalSessionRequest::default()
    };
    let checked = check_link_request(
        &state,
        &vendor.organisation,
        "customer_id",
        Some(&body.customer_id),
        &request,
    )
    .await?;
    let link = store_link(&state, &vendor, checked).await?;
    Ok(Json(CustomerSessionResponse {
        redirect_url: link.url,
    }))
}

/// `POST /v1/portal_sessions`: a link with every option.
async fn create_portal_session(
    State(state): State<AppState>,
    vendor: VendorKey,
    ApiJson(body): ApiJson<PortalSessionRequest>,
) -> Result<(StatusCode, Json<PortalSessionCreated>), ApiError> {
    let (field, reference) = match (&body.customer_id, &body.external_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                "customer_id",
                "give customer_id or external_id, not both",
            ))
        }
        (Some(id), None) => ("customer_id", Some(id.as_str())),
        (None, Some(id)) => ("external_id", Some(id.as_str())),
        (None, None) => ("customer_id", None),
    };
    let checked = check_link_request(&state, &vendor.organisation, field, reference, &body).await?;
    let link = store_link(&state, &vendor, checked).await?;
    Ok((
        StatusCode::CREATED,
        Json(PortalSessionCreated {
            id: link.id,
            url: link.url,
            expires_at: link.expires_at,
        }),
    ))
}

/// `GET /v1/customers/{id}/portal_sessions`: links not yet opened and live sessions.
async fn list_portal_sessions(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(customer_ref): Path<String>,
) -> Result<Json<PortalSessionList>, ApiError> {
    let org = &vendor.organisation.id;
    let customer = state
        .store
        .find_customer(org, &customer_ref)
        .await?
        .ok_or(ApiError::NotFound)?;
    let live = state
        .store
        .list_live_links(org, &customer.id, state.clock.now())
        .await?;
    let data = live
        .into_iter()
        .map(|l| PortalSessionSummary {
            id: l.link.id,
            status: if l.session.is_some() {
                "active"
            } else {
                "pending"
            }
            .to_owned(),
            created_at: l.link.created_at,
            link_expires_at: l.link.expires_at,
            return_url: l.link.return_url,
            locale: l.link.locale,
            section: l.link.section,
            idle_timeout: l.link.idle_timeout_secs,
            session_started_at: l.session.as_ref().map(|s| s.created_at),
            session_last_seen_at: l.session.as_ref().map(|s| s.last_seen_at),
            session_expires_at: l.session.as_ref().map(|s| s.expires_at),
        })
        .collect();
    Ok(Json(PortalSessionList { data }))
}

/// `DELETE /v1/portal_sessions/{id}`: the link stops working and its sessions end.
async fn revoke_portal_session(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let org = &vendor.organisation.id;
    removed(state.store.revoke_link(org, &id, state.clock.now()).await?)
}

/// `POST /api/v1/session/exchange`: a one-time link token becomes a session token.
async fn exchange_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ExchangeRequest>,
) -> Result<Response, ApiError> {
    let client = state.client_key(peer.ip(), &headers);
    let body = exchange(&state, &client, &body.token).await?;
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Trades a one-time link token for a session, for `client` (counted against its
/// limits): the exchange API's answer, also made by the link's page itself.
pub(super) async fn exchange(
    state: &AppState,
    client: &str,
    link_token: &str,
) -> Result<ExchangeResponse, ApiError> {
    let now = state.clock.now();
    let link_hash = token::hash(link_token.trim());
    let limited = |r: Result<(), u64>| {
        r.map_err(|secs| ApiError::RateLimited {
            retry_after_secs: secs,
        })
    };
    let store = state.store.as_ref();
    limited(
        state
            .limits
            .exchange_by_client
            .hit(store, client, now)
            .await?,
    )?;
    let link = hex_key(&link_hash);
    limited(
        state
            .limits
            .exchange_by_token
            .hit(store, &link, now)
            .await?,
    )?;

    let session_token = token::random_token();
    let session = state
        .store
        .exchange_link(
            &link_hash,
            &uuid::Uuid::new_v4().to_string(),
            &token::hash(&session_token),
            state.config.session_lifetime_secs,
            now,
        )
        .await?;
    let Some(session) = session else {
        // Tell the customer why, so the page can say so.
        return Err(match state.store.find_link(&link_hash).await? {
            None => ApiError::LINK_INVALID,
            Some(link) => {
                let error = if link.revoked_at.is_some() {
                    ApiError::LINK_REVOKED
                } else if link.used_at.is_some() {
                    ApiError::LINK_USED
                } else {
                    ApiError::LINK_EXPIRED
                };
                error.with_return_url(link.return_url)
            }
        });
    };
    // Without a deep link, the customer lands on the first section the organisation shows.
    let section = match session.section.as_deref().and_then(Section::parse) {
        Some(section) => section,
        None => {
            let shown = state
                .organisation(&session.organisation_id)
                .await?
                .map(|o| o.settings.sections.clone())
                .unwrap_or_default();
            let tab = Tab::ALL
                .into_iter()
                .find(|tab| shown.iter().any(|s| s == tab.name()))
                .unwrap_or(Tab::Invoices);
            Section::Tab(tab)
        }
    };
    Ok(ExchangeResponse {
        session_token,
        prefetch: app::client::landing_reads(&section),
        // A landing on the invoice list is all in the first bundle; any other is the whole
        // app's chunk and its tab's.
        preload: if section == Section::Tab(Tab::Invoices) {
            Vec::new()
        } else {
            state
                .bundle
                .current()
                .page_chunks(app::pages::portal::lazy_route(&section))
        },
        landing_path: section.path(&session.organisation_id),
        organisation_id: session.organisation_id,
        return_url: session.return_url,
        locale: session.locale,
        expires_at: session.expires_at,
        idle_timeout: session.idle_timeout_secs,
    })
}

fn hex_key(hash: &[u8]) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// `POST /api/v1/session/logout`: ends the caller's session.
async fn logout_session(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .end_session(&portal.session.id, "logout", state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
