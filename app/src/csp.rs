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

/// `text` as HTML text or attribute value: what a page writes as markup (a title, the
/// demo's pages) shows as the text it is.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A value as JSON for a `<script type="application/json">` element: no string in it can
/// close the element or open markup.
pub fn inline_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The value a page carries in its JSON element `id`, read in the browser.
#[cfg(feature = "hydrate")]
pub fn read_inline_json<T: serde::de::DeserializeOwned>(id: &str) -> Option<T> {
    let text = web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .text_content()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_shows_as_text() {
        assert_eq!(
            escape_html(r#"Vendor <b>«Neu»</b> & "Co's""#),
            "Vendor &lt;b&gt;«Neu»&lt;/b&gt; &amp; &quot;Co&#39;s&quot;"
        );
    }
}
