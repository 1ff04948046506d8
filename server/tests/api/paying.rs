//! Paying from the portal: the vendor's payment pages on invoices and customers, checked
//! when written; offered to the customer while something is owed; the vendor told when
//! the customer goes to pay; and all of it off where the organisation turns it off.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{fields_of, refused, spawn_app, TestApp, TestStore, Vendor};
use crate::on_both_backends;

on_both_backends!(
    payment_pages_are_checked_by_name,
    an_owed_invoice_offers_its_payment_page_and_the_vendor_hears_of_it,
    the_overdue_alert_offers_a_way_to_pay,
    an_organisation_can_turn_paying_off,
    a_payment_method_that_is_not_the_default_can_be_removed,
    the_setup_page_for_a_new_payment_method_is_the_customers_own,
);

const PSP: &str = "https://checkout.psp.example";

/// An invoice of `cus_1`, issued in May 2026 and due `due`, with a payment page.
fn invoice(number: &str, status: &str, due: &str, payment_url: Option<&str>) -> Value {
    let owed = if status == "paid" || status == "void" {
        0
    } else {
        4200
    };
    json!({
        "customer_id": "cus_1", "number": number, "status": status, "currency": "EUR",
        "total": 4200, "amount_due": owed, "due_date": due, "issued_at": "2026-05-02T09:00:00Z",
        "lines": [], "payment_url": payment_url,
    })
}

async fn put(app: &TestApp, vendor: &Vendor, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .vendor_request(Method::PUT, path, vendor)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `cus_1`'s invoice LATE, open and due on 20 May 2026, with a payment page.
async fn put_late_invoice(app: &TestApp, vendor: &Vendor) {
    let late = invoice(
        "LATE",
        "open",
        "2026-05-20",
        Some("https://pay.example/i/late"),
    );
    assert_eq!(put(app, vendor, "/v1/invoices/late", late).await.0, 201);
}

/// A page of the vendor's where `cus_1` pays everything overdue at once.
async fn give_balance_page(app: &TestApp, vendor: &Vendor) {
    let page = "https://pay.example/balance/cus_1";
    let customer = json!({"name": "Ada", "balance_payment_url": page});
    assert_eq!(
        put(app, vendor, "/v1/customers/cus_1", customer).await.0,
        200
    );
}

async fn payment_pages_are_checked_by_name(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    for bad in [
        "http://pay.example/i/1",
        "javascript:alert(1)",
        "/pay/1",
        "https://",
        "https://pay.example/<script>",
    ] {
        let (status, body) = put(
            &app,
            &vendor,
            "/v1/invoices/i1",
            invoice("I-1", "open", "2026-06-15", Some(bad)),
        )
        .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(fields_of(&body), ["payment_url"], "{bad}");
    }
    let (status, body) = put(
        &app,
        &vendor,
        "/v1/customers/cus_1",
        json!({"name": "Ada", "balance_payment_url": "ftp://pay.example/"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields_of(&body), ["balance_payment_url"]);

    // Any https page, until the organisation names its payment provider's origins.
    let (status, _) = put(
        &app,
        &vendor,
        "/v1/invoices/i1",
        invoice("I-1", "open", "2026-06-15", Some("https://pay.example/i/1")),
    )
    .await;
    assert_eq!(status, 201);
    let patch = json!({"payment_origins": ["http://psp.example"]});
    let named = refused(app.patch_settings(&vendor, patch).await);
    assert_eq!(named, ["payment_origins[0]"]);
    app.settings(&vendor, json!({"payment_origins": [PSP]}))
        .await;
    let (status, body) = put(
        &app,
        &vendor,
        "/v1/invoices/i2",
        invoice("I-2", "open", "2026-06-15", Some("https://pay.example/i/2")),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields_of(&body), ["payment_url"]);
    assert!(body.to_string().contains(PSP), "{body}");
    let (status, body) = put(
        &app,
        &vendor,
        "/v1/invoices/i2",
        invoice("I-2", "open", "2026-06-15", Some(&format!("{PSP}/i/2"))),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // The import applies the same rules, line by line.
    let lines = [
        json!({"type": "invoice", "id": "i3", "data": invoice("I-3", "open", "2026-06-15", Some("https://pay.example/i/3"))}),
        json!({"type": "invoice", "id": "i4", "data": invoice("I-4", "open", "2026-06-15", Some(&format!("{PSP}/i/4")))}),
    ]
    .map(|l| l.to_string())
    .join("\n");
    let response = app
        .vendor_request(Method::POST, "/v1/import", &vendor)
        .header("Content-Type", "application/x-ndjson")
        .body(lines)
        .send()
        .await
        .unwrap();
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(report["rejected"][0]["line"], 1);
    assert_eq!(report["rejected"][0]["field"], "data.payment_url");
}

async fn an_owed_invoice_offers_its_payment_page_and_the_vendor_hears_of_it(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let page = |n: &str| format!("https://pay.example/i/{n}");
    for (id, body) in [
        (
            "open",
            invoice("OPEN", "open", "2026-06-15", Some(&page("open"))),
        ),
        (
            "paid",
            invoice("PAID", "paid", "2026-05-15", Some(&page("paid"))),
        ),
        ("plain", invoice("PLAIN", "open", "2026-06-15", None)),
        (
            "draft",
            invoice("DRAFT", "draft", "2026-06-15", Some(&page("draft"))),
        ),
    ] {
        assert_eq!(
            put(&app, &vendor, &format!("/v1/invoices/{id}"), body)
                .await
                .0,
            201
        );
    }
    let mut other = invoice("OTHER", "open", "2026-06-15", Some(&page("other")));
    other["customer_id"] = json!("cus_2");
    put(&app, &vendor, "/v1/invoices/other", other).await;
    let token = app.session_for(&vendor, "cus_1").await;

    let (status, list) = app
        .portal(Method::GET, "/api/v1/portal/invoices", &token, None)
        .await;
    assert_eq!(status, 200);
    let by_number = |number: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["number"] == number)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_number("OPEN")["payment_url"], page("open"));
    let open_id = by_number("OPEN")["id"].as_str().unwrap().to_owned();
    let paid_id = by_number("PAID")["id"].as_str().unwrap().to_owned();
    let plain_id = by_number("PLAIN")["id"].as_str().unwrap().to_owned();

    let started = |id: &str| format!("/api/v1/portal/invoices/{id}/payment_started");
    let (status, body) = app
        .portal(Method::POST, &started(&open_id), &token, None)
        .await;
    assert_eq!(status, 204, "{body}");
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["kind"], "invoice.payment_started");
    assert_eq!(events[0]["payload"]["number"], "OPEN");
    assert_eq!(events[0]["payload"]["external_id"], "open");
    assert_eq!(events[0]["payload"]["amount_due"], 4200);
    assert_eq!(events[0]["payload"]["payment_url"], page("open"));

    // Nothing to pay online: paid, or no page. Another customer's invoice and a draft
    // are not found, as everywhere in the portal.
    for id in [&paid_id, &plain_id] {
        let (status, body) = app.portal(Method::POST, &started(id), &token, None).await;
        assert_eq!(status, 409, "{body}");
    }
    let other_id = app.get_json(&vendor, "/v1/invoices/other").await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft_id = app.get_json(&vendor, "/v1/invoices/draft").await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [&other_id, &draft_id, &"nope".to_owned()] {
        let (status, _) = app.portal(Method::POST, &started(id), &token, None).await;
        assert_eq!(status, 404, "{id}");
    }
    assert_eq!(
        app.events(&vendor).await.len(),
        1,
        "refusals record nothing"
    );
    let (status, _) = app
        .portal(Method::POST, &started(&open_id), "not-a-session", None)
        .await;
    assert_eq!(status, 401);
}

async fn the_overdue_alert_offers_a_way_to_pay(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    // The test clock stands at 1 June 2026: due in May is overdue.
    put_late_invoice(&app, &vendor).await;
    put(
        &app,
        &vendor,
        "/v1/invoices/soon",
        invoice(
            "SOON",
            "open",
            "2026-06-20",
            Some("https://pay.example/i/soon"),
        ),
    )
    .await;
    let token = app.session_for(&vendor, "cus_1").await;
    let overview = |token: String| {
        let app = &app;
        async move {
            let (status, body) = app
                .portal(Method::GET, "/api/v1/portal/overview", &token, None)
                .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let body = overview(token.clone()).await;
    assert_eq!(body["overdue_invoice"]["number"], "LATE");
    assert_eq!(
        body["overdue_invoice"]["payment_url"],
        "https://pay.example/i/late"
    );
    assert_eq!(
        body["pay_overdue_url"],
        Value::Null,
        "no page for the balance yet"
    );
    let balance = "/api/v1/portal/balance/payment_started";
    assert_eq!(app.portal(Method::POST, balance, &token, None).await.0, 409);

    // Two overdue invoices: no single one to name; the customer's balance page instead.
    put(
        &app,
        &vendor,
        "/v1/invoices/later",
        invoice("LATER", "overdue", "2026-05-25", None),
    )
    .await;
    give_balance_page(&app, &vendor).await;
    let token = app.session_for(&vendor, "cus_1").await;
    let body = overview(token.clone()).await;
    assert_eq!(body["overdue_invoice"], Value::Null);
    assert_eq!(body["pay_overdue_url"], "https://pay.example/balance/cus_1");
    let (status, body) = app.portal(Method::POST, balance, &token, None).await;
    assert_eq!(status, 204, "{body}");
    let events = app.events(&vendor).await;
    let event = events.last().unwrap();
    assert_eq!(event["kind"], "balance.payment_started");
    assert_eq!(
        event["payload"]["overdue"],
        json!([{"currency": "EUR", "amount": 8400, "invoices": 2}])
    );

    // Once nothing is overdue, there is nothing to offer.
    for id in ["late", "later"] {
        let mut paid = invoice(id, "paid", "2026-05-20", None);
        paid["number"] = json!(id.to_uppercase());
        put(&app, &vendor, &format!("/v1/invoices/{id}"), paid).await;
    }
    let token = app.session_for(&vendor, "cus_1").await;
    let body = overview(token.clone()).await;
    assert_eq!(body["pay_overdue_url"], Value::Null);
    assert_eq!(body["overdue_invoice"], Value::Null);
    assert_eq!(app.portal(Method::POST, balance, &token, None).await.0, 409);
}

async fn an_organisation_can_turn_paying_off(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    put_late_invoice(&app, &vendor).await;
    give_balance_page(&app, &vendor).await;
    let token = app.session_for(&vendor, "cus_1").await;
    // Read once, so that the list is remembered before the setting changes.
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/invoices", &token, None)
        .await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["data"][0]["payment_url"], "https://pay.example/i/late");

    app.settings(&vendor, json!({"allow_invoice_payment": false}))
        .await;
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/invoices", &token, None)
        .await;
    assert_eq!(list["data"][0]["payment_url"], Value::Null, "{list}");
    let route = format!("/api/v1/portal/invoices/{id}");
    let (_, detail) = app.portal(Method::GET, &route, &token, None).await;
    assert_eq!(detail["invoice"]["payment_url"], Value::Null);
    let (_, overview) = app
        .portal(Method::GET, "/api/v1/portal/overview", &token, None)
        .await;
    assert_eq!(overview["overdue_invoice"], Value::Null);
    assert_eq!(overview["pay_overdue_url"], Value::Null);
    for path in [
        format!("/api/v1/portal/invoices/{id}/payment_started"),
        "/api/v1/portal/balance/payment_started".to_owned(),
    ] {
        let (status, body) = app.portal(Method::POST, &path, &token, None).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "not_allowed");
    }
    assert!(app.events(&vendor).await.is_empty());
    // The vendor still sees what it wrote.
    let (_, invoice) = app.get_json(&vendor, "/v1/invoices/late").await;
    assert_eq!(invoice["payment_url"], "https://pay.example/i/late");
}

async fn methods(app: &TestApp, token: &str) -> Vec<(String, String, bool)> {
    let (status, list) = app
        .portal(Method::GET, "/api/v1/portal/payment_methods", token, None)
        .await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_owned(),
                m["external_id"].as_str().unwrap().to_owned(),
                m["is_default"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn a_payment_method_that_is_not_the_default_can_be_removed(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    for (id, customer, default) in [
        ("visa", "cus_1", true),
        ("mc", "cus_1", false),
        ("theirs", "cus_2", false),
    ] {
        let body = json!({"customer_id": customer, "kind": "card", "brand": id, "last4": "4242",
                          "exp_month": 8, "exp_year": 2031, "is_default": default});
        assert_eq!(
            put(&app, &vendor, &format!("/v1/payment_methods/{id}"), body)
                .await
                .0,
            201
        );
    }
    let token = app.session_for(&vendor, "cus_1").await;
    let before = methods(&app, &token).await;
    let id_of = |external: &str| before.iter().find(|m| m.1 == external).unwrap().0.clone();
    let path = |id: &str| format!("/api/v1/portal/payment_methods/{id}");

    // The default stays: another must become the default first.
    let (status, body) = app
        .portal(Method::DELETE, &path(&id_of("visa")), &token, None)
        .await;
    assert_eq!(status, 409, "{body}");
    let theirs = app.get_json(&vendor, "/v1/payment_methods/theirs").await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [theirs.as_str(), "nope"] {
        assert_eq!(
            app.portal(Method::DELETE, &path(id), &token, None).await.0,
            404,
            "{id}"
        );
    }
    assert!(
        app.events(&vendor).await.is_empty(),
        "refusals record nothing"
    );

    let (status, body) = app
        .portal(Method::DELETE, &path(&id_of("mc")), &token, None)
        .await;
    assert_eq!(status, 204, "{body}");
    let after: Vec<String> = methods(&app, &token)
        .await
        .into_iter()
        .map(|m| m.1)
        .collect();
    assert_eq!(after, ["visa"], "gone from the very next read");
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "payment_method.removed");
    assert_eq!(events[0]["payload"]["external_id"], "mc");
    assert_eq!(events[0]["payload"]["last4"], "4242");
    // Twice is not found; the vendor's own record is gone too.
    assert_eq!(
        app.portal(Method::DELETE, &path(&id_of("mc")), &token, None)
            .await
            .0,
        404
    );
    assert_eq!(app.get_json(&vendor, "/v1/payment_methods/mc").await.0, 404);

    // Where the organisation does not allow it, nothing is removed.
    let body = json!({"customer_id": "cus_1", "kind": "sepa_debit", "brand": "Bank", "last4": "3000", "is_default": false});
    put(&app, &vendor, "/v1/payment_methods/sepa", body).await;
    app.settings(&vendor, json!({"allow_payment_method_removal": false}))
        .await;
    let token = app.session_for(&vendor, "cus_1").await;
    let sepa = methods(&app, &token)
        .await
        .into_iter()
        .find(|m| m.1 == "sepa")
        .unwrap()
        .0;
    let (status, body) = app.portal(Method::DELETE, &path(&sepa), &token, None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(methods(&app, &token).await.len(), 2);
}

async fn the_setup_page_for_a_new_payment_method_is_the_customers_own(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let info = |token: String| {
        let app = &app;
        async move {
            let (status, body) = app
                .portal(Method::GET, "/api/v1/portal/session", &token, None)
                .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let token = app.session_for(&vendor, "cus_1").await;
    assert_eq!(
        info(token.clone()).await["payment_method_setup_url"],
        Value::Null
    );
    let started = "/api/v1/portal/payment_methods/setup_started";
    assert_eq!(app.portal(Method::POST, started, &token, None).await.0, 403);

    // The template is checked as a payment page is, with its two blanks.
    for bad in [
        "http://psp.example/setup?c={customer_id}",
        "https://psp.example/setup?c={customer}",
        "not a url",
    ] {
        let named = refused(
            app.patch_settings(&vendor, json!({"payment_method_setup_url": bad}))
                .await,
        );
        assert_eq!(named, ["payment_method_setup_url"], "{bad}");
    }
    let template = format!("{PSP}/setup?customer={{customer_id}}&back={{return_url}}");
    app.settings(&vendor, json!({"payment_method_setup_url": template}))
        .await;
    // Payment origins that leave the template out are refused, naming it.
    let named = refused(
        app.patch_settings(
            &vendor,
            json!({"payment_origins": ["https://elsewhere.example"]}),
        )
        .await,
    );
    assert_eq!(named, ["payment_method_setup_url"]);

    let token = app.session_for(&vendor, "cus_1").await;
    let expected = format!("{PSP}/setup?customer=cus_1&back=https%3A%2F%2Fvendor.example%2F");
    assert_eq!(
        info(token.clone()).await["payment_method_setup_url"],
        expected
    );
    let other = app.session_for(&vendor, "cus_2").await;
    assert_eq!(
        info(other).await["payment_method_setup_url"],
        expected.replace("cus_1", "cus_2")
    );
    assert_eq!(app.portal(Method::POST, started, &token, None).await.0, 204);
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "payment_method.setup_started");
    assert_eq!(events[0]["payload"]["setup_url"], expected);

    // null takes the button away again.
    app.settings(&vendor, json!({"payment_method_setup_url": null}))
        .await;
    let token = app.session_for(&vendor, "cus_1").await;
    assert_eq!(info(token).await["payment_method_setup_url"], Value::Null);
}
