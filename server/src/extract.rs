//! A JSON body extractor whose every rejection is our error body and names the field.

use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The request's media type (`application/json` of `application/json; charset=utf-8`),
/// in lower case, or an empty string.
pub fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// A body read with a size limit, its failures in our error shape.
pub fn read_body(
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest("The request body could not be read.".into())
        }
    })
}

/// Like `axum::Json`, but malformed bodies answer `{"error": …}`: 400 for text that is
/// not JSON, 415 for another content type, 413 for an oversized body, and 422 naming the
/// field for JSON of the wrong shape.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest("The request body could not be read.".into())
                }
            })?;
        parse_object(&bytes).map(ApiJson)
    }
}

/// A JSON body read into `T`, which must be an object: every body this API takes is one,
/// and serde would also read a struct from an array, so `[]` is refused here.
pub fn parse_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
    {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    parse_json(bytes)
}

/// Like `axum::extract::Query`, but a malformed query string answers our error body,
/// naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded_parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| {
                let field = error.path().to_string();
                let message = error.into_inner().to_string();
                ApiError::field(if field == "." { "query".into() } else { field }, message)
            })
    }
}

fn form_urlencoded_parse(input: &[u8]) -> url::form_urlencoded::Parse<'_> {
    url::form_urlencoded::parse(input)
}

/// Parses JSON, turning serde's errors into field-naming API errors. As in JSON Schema, a
/// number with no fraction (`2.0`, `1e3`) is an integer.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize(&mut deserializer).map_err(field_error);
    let value = match parsed {
        Ok(value) => value,
        Err(error) => {
            // Read again with whole floats made integers, if there are any.
            let Ok(mut tree) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                return Err(error);
            };
            if !whole_floats_to_integers(&mut tree) {
                return Err(error);
            }
            return serde_path_to_error::deserialize(tree).map_err(field_error);
        }
    };
    deserializer
        .end()
        .map_err(|_| ApiError::BadRequest("The body has data after the JSON value.".into()))?;
    Ok(value)
}

/// Replaces every float without a fraction, within the 64-bit range, by that integer;
/// whether there was one.
fn whole_floats_to_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // Only where floats hold every integer exactly: a literal too large for 64
            // bits also reads as a float, and must not be rounded into range.
            const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
            if f.fract() == 0.0 && f.abs() < EXACT {
                *value = Value::from(f as i64);
                true
            } else {
                false
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, item| whole_floats_to_integers(item) | any),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |any, item| whole_floats_to_integers(item) | any),
        _ => false,
    }
}

fn field_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::BadRequest(format!(
                "The body is not valid JSON (line {}, column {}).",
                inner.line(),
                inner.column()
            ));
        }
        let message = strip_position(&inner.to_string());
        // serde reports a missing field at its parent's path; name the field itself.
        let field = match missing_field(&message) {
            Some(name) if path == "." => name.to_owned(),
            Some(name) => format!("{path}.{name}"),
            None if path == "." => "body".to_owned(),
            None => path,
        };
        ApiError::field(field, message)
    }
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// serde_json appends " at line L column C"; the field name says more to an API user.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        name: String,
        lines: Vec<Line>,
    }

    #[derive(Debug, Deserialize)]
    struct Line {
        amount: i64,
    }

    fn field_of(error: ApiError) -> (String, String) {
        match error {
            ApiError::Validation(fields) => (fields[0].field.clone(), fields[0].message.clone()),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn well_formed_bodies_parse() {
        let body: Body =
            parse_json(r#"{"name":"Zoë","lines":[{"amount":-5}]}"#.as_bytes()).unwrap();
        assert_eq!(body.name, "Zoë");
        assert_eq!(body.lines[0].amount, -5);
    }

    #[test]
    fn wrong_shapes_name_the_field() {
        let (field, message) = field_of(parse_json::<Body>(br#"{"lines":[]}"#).unwrap_err());
        assert_eq!(field, "name");
        assert_eq!(message, "missing field `name`");

        let body = br#"{"name":"a","lines":[{"amount":1},{"amount":"x"}]}"#;
        let (field, message) = field_of(parse_json::<Body>(body).unwrap_err());
        assert_eq!(field, "lines[1].amount");
        assert!(message.starts_with("invalid type"), "{message}");

        let (field, _) = field_of(parse_json::<Body>(br#"{"name":"a","lines":[{}]}"#).unwrap_err());
        assert_eq!(field, "lines[0].amount");
    }

    #[test]
    fn text_that_is_not_json_is_a_bad_request() {
        for body in [
            &b"{"[..],
            b"nope",
            b"",
            b"{\"name\":\"a\",\"lines\":[]} trailing",
        ] {
            assert!(
                matches!(parse_json::<Body>(body), Err(ApiError::BadRequest(_))),
                "{body:?}"
            );
        }
    }
}
