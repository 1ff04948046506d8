use leptos::prelude::*;

/// Any path the portal does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    let i18n = crate::i18n::use_i18n();
    view! {
        <section class="card narrow">
            <h1>{move || i18n.t().not_found_title}</h1>
            <p>{move || i18n.t().not_found_text}</p>
            <p><a href="/">{move || i18n.t().not_found_link}</a></p>
        </section>
    }
}
