//! The payment methods tab: saved methods, the default marked; where the organisation
//! allows it, the choice of another default, removing one that is not the default, and
//! adding one on the vendor's setup page.

use leptos::prelude::*;

use super::load::{skeleton, today_once_live, Loaded};
use super::pay::{PayLink, Paying};
use super::{PortalContext, SessionDetails};
use crate::api::records::{PaymentMethod, PaymentMethodKind};
use crate::branding::Branding;
use crate::client;
use crate::components::confirm::Confirm;
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

/// Whether a card's expiry month had passed by `today`.
fn has_expired(m: &PaymentMethod, today: Option<chrono::NaiveDate>) -> bool {
    use chrono::Datelike;
    today.is_some_and(|day| m.expired_before(day.year(), day.month()))
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
    let branding = use_context::<Option<Branding>>().flatten();
    let may_change = branding
        .as_ref()
        .is_some_and(|b| b.allow_default_payment_method_change);
    let may_remove = branding.is_some_and(|b| b.allow_payment_method_removal);
    let details = use_context::<SessionDetails>();
    let setup_url = move || details.and_then(|d| d.setup_url());
    // The method whose removal is being confirmed.
    let confirm = Confirm::<PaymentMethod>::new("remove-dialog", "remove-keep");
    let removing = RwSignal::new(false);
    let remove_failed = RwSignal::new(false);
    let data = Loaded::new(|token| async move { client::payment_methods(&token).await });
    // Whether a card has expired is the customer's calendar: known once the page is live.
    let today = today_once_live();
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
                        for m in list.data.iter_mut() {
                            m.is_default = m.id == chosen.id;
                        }
                        list.data.sort_by_key(|m| !m.is_default);
                    });
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => action_failed.set(true),
            }
            working.set(None);
        });
    };

    let remove = move |method: PaymentMethod| {
        let Some(token) = context.token() else { return };
        removing.set(true);
        remove_failed.set(false);
        leptos::task::spawn_local(async move {
            match client::remove_payment_method(&token, &method.id).await {
                Ok(()) => {
                    let name = method_name(&method, i18n.t());
                    done.set(Some(fill(i18n.t().remove_done, &[&name])));
                    crate::embed::event(
                        "action",
                        serde_json::json!({
                            "action": "payment_method_removed",
                            "payment_method_id": method.id,
                        }),
                    );
                    data.update(|list| list.data.retain(|m| m.id != method.id));
                    confirm.asking.set(None);
                    // The button that opened the dialog went away with the method.
                    crate::focus::focus_by_id("methods-title");
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => remove_failed.set(true),
            }
            removing.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="methods-title">
            <div class="card-head">
                <h2 id="methods-title" tabindex="-1">{move || i18n.t().tab_payment_methods}</h2>
                {move || setup_url().map(|url| view! { <PayLink url paying=Paying::NewMethod/> })}
            </div>
            {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
            {move || action_failed.get().then(|| view! { <p class="notice" role="alert">{i18n.t().action_failed}</p> })}
            {data.view(skeleton, move |list| move || {
                let t = i18n.t();
                if list.data.is_empty() {
                    view! { <p class="empty">{t.no_methods}</p> }.into_any()
                } else {
                    view! {
                        <ul class="methods">
                            {list.data.iter().map(|m| {
                                let expired = has_expired(m, today.get());
                                let removable = may_remove && !m.is_default;
                                let asked = m.clone();
                                let id = m.id.clone();
                                let busy_id = m.id.clone();
                                let name = method_name(m, t);
                                let shown = name.clone();
                                view! {
                                    <li>
                                        <div>
                                            <strong>{shown}</strong>
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
                                            {removable.then(|| view! {
                                                <button type="button" class="button danger-link" aria-haspopup="dialog"
                                                    on:click=move |_| {
                                                        done.set(None);
                                                        remove_failed.set(false);
                                                        confirm.ask(asked.clone());
                                                    }>
                                                    {t.remove_method}
                                                    <span class="visually-hidden">" " {name.clone()}</span>
                                                </button>
                                            })}
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            })}
            <dialog id="remove-dialog" class="confirm" role="alertdialog" node_ref=confirm.dialog
                aria-labelledby="remove-title" aria-describedby="remove-text"
                on:close=move |_| confirm.closed()>
                {move || {
                    let method = confirm.asking.get()?;
                    let t = i18n.t();
                    let name = method_name(&method, t);
                    Some(view! {
                        <h3 id="remove-title">{fill(t.remove_title, &[&name])}</h3>
                        <p id="remove-text">{t.remove_text}</p>
                        {move || remove_failed.get().then(|| view! { <p class="field-error" role="alert">{i18n.t().action_failed}</p> })}
                        <div class="actions">
                            <button type="button" class="button" id="remove-keep" autofocus
                                on:click=move |_| confirm.asking.set(None)>{t.remove_keep}</button>
                            <button type="button" class="button danger" disabled=move || removing.get()
                                on:click=move |_| remove(method.clone())>
                                {move || if removing.get() { i18n.t().working } else { i18n.t().remove_confirm }}
                            </button>
                        </div>
                    })
                }}
            </dialog>
        </section>
    }
}
