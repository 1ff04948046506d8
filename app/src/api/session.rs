//! Portal links and sessions: what the vendor asks for, and what the browser exchanges.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "hydrate")]
use super::dates;

use crate::format::Locale;

/// Languages the portal speaks, as the API spells them: [`Locale::ALL`]'s tags.
pub const LOCALES: &[&str] = &{
    let mut tags = [""; Locale::ALL.len()];
    let mut i = 0;
    while i < tags.len() {
        tags[i] = Locale::ALL[i].as_str();
        i += 1;
    }
    tags
};

/// A tab of the portal. This is the one list of the portal's sections: the settings'
/// list of sections an organisation can show or hide, the tab bar, and the vendor's
/// names in links all derive from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    Overview,
    Invoices,
    Payments,
    Entitlements,
    Subscriptions,
    PaymentMethods,
    Profile,
}

impl Tab {
    /// The tabs, in the order the portal shows them.
    pub const ALL: [Tab; 7] = [
        Tab::Overview,
        Tab::Invoices,
        Tab::Payments,
        Tab::Entitlements,
        Tab::Subscriptions,
        Tab::PaymentMethods,
        Tab::Profile,
    ];

    /// The vendor's name of the tab, in settings and links: `payment_methods`.
    pub const fn name(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Invoices => "invoices",
            Tab::Payments => "payments",
            Tab::Entitlements => "entitlements",
            Tab::Subscriptions => "subscriptions",
            Tab::PaymentMethods => "payment_methods",
            Tab::Profile => "profile",
        }
    }

    /// The tab's path segment: `payment-methods`.
    pub const fn slug(self) -> &'static str {
        match self {
            Tab::PaymentMethods => "payment-methods",
            tab => tab.name(),
        }
    }

    /// The tab a vendor's name names.
    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.name() == name)
    }
}

/// The names of [`Tab::ALL`], in order.
pub const TAB_NAMES: [&str; Tab::ALL.len()] = {
    let mut names = [""; Tab::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Tab::ALL[i].name();
        i += 1;
    }
    names
};

/// Where a portal link lands: a tab, or one invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Section {
    Tab(Tab),
    /// One invoice, by Portico's id.
    Invoice(String),
}

impl Section {
    /// Parses the vendor's spelling: a tab name or `invoice:<id>`.
    pub fn parse(text: &str) -> Option<Section> {
        if let Some(tab) = Tab::from_name(text) {
            return Some(Section::Tab(tab));
        }
        let id = text.strip_prefix("invoice:")?;
        (!id.is_empty()).then(|| Section::Invoice(id.to_owned()))
    }

    /// The vendor's spelling, the inverse of [`Section::parse`].
    pub fn as_string(&self) -> String {
        match self {
            Section::Invoice(id) => format!("invoice:{id}"),
            Section::Tab(tab) => tab.name().to_owned(),
        }
    }

    /// The tab the section belongs to (an invoice to `invoices`).
    pub fn tab(&self) -> Tab {
        match self {
            Section::Tab(tab) => *tab,
            Section::Invoice(_) => Tab::Invoices,
        }
    }

    /// The path segment of the tab (the invoice page lives under `invoices`).
    pub fn slug(&self) -> &'static str {
        self.tab().slug()
    }

    /// The portal path of this section for an organisation, e.g. `/portal/<org>/invoices`.
    /// The organisation is in the path so that a reload can be branded by the server
    /// before any script runs.
    pub fn path(&self, organisation_id: &str) -> String {
        match self {
            Section::Invoice(id) => format!("/portal/{organisation_id}/invoices/{id}"),
            tab => format!("/portal/{organisation_id}/{}", tab.slug()),
        }
    }

    /// The section a portal path shows, the inverse of [`Section::path`].
    pub fn from_path(path: &str) -> Option<Section> {
        let rest = path.strip_prefix("/portal/")?;
        let mut parts = rest.splitn(3, '/').skip(1);
        let slug = parts.next()?;
        let tab = Tab::ALL.into_iter().find(|tab| tab.slug() == slug)?;
        match (tab, parts.next()) {
            (tab, None) => Some(Section::Tab(tab)),
            (Tab::Invoices, Some(id)) if !id.is_empty() && !id.contains('/') => {
                Some(Section::Invoice(id.to_owned()))
            }
            _ => None,
        }
    }
}

/// `POST /customer/session`, the Zenskar-compatible way to ask for a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerSessionRequest {
    /// Portico's id of the customer or the vendor's own.
    pub customer_id: String,
    pub return_url: String,
    /// Seconds the session may sit idle.
    #[serde(default)]
    pub idle_timeout: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerSessionResponse {
    pub redirect_url: String,
}

/// `POST /v1/portal_sessions`: a link with every option.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PortalSessionRequest {
    /// Portico's id of the customer (or the vendor's); give this or `external_id`.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The vendor's own id of the customer.
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub return_url: Option<String>,
    #[serde(default)]
    pub idle_timeout: Option<i64>,
    #[serde(default)]
    pub locale: Option<String>,
    /// A tab (`invoices`, `payments`, …) or `invoice:<id>`.
    #[serde(default)]
    pub section: Option<String>,
    /// Seconds the link stays usable; at most the organisation's link lifetime.
    #[serde(default)]
    pub expires_in: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalSessionCreated {
    pub id: String,
    pub url: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub expires_at: DateTime<Utc>,
}

/// One link in `GET /v1/customers/{id}/portal_sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalSessionSummary {
    pub id: String,
    /// `pending` (link not opened yet) or `active` (a live session).
    pub status: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub created_at: DateTime<Utc>,
    /// When the link stops working if it is not opened.
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub link_expires_at: DateTime<Utc>,
    pub return_url: Option<String>,
    pub locale: Option<String>,
    pub section: Option<String>,
    pub idle_timeout: i64,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_time"))]
    pub session_started_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_time"))]
    pub session_last_seen_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(default))]
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::opt_time"))]
    pub session_expires_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalSessionList {
    pub data: Vec<PortalSessionSummary>,
}

/// `POST /api/v1/session/exchange`: the browser trades the link token for a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeRequest {
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeResponse {
    /// Sent as `Authorization: Bearer <session_token>` on every portal call.
    pub session_token: String,
    pub organisation_id: String,
    /// The path to replace the address with: the section the link asked for.
    pub landing_path: String,
    pub return_url: Option<String>,
    pub locale: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub expires_at: DateTime<Utc>,
    pub idle_timeout: i64,
    /// The portal reads the landing page makes first (paths under `/api/v1/portal/`), so
    /// that the page can start them before the app has loaded.
    #[serde(default)]
    pub prefetch: Vec<String>,
    /// The landing section's WASM chunks (paths under `/pkg/`), when its code is not in
    /// the first bundle, so that the page can fetch them while the app loads.
    #[serde(default)]
    pub preload: Vec<String>,
}

/// `GET /api/v1/portal/session`: who is signed in, for the portal's header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub customer_name: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub return_url: Option<String>,
    /// The language the link named or the customer picked during this session.
    pub locale: Option<String>,
    /// The language the vendor recorded for the customer.
    pub customer_locale: Option<String>,
    /// The organisation's default language.
    pub default_locale: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "dates::time"))]
    pub expires_at: DateTime<Utc>,
    pub idle_timeout: i64,
    /// The vendor's page for adding a payment method, for this customer, when the
    /// organisation has one.
    #[serde(default)]
    pub payment_method_setup_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::{Section, Tab};

    #[test]
    fn sections_parse_and_print_the_vendor_spelling() {
        for text in [
            "overview",
            "invoices",
            "payments",
            "entitlements",
            "subscriptions",
            "payment_methods",
            "profile",
            "invoice:abc-123",
        ] {
            assert_eq!(Section::parse(text).unwrap().as_string(), text);
        }
        for bad in ["", "invoice:", "Invoices", "settings", "payment-methods"] {
            assert_eq!(Section::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tab_names_are_the_settings_sections_in_order() {
        assert_eq!(
            crate::api::settings::SECTIONS,
            [
                "overview",
                "invoices",
                "payments",
                "entitlements",
                "subscriptions",
                "payment_methods",
                "profile"
            ]
        );
        for tab in Tab::ALL {
            assert_eq!(Tab::from_name(tab.name()), Some(tab));
        }
    }

    #[test]
    fn sections_map_to_portal_paths() {
        assert_eq!(
            Section::Tab(Tab::PaymentMethods).path("o1"),
            "/portal/o1/payment-methods"
        );
        assert_eq!(
            Section::Invoice("i9".into()).path("o1"),
            "/portal/o1/invoices/i9"
        );
    }

    #[test]
    fn portal_paths_read_back_as_their_sections() {
        let sections = Tab::ALL
            .into_iter()
            .map(Section::Tab)
            .chain([Section::Invoice("i9".into())]);
        for section in sections {
            assert_eq!(Section::from_path(&section.path("o1")), Some(section));
        }
        for path in [
            "/",
            "/portal/o1",
            "/portal/o1/",
            "/portal/o1/payment_methods",
            "/portal/o1/payments/p1",
            "/portal/o1/invoices/",
            "/portal/o1/invoices/i9/pdf",
            "/session/abc",
        ] {
            assert_eq!(Section::from_path(path), None, "{path}");
        }
    }
}
