//! Dates and times as the browser reads them from the API: `2026-11-30` and RFC 3339
//! timestamps (`2026-11-30T08:00:00Z`), the forms the server writes. Read by hand rather
//! than by chrono's general parser, whose code is a tenth of what a link's landing page
//! would otherwise download for its dates. The server reads what vendors send with
//! chrono's own (`cfg_attr(feature = "hydrate", …)` on the fields).

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{de::Error, Deserialize, Deserializer};

/// The number written with exactly these digits.
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(digits(&text[..4])?).ok()?,
        digits(&text[5..7])?,
        digits(&text[8..])?,
    )
}

/// `YYYY-MM-DDTHH:MM:SS`, then optionally a fraction of a second, then `Z` or an offset
/// (`+HH:MM`, `-HH:MM`).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let date = parse_date(text.get(..10)?)?;
    let rest = text.get(10..)?;
    let bytes = rest.as_bytes();
    if bytes.len() < 10
        || !matches!(bytes[0], b'T' | b't' | b' ')
        || bytes[3] != b':'
        || bytes[6] != b':'
    {
        return None;
    }
    let (hour, minute, second) = (
        digits(&rest[1..3])?,
        digits(&rest[4..6])?,
        digits(&rest[7..9])?,
    );
    let mut rest = &rest[9..];
    let mut nanos = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 {
            return None;
        }
        // Nanoseconds: the first nine digits, padded.
        let kept = &fraction[..length.min(9)];
        nanos = digits(kept)? * 10u32.pow(9 - kept.len() as u32);
        rest = &fraction[length..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let bytes = rest.as_bytes();
            if bytes.len() != 6 || bytes[3] != b':' {
                return None;
            }
            let sign = match bytes[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            sign * (i64::from(digits(&rest[1..3])?) * 3600 + i64::from(digits(&rest[4..])?) * 60)
        }
    };
    let local = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = local.checked_sub_signed(TimeDelta::try_seconds(offset)?)?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

fn read<'de, D, T>(deserializer: D, parse: fn(&str) -> Option<T>, what: &str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = Cow::<str>::deserialize(deserializer)?;
    parse(&text).ok_or_else(|| D::Error::custom(format!("{text:?} is not {what}")))
}

fn read_option<'de, D, T>(
    deserializer: D,
    parse: fn(&str) -> Option<T>,
    what: &str,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    match Option::<Cow<str>>::deserialize(deserializer)? {
        Some(text) => parse(&text)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("{text:?} is not {what}"))),
        None => Ok(None),
    }
}

/// A date field.
pub fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    read(deserializer, parse_date, "a date")
}

/// A date field that may be `null` or missing (with `#[serde(default)]`).
pub fn opt_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    read_option(deserializer, parse_date, "a date")
}

/// A timestamp field.
pub fn time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    read(deserializer, parse_time, "a timestamp")
}

/// A timestamp field that may be `null` or missing (with `#[serde(default)]`).
pub fn opt_time<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    read_option(deserializer, parse_time, "a timestamp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_chrono_reads_them() {
        for text in ["2026-11-30", "2024-02-29", "0001-01-01", "9999-12-31"] {
            assert_eq!(parse_date(text), text.parse::<NaiveDate>().ok(), "{text}");
        }
        for text in [
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "+026-11-30",
            "2026/11/30",
            "2026-11-30T00:00:00Z",
            "",
            "2026-11-3x",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn timestamps_read_as_chrono_reads_them() {
        for text in [
            "2026-11-30T08:00:00Z",
            "2026-11-30T08:00:00.5Z",
            "2026-11-30T08:00:00.123456789Z",
            "2026-11-30T08:00:00.1234567891Z",
            "2026-11-30T23:30:00-02:00",
            "2026-01-01T00:15:00+05:30",
            "2026-11-30 08:00:00Z",
        ] {
            let chrono = text.parse::<DateTime<Utc>>().ok();
            assert!(chrono.is_some(), "{text}");
            assert_eq!(parse_time(text), chrono, "{text}");
        }
        for text in [
            "2026-11-30T08:00:00",
            "2026-11-30T08:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T08:00:00.Z",
            "2026-11-30T08:00:00+0200",
            "2026-11-31T08:00:00Z",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
    }

    #[test]
    fn what_the_server_writes_is_read_back() {
        let now = "2026-12-08T01:02:03.456789Z"
            .parse::<DateTime<Utc>>()
            .unwrap();
        let written = serde_json::to_string(&now).unwrap();
        let read: DateTime<Utc> = time(&mut serde_json::Deserializer::from_str(&written)).unwrap();
        assert_eq!(read, now);
        let day = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let written = serde_json::to_string(&day).unwrap();
        assert_eq!(
            date(&mut serde_json::Deserializer::from_str(&written)).unwrap(),
            day
        );
        let none: Option<NaiveDate> =
            opt_date(&mut serde_json::Deserializer::from_str("null")).unwrap();
        assert_eq!(none, None);
        let bad = time(&mut serde_json::Deserializer::from_str("\"yesterday\""));
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("\"yesterday\" is not a timestamp"));
    }
}
