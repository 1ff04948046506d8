//! The vendor API's OpenAPI 3.1 document, served at `GET /v1/openapi.json`.
//!
//! Schemas come from the shared API types (`utoipa::ToSchema`); the record paths come from
//! the same [`Kind`] registry that builds the router, so a new kind is documented the
//! moment it is routed.

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

/// Merges `rules` into property `field` of the component schema `name`.
fn constrain(components: &mut Components, name: &str, rules: &[(&str, Value)]) {
    let schema = components
        .0
        .get_mut(name)
        .unwrap_or_else(|| panic!("no component {name}"));
    for (field, rule) in rules {
        let property = schema["properties"]
            .get_mut(*field)
            .unwrap_or_else(|| panic!("no property {name}.{field}"));
        merge(property, rule);
    }
}

fn merge(target: &mut Value, rule: &Value) {
    // A nullable reference (`oneOf: [null, $ref]`) takes the rule on its non-null branch.
    if let Some(branches) = target.get_mut("oneOf").and_then(Value::as_array_mut) {
        for branch in branches {
            if branch.get("type") != Some(&json!("null")) {
                merge(branch, rule);
            }
        }
        return;
    }
    for (key, value) in rule.as_object().expect("rules are objects") {
        if key == "items" {
            merge(&mut target["items"], value);
        } else {
            target[key] = value.clone();
        }
    }
}

/// Whole numbers are 64-bit (or 32-bit) on the server: larger ones do not parse.
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let bounds = match map.get("format").and_then(Value::as_str) {
                Some("int64") => Some((i64::MIN, i64::MAX)),
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                map.entry("minimum").or_insert(json!(min));
                map.entry("maximum").or_insert(json!(max));
            }
            for inner in map.values_mut() {
                bound_integers(inner);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// The validation's rules, stated on the request schemas (see [`crate::validate`]).
fn add_rules(components: &mut Components) {
    use crate::contract::{email, one_of, origin, range, text, url};
    use crate::validate::{is_currency_list, max};
    use app::api::session::LOCALES;
    use app::api::settings::{PROFILE_FIELDS, SECTIONS};

    let currency = one_of(&is_currency_list());
    let customer = text(max::REFERENCE);
    let country = json!({"pattern": "^[A-Z]{2}$"});
    let locale = one_of(LOCALES);
    let non_negative = json!({"minimum": 0});
    constrain(
        components,
        "CustomerInput",
        &[
            ("name", text(max::NAME)),
            ("email", email()),
            ("phone", text(max::PHONE)),
            ("tax_id", text(max::TAX_ID)),
            ("locale", locale.clone()),
        ],
    );
    constrain(
        components,
        "Address",
        &[
            ("line1", text(max::ADDRESS_LINE)),
            ("line2", text(max::ADDRESS_LINE)),
            ("postal_code", text(max::ADDRESS_LINE)),
            ("city", text(max::ADDRESS_LINE)),
            ("region", text(max::ADDRESS_LINE)),
            ("country", country),
        ],
    );
    constrain(
        components,
        "InvoiceInput",
        &[
            ("customer_id", customer.clone()),
            ("number", text(max::NUMBER)),
            ("currency", currency.clone()),
            ("total", non_negative.clone()),
            ("amount_due", non_negative.clone()),
            ("pdf_url", url()),
            ("lines", json!({"maxItems": max::INVOICE_LINES})),
        ],
    );
    constrain(
        components,
        "InvoiceLine",
        &[
            ("description", text(max::LINE_DESCRIPTION)),
            ("quantity", non_negative.clone()),
        ],
    );
    constrain(
        components,
        "CreditNoteInput",
        &[
            ("customer_id", customer.clone()),
            ("invoice_id", text(max::REFERENCE)),
            ("number", text(max::NUMBER)),
            ("currency", currency.clone()),
            ("total", non_negative.clone()),
            ("reason", text(max::REASON)),
        ],
    );
    constrain(
        components,
        "PaymentInput",
        &[
            ("customer_id", customer.clone()),
            ("invoice_id", text(max::REFERENCE)),
            ("method", text(max::METHOD)),
            ("currency", currency.clone()),
            ("amount", json!({"minimum": 1})),
        ],
    );
    constrain(
        components,
        "EntitlementInput",
        &[
            ("customer_id", customer.clone()),
            ("feature", text(max::NAME)),
            ("limit", non_negative.clone()),
            ("usage", non_negative.clone()),
            ("unit", text(max::UNIT)),
        ],
    );
    constrain(
        components,
        "SubscriptionInput",
        &[
            ("customer_id", customer.clone()),
            ("plan", text(max::NAME)),
            ("currency", currency),
            ("amount", non_negative),
        ],
    );
    constrain(
        components,
        "PaymentMethodInput",
        &[
            ("customer_id", customer.clone()),
            ("brand", text(max::BRAND)),
            ("last4", json!({"pattern": "^[0-9]{4}$"})),
            ("exp_month", range(1, 12)),
            ("exp_year", range(2000, 2100)),
        ],
    );
    let seconds = range(crate::settings::SECONDS_MIN, crate::settings::SECONDS_MAX);
    let section = json!({"pattern": format!("^(?:{}|invoice:.+)$", SECTIONS.join("|"))});
    constrain(
        components,
        "PortalSessionRequest",
        &[
            ("customer_id", customer.clone()),
            ("external_id", customer.clone()),
            ("return_url", url()),
            ("idle_timeout", seconds.clone()),
            ("locale", locale.clone()),
            ("section", section),
            ("expires_in", seconds.clone()),
        ],
    );
    // One of the two ids, as a string; the other absent or null.
    let only = |given: &str, other: &str| json!({"required": [given], "properties": {given: {"type": "string"}, other: {"type": "null"}}});
    components.0.get_mut("PortalSessionRequest").unwrap()["oneOf"] = json!([
        only("customer_id", "external_id"),
        only("external_id", "customer_id")
    ]);
    constrain(
        components,
        "CustomerSessionRequest",
        &[
            ("customer_id", customer),
            ("return_url", url()),
            ("idle_timeout", seconds.clone()),
        ],
    );
    let color = json!({"pattern": "^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$"});
    constrain(
        components,
        "SettingsPatch",
        &[
            ("name", text(max::NAME)),
            (
                "return_origins",
                json!({"maxItems": crate::settings::ORIGINS_MAX, "items": origin()}),
            ),
            (
                "embed_origins",
                json!({"maxItems": crate::settings::ORIGINS_MAX, "items": origin()}),
            ),
            ("default_locale", locale),
            ("link_lifetime_secs", seconds.clone()),
            ("idle_timeout_secs", seconds),
            ("primary_color", color.clone()),
            ("accent_color", color),
            ("support_email", email()),
            ("support_url", url()),
            ("terms_url", url()),
            ("privacy_url", url()),
            (
                "sections",
                json!({"minItems": 1, "items": one_of(SECTIONS)}),
            ),
            (
                "editable_profile_fields",
                json!({"items": one_of(PROFILE_FIELDS)}),
            ),
        ],
    );
}

/// The profile form's rules: values are trimmed before they are checked (and an optional
/// one of white space alone is cleared), so each pattern allows white space around the
/// value; lengths count what was sent.
fn profile_rules(components: &mut Components) {
    use crate::contract::{email_core, padded, text_core, EMAIL_MAX, PHONE_CORE};
    use crate::validate::max;
    let text = |max: usize, clearable: bool| json!({"maxLength": max, "pattern": padded(&text_core(), clearable)});
    constrain(
        components,
        "ProfilePatch",
        &[
            ("name", text(max::NAME, false)),
            (
                "email",
                json!({"maxLength": EMAIL_MAX, "pattern": padded(&email_core(), true)}),
            ),
            (
                "phone",
                json!({"maxLength": max::PHONE, "pattern": padded(PHONE_CORE, true)}),
            ),
            ("tax_id", text(max::TAX_ID, true)),
        ],
    );
    // The form's address, unlike the vendor's, takes a country in either case.
    let line = text(max::ADDRESS_LINE, true);
    let part = |rule: &Value| {
        let mut schema = json!({"type": ["string", "null"]});
        merge(&mut schema, rule);
        schema
    };
    let address = json!({
        "type": ["object", "null"],
        "additionalProperties": false,
        "description": "Replaces the whole address; parts left out or blank are cleared.",
        "properties": {
            "line1": part(&line), "line2": part(&line), "postal_code": part(&line),
            "city": part(&line), "region": part(&line),
            "country": part(&json!({"pattern": padded("[A-Za-z]{2}", true)})),
        }
    });
    components.0.get_mut("ProfilePatch").unwrap()["properties"]["address"] = address;
}

/// The portal's browser API, called with the session token an exchange returns.
fn add_portal(paths: &mut Map<String, Value>, components: &mut Components) {
    use app::api::portal::{InvoiceDetail, Overview, Profile, ProfilePatch, SessionPatch};
    use app::api::records::{Entitlement, Invoice, Payment, PaymentMethod, Subscription};
    use app::api::routes;
    use app::api::session::{ExchangeRequest, ExchangeResponse, SessionInfo, LOCALES};

    let session = json!([{"portalSession": []}]);
    let tag = json!(["portal"]);
    let answer = |description: &str, schema: Value| json!({"description": description, "content": json_content(schema)});
    let page = |items: Value| {
        json!({"type": "object", "required": ["data"], "properties": {
            "data": {"type": "array", "items": items},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page."}
        }})
    };
    let list = |items: Value| json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": items}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"},
                    "description": "Portico's id, as the lists return it."});
    let paging = [
        json!({"name": "cursor", "in": "query", "schema": {"type": "string"},
               "description": "`next_cursor` of the previous page; a cursor from another list or order is refused."}),
        json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}}),
    ];
    let statuses = "open|paid|partially_paid|overdue|void|uncollectible";
    let day = json!({"type": "string", "anyOf": [{"maxLength": 0}, {"format": "date"}]});
    let filters = vec![
        json!({"name": "status", "in": "query", "description": "Comma-separated statuses; drafts are never shown.",
               "schema": {"type": "string", "pattern": format!("^(?:(?:{statuses})?,)*(?:{statuses})?$")}}),
        json!({"name": "from", "in": "query", "description": "Issued on or after this day (UTC); not after `to`.", "schema": day}),
        json!({"name": "to", "in": "query", "description": "Issued on or before this day (UTC).", "schema": day}),
        json!({"name": "q", "in": "query", "description": "Part of the invoice number, in any case.",
               "schema": {"type": "string", "maxLength": crate::routes::portal_search_max()}}),
        json!({"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["", "issued_at", "due_date", "total", "amount_due"]}}),
        json!({"name": "order", "in": "query", "schema": {"type": "string", "enum": ["", "asc", "desc"]}}),
    ];
    let mut invoice_query = filters.clone();
    invoice_query.extend(paging.iter().cloned());
    let errors = |codes: &[&str]| error_responses(codes);
    let csv = json!({"description": "CSV, one row per record.", "content": {"text/csv": {"schema": {"type": "string"}}}});

    let info = components.add::<SessionInfo>();
    let session_patch = components.add::<SessionPatch>();
    let overview = components.add::<Overview>();
    let invoice = components.add::<Invoice>();
    let detail = components.add::<InvoiceDetail>();
    let payment = components.add::<Payment>();
    let subscription = components.add::<Subscription>();
    let entitlement = components.add::<Entitlement>();
    let method = components.add::<PaymentMethod>();
    let profile = components.add::<Profile>();
    let profile_patch = components.add::<ProfilePatch>();
    let exchange = components.add::<ExchangeRequest>();
    let exchanged = components.add::<ExchangeResponse>();
    constrain(
        components,
        "SessionPatch",
        &[("locale", crate::contract::one_of(LOCALES))],
    );
    profile_rules(components);

    let op = |id: &str, summary: &str, extra: Value, ok: (&str, Value), codes: &[&str]| {
        let mut operation = json!({
            "tags": tag, "operationId": id, "summary": summary, "security": session,
            "responses": with(errors(codes), &[ok]),
        });
        for (key, value) in extra.as_object().unwrap() {
            operation[key] = value.clone();
        }
        operation
    };
    let none = json!({});
    paths.insert(routes::SESSION_EXCHANGE.into(), json!({"post": {
        "tags": tag, "operationId": "exchange_link", "security": [],
        "summary": "Trade a one-time link token for a session token",
        "requestBody": {"required": true, "content": json_content(exchange)},
        "responses": with(error_responses(&["400", "415", "422"]), &[
            ("200", answer("The session.", exchanged)),
            ("401", answer("The token is not a link (`link_invalid`).", json!({"$ref": "#/components/schemas/ErrorBody"}))),
            ("410", answer("The link was used, has expired or was withdrawn.", json!({"$ref": "#/components/schemas/ErrorBody"}))),
            ("429", answer("Too many exchanges from this client; see `Retry-After`.", json!({"$ref": "#/components/schemas/ErrorBody"}))),
        ])
    }}));
    paths.insert(routes::SESSION_LOGOUT.into(), json!({"post": op(
        "logout", "End this session", none.clone(), ("204", json!({"description": "Ended."})), &["401"])}));
    paths.insert(routes::PORTAL_SESSION.into(), json!({
        "get": op("get_session", "Who is signed in", none.clone(), ("200", answer("The session.", info)), &["401"]),
        "patch": op("set_session_locale", "The customer's language for this session",
            json!({"requestBody": {"required": true, "content": json_content(session_patch)}}),
            ("204", json!({"description": "Changed."})), &["400", "401", "415", "422"]),
    }));
    paths.insert(
        routes::PORTAL_OVERVIEW.into(),
        json!({"get": op(
        "get_overview", "Balance, overdue invoices, next renewal and spending", none.clone(),
        ("200", answer("The figures.", overview)), &["401"])}),
    );
    paths.insert(routes::PORTAL_INVOICES.into(), json!({"get": op(
        "list_portal_invoices", "The customer's invoices, newest first by default",
        json!({"parameters": invoice_query}), ("200", answer("One page.", page(invoice))), &["401", "422"])}));
    paths.insert(routes::PORTAL_INVOICES_CSV.into(), json!({"get": op(
        "export_invoices", "The invoices the filters select, as CSV", json!({"parameters": filters}),
        ("200", csv.clone()), &["401", "422"])}));
    paths.insert(
        routes::PORTAL_INVOICE.into(),
        json!({"get": op(
        "get_portal_invoice", "One invoice with its lines, payments and credit notes",
        json!({"parameters": [id]}), ("200", answer("The invoice.", detail)), &["401", "404"])}),
    );
    paths.insert(routes::PORTAL_INVOICE_PDF.into(), json!({"get": op(
        "download_invoice_pdf", "The invoice's PDF", json!({"parameters": [id]}),
        ("200", json!({"description": "The PDF.", "content": {"application/pdf": {}}})), &["401", "404"])}));
    paths.insert(
        routes::PORTAL_PAYMENTS.into(),
        json!({"get": op(
        "list_portal_payments", "Payments and refunds, newest first", json!({"parameters": paging}),
        ("200", answer("One page.", page(payment))), &["401", "422"])}),
    );
    paths.insert(
        routes::PORTAL_PAYMENTS_CSV.into(),
        json!({"get": op(
        "export_payments", "Payments and refunds as CSV", none.clone(), ("200", csv), &["401"])}),
    );
    paths.insert(routes::PORTAL_SUBSCRIPTION_CANCEL.into(), json!({"post": op(
        "cancel_subscription", "End a subscription at the end of its period, where the vendor allows it",
        json!({"parameters": [id]}), ("200", answer("The subscription.", subscription.clone())),
        &["401", "404", "409"])}));
    paths.insert(routes::PORTAL_PAYMENT_METHOD_DEFAULT.into(), json!({"post": op(
        "set_default_payment_method", "Make a payment method the default, where the vendor allows it",
        json!({"parameters": [id]}), ("200", answer("The payment method.", method.clone())),
        &["401", "404", "422"])}));
    paths.insert(routes::PORTAL_PROFILE.into(), json!({
        "get": op("get_profile", "The customer's details and which they may change", none.clone(),
            ("200", answer("The profile.", profile.clone())), &["401"]),
        "patch": op("update_profile", "Change the fields given, where the vendor allows it",
            json!({"requestBody": {"required": true, "content": json_content(profile_patch)}}),
            ("200", answer("The profile.", profile)), &["400", "401", "415", "422"]),
    }));
    for (path, op_id, what, items) in [
        (
            routes::PORTAL_ENTITLEMENTS,
            "list_portal_entitlements",
            "The customer's entitlements",
            entitlement,
        ),
        (
            routes::PORTAL_SUBSCRIPTIONS,
            "list_portal_subscriptions",
            "The customer's subscriptions",
            subscription,
        ),
        (
            routes::PORTAL_PAYMENT_METHODS,
            "list_portal_payment_methods",
            "The customer's payment methods, the default first",
            method,
        ),
    ] {
        paths.insert(path.into(), json!({"get": op(op_id, what, none.clone(), ("200", answer("All of them.", list(items))), &["401"])}));
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
                "description": "Kinds: `customer.updated`, `subscription.cancellation_requested`, `payment_method.default_changed`. Follow the log by passing the last id seen as `after`.",
                "parameters": [
                    {"name": "after", "in": "query", "required": false, "schema": {"type": "string"}},
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
    paths.insert(
        "/v1/openapi.json".into(),
        json!({
            "get": {
                "tags": ["meta"], "operationId": "get_openapi", "security": [],
                "responses": {"200": {"description": "This document."}}
            }
        }),
    );

    add_portal(&mut paths, &mut components);
    add_rules(&mut components);
    let mut schemas = Value::Object(components.0.into_iter().collect());
    bound_integers(&mut schemas);

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
