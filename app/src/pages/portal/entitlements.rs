//! The entitlements tab: what the customer may use, and how much of it they have used.

use leptos::prelude::*;

use super::load::{skeleton, today_once_live, Loaded};
use crate::api::records::UsagePoint;
use crate::client;
use crate::format;
use crate::i18n::{fill, use_i18n};

lazy_tab!(
    /// `entitlements`: loaded when first opened.
    EntitlementsRoute => EntitlementsTab
);

/// What the customer may use, and how much of it they have used.
#[component]
pub fn EntitlementsTab() -> impl IntoView {
    let i18n = use_i18n();
    let data = Loaded::new(|token| async move { client::entitlements(&token).await });
    // The projections need the customer's today: they come once the page is live.
    let today = today_once_live();
    view! {
        <section class="card" aria-labelledby="entitlements-title">
            <h2 id="entitlements-title">{move || i18n.t().tab_entitlements}</h2>
            {data.view(skeleton, move |list| move || {
                let t = i18n.t();
                let l = i18n.locale();
                if list.data.is_empty() {
                    view! { <p class="empty">{t.no_entitlements}</p> }.into_any()
                } else {
                    view! {
                        <ul class="entitlements">
                            {list.data.iter().map(|e| {
                                let used = match e.limit {
                                    Some(limit) if limit > 0 => Some((e.usage.clamp(0, limit) * 100 / limit, limit)),
                                    _ => None,
                                };
                                let usage = format::number(e.usage, l);
                                view! {
                                    <li>
                                        <div class="entitlement-head">
                                            <strong>{e.feature.clone()}</strong>
                                            <span>
                                                {match e.limit {
                                                    Some(limit) => fill(t.usage_of, &[&usage, &format::number(limit, l), &e.unit]),
                                                    None => fill(t.usage_unlimited, &[&usage, &e.unit]),
                                                }}
                                            </span>
                                        </div>
                                        {used.map(|(percent, limit)| view! {
                                            <div
                                                class={if percent >= 90 { "meter full" } else { "meter" }}
                                                role="meter"
                                                aria-label=fill(t.usage_label, &[&e.feature])
                                                aria-valuemin="0"
                                                aria-valuemax=limit.to_string()
                                                aria-valuenow=e.usage.clamp(0, limit).to_string()
                                                aria-valuetext=fill(t.usage_of, &[&usage, &format::number(limit, l), &e.unit])
                                            >
                                                // Drawn, not styled: the page's script policy
                                                // refuses inline style attributes.
                                                <svg aria-hidden="true">
                                                    <rect width=format!("{percent}%") height="100%" rx="5"></rect>
                                                </svg>
                                            </div>
                                        })}
                                        {(!e.usage_series.is_empty()).then(|| view! {
                                            <UsageChart series=e.usage_series.clone() label=fill(t.usage_chart_label, &[&e.feature])/>
                                        })}
                                        {today.get().and_then(|day| e.projected_usage(day)).zip(e.valid_until).map(|(ahead, end)| {
                                            let over = e.limit.filter(|limit| ahead > *limit);
                                            let (amount, last) = (format::number(ahead, l), format::date(end, l));
                                            match over {
                                                Some(limit) => view! {
                                                    <p class="pace over">{fill(t.usage_pace_over, &[&amount, &e.unit, &last, &format::number(limit, l)])}</p>
                                                }.into_any(),
                                                None => view! {
                                                    <p class="pace">{fill(t.usage_pace, &[&amount, &e.unit, &last])}</p>
                                                }.into_any(),
                                            }
                                        })}
                                        <p class="muted">
                                            {match e.valid_until {
                                                Some(until) => format::date_range(e.valid_from, until, l),
                                                None => fill(t.valid_since, &[&format::date(e.valid_from, l)]),
                                            }}
                                        </p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            })}
        </section>
    }
}

/// A bar a day, as tall as that day's use against the busiest day.
#[component]
fn UsageChart(series: Vec<UsagePoint>, label: String) -> impl IntoView {
    const HEIGHT: f64 = 40.0;
    let busiest = series.iter().map(|p| p.value).max().unwrap_or(0).max(1) as f64;
    let bars = series
        .iter()
        .enumerate()
        .map(|(i, point)| {
            let h = (point.value.max(0) as f64 / busiest * HEIGHT).max(if point.value > 0 { 1.0 } else { 0.0 });
            view! {
                <rect x=format!("{i}.1") y=format!("{:.1}", HEIGHT - h) width="0.8" height=format!("{h:.1}")></rect>
            }
        })
        .collect_view();
    view! {
        <svg class="usage-chart" viewBox=format!("0 0 {} {HEIGHT}", series.len()) preserveAspectRatio="none"
            role="img" aria-label=label>
            {bars}
        </svg>
    }
}
