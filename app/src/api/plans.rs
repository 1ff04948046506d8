//! The vendor's plan catalogue, and the plan changes a customer may ask for.
//!
//! Portico never changes a subscription itself: the customer's choice becomes a
//! `subscription.change_requested` event; the vendor applies it at its billing system and
//! pushes the updated subscription.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use super::dates;

use crate::api::records::BillingInterval;

/// `PUT /v1/plans/{id}`: one plan of the catalogue, under the vendor's id for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub name: String,
    pub interval: BillingInterval,
    /// The price per interval in each currency it is sold in: at least one, each currency
    /// once.
    #[serde(deserialize_with = "super::object::each")]
    pub prices: Vec<PlanPrice>,
    /// What the plan includes, as the comparison lists it: at most 30.
    #[serde(default)]
    pub features: Vec<String>,
    /// The vendor's ids of the plans a subscriber of this one may switch to: at most 30.
    #[serde(default)]
    pub switches_to: Vec<String>,
}

/// A plan's price in one currency, in minor units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanPrice {
    pub currency: String,
    pub amount: i64,
}

/// A plan as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    /// The vendor's id.
    pub id: String,
    pub name: String,
    pub interval: BillingInterval,
    pub prices: Vec<PlanPrice>,
    pub features: Vec<String>,
    pub switches_to: Vec<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

/// A plan as the customer compares it: its price in their subscription's currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    pub id: String,
    pub name: String,
    pub interval: BillingInterval,
    pub currency: String,
    pub amount: i64,
    pub features: Vec<String>,
}

/// A plan the customer may switch to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanOption {
    pub plan: PlanView,
    /// What switching today would add (positive) or give back (negative) for the rest of
    /// the current period, by days, in minor units: an estimate, not a charge; none when
    /// the plans bill at different intervals.
    pub estimate: Option<i64>,
}

/// `GET /api/v1/portal/subscriptions/{id}/plans`: the subscription's plan and the plans
/// it may switch to, side by side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanChoices {
    pub current: PlanView,
    pub options: Vec<PlanOption>,
    /// Days of the current period still to come, today included, of `period_days`.
    pub days_left: i64,
    pub period_days: i64,
}

/// `POST /api/v1/portal/subscriptions/{id}/change_plan`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanChangeRequest {
    /// The vendor's id of the plan asked for.
    pub plan_id: String,
}

/// The days of the period `start..=end` still to come on `today` (today included), and
/// the period's length in days.
pub fn days_left(start: NaiveDate, end: NaiveDate, today: NaiveDate) -> (i64, i64) {
    let period = (end - start).num_days() + 1;
    let left = ((end - today).num_days() + 1).clamp(0, period.max(0));
    (left, period.max(1))
}

/// The day-based difference of switching from `from` to `to` (prices per the same
/// interval) for `days_left` of `period_days`, rounded to the nearest minor unit.
pub fn prorated(from: i64, to: i64, days_left: i64, period_days: i64) -> i64 {
    let numerator = (to - from) as i128 * days_left as i128;
    let period = period_days.max(1) as i128;
    let rounded = (numerator * 2 + numerator.signum() * period) / (period * 2);
    rounded as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, d).unwrap()
    }

    #[test]
    fn the_estimate_counts_the_days_left_today_included() {
        assert_eq!(days_left(day(1), day(30), day(1)), (30, 30));
        assert_eq!(days_left(day(1), day(30), day(21)), (10, 30));
        assert_eq!(days_left(day(1), day(30), day(30)), (1, 30));
        // After the period, nothing is left; before it, all of it.
        assert_eq!(days_left(day(1), day(10), day(20)), (0, 10));
        assert_eq!(days_left(day(5), day(10), day(1)), (6, 6));
        // 10 of 30 days of a 49 → 99 upgrade: a third of 50.
        assert_eq!(prorated(4900, 9900, 10, 30), 1667);
        assert_eq!(prorated(9900, 4900, 10, 30), -1667);
        assert_eq!(prorated(1000, 1000, 10, 30), 0);
        assert_eq!(prorated(0, 3, 1, 2), 2, "half a unit rounds away from zero");
        assert_eq!(prorated(4900, 9900, 0, 30), 0);
    }
}
