//! Every request's id: taken from a trustworthy-looking `X-Request-Id` the client or a
//! proxy sent, else made here. It is in the request's log span, in the `X-Request-Id`
//! answer header and in every error body, so that a customer's screenshot of an error,
//! a vendor's log line and ours can be matched.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id kept from a request; longer ones are replaced.
const MAX_LEN: usize = 128;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being answered, where there is one (not in background tasks).
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// An id from the request is kept only if it is short and plain (letters, digits and
/// `-_.:/+=`), so that nobody can write markup or control characters into our logs.
fn acceptable(value: &HeaderValue) -> Option<&str> {
    let text = value.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.:/+=".contains(c);
    (!text.is_empty() && text.len() <= MAX_LEN && text.chars().all(plain)).then_some(text)
}

/// The outermost layer: settles the id, puts it on the request (where the log span reads
/// it) and on the answer, and makes it [`current`] while the request is handled.
pub async fn layer(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&HEADER)
        .and_then(acceptable)
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let value = HeaderValue::from_str(&id).expect("a checked or generated id is a header value");
    request.headers_mut().insert(HEADER.clone(), value.clone());
    let mut response = CURRENT.scope(id, next.run(request)).await;
    response.headers_mut().insert(HEADER.clone(), value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        let ok = |s: &str| acceptable(&HeaderValue::from_str(s).unwrap()).is_some();
        assert!(ok("req-42"));
        assert!(ok("01J9Z3:abc/def+g=="));
        assert!(!ok(""));
        assert!(!ok("<script>"));
        assert!(!ok("two words"));
        assert!(!ok(&"a".repeat(MAX_LEN + 1)));
        assert!(ok(&"a".repeat(MAX_LEN)));
    }
}
