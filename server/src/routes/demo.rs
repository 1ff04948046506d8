//! `/demo/vendor`: a vendor's account page that embeds a demo customer's portal through
//! `embed.js`, as a vendor's own site would.

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::demo;
use crate::links::{self, LinkRequest};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/demo/vendor", get(vendor_page))
}

#[derive(Deserialize)]
struct VendorQuery {
    /// The demo customer's vendor id; the first demo customer when absent.
    customer: Option<String>,
    /// The tab the portal opens on.
    section: Option<String>,
    /// The portal's language, instead of the customer's.
    locale: Option<String>,
}

/// Escapes text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn vendor_page(State(state): State<AppState>, Query(query): Query<VendorQuery>) -> Response {
    let unavailable = |why: &str| {
        (
            StatusCode::NOT_FOUND,
            Html(format!(
                "<!DOCTYPE html><meta charset=utf-8><title>Demo vendor</title><p>{}</p>",
                escape(why)
            )),
        )
            .into_response()
    };
    let store = state.store.as_ref();
    let Ok(Some(organisation)) = store.get_organisation(&demo::demo_organisation_id()).await else {
        return unavailable("The demo is not set up: run `portico demo` first.");
    };
    let external = query.customer.as_deref().unwrap_or("cus_northwind");
    let Ok(Some(customer)) = store.find_customer(&organisation.id, external).await else {
        return unavailable("There is no such demo customer.");
    };
    let link = links::create_link(
        store,
        &state.config,
        &organisation,
        &customer.id,
        LinkRequest {
            // Only values a vendor could send are passed on.
            section: query
                .section
                .filter(|s| app::api::settings::SECTIONS.contains(&s.as_str())),
            locale: query
                .locale
                .filter(|l| app::api::session::LOCALES.contains(&l.as_str())),
            ..LinkRequest::default()
        },
        state.clock.now(),
    )
    .await;
    let Ok(link) = link else {
        return unavailable("A portal link could not be made.");
    };
    let base = state.config.public_base();
    let nonce = crate::token::random_token();
    // The link goes into a JavaScript string: JSON encoding escapes it for that, and
    // `<` is escaped so that it cannot end the script element.
    let url_js = serde_json::to_string(&link.url)
        .unwrap_or_default()
        .replace('<', "\\u003c");
    let page = Html(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{org} — Your account</title>
<style nonce="{nonce}">
  body {{ margin: 0; font-family: system-ui, sans-serif; background: #eef1f5; color: #1f2933; }}
  header {{ background: #1f2933; color: #fff; padding: 1rem clamp(1rem, 4vw, 2rem); display: flex; justify-content: space-between; }}
  main {{ max-width: 64rem; margin: 0 auto; padding: 1.5rem clamp(0.5rem, 3vw, 1.5rem); }}
  h1 {{ font-size: 1.5rem; }}
  #events {{ font: 0.8125rem ui-monospace, monospace; color: #52606d; }}
</style>
</head>
<body>
<header><strong>{org}</strong><span>Signed in as {customer}</span></header>
<main>
  <h1>Billing</h1>
  <div id="portal"></div>
  <h2>Events from the portal</h2>
  <ol id="events"></ol>
</main>
<script src="{base}/embed.js"></script>
<script nonce="{nonce}">
  Portico.mount(document.getElementById('portal'), {{
    url: {url_js},
    onEvent: function (event) {{
      var item = document.createElement('li');
      item.textContent = JSON.stringify(event);
      document.getElementById('events').appendChild(item);
    }},
  }});
</script>
</body>
</html>"#,
        org = escape(&organisation.name),
        customer = escape(&customer.name),
        base = escape(base),
    ));
    // A page of its own policy: its nonced inline parts, the portal's embed script, and
    // the portal in a frame.
    let origin = url::Url::parse(base)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}' {origin}; style-src 'nonce-{nonce}'; \
         frame-src {origin}; base-uri 'none'; object-src 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    );
    let mut response = page.into_response();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}
