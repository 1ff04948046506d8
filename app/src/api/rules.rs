//! Field rules that the browser and the server both apply, so that the profile form and
//! the API refuse the same values for the same reasons.

use serde::{Deserialize, Serialize};

mod postal_code;
mod tax_id;

pub use postal_code::{postal_code, postal_code_example};
pub use tax_id::{
    tax_id, tax_id_example, tax_id_kind, OTHER_TAX_ID, TAX_IDS_MAX, TAX_ID_KINDS, TAX_ID_MAX,
};

/// Why a field's value is refused. The API sends it as each field error's `code`; the
/// portal shows its own sentence for it in the customer's language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Blank where a value is needed.
    Required,
    /// Longer than the field allows.
    TooLong,
    /// Holds control characters (newlines aside).
    ControlCharacter,
    /// Not an email address.
    Email,
    /// Not a phone number.
    Phone,
    /// Not an ISO 3166-1 alpha-2 country code.
    Country,
    /// Not a tax ID of its kind: wrong format or check digit.
    TaxId,
    /// Not a postal code of the address's country.
    PostalCode,
    /// The same value twice where each must be different.
    Duplicate,
    /// Any other rule; the message says which.
    #[default]
    Invalid,
}

/// Text: not blank, at most `max` characters, no control characters but newlines.
pub fn text(value: &str, max: usize) -> Result<(), Problem> {
    if value.trim().is_empty() {
        Err(Problem::Required)
    } else if value.chars().count() > max {
        Err(Problem::TooLong)
    } else if value.chars().any(|c| c.is_control() && c != '\n') {
        Err(Problem::ControlCharacter)
    } else {
        Ok(())
    }
}

/// An email address: one `@` with something before it, a dotted domain after it, no
/// white space or control characters, at most 254 characters.
pub fn email(value: &str) -> Result<(), Problem> {
    let ok = value.chars().count() <= 254
        && !value.contains(|c: char| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    ok.then_some(()).ok_or(Problem::Email)
}

/// A phone number as people write one: at least five digits, and only digits, spaces and
/// `+ - ( ) . /`.
pub fn phone(value: &str) -> Result<(), Problem> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    (allowed && digits >= 5).then_some(()).ok_or(Problem::Phone)
}

/// An ISO 3166-1 alpha-2 code in upper case, such as `DE`.
pub fn country(value: &str) -> Result<(), Problem> {
    let ok = value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase());
    ok.then_some(()).ok_or(Problem::Country)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_refuses_blank_long_and_control_characters() {
        assert_eq!(text("  ", 10), Err(Problem::Required));
        assert_eq!(text("Ünïcödé ✓", 9), Ok(()));
        assert_eq!(text("Ünïcödé ✓!", 9), Err(Problem::TooLong));
        assert_eq!(text("a\u{7}b", 9), Err(Problem::ControlCharacter));
        assert_eq!(text("two\nlines", 9), Ok(()));
    }

    #[test]
    fn email_phone_and_country() {
        assert_eq!(email("billing@example.com"), Ok(()));
        for bad in [
            "",
            "a@b",
            "@example.com",
            "a@@example.com",
            "a b@example.com",
        ] {
            assert_eq!(email(bad), Err(Problem::Email), "{bad}");
        }
        assert_eq!(
            email(&format!("{}@example.com", "a".repeat(250))),
            Err(Problem::Email)
        );
        assert_eq!(phone("+49 (30) 1234-56"), Ok(()));
        assert_eq!(phone("1234"), Err(Problem::Phone));
        assert_eq!(phone("call 12345"), Err(Problem::Phone));
        assert_eq!(country("DE"), Ok(()));
        for bad in ["de", "DEU", "D1", ""] {
            assert_eq!(country(bad), Err(Problem::Country), "{bad}");
        }
    }

    #[test]
    fn problems_travel_as_snake_case_codes() {
        assert_eq!(
            serde_json::to_string(&Problem::ControlCharacter).unwrap(),
            "\"control_character\""
        );
    }
}
