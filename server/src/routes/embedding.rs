//! What a page needs from its organisation before it renders: the branding (so the first
//! HTML is branded) and who may frame it (`Content-Security-Policy: frame-ancestors`,
//! listing the organisation's embedding origins, or `'self'` when it has none).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use app::api::settings::ThemeSetting;
use app::branding::Branding;
use app::i18n::{self, Locale, PageLocale};

use crate::state::AppState;
use crate::store::Organisation;
use crate::token;

/// What a page knows of its organisation and customer before it renders.
struct PageOwner {
    organisation: Organisation,
    return_url: Option<String>,
    /// The link's language, then the customer's, for a `/session/<token>` page.
    languages: [Option<String>; 2],
}

/// The organisation a page belongs to: `/portal/<organisation>/…` names it, and a
/// `/session/<token>` link knows it (looked up without using the link up), along with
/// the link's return URL and languages.
async fn organisation_of(state: &AppState, path: &str) -> Option<PageOwner> {
    let store = state.store.as_ref();
    let (organisation_id, return_url, languages) = if let Some(rest) = path.strip_prefix("/portal/")
    {
        (rest.split('/').next()?.to_owned(), None, [None, None])
    } else if let Some(token) = path.strip_prefix("/session/") {
        let link = store.find_link(&token::hash(token)).await.ok()??;
        let customer = store
            .get_customer(&link.organisation_id, &link.customer_id)
            .await
            .ok()
            .flatten();
        (
            link.organisation_id,
            link.return_url,
            [link.locale, customer.and_then(|c| c.locale)],
        )
    } else {
        return None;
    };
    let organisation = store.get_organisation(&organisation_id).await.ok()??;
    Some(PageOwner {
        organisation,
        return_url,
        languages,
    })
}

/// The page's language: the link's, then `?lang=`, then the customer's, then the
/// organisation's default, then the browser's `Accept-Language`, then English.
fn page_locale(request: &Request, owner: Option<&PageOwner>) -> Locale {
    let query_lang = request.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    let accepted = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(i18n::accept_language)
        .unwrap_or_default();
    let [link, customer] = owner.map(|o| o.languages.clone()).unwrap_or_default();
    let default = owner.map(|o| o.organisation.settings.default_locale.clone());
    i18n::resolve(
        [link, query_lang, customer, default]
            .iter()
            .map(Option::as_deref)
            .chain(accepted.iter().map(|a| Some(a.as_str()))),
    )
    .unwrap_or_default()
}

async fn branding(
    state: &AppState,
    organisation: &Organisation,
    return_url: Option<String>,
) -> Branding {
    let logo = state.store.get_logo(&organisation.id).await.ok().flatten();
    let s = &organisation.settings;
    Branding {
        organisation_id: organisation.id.clone(),
        name: organisation.name.clone(),
        logo_url: logo.map(|l| format!("/branding/{}/logo?v={}", organisation.id, l.updated_at)),
        primary_color: s.primary_color.clone(),
        accent_color: s.accent_color.clone(),
        theme: match s.theme {
            ThemeSetting::Light => "light",
            ThemeSetting::Dark => "dark",
            ThemeSetting::Auto => "auto",
        }
        .to_owned(),
        sections: s.sections.clone(),
        embed_origins: s.embed_origins.clone(),
        return_url,
        support_url: s.support_url.clone(),
        support_email: s.support_email.clone(),
        terms_url: s.terms_url.clone(),
        privacy_url: s.privacy_url.clone(),
        allow_subscription_cancel: s.allow_subscription_cancel,
        allow_default_payment_method_change: s.allow_default_payment_method_change,
    }
}

/// The `frame-ancestors` directive for an organisation's embedding origins. Each origin
/// is parsed again here, so that a value stored before today's rules (or written to the
/// database by hand) can never add a source or a directive: what does not parse is left
/// out.
pub fn frame_ancestors(embed_origins: &[String]) -> String {
    let origins: Vec<String> = embed_origins
        .iter()
        .filter_map(|origin| crate::orgs::normalise_origin(origin).ok())
        .collect();
    if origins.is_empty() {
        "frame-ancestors 'self'".to_owned()
    } else {
        format!("frame-ancestors {}", origins.join(" "))
    }
}

/// Puts the page's branding in the request for the renderer, and adds the framing policy
/// to HTML responses. API and asset requests pass straight through.
pub async fn page_context(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let is_page = !path.starts_with("/api/")
        && !path.starts_with("/v1/")
        && !path.starts_with("/pkg/")
        && !path.starts_with("/branding/");
    let found = if is_page {
        organisation_of(&state, &path).await
    } else {
        None
    };
    let origins = found
        .as_ref()
        .map(|o| o.organisation.settings.embed_origins.clone())
        .unwrap_or_default();
    if is_page {
        let locale = page_locale(&request, found.as_ref());
        request.extensions_mut().insert(PageLocale(locale));
    }
    if let Some(owner) = found {
        let branded = branding(&state, &owner.organisation, owner.return_url).await;
        request.extensions_mut().insert(branded);
    }
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        // Origins were normalised when saved, so they are valid header text.
        if let Ok(value) = HeaderValue::from_str(&frame_ancestors(&origins)) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::frame_ancestors;

    #[test]
    fn only_self_when_no_origin_is_allowed() {
        assert_eq!(frame_ancestors(&[]), "frame-ancestors 'self'");
        assert_eq!(
            frame_ancestors(&["https://a.example".into(), "http://localhost:8080".into()]),
            "frame-ancestors https://a.example http://localhost:8080"
        );
    }

    #[test]
    fn a_stored_origin_that_does_not_parse_adds_nothing() {
        assert_eq!(
            frame_ancestors(&[
                "https://a.example; script-src *".into(),
                "*".into(),
                "https://*.example".into(),
                "https://b.example".into(),
            ]),
            "frame-ancestors https://b.example"
        );
        assert_eq!(
            frame_ancestors(&["'none'".into()]),
            "frame-ancestors 'self'"
        );
    }
}
