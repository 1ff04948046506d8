use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::client;
use crate::components::problem::Problem;
use crate::pages::portal::PortalSkeleton;
use crate::session::{self, StoredSession};

/// `/session/<token>`, as the answer to the link page's POST when the landing tab's code
/// is not in the first bundle: takes the exchange's answer (which came with the page, so
/// no request is made), remembers the session for this tab, and replaces the address with
/// the portal page so the token leaves the address bar and the history. A link that
/// could not be opened (used, unknown, too many tries) says so from the server's render.
#[component]
pub fn OpenLink() -> impl IntoView {
    let params = use_params_map();
    let failure = RwSignal::new(client::exchange_failure());
    let navigate = use_navigate();
    let i18n = crate::i18n::use_i18n();

    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        if failure.get_untracked().is_some() {
            return;
        }
        let token = params.read_untracked().get("token").unwrap_or_default();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match client::exchange(&token).await {
                Ok(opened) => {
                    let landing_path = opened.landing_path.clone();
                    session::save(&StoredSession::from(opened));
                    navigate(
                        &landing_path,
                        NavigateOptions {
                            replace: true,
                            ..NavigateOptions::default()
                        },
                    );
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    });

    view! {
        {move || match failure.get() {
            // The portal's own frame, so that the landing tab replaces only the skeleton.
            None => view! { <PortalSkeleton status=move || i18n.t().opening_title/> }.into_any(),
            Some(error) => view! { <Problem code=error.code return_url=error.return_url/> }.into_any(),
        }}
    }
}
