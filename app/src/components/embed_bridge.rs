use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::embed;

/// Tells an embedding page where the portal is, so it can follow along (and deep-link).
#[component]
pub fn EmbedBridge() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        // A link's path carries its one-time token: it is never announced.
        if !path.starts_with("/session/") {
            embed::event("navigate", serde_json::json!({ "path": path }));
        }
    });
}
