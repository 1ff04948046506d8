//! Tax IDs and postal codes: checked by type and country when the vendor writes them and
//! when the customer edits them, kept in their usual written form, and sent to the vendor
//! when the customer changes them.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{refused, refused_fields, spawn_app, TestStore};
use crate::on_both_backends;
use crate::records::import;

on_both_backends!(
    a_vendors_tax_ids_and_postal_codes_are_checked_by_type_and_country,
    customers_edit_their_tax_ids_and_the_vendor_hears_of_it,
);

fn customer(tax_ids: Value, address: Value) -> Value {
    json!({"name": "Zoë GmbH", "tax_ids": tax_ids, "address": address})
}

fn codes(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_vendors_tax_ids_and_postal_codes_are_checked_by_type_and_country(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let bad = customer(
        json!([
            {"type": "eu_vat", "value": "DE12345678"},
            {"type": "gb_vat", "value": "GB123456783"},
            {"type": "EU VAT", "value": "DE123456789"},
            {"type": "ch_uid", "value": "CHE-123.456.788"},
            {"type": "ch_uid", "value": "che 123 456 788"},
            {"type": "in_gst", "value": " "},
        ]),
        json!({"postal_code": "1011", "country": "DE"}),
    );
    let response = app.put(&vendor, "/v1/customers/c1", &bad).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        codes(&body),
        [
            ("tax_ids[0].value", "tax_id"),
            ("tax_ids[1].value", "tax_id"),
            ("tax_ids[2].type", "invalid"),
            ("tax_ids[4].value", "duplicate"),
            ("tax_ids[5].value", "required"),
            ("address.postal_code", "postal_code"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    // Nothing of a refused customer is kept.
    let (status, _) = app.get_json(&vendor, "/v1/customers/c1").await;
    assert_eq!(status, 404);

    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"type": "other", "value": format!("REG-{i}")}))
        .collect();
    let fields = refused_fields(
        app.put(
            &vendor,
            "/v1/customers/c1",
            &customer(json!(eleven), json!({})),
        )
        .await,
    )
    .await;
    assert_eq!(fields, ["tax_ids"]);
    for malformed in [
        json!("DE123456789"),
        json!([["eu_vat", "DE123456789"]]),
        json!([{"type": "eu_vat"}]),
    ] {
        let response = app
            .put(
                &vendor,
                "/v1/customers/c1",
                &customer(malformed.clone(), json!({})),
            )
            .await;
        let status = response.status().as_u16();
        assert!(status == 400 || status == 422, "{malformed}: {status}");
    }

    // Good ones are kept as their office writes them; unknown types as sent, trimmed.
    let good = customer(
        json!([
            {"type": "eu_vat", "value": "de 298.765-432"},
            {"type": "ch_uid", "value": "che123456788mwst"},
            {"type": "us_ein", "value": "931234567"},
            {"type": "au_abn", "value": "51824753556"},
            {"type": "no_vat", "value": "  NO 974 760 673 MVA  "},
        ]),
        json!({"postal_code": "sw1a 1aa", "country": "GB"}),
    );
    let response = app.put(&vendor, "/v1/customers/c1", &good).await;
    assert_eq!(response.status(), 201);
    let (_, kept) = app.get_json(&vendor, "/v1/customers/c1").await;
    assert_eq!(
        kept["tax_ids"],
        json!([
            {"type": "eu_vat", "value": "DE298765432"},
            {"type": "ch_uid", "value": "CHE-123.456.788 MWST"},
            {"type": "us_ein", "value": "93-1234567"},
            {"type": "au_abn", "value": "51 824 753 556"},
            {"type": "no_vat", "value": "NO 974 760 673 MVA"},
        ])
    );
    assert_eq!(kept["address"]["postal_code"], "sw1a 1aa");
    // A country Portico does not know takes any postal code.
    let elsewhere = customer(
        json!([]),
        json!({"postal_code": "KY1-1102", "country": "KY"}),
    );
    assert_eq!(
        app.put(&vendor, "/v1/customers/c2", &elsewhere)
            .await
            .status(),
        201
    );

    // The import applies the same rules, line by line.
    let lines = [
        json!({"type": "customer", "id": "c3", "data": customer(json!([{"type": "eu_vat", "value": "NL123456789B01"}]), json!({}))}),
        json!({"type": "customer", "id": "c4", "data": customer(json!([{"type": "eu_vat", "value": "NL123456789A01"}]), json!({}))}),
        json!({"type": "customer", "id": "c5", "data": customer(json!([]), json!({"postal_code": "ABCDE", "country": "US"}))}),
    ]
    .map(|l| l.to_string())
    .join("\n");
    let (status, report) = import(&app, &vendor, lines).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(report["rejected"][0]["field"], "data.tax_ids[0].value");
    assert_eq!(report["rejected"][1]["field"], "data.address.postal_code");
}

async fn customers_edit_their_tax_ids_and_the_vendor_hears_of_it(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let token = app.session_for(&vendor, "cus_1").await;
    let patch = |body: Value| {
        let app = &app;
        let token = &token;
        async move {
            app.portal(Method::PATCH, "/api/v1/portal/profile", token, Some(body))
                .await
        }
    };

    let (status, body) = patch(json!({
        "tax_ids": [{"type": "eu_vat", "value": "FR123"}, {"type": "gb_vat", "value": "123456782"}],
        "address": {"postal_code": "7500", "city": "Paris", "country": "fr"},
    }))
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        codes(&body),
        [
            ("tax_ids[0].value".to_owned(), "tax_id".to_owned()),
            ("address.postal_code".to_owned(), "postal_code".to_owned()),
        ]
    );
    assert!(app.events(&vendor).await.is_empty(), "nothing was saved");

    let (status, saved) = patch(json!({
        "tax_ids": [{"type": "eu_vat", "value": "fr xx 123456789"}, {"type": "gb_vat", "value": "123456782"}],
        "address": {"postal_code": "75001", "city": "Paris", "country": "fr"},
    }))
    .await;
    assert_eq!(status, 200, "{saved}");
    let written = json!([
        {"type": "eu_vat", "value": "FRXX123456789"},
        {"type": "gb_vat", "value": "GB123456782"},
    ]);
    assert_eq!(saved["tax_ids"], written);
    let events = app.events(&vendor).await;
    assert_eq!(events.len(), 1);
    let told = &events[0]["payload"];
    assert_eq!(events[0]["kind"], "customer.updated");
    assert_eq!(told["changed"], json!(["tax_ids", "address"]));
    assert_eq!(told["customer"]["tax_ids"], written);
    assert_eq!(told["customer"]["address"]["country"], "FR");
    let (_, vendors_copy) = app.get_json(&vendor, "/v1/customers/cus_1").await;
    assert_eq!(vendors_copy["tax_ids"], written);

    // The same numbers typed another way change nothing, and tell the vendor nothing.
    let (status, _) = patch(json!({"tax_ids": [
        {"type": "eu_vat", "value": "FRXX 123 456 789"}, {"type": "gb_vat", "value": "GB 123 4567 82"},
    ]}))
    .await;
    assert_eq!(status, 200);
    assert_eq!(app.events(&vendor).await.len(), 1);
    // An empty list removes them all.
    let (status, cleared) = patch(json!({"tax_ids": []})).await;
    assert_eq!(status, 200);
    assert_eq!(cleared["tax_ids"], json!([]));

    // Where the vendor keeps them, they are refused by name.
    app.settings(&vendor, json!({"editable_profile_fields": ["email"]}))
        .await;
    let fields =
        refused(patch(json!({"tax_ids": [{"type": "eu_vat", "value": "DE123456789"}]})).await);
    assert_eq!(fields, ["tax_ids"]);
    for malformed in [
        json!("DE123456789"),
        json!([null]),
        json!({"type": "eu_vat"}),
    ] {
        let (status, body) = patch(json!({ "tax_ids": malformed })).await;
        assert!(
            status == 400 || status == 422,
            "{malformed}: {status} {body}"
        );
    }
}
