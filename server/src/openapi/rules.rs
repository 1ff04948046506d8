//! The validation's rules, stated on the request schemas: each comes from the constant or
//! pattern the validation checks (see [`crate::contract`] and [`crate::validate`]).

use serde_json::{json, Value};

use super::Components;

/// Merges `rules` into property `field` of the component schema `name`.
pub(super) fn constrain(components: &mut Components, name: &str, rules: &[(&str, Value)]) {
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
    let nullable = target["type"]
        .as_array()
        .is_some_and(|types| types.contains(&json!("null")));
    for (key, value) in rule.as_object().expect("rules are objects") {
        match key.as_str() {
            "items" => merge(&mut target["items"], value),
            // An enum lists every value allowed: on a nullable field, `null` too.
            "enum" if nullable => {
                let mut values = value.as_array().expect("an enum is a list").clone();
                values.push(Value::Null);
                target[key] = Value::Array(values);
            }
            _ => target[key] = value.clone(),
        }
    }
}

/// Whole numbers are 64-bit (or 32-bit) on the server: larger ones do not parse.
pub(super) fn bound_integers(value: &mut Value) {
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

/// The webhook endpoint's rules (see [`crate::routes::webhooks`]).
fn add_webhook_rules(components: &mut Components) {
    use crate::contract::{padded, text_core, webhook_url};
    use crate::routes::webhooks::MAX_DESCRIPTION_CHARS;
    let events = json!({"anyOf": [
        {"const": ["*"]},
        {"minItems": 1, "uniqueItems": true, "items": {"enum": crate::webhooks::EVENT_TYPES}}
    ]});
    let description = json!({
        "maxLength": MAX_DESCRIPTION_CHARS,
        "pattern": padded(&text_core(), true),
    });
    for name in ["EndpointInput", "EndpointPatch"] {
        constrain(
            components,
            name,
            &[
                ("url", webhook_url()),
                ("events", events.clone()),
                ("description", description.clone()),
            ],
        );
    }
}

/// The validation's rules, stated on the request schemas (see [`crate::validate`]).
pub(super) fn add_rules(components: &mut Components) {
    add_webhook_rules(components);
    use crate::contract::{
        email, https_origin, one_of, origin, payment_url, range, setup_url, text, url,
    };
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
            ("tax_ids", json!({"maxItems": app::api::rules::TAX_IDS_MAX})),
            ("locale", locale.clone()),
            ("balance_payment_url", payment_url()),
        ],
    );
    constrain(
        components,
        "TaxId",
        &[
            ("type", json!({"pattern": "^[a-z][a-z0-9_]{1,31}$"})),
            (
                "value",
                json!({"maxLength": max::TAX_ID, "pattern": crate::contract::padded(&crate::contract::text_core(), false)}),
            ),
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
            ("payment_url", payment_url()),
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
            ("usage_series", json!({"maxItems": max::USAGE_DAYS})),
        ],
    );
    constrain(components, "UsagePoint", &[("value", non_negative.clone())]);
    constrain(
        components,
        "CreditBalanceInput",
        &[
            ("currency", currency.clone()),
            ("amount", non_negative.clone()),
            (
                "transactions",
                json!({"maxItems": max::CREDIT_TRANSACTIONS}),
            ),
        ],
    );
    constrain(
        components,
        "PlanInput",
        &[
            ("name", text(max::NAME)),
            (
                "prices",
                json!({"minItems": 1, "maxItems": max::PLAN_PRICES}),
            ),
            (
                "features",
                json!({"maxItems": max::PLAN_LIST, "items": text(max::NAME)}),
            ),
            (
                "switches_to",
                json!({"maxItems": max::PLAN_LIST, "items": crate::contract::external_id()}),
            ),
        ],
    );
    constrain(
        components,
        "PlanPrice",
        &[
            ("currency", currency.clone()),
            ("amount", non_negative.clone()),
        ],
    );
    constrain(
        components,
        "CreditTransaction",
        &[
            ("amount", json!({"not": {"const": 0}})),
            ("description", text(max::REASON)),
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
            (
                "payment_origins",
                json!({"maxItems": crate::settings::ORIGINS_MAX, "items": https_origin()}),
            ),
            ("payment_method_setup_url", setup_url()),
            (
                "cancellation_reasons",
                json!({"maxItems": crate::settings::REASONS_MAX,
                       "items": {"allOf": [text(crate::settings::REASON_MAX), {"not": {"pattern": "^\\s*[Oo][Tt][Hh][Ee][Rr]\\s*$"}}]}}),
            ),
            ("retention_message", text(crate::settings::RETENTION_MAX)),
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
pub(super) fn profile_rules(components: &mut Components) {
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
            ("tax_ids", json!({"maxItems": app::api::rules::TAX_IDS_MAX})),
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
