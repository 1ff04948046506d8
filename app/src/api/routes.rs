//! Paths of the JSON API, shared so that the client never spells one differently.

/// Liveness and database reachability, for load balancers and operators.
pub const HEALTH: &str = "/api/v1/health";
