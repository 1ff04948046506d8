//! The customer's credit with the vendor, per currency, and how it came about: shown on
//! the payments tab when there is any.

use leptos::prelude::*;

use super::load::Loaded;
use crate::client;
use crate::format;
use crate::i18n::use_i18n;

/// Credit held, per currency, with its movements newest first; nothing at all for a
/// customer who never had credit (a failed load says so in a line, not over the payments).
#[component]
pub fn Credits() -> impl IntoView {
    let i18n = use_i18n();
    let data = Loaded::new(|token| async move { client::credits(&token).await });
    let failed =
        move |_code| view! { <p class="notice" role="alert">{move || i18n.t().credit_failed}</p> };
    data.view_or(|| (), failed, move |list| move || {
        let t = i18n.t();
        let l = i18n.locale();
        if list.data.is_empty() {
            return ().into_any();
        }
        let list = list.clone();
        view! {
            <section class="card credits" aria-labelledby="credits-title">
                <h2 id="credits-title">{t.credit_title}</h2>
                <p class="muted">{t.credit_text}</p>
                {list.data.into_iter().map(|balance| {
                    let currency = balance.currency.clone();
                    let caption = crate::i18n::fill(t.credit_history, &[&currency]);
                    view! {
                        <div class="credit">
                            <p class="credit-held">
                                <span class="label">{crate::i18n::fill(t.credit_held, &[&currency])}</span>
                                <strong class="amount">{format::money(balance.amount, &balance.currency, l)}</strong>
                            </p>
                            {(!balance.transactions.is_empty()).then(|| view! {
                                <table class="records credit-history">
                                    <caption class="visually-hidden">{caption}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{t.col_date}</th>
                                            <th scope="col">{t.col_description}</th>
                                            <th scope="col" class="num">{t.col_amount}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {balance.transactions.into_iter().map(|movement| view! {
                                            <tr>
                                                <th scope="row">{format::date(movement.created_at.date_naive(), l)}</th>
                                                <td data-label=t.col_description>{movement.description}</td>
                                                <td class="num" data-label=t.col_amount>
                                                    {format::money(movement.amount, &currency, l)}
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            })}
                        </div>
                    }
                }).collect_view()}
            </section>
        }
        .into_any()
    })
}
