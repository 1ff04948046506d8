//! "Pay now" and "Add a payment method": the vendor's hosted pages, opened in a new tab,
//! never inside the portal's frame (card checks such as 3-D Secure need a whole window);
//! the vendor is told that the customer went there.

use leptos::prelude::*;

use super::PortalContext;
use crate::client;
use crate::i18n::{fill, use_i18n};

/// What a payment link pays.
#[derive(Clone, Debug, PartialEq)]
pub enum Paying {
    /// One invoice, by Portico's id, with its number for the link's name.
    Invoice { id: String, number: String },
    /// Everything overdue at once.
    Overdue,
    /// No payment: a new payment method, on the vendor's setup page.
    NewMethod,
}

/// A link to the vendor's payment page `url`, as a button; `compact` for a table row.
#[component]
pub fn PayLink(url: String, paying: Paying, #[prop(optional)] compact: bool) -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let label = {
        let paying = paying.clone();
        move || {
            let t = i18n.t();
            match &paying {
                Paying::Invoice { number, .. } => fill(t.pay_invoice_label, &[number]),
                Paying::Overdue | Paying::NewMethod => t.opens_new_tab.to_owned(),
            }
        }
    };
    let text = {
        let paying = paying.clone();
        move || {
            let t = i18n.t();
            match paying {
                Paying::Invoice { .. } => t.pay_now,
                Paying::Overdue => t.pay_all_overdue,
                Paying::NewMethod => t.add_method,
            }
        }
    };
    let class = match (&paying, compact) {
        (Paying::NewMethod, _) => "button",
        (_, true) => "button primary pay compact",
        (_, false) => "button primary pay",
    };
    // The browser opens the page from the click itself (a tab opened later would be
    // blocked); telling the vendor goes alongside and never holds the customer up.
    let told = move |_| {
        let Some(token) = context.token() else { return };
        let paying = paying.clone();
        let (action, id) = match &paying {
            Paying::Invoice { id, .. } => ("invoice_payment_started", Some(id.clone())),
            Paying::Overdue => ("balance_payment_started", None),
            Paying::NewMethod => ("payment_method_setup_started", None),
        };
        crate::embed::event(
            "action",
            serde_json::json!({"action": action, "invoice_id": id}),
        );
        leptos::task::spawn_local(async move {
            let _ = match paying {
                Paying::Invoice { id, .. } => client::invoice_payment_started(&token, &id).await,
                Paying::Overdue => client::balance_payment_started(&token).await,
                Paying::NewMethod => client::payment_method_setup_started(&token).await,
            };
        });
    };
    view! {
        <a
            class=class
            href=url
            target="_blank"
            rel="noopener noreferrer"
            on:click=told
        >
            {text}
            <span class="visually-hidden">" " {label}</span>
        </a>
    }
}
