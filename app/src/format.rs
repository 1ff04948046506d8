//! Money, numbers and dates for people, in the portal's nine languages.
//!
//! Written by hand rather than with ICU data: each locale needs a few separators, where
//! its currency sign goes and twelve month names, and the WASM stays small. The rules
//! follow CLDR's for each language's main region (Brazil for Portuguese).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A language the portal speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
    Nl,
    Es,
    It,
    Pt,
    Pl,
    Sv,
}

impl Locale {
    pub const ALL: [Locale; 9] = [
        Locale::En,
        Locale::De,
        Locale::Fr,
        Locale::Nl,
        Locale::Es,
        Locale::It,
        Locale::Pt,
        Locale::Pl,
        Locale::Sv,
    ];

    /// A language tag's primary language (`de-AT` → German), if the portal speaks it.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::En),
            "de" => Some(Locale::De),
            "fr" => Some(Locale::Fr),
            "nl" => Some(Locale::Nl),
            "es" => Some(Locale::Es),
            "it" => Some(Locale::It),
            "pt" => Some(Locale::Pt),
            "pl" => Some(Locale::Pl),
            "sv" => Some(Locale::Sv),
            _ => None,
        }
    }

    /// The BCP 47 tag, as `lang` attributes and the API spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Nl => "nl",
            Locale::Es => "es",
            Locale::It => "it",
            Locale::Pt => "pt",
            Locale::Pl => "pl",
            Locale::Sv => "sv",
        }
    }

    /// Its place in [`Locale::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The language's name in itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Fr => "Français",
            Locale::Nl => "Nederlands",
            Locale::Es => "Español",
            Locale::It => "Italiano",
            Locale::Pt => "Português",
            Locale::Pl => "Polski",
            Locale::Sv => "Svenska",
        }
    }

    fn group_separator(self) -> &'static str {
        match self {
            Locale::En => ",",
            Locale::De | Locale::Nl | Locale::Es | Locale::It | Locale::Pt => ".",
            // A narrow no-break space, as French typography groups digits.
            Locale::Fr => "\u{202f}",
            Locale::Pl | Locale::Sv => "\u{a0}",
        }
    }

    /// Spanish and Polish leave a four-digit number whole (`1234`, but `12.345`).
    fn min_grouping(self) -> usize {
        match self {
            Locale::Es | Locale::Pl => 5,
            _ => 4,
        }
    }

    fn decimal_separator(self) -> char {
        match self {
            Locale::En => '.',
            _ => ',',
        }
    }

    fn short_months(self) -> [&'static str; 12] {
        match self {
            Locale::En => [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ],
            Locale::De => [
                "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
                "Nov.", "Dez.",
            ],
            Locale::Fr => [
                "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc.",
            ],
            Locale::Nl => [
                "jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.",
                "nov.", "dec.",
            ],
            Locale::Es => [
                "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
            ],
            Locale::It => [
                "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
            ],
            Locale::Pt => [
                "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.",
                "nov.", "dez.",
            ],
            // The genitive, as a date says it ("5 mar 2026").
            Locale::Pl => [
                "sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru",
            ],
            Locale::Sv => [
                "jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.",
                "nov.", "dec.",
            ],
        }
    }

    /// A day and month, as a date starts: `5 Mar`, `5. März`, `5 de mar.`.
    fn day_month(self, date: NaiveDate) -> String {
        let month = self.short_months()[date.month0() as usize];
        match self {
            Locale::De => format!("{}. {month}", date.day()),
            Locale::Pt => format!("{} de {month}", date.day()),
            _ => format!("{} {month}", date.day()),
        }
    }

    /// The sign a currency is written with here, or its code.
    fn symbol(self, currency: &str) -> &str {
        match (currency, self) {
            ("EUR", _) => "€",
            ("USD", _) => "$",
            ("GBP", _) => "£",
            ("BRL", Locale::Pt) => "R$",
            ("PLN", Locale::Pl) => "zł",
            ("SEK", Locale::Sv) => "kr",
            (other, _) => other,
        }
    }
}

/// How many minor-unit digits an ISO 4217 currency has (JPY 0, KWD 3, most 2).
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// An amount in minor units for `locale`: `€1,234.56` in English, `1.234,56 €` in German,
/// Spanish and Italian, `1 234,56 €` in French, Polish and Swedish, `€ 1.234,56` in Dutch
/// and Portuguese. Never through a float.
pub fn money(amount: i64, currency: &str, locale: Locale) -> String {
    let digits = minor_digits(currency);
    let scale = 10u128.pow(digits);
    let magnitude = amount.unsigned_abs() as u128;
    let whole = group(&(magnitude / scale).to_string(), locale);
    let number = if digits == 0 {
        whole
    } else {
        format!(
            "{whole}{}{:0width$}",
            locale.decimal_separator(),
            magnitude % scale,
            width = digits as usize
        )
    };
    let sign = if amount < 0 { "−" } else { "" };
    let symbol = locale.symbol(currency);
    let has_symbol = symbol != currency;
    match locale {
        Locale::En if has_symbol => format!("{sign}{symbol}{number}"),
        Locale::En => format!("{sign}{symbol}\u{a0}{number}"),
        Locale::Nl => format!("{symbol}\u{a0}{sign}{number}"),
        Locale::Pt => format!("{sign}{symbol}\u{a0}{number}"),
        Locale::De | Locale::Fr | Locale::Es | Locale::It | Locale::Pl | Locale::Sv => {
            format!("{sign}{number}\u{a0}{symbol}")
        }
    }
}

/// A count with the locale's thousands separators: `1,284,511`, `1.284.511`.
pub fn number(value: i64, locale: Locale) -> String {
    let grouped = group(&value.unsigned_abs().to_string(), locale);
    if value < 0 {
        format!("−{grouped}")
    } else {
        grouped
    }
}

fn group(digits: &str, locale: Locale) -> String {
    if digits.len() < locale.min_grouping() {
        return digits.to_owned();
    }
    let separator = locale.group_separator();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * separator.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

/// A calendar date: `5 Jan 2026`, `5. Jan. 2026`, `5 janv. 2026`, `5 de jan. de 2026`.
pub fn date(date: NaiveDate, locale: Locale) -> String {
    let day_month = locale.day_month(date);
    match locale {
        Locale::Pt => format!("{day_month} de {}", date.year()),
        _ => format!("{day_month} {}", date.year()),
    }
}

/// A range of dates; the year is written once when both share it:
/// `1 Oct – 31 Oct 2026`, `1. Okt. – 31. Okt. 2026`.
pub fn date_range(start: NaiveDate, end: NaiveDate, locale: Locale) -> String {
    if start.year() != end.year() {
        return format!("{} – {}", date(start, locale), date(end, locale));
    }
    format!("{} – {}", locale.day_month(start), date(end, locale))
}

/// A month's short name, for chart axes.
pub fn month(date: NaiveDate, locale: Locale) -> &'static str {
    locale.short_months()[date.month0() as usize]
}

/// A card's expiry as `MM/YYYY`.
pub fn expiry(month: i32, year: i32) -> String {
    format!("{month:02}/{year}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_uses_the_currency_exponent_and_never_floats() {
        let en = Locale::En;
        assert_eq!(money(123_456, "EUR", en), "€1,234.56");
        assert_eq!(money(4_900, "USD", en), "$49.00");
        assert_eq!(money(5, "GBP", en), "£0.05");
        assert_eq!(money(1_500, "JPY", en), "JPY\u{a0}1,500");
        assert_eq!(money(1_234, "KWD", en), "KWD\u{a0}1.234");
        assert_eq!(money(-5_000, "EUR", en), "−€50.00");
        assert_eq!(money(i64::MAX, "EUR", en), "€92,233,720,368,547,758.07");
        assert_eq!(money(i64::MIN, "USD", en), "−$92,233,720,368,547,758.08");
    }

    #[test]
    fn money_follows_each_locale() {
        assert_eq!(money(123_456, "EUR", Locale::De), "1.234,56\u{a0}€");
        assert_eq!(money(123_456, "EUR", Locale::Fr), "1\u{202f}234,56\u{a0}€");
        assert_eq!(money(123_456, "EUR", Locale::Nl), "€\u{a0}1.234,56");
        assert_eq!(money(-5_000, "EUR", Locale::Nl), "€\u{a0}−50,00");
        assert_eq!(money(-5_000, "CHF", Locale::De), "−50,00\u{a0}CHF");
        assert_eq!(money(123_456, "EUR", Locale::It), "1.234,56\u{a0}€");
        assert_eq!(money(123_456, "BRL", Locale::Pt), "R$\u{a0}1.234,56");
        assert_eq!(money(-5_000, "EUR", Locale::Pt), "−€\u{a0}50,00");
        assert_eq!(
            money(1_234_567, "SEK", Locale::Sv),
            "12\u{a0}345,67\u{a0}kr"
        );
        assert_eq!(money(1_234_567, "SEK", Locale::En), "SEK\u{a0}12,345.67");
    }

    #[test]
    fn spanish_and_polish_leave_four_digits_whole() {
        assert_eq!(money(123_456, "EUR", Locale::Es), "1234,56\u{a0}€");
        assert_eq!(money(1_234_567, "EUR", Locale::Es), "12.345,67\u{a0}€");
        assert_eq!(money(123_456, "PLN", Locale::Pl), "1234,56\u{a0}zł");
        assert_eq!(number(1_284_511, Locale::Pl), "1\u{a0}284\u{a0}511");
        assert_eq!(number(9_999, Locale::Es), "9999");
        assert_eq!(number(9_999, Locale::It), "9.999");
    }

    #[test]
    fn counts_are_grouped_per_locale() {
        assert_eq!(number(734_210, Locale::En), "734,210");
        assert_eq!(number(734_210, Locale::De), "734.210");
        assert_eq!(number(999, Locale::Fr), "999");
        assert_eq!(number(-1_000, Locale::En), "−1,000");
    }

    #[test]
    fn dates_read_naturally_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(date(d, Locale::En), "5 Mar 2026");
        assert_eq!(date(d, Locale::De), "5. März 2026");
        assert_eq!(date(d, Locale::Fr), "5 mars 2026");
        assert_eq!(date(d, Locale::Nl), "5 mrt. 2026");
        assert_eq!(date(d, Locale::Es), "5 mar 2026");
        assert_eq!(date(d, Locale::It), "5 mar 2026");
        assert_eq!(date(d, Locale::Pt), "5 de mar. de 2026");
        assert_eq!(date(d, Locale::Pl), "5 mar 2026");
        assert_eq!(date(d, Locale::Sv), "5 mars 2026");
    }

    #[test]
    fn ranges_write_a_shared_year_once() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(
            date_range(d(10, 1), d(10, 31), Locale::En),
            "1 Oct – 31 Oct 2026"
        );
        assert_eq!(
            date_range(d(10, 1), d(10, 31), Locale::De),
            "1. Okt. – 31. Okt. 2026"
        );
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        assert_eq!(
            date_range(d(12, 15), new_year, Locale::Fr),
            "15 déc. 2026 – 15 janv. 2027"
        );
        assert_eq!(
            date_range(d(8, 1), d(8, 31), Locale::Pt),
            "1 de ago. – 31 de ago. de 2026"
        );
    }

    #[test]
    fn tags_reduce_to_their_language() {
        assert_eq!(Locale::parse("de-AT"), Some(Locale::De));
        assert_eq!(Locale::parse("NL_be"), Some(Locale::Nl));
        assert_eq!(Locale::parse("pt-BR"), Some(Locale::Pt));
        assert_eq!(Locale::parse("sv_SE"), Some(Locale::Sv));
        assert_eq!(Locale::parse("da"), None);
        for (i, locale) in Locale::ALL.into_iter().enumerate() {
            assert_eq!(locale.index(), i);
            assert_eq!(Locale::parse(locale.as_str()), Some(locale));
        }
        assert_eq!(Locale::parse(""), None);
    }
}
