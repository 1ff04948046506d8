//! What a customer may do to a subscription beyond cancelling it: say why (from the
//! organisation's reasons), keep it after all before the period ends, and ask for a pause.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fields_of, refused, spawn_app, TestApp, TestStore, Vendor};
use crate::on_both_backends;
use crate::portal::subscription;

on_both_backends!(
    a_cancellation_says_why_from_the_organisations_reasons,
    a_pending_cancellation_can_be_undone_before_the_period_ends,
    a_pause_is_asked_for_where_the_organisation_allows_it,
);

/// A session of `cus_1`, who has the active subscription `s1`, and the subscription's id.
async fn subscribed(app: &TestApp, vendor: &Vendor) -> (String, String) {
    app.vendor_put(
        vendor,
        "/v1/subscriptions/s1",
        subscription("cus_1", "active"),
    )
    .await;
    let token = app.session_for(vendor, "cus_1").await;
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/subscriptions", &token, None)
        .await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    (token, id)
}

async fn a_cancellation_says_why_from_the_organisations_reasons(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    // The organisation's reasons: checked when set, "other" is always there.
    let patch = json!({"cancellation_reasons": ["Too expensive", "Other"]});
    let refused_fields = refused(app.patch_settings(&vendor, patch).await);
    assert_eq!(refused_fields, ["cancellation_reasons[1]"]);
    app.settings(
        &vendor,
        json!({"cancellation_reasons": ["Too expensive", "Missing a feature"],
               "retention_message": "Stay and get 20 % off for three months."}),
    )
    .await;
    let (token, id) = subscribed(&app, &vendor).await;
    let path = format!("/api/v1/portal/subscriptions/{id}/cancel");

    for (body, field) in [
        (None, "reason"),
        (Some(json!({})), "reason"),
        (Some(json!({"reason": "Bored"})), "reason"),
        (Some(json!({"reason": "other"})), "comment"),
        (Some(json!({"reason": "other", "comment": "  "})), "comment"),
        (
            Some(json!({"reason": "Too expensive", "comment": "x".repeat(501)})),
            "comment",
        ),
    ] {
        let (status, answer) = app.portal(Method::POST, &path, &token, body.clone()).await;
        assert_eq!(status, 422, "{body:?}: {answer}");
        assert_eq!(fields_of(&answer), [field], "{body:?}");
    }
    // Not an object with the known fields: refused, whatever its shape.
    for body in [
        json!({"reason": "Bored", "colour": 1}),
        json!([null, null]),
        json!("x"),
    ] {
        let (status, answer) = app.portal(Method::POST, &path, &token, Some(body)).await;
        assert!(status == 400 || status == 422, "{status} {answer}");
    }
    assert!(
        app.events(&vendor).await.is_empty(),
        "refusals record nothing"
    );

    let (status, answer) = app
        .portal(
            Method::POST,
            &path,
            &token,
            Some(json!({"reason": "Too expensive", "comment": "Half the team left <b>"})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["cancel_at_period_end"], true);
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "subscription.cancellation_requested");
    assert_eq!(events[0]["payload"]["reason"], "Too expensive");
    assert_eq!(events[0]["payload"]["comment"], "Half the team left <b>");

    // Without reasons listed, none may be given, a comment may.
    app.settings(&vendor, json!({"cancellation_reasons": []}))
        .await;
    app.vendor_put(
        &vendor,
        "/v1/subscriptions/s2",
        subscription("cus_1", "active"),
    )
    .await;
    let token = app.session_for(&vendor, "cus_1").await;
    let s2 = app.get_json(&vendor, "/v1/subscriptions/s2").await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/portal/subscriptions/{s2}/cancel");
    let (status, answer) = app
        .portal(
            Method::POST,
            &path,
            &token,
            Some(json!({"reason": "Too expensive"})),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    let (status, _) = app
        .portal(
            Method::POST,
            &path,
            &token,
            Some(json!({"comment": "Moving to paper"})),
        )
        .await;
    assert_eq!(status, 200);
}

async fn a_pending_cancellation_can_be_undone_before_the_period_ends(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let (token, id) = subscribed(&app, &vendor).await;
    let resume = format!("/api/v1/portal/subscriptions/{id}/resume");
    let cancel = format!("/api/v1/portal/subscriptions/{id}/cancel");

    // Keeping what was never cancelled changes nothing and records nothing.
    let (status, answer) = app.portal(Method::POST, &resume, &token, None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["cancel_at_period_end"], false);
    assert!(app.events(&vendor).await.is_empty());

    assert_eq!(app.portal(Method::POST, &cancel, &token, None).await.0, 200);
    let (status, answer) = app.portal(Method::POST, &resume, &token, None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["cancel_at_period_end"], false);
    assert_eq!(answer["cancelled_at"], Value::Null);
    let kinds: Vec<Value> = app
        .events(&vendor)
        .await
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "subscription.cancellation_requested",
            "subscription.cancellation_withdrawn"
        ]
    );
    let (_, record) = app.get_json(&vendor, "/v1/subscriptions/s1").await;
    assert_eq!(record["cancel_at_period_end"], false);

    // Once the period is over, it is too late; another customer's is not found.
    assert_eq!(app.portal(Method::POST, &cancel, &token, None).await.0, 200);
    app.clock.advance(chrono::Duration::days(31));
    let token = app.session_for(&vendor, "cus_1").await;
    assert_eq!(app.portal(Method::POST, &resume, &token, None).await.0, 409);
    let other = app.session_for(&vendor, "cus_2").await;
    assert_eq!(app.portal(Method::POST, &resume, &other, None).await.0, 404);
}

async fn a_pause_is_asked_for_where_the_organisation_allows_it(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let (token, id) = subscribed(&app, &vendor).await;
    let pause = format!("/api/v1/portal/subscriptions/{id}/pause");
    let (status, answer) = app.portal(Method::POST, &pause, &token, None).await;
    assert_eq!(
        status, 403,
        "off unless the organisation allows it: {answer}"
    );

    app.settings(&vendor, json!({"allow_subscription_pause": true}))
        .await;
    let (status, answer) = app
        .portal(
            Method::POST,
            &pause,
            &token,
            Some(json!({"comment": "Back in autumn"})),
        )
        .await;
    assert_eq!(status, 204, "{answer}");
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "subscription.pause_requested");
    assert_eq!(events[0]["payload"]["comment"], "Back in autumn");
    assert_eq!(events[0]["payload"]["external_id"], "s1");
    // The vendor decides: the subscription itself is unchanged.
    let (_, record) = app.get_json(&vendor, "/v1/subscriptions/s1").await;
    assert_eq!(record["status"], "active");

    // Only one that renews can be paused.
    let cancel = format!("/api/v1/portal/subscriptions/{id}/cancel");
    assert_eq!(app.portal(Method::POST, &cancel, &token, None).await.0, 200);
    assert_eq!(app.portal(Method::POST, &pause, &token, None).await.0, 409);
}
