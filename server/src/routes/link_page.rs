//! `/session/<token>`, the page a portal link opens.
//!
//! A GET must not use the link up: mail scanners and chat previews fetch links before
//! the customer does. So the GET answers the portal's skeleton, whose first script posts
//! the link back at once (a button does it without scripts). The POST trades the link for
//! a session, makes the landing page's first reads through the API itself, and answers the
//! page rendered with them: the first invoices are in its HTML, and the app that hydrates
//! it takes the same answers from the page instead of asking again.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;

use app::api::session::{ExchangeResponse, Section};
use app::page_answers::{Answer, PageAnswers};

use crate::state::AppState;

/// Renders the app for a request (leptos_axum's handler).
pub type Render =
    Arc<dyn Fn(Request) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

/// The largest API answer a link's page carries; a bigger one is left for the app to ask.
const MAX_ANSWER_BYTES: usize = 512 * 1024;

/// The path of a link's page, as the app's router spells it.
pub const PATH: &str = "/session/{token}";

/// `api` answers the reads under `/api`; `render` renders the app.
pub fn router(api: Router, render: Render) -> Router<AppState> {
    let page = render.clone();
    Router::new().route(
        PATH,
        get(move |request: Request| page(request))
            .post(move |state, path, request| open(state, path, request, api, render)),
    )
}

/// `POST /session/<token>`: exchanges the link and renders its landing page.
async fn open(
    State(state): State<AppState>,
    Path(token): Path<String>,
    mut request: Request,
    api: Router,
    render: Render,
) -> Response {
    let client = state.request_client_key(request.extensions(), request.headers());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied();
    // The link page's own script asks for what it lacks: the body, the answers and the
    // landing tab's preloads, not the head it already has.
    let part_only = request
        .headers()
        .get(PART_HEADER)
        .is_some_and(|v| v.as_bytes() == b"body");
    let exchange = PageAnswers::request("POST", app::api::routes::SESSION_EXCHANGE);
    let mut answers = PageAnswers::default();
    let mut status = StatusCode::OK;
    let mut retry_after = None;
    let mut landing = None;
    match super::sessions::exchange(&state, &client, &token).await {
        Ok(opened) => {
            answers.answers.push(Answer {
                request: exchange,
                status: 200,
                body: serde_json::to_string(&opened).unwrap_or_default(),
            });
            let section = Section::from_path(&opened.landing_path);
            for path in section.iter().flat_map(app::client::landing_reads) {
                if let Some(answer) = read(&api, &path, &opened, peer).await {
                    answers.answers.push(answer);
                }
            }
            answers.token = Some(opened.session_token.clone());
            // The page is the landing tab, whichever it is, rendered from those reads: the
            // app takes it over once its code (and a split tab's chunk, preloaded) is in.
            landing = opened.landing_path.parse::<Uri>().ok();
        }
        Err(error) => {
            let (parts, body) = error.into_response().into_parts();
            status = parts.status;
            retry_after = parts.headers.get(header::RETRY_AFTER).cloned();
            let body = axum::body::to_bytes(body, MAX_ANSWER_BYTES)
                .await
                .unwrap_or_default();
            answers.answers.push(Answer {
                request: exchange,
                status: status.as_u16(),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    }
    answers.at_landing = landing.is_some();
    answers.scripted = part_only;
    if let Some(landing) = landing {
        *request.uri_mut() = landing;
    }
    *request.method_mut() = Method::GET;
    request.extensions_mut().insert(Arc::new(answers));
    let mut response = render(request).await;
    if part_only {
        response = body_part(response).await;
    }
    *response.status_mut() = status;
    if let Some(retry_after) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after);
    }
    response
}

/// The request header with which the link page's script asks for the page's body part.
const PART_HEADER: &str = "x-portico-part";

/// A rendered page cut down to what the link page's script takes from it: the language,
/// the title, the preloads of the app's files and the answers from its head, and its body.
async fn body_part(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let html = String::from_utf8_lossy(&bytes);
    let between = |from: &str, to: &str| -> Option<(usize, usize)> {
        let start = html.find(from)?;
        let end = start + from.len() + html[start + from.len()..].find(to)? + to.len();
        Some((start, end))
    };
    let (Some((head_start, head_end)), Some((body_start, body_end))) =
        (between("<head>", "</head>"), between("<body", "</body>"))
    else {
        return (parts, Body::from(bytes)).into_response();
    };
    let head = &html[head_start..head_end];
    let mut kept = String::new();
    let mut rest = head;
    // The server's own markup: none of these can occur inside escaped text.
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..tag_end];
        let element = if tag.starts_with("<title") {
            rest.find("</title>").map(|i| i + "</title>".len())
        } else if tag.starts_with("<link rel=\"preload\"")
            || tag.starts_with("<link rel=\"modulepreload\"")
        {
            Some(tag_end)
        } else if tag.starts_with("<script type=\"application/json\" id=\"portico-answers\"") {
            rest.find("</script>").map(|i| i + "</script>".len())
        } else {
            None
        };
        match element {
            Some(end) => {
                kept.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            None => rest = &rest[tag_end..],
        }
    }
    let lang = between("<html lang=\"", "\"")
        .map(|(start, end)| &html[start..end])
        .unwrap_or("<html");
    let page = format!(
        "<!DOCTYPE html>{lang}><head>{kept}</head>{}</html>",
        &html[body_start..body_end]
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    (parts, Body::from(page)).into_response()
}

/// A portal read made with the new session, as the app would make it.
async fn read(
    api: &Router,
    path: &str,
    opened: &ExchangeResponse,
    peer: Option<ConnectInfo<SocketAddr>>,
) -> Option<Answer> {
    let mut request = Request::get(path)
        .header(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {}", opened.session_token)).ok()?,
        )
        .body(Body::empty())
        .ok()?;
    if let Some(peer) = peer {
        request.extensions_mut().insert(peer);
    }
    let response = api.clone().oneshot(request).await.ok()?;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
        .await
        .ok()?;
    Some(Answer {
        request: PageAnswers::request("GET", path),
        status: status.as_u16(),
        body: String::from_utf8(body.to_vec()).ok()?,
    })
}
