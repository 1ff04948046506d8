//! What a page needs from its organisation before it renders: the branding (so the first
//! HTML is branded) and who may frame it (`Content-Security-Policy: frame-ancestors`,
//! listing the organisation's embedding origins, or `'self'` when it has none).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use app::api::settings::ThemeSetting;
use app::branding::Branding;

use crate::state::AppState;
use crate::store::Organisation;
use crate::token;

/// The organisation a page belongs to: `/portal/<organisation>/…` names it, and a
/// `/session/<token>` link knows it (looked up without using the link up), along with
/// the link's return URL.
async fn organisation_of(state: &AppState, path: &str) -> Option<(Organisation, Option<String>)> {
    let store = state.store.as_ref();
    let (organisation_id, return_url) = if let Some(rest) = path.strip_prefix("/portal/") {
        (rest.split('/').next()?.to_owned(), None)
    } else if let Some(token) = path.strip_prefix("/session/") {
        let link = store.find_link(&token::hash(token)).await.ok()??;
        (link.organisation_id, link.return_url)
    } else {
        return None;
    };
    let organisation = store.get_organisation(&organisation_id).await.ok()??;
    Some((organisation, return_url))
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
    }
}

/// The `frame-ancestors` directive for an organisation's embedding origins.
pub fn frame_ancestors(embed_origins: &[String]) -> String {
    if embed_origins.is_empty() {
        "frame-ancestors 'self'".to_owned()
    } else {
        format!("frame-ancestors {}", embed_origins.join(" "))
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
        .map(|(o, _)| o.settings.embed_origins.clone())
        .unwrap_or_default();
    if let Some((organisation, return_url)) = found {
        let branded = branding(&state, &organisation, return_url).await;
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
}
