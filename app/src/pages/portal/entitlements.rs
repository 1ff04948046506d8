//! The entitlements tab: what the customer may use, and how much of it they have used.

use leptos::prelude::*;

use super::load::once;
use super::pending_view;
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
    let (data, failure) = once(|token| async move { client::entitlements(&token).await });
    view! {
        <section class="card" aria-labelledby="entitlements-title">
            <h2 id="entitlements-title">{move || i18n.t().tab_entitlements}</h2>
            {move || {
                let t = i18n.t();
                let l = i18n.locale();
                match data.get() {
                    None => pending_view(failure.get()),
                    Some(list) if list.data.is_empty() => view! { <p class="empty">{t.no_entitlements}</p> }.into_any(),
                    Some(list) => view! {
                        <ul class="entitlements">
                            {list.data.into_iter().map(|e| {
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
                    .into_any(),
                }
            }}
        </section>
    }
}
