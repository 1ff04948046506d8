//! The one error type of the JSON APIs and its `{"error": {...}}` body.

use app::api::{ErrorBody, ErrorDetail, FieldError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::store::StoreError;

/// Everything a handler can answer with instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is well-formed JSON but some fields are wrong; each is named.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The body is not JSON of the expected shape.
    #[error("{0}")]
    BadRequest(String),
    /// Missing or invalid credentials; never says which part was wrong.
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// Nothing with this id exists for the caller (or it belongs to someone else).
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A link or session that cannot be used, with a code the portal UI explains.
    #[error("{code}")]
    Denied {
        status: StatusCode,
        code: &'static str,
        message: &'static str,
        return_url: Option<String>,
    },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    /// A long request stopped at a limit, with a message saying how far it got.
    #[error("{code}")]
    Stopped {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// The database cannot be reached right now (down, restarting, or every connection
    /// busy past the wait): a 503 the client may retry, never a hang.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected: logged in full, answered as a bare 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// How long a client should wait before retrying after [`ApiError::Unavailable`].
const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

impl ApiError {
    /// A validation error for one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
            code: Default::default(),
        }])
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Denied { status, .. } => *status,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Stopped { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Denied { code, .. } => code,
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Stopped { code, .. } => code,
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::Validation(_) => "Some fields are invalid.".into(),
            ApiError::BadRequest(m) | ApiError::Conflict(m) => m.clone(),
            ApiError::Stopped { message, .. } => message.clone(),
            ApiError::Unauthorized => "Missing or invalid credentials.".into(),
            ApiError::Forbidden => "This is not allowed.".into(),
            ApiError::NotFound => "Not found.".into(),
            ApiError::PayloadTooLarge => "The request body is too large.".into(),
            ApiError::UnsupportedMediaType => "This content type is not accepted here.".into(),
            ApiError::MethodNotAllowed => "This method is not allowed on this path.".into(),
            ApiError::Denied { message, .. } => (*message).into(),
            ApiError::RateLimited { .. } => "Too many requests; try again later.".into(),
            ApiError::Unavailable(_) => {
                "The service is briefly unavailable; try again in a few seconds.".into()
            }
            ApiError::Internal(_) => "Something went wrong on our side.".into(),
        }
    }
}

/// Link and session problems, each with the code the portal UI keys its message on.
impl ApiError {
    /// A valid API key whose scope does not cover the request.
    pub const INSUFFICIENT_SCOPE: ApiError = ApiError::Denied {
        status: StatusCode::FORBIDDEN,
        code: "insufficient_scope",
        message: "This API key's scope does not allow this request.",
        return_url: None,
    };
    pub const LINK_INVALID: ApiError = ApiError::Denied {
        status: StatusCode::UNAUTHORIZED,
        code: "link_invalid",
        message: "This portal link is not valid.",
        return_url: None,
    };
    pub const LINK_USED: ApiError = ApiError::Denied {
        status: StatusCode::GONE,
        code: "link_used",
        message: "This portal link has already been used.",
        return_url: None,
    };
    pub const LINK_EXPIRED: ApiError = ApiError::Denied {
        status: StatusCode::GONE,
        code: "link_expired",
        message: "This portal link has expired.",
        return_url: None,
    };
    pub const LINK_REVOKED: ApiError = ApiError::Denied {
        status: StatusCode::GONE,
        code: "link_revoked",
        message: "This portal link has been withdrawn.",
        return_url: None,
    };
    pub const SESSION_EXPIRED: ApiError = ApiError::Denied {
        status: StatusCode::UNAUTHORIZED,
        code: "session_expired",
        message: "Your portal session has ended.",
        return_url: None,
    };
}

impl ApiError {
    /// Adds the link's return URL to a link or session error.
    pub fn with_return_url(self, url: Option<String>) -> Self {
        match self {
            ApiError::Denied {
                status,
                code,
                message,
                ..
            } => ApiError::Denied {
                status,
                code,
                message,
                return_url: url,
            },
            other => other,
        }
    }
}

/// A removal's answer: `204` when there was something to remove, else `404`.
pub fn removed(found: bool) -> Result<StatusCode, ApiError> {
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            StoreError::Database(e) if crate::store::is_outage(&e) => {
                ApiError::Unavailable(e.to_string())
            }
            other => ApiError::Internal(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            // The full chain goes to the log; the client only ever sees the generic text.
            tracing::error!(error = ?self, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.message(),
                fields: match self {
                    ApiError::Validation(ref fields) => fields.clone(),
                    _ => Vec::new(),
                },
                return_url: match self {
                    ApiError::Denied { ref return_url, .. } => return_url.clone(),
                    _ => None,
                },
                request_id: crate::request_id::current(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        let retry_after = match self {
            ApiError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_a_503_to_retry_and_other_failures_stay_500() {
        for outage in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::ErrorKind::ConnectionRefused.into()),
        ] {
            let response = ApiError::from(StoreError::Database(outage)).into_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(response.headers()[header::RETRY_AFTER], "5");
        }
        let response =
            ApiError::from(StoreError::Database(sqlx::Error::RowNotFound)).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.headers().get(header::RETRY_AFTER).is_none());
    }
}
