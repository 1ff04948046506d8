//! `/demo/vendor`: a vendor's account page that embeds a demo customer's portal through
//! `embed.js`, as a vendor's own site would, and shows the webhooks the demo's endpoint
//! received: `/demo/webhooks` is that endpoint, a receiver that checks signatures as a
//! vendor's backend would.

use app::csp::escape_html;
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
    Router::new()
        .route("/demo/vendor", get(vendor_page))
        .route("/demo/pay", get(pay_page))
        .route("/demo/webhooks", axum::routing::post(receive_webhook))
        .route("/demo/webhooks.json", get(received_webhooks))
}

/// The address the demo's endpoint posts to: this server's own, on loopback when it
/// listens on every interface.
pub fn receiver_addr(local: std::net::SocketAddr) -> std::net::SocketAddr {
    let mut addr = local;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    addr
}

fn receiver_url(state: &AppState) -> String {
    format!("http://{}/demo/webhooks", receiver_addr(state.local_addr))
}

/// The demo organisation's endpoint for this server, made when missing (or when the
/// server now listens elsewhere).
async fn demo_endpoint(
    state: &AppState,
    organisation_id: &str,
) -> Result<crate::store::WebhookEndpoint, crate::error::ApiError> {
    let url = receiver_url(state);
    let existing = state.store.list_webhook_endpoints(organisation_id).await?;
    if let Some(found) = existing.into_iter().find(|e| e.url == url) {
        return Ok(found);
    }
    crate::routes::webhooks::new_endpoint(
        state.store.as_ref(),
        &state.webhooks.allowed,
        organisation_id,
        crate::routes::webhooks::EndpointInput {
            url,
            events: vec!["*".to_owned()],
            description: Some("The demo vendor's backend".to_owned()),
        },
        state.clock.now(),
    )
    .await
}

/// `POST /demo/webhooks`: accepts a delivery whose signature verifies with one of the
/// endpoint's secrets and is at most five minutes old; refuses anything else with 400.
async fn receive_webhook(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: bytes::Bytes,
) -> StatusCode {
    let Ok(Some(endpoint)) = state
        .store
        .list_webhook_endpoints(&demo::demo_organisation_id())
        .await
        .map(|all| all.into_iter().find(|e| e.url == receiver_url(&state)))
    else {
        return StatusCode::NOT_FOUND;
    };
    let header = headers
        .get("portico-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = state.clock.now();
    let verified = endpoint
        .signing_secrets(now)
        .iter()
        .any(|secret| crate::webhooks::verify(secret, header, &body, now.timestamp(), 300));
    if verified {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// `GET /demo/webhooks.json`: the demo endpoint's latest deliveries, for the page.
async fn received_webhooks(State(state): State<AppState>) -> Response {
    let org = demo::demo_organisation_id();
    let Ok(endpoint) = demo_endpoint(&state, &org).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state
        .store
        .list_webhook_deliveries(&org, &endpoint.id, None, 10)
        .await
    {
        Ok(deliveries) => axum::Json(serde_json::json!({
            "endpoint": endpoint.url,
            "data": deliveries,
        }))
        .into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

#[derive(Deserialize)]
struct PayQuery {
    /// The invoice's number, for one invoice's page.
    invoice: Option<String>,
    /// The customer's vendor id, for the page that pays everything overdue.
    balance: Option<String>,
    /// The customer's vendor id, for the page that adds a payment method.
    setup: Option<String>,
}

/// `GET /demo/pay`: where the demo's invoices send the customer to pay, standing in for
/// the payment provider's hosted page that a vendor would name.
async fn pay_page(Query(query): Query<PayQuery>) -> Html<String> {
    let what = match (&query.invoice, &query.balance, &query.setup) {
        (Some(number), _, _) => format!("Pay invoice {}", escape_html(number)),
        (None, Some(_), _) => "Pay everything overdue".to_owned(),
        (None, None, Some(_)) => "Add a payment method".to_owned(),
        (None, None, None) => "Pay your invoices".to_owned(),
    };
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <title>{what} — Acme Cloud (demo)</title>\
         <main><h1>{what}</h1>\
         <p>In a real deployment this is the vendor's payment provider's page, where the \
         customer enters a card and passes its checks. The demo takes no payment.</p></main>"
    ))
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

async fn vendor_page(State(state): State<AppState>, Query(query): Query<VendorQuery>) -> Response {
    let unavailable = |why: &str| {
        (
            StatusCode::NOT_FOUND,
            Html(format!(
                "<!DOCTYPE html><meta charset=utf-8><title>Demo vendor</title><p>{}</p>",
                escape_html(why)
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
    // Made before the link, so that the link's own event is the first delivery shown.
    let Ok(endpoint) = demo_endpoint(&state, &organisation.id).await else {
        return unavailable("The demo's webhook endpoint could not be made.");
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
  #events {{ font: 0.8125rem ui-monospace, monospace; color: #52606d; overflow-wrap: anywhere; }}
  .scroll {{ overflow-x: auto; }}
  table {{ border-collapse: collapse; width: 100%; font-size: 0.875rem; background: #fff; }}
  th, td {{ text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #d9e2ec; white-space: nowrap; }}
  code {{ overflow-wrap: anywhere; }}
  .delivered {{ color: #0b6e4f; }} .pending {{ color: #8d5a00; }} .failed {{ color: #b42318; }}
</style>
</head>
<body>
<header><strong>{org}</strong><span>Signed in as {customer}</span></header>
<main>
  <h1>Billing</h1>
  <div id="portal"></div>
  <h2>Events from the portal</h2>
  <ol id="events"></ol>
  <h2>Webhooks your backend received</h2>
  <p>Posted to <code>{receiver}</code>, signed; the receiver checks each signature.</p>
  <div class="scroll"><table>
    <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Answer</th><th scope="col">Queued</th></tr></thead>
    <tbody id="deliveries"><tr><td colspan="5">None yet.</td></tr></tbody>
  </table></div>
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
  function showDeliveries() {{
    fetch('/demo/webhooks.json').then(function (r) {{ return r.json(); }}).then(function (page) {{
      var body = document.getElementById('deliveries');
      if (!page.data.length) return;
      body.textContent = '';
      page.data.forEach(function (d) {{
        var row = document.createElement('tr');
        [d.event_type, d.status, String(d.attempts), d.last_status_code ? String(d.last_status_code) : (d.last_error || ''),
         new Date(d.created_at).toLocaleTimeString()].forEach(function (text, i) {{
          var cell = document.createElement('td');
          cell.textContent = text;
          if (i === 1) cell.className = d.status;
          row.appendChild(cell);
        }});
        body.appendChild(row);
      }});
    }}).catch(function () {{}});
  }}
  showDeliveries();
  setInterval(showDeliveries, 2000);
</script>
</body>
</html>"#,
        org = escape_html(&organisation.name),
        customer = escape_html(&customer.name),
        receiver = escape_html(&endpoint.url),
        base = escape_html(base),
    ));
    // A page of its own policy: its nonced inline parts, the portal's embed script, and
    // the portal in a frame.
    let origin = url::Url::parse(base)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}' {origin}; style-src 'nonce-{nonce}'; \
         frame-src {origin}; connect-src 'self'; base-uri 'none'; object-src 'none'; form-action 'none'; \
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
