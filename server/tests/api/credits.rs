//! Credit balances: the vendor writes a customer's credit per currency with its movements;
//! the customer sees it on the payments tab and in the overview, at once after each write,
//! and never another customer's.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{refused_fields, spawn_app, TestStore};
use crate::on_both_backends;
use crate::records::{import, rejected_lines};

on_both_backends!(
    a_credit_balance_is_checked_and_replaced_per_currency,
    the_customer_sees_their_credit_and_no_one_elses,
    credit_and_plans_arrive_through_the_import_in_line_order,
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

/// A credit line may name a customer of an earlier line of the same import; plans and
/// credit take the checks of their `PUT`, and a bad line is reported in its place.
async fn credit_and_plans_arrive_through_the_import_in_line_order(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let credit = balance(
        "EUR",
        4500,
        json!([{"amount": 4500, "description": "Referral", "created_at": "2026-05-01T10:00:00Z"}]),
    );
    let plan = json!({"name": "Growth", "interval": "month",
                      "prices": [{"currency": "EUR", "amount": 4900}], "switches_to": ["scale"]});
    let mut subscription = crate::portal::subscription("cus_new", "active");
    subscription["plan_id"] = json!("growth");
    let lines = [
        json!({"type": "plan", "id": "growth", "data": plan}),
        json!({"type": "customer", "id": "cus_new", "data": {"name": "New"}}),
        json!({"type": "credit_balance", "id": "cus_new", "data": credit}),
        json!({"type": "credit_balance", "id": "nobody", "data": credit}),
        json!({"type": "credit_balance", "id": "cus_new", "data": balance("EURO", -1, json!([]))}),
        json!({"type": "plan", "id": "scale", "data": {"name": "Scale", "interval": "fortnight", "prices": []}}),
        json!({"type": "plan", "id": "loop", "data": {"name": "Loop", "interval": "month",
               "prices": [{"currency": "EUR", "amount": 1}], "switches_to": ["loop"]}}),
        json!({"type": "subscription", "id": "sub_new", "data": subscription}),
        json!({"type": "plan", "id": "growth", "data": plan}),
        json!({"type": "credit_balance", "id": "cus_new", "data": balance("USD", 100, json!([]))}),
        json!({"type": "credit_balance", "id": "cus_new", "data": credit}),
        json!({"type": "quote", "id": "q", "data": {}}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (status, report) = import(&app, &vendor, body).await;
    assert_eq!(status, 200, "{report}");
    let rejected = rejected_lines(&report);
    assert_eq!(
        rejected,
        [
            (4, "id"),
            (5, "data.currency"),
            (5, "data.amount"),
            (6, "data.interval"),
            (7, "data.switches_to"),
            (12, "type"),
        ],
        "{report}"
    );
    assert_eq!(report["rejected_count"], 5);
    assert!(report["rejected"][5]["reason"]
        .as_str()
        .unwrap()
        .contains("plan, credit_balance"));
    // Made: the plan, the customer, the euro credit, the subscription, the dollar credit;
    // written again: the plan and the euro credit.
    assert_eq!(
        (&report["accepted"], &report["created"], &report["updated"]),
        (&json!(7), &json!(5), &json!(2)),
        "{report}"
    );

    let (_, held) = app.get_json(&vendor, "/v1/customers/cus_new/balance").await;
    let amounts: Vec<(&str, i64)> = held["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["currency"].as_str().unwrap(),
                b["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(amounts, [("EUR", 4500), ("USD", 100)]);
    let (status, growth) = app.get_json(&vendor, "/v1/plans/growth").await;
    assert_eq!(status, 200);
    assert_eq!(growth["switches_to"], json!(["scale"]));
    let (status, _) = app.get_json(&vendor, "/v1/plans/scale").await;
    assert_eq!(status, 404);
}
