//! `portico org set`: the settings the command line changes, as the API's patch.

use clap::Args;

#[derive(Args)]
pub(super) struct OrgSetArgs {
    /// The organisation's id.
    #[arg(long)]
    pub(super) organisation: String,
    #[arg(long)]
    name: Option<String>,
    /// Replaces the return origins (repeatable).
    #[arg(long = "return-origin", value_name = "ORIGIN")]
    return_origins: Option<Vec<String>>,
    /// Replaces the embedding origins (repeatable).
    #[arg(long = "embed-origin", value_name = "ORIGIN")]
    embed_origins: Option<Vec<String>>,
    /// en, de, fr or nl.
    #[arg(long)]
    default_locale: Option<String>,
    /// Seconds a link stays usable (60 to 604800).
    #[arg(long)]
    link_lifetime: Option<i64>,
    /// Seconds a session may sit idle (60 to 604800).
    #[arg(long)]
    idle_timeout: Option<i64>,
    /// Hex colour; white text on it must meet WCAG AA.
    #[arg(long)]
    primary_color: Option<String>,
    /// Hex colour; white text on it must meet WCAG AA.
    #[arg(long)]
    accent_color: Option<String>,
    /// light, dark or auto.
    #[arg(long)]
    theme: Option<String>,
    #[arg(long)]
    support_email: Option<String>,
    #[arg(long)]
    support_url: Option<String>,
    #[arg(long)]
    terms_url: Option<String>,
    #[arg(long)]
    privacy_url: Option<String>,
    /// Replaces the tabs shown (repeatable): overview, invoices, payments, entitlements,
    /// subscriptions, payment_methods, profile.
    #[arg(long = "section", value_name = "SECTION")]
    sections: Option<Vec<String>>,
    /// Replaces the profile fields customers may edit (repeatable): name, email, phone,
    /// address, tax_ids.
    #[arg(long = "editable-field", value_name = "FIELD")]
    editable_profile_fields: Option<Vec<String>>,
    #[arg(long)]
    allow_subscription_cancel: Option<bool>,
    #[arg(long)]
    allow_default_payment_method_change: Option<bool>,
    #[arg(long)]
    allow_invoice_payment: Option<bool>,
    /// Replaces the payment provider's origins (repeatable, https).
    #[arg(long = "payment-origin", value_name = "ORIGIN")]
    payment_origins: Option<Vec<String>>,
    /// The page for adding a payment method; {customer_id} and {return_url} are filled in.
    #[arg(long)]
    payment_method_setup_url: Option<String>,
    #[arg(long)]
    allow_payment_method_removal: Option<bool>,
    /// Replaces the reasons offered when cancelling (repeatable).
    #[arg(long = "cancellation-reason", value_name = "REASON")]
    cancellation_reasons: Option<Vec<String>>,
    /// Shown before a cancellation is confirmed.
    #[arg(long)]
    retention_message: Option<String>,
    #[arg(long)]
    allow_subscription_pause: Option<bool>,
    #[arg(long)]
    allow_plan_change: Option<bool>,
}

impl OrgSetArgs {
    /// The patch these flags ask for; a flag left out changes nothing.
    pub(super) fn patch(self) -> anyhow::Result<app::api::settings::SettingsPatch> {
        let theme = match self.theme.as_deref() {
            None => None,
            Some(text) => Some(
                serde_json::from_value(serde_json::Value::String(text.to_owned()))
                    .map_err(|_| anyhow::anyhow!("--theme must be light, dark or auto"))?,
            ),
        };
        Ok(app::api::settings::SettingsPatch {
            name: self.name,
            return_origins: self.return_origins,
            embed_origins: self.embed_origins,
            default_locale: self.default_locale,
            link_lifetime_secs: self.link_lifetime,
            idle_timeout_secs: self.idle_timeout,
            primary_color: self.primary_color,
            accent_color: self.accent_color,
            theme,
            support_email: self.support_email.map(Some),
            support_url: self.support_url.map(Some),
            terms_url: self.terms_url.map(Some),
            privacy_url: self.privacy_url.map(Some),
            sections: self.sections,
            editable_profile_fields: self.editable_profile_fields,
            allow_subscription_cancel: self.allow_subscription_cancel,
            allow_default_payment_method_change: self.allow_default_payment_method_change,
            allow_invoice_payment: self.allow_invoice_payment,
            payment_origins: self.payment_origins,
            payment_method_setup_url: self.payment_method_setup_url.map(Some),
            allow_payment_method_removal: self.allow_payment_method_removal,
            cancellation_reasons: self.cancellation_reasons,
            retention_message: self.retention_message.map(Some),
            allow_subscription_pause: self.allow_subscription_pause,
            allow_plan_change: self.allow_plan_change,
        })
    }
}
