//! Credit balances: the vendor writes a customer's credit per currency with its movements;
//! the customer sees it on the payments tab and in the overview, at once after each write,
//! and never another customer's.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{refused_fields, spawn_app, TestStore};
use crate::on_both_backends;

on_both_backends!(
    a_credit_balance_is_checked_and_replaced_per_currency,
    the_customer_sees_their_credit_and_no_one_elses,
);

fn balance(currency: &str, amount: i64, transactions: Value) -> Value {
    json!({"currency": currency, "amount": amount, "transactions": transactions})
}

async fn a_credit_balance_is_checked_and_replaced_per_currency(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let path = "/v1/customers/cus_1/balance";

    let bad = balance(
        "EURO",
        -5,
        json!([
            {"amount": 0, "description": "Nothing", "created_at": "2026-05-01T10:00:00Z"},
            {"amount": 500, "description": " ", "created_at": "2026-05-02T10:00:00Z"},
        ]),
    );
    let fields = refused_fields(app.put(&vendor, path, &bad).await).await;
    assert_eq!(
        fields,
        [
            "currency",
            "amount",
            "transactions[0].amount",
            "transactions[1].description"
        ]
    );
    let many: Vec<Value> = (0..501)
        .map(|i| json!({"amount": 1, "description": format!("#{i}"), "created_at": "2026-05-01T10:00:00Z"}))
        .collect();
    let fields = refused_fields(
        app.put(&vendor, path, &balance("EUR", 501, json!(many)))
            .await,
    )
    .await;
    assert_eq!(fields, ["transactions"]);
    for malformed in [
        json!([]),
        json!({"currency": "EUR"}),
        json!({"currency": "EUR", "amount": 1, "transactions": [[1]]}),
    ] {
        let status = app.put(&vendor, path, &malformed).await.status().as_u16();
        assert!(status == 400 || status == 422, "{malformed}: {status}");
    }
    let nobody = app
        .put(
            &vendor,
            "/v1/customers/nobody/balance",
            &balance("EUR", 1, json!([])),
        )
        .await;
    assert_eq!(nobody.status(), 404);

    // Kept with its movements newest first, by the vendor's id or Portico's.
    let euros = balance(
        "EUR",
        2500,
        json!([
            {"amount": 5000, "description": "Refund kept as credit", "created_at": "2026-04-01T10:00:00Z"},
            {"amount": -2500, "description": "Applied to INV-7", "created_at": "2026-05-01T10:00:00Z"},
        ]),
    );
    let response = app.put(&vendor, path, &euros).await;
    assert_eq!(response.status(), 200);
    let kept: Value = response.json().await.unwrap();
    assert_eq!(kept["amount"], 2500);
    assert_eq!(kept["transactions"][0]["description"], "Applied to INV-7");
    let (_, customer) = app.get_json(&vendor, "/v1/customers/cus_1").await;
    let by_portico_id = format!("/v1/customers/{}/balance", customer["id"].as_str().unwrap());
    let dollars = balance("USD", 900, json!([]));
    assert_eq!(
        app.put(&vendor, &by_portico_id, &dollars).await.status(),
        200
    );
    let (status, all) = app.get_json(&vendor, path).await;
    assert_eq!(status, 200);
    let currencies: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["EUR", "USD"]);

    // Writing a currency again replaces it; 0 with no movements removes it.
    let response = app.put(&vendor, path, &balance("EUR", 0, json!([]))).await;
    assert_eq!(response.status(), 200);
    let (_, all) = app.get_json(&vendor, path).await;
    assert_eq!(
        all["data"],
        json!([{"currency": "USD", "amount": 900, "transactions": [], "updated_at": all["data"][0]["updated_at"]}])
    );
    let (status, _) = app.get_json(&vendor, "/v1/customers/nobody/balance").await;
    assert_eq!(status, 404);
}

async fn the_customer_sees_their_credit_and_no_one_elses(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app.session_for(&vendor, "cus_1").await;
    let credits = |token: String| {
        let app = &app;
        async move {
            app.portal(Method::GET, "/api/v1/portal/credits", &token, None)
                .await
        }
    };
    let (status, none) = credits(token.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(none["data"], json!([]));

    // Read once, so that the list is in memory: the write must still show at once.
    let held = balance(
        "EUR",
        1200,
        json!([{"amount": 1200, "description": "Goodwill <b>credit</b>", "created_at": "2026-05-01T10:00:00Z"}]),
    );
    let put = app.put(&vendor, "/v1/customers/cus_1/balance", &held).await;
    assert_eq!(put.status(), 200);
    let (_, shown) = credits(token.clone()).await;
    assert_eq!(shown["data"][0]["amount"], 1200);
    assert_eq!(
        shown["data"][0]["transactions"][0]["description"],
        "Goodwill <b>credit</b>"
    );
    let (_, overview) = app
        .portal(Method::GET, "/api/v1/portal/overview", &token, None)
        .await;
    assert_eq!(
        overview["credits"],
        json!([{"currency": "EUR", "amount": 1200}])
    );

    // Another customer of the same vendor sees none of it.
    app.put(&vendor, "/v1/customers/cus_2", &json!({"name": "Other"}))
        .await;
    let other = app.session_for(&vendor, "cus_2").await;
    let (_, theirs) = credits(other.clone()).await;
    assert_eq!(theirs["data"], json!([]));
    let (_, their_overview) = app
        .portal(Method::GET, "/api/v1/portal/overview", &other, None)
        .await;
    assert_eq!(their_overview["credits"], json!([]));

    // A credit used up is no longer shown as held, but its movements stay.
    let used = balance(
        "EUR",
        0,
        json!([
            {"amount": 1200, "description": "Goodwill credit", "created_at": "2026-05-01T10:00:00Z"},
            {"amount": -1200, "description": "Applied to INV-9", "created_at": "2026-06-01T10:00:00Z"},
        ]),
    );
    app.put(&vendor, "/v1/customers/cus_1/balance", &used).await;
    let (_, overview) = app
        .portal(Method::GET, "/api/v1/portal/overview", &token, None)
        .await;
    assert_eq!(overview["credits"], json!([]));
    let (_, shown) = credits(token.clone()).await;
    assert_eq!(
        shown["data"][0]["transactions"].as_array().unwrap().len(),
        2
    );

    // Where the payments tab is hidden, so is the credit.
    app.settings(&vendor, json!({"sections": ["overview", "invoices"]}))
        .await;
    let (status, _) = credits(token.clone()).await;
    assert_eq!(status, 403);
    let (_, overview) = app
        .portal(Method::GET, "/api/v1/portal/overview", &token, None)
        .await;
    assert_eq!(overview["credits"], json!([]));
}
