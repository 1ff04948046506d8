//! `GET`/`PATCH /v1/settings`, the logo upload, and the public logo the portal shows.

use app::api::settings::{SettingsPatch, SettingsView};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::auth::VendorKey;
use crate::error::{removed, ApiError};
use crate::extract::{media_type, read_body, ApiJson};
use crate::state::AppState;
use crate::store::Organisation;

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/settings", get(get_settings).patch(patch_settings))
        .route(
            "/v1/settings/logo",
            put(put_logo)
                .delete(delete_logo)
                .layer(DefaultBodyLimit::max(MAX_LOGO_BYTES)),
        )
        .route("/branding/{organisation}/logo", get(get_public_logo))
}

/// The public address of an organisation's logo; the upload time in the query makes a new
/// logo a new URL, so the old one can be cached for long.
pub fn logo_url(state: &AppState, organisation_id: &str, updated_at: i64) -> String {
    format!(
        "{}/branding/{organisation_id}/logo?v={updated_at}",
        state.config.public_base()
    )
}

async fn view(state: &AppState, organisation: Organisation) -> Result<SettingsView, ApiError> {
    let logo = state.store.get_logo(&organisation.id).await?;
    Ok(SettingsView {
        logo_url: logo.map(|l| logo_url(state, &organisation.id, l.updated_at)),
        organisation_id: organisation.id,
        name: organisation.name,
        settings: organisation.settings,
    })
}

async fn get_settings(
    State(state): State<AppState>,
    vendor: VendorKey,
) -> Result<Json<SettingsView>, ApiError> {
    Ok(Json(
        view(&state, Organisation::clone(&vendor.organisation)).await?,
    ))
}

async fn patch_settings(
    State(state): State<AppState>,
    vendor: VendorKey,
    ApiJson(patch): ApiJson<SettingsPatch>,
) -> Result<Json<SettingsView>, ApiError> {
    let mut organisation = Organisation::clone(&vendor.organisation);
    crate::settings::apply(&mut organisation.name, &mut organisation.settings, patch)
        .map_err(ApiError::Validation)?;
    let updated = state
        .store
        .update_organisation(
            &organisation.id,
            &organisation.name,
            &organisation.settings,
            state.clock.now(),
        )
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(Json(view(&state, updated).await?))
}

/// Checks that the bytes are what the content type says; returns the type to serve.
fn logo_type(content_type: &str, bytes: &[u8]) -> Result<&'static str, ApiError> {
    let (kind, matches) = match content_type {
        "image/png" => ("image/png", bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
        "image/jpeg" => ("image/jpeg", bytes.starts_with(&[0xff, 0xd8, 0xff])),
        "image/svg+xml" => (
            "image/svg+xml",
            std::str::from_utf8(bytes).is_ok_and(|text| text.contains("<svg")),
        ),
        _ => return Err(ApiError::UnsupportedMediaType),
    };
    if matches {
        Ok(kind)
    } else {
        Err(ApiError::field("body", format!("is not a {kind} image")))
    }
}

/// `PUT /v1/settings/logo`: a PNG, JPEG or SVG of at most 512 KiB.
async fn put_logo(
    State(state): State<AppState>,
    vendor: VendorKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    let body = read_body(body)?;
    let kind = logo_type(&media_type(&headers), &body)?;
    state
        .store
        .put_logo(&vendor.organisation.id, kind, &body, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_logo(
    State(state): State<AppState>,
    vendor: VendorKey,
) -> Result<StatusCode, ApiError> {
    removed(state.store.delete_logo(&vendor.organisation.id).await?)
}

/// `GET /branding/{organisation}/logo`: public, because the portal page shows it. An SVG
/// is served so that no script in it can run, even when opened on its own.
async fn get_public_logo(
    State(state): State<AppState>,
    Path(organisation): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let logo = state
        .store
        .get_logo(&organisation)
        .await?
        .ok_or(ApiError::NotFound)?;
    let etag = format!("\"{:x}\"", Sha256::digest(&logo.content));
    let cache = HeaderValue::from_static("public, max-age=86400");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mut response = logo.content.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&logo.content_type).map_err(|e| ApiError::Internal(e.into()))?,
    );
    h.insert(header::CACHE_CONTROL, cache);
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).map_err(|e| ApiError::Internal(e.into()))?,
    );
    if logo.content_type == "image/svg+xml" {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        );
    }
    Ok(response)
}
