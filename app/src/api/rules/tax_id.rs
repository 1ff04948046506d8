//! Tax registration numbers: the formats of the main kinds, and the check digits where a
//! kind has them, so that a typing mistake is caught while the customer is still there.

use super::Problem;

/// The kinds whose format Portico checks, in the order the portal offers them. Any other
/// kind (such as `no_vat` or `in_gst`) is taken as free text.
pub const TAX_ID_KINDS: &[&str] = &["eu_vat", "gb_vat", "ch_uid", "us_ein", "au_abn", "ca_bn"];

/// The kind a customer picks when theirs is none of [`TAX_ID_KINDS`].
pub const OTHER_TAX_ID: &str = "other";

/// The longest a tax ID's value may be, in characters.
pub const TAX_ID_MAX: usize = 50;

/// How many tax IDs one customer may have.
pub const TAX_IDS_MAX: usize = 10;

/// A kind's name: lower case letters, digits and `_`, starting with a letter, 2 to 32
/// characters (`eu_vat`, `no_vat`).
pub fn tax_id_kind(kind: &str) -> Result<(), Problem> {
    let ok = (2..=32).contains(&kind.len())
        && kind.starts_with(|c: char| c.is_ascii_lowercase())
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(()).ok_or(Problem::Invalid)
}

/// Checks `value` as a tax ID of `kind` and gives it in its usual written form: upper
/// case, and with the separators the issuing office prints (`CHE-123.456.789 MWST`,
/// `12-3456789`, `51 824 753 556`) or none (`DE123456789`). Customers may type spaces,
/// dots and dashes anywhere. A kind Portico does not know keeps its text, trimmed.
pub fn tax_id(kind: &str, value: &str) -> Result<String, Problem> {
    // The length counts what was sent, white space around it included.
    if value.chars().count() > TAX_ID_MAX {
        return Err(Problem::TooLong);
    }
    let trimmed = value.trim();
    super::text(trimmed, TAX_ID_MAX)?;
    if !TAX_ID_KINDS.contains(&kind) {
        return Ok(trimmed.to_owned());
    }
    let compact: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let written = match kind {
        "eu_vat" => eu_vat(&compact),
        "gb_vat" => {
            gb_vat(compact.strip_prefix("GB").unwrap_or(&compact)).map(|v| format!("GB{v}"))
        }
        "ch_uid" => ch_uid(&compact),
        "us_ein" => us_ein(&compact),
        "au_abn" => au_abn(&compact),
        "ca_bn" => ca_bn(&compact),
        _ => None,
    };
    written.ok_or(Problem::TaxId)
}

/// A well-formed example of `kind`, for the sentence that says a value is not one.
pub fn tax_id_example(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "eu_vat" => "DE123456789",
        "gb_vat" => "GB123456782",
        "ch_uid" => "CHE-123.456.788 MWST",
        "us_ein" => "12-3456789",
        "au_abn" => "51 824 753 556",
        "ca_bn" => "123456782RT0001",
        _ => return None,
    })
}

/// Whether `value` has the shape of `pattern`: `#` a digit, `@` a letter, `*` either, any
/// other character itself.
pub(super) fn shaped(value: &str, pattern: &str) -> bool {
    value.len() == pattern.len()
        && value.bytes().zip(pattern.bytes()).all(|(v, p)| match p {
            b'#' => v.is_ascii_digit(),
            b'@' => v.is_ascii_uppercase(),
            b'*' => v.is_ascii_uppercase() || v.is_ascii_digit(),
            _ => v == p,
        })
}

fn digits(value: &str) -> Vec<u32> {
    value.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// What follows each EU member state's prefix (Greece's is `EL`; `XI` is Northern Ireland,
/// which keeps the United Kingdom's numbers).
const EU_VAT: &[(&str, &[&str])] = &[
    ("AT", &["U########"]),
    ("BE", &["0#########", "1#########"]),
    ("BG", &["#########", "##########"]),
    ("CY", &["########@"]),
    ("CZ", &["########", "#########", "##########"]),
    ("DE", &["#########"]),
    ("DK", &["########"]),
    ("EE", &["#########"]),
    ("EL", &["#########"]),
    ("ES", &["*#######*"]),
    ("FI", &["########"]),
    ("FR", &["**#########"]),
    ("HR", &["###########"]),
    ("HU", &["########"]),
    (
        "IE",
        &["#######@", "#######@@", "#@#####@", "#+#####@", "#*#####@"],
    ),
    ("IT", &["###########"]),
    ("LT", &["#########", "############"]),
    ("LU", &["########"]),
    ("LV", &["###########"]),
    ("MT", &["########"]),
    ("NL", &["#########B##"]),
    ("PL", &["##########"]),
    ("PT", &["#########"]),
    (
        "RO",
        &[
            "##",
            "###",
            "####",
            "#####",
            "######",
            "#######",
            "########",
            "#########",
            "##########",
        ],
    ),
    ("SE", &["##########01"]),
    ("SI", &["########"]),
    ("SK", &["##########"]),
];

fn eu_vat(compact: &str) -> Option<String> {
    // Greek numbers are often typed with the country's ISO code.
    let compact = match compact.strip_prefix("GR") {
        Some(rest) => format!("EL{rest}"),
        None => compact.to_owned(),
    };
    let (prefix, rest) = compact.split_at_checked(2)?;
    if prefix == "XI" {
        return gb_vat(rest).map(|v| format!("XI{v}"));
    }
    let (_, patterns) = EU_VAT.iter().find(|(p, _)| *p == prefix)?;
    patterns.iter().any(|p| shaped(rest, p)).then_some(compact)
}

/// A United Kingdom VAT number without its `GB`: nine digits with HMRC's check (or twelve,
/// for a branch), or a government department's `GD` / health authority's `HA` number.
fn gb_vat(rest: &str) -> Option<String> {
    let ok = if shaped(rest, "GD###") {
        rest[2..].parse::<u32>().is_ok_and(|n| n < 500)
    } else if shaped(rest, "HA###") {
        rest[2..].parse::<u32>().is_ok_and(|n| n >= 500)
    } else if shaped(rest, "#########") || shaped(rest, "############") {
        let d = digits(&rest[..9]);
        let weighted: u32 = d[..7].iter().zip((2..=8).rev()).map(|(d, w)| d * w).sum();
        let total = weighted + d[7] * 10 + d[8];
        total.is_multiple_of(97) || (total + 55).is_multiple_of(97)
    } else {
        false
    };
    ok.then(|| rest.to_owned())
}

/// A Swiss UID, `CHE` and nine digits with a mod-11 check digit, and optionally the VAT
/// register's suffix.
fn ch_uid(compact: &str) -> Option<String> {
    let rest = compact.strip_prefix("CHE")?;
    let (number, suffix) = rest.split_at_checked(9)?;
    if !shaped(number, "#########") || !matches!(suffix, "" | "MWST" | "TVA" | "IVA") {
        return None;
    }
    let d = digits(number);
    let sum: u32 = d[..8]
        .iter()
        .zip([5, 4, 3, 2, 7, 6, 5, 4])
        .map(|(d, w)| d * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    (check == d[8]).then(|| {
        let written = format!("CHE-{}.{}.{}", &number[..3], &number[3..6], &number[6..]);
        if suffix.is_empty() {
            written
        } else {
            format!("{written} {suffix}")
        }
    })
}

/// A US employer identification number: nine digits whose first two are a prefix the IRS
/// assigns.
fn us_ein(compact: &str) -> Option<String> {
    if !shaped(compact, "#########") {
        return None;
    }
    let prefix: u32 = compact[..2].parse().ok()?;
    let assigned = matches!(prefix, 1..=6 | 10..=16 | 20..=27 | 30..=48 | 50..=68 | 71..=77 | 80..=88 | 90..=95 | 98 | 99);
    assigned.then(|| format!("{}-{}", &compact[..2], &compact[2..]))
}

/// An Australian business number: eleven digits with the tax office's mod-89 check.
fn au_abn(compact: &str) -> Option<String> {
    if !shaped(compact, "###########") || compact.starts_with('0') {
        return None;
    }
    let mut d = digits(compact);
    d[0] -= 1;
    let sum: u32 = d
        .iter()
        .zip([10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
        .map(|(d, w)| d * w)
        .sum();
    sum.is_multiple_of(89).then(|| {
        format!(
            "{} {} {} {}",
            &compact[..2],
            &compact[2..5],
            &compact[5..8],
            &compact[8..]
        )
    })
}

/// A Canadian business number: nine digits with a Luhn check digit, optionally followed by
/// a program account such as `RT0001`.
fn ca_bn(compact: &str) -> Option<String> {
    let (number, account) = compact.split_at_checked(9)?;
    if !shaped(number, "#########") || !(account.is_empty() || shaped(account, "@@####")) {
        return None;
    }
    let sum: u32 = digits(number)
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                (d * 2) % 10 + d * 2 / 10
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10).then(|| compact.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_passes_its_own_check_and_is_written_as_given() {
        for kind in TAX_ID_KINDS {
            let example = tax_id_example(kind).unwrap();
            assert_eq!(tax_id(kind, example).as_deref(), Ok(example), "{kind}");
        }
    }

    #[test]
    fn eu_vat_numbers_follow_their_member_states_format() {
        for good in [
            "ATU12345678",
            "BE0123456789",
            "DE 123 456 789",
            "de123456789",
            "ESX1234567X",
            "ES12345678Z",
            "FRXX123456789",
            "IE1234567WA",
            "NL123456789B01",
            "RO12",
            "SE123456789001",
            "XI123456782",
        ] {
            assert!(tax_id("eu_vat", good).is_ok(), "{good}");
        }
        assert_eq!(tax_id("eu_vat", "de 123.456-789"), Ok("DE123456789".into()));
        assert_eq!(tax_id("eu_vat", "GR123456789"), Ok("EL123456789".into()));
        for bad in [
            "DE12345678",
            "DE1234567890",
            "123456789",
            "US123456789",
            "NL123456789A01",
            "BE2123456789",
            "SE123456789002",
            "XI123456789",
            "D",
        ] {
            assert_eq!(tax_id("eu_vat", bad), Err(Problem::TaxId), "{bad}");
        }
    }

    #[test]
    fn check_digits_catch_a_mistyped_digit() {
        assert_eq!(tax_id("gb_vat", "123 4567 82"), Ok("GB123456782".into()));
        assert_eq!(tax_id("gb_vat", "GB123456783"), Err(Problem::TaxId));
        assert_eq!(tax_id("gb_vat", "GD123"), Ok("GBGD123".into()));
        assert_eq!(tax_id("gb_vat", "GD567"), Err(Problem::TaxId));
        assert_eq!(
            tax_id("ch_uid", "che123456788tva"),
            Ok("CHE-123.456.788 TVA".into())
        );
        assert_eq!(tax_id("ch_uid", "CHE-123.456.789"), Err(Problem::TaxId));
        assert_eq!(tax_id("au_abn", "51824753556"), Ok("51 824 753 556".into()));
        assert_eq!(tax_id("au_abn", "51 824 753 557"), Err(Problem::TaxId));
        assert_eq!(tax_id("ca_bn", "123456782"), Ok("123456782".into()));
        assert_eq!(tax_id("ca_bn", "123456783RT0001"), Err(Problem::TaxId));
        assert_eq!(tax_id("ca_bn", "123456782XX01"), Err(Problem::TaxId));
        assert_eq!(tax_id("us_ein", "123456789"), Ok("12-3456789".into()));
        assert_eq!(tax_id("us_ein", "07-3456789"), Err(Problem::TaxId));
    }

    #[test]
    fn other_kinds_are_free_text_and_kinds_have_a_shape() {
        assert_eq!(
            tax_id("no_vat", "  NO 123 456 789 MVA "),
            Ok("NO 123 456 789 MVA".into())
        );
        assert_eq!(tax_id("other", ""), Err(Problem::Required));
        assert_eq!(tax_id("eu_vat", " "), Err(Problem::Required));
        assert_eq!(tax_id("eu_vat", &"9".repeat(51)), Err(Problem::TooLong));
        assert_eq!(tax_id("in_gst", "a\u{7}"), Err(Problem::ControlCharacter));
        assert!(tax_id_kind("eu_vat").is_ok() && tax_id_kind("in_gst2").is_ok());
        for bad in ["", "e", "EU_VAT", "1vat", "eu-vat", &"a".repeat(33)] {
            assert_eq!(tax_id_kind(bad), Err(Problem::Invalid), "{bad}");
        }
    }
}
