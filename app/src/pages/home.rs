use leptos::prelude::*;

/// What someone sees who opens the server's address without a portal link.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t().home_title}</h1>
            <p>{move || i18n.t().home_text}</p>
            <p class="muted">{move || i18n.t().home_hint}</p>
        </section>
    }
}
