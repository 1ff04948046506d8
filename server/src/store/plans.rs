//! The vendor's plan catalogue.

use app::api::plans::{Plan, PlanInput};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Creates or replaces the plan with the vendor's id `id`; `true` when it is new.
    async fn put_plan(
        &self,
        organisation_id: &str,
        id: &str,
        input: &PlanInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Plan, bool)>;
    async fn find_plan(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Plan>>;
    /// Every plan, by id.
    async fn list_plans(&self, organisation_id: &str) -> StoreResult<Vec<Plan>>;
    /// `false` when there was no such plan.
    async fn delete_plan(&self, organisation_id: &str, id: &str) -> StoreResult<bool>;
}
