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
