use leptos::prelude::*;

/// The colour scheme the customer chose; `Auto` follows the operating system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    /// The value of the `data-theme` attribute the stylesheet keys on.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Auto",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }
}

/// A three-way switch between automatic, light and dark colours.
#[component]
pub fn ThemeSwitch(theme: RwSignal<Theme>) -> impl IntoView {
    view! {
        <div class="theme-switch" role="group" aria-label="Colour theme">
            {Theme::ALL
                .into_iter()
                .map(|option| {
                    view! {
                        <button
                            type="button"
                            aria-pressed=move || (theme.get() == option).to_string()
                            on:click=move |_| theme.set(option)
                        >
                            {option.label()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}
