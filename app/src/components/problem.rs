use leptos::prelude::*;

use crate::i18n::{use_i18n, Messages};

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
    let i18n = use_i18n();
    type Texts = fn(&Messages) -> (&'static str, &'static str);
    let texts: Texts = match code.as_str() {
        "link_used" => |t| (t.link_used_title, t.link_used_text),
        "link_expired" => |t| (t.link_expired_title, t.link_expired_text),
        "link_revoked" => |t| (t.link_revoked_title, t.link_revoked_text),
        "link_invalid" => |t| (t.link_invalid_title, t.link_invalid_text),
        "session_expired" | "unauthorized" => |t| (t.session_ended_title, t.session_ended_text),
        "signed_out" => |t| (t.signed_out_title, t.signed_out_text),
        "forbidden" | "not_allowed" => |t| (t.forbidden_title, t.forbidden_text),
        "rate_limited" => |t| (t.rate_limited_title, t.rate_limited_text),
        _ => |t| (t.failed_title, t.failed_text),
    };
    view! {
        <section class="card narrow problem" role="alert" data-code=code>
            <h1 id="problem-title" tabindex="-1">{move || texts(i18n.t()).0}</h1>
            <p>{move || texts(i18n.t()).1}</p>
            <div class="actions">
                {retry.map(|retry| view! {
                    <button type="button" class="button" on:click=move |_| retry.run(())>
                        {move || i18n.t().try_again}
                    </button>
                })}
                {return_url.map(|url| view! {
                    <a class="button primary" href=url rel="noreferrer">{move || i18n.t().back_to_account}</a>
                })}
            </div>
        </section>
    }
}
