use leptos::prelude::*;

/// What someone sees who opens the server's address without a portal link.
#[component]
pub fn Home() -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Your billing portal"</h1>
            <p>
                "Invoices, payments, subscriptions and payment methods are shown here "
                "when you arrive through a secure link from your provider."
            </p>
            <p class="muted">
                "Open the billing section of your provider's website to get a new link. "
                "Links work once and expire after a short time, so bookmarks cannot be used."
            </p>
        </section>
    }
}
