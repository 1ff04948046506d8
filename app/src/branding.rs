//! An organisation's look, known to the server before anything renders.
//!
//! The server puts a [`Branding`] in the request; the shell writes its colours as CSS
//! custom properties and a JSON copy into the page, so the very first paint is branded and
//! the hydrating browser reads the same values the server used.

use serde::{Deserialize, Serialize};

/// The element id of the branding's JSON copy in the page.
pub const BRANDING_ELEMENT_ID: &str = "portico-branding";

/// What a page needs to look like its organisation's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub organisation_id: String,
    pub name: String,
    pub logo_url: Option<String>,
    /// `#rrggbb`, validated when saved.
    pub primary_color: String,
    pub accent_color: String,
    /// `light`, `dark` or `auto`.
    pub theme: String,
    /// The tabs shown.
    pub sections: Vec<String>,
    /// Origins allowed to frame the portal, and so the only ones it posts messages to.
    pub embed_origins: Vec<String>,
    /// Where the logo leads, when the page knows (a link page does).
    pub return_url: Option<String>,
    pub support_url: Option<String>,
    pub support_email: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// Whether customers may end their subscriptions here.
    #[serde(default)]
    pub allow_subscription_cancel: bool,
    /// Whether customers may choose their default payment method here.
    #[serde(default)]
    pub allow_default_payment_method_change: bool,
    /// Whether customers may remove a payment method that is not the default.
    #[serde(default)]
    pub allow_payment_method_removal: bool,
    /// The reasons offered when cancelling; "other" is always offered too.
    #[serde(default)]
    pub cancellation_reasons: Vec<String>,
    /// Shown before a cancellation is confirmed.
    #[serde(default)]
    pub retention_message: Option<String>,
    /// Whether customers may ask for a subscription to be paused.
    #[serde(default)]
    pub allow_subscription_pause: bool,
    /// Whether customers may ask for another plan.
    #[serde(default)]
    pub allow_plan_change: bool,
}

impl Branding {
    /// The style rules that apply the brand colours. The colours were validated as hex
    /// when saved; anything else is dropped rather than written into CSS.
    pub fn css(&self) -> String {
        let hex = |c: &str| {
            let ok = c.len() == 7
                && c.starts_with('#')
                && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
            ok.then(|| c.to_owned())
        };
        let (Some(primary), Some(accent)) = (hex(&self.primary_color), hex(&self.accent_color))
        else {
            return String::new();
        };
        // On dark backgrounds the brand colour is lightened so text in it stays readable.
        let dark = format!(
            "--brand:color-mix(in srgb,{primary} 35%,#ffffff);--accent:color-mix(in srgb,{accent} 35%,#ffffff);--brand-contrast:#111827;"
        );
        format!(
            ".portico,.open-link{{--brand:{primary};--accent:{accent};--brand-contrast:#ffffff;}}\
             .portico[data-theme=\"dark\"]{{{dark}}}\
             @media (prefers-color-scheme: dark){{.portico[data-theme=\"auto\"],.open-link{{{dark}}}}}"
        )
    }

    /// The JSON copy for the page, safe inside a `<script>` element.
    pub fn to_script_json(&self) -> String {
        crate::csp::inline_json(self)
    }

    /// Whether a tab is shown.
    pub fn shows(&self, tab: crate::api::session::Tab) -> bool {
        self.sections.iter().any(|s| s == tab.name())
    }
}

/// The branding of the page being rendered: from the request on the server, from the
/// page's JSON copy in the browser.
pub fn current() -> Option<Branding> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Branding>().cloned())
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        crate::csp::read_inline_json(BRANDING_ELEMENT_ID)
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branding() -> Branding {
        Branding {
            organisation_id: "o".into(),
            name: "Vendor </script><script>alert(1)</script>".into(),
            logo_url: None,
            primary_color: "#0b6e4f".into(),
            accent_color: "#7c2d12".into(),
            theme: "auto".into(),
            sections: vec!["invoices".into()],
            embed_origins: vec![],
            return_url: None,
            support_url: None,
            support_email: None,
            terms_url: None,
            privacy_url: None,
            allow_subscription_cancel: true,
            allow_default_payment_method_change: false,
            allow_payment_method_removal: false,
            cancellation_reasons: Vec::new(),
            retention_message: None,
            allow_subscription_pause: false,
            allow_plan_change: false,
        }
    }

    #[test]
    fn the_json_copy_cannot_close_its_script_element() {
        let json = branding().to_script_json();
        assert!(!json.contains('<') && !json.contains('>'), "{json}");
        let back: Branding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, branding());
    }

    #[test]
    fn colours_that_are_not_hex_never_reach_the_css() {
        let mut b = branding();
        assert!(b.css().contains("--brand:#0b6e4f"));
        b.primary_color = "red;}body{display:none".into();
        assert_eq!(b.css(), "");
    }
}
