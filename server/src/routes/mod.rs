//! HTTP routes: one module per API area, each exporting `router()`, merged here.

mod assets;
pub mod credits;
mod demo;
mod embedding;
mod events;
pub mod import;
mod link_page;
pub(crate) mod paging;
mod plans;
mod portal;
pub mod records;
mod sessions;
mod settings;
mod system;
pub mod webhooks;

use axum::http::{header, HeaderValue};
use axum::routing::any;
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::state::AppState;

pub use assets::BundleNames;
pub use demo::receiver_addr as demo_receiver_addr;

/// Dynamic answers smaller than this go out as they are: compressing them saves less
/// than the encoding's own overhead.
const COMPRESS_ABOVE_BYTES: u16 = 1024;
/// Brotli and gzip level for answers compressed as they go out: a link's two pages are
/// 7 % smaller at 5 than at 4 (5.3 and 2.9 KB of 15 and 18 KB) for 0.2 ms more each;
/// from 9 up, brotli spends milliseconds more per page.
const DYNAMIC_COMPRESSION_LEVEL: i32 = 5;

/// The whole application: JSON APIs, server-rendered pages and static files.
pub fn app(state: AppState) -> Router {
    let leptos_options = state.leptos.clone();
    let metrics = state.metrics.clone();
    let bundle = state.bundle.clone();
    // A link's page has handlers of its own (see `link_page`).
    let mut pages = generate_route_list(app::App);
    pages.retain(|page| page.path() != link_page::PATH);
    let site_root = std::path::PathBuf::from(leptos_options.site_root.as_ref());
    // Behind https, browsers are told to never use plain http for this host again.
    let hsts = (state.config.public_url.scheme() == "https")
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));

    let api = Router::new()
        .merge(system::router())
        .merge(sessions::portal_router())
        .merge(portal::router())
        // An unknown API path answers in the API's own error shape, not with an HTML page.
        .fallback(api_not_found);
    // A link's page makes its landing page's reads through the same routes.
    let reads = Router::new()
        .nest("/api", api.clone())
        .with_state(state.clone());
    // Every page is the same shell around the app, with the bundle of the moment.
    let shell = {
        let options = leptos_options.clone();
        let bundle = bundle.clone();
        move || app::shell(options.clone(), &bundle.current())
    };
    let render: link_page::Render = {
        let handler = leptos_axum::render_app_to_stream_with_context(|| {}, shell.clone());
        std::sync::Arc::new(move |request| handler(request))
    };

    // The demo's pages make working links for anyone: only a demo server has them.
    let demo = if state.config.demo {
        demo::router()
    } else {
        Router::new()
    };

    Router::new()
        .nest("/api", api)
        // `nest` leaves the bare prefix with a trailing slash to the outer router.
        .route("/api/", any(api_not_found))
        .merge(sessions::vendor_router())
        .merge(records::router())
        .merge(credits::router())
        .merge(plans::router())
        .merge(import::router())
        .merge(settings::router())
        .merge(events::router())
        .merge(webhooks::router())
        .merge(demo)
        .merge(link_page::router(reads, render))
        .route("/v1/openapi.json", axum::routing::get(get_openapi))
        .route("/metrics", axum::routing::get(crate::metrics::get_metrics))
        .route("/v1/{*rest}", any(api_not_found))
        .merge(assets::router(&site_root))
        .leptos_routes(&state, pages, shell.clone())
        // Every route so far notes its pattern for `/metrics`; the fallback is `unmatched`.
        .route_layer(axum::middleware::from_fn(crate::metrics::label_route))
        // Files at the site's root (`embed.js`, the icon), else the rendered 404 page.
        .fallback({
            let serve = leptos_axum::file_and_error_handler::<AppState, _>(move |options| {
                app::shell(options, &bundle.current())
            });
            move |uri, state, request| {
                let served = serve(uri, state, request);
                async move { assets::root_file_headers(served.await) }
            }
        })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            embedding::page_context,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            wake_webhooks,
        ))
        .with_state(state)
        .layer(axum::middleware::map_response(json_method_not_allowed))
        // Pages and API answers carry customer data: no cache may keep them. Static
        // files and the logo set their own lifetimes.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &axum::response::Response| hsts.clone(),
        ))
        // Bundle files arrive precompressed (the layer leaves encoded answers alone);
        // pages, JSON and CSV are compressed as they go out, at a level meant for answers
        // made per request: brotli's own default (11) spends milliseconds of CPU and a
        // 4 MiB window on every 10 KB list, for a few per cent fewer bytes than level 5.
        .layer(
            CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(CompressionLevel::Precise(DYNAMIC_COMPRESSION_LEVEL))
                .compress_when(
                    SizeAbove::new(COMPRESS_ABOVE_BYTES)
                        .and(NotForContentType::IMAGES)
                        .and(NotForContentType::const_new("application/pdf"))
                        .and(NotForContentType::SSE)
                        .and(NotForContentType::GRPC),
                ),
        )
        // Request logs carry the path only: no query string, and link tokens replaced.
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                let id = request
                    .headers()
                    .get(&crate::request_id::HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!(
                    "request",
                    id = %id,
                    method = %request.method(),
                    path = %redacted_path(request.uri().path()),
                )
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
        .layer(axum::middleware::from_fn(crate::request_id::layer))
}

/// A write that succeeded may have stored events (a link made, a profile saved, an
/// endpoint turned on again): the webhook worker looks for due deliveries at once
/// instead of at its next poll. Reads never wake it, so the hot path costs nothing.
async fn wake_webhooks(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let writes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let response = next.run(request).await;
    if writes && response.status().is_success() {
        state.events_written();
    }
    response
}

/// axum answers a known path with an unsupported method by an empty 405; give it the
/// API's error body like every other error.
async fn json_method_not_allowed(response: axum::response::Response) -> axum::response::Response {
    if response.status() == axum::http::StatusCode::METHOD_NOT_ALLOWED
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut replaced = axum::response::IntoResponse::into_response(ApiError::MethodNotAllowed);
        if let Some(allow) = allow {
            replaced.headers_mut().insert(header::ALLOW, allow);
        }
        return replaced;
    }
    response
}

/// `GET /v1/openapi.json`: built once, then served from memory.
async fn get_openapi() -> axum::Json<serde_json::Value> {
    static DOCUMENT: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    axum::Json(DOCUMENT.get_or_init(crate::openapi::document).clone())
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

/// The request path as logged: one-time tokens in `/session/<token>` are replaced, so
/// that a log line never carries a usable link.
fn redacted_path(path: &str) -> String {
    match path.strip_prefix("/session/") {
        Some(rest) if !rest.is_empty() => "/session/[redacted]".to_owned(),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted_path;

    #[test]
    fn link_tokens_never_reach_the_log() {
        assert_eq!(redacted_path("/session/abcDEF123"), "/session/[redacted]");
        assert_eq!(redacted_path("/api/v1/health"), "/api/v1/health");
        assert_eq!(redacted_path("/session/"), "/session/");
    }
}
