//! [`WebhookStore`](crate::store::WebhookStore) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use chrono::{DateTime, Utc};

use crate::store::webhooks::{DeliveryRow, EndpointRow, DELIVERY_COLUMNS};
use crate::store::{
    from_millis, rows, AfterFailure, Attempt, Backend, ClaimedDelivery, Delivery, EndpointChange,
    Event, QueueDepth, Retry, Session, StoreError, StoreResult, WebhookEndpoint, WebhookStore,
};

use super::{SqlStore, BACKEND};
use crate::store::cache::Change;

/// A claimed delivery's event, with the vendor's id of its customer.
#[derive(sqlx::FromRow)]
struct ClaimedEventRow {
    id: String,
    organisation_id: String,
    customer_id: Option<String>,
    customer_external_id: Option<String>,
    kind: String,
    payload: String,
    created_at: i64,
}

/// The ids of a claim's deliveries, with their event and endpoint.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    endpoint_id: String,
    event_id: String,
}

impl SqlStore {
    async fn delivery(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Delivery>> {
        sqlx::query_as::<_, DeliveryRow>(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN events e ON e.id = d.event_id \
             WHERE d.organisation_id = $1 AND d.id = $2"
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .map(TryInto::try_into)
        .transpose()
    }
}

#[async_trait::async_trait]
impl WebhookStore for SqlStore {
    async fn insert_webhook_endpoint(&self, e: &WebhookEndpoint) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, organisation_id, url, description, \
             event_types, enabled, secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&e.id)
        .bind(&e.organisation_id)
        .bind(&e.url)
        .bind(&e.description)
        .bind(serde_json::to_string(&e.events).expect("strings serialise"))
        .bind(e.enabled)
        .bind(&e.secret)
        .bind(e.created_at.timestamp_millis())
        .execute(&self.pool)
        .await
        .map_err(rows::conflict("webhook endpoint"))?;
        Ok(())
    }

    async fn list_webhook_endpoints(
        &self,
        organisation_id: &str,
    ) -> StoreResult<Vec<WebhookEndpoint>> {
        let found = sqlx::query_as::<_, EndpointRow>(
            "SELECT * FROM webhook_endpoints WHERE organisation_id = $1 \
             ORDER BY created_at, id",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        rows::convert_all(found)
    }

    async fn get_webhook_endpoint(
        &self,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        self.by_id::<EndpointRow, _>("webhook_endpoints", "*", organisation_id, id)
            .await
    }

    async fn update_webhook_endpoint(
        &self,
        organisation_id: &str,
        id: &str,
        change: &EndpointChange,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        let mut tx = self.write_tx().await?;
        let found = sqlx::query_as::<_, EndpointRow>(
            "SELECT * FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2",
        )
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(found) = found else { return Ok(None) };
        let mut endpoint: WebhookEndpoint = found.try_into()?;
        if let Some(url) = &change.url {
            endpoint.url.clone_from(url);
        }
        if let Some(description) = &change.description {
            endpoint.description.clone_from(description);
        }
        if let Some(events) = &change.events {
            endpoint.events.clone_from(events);
        }
        if let Some(enabled) = change.enabled {
            if enabled && !endpoint.enabled {
                // Turned on again: its failures so far no longer count.
                endpoint.failing_since = None;
                endpoint.disabled_reason = None;
            }
            if !enabled {
                endpoint.disabled_reason = None;
            }
            endpoint.enabled = enabled;
        }
        endpoint.updated_at = now;
        sqlx::query(
            "UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, \
             enabled = $6, failing_since = $7, disabled_reason = $8, updated_at = $9 \
             WHERE organisation_id = $1 AND id = $2",
        )
        .bind(organisation_id)
        .bind(id)
        .bind(&endpoint.url)
        .bind(&endpoint.description)
        .bind(serde_json::to_string(&endpoint.events).expect("strings serialise"))
        .bind(endpoint.enabled)
        .bind(endpoint.failing_since.map(|t| t.timestamp_millis()))
        .bind(&endpoint.disabled_reason)
        .bind(now.timestamp_millis())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(endpoint))
    }

    async fn delete_webhook_endpoint(&self, organisation_id: &str, id: &str) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "DELETE FROM webhook_deliveries WHERE organisation_id = $1 AND endpoint_id = $2",
        )
        .bind(organisation_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let done =
            sqlx::query("DELETE FROM webhook_endpoints WHERE organisation_id = $1 AND id = $2")
                .bind(organisation_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn rotate_webhook_secret(
        &self,
        organisation_id: &str,
        id: &str,
        new_secret: &str,
        keep_old_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        sqlx::query_as::<_, EndpointRow>(
            "UPDATE webhook_endpoints SET previous_secret = secret, \
             previous_secret_expires_at = $4, secret = $3, updated_at = $5 \
             WHERE organisation_id = $1 AND id = $2 RETURNING *",
        )
        .bind(organisation_id)
        .bind(id)
        .bind(new_secret)
        .bind(keep_old_until.timestamp_millis())
        .bind(now.timestamp_millis())
        .fetch_optional(&self.pool)
        .await?
        .map(TryInto::try_into)
        .transpose()
    }

    async fn list_webhook_deliveries(
        &self,
        organisation_id: &str,
        endpoint_id: &str,
        before: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Delivery>> {
        // Ids are time-ordered (UUIDv7), so the id alone is the page's order. Parameters
        // are numbered as they are used: SQLite refuses unused ones.
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN events e ON e.id = d.event_id \
             WHERE d.organisation_id = $1 AND d.endpoint_id = $2{} \
             ORDER BY d.id DESC LIMIT $3",
            if before.is_some() {
                " AND d.id < $4"
            } else {
                ""
            }
        );
        let mut query = sqlx::query_as::<_, DeliveryRow>(&sql)
            .bind(organisation_id)
            .bind(endpoint_id)
            .bind(limit);
        if let Some(before) = before {
            query = query.bind(before);
        }
        let found = query.fetch_all(&self.pool).await?;
        rows::convert_all(found)
    }

    async fn retry_webhook_delivery(
        &self,
        organisation_id: &str,
        id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Retry> {
        let now_ms = now.timestamp_millis();
        let state = sqlx::query_as::<_, (Option<i64>, bool)>(
            "SELECT d.claimed_until, w.enabled FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             WHERE d.organisation_id = $1 AND d.id = $2",
        )
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        match state {
            None => return Ok(Retry::NotFound),
            Some((_, false)) => return Ok(Retry::EndpointDisabled),
            Some((Some(until), _)) if until > now_ms => return Ok(Retry::InFlight),
            Some(_) => {}
        }
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, \
             claim = NULL, claimed_until = NULL \
             WHERE organisation_id = $1 AND id = $2 \
             AND (claimed_until IS NULL OR claimed_until <= $3)",
        )
        .bind(organisation_id)
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(Retry::InFlight);
        }
        Ok(self
            .delivery(organisation_id, id)
            .await?
            .map_or(Retry::NotFound, Retry::Queued))
    }

    async fn claim_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        claim: &str,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        // On PostgreSQL, rows another instance is claiming at this moment are skipped
        // rather than waited for; SQLite runs one writer at a time anyway.
        let lock = if BACKEND == Backend::Postgres {
            " FOR UPDATE OF d SKIP LOCKED"
        } else {
            ""
        };
        // An idle worker asks this every poll: a read first, so that nothing due takes no
        // write lock (on SQLite, the one writer the portal's writes wait for).
        let due = sqlx::query_scalar::<_, String>(
            "SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.enabled \
             AND (d.claimed_until IS NULL OR d.claimed_until <= $1) LIMIT 1",
        )
        .bind(now.timestamp_millis())
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let claimed = sqlx::query_as::<_, ClaimedRow>(&format!(
            "UPDATE webhook_deliveries SET claim = $3, claimed_until = $2 WHERE id IN ( \
             SELECT d.id FROM webhook_deliveries d \
             JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.enabled \
             AND (d.claimed_until IS NULL OR d.claimed_until <= $1) \
             ORDER BY d.next_attempt_at, d.id LIMIT $4{lock}) \
             RETURNING id, endpoint_id, event_id"
        ))
        .bind(now.timestamp_millis())
        .bind(lease_until.timestamp_millis())
        .bind(claim)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let deliveries: Vec<Delivery> = rows::convert_all(
            sqlx::query_as::<_, DeliveryRow>(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
                 JOIN events e ON e.id = d.event_id WHERE d.claim = $1"
            ))
            .bind(claim)
            .fetch_all(&self.pool)
            .await?,
        )?;
        let endpoints: Vec<WebhookEndpoint> = rows::convert_all(
            sqlx::query_as::<_, EndpointRow>(
                "SELECT * FROM webhook_endpoints WHERE id IN \
                 (SELECT endpoint_id FROM webhook_deliveries WHERE claim = $1)",
            )
            .bind(claim)
            .fetch_all(&self.pool)
            .await?,
        )?;
        let events = sqlx::query_as::<_, ClaimedEventRow>(
            "SELECT e.id, e.organisation_id, e.customer_id, c.external_id AS customer_external_id, \
             e.kind, e.payload, e.created_at FROM events e \
             LEFT JOIN customers c ON c.id = e.customer_id \
             WHERE e.id IN (SELECT event_id FROM webhook_deliveries WHERE claim = $1)",
        )
        .bind(claim)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(claimed.len());
        // In the order they were claimed: oldest due first.
        let mut deliveries = deliveries;
        deliveries.sort_by(|a, b| (a.next_attempt_at, &a.id).cmp(&(b.next_attempt_at, &b.id)));
        for delivery in deliveries {
            let Some(row) = claimed.iter().find(|c| c.id == delivery.id) else {
                continue;
            };
            let endpoint = endpoints
                .iter()
                .find(|e| e.id == row.endpoint_id)
                .cloned()
                .ok_or_else(|| StoreError::Corrupt("claimed delivery without endpoint".into()))?;
            let event = events
                .iter()
                .find(|e| e.id == row.event_id)
                .ok_or_else(|| StoreError::Corrupt("claimed delivery without event".into()))?;
            out.push(ClaimedDelivery {
                organisation_id: event.organisation_id.clone(),
                customer_external_id: event.customer_external_id.clone(),
                event: Event {
                    id: event.id.clone(),
                    kind: event.kind.clone(),
                    customer_id: event.customer_id.clone(),
                    payload: serde_json::from_str(&event.payload)
                        .map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?,
                    created_at: from_millis(event.created_at)?,
                },
                endpoint,
                delivery,
                claim: claim.to_owned(),
            });
        }
        Ok(out)
    }

    async fn finish_webhook_attempt(
        &self,
        claimed: &ClaimedDelivery,
        attempt: &Attempt,
        after_failure: AfterFailure,
    ) -> StoreResult<bool> {
        let at = attempt.at.timestamp_millis();
        let mut tx = self.write_tx().await?;
        let (status, next) = if attempt.succeeded() {
            ("delivered", None)
        } else {
            match after_failure.next_attempt_at {
                Some(next) => ("pending", Some(next.timestamp_millis())),
                None => ("failed", None),
            }
        };
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, \
             next_attempt_at = $4, claim = NULL, claimed_until = NULL, last_attempt_at = $5, \
             last_status_code = $6, last_error = $7, last_latency_ms = $8, \
             delivered_at = CASE WHEN $3 = 'delivered' THEN $5 ELSE delivered_at END \
             WHERE id = $1 AND claim = $2",
        )
        .bind(&claimed.delivery.id)
        .bind(&claimed.claim)
        .bind(status)
        .bind(next)
        .bind(at)
        .bind(attempt.status_code)
        .bind(&attempt.error)
        .bind(attempt.latency_ms)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let endpoint = &claimed.endpoint;
        if attempt.succeeded() {
            sqlx::query(
                "UPDATE webhook_endpoints SET failing_since = NULL \
                 WHERE id = $1 AND failing_since IS NOT NULL",
            )
            .bind(&endpoint.id)
            .execute(&mut *tx)
            .await?;
        } else {
            let since = sqlx::query_scalar::<_, Option<i64>>(
                "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) \
                 WHERE id = $1 RETURNING failing_since",
            )
            .bind(&endpoint.id)
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
            let limit = after_failure.disable_if_failing_since.timestamp_millis();
            if since.is_some_and(|since| since <= limit) {
                let turned_off = sqlx::query(
                    "UPDATE webhook_endpoints SET enabled = $2, disabled_reason = 'failing', \
                     updated_at = $3 WHERE id = $1 AND enabled = $4",
                )
                .bind(&endpoint.id)
                .bind(false)
                .bind(at)
                .bind(true)
                .execute(&mut *tx)
                .await?;
                if turned_off.rows_affected() > 0 {
                    let payload = serde_json::json!({
                        "endpoint_id": endpoint.id,
                        "url": endpoint.url,
                        "reason": "failing",
                        "failing_since": since.and_then(DateTime::from_timestamp_millis),
                    });
                    Self::insert_event(
                        &mut tx,
                        &claimed.organisation_id,
                        None,
                        "webhook_endpoint.disabled",
                        &payload,
                        attempt.at,
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn end_lapsed_sessions(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<u64> {
        let now_ms = now.timestamp_millis();
        // Swept every few seconds: a read first, so that no lapsed session takes no write lock.
        let lapsed = sqlx::query_scalar::<_, String>(
            "SELECT id FROM sessions WHERE ended_at IS NULL \
             AND (expires_at <= $1 OR last_seen_at + idle_timeout_secs * 1000 <= $1) LIMIT 1",
        )
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        if lapsed.is_none() {
            return Ok(0);
        }
        let mut tx = self.write_tx().await?;
        let ended = sqlx::query_as::<_, (String, String, String, String)>(
            "UPDATE sessions SET ended_at = $1, \
             end_reason = CASE WHEN expires_at <= $1 THEN 'expired' ELSE 'idle' END \
             WHERE id IN (SELECT id FROM sessions WHERE ended_at IS NULL \
             AND (expires_at <= $1 OR last_seen_at + idle_timeout_secs * 1000 <= $1) LIMIT $2) \
             RETURNING organisation_id, customer_id, link_id, end_reason",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        for (organisation_id, customer_id, link_id, reason) in &ended {
            Self::session_ended(&mut tx, organisation_id, customer_id, link_id, reason, now)
                .await?;
        }
        tx.commit().await?;
        self.changed(
            &ended
                .iter()
                .map(|(_, _, id, _)| Change::Link { id: id.clone() })
                .collect::<Vec<_>>(),
        );
        Ok(ended.len() as u64)
    }

    async fn record_event(
        &self,
        session: &Session,
        kind: &str,
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let (organisation, customer) = (&session.organisation_id, &session.customer_id);
        let mut tx = self.write_tx().await?;
        Self::insert_event(&mut tx, organisation, Some(customer), kind, payload, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhook_queue_depth(&self, now: DateTime<Utc>) -> StoreResult<QueueDepth> {
        let (pending, due) = sqlx::query_as::<_, (i64, Option<i64>)>(
            "SELECT COUNT(*), SUM(CASE WHEN d.next_attempt_at <= $1 THEN 1 ELSE 0 END) \
             FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
             WHERE d.status = 'pending' AND w.enabled",
        )
        .bind(now.timestamp_millis())
        .fetch_one(&self.pool)
        .await?;
        Ok(QueueDepth {
            pending,
            due: due.unwrap_or(0),
        })
    }
}
