//! What a page needs from its organisation before it renders: the branding (so the first
//! HTML is branded) and who may frame it (`Content-Security-Policy: frame-ancestors`,
//! listing the organisation's embedding origins, or `'self'` when it has none).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use app::api::settings::ThemeSetting;
use app::branding::Branding;
use app::i18n::{self, Locale, PageLocale};

use crate::state::AppState;
use crate::store::Organisation;
use crate::token;

/// What a page knows of its organisation and customer before it renders.
struct PageOwner {
    organisation: std::sync::Arc<Organisation>,
    return_url: Option<String>,
    /// The link's language, then the customer's, for a `/session/<token>` page.
    languages: [Option<String>; 2],
}

/// The organisation a page belongs to: `/portal/<organisation>/…` names it, and a
/// `/session/<token>` link knows it (looked up without using the link up), along with
/// the link's return URL and languages.
async fn organisation_of(state: &AppState, path: &str) -> Option<PageOwner> {
    let store = state.store.as_ref();
    let (organisation_id, return_url, languages) = if let Some(rest) = path.strip_prefix("/portal/")
    {
        (rest.split('/').next()?.to_owned(), None, [None, None])
    } else if let Some(token) = path.strip_prefix("/session/") {
        let link = store.find_link(&token::hash(token)).await.ok()??;
        let customer = store
            .get_customer(&link.organisation_id, &link.customer_id)
            .await
            .ok()
            .flatten();
        (
            link.organisation_id,
            link.return_url,
            [link.locale, customer.and_then(|c| c.locale)],
        )
    } else {
        return None;
    };
    let organisation = state.organisation(&organisation_id).await.ok()??;
    Some(PageOwner {
        organisation,
        return_url,
        languages,
    })
}

/// The page's language: the link's, then `?lang=`, then the customer's, then the
/// organisation's default, then the browser's `Accept-Language`, then English.
fn page_locale(request: &Request, owner: Option<&PageOwner>) -> Locale {
    let query_lang = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    let accepted = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(i18n::accept_language)
        .unwrap_or_default();
    let [link, customer] = owner.map(|o| o.languages.clone()).unwrap_or_default();
    let default = owner.map(|o| o.organisation.settings.default_locale.clone());
    i18n::resolve(
        [link, query_lang, customer, default]
            .iter()
            .map(Option::as_deref)
            .chain(accepted.iter().map(|a| Some(a.as_str()))),
    )
    .unwrap_or_default()
}

async fn branding(
    state: &AppState,
    organisation: &Organisation,
    return_url: Option<String>,
) -> Branding {
    let logo = state.store.get_logo(&organisation.id).await.ok().flatten();
    let s = &organisation.settings;
    Branding {
        organisation_id: organisation.id.clone(),
        name: organisation.name.clone(),
        logo_url: logo.map(|l| format!("/branding/{}/logo?v={}", organisation.id, l.updated_at)),
        primary_color: s.primary_color.clone(),
        accent_color: s.accent_color.clone(),
        theme: match s.theme {
            ThemeSetting::Light => "light",
            ThemeSetting::Dark => "dark",
            ThemeSetting::Auto => "auto",
        }
        .to_owned(),
        sections: s.sections.clone(),
        embed_origins: s.embed_origins.clone(),
        return_url,
        support_url: s.support_url.clone(),
        support_email: s.support_email.clone(),
        terms_url: s.terms_url.clone(),
        privacy_url: s.privacy_url.clone(),
        allow_subscription_cancel: s.allow_subscription_cancel,
        allow_default_payment_method_change: s.allow_default_payment_method_change,
        allow_payment_method_removal: s.allow_payment_method_removal,
        cancellation_reasons: s.cancellation_reasons.clone(),
        retention_message: s.retention_message.clone(),
        allow_subscription_pause: s.allow_subscription_pause,
        allow_plan_change: s.allow_plan_change,
    }
}

/// The `frame-ancestors` directive for an organisation's embedding origins. Each origin
/// is parsed again here, so that a value stored before today's rules (or written to the
/// database by hand) can never add a source or a directive: what does not parse is left
/// out.
pub fn frame_ancestors(embed_origins: &[String]) -> String {
    let origins: Vec<String> = embed_origins
        .iter()
        .filter_map(|origin| crate::orgs::normalise_origin(origin).ok())
        .collect();
    if origins.is_empty() {
        "frame-ancestors 'self'".to_owned()
    } else {
        format!("frame-ancestors {}", origins.join(" "))
    }
}

/// The policy of every page: only the server's own files and the page's nonced inline
/// elements run, the WASM may compile, and requests go to this server only. Nothing may
/// be framed, posted elsewhere or used as a base URL; who may frame the page is the
/// organisation's choice.
pub fn page_policy(nonce: &str, embed_origins: &[String]) -> String {
    // Under `cargo leptos watch` only, Leptos's reload script (inline, without our nonce)
    // runs and talks to its own WebSocket port.
    let (scripts, reload) = if std::env::var_os("LEPTOS_WATCH").is_some() {
        (
            "'unsafe-inline'".to_owned(),
            " ws://127.0.0.1:* ws://localhost:*",
        )
    } else {
        (format!("'nonce-{nonce}'"), "")
    };
    format!(
        "default-src 'none'; script-src 'self' {scripts} 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self'; font-src 'self'; \
         connect-src 'self'{reload}; manifest-src 'self'; base-uri 'none'; \
         form-action 'self'; object-src 'none'; {}",
        frame_ancestors(embed_origins)
    )
}

/// Puts the page's branding and nonce in the request for the renderer, and adds the
/// script and framing policy to HTML responses. API and asset requests pass straight
/// through.
pub async fn page_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let is_page = !path.starts_with("/api/")
        && !path.starts_with("/v1/")
        && !path.starts_with("/pkg/")
        && !path.starts_with("/branding/");
    if !is_page {
        return next.run(request).await;
    }
    let nonce = token::random_token();
    request
        .extensions_mut()
        .insert(app::csp::CspNonce(nonce.clone()));
    let (response, origins) = render_page(&state, &path, request, next).await;
    with_page_policy(response, &nonce, &origins)
}

/// Renders a page with what it needs to know of its organisation; also returns the
/// organisation's embedding origins.
async fn render_page(
    state: &AppState,
    path: &str,
    mut request: Request,
    next: Next,
) -> (Response, Vec<String>) {
    // A link page looks its link up: counted per client like the exchange, so that the
    // page cannot be used to test tokens faster than the exchange allows.
    // Only the GET is counted here: its POST is counted as an exchange.
    if path.starts_with("/session/") && request.method() == axum::http::Method::GET {
        let client = state.request_client_key(request.extensions(), request.headers());
        let counted = state
            .limits
            .link_pages_by_client
            .hit(state.store.as_ref(), &client, state.clock.now())
            .await;
        match counted {
            Ok(Err(secs)) => return (too_many_link_pages(secs), Vec::new()),
            Ok(Ok(())) => {}
            // The page itself needs the database too, and says so when it is down.
            Err(error) => tracing::warn!(%error, "link page limit not counted"),
        }
    }
    let found = organisation_of(state, path).await;
    let origins = found
        .as_ref()
        .map(|o| o.organisation.settings.embed_origins.clone())
        .unwrap_or_default();
    let locale = page_locale(&request, found.as_ref());
    request.extensions_mut().insert(PageLocale(locale));
    if let Some(owner) = found {
        let branded = branding(state, &owner.organisation, owner.return_url).await;
        request.extensions_mut().insert(branded);
    }
    (next.run(request).await, origins)
}

/// Adds the page policy to an HTML answer that has none of its own (the demo's vendor
/// page sets its own).
fn with_page_policy(mut response: Response, nonce: &str, origins: &[String]) -> Response {
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html
        && !response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        // Origins are parsed again and the nonce is base64, so this is valid header text.
        if let Ok(value) = HeaderValue::from_str(&page_policy(nonce, origins)) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
        // No portal page belongs in a search engine.
        response.headers_mut().insert(
            header::HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        );
    }
    response
}

/// The answer to a client that opened too many links in a minute: a short page that
/// says when to try again.
fn too_many_link_pages(retry_after_secs: u64) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Too many requests</title>\
         <h1>Too many portal links opened</h1>\
         <p>Too many portal links were opened from your network in the last minute. \
         Please try again in {retry_after_secs} seconds.</p>"
    );
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

#[cfg(test)]
mod tests {
    use super::{frame_ancestors, page_policy};

    #[test]
    fn pages_allow_their_own_files_and_nonce_only() {
        let policy = page_policy("abc123", &["https://a.example".into()]);
        for directive in [
            "default-src 'none'",
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'",
            "style-src 'self' 'nonce-abc123'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors https://a.example",
        ] {
            assert!(
                policy.split("; ").any(|d| d == directive),
                "{directive} missing from {policy}"
            );
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
    }

    #[test]
    fn only_self_when_no_origin_is_allowed() {
        assert_eq!(frame_ancestors(&[]), "frame-ancestors 'self'");
        assert_eq!(
            frame_ancestors(&["https://a.example".into(), "http://localhost:8080".into()]),
            "frame-ancestors https://a.example http://localhost:8080"
        );
    }

    #[test]
    fn a_stored_origin_that_does_not_parse_adds_nothing() {
        assert_eq!(
            frame_ancestors(&[
                "https://a.example; script-src *".into(),
                "*".into(),
                "https://*.example".into(),
                "https://b.example".into(),
            ]),
            "frame-ancestors https://b.example"
        );
        assert_eq!(
            frame_ancestors(&["'none'".into()]),
            "frame-ancestors 'self'"
        );
    }
}
