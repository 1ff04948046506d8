//! The HTTP server on a random port: health, error shape, server-rendered pages, headers.

use app::api::system::Health;
use app::api::ErrorBody;

use crate::helpers::{spawn_app, spawn_app_with, TestStore};
use crate::on_both_backends;

on_both_backends!(
    health_tells_the_version_and_backend_only_to_a_key_holder,
    unknown_api_paths_answer_with_the_json_error_shape,
    pages_are_server_rendered_with_hydration_scripts,
    unknown_pages_are_a_rendered_404,
    portal_pages_never_leak_the_referrer,
    https_deployments_send_hsts_and_plain_http_ones_do_not,
    every_answer_has_a_request_id_and_error_bodies_quote_it,
    metrics_are_off_by_default_and_behind_their_token,
);

async fn health_tells_the_version_and_backend_only_to_a_key_holder(db: TestStore) {
    let backend = db.store.backend().as_str();
    let app = spawn_app(db).await;
    let response = app.get("/api/v1/health").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert_eq!(text, r#"{"status":"ok"}"#);

    // A wrong key is no key: the status only.
    let vendor = app.vendor("Vendor").await;
    let response = app
        .client
        .get(format!("{}/api/v1/health", app.base))
        .header("organisation", &vendor.organisation)
        .header("X-API-KEY", "ptc_not_the_key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"status":"ok"}"#);

    let response = app
        .vendor_send(reqwest::Method::GET, "/api/v1/health", &vendor)
        .await;
    assert_eq!(response.status(), 200);
    let health: Health = response.json().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.database.as_deref(), Some(backend));
    assert_eq!(health.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
}

async fn unknown_api_paths_answer_with_the_json_error_shape(db: TestStore) {
    let app = spawn_app(db).await;
    for path in ["/api/v1/nothing", "/api/", "/api/v1/health/extra"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{path}"
        );
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.error.code, "not_found");
    }
}

async fn pages_are_server_rendered_with_hydration_scripts(db: TestStore) {
    let app = spawn_app(db).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains("Your billing portal"),
        "the page body is rendered on the server"
    );
    assert!(
        html.contains("/pkg/portico.js"),
        "the hydration loader is referenced"
    );
    assert!(
        html.contains("/pkg/portico.css"),
        "the stylesheet is referenced"
    );
    assert!(html.contains(r#"data-theme="auto""#));
}

async fn unknown_pages_are_a_rendered_404(db: TestStore) {
    let app = spawn_app(db).await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
}

async fn portal_pages_never_leak_the_referrer(db: TestStore) {
    let app = spawn_app(db).await;
    for path in ["/", "/api/v1/health", "/missing"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["referrer-policy"],
            "no-referrer",
            "{path}"
        );
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
}

async fn https_deployments_send_hsts_and_plain_http_ones_do_not(db: TestStore) {
    // The test servers' public URL is https.
    let app = spawn_app(db).await;
    for path in ["/", "/api/v1/health", "/api/v1/nothing", "/missing"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000; includeSubDomains",
            "{path}"
        );
    }
    drop(app);

    let plain = spawn_app_with(
        crate::helpers::sqlite_store().await,
        &[("PORTICO_PUBLIC_URL", "http://127.0.0.1:3000")],
    )
    .await;
    let response = plain.get("/api/v1/health").await;
    assert!(response
        .headers()
        .get("strict-transport-security")
        .is_none());
}

async fn every_answer_has_a_request_id_and_error_bodies_quote_it(db: TestStore) {
    let app = spawn_app(db).await;
    let id_of = |response: &reqwest::Response| {
        response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let first = app.get("/api/v1/health").await;
    let second = app.get("/api/v1/health").await;
    let (a, b) = (id_of(&first), id_of(&second));
    assert_eq!(a.len(), 32, "{a}");
    assert_ne!(a, b, "each request has its own id");

    // An error body carries the id of the request, as its header does.
    let missing = app.get("/api/v1/nothing-here").await;
    let id = id_of(&missing);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], id.as_str(), "{body}");

    // A proxy's plain id is kept; one with markup or of any length is replaced.
    let sent = |value: String| {
        app.client
            .get(format!("{}/v1/customers", app.base))
            .header("x-request-id", value)
            .send()
    };
    let kept = sent("lb-7f3a:42".to_owned()).await.unwrap();
    assert_eq!(id_of(&kept), "lb-7f3a:42");
    let body: serde_json::Value = kept.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(body["error"]["request_id"], "lb-7f3a:42");
    for bad in ["<b>x</b>".to_owned(), "a".repeat(200)] {
        let replaced = sent(bad.clone()).await.unwrap();
        let id = id_of(&replaced);
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32);
    }
}

async fn metrics_are_off_by_default_and_behind_their_token(db: TestStore) {
    let backend = db.store.backend().as_str();
    let off = spawn_app(crate::helpers::sqlite_store().await).await;
    assert_eq!(off.get("/metrics").await.status(), 404);

    let token = "metrics-token-0123456789";
    let app = spawn_app_with(db, &[("PORTICO_METRICS_TOKEN", token)]).await;
    let scrape = |auth: Option<&str>| {
        let mut request = app.client.get(format!("{}/metrics", app.base));
        if let Some(auth) = auth {
            request = request.bearer_auth(auth);
        }
        request.send()
    };
    for wrong in [None, Some("metrics-token-0123456780"), Some("")] {
        let refused = scrape(wrong).await.unwrap();
        assert_eq!(refused.status(), 401, "{wrong:?}");
    }

    let vendor = app.vendor("Vendor").await;
    for _ in 0..3 {
        let listed = app
            .vendor_send(reqwest::Method::GET, "/v1/customers/cus_1", &vendor)
            .await;
        assert_eq!(listed.status(), 200);
    }
    let missing = app
        .vendor_send(reqwest::Method::GET, "/v1/customers/nobody", &vendor)
        .await;
    assert_eq!(missing.status(), 404);
    assert_eq!(app.get("/api/v1/health").await.status(), 200);
    assert_eq!(app.get("/no/such/page").await.status(), 404);

    let scraped = scrape(Some(token)).await.unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = scraped.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    // Labelled by the route's pattern, not by each id.
    assert_eq!(
        value(
            r#"portico_http_requests_total{route="/v1/customers/{id}",method="GET",status="200"}"#
        ),
        3.0
    );
    assert_eq!(
        value(
            r#"portico_http_requests_total{route="/v1/customers/{id}",method="GET",status="404"}"#
        ),
        1.0
    );
    assert_eq!(
        value(r#"portico_http_requests_total{route="/api/v1/health",method="GET",status="200"}"#),
        1.0
    );
    assert!(
        value(r#"portico_http_requests_total{route="unmatched",method="GET",status="404"}"#) >= 1.0
    );
    assert_eq!(
        value(r#"portico_http_request_duration_seconds_count{route="/v1/customers/{id}"}"#),
        4.0
    );
    assert_eq!(
        value(
            r#"portico_http_request_duration_seconds_bucket{route="/v1/customers/{id}",le="+Inf"}"#
        ),
        4.0
    );
    assert!(
        value(&format!(
            r#"portico_db_connections_max{{backend="{backend}"}}"#
        )) >= 1.0
    );
    let open = value(&format!(
        r#"portico_db_connections{{backend="{backend}",state="idle"}}"#
    )) + value(&format!(
        r#"portico_db_connections{{backend="{backend}",state="in_use"}}"#
    ));
    assert!(open >= 1.0, "{text}");
}
