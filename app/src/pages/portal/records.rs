//! Payments and refunds, entitlements, subscriptions (with cancellation) and payment
//! methods (with the choice of default).

use leptos::prelude::*;
use leptos_router::components::A;

use super::load::{once, Download, Load, Paged};
use super::PortalContext;
use crate::api::records::{
    BillingInterval, PaymentKind, PaymentMethod, PaymentMethodKind, PaymentStatus,
    SubscriptionStatus,
};
use crate::branding::Branding;
use crate::client::{self, ClientError};
use crate::components::problem::Problem;
use crate::format;
use crate::i18n::{fill, use_i18n, Messages};

/// A failure, or the loading shape, while a short list is not there.
fn pending_view(failure: Option<ClientError>) -> AnyView {
    match failure {
        Some(error) => view! { <Problem code=error.code return_url=None/> }.into_any(),
        None => view! { <div class="skeleton skeleton-block" aria-busy="true"></div> }.into_any(),
    }
}

pub fn kind_label(kind: PaymentKind, t: &Messages) -> &'static str {
    match kind {
        PaymentKind::Payment => t.kind_payment,
        PaymentKind::Refund => t.kind_refund,
    }
}

pub fn payment_status_badge(status: PaymentStatus, t: &Messages) -> impl IntoView {
    let (class, label) = match status {
        PaymentStatus::Succeeded => ("badge status-paid", t.payment_succeeded),
        PaymentStatus::Pending => ("badge status-open", t.payment_pending),
        PaymentStatus::Failed => ("badge status-overdue", t.payment_failed),
    };
    view! { <span class=class>{label}</span> }
}

/// Payments and refunds, newest first, with the invoice each one paid.
#[component]
pub fn PaymentsTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let paged =
        Paged::new(
            |token, cursor| async move { client::payments(&token, cursor.as_deref()).await },
        );
    let Paged {
        rows, next, state, ..
    } = paged;
    let download = Download::in_portal();
    let export = move |_| {
        download.start(
            crate::api::routes::PORTAL_PAYMENTS_CSV.into(),
            "payments.csv".into(),
        )
    };
    view! {
        <section class="card" aria-labelledby="payments-title">
            <div class="card-head">
                <h2 id="payments-title">{move || i18n.t().payments_title}</h2>
                <button type="button" class="button" on:click=export disabled=move || download.busy.get()>
                    {move || if download.busy.get() { i18n.t().downloading } else { i18n.t().download_csv }}
                </button>
            </div>
            {move || download.failed.get().then(|| view! {
                <p class="notice" role="alert">{i18n.t().action_failed}</p>
            })}
            {move || {
                let t = i18n.t();
                let l = i18n.locale();
                match state.get() {
                    Load::Failed(error) => view! {
                        <Problem code=error.code return_url=None retry=Callback::new(move |_| paged.reload())/>
                    }
                    .into_any(),
                    _ if rows.with(Vec::is_empty) && state.get() == Load::Ready => view! {
                        <p class="empty">{t.no_payments}</p>
                    }
                    .into_any(),
                    _ => view! {
                        <table class="records">
                            <thead>
                                <tr>
                                    <th scope="col">{t.col_date}</th>
                                    <th scope="col">{t.col_type}</th>
                                    <th scope="col" class="num">{t.col_amount}</th>
                                    <th scope="col">{t.col_method}</th>
                                    <th scope="col">{t.col_status}</th>
                                    <th scope="col">{t.col_invoice}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.get().into_iter().map(|payment| view! {
                                    <tr>
                                        <th scope="row">{format::date(payment.paid_at.date_naive(), l)}</th>
                                        <td data-label=t.col_type>{kind_label(payment.kind, t)}</td>
                                        <td class="num" data-label=t.col_amount>
                                            {format::money(
                                                if payment.kind == PaymentKind::Refund { -payment.amount } else { payment.amount },
                                                &payment.currency,
                                                l,
                                            )}
                                        </td>
                                        <td data-label=t.col_method>{payment.method.clone()}</td>
                                        <td data-label=t.col_status>{payment_status_badge(payment.status, t)}</td>
                                        <td data-label=t.col_invoice>
                                            {payment.invoice_id.clone().map(|id| view! {
                                                <A href=context.path(&format!("invoices/{id}"))>{t.view_invoice}</A>
                                            })}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(state.get() == Load::Loading).then(|| view! {
                            <div class="skeleton skeleton-rows" aria-hidden="true"></div>
                        })}
                        {next.get().filter(|_| state.get() == Load::Ready).map(|_| view! {
                            <button type="button" class="button more" on:click=move |_| paged.more()>
                                {t.show_more}
                            </button>
                        })}
                    }
                    .into_any(),
                }
            }}
        </section>
    }
}

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

fn interval_label(interval: BillingInterval, t: &Messages) -> &'static str {
    match interval {
        BillingInterval::Week => t.per_week,
        BillingInterval::Month => t.per_month,
        BillingInterval::Quarter => t.per_quarter,
        BillingInterval::Year => t.per_year,
    }
}

fn subscription_badge(status: SubscriptionStatus, t: &Messages) -> impl IntoView {
    let (class, label) = match status {
        SubscriptionStatus::Active => ("badge status-paid", t.sub_active),
        SubscriptionStatus::Trialing => ("badge status-open", t.sub_trialing),
        SubscriptionStatus::PastDue => ("badge status-overdue", t.sub_past_due),
        SubscriptionStatus::Paused => ("badge", t.sub_paused),
        SubscriptionStatus::Cancelled => ("badge", t.sub_cancelled),
    };
    view! { <span class=class>{label}</span> }
}

/// Plans, their status, period and next renewal; cancellation at period end where the
/// organisation allows it, after a confirmation.
#[component]
pub fn SubscriptionsTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let may_cancel = use_context::<Option<Branding>>()
        .flatten()
        .is_some_and(|b| b.allow_subscription_cancel);
    let (data, failure) = once(|token| async move { client::subscriptions(&token).await });
    // The subscription whose cancellation is being confirmed, and the outcome.
    let confirming = RwSignal::new(None::<String>);
    let working = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let action_failed = RwSignal::new(false);

    let cancel = move |id: String| {
        let Some(token) = context.token() else { return };
        working.set(true);
        action_failed.set(false);
        leptos::task::spawn_local(async move {
            match client::cancel_subscription(&token, &id).await {
                Ok(updated) => {
                    let t = i18n.t();
                    done.set(Some(fill(
                        t.cancel_done,
                        &[
                            &updated.plan,
                            &format::date(updated.current_period_end, i18n.locale()),
                        ],
                    )));
                    crate::embed::event(
                        "action",
                        serde_json::json!({
                            "action": "subscription_cancellation_requested",
                            "subscription_id": updated.id,
                            "ends_at": updated.current_period_end,
                        }),
                    );
                    data.update(|list| {
                        if let Some(list) = list {
                            for s in list.data.iter_mut().filter(|s| s.id == updated.id) {
                                *s = updated.clone();
                            }
                        }
                    });
                    confirming.set(None);
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => action_failed.set(true),
            }
            working.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="subscriptions-title">
            <h2 id="subscriptions-title">{move || i18n.t().tab_subscriptions}</h2>
            {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
            {move || {
                let t = i18n.t();
                let l = i18n.locale();
                match data.get() {
                    None => pending_view(failure.get()),
                    Some(list) if list.data.is_empty() => view! { <p class="empty">{t.no_subscriptions}</p> }.into_any(),
                    Some(list) => view! {
                        <table class="records subscriptions">
                            <thead>
                                <tr>
                                    <th scope="col">{t.col_plan}</th>
                                    <th scope="col">{t.col_status}</th>
                                    <th scope="col" class="num">{t.col_price}</th>
                                    <th scope="col">{t.col_current_period}</th>
                                    <th scope="col">{t.col_next_renewal}</th>
                                    {may_cancel.then(|| view! { <th scope="col"><span class="visually-hidden">{t.cancel_subscription}</span></th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {list.data.into_iter().map(|s| {
                                    let id = s.id.clone();
                                    let can_cancel = may_cancel && s.renews();
                                    view! {
                                        <tr>
                                            <th scope="row">{s.plan.clone()}</th>
                                            <td data-label=t.col_status>{subscription_badge(s.status, t)}</td>
                                            <td class="num" data-label=t.col_price>
                                                {format!("{} {}", format::money(s.amount, &s.currency, l), interval_label(s.interval, t))}
                                            </td>
                                            <td data-label=t.col_current_period>
                                                {format::date_range(s.current_period_start, s.current_period_end, l)}
                                            </td>
                                            <td data-label=t.col_next_renewal>
                                                {match (s.cancel_at_period_end, s.renews_at) {
                                                    (true, _) => fill(t.ends_on, &[&format::date(s.current_period_end, l)]),
                                                    (false, Some(at)) if s.status != SubscriptionStatus::Cancelled => format::date(at, l),
                                                    _ => t.none.to_owned(),
                                                }}
                                            </td>
                                            {may_cancel.then(|| view! {
                                                <td class="actions-cell">
                                                    {can_cancel.then(|| {
                                                        let id = id.clone();
                                                        view! {
                                                            <button type="button" class="button danger-link"
                                                                aria-haspopup="dialog"
                                                                on:click=move |_| { done.set(None); confirming.set(Some(id.clone())) }>
                                                                {t.cancel_subscription}
                                                            </button>
                                                        }
                                                    })}
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any(),
                }
            }}
            {move || {
                let id = confirming.get()?;
                let sub = data.with(|d| d.as_ref().and_then(|l| l.data.iter().find(|s| s.id == id).cloned()))?;
                let t = i18n.t();
                let l = i18n.locale();
                let confirm_id = sub.id.clone();
                Some(view! {
                    <div class="confirm" role="alertdialog" aria-modal="false"
                        aria-labelledby="cancel-title" aria-describedby="cancel-text"
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { confirming.set(None) }>
                        <h3 id="cancel-title">{fill(t.cancel_title, &[&sub.plan])}</h3>
                        <p id="cancel-text">{fill(t.cancel_text, &[&format::date(sub.current_period_end, l)])}</p>
                        {move || action_failed.get().then(|| view! { <p class="field-error" role="alert">{i18n.t().action_failed}</p> })}
                        <div class="actions">
                            <button type="button" class="button" autofocus
                                on:click=move |_| confirming.set(None)>{t.cancel_keep}</button>
                            <button type="button" class="button danger" disabled=move || working.get()
                                on:click=move |_| cancel(confirm_id.clone())>
                                {move || if working.get() { i18n.t().working } else { i18n.t().cancel_confirm }}
                            </button>
                        </div>
                    </div>
                })
            }}
        </section>
    }
}

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
