use serde::{Deserialize, Serialize};

/// The portal's tabs an organisation can show or hide, by name.
pub const SECTIONS: &[&str] = &super::session::TAB_NAMES;

/// Profile fields an organisation can let customers edit.
pub const PROFILE_FIELDS: &[&str] = &["name", "email", "phone", "address", "tax_ids"];

/// The colour scheme of an organisation's portal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ThemeSetting {
    Light,
    Dark,
    /// Follows the customer's operating system.
    #[default]
    Auto,
}

/// An organisation's settings, stored as one JSON document so that a new setting needs no
/// migration. Every field has a default, so older documents keep loading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OrganisationSettings {
    /// Origins (`https://vendor.example`) that portal links may send the customer back to.
    pub return_origins: Vec<String>,
    /// Origins allowed to embed the portal in an iframe.
    pub embed_origins: Vec<String>,
    /// Language used when neither the link nor the customer names one.
    pub default_locale: String,
    /// How long a portal link stays usable, in seconds.
    pub link_lifetime_secs: i64,
    /// How long a portal session may sit idle, in seconds.
    pub idle_timeout_secs: i64,
    /// Buttons and highlights, as `#rrggbb`; white text on it meets WCAG AA.
    pub primary_color: String,
    /// Secondary highlights, as `#rrggbb`; white text on it meets WCAG AA.
    pub accent_color: String,
    pub theme: ThemeSetting,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// The tabs shown, in the portal's order.
    pub sections: Vec<String>,
    /// Profile fields customers may change.
    pub editable_profile_fields: Vec<String>,
    pub allow_subscription_cancel: bool,
    pub allow_default_payment_method_change: bool,
    /// Whether the portal offers "Pay now" for invoices with a payment page.
    pub allow_invoice_payment: bool,
    /// The origins of the payment provider's hosted pages (`https://pay.example`). When
    /// any are listed, payment and setup URLs elsewhere are refused.
    pub payment_origins: Vec<String>,
    /// The vendor's page for adding a payment method (absolute https), in which
    /// `{customer_id}` becomes the vendor's id for the customer and `{return_url}` the
    /// page the portal link returns to; none hides "Add a payment method".
    pub payment_method_setup_url: Option<String>,
    /// Whether customers may remove a payment method that is not the default.
    pub allow_payment_method_removal: bool,
    /// The reasons a customer picks from when cancelling (at most 12); when any are
    /// listed, one must be picked, or "other" with a comment.
    pub cancellation_reasons: Vec<String>,
    /// Shown before a customer confirms a cancellation, to keep them (an offer, say).
    pub retention_message: Option<String>,
    /// Whether customers may ask for a subscription to be paused; the vendor decides.
    pub allow_subscription_pause: bool,
    /// Whether customers may ask to switch a subscription to another plan of the
    /// catalogue, among those its plan lists; the vendor applies it.
    pub allow_plan_change: bool,
}

impl Default for OrganisationSettings {
    fn default() -> Self {
        Self {
            return_origins: Vec::new(),
            embed_origins: Vec::new(),
            default_locale: "en".to_owned(),
            link_lifetime_secs: 3600,
            idle_timeout_secs: 3600,
            primary_color: "#4338ca".to_owned(),
            accent_color: "#0e7490".to_owned(),
            theme: ThemeSetting::Auto,
            support_email: None,
            support_url: None,
            terms_url: None,
            privacy_url: None,
            sections: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
            editable_profile_fields: PROFILE_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
            allow_subscription_cancel: true,
            allow_default_payment_method_change: true,
            allow_invoice_payment: true,
            payment_origins: Vec::new(),
            payment_method_setup_url: None,
            allow_payment_method_removal: true,
            cancellation_reasons: Vec::new(),
            retention_message: None,
            allow_subscription_pause: false,
            allow_plan_change: true,
        }
    }
}

/// `PATCH /v1/settings`: only the fields present change. `null` clears an optional link.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub return_origins: Option<Vec<String>>,
    #[serde(default)]
    pub embed_origins: Option<Vec<String>>,
    #[serde(default)]
    pub default_locale: Option<String>,
    #[serde(default)]
    pub link_lifetime_secs: Option<i64>,
    #[serde(default)]
    pub idle_timeout_secs: Option<i64>,
    #[serde(default)]
    pub primary_color: Option<String>,
    #[serde(default)]
    pub accent_color: Option<String>,
    #[serde(default)]
    pub theme: Option<ThemeSetting>,
    #[serde(default, with = "double_option")]
    pub support_email: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    pub support_url: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    pub terms_url: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    pub privacy_url: Option<Option<String>>,
    #[serde(default)]
    pub sections: Option<Vec<String>>,
    #[serde(default)]
    pub editable_profile_fields: Option<Vec<String>>,
    #[serde(default)]
    pub allow_subscription_cancel: Option<bool>,
    #[serde(default)]
    pub allow_default_payment_method_change: Option<bool>,
    #[serde(default)]
    pub allow_invoice_payment: Option<bool>,
    #[serde(default)]
    pub payment_origins: Option<Vec<String>>,
    #[serde(default, with = "double_option")]
    pub payment_method_setup_url: Option<Option<String>>,
    #[serde(default)]
    pub allow_payment_method_removal: Option<bool>,
    #[serde(default)]
    pub cancellation_reasons: Option<Vec<String>>,
    #[serde(default, with = "double_option")]
    pub retention_message: Option<Option<String>>,
    #[serde(default)]
    pub allow_subscription_pause: Option<bool>,
    #[serde(default)]
    pub allow_plan_change: Option<bool>,
}

/// Tells a missing field (`None`) from an explicit `null` (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }

    pub fn serialize<S: Serializer>(
        value: &Option<Option<String>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            None => s.serialize_none(),
            Some(inner) => inner.serialize(s),
        }
    }
}

/// `GET /v1/settings`: the organisation as its vendor configures it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsView {
    pub organisation_id: String,
    pub name: String,
    /// Where the portal loads the logo from; absent when none was uploaded.
    pub logo_url: Option<String>,
    #[serde(flatten)]
    pub settings: OrganisationSettings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_settings_documents_keep_loading_with_defaults() {
        let old = r#"{"return_origins":["https://a.example"],"default_locale":"de"}"#;
        let settings: OrganisationSettings = serde_json::from_str(old).unwrap();
        assert_eq!(settings.return_origins, ["https://a.example"]);
        assert_eq!(settings.default_locale, "de");
        assert_eq!(settings.primary_color, "#4338ca");
        assert_eq!(settings.sections, SECTIONS, "every section shows");
    }

    #[test]
    fn a_patch_tells_absent_from_null() {
        let patch: SettingsPatch = serde_json::from_str(r#"{"support_url":null}"#).unwrap();
        assert_eq!(patch.support_url, Some(None));
        assert_eq!(patch.terms_url, None);
        assert!(serde_json::from_str::<SettingsPatch>(r##"{"colour":"#fff"}"##).is_err());
    }
}
