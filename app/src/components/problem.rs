use leptos::prelude::*;

/// What went wrong with a link or session, said plainly, with the way back.
#[component]
pub fn Problem(
    /// The API's error code (`link_used`, `session_expired`, …) or `signed_out`.
    code: String,
    /// The vendor's validated return URL, when known.
    return_url: Option<String>,
    /// Offers a retry when the failure may pass (network trouble).
    #[prop(optional)]
    retry: Option<Callback<()>>,
) -> impl IntoView {
    let (title, text) = match code.as_str() {
        "link_used" => (
            "This link has already been used",
            "For your security, each billing portal link works only once. Go back to your \
             account and open the billing portal again to get a new link.",
        ),
        "link_expired" => (
            "This link has expired",
            "Billing portal links work for a short time only. Go back to your account and open \
             the billing portal again to get a new link.",
        ),
        "link_revoked" => (
            "This link is no longer valid",
            "Your provider has withdrawn this link. Go back to your account and open the billing \
             portal again.",
        ),
        "link_invalid" => (
            "This link is not valid",
            "Check that you opened the whole link, or go back to your provider's website and open \
             the billing portal from there.",
        ),
        "session_expired" | "unauthorized" => (
            "Your session has ended",
            "For your security, the billing portal signs you out after a while. Go back to your \
             account and open the billing portal again to continue.",
        ),
        "signed_out" => (
            "You have signed out",
            "Your billing portal session has ended. You can close this page.",
        ),
        "forbidden" => (
            "This section is not available",
            "Your provider does not offer this part of the billing portal.",
        ),
        "rate_limited" => ("Too many attempts", "Please wait a minute, then try again."),
        _ => (
            "Something went wrong",
            "The billing portal could not be reached. Check your connection and try again.",
        ),
    };
    view! {
        <section class="card narrow problem" role="alert" data-code=code.clone()>
            <h1>{title}</h1>
            <p>{text}</p>
            <div class="actions">
                {retry.map(|retry| view! {
                    <button type="button" class="button" on:click=move |_| retry.run(())>
                        "Try again"
                    </button>
                })}
                {return_url.map(|url| view! {
                    <a class="button primary" href=url rel="noreferrer">"Back to your account"</a>
                })}
            </div>
        </section>
    }
}
