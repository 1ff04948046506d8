//! "Change plan": the subscription's plan beside the plans it may switch to, with what a
//! switch today would come to for the rest of the period (an estimate), and the request.

use leptos::prelude::*;

use super::load::{skeleton, Loaded};
use super::subscriptions::interval_label;
use super::PortalContext;
use crate::api::plans::PlanView;
use crate::client;
use crate::format;
use crate::i18n::{fill, use_i18n};

/// The comparison for subscription `id`, named `plan`; `close` gives the keyboard back to
/// the subscription's row, `requested` tells the tab what was asked for.
#[component]
pub fn PlanChange(
    id: String,
    plan: String,
    close: Callback<()>,
    requested: Callback<String>,
) -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let failed = RwSignal::new(false);
    let working = RwSignal::new(false);
    let heading = NodeRef::<leptos::html::H3>::new();
    let plan = StoredValue::new(plan);
    let id = StoredValue::new(id);
    let choices = Loaded::new(move |token| {
        let id = id.get_value();
        async move { client::plan_choices(&token, &id).await }
    });
    // The keyboard moves to the comparison as it opens.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let choose = move |target: PlanView| {
        let Some(token) = context.token() else { return };
        let id = id.get_value();
        working.set(true);
        failed.set(false);
        leptos::task::spawn_local(async move {
            match client::change_plan(&token, &id, &target.id).await {
                Ok(()) => {
                    crate::embed::event(
                        "action",
                        serde_json::json!({ "action": "plan_change_requested", "plan": target.id }),
                    );
                    requested.run(target.name);
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => failed.set(true),
            }
            working.set(false);
        });
    };
    // The comparison that could not be loaded says so where it would stand.
    let load_failed =
        move |_code| view! { <p class="notice" role="alert">{move || i18n.t().action_failed}</p> };
    view! {
        <section class="plan-change" aria-labelledby="plan-change-title">
            <div class="card-head">
                <h3 id="plan-change-title" tabindex="-1" node_ref=heading>
                    {move || fill(i18n.t().plans_title, &[&plan.get_value()])}
                </h3>
                <button type="button" class="button" on:click=move |_| close.run(())>
                    {move || i18n.t().plans_close}
                </button>
            </div>
            {move || failed.get().then(|| view! { <p class="notice" role="alert">{i18n.t().action_failed}</p> })}
            {choices.view_or(skeleton, load_failed, move |c| move || {
                let t = i18n.t();
                let l = i18n.locale();
                let c = c.clone();
                if c.options.is_empty() {
                    return view! { <p class="empty">{t.plans_none}</p> }.into_any();
                }
                let note = fill(t.plans_estimate_note, &[&c.days_left.to_string(), &c.period_days.to_string()]);
                let current = c.current.clone();
                view! {
                    <ul class="plan-grid">
                        <li class="plan current">
                            <PlanCard plan=current.clone()/>
                            <p class="badge status-paid">{t.plans_current}</p>
                        </li>
                        {c.options.into_iter().map(|option| {
                            let target = option.plan.clone();
                            let name = option.plan.name.clone();
                            let estimate = match option.estimate {
                                // More to pay is signed as plainly as money back.
                                Some(amount) => {
                                    let money = format::money(amount, &option.plan.currency, l);
                                    let signed = if amount > 0 { format!("+{money}") } else { money };
                                    fill(t.plans_estimate, &[&signed])
                                }
                                None => t.plans_other_interval.to_owned(),
                            };
                            view! {
                                <li class="plan">
                                    <PlanCard plan=option.plan/>
                                    <p class="estimate">{estimate}</p>
                                    <button type="button" class="button primary" disabled=move || working.get()
                                        on:click=move |_| choose(target.clone())>
                                        {fill(t.plans_choose, &[&name])}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="hint">{note}</p>
                }
                .into_any()
            })}
        </section>
    }
}

/// A plan's name, price and what it includes.
#[component]
fn PlanCard(plan: PlanView) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.t();
    let l = i18n.locale();
    view! {
        <h4>{plan.name}</h4>
        <p class="price">
            <strong>{format::money(plan.amount, &plan.currency, l)}</strong>
            " "
            {interval_label(plan.interval, t)}
        </p>
        <ul class="features">
            {plan.features.into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
        </ul>
    }
}
