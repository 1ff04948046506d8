//! The payment methods tab: saved methods, the default marked, and the choice of another
//! default where the organisation allows it.

use leptos::prelude::*;

use super::load::once;
use super::pending_view;
use super::PortalContext;
use crate::api::records::{PaymentMethod, PaymentMethodKind};
use crate::branding::Branding;
use crate::client;
use crate::format;
use crate::i18n::{fill, use_i18n, Messages};

fn method_kind(kind: PaymentMethodKind, t: &Messages) -> &'static str {
    match kind {
        PaymentMethodKind::Card => t.method_card,
        PaymentMethodKind::SepaDebit => t.method_sepa,
        PaymentMethodKind::BankTransfer => t.method_bank_transfer,
        PaymentMethodKind::Paypal => t.method_paypal,
    }
}

/// A method's name as the customer knows it: `Visa •••• 4242`.
fn method_name(m: &PaymentMethod, t: &Messages) -> String {
    let brand = m.brand.clone().map(|b| {
        let mut chars = b.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    });
    let mut name = brand.unwrap_or_else(|| method_kind(m.kind, t).to_owned());
    if let Some(last4) = &m.last4 {
        name.push_str(" •••• ");
        name.push_str(last4);
    }
    name
}

/// Whether a card's expiry month has passed.
fn has_expired(m: &PaymentMethod) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::new_0();
        m.expired_before(now.get_full_year() as i32, now.get_month() + 1)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = m;
        false
    }
}

lazy_tab!(
    /// `payment-methods`: loaded when first opened.
    PaymentMethodsRoute => PaymentMethodsTab
);

/// Saved payment methods, the default marked; another can become the default where the
/// organisation allows it.
#[component]
pub fn PaymentMethodsTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let may_change = use_context::<Option<Branding>>()
        .flatten()
        .is_some_and(|b| b.allow_default_payment_method_change);
    let (data, failure) = once(|token| async move { client::payment_methods(&token).await });
    let working = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let action_failed = RwSignal::new(false);

    let make_default = move |id: String| {
        let Some(token) = context.token() else { return };
        working.set(Some(id.clone()));
        action_failed.set(false);
        done.set(None);
        leptos::task::spawn_local(async move {
            match client::set_default_payment_method(&token, &id).await {
                Ok(chosen) => {
                    done.set(Some(fill(
                        i18n.t().default_done,
                        &[&method_name(&chosen, i18n.t())],
                    )));
                    crate::embed::event(
                        "action",
                        serde_json::json!({
                            "action": "default_payment_method_changed",
                            "payment_method_id": chosen.id,
                        }),
                    );
                    data.update(|list| {
                        if let Some(list) = list {
                            for m in list.data.iter_mut() {
                                m.is_default = m.id == chosen.id;
                            }
                            list.data.sort_by_key(|m| !m.is_default);
                        }
                    });
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => action_failed.set(true),
            }
            working.set(None);
        });
    };

    view! {
        <section class="card" aria-labelledby="methods-title">
            <h2 id="methods-title">{move || i18n.t().tab_payment_methods}</h2>
            {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
            {move || action_failed.get().then(|| view! { <p class="notice" role="alert">{i18n.t().action_failed}</p> })}
            {move || {
                let t = i18n.t();
                match data.get() {
                    None => pending_view(failure.get()),
                    Some(list) if list.data.is_empty() => view! { <p class="empty">{t.no_methods}</p> }.into_any(),
                    Some(list) => view! {
                        <ul class="methods">
                            {list.data.into_iter().map(|m| {
                                let expired = has_expired(&m);
                                let id = m.id.clone();
                                let busy_id = m.id.clone();
                                let name = method_name(&m, t);
                                view! {
                                    <li>
                                        <div>
                                            <strong>{name}</strong>
                                            <p class="muted">
                                                {method_kind(m.kind, t)}
                                                {match (m.exp_month, m.exp_year) {
                                                    (Some(month), Some(year)) => format!(" · {}", fill(t.expires, &[&format::expiry(month, year)])),
                                                    _ => String::new(),
                                                }}
                                            </p>
                                        </div>
                                        <div class="method-actions">
                                            {expired.then(|| view! { <span class="badge status-overdue">{t.expired}</span> })}
                                            {if m.is_default {
                                                Some(view! { <span class="badge status-paid">{t.default_method}</span> }.into_any())
                                            } else if may_change && !expired {
                                                Some(view! {
                                                    <button type="button" class="button"
                                                        disabled=move || working.get().is_some()
                                                        on:click=move |_| make_default(id.clone())>
                                                        {move || if working.get().as_deref() == Some(busy_id.as_str()) { i18n.t().working } else { i18n.t().make_default }}
                                                    </button>
                                                }.into_any())
                                            } else {
                                                None
                                            }}
                                        </div>
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
