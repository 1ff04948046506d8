//! The OpenAPI document stays in step with the router: every documented operation exists,
//! and every vendor and portal route is documented.

use serde_json::Value;

use crate::helpers::{spawn_app, TestStore};
use crate::on_both_backends;

on_both_backends!(the_document_describes_exactly_the_routes_that_exist);

/// Every vendor operation the server routes.
const ROUTED: &[(&str, &str)] = &[
    ("post", "/customer/session"),
    ("post", "/v1/portal_sessions"),
    ("delete", "/v1/portal_sessions/{id}"),
    ("get", "/v1/customers/{id}/portal_sessions"),
    ("post", "/v1/import"),
    ("get", "/v1/openapi.json"),
    ("get", "/v1/settings"),
    ("patch", "/v1/settings"),
    ("put", "/v1/settings/logo"),
    ("delete", "/v1/settings/logo"),
    ("get", "/v1/events"),
    ("get", "/v1/webhook_endpoints"),
    ("post", "/v1/webhook_endpoints"),
    ("get", "/v1/webhook_endpoints/{id}"),
    ("patch", "/v1/webhook_endpoints/{id}"),
    ("delete", "/v1/webhook_endpoints/{id}"),
    ("post", "/v1/webhook_endpoints/{id}/rotate_secret"),
    ("get", "/v1/webhook_endpoints/{id}/deliveries"),
    ("post", "/v1/webhook_deliveries/{id}/retry"),
    ("put", "/v1/invoices/{id}/pdf"),
    ("get", "/v1/invoices/{id}/pdf"),
    ("get", "/v1/customers"),
    ("put", "/v1/customers/{id}"),
    ("get", "/v1/customers/{id}"),
    ("delete", "/v1/customers/{id}"),
    ("get", "/v1/customers/{id}/balance"),
    ("get", "/v1/plans"),
    ("get", "/v1/plans/{id}"),
    ("put", "/v1/plans/{id}"),
    ("delete", "/v1/plans/{id}"),
    ("put", "/v1/customers/{id}/balance"),
    ("get", "/v1/invoices"),
    ("put", "/v1/invoices/{id}"),
    ("get", "/v1/invoices/{id}"),
    ("get", "/v1/credit_notes"),
    ("put", "/v1/credit_notes/{id}"),
    ("get", "/v1/credit_notes/{id}"),
    ("get", "/v1/payments"),
    ("put", "/v1/payments/{id}"),
    ("get", "/v1/payments/{id}"),
    ("get", "/v1/entitlements"),
    ("put", "/v1/entitlements/{id}"),
    ("get", "/v1/entitlements/{id}"),
    ("delete", "/v1/entitlements/{id}"),
    ("get", "/v1/subscriptions"),
    ("put", "/v1/subscriptions/{id}"),
    ("get", "/v1/subscriptions/{id}"),
    ("get", "/v1/payment_methods"),
    ("put", "/v1/payment_methods/{id}"),
    ("get", "/v1/payment_methods/{id}"),
    ("delete", "/v1/payment_methods/{id}"),
    // The portal's browser API.
    ("post", "/api/v1/session/exchange"),
    ("post", "/api/v1/session/logout"),
    ("get", "/api/v1/portal/session"),
    ("patch", "/api/v1/portal/session"),
    ("get", "/api/v1/portal/overview"),
    ("get", "/api/v1/portal/invoices"),
    ("get", "/api/v1/portal/invoices.csv"),
    ("get", "/api/v1/portal/invoices/{id}"),
    ("get", "/api/v1/portal/invoices/{id}/pdf"),
    ("post", "/api/v1/portal/invoices/{id}/payment_started"),
    ("post", "/api/v1/portal/balance/payment_started"),
    ("get", "/api/v1/portal/payments"),
    ("get", "/api/v1/portal/payments.csv"),
    ("post", "/api/v1/portal/subscriptions/{id}/cancel"),
    ("post", "/api/v1/portal/subscriptions/{id}/resume"),
    ("post", "/api/v1/portal/subscriptions/{id}/pause"),
    ("get", "/api/v1/portal/subscriptions/{id}/plans"),
    ("post", "/api/v1/portal/subscriptions/{id}/change_plan"),
    ("post", "/api/v1/portal/payment_methods/{id}/default"),
    ("delete", "/api/v1/portal/payment_methods/{id}"),
    ("post", "/api/v1/portal/payment_methods/setup_started"),
    ("get", "/api/v1/portal/profile"),
    ("patch", "/api/v1/portal/profile"),
    ("get", "/api/v1/portal/entitlements"),
    ("get", "/api/v1/portal/subscriptions"),
    ("get", "/api/v1/portal/payment_methods"),
    ("get", "/api/v1/portal/credits"),
];

fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                found.push(target.clone());
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

async fn the_document_describes_exactly_the_routes_that_exist(db: TestStore) {
    let app = spawn_app(db).await;
    let response = app.get("/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    let mut routed: Vec<(String, String)> = ROUTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(
        documented, routed,
        "documented operations differ from the routed ones"
    );

    // Each documented operation is really routed: without credentials it answers 401 from
    // the handler (an unknown route would be 404, a wrong method 405).
    for (method, path) in &documented {
        let url = format!("{}{}", app.base, path.replace("{id}", "x"));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let status = app
            .client
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap()
            .status();
        let expected = match path.as_str() {
            "/v1/openapi.json" => 200,
            // Needs no credentials, only a JSON body with a token.
            "/api/v1/session/exchange" => 415,
            _ => 401,
        };
        assert_eq!(status, expected, "{method} {path}");
    }
    // And a method that is not documented is not routed.
    let status = app
        .client
        .delete(format!("{}/v1/invoices/x", app.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 405);

    let mut targets = Vec::new();
    refs(&document, &mut targets);
    assert!(targets.len() > 20);
    let schemas = document["components"]["schemas"].as_object().unwrap();
    for target in targets {
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(schemas.contains_key(name), "{target} does not resolve");
    }
    for name in [
        "InvoiceInput",
        "Invoice",
        "InvoiceStatus",
        "ErrorBody",
        "ImportReport",
        "CustomerSessionRequest",
    ] {
        assert!(schemas.contains_key(name), "{name} is described");
    }
    let status_values = &schemas["InvoiceStatus"]["enum"];
    assert!(
        status_values
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "partially_paid"),
        "{status_values}"
    );
}
