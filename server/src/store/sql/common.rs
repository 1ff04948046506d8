//! Helpers every area's SQL shares, and the [`Store`](crate::store::Store) impl itself.

use chrono::{DateTime, Utc};

use crate::store::{rows, Backend, PoolStatus, Store, StoreError, StoreResult, VendorPage};

use super::{Db, SqlStore, BACKEND};

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
        sqlx::query(
            "INSERT INTO events (id, organisation_id, customer_id, kind, payload, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rows::new_id())
        .bind(organisation_id)
        .bind(customer_id)
        .bind(kind)
        .bind(payload.to_string())
        .bind(now.timestamp_millis())
        .execute(&mut **tx)
        .await?;
        Ok(())
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
        let rows = sqlx::query_as::<_, R>(&format!(
            "SELECT * FROM {table} WHERE organisation_id = $1 AND customer_id = $2 \
             ORDER BY {order_by}"
        ))
        .bind(organisation_id)
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?;
        rows::convert_all(rows)
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
