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
    /// The API key asking, so that revoking it ends the link.
    pub api_key_id: Option<String>,
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
        api_key_id: request.api_key_id,
    };
    store.insert_link(&link).await?;
    Ok(CreatedLink {
        id: link.id,
        url: link_url(config, &token, request.return_url.as_deref()),
        expires_at,
    })
}

/// Checks a `return_url` against the organisation's allowed origins and returns it as
/// parsed. Only absolute http(s) URLs whose exact origin is allowed pass; anything a
/// browser might read differently from us (spaces, control characters, backslashes,
/// credentials) is refused outright rather than cleaned up.
pub fn validate_return_url(text: &str, allowed_origins: &[String]) -> Result<String, String> {
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.len() > 2048 {
        return Err("must be at most 2048 characters".into());
    }
    if text
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return Err("must not contain spaces, control characters or backslashes".into());
    }
    if !crate::contract::URL.is_match(text) {
        return Err("must be an absolute http or https URL".into());
    }
    let url = Url::parse(text).map_err(|_| "must be an absolute http or https URL".to_owned())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an absolute http or https URL".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    if allowed_origins.is_empty() {
        return Err(
            "this organisation allows no return origins yet; add one to its settings".into(),
        );
    }
    let origin = url.origin().ascii_serialization();
    if !allowed_origins.contains(&origin) {
        return Err(format!(
            "origin {origin} is not one of the organisation's allowed return origins"
        ));
    }
    Ok(url.into())
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

    fn allowed() -> Vec<String> {
        vec![
            "https://good.example".into(),
            "http://localhost:8080".into(),
        ]
    }

    #[test]
    fn return_urls_on_allowed_origins_pass() {
        for ok in [
            "https://good.example",
            "https://good.example/account/billing?tab=1#top",
            "HTTPS://GOOD.EXAMPLE/x",
            "https://good.example:443/x",
            "http://localhost:8080/back",
        ] {
            assert!(
                validate_return_url(ok, &allowed()).is_ok(),
                "{ok} was refused"
            );
        }
    }

    #[test]
    fn every_known_bypass_is_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(document.domain)//https://good.example",
            "data:text/html,<script>alert(1)</script>",
            "//evil.example",
            "/relative/path",
            "https://good.example@evil.example",
            "https://good.example:pw@evil.example",
            "https://good.example.evil.example",
            "https://evil.example/https://good.example",
            "https://evil.example?https://good.example",
            "https:\\\\evil.example",
            "https://good.example\\@evil.example",
            "https:/\\evil.example",
            "https://good.example\t.evil.example",
            "https://go\nod.example",
            " https://good.example",
            "https://good.example%2F@evil.example",
            "https://good.example%40evil.example",
            "https://good.example%09.evil.example",
            "https://good.example%0a.evil.example",
            "https%3A%2F%2Fevil.example",
            "https://xn--gd-glcb.example",
            "https://gооd.example",
            "https://good.example:8443/",
            "http://good.example",
            "ftp://good.example",
            "https://localhost:8080",
            "",
        ] {
            assert!(
                validate_return_url(bad, &allowed()).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn no_allowed_origins_means_no_return_url() {
        let err = validate_return_url("https://good.example", &[]).unwrap_err();
        assert!(err.contains("allows no return origins"), "{err}");
    }

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
