use leptos::prelude::*;

use crate::embed;

/// Tells an embedding page where the portal is, so it can follow along (and deep-link).
#[component]
pub fn EmbedBridge(
    /// The page's path, as the router (or the landing page) knows it.
    path: Signal<String>,
) -> impl IntoView {
    Effect::new(move |_| {
        let path = path.get();
        // A link's path carries its one-time token: it is never announced.
        if !path.starts_with("/session/") {
            embed::event("navigate", serde_json::json!({ "path": path }));
        }
    });
}
