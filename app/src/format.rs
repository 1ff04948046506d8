//! Formatting money and dates for people.

use chrono::NaiveDate;

/// How many minor-unit digits an ISO 4217 currency has (JPY 0, KWD 3, most 2).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// An amount in minor units as `€1,234.56`, `$49.00` or `CHF 12.50`; negative amounts
/// get a leading minus sign.
pub fn money(amount: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let scale = 10u128.pow(digits);
    let magnitude = amount.unsigned_abs() as u128;
    let whole = group_thousands(&(magnitude / scale).to_string());
    let number = if digits == 0 {
        whole
    } else {
        format!(
            "{whole}.{:0width$}",
            magnitude % scale,
            width = digits as usize
        )
    };
    let sign = if amount < 0 { "−" } else { "" };
    match currency {
        "EUR" => format!("{sign}€{number}"),
        "USD" => format!("{sign}${number}"),
        "GBP" => format!("{sign}£{number}"),
        other => format!("{sign}{other} {number}"),
    }
}

/// A count with thousands separators: `1,284,511`.
pub fn number(value: i64) -> String {
    let grouped = group_thousands(&value.unsigned_abs().to_string());
    if value < 0 {
        format!("−{grouped}")
    } else {
        grouped
    }
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A calendar date as `31 Jan 2026`.
pub fn date(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_uses_the_currency_exponent_and_never_floats() {
        assert_eq!(money(123_456, "EUR"), "€1,234.56");
        assert_eq!(money(4_900, "USD"), "$49.00");
        assert_eq!(money(5, "GBP"), "£0.05");
        assert_eq!(money(1_500, "JPY"), "JPY 1,500");
        assert_eq!(money(1_234, "KWD"), "KWD 1.234");
        assert_eq!(money(-5_000, "EUR"), "−€50.00");
        assert_eq!(money(0, "CHF"), "CHF 0.00");
        assert_eq!(money(i64::MAX, "EUR"), "€92,233,720,368,547,758.07");
        assert_eq!(money(i64::MIN, "USD"), "−$92,233,720,368,547,758.08");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(number(734_210), "734,210");
        assert_eq!(number(999), "999");
        assert_eq!(number(-1_000), "−1,000");
    }

    #[test]
    fn dates_read_naturally() {
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()),
            "5 Jan 2026"
        );
    }
}
