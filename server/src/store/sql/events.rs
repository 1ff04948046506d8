//! [`EventStore`](crate::store::EventStore) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use crate::store::{rows, Event, EventStore, StoreResult};

use super::SqlStore;

#[async_trait::async_trait]
impl EventStore for SqlStore {
    async fn list_events(
        &self,
        organisation_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Event>> {
        // Events are ordered by (created_at, id); `after` names the last one seen.
        let rows = match after {
            None => sqlx::query_as::<_, rows::EventRow>(
                "SELECT * FROM events WHERE organisation_id = $1 \
                 ORDER BY created_at, id LIMIT $2",
            )
            .bind(organisation_id)
            .bind(limit),
            Some(after) => sqlx::query_as::<_, rows::EventRow>(
                "SELECT e.* FROM events e JOIN events a ON a.id = $3 \
                 AND a.organisation_id = $1 \
                 WHERE e.organisation_id = $1 AND (e.created_at > a.created_at \
                 OR (e.created_at = a.created_at AND e.id > a.id)) \
                 ORDER BY e.created_at, e.id LIMIT $2",
            )
            .bind(organisation_id)
            .bind(limit)
            .bind(after),
        }
        .fetch_all(&self.pool)
        .await?;
        rows::convert_all(rows)
    }
}
