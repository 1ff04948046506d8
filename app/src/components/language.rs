use leptos::prelude::*;

use crate::i18n::{use_i18n, Locale};
use crate::LocaleChosen;

/// A menu of the portal's languages, each named in itself.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let chosen = expect_context::<LocaleChosen>();
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(locale) = Locale::parse(&event_target_value(&ev)) {
            i18n.switch(locale);
            chosen.0.set(Some(locale));
        }
    };
    view! {
        <div class="language-switch">
            <label class="visually-hidden" for="language">{move || i18n.t().language}</label>
            <select id="language" on:change=on_change prop:value=move || i18n.locale().as_str()>
                {Locale::ALL
                    .into_iter()
                    .map(|locale| view! {
                        <option
                            value=locale.as_str()
                            lang=locale.as_str()
                            selected=move || i18n.locale() == locale
                        >
                            {locale.native_name()}
                        </option>
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
