//! The vendor API's records, PDFs and bulk import, against a real server on both backends.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{refused_fields, spawn_app, TestApp, TestStore, Vendor};
use crate::on_both_backends;

on_both_backends!(
    a_put_creates_once_then_updates_in_place,
    every_kind_of_record_round_trips,
    validation_names_every_bad_field,
    another_organisations_records_do_not_exist,
    deleting_where_it_makes_sense,
    lists_page_by_the_vendors_ids,
    invoice_pdfs_upload_and_download,
    an_import_reports_every_line_and_writes_only_good_ones,
    an_import_streams_thousands_of_lines,
    an_import_in_batches_numbers_lines_and_resolves_earlier_lines,
    a_stalled_import_writes_its_batch_before_the_body_ends,
    an_entitlements_daily_use_is_checked_and_kept,
);

impl TestApp {
    pub(crate) async fn put(&self, vendor: &Vendor, path: &str, body: &Value) -> reqwest::Response {
        self.vendor_request(Method::PUT, path, vendor)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn get_json(&self, vendor: &Vendor, path: &str) -> (u16, Value) {
        let response = self.vendor_send(Method::GET, path, vendor).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn customer(name: &str) -> Value {
    json!({"name": name, "email": "billing@example.com", "address": {"city": "Köln", "country": "DE"}, "locale": "de"})
}

fn invoice(customer: &str) -> Value {
    json!({
        "customer_id": customer, "number": "INV-1", "status": "open", "currency": "EUR",
        "total": 11900, "amount_due": 11900, "due_date": "2026-07-01",
        "period_start": "2026-05-01", "period_end": "2026-05-31",
        "issued_at": "2026-06-01T09:00:00Z",
        "lines": [
            {"description": "Pro plan", "quantity": 1, "unit_amount": 10000, "amount": 10000},
            {"description": "VAT 19 %", "quantity": 1, "unit_amount": 1900, "amount": 1900}
        ]
    })
}

async fn a_put_creates_once_then_updates_in_place(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let first = app
        .put(&vendor, "/v1/customers/cus_new", &customer("Zoë <b>&</b>"))
        .await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["external_id"], "cus_new");
    assert_eq!(first["name"], "Zoë <b>&</b>");

    let again = app
        .put(&vendor, "/v1/customers/cus_new", &customer("Zoë AG"))
        .await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["name"], "Zoë AG");

    let (status, by_vendor_id) = app.get_json(&vendor, "/v1/customers/cus_new").await;
    assert_eq!(status, 200);
    let (_, by_portico_id) = app
        .get_json(
            &vendor,
            &format!("/v1/customers/{}", first["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(by_vendor_id, again);
    assert_eq!(by_portico_id, again);
}

async fn every_kind_of_record_round_trips(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let records = [
        ("/v1/invoices/inv_1", invoice("cus_1")),
        (
            "/v1/credit_notes/cn_1",
            json!({"customer_id": "cus_1", "invoice_id": "inv_1", "number": "CN-1", "status": "issued",
                   "currency": "EUR", "total": 500, "reason": "Goodwill", "issued_at": "2026-06-02T00:00:00Z"}),
        ),
        (
            "/v1/payments/pay_1",
            json!({"customer_id": "cus_1", "invoice_id": "inv_1", "kind": "payment", "status": "succeeded",
                   "method": "Visa •••• 4242", "currency": "EUR", "amount": 11900, "paid_at": "2026-06-03T10:00:00Z"}),
        ),
        (
            "/v1/payments/ref_1",
            json!({"customer_id": "cus_1", "invoice_id": "inv_1", "kind": "refund", "status": "succeeded",
                   "method": "Visa •••• 4242", "currency": "EUR", "amount": 500, "paid_at": "2026-06-04T10:00:00Z"}),
        ),
        (
            "/v1/entitlements/ent_1",
            json!({"customer_id": "cus_1", "feature": "API calls", "limit": 1000000, "usage": 734210,
                   "unit": "calls", "valid_from": "2026-06-01", "valid_until": "2026-06-30"}),
        ),
        (
            "/v1/subscriptions/sub_1",
            json!({"customer_id": "cus_1", "plan": "Pro", "status": "active", "currency": "EUR", "amount": 10000,
                   "interval": "month", "current_period_start": "2026-06-01", "current_period_end": "2026-06-30",
                   "renews_at": "2026-07-01"}),
        ),
        (
            "/v1/payment_methods/pm_1",
            json!({"customer_id": "cus_1", "kind": "card", "brand": "visa", "last4": "4242",
                   "exp_month": 8, "exp_year": 2028, "is_default": true}),
        ),
    ];
    for (path, body) in &records {
        let response = app.put(&vendor, path, body).await;
        let status = response.status();
        let created: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{path}: {created}");
        assert_eq!(
            created["customer_id"],
            vendor.customers[0].as_str(),
            "{path}"
        );
        let (status, read) = app.get_json(&vendor, path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(read["id"], created["id"], "{path}");
        // Every field sent comes back as sent (references come back as Portico's ids).
        for (key, value) in body.as_object().unwrap() {
            if key == "customer_id" || key == "invoice_id" || key == "lines" {
                continue;
            }
            assert_eq!(&read[key], value, "{path}: {key}");
        }
    }
    let (_, invoice) = app.get_json(&vendor, "/v1/invoices/inv_1").await;
    assert_eq!(invoice["lines"].as_array().unwrap().len(), 2);
    assert_eq!(invoice["lines"][1]["description"], "VAT 19 %");
    let (_, payment) = app.get_json(&vendor, "/v1/payments/pay_1").await;
    assert_eq!(payment["invoice_id"], invoice["id"]);

    let (_, list) = app
        .get_json(&vendor, "/v1/payments?customer_id=cus_1")
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (_, list) = app
        .get_json(&vendor, "/v1/payments?customer_id=cus_2")
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (status, _) = app
        .get_json(&vendor, "/v1/payments?customer_id=nobody")
        .await;
    assert_eq!(status, 422);
}

async fn validation_names_every_bad_field(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    app.put(&vendor, "/v1/invoices/inv_1", &invoice("cus_1"))
        .await;
    app.put(&vendor, "/v1/invoices/inv_2", &invoice("cus_2"))
        .await;

    let mut bad = invoice("cus_1");
    bad["currency"] = json!("eur");
    bad["amount_due"] = json!(20000);
    bad["period_end"] = json!("2026-04-30");
    bad["lines"][1]["quantity"] = json!(-1);
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/invoices/inv_bad", &bad).await).await,
        ["currency", "amount_due", "period_end", "lines[1].quantity"]
    );
    let mut bad = invoice("cus_1");
    bad["total"] = json!(-5);
    bad["amount_due"] = json!(-5);
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/invoices/x", &bad).await).await,
        ["total", "amount_due"]
    );
    let mut bad = invoice("cus_1");
    bad["status"] = json!("refunded");
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/invoices/x", &bad).await).await,
        ["status"]
    );
    let mut bad = invoice("cus_1");
    bad.as_object_mut().unwrap().remove("number");
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/invoices/x", &bad).await).await,
        ["number"]
    );
    let mut bad = invoice("cus_1");
    bad["total"] = json!(10.5);
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/invoices/x", &bad).await).await,
        ["total"],
        "money is never a float"
    );

    // References: another organisation's customer, another customer's invoice.
    assert_eq!(
        refused_fields(
            app.put(&vendor, "/v1/invoices/x", &invoice(&other.customers[0]))
                .await
        )
        .await,
        ["customer_id"]
    );
    let payment = |invoice_id: &str| {
        json!({"customer_id": "cus_1", "invoice_id": invoice_id, "kind": "payment", "status": "succeeded",
               "method": "card", "currency": "EUR", "amount": 0, "paid_at": "2026-06-03T10:00:00Z"})
    };
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/payments/p", &payment("inv_2")).await).await,
        ["amount", "invoice_id"]
    );
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/payments/p", &payment("nope")).await).await,
        ["amount", "invoice_id"]
    );
    let method = json!({"customer_id": "cus_1", "kind": "card", "last4": "42", "exp_month": 13, "exp_year": 28});
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/payment_methods/pm", &method).await).await,
        ["last4", "exp_month", "exp_year"]
    );
    let entitlement = json!({"customer_id": "cus_1", "feature": "", "limit": -1, "usage": 1, "unit": "x",
                             "valid_from": "2026-06-02", "valid_until": "2026-06-01"});
    assert_eq!(
        refused_fields(app.put(&vendor, "/v1/entitlements/e", &entitlement).await).await,
        ["feature", "limit", "valid_until"]
    );
    let long_id = format!("/v1/customers/{}", "x".repeat(256));
    assert_eq!(
        refused_fields(app.put(&vendor, &long_id, &customer("A")).await).await,
        ["id"]
    );
    assert_eq!(
        refused_fields(
            app.put(&vendor, "/v1/customers/has%20space", &customer("A"))
                .await
        )
        .await,
        ["id"]
    );
    // Nothing invalid was written.
    let (_, list) = app.get_json(&vendor, "/v1/invoices").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let (_, list) = app.get_json(&vendor, "/v1/payments").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
}

async fn another_organisations_records_do_not_exist(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    let created: Value = app
        .put(&vendor, "/v1/invoices/inv_1", &invoice("cus_1"))
        .await
        .json()
        .await
        .unwrap();
    let portico_id = created["id"].as_str().unwrap();
    for path in [
        format!("/v1/invoices/{portico_id}"),
        "/v1/invoices/inv_1".to_owned(),
    ] {
        let (status, body) = app.get_json(&other, &path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let route = format!("/v1/customers/{}", vendor.customers[0]);
    let response = app.vendor_send(Method::DELETE, &route, &other).await;
    assert_eq!(response.status(), 404);
    let (_, list) = app.get_json(&other, "/v1/invoices").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    // The same vendor id in another organisation is another record.
    let theirs = app
        .put(&other, "/v1/invoices/inv_1", &invoice("cus_1"))
        .await;
    assert_eq!(theirs.status(), 201);
    let (_, mine) = app.get_json(&vendor, "/v1/invoices/inv_1").await;
    assert_eq!(mine["id"], created["id"]);
}

async fn deleting_where_it_makes_sense(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    app.put(&vendor, "/v1/invoices/inv_1", &invoice("cus_1"))
        .await;
    let delete = |path: &str| app.vendor_request(Method::DELETE, path, &vendor).send();

    // Financial records are voided through their status, never deleted.
    let response = delete("/v1/invoices/inv_1").await.unwrap();
    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");

    // Deleting a customer removes everything of theirs.
    assert_eq!(delete("/v1/customers/cus_1").await.unwrap().status(), 204);
    assert_eq!(delete("/v1/customers/cus_1").await.unwrap().status(), 404);
    assert_eq!(app.get_json(&vendor, "/v1/invoices/inv_1").await.0, 404);
    assert_eq!(app.get_json(&vendor, "/v1/customers/cus_2").await.0, 200);
}

async fn lists_page_by_the_vendors_ids(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    for n in 3..=7 {
        app.put(&vendor, &format!("/v1/customers/cus_{n}"), &customer("C"))
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/v1/customers?limit=3".to_owned();
    loop {
        let (status, page) = app.get_json(&vendor, &path).await;
        assert_eq!(status, 200);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["external_id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/customers?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["cus_1", "cus_2", "cus_3", "cus_4", "cus_5", "cus_6", "cus_7"]
    );
    // A page of invoices carries each invoice's lines, as one invoice does.
    let mut lineless = invoice("cus_1");
    lineless["lines"] = json!([]);
    app.put(&vendor, "/v1/invoices/inv_a", &invoice("cus_1"))
        .await;
    app.put(&vendor, "/v1/invoices/inv_b", &lineless).await;
    app.put(&vendor, "/v1/invoices/inv_c", &invoice("cus_2"))
        .await;
    let (_, page) = app.get_json(&vendor, "/v1/invoices?limit=10").await;
    let lines: Vec<usize> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["lines"].as_array().unwrap().len())
        .collect();
    assert_eq!(lines, [2, 0, 2]);
    assert_eq!(page["data"][2]["lines"][1]["description"], "VAT 19 %");
    for bad in ["limit=0", "limit=201", "limit=x"] {
        let (status, body) = app.get_json(&vendor, &format!("/v1/customers?{bad}")).await;
        assert!(status == 422 || status == 400, "{bad}: {status}");
        assert!(body["error"]["code"].is_string(), "{bad}: {body}");
    }
}

async fn invoice_pdfs_upload_and_download(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let other = app.vendor("Other").await;
    app.put(&vendor, "/v1/invoices/inv_1", &invoice("cus_1"))
        .await;
    let pdf = b"%PDF-1.7\n% test document\n%%EOF\n".to_vec();
    let upload = |who: &Vendor, path: &str, content_type: &str, body: Vec<u8>| {
        app.vendor_request(Method::PUT, path, who)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    assert_eq!(app.get_json(&vendor, "/v1/invoices/inv_1/pdf").await.0, 404);
    let response = upload(
        &vendor,
        "/v1/invoices/inv_1/pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    let response = app
        .vendor_send(Method::GET, "/v1/invoices/inv_1/pdf", &vendor)
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"INV-1.pdf\""
    );
    assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);

    let response = upload(&vendor, "/v1/invoices/inv_1/pdf", "text/html", pdf.clone())
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
    let response = upload(
        &vendor,
        "/v1/invoices/inv_1/pdf",
        "application/pdf",
        b"<html>".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(refused_fields(response).await, ["body"]);
    let response = upload(
        &vendor,
        "/v1/invoices/nope/pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 404);
    let response = upload(
        &other,
        "/v1/invoices/inv_1/pdf",
        "application/pdf",
        pdf.clone(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 404);
    let mut huge = pdf.clone();
    huge.resize(10 * 1024 * 1024 + 1, b' ');
    let response = upload(&vendor, "/v1/invoices/inv_1/pdf", "application/pdf", huge)
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large");
}

/// An import report's rejections as (line, field).
pub(crate) fn rejected_lines(report: &Value) -> Vec<(u64, &str)> {
    report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect()
}

pub(crate) async fn import(app: &TestApp, vendor: &Vendor, body: String) -> (u16, Value) {
    let response = app
        .vendor_request(Method::POST, "/v1/import", vendor)
        .header("Content-Type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn an_import_reports_every_line_and_writes_only_good_ones(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let mut bad_invoice = invoice("cus_9");
    bad_invoice["amount_due"] = json!(999999);
    let lines = [
        json!({"type": "customer", "id": "cus_9", "data": customer("Imported")}).to_string(),
        json!({"type": "invoice", "id": "inv_9", "data": invoice("cus_9")}).to_string(),
        String::new(),
        "{not json".to_owned(),
        json!({"type": "invoice", "id": "inv_bad", "data": bad_invoice}).to_string(),
        json!({"type": "refund", "id": "r", "data": {}}).to_string(),
        json!({"type": "payment", "id": "pay 9", "data": {"customer_id": "cus_9"}}).to_string(),
        json!({"type": "customer", "id": "cus_9", "data": customer("Imported again")}).to_string(),
    ];
    let (status, report) = import(&app, &vendor, lines.join("\n")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 3);
    assert_eq!(report["created"], 2);
    assert_eq!(report["updated"], 1);
    assert_eq!(report["rejected_count"], 4);
    let rejected: Vec<(u64, String)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(rejected[0], (4, "line".to_owned()));
    assert_eq!(rejected[1], (5, "data.amount_due".to_owned()));
    assert_eq!(rejected[2], (6, "type".to_owned()));
    assert!(
        rejected.iter().any(|r| *r == (7, "data.kind".to_owned())),
        "{rejected:?}"
    );
    assert_eq!(
        app.get_json(&vendor, "/v1/invoices/inv_bad").await.0,
        404,
        "a rejected line writes nothing"
    );
    let (_, customer) = app.get_json(&vendor, "/v1/customers/cus_9").await;
    assert_eq!(customer["name"], "Imported again");

    let response = app
        .vendor_request(Method::POST, "/v1/import", &vendor)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

async fn an_import_streams_thousands_of_lines(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let mut body = String::new();
    for n in 0..2_000 {
        body.push_str(
            &json!({"type": "customer", "id": format!("bulk_{n:05}"), "data": customer("Bulk")})
                .to_string(),
        );
        body.push('\n');
    }
    // One line over the limit is rejected on its own; the lines around it still count.
    body.push_str(&format!(
        "{{\"type\":\"customer\",\"id\":\"huge\",\"data\":{{\"name\":\"{}\"}}}}\n",
        "x".repeat(1024 * 1024 + 10)
    ));
    body.push_str(
        &json!({"type": "customer", "id": "after_huge", "data": customer("After")}).to_string(),
    );
    let (status, report) = import(&app, &vendor, body).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 2_001);
    assert_eq!(report["rejected_count"], 1);
    assert_eq!(report["rejected"][0]["line"], 2_001);
    let counts = app
        .store()
        .record_counts(&vendor.organisation)
        .await
        .unwrap();
    assert_eq!(counts.customers, 2 + 2_001);
}

async fn an_import_in_batches_numbers_lines_and_resolves_earlier_lines(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    // 1,204 lines, so three batches of up to 500: each customer, then an invoice that
    // names it, then a payment of that invoice.
    let mut lines = Vec::new();
    for n in 0..401 {
        lines.push(json!({"type": "customer", "id": format!("c{n}"), "data": customer("Batch")}));
        lines.push(
            json!({"type": "invoice", "id": format!("i{n}"), "data": invoice(&format!("c{n}"))}),
        );
        lines.push(json!({"type": "payment", "id": format!("p{n}"), "data": {
            "customer_id": format!("c{n}"), "invoice_id": format!("i{n}"), "kind": "payment",
            "status": "succeeded", "method": "card", "currency": "EUR", "amount": 100,
            "paid_at": "2026-06-03T10:00:00Z"}}));
    }
    // An unknown customer: its invoice is refused, and so the payment of that invoice.
    lines[1]["data"]["customer_id"] = json!("nobody");
    // Another customer's invoice.
    lines[1_199]["data"]["invoice_id"] = json!("i5");
    // An invoice before its customer: refused, though both are in one batch.
    lines.swap(1_200, 1_201);
    // A bad field and a bad reference on one line.
    lines[1_202]["data"]["amount"] = json!(-1);
    // The same customer twice in one batch: the second line changes the first's record.
    lines.insert(
        100,
        json!({"type": "customer", "id": "c10", "data": customer("Twice")}),
    );
    let body: Vec<String> = lines.iter().map(Value::to_string).collect();
    let (status, report) = import(&app, &vendor, body.join("\n")).await;
    assert_eq!(status, 200, "{report}");
    let rejected = rejected_lines(&report);
    assert_eq!(
        rejected,
        [
            (2, "data.customer_id"),
            (3, "data.invoice_id"),
            (1_201, "data.invoice_id"),
            (1_202, "data.customer_id"),
            (1_204, "data.amount"),
            (1_204, "data.invoice_id"),
        ]
    );
    assert_eq!(report["rejected_count"], 5);
    assert_eq!(report["accepted"], 1_204 - 5);
    assert_eq!(report["updated"], 1);
    let (_, twice) = app.get_json(&vendor, "/v1/customers/c10").await;
    assert_eq!(twice["name"], "Twice");
    let (_, payment) = app.get_json(&vendor, "/v1/payments/p398").await;
    let (_, invoice) = app.get_json(&vendor, "/v1/invoices/i398").await;
    assert_eq!(payment["invoice_id"], invoice["id"]);
    assert_eq!(invoice["lines"].as_array().unwrap().len(), 2);
    assert_eq!(app.get_json(&vendor, "/v1/invoices/i0").await.0, 404);
    assert_eq!(app.get_json(&vendor, "/v1/invoices/i400").await.0, 404);
    assert_eq!(app.get_json(&vendor, "/v1/customers/c400").await.0, 200);
}

async fn a_stalled_import_writes_its_batch_before_the_body_ends(db: TestStore) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let line = format!(
        "{}\n",
        json!({"type": "customer", "id": "early", "data": customer("Early")})
    );
    let request = format!(
        "POST /v1/import HTTP/1.1\r\nHost: {address}\r\norganisation: {}\r\n\
         X-API-KEY: {}\r\nContent-Type: application/x-ndjson\r\nConnection: close\r\n\
         Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{line}\r\n",
        vendor.organisation,
        vendor.key,
        line.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    // The body is still open; its first batch is written once it has waited 50 ms.
    let mut seen = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if app.get_json(&vendor, "/v1/customers/early").await.0 == 200 {
            seen = true;
            break;
        }
    }
    assert!(seen, "a stalled batch was not written");
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .unwrap()
    .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"accepted\":1"), "{answer}");
}

async fn an_entitlements_daily_use_is_checked_and_kept(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let entitlement = |series: Value| {
        json!({"customer_id": "cus_1", "feature": "Runs", "limit": 100, "usage": 3, "unit": "runs",
               "valid_from": "2026-05-01", "valid_until": "2026-05-31", "usage_series": series})
    };
    for (series, field) in [
        (
            json!([{"date": "2026-04-30", "value": 1}]),
            "usage_series[0].date",
        ),
        (
            json!([{"date": "2026-06-01", "value": 1}]),
            "usage_series[0].date",
        ),
        (
            json!([{"date": "2026-05-02", "value": 1}, {"date": "2026-05-02", "value": 1}]),
            "usage_series[1].date",
        ),
        (
            json!([{"date": "2026-05-03", "value": 1}, {"date": "2026-05-02", "value": 1}]),
            "usage_series[1].date",
        ),
        (
            json!([{"date": "2026-05-02", "value": -1}]),
            "usage_series[0].value",
        ),
    ] {
        let response = app
            .put(&vendor, "/v1/entitlements/e1", &entitlement(series.clone()))
            .await;
        assert_eq!(refused_fields(response).await, [field], "{series}");
    }
    let days: Vec<Value> = (0..367)
        .map(|i| json!({"date": (chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(i)).to_string(), "value": 1}))
        .collect();
    let mut long = entitlement(json!(days));
    long["valid_from"] = json!("2026-01-01");
    long["valid_until"] = json!("2027-12-31");
    let response = app.put(&vendor, "/v1/entitlements/e1", &long).await;
    assert_eq!(refused_fields(response).await, ["usage_series"]);

    let series = json!([{"date": "2026-05-01", "value": 1}, {"date": "2026-05-02", "value": 2}]);
    let response = app
        .put(&vendor, "/v1/entitlements/e1", &entitlement(series.clone()))
        .await;
    assert_eq!(response.status(), 201);
    let (_, stored) = app.get_json(&vendor, "/v1/entitlements/e1").await;
    assert_eq!(stored["usage_series"], series);
    let token = app.session_for(&vendor, "cus_1").await;
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/entitlements", &token, None)
        .await;
    assert_eq!(list["data"][0]["usage_series"], series);
    // Without a series, none is kept.
    let mut plain = entitlement(json!([]));
    plain.as_object_mut().unwrap().remove("usage_series");
    app.put(&vendor, "/v1/entitlements/e1", &plain).await;
    let (_, stored) = app.get_json(&vendor, "/v1/entitlements/e1").await;
    assert_eq!(stored["usage_series"], json!([]));
}
