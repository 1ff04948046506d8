//! Events: what customers did, for the vendor to read.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StoreResult;

/// A customer action or vendor change, kept as the audit log and the webhook outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: String,
    pub kind: String,
    pub customer_id: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// The audit log of what customers did.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The organisation's events, oldest first, after the event `after` (by id).
    async fn list_events(
        &self,
        organisation_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Event>>;
}
