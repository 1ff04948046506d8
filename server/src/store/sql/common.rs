//! Helpers every area's SQL shares, and the [`Store`](crate::store::Store) impl itself.

use chrono::{DateTime, Utc};

use crate::store::{rows, Backend, PoolStatus, Store, StoreError, StoreResult, VendorPage};

use super::{Db, SqlStore, BACKEND};
use crate::store::cache::{Change, CHANNEL};

/// Sends a change on the channel every instance listens to (PostgreSQL only).
async fn notify<'e>(
    executor: impl sqlx::Executor<'e, Database = Db>,
    change: &Change,
) -> StoreResult<()> {
    if BACKEND == Backend::Postgres {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(change.payload())
            .execute(executor)
            .await?;
    }
    Ok(())
}

impl SqlStore {
    /// A transaction that writes. SQLite takes its write lock at the start
    /// (`BEGIN IMMEDIATE`), so that a busy database is waited for: a deferred
    /// transaction that has read first cannot wait for another writer and fails at
    /// once with "database is locked".
    pub(super) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
        if BACKEND == Backend::Sqlite {
            self.pool.begin_with("BEGIN IMMEDIATE").await
        } else {
            self.pool.begin().await
        }
    }

    /// Tells the other instances of a change when `tx` commits: PostgreSQL delivers a
    /// notification only if its transaction commits. This process's own cache is told
    /// after the commit, by [`Self::changed`]. SQLite has no other instances.
    pub(super) async fn announce(
        tx: &mut sqlx::Transaction<'_, Db>,
        change: &Change,
    ) -> StoreResult<()> {
        notify(&mut **tx, change).await
    }

    /// Announces a change made outside a transaction (a single statement that has
    /// committed), and tells this process's cache.
    pub(super) async fn announce_now(&self, change: &Change) -> StoreResult<()> {
        self.cache.apply(change);
        notify(&self.pool, change).await
    }

    /// Tells this process's cache what a committed transaction changed.
    pub(super) fn changed<'c>(&self, changes: impl IntoIterator<Item = &'c Change>) {
        for change in changes {
            self.cache.apply(change);
        }
    }

    /// Appends an event inside the caller's transaction, so that a change and its
    /// record land together or not at all.
    pub(super) async fn insert_event(
        tx: &mut sqlx::Transaction<'_, Db>,
        organisation_id: &str,
        customer_id: Option<&str>,
        kind: &str,
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let id = rows::new_id();
        sqlx::query(
            "INSERT INTO events (id, organisation_id, customer_id, kind, payload, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(organisation_id)
        .bind(customer_id)
        .bind(kind)
        .bind(payload.to_string())
        .bind(now.timestamp_millis())
        .execute(&mut **tx)
        .await?;
        // Its webhook deliveries, in the same transaction: an event is never stored
        // without them, nor they without it.
        let endpoints = sqlx::query_as::<_, (String, String)>(
            "SELECT id, event_types FROM webhook_endpoints \
             WHERE organisation_id = $1 AND enabled",
        )
        .bind(organisation_id)
        .fetch_all(&mut **tx)
        .await?;
        for (endpoint_id, types) in endpoints {
            let types: Vec<String> = serde_json::from_str(&types)
                .map_err(|e| StoreError::Corrupt(format!("webhook event types: {e}")))?;
            if !types.iter().any(|t| t == "*" || t == kind) {
                continue;
            }
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, organisation_id, endpoint_id, event_id, \
                 status, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            )
            .bind(rows::new_id())
            .bind(organisation_id)
            .bind(endpoint_id)
            .bind(&id)
            .bind(now.timestamp_millis())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Records that a portal session ended (`logout`, `idle`, `expired` or `revoked`).
    pub(super) async fn session_ended(
        tx: &mut sqlx::Transaction<'_, Db>,
        organisation_id: &str,
        customer_id: &str,
        link_id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let payload = serde_json::json!({
            "portal_session_id": link_id,
            "customer_id": customer_id,
            "reason": reason,
        });
        Self::announce(
            tx,
            &Change::Link {
                id: link_id.to_owned(),
            },
        )
        .await?;
        Self::insert_event(
            tx,
            organisation_id,
            Some(customer_id),
            "portal_session.ended",
            &payload,
            now,
        )
        .await
    }

    /// Revokes the links that match `condition` (on `link_tokens`, with `value` as `$1`)
    /// and ends the sessions made from them, with an event for each session ended and
    /// each link that had not been opened yet. Returns the changes to tell this process's
    /// cache once the transaction commits.
    pub(super) async fn revoke_links_where(
        tx: &mut sqlx::Transaction<'_, Db>,
        condition: &'static str,
        value: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Change>> {
        let now_ms = now.timestamp_millis();
        let ended = sqlx::query_as::<_, (String, String, String)>(&format!(
            "UPDATE sessions SET ended_at = $2, end_reason = 'revoked' \
             WHERE ended_at IS NULL AND link_id IN (SELECT id FROM link_tokens WHERE {condition}) \
             RETURNING organisation_id, customer_id, link_id"
        ))
        .bind(value)
        .bind(now_ms)
        .fetch_all(&mut **tx)
        .await?;
        let unopened = sqlx::query_as::<_, (String, String, String)>(&format!(
            "UPDATE link_tokens SET revoked_at = $2 \
             WHERE {condition} AND revoked_at IS NULL AND used_at IS NULL AND expires_at > $2 \
             RETURNING organisation_id, customer_id, id"
        ))
        .bind(value)
        .bind(now_ms)
        .fetch_all(&mut **tx)
        .await?;
        sqlx::query(&format!(
            "UPDATE link_tokens SET revoked_at = $2 WHERE {condition} AND revoked_at IS NULL"
        ))
        .bind(value)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
        for (organisation_id, customer_id, link_id) in ended.iter().chain(&unopened) {
            Self::session_ended(tx, organisation_id, customer_id, link_id, "revoked", now).await?;
        }
        Ok(ended
            .into_iter()
            .map(|(_, _, id)| Change::Link { id })
            .collect())
    }

    /// One record of `table` by Portico's id or, failing that, the vendor's.
    pub(super) async fn find_one<R>(
        &self,
        table: &'static str,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<R>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        Ok(sqlx::query_as::<_, R>(&format!(
            "SELECT * FROM {table} WHERE organisation_id = $1 \
                 AND (id = $2 OR external_id = $2) \
                 ORDER BY CASE WHEN id = $2 THEN 0 ELSE 1 END LIMIT 1"
        ))
        .bind(organisation_id)
        .bind(id_or_external_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// One record of `table` by Portico's id alone, as `columns` (a fixed list).
    pub(super) async fn row_by_id<R>(
        &self,
        table: &'static str,
        columns: &'static str,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<Option<R>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        Ok(sqlx::query_as::<_, R>(&format!(
            "SELECT {columns} FROM {table} WHERE organisation_id = $1 AND id = $2"
        ))
        .bind(organisation_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// [`Self::row_by_id`], converted.
    pub(super) async fn by_id<R, T>(
        &self,
        table: &'static str,
        columns: &'static str,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<Option<T>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        T: TryFrom<R, Error = StoreError>,
    {
        self.row_by_id::<R>(table, columns, organisation_id, id)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// All of one customer's records of `table` in the order `order_by` (a fixed clause,
    /// never request input).
    pub(super) async fn all_of_customer<R, T>(
        &self,
        table: &'static str,
        order_by: &'static str,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<T>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        T: TryFrom<R, Error = StoreError>,
    {
        self.all_of::<R, T>(table, order_by, organisation_id, customer_id, None)
            .await
    }

    /// [`Self::all_of_customer`], only those recorded against one of their invoices.
    pub(super) async fn all_of_invoice<R, T>(
        &self,
        table: &'static str,
        order_by: &'static str,
        organisation_id: &str,
        customer_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<T>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        T: TryFrom<R, Error = StoreError>,
    {
        self.all_of::<R, T>(
            table,
            order_by,
            organisation_id,
            customer_id,
            Some(invoice_id),
        )
        .await
    }

    async fn all_of<R, T>(
        &self,
        table: &'static str,
        order_by: &'static str,
        organisation_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
    ) -> StoreResult<Vec<T>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
        T: TryFrom<R, Error = StoreError>,
    {
        let of_invoice = if invoice_id.is_some() {
            " AND invoice_id = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT * FROM {table} WHERE organisation_id = $1 AND customer_id = $2{of_invoice} \
             ORDER BY {order_by}"
        );
        let query = sqlx::query_as::<_, R>(&sql)
            .bind(organisation_id)
            .bind(customer_id);
        let query = match invoice_id {
            Some(invoice_id) => query.bind(invoice_id),
            None => query,
        };
        rows::convert_all(query.fetch_all(&self.pool).await?)
    }

    /// A page of `table` in the vendor's id order, optionally for one customer.
    pub(super) async fn page_of<R>(
        &self,
        table: &'static str,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<R>>
    where
        R: for<'r> sqlx::FromRow<'r, <Db as sqlx::Database>::Row> + Send + Unpin,
    {
        // Parameters are numbered as they are added: SQLite refuses unused ones.
        let mut sql = format!("SELECT * FROM {table} WHERE organisation_id = $1");
        let mut n = 1;
        if page.customer_id.is_some() {
            n += 1;
            sql.push_str(&format!(" AND customer_id = ${n}"));
        }
        if page.after.is_some() {
            n += 1;
            sql.push_str(&format!(" AND external_id > ${n}"));
        }
        sql.push_str(&format!(" ORDER BY external_id LIMIT ${}", n + 1));
        let mut query = sqlx::query_as::<Db, R>(&sql).bind(organisation_id);
        if let Some(customer) = page.customer_id {
            query = query.bind(customer);
        }
        if let Some(after) = page.after {
            query = query.bind(after);
        }
        Ok(query.bind(page.limit).fetch_all(&self.pool).await?)
    }
}

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn pool_status(&self) -> PoolStatus {
        PoolStatus {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn cache(&self) -> &std::sync::Arc<crate::store::cache::HotCache> {
        &self.cache
    }

    async fn follow_changes(&self) {
        super::follow_changes(&self.pool, &self.cache).await;
    }

    async fn backup_to(&self, path: &str) -> StoreResult<bool> {
        if BACKEND != Backend::Sqlite {
            return Ok(false);
        }
        // A consistent copy of the database as of one moment, taken while the server
        // keeps serving: readers and the writer go on meanwhile.
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }
}
