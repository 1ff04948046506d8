//! Static files. The bundle under `/pkg` is named by content, so it is cached for a year;
//! every file is served precompressed (brotli or gzip, as the build left it next to the
//! original) when the client accepts it; a name that does not exist is a plain 404, never
//! the HTML shell, so that a stale page fails loudly.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as AxumPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;

use app::bundle::{is_content_named, Bundle};
use app::i18n::{catalogue, Locale};

use crate::state::AppState;

/// Content-named files never change: a year, and no revalidation.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Files whose name stays across builds (dev builds' bundle): always revalidated.
const REVALIDATE: &str = "no-cache";
/// The public files at the root (`embed.js`, the icon) keep their names for vendors'
/// pages; an hour of caching, then revalidation by date.
const ROOT_FILES: &str = "public, max-age=3600";

/// `/pkg/*`: the bundle, precompressed; `/i18n/*`: the languages' strings.
pub fn router(site_root: &Path) -> Router<AppState> {
    let pkg = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", pkg)
        .layer(axum::middleware::from_fn(pkg_headers))
        .route("/i18n/{version}/{file}", get(get_strings))
}

/// `/i18n/{version}/{tag}.json`: a language's strings, which the browser fetches when the
/// customer picks the language. The version names this build's strings, so the answer
/// never changes; any other version or tag is a 404.
async fn get_strings(AxumPath((version, file)): AxumPath<(String, String)>) -> Response {
    let locale = file
        .strip_suffix(".json")
        .and_then(|tag| Locale::ALL.into_iter().find(|l| l.as_str() == tag));
    match locale {
        Some(locale) if version == catalogue::version() => {
            let json = (
                [(header::CONTENT_TYPE, "application/json")],
                catalogue::json(locale),
            );
            with_cache_headers(json.into_response(), IMMUTABLE)
        }
        _ => not_found(),
    }
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-store")],
        "not found",
    )
        .into_response()
}

async fn pkg_headers(request: Request, next: Next) -> Response {
    let immutable = is_content_named(request.uri().path());
    let response = next.run(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        return not_found();
    }
    with_cache_headers(response, if immutable { IMMUTABLE } else { REVALIDATE })
}

/// The cache headers of a static file served from the site's root by the fallback.
pub fn root_file_headers(response: Response) -> Response {
    let is_file =
        response.status() == StatusCode::OK || response.status() == StatusCode::NOT_MODIFIED;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_file && !is_html {
        with_cache_headers(response, ROOT_FILES)
    } else {
        response
    }
}

fn with_cache_headers(mut response: Response, cache: &'static str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // The same address answers brotli, gzip or identity bytes: caches must key on it.
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Where pages find the bundle's names: read once at start, or under `cargo leptos watch`
/// (which renames the files on every rebuild without restarting the server for a style
/// change) read again for every page.
#[derive(Clone)]
pub struct BundleNames {
    fixed: Option<Arc<Bundle>>,
    site_root: PathBuf,
}

impl BundleNames {
    pub fn at_start(site_root: &Path) -> Self {
        let watching = std::env::var_os("LEPTOS_WATCH").is_some();
        BundleNames {
            fixed: (!watching).then(|| Arc::new(locate_bundle(site_root))),
            site_root: site_root.to_owned(),
        }
    }

    pub fn current(&self) -> Arc<Bundle> {
        match &self.fixed {
            Some(bundle) => bundle.clone(),
            None => Arc::new(locate_bundle(&self.site_root)),
        }
    }
}

/// The bundle's names, from cargo-leptos's `hash.txt`: beside the site (where a deployment
/// copies it), else beside this executable (where cargo-leptos writes it). Names whose
/// files are missing fall back to the plain names, so a stale hash file never points
/// pages at nothing.
fn locate_bundle(site_root: &Path) -> Bundle {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")));
    let candidates = std::iter::once(site_root.join("hash.txt")).chain(beside_exe);
    for candidate in candidates {
        let Ok(text) = std::fs::read_to_string(&candidate) else {
            continue;
        };
        let mut bundle = Bundle::from_hash_file(&text);
        let present = [&bundle.js, &bundle.wasm, &bundle.css]
            .iter()
            .all(|path| site_root.join(path.trim_start_matches('/')).is_file());
        if bundle.is_hashed() && present {
            read_split_manifest(&mut bundle, &site_root.join("pkg"));
            tracing::info!(hash_file = %candidate.display(), "serving the content-named bundle");
            return bundle;
        }
    }
    Bundle::unhashed()
}

/// A split build's manifest, which tells pages which chunks to preload for the route they
/// render. Without it (or its loader) pages still work: the app fetches a chunk when it
/// needs it, only later.
fn read_split_manifest(bundle: &mut Bundle, pkg: &Path) {
    let Some(split) = bundle.split.as_mut() else {
        return;
    };
    let read = std::fs::read_to_string(pkg.join(&split.manifest))
        .map_err(|e| e.to_string())
        .and_then(|json| split.read_manifest(&json).map_err(|e| e.to_string()));
    match read {
        Ok(()) if pkg.join(&split.loader).is_file() => {
            tracing::info!(chunks = split.chunks.len(), "the bundle is split");
        }
        Ok(()) => {
            tracing::warn!(loader = %split.loader, "the split bundle's loader is missing");
            bundle.split = None;
        }
        Err(error) => {
            tracing::warn!(manifest = %split.manifest, %error, "the split bundle's manifest is unreadable");
            bundle.split = None;
        }
    }
}
