use leptos::prelude::*;

use crate::i18n::{use_i18n, Messages};

/// The colour scheme the customer chose; `Auto` follows the operating system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    /// The scheme a `data-theme` value (or a branding's `theme`) names; anything else is
    /// `Auto`.
    pub fn parse(value: &str) -> Theme {
        match value {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    /// The value of the `data-theme` attribute the stylesheet keys on.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn label(self, t: &Messages) -> &'static str {
        match self {
            Theme::Auto => t.theme_auto,
            Theme::Light => t.theme_light,
            Theme::Dark => t.theme_dark,
        }
    }
}

/// A three-way switch between automatic, light and dark colours.
#[component]
pub fn ThemeSwitch(theme: RwSignal<Theme>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="theme-switch" role="group" aria-label=move || i18n.t().theme_group>
            {Theme::ALL
                .into_iter()
                .map(|option| {
                    view! {
                        <button
                            type="button"
                            aria-pressed=move || (theme.get() == option).to_string()
                            on:click=move |_| theme.set(option)
                        >
                            {move || option.label(i18n.t())}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
