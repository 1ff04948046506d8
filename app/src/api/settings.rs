use serde::{Deserialize, Serialize};

/// An organisation's settings, stored as one JSON document so that a new setting needs no
/// migration. Every field has a default, so older documents keep loading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationSettings {
    /// Origins (`https://vendor.example`) that portal links may send the customer back to.
    pub return_origins: Vec<String>,
    /// Origins allowed to embed the portal in an iframe.
    pub embed_origins: Vec<String>,
    /// Language used when neither the link nor the customer names one.
    pub default_locale: String,
    /// How long a portal link stays usable, in seconds.
    pub link_lifetime_secs: i64,
    /// How long a portal session may sit idle, in seconds.
    pub idle_timeout_secs: i64,
}

impl Default for OrganisationSettings {
    fn default() -> Self {
        Self {
            return_origins: Vec::new(),
            embed_origins: Vec::new(),
            default_locale: "en".to_owned(),
            link_lifetime_secs: 3600,
            idle_timeout_secs: 3600,
        }
    }
}
