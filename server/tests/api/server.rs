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
        .vendor_request(reqwest::Method::GET, "/api/v1/health", &vendor)
        .send()
        .await
        .unwrap();
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
