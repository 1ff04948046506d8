//! The overview tab: balance, overdue money, next renewal and monthly totals.

use app::api::portal::{
    Balance, Credit, InvoiceSort, MonthTotal, Overview, PayableInvoice, Renewal,
};
use app::api::records::InvoiceStatus;
use app::api::session::Tab;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::InvoiceSearch;

use super::require_section;

/// `GET /api/v1/portal/overview`: balance due, overdue money, next renewal and the last
/// twelve months' invoiced totals.
pub(super) async fn get_overview(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<Overview>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Overview).await?;
    let s = &portal.session;
    let now = state.clock.now();
    let today = now.date_naive();
    let balances = state
        .store
        .balances(&s.organisation_id, &s.customer_id, today)
        .await?
        .into_iter()
        .map(|b| Balance {
            currency: b.currency,
            amount_due: b.amount_due,
            overdue: b.overdue,
            overdue_invoices: b.overdue_invoices,
        })
        .collect::<Vec<Balance>>();
    let (pay_overdue_url, overdue_invoice) =
        if organisation.settings.allow_invoice_payment && balances.iter().any(|b| b.overdue > 0) {
            ways_to_pay_overdue(&state, &portal, today).await?
        } else {
            (None, None)
        };
    let next_renewal = state
        .store
        .list_subscriptions(&s.organisation_id, &s.customer_id)
        .await?
        .into_iter()
        .filter(|sub| sub.renews() && sub.renews_at.is_some_and(|d| d >= today))
        .min_by_key(|sub| sub.renews_at)
        .and_then(|sub| {
            Some(Renewal {
                date: sub.renews_at?,
                subscription_id: sub.id,
                plan: sub.plan,
                currency: sub.currency,
                amount: sub.amount,
            })
        });
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(11))
        .unwrap_or(this_month);
    let since = first
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    let invoiced = state
        .store
        .invoiced_since(&s.organisation_id, &s.customer_id, since)
        .await?;
    // Credit is the payments tab's to show in full; the overview only sums it up.
    let credits = if organisation.shows(Tab::Payments) {
        state
            .store
            .credit_balances(&s.organisation_id, &s.customer_id)
            .await?
            .into_iter()
            .filter(|c| c.amount > 0)
            .map(|c| Credit {
                currency: c.currency,
                amount: c.amount,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(Overview {
        credits,
        balances,
        next_renewal,
        spending: monthly_totals(first, &invoiced),
        as_of: now,
        pay_overdue_url,
        overdue_invoice,
    }))
}

/// How the overdue alert lets the customer pay: the vendor's page for everything overdue,
/// if the customer has one, and the overdue invoice's own page when only one is overdue.
async fn ways_to_pay_overdue(
    state: &AppState,
    portal: &PortalSession,
    today: NaiveDate,
) -> Result<(Option<String>, Option<PayableInvoice>), ApiError> {
    let s = &portal.session;
    let customer = state
        .store
        .find_customer(&s.organisation_id, &s.customer_id)
        .await?;
    let search = InvoiceSearch {
        statuses: vec![InvoiceStatus::Overdue],
        issued_from: None,
        issued_before: None,
        number: None,
        sort: InvoiceSort::IssuedAt,
        descending: true,
        today,
    };
    let overdue = state
        .store
        .search_invoices(&s.organisation_id, &s.customer_id, &search, None, 2)
        .await?;
    let only = match overdue.as_slice() {
        [invoice] => invoice.payable_at().map(|url| PayableInvoice {
            id: invoice.id.clone(),
            number: invoice.number.clone(),
            payment_url: url.to_owned(),
        }),
        _ => None,
    };
    Ok((customer.and_then(|c| c.balance_payment_url), only))
}

/// Twelve months from `first`, each with its total per currency (zero when nothing was
/// invoiced that month), currencies in order of first appearance.
pub(super) fn monthly_totals(
    first: NaiveDate,
    invoiced: &[(DateTime<Utc>, String, i64)],
) -> Vec<MonthTotal> {
    let mut currencies: Vec<&str> = Vec::new();
    for (_, currency, _) in invoiced {
        if !currencies.contains(&currency.as_str()) {
            currencies.push(currency);
        }
    }
    let mut out = Vec::new();
    for currency in currencies {
        for m in 0..12 {
            let Some(month) = first.checked_add_months(Months::new(m)) else {
                continue;
            };
            let total = invoiced
                .iter()
                .filter(|(at, c, _)| {
                    c == currency && at.year() == month.year() && at.month() == month.month()
                })
                .map(|(_, _, total)| *total)
                .fold(0i64, i64::saturating_add);
            out.push(MonthTotal {
                month,
                currency: currency.to_owned(),
                total,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_totals_fill_every_month() {
        let first = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let at = |y, m| {
            NaiveDate::from_ymd_opt(y, m, 15)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc()
        };
        let totals = monthly_totals(
            first,
            &[
                (at(2025, 7), "EUR".into(), 100),
                (at(2025, 7), "EUR".into(), 50),
                (at(2026, 6), "EUR".into(), 7),
                (at(2026, 1), "USD".into(), 9),
            ],
        );
        assert_eq!(totals.len(), 24);
        assert_eq!(totals[0].total, 150);
        assert_eq!(
            totals[11].month,
            NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
        );
        assert_eq!(totals[11].total, 7);
        assert_eq!(totals[12].currency, "USD");
        assert_eq!(totals[18].total, 9);
        assert_eq!(totals.iter().map(|t| t.total).sum::<i64>(), 166);
    }
}
