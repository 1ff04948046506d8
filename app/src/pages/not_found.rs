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
    view! {
        <section class="card narrow">
            <h1>"Page not found"</h1>
            <p>"This address does not lead anywhere in the billing portal."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}
