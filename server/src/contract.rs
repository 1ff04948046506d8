//! The rules of the API's fields in one place: the validation checks values against them
//! and the OpenAPI document states them, so that a request the document allows is
//! accepted and one it forbids is refused.
//!
//! Patterns use only what ECMA-262 and Rust's `regex` read alike (classes, groups,
//! repetition and `\uXXXX` escapes), and are matched against the whole value.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{json, Value};

/// The characters Rust's `char::is_control` matches (Unicode `Cc`).
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// The characters `char::is_whitespace` matches that are not control characters.
const SPACE: &str = r"\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Text as [`app::api::rules::text`] takes it: something other than white space, and no
/// control characters but newlines.
pub static TEXT_PATTERN: LazyLock<String> = LazyLock::new(|| format!("^{}$", text_core()));

/// A vendor's id of a record: no white space, control characters or slashes.
pub static EXTERNAL_ID_PATTERN: LazyLock<String> =
    LazyLock::new(|| format!("^[^{CONTROL}{SPACE}/]+$"));

/// An email address as [`app::api::rules::email`] takes it: one `@` with something
/// before it and a dot after it, and no white space or control characters.
pub static EMAIL_PATTERN: LazyLock<String> = LazyLock::new(|| format!("^{}$", email_core()));

/// A host: a DNS name whose last label starts with a letter, or a dotted IPv4 address.
const HOST: &str = r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))";
/// A port from 1 to 65535.
const PORT: &str = r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?";
/// One character of a path, query or fragment: RFC 3986's unreserved and sub-delimiters,
/// `:` and `@`, or a percent-encoded byte.
const URL_CHAR: &str = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";

/// `http` or `https`, in any case, and `://`.
const SCHEME: &str = "[Hh][Tt][Tt][Pp][Ss]?://";

/// An absolute http(s) URL, written in ASCII (anything else percent-encoded), with a
/// DNS name or IPv4 address and no user name or password.
pub static URL_PATTERN: LazyLock<String> =
    LazyLock::new(|| format!("^{SCHEME}{HOST}{PORT}{}", *URL_REST));

/// What follows an absolute URL's host and port: path, query and fragment, to the end.
static URL_REST: LazyLock<String> = LazyLock::new(|| {
    format!("(?:/(?:{URL_CHAR}|/)*)?(?:\\?(?:{URL_CHAR}|[/?])*)?(?:#(?:{URL_CHAR}|[/?])*)?$")
});

/// A payment method's setup page as the vendor writes it: a [`PAYMENT_URL_PATTERN`] URL in
/// whose path, query and fragment `{customer_id}` and `{return_url}` may stand.
pub static SETUP_URL_PATTERN: LazyLock<String> = LazyLock::new(|| {
    let char = format!("(?:{URL_CHAR}|\\{{customer_id\\}}|\\{{return_url\\}})");
    format!(
        "^(?:[Hh][Tt][Tt][Pp][Ss]://{HOST}|[Hh][Tt][Tt][Pp]://(?:[Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt]|127\\.0\\.0\\.1)){PORT}(?:/(?:{char}|/)*)?(?:\\?(?:{char}|[/?])*)?(?:#(?:{char}|[/?])*)?$"
    )
});

/// A page where the customer pays: an https URL as [`URL_PATTERN`] takes it, or plain
/// http on the developer's own machine (`localhost`, `127.0.0.1`), which browsers treat
/// as secure.
pub static PAYMENT_URL_PATTERN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "^(?:[Hh][Tt][Tt][Pp][Ss]://{HOST}|[Hh][Tt][Tt][Pp]://(?:[Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt]|127\\.0\\.0\\.1)){PORT}{}",
        *URL_REST
    )
});

/// A webhook endpoint: an https URL as [`URL_PATTERN`] takes it, without a fragment.
/// (Where its host may point is checked on the network, not in the text; see
/// [`crate::webhooks::guard`].)
pub static WEBHOOK_URL_PATTERN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "^[Hh][Tt][Tt][Pp][Ss]://{HOST}{PORT}(?:/(?:{URL_CHAR}|/)*)?(?:\\?(?:{URL_CHAR}|[/?])*)?$"
    )
});

/// An origin: scheme, host and optional port, with at most a bare `/` after them.
pub static ORIGIN_PATTERN: LazyLock<String> = LazyLock::new(|| format!("^{SCHEME}{HOST}{PORT}/?$"));

/// A day as `YYYY-MM-DD` (its calendar check is the date parser's).
pub static DATE: LazyLock<Regex> = LazyLock::new(|| compile("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"));

/// Rust's `char::is_whitespace`, which `str::trim` removes.
pub const WHITESPACE: &str =
    r"\u0009-\u000d\u0085\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// `core` (a pattern without anchors) with white space either side, as a form sends it
/// before the server trims it; `clearable` also takes white space alone (clearing it).
pub fn padded(core: &str, clearable: bool) -> String {
    let space = format!("[{WHITESPACE}]*");
    if clearable {
        format!("^(?:{space}|{space}(?:{core}){space})$")
    } else {
        format!("^{space}(?:{core}){space}$")
    }
}

/// The core of [`TEXT_PATTERN`], unanchored.
pub fn text_core() -> String {
    let allowed = r"[^\u0000-\u0009\u000b-\u001f\u007f-\u009f]";
    format!("{allowed}*[^{CONTROL}{SPACE}]{allowed}*")
}

/// The core of [`EMAIL_PATTERN`], unanchored.
pub fn email_core() -> String {
    let part = format!("[^{CONTROL}{SPACE}@]");
    format!("{part}+@{part}*\\.{part}*")
}

/// A phone number as [`app::api::rules::phone`] takes it: digits, spaces and `+-()./`,
/// at least five digits.
pub const PHONE_CORE: &str = r"[ +\-()./]*(?:[0-9][ +\-()./]*){5,}";

/// The longest URL taken anywhere.
pub const URL_MAX: usize = 2048;
/// The longest email address.
pub const EMAIL_MAX: usize = 254;
/// The longest vendor id of a record, in characters.
pub const EXTERNAL_ID_MAX: usize = 255;

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the contract's patterns are valid")
}

pub static URL: LazyLock<Regex> = LazyLock::new(|| compile(&URL_PATTERN));
pub static PAYMENT_URL: LazyLock<Regex> = LazyLock::new(|| compile(&PAYMENT_URL_PATTERN));
pub static SETUP_URL: LazyLock<Regex> = LazyLock::new(|| compile(&SETUP_URL_PATTERN));
pub static WEBHOOK_URL: LazyLock<Regex> = LazyLock::new(|| compile(&WEBHOOK_URL_PATTERN));
pub static ORIGIN: LazyLock<Regex> = LazyLock::new(|| compile(&ORIGIN_PATTERN));

/// The schema of text of at most `max` characters ([`TEXT_PATTERN`]).
pub fn text(max: usize) -> Value {
    json!({"minLength": 1, "maxLength": max, "pattern": *TEXT_PATTERN})
}

pub fn email() -> Value {
    json!({"maxLength": EMAIL_MAX, "pattern": *EMAIL_PATTERN})
}

pub fn url() -> Value {
    json!({"maxLength": URL_MAX, "pattern": *URL_PATTERN})
}

pub fn setup_url() -> Value {
    json!({"maxLength": URL_MAX, "pattern": *SETUP_URL_PATTERN})
}

pub fn payment_url() -> Value {
    json!({"maxLength": URL_MAX, "pattern": *PAYMENT_URL_PATTERN})
}

pub fn webhook_url() -> Value {
    json!({"maxLength": URL_MAX, "pattern": *WEBHOOK_URL_PATTERN})
}

/// An origin as [`origin`] takes it, https only: a payment provider's.
pub fn https_origin() -> Value {
    json!({"maxLength": URL_MAX, "pattern": format!("^[Hh][Tt][Tt][Pp][Ss]://{HOST}{PORT}/?$")})
}

pub fn origin() -> Value {
    json!({"maxLength": URL_MAX, "pattern": *ORIGIN_PATTERN})
}

pub fn external_id() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": EXTERNAL_ID_MAX, "pattern": *EXTERNAL_ID_PATTERN})
}

/// One of `values`.
pub fn one_of(values: &[&str]) -> Value {
    json!({ "enum": values })
}

/// A whole number from `min` to `max`.
pub fn range(min: i64, max: i64) -> Value {
    json!({"minimum": min, "maximum": max})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, value: &str) -> bool {
        compile(pattern).is_match(value)
    }

    #[test]
    fn text_pattern_agrees_with_the_text_rule() {
        for value in [
            "a",
            "  Zoë GmbH ",
            "two\nlines",
            "\u{3000}x",
            "日本",
            "x\u{a0}",
            " ",
            "\n",
            "\u{2003}",
            "a\u{7}b",
            "tab\there",
            "\u{85}x",
            "",
        ] {
            assert_eq!(
                matches(&TEXT_PATTERN, value),
                app::api::rules::text(value, 1000).is_ok(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn email_pattern_agrees_with_the_email_rule() {
        for value in [
            "billing@example.com",
            "a@b.c",
            "ü@ß.de",
            "a@.",
            "",
            "a@b",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
            "a@b.c\n",
            "a\u{1}@b.c",
        ] {
            assert_eq!(
                matches(&EMAIL_PATTERN, value),
                app::api::rules::email(value).is_ok(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn every_url_the_pattern_takes_parses_as_an_http_url() {
        for value in [
            "https://vendor.example",
            "http://127.0.0.1:3000/a/b?c=d&e#f",
            "https://x/%C3%BC?q=%20",
            "https://a-b.c-d.example:65535/",
        ] {
            assert!(URL.is_match(value), "{value}");
            let url = url::Url::parse(value).unwrap();
            assert!(url.host().is_some() && url.username().is_empty());
        }
        for value in [
            "javascript:alert(1)",
            "https://999.1.1.1/",
            "https://user:pw@x.example/",
            "https://x.example:0/",
            "https://x.example/a b",
            "https://-x.example/",
            "https://x.example/%zz",
            "ftp://x.example/",
        ] {
            assert!(!URL.is_match(value), "{value}");
        }
        assert!(WEBHOOK_URL.is_match("https://hooks.vendor.example:8443/a?b=c"));
        for value in [
            "http://hooks.vendor.example/",
            "https://hooks.vendor.example/#x",
        ] {
            assert!(!WEBHOOK_URL.is_match(value), "{value}");
        }
        assert!(ORIGIN.is_match("https://vendor.example"));
        assert!(ORIGIN.is_match("http://localhost:8080/"));
        assert!(!ORIGIN.is_match("https://vendor.example/path"));
    }
}
