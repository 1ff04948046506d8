//! Webhooks as a vendor's backend meets them: endpoints made through the API, events
//! posted to a real HTTP receiver started here, signed, retried on the test clock, never
//! lost to a SIGKILL, and sent once by two instances on one PostgreSQL.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use chrono::Duration as Span;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{postgres_store, postgres_store_at, spawn_app_with, TestApp, TestStore};

crate::on_both_backends!(
    endpoints_are_managed_and_checked,
    deliveries_are_signed_and_logged,
    a_failing_receiver_is_retried_at_growing_intervals,
    local_urls_are_refused_unless_allowed,
    a_delivery_is_retried_by_hand,
    an_endpoint_failing_for_three_days_is_turned_off,
    sessions_and_downloads_are_events,
    a_killed_server_delivers_after_restart,
    the_demo_vendor_page_shows_what_its_endpoint_received,
);

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).unwrap().to_str().unwrap()
    }

    /// The `t=` of the signature: the server's clock at the attempt.
    fn signed_at(&self) -> i64 {
        let header = self.header("portico-signature");
        header
            .split(',')
            .find_map(|p| p.strip_prefix("t="))
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// What the receiver answers: these statuses in turn, then 200 (0 means no answer at
/// all until the test ends).
#[derive(Default)]
struct Script {
    answers: Vec<u16>,
    received: Vec<Received>,
}

/// A vendor's webhook receiver on a random port.
#[derive(Clone)]
struct Receiver {
    url: String,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> Self {
        Self::start_on(0, answers).await
    }

    async fn start_on(port: u16, answers: &[u16]) -> Self {
        let script = Arc::new(Mutex::new(Script {
            answers: answers.to_vec(),
            received: Vec::new(),
        }));
        let shared = script.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: bytes::Bytes| {
                let script = shared.clone();
                async move {
                    let answer = {
                        let mut script = script.lock().unwrap();
                        script.received.push(Received {
                            headers,
                            body: body.to_vec(),
                        });
                        if script.answers.is_empty() {
                            200
                        } else {
                            script.answers.remove(0)
                        }
                    };
                    if answer == 0 {
                        std::future::pending::<()>().await;
                    }
                    StatusCode::from_u16(answer).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, script }
    }

    fn received(&self) -> Vec<Received> {
        self.script.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` requests came, for at most 10 s.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{} of {n} requests arrived",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn of_type(&self, kind: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.json()["type"] == kind)
            .collect()
    }
}

const LOCAL: [(&str, &str); 1] = [("PORTICO_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")];

/// An endpoint of `vendor` posting `events` to `url`: its JSON, secret included.
async fn endpoint(
    app: &TestApp,
    vendor: &crate::helpers::Vendor,
    url: &str,
    events: Value,
) -> Value {
    let response = app
        .post_json(
            "/v1/webhook_endpoints",
            &json!({"url": url, "events": events}),
            vendor,
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// A portal link for one of the vendor's customers: one `portal_session.created` event.
async fn make_link(app: &TestApp, vendor: &crate::helpers::Vendor, customer: &str) {
    let response = app
        .post_json(
            "/v1/portal_sessions",
            &json!({ "customer_id": customer }),
            vendor,
        )
        .await;
    assert_eq!(response.status(), 201);
}

async fn get(app: &TestApp, vendor: &crate::helpers::Vendor, path: &str) -> (u16, Value) {
    let response = app.vendor_send(Method::GET, path, vendor).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The field a 422 names first.
async fn refused_field(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    body["error"]["fields"][0]["field"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Checks a signature as the README tells vendors to, with an HMAC of our own.
fn verifies(secret: &str, received: &Received) -> bool {
    let header = received.header("portico-signature");
    let t = received.signed_at();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&received.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    header
        .split(',')
        .filter_map(|p| p.strip_prefix("v1="))
        .any(|v| v == expected)
}

async fn endpoints_are_managed_and_checked(store: TestStore) {
    let app = spawn_app_with(store, &[]).await;
    let vendor = app.vendor("Hooks Ltd").await;
    let other = app.vendor("Other Ltd").await;
    let post = |body: Value| {
        let app = &app;
        let vendor = &vendor;
        async move { app.post_json("/v1/webhook_endpoints", &body, vendor).await }
    };
    for (body, field) in [
        (
            json!({"url": "http://hooks.vendor.example/x", "events": ["*"]}),
            "url",
        ),
        (json!({"url": "https://10.0.0.8/x", "events": ["*"]}), "url"),
        (
            json!({"url": "https://localhost/x", "events": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": []}),
            "events",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": ["invoice.paid"]}),
            "events[0]",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": ["customer.updated", "customer.updated"]}),
            "events[1]",
        ),
        (
            json!({"url": "https://[2606:4700::1111]/x", "events": ["*"]}),
            "url",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": ["*"], "description": "a\u{7}b"}),
            "description",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": ["*", "customer.updated"]}),
            "events",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": ["*"], "description": "a".repeat(201)}),
            "description",
        ),
        (
            json!({"url": "https://hooks.vendor.example/x", "events": ["*"], "secret": "mine"}),
            "secret",
        ),
    ] {
        assert_eq!(
            refused_field(post(body.clone()).await).await,
            field,
            "{body}"
        );
    }

    let created = endpoint(
        &app,
        &vendor,
        "https://hooks.vendor.example/portico",
        json!(["customer.updated", "portal_session.ended"]),
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    assert_eq!(
        created["events"],
        json!(["customer.updated", "portal_session.ended"])
    );
    assert_eq!(created["enabled"], true);

    // The secret is shown once: never in a list or a read.
    let (status, listed) = get(&app, &vendor, "/v1/webhook_endpoints").await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(&secret));
    let (_, one) = get(&app, &vendor, &format!("/v1/webhook_endpoints/{id}")).await;
    assert_eq!(one["url"], "https://hooks.vendor.example/portico");
    assert!(one.get("secret").is_none());

    // Another organisation sees nothing of it.
    for (method, path) in [
        (Method::GET, format!("/v1/webhook_endpoints/{id}")),
        (Method::PATCH, format!("/v1/webhook_endpoints/{id}")),
        (Method::DELETE, format!("/v1/webhook_endpoints/{id}")),
        (
            Method::POST,
            format!("/v1/webhook_endpoints/{id}/rotate_secret"),
        ),
        (
            Method::GET,
            format!("/v1/webhook_endpoints/{id}/deliveries"),
        ),
    ] {
        let response = app
            .vendor_request(method.clone(), &path, &other)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
    }
    let (_, theirs) = get(&app, &other, "/v1/webhook_endpoints").await;
    assert_eq!(theirs["data"], json!([]));

    let patched = app
        .vendor_request(
            Method::PATCH,
            &format!("/v1/webhook_endpoints/{id}"),
            &vendor,
        )
        .json(&json!({"events": ["*"], "enabled": false, "description": "Billing sync"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["events"], json!(["*"]));
    assert_eq!(patched["enabled"], false);
    assert_eq!(patched["description"], "Billing sync");
    let bad = app
        .vendor_request(
            Method::PATCH,
            &format!("/v1/webhook_endpoints/{id}"),
            &vendor,
        )
        .json(&json!({"url": "https://169.254.169.254/latest"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused_field(bad).await, "url");

    let route = format!("/v1/webhook_endpoints/{id}/rotate_secret");
    let rotated = app.vendor_send(Method::POST, &route, &vendor).await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    assert_ne!(rotated["secret"], secret);
    let overlap_ends =
        (app_now(&app) + Span::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    assert_eq!(
        rotated["previous_secret_expires_at"].as_str().unwrap()[..19],
        overlap_ends[..19]
    );

    let route = format!("/v1/webhook_endpoints/{id}");
    let deleted = app.vendor_send(Method::DELETE, &route, &vendor).await;
    assert_eq!(deleted.status(), 204);
    let (status, _) = get(&app, &vendor, &format!("/v1/webhook_endpoints/{id}")).await;
    assert_eq!(status, 404);

    // At most 16 endpoints.
    for n in 0..16 {
        endpoint(
            &app,
            &vendor,
            &format!("https://hooks.vendor.example/{n}"),
            json!(["*"]),
        )
        .await;
    }
    let seventeenth =
        post(json!({"url": "https://hooks.vendor.example/17", "events": ["*"]})).await;
    assert_eq!(seventeenth.status(), 409);
}

fn app_now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    use server::clock::Clock;
    app.clock.now()
}

async fn deliveries_are_signed_and_logged(store: TestStore) {
    let app = spawn_app_with(store, &LOCAL).await;
    let vendor = app.vendor("Hooks Ltd").await;
    let receiver = Receiver::start(&[]).await;
    let created = endpoint(&app, &vendor, &receiver.url, json!(["*"])).await;
    let secret = created["secret"].as_str().unwrap();

    // A link made and opened: two events, delivered in order.
    app.open_session(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    let received = receiver.wait_for(2).await;
    let types: Vec<Value> = received.iter().map(|r| r.json()["type"].clone()).collect();
    assert_eq!(types, ["portal_session.created", "portal_session.opened"]);
    for r in &received {
        assert!(verifies(secret, r), "the signature verifies");
        assert!(!verifies("whsec_wrong", r));
        let body = r.json();
        assert_eq!(r.header("portico-event-id"), body["id"]);
        assert_eq!(r.header("portico-event-type"), body["type"]);
        assert_eq!(r.header("portico-delivery-attempt"), "1");
        assert_eq!(r.header("content-type"), "application/json");
        assert_eq!(body["organisation"], vendor.organisation);
        assert_eq!(body["customer"]["external_id"], "cus_1");
        assert_eq!(body["customer"]["id"], vendor.customers[0]);
        assert_eq!(body["data"]["customer_id"], vendor.customers[0]);
        assert!(body["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-06-01T"));
        assert_eq!(r.signed_at(), app_now(&app).timestamp());
    }
    // The same event in the vendor's log.
    let (_, events) = get(&app, &vendor, "/v1/events").await;
    assert_eq!(events["data"][0]["id"], received[0].json()["id"]);

    let (status, log) = get(
        &app,
        &vendor,
        &format!(
            "/v1/webhook_endpoints/{}/deliveries",
            created["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, 200);
    let log = log["data"].as_array().unwrap();
    assert_eq!(log.len(), 2);
    // Newest first.
    assert_eq!(log[0]["event_type"], "portal_session.opened");
    for d in log {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_status_code"], 200);
        assert!(d["last_latency_ms"].as_i64().unwrap() >= 0);
        assert_eq!(d["next_attempt_at"], Value::Null);
    }

    // During a rotation, both secrets sign.
    let id = created["id"].as_str().unwrap();
    let rotated: Value = app
        .vendor_send(
            Method::POST,
            &format!("/v1/webhook_endpoints/{id}/rotate_secret"),
            &vendor,
        )
        .await
        .json()
        .await
        .unwrap();
    make_link(&app, &vendor, "cus_2").await;
    let third = receiver.wait_for(3).await[2].clone();
    assert!(verifies(secret, &third), "the old secret still signs");
    assert!(verifies(rotated["secret"].as_str().unwrap(), &third));
    assert_eq!(third.header("portico-signature").matches("v1=").count(), 2);
    // A day later, only the new one.
    app.clock.advance(Span::hours(24) + Span::seconds(1));
    make_link(&app, &vendor, "cus_2").await;
    let fourth = receiver.wait_for(4).await[3].clone();
    assert!(!verifies(secret, &fourth));
    assert!(verifies(rotated["secret"].as_str().unwrap(), &fourth));
}

/// Moves the test clock on in steps until the receiver has `n` requests.
async fn advance_until(app: &TestApp, receiver: &Receiver, n: usize, step: Span, max_steps: usize) {
    for _ in 0..max_steps {
        if receiver.received().len() >= n {
            return;
        }
        app.clock.advance(step);
        // Longer than the worker's idle poll.
        tokio::time::sleep(Duration::from_millis(350)).await;
    }
    assert!(
        receiver.received().len() >= n,
        "only {} requests",
        receiver.received().len()
    );
}

async fn a_failing_receiver_is_retried_at_growing_intervals(store: TestStore) {
    let app = spawn_app_with(store, &LOCAL).await;
    let vendor = app.vendor("Hooks Ltd").await;
    let receiver = Receiver::start(&[500, 500]).await;
    endpoint(
        &app,
        &vendor,
        &receiver.url,
        json!(["portal_session.created"]),
    )
    .await;
    make_link(&app, &vendor, "cus_1").await;
    receiver.wait_for(1).await;
    advance_until(&app, &receiver, 2, Span::seconds(5), 40).await;
    advance_until(&app, &receiver, 3, Span::seconds(5), 60).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = receiver.received();
    assert_eq!(
        received.len(),
        3,
        "two failures and a success, nothing more"
    );
    let ids: Vec<Value> = received.iter().map(|r| r.json()["id"].clone()).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one event id on every attempt"
    );
    let attempts: Vec<&str> = received
        .iter()
        .map(|r| r.header("portico-delivery-attempt"))
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);
    let first_gap = received[1].signed_at() - received[0].signed_at();
    let second_gap = received[2].signed_at() - received[1].signed_at();
    // About a minute, then about two (±25 %, in the test's 5 s steps).
    assert!(
        (45..=80).contains(&first_gap),
        "first retry after {first_gap} s"
    );
    assert!(
        (90..=155).contains(&second_gap),
        "second retry after {second_gap} s"
    );
    assert!(second_gap > first_gap);

    let (_, endpoints) = get(&app, &vendor, "/v1/webhook_endpoints").await;
    let id = endpoints["data"][0]["id"].as_str().unwrap();
    let (_, log) = get(
        &app,
        &vendor,
        &format!("/v1/webhook_endpoints/{id}/deliveries"),
    )
    .await;
    let d = &log["data"][0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["last_status_code"], 200);
    assert_eq!(d["last_error"], Value::Null);
    assert_eq!(endpoints["data"][0]["failing_since"], Value::Null);
}

async fn local_urls_are_refused_unless_allowed(store: TestStore) {
    let receiver = Receiver::start(&[]).await;
    let url_for_the_second = crate::helpers::sqlite_store().await;
    let strict = spawn_app_with(store, &[]).await;
    let vendor = strict.vendor("Hooks Ltd").await;
    for url in [
        receiver.url.clone(),
        receiver.url.replace("http:", "https:"),
        receiver.url.replace("127.0.0.1", "localhost"),
        receiver.url.replace("http://127.0.0.1", "https://[::1]"),
    ] {
        let response = strict
            .post_json(
                "/v1/webhook_endpoints",
                &json!({"url": url, "events": ["*"]}),
                &vendor,
            )
            .await;
        assert_eq!(refused_field(response).await, "url", "{url}");
    }
    let allowing = spawn_app_with(url_for_the_second, &LOCAL).await;
    let vendor = allowing.vendor("Hooks Ltd").await;
    endpoint(&allowing, &vendor, &receiver.url, json!(["*"])).await;
    make_link(&allowing, &vendor, "cus_1").await;
    receiver.wait_for(1).await;
}

async fn a_delivery_is_retried_by_hand(store: TestStore) {
    let token = "metrics-token-for-tests";
    let app = spawn_app_with(store, &[LOCAL[0], ("PORTICO_METRICS_TOKEN", token)]).await;
    let queue = |app: &TestApp| {
        let request = app
            .client
            .get(format!("{}/metrics", app.base))
            .bearer_auth(token);
        async move {
            let text = request.send().await.unwrap().text().await.unwrap();
            let value = |due: &str| -> f64 {
                let name = format!("portico_webhook_deliveries_pending{{due=\"{due}\"}} ");
                text.lines()
                    .find_map(|l| l.strip_prefix(&name))
                    .unwrap_or_else(|| panic!("no {name} in {text}"))
                    .parse()
                    .unwrap()
            };
            (value("now"), value("later"))
        }
    };
    assert_eq!(queue(&app).await, (0.0, 0.0));
    let vendor = app.vendor("Hooks Ltd").await;
    let other = app.vendor("Other Ltd").await;
    let receiver = Receiver::start(&[503]).await;
    let created = endpoint(&app, &vendor, &receiver.url, json!(["*"])).await;
    let id = created["id"].as_str().unwrap();
    make_link(&app, &vendor, "cus_1").await;
    receiver.wait_for(1).await;
    let log_path = format!("/v1/webhook_endpoints/{id}/deliveries");
    let delivery = wait_for_delivery(&app, &vendor, &log_path, |d| d["attempts"] == 1).await;
    assert_eq!(delivery["status"], "pending");
    assert_eq!(delivery["last_status_code"], 503);
    assert_eq!(delivery["last_error"], "HTTP 503");
    assert!(
        delivery["next_attempt_at"].as_str().unwrap()
            > delivery["last_attempt_at"].as_str().unwrap()
    );
    let delivery_id = delivery["id"].as_str().unwrap();
    assert_eq!(
        queue(&app).await,
        (0.0, 1.0),
        "one delivery waits for its retry"
    );

    let retry_path = format!("/v1/webhook_deliveries/{delivery_id}/retry");
    let theirs = app.vendor_send(Method::POST, &retry_path, &other).await;
    assert_eq!(theirs.status(), 404);
    let missing = app
        .vendor_send(Method::POST, "/v1/webhook_deliveries/nope/retry", &vendor)
        .await;
    assert_eq!(missing.status(), 404);
    // Sent again now, without waiting for the minute.
    let retried = app.vendor_send(Method::POST, &retry_path, &vendor).await;
    assert_eq!(retried.status(), 202);
    receiver.wait_for(2).await;
    let delivery =
        wait_for_delivery(&app, &vendor, &log_path, |d| d["status"] == "delivered").await;
    assert_eq!(delivery["attempts"], 2);
    assert_eq!(queue(&app).await, (0.0, 0.0));

    // Paging through the log.
    for _ in 0..3 {
        make_link(&app, &vendor, "cus_1").await;
    }
    receiver.wait_for(5).await;
    let (_, first) = get(&app, &vendor, &format!("{log_path}?limit=2")).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let before = first["next_before"].as_str().unwrap();
    let (_, second) = get(
        &app,
        &vendor,
        &format!("{log_path}?limit=2&before={before}"),
    )
    .await;
    assert_eq!(second["data"].as_array().unwrap().len(), 2);
    assert_eq!(second["next_before"], Value::Null);
    assert_eq!(second["data"][1]["id"], delivery_id);
    let (status, _) = get(&app, &vendor, &format!("{log_path}?limit=0")).await;
    assert_eq!(status, 422);
    // A cursor of 64 characters is within the document's limit even when each takes four
    // bytes; one more is refused by name.
    let wide = "%F0%9D%91%BB".repeat(64);
    let (status, page) = get(&app, &vendor, &format!("{log_path}?before={wide}")).await;
    assert_eq!(status, 200, "{page}");
    let (status, refused) = get(&app, &vendor, &format!("{log_path}?before={wide}x")).await;
    assert_eq!(status, 422);
    assert_eq!(refused["error"]["fields"][0]["field"], "before");
    // The event log's cursor is measured the same way.
    let (status, page) = get(&app, &vendor, &format!("/v1/events?after={wide}")).await;
    assert_eq!(status, 200, "{page}");
    let (status, refused) = get(&app, &vendor, &format!("/v1/events?after={wide}x")).await;
    assert_eq!(status, 422);
    assert_eq!(refused["error"]["fields"][0]["field"], "after");
}

/// The endpoint's newest delivery once `ready` holds for it (for at most 10 s).
async fn wait_for_delivery(
    app: &TestApp,
    vendor: &crate::helpers::Vendor,
    log_path: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let started = Instant::now();
    loop {
        let (_, log) = get(app, vendor, log_path).await;
        let newest = log["data"].as_array().and_then(|d| d.last()).cloned();
        if let Some(d) = newest.filter(|d| ready(d)) {
            return d;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn an_endpoint_failing_for_three_days_is_turned_off(store: TestStore) {
    let app = spawn_app_with(store, &LOCAL).await;
    let vendor = app.vendor("Hooks Ltd").await;
    let receiver = Receiver::start(&[500; 40]).await;
    // A second endpoint hears that the first was turned off.
    let watcher = Receiver::start(&[]).await;
    let failing = endpoint(
        &app,
        &vendor,
        &receiver.url,
        json!(["portal_session.created"]),
    )
    .await;
    endpoint(
        &app,
        &vendor,
        &watcher.url,
        json!(["webhook_endpoint.disabled"]),
    )
    .await;
    make_link(&app, &vendor, "cus_1").await;
    receiver.wait_for(1).await;
    let id = failing["id"].as_str().unwrap();
    let mut turned_off = Value::Null;
    for _ in 0..40 {
        let seen = receiver.received().len();
        app.clock.advance(Span::hours(13));
        let started = Instant::now();
        while receiver.received().len() == seen && started.elapsed() < Duration::from_secs(3) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (_, now) = get(&app, &vendor, &format!("/v1/webhook_endpoints/{id}")).await;
        if now["enabled"] == false {
            turned_off = now;
            break;
        }
    }
    assert_eq!(turned_off["disabled_reason"], "failing", "{turned_off}");
    assert!(turned_off["failing_since"].is_string());
    let attempts = receiver.received().len();
    // One attempt per 13-hour step, from the first to the one past three days.
    assert!(
        (6..=8).contains(&attempts),
        "{attempts} attempts in three days"
    );
    let (_, log) = get(
        &app,
        &vendor,
        &format!("/v1/webhook_endpoints/{id}/deliveries"),
    )
    .await;
    assert_eq!(log["data"][0]["status"], "failed");
    let notice = watcher.wait_for(1).await[0].json();
    assert_eq!(notice["type"], "webhook_endpoint.disabled");
    assert_eq!(notice["data"]["endpoint_id"], id);
    // Nothing more goes to it, until the vendor turns it on again.
    make_link(&app, &vendor, "cus_1").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.received().len(), attempts);
    let delivery = log["data"][0]["id"].as_str().unwrap();
    let route = format!("/v1/webhook_deliveries/{delivery}/retry");
    let refused = app.vendor_send(Method::POST, &route, &vendor).await;
    assert_eq!(refused.status(), 409);
    let enabled = app
        .vendor_request(
            Method::PATCH,
            &format!("/v1/webhook_endpoints/{id}"),
            &vendor,
        )
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    let enabled: Value = enabled.json().await.unwrap();
    assert_eq!(enabled["enabled"], true);
    assert_eq!(enabled["disabled_reason"], Value::Null);
    assert_eq!(enabled["failing_since"], Value::Null);
}

async fn sessions_and_downloads_are_events(store: TestStore) {
    let app = spawn_app_with(store, &[]).await;
    let vendor = app.vendor("Events Ltd").await;
    let kinds = |events: &Value| -> Vec<(String, String)> {
        events["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["kind"].as_str().unwrap().to_owned(),
                    e["payload"]["reason"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    };
    let token = app
        .open_session(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    let csv = app.portal_get("/api/v1/portal/invoices.csv", &token).await;
    assert_eq!(csv.status(), 200);
    let logout = app
        .client
        .post(format!("{}{}", app.base, app::api::routes::SESSION_LOGOUT))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_success(), "{}", logout.status());
    // Revoked: one link opened, one not yet.
    let opened = app
        .exchange_new_link(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    assert_eq!(opened.status(), 200);
    let (_, links) = get(&app, &vendor, "/v1/customers/cus_1/portal_sessions").await;
    for link in links["data"].as_array().unwrap() {
        let id = link["id"].as_str().unwrap();
        let route = format!("/v1/portal_sessions/{id}");
        let revoked = app.vendor_send(Method::DELETE, &route, &vendor).await;
        assert_eq!(revoked.status(), 204);
    }
    let unopened: Value = app
        .create_link(&json!({"customer_id": "cus_2"}), &vendor)
        .await;
    app.vendor_request(
        Method::DELETE,
        &format!("/v1/portal_sessions/{}", unopened["id"].as_str().unwrap()),
        &vendor,
    )
    .send()
    .await
    .unwrap();
    // Idle: found by the next request, or by the sweep.
    let idle = app
        .open_session(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    let swept = app
        .open_session(&vendor, json!({"customer_id": "cus_2"}))
        .await;
    app.clock.advance(Span::hours(2));
    let expired = app.portal_get("/api/v1/portal/session", &idle).await;
    assert_eq!(expired.status(), 401);
    // The worker sweeps too, every few seconds; whichever comes first ends it.
    let ended = app
        .store()
        .end_lapsed_sessions(app_now(&app), 100)
        .await
        .unwrap();
    assert!(ended <= 1, "only the other idle session was left");
    let again = app.portal_get("/api/v1/portal/session", &swept).await;
    assert_eq!(again.status(), 401);

    let (_, events) = get(&app, &vendor, "/v1/events?limit=100").await;
    let ended: Vec<String> = kinds(&events)
        .into_iter()
        .filter(|(k, _)| k == "portal_session.ended")
        .map(|(_, reason)| reason)
        .collect();
    assert_eq!(ended, ["logout", "revoked", "revoked", "idle", "idle"]);
    let all: Vec<String> = kinds(&events).into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        all.iter()
            .filter(|k| *k == "portal_session.created")
            .count(),
        5
    );
    assert_eq!(
        all.iter().filter(|k| *k == "portal_session.opened").count(),
        4
    );
    assert_eq!(all.iter().filter(|k| *k == "export.downloaded").count(), 1);
    let export = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "export.downloaded")
        .unwrap();
    assert_eq!(export["payload"]["export"], "invoices");
    assert_eq!(export["customer_id"], vendor.customers[0]);
}

async fn a_killed_server_delivers_after_restart(db: TestStore) {
    use crate::cli::serve_with;
    use crate::running::Target;
    let (organisation, key) = Target::new_organisation(&db.url, "Crash Hooks Ltd");
    let settings = [
        ("PORTICO_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
        ("PORTICO_WEBHOOK_TIMEOUT_SECS", "1"),
    ];
    let binary = env!("CARGO_BIN_EXE_portico");
    let (mut child, port) = serve_with(binary, &db.url, "5", &settings);
    let target = Target::at(port, &organisation, &key);
    // The receiver takes the first attempt and never answers it.
    let receiver = Receiver::start(&[0]).await;
    target
        .json(target.vendor(Method::POST, "/v1/webhook_endpoints").json(
            &json!({"url": receiver.url, "events": ["customer.updated", "portal_session.created"]}),
        ))
        .await;
    target
        .json(
            target
                .vendor(Method::PUT, "/v1/customers/cus_1")
                .json(&json!({"name": "Ada"})),
        )
        .await;
    let link = target
        .json(
            target
                .vendor(Method::POST, "/v1/portal_sessions")
                .json(&json!({"external_id": "cus_1"})),
        )
        .await;
    receiver.wait_for(1).await;
    // Killed while the attempt hangs: the event is stored, its delivery not done.
    child.kill().unwrap();
    child.wait().unwrap();
    let (mut child, port) = serve_with(binary, &db.url, "5", &settings);
    let target = target.moved_to(port);
    // After the dead worker's claim lapses (2 × 1 s + 5 s), the restarted one sends it.
    let started = Instant::now();
    loop {
        let received = receiver.of_type("portal_session.created");
        if received.len() >= 2 {
            assert_eq!(received[1].json()["data"]["portal_session_id"], link["id"]);
            assert_eq!(
                received[1].header("portico-delivery-attempt"),
                "1",
                "the cut attempt was never recorded"
            );
            assert_eq!(received[0].json()["id"], received[1].json()["id"]);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not delivered after restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let endpoints = target
        .json(target.vendor(Method::GET, "/v1/webhook_endpoints"))
        .await;
    let id = endpoints["data"][0]["id"].as_str().unwrap();
    let log = target
        .json(target.vendor(
            Method::GET,
            &format!("/v1/webhook_endpoints/{id}/deliveries"),
        ))
        .await;
    assert_eq!(log["data"][0]["status"], "delivered");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn two_instances_send_each_attempt_once() {
    let Some(first) = postgres_store().await else {
        eprintln!("PORTICO_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    let second = postgres_store_at(&first.url).await;
    let a = spawn_app_with(first, &LOCAL).await;
    let b = spawn_app_with(second, &LOCAL).await;
    let vendor = a.vendor("Twins Ltd").await;
    // Every fifth first attempt fails, so that retries are shared out too.
    let mut answers = Vec::new();
    for n in 0..200 {
        answers.push(if n % 5 == 0 { 500 } else { 200 });
    }
    let receiver = Receiver::start(&answers).await;
    endpoint(
        &a,
        &vendor,
        &receiver.url,
        json!(["portal_session.created"]),
    )
    .await;
    let made = 200;
    let (x, y) = tokio::join!(
        async {
            for _ in 0..made / 2 {
                make_link(&a, &vendor, "cus_1").await;
            }
        },
        async {
            for _ in 0..made / 2 {
                make_link(&b, &vendor, "cus_2").await;
            }
        }
    );
    let ((), ()) = (x, y);
    receiver.wait_for(made).await;
    // The failed ones come due a minute later on both instances' clocks.
    for app in [&a, &b] {
        app.clock.advance(Span::seconds(80));
    }
    let started = Instant::now();
    let delivered = loop {
        let received = receiver.received();
        let ok: std::collections::HashSet<Value> =
            received.iter().map(|r| r.json()["id"].clone()).collect();
        if ok.len() == made && received.len() >= made + made / 5 {
            break received;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} requests, {} events",
            received.len(),
            ok.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    let received = receiver.received();
    assert_eq!(
        received.len(),
        delivered.len(),
        "nothing sent twice afterwards"
    );
    let mut attempts: Vec<(String, String)> = received
        .iter()
        .map(|r| {
            (
                r.json()["id"].as_str().unwrap().to_owned(),
                r.header("portico-delivery-attempt").to_owned(),
            )
        })
        .collect();
    let total = attempts.len();
    attempts.sort();
    attempts.dedup();
    assert_eq!(attempts.len(), total, "each attempt was sent once");
    assert_eq!(total, made + made / 5);
}

async fn the_demo_vendor_page_shows_what_its_endpoint_received(db: TestStore) {
    let app = spawn_app_with(db, &[("PORTICO_DEMO", "true")]).await;
    app.seed_demo().await;
    let (policy, html) = app.page("/demo/vendor").await;
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    assert!(html.contains("Webhooks your backend received"), "{html}");
    // The page's own link is the first event its endpoint gets, signed and checked by the
    // demo's receiver.
    let started = Instant::now();
    let deliveries = loop {
        let page: Value = app.get("/demo/webhooks.json").await.json().await.unwrap();
        let data = page["data"].as_array().unwrap().clone();
        if data.iter().any(|d| d["status"] == "delivered") {
            assert!(html.contains(page["endpoint"].as_str().unwrap()));
            break data;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{page}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let created = deliveries
        .iter()
        .find(|d| d["event_type"] == "portal_session.created")
        .unwrap();
    assert_eq!(created["status"], "delivered");
    assert_eq!(created["last_status_code"], 204);
    // Visiting again uses the same endpoint.
    app.page("/demo/vendor").await;
    let page: Value = app.get("/demo/webhooks.json").await.json().await.unwrap();
    assert!(page["data"].as_array().unwrap().len() >= 2);
    // The receiver refuses what Portico did not sign.
    let forged = app
        .client
        .post(format!("{}/demo/webhooks", app.base))
        .header(
            "Portico-Signature",
            format!("t={},v1=00", app_now(&app).timestamp()),
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
}
