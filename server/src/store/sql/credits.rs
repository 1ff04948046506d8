//! Credit balances, one row per customer and currency.

use app::api::records::{CreditBalance, CreditBalanceInput};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::SqlStore;
use crate::store::cache::Change;
use crate::store::credits::CreditStore;
use crate::store::rows::{self, CreditBalanceRow};
use crate::store::StoreResult;

#[async_trait]
impl CreditStore for SqlStore {
    async fn put_credit_balance(
        &self,
        organisation_id: &str,
        customer_id: &str,
        input: &CreditBalanceInput,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CreditBalance>> {
        let mut transactions = input.transactions.clone();
        transactions.sort_by_key(|t| std::cmp::Reverse(t.created_at));
        let mut tx = self.write_tx().await?;
        let kept = if input.amount == 0 && transactions.is_empty() {
            sqlx::query(
                "DELETE FROM credit_balances WHERE organisation_id = $1 AND customer_id = $2 \
                 AND currency = $3",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(&input.currency)
            .execute(&mut *tx)
            .await?;
            None
        } else {
            let row = sqlx::query_as::<_, CreditBalanceRow>(
                "INSERT INTO credit_balances \
                 (organisation_id, customer_id, currency, amount, transactions, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (organisation_id, customer_id, currency) DO UPDATE SET \
                 amount = excluded.amount, transactions = excluded.transactions, \
                 updated_at = excluded.updated_at \
                 RETURNING currency, amount, transactions, updated_at",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(&input.currency)
            .bind(input.amount)
            .bind(rows::transactions_text(&transactions))
            .bind(now.timestamp_millis())
            .fetch_one(&mut *tx)
            .await?;
            Some(row.try_into()?)
        };
        let change = Change::customer(organisation_id, customer_id);
        Self::announce(&mut tx, &change).await?;
        tx.commit().await?;
        self.changed([&change]);
        Ok(kept)
    }

    async fn credit_balances(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<CreditBalance>> {
        sqlx::query_as::<_, CreditBalanceRow>(
            "SELECT currency, amount, transactions, updated_at FROM credit_balances \
             WHERE organisation_id = $1 AND customer_id = $2 ORDER BY currency",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
    }
}
