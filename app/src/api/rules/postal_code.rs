//! Postal codes of the countries most customers bill from. Elsewhere any text is taken,
//! because a wrong refusal stops a customer who cannot do anything about it.

use super::tax_id::shaped;
use super::Problem;

/// Each country's postal code shapes, as [`shaped`] reads them, after spaces and dashes
/// are taken out; the first is how the country writes one, for examples.
const SHAPES: &[(&str, &[&str], &str)] = &[
    ("AT", &["####"], "1010"),
    ("AU", &["####"], "2000"),
    ("BE", &["####"], "1000"),
    ("BR", &["########"], "01310-100"),
    ("CA", &["@#@#@#"], "K1A 0B1"),
    ("CH", &["####"], "8001"),
    ("CZ", &["#####"], "110 00"),
    ("DE", &["#####"], "10115"),
    ("DK", &["####"], "1050"),
    ("ES", &["#####"], "28001"),
    ("FI", &["#####"], "00100"),
    ("FR", &["#####"], "75001"),
    (
        "GB",
        &["@##@@", "@###@@", "@@##@@", "@@###@@", "@#@#@@", "@@#@#@@"],
        "SW1A 1AA",
    ),
    ("IE", &["@#*****"], "D02 X285"),
    ("IN", &["######"], "110001"),
    ("IT", &["#####"], "00118"),
    ("JP", &["#######"], "100-0001"),
    ("LU", &["####"], "1009"),
    ("NL", &["####@@"], "1011 AB"),
    ("NO", &["####"], "0150"),
    ("NZ", &["####"], "6011"),
    ("PL", &["#####"], "00-950"),
    ("PT", &["#######"], "1000-001"),
    ("SE", &["#####"], "111 22"),
    ("SK", &["#####"], "811 01"),
    ("US", &["#####", "#########"], "94105"),
];

/// Checks a postal code against its country's format, where Portico knows it; the code
/// may be typed in either case, with or without its usual space or dash.
pub fn postal_code(country: Option<&str>, value: &str) -> Result<(), Problem> {
    let Some((_, shapes, _)) = country.and_then(known) else {
        return Ok(());
    };
    let compact: String = value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let special = match country {
        // The Netherlands' codes do not start with 0; Girobank's is Britain's one oddity.
        Some("NL") => compact.starts_with('0'),
        Some("GB") if compact == "GIR0AA" => return Ok(()),
        _ => false,
    };
    let ok = !special && shapes.iter().any(|s| shaped(&compact, s));
    ok.then_some(()).ok_or(Problem::PostalCode)
}

/// A postal code of `country` as people write one, for the sentence that says a value is
/// not one.
pub fn postal_code_example(country: &str) -> Option<&'static str> {
    known(country).map(|(_, _, example)| *example)
}

fn known(country: &str) -> Option<&'static (&'static str, &'static [&'static str], &'static str)> {
    let country = country.trim().to_ascii_uppercase();
    SHAPES.iter().find(|(c, _, _)| *c == country)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_a_postal_code_of_its_country() {
        for (country, _, example) in SHAPES {
            assert_eq!(postal_code(Some(country), example), Ok(()), "{country}");
        }
    }

    #[test]
    fn main_countries_are_checked_and_others_are_free() {
        for (country, good) in [
            ("US", "94105-1234"),
            ("GB", "ec1a1bb"),
            ("GB", "W1A 0AX"),
            ("GB", "GIR 0AA"),
            ("CA", "k1a0b1"),
            ("NL", "1011ab"),
            ("PT", "1000 001"),
            ("de", "10115"),
        ] {
            assert_eq!(postal_code(Some(country), good), Ok(()), "{country} {good}");
        }
        for (country, bad) in [
            ("US", "9410"),
            ("DE", "1011"),
            ("DE", "1O115"),
            ("GB", "12345"),
            ("CA", "K1A 0B"),
            ("NL", "0123 AB"),
            ("FR", "75 001 1"),
        ] {
            assert_eq!(
                postal_code(Some(country), bad),
                Err(Problem::PostalCode),
                "{country} {bad}"
            );
        }
        assert_eq!(postal_code(Some("KY"), "KY1-1102"), Ok(()));
        assert_eq!(postal_code(None, "anything at all"), Ok(()));
        assert_eq!(postal_code_example("gb"), Some("SW1A 1AA"));
        assert_eq!(postal_code_example("KY"), None);
    }
}
