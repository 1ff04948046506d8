//! The read-only tabs: payments and refunds, entitlements, subscriptions, payment methods.

use leptos::prelude::*;
use leptos_router::components::A;

use super::load::{once, Load, Paged};
use super::PortalContext;
use crate::api::records::{
    BillingInterval, PaymentKind, PaymentMethodKind, PaymentStatus, SubscriptionStatus,
};
use crate::client::{self, ClientError};
use crate::components::problem::Problem;
use crate::format;

/// A failure, or the loading shape, while a short list is not there.
fn pending_view(failure: Option<ClientError>) -> AnyView {
    match failure {
        Some(error) => view! { <Problem code=error.code return_url=None/> }.into_any(),
        None => view! { <div class="skeleton skeleton-block" aria-busy="true"></div> }.into_any(),
    }
}

/// Payments and refunds, newest first, with the invoice each one paid.
#[component]
pub fn PaymentsTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let paged =
        Paged::new(
            |token, cursor| async move { client::payments(&token, cursor.as_deref()).await },
        );
    let Paged {
        rows, next, state, ..
    } = paged;
    view! {
        <section class="card" aria-labelledby="payments-title">
            <h2 id="payments-title">"Payments and refunds"</h2>
            {move || match state.get() {
                Load::Failed(error) => view! {
                    <Problem code=error.code return_url=None retry=Callback::new(move |_| paged.reload())/>
                }
                .into_any(),
                _ if rows.with(Vec::is_empty) && state.get() == Load::Ready => view! {
                    <p class="empty">"No payments yet."</p>
                }
                .into_any(),
                _ => view! {
                    <table class="records">
                        <thead>
                            <tr>
                                <th scope="col">"Date"</th>
                                <th scope="col">"Type"</th>
                                <th scope="col" class="num">"Amount"</th>
                                <th scope="col">"Method"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col">"Invoice"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || rows.get() key=|p| p.id.clone() let:payment>
                                <tr>
                                    <th scope="row">{format::date(payment.paid_at.date_naive())}</th>
                                    <td data-label="Type">
                                        {match payment.kind {
                                            PaymentKind::Payment => "Payment",
                                            PaymentKind::Refund => "Refund",
                                        }}
                                    </td>
                                    <td class="num" data-label="Amount">
                                        {format::money(
                                            if payment.kind == PaymentKind::Refund { -payment.amount } else { payment.amount },
                                            &payment.currency,
                                        )}
                                    </td>
                                    <td data-label="Method">{payment.method.clone()}</td>
                                    <td data-label="Status">
                                        {match payment.status {
                                            PaymentStatus::Succeeded => view! { <span class="badge status-paid">"Succeeded"</span> },
                                            PaymentStatus::Pending => view! { <span class="badge status-open">"Pending"</span> },
                                            PaymentStatus::Failed => view! { <span class="badge status-overdue">"Failed"</span> },
                                        }}
                                    </td>
                                    <td data-label="Invoice">
                                        {payment.invoice_id.clone().map(|id| view! {
                                            <A href=context.path(&format!("invoices/{id}"))>"View invoice"</A>
                                        })}
                                    </td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                    {move || next.get().filter(|_| state.get() == Load::Ready).map(|_| view! {
                        <button type="button" class="button more" on:click=move |_| paged.more()>
                            "Show older payments"
                        </button>
                    })}
                }
                .into_any(),
            }}
        </section>
    }
}

/// What the customer may use, and how much of it they have used.
#[component]
pub fn EntitlementsTab() -> impl IntoView {
    let (data, failure) = once(|token| async move { client::entitlements(&token).await });
    view! {
        <section class="card" aria-labelledby="entitlements-title">
            <h2 id="entitlements-title">"Entitlements"</h2>
            {move || match data.get() {
                None => pending_view(failure.get()),
                Some(list) if list.data.is_empty() => view! { <p class="empty">"No entitlements."</p> }.into_any(),
                Some(list) => view! {
                    <ul class="entitlements">
                        {list.data.into_iter().map(|e| {
                            let used = match e.limit {
                                Some(limit) if limit > 0 => Some((e.usage.min(limit) * 100 / limit, limit)),
                                _ => None,
                            };
                            view! {
                                <li>
                                    <div class="entitlement-head">
                                        <strong>{e.feature.clone()}</strong>
                                        <span>
                                            {match e.limit {
                                                Some(limit) => format!("{} of {} {}", format::number(e.usage), format::number(limit), e.unit),
                                                None => format!("{} {} · unlimited", format::number(e.usage), e.unit),
                                            }}
                                        </span>
                                    </div>
                                    {used.map(|(percent, limit)| view! {
                                        <div
                                            class={if percent >= 90 { "meter full" } else { "meter" }}
                                            role="meter"
                                            aria-label=format!("{} used", e.feature)
                                            aria-valuemin="0"
                                            aria-valuemax=limit.to_string()
                                            aria-valuenow=e.usage.to_string()
                                        >
                                            <span style=format!("width: {percent}%")></span>
                                        </div>
                                    })}
                                    <p class="muted">
                                        {match e.valid_until {
                                            Some(until) => format!("{} – {}", format::date(e.valid_from), format::date(until)),
                                            None => format!("Since {}", format::date(e.valid_from)),
                                        }}
                                    </p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
}

fn interval_label(interval: BillingInterval) -> &'static str {
    match interval {
        BillingInterval::Week => "per week",
        BillingInterval::Month => "per month",
        BillingInterval::Quarter => "per quarter",
        BillingInterval::Year => "per year",
    }
}

/// Plans, their status, period and next renewal.
#[component]
pub fn SubscriptionsTab() -> impl IntoView {
    let (data, failure) = once(|token| async move { client::subscriptions(&token).await });
    view! {
        <section class="card" aria-labelledby="subscriptions-title">
            <h2 id="subscriptions-title">"Subscriptions"</h2>
            {move || match data.get() {
                None => pending_view(failure.get()),
                Some(list) if list.data.is_empty() => view! { <p class="empty">"No subscriptions."</p> }.into_any(),
                Some(list) => view! {
                    <table class="records">
                        <thead>
                            <tr>
                                <th scope="col">"Plan"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Price"</th>
                                <th scope="col">"Current period"</th>
                                <th scope="col">"Next renewal"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.data.into_iter().map(|s| view! {
                                <tr>
                                    <th scope="row">{s.plan.clone()}</th>
                                    <td data-label="Status">
                                        {match s.status {
                                            SubscriptionStatus::Active => view! { <span class="badge status-paid">"Active"</span> },
                                            SubscriptionStatus::Trialing => view! { <span class="badge status-open">"Trial"</span> },
                                            SubscriptionStatus::PastDue => view! { <span class="badge status-overdue">"Past due"</span> },
                                            SubscriptionStatus::Paused => view! { <span class="badge">"Paused"</span> },
                                            SubscriptionStatus::Cancelled => view! { <span class="badge">"Cancelled"</span> },
                                        }}
                                    </td>
                                    <td class="num" data-label="Price">
                                        {format!("{} {}", format::money(s.amount, &s.currency), interval_label(s.interval))}
                                    </td>
                                    <td data-label="Current period">
                                        {format!("{} – {}", format::date(s.current_period_start), format::date(s.current_period_end))}
                                    </td>
                                    <td data-label="Next renewal">
                                        {match (s.cancel_at_period_end, s.renews_at) {
                                            (true, _) => format!("Ends {}", format::date(s.current_period_end)),
                                            (false, Some(at)) => format::date(at),
                                            (false, None) => "—".to_owned(),
                                        }}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Saved payment methods, the default marked.
#[component]
pub fn PaymentMethodsTab() -> impl IntoView {
    let (data, failure) = once(|token| async move { client::payment_methods(&token).await });
    view! {
        <section class="card" aria-labelledby="methods-title">
            <h2 id="methods-title">"Payment methods"</h2>
            {move || match data.get() {
                None => pending_view(failure.get()),
                Some(list) if list.data.is_empty() => view! { <p class="empty">"No saved payment methods."</p> }.into_any(),
                Some(list) => view! {
                    <ul class="methods">
                        {list.data.into_iter().map(|m| {
                            let kind = match m.kind {
                                PaymentMethodKind::Card => "Card",
                                PaymentMethodKind::SepaDebit => "SEPA Direct Debit",
                                PaymentMethodKind::BankTransfer => "Bank transfer",
                                PaymentMethodKind::Paypal => "PayPal",
                            };
                            let brand = m.brand.clone().map(|b| {
                                let mut chars = b.chars();
                                chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
                            });
                            view! {
                                <li>
                                    <div>
                                        <strong>
                                            {brand.unwrap_or_else(|| kind.to_owned())}
                                            {m.last4.clone().map(|l| format!(" •••• {l}"))}
                                        </strong>
                                        <p class="muted">
                                            {kind}
                                            {match (m.exp_month, m.exp_year) {
                                                (Some(month), Some(year)) => format!(" · expires {month:02}/{year}"),
                                                _ => String::new(),
                                            }}
                                        </p>
                                    </div>
                                    {m.is_default.then(|| view! { <span class="badge status-paid">"Default"</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </section>
    }
}
