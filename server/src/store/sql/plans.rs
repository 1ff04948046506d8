//! The plan catalogue: a JSON document per plan.

use app::api::plans::{Plan, PlanInput};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use crate::store::plans::PlanStore;
use crate::store::rows::PlanRow;
use crate::store::{StoreError, StoreResult};

#[async_trait]
impl PlanStore for SqlStore {
    async fn put_plan(
        &self,
        organisation_id: &str,
        id: &str,
        input: &PlanInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Plan, bool)> {
        let document = serde_json::to_string(input)
            .map_err(|e| StoreError::Corrupt(format!("plan {id}: {e}")))?;
        let mut tx = self.write_tx().await?;
        let existed = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM plans WHERE organisation_id = $1 AND id = $2",
        )
        .bind(organisation_id)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
            > 0;
        let row = sqlx::query_as::<_, PlanRow>(
            "INSERT INTO plans (organisation_id, id, document, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (organisation_id, id) DO UPDATE SET document = excluded.document, \
             updated_at = excluded.updated_at RETURNING id, document, updated_at",
        )
        .bind(organisation_id)
        .bind(id)
        .bind(document)
        .bind(now.timestamp_millis())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((Plan::try_from(row)?, !existed))
    }

    async fn find_plan(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Plan>> {
        self.by_id::<PlanRow, _>("plans", "id, document, updated_at", organisation_id, id)
            .await
    }

    async fn list_plans(&self, organisation_id: &str) -> StoreResult<Vec<Plan>> {
        sqlx::query_as::<_, PlanRow>(
            "SELECT id, document, updated_at FROM plans WHERE organisation_id = $1 ORDER BY id",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
    }

    async fn delete_plan(&self, organisation_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM plans WHERE organisation_id = $1 AND id = $2")
            .bind(organisation_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
