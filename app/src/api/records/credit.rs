//! A customer's credit balance and how it came about.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use crate::api::dates;

/// `PUT /v1/customers/{id}/balance`: the credit a customer holds in one currency, which the
/// vendor takes off their next invoices, and how it came about. Writing a currency again
/// replaces it; an amount of 0 with no transactions removes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditBalanceInput {
    pub currency: String,
    /// The credit available, in minor units; never negative.
    pub amount: i64,
    /// The movements of the credit, in any order (the portal shows the newest first); at
    /// most 500.
    #[serde(default, deserialize_with = "crate::api::object::each")]
    pub transactions: Vec<CreditTransaction>,
}

/// One movement of a customer's credit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreditTransaction {
    /// In minor units: positive when credit was added (a refund kept as credit, a
    /// goodwill gesture), negative when it was used on an invoice.
    pub amount: i64,
    /// What it was, as the customer reads it: "Applied to INV-2026-0042".
    pub description: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
}

/// A customer's credit in one currency, as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditBalance {
    pub currency: String,
    pub amount: i64,
    /// Newest first.
    pub transactions: Vec<CreditTransaction>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}
