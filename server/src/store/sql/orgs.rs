//! [`OrgStore`](crate::store::OrgStore) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use app::api::settings::OrganisationSettings;
use chrono::{DateTime, Utc};

use crate::store::{rows, ApiKey, Logo, OrgStore, Organisation, StoreError, StoreResult};

use super::SqlStore;
use crate::store::cache::Change;

#[async_trait::async_trait]
impl OrgStore for SqlStore {
    async fn create_organisation(
        &self,
        id: &str,
        name: &str,
        settings: &OrganisationSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Organisation> {
        let settings =
            serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let row = sqlx::query_as::<_, rows::OrganisationRow>(
            "INSERT INTO organisations (id, name, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING *",
        )
        .bind(id)
        .bind(name)
        .bind(settings)
        .bind(now.timestamp_millis())
        .fetch_one(&self.pool)
        .await
        .map_err(rows::conflict("organisation"))?;
        row.try_into()
    }

    async fn get_organisation(&self, id: &str) -> StoreResult<Option<Organisation>> {
        sqlx::query_as::<_, rows::OrganisationRow>("SELECT * FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn update_organisation(
        &self,
        id: &str,
        name: &str,
        settings: &OrganisationSettings,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Organisation>> {
        let settings =
            serde_json::to_string(settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let updated = sqlx::query_as::<_, rows::OrganisationRow>(
            "UPDATE organisations SET name = $2, settings = $3, updated_at = $4 \
             WHERE id = $1 RETURNING *",
        )
        .bind(id)
        .bind(name)
        .bind(settings)
        .bind(now.timestamp_millis())
        .fetch_optional(&self.pool)
        .await?
        .map(TryInto::try_into)
        .transpose()?;
        self.announce_now(&Change::Settings { id: id.to_owned() })
            .await?;
        Ok(updated)
    }

    async fn put_logo(
        &self,
        organisation_id: &str,
        content_type: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO organisation_logos (organisation_id, content_type, content, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (organisation_id) DO UPDATE SET \
             content_type = excluded.content_type, content = excluded.content, \
             updated_at = excluded.updated_at",
        )
        .bind(organisation_id)
        .bind(content_type)
        .bind(content)
        .bind(now.timestamp_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_logo(&self, organisation_id: &str) -> StoreResult<Option<Logo>> {
        Ok(sqlx::query_as::<_, Logo>(
            "SELECT content_type, content, updated_at FROM organisation_logos \
             WHERE organisation_id = $1",
        )
        .bind(organisation_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn delete_logo(&self, organisation_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM organisation_logos WHERE organisation_id = $1")
            .bind(organisation_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn count_organisations(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn insert_api_key(&self, key: &ApiKey) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_keys \
             (id, organisation_id, prefix, key_hash, label, created_at, revoked_at, scope) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&key.id)
        .bind(&key.organisation_id)
        .bind(&key.prefix)
        .bind(&key.key_hash)
        .bind(&key.label)
        .bind(key.created_at.timestamp_millis())
        .bind(key.revoked_at.map(|t| t.timestamp_millis()))
        .bind(key.scope.as_str())
        .execute(&self.pool)
        .await
        .map_err(rows::conflict("api key"))?;
        Ok(())
    }

    async fn find_api_key(&self, key_hash: &[u8]) -> StoreResult<Option<ApiKey>> {
        sqlx::query_as::<_, rows::ApiKeyRow>("SELECT * FROM api_keys WHERE key_hash = $1")
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn list_api_keys(&self, organisation_id: &str) -> StoreResult<Vec<ApiKey>> {
        let rows = sqlx::query_as::<_, rows::ApiKeyRow>(
            "SELECT * FROM api_keys WHERE organisation_id = $1 ORDER BY created_at, id",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        rows::convert_all(rows)
    }

    async fn revoke_api_keys(
        &self,
        organisation_id: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let now_ms = now.timestamp_millis();
        let mut tx = self.write_tx().await?;
        // The prefix is matched literally, never as a LIKE pattern.
        let revoked = sqlx::query_scalar::<_, String>(
            "UPDATE api_keys SET revoked_at = $3 \
             WHERE organisation_id = $1 AND revoked_at IS NULL \
             AND substr(prefix, 1, length($2)) = $2 RETURNING id",
        )
        .bind(organisation_id)
        .bind(prefix)
        .bind(now_ms)
        .fetch_all(&mut *tx)
        .await?;
        // What the keys made stops working with them: their links, and the
        // sessions opened from those links.
        let mut changes = Vec::new();
        for key_id in &revoked {
            changes
                .extend(Self::revoke_links_where(&mut tx, "api_key_id = $1", key_id, now).await?);
        }
        tx.commit().await?;
        self.changed(&changes);
        Ok(revoked.len() as u64)
    }
}
