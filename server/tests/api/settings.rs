//! Organisation settings, the logo, and who may frame the portal.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fields_of, spawn_app, TestApp, TestStore, Vendor};
use crate::on_both_backends;

on_both_backends!(
    settings_read_and_patch_with_every_rule_named,
    logos_are_checked_stored_and_served_safely,
    pages_may_be_framed_only_by_the_organisations_embedding_origins,
    the_first_html_is_branded_and_hidden_sections_are_refused,
    the_demo_vendor_page_embeds_a_fresh_link,
    embedding_origins_that_would_rewrite_the_policy_are_refused,
);

impl TestApp {
    pub(crate) async fn patch_settings(&self, vendor: &Vendor, body: Value) -> (u16, Value) {
        let response = self
            .vendor_request(Method::PATCH, "/v1/settings", vendor)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

async fn settings_read_and_patch_with_every_rule_named(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    let response = app.vendor_send(Method::GET, "/v1/settings", &vendor).await;
    assert_eq!(response.status(), 200);
    let settings: Value = response.json().await.unwrap();
    assert_eq!(settings["organisation_id"], vendor.organisation.as_str());
    assert_eq!(settings["name"], "Vendor");
    assert_eq!(settings["primary_color"], "#4338ca");
    assert_eq!(
        settings["return_origins"],
        json!(["https://vendor.example"])
    );
    assert!(settings["logo_url"].is_null());

    let (status, body) = app
        .patch_settings(&vendor, json!({"primary_color": "#FFD700", "sections": ["invoices", "settings"], "idle_timeout_secs": 5}))
        .await;
    assert_eq!(status, 422);
    let fields = fields_of(&body);
    assert_eq!(fields, ["idle_timeout_secs", "primary_color", "sections"]);
    let message = body["error"]["fields"][1]["message"].as_str().unwrap();
    assert!(message.contains("WCAG AA"), "{message}");

    let (status, body) = app
        .patch_settings(
            &vendor,
            json!({"name": "Vendor «Neu»", "primary_color": "#0B6E4F", "theme": "dark",
                   "embed_origins": ["https://App.Vendor.example/"], "support_url": "https://help.vendor.example",
                   "sections": ["profile", "invoices"], "allow_subscription_cancel": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Vendor «Neu»");
    assert_eq!(body["primary_color"], "#0b6e4f");
    assert_eq!(body["theme"], "dark");
    assert_eq!(body["embed_origins"], json!(["https://app.vendor.example"]));
    assert_eq!(body["sections"], json!(["invoices", "profile"]));
    assert_eq!(body["allow_subscription_cancel"], false);
    assert_eq!(body["accent_color"], "#0e7490", "untouched");

    let (_, body) = app
        .patch_settings(&vendor, json!({"support_url": null}))
        .await;
    assert!(body["support_url"].is_null());
    let (status, _) = app.patch_settings(&vendor, json!({"colour": "#000"})).await;
    assert_eq!(status, 422);
    // Another organisation's settings are its own.
    let theirs: Value = app
        .vendor_send(Method::GET, "/v1/settings", &other)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["primary_color"], "#4338ca");
}

async fn logos_are_checked_stored_and_served_safely(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let upload = |content_type: &str, body: Vec<u8>| {
        app.vendor_request(Method::PUT, "/v1/settings/logo", &vendor)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10" fill="#0b6e4f"/></svg>"##.to_vec();
    assert_eq!(
        upload("image/gif", b"GIF89a".to_vec())
            .await
            .unwrap()
            .status(),
        415
    );
    assert_eq!(
        upload("image/png", b"not a png".to_vec())
            .await
            .unwrap()
            .status(),
        422
    );
    let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
    huge.resize(512 * 1024 + 1, 0);
    let response = upload("image/png", huge).await.unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        upload("image/svg+xml", svg.clone()).await.unwrap().status(),
        204
    );

    let settings: Value = app
        .vendor_send(Method::GET, "/v1/settings", &vendor)
        .await
        .json()
        .await
        .unwrap();
    let url = settings["logo_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!(
            "https://portal.example/branding/{}/logo?v=",
            vendor.organisation
        )),
        "{url}"
    );
    let path = url.trim_start_matches("https://portal.example");
    let response = app.get(path).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("default-src 'none'") && policy.contains("sandbox"),
        "{policy}"
    );
    assert_eq!(response.headers()["cache-control"], "public, max-age=86400");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(response.bytes().await.unwrap().to_vec(), svg);
    let again = app
        .client
        .get(format!("{}{path}", app.base))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let delete = || {
        app.vendor_request(Method::DELETE, "/v1/settings/logo", &vendor)
            .send()
    };
    assert_eq!(delete().await.unwrap().status(), 204);
    assert_eq!(delete().await.unwrap().status(), 404);
    assert_eq!(app.get(path).await.status(), 404);
}

async fn pages_may_be_framed_only_by_the_organisations_embedding_origins(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    // The page policy's framing directive.
    let policy = |path: String| {
        let app = &app;
        async move {
            let response = app.get(&path).await;
            response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .split("; ")
                .find(|d| d.starts_with("frame-ancestors"))
                .unwrap()
                .to_owned()
        }
    };
    let portal = format!("/portal/{}/invoices", vendor.organisation);
    assert_eq!(policy(portal.clone()).await, "frame-ancestors 'self'");
    assert_eq!(policy("/".into()).await, "frame-ancestors 'self'");

    app.patch_settings(
        &vendor,
        json!({"embed_origins": ["https://app.vendor.example", "http://localhost:8080"]}),
    )
    .await;
    assert_eq!(
        policy(portal).await,
        "frame-ancestors https://app.vendor.example http://localhost:8080"
    );
    let created: Value = app
        .create_link(&json!({"customer_id": "cus_1"}), &vendor)
        .await;
    let link = created["url"]
        .as_str()
        .unwrap()
        .trim_start_matches("https://portal.example")
        .to_owned();
    assert_eq!(
        policy(link.clone()).await,
        "frame-ancestors https://app.vendor.example http://localhost:8080"
    );
    // Looking at the link's framing policy did not use the link up.
    assert_eq!(app.exchange(&TestApp::token_of(&link)).await.status(), 200);
    assert_eq!(
        policy("/portal/unknown-org/invoices".into()).await,
        "frame-ancestors 'self'"
    );
}

async fn the_first_html_is_branded_and_hidden_sections_are_refused(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let (status, _) = app
        .patch_settings(
            &vendor,
            json!({"name": "Vendor <b>«Neu»</b>", "primary_color": "#0b6e4f", "theme": "dark", "sections": ["profile"]}),
        )
        .await;
    assert_eq!(status, 200);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let uploaded = app
        .vendor_request(Method::PUT, "/v1/settings/logo", &vendor)
        .header("Content-Type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 204);

    let html = app
        .get(&format!("/portal/{}/invoices", vendor.organisation))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("--brand:#0b6e4f"),
        "the colours are in the first HTML"
    );
    assert!(
        html.contains(&format!("/branding/{}/logo?v=", vendor.organisation)),
        "the logo is in the first HTML"
    );
    assert!(
        html.contains("Vendor &lt;b&gt;«Neu»&lt;/b&gt;"),
        "the name is escaped"
    );
    assert!(
        !html.contains("<b>«Neu»</b>"),
        "nowhere, not even in the title"
    );
    assert!(html.contains("<title>Billing · Vendor &lt;b&gt;«Neu»&lt;/b&gt;</title>"));
    assert!(
        html.contains(r#"data-theme="dark""#),
        "the organisation's theme"
    );
    assert!(html.contains(r#"id="portico-branding""#));

    let plain = app.get("/").await.text().await.unwrap();
    assert!(
        !plain.contains("portico-branding"),
        "pages of no organisation carry no branding"
    );

    let token = app
        .open_session(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    let response = app.portal_get("/api/v1/portal/invoices", &token).await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(
        app.portal_get("/api/v1/portal/session", &token)
            .await
            .status(),
        200
    );
}

async fn the_demo_vendor_page_embeds_a_fresh_link(db: TestStore) {
    let app = crate::helpers::spawn_app_with(db, &[("PORTICO_DEMO", "true")]).await;
    let missing = app.get("/demo/vendor").await;
    assert_eq!(missing.status(), 404);

    app.seed_demo().await;
    let page = |query: &str| {
        let url = format!("{}/demo/vendor{query}", app.base);
        let client = app.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (policy, html) = app.page("/demo/vendor").await;
    let nonce = html
        .split("<script nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert!(
        policy.contains(&format!(
            "script-src 'nonce-{nonce}' https://portal.example;"
        )) && policy.contains("frame-src https://portal.example;"),
        "{policy}"
    );
    let (status, html) = page("").await;
    assert_eq!(status, 200);
    assert!(html.contains("https://portal.example/embed.js"), "{html}");
    assert!(html.contains("Northwind Traders GmbH"));
    let link = html
        .split("url: \"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(
        link.starts_with("https://portal.example/session/"),
        "{link}"
    );
    let (_, again) = page("").await;
    assert!(
        !again.contains(link),
        "every visit gets a fresh one-time link"
    );
    let (status, html) = page("?customer=cus_vandijk").await;
    assert_eq!(status, 200);
    assert!(html.contains("Van Dijk Logistiek B.V."));
    assert_eq!(page("?customer=<script>").await.0, 404);
}

/// An embedding origin goes into the `frame-ancestors` header, so anything but a bare
/// `scheme://host[:port]` is refused by field and leaves the policy as it was.
async fn embedding_origins_that_would_rewrite_the_policy_are_refused(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let (status, _) = app
        .patch_settings(
            &vendor,
            json!({"embed_origins": ["https://app.vendor.example"]}),
        )
        .await;
    assert_eq!(status, 200);
    for bad in [
        "https://app.vendor.example; script-src *",
        "https://*.vendor.example",
        "*",
        "'self'",
        "https://app.vendor.example'",
        "https://app vendor.example",
    ] {
        let (status, body) = app
            .patch_settings(
                &vendor,
                json!({"embed_origins": ["https://ok.vendor.example", bad]}),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(
            body["error"]["fields"][0]["field"], "embed_origins[1]",
            "{bad}"
        );
    }
    let page = app
        .get(&format!("/portal/{}/invoices", vendor.organisation))
        .await;
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.ends_with("; frame-ancestors https://app.vendor.example"),
        "{policy}"
    );
}
