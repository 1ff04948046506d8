//! The plan catalogue and plan changes: the vendor publishes plans with their prices and
//! allowed switches; the customer compares the switches their subscription may make, with
//! a day-based estimate, and asks for one; anything else answers 409.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{refused_fields, spawn_app, TestApp, TestStore, Vendor};
use crate::on_both_backends;
use crate::portal::subscription;

on_both_backends!(
    the_catalogue_is_checked_and_kept_under_the_vendors_ids,
    a_customer_compares_the_plans_they_may_switch_to_and_asks_for_one,
);

fn plan(name: &str, eur: i64, switches_to: &[&str]) -> Value {
    json!({"name": name, "interval": "month",
           "prices": [{"currency": "EUR", "amount": eur}, {"currency": "USD", "amount": eur + 500}],
           "features": [format!("{name} support"), "API access"], "switches_to": switches_to})
}

async fn publish(app: &TestApp, vendor: &Vendor) {
    for (id, body) in [
        ("starter", plan("Starter", 1900, &["pro"])),
        (
            "pro",
            plan("Pro", 4900, &["starter", "team", "retired", "dollars_only"]),
        ),
        ("team", plan("Team", 9900, &["pro"])),
        (
            "yearly",
            json!({"name": "Pro yearly", "interval": "year", "prices": [{"currency": "EUR", "amount": 49000}]}),
        ),
        (
            "dollars_only",
            json!({"name": "US", "interval": "month", "prices": [{"currency": "USD", "amount": 100}]}),
        ),
    ] {
        let status = app
            .put(vendor, &format!("/v1/plans/{id}"), &body)
            .await
            .status();
        assert_eq!(status, 201, "{id}");
    }
}

/// `GET …/subscriptions/{id}/plans` with the session `token`.
async fn choices_of(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    let path = format!("/api/v1/portal/subscriptions/{id}/plans");
    app.portal(Method::GET, &path, token, None).await
}

async fn the_catalogue_is_checked_and_kept_under_the_vendors_ids(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let bad = json!({"name": " ", "interval": "month",
                     "prices": [{"currency": "EUR", "amount": -1}, {"currency": "EUR", "amount": 5}],
                     "features": ["\u{7}"], "switches_to": ["pro", "a b"]});
    let fields = refused_fields(app.put(&vendor, "/v1/plans/pro", &bad).await).await;
    assert_eq!(
        fields,
        [
            "name",
            "prices[0].amount",
            "prices[1].currency",
            "features[0]",
            "switches_to[1]",
            "switches_to"
        ]
    );
    let no_price = json!({"name": "Free", "interval": "month", "prices": []});
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/plans/free", &no_price).await).await,
        ["prices"]
    );
    for malformed in [
        json!([]),
        json!({"name": "X", "interval": "weekly", "prices": [{"currency": "EUR", "amount": 1}]}),
        json!({"name": "X"}),
    ] {
        let status = app
            .put(&vendor, "/v1/plans/x", &malformed)
            .await
            .status()
            .as_u16();
        assert!(status == 400 || status == 422, "{malformed}: {status}");
    }

    publish(&app, &vendor).await;
    let replaced = app
        .put(&vendor, "/v1/plans/pro", &plan("Pro", 5900, &["team"]))
        .await;
    assert_eq!(replaced.status(), 200);
    let (status, pro) = app.get_json(&vendor, "/v1/plans/pro").await;
    assert_eq!(status, 200);
    assert_eq!(pro["prices"][0], json!({"currency": "EUR", "amount": 5900}));
    assert_eq!(pro["switches_to"], json!(["team"]));
    let (_, all) = app.get_json(&vendor, "/v1/plans").await;
    let ids: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dollars_only", "pro", "starter", "team", "yearly"]);
    let deleted = app
        .vendor_send(Method::DELETE, "/v1/plans/team", &vendor)
        .await;
    assert_eq!(deleted.status(), 204);
    let again = app
        .vendor_send(Method::DELETE, "/v1/plans/team", &vendor)
        .await;
    assert_eq!(again.status(), 404);
    // Another vendor's catalogue is its own.
    let other = app.vendor("Other").await;
    let (status, _) = app.get_json(&other, "/v1/plans/pro").await;
    assert_eq!(status, 404);
}

async fn a_customer_compares_the_plans_they_may_switch_to_and_asks_for_one(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    publish(&app, &vendor).await;
    let mut sub = subscription("cus_1", "active");
    sub["plan_id"] = json!("pro");
    assert_eq!(
        app.put(&vendor, "/v1/subscriptions/sub_1", &sub)
            .await
            .status(),
        201
    );
    let (_, stored) = app.get_json(&vendor, "/v1/subscriptions/sub_1").await;
    let id = stored["id"].as_str().unwrap().to_owned();
    // The 21st of a 30-day period: 10 days left, today included.
    app.clock.advance(chrono::Duration::days(20));
    let token = app.session_for(&vendor, "cus_1").await;

    let (status, choices) = choices_of(&app, &token, &id).await;
    assert_eq!(status, 200, "{choices}");
    assert_eq!(choices["current"]["id"], "pro");
    assert_eq!(choices["current"]["amount"], 4900, "what the customer pays");
    assert_eq!(
        (
            choices["days_left"].as_i64(),
            choices["period_days"].as_i64()
        ),
        (Some(10), Some(30))
    );
    let offered: Vec<(&str, i64, Value)> = choices["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["plan"]["id"].as_str().unwrap(),
                o["plan"]["amount"].as_i64().unwrap(),
                o["estimate"].clone(),
            )
        })
        .collect();
    // A plan the catalogue no longer has, or not sold in euros, is not offered.
    assert_eq!(
        offered,
        [("starter", 1900, json!(-1000)), ("team", 9900, json!(1667))]
    );

    let change = |plan: &str| {
        let (app, token, id) = (&app, &token, &id);
        let body = json!({ "plan_id": plan });
        async move {
            app.portal(
                Method::POST,
                &format!("/api/v1/portal/subscriptions/{id}/change_plan"),
                token,
                Some(body),
            )
            .await
        }
    };
    for not_allowed in ["yearly", "dollars_only", "retired", "pro", "nonsense"] {
        let (status, body) = change(not_allowed).await;
        assert_eq!(status, 409, "{not_allowed}: {body}");
    }
    let (status, _) = change("team").await;
    assert_eq!(status, 204);
    let events = app.events(&vendor).await;
    let asked: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "subscription.change_requested")
        .collect();
    assert_eq!(asked.len(), 1);
    let payload = &asked[0]["payload"];
    assert_eq!(
        (payload["from_plan"].as_str(), payload["to_plan"].as_str()),
        (Some("pro"), Some("team"))
    );
    assert_eq!(payload["estimate"], 1667);
    assert_eq!(payload["external_id"], "sub_1");
    // Portico does not change the subscription: the vendor does, and pushes it.
    let (_, unchanged) = app.get_json(&vendor, "/v1/subscriptions/sub_1").await;
    assert_eq!(unchanged["plan_id"], "pro");

    // Another customer's subscription is not found; one without a catalogue plan has no
    // choices; a subscription ending at its period's end offers none.
    app.put(&vendor, "/v1/customers/cus_2", &json!({"name": "Other"}))
        .await;
    let other = app.session_for(&vendor, "cus_2").await;
    let (status, _) = choices_of(&app, &other, &id).await;
    assert_eq!(status, 404);
    let mut plain = subscription("cus_1", "active");
    plain["plan"] = json!("Legacy");
    app.put(&vendor, "/v1/subscriptions/sub_2", &plain).await;
    let (_, legacy) = app.get_json(&vendor, "/v1/subscriptions/sub_2").await;
    let (status, _) = choices_of(&app, &token, legacy["id"].as_str().unwrap()).await;
    assert_eq!(status, 404);
    sub["cancel_at_period_end"] = json!(true);
    app.put(&vendor, "/v1/subscriptions/sub_1", &sub).await;
    let (_, ending) = choices_of(&app, &token, &id).await;
    assert_eq!(ending["options"], json!([]));
    assert_eq!(change("team").await.0, 409);

    // An organisation can turn plan changes off.
    app.settings(&vendor, json!({"allow_plan_change": false}))
        .await;
    let (status, _) = choices_of(&app, &token, &id).await;
    assert_eq!(status, 403);
    assert_eq!(change("team").await.0, 403);
}
