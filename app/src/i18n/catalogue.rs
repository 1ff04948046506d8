//! How the browser gets its strings. A page carries its own language's strings in a JSON
//! element; another language is fetched from `/i18n/{version}/{tag}.json` when the
//! customer picks it. The version is a hash of every language's strings, so an address
//! names one build's strings for good and can be cached for a year, and a page from an
//! older build asks for strings that are no longer there and gets a 404.

use serde::{Deserialize, Serialize};

use super::Locale;

/// The id of the element a page carries its strings in.
pub const ELEMENT_ID: &str = "portico-strings";

/// One language's strings as they travel, in [`super::Messages`]' declaration order,
/// with the version of the server's strings.
#[derive(Serialize, Deserialize)]
pub struct Catalogue<S> {
    pub locale: String,
    pub version: String,
    pub strings: Vec<S>,
}

/// Where a language's strings of a version are.
pub fn path(version: &str, locale: Locale) -> String {
    format!("/i18n/{version}/{}.json", locale.as_str())
}

/// A hash of every language's strings (64-bit FNV-1a), in hex.
#[cfg(feature = "ssr")]
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for locale in Locale::ALL {
            for text in super::messages(locale).strings() {
                // A separator after each string, so that moving text between two
                // neighbours changes the hash too.
                for byte in text.bytes().chain([0]) {
                    hash ^= u64::from(byte);
                    hash = hash.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        format!("{hash:016x}")
    })
}

/// A language's strings, as the server sends them.
#[cfg(feature = "ssr")]
fn of(locale: Locale) -> Catalogue<&'static str> {
    Catalogue {
        locale: locale.as_str().to_owned(),
        version: version().to_owned(),
        strings: super::messages(locale).strings(),
    }
}

/// A language's strings as JSON, safe to place inside a page's `<script>` element (and
/// plain JSON for the `/i18n/` file): serialised once per language and kept, since every
/// page carries them.
#[cfg(feature = "ssr")]
pub fn json(locale: Locale) -> &'static str {
    static JSON: [std::sync::OnceLock<String>; Locale::ALL.len()] =
        [const { std::sync::OnceLock::new() }; Locale::ALL.len()];
    JSON[locale.index()].get_or_init(|| crate::csp::inline_json(&of(locale)))
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub use browser::{loaded, page_strings, when_loaded};

/// Runs `then(true)`: outside the browser every language is at hand.
#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
pub fn when_loaded(_locale: Locale, then: impl FnOnce(bool) + 'static) {
    then(true);
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
mod browser {
    use std::cell::Cell;
    use std::sync::OnceLock;

    use super::{path, Catalogue, ELEMENT_ID};
    use crate::i18n::{Locale, Messages};

    /// The languages the browser holds, by [`Locale::index`].
    static LOADED: [OnceLock<&'static Messages>; Locale::ALL.len()] =
        [const { OnceLock::new() }; Locale::ALL.len()];
    /// The page's own strings and their version.
    static PAGE: OnceLock<(&'static Messages, String)> = OnceLock::new();

    thread_local! {
        /// The language asked for last: an answer that arrives after a later pick is not
        /// shown over it.
        static WANTED: Cell<Option<Locale>> = const { Cell::new(None) };
    }

    /// Keeps a catalogue for the rest of the page's life (at most one per language).
    fn install(catalogue: Catalogue<String>) -> Option<(&'static Messages, String)> {
        let locale = Locale::parse(&catalogue.locale)?;
        let strings = catalogue
            .strings
            .into_iter()
            .map(|text| &*Box::leak(text.into_boxed_str()))
            .collect();
        let messages = Messages::from_strings(strings)?;
        let kept = LOADED[locale.index()].get_or_init(|| Box::leak(Box::new(messages)));
        Some((*kept, catalogue.version))
    }

    fn page() -> &'static (&'static Messages, String) {
        PAGE.get_or_init(|| {
            crate::csp::read_inline_json(ELEMENT_ID)
                .and_then(install)
                .unwrap_or((&Messages::BLANK, String::new()))
        })
    }

    /// The strings the page came with.
    pub fn page_strings() -> &'static Messages {
        page().0
    }

    /// A language's strings, if the browser holds them.
    pub fn loaded(locale: Locale) -> Option<&'static Messages> {
        page();
        LOADED[locale.index()].get().copied()
    }

    /// Runs `then` with whether `locale`'s strings are at hand: at once if they are, else
    /// once they have been fetched (or failed to be), unless another language has been
    /// asked for since.
    pub fn when_loaded(locale: Locale, then: impl FnOnce(bool) + 'static) {
        WANTED.with(|wanted| wanted.set(Some(locale)));
        if loaded(locale).is_some() {
            then(true);
            return;
        }
        let address = path(&page().1, locale);
        leptos::task::spawn_local(async move {
            let fetched = crate::client::catalogue(&address).await.ok();
            let ok = fetched.and_then(install).is_some();
            if WANTED.with(Cell::get) == Some(locale) {
                then(ok);
            }
        });
    }
}
