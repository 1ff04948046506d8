use serde::{Deserialize, Serialize};

/// Answer of [`crate::api::routes::HEALTH`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the server can reach its database, `degraded` otherwise.
    pub status: String,
    /// The server's version (the workspace version); only for a caller with an API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Which store backend is in use, `sqlite` or `postgres`; only for a caller with an
    /// API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}
