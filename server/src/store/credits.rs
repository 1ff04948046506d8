//! Customers' credit balances: what the vendor says each customer holds per currency, and
//! how it came about.

use app::api::records::{CreditBalance, CreditBalanceInput};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;

#[async_trait]
pub trait CreditStore: Send + Sync {
    /// Replaces the customer's credit in `input.currency` (Portico's customer id), or
    /// removes it when it is 0 with no transactions; the customer's cached lists go.
    /// `None` when there is nothing left to show.
    async fn put_credit_balance(
        &self,
        organisation_id: &str,
        customer_id: &str,
        input: &CreditBalanceInput,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<CreditBalance>>;
    /// The customer's credit balances, by currency code, each with its transactions
    /// newest first.
    async fn credit_balances(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<CreditBalance>>;
}
