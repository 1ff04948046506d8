//! The subscriptions tab: plans, periods and renewals; where the organisation allows it,
//! cancellation at period end (with the customer's reason, after the vendor's retention
//! message), keeping a subscription after all, and asking for a pause.

use leptos::prelude::*;

use super::load::{skeleton, Loaded};
use super::plan_change::PlanChange;
use super::PortalContext;
use crate::api::portal::{CancelRequest, OTHER_REASON};
use crate::api::records::{BillingInterval, SubscriptionStatus};
use crate::branding::Branding;
use crate::client;
use crate::components::confirm::Confirm;
use crate::format;
use crate::i18n::{fill, use_i18n, Messages};

/// "per month" and the like, in the customer's language.
pub(super) fn interval_label(interval: BillingInterval, t: &Messages) -> &'static str {
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

lazy_tab!(
    /// `subscriptions`: loaded when first opened.
    SubscriptionsRoute => SubscriptionsTab
);

/// Plans, their status, period and next renewal; cancellation at period end where the
/// organisation allows it, after a confirmation.
#[component]
pub fn SubscriptionsTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let branding = use_context::<Option<Branding>>().flatten();
    let may_cancel = branding
        .as_ref()
        .is_some_and(|b| b.allow_subscription_cancel);
    let may_pause = branding
        .as_ref()
        .is_some_and(|b| b.allow_subscription_pause);
    let may_change = branding.as_ref().is_some_and(|b| b.allow_plan_change);
    // The subscription whose plans are being compared: its id and plan.
    let changing = RwSignal::new(None::<(String, String)>);
    let reasons = StoredValue::new(
        branding
            .as_ref()
            .map(|b| b.cancellation_reasons.clone())
            .unwrap_or_default(),
    );
    let retention = branding.and_then(|b| b.retention_message);
    // What the customer says in the confirmation: a reason picked, and in their words.
    let reason = RwSignal::new(None::<String>);
    let comment = RwSignal::new(String::new());
    let said_enough = move || {
        let needs_reason = reasons.with_value(|r| !r.is_empty());
        match reason.get().as_deref() {
            None => !needs_reason,
            Some(OTHER_REASON) => !comment.get().trim().is_empty(),
            Some(_) => true,
        }
    };
    let data = Loaded::new(|token| async move { client::subscriptions(&token).await });
    // The subscription whose cancellation is being confirmed, and the outcome.
    let confirm = Confirm::<String>::new("cancel-dialog", "cancel-keep");
    let confirming = confirm.asking;
    let working = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let action_failed = RwSignal::new(false);
    let list_failed = RwSignal::new(false);

    let cancel = move |id: String| {
        let Some(token) = context.token() else { return };
        working.set(true);
        action_failed.set(false);
        let why = CancelRequest {
            reason: reason.get_untracked(),
            comment: Some(comment.get_untracked().trim().to_owned()).filter(|c| !c.is_empty()),
        };
        leptos::task::spawn_local(async move {
            match client::cancel_subscription(&token, &id, &why).await {
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
                        for s in list.data.iter_mut().filter(|s| s.id == updated.id) {
                            *s = updated.clone();
                        }
                    });
                    confirming.set(None);
                    // The button that opened the dialog went away with the cancellation.
                    crate::focus::focus_by_id("subscriptions-title");
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => action_failed.set(true),
            }
            working.set(false);
        });
    };

    // Keeping a subscription after all, and asking for a pause: one click each, told in the
    // same notice as a cancellation.
    let resume = move |id: String| {
        let Some(token) = context.token() else { return };
        working.set(true);
        done.set(None);
        list_failed.set(false);
        leptos::task::spawn_local(async move {
            match client::resume_subscription(&token, &id).await {
                Ok(updated) => {
                    let t = i18n.t();
                    let renews = updated.renews_at.unwrap_or(updated.current_period_end);
                    done.set(Some(fill(
                        t.resume_done,
                        &[&updated.plan, &format::date(renews, i18n.locale())],
                    )));
                    data.update(|list| {
                        for s in list.data.iter_mut().filter(|s| s.id == updated.id) {
                            *s = updated.clone();
                        }
                    });
                    crate::focus::focus_by_id("subscriptions-title");
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => list_failed.set(true),
            }
            working.set(false);
        });
    };
    let pause = move |id: String, plan: String| {
        let Some(token) = context.token() else { return };
        working.set(true);
        done.set(None);
        list_failed.set(false);
        leptos::task::spawn_local(async move {
            match client::request_pause(&token, &id).await {
                Ok(()) => done.set(Some(fill(i18n.t().pause_done, &[&plan]))),
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => list_failed.set(true),
            }
            working.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="subscriptions-title">
            <h2 id="subscriptions-title" tabindex="-1">{move || i18n.t().tab_subscriptions}</h2>
            {move || done.get().map(|text| view! { <p class="notice success" role="status">{text}</p> })}
            {move || list_failed.get().then(|| view! { <p class="notice" role="alert">{i18n.t().action_failed}</p> })}
            {data.view(skeleton, move |list| move || {
                let t = i18n.t();
                let l = i18n.locale();
                if list.data.is_empty() {
                    view! { <p class="empty">{t.no_subscriptions}</p> }.into_any()
                } else {
                    view! {
                        <table class="records subscriptions">
                            <thead>
                                <tr>
                                    <th scope="col">{t.col_plan}</th>
                                    <th scope="col">{t.col_status}</th>
                                    <th scope="col" class="num">{t.col_price}</th>
                                    <th scope="col">{t.col_current_period}</th>
                                    <th scope="col">{t.col_next_renewal}</th>
                                    {(may_cancel || may_pause || may_change).then(|| view! { <th scope="col"><span class="visually-hidden">{t.col_actions}</span></th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {list.data.iter().map(|s| {
                                    let id = s.id.clone();
                                    let can_cancel = may_cancel && s.renews();
                                    let can_keep = may_cancel && s.cancel_at_period_end && s.status.is_running();
                                    let can_pause = may_pause && s.renews();
                                    let can_change = may_change && s.renews() && s.plan_id.is_some();
                                    let change_with = (s.id.clone(), s.plan.clone());
                                    let (keep_id, pause_id, plan) = (s.id.clone(), s.id.clone(), s.plan.clone());
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
                                            {(may_cancel || may_pause || may_change).then(|| view! {
                                                <td class="actions-cell">
                                                    {can_change.then(|| view! {
                                                        <button type="button" class="button" aria-expanded={
                                                                let this = change_with.0.clone();
                                                                move || {
                                                                    let open = changing.with(|c| c.as_ref().is_some_and(|(id, _)| *id == this));
                                                                    if open { "true" } else { "false" }
                                                                }
                                                            }
                                                            aria-controls="plan-change"
                                                            on:click={
                                                                let change_with = change_with.clone();
                                                                move |_| { done.set(None); changing.set(Some(change_with.clone())) }
                                                            }>
                                                            {t.change_plan}
                                                        </button>
                                                    })}
                                                    {can_keep.then(|| view! {
                                                        <button type="button" class="button" disabled=move || working.get()
                                                            on:click=move |_| resume(keep_id.clone())>
                                                            {t.resume_subscription}
                                                        </button>
                                                    })}
                                                    {can_pause.then(|| view! {
                                                        <button type="button" class="button" disabled=move || working.get()
                                                            on:click=move |_| pause(pause_id.clone(), plan.clone())>
                                                            {t.pause_subscription}
                                                        </button>
                                                    })}
                                                    {can_cancel.then(|| {
                                                        let id = id.clone();
                                                        view! {
                                                            <button type="button" class="button danger-link"
                                                                aria-haspopup="dialog"
                                                                on:click=move |_| {
                                                                    done.set(None);
                                                                    reason.set(None);
                                                                    comment.set(String::new());
                                                                    confirm.ask(id.clone());
                                                                }>
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
                    .into_any()
                }
            })}
            <div id="plan-change">
                {move || changing.get().map(|(id, plan)| view! {
                    <PlanChange
                        id=id
                        plan=plan
                        close=Callback::new(move |()| {
                            changing.set(None);
                            crate::focus::focus_by_id("subscriptions-title");
                        })
                        requested=Callback::new(move |name: String| {
                            changing.set(None);
                            done.set(Some(fill(i18n.t().plans_requested, &[&name])));
                            crate::focus::focus_by_id("subscriptions-title");
                        })
                    />
                })}
            </div>
            <dialog id="cancel-dialog" class="confirm" role="alertdialog" node_ref=confirm.dialog
                aria-labelledby="cancel-title" aria-describedby="cancel-text"
                on:close=move |_| confirm.closed()>
                {move || {
                    let id = confirming.get()?;
                    let sub = data.with(|l| l.data.iter().find(|s| s.id == id).cloned()).flatten()?;
                    let t = i18n.t();
                    let l = i18n.locale();
                    let confirm_id = sub.id.clone();
                    Some(view! {
                        <h3 id="cancel-title">{fill(t.cancel_title, &[&sub.plan])}</h3>
                        {retention.clone().map(|message| view! { <p class="notice retention">{message}</p> })}
                        <p id="cancel-text">{fill(t.cancel_text, &[&format::date(sub.current_period_end, l)])}</p>
                        {(!reasons.with_value(Vec::is_empty)).then(|| view! {
                            <fieldset class="reasons">
                                <legend>{t.cancel_reason_legend}</legend>
                                {reasons.get_value().into_iter().chain([OTHER_REASON.to_owned()]).map(|value| {
                                    let label = if value == OTHER_REASON { t.cancel_reason_other.to_owned() } else { value.clone() };
                                    let picked = value.clone();
                                    view! {
                                        <label class="choice">
                                            <input type="radio" name="cancel-reason" value=value.clone()
                                                prop:checked=move || reason.get().as_deref() == Some(value.as_str())
                                                on:change=move |_| reason.set(Some(picked.clone()))/>
                                            {label}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        })}
                        <label class="field">
                            <span>{if reasons.with_value(Vec::is_empty) { t.cancel_comment_optional } else { t.cancel_comment }}</span>
                            <textarea rows="3" maxlength="500" prop:value=move || comment.get()
                                on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        </label>
                        {move || action_failed.get().then(|| view! { <p class="field-error" role="alert">{i18n.t().action_failed}</p> })}
                        <div class="actions">
                            <button type="button" class="button" id="cancel-keep" autofocus
                                on:click=move |_| confirming.set(None)>{t.cancel_keep}</button>
                            <button type="button" class="button danger" disabled=move || working.get() || !said_enough()
                                on:click=move |_| cancel(confirm_id.clone())>
                                {move || if working.get() { i18n.t().working } else { i18n.t().cancel_confirm }}
                            </button>
                        </div>
                    })
                }}
            </dialog>
        </section>
    }
}
