//! Creating organisations and their API keys: shared by the command line and the demo.

use app::api::settings::OrganisationSettings;
use chrono::{DateTime, Utc};
use url::Url;

use crate::store::{ApiKey, KeyScope, Organisation, Store, StoreResult};
use crate::token;

/// Turns `https://Vendor.example/` into the origin `https://vendor.example`; refuses
/// anything that is not a bare http(s) origin, explaining why.
pub fn normalise_origin(text: &str) -> Result<String, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("{text:?} is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?} must use http or https"));
    }
    match url.host() {
        None => return Err(format!("{text:?} has no host")),
        // The URL standard lets `*`, `;`, `'` and more through in a host name; in a
        // security header any of them would change its meaning. Only DNS names pass.
        Some(url::Host::Domain(name)) if !is_dns_name(name) => {
            return Err(format!(
                "{text:?} must name a host of letters, digits, dots and hyphens"
            ))
        }
        Some(_) => {}
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{text:?} must not carry a user name or password"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{text:?} must be an origin only (scheme, host and port), without a path"
        ));
    }
    Ok(url.origin().ascii_serialization())
}

/// A host name of dot-separated labels of ASCII letters, digits and inner hyphens (an
/// internationalised name arrives here already in its `xn--` form).
fn is_dns_name(name: &str) -> bool {
    name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// Issues a new API key for an organisation and returns it; only its hash is kept, so
/// this is the one time anyone sees it.
pub async fn issue_api_key(
    store: &dyn Store,
    organisation_id: &str,
    label: &str,
    scope: KeyScope,
    now: DateTime<Utc>,
) -> StoreResult<String> {
    let key = token::new_api_key();
    store
        .insert_api_key(&ApiKey {
            id: uuid::Uuid::new_v4().to_string(),
            organisation_id: organisation_id.to_owned(),
            prefix: token::api_key_prefix(&key),
            key_hash: token::hash(&key),
            label: label.to_owned(),
            scope,
            created_at: now,
            revoked_at: None,
        })
        .await?;
    Ok(key)
}

/// Creates an organisation with default settings plus the given origins, and its first
/// API key.
pub async fn create_organisation(
    store: &dyn Store,
    name: &str,
    return_origins: Vec<String>,
    embed_origins: Vec<String>,
    now: DateTime<Utc>,
) -> StoreResult<(Organisation, String)> {
    let settings = OrganisationSettings {
        return_origins,
        embed_origins,
        ..OrganisationSettings::default()
    };
    let id = uuid::Uuid::new_v4().to_string();
    let organisation = store.create_organisation(&id, name, &settings, now).await?;
    let key = issue_api_key(store, &id, "first key", KeyScope::Full, now).await?;
    Ok((organisation, key))
}

#[cfg(test)]
mod tests {
    use super::normalise_origin;

    #[test]
    fn origins_are_normalised() {
        assert_eq!(
            normalise_origin("https://Vendor.Example/").unwrap(),
            "https://vendor.example"
        );
        assert_eq!(
            normalise_origin("http://localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert_eq!(
            normalise_origin("https://vendor.example:443").unwrap(),
            "https://vendor.example"
        );
        assert_eq!(
            normalise_origin("https://bücher.example").unwrap(),
            "https://xn--bcher-kva.example"
        );
        assert_eq!(
            normalise_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalise_origin("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
    }

    #[test]
    fn anything_but_a_bare_origin_is_refused() {
        for bad in [
            "vendor.example",
            "ftp://vendor.example",
            "javascript:alert(1)",
            "https://vendor.example/path",
            "https://user:pw@vendor.example",
            "https://vendor.example/?q=1",
            "https://vendor.example/#x",
            "https://*.vendor.example",
            "https://vendor.example;script-src",
            "https://vendor.example'",
            "https://a&b.example",
            "https://-vendor.example",
            "https://vendor..example",
        ] {
            assert!(normalise_origin(bad).is_err(), "{bad} was accepted");
        }
    }
}
