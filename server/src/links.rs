//! Portal links: one-time tokens a vendor hands to a customer.

use chrono::{DateTime, Duration, Utc};
use url::Url;

use crate::config::Config;
use crate::store::{NewLink, Organisation, Store, StoreResult};
use crate::token;

/// What a vendor asks for when it makes a link.
#[derive(Clone, Debug, Default)]
pub struct LinkRequest {
    /// Where the portal's "back" and "session expired" pages send the customer.
    pub return_url: Option<String>,
    pub locale: Option<String>,
    pub section: Option<String>,
    /// Seconds a session may sit idle; the organisation's default when `None`.
    pub idle_timeout_secs: Option<i64>,
    /// Seconds the link stays usable; never longer than the organisation's link lifetime.
    pub expires_in_secs: Option<i64>,
}

/// A link as handed back: its id (for revocation), the URL and when it stops working.
#[derive(Clone, Debug)]
pub struct CreatedLink {
    pub id: String,
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// Stores a new one-time link for a customer and returns its URL
/// (`<public url>/session/<token>?return_url=<…>`). The token itself is not stored.
pub async fn create_link(
    store: &dyn Store,
    config: &Config,
    organisation: &Organisation,
    customer_id: &str,
    request: LinkRequest,
    now: DateTime<Utc>,
) -> StoreResult<CreatedLink> {
    let settings = &organisation.settings;
    let lifetime = request
        .expires_in_secs
        .map_or(settings.link_lifetime_secs, |asked| {
            asked.min(settings.link_lifetime_secs)
        });
    let expires_at = now + Duration::seconds(lifetime);
    let token = token::random_token();
    let link = NewLink {
        id: uuid::Uuid::new_v4().to_string(),
        organisation_id: organisation.id.clone(),
        customer_id: customer_id.to_owned(),
        token_hash: token::hash(&token),
        return_url: request.return_url.clone(),
        locale: request.locale,
        section: request.section,
        idle_timeout_secs: request
            .idle_timeout_secs
            .unwrap_or(settings.idle_timeout_secs),
        expires_at,
        created_at: now,
    };
    store.insert_link(&link).await?;
    Ok(CreatedLink {
        id: link.id,
        url: link_url(config, &token, request.return_url.as_deref()),
        expires_at,
    })
}

fn link_url(config: &Config, token: &str, return_url: Option<&str>) -> String {
    let mut url = Url::parse(&format!("{}/session/{token}", config.public_base()))
        .expect("the public URL was validated at start-up and a token is URL-safe");
    if let Some(return_url) = return_url {
        url.query_pairs_mut().append_pair("return_url", return_url);
    }
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_urls_carry_the_token_in_the_path_and_encode_the_return_url() {
        let config = Config::load_from(None, |k| {
            (k == "PORTICO_PUBLIC_URL").then(|| "https://billing.example/portal/".to_owned())
        })
        .unwrap();
        let url = link_url(&config, "tok", Some("https://vendor.example/a?b=c&d"));
        assert_eq!(
            url,
            "https://billing.example/portal/session/tok?return_url=https%3A%2F%2Fvendor.example%2Fa%3Fb%3Dc%26d"
        );
        assert_eq!(
            link_url(&config, "tok", None),
            "https://billing.example/portal/session/tok"
        );
    }
}
