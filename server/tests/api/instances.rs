//! Two Portico instances on one PostgreSQL, as behind a load balancer: each has its own
//! connection pool, caches and counters, and they share only the database.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{postgres_store, postgres_store_at, spawn_app_with, TestApp};

/// Two instances on one fresh schema, allowing `exchanges` link exchanges per client per
/// minute between them; `None` without PostgreSQL.
async fn two_instances(exchanges: &str) -> Option<(TestApp, TestApp)> {
    let Some(first) = postgres_store().await else {
        eprintln!("PORTICO_TEST_POSTGRES_URL is not set: skipped");
        return None;
    };
    let second = postgres_store_at(&first.url).await;
    let limit = [("PORTICO_EXCHANGE_LIMIT_PER_MINUTE", exchanges)];
    Some((
        spawn_app_with(first, &limit).await,
        spawn_app_with(second, &limit).await,
    ))
}

/// The limit for tests that exchange more links than a minute normally allows (the limit
/// is shared between the instances too).
const MANY: &str = "1000";

/// A link for the vendor's first customer, made through `app`: its id and token.
async fn link(app: &TestApp, vendor: &crate::helpers::Vendor) -> (String, String) {
    let response = app
        .post_json(
            "/v1/portal_sessions",
            &json!({"customer_id": "cus_1"}),
            vendor,
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    (
        created["id"].as_str().unwrap().to_owned(),
        TestApp::token_of(created["url"].as_str().unwrap()),
    )
}

/// A link made and opened through `app`: its id and the session token.
async fn opened(app: &TestApp, vendor: &crate::helpers::Vendor) -> (String, String) {
    let (id, token) = link(app, vendor).await;
    let opened: Value = app.exchange(&token).await.json().await.unwrap();
    (id, opened["session_token"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_link_exchanged_through_both_at_once_opens_one_session() {
    let Some((a, b)) = two_instances(MANY).await else {
        return;
    };
    let vendor = a.vendor("Vendor").await;
    for _ in 0..20 {
        let (_, token) = link(&a, &vendor).await;
        let (one, other) = tokio::join!(a.exchange(&token), b.exchange(&token));
        let mut statuses = [one.status().as_u16(), other.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 410], "exactly one instance opens the link");
    }
}

#[tokio::test]
async fn a_revocation_through_one_ends_the_session_on_the_other_at_once() {
    let Some((a, b)) = two_instances(MANY).await else {
        return;
    };
    let vendor = a.vendor("Vendor").await;
    let (id, session) = &opened(&a, &vendor).await;
    assert_eq!(
        b.portal_get("/api/v1/portal/invoices", session)
            .await
            .status(),
        200
    );

    // The other instance has the session and the list in memory too.
    assert_eq!(
        a.portal_get("/api/v1/portal/invoices", session)
            .await
            .status(),
        200
    );

    let route = format!("/v1/portal_sessions/{id}");
    let revoked = b.vendor_send(Method::DELETE, &route, &vendor).await;
    assert_eq!(revoked.status(), 204);
    let at = Instant::now();
    // The instance that revoked refuses the very next call.
    let response = b.portal_get("/api/v1/portal/invoices", session).await;
    assert_eq!(response.status(), 401);
    // The other hears of it from the database's notification, well before anything it
    // keeps would have been read again (a second).
    let took = until_status(&a, "/api/v1/portal/invoices", session, 401, at).await;
    eprintln!("the other instance refused the revoked session after {took:?}");
}

/// Polls `path` on `app` until it answers `status`, for at most half a second after
/// `since` (half the time the cache keeps anything): how long it took.
async fn until_status(
    app: &TestApp,
    path: &str,
    session: &str,
    status: u16,
    since: Instant,
) -> Duration {
    loop {
        let response = app.portal_get(path, session).await;
        if response.status().as_u16() == status {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < Duration::from_millis(500),
            "{path} still answers {} after {:?}",
            response.status(),
            since.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_record_pushed_through_one_shows_on_the_other_at_once() {
    let Some((a, b)) = two_instances(MANY).await else {
        return;
    };
    let vendor = a.vendor("Vendor").await;
    let (_, session) = &opened(&a, &vendor).await;
    let list = "/api/v1/portal/invoices";
    let count = |page: Value| page["data"].as_array().unwrap().len();
    for app in [&a, &b] {
        let page: Value = app.portal_get(list, session).await.json().await.unwrap();
        assert_eq!(count(page), 0);
    }
    let put = b
        .vendor_request(Method::PUT, "/v1/invoices/i1", &vendor)
        .json(&crate::portal::invoice("cus_1", "A-1", "open", 100, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 201);
    let at = Instant::now();
    let page: Value = b.portal_get(list, session).await.json().await.unwrap();
    assert_eq!(count(page), 1);
    loop {
        let page: Value = a.portal_get(list, session).await.json().await.unwrap();
        if count(page) == 1 {
            break;
        }
        assert!(
            at.elapsed() < Duration::from_millis(500),
            "the other instance still shows no invoice after {:?}",
            at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "the other instance showed the invoice after {:?}",
        at.elapsed()
    );
}

#[tokio::test]
async fn a_settings_change_through_one_reaches_the_other_at_once() {
    let Some((a, b)) = two_instances(MANY).await else {
        return;
    };
    let vendor = a.vendor("Vendor").await;
    let (_, session) = &opened(&a, &vendor).await;
    // Both instances have read the organisation, and keep it in memory.
    for app in [&a, &b] {
        assert_eq!(
            app.portal_get("/api/v1/portal/payments", session)
                .await
                .status(),
            200
        );
    }

    let patched = a
        .vendor_request(Method::PATCH, "/v1/settings", &vendor)
        .json(&json!({"sections": ["invoices", "profile"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let changed = Instant::now();
    // The instance that made the change knows at once.
    assert_eq!(
        a.portal_get("/api/v1/portal/payments", session)
            .await
            .status(),
        403
    );
    loop {
        let status = b
            .portal_get("/api/v1/portal/payments", session)
            .await
            .status();
        if status == 403 {
            break;
        }
        assert_eq!(status, 200);
        assert!(
            // Half the second anything is kept: the notification did it.
            changed.elapsed() <= Duration::from_millis(500),
            "the other instance still shows the hidden section after {:?}",
            changed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    eprintln!(
        "the other instance hid the section after {:?}",
        changed.elapsed()
    );
}

#[tokio::test]
async fn instances_starting_together_apply_each_migration_once() {
    let Some(first) = postgres_store().await else {
        eprintln!("PORTICO_TEST_POSTGRES_URL is not set: skipped");
        return;
    };
    // A fresh schema: drop what the first store migrated, then start four at once.
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&first.url)
        .await
        .unwrap();
    let schema: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let url = first.url.clone();
    let starts = (0..4).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { server::store::PgStore::connect(&url).await })
    });
    for started in futures_util::future::join_all(starts).await {
        started.unwrap().expect("every instance starts");
    }
    let applied: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT version, count(*) FROM _sqlx_migrations GROUP BY version ORDER BY version",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    assert!(!applied.is_empty());
    for (version, count) in &applied {
        assert_eq!(*count, 1, "migration {version}");
    }
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE NOT success")
        .fetch_one(&admin)
        .await
        .unwrap();
    assert_eq!(failed, 0);
    admin.close().await;
    drop(first);
}

#[tokio::test]
async fn the_limits_hold_across_instances() {
    let Some((a, b)) = two_instances("4").await else {
        return;
    };

    // Four exchanges from one client, two through each instance, then the fifth is refused
    // by whichever instance gets it.
    let mut statuses = Vec::new();
    for (n, app) in [&a, &b, &a, &b, &a, &b].into_iter().enumerate() {
        statuses.push(app.exchange(&format!("guess-{n}")).await.status().as_u16());
    }
    assert!(statuses[..4].iter().all(|s| *s != 429), "{statuses:?}");
    assert_eq!(&statuses[4..], [429, 429], "{statuses:?}");

    // Failed API keys: twenty between both instances, then neither checks keys any more.
    let vendor = a.vendor("Vendor").await;
    let wrong = crate::helpers::Vendor {
        key: "ptc_wrong".into(),
        ..vendor
    };
    let customers = |app: &TestApp| {
        app.vendor_request(Method::GET, "/v1/customers", &wrong)
            .send()
    };
    for n in 0..server::state::KEY_FAILURES_PER_MINUTE {
        let app = if n % 2 == 0 { &a } else { &b };
        assert_eq!(customers(app).await.unwrap().status(), 401);
    }
    for app in [&a, &b] {
        assert_eq!(customers(app).await.unwrap().status(), 429);
    }
    // A new window starts the count again on both.
    for app in [&a, &b] {
        app.clock.advance(chrono::Duration::seconds(60));
    }
    assert_eq!(customers(&b).await.unwrap().status(), 401);
}
