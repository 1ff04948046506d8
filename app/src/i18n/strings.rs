//! The server's copy of every language's strings.
//!
//! Each area of the portal has a file in `strings/` that holds its strings with their
//! text in every language side by side, so that a new tab or feature adds its strings in
//! one place and a reviewer reads the translations together:
//!
//! ```text
//! # A comment.
//! tab_invoices
//!   en: Invoices
//!   de: Rechnungen
//! ```
//!
//! A string's name stands alone on its line, as in [`Messages`]; each language follows,
//! indented by two spaces, as `<tag>: <text>` (the text runs to the end of the line).
//! Every name of `Messages` must have a text in every language, and no file may hold
//! anything else: the tests build every catalogue, and name the file and line of a fault.
//!
//! Polish writes counted things as "label: number" wherever it would need a plural form
//! that the English template does not have ("2 faktury", "5 faktur").

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Locale, Messages};

/// Every area's file, by name.
const FILES: [(&str, &str); 8] = [
    ("shell.txt", include_str!("strings/shell.txt")),
    ("overview.txt", include_str!("strings/overview.txt")),
    ("invoices.txt", include_str!("strings/invoices.txt")),
    ("payments.txt", include_str!("strings/payments.txt")),
    ("entitlements.txt", include_str!("strings/entitlements.txt")),
    (
        "subscriptions.txt",
        include_str!("strings/subscriptions.txt"),
    ),
    (
        "payment_methods.txt",
        include_str!("strings/payment_methods.txt"),
    ),
    ("profile.txt", include_str!("strings/profile.txt")),
];

/// Every language's strings, read from the files once.
fn all() -> &'static Result<Vec<Messages>, String> {
    static ALL: OnceLock<Result<Vec<Messages>, String>> = OnceLock::new();
    ALL.get_or_init(|| catalogues(&FILES))
}

/// Reads the strings now: the server calls this at start, so that a fault in a file
/// stops it there, named, rather than at its first page.
pub fn load() -> Result<(), String> {
    all().as_ref().map(|_| ()).map_err(Clone::clone)
}

/// The strings of a language.
pub fn of(locale: Locale) -> &'static Messages {
    match all() {
        Ok(all) => &all[locale.index()],
        Err(fault) => panic!("the portal's strings: {fault}"),
    }
}

/// Each language's strings, in [`Locale::ALL`]'s order, from the area files; or the first
/// fault, with its file and line.
fn catalogues(files: &[(&str, &'static str)]) -> Result<Vec<Messages>, String> {
    let mut texts: HashMap<&str, [Option<&'static str>; Locale::ALL.len()]> = HashMap::new();
    for &(file, content) in files {
        let mut name: Option<&str> = None;
        for (n, line) in content.lines().enumerate() {
            let at = || format!("{file}:{}", n + 1);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some(translation) = line.strip_prefix("  ") else {
                if !Messages::NAMES.contains(&line) {
                    return Err(format!("{}: {line:?} is not a string of the portal", at()));
                }
                if texts.insert(line, Default::default()).is_some() {
                    return Err(format!("{}: {line} is there twice", at()));
                }
                name = Some(line);
                continue;
            };
            let name = name.ok_or_else(|| format!("{}: a text before any string's name", at()))?;
            let (tag, text) = translation
                .split_once(": ")
                .ok_or_else(|| format!("{}: expected `  <language>: <text>`", at()))?;
            // `parse` also takes `de-AT` or `DE`; a file spells the tag exactly.
            let locale = Locale::parse(tag)
                .filter(|l| l.as_str() == tag)
                .ok_or_else(|| format!("{}: {tag:?} is not a language of the portal", at()))?;
            if text.trim().is_empty() || text.trim() != text {
                return Err(format!(
                    "{}: {name} in {tag} is blank or has spaces around it",
                    at()
                ));
            }
            let slot = &mut texts.get_mut(name).expect("inserted above")[locale.index()];
            if slot.replace(text).is_some() {
                return Err(format!("{}: {name} has a {tag} text twice", at()));
            }
        }
    }
    Locale::ALL
        .into_iter()
        .map(|locale| {
            let strings = Messages::NAMES
                .iter()
                .map(|name| {
                    texts
                        .get(name)
                        .and_then(|all| all[locale.index()])
                        .ok_or_else(|| format!("{name} has no {} text", locale.as_str()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Messages::from_strings(strings).expect("one text a name"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_has_a_text_in_every_language() {
        let all = catalogues(&FILES).unwrap();
        assert_eq!(all.len(), Locale::ALL.len());
        assert_eq!(all[Locale::De.index()].tab_invoices, "Rechnungen");
        assert_eq!(all[Locale::Sv.index()].sign_out, "Logga ut");
    }

    /// The shipped files and one more, `extra.txt`: the first fault.
    fn fault_with(extra: &'static str) -> String {
        let mut files = FILES.to_vec();
        files.push(("extra.txt", extra));
        match catalogues(&files) {
            Ok(_) => panic!("{extra:?} was taken"),
            Err(fault) => fault,
        }
    }

    #[test]
    fn a_fault_is_named_with_its_file_and_line() {
        assert_eq!(
            fault_with("# a comment\nsign_out\n  en: Out\n"),
            "extra.txt:2: sign_out is there twice"
        );
        assert_eq!(
            fault_with("quotes_title\n  en: Quotes\n"),
            "extra.txt:1: \"quotes_title\" is not a string of the portal"
        );
        assert_eq!(
            fault_with("  en: Orphan\n"),
            "extra.txt:1: a text before any string's name"
        );
        assert_eq!(
            fault_with("Sign out\n"),
            "extra.txt:1: \"Sign out\" is not a string of the portal"
        );
        let mut files = FILES.to_vec();
        let (_, shell) = files[0];
        // Every language of the first string but its Swedish.
        let without = shell.replacen("  sv: ", "  xx: ", 1);
        files[0] = ("shell.txt", Box::leak(without.into_boxed_str()));
        let fault = catalogues(&files).err().unwrap();
        assert!(
            fault.contains("\"xx\" is not a language of the portal"),
            "{fault}"
        );
        let without = shell.replacen("  sv: ", "# ", 1);
        files[0] = ("shell.txt", Box::leak(without.into_boxed_str()));
        assert_eq!(
            catalogues(&files).err().unwrap(),
            "billing_portal has no sv text"
        );
    }

    #[test]
    fn a_text_is_the_rest_of_its_line_and_never_blank() {
        let all = catalogues(&FILES).unwrap();
        // Only the first ": " ends the language's tag.
        assert_eq!(all[Locale::Pl.index()].usage_label, "Zużycie: {0}");
        let mut files = FILES.to_vec();
        let blank = FILES[0].1.replacen("  en: Billing portal", "  en:  ", 1);
        files[0] = ("shell.txt", Box::leak(blank.into_boxed_str()));
        let line = FILES[0]
            .1
            .lines()
            .position(|l| l == "  en: Billing portal")
            .unwrap()
            + 1;
        assert_eq!(
            catalogues(&files).err().unwrap(),
            format!("shell.txt:{line}: billing_portal in en is blank or has spaces around it")
        );
    }
}
