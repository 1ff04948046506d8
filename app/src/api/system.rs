use serde::{Deserialize, Serialize};

/// Answer of [`crate::api::routes::HEALTH`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the server can reach its database, `degraded` otherwise.
    pub status: String,
    /// The server's version (the workspace version).
    pub version: String,
    /// Which store backend is in use: `sqlite` or `postgres`.
    pub database: String,
}
