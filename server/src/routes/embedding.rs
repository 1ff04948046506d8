//! Who may frame the portal: `Content-Security-Policy: frame-ancestors` on every page,
//! listing the organisation's embedding origins (or `'self'` when it has none).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;
use crate::store::Organisation;
use crate::token;

/// The organisation a page belongs to: `/portal/<organisation>/…` names it, and a
/// `/session/<token>` link knows it (looked up without using the link up).
async fn organisation_of(state: &AppState, path: &str) -> Option<Organisation> {
    let store = state.store.as_ref();
    let organisation_id = if let Some(rest) = path.strip_prefix("/portal/") {
        rest.split('/').next()?.to_owned()
    } else if let Some(token) = path.strip_prefix("/session/") {
        store
            .find_link(&token::hash(token))
            .await
            .ok()??
            .organisation_id
    } else {
        return None;
    };
    store.get_organisation(&organisation_id).await.ok()?
}

/// The `frame-ancestors` directive for an organisation's embedding origins.
pub fn frame_ancestors(embed_origins: &[String]) -> String {
    if embed_origins.is_empty() {
        "frame-ancestors 'self'".to_owned()
    } else {
        format!("frame-ancestors {}", embed_origins.join(" "))
    }
}

/// Adds the framing policy to HTML responses.
pub async fn framing_policy(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        let origins = organisation_of(&state, &path)
            .await
            .map(|o| o.settings.embed_origins)
            .unwrap_or_default();
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
