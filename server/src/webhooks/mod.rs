//! Webhook delivery: every event reaches each endpoint subscribed to it, signed, retried
//! with backoff for three days, at least once.
//!
//! Deliveries are rows written with their events (see [`crate::store::WebhookStore`]).
//! One worker per instance ([`run`]) claims due rows for a lease, sends them, and records
//! each attempt. Several instances on one PostgreSQL share the rows: a claim skips rows
//! another instance holds. A worker that dies leaves its lease to lapse, and the row goes
//! out again after it.

pub mod guard;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use tokio::sync::Notify;

use crate::store::{AfterFailure, Attempt, ClaimedDelivery, Store};
use guard::AllowedHosts;

/// Every event type an endpoint can subscribe to.
pub const EVENT_TYPES: &[&str] = &[
    "customer.updated",
    "subscription.cancellation_requested",
    "subscription.cancellation_withdrawn",
    "subscription.pause_requested",
    "payment_method.default_changed",
    "payment_method.removed",
    "payment_method.setup_started",
    "portal_session.created",
    "portal_session.opened",
    "portal_session.ended",
    "invoice.pdf_downloaded",
    "invoice.payment_started",
    "balance.payment_started",
    "export.downloaded",
    "webhook_endpoint.disabled",
];

/// How long a delivery is retried, and how long an endpoint may fail before it is
/// turned off.
pub const RETRY_FOR: chrono::Duration = chrono::Duration::days(3);
/// The first retry's delay; each one after doubles it.
const FIRST_RETRY_SECS: i64 = 60;
/// The longest delay between two attempts.
const MAX_RETRY_SECS: i64 = 12 * 3600;
/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);
/// The most of an answer's body that is read.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// Deliveries a worker claims at once.
const CLAIM_BATCH: i64 = 32;
/// How often an idle worker looks for due deliveries that another instance (or the
/// retry schedule) made due.
const POLL: Duration = Duration::from_millis(250);
/// How often lapsed sessions are ended, with their `portal_session.ended` events.
const SESSION_SWEEP: Duration = Duration::from_secs(5);

/// What the server keeps for delivering: the client, and a bell that wakes the worker
/// when this instance has just written an event.
pub struct Webhooks {
    wake: Notify,
    client: reqwest::Client,
    pub allowed: Arc<AllowedHosts>,
    pub timeout: Duration,
}

impl Webhooks {
    pub fn new(allowed: AllowedHosts, timeout: Duration) -> Self {
        let allowed = Arc::new(allowed);
        Self {
            wake: Notify::new(),
            client: client(allowed.clone(), timeout),
            allowed,
            timeout,
        }
    }

    /// Tells the worker that deliveries may be due now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// How long a claim holds: the attempt's timeout twice over, plus a margin to write
    /// the outcome.
    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.timeout * 2 + Duration::from_secs(5))
            .unwrap_or(chrono::Duration::seconds(60))
    }
}

/// The delivery client: no redirects, no proxies, a timeout, and names resolved only to
/// public addresses (see [`guard`]).
pub fn client(allowed: Arc<AllowedHosts>, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("Portico-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(guard::GuardedResolver { allowed }))
        .build()
        .expect("the webhook client's settings are valid")
}

/// A new signing secret: `whsec_` and 256 random bits.
pub fn new_secret() -> String {
    format!("whsec_{}", crate::token::random_token())
}

/// `Portico-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
/// with one `v1=` per secret.
pub fn signature(secrets: &[&str], t: i64, body: &[u8]) -> String {
    let mut header = format!("t={t}");
    for secret in secrets {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        header.push_str(",v1=");
        for byte in mac.finalize().into_bytes() {
            header.push_str(&format!("{byte:02x}"));
        }
    }
    header
}

/// Checks a `Portico-Signature` header as a receiver does: some `v1=` matches the HMAC
/// of `"<t>.<body>"` under `secret`, and `t` is within `tolerance_secs` of `now`.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    let expected = signature(&[secret], t, body);
    let Some((_, expected)) = expected.split_once(",v1=") else {
        return false;
    };
    signatures
        .iter()
        .any(|s| subtle::ConstantTimeEq::ct_eq(s.as_bytes(), expected.as_bytes()).into())
}

/// The JSON a receiver gets: the same for every attempt of one event.
pub fn body(claimed: &ClaimedDelivery) -> Vec<u8> {
    let customer = claimed
        .event
        .customer_id
        .as_ref()
        .map(|id| serde_json::json!({"id": id, "external_id": claimed.customer_external_id}));
    serde_json::to_vec(&serde_json::json!({
        "id": claimed.event.id,
        "type": claimed.event.kind,
        "created_at": claimed.event.created_at,
        "organisation": claimed.organisation_id,
        "customer": customer,
        "data": claimed.event.payload,
    }))
    .expect("JSON values serialise")
}

/// The delay before retry number `failures` (1 for the first), with ±25 % jitter so
/// that endpoints that failed together do not all retry at one moment.
pub fn retry_delay(failures: i32, jitter: f64) -> chrono::Duration {
    let doublings = failures.saturating_sub(1).clamp(0, 20) as u32;
    let base = (FIRST_RETRY_SECS << doublings).min(MAX_RETRY_SECS) as f64;
    let secs = (base * (0.75 + 0.5 * jitter.clamp(0.0, 1.0))).min(MAX_RETRY_SECS as f64);
    chrono::Duration::milliseconds((secs * 1000.0) as i64)
}

/// What follows a failed attempt of a delivery first queued at `created_at`, after
/// `failures` failures in all: a retry, up to three days after it was queued.
pub fn after_failure(
    created_at: DateTime<Utc>,
    failures: i32,
    now: DateTime<Utc>,
    jitter: f64,
) -> AfterFailure {
    let give_up_at = created_at + RETRY_FOR;
    AfterFailure {
        next_attempt_at: (now < give_up_at)
            .then(|| (now + retry_delay(failures, jitter)).min(give_up_at)),
        disable_if_failing_since: now - RETRY_FOR,
    }
}

/// An error with its causes, as the delivery log shows it.
pub fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        return "no answer within the timeout".into();
    }
    let mut text = if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

/// Sends one claimed delivery once.
pub async fn attempt(
    webhooks: &Webhooks,
    claimed: &ClaimedDelivery,
    now: DateTime<Utc>,
) -> Attempt {
    let started = Instant::now();
    let finish = |status_code: Option<i32>, error: Option<String>| Attempt {
        status_code,
        error,
        latency_ms: started.elapsed().as_millis() as i64,
        at: now,
    };
    let url = match guard::check_url(&claimed.endpoint.url, &webhooks.allowed) {
        Ok(url) => url,
        Err(why) => return finish(None, Some(format!("the URL {why}"))),
    };
    let body = body(claimed);
    let signature = signature(
        &claimed.endpoint.signing_secrets(now),
        now.timestamp(),
        &body,
    );
    let sent = webhooks
        .client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("Portico-Signature", signature)
        .header("Portico-Event-Id", &claimed.event.id)
        .header("Portico-Event-Type", &claimed.event.kind)
        .header("Portico-Delivery-Id", &claimed.delivery.id)
        .header(
            "Portico-Delivery-Attempt",
            (claimed.delivery.attempts + 1).to_string(),
        )
        .body(body)
        .send()
        .await;
    let mut answer = match sent {
        Ok(answer) => answer,
        Err(error) => return finish(None, Some(describe(&error))),
    };
    let status = answer.status();
    // The body is read (up to a limit) so that the connection can be reused; its
    // content does not matter.
    let mut read = 0;
    while read < MAX_ANSWER_BYTES {
        match answer.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            _ => break,
        }
    }
    let code = Some(i32::from(status.as_u16()));
    if status.is_success() {
        finish(code, None)
    } else if status.is_redirection() {
        finish(
            code,
            Some(format!(
                "HTTP {} (redirects are not followed)",
                status.as_u16()
            )),
        )
    } else {
        finish(code, Some(format!("HTTP {}", status.as_u16())))
    }
}

/// The worker: claims what is due, sends it, records the outcome; repeats when woken or
/// every [`POLL`]. Also ends lapsed sessions every [`SESSION_SWEEP`]. Runs until its task
/// is dropped.
pub async fn run(
    store: Arc<dyn Store>,
    clock: Arc<dyn crate::clock::Clock>,
    webhooks: Arc<Webhooks>,
) {
    let mut last_sweep: Option<Instant> = None;
    loop {
        if last_sweep.is_none_or(|t| t.elapsed() >= SESSION_SWEEP) {
            last_sweep = Some(Instant::now());
            match store.end_lapsed_sessions(clock.now(), 500).await {
                Ok(0) => {}
                Ok(_) => webhooks.wake(),
                Err(error) => tracing::warn!(%error, "ending lapsed sessions failed"),
            }
        }
        let now = clock.now();
        let claim = uuid::Uuid::new_v4().to_string();
        let claimed = match store
            .claim_webhook_deliveries(now, now + webhooks.lease(), &claim, CLAIM_BATCH)
            .await
        {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(%error, "claiming webhook deliveries failed");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = webhooks.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
            continue;
        }
        send_all(&store, &clock, &webhooks, claimed).await;
    }
}

/// Sends a claimed batch: endpoints side by side, each endpoint's deliveries in order.
async fn send_all(
    store: &Arc<dyn Store>,
    clock: &Arc<dyn crate::clock::Clock>,
    webhooks: &Arc<Webhooks>,
    claimed: Vec<ClaimedDelivery>,
) {
    let mut by_endpoint: Vec<Vec<ClaimedDelivery>> = Vec::new();
    for delivery in claimed {
        match by_endpoint
            .iter_mut()
            .find(|group| group[0].endpoint.id == delivery.endpoint.id)
        {
            Some(group) => group.push(delivery),
            None => by_endpoint.push(vec![delivery]),
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for group in by_endpoint {
        let (store, clock, webhooks) = (store.clone(), clock.clone(), webhooks.clone());
        tasks.spawn(async move {
            // Each outcome is written while the next delivery is sent, in the order
            // of the attempts, so that an endpoint's failure record ends as its last
            // attempt left it.
            let (outcomes, mut to_write) =
                tokio::sync::mpsc::unbounded_channel::<(ClaimedDelivery, Attempt, AfterFailure)>();
            let writer = {
                let store = store.clone();
                tokio::spawn(async move {
                    while let Some((claimed, result, next)) = to_write.recv().await {
                        match store.finish_webhook_attempt(&claimed, &result, next).await {
                            Ok(true) => {}
                            Ok(false) => tracing::warn!(
                                delivery = %claimed.delivery.id,
                                "a webhook claim lapsed before its attempt was recorded"
                            ),
                            Err(error) => {
                                tracing::warn!(%error, "recording a webhook attempt failed")
                            }
                        }
                    }
                })
            };
            for claimed in group {
                let result = attempt(&webhooks, &claimed, clock.now()).await;
                let next = after_failure(
                    claimed.delivery.created_at,
                    claimed.delivery.attempts + 1,
                    result.at,
                    rand::rng().random::<f64>(),
                );
                if let Some(error) = &result.error {
                    tracing::info!(
                        delivery = %claimed.delivery.id,
                        endpoint = %claimed.endpoint.id,
                        attempt = claimed.delivery.attempts + 1,
                        %error,
                        "webhook attempt failed"
                    );
                }
                let _ = outcomes.send((claimed, result, next));
            }
            drop(outcomes);
            let _ = writer.await;
        });
    }
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_time_dot_body() {
        // Computed independently, with Python's hmac module.
        let header = signature(&["whsec_test"], 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            header,
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
        assert_eq!(header.matches(",v1=").count(), 1);
        let body = br#"{"a":1}"#;
        assert!(verify("whsec_test", &header, body, 1_700_000_100, 300));
        assert!(
            !verify("whsec_test", &header, body, 1_700_000_301, 300),
            "too old"
        );
        assert!(!verify("whsec_other", &header, body, 1_700_000_000, 300));
        assert!(!verify(
            "whsec_test",
            &header,
            br#"{"a":2}"#,
            1_700_000_000,
            300
        ));
        assert!(!verify("whsec_test", "v1=abc", body, 1_700_000_000, 300));
        let two = signature(&["a", "b"], 1, b"x");
        assert_eq!(two.matches(",v1=").count(), 2);
        assert_ne!(two.split(",v1=").nth(1), two.split(",v1=").nth(2));
    }

    #[test]
    fn retries_double_from_a_minute_to_twelve_hours_with_jitter() {
        assert_eq!(retry_delay(1, 0.5), chrono::Duration::seconds(60));
        assert_eq!(retry_delay(2, 0.5), chrono::Duration::seconds(120));
        assert_eq!(retry_delay(3, 0.5), chrono::Duration::seconds(240));
        assert_eq!(retry_delay(30, 0.5), chrono::Duration::hours(12));
        assert_eq!(retry_delay(30, 1.0), chrono::Duration::hours(12));
        assert_eq!(retry_delay(1, 0.0), chrono::Duration::seconds(45));
        // Even with the worst jitter, each delay is longer than the one before.
        for n in 1..10 {
            assert!(retry_delay(n + 1, 0.0) > retry_delay(n, 1.0), "{n}");
        }
    }

    #[test]
    fn a_delivery_is_retried_for_three_days_then_given_up() {
        let created = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let soon = after_failure(created, 1, created, 0.5);
        assert_eq!(
            soon.next_attempt_at,
            Some(created + chrono::Duration::seconds(60))
        );
        let late = created + chrono::Duration::days(3) - chrono::Duration::minutes(1);
        assert_eq!(
            after_failure(created, 14, late, 0.5).next_attempt_at,
            Some(created + RETRY_FOR),
            "the last retry falls at the three days' end"
        );
        assert_eq!(
            after_failure(created, 15, created + RETRY_FOR, 0.5).next_attempt_at,
            None
        );
    }
}
