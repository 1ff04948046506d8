//! [`LinkStore`](crate::store::LinkStore) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use chrono::{DateTime, Utc};

use crate::store::{rows, Link, LinkStore, LiveLink, NewLink, Session, StoreResult};

use super::SqlStore;
use crate::store::cache::Change;

#[async_trait::async_trait]
impl LinkStore for SqlStore {
    async fn insert_link(&self, link: &NewLink) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO link_tokens (id, organisation_id, customer_id, token_hash, \
             return_url, locale, section, idle_timeout_secs, expires_at, created_at, \
             api_key_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&link.id)
        .bind(&link.organisation_id)
        .bind(&link.customer_id)
        .bind(&link.token_hash)
        .bind(&link.return_url)
        .bind(&link.locale)
        .bind(&link.section)
        .bind(link.idle_timeout_secs)
        .bind(link.expires_at.timestamp_millis())
        .bind(link.created_at.timestamp_millis())
        .bind(&link.api_key_id)
        .execute(&mut *tx)
        .await
        .map_err(rows::conflict("link token"))?;
        let payload = serde_json::json!({
            "portal_session_id": link.id,
            "customer_id": link.customer_id,
            "expires_at": link.expires_at,
            "section": link.section,
            "locale": link.locale,
        });
        Self::insert_event(
            &mut tx,
            &link.organisation_id,
            Some(&link.customer_id),
            "portal_session.created",
            &payload,
            link.created_at,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn find_link(&self, token_hash: &[u8]) -> StoreResult<Option<Link>> {
        sqlx::query_as::<_, rows::LinkRow>("SELECT * FROM link_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn exchange_link(
        &self,
        token_hash: &[u8],
        session_id: &str,
        session_token_hash: &[u8],
        session_lifetime_secs: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Session>> {
        let now_ms = now.timestamp_millis();
        let mut tx = self.write_tx().await?;
        // The conditional update is the claim: only one exchange can flip used_at.
        let link = sqlx::query_as::<_, rows::LinkRow>(
            "UPDATE link_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL \
             AND expires_at > $2 RETURNING *",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(link) = link else { return Ok(None) };
        let link: Link = link.try_into()?;
        sqlx::query(
            "INSERT INTO sessions (id, organisation_id, customer_id, link_id, \
             token_hash, locale, idle_timeout_secs, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
        )
        .bind(session_id)
        .bind(&link.organisation_id)
        .bind(&link.customer_id)
        .bind(&link.id)
        .bind(session_token_hash)
        .bind(&link.locale)
        .bind(link.idle_timeout_secs)
        .bind(now_ms)
        .bind(now_ms + session_lifetime_secs * 1000)
        .execute(&mut *tx)
        .await
        .map_err(rows::conflict("session token"))?;
        let payload = serde_json::json!({
            "portal_session_id": link.id,
            "customer_id": link.customer_id,
            "session_expires_at": now + chrono::Duration::seconds(session_lifetime_secs),
        });
        Self::insert_event(
            &mut tx,
            &link.organisation_id,
            Some(&link.customer_id),
            "portal_session.opened",
            &payload,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Session {
            id: session_id.to_owned(),
            organisation_id: link.organisation_id,
            customer_id: link.customer_id,
            link_id: link.id,
            locale: link.locale,
            idle_timeout_secs: link.idle_timeout_secs,
            created_at: now,
            last_seen_at: now,
            expires_at: now + chrono::Duration::seconds(session_lifetime_secs),
            ended_at: None,
            end_reason: None,
            return_url: link.return_url,
            section: link.section,
        }))
    }

    async fn find_session(&self, token_hash: &[u8]) -> StoreResult<Option<Session>> {
        sqlx::query_as::<_, rows::SessionRow>(&format!(
            "SELECT {} FROM sessions s JOIN link_tokens l ON l.id = s.link_id \
             WHERE s.token_hash = $1",
            rows::SESSION_COLUMNS
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        .map(TryInto::try_into)
        .transpose()
    }

    async fn touch_session(
        &self,
        id: &str,
        now: DateTime<Utc>,
        coalesce_secs: i64,
    ) -> StoreResult<()> {
        let now_ms = now.timestamp_millis();
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $2 \
             WHERE id = $1 AND ended_at IS NULL AND last_seen_at <= $3",
        )
        .bind(id)
        .bind(now_ms)
        .bind(now_ms - coalesce_secs * 1000)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn end_session(&self, id: &str, reason: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let ended = sqlx::query_as::<_, (String, String, String)>(
            "UPDATE sessions SET ended_at = $2, end_reason = $3 \
             WHERE id = $1 AND ended_at IS NULL \
             RETURNING organisation_id, customer_id, link_id",
        )
        .bind(id)
        .bind(now.timestamp_millis())
        .bind(reason)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((organisation_id, customer_id, link_id)) = ended else {
            return Ok(false);
        };
        Self::session_ended(
            &mut tx,
            &organisation_id,
            &customer_id,
            &link_id,
            reason,
            now,
        )
        .await?;
        tx.commit().await?;
        self.changed([&Change::Link { id: link_id }]);
        Ok(true)
    }

    async fn revoke_link(
        &self,
        organisation_id: &str,
        link_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let found = sqlx::query_scalar::<_, String>(
            "SELECT id FROM link_tokens WHERE organisation_id = $1 AND id = $2",
        )
        .bind(organisation_id)
        .bind(link_id)
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_none() {
            return Ok(false);
        }
        let changes = Self::revoke_links_where(&mut tx, "id = $1", link_id, now).await?;
        tx.commit().await?;
        self.changed(&changes);
        Ok(true)
    }

    async fn list_live_links(
        &self,
        organisation_id: &str,
        customer_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<LiveLink>> {
        let now_ms = now.timestamp_millis();
        let links = sqlx::query_as::<_, rows::LinkRow>(
            "SELECT l.* FROM link_tokens l \
             WHERE l.organisation_id = $1 AND l.customer_id = $2 \
             AND l.revoked_at IS NULL \
             AND ((l.used_at IS NULL AND l.expires_at > $3) OR EXISTS ( \
               SELECT 1 FROM sessions s WHERE s.link_id = l.id AND s.ended_at IS NULL \
               AND s.expires_at > $3 \
               AND s.last_seen_at + s.idle_timeout_secs * 1000 > $3)) \
             ORDER BY l.created_at DESC, l.id DESC",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        let sessions = sqlx::query_as::<_, rows::SessionRow>(&format!(
            "SELECT {} FROM sessions s JOIN link_tokens l ON l.id = s.link_id \
             WHERE s.organisation_id = $1 AND s.customer_id = $2 \
             AND s.ended_at IS NULL AND s.expires_at > $3 \
             AND s.last_seen_at + s.idle_timeout_secs * 1000 > $3",
            rows::SESSION_COLUMNS
        ))
        .bind(organisation_id)
        .bind(customer_id)
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        let mut sessions: Vec<Session> = rows::convert_all(sessions)?;
        links
            .into_iter()
            .map(|row| {
                let link: Link = row.try_into()?;
                let session = sessions
                    .iter()
                    .position(|s| s.link_id == link.id)
                    .map(|i| sessions.swap_remove(i));
                Ok(LiveLink { link, session })
            })
            .collect()
    }

    async fn set_session_locale(&self, session_id: &str, locale: &str) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET locale = $2 WHERE id = $1 AND ended_at IS NULL")
            .bind(session_id)
            .bind(locale)
            .execute(&self.pool)
            .await?;
        self.announce_now(&Change::Session {
            id: session_id.to_owned(),
        })
        .await
    }
}
