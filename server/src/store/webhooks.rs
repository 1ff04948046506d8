//! Webhook endpoints and their deliveries: where events go, and how far each one got.
//!
//! A delivery row is written with its event, in the event's transaction (see
//! `sql/common.rs`), for every enabled endpoint subscribed to the event's type. Workers
//! claim due rows for a lease, send them, and record the outcome; a lease that lapses
//! because its worker died makes the row due again. So delivery is at least once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{from_millis, Event, Session, StoreError, StoreResult};

/// An endpoint as stored, secrets included (only the API's create answer shows one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub organisation_id: String,
    pub url: String,
    pub description: Option<String>,
    /// Event types, or `["*"]` for all.
    pub events: Vec<String>,
    pub enabled: bool,
    pub secret: String,
    /// The secret before the last rotation, signing alongside until it expires.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why Portico turned the endpoint off (`failing`), if it did.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookEndpoint {
    /// The secrets that sign a delivery at `now`: the current one, then the previous one
    /// while it is still valid.
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) =
            (&self.previous_secret, self.previous_secret_expires_at)
        {
            if now < until {
                secrets.push(previous);
            }
        }
        secrets
    }

    /// Whether events of `kind` go to this endpoint.
    pub fn wants(&self, kind: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == kind)
    }
}

/// A change to an endpoint; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct EndpointChange {
    pub url: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not yet delivered; `next_attempt_at` says when it goes (again).
    Pending,
    /// A 2xx answer came back.
    Delivered,
    /// Retried for three days without a 2xx answer; only a manual retry sends it again.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        match text {
            "pending" => Ok(DeliveryStatus::Pending),
            "delivered" => Ok(DeliveryStatus::Delivered),
            "failed" => Ok(DeliveryStatus::Failed),
            other => Err(StoreError::Corrupt(format!(
                "webhook delivery status {other:?}"
            ))),
        }
    }
}

/// One event's delivery to one endpoint, as the delivery log shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_latency_ms: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A delivery a worker has claimed, with what it needs to send it.
#[derive(Clone, Debug)]
pub struct ClaimedDelivery {
    pub delivery: Delivery,
    pub organisation_id: String,
    pub endpoint: WebhookEndpoint,
    pub event: Event,
    /// The vendor's id of the event's customer, when it has one.
    pub customer_external_id: Option<String>,
    /// The claim's token: only its holder may record the outcome.
    pub claim: String,
}

/// What one attempt came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The answer's status code, when one came.
    pub status_code: Option<i32>,
    /// Why it failed (`None` for a 2xx answer).
    pub error: Option<String>,
    pub latency_ms: i64,
    pub at: DateTime<Utc>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// After a failed attempt: when to try again, or to give up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterFailure {
    /// `None`: the delivery is marked failed.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// An endpoint failing since before this is turned off.
    pub disable_if_failing_since: DateTime<Utc>,
}

/// What a manual retry found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Retry {
    NotFound,
    /// A worker is sending it right now.
    InFlight,
    /// Its endpoint is turned off: enable it first.
    EndpointDisabled,
    Queued(Delivery),
}

/// How many deliveries wait, for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Pending deliveries to enabled endpoints.
    pub pending: i64,
    /// Of those, the ones due now.
    pub due: i64,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn insert_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> StoreResult<()>;
    /// The organisation's endpoints, oldest first.
    async fn list_webhook_endpoints(
        &self,
        organisation_id: &str,
    ) -> StoreResult<Vec<WebhookEndpoint>>;
    async fn get_webhook_endpoint(
        &self,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<Option<WebhookEndpoint>>;
    /// Applies `change`; enabling an endpoint clears its failure record.
    async fn update_webhook_endpoint(
        &self,
        organisation_id: &str,
        id: &str,
        change: &EndpointChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WebhookEndpoint>>;
    /// Removes an endpoint and its deliveries; returns whether it existed.
    async fn delete_webhook_endpoint(&self, organisation_id: &str, id: &str) -> StoreResult<bool>;
    /// Replaces the secret; the current one keeps signing until `keep_old_until`.
    async fn rotate_webhook_secret(
        &self,
        organisation_id: &str,
        id: &str,
        new_secret: &str,
        keep_old_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WebhookEndpoint>>;
    /// An endpoint's deliveries, newest first, before the delivery `before` (by id).
    async fn list_webhook_deliveries(
        &self,
        organisation_id: &str,
        endpoint_id: &str,
        before: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>>;
    /// Makes a delivery due now, whatever its status.
    async fn retry_webhook_delivery(
        &self,
        organisation_id: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Retry>;
    /// Claims up to `limit` deliveries due at `now` to enabled endpoints, oldest first,
    /// until `lease_until`. Claims by other workers, here or on other instances, are
    /// skipped, so each is sent by one worker at a time.
    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        claim: &str,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>>;
    /// Records an attempt of a claimed delivery and releases it; `after_failure` says what
    /// follows a failure. Returns `false` when the claim had lapsed and another worker
    /// holds the delivery now (the outcome is then not recorded).
    async fn finish_webhook_attempt(
        &self,
        claimed: &ClaimedDelivery,
        attempt: &Attempt,
        after_failure: AfterFailure,
    ) -> StoreResult<bool>;
    /// Ends the sessions that have lapsed by `now` (idle, or past their lifetime), with
    /// an event each; returns how many.
    async fn end_lapsed_sessions(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<u64>;
    /// Records something the session's customer did that changes nothing else (a
    /// download, say).
    async fn record_event(
        &self,
        session: &Session,
        kind: &str,
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn webhook_queue_depth(&self, now: DateTime<Utc>) -> StoreResult<QueueDepth>;
}

/// An endpoint row as both backends read it.
#[derive(sqlx::FromRow)]
pub(super) struct EndpointRow {
    id: String,
    organisation_id: String,
    url: String,
    description: Option<String>,
    event_types: String,
    enabled: bool,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_expires_at: Option<i64>,
    failing_since: Option<i64>,
    disabled_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<EndpointRow> for WebhookEndpoint {
    type Error = StoreError;
    fn try_from(r: EndpointRow) -> StoreResult<Self> {
        Ok(WebhookEndpoint {
            events: serde_json::from_str(&r.event_types)
                .map_err(|e| StoreError::Corrupt(format!("webhook event types: {e}")))?,
            id: r.id,
            organisation_id: r.organisation_id,
            url: r.url,
            description: r.description,
            enabled: r.enabled,
            secret: r.secret,
            previous_secret: r.previous_secret,
            previous_secret_expires_at: r
                .previous_secret_expires_at
                .map(from_millis)
                .transpose()?,
            failing_since: r.failing_since.map(from_millis).transpose()?,
            disabled_reason: r.disabled_reason,
            created_at: from_millis(r.created_at)?,
            updated_at: from_millis(r.updated_at)?,
        })
    }
}

/// The columns of a [`DeliveryRow`]: the delivery `d` joined with its event `e`.
pub(super) const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, d.event_id, e.kind AS event_type, \
    d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status_code, \
    d.last_error, d.last_latency_ms, d.created_at, d.delivered_at";

#[derive(sqlx::FromRow)]
pub(super) struct DeliveryRow {
    id: String,
    endpoint_id: String,
    event_id: String,
    event_type: String,
    status: String,
    attempts: i32,
    next_attempt_at: Option<i64>,
    last_attempt_at: Option<i64>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    last_latency_ms: Option<i64>,
    created_at: i64,
    delivered_at: Option<i64>,
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> StoreResult<Self> {
        Ok(Delivery {
            status: DeliveryStatus::parse(&r.status)?,
            id: r.id,
            endpoint_id: r.endpoint_id,
            event_id: r.event_id,
            event_type: r.event_type,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.map(from_millis).transpose()?,
            last_attempt_at: r.last_attempt_at.map(from_millis).transpose()?,
            last_status_code: r.last_status_code,
            last_error: r.last_error,
            last_latency_ms: r.last_latency_ms,
            created_at: from_millis(r.created_at)?,
            delivered_at: r.delivered_at.map(from_millis).transpose()?,
        })
    }
}
