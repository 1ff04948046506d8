//! The Content-Security-Policy nonce of the page being rendered. The server makes a
//! fresh one for every page, allows it in the page's policy, and the shell puts it on the
//! page's own inline script and style elements; an injected script cannot know it.

/// A page's nonce: 128 random bits, base64.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(pub String);

/// The nonce of the page being rendered on the server; `None` in the browser, where no
/// element of ours needs one. Called by the shell, it also becomes Leptos's nonce, so that
/// the scripts Leptos writes into the page itself (resolved resources) carry it too.
pub fn page_nonce() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        let nonce = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CspNonce>().map(|n| n.0.clone()))?;
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce.as_str()));
        Some(nonce)
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
