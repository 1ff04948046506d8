//! The edges a security review finds: the page script policy, the demo's pages, client
//! addresses behind proxies, failed and scoped API keys, revoked keys' links, and the
//! limits of imports and link pages.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use server::clock::Clock;
use server::store::KeyScope;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    assert_retry_within_a_minute, spawn_app, spawn_app_with, TestApp, TestStore, Vendor,
};
use crate::on_both_backends;

on_both_backends!(
    pages_allow_only_their_own_nonced_inline_code,
    demo_pages_exist_only_on_a_demo_server,
    forwarded_for_is_believed_only_as_far_as_the_trusted_proxies,
    failed_api_keys_are_limited_per_client,
    key_scopes_narrow_what_a_key_may_do,
    revoking_a_key_ends_the_links_and_sessions_it_made,
    an_import_stops_at_its_size_limit_keeping_what_it_wrote,
    an_import_that_stalls_stops_at_its_time_limit,
    link_pages_are_rate_limited_per_client,
);

/// The value of `name="…"` in the first tag of `html` that starts with `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let head = tag.split('>').next()?;
    head.split(&format!(" {name}=\"")).nth(1)?.split('"').next()
}

async fn pages_allow_only_their_own_nonced_inline_code(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let mut nonces = Vec::new();
    for path in [
        "/".to_owned(),
        format!("/portal/{}/invoices", vendor.organisation),
        "/session/not-a-link".to_owned(),
        "/no/such/page".to_owned(),
    ] {
        let (policy, html) = app.page(&path).await;
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
            .to_owned();
        for directive in [
            "default-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "connect-src 'self'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        // Every inline script and style of the page carries the nonce; data blocks
        // (JSON) are not scripts and need none.
        let mut inline = 0;
        for tag in html
            .split("<script")
            .skip(1)
            .chain(html.split("<style").skip(1))
        {
            let is_data = attribute(tag, "type") == Some("application/json");
            if attribute(tag, "src").is_some() || is_data {
                continue;
            }
            inline += 1;
            assert_eq!(
                attribute(tag, "nonce"),
                Some(nonce.as_str()),
                "{path}: {tag}"
            );
        }
        assert!(inline >= 2, "{path}: the boot and hydration scripts");
        assert!(
            !html.contains(" style=\""),
            "{path}: inline style attribute"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "every page gets a nonce of its own");

    // No portal page belongs in a search engine.
    let response = app
        .get(&format!("/portal/{}/invoices", vendor.organisation))
        .await;
    assert_eq!(response.headers()["x-robots-tag"], "noindex, nofollow");
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<meta name="robots" content="noindex, nofollow">"#));
}

async fn demo_pages_exist_only_on_a_demo_server(db: TestStore) {
    let app = spawn_app(db).await;
    app.seed_demo().await;
    // The demo's records are there, but nobody can mint a link for them over the web.
    for query in ["", "?customer=cus_northwind"] {
        let response = app.get(&format!("/demo/vendor{query}")).await;
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(!html.contains("Portico.mount"), "{html}");
    }
}

/// An exchange as a client behind proxies sends it.
async fn exchange_via(app: &TestApp, forwarded_for: &str, token: &str) -> u16 {
    app.client
        .post(format!("{}/api/v1/session/exchange", app.base))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn forwarded_for_is_believed_only_as_far_as_the_trusted_proxies(db: TestStore) {
    let app = spawn_app_with(
        db,
        &[
            ("PORTICO_TRUSTED_PROXIES", "1"),
            ("PORTICO_EXCHANGE_LIMIT_PER_MINUTE", "3"),
        ],
    )
    .await;
    // The client rotates what it writes; the proxy appends the address it really saw.
    for i in 0..3 {
        let header = format!("10.9.9.{i}, 198.51.100.7");
        assert_eq!(exchange_via(&app, &header, &format!("t{i}")).await, 401);
    }
    assert_eq!(
        exchange_via(&app, "10.9.9.200, 198.51.100.7", "t-next").await,
        429
    );
    // Another client behind the same proxy has its own allowance.
    assert_eq!(exchange_via(&app, "198.51.100.8", "t-other").await, 401);
    // Addresses of one IPv6 network count as one client.
    for i in 0..3 {
        let header = format!("2001:db8:1:2::{i}");
        assert_eq!(exchange_via(&app, &header, &format!("v{i}")).await, 401);
    }
    assert_eq!(exchange_via(&app, "2001:db8:1:2::ff", "v-next").await, 429);

    // Without trusted proxies the header means nothing: every request is the peer's.
    let direct = spawn_app_with(
        crate::helpers::sqlite_store().await,
        &[("PORTICO_EXCHANGE_LIMIT_PER_MINUTE", "3")],
    )
    .await;
    for i in 0..3 {
        let header = format!("198.51.100.{i}");
        assert_eq!(exchange_via(&direct, &header, &format!("d{i}")).await, 401);
    }
    assert_eq!(exchange_via(&direct, "198.51.100.99", "d-next").await, 429);
}

/// A vendor call with the given key, from the client the proxy names.
async fn call_as(
    app: &TestApp,
    vendor: &Vendor,
    key: &str,
    client: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header("organisation", &vendor.organisation)
        .header("X-API-KEY", key)
        .header("X-Forwarded-For", client);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn failed_api_keys_are_limited_per_client(db: TestStore) {
    let app = spawn_app_with(db, &[("PORTICO_TRUSTED_PROXIES", "1")]).await;
    let vendor = app.vendor("Vendor").await;
    let get = |key: &'static str, client: &'static str| {
        let (app, vendor) = (&app, &vendor);
        async move {
            let key = if key == "right" {
                vendor.key.as_str()
            } else {
                key
            };
            call_as(
                app,
                vendor,
                key,
                client,
                Method::GET,
                "/v1/customers/cus_1",
                None,
            )
            .await
        }
    };
    for _ in 0..server::state::KEY_FAILURES_PER_MINUTE {
        assert_eq!(get("ptc_guess", "203.0.113.5").await.status(), 401);
    }
    // Past the limit, even the right key is not checked from that client.
    let refused = get("right", "203.0.113.5").await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Other clients are unaffected, and successes never count.
    for _ in 0..30 {
        assert_eq!(get("right", "203.0.113.6").await.status(), 200);
    }
    app.clock.advance(Duration::seconds(60));
    assert_eq!(get("right", "203.0.113.5").await.status(), 200);
}

/// A second key of the vendor's organisation, with a scope.
async fn key_with_scope(app: &TestApp, vendor: &Vendor, scope: KeyScope) -> String {
    server::orgs::issue_api_key(
        app.store(),
        &vendor.organisation,
        scope.as_str(),
        scope,
        app.clock.now(),
    )
    .await
    .unwrap()
}

async fn key_scopes_narrow_what_a_key_may_do(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let read = key_with_scope(&app, &vendor, KeyScope::Read).await;
    let links = key_with_scope(&app, &vendor, KeyScope::Links).await;
    let customer = json!({"name": "Changed"});
    let link = json!({"customer_id": "cus_1"});
    let cases: Vec<(&str, Method, &str, Option<Value>, u16)> = vec![
        (read.as_str(), Method::GET, "/v1/customers/cus_1", None, 200),
        (read.as_str(), Method::GET, "/v1/settings", None, 200),
        (read.as_str(), Method::GET, "/v1/events", None, 200),
        (
            read.as_str(),
            Method::PUT,
            "/v1/customers/cus_1",
            Some(customer.clone()),
            403,
        ),
        (
            read.as_str(),
            Method::PATCH,
            "/v1/settings",
            Some(json!({"name": "X"})),
            403,
        ),
        (
            read.as_str(),
            Method::POST,
            "/v1/portal_sessions",
            Some(link.clone()),
            403,
        ),
        (
            links.as_str(),
            Method::POST,
            "/v1/portal_sessions",
            Some(link.clone()),
            201,
        ),
        (
            links.as_str(),
            Method::POST,
            "/customer/session",
            Some(json!({"customer_id": "cus_1", "return_url": "https://vendor.example/"})),
            200,
        ),
        (
            links.as_str(),
            Method::GET,
            "/v1/customers/cus_1",
            None,
            403,
        ),
        (
            links.as_str(),
            Method::GET,
            "/v1/customers/cus_1/portal_sessions",
            None,
            403,
        ),
        (
            links.as_str(),
            Method::PUT,
            "/v1/customers/cus_1",
            Some(customer.clone()),
            403,
        ),
        (links.as_str(), Method::GET, "/v1/settings", None, 403),
        (
            vendor.key.as_str(),
            Method::PUT,
            "/v1/customers/cus_1",
            Some(customer),
            200,
        ),
    ];
    for (key, method, path, body, expected) in cases {
        let response = call_as(&app, &vendor, key, "-", method.clone(), path, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(
            status,
            expected,
            "{} key: {method} {path}: {text}",
            &key[..12]
        );
        if expected == 403 {
            let body: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(body["error"]["code"], "insufficient_scope", "{text}");
        }
    }
    // The read key's refused PUT changed nothing.
    let response = app
        .vendor_send(Method::GET, "/v1/customers/cus_1", &vendor)
        .await;
    let record: Value = response.json().await.unwrap();
    assert_eq!(record["name"], "Changed");
}

async fn revoking_a_key_ends_the_links_and_sessions_it_made(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let web_tier = key_with_scope(&app, &vendor, KeyScope::Links).await;
    let make_link = |key: String| {
        let (app, vendor) = (&app, &vendor);
        async move {
            let response = call_as(
                app,
                vendor,
                &key,
                "-",
                Method::POST,
                "/v1/portal_sessions",
                Some(json!({"customer_id": "cus_1"})),
            )
            .await;
            assert_eq!(response.status(), 201);
            let created: Value = response.json().await.unwrap();
            TestApp::token_of(created["url"].as_str().unwrap())
        }
    };
    let opened = make_link(web_tier.clone()).await;
    let waiting = make_link(web_tier.clone()).await;
    let other_opened = make_link(vendor.key.clone()).await;
    let other_waiting = make_link(vendor.key.clone()).await;
    let session = |token: String| {
        let app = &app;
        async move {
            let exchanged: Value = app.exchange(&token).await.json().await.unwrap();
            exchanged["session_token"].as_str().unwrap().to_owned()
        }
    };
    let session_of_revoked = session(opened).await;
    let session_of_other = session(other_opened).await;
    assert_eq!(
        app.portal_get("/api/v1/portal/session", &session_of_revoked)
            .await
            .status(),
        200
    );

    let revoked = app
        .store()
        .revoke_api_keys(&vendor.organisation, &web_tier[..12], app.clock.now())
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    // The key no longer works, its session has ended and its unopened link is dead.
    let response = call_as(
        &app,
        &vendor,
        &web_tier,
        "-",
        Method::POST,
        "/v1/portal_sessions",
        Some(json!({"customer_id": "cus_1"})),
    )
    .await;
    assert_eq!(response.status(), 401);
    let response = app
        .portal_get("/api/v1/portal/session", &session_of_revoked)
        .await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "session_expired");
    let body: Value = app.exchange(&waiting).await.json().await.unwrap();
    assert_eq!(body["error"]["code"], "link_revoked");
    // What the other key made is untouched.
    assert_eq!(
        app.portal_get("/api/v1/portal/session", &session_of_other)
            .await
            .status(),
        200
    );
    assert_eq!(app.exchange(&other_waiting).await.status(), 200);
}

async fn import(app: &TestApp, vendor: &Vendor, body: String) -> reqwest::Response {
    app.vendor_request(Method::POST, "/v1/import", vendor)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn customer_line(i: usize) -> String {
    format!(
        "{}\n",
        json!({"type": "customer", "id": format!("imp_{i}"),
               "data": {"name": format!("Imported customer number {i} with a long name")}})
    )
}

async fn an_import_stops_at_its_size_limit_keeping_what_it_wrote(db: TestStore) {
    let app = spawn_app_with(db, &[("PORTICO_IMPORT_MAX_BYTES", "2048")]).await;
    let vendor = app.vendor("Vendor").await;
    let small: String = (0..5).map(customer_line).collect();
    let response = import(&app, &vendor, small).await;
    assert_eq!(response.status(), 200);

    let large: String = (0..200).map(customer_line).collect();
    let response = import(&app, &vendor, large).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "import_too_large");
    let message = body["error"]["message"].as_str().unwrap();
    let prefix = "The import is larger than 2048 bytes. Lines processed: ";
    assert!(message.starts_with(prefix), "{message}");
    // The lines it names as processed are there, and the next one is not.
    let processed: usize = message
        .trim_start_matches(prefix)
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(processed > 0 && processed < 200, "{message}");
    for i in [0, processed - 1] {
        let response = app
            .vendor_send(Method::GET, &format!("/v1/customers/imp_{i}"), &vendor)
            .await;
        assert_eq!(response.status(), 200, "imp_{i}");
    }
    assert!(
        message.contains(&format!("from line {}", processed + 1)),
        "{message}"
    );
    let route = format!("/v1/customers/imp_{processed}");
    let response = app.vendor_send(Method::GET, &route, &vendor).await;
    assert_eq!(response.status(), 404);
}

async fn an_import_that_stalls_stops_at_its_time_limit(db: TestStore) {
    let app = spawn_app_with(db, &[("PORTICO_IMPORT_MAX_SECS", "1")]).await;
    let vendor = app.vendor("Vendor").await;
    // A body sent by hand, chunk by chunk, that stops sending after its first line.
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let line = customer_line(1);
    let request = format!(
        "POST /v1/import HTTP/1.1\r\nHost: {address}\r\norganisation: {}\r\n\
         X-API-KEY: {}\r\nContent-Type: application/x-ndjson\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{line}\r\n",
        vendor.organisation,
        vendor.key,
        line.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the server kept waiting for the body");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"import_timeout\""), "{answer}");
    assert!(
        answer.contains("Lines processed: 1 (1 accepted"),
        "{answer}"
    );
    let response = app
        .vendor_send(Method::GET, "/v1/customers/imp_1", &vendor)
        .await;
    assert_eq!(response.status(), 200);
}

async fn link_pages_are_rate_limited_per_client(db: TestStore) {
    let app = spawn_app_with(db, &[("PORTICO_EXCHANGE_LIMIT_PER_MINUTE", "3")]).await;
    for i in 0..3 {
        let response = app.get(&format!("/session/guess-{i}")).await;
        assert_eq!(response.status(), 200, "guess {i}");
    }
    let response = app.get("/session/guess-3").await;
    assert_eq!(response.status(), 429);
    assert_retry_within_a_minute(response.headers());
    assert!(response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    // Other pages are not counted.
    assert_eq!(app.get("/").await.status(), 200);
    app.clock.advance(Duration::seconds(60));
    assert_eq!(app.get("/session/guess-4").await.status(), 200);
}
