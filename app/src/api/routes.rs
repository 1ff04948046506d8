//! Paths of the JSON API, shared so that the client never spells one differently.

/// Liveness and database reachability, for load balancers and operators.
pub const HEALTH: &str = "/api/v1/health";

/// Zenskar-compatible link creation (vendor API).
pub const CUSTOMER_SESSION: &str = "/customer/session";
/// Link creation with every option (vendor API).
pub const PORTAL_SESSIONS: &str = "/v1/portal_sessions";
/// Trades a one-time link token for a session token.
pub const SESSION_EXCHANGE: &str = "/api/v1/session/exchange";
/// Ends the current session.
pub const SESSION_LOGOUT: &str = "/api/v1/session/logout";
/// Who is signed in.
pub const PORTAL_SESSION: &str = "/api/v1/portal/session";
/// The customer's invoices, newest first (drafts never).
pub const PORTAL_INVOICES: &str = "/api/v1/portal/invoices";
/// One of the customer's invoices, with its lines (`{id}` is Portico's id).
pub const PORTAL_INVOICE: &str = "/api/v1/portal/invoices/{id}";
/// An invoice's PDF.
pub const PORTAL_INVOICE_PDF: &str = "/api/v1/portal/invoices/{id}/pdf";
/// Records that the customer opened an invoice's payment page.
pub const PORTAL_INVOICE_PAYMENT_STARTED: &str = "/api/v1/portal/invoices/{id}/payment_started";
/// Records that the customer opened the page for paying everything overdue.
pub const PORTAL_BALANCE_PAYMENT_STARTED: &str = "/api/v1/portal/balance/payment_started";
/// Ends a subscription at the end of its current period.
pub const PORTAL_SUBSCRIPTION_CANCEL: &str = "/api/v1/portal/subscriptions/{id}/cancel";
/// Undoes a cancellation at period end: the subscription renews after all.
pub const PORTAL_SUBSCRIPTION_RESUME: &str = "/api/v1/portal/subscriptions/{id}/resume";
/// Asks the vendor to pause a subscription.
pub const PORTAL_SUBSCRIPTION_PAUSE: &str = "/api/v1/portal/subscriptions/{id}/pause";
/// Makes a payment method the default.
pub const PORTAL_PAYMENT_METHOD_DEFAULT: &str = "/api/v1/portal/payment_methods/{id}/default";
/// One of the customer's payment methods: `DELETE` removes it.
pub const PORTAL_PAYMENT_METHOD: &str = "/api/v1/portal/payment_methods/{id}";
/// Records that the customer opened the vendor's page for adding a payment method.
pub const PORTAL_PAYMENT_METHOD_SETUP_STARTED: &str =
    "/api/v1/portal/payment_methods/setup_started";
/// The plan catalogue (vendor API).
pub const PLANS: &str = "/v1/plans";
/// One plan of the catalogue, by the vendor's id (vendor API).
pub const PLAN: &str = "/v1/plans/{id}";
/// The subscription's plan and the plans it may switch to.
pub const PORTAL_SUBSCRIPTION_PLANS: &str = "/api/v1/portal/subscriptions/{id}/plans";
/// Asks the vendor to move a subscription to another plan.
pub const PORTAL_SUBSCRIPTION_CHANGE_PLAN: &str = "/api/v1/portal/subscriptions/{id}/change_plan";
/// A customer's credit balance (vendor API): `PUT` one currency, `GET` all of them.
pub const CUSTOMER_BALANCE: &str = "/v1/customers/{id}/balance";
/// The customer's credit balances, by currency, with their transactions.
pub const PORTAL_CREDITS: &str = "/api/v1/portal/credits";
/// The customer's payments and refunds, newest first.
pub const PORTAL_PAYMENTS: &str = "/api/v1/portal/payments";
/// The customer's entitlements.
pub const PORTAL_ENTITLEMENTS: &str = "/api/v1/portal/entitlements";
/// The customer's subscriptions.
pub const PORTAL_SUBSCRIPTIONS: &str = "/api/v1/portal/subscriptions";
/// The customer's payment methods, the default first.
pub const PORTAL_PAYMENT_METHODS: &str = "/api/v1/portal/payment_methods";
/// The customer's invoices as CSV, with the same filters as the list.
pub const PORTAL_INVOICES_CSV: &str = "/api/v1/portal/invoices.csv";
/// The customer's payments and refunds as CSV.
pub const PORTAL_PAYMENTS_CSV: &str = "/api/v1/portal/payments.csv";
/// The landing page's figures: balance, overdue, next renewal, spending per month.
pub const PORTAL_OVERVIEW: &str = "/api/v1/portal/overview";
/// The customer's own details.
pub const PORTAL_PROFILE: &str = "/api/v1/portal/profile";

/// A route with its `{id}` filled in, percent-encoded as one path segment: the one way the
/// client builds such a path, from the same constant the server routes.
pub fn with_id(route: &str, id: &str) -> String {
    route.replacen("{id}", &encode(id), 1)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, for a path segment or
/// a query value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The file name a download of an invoice's PDF gets: its number, with anything but
/// letters, digits, `-` and `_` replaced, so that no vendor text reaches a header or a
/// path as it is.
pub fn pdf_file_name(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.pdf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_fill_routes_as_one_encoded_segment() {
        assert_eq!(
            with_id(PORTAL_INVOICE_PDF, "a/b c"),
            "/api/v1/portal/invoices/a%2Fb%20c/pdf"
        );
        assert_eq!(encode("1767225600123.abc-1"), "1767225600123.abc-1");
        assert_eq!(encode("a/b?c=d&e f"), "a%2Fb%3Fc%3Dd%26e%20f");
    }

    #[test]
    fn pdf_names_keep_only_plain_characters() {
        assert_eq!(pdf_file_name("INV-2026/01 ü\"<"), "INV-2026_01____.pdf");
    }
}
