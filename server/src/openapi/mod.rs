//! The API's OpenAPI 3.1 document, served at `GET /v1/openapi.json`: the vendor API and
//! the portal's browser API (`portal`), with the validation's rules (`rules`).
//!
//! Schemas come from the shared API types (`utoipa::ToSchema`); the record paths come from
//! the same [`Kind`] registry that builds the router, so a new kind is documented the
//! moment it is routed.

mod portal;
mod rules;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::routes::import::ImportReport;
use crate::routes::records::{each_kind, Kind, KindVisitor};

/// Collects component schemas by name.
#[derive(Default)]
struct Components(BTreeMap<String, Value>);

impl Components {
    /// Adds `T` (and the types it refers to); returns a `$ref` to it.
    fn add<T: ToSchema>(&mut self) -> Value {
        let mut found: Vec<(String, RefOr<Schema>)> = Vec::new();
        T::schemas(&mut found);
        found.push((T::name().into_owned(), T::schema()));
        for (name, schema) in found {
            self.0.insert(
                name,
                serde_json::to_value(schema).expect("schemas serialise"),
            );
        }
        json!({ "$ref": format!("#/components/schemas/{}", T::name()) })
    }
}

fn json_content(schema: Value) -> Value {
    json!({ "application/json": { "schema": schema } })
}

/// Error answers of an operation. Every operation that takes an API key may also answer
/// 403 (the key's scope does not cover it) and 429 (too many failed keys from the client).
fn error_responses(codes: &[&str]) -> Map<String, Value> {
    let mut responses = Map::new();
    let keyed: &[&str] = if codes.contains(&"401") {
        &["403", "429"]
    } else {
        &[]
    };
    for code in codes.iter().chain(keyed) {
        let description = match *code {
            "400" => "The body is not valid JSON.",
            "401" => "Missing or invalid credentials.",
            "403" => "The API key's scope does not allow this (`insufficient_scope`).",
            "404" => "No such record in this organisation.",
            "408" => "The import took longer than its time limit (`import_timeout`); the message names the lines processed.",
            "429" => "Too many failed API keys from this client; see `Retry-After`.",
            "413" => "The body is too large.",
            "415" => "Wrong content type.",
            "422" => "Invalid fields, each named in `error.fields`.",
            "409" => "The request conflicts with the current state; the message says how.",
            _ => "Error.",
        };
        responses.insert(
            (*code).to_owned(),
            json!({
                "description": description,
                "content": json_content(json!({"$ref": "#/components/schemas/ErrorBody"}))
            }),
        );
    }
    responses
}

fn with(mut base: Map<String, Value>, extra: &[(&str, Value)]) -> Value {
    for (key, value) in extra {
        base.insert((*key).to_owned(), value.clone());
    }
    Value::Object(base)
}

fn id_parameter(what: &str) -> Value {
    json!({
        "name": "id", "in": "path", "required": true,
        "description": format!("The vendor's own id of the {what}, or Portico's id."),
        "schema": crate::contract::external_id()
    })
}

/// Adds the record paths of one kind.
fn add_kind<K: Kind>(paths: &mut Map<String, Value>, components: &mut Components)
where
    K::Input: ToSchema,
    K::Record: ToSchema,
{
    let input = components.add::<K::Input>();
    let record = components.add::<K::Record>();
    let tag = K::PLURAL;
    paths.insert(
        format!("/v1/{}", K::PLURAL),
        json!({
            "get": {
                "tags": [tag],
                "operationId": format!("list_{}", K::PLURAL),
                "summary": format!("List {} in the order of the vendor's ids", K::PLURAL.replace('_', " ")),
                "parameters": [
                    {"name": "customer_id", "in": "query", "schema": {"type": "string"},
                     "description": "Only this customer's records (vendor's or Portico's id)."},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"},
                     "description": "`next_cursor` of the previous page."}
                ],
                "responses": with(error_responses(&["401", "422"]), &[("200", json!({
                    "description": "One page.",
                    "content": json_content(json!({
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "data": {"type": "array", "items": record},
                            "next_cursor": {"type": ["string", "null"]}
                        }
                    }))
                }))])
            }
        }),
    );
    let mut one = json!({
        "put": {
            "tags": [tag],
            "operationId": format!("put_{}", K::SINGULAR),
            "summary": format!("Create or update a {} by the vendor's id (idempotent)", K::SINGULAR.replace('_', " ")),
            "parameters": [id_parameter(K::SINGULAR)],
            "requestBody": {"required": true, "content": json_content(input)},
            "responses": with(error_responses(&["400", "401", "413", "415", "422"]), &[
                ("201", json!({"description": "Created.", "content": json_content(record.clone())})),
                ("200", json!({"description": "Updated.", "content": json_content(record.clone())})),
            ])
        },
        "get": {
            "tags": [tag],
            "operationId": format!("get_{}", K::SINGULAR),
            "parameters": [id_parameter(K::SINGULAR)],
            "responses": with(error_responses(&["401", "404"]), &[
                ("200", json!({"description": "The record.", "content": json_content(record)})),
            ])
        }
    });
    if K::DELETABLE {
        one["delete"] = json!({
            "tags": [tag],
            "operationId": format!("delete_{}", K::SINGULAR),
            "parameters": [id_parameter(K::SINGULAR)],
            "responses": with(error_responses(&["401", "404"]), &[
                ("204", json!({"description": "Deleted."})),
            ])
        });
    }
    paths.insert(format!("/v1/{}/{{id}}", K::PLURAL), one);
}

/// The webhook endpoints and their delivery log.
fn add_webhooks(paths: &mut Map<String, Value>, components: &mut Components) {
    use crate::routes::webhooks::{
        DeliveryList, EndpointInput, EndpointList, EndpointPatch, EndpointView, EndpointWithSecret,
    };
    let input = components.add::<EndpointInput>();
    let patch = components.add::<EndpointPatch>();
    let view = components.add::<EndpointView>();
    let with_secret = components.add::<EndpointWithSecret>();
    let list = components.add::<EndpointList>();
    let delivery = components.add::<crate::store::Delivery>();
    let deliveries = components.add::<DeliveryList>();
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 64}});
    let tags = json!(["webhooks"]);
    let events = crate::webhooks::EVENT_TYPES.join("`, `");
    paths.insert(
        "/v1/webhook_endpoints".into(),
        json!({
            "get": {
                "tags": tags, "operationId": "list_webhook_endpoints",
                "responses": with(error_responses(&["401"]), &[("200", json!({"description": "The organisation's endpoints, oldest first; no secrets.", "content": json_content(list)}))])
            },
            "post": {
                "tags": tags, "operationId": "create_webhook_endpoint",
                "summary": "Have events posted to a URL, signed with the secret this answer shows once",
                "description": format!("Event types: `{events}`, or `*` for all. Each delivery is a POST of `{{id, type, created_at, organisation, customer, data}}` with `Portico-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`; a 2xx answer within 10 s is success, anything else is retried with backoff for 3 days. The URL must be https on a public address."),
                "requestBody": {"required": true, "content": json_content(input)},
                "responses": with(error_responses(&["400", "401", "409", "415", "422"]), &[("201", json!({"description": "The endpoint, with its secret.", "content": json_content(with_secret.clone())}))])
            }
        }),
    );
    paths.insert(
        "/v1/webhook_endpoints/{id}".into(),
        json!({
            "get": {
                "tags": tags, "operationId": "get_webhook_endpoint", "parameters": [id],
                "responses": with(error_responses(&["401", "404"]), &[("200", json!({"description": "The endpoint.", "content": json_content(view.clone())}))])
            },
            "patch": {
                "tags": tags, "operationId": "update_webhook_endpoint", "parameters": [id],
                "requestBody": {"required": true, "content": json_content(patch)},
                "responses": with(error_responses(&["400", "401", "404", "415", "422"]), &[("200", json!({"description": "The endpoint.", "content": json_content(view)}))])
            },
            "delete": {
                "tags": tags, "operationId": "delete_webhook_endpoint", "parameters": [id],
                "responses": with(error_responses(&["401", "404"]), &[("204", json!({"description": "Removed, with its delivery log."}))])
            }
        }),
    );
    paths.insert(
        "/v1/webhook_endpoints/{id}/rotate_secret".into(),
        json!({
            "post": {
                "tags": tags, "operationId": "rotate_webhook_secret", "parameters": [id],
                "summary": "A new secret; the old one keeps signing alongside for 24 hours",
                "responses": with(error_responses(&["401", "404"]), &[("200", json!({"description": "The endpoint, with its new secret.", "content": json_content(with_secret)}))])
            }
        }),
    );
    paths.insert(
        "/v1/webhook_endpoints/{id}/deliveries".into(),
        json!({
            "get": {
                "tags": tags, "operationId": "list_webhook_deliveries",
                "parameters": [id,
                    {"name": "before", "in": "query", "schema": {"type": "string", "maxLength": crate::routes::paging::MAX_ID_CURSOR_CHARS}, "description": "`next_before` of the previous page."},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}],
                "responses": with(error_responses(&["401", "404", "422"]), &[("200", json!({"description": "Deliveries, newest first.", "content": json_content(deliveries)}))])
            }
        }),
    );
    paths.insert(
        "/v1/webhook_deliveries/{id}/retry".into(),
        json!({
            "post": {
                "tags": tags, "operationId": "retry_webhook_delivery", "parameters": [id],
                "summary": "Send a delivery again now, whatever its status",
                "responses": with(error_responses(&["401", "404", "409"]), &[("202", json!({"description": "Queued.", "content": json_content(delivery)}))])
            }
        }),
    );
}

/// The whole document.
pub fn document() -> Value {
    use app::api::session::{
        CustomerSessionRequest, CustomerSessionResponse, PortalSessionCreated, PortalSessionList,
        PortalSessionRequest,
    };
    use app::api::ErrorBody;

    let mut components = Components::default();
    components.add::<ErrorBody>();
    let mut paths = Map::new();
    struct Kinds<'a> {
        paths: &'a mut Map<String, Value>,
        components: &'a mut Components,
    }
    impl KindVisitor for Kinds<'_> {
        fn visit<K: Kind>(&mut self) {
            add_kind::<K>(self.paths, self.components);
        }
    }
    each_kind(&mut Kinds {
        paths: &mut paths,
        components: &mut components,
    });

    let id = id_parameter("invoice");
    paths.insert(
        "/v1/invoices/{id}/pdf".into(),
        json!({
            "put": {
                "tags": ["invoices"], "operationId": "put_invoice_pdf",
                "summary": "Upload the invoice's PDF (at most 10 MiB)",
                "parameters": [id],
                "requestBody": {"required": true, "content": {"application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf", "pattern": "^%PDF-"}}}},
                "responses": with(error_responses(&["401", "404", "413", "415", "422"]), &[("204", json!({"description": "Stored."}))])
            },
            "get": {
                "tags": ["invoices"], "operationId": "get_invoice_pdf",
                "parameters": [id],
                "responses": with(error_responses(&["401", "404"]), &[("200", json!({"description": "The PDF.", "content": {"application/pdf": {}}}))])
            }
        }),
    );
    let report = components.add::<ImportReport>();
    paths.insert(
        "/v1/import".into(),
        json!({
            "post": {
                "tags": ["import"], "operationId": "import_records",
                "summary": "Import NDJSON lines {\"type\", \"id\", \"data\"}; each line is validated and written on its own",
                "description": format!(
                    "`type` is a record kind ({}), `plan` (the id is the plan's) or `credit_balance` (the id is the customer's); `data` is what its PUT takes.",
                    crate::routes::records::singular_names().join(", ")
                ),
                "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                "responses": with(error_responses(&["401", "408", "413", "415"]), &[("200", json!({"description": "What was accepted and rejected.", "content": json_content(report)}))])
            }
        }),
    );
    let zenskar_request = components.add::<CustomerSessionRequest>();
    let zenskar_response = components.add::<CustomerSessionResponse>();
    paths.insert(
        "/customer/session".into(),
        json!({
            "post": {
                "tags": ["portal sessions"], "operationId": "create_customer_session",
                "summary": "A one-time portal link (Zenskar-compatible)",
                "requestBody": {"required": true, "content": json_content(zenskar_request)},
                "responses": with(error_responses(&["400", "401", "415", "422"]), &[("200", json!({"description": "The link.", "content": json_content(zenskar_response)}))])
            }
        }),
    );
    let request = components.add::<PortalSessionRequest>();
    let created = components.add::<PortalSessionCreated>();
    let list = components.add::<PortalSessionList>();
    paths.insert(
        "/v1/portal_sessions".into(),
        json!({
            "post": {
                "tags": ["portal sessions"], "operationId": "create_portal_session",
                "requestBody": {"required": true, "content": json_content(request)},
                "responses": with(error_responses(&["400", "401", "415", "422"]), &[("201", json!({"description": "The link.", "content": json_content(created)}))])
            }
        }),
    );
    paths.insert(
        "/v1/portal_sessions/{id}".into(),
        json!({
            "delete": {
                "tags": ["portal sessions"], "operationId": "revoke_portal_session",
                "summary": "Withdraw a link and end every session made from it",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": with(error_responses(&["401", "404"]), &[("204", json!({"description": "Revoked."}))])
            }
        }),
    );
    paths.insert(
        "/v1/customers/{id}/portal_sessions".into(),
        json!({
            "get": {
                "tags": ["portal sessions"], "operationId": "list_portal_sessions",
                "parameters": [id_parameter("customer")],
                "responses": with(error_responses(&["401", "404"]), &[("200", json!({"description": "Links not yet opened and live sessions.", "content": json_content(list)}))])
            }
        }),
    );
    let plan = components.add::<app::api::plans::Plan>();
    let plan_input = components.add::<app::api::plans::PlanInput>();
    let plans = json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": plan.clone()}}});
    let plan_id = json!({"name": "id", "in": "path", "required": true, "description": "The vendor's id for the plan.", "schema": crate::contract::external_id()});
    paths.insert(
        app::api::routes::PLANS.into(),
        json!({
            "get": {
                "tags": ["plans"], "operationId": "list_plans",
                "summary": "The plan catalogue, by id",
                "responses": with(error_responses(&["401"]), &[("200", json!({"description": "Every plan.", "content": json_content(plans)}))])
            }
        }),
    );
    paths.insert(
        app::api::routes::PLAN.into(),
        json!({
            "get": {
                "tags": ["plans"], "operationId": "get_plan",
                "parameters": [plan_id.clone()],
                "responses": with(error_responses(&["401", "404"]), &[("200", json!({"description": "The plan.", "content": json_content(plan.clone())}))])
            },
            "put": {
                "tags": ["plans"], "operationId": "put_plan",
                "summary": "Create or replace a plan: its prices per currency, features and the plans a subscriber may switch to",
                "parameters": [plan_id.clone()],
                "requestBody": {"required": true, "content": json_content(plan_input)},
                "responses": with(error_responses(&["400", "401", "415", "422"]), &[
                    ("200", json!({"description": "Replaced.", "content": json_content(plan.clone())})),
                    ("201", json!({"description": "Created.", "content": json_content(plan)})),
                ])
            },
            "delete": {
                "tags": ["plans"], "operationId": "delete_plan",
                "parameters": [plan_id],
                "responses": with(error_responses(&["401", "404"]), &[("204", json!({"description": "Deleted."}))])
            }
        }),
    );
    let balance = components.add::<app::api::records::CreditBalance>();
    let balance_input = components.add::<app::api::records::CreditBalanceInput>();
    let balances = json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": balance.clone()}}});
    paths.insert(
        app::api::routes::CUSTOMER_BALANCE.into(),
        json!({
            "get": {
                "tags": ["customers"], "operationId": "list_credit_balances",
                "summary": "The customer's credit, per currency",
                "parameters": [id_parameter("customer")],
                "responses": with(error_responses(&["401", "404"]), &[("200", json!({"description": "Every currency with credit or transactions, by code.", "content": json_content(balances)}))])
            },
            "put": {
                "tags": ["customers"], "operationId": "put_credit_balance",
                "summary": "Replace the customer's credit in one currency; 0 with no transactions removes it",
                "parameters": [id_parameter("customer")],
                "requestBody": {"required": true, "content": json_content(balance_input)},
                "responses": with(error_responses(&["400", "401", "404", "415", "422"]), &[("200", json!({"description": "The credit as kept.", "content": json_content(balance)}))])
            }
        }),
    );
    let settings = components.add::<app::api::settings::SettingsView>();
    let patch = components.add::<app::api::settings::SettingsPatch>();
    paths.insert(
        "/v1/settings".into(),
        json!({
            "get": {
                "tags": ["settings"], "operationId": "get_settings",
                "responses": with(error_responses(&["401"]), &[("200", json!({"description": "The settings.", "content": json_content(settings.clone())}))])
            },
            "patch": {
                "tags": ["settings"], "operationId": "patch_settings",
                "summary": "Change the fields given; null clears an optional link",
                "requestBody": {"required": true, "content": json_content(patch)},
                "responses": with(error_responses(&["400", "401", "415", "422"]), &[("200", json!({"description": "The settings.", "content": json_content(settings)}))])
            }
        }),
    );
    paths.insert(
        "/v1/settings/logo".into(),
        json!({
            "put": {
                "tags": ["settings"], "operationId": "put_logo",
                "summary": "Upload the logo: PNG, JPEG or SVG, at most 512 KiB",
                "description": "The bytes must be what the content type says: a PNG starts with the PNG signature, a JPEG with FF D8 FF, and an SVG is UTF-8 text with an `<svg` element.",
                "requestBody": {"required": true, "content": {
                    "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}},
                    "image/jpeg": {"schema": {"type": "string", "contentMediaType": "image/jpeg"}},
                    "image/svg+xml": {"schema": {"type": "string", "contentMediaType": "image/svg+xml"}}
                }},
                "responses": with(error_responses(&["401", "413", "415", "422"]), &[("204", json!({"description": "Stored."}))])
            },
            "delete": {
                "tags": ["settings"], "operationId": "delete_logo",
                "responses": with(error_responses(&["401", "404"]), &[("204", json!({"description": "Removed."}))])
            }
        }),
    );
    paths.insert(
        "/v1/events".into(),
        json!({
            "get": {
                "tags": ["events"], "operationId": "list_events",
                "summary": "What customers did in the portal, oldest first",
                "description": format!("Kinds: {}. Follow the log by passing the last id seen as `after`; or have them pushed with `/v1/webhook_endpoints`.", crate::webhooks::EVENT_TYPES.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")),
                "parameters": [
                    {"name": "after", "in": "query", "required": false, "schema": {"type": "string", "maxLength": crate::routes::paging::MAX_ID_CURSOR_CHARS}},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}}
                ],
                "responses": with(error_responses(&["401", "422"]), &[("200", json!({"description": "Events after `after`.", "content": json_content(json!({
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "array", "items": {
                            "type": "object",
                            "required": ["id", "kind", "payload", "created_at"],
                            "properties": {
                                "id": {"type": "string"},
                                "kind": {"type": "string"},
                                "customer_id": {"type": ["string", "null"]},
                                "payload": {"type": "object"},
                                "created_at": {"type": "string", "format": "date-time"}
                            }
                        }},
                        "next_after": {"type": ["string", "null"]}
                    }
                }))}))])
            }
        }),
    );
    add_webhooks(&mut paths, &mut components);
    paths.insert(
        "/v1/openapi.json".into(),
        json!({
            "get": {
                "tags": ["meta"], "operationId": "get_openapi", "security": [],
                "responses": {"200": {"description": "This document."}}
            }
        }),
    );

    portal::add_portal(&mut paths, &mut components);
    rules::add_rules(&mut components);
    let mut schemas = Value::Object(components.0.into_iter().collect());
    rules::bound_integers(&mut schemas);

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Portico API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Push customers' billing records into Portico and create portal links. \
                Every call carries the `organisation` header and an `X-API-KEY`. A key's scope is \
                `full` (every operation), `read` (GET only) or `links` (only `POST /v1/portal_sessions` \
                and `POST /customer/session`). Money is an integer amount in the currency's minor \
                units; times are UTC (RFC 3339). The portal's own paths, under `/api/v1/`, are what \
                the customer's browser calls with the session token an exchanged link gives."
        },
        "security": [{"organisation": [], "apiKey": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "portalSession": {
                    "type": "http", "scheme": "bearer",
                    "description": "The `session_token` of `POST /api/v1/session/exchange`; only the portal's paths (`/api/v1/portal/…`) take it."
                },
                "organisation": {"type": "apiKey", "in": "header", "name": "organisation"},
                "apiKey": {
                    "type": "apiKey", "in": "header", "name": "X-API-KEY",
                    "description": "A key from `portico key create --scope full|read|links`."
                }
            }
        }
    })
}
