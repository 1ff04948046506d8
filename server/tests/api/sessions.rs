//! Portal links and sessions: creation by the vendor, exchange by the browser, timeouts,
//! logout and revocation.

use crate::upserts::Upserts;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use server::clock::Clock;

use crate::helpers::{
    assert_retry_within_a_minute, refused_fields, spawn_app, TestApp, TestStore, PUBLIC_URL,
    VENDOR_ORIGIN,
};
use crate::on_both_backends;

on_both_backends!(
    the_zenskar_request_works_verbatim,
    every_vendor_credential_failure_is_the_same_401,
    link_requests_name_every_invalid_field,
    every_return_url_bypass_is_refused_by_the_api,
    malformed_bodies_get_the_json_error_shape,
    portal_sessions_take_every_option,
    a_link_works_once_and_only_until_it_expires,
    sessions_die_when_idle_but_live_while_used,
    sessions_die_at_their_absolute_lifetime,
    logout_ends_the_session,
    revoking_a_link_ends_its_sessions_and_lists_show_only_live_ones,
    exchange_is_rate_limited_per_token,
    tokens_are_stored_only_as_hashes,
    the_portal_shows_only_the_sessions_customer_and_never_drafts,
);

async fn the_zenskar_request_works_verbatim(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    // The request exactly as the Zenskar documentation writes it, once with Portico's
    // id and once with the vendor's own.
    for customer_id in [vendor.customers[0].as_str(), "cus_1"] {
        let response = app
            .client
            .post(format!("{}/customer/session", app.base))
            .header("organisation", &vendor.organisation)
            .header("X-API-KEY", &vendor.key)
            .header("Content-Type", "application/json")
            .body(format!(
                r#"{{"customer_id":"{customer_id}","return_url":"https://vendor.example","idle_timeout":86400}}"#
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
        let url = body["redirect_url"].as_str().unwrap();
        let prefix = format!("{PUBLIC_URL}/session/");
        assert!(url.starts_with(&prefix), "{url}");
        assert!(
            url.ends_with("?return_url=https%3A%2F%2Fvendor.example%2F"),
            "{url}"
        );
        assert_eq!(TestApp::token_of(url).len(), 43);

        let exchanged: Value = app
            .exchange(&TestApp::token_of(url))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(exchanged["idle_timeout"], 86400);
        assert_eq!(
            exchanged["landing_path"],
            format!("/portal/{}/overview", vendor.organisation)
        );
        assert_eq!(exchanged["return_url"], "https://vendor.example/");
    }
}

async fn every_vendor_credential_failure_is_the_same_401(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    let revoked_key = server::orgs::issue_api_key(
        app.store(),
        &vendor.organisation,
        "old",
        server::store::KeyScope::Full,
        app.clock.now(),
    )
    .await
    .unwrap();
    app.store()
        .revoke_api_keys(&vendor.organisation, &revoked_key[..12], app.clock.now())
        .await
        .unwrap();

    let body = json!({"customer_id": "cus_1", "return_url": VENDOR_ORIGIN});
    let attempts: Vec<(&str, Option<&str>, Option<&str>)> = vec![
        ("no headers", None, None),
        ("no key", Some(&vendor.organisation), None),
        ("no organisation", None, Some(&vendor.key)),
        (
            "wrong key",
            Some(&vendor.organisation),
            Some("ptc_wrongwrongwrong"),
        ),
        (
            "revoked key",
            Some(&vendor.organisation),
            Some(&revoked_key),
        ),
        (
            "key of another organisation",
            Some(&vendor.organisation),
            Some(&other.key),
        ),
        (
            "organisation of another key",
            Some(&other.organisation),
            Some(&vendor.key),
        ),
        (
            "unknown organisation",
            Some("00000000-0000-0000-0000-000000000000"),
            Some(&vendor.key),
        ),
    ];
    let mut bodies = Vec::new();
    for (what, org, key) in attempts {
        let mut request = app
            .client
            .post(format!("{}/customer/session", app.base))
            .json(&body);
        if let Some(org) = org {
            request = request.header("organisation", org);
        }
        if let Some(key) = key {
            request = request.header("X-API-KEY", key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{what}");
        // Alike but for each request's own id.
        let mut body: Value = response.json().await.unwrap();
        assert!(body["error"]["request_id"].is_string(), "{body}");
        body["error"].as_object_mut().unwrap().remove("request_id");
        bodies.push(body);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    let error = &bodies[0];
    assert_eq!(error["error"]["code"], "unauthorized");
}

async fn link_requests_name_every_invalid_field(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;

    for (body, expected) in [
        (
            json!({"customer_id": "nobody", "return_url": VENDOR_ORIGIN}),
            vec!["customer_id"],
        ),
        // Another organisation's customer does not exist for this vendor.
        (
            json!({"customer_id": other.customers[0], "return_url": VENDOR_ORIGIN}),
            vec!["customer_id"],
        ),
        (
            json!({"customer_id": "", "return_url": VENDOR_ORIGIN}),
            vec!["customer_id"],
        ),
        (
            json!({"customer_id": "cus_1", "return_url": VENDOR_ORIGIN, "idle_timeout": 59}),
            vec!["idle_timeout"],
        ),
        (
            json!({"customer_id": "cus_1", "return_url": VENDOR_ORIGIN, "idle_timeout": 604801}),
            vec!["idle_timeout"],
        ),
        (
            json!({"customer_id": "nobody", "return_url": "javascript:alert(1)", "idle_timeout": 1}),
            vec!["customer_id", "return_url", "idle_timeout"],
        ),
    ] {
        let response = app.post_json("/customer/session", &body, &vendor).await;
        assert_eq!(refused_fields(response).await, expected, "{body}");
    }
    let response = app
        .post_json(
            "/customer/session",
            &json!({"return_url": VENDOR_ORIGIN}),
            &vendor,
        )
        .await;
    assert_eq!(refused_fields(response).await, vec!["customer_id"]);
}

async fn every_return_url_bypass_is_refused_by_the_api(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    for bad in [
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "//evil.example",
        "https://vendor.example@evil.example",
        "https://vendor.example.evil.example",
        "https:\\\\evil.example",
        "https://vendor.example\\@evil.example",
        "https://vendor.example\t.evil.example",
        "https://vendor.example\n.evil.example",
        "https://vendor.example%2F@evil.example",
        "https://vendor.example%09.evil.example",
        "https%3A%2F%2Fevil.example",
        "https://vеndor.example",
        "https://xn--vndor-7ve.example",
        "http://vendor.example",
        "https://vendor.example:8443",
    ] {
        let response = app
            .post_json(
                "/customer/session",
                &json!({"customer_id": "cus_1", "return_url": bad}),
                &vendor,
            )
            .await;
        assert_eq!(
            refused_fields(response).await,
            vec!["return_url"],
            "{bad:?}"
        );
    }
    let ok = app
        .post_json(
            "/customer/session",
            &json!({"customer_id": "cus_1", "return_url": "https://vendor.example/account?x=1"}),
            &vendor,
        )
        .await;
    assert_eq!(ok.status(), 200);
}

async fn malformed_bodies_get_the_json_error_shape(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let send = |body: &'static str, content_type: &'static str| {
        app.vendor_request(Method::POST, "/customer/session", &vendor)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    for (body, content_type, status, code) in [
        ("{", "application/json", 400, "bad_request"),
        ("", "application/json", 400, "bad_request"),
        ("[1,2]", "application/json", 422, "validation_failed"),
        (
            r#"{"customer_id": 5, "return_url": "x"}"#,
            "application/json",
            422,
            "validation_failed",
        ),
        (
            r#"{"customer_id":"cus_1","return_url":"https://vendor.example"}"#,
            "text/plain",
            415,
            "unsupported_media_type",
        ),
    ] {
        let response = send(body, content_type).await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}");
    }
    let huge = format!(
        r#"{{"customer_id":"{}","return_url":"x"}}"#,
        "a".repeat(3 * 1024 * 1024)
    );
    let response = app
        .vendor_request(Method::POST, "/customer/session", &vendor)
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "payload_too_large");
}

async fn portal_sessions_take_every_option(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    let invoice_input = |customer: &str| app::api::records::InvoiceInput {
        customer_id: customer.into(),
        number: "INV-1".into(),
        status: app::api::records::InvoiceStatus::Open,
        currency: "EUR".into(),
        total: 100,
        amount_due: 100,
        due_date: None,
        period_start: None,
        period_end: None,
        issued_at: crate::helpers::at(2026, 5, 1),
        lines: vec![],
        pdf_url: None,
        payment_url: None,
    };
    let (invoice, _) = app
        .store()
        .upsert_invoice(
            &vendor.organisation,
            "inv_1",
            &vendor.customers[0],
            &invoice_input("cus_1"),
            crate::helpers::at(2026, 5, 1),
        )
        .await
        .unwrap();
    let (foreign, _) = app
        .store()
        .upsert_invoice(
            &other.organisation,
            "inv_1",
            &other.customers[0],
            &invoice_input("cus_1"),
            crate::helpers::at(2026, 5, 1),
        )
        .await
        .unwrap();

    let response = app
        .post_json(
            "/v1/portal_sessions",
            &json!({
                "external_id": "cus_1",
                "return_url": "https://vendor.example/billing",
                "idle_timeout": 600,
                "locale": "de",
                "section": format!("invoice:{}", invoice.id),
                "expires_in": 120,
            }),
            &vendor,
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let expected_expiry = (app.clock.now() + Duration::seconds(120))
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    assert_eq!(created["expires_at"], expected_expiry);
    assert!(created["id"].as_str().unwrap().len() == 36);
    let url = created["url"].as_str().unwrap();
    let exchanged: Value = app
        .exchange(&TestApp::token_of(url))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        exchanged["landing_path"],
        format!("/portal/{}/invoices/{}", vendor.organisation, invoice.id)
    );
    assert_eq!(exchanged["locale"], "de");
    assert_eq!(exchanged["idle_timeout"], 600);

    // A deep link by the vendor's invoice id lands on Portico's id.
    let created: Value = app
        .create_link(
            &json!({"customer_id": "cus_1", "section": "invoice:inv_1"}),
            &vendor,
        )
        .await;
    let exchanged: Value = app
        .exchange(&TestApp::token_of(created["url"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert!(exchanged["landing_path"]
        .as_str()
        .unwrap()
        .ends_with(&invoice.id));

    for (body, field) in [
        (
            json!({"customer_id": "cus_1", "external_id": "cus_1"}),
            "customer_id",
        ),
        (json!({}), "customer_id"),
        (json!({"external_id": "nobody"}), "external_id"),
        (json!({"customer_id": "cus_1", "locale": "da"}), "locale"),
        (
            json!({"customer_id": "cus_1", "section": "settings"}),
            "section",
        ),
        (
            json!({"customer_id": "cus_1", "section": format!("invoice:{}", foreign.id)}),
            "section",
        ),
        (
            json!({"customer_id": "cus_2", "section": format!("invoice:{}", invoice.id)}),
            "section",
        ),
        (
            json!({"customer_id": "cus_1", "expires_in": 59}),
            "expires_in",
        ),
        (
            json!({"customer_id": "cus_1", "expires_in": 3601}),
            "expires_in",
        ),
        (
            json!({"customer_id": "cus_1", "surprise": true}),
            "surprise",
        ),
    ] {
        let response = app.post_json("/v1/portal_sessions", &body, &vendor).await;
        let fields = refused_fields(response).await;
        assert!(fields.iter().any(|f| f == field), "{body}: {fields:?}");
    }
}

async fn a_link_works_once_and_only_until_it_expires(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let link = |expires_in: i64| {
        let app = &app;
        let vendor = &vendor;
        async move {
            let created: Value = app
                .create_link(
                    &json!({"customer_id": "cus_1", "expires_in": expires_in}),
                    vendor,
                )
                .await;
            TestApp::token_of(created["url"].as_str().unwrap())
        }
    };
    let code = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        (
            status,
            body["error"]["code"].as_str().unwrap_or("").to_owned(),
        )
    };

    let once = link(3600).await;
    assert_eq!(app.exchange(&once).await.status(), 200);
    assert_eq!(
        code(app.exchange(&once).await).await,
        (410, "link_used".into())
    );

    let short = link(60).await;
    app.clock.advance(Duration::seconds(60));
    assert_eq!(
        code(app.exchange(&short).await).await,
        (410, "link_expired".into())
    );

    let still = link(120).await;
    app.clock.advance(Duration::seconds(119));
    assert_eq!(
        app.exchange(&still).await.status(),
        200,
        "usable until the last second"
    );

    assert_eq!(
        code(app.exchange("not-a-token").await).await,
        (401, "link_invalid".into())
    );
    assert_eq!(
        code(app.exchange("").await).await,
        (401, "link_invalid".into())
    );

    // Two browsers racing for one link: exactly one wins.
    let raced = link(3600).await;
    let (a, b) = tokio::join!(app.exchange(&raced), app.exchange(&raced));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 410]);
}

async fn sessions_die_when_idle_but_live_while_used(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app
        .open_session(
            &vendor,
            json!({"customer_id": "cus_1", "idle_timeout": 300}),
        )
        .await;
    // Activity every 4 minutes keeps a 5-minute idle timeout at bay for an hour.
    for _ in 0..15 {
        app.clock.advance(Duration::seconds(240));
        let response = app.portal_get("/api/v1/portal/session", &token).await;
        assert_eq!(response.status(), 200);
    }
    let info: Value = app
        .portal_get("/api/v1/portal/session", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["customer_name"], "Vendor customer cus_1");
    assert_eq!(info["organisation_name"], "Vendor");

    app.clock.advance(Duration::seconds(301));
    let response = app.portal_get("/api/v1/portal/session", &token).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "session_expired");
    // Once ended it stays ended, even if the clock were to look kind again.
    let response = app.portal_get("/api/v1/portal/invoices", &token).await;
    assert_eq!(response.status(), 401);
}

async fn sessions_die_at_their_absolute_lifetime(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app
        .open_session(
            &vendor,
            json!({"customer_id": "cus_1", "idle_timeout": 604800}),
        )
        .await;
    app.clock
        .advance(Duration::hours(12) - Duration::seconds(1));
    assert_eq!(
        app.portal_get("/api/v1/portal/session", &token)
            .await
            .status(),
        200
    );
    app.clock.advance(Duration::seconds(1));
    let response = app.portal_get("/api/v1/portal/session", &token).await;
    assert_eq!(response.status(), 401);
}

async fn logout_ends_the_session(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app
        .open_session(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    let logout = |token: &str| {
        app.client
            .post(format!("{}/api/v1/session/logout", app.base))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(logout(&token).await.unwrap().status(), 204);
    let response = app.portal_get("/api/v1/portal/session", &token).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "session_expired");
    assert_eq!(logout(&token).await.unwrap().status(), 401);
    assert_eq!(logout("garbage").await.unwrap().status(), 401);
    let unauthenticated = app.get("/api/v1/portal/session").await;
    assert_eq!(unauthenticated.status(), 401);
}

async fn revoking_a_link_ends_its_sessions_and_lists_show_only_live_ones(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    let create = |body: Value| {
        let app = &app;
        let vendor = &vendor;
        async move {
            let created: Value = app.create_link(&body, vendor).await;
            (
                created["id"].as_str().unwrap().to_owned(),
                TestApp::token_of(created["url"].as_str().unwrap()),
            )
        }
    };
    let (pending_id, _) = create(json!({"customer_id": "cus_1"})).await;
    app.clock.advance(Duration::seconds(1));
    let (active_id, active_link) = create(json!({"customer_id": "cus_1"})).await;
    let (_, expiring_link) = create(json!({"customer_id": "cus_1", "expires_in": 60})).await;
    let (_, _other_customer) = create(json!({"customer_id": "cus_2"})).await;
    let exchanged: Value = app.exchange(&active_link).await.json().await.unwrap();
    let session = exchanged["session_token"].as_str().unwrap().to_owned();
    app.clock.advance(Duration::seconds(61));
    assert_eq!(app.exchange(&expiring_link).await.status(), 410);

    let list = |customer: &str| {
        app.vendor_request(
            Method::GET,
            &format!("/v1/customers/{customer}/portal_sessions"),
            &vendor,
        )
        .send()
    };
    let listed: Value = list("cus_1").await.unwrap().json().await.unwrap();
    let rows = listed["data"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (active_id.as_str(), "active"),
            (pending_id.as_str(), "pending")
        ]
    );
    assert!(rows[0]["session_last_seen_at"].is_string());
    assert!(rows[1]["session_started_at"].is_null());

    // Another organisation can neither see nor revoke these.
    let route = format!("/v1/customers/{}/portal_sessions", vendor.customers[0]);
    let foreign = app.vendor_send(Method::GET, &route, &other).await;
    assert_eq!(foreign.status(), 404);
    let route = format!("/v1/portal_sessions/{active_id}");
    let foreign = app.vendor_send(Method::DELETE, &route, &other).await;
    assert_eq!(foreign.status(), 404);
    assert_eq!(
        app.portal_get("/api/v1/portal/session", &session)
            .await
            .status(),
        200
    );

    let revoke = |id: &str| {
        app.vendor_request(
            Method::DELETE,
            &format!("/v1/portal_sessions/{id}"),
            &vendor,
        )
        .send()
    };
    assert_eq!(revoke(&active_id).await.unwrap().status(), 204);
    assert_eq!(
        revoke(&active_id).await.unwrap().status(),
        204,
        "revoking twice is harmless"
    );
    assert_eq!(revoke("nope").await.unwrap().status(), 404);
    let response = app.portal_get("/api/v1/portal/session", &session).await;
    assert_eq!(response.status(), 401);

    assert_eq!(revoke(&pending_id).await.unwrap().status(), 204);
    let listed: Value = list("cus_1").await.unwrap().json().await.unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 0);
    let revoked_token = create(json!({"customer_id": "cus_1"})).await;
    assert_eq!(revoke(&revoked_token.0).await.unwrap().status(), 204);
    let body: Value = app.exchange(&revoked_token.1).await.json().await.unwrap();
    assert_eq!(body["error"]["code"], "link_revoked");
    assert_eq!(list("nobody").await.unwrap().status(), 404);
}

async fn exchange_is_rate_limited_per_token(db: TestStore) {
    let app = spawn_app(db).await;
    for _ in 0..5 {
        assert_eq!(app.exchange("guessed-token").await.status(), 401);
    }
    let response = app.exchange("guessed-token").await;
    assert_eq!(response.status(), 429);
    assert_retry_within_a_minute(response.headers());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another token from the same address is still allowed (the per-address limit is higher).
    assert_eq!(app.exchange("another-token").await.status(), 401);
    app.clock.advance(Duration::seconds(60));
    assert_eq!(app.exchange("guessed-token").await.status(), 401);
}

async fn tokens_are_stored_only_as_hashes(db: TestStore) {
    let url = db.url.clone();
    let is_sqlite = url.starts_with("sqlite:");
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let created: Value = app
        .create_link(&json!({"customer_id": "cus_1"}), &vendor)
        .await;
    let link = TestApp::token_of(created["url"].as_str().unwrap());
    let exchanged: Value = app.exchange(&link).await.json().await.unwrap();
    let session = exchanged["session_token"].as_str().unwrap();
    assert_ne!(session, link);
    assert!(app
        .store()
        .find_link(&server::token::hash(&link))
        .await
        .unwrap()
        .is_some());
    if is_sqlite {
        // Neither token, nor the API key, appears anywhere in the database files.
        let path = url.trim_start_matches("sqlite://");
        let mut bytes = Vec::new();
        for file in [path.to_owned(), format!("{path}-wal")] {
            if let Ok(content) = std::fs::read(&file) {
                bytes.extend(content);
            }
        }
        assert!(!bytes.is_empty());
        for secret in [link.as_str(), session, vendor.key.as_str()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret is stored in clear"
            );
        }
    }
}

async fn the_portal_shows_only_the_sessions_customer_and_never_drafts(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    let at = crate::helpers::at;
    let invoice =
        |n: u32, status: app::api::records::InvoiceStatus| app::api::records::InvoiceInput {
            customer_id: "x".into(),
            number: format!("INV-{n}"),
            status,
            currency: "EUR".into(),
            total: 100 * n as i64,
            amount_due: 0,
            due_date: None,
            period_start: None,
            period_end: None,
            issued_at: at(2026, 1, n),
            lines: vec![],
            pdf_url: None,
            payment_url: None,
        };
    use app::api::records::InvoiceStatus::{Draft, Paid};
    let store = app.store();
    for n in 1..=5 {
        store
            .upsert_invoice(
                &vendor.organisation,
                &format!("a{n}"),
                &vendor.customers[0],
                &invoice(n, Paid),
                at(2026, 1, 1),
            )
            .await
            .unwrap();
    }
    store
        .upsert_invoice(
            &vendor.organisation,
            "draft",
            &vendor.customers[0],
            &invoice(9, Draft),
            at(2026, 1, 1),
        )
        .await
        .unwrap();
    store
        .upsert_invoice(
            &vendor.organisation,
            "b1",
            &vendor.customers[1],
            &invoice(6, Paid),
            at(2026, 1, 1),
        )
        .await
        .unwrap();
    store
        .upsert_invoice(
            &other.organisation,
            "c1",
            &other.customers[0],
            &invoice(7, Paid),
            at(2026, 1, 1),
        )
        .await
        .unwrap();

    let token = app
        .open_session(&vendor, json!({"customer_id": "cus_1"}))
        .await;
    let mut numbers = Vec::new();
    let mut path = "/api/v1/portal/invoices?limit=2".to_owned();
    loop {
        let page: Value = app.portal_get(&path, &token).await.json().await.unwrap();
        for invoice in page["data"].as_array().unwrap() {
            numbers.push(invoice["number"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/portal/invoices?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(numbers, ["INV-5", "INV-4", "INV-3", "INV-2", "INV-1"]);

    for bad in ["limit=0", "limit=101", "cursor=zzz"] {
        let response = app
            .portal_get(&format!("/api/v1/portal/invoices?{bad}"), &token)
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }
}

mod tabs {
    use serde_json::{json, Value};

    use crate::helpers::{spawn_app, TestStore};
    use crate::on_both_backends;

    on_both_backends!(every_tab_shows_only_the_sessions_customer);

    async fn every_tab_shows_only_the_sessions_customer(db: TestStore) {
        let app = spawn_app(db).await;
        let config = server::config::Config::load_from(None, |_| None).unwrap();
        let demo = server::demo::run(app.store(), &config, crate::helpers::at(2026, 11, 23), true)
            .await
            .unwrap();
        let org = demo.organisation.id.clone();
        let vendor = crate::helpers::Vendor {
            organisation: org.clone(),
            key: demo.api_key.clone(),
            customers: [String::new(), String::new()],
        };
        let token = app
            .open_session(&vendor, json!({"external_id": "cus_blueharbor"}))
            .await;
        let blue = app
            .store()
            .find_customer(&org, "cus_blueharbor")
            .await
            .unwrap()
            .unwrap()
            .id;
        for path in [
            "/api/v1/portal/payments?limit=100",
            "/api/v1/portal/entitlements",
            "/api/v1/portal/subscriptions",
            "/api/v1/portal/payment_methods",
        ] {
            let response = app.portal_get(path, &token).await;
            assert_eq!(response.status(), 200, "{path}");
            let body: Value = response.json().await.unwrap();
            let rows = body["data"].as_array().unwrap();
            assert!(!rows.is_empty(), "{path}");
            assert!(
                rows.iter().all(|r| r["customer_id"] == blue.as_str()),
                "{path}: only this customer's rows"
            );
        }
        let methods: Value = app
            .portal_get("/api/v1/portal/payment_methods", &token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            methods["data"][0]["is_default"], true,
            "the default comes first"
        );
        assert!(
            app.portal_get("/api/v1/portal/payments", "wrong")
                .await
                .status()
                == 401
        );
    }
}
