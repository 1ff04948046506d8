//! The typed portal API client: one function per endpoint, over the shared `api` types.
//!
//! Portal data needs the session token, which only the browser holds (in
//! `sessionStorage`), so these calls run in the browser only. During server rendering
//! the portal shows its loading state and the browser fills it in after hydration.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::portal::{
    CancelRequest, EntitlementList, InvoiceDetail, InvoiceFilter, InvoicePage, Overview,
    PaymentMethodList, PaymentPage, Profile, ProfilePatch, SessionPatch, SubscriptionList,
};
use crate::api::records::{PaymentMethod, Subscription};
use crate::api::routes;
use crate::api::session::{ExchangeRequest, ExchangeResponse, Section, SessionInfo, Tab};
use crate::api::FieldError;

/// A failed call, as the UI needs it: the API's error code and, for link and session
/// errors, where to send the customer back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientError {
    /// HTTP status, or 0 when the server could not be reached.
    pub status: u16,
    pub code: String,
    pub message: String,
    pub return_url: Option<String>,
    /// Per-field problems of a validation error.
    pub fields: Vec<FieldError>,
}

impl ClientError {
    /// The session is gone (expired, revoked, logged out or unknown).
    pub fn session_over(&self) -> bool {
        matches!(self.code.as_str(), "session_expired" | "unauthorized")
    }

    /// The session ran out while the page was idle.
    pub fn session_expired() -> Self {
        ClientError {
            status: 401,
            code: "session_expired".into(),
            message: "Your portal session has ended.".into(),
            return_url: None,
            fields: Vec::new(),
        }
    }

    fn network(message: impl Into<String>) -> Self {
        ClientError {
            status: 0,
            code: "network".into(),
            message: message.into(),
            return_url: None,
            fields: Vec::new(),
        }
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// So that a failed load can reach an `ErrorBoundary`.
impl std::error::Error for ClientError {}

/// Trades a link token for a session.
pub async fn exchange(token: &str) -> Result<ExchangeResponse, ClientError> {
    send(
        Method::Post,
        routes::SESSION_EXCHANGE,
        None,
        Some(&ExchangeRequest {
            token: token.to_owned(),
        }),
    )
    .await
}

/// How the link exchange the page came with failed (a used or unknown link, too many
/// tries), if it did: the server's render says so at once, without scripts, and the
/// app's first render agrees with it.
pub fn exchange_failure() -> Option<ClientError> {
    let request = crate::page_answers::PageAnswers::request("POST", routes::SESSION_EXCHANGE);
    let answer = crate::page_answers::peek_answer(&request)?;
    decode::<serde::de::IgnoredAny>(answer.status, &answer.body).err()
}

/// Who is signed in.
pub async fn session_info(session: &str) -> Result<SessionInfo, ClientError> {
    send::<_, ()>(Method::Get, routes::PORTAL_SESSION, Some(session), None).await
}

/// How many invoices one page shows: a screenful on a phone.
pub const INVOICES_PER_PAGE: u32 = 10;

/// A path with a query string built from `pairs`.
fn with_query(path: &str, pairs: &[(&str, String)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", routes::encode(v)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// The address of one page of the customer's invoices, filtered and sorted.
pub fn invoices_path(filter: &InvoiceFilter, cursor: Option<&str>) -> String {
    let mut pairs = filter.to_query();
    pairs.push(("limit", INVOICES_PER_PAGE.to_string()));
    if let Some(cursor) = cursor {
        pairs.push(("cursor", cursor.to_owned()));
    }
    with_query(routes::PORTAL_INVOICES, &pairs)
}

/// One page of the customer's invoices, filtered and sorted.
pub async fn invoices(
    session: &str,
    filter: &InvoiceFilter,
    cursor: Option<&str>,
) -> Result<InvoicePage, ClientError> {
    let path = invoices_path(filter, cursor);
    send::<_, ()>(Method::Get, &path, Some(session), None).await
}

/// The reads a page landing on `section` makes first, in the order it makes them: who is
/// signed in, then the tab's data. A link's page makes them on the server and comes with
/// their answers, which [`send`] then uses instead of asking again; the exchange API
/// names them too (`prefetch`).
pub fn landing_reads(section: &Section) -> Vec<String> {
    let mut reads = vec![routes::PORTAL_SESSION.to_owned()];
    match section {
        Section::Invoice(id) => reads.push(invoice_path(id)),
        Section::Tab(Tab::Overview) => reads.push(routes::PORTAL_OVERVIEW.to_owned()),
        Section::Tab(Tab::Invoices) => reads.push(invoices_path(&InvoiceFilter::default(), None)),
        Section::Tab(Tab::Payments) => {
            reads.push(payments_path(None));
            reads.push(routes::PORTAL_CREDITS.to_owned());
        }
        Section::Tab(Tab::Entitlements) => reads.push(routes::PORTAL_ENTITLEMENTS.to_owned()),
        Section::Tab(Tab::Subscriptions) => reads.push(routes::PORTAL_SUBSCRIPTIONS.to_owned()),
        Section::Tab(Tab::PaymentMethods) => reads.push(routes::PORTAL_PAYMENT_METHODS.to_owned()),
        Section::Tab(Tab::Profile) => reads.push(routes::PORTAL_PROFILE.to_owned()),
    }
    reads
}

/// The CSV export path of the invoice list as filtered.
pub fn invoices_csv_path(filter: &InvoiceFilter) -> String {
    with_query(routes::PORTAL_INVOICES_CSV, &filter.to_query())
}

/// The landing page's figures.
pub async fn overview(session: &str) -> Result<Overview, ClientError> {
    send::<_, ()>(Method::Get, routes::PORTAL_OVERVIEW, Some(session), None).await
}

pub async fn profile(session: &str) -> Result<Profile, ClientError> {
    send::<_, ()>(Method::Get, routes::PORTAL_PROFILE, Some(session), None).await
}

/// Saves the customer's changes; a validation error names each bad field.
pub async fn update_profile(session: &str, patch: &ProfilePatch) -> Result<Profile, ClientError> {
    send(
        Method::Patch,
        routes::PORTAL_PROFILE,
        Some(session),
        Some(patch),
    )
    .await
}

/// Asks for a subscription to end at the end of its current period.
pub async fn cancel_subscription(
    session: &str,
    id: &str,
    why: &CancelRequest,
) -> Result<Subscription, ClientError> {
    let path = routes::with_id(routes::PORTAL_SUBSCRIPTION_CANCEL, id);
    send(Method::Post, &path, Some(session), Some(why)).await
}

/// Undoes a cancellation at period end: the subscription renews after all.
pub async fn resume_subscription(session: &str, id: &str) -> Result<Subscription, ClientError> {
    let path = routes::with_id(routes::PORTAL_SUBSCRIPTION_RESUME, id);
    send::<_, ()>(Method::Post, &path, Some(session), None).await
}

/// Asks the vendor to pause a subscription.
pub async fn request_pause(session: &str, id: &str) -> Result<(), ClientError> {
    let path = routes::with_id(routes::PORTAL_SUBSCRIPTION_PAUSE, id);
    send::<serde::de::IgnoredAny, ()>(Method::Post, &path, Some(session), None)
        .await
        .map(|_| ())
}

/// The subscription's plan and the plans it may switch to.
pub async fn plan_choices(
    session: &str,
    id: &str,
) -> Result<crate::api::plans::PlanChoices, ClientError> {
    let path = routes::with_id(routes::PORTAL_SUBSCRIPTION_PLANS, id);
    send::<_, ()>(Method::Get, &path, Some(session), None).await
}

/// Asks the vendor to move a subscription to another plan.
pub async fn change_plan(session: &str, id: &str, plan_id: &str) -> Result<(), ClientError> {
    let path = routes::with_id(routes::PORTAL_SUBSCRIPTION_CHANGE_PLAN, id);
    let body = crate::api::plans::PlanChangeRequest {
        plan_id: plan_id.to_owned(),
    };
    send::<serde::de::IgnoredAny, _>(Method::Post, &path, Some(session), Some(&body))
        .await
        .map(|_| ())
}

/// Tells the vendor that the customer opened an invoice's payment page.
pub async fn invoice_payment_started(session: &str, id: &str) -> Result<(), ClientError> {
    let path = routes::with_id(routes::PORTAL_INVOICE_PAYMENT_STARTED, id);
    send::<serde::de::IgnoredAny, ()>(Method::Post, &path, Some(session), None)
        .await
        .map(|_| ())
}

/// Tells the vendor that the customer opened the page for paying everything overdue.
pub async fn balance_payment_started(session: &str) -> Result<(), ClientError> {
    let path = routes::PORTAL_BALANCE_PAYMENT_STARTED;
    send::<serde::de::IgnoredAny, ()>(Method::Post, path, Some(session), None)
        .await
        .map(|_| ())
}

/// Removes a payment method that is not the default.
pub async fn remove_payment_method(session: &str, id: &str) -> Result<(), ClientError> {
    let path = routes::with_id(routes::PORTAL_PAYMENT_METHOD, id);
    send::<serde::de::IgnoredAny, ()>(Method::Delete, &path, Some(session), None)
        .await
        .map(|_| ())
}

/// Tells the vendor that the customer opened its page for adding a payment method.
pub async fn payment_method_setup_started(session: &str) -> Result<(), ClientError> {
    let path = routes::PORTAL_PAYMENT_METHOD_SETUP_STARTED;
    send::<serde::de::IgnoredAny, ()>(Method::Post, path, Some(session), None)
        .await
        .map(|_| ())
}

pub async fn set_default_payment_method(
    session: &str,
    id: &str,
) -> Result<PaymentMethod, ClientError> {
    let path = routes::with_id(routes::PORTAL_PAYMENT_METHOD_DEFAULT, id);
    send::<_, ()>(Method::Post, &path, Some(session), None).await
}

/// Keeps the customer's choice of language for the rest of the session.
pub async fn set_session_locale(session: &str, locale: &str) -> Result<(), ClientError> {
    send::<serde::de::IgnoredAny, _>(
        Method::Patch,
        routes::PORTAL_SESSION,
        Some(session),
        Some(&SessionPatch {
            locale: locale.to_owned(),
        }),
    )
    .await
    .map(|_| ())
}

/// The payment list's path: a page of it, from `cursor` on.
pub fn payments_path(cursor: Option<&str>) -> String {
    let mut path = format!("{}?limit={INVOICES_PER_PAGE}", routes::PORTAL_PAYMENTS);
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(&routes::encode(cursor));
    }
    path
}

/// One page of the customer's payments and refunds, newest first.
pub async fn payments(session: &str, cursor: Option<&str>) -> Result<PaymentPage, ClientError> {
    let path = payments_path(cursor);
    send::<_, ()>(Method::Get, &path, Some(session), None).await
}

pub async fn entitlements(session: &str) -> Result<EntitlementList, ClientError> {
    send::<_, ()>(
        Method::Get,
        routes::PORTAL_ENTITLEMENTS,
        Some(session),
        None,
    )
    .await
}

pub async fn subscriptions(session: &str) -> Result<SubscriptionList, ClientError> {
    send::<_, ()>(
        Method::Get,
        routes::PORTAL_SUBSCRIPTIONS,
        Some(session),
        None,
    )
    .await
}

pub async fn credits(session: &str) -> Result<crate::api::portal::CreditList, ClientError> {
    send::<_, ()>(Method::Get, routes::PORTAL_CREDITS, Some(session), None).await
}

pub async fn payment_methods(session: &str) -> Result<PaymentMethodList, ClientError> {
    send::<_, ()>(
        Method::Get,
        routes::PORTAL_PAYMENT_METHODS,
        Some(session),
        None,
    )
    .await
}

fn invoice_path(id: &str) -> String {
    routes::with_id(routes::PORTAL_INVOICE, id)
}

/// One invoice with its lines, payments and credit notes.
pub async fn invoice(session: &str, id: &str) -> Result<InvoiceDetail, ClientError> {
    send::<_, ()>(Method::Get, &invoice_path(id), Some(session), None).await
}

/// A language's strings, fetched when the customer picks it (see `i18n::catalogue`).
pub async fn catalogue(
    path: &str,
) -> Result<crate::i18n::catalogue::Catalogue<String>, ClientError> {
    send::<_, ()>(Method::Get, path, None, None).await
}

/// Ends the session on the server.
pub async fn logout(session: &str) -> Result<(), ClientError> {
    send::<serde::de::IgnoredAny, ()>(Method::Post, routes::SESSION_LOGOUT, Some(session), None)
        .await
        .map(|_| ())
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// When this page last reached the server with its session (ms since the epoch).
    static LAST_SESSION_CALL: std::cell::Cell<f64> = std::cell::Cell::new(js_sys::Date::now());
}

/// Seconds since this page last used its session; the server's idle timer started then.
#[cfg(feature = "hydrate")]
pub fn idle_seconds() -> f64 {
    (js_sys::Date::now() - LAST_SESSION_CALL.with(std::cell::Cell::get)) / 1000.0
}

enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Downloads a file the API serves only with the session's bearer token: fetched, then
/// handed to the browser as a file through a temporary object URL, so that the token
/// never appears in an address.
/// Its own WASM chunk in a split build, fetched at the first download: a link's landing
/// page does without it until then.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
pub async fn download(session: String, path: String, filename: String) -> Result<(), ClientError> {
    use wasm_bindgen::JsCast;

    let response = fetch::send("GET", &path, Some(&session), None).await?;
    if !response.ok() {
        return Err(error_of(response).await);
    }
    LAST_SESSION_CALL.with(|last| last.set(js_sys::Date::now()));
    let kind = response
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_else(|| "application/octet-stream".into());
    let bytes = fetch::bytes(&response).await?;
    let failed = |_| ClientError::network("the browser refused the download");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&kind);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| ClientError::network("no document"))?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(&filename);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

#[cfg(not(feature = "hydrate"))]
pub async fn download(
    _session: String,
    _path: String,
    _filename: String,
) -> Result<(), ClientError> {
    Err(ClientError::network("downloads happen in the browser"))
}

/// The API's error body as a [`ClientError`].
#[cfg(feature = "hydrate")]
async fn error_of(response: web_sys::Response) -> ClientError {
    let status = response.status();
    let text = fetch::text(&response).await.unwrap_or_default();
    error_from(status, &text)
}

/// The browser's `fetch`, as the client uses it.
#[cfg(feature = "hydrate")]
mod fetch {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::ClientError;

    /// What went wrong, as the browser says it.
    fn failed(error: JsValue) -> ClientError {
        let message = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_else(|| "the request failed".to_owned());
        ClientError::network(message)
    }

    /// Sends a request, with the session's bearer token and a JSON body when given.
    pub async fn send(
        method: &str,
        path: &str,
        session: Option<&str>,
        json: Option<String>,
    ) -> Result<web_sys::Response, ClientError> {
        let headers = web_sys::Headers::new().map_err(failed)?;
        if let Some(token) = session {
            headers
                .set("Authorization", &format!("Bearer {token}"))
                .map_err(failed)?;
        }
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        if let Some(json) = json {
            headers
                .set("Content-Type", "application/json")
                .map_err(failed)?;
            init.set_body(&JsValue::from_str(&json));
        }
        init.set_headers(&headers);
        let window = web_sys::window().ok_or_else(|| ClientError::network("no window"))?;
        let answer = JsFuture::from(window.fetch_with_str_and_init(path, &init))
            .await
            .map_err(failed)?;
        Ok(answer.unchecked_into())
    }

    /// The answer's body as text.
    pub async fn text(response: &web_sys::Response) -> Result<String, ClientError> {
        let text = JsFuture::from(response.text().map_err(failed)?)
            .await
            .map_err(failed)?;
        Ok(text.as_string().unwrap_or_default())
    }

    /// The answer's body as bytes.
    pub async fn bytes(response: &web_sys::Response) -> Result<Vec<u8>, ClientError> {
        let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
            .await
            .map_err(failed)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

fn error_from(status: u16, text: &str) -> ClientError {
    match serde_json::from_str::<crate::api::ErrorBody>(text) {
        Ok(body) => ClientError {
            status,
            code: body.error.code,
            message: body.error.message,
            return_url: body.error.return_url,
            fields: body.error.fields,
        },
        Err(_) => ClientError {
            status,
            code: "unexpected".into(),
            message: format!("The server answered {status}."),
            return_url: None,
            fields: Vec::new(),
        },
    }
}

/// An answer's JSON body as `T`, or its error.
fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ClientError> {
    if !(200..300).contains(&status) {
        return Err(error_from(status, text));
    }
    // An empty answer (204) decodes as `null`, which `IgnoredAny` and `()` accept.
    let text = if status == 204 { "null" } else { text };
    serde_json::from_str(text).map_err(|e| ClientError::network(e.to_string()))
}

#[cfg(feature = "hydrate")]
async fn send<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    session: Option<&str>,
    body: Option<&B>,
) -> Result<T, ClientError> {
    let request = crate::page_answers::PageAnswers::request(method.as_str(), path);
    if let Some(answer) = crate::page_answers::take(&request, session) {
        return decode(answer.status, &answer.body);
    }
    if crate::page_answers::answers_only() {
        return Err(ClientError::network(
            "not among the page's answers".to_owned(),
        ));
    }
    let json = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| ClientError::network(e.to_string()))?;
    let response = fetch::send(method.as_str(), path, session, json).await?;
    answer_of(response, session.is_some()).await
}

/// Decodes an answer, or its error body.
#[cfg(feature = "hydrate")]
async fn answer_of<T: DeserializeOwned>(
    response: web_sys::Response,
    with_session: bool,
) -> Result<T, ClientError> {
    let status = response.status();
    if with_session && response.ok() {
        LAST_SESSION_CALL.with(|last| last.set(js_sys::Date::now()));
    }
    let text = fetch::text(&response).await?;
    decode(status, &text)
}

/// On the server, a read is answered only from the answers the page is rendered with (a
/// link's page, whose reads the server made first): what the browser finds there too.
#[cfg(not(feature = "hydrate"))]
async fn send<T: DeserializeOwned, B: Serialize>(
    method: Method,
    path: &str,
    session: Option<&str>,
    _body: Option<&B>,
) -> Result<T, ClientError> {
    let request = crate::page_answers::PageAnswers::request(method.as_str(), path);
    match crate::page_answers::take(&request, session) {
        Some(answer) => decode(answer.status, &answer.body),
        None => Err(ClientError::network("portal data is loaded by the browser")),
    }
}
