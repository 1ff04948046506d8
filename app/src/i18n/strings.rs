//! The server's copy of every language's strings, one file each.

mod de;
mod en;
mod es;
mod fr;
mod it;
mod nl;
mod pl;
mod pt;
mod sv;

use super::{Locale, Messages};

/// The strings of a language.
pub fn of(locale: Locale) -> &'static Messages {
    match locale {
        Locale::En => &en::EN,
        Locale::De => &de::DE,
        Locale::Fr => &fr::FR,
        Locale::Nl => &nl::NL,
        Locale::Es => &es::ES,
        Locale::It => &it::IT,
        Locale::Pt => &pt::PT,
        Locale::Pl => &pl::PL,
        Locale::Sv => &sv::SV,
    }
}
