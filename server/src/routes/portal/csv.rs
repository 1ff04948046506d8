//! CSV writing for the exports: RFC 4180 lines, amounts as plain decimals, and the
//! download's headers.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Minor units as a plain decimal (`1234.50`), which spreadsheets read in any locale's
/// import dialog; the currency has its own column.
pub(super) fn decimal(amount: i64, currency: &str) -> String {
    let digits = app::format::minor_digits(currency);
    if digits == 0 {
        return amount.to_string();
    }
    let scale = 10u64.pow(digits);
    let magnitude = amount.unsigned_abs();
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = digits as usize
    )
}

/// One CSV line (RFC 4180). Text that a spreadsheet would run as a formula gets a leading
/// apostrophe: vendor-supplied numbers and methods are not trusted.
pub(super) fn csv_row(fields: &[&str]) -> String {
    let cells: Vec<String> = fields
        .iter()
        .map(|field| {
            let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r'])
                && field.parse::<f64>().is_err()
            {
                format!("'{field}")
            } else {
                (*field).to_owned()
            };
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect();
    format!("{}\r\n", cells.join(","))
}

pub(super) fn csv_response(body: String, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(
            csv_row(&["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            csv_row(&["=HYPERLINK(1)", "-12.50", "@x"]),
            "'=HYPERLINK(1),-12.50,'@x\r\n"
        );
        assert_eq!(decimal(123_456, "EUR"), "1234.56");
        assert_eq!(decimal(-5, "USD"), "-0.05");
        assert_eq!(decimal(1500, "JPY"), "1500");
        assert_eq!(decimal(1234, "KWD"), "1.234");
    }
}
