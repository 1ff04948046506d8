//! The landing tab: what is due, what is overdue, what renews next, and spending per
//! month as a chart drawn in SVG by the app itself.

use chrono::Datelike;
use leptos::prelude::*;
use leptos_router::components::A;

use super::load::Loaded;
use super::pay::{PayLink, Paying};
use super::PortalContext;
use crate::api::portal::MonthTotal;
use crate::client;
use crate::format::{self, Locale};
use crate::i18n::{fill, use_i18n};

lazy_tab!(
    /// `overview`: loaded when first opened.
    OverviewRoute => OverviewTab
);

#[component]
pub fn OverviewTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let data = Loaded::new(|token| async move { client::overview(&token).await });
    let pending = || {
        view! {
            <div class="overview" aria-busy="true">
                <div class="skeleton skeleton-block"></div>
                <div class="skeleton skeleton-block"></div>
            </div>
        }
    };
    data.view(pending, move |o| move || {
        let t = i18n.t();
        let l = i18n.locale();
        let overdue: Vec<_> = o.balances.iter().filter(|b| b.overdue > 0).cloned().collect();
        let overdue_count: i64 = overdue.iter().map(|b| b.overdue_invoices).sum();
        let overdue_money = overdue
            .iter()
            .map(|b| format::money(b.overdue, &b.currency, l))
            .collect::<Vec<_>>()
            .join(" + ");
        let mut currencies: Vec<String> = Vec::new();
        for m in &o.spending {
            if !currencies.contains(&m.currency) {
                currencies.push(m.currency.clone());
            }
        }
        view! {
            {(!overdue.is_empty()).then(|| view! {
                <div class="alert" role="alert">
                    <p>
                        {if overdue_count == 1 {
                            fill(t.overdue_one, &[&overdue_money])
                        } else {
                            fill(t.overdue_many, &[&overdue_money, &overdue_count.to_string()])
                        }}
                    </p>
                    <div class="alert-actions">
                        <A href=context.path("invoices?status=overdue")>{t.view_overdue}</A>
                        {match (o.overdue_invoice.clone(), o.pay_overdue_url.clone()) {
                            (Some(invoice), _) => Some(view! {
                                <PayLink url=invoice.payment_url paying=Paying::Invoice {
                                    id: invoice.id,
                                    number: invoice.number,
                                }/>
                            }.into_any()),
                            (None, Some(url)) => Some(view! {
                                <PayLink url paying=Paying::Overdue/>
                            }.into_any()),
                            (None, None) => None,
                        }}
                    </div>
                </div>
            })}
            <div class="overview">
                <section class="card stat" aria-labelledby="balance-title">
                    <h2 id="balance-title">{t.balance_due}</h2>
                    {if o.balances.is_empty() {
                        view! { <p class="figure">{format::money(0, currencies.first().map_or("EUR", |c| c.as_str()), l)}</p><p class="muted">{t.nothing_due}</p> }.into_any()
                    } else {
                        o.balances.iter().map(|b| view! {
                            <p class="figure">{format::money(b.amount_due, &b.currency, l)}</p>
                        }).collect_view().into_any()
                    }}
                    {(!o.credits.is_empty()).then(|| {
                        let held = o.credits
                            .iter()
                            .map(|c| format::money(c.amount, &c.currency, l))
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <p class="credit-note">
                                <A href=context.path("payments")>{fill(t.overview_credit, &[&held])}</A>
                            </p>
                        }
                    })}
                </section>
                <section class="card stat" aria-labelledby="renewal-title">
                    <h2 id="renewal-title">{t.next_renewal}</h2>
                    {match &o.next_renewal {
                        Some(r) => view! {
                            <p class="figure">{format::date(r.date, l)}</p>
                            <p class="muted">
                                {fill(t.renews_on, &[&r.plan, &format::date(r.date, l)])}
                                " · "
                                {format::money(r.amount, &r.currency, l)}
                            </p>
                        }.into_any(),
                        None => view! { <p class="muted">{t.no_renewal}</p> }.into_any(),
                    }}
                </section>
            </div>
            <section class="card" aria-labelledby="spending-title">
                <h2 id="spending-title">{t.spending_title}</h2>
                <p class="muted">{t.spending_text}</p>
                {if o.spending.iter().all(|m| m.total == 0) {
                    view! { <p class="empty">{t.no_spending}</p> }.into_any()
                } else {
                    currencies.into_iter().map(|currency| {
                        let months: Vec<MonthTotal> = o.spending.iter().filter(|m| m.currency == currency).cloned().collect();
                        view! { <SpendingChart months currency=currency.clone() locale=l/> }
                    }).collect_view().into_any()
                }}
            </section>
        }.into_any()
    })
}

/// A round upper bound for the chart's axis: 1, 2 or 5 times a power of ten.
fn nice_ceiling(value: i64) -> i64 {
    if value <= 0 {
        return 1;
    }
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if let Some(bound) = step.checked_mul(m) {
                if bound >= value {
                    return bound;
                }
            }
        }
        match step.checked_mul(10) {
            Some(next) => step = next,
            None => return value,
        }
    }
}

/// Twelve bars, one per month, with the amounts as text for screen readers.
#[component]
fn SpendingChart(months: Vec<MonthTotal>, currency: String, locale: Locale) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.t();
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 220.0;
    const LEFT: f64 = 8.0;
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 18.0;
    let max = nice_ceiling(months.iter().map(|m| m.total).max().unwrap_or(0));
    let slot = (WIDTH - LEFT * 2.0) / months.len().max(1) as f64;
    let bar = slot * 0.6;
    let plot = HEIGHT - BOTTOM - TOP;
    let label = fill(t.spending_chart_label, &[&currency]);
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let h = if max > 0 {
                (m.total.max(0) as f64 / max as f64) * plot
            } else {
                0.0
            };
            let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
            let y = TOP + plot - h;
            let amount = format::money(m.total, &m.currency, locale);
            let month = format::month(m.month, locale);
            view! {
                <g>
                    <rect class="bar" x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{bar:.1}")
                        height=format!("{:.1}", h.max(if m.total > 0 { 1.0 } else { 0.0 })) rx="3">
                        <title>{format!("{month} {}: {amount}", m.month.year())}</title>
                    </rect>
                    <text class="axis" x=format!("{:.1}", x + bar / 2.0) y=format!("{:.1}", HEIGHT - 8.0) text-anchor="middle">
                        {month}
                    </text>
                </g>
            }
        })
        .collect_view();
    let rows = months
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{format!("{} {}", format::month(m.month, locale), m.month.year())}</th>
                    <td>{format::money(m.total, &m.currency, locale)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label.clone() preserveAspectRatio="none">
                <line class="gridline" x1=LEFT y1=TOP x2=WIDTH - LEFT y2=TOP/>
                <text class="axis" x=WIDTH - LEFT y=TOP - 6.0 text-anchor="end">{format::money(max, &currency, locale)}</text>
                <line class="baseline" x1=LEFT y1=TOP + plot x2=WIDTH - LEFT y2=TOP + plot/>
                {bars}
            </svg>
            // A table's height cannot be clipped, so the wrapper hides it.
            <div class="visually-hidden">
                <table>
                    <caption>{label}</caption>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(130_00), 200_00);
        assert_eq!(nice_ceiling(500), 500);
        assert_eq!(nice_ceiling(501), 1000);
        assert_eq!(nice_ceiling(i64::MAX), i64::MAX);
    }
}
