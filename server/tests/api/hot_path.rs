//! The portal's hot path answers from memory (`store::cache`): what a customer reads must
//! still change the moment the vendor, the customer or a revocation changes it, and a
//! read must write nothing.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp, TestStore, Vendor};
use crate::on_both_backends;
use crate::portal::{invoice, numbers, payment, subscription};

on_both_backends!(
    every_change_shows_in_the_next_read,
    an_ended_session_is_refused_by_the_next_read,
    the_metrics_count_what_memory_answered,
);

/// A server with a vendor whose customer `cus_1` has one open invoice, `A-1`.
async fn one_invoice(db: TestStore) -> (TestApp, Vendor) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let new_invoice = invoice("cus_1", "A-1", "open", 1000, 1);
    app.vendor_put(&vendor, "/v1/invoices/i1", new_invoice)
        .await;
    (app, vendor)
}

async fn every_change_shows_in_the_next_read(db: TestStore) {
    let (app, vendor) = one_invoice(db).await;
    let one = app.session_for(&vendor, "cus_1").await;
    let two = app.session_for(&vendor, "cus_2").await;
    let list = "/api/v1/portal/invoices";
    let read = |token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move {
            let (status, page) = app.portal(Method::GET, list, &token, None).await;
            assert_eq!(status, 200, "{page}");
            page
        }
    };
    // Each read below comes right after a read of the same list, which the server keeps.
    assert_eq!(numbers(&read(&one).await), ["A-1"]);
    assert_eq!(numbers(&read(&one).await), ["A-1"]);

    let new_invoice = invoice("cus_1", "A-2", "open", 2000, 2);
    app.vendor_put(&vendor, "/v1/invoices/i2", new_invoice)
        .await;
    assert_eq!(numbers(&read(&one).await), ["A-2", "A-1"]);
    let new_invoice = invoice("cus_1", "A-2", "paid", 2500, 2);
    app.vendor_put(&vendor, "/v1/invoices/i2", new_invoice)
        .await;
    let page = read(&one).await;
    assert_eq!(page["data"][0]["total"], 2500);
    assert_eq!(page["data"][0]["status"], "paid");

    // A moved invoice leaves the old customer's list and joins the new one's.
    assert!(numbers(&read(&two).await).is_empty());
    let new_invoice = invoice("cus_2", "A-2", "paid", 2500, 2);
    app.vendor_put(&vendor, "/v1/invoices/i2", new_invoice)
        .await;
    assert_eq!(numbers(&read(&one).await), ["A-1"]);
    assert_eq!(numbers(&read(&two).await), ["A-2"]);

    // Through the import too.
    let import = app
        .vendor_request(Method::POST, "/v1/import", &vendor)
        .header("content-type", "application/x-ndjson")
        .body(format!(
            "{}\n",
            json!({"type": "invoice", "id": "i3", "data": invoice("cus_1", "A-3", "open", 300, 3)})
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 200, "{}", import.text().await.unwrap());
    assert_eq!(numbers(&read(&one).await), ["A-3", "A-1"]);

    // A deleted entitlement is gone from the next read.
    let entitlements = "/api/v1/portal/entitlements";
    app.vendor_put(
        &vendor,
        "/v1/entitlements/e1",
        json!({"customer_id": "cus_1", "feature": "Seats", "usage": 1, "unit": "seats",
               "valid_from": "2026-01-01"}),
    )
    .await;
    let (_, listed) = app.portal(Method::GET, entitlements, &one, None).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
    let id = listed["data"][0]["id"].as_str().unwrap().to_owned();
    let deleted = app
        .vendor_send(Method::DELETE, &format!("/v1/entitlements/{id}"), &vendor)
        .await;
    assert_eq!(deleted.status(), 204);
    let (_, listed) = app.portal(Method::GET, entitlements, &one, None).await;
    assert_eq!(listed["data"], json!([]));

    // Payments, and the whole-list tabs, the same way.
    let payments = "/api/v1/portal/payments";
    let (_, before) = app.portal(Method::GET, payments, &one, None).await;
    assert_eq!(before["data"], json!([]));
    app.vendor_put(&vendor, "/v1/payments/p1", payment("cus_1", 1000, 2))
        .await;
    let (status, after) = app.portal(Method::GET, payments, &one, None).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["data"].as_array().unwrap().len(), 1, "{after}");

    let subscriptions = "/api/v1/portal/subscriptions";
    app.vendor_put(
        &vendor,
        "/v1/subscriptions/s1",
        subscription("cus_1", "active"),
    )
    .await;
    let (_, listed) = app.portal(Method::GET, subscriptions, &one, None).await;
    assert_eq!(listed["data"][0]["cancel_at_period_end"], false);
    // The customer's own change, too.
    let id = listed["data"][0]["id"].as_str().unwrap();
    let route = format!("/api/v1/portal/subscriptions/{id}/cancel");
    let (status, body) = app.portal(Method::POST, &route, &one, None).await;
    assert_eq!(status, 200, "{body}");
    let (_, listed) = app.portal(Method::GET, subscriptions, &one, None).await;
    assert_eq!(listed["data"][0]["cancel_at_period_end"], true);

    // A deleted customer's session ends with them.
    let (_, before) = app.portal(Method::GET, list, &two, None).await;
    assert_eq!(numbers(&before), ["A-2"]);
    let route = format!("/v1/customers/{}", vendor.customers[1]);
    let deleted = app.vendor_send(Method::DELETE, &route, &vendor).await;
    assert_eq!(deleted.status(), 204);
    let (status, _) = app.portal(Method::GET, list, &two, None).await;
    assert_eq!(status, 401);
}

async fn an_ended_session_is_refused_by_the_next_read(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let list = "/api/v1/portal/invoices";

    // Logged out.
    let token = app.session_for(&vendor, "cus_1").await;
    assert_eq!(app.portal(Method::GET, list, &token, None).await.0, 200);
    let (status, _) = app
        .portal(Method::POST, "/api/v1/session/logout", &token, None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(app.portal(Method::GET, list, &token, None).await.0, 401);

    // Its link revoked by the vendor.
    let response = app
        .post_json(
            "/v1/portal_sessions",
            &json!({"customer_id": "cus_1"}),
            &vendor,
        )
        .await;
    let created: Value = response.json().await.unwrap();
    let opened: Value = app
        .exchange(&TestApp::token_of(created["url"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    let token = opened["session_token"].as_str().unwrap();
    assert_eq!(app.portal(Method::GET, list, token, None).await.0, 200);
    let revoked = app
        .vendor_request(
            Method::DELETE,
            &format!("/v1/portal_sessions/{}", created["id"].as_str().unwrap()),
            &vendor,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(app.portal(Method::GET, list, token, None).await.0, 401);

    // Its key revoked by the operator: every link the key made stops with it.
    let token = app.session_for(&vendor, "cus_1").await;
    assert_eq!(app.portal(Method::GET, list, &token, None).await.0, 200);
    let prefix = server::token::api_key_prefix(&vendor.key);
    let revoked = app
        .store()
        .revoke_api_keys(&vendor.organisation, &prefix, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(revoked, 1);
    assert_eq!(app.portal(Method::GET, list, &token, None).await.0, 401);

    // Lapsed: idle past its timeout on the server's clock.
    let vendor = app.vendor("Other").await;
    let token = app
        .open_session(
            &vendor,
            json!({"customer_id": "cus_1", "idle_timeout": 300}),
        )
        .await;
    assert_eq!(app.portal(Method::GET, list, &token, None).await.0, 200);
    app.clock.advance(chrono::Duration::seconds(301));
    assert_eq!(app.portal(Method::GET, list, &token, None).await.0, 401);
}

/// A portal read changes nothing in the database: on SQLite, another connection sees no
/// commit (`PRAGMA data_version`) over a hundred reads of every list.
#[tokio::test]
async fn portal_reads_write_nothing() {
    let db = crate::helpers::sqlite_store().await;
    let url = db.url.clone();
    let (app, vendor) = one_invoice(db).await;
    let token = app.session_for(&vendor, "cus_1").await;
    let paths = [
        "/api/v1/portal/session",
        "/api/v1/portal/overview",
        "/api/v1/portal/invoices",
        "/api/v1/portal/invoices?status=open&sort=total&order=asc",
        "/api/v1/portal/payments",
        "/api/v1/portal/subscriptions",
        "/api/v1/portal/entitlements",
        "/api/v1/portal/payment_methods",
        "/api/v1/portal/profile",
    ];
    for path in paths {
        let (status, body) = app.portal(Method::GET, path, &token, None).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let mut watcher = {
        use sqlx::Connection;
        sqlx::SqliteConnection::connect(&url).await.unwrap()
    };
    let before = data_version(&mut watcher).await;
    for _ in 0..12 {
        for path in paths {
            let (status, _) = app.portal(Method::GET, path, &token, None).await;
            assert_eq!(status, 200, "{path}");
        }
    }
    assert_eq!(data_version(&mut watcher).await, before, "a read wrote");
    // The watcher does see a write: the check can fail.
    let new_invoice = invoice("cus_1", "A-2", "open", 10, 2);
    app.vendor_put(&vendor, "/v1/invoices/i2", new_invoice)
        .await;
    assert_ne!(data_version(&mut watcher).await, before);
}

async fn data_version(connection: &mut sqlx::SqliteConnection) -> i64 {
    sqlx::query_scalar::<_, i64>("PRAGMA data_version")
        .fetch_one(connection)
        .await
        .unwrap()
}

/// `/metrics` says how often the hot path found its answer in memory.
async fn the_metrics_count_what_memory_answered(db: TestStore) {
    let token = "metrics-token-0123456789";
    let app = spawn_app_with(db, &[("PORTICO_METRICS_TOKEN", token)]).await;
    let vendor = app.vendor("Vendor").await;
    let session = app.session_for(&vendor, "cus_1").await;
    for _ in 0..3 {
        let (status, _) = app
            .portal(Method::GET, "/api/v1/portal/invoices", &session, None)
            .await;
        assert_eq!(status, 200);
    }
    let text = app
        .portal_get("/metrics", token)
        .await
        .text()
        .await
        .unwrap();
    let value = |kind: &str, result: &str| -> u64 {
        let name = format!("portico_cache_lookups_total{{kind=\"{kind}\",result=\"{result}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .parse()
            .unwrap()
    };
    // The first read finds neither; the next two find both (a kept read is fresh for a
    // second). On PostgreSQL nothing is kept until the change feed is heard, which a
    // slow start could delay past the first read.
    for kind in ["list", "session"] {
        assert_eq!(value(kind, "hit") + value(kind, "miss"), 3, "{text}");
        assert!(value(kind, "hit") >= 1, "{text}");
    }
    if app.store().backend() == server::store::Backend::Sqlite {
        assert_eq!(value("list", "hit"), 2, "{text}");
        assert_eq!(value("session", "hit"), 2, "{text}");
    }
}
