//! The portal API as the customer's browser calls it: lists with filters, exports, the
//! invoice page, profile edits, cancellation, the default payment method, the overview,
//! and — for every endpoint — that another customer's records stay out of reach.

use reqwest::Method;
use serde_json::{json, Value};
use server::clock::Clock;

use crate::helpers::{fields_of, spawn_app, TestApp, TestStore, Vendor};
use crate::on_both_backends;

on_both_backends!(
    invoices_filter_sort_search_and_page,
    bad_list_parameters_are_named,
    csv_exports_hold_the_filtered_rows,
    the_invoice_page_has_payments_credit_notes_and_the_pdf,
    the_profile_edits_only_what_the_organisation_allows,
    cancelling_marks_the_period_end_once_and_records_it,
    the_default_payment_method_changes_where_allowed,
    the_overview_adds_up_what_is_due_and_spent,
    the_language_chosen_is_kept_for_the_session,
    links_land_on_the_first_section_shown,
    no_endpoint_reaches_another_customers_records,
    a_moved_invoice_shows_only_its_new_customers_payments,
    portal_reads_never_wait_for_a_writer,
    a_settings_change_elsewhere_is_seen_within_a_second,
    concurrent_customer_changes_all_succeed,
    every_tab_answers_its_landing_reads,
);

impl TestApp {
    pub(crate) async fn vendor_put(&self, vendor: &Vendor, path: &str, body: Value) {
        let response = self
            .vendor_request(Method::PUT, path, vendor)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status.is_success(),
            "{path}: {status} {}",
            response.text().await.unwrap()
        );
    }

    pub(crate) async fn settings(&self, vendor: &Vendor, patch: Value) {
        let (status, body) = self.patch_settings(vendor, patch).await;
        assert_eq!(status, 200, "{body}");
    }

    /// A session for the vendor's customer `cus_1` or `cus_2`.
    pub(crate) async fn session_for(&self, vendor: &Vendor, external_id: &str) -> String {
        self.open_session(
            vendor,
            json!({"external_id": external_id, "return_url": "https://vendor.example/"}),
        )
        .await
    }

    pub(crate) async fn portal(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The vendor's events of what customers changed: links made, opened and ended are
    /// events too (see `webhooks.rs`), but not the subject here.
    pub(crate) async fn events(&self, vendor: &Vendor) -> Vec<Value> {
        let response = self.vendor_send(Method::GET, "/v1/events", vendor).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["kind"].as_str().unwrap().starts_with("portal_session."))
            .cloned()
            .collect()
    }
}

pub(crate) fn invoice(customer: &str, number: &str, status: &str, total: i64, day: u32) -> Value {
    json!({
        "customer_id": customer, "number": number, "status": status, "currency": "EUR",
        "total": total, "amount_due": if status == "paid" || status == "void" { 0 } else { total },
        "due_date": format!("2026-05-{:02}", day.min(28)),
        "period_start": "2026-04-01", "period_end": "2026-04-30",
        "issued_at": format!("2026-04-{day:02}T09:00:00Z"),
        "lines": [{"description": "Plan", "quantity": 1, "unit_amount": total, "amount": total}]
    })
}

/// A card payment of `amount` euro cents by `customer`, on an April day, for no invoice.
pub(crate) fn payment(customer: &str, amount: i64, day: u32) -> Value {
    json!({
        "customer_id": customer, "kind": "payment", "status": "succeeded",
        "amount": amount, "currency": "EUR", "method": "card",
        "paid_at": format!("2026-04-{day:02}T10:00:00Z"),
    })
}

/// Twelve invoices for `cus_1` (numbers INV-01…INV-12, one per April day), a draft, and
/// one for `cus_2`.
async fn seed_invoices(app: &TestApp, vendor: &Vendor) {
    let statuses = ["open", "paid", "overdue", "paid", "void", "partially_paid"];
    for i in 1..=12u32 {
        let status = statuses[(i as usize - 1) % statuses.len()];
        let body = invoice(
            "cus_1",
            &format!("INV-{i:02}"),
            status,
            1000 * i64::from(i),
            i,
        );
        app.vendor_put(vendor, &format!("/v1/invoices/inv_{i}"), body)
            .await;
    }
    let new_invoice = invoice("cus_1", "DRAFT-1", "draft", 999, 20);
    app.vendor_put(vendor, "/v1/invoices/draft", new_invoice)
        .await;
    let new_invoice = invoice("cus_2", "INV-99", "open", 5000, 21);
    app.vendor_put(vendor, "/v1/invoices/other", new_invoice)
        .await;
}

/// The invoice numbers on a page of the customer's invoice list.
pub(crate) fn numbers(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_owned())
        .collect()
}

/// Every page of a list, following the cursors.
async fn all_pages(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut path = format!("/api/v1/portal/invoices?limit=5&{query}");
    loop {
        let (status, page) = app.portal(Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{path}: {page}");
        found.extend(numbers(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/portal/invoices?limit=5&{query}&cursor={cursor}")
            }
            None => return found,
        }
    }
}

async fn invoices_filter_sort_search_and_page(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    seed_invoices(&app, &vendor).await;
    let token = app.session_for(&vendor, "cus_1").await;

    let newest_first: Vec<String> = (1..=12).rev().map(|i| format!("INV-{i:02}")).collect();
    assert_eq!(all_pages(&app, &token, "").await, newest_first);
    let mut oldest_first = newest_first.clone();
    oldest_first.reverse();
    assert_eq!(
        all_pages(&app, &token, "sort=issued_at&order=asc").await,
        oldest_first
    );
    assert_eq!(
        all_pages(&app, &token, "sort=total&order=desc").await,
        newest_first
    );
    assert_eq!(
        all_pages(&app, &token, "sort=due_date&order=asc").await,
        oldest_first
    );
    // Amount due: paid and void invoices owe nothing and tie at zero, broken by id.
    let by_due = all_pages(&app, &token, "sort=amount_due&order=desc").await;
    assert_eq!(by_due.len(), 12);
    assert_eq!(&by_due[..2], ["INV-12", "INV-09"]);

    assert_eq!(
        all_pages(&app, &token, "status=paid").await,
        ["INV-10", "INV-08", "INV-04", "INV-02"]
    );
    assert_eq!(
        all_pages(&app, &token, "status=open").await,
        ["INV-07", "INV-01"]
    );
    // On 1 June every May due date has passed: what is still owed on the open and the
    // partly paid invoices is overdue too.
    assert_eq!(
        all_pages(&app, &token, "status=overdue").await,
        ["INV-12", "INV-09", "INV-07", "INV-06", "INV-03", "INV-01"]
    );
    assert_eq!(
        all_pages(&app, &token, "from=2026-04-03&to=2026-04-05").await,
        ["INV-05", "INV-04", "INV-03"]
    );
    assert_eq!(
        all_pages(&app, &token, "q=inv-1").await,
        ["INV-12", "INV-11", "INV-10"]
    );
    // LIKE wildcards in a search are plain characters.
    assert!(all_pages(&app, &token, "q=%25").await.is_empty());
    assert!(all_pages(&app, &token, "q=_").await.is_empty());
    // Drafts and the other customer's invoice never appear, whatever the filter.
    assert!(all_pages(&app, &token, "q=DRAFT").await.is_empty());
    assert!(all_pages(&app, &token, "q=INV-99").await.is_empty());
}

async fn bad_list_parameters_are_named(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    seed_invoices(&app, &vendor).await;
    let token = app.session_for(&vendor, "cus_1").await;
    let (_, page) = app
        .portal(Method::GET, "/api/v1/portal/invoices?limit=2", &token, None)
        .await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let long = "x".repeat(101);
    for (query, field) in [
        ("status=draft", "status"),
        ("status=refunded", "status"),
        ("from=2026-13-01", "from"),
        ("from=yesterday", "from"),
        ("from=2026-05-01&to=2026-04-01", "to"),
        ("sort=colour", "sort"),
        ("order=up", "order"),
        (&format!("q={long}"), "q"),
        ("cursor=zzz", "cursor"),
        // A cursor only works with the order it was made for.
        (&format!("sort=total&cursor={cursor}"), "cursor"),
        (&format!("order=asc&cursor={cursor}"), "cursor"),
        ("limit=0", "limit"),
    ] {
        let route = format!("/api/v1/portal/invoices?{query}");
        let (status, body) = app.portal(Method::GET, &route, &token, None).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(
            body["error"]["fields"][0]["field"], field,
            "{query}: {body}"
        );
    }
}

async fn csv_exports_hold_the_filtered_rows(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    seed_invoices(&app, &vendor).await;
    let new_invoice = invoice("cus_1", "=HYPERLINK(\"x\")", "open", 12345, 25);
    app.vendor_put(&vendor, "/v1/invoices/formula", new_invoice)
        .await;
    app.vendor_put(
        &vendor,
        "/v1/payments/p1",
        json!({"customer_id": "cus_1", "invoice_id": "inv_2", "kind": "payment", "status": "succeeded",
               "method": "Visa, •••• 4242", "currency": "EUR", "amount": 2000, "paid_at": "2026-04-03T10:00:00Z"}),
    )
    .await;
    app.vendor_put(
        &vendor,
        "/v1/payments/p2",
        json!({"customer_id": "cus_2", "kind": "payment", "status": "succeeded",
               "method": "SEPA", "currency": "EUR", "amount": 5000, "paid_at": "2026-04-04T10:00:00Z"}),
    )
    .await;
    let token = app.session_for(&vendor, "cus_1").await;

    let response = app
        .client
        .get(format!(
            "{}/api/v1/portal/invoices.csv?status=paid",
            app.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("invoices.csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(
        lines[0],
        "number,status,currency,total,amount_due,due_date,period_start,period_end,issued_at"
    );
    assert_eq!(
        lines[1],
        "INV-10,paid,EUR,100.00,0.00,2026-05-10,2026-04-01,2026-04-30,2026-04-10T09:00:00Z"
    );
    assert_eq!(lines.len(), 5, "{csv}");

    let (_, all) = app
        .portal(Method::GET, "/api/v1/portal/invoices.csv", &token, None)
        .await;
    let all = all.as_str().unwrap().to_owned();
    assert_eq!(all.trim_end().split("\r\n").count(), 14, "{all}");
    assert!(
        all.contains("\"'=HYPERLINK(\"\"x\"\")\",open,EUR,123.45"),
        "{all}"
    );
    assert!(!all.contains("DRAFT") && !all.contains("INV-99"));

    let (status, payments) = app
        .portal(Method::GET, "/api/v1/portal/payments.csv", &token, None)
        .await;
    assert_eq!(status, 200);
    let payments = payments.as_str().unwrap();
    assert_eq!(
        payments,
        "date,kind,status,method,currency,amount,invoice\r\n\
         2026-04-03T10:00:00Z,payment,succeeded,\"Visa, •••• 4242\",EUR,20.00,INV-02\r\n"
    );
}

async fn the_invoice_page_has_payments_credit_notes_and_the_pdf(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    seed_invoices(&app, &vendor).await;
    app.vendor_put(
        &vendor,
        "/v1/payments/p1",
        json!({"customer_id": "cus_1", "invoice_id": "inv_6", "kind": "payment", "status": "succeeded",
               "method": "Visa •••• 4242", "currency": "EUR", "amount": 2000, "paid_at": "2026-04-07T10:00:00Z"}),
    )
    .await;
    app.vendor_put(
        &vendor,
        "/v1/credit_notes/cn1",
        json!({"customer_id": "cus_1", "invoice_id": "inv_6", "number": "CN-1", "status": "issued",
               "currency": "EUR", "total": 500, "reason": "Goodwill", "issued_at": "2026-04-08T00:00:00Z"}),
    )
    .await;
    let pdf = b"%PDF-1.4\n% test\n".to_vec();
    let response = app
        .vendor_request(Method::PUT, "/v1/invoices/inv_6/pdf", &vendor)
        .header("content-type", "application/pdf")
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let token = app.session_for(&vendor, "cus_1").await;
    let (_, list) = app
        .portal(
            Method::GET,
            "/api/v1/portal/invoices?q=INV-06",
            &token,
            None,
        )
        .await;
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let route = format!("/api/v1/portal/invoices/{id}");
    let (status, detail) = app.portal(Method::GET, &route, &token, None).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["number"], "INV-06");
    assert_eq!(detail["lines"][0]["description"], "Plan");
    assert_eq!(detail["payments"][0]["amount"], 2000);
    assert_eq!(detail["credit_notes"][0]["number"], "CN-1");
    assert_eq!(detail["has_pdf"], true);

    let response = app
        .client
        .get(format!("{}/api/v1/portal/invoices/{id}/pdf", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);

    // An invoice without a PDF says so, and its download is "not found".
    let (_, list) = app
        .portal(
            Method::GET,
            "/api/v1/portal/invoices?q=INV-05",
            &token,
            None,
        )
        .await;
    let other = list["data"][0]["id"].as_str().unwrap().to_owned();
    let route = format!("/api/v1/portal/invoices/{other}");
    let (_, detail) = app.portal(Method::GET, &route, &token, None).await;
    assert_eq!(detail["has_pdf"], false);
    assert_eq!(detail["payments"], json!([]));
    let route = format!("/api/v1/portal/invoices/{other}/pdf");
    let (status, _) = app.portal(Method::GET, &route, &token, None).await;
    assert_eq!(status, 404);
}

async fn the_profile_edits_only_what_the_organisation_allows(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app.session_for(&vendor, "cus_1").await;
    let (status, profile) = app
        .portal(Method::GET, "/api/v1/portal/profile", &token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(profile["name"], "Vendor customer cus_1");
    assert_eq!(
        profile["editable"],
        json!(["name", "email", "phone", "address", "tax_ids"])
    );

    let (status, updated) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/profile",
            &token,
            Some(json!({
                "name": "  Zoë <script>alert(1)</script> GmbH ",
                "email": "billing@zoe.example",
                "phone": "+49 30 1234567",
                "address": {"line1": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin", "country": "de"}
            })),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name"], "Zoë <script>alert(1)</script> GmbH");
    assert_eq!(updated["address"]["country"], "DE");
    let (_, again) = app
        .portal(Method::GET, "/api/v1/portal/profile", &token, None)
        .await;
    assert_eq!(again, updated);
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "customer.updated");
    assert_eq!(
        events[0]["payload"]["changed"],
        json!(["name", "email", "phone", "address"])
    );

    // Every bad field is named; nothing is saved.
    let (status, body) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/profile",
            &token,
            Some(json!({"name": " ", "email": "not-an-email", "phone": "call me", "address": {"country": "Germany"}})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields = fields_of(&body);
    for field in ["name", "email", "phone", "address.country"] {
        assert!(fields.iter().any(|f| f == field), "{field} in {body}");
    }
    for bad in [json!({"nmae": "typo"}), json!({"name": 7}), json!([])] {
        let (status, body) = app
            .portal(
                Method::PATCH,
                "/api/v1/portal/profile",
                &token,
                Some(bad.clone()),
            )
            .await;
        assert!(status == 400 || status == 422, "{bad}: {status} {body}");
    }

    // Read-only fields are refused by name, even alongside an allowed change.
    app.settings(&vendor, json!({"editable_profile_fields": ["email"]}))
        .await;
    let (_, profile) = app
        .portal(Method::GET, "/api/v1/portal/profile", &token, None)
        .await;
    assert_eq!(profile["editable"], json!(["email"]));
    let (status, body) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/profile",
            &token,
            Some(json!({"email": "new@zoe.example", "name": "Someone else",
                        "tax_ids": [{"type": "eu_vat", "value": "DE123456789"}]})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "name");
    assert_eq!(body["error"]["fields"][1]["field"], "tax_ids");
    let (_, unchanged) = app
        .portal(Method::GET, "/api/v1/portal/profile", &token, None)
        .await;
    assert_eq!(unchanged["email"], "billing@zoe.example");
    // Saving with nothing changed records nothing.
    let (status, _) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/profile",
            &token,
            Some(json!({"email": "billing@zoe.example"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.events(&vendor).await.len(), 1);

    app.settings(&vendor, json!({"sections": ["invoices", "payments"]}))
        .await;
    let (status, _) = app
        .portal(Method::GET, "/api/v1/portal/profile", &token, None)
        .await;
    assert_eq!(status, 403);
}

pub(crate) fn subscription(customer: &str, status: &str) -> Value {
    json!({"customer_id": customer, "plan": "Pro", "status": status, "currency": "EUR", "amount": 4900,
           "interval": "month", "current_period_start": "2026-06-01", "current_period_end": "2026-06-30",
           "renews_at": "2026-07-01"})
}

async fn cancelling_marks_the_period_end_once_and_records_it(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    app.vendor_put(
        &vendor,
        "/v1/subscriptions/s1",
        subscription("cus_1", "active"),
    )
    .await;
    app.vendor_put(
        &vendor,
        "/v1/subscriptions/s2",
        subscription("cus_1", "cancelled"),
    )
    .await;
    let token = app.session_for(&vendor, "cus_1").await;
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/subscriptions", &token, None)
        .await;
    let id_of = |external: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["external_id"] == external)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (active, ended) = (id_of("s1"), id_of("s2"));

    app.settings(&vendor, json!({"allow_subscription_cancel": false}))
        .await;
    let path = format!("/api/v1/portal/subscriptions/{active}/cancel");
    let (status, body) = app.portal(Method::POST, &path, &token, None).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "not_allowed");

    app.settings(&vendor, json!({"allow_subscription_cancel": true}))
        .await;
    let (status, cancelled) = app.portal(Method::POST, &path, &token, None).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["cancel_at_period_end"], true);
    assert_eq!(cancelled["status"], "active");
    assert!(cancelled["cancelled_at"].is_string());
    let (status, again) = app.portal(Method::POST, &path, &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(again, cancelled);
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["kind"], "subscription.cancellation_requested");
    assert_eq!(events[0]["payload"]["external_id"], "s1");
    assert_eq!(events[0]["payload"]["ends_at"], "2026-06-30");
    // The vendor sees it on the record too.
    let response = app
        .vendor_send(Method::GET, "/v1/subscriptions/s1", &vendor)
        .await;
    let record: Value = response.json().await.unwrap();
    assert_eq!(record["cancel_at_period_end"], true);

    let route = format!("/api/v1/portal/subscriptions/{ended}/cancel");
    let (status, body) = app.portal(Method::POST, &route, &token, None).await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app
        .portal(
            Method::POST,
            "/api/v1/portal/subscriptions/nope/cancel",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 404);
}

async fn the_default_payment_method_changes_where_allowed(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    for (id, last4, year, default) in [
        ("pm1", "4242", 2028, true),
        ("pm2", "1881", 2029, false),
        ("pm3", "0005", 2025, false),
    ] {
        app.vendor_put(
            &vendor,
            &format!("/v1/payment_methods/{id}"),
            json!({"customer_id": "cus_1", "kind": "card", "brand": "visa", "last4": last4,
                   "exp_month": 12, "exp_year": year, "is_default": default}),
        )
        .await;
    }
    let token = app.session_for(&vendor, "cus_1").await;
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/payment_methods", &token, None)
        .await;
    let id_of = |last4: &str| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["last4"] == last4)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (second, expired) = (id_of("1881"), id_of("0005"));

    let route = format!("/api/v1/portal/payment_methods/{second}/default");
    let (status, chosen) = app.portal(Method::POST, &route, &token, None).await;
    assert_eq!(status, 200, "{chosen}");
    assert_eq!(chosen["is_default"], true);
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/payment_methods", &token, None)
        .await;
    let defaults: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["is_default"] == true)
        .collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(defaults[0]["last4"], "1881");
    assert_eq!(list["data"][0]["last4"], "1881", "the default comes first");
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["kind"], "payment_method.default_changed");
    assert_eq!(events[0]["payload"]["external_id"], "pm2");

    let route = format!("/api/v1/portal/payment_methods/{expired}/default");
    let (status, body) = app.portal(Method::POST, &route, &token, None).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "payment_method");

    app.settings(
        &vendor,
        json!({"allow_default_payment_method_change": false}),
    )
    .await;
    let route = format!("/api/v1/portal/payment_methods/{second}/default");
    let (status, body) = app.portal(Method::POST, &route, &token, None).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "not_allowed");
}

async fn the_overview_adds_up_what_is_due_and_spent(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    // The test clock stands at 2026-06-01.
    let due = |number: &str, status: &str, total: i64, due: &str, issued: &str, currency: &str| {
        json!({"customer_id": "cus_1", "number": number, "status": status, "currency": currency,
               "total": total, "amount_due": if status == "paid" { 0 } else { total }, "due_date": due,
               "issued_at": issued, "lines": []})
    };
    for (id, body) in [
        (
            "a",
            due(
                "A",
                "open",
                1000,
                "2026-06-15",
                "2026-05-20T00:00:00Z",
                "EUR",
            ),
        ),
        (
            "b",
            due(
                "B",
                "open",
                2500,
                "2026-05-15",
                "2026-04-20T00:00:00Z",
                "EUR",
            ),
        ),
        (
            "c",
            due(
                "C",
                "overdue",
                700,
                "2026-05-01",
                "2026-04-01T00:00:00Z",
                "EUR",
            ),
        ),
        (
            "d",
            due(
                "D",
                "paid",
                9900,
                "2026-01-15",
                "2025-12-20T00:00:00Z",
                "EUR",
            ),
        ),
        (
            "e",
            due(
                "E",
                "open",
                300,
                "2026-07-01",
                "2026-05-25T00:00:00Z",
                "USD",
            ),
        ),
        (
            "f",
            due(
                "F",
                "paid",
                5000,
                "2025-05-15",
                "2025-05-01T00:00:00Z",
                "EUR",
            ),
        ),
        (
            "g",
            due(
                "G",
                "draft",
                123,
                "2026-06-15",
                "2026-05-30T00:00:00Z",
                "EUR",
            ),
        ),
    ] {
        app.vendor_put(&vendor, &format!("/v1/invoices/{id}"), body)
            .await;
    }
    let mut early = subscription("cus_1", "active");
    early["renews_at"] = json!("2026-06-20");
    early["plan"] = json!("Team");
    app.vendor_put(
        &vendor,
        "/v1/subscriptions/s1",
        subscription("cus_1", "active"),
    )
    .await;
    app.vendor_put(&vendor, "/v1/subscriptions/s2", early).await;
    let token = app.session_for(&vendor, "cus_1").await;
    let (status, overview) = app
        .portal(Method::GET, "/api/v1/portal/overview", &token, None)
        .await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(
        overview["balances"],
        json!([
            {"currency": "EUR", "amount_due": 4200, "overdue": 3200, "overdue_invoices": 2},
            {"currency": "USD", "amount_due": 300, "overdue": 0, "overdue_invoices": 0}
        ])
    );
    assert_eq!(overview["next_renewal"]["plan"], "Team");
    assert_eq!(overview["next_renewal"]["date"], "2026-06-20");
    let spending = overview["spending"].as_array().unwrap();
    assert_eq!(
        spending.len(),
        24,
        "twelve months for each of two currencies"
    );
    assert_eq!(spending[0]["month"], "2025-07-01");
    assert_eq!(spending[11]["month"], "2026-06-01");
    let eur: Vec<i64> = spending
        .iter()
        .filter(|m| m["currency"] == "EUR")
        .map(|m| m["total"].as_i64().unwrap())
        .collect();
    // December 9900, April 2500 + 700, May 1000; the draft and last May's fall outside.
    assert_eq!(eur, [0, 0, 0, 0, 0, 9900, 0, 0, 0, 3200, 1000, 0]);

    // The overview's link to the overdue invoices lists the ones it counted: C, which the
    // vendor calls overdue, and B, still open but past its due date; A and E are not due
    // yet. The export holds the same.
    assert_eq!(all_pages(&app, &token, "status=overdue").await, ["B", "C"]);
    let csv = app
        .portal_get("/api/v1/portal/invoices.csv?status=overdue", &token)
        .await
        .text()
        .await
        .unwrap();
    let numbers: Vec<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(numbers, ["B", "C"], "{csv}");
    // Once its due date has passed, A is overdue too (asked in other words, so that the
    // answer is not one remembered from a moment ago).
    app.clock.advance(chrono::Duration::days(15));
    let token = app.session_for(&vendor, "cus_1").await;
    assert_eq!(
        all_pages(&app, &token, "sort=issued_at&status=overdue").await,
        ["A", "B", "C"]
    );
}

async fn the_language_chosen_is_kept_for_the_session(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app.session_for(&vendor, "cus_1").await;
    let (_, info) = app
        .portal(Method::GET, "/api/v1/portal/session", &token, None)
        .await;
    assert_eq!(info["locale"], Value::Null);
    assert_eq!(info["default_locale"], "en");
    let (status, _) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/session",
            &token,
            Some(json!({"locale": "fr"})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, info) = app
        .portal(Method::GET, "/api/v1/portal/session", &token, None)
        .await;
    assert_eq!(info["locale"], "fr");
    let (status, body) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/session",
            &token,
            Some(json!({"locale": "xx"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "locale");
}

/// Where a fresh link for `cus_1` lands.
async fn landing(app: &TestApp, vendor: &Vendor) -> String {
    let exchanged: Value = app
        .exchange_new_link(vendor, json!({"external_id": "cus_1"}))
        .await
        .json()
        .await
        .unwrap();
    exchanged["landing_path"].as_str().unwrap().to_owned()
}

async fn links_land_on_the_first_section_shown(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let org = vendor.organisation.clone();
    assert_eq!(
        landing(&app, &vendor).await,
        format!("/portal/{org}/overview")
    );
    app.settings(&vendor, json!({"sections": ["profile", "payments"]}))
        .await;
    assert_eq!(
        landing(&app, &vendor).await,
        format!("/portal/{org}/payments")
    );
}

/// Every portal endpoint, given ids of records that belong to another customer of the
/// same organisation and to a customer of another organisation, answers "not found"
/// and changes nothing; lists and exports hold only the session's customer's records.
async fn no_endpoint_reaches_another_customers_records(db: TestStore) {
    let app = spawn_app(db).await;
    let ours = app.vendor("Ours").await;
    let theirs = app.vendor("Theirs").await;
    // The same records for cus_1 and cus_2 of both organisations.
    let mut ids = Vec::new();
    for vendor in [&ours, &theirs] {
        for customer in ["cus_1", "cus_2"] {
            let tag = format!("{}-{customer}", &vendor.organisation[..8]);
            app.vendor_put(
                vendor,
                &format!("/v1/invoices/i-{customer}"),
                invoice(customer, &format!("INV-{tag}"), "open", 100, 1),
            )
            .await;
            let pdf = app
                .vendor_request(
                    Method::PUT,
                    &format!("/v1/invoices/i-{customer}/pdf"),
                    vendor,
                )
                .header("content-type", "application/pdf")
                .body(b"%PDF-1.4 x".to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(pdf.status(), 204);
            app.vendor_put(vendor, &format!("/v1/payments/p-{customer}"), json!({"customer_id": customer, "invoice_id": format!("i-{customer}"), "kind": "payment", "status": "succeeded", "method": tag, "currency": "EUR", "amount": 100, "paid_at": "2026-04-02T00:00:00Z"})).await;
            app.vendor_put(
                vendor,
                &format!("/v1/subscriptions/s-{customer}"),
                subscription(customer, "active"),
            )
            .await;
            app.vendor_put(vendor, &format!("/v1/payment_methods/m-{customer}"), json!({"customer_id": customer, "kind": "card", "brand": tag, "last4": "4242", "exp_month": 1, "exp_year": 2030, "is_default": false})).await;
            app.vendor_put(vendor, &format!("/v1/entitlements/e-{customer}"), json!({"customer_id": customer, "feature": tag, "usage": 1, "unit": "seats", "valid_from": "2026-01-01"})).await;
            let app = &app;
            let get = |path: String| async move {
                let response = app.vendor_send(Method::GET, &path, vendor).await;
                let body: Value = response.json().await.unwrap();
                body["id"].as_str().unwrap().to_owned()
            };
            if !(vendor.organisation == ours.organisation && customer == "cus_1") {
                ids.push((
                    get(format!("/v1/invoices/i-{customer}")).await,
                    get(format!("/v1/subscriptions/s-{customer}")).await,
                    get(format!("/v1/payment_methods/m-{customer}")).await,
                ));
            }
        }
    }
    let token = app.session_for(&ours, "cus_1").await;
    let mine = format!("{}-cus_1", &ours.organisation[..8]);
    for (invoice, subscription, method) in &ids {
        for (method_kind, path) in [
            (Method::GET, format!("/api/v1/portal/invoices/{invoice}")),
            (
                Method::GET,
                format!("/api/v1/portal/invoices/{invoice}/pdf"),
            ),
            (
                Method::POST,
                format!("/api/v1/portal/subscriptions/{subscription}/cancel"),
            ),
            (
                Method::POST,
                format!("/api/v1/portal/payment_methods/{method}/default"),
            ),
        ] {
            let (status, body) = app.portal(method_kind.clone(), &path, &token, None).await;
            assert_eq!(status, 404, "{method_kind} {path}: {body}");
        }
    }
    // Nothing of anyone else changed, and nothing was recorded.
    assert!(app.events(&ours).await.is_empty());
    assert!(app.events(&theirs).await.is_empty());
    for vendor in [&ours, &theirs] {
        for customer in ["cus_1", "cus_2"] {
            let route = format!("/v1/subscriptions/s-{customer}");
            let response = app.vendor_send(Method::GET, &route, vendor).await;
            let sub: Value = response.json().await.unwrap();
            assert_eq!(sub["cancel_at_period_end"], false);
        }
    }
    // Every list, export and summary shows the session's customer only.
    for path in [
        "/api/v1/portal/invoices",
        "/api/v1/portal/invoices.csv",
        "/api/v1/portal/payments",
        "/api/v1/portal/payments.csv",
        "/api/v1/portal/entitlements",
        "/api/v1/portal/subscriptions",
        "/api/v1/portal/payment_methods",
        "/api/v1/portal/overview",
        "/api/v1/portal/profile",
        "/api/v1/portal/session",
    ] {
        let (status, body) = app.portal(Method::GET, path, &token, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let text = body.to_string();
        for other in ["cus_2", &theirs.organisation[..8]] {
            assert!(
                !text.contains(&format!("-{other}")) && !text.contains(&format!("{other}-")),
                "{path} leaks {other}: {text}"
            );
        }
        if path.contains("invoices") || path.contains("payments") {
            assert!(
                text.contains(&mine) || path.ends_with("payments"),
                "{path}: {text}"
            );
        }
    }
    // The profile edit changes the session's customer and no one else.
    let (status, _) = app
        .portal(
            Method::PATCH,
            "/api/v1/portal/profile",
            &token,
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(status, 200);
    for (vendor, customer, expected) in [
        (&ours, "cus_1", "Renamed"),
        (&ours, "cus_2", "Ours customer cus_2"),
        (&theirs, "cus_1", "Theirs customer cus_1"),
    ] {
        let response = app
            .vendor_send(Method::GET, &format!("/v1/customers/{customer}"), vendor)
            .await;
        let record: Value = response.json().await.unwrap();
        assert_eq!(record["name"], expected);
    }
}

/// A vendor moves an invoice from one customer to another: the new customer sees the
/// invoice, but none of the payments and credit notes the first customer made against it.
async fn a_moved_invoice_shows_only_its_new_customers_payments(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let new_invoice = invoice("cus_1", "INV-MOVED", "open", 3000, 3);
    app.vendor_put(&vendor, "/v1/invoices/shared", new_invoice)
        .await;
    let payment = |customer: &str, method: &str, amount: i64| {
        json!({"customer_id": customer, "invoice_id": "shared", "kind": "payment",
               "status": "succeeded", "method": method, "currency": "EUR", "amount": amount,
               "paid_at": "2026-04-04T10:00:00Z"})
    };
    let first = payment("cus_1", "Visa of the first customer", 1000);
    app.vendor_put(&vendor, "/v1/payments/first", first).await;
    app.vendor_put(
        &vendor,
        "/v1/credit_notes/first",
        json!({"customer_id": "cus_1", "invoice_id": "shared", "number": "CN-FIRST", "status": "issued",
               "currency": "EUR", "total": 200, "issued_at": "2026-04-05T00:00:00Z"}),
    )
    .await;
    let new_invoice = invoice("cus_2", "INV-MOVED", "open", 3000, 3);
    app.vendor_put(&vendor, "/v1/invoices/shared", new_invoice)
        .await;
    let second = payment("cus_2", "Visa of the second customer", 500);
    app.vendor_put(&vendor, "/v1/payments/second", second).await;

    let token = app.session_for(&vendor, "cus_2").await;
    let (_, list) = app
        .portal(Method::GET, "/api/v1/portal/invoices", &token, None)
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    let id = list["data"][0]["id"].as_str().unwrap().to_owned();
    let route = format!("/api/v1/portal/invoices/{id}");
    let (status, detail) = app.portal(Method::GET, &route, &token, None).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["number"], "INV-MOVED");
    let payments = detail["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 1, "{detail}");
    assert_eq!(payments[0]["method"], "Visa of the second customer");
    assert_eq!(detail["credit_notes"], json!([]), "{detail}");
    let text = detail.to_string();
    assert!(
        !text.contains("first customer") && !text.contains("CN-FIRST"),
        "{text}"
    );

    // The first customer no longer sees the invoice at all.
    let token = app.session_for(&vendor, "cus_1").await;
    let route = format!("/api/v1/portal/invoices/{id}");
    let (status, _) = app.portal(Method::GET, &route, &token, None).await;
    assert_eq!(status, 404);
}

/// Another connection holds what a write would need (SQLite's write lock, PostgreSQL's
/// exclusive lock on the sessions table) while the customer reads: a read that wrote anything would
/// wait for it. Only once the session's activity is due again may a read write it.
async fn portal_reads_never_wait_for_a_writer(db: TestStore) {
    use sqlx::Connection;
    let url = db.url.clone();
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    seed_invoices(&app, &vendor).await;
    let token = app.session_for(&vendor, "cus_1").await;
    app.clock.advance(chrono::Duration::seconds(5));

    enum Holder {
        Sqlite(sqlx::SqliteConnection),
        Postgres(sqlx::PgConnection),
    }
    let mut holder = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .unwrap();
        Holder::Sqlite(conn)
    } else {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut conn).await.unwrap();
        // Readers pass this lock; any UPDATE of the table waits for it.
        sqlx::query("LOCK TABLE sessions IN EXCLUSIVE MODE")
            .execute(&mut conn)
            .await
            .unwrap();
        Holder::Postgres(conn)
    };
    for path in [
        "/api/v1/portal/session",
        "/api/v1/portal/invoices",
        "/api/v1/portal/overview",
        "/api/v1/portal/payments",
        "/api/v1/portal/profile",
    ] {
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(2),
            app.portal(Method::GET, path, &token, None),
        )
        .await;
        let (status, body) = read.unwrap_or_else(|_| panic!("{path} waited for the writer"));
        assert_eq!(status, 200, "{path}: {body}");
    }
    match &mut holder {
        Holder::Sqlite(conn) => drop(sqlx::query("ROLLBACK").execute(conn).await.unwrap()),
        Holder::Postgres(conn) => drop(sqlx::query("ROLLBACK").execute(conn).await.unwrap()),
    }

    // Once a tenth of the idle timeout has passed, the next read records the activity,
    // which keeps the session alive past its idle timeout.
    let idle = 3600;
    for _ in 0..3 {
        app.clock.advance(chrono::Duration::seconds(idle / 2));
        let (status, _) = app
            .portal(Method::GET, "/api/v1/portal/session", &token, None)
            .await;
        assert_eq!(status, 200);
    }
}

/// Another instance (or `portico org set`) changes the settings behind this server's
/// back: within a second this server's portal follows them. A change through this
/// server's own API is seen at once.
async fn a_settings_change_elsewhere_is_seen_within_a_second(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app.session_for(&vendor, "cus_1").await;
    let invoices = |token: String| {
        let app = &app;
        async move {
            app.portal(Method::GET, "/api/v1/portal/invoices", &token, None)
                .await
                .0
        }
    };
    assert_eq!(invoices(token.clone()).await, 200);
    let mut organisation = app
        .store()
        .get_organisation(&vendor.organisation)
        .await
        .unwrap()
        .unwrap();
    organisation.settings.sections = vec!["profile".into()];
    app.store()
        .update_organisation(
            &organisation.id,
            &organisation.name,
            &organisation.settings,
            app.clock.now(),
        )
        .await
        .unwrap();
    tokio::time::sleep(server::store::cache::FRESH_FOR + std::time::Duration::from_millis(100))
        .await;
    assert_eq!(invoices(token.clone()).await, 403);

    app.settings(&vendor, json!({"sections": ["invoices", "profile"]}))
        .await;
    assert_eq!(invoices(token).await, 200);
}

/// Customers save their profiles and switch their default payment method at the same
/// moment: every change succeeds. (On SQLite a transaction that read before it wrote could
/// not wait for another writer and failed at once with "database is locked".)
async fn concurrent_customer_changes_all_succeed(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let mut sessions = Vec::new();
    for customer in ["cus_1", "cus_2"] {
        for method in ["a", "b"] {
            let card = json!({"customer_id": customer, "kind": "card", "brand": "Visa",
                              "last4": "4242", "exp_month": 1, "exp_year": 2030,
                              "is_default": method == "a"});
            app.vendor_put(
                &vendor,
                &format!("/v1/payment_methods/{customer}-{method}"),
                card,
            )
            .await;
        }
        let token = app.session_for(&vendor, customer).await;
        let (_, list) = app
            .portal(Method::GET, "/api/v1/portal/payment_methods", &token, None)
            .await;
        let ids: Vec<String> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        for _ in 0..10 {
            sessions.push((app.session_for(&vendor, customer).await, ids.clone()));
        }
    }
    for round in 0..10 {
        let changes = sessions.iter().enumerate().map(|(i, (token, ids))| {
            let app = &app;
            let (path, body) = if i % 2 == 0 {
                let name = format!("Saved {round}-{i}");
                (
                    "/api/v1/portal/profile".to_owned(),
                    Some(json!({ "name": name })),
                )
            } else {
                let id = &ids[(round + i / 2) % 2];
                (format!("/api/v1/portal/payment_methods/{id}/default"), None)
            };
            let method = if body.is_some() {
                Method::PATCH
            } else {
                Method::POST
            };
            async move { (path.clone(), app.portal(method, &path, token, body).await) }
        });
        for (path, (status, body)) in futures_util::future::join_all(changes).await {
            assert_eq!(status, 200, "round {round}, {path}: {body}");
        }
    }
}

/// The exchange lists the reads the landing page makes first (so the page can start them
/// before the app loads); each answers for the session, and no portal answer may be kept
/// by a cache.
/// Every tab the portal has, a link can land on: the exchange names who is signed in and
/// then the tab's first reads (exactly these, where listed), and the server answers each,
/// never cached. A tab added to the UI without its API fails here.
async fn every_tab_answers_its_landing_reads(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let listed = [
        ("invoices", json!(["/api/v1/portal/invoices?limit=10"])),
        (
            "payments",
            json!(["/api/v1/portal/payments?limit=10", "/api/v1/portal/credits"]),
        ),
        ("overview", json!(["/api/v1/portal/overview"])),
        ("profile", json!(["/api/v1/portal/profile"])),
    ];
    for tab in app::api::session::Tab::ALL {
        let section = tab.name();
        let response = app
            .exchange_new_link(&vendor, json!({"external_id": "cus_1", "section": section}))
            .await;
        assert_eq!(response.status(), 200, "{section}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        let exchanged: Value = response.json().await.unwrap();
        let reads = exchanged["prefetch"].as_array().unwrap();
        assert_eq!(reads[0], "/api/v1/portal/session", "{section}");
        assert!(
            reads.len() >= 2,
            "{section}: the tab's data after who is signed in"
        );
        if let Some((_, tab_reads)) = listed.iter().find(|(name, _)| *name == section) {
            assert_eq!(reads[1..], tab_reads.as_array().unwrap()[..], "{section}");
        }
        let session = exchanged["session_token"].as_str().unwrap();
        for read in reads {
            let read = read.as_str().unwrap();
            let answer = app.portal_get(read, session).await;
            assert_eq!(answer.status(), 200, "{section}: {read}");
            assert_eq!(answer.headers()["cache-control"], "no-store", "{read}");
        }
    }
}
