//! Entitlements: what a customer may use, how much of it they have used, and where that
//! use is heading.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use crate::api::dates;

/// An entitlement as written by the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntitlementInput {
    pub customer_id: String,
    pub feature: String,
    /// `None` means unlimited.
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub usage: i64,
    pub unit: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub valid_from: NaiveDate,
    #[serde(default)]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub valid_until: Option<NaiveDate>,
    /// What was used each day of the period so far, oldest first (at most 366 days, within
    /// the validity): the portal charts it and projects it to the period's end.
    #[serde(default)]
    pub usage_series: Vec<UsagePoint>,
}

/// One day's use of an entitlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UsagePoint {
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub date: NaiveDate,
    pub value: i64,
}

/// An entitlement as Portico returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entitlement {
    pub id: String,
    pub external_id: String,
    pub customer_id: String,
    pub feature: String,
    pub limit: Option<i64>,
    pub usage: i64,
    pub unit: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::date"))]
    pub valid_from: NaiveDate,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_date"))]
    pub valid_until: Option<NaiveDate>,
    pub usage_series: Vec<UsagePoint>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub updated_at: DateTime<Utc>,
}

impl Entitlement {
    /// Where use is heading by the last day of the period, in a straight line: the usage so
    /// far plus the recorded days' average for each day left after `today`. None without
    /// an end, without recorded days, or once the period is over.
    pub fn projected_usage(&self, today: NaiveDate) -> Option<i64> {
        let end = self.valid_until?;
        if self.usage_series.is_empty() || today > end {
            return None;
        }
        let days = self.usage_series.len() as i128;
        let recorded: i128 = self.usage_series.iter().map(|p| i128::from(p.value)).sum();
        let left = i128::from((end - today).num_days());
        let ahead = (recorded * left + days / 2) / days;
        Some(i64::try_from(i128::from(self.usage) + ahead).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entitlement(usage: i64, limit: Option<i64>, series: &[(u32, i64)]) -> Entitlement {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        Entitlement {
            id: "e".into(),
            external_id: "e".into(),
            customer_id: "c".into(),
            feature: "API calls".into(),
            limit,
            usage,
            unit: "calls".into(),
            valid_from: day(1),
            valid_until: Some(day(30)),
            usage_series: series
                .iter()
                .map(|&(d, value)| UsagePoint {
                    date: day(d),
                    value,
                })
                .collect(),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn use_is_projected_in_a_straight_line_to_the_period_end() {
        let on = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        // Ten days of 100: 1,000 so far, 100 a day for the 20 days after the 10th.
        let ten: Vec<(u32, i64)> = (1..=10).map(|d| (d, 100)).collect();
        let e = entitlement(1_000, Some(2_500), &ten);
        assert_eq!(e.projected_usage(on(10)), Some(3_000));
        assert_eq!(
            e.projected_usage(on(30)),
            Some(1_000),
            "nothing left to add"
        );
        assert_eq!(
            e.projected_usage(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            None
        );
        // Uneven days average out: (10 + 20) / 2 = 15 a day.
        let e = entitlement(30, None, &[(1, 10), (2, 20)]);
        assert_eq!(e.projected_usage(on(2)), Some(30 + 15 * 28));
        assert_eq!(entitlement(5, None, &[]).projected_usage(on(2)), None);
        let mut open_ended = entitlement(5, None, &[(1, 5)]);
        open_ended.valid_until = None;
        assert_eq!(open_ended.projected_usage(on(2)), None);
        // No overflow, however large the figures.
        let huge = entitlement(i64::MAX, None, &[(1, i64::MAX)]);
        assert_eq!(huge.projected_usage(on(1)), Some(i64::MAX));
    }
}
