//! The portal's browser API in the document.

use serde_json::{json, Map, Value};

use super::rules::{constrain, profile_rules};
use super::{error_responses, json_content, with, Components};

/// The portal's browser API, called with the session token an exchange returns.
pub(super) fn add_portal(paths: &mut Map<String, Value>, components: &mut Components) {
    use app::api::portal::{
        CancelRequest, InvoiceDetail, Overview, PauseRequest, Profile, ProfilePatch, SessionPatch,
    };
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
        json!({"name": "status", "in": "query", "description": "Comma-separated statuses; drafts are never shown. `overdue` also takes in open and partly paid invoices still owing after their due date, as the overview counts them.",
               "schema": {"type": "string", "pattern": format!("^(?:(?:{statuses})?,)*(?:{statuses})?$")}}),
        json!({"name": "from", "in": "query", "description": "Issued on or after this day (UTC); not after `to`.", "schema": day}),
        json!({"name": "to", "in": "query", "description": "Issued on or before this day (UTC).", "schema": day}),
        json!({"name": "q", "in": "query", "description": "Part of the invoice number, in any case.",
               "schema": {"type": "string", "maxLength": crate::validate::max::SEARCH}}),
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
    let credit = components.add::<app::api::records::CreditBalance>();
    let profile = components.add::<Profile>();
    let profile_patch = components.add::<ProfilePatch>();
    let cancel_request = components.add::<CancelRequest>();
    let pause_request = components.add::<PauseRequest>();
    constrain(
        components,
        "PauseRequest",
        &[(
            "comment",
            crate::contract::text(crate::validate::max::REASON),
        )],
    );
    constrain(
        components,
        "CancelRequest",
        &[(
            "comment",
            crate::contract::text(crate::validate::max::REASON),
        )],
    );
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
        routes::PORTAL_INVOICE_PAYMENT_STARTED.into(),
        json!({"post": op(
        "invoice_payment_started",
        "Record that the customer opened the invoice's payment page (`invoice.payment_started`)",
        json!({"parameters": [id]}), ("204", json!({"description": "Recorded."})),
        &["401", "403", "404", "409"])}),
    );
    paths.insert(routes::PORTAL_BALANCE_PAYMENT_STARTED.into(), json!({"post": op(
        "balance_payment_started",
        "Record that the customer opened the page for paying everything overdue (`balance.payment_started`)",
        none.clone(), ("204", json!({"description": "Recorded."})), &["401", "403", "409"])}));
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
    let why = json!({"required": false, "content": json_content(cancel_request)});
    paths.insert(routes::PORTAL_SUBSCRIPTION_CANCEL.into(), json!({"post": op(
        "cancel_subscription",
        "End a subscription at the end of its period, where the vendor allows it, saying why (needed where the vendor lists reasons)",
        json!({"parameters": [id], "requestBody": why}), ("200", answer("The subscription.", subscription.clone())),
        &["400", "401", "403", "404", "409", "422"])}));
    paths.insert(
        routes::PORTAL_SUBSCRIPTION_RESUME.into(),
        json!({"post": op(
        "resume_subscription", "Undo a cancellation at period end, before the period is over",
        json!({"parameters": [id]}), ("200", answer("The subscription.", subscription.clone())),
        &["401", "403", "404", "409"])}),
    );
    paths.insert(routes::PORTAL_SUBSCRIPTION_PAUSE.into(), json!({"post": op(
        "request_pause", "Ask the vendor to pause a subscription that renews, where it allows that (`subscription.pause_requested`)",
        json!({"parameters": [id], "requestBody": {"required": false, "content": json_content(pause_request)}}),
        ("204", json!({"description": "Asked."})),
        &["400", "401", "403", "404", "409", "422"])}));
    let choices = components.add::<app::api::plans::PlanChoices>();
    let change = components.add::<app::api::plans::PlanChangeRequest>();
    paths.insert(routes::PORTAL_SUBSCRIPTION_PLANS.into(), json!({"get": op(
        "list_plan_choices", "The subscription's plan beside the plans it may switch to, with a day-based estimate for the rest of the period",
        json!({"parameters": [id]}), ("200", answer("The choices.", choices)),
        &["401", "403", "404"])}));
    paths.insert(routes::PORTAL_SUBSCRIPTION_CHANGE_PLAN.into(), json!({"post": op(
        "change_plan", "Ask the vendor to move the subscription to one of the plans it may switch to (`subscription.change_requested`); 409 for any other plan",
        json!({"parameters": [id], "requestBody": {"required": true, "content": json_content(change)}}),
        ("204", json!({"description": "Asked."})),
        &["400", "401", "403", "404", "409", "415", "422"])}));
    paths.insert(routes::PORTAL_PAYMENT_METHOD_DEFAULT.into(), json!({"post": op(
        "set_default_payment_method", "Make a payment method the default, where the vendor allows it",
        json!({"parameters": [id]}), ("200", answer("The payment method.", method.clone())),
        &["401", "404", "422"])}));
    paths.insert(routes::PORTAL_PAYMENT_METHOD.into(), json!({"delete": op(
        "remove_payment_method",
        "Remove a payment method that is not the default, where the vendor allows it (`payment_method.removed`)",
        json!({"parameters": [id]}), ("204", json!({"description": "Removed."})),
        &["401", "403", "404", "409"])}));
    paths.insert(routes::PORTAL_PAYMENT_METHOD_SETUP_STARTED.into(), json!({"post": op(
        "payment_method_setup_started",
        "Record that the customer opened the vendor's page for adding a payment method (`payment_method.setup_started`)",
        none.clone(), ("204", json!({"description": "Recorded."})), &["401", "403"])}));
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
        (
            routes::PORTAL_CREDITS,
            "list_portal_credits",
            "The customer's credit balances, by currency, transactions newest first",
            credit,
        ),
    ] {
        paths.insert(path.into(), json!({"get": op(op_id, what, none.clone(), ("200", answer("All of them.", list(items))), &["401"])}));
    }
}
