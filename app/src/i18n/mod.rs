//! Every user-facing string of the portal, in nine languages.
//!
//! One [`Messages`] value per language. The texts live in `strings/`, one file per area
//! of the portal with every language's text of a string side by side; a string missing
//! from a language fails the tests (and the server at start), it never shows as a blank.
//! Templates take their values as `{0}`, `{1}`, … through [`fill`]. Numbers, money and
//! dates are formatted per locale in [`crate::format`].
//!
//! The server holds every language. The browser's WASM holds none: each page carries its
//! own language's strings, and another language is fetched when the customer picks it
//! (see [`catalogue`]), so a language added costs the first visit nothing.

pub mod catalogue;
#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
mod strings;

use leptos::prelude::*;

pub use crate::format::Locale;

/// The language the server chose for a page, handed to the renderer in the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLocale(pub Locale);

/// The portal's current language, shared by every component.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

impl I18n {
    /// The current strings (tracked: views using them follow a language change).
    pub fn t(&self) -> &'static Messages {
        messages(self.0.get())
    }

    pub fn locale(&self) -> Locale {
        self.0.get()
    }

    /// Shows the portal in `locale`, once the browser holds its strings. The language the
    /// portal is already in changes nothing: every view that shows a string would be drawn
    /// again, and a list drawn again loses the keyboard and what was typed into it.
    pub fn switch(self, locale: Locale) {
        catalogue::when_loaded(locale, move |loaded| {
            if loaded {
                if self.0.get_untracked() != locale {
                    self.0.set(locale);
                }
            } else {
                // Put the switcher back on the language still shown.
                self.0.update(|_| {});
            }
        });
    }
}

/// The portal's language context.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// The language the page was rendered in: from the request on the server, from the
/// document's `lang` attribute in the browser, so hydration starts where the server was.
pub fn page_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PageLocale>().copied())
            .map(|p| p.0)
            .unwrap_or_default()
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|lang| Locale::parse(&lang))
            .unwrap_or_default()
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Locale::En
    }
}

/// Tells the document its language, for screen readers and hyphenation.
pub fn set_document_language(locale: Locale) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", locale.as_str());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = locale;
}

/// Declares [`Messages`] and the list of its entries, so that a test can compare every
/// string of every language without the list being written twice.
macro_rules! messages {
    ($($(#[$doc:meta])* $field:ident,)+) => {
        /// The portal's strings in one language.
        pub struct Messages {
            $($(#[$doc])* pub $field: &'static str,)+
        }

        impl Messages {
            /// Every string with its name, in declaration order.
            #[cfg(test)]
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field)),+]
            }

            /// Every string in declaration order: what a page sends the browser.
            #[cfg(any(feature = "ssr", test))]
            pub fn strings(&self) -> Vec<&'static str> {
                vec![$(self.$field),+]
            }

            /// Every string's name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The catalogue of `strings` in declaration order, if there are exactly as
            /// many as it has entries.
            pub fn from_strings(strings: Vec<&'static str>) -> Option<Messages> {
                let mut strings = strings.into_iter();
                let messages = Messages { $($field: strings.next()?,)+ };
                strings.next().is_none().then_some(messages)
            }

            /// Blank strings: what a page without its catalogue shows rather than fail.
            #[cfg(any(feature = "hydrate", test))]
            pub const BLANK: Messages = Messages { $($field: "",)+ };
        }
    };
}

messages! {
    billing_portal,
    /// `{0}`: the organisation's name.
    billing_of,
    back_to_account,
    theme_group,
    theme_auto,
    theme_light,
    theme_dark,
    language,
    skip_to_content,

    home_title,
    home_text,
    home_hint,
    not_found_title,
    not_found_text,
    not_found_link,
    opening_title,
    open_portal,

    link_used_title,
    link_used_text,
    link_expired_title,
    link_expired_text,
    link_revoked_title,
    link_revoked_text,
    link_invalid_title,
    link_invalid_text,
    session_ended_title,
    session_ended_text,
    signed_out_title,
    signed_out_text,
    forbidden_title,
    forbidden_text,
    rate_limited_title,
    rate_limited_text,
    failed_title,
    failed_text,
    try_again,

    sign_out,
    storage_notice,
    sections_label,
    loading_portal,
    loading,
    show_more,
    none,

    tab_overview,
    tab_invoices,
    tab_payments,
    tab_entitlements,
    tab_subscriptions,
    tab_payment_methods,
    tab_profile,

    balance_due,
    nothing_due,
    /// `{0}`: money overdue.
    overdue_one,
    /// `{0}`: money overdue, `{1}`: how many invoices.
    overdue_many,
    view_overdue,
    pay_now,
    pay_all_overdue,
    /// `{0}`: invoice number. Said after "Pay now" to screen readers only, with the new
    /// tab it opens.
    pay_invoice_label,
    /// Said after a link that opens a new tab, to screen readers only.
    opens_new_tab,
    next_renewal,
    /// `{0}`: plan, `{1}`: date.
    renews_on,
    no_renewal,
    spending_title,
    spending_text,
    no_spending,
    /// `{0}`: currency code.
    spending_chart_label,

    no_invoices,
    no_matching_invoices,
    /// Said after a filter, search or sort, when one invoice is shown.
    invoices_shown_one,
    /// `{0}`: how many invoices are shown, after a filter, search or sort.
    invoices_shown_many,
    col_invoice_id,
    col_status,
    col_invoice_total,
    col_due_date,
    col_amount_due,
    col_billing_period,
    col_generated_on,
    status_draft,
    status_open,
    status_paid,
    status_partially_paid,
    status_overdue,
    status_void,
    status_uncollectible,
    filters_label,
    /// The phone's button that shows the folded filters.
    filters_button,
    /// `{0}`: how many of the folded filters narrow the list.
    filters_button_active,
    all_statuses,
    date_from,
    date_to,
    search_number,
    search_placeholder,
    sort_by,
    sort_newest,
    sort_oldest,
    sort_due_soonest,
    sort_due_latest,
    sort_total_highest,
    sort_total_lowest,
    sort_due_amount_highest,
    sort_due_amount_lowest,
    clear_filters,
    download_csv,
    downloading,

    all_invoices,
    /// `{0}`: invoice number.
    invoice_title,
    invoice_not_found,
    col_description,
    col_quantity,
    col_unit_price,
    col_amount,
    total,
    download_pdf,
    payments_applied,
    no_payments_applied,
    credit_notes,
    col_number,
    col_reason,
    credit_issued,
    credit_void,

    payments_title,
    credit_title,
    credit_text,
    /// `{0}`: the currency's code.
    credit_held,
    /// `{0}`: the currency's code.
    credit_history,
    credit_failed,
    /// `{0}`: the credit held, in each currency.
    overview_credit,
    no_payments,
    col_date,
    col_type,
    col_method,
    col_invoice,
    kind_payment,
    kind_refund,
    payment_succeeded,
    payment_pending,
    payment_failed,
    view_invoice,

    no_entitlements,
    /// `{0}`: used, `{1}`: limit, `{2}`: unit.
    usage_of,
    /// `{0}`: used, `{1}`: unit.
    usage_unlimited,
    /// `{0}`: projected use, `{1}`: unit, `{2}`: the period's last day.
    usage_pace,
    /// As `usage_pace`, and `{3}`: the limit it passes.
    usage_pace_over,
    /// `{0}`: feature. Names the chart of daily use.
    usage_chart_label,
    /// `{0}`: feature.
    usage_label,
    /// `{0}`: date.
    valid_since,

    no_subscriptions,
    col_plan,
    col_price,
    col_current_period,
    col_next_renewal,
    sub_trialing,
    sub_active,
    sub_past_due,
    sub_paused,
    sub_cancelled,
    per_week,
    per_month,
    per_quarter,
    per_year,
    /// `{0}`: date.
    ends_on,
    cancel_subscription,
    /// `{0}`: plan.
    cancel_title,
    /// `{0}`: date.
    cancel_text,
    cancel_keep,
    cancel_confirm,
    /// `{0}`: plan, `{1}`: date.
    cancel_done,
    /// The heading of a table's column of buttons, for screen readers.
    col_actions,
    cancel_reason_legend,
    cancel_reason_other,
    cancel_comment,
    /// The comment's label when the vendor lists no reasons, and none is asked for.
    cancel_comment_optional,
    resume_subscription,
    /// `{0}`: plan, `{1}`: date.
    resume_done,
    pause_subscription,
    /// `{0}`: plan.
    pause_done,
    change_plan,
    /// `{0}`: the subscription's plan.
    plans_title,
    plans_current,
    /// `{0}`: the estimated amount, signed.
    plans_estimate,
    /// `{0}`: days left; `{1}`: days in the period.
    plans_estimate_note,
    plans_other_interval,
    /// `{0}`: the plan's name.
    plans_choose,
    /// `{0}`: the plan's name.
    plans_requested,
    plans_none,
    plans_close,
    action_failed,
    working,

    no_methods,
    method_card,
    method_sepa,
    method_bank_transfer,
    method_paypal,
    /// `{0}`: MM/YYYY.
    expires,
    expired,
    default_method,
    make_default,
    /// `{0}`: the method's name.
    default_done,
    add_method,
    remove_method,
    /// `{0}`: the payment method's name.
    remove_title,
    remove_text,
    remove_keep,
    remove_confirm,
    /// `{0}`: the payment method's name.
    remove_done,

    profile_title,
    field_name,
    field_email,
    field_phone,
    field_tax_ids,
    tax_id_kind,
    tax_id_value,
    /// `{0}`: the tax ID's type and number.
    tax_id_remove,
    tax_id_add,
    tax_id_none,
    tax_eu_vat,
    tax_gb_vat,
    tax_ch_uid,
    tax_us_ein,
    tax_au_abn,
    tax_ca_bn,
    tax_other,
    field_address,
    field_line1,
    field_line2,
    field_postal_code,
    field_city,
    field_region,
    field_country,
    read_only,
    edit_profile,
    save,
    cancel_edit,
    saved,
    fix_fields,
    err_required,
    err_email,
    err_phone,
    err_country,
    err_too_long,
    /// `{0}`: a well-formed number of the type.
    err_tax_id,
    /// `{0}`: a postal code of the country.
    err_postal_code,
    err_duplicate,
    err_invalid,
}

/// Picks one string out of a catalogue; tables of labels hold these.
pub type Label = fn(&Messages) -> &'static str;

/// The strings of a language. In the browser: the language's if it is loaded, else the
/// page's own.
pub fn messages(locale: Locale) -> &'static Messages {
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    {
        strings::of(locale)
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        catalogue::loaded(locale).unwrap_or_else(catalogue::page_strings)
    }
}

/// Reads every language's strings, or says what is wrong with their files.
#[cfg(feature = "ssr")]
pub fn load_strings() -> Result<(), String> {
    strings::load()
}

/// A template with its `{0}`, `{1}`, … replaced by `values`.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = template.to_owned();
    for (i, value) in values.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), value);
    }
    out
}

/// The first of `candidates` that is a language the portal speaks: a session's choice,
/// then `?lang=`, then the customer's, then the organisation's, then the browser's.
pub fn resolve<'a>(candidates: impl IntoIterator<Item = Option<&'a str>>) -> Option<Locale> {
    candidates.into_iter().flatten().find_map(Locale::parse)
}

/// The languages of an `Accept-Language` header, most wanted first (`q=0` dropped).
pub fn accept_language(header: &str) -> Vec<String> {
    let mut ranked: Vec<(f32, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            if tag.is_empty() || tag == "*" {
                return None;
            }
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then(|| (q, i, tag.to_owned()))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, tag)| tag).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every placeholder a template has in English, each language has too.
    #[test]
    fn every_language_keeps_the_placeholders() {
        fn placeholders(text: &str) -> Vec<String> {
            let mut found: Vec<String> = (0..4)
                .map(|i| format!("{{{i}}}"))
                .filter(|p| text.contains(p.as_str()))
                .collect();
            found.sort();
            found
        }
        let en = messages(Locale::En);
        let english = en.entries();
        for locale in Locale::ALL.into_iter().skip(1) {
            let other = messages(locale).entries();
            assert_eq!(english.len(), other.len());
            for ((name, e), (_, o)) in english.iter().zip(other.iter()) {
                assert_eq!(
                    placeholders(e),
                    placeholders(o),
                    "{name} in {}",
                    locale.as_str()
                );
                assert!(
                    !o.trim().is_empty(),
                    "{name} is empty in {}",
                    locale.as_str()
                );
            }
        }
    }

    /// What a page sends is what the browser rebuilds, and nothing else is accepted.
    #[test]
    fn a_catalogue_travels_as_its_strings() {
        for locale in Locale::ALL {
            let sent = messages(locale).strings();
            let rebuilt = Messages::from_strings(sent.clone()).expect("every string");
            assert_eq!(rebuilt.strings(), sent);
        }
        let mut short = messages(Locale::De).strings();
        short.pop();
        assert!(Messages::from_strings(short.clone()).is_none());
        short.extend(["x", "y"]);
        assert!(Messages::from_strings(short).is_none());
        assert!(Messages::BLANK.strings().iter().all(|s| s.is_empty()));
    }

    #[test]
    fn templates_are_filled_in_order() {
        assert_eq!(
            fill("{0} of {1} {2}", &["5", "10", "seats"]),
            "5 of 10 seats"
        );
        assert_eq!(fill("none", &["x"]), "none");
    }

    #[test]
    fn the_chain_takes_the_first_language_we_speak() {
        assert_eq!(
            resolve([None, Some("da"), Some("de-AT"), Some("en")]),
            Some(Locale::De)
        );
        assert_eq!(resolve([Some("FR")]), Some(Locale::Fr));
        assert_eq!(resolve([None, Some("xx")]), None);
    }

    #[test]
    fn accept_language_is_ranked_by_quality() {
        assert_eq!(
            accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.95, *;q=0.5, nl;q=0"),
            ["fr-CH", "de", "fr", "en"]
        );
        assert!(accept_language("").is_empty());
        assert_eq!(accept_language("en;q=bogus, de"), ["de"]);
    }
}
