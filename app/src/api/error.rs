use serde::{Deserialize, Serialize};

use super::rules::Problem;

/// The one error body every JSON endpoint answers with:
/// `{"error": {"code", "message", "fields"?}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// A human-readable sentence; never internal error text.
    pub message: String,
    /// Per-field problems, present on validation errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// Where to send the customer back, on link and session errors whose link is known
    /// (the vendor's validated return URL, never anything taken from the request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// The request's id, as in its `X-Request-Id` header: quote it when reporting a
    /// problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field: its JSON path (e.g. `lines[2].amount`) and why, in English and as a
/// code that a user interface can put in its own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
    #[serde(default)]
    pub code: Problem,
}
