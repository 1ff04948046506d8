//! Organisations, their settings and logos, and the API keys that act for them.

use app::api::settings::OrganisationSettings;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

/// An organisation (a vendor) and its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub settings: OrganisationSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organisation {
    /// Whether the portal shows `tab` to this organisation's customers.
    pub fn shows(&self, tab: app::api::session::Tab) -> bool {
        self.settings.sections.iter().any(|s| s == tab.name())
    }
}

/// An organisation's logo image.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Logo {
    pub content_type: String,
    pub content: Vec<u8>,
    /// Epoch milliseconds of the upload; changes the logo's URL so caches refresh.
    pub updated_at: i64,
}

/// A vendor API key as stored: only its hash and a short public prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub organisation_id: String,
    /// The first characters of the key, enough to tell keys apart in a list.
    pub prefix: String,
    pub key_hash: Vec<u8>,
    pub label: String,
    pub scope: KeyScope,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What an API key may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyScope {
    /// Every vendor operation.
    #[default]
    Full,
    /// Reads only (`GET`): records, settings, events, links.
    Read,
    /// Minting portal links only: what a vendor's web tier needs.
    Links,
}

impl KeyScope {
    pub const ALL: [KeyScope; 3] = [KeyScope::Full, KeyScope::Read, KeyScope::Links];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Full => "full",
            KeyScope::Read => "read",
            KeyScope::Links => "links",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Organisations, their logos and API keys.
#[async_trait]
pub trait OrgStore: Send + Sync {
    async fn create_organisation(
        &self,
        id: &str,
        name: &str,
        settings: &OrganisationSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Organisation>;
    async fn get_organisation(&self, id: &str) -> StoreResult<Option<Organisation>>;
    /// Replaces an organisation's name and settings; returns it as stored.
    async fn update_organisation(
        &self,
        id: &str,
        name: &str,
        settings: &OrganisationSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Organisation>>;
    /// Stores the organisation's logo, replacing any earlier one.
    async fn put_logo(
        &self,
        organisation_id: &str,
        content_type: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn get_logo(&self, organisation_id: &str) -> StoreResult<Option<Logo>>;
    /// Removes the logo; returns whether there was one.
    async fn delete_logo(&self, organisation_id: &str) -> StoreResult<bool>;
    async fn count_organisations(&self) -> StoreResult<i64>;
    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()>;
    async fn find_api_key(&self, key_hash: &[u8]) -> StoreResult<Option<ApiKey>>;
    async fn list_api_keys(&self, organisation_id: &str) -> StoreResult<Vec<ApiKey>>;
    /// Revokes the organisation's live keys starting with `prefix`; returns how many.
    async fn revoke_api_keys(
        &self,
        organisation_id: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64>;
}
