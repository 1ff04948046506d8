//! The Portico UI, shared by server rendering (`ssr`) and the browser (`hydrate`).

pub mod api;
pub mod client;
pub mod components;
pub mod format;
pub mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::theme::{Theme, ThemeSwitch};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: header, routes and footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let theme = RwSignal::new(Theme::Auto);

    view! {
        <Stylesheet id="leptos" href="/pkg/portico.css"/>
        <Title text="Billing portal"/>
        <div class="portico" data-theme=move || theme.get().as_str()>
            <header class="topbar">
                <span class="brand">"Portico"</span>
                <ThemeSwitch theme/>
            </header>
            <Router>
                <main id="main" class="content">
                    <Routes fallback=pages::not_found::NotFound>
                        <Route path=path!("/") view=pages::home::Home/>
                        <Route path=path!("/session/:token") view=pages::open_link::OpenLink/>
                        <ParentRoute path=path!("/portal/:org") view=pages::portal::Portal>
                            <Route path=path!("invoices") view=pages::portal::invoices::InvoicesTab/>
                            <Route
                                path=path!("invoices/:invoice")
                                view=pages::portal::invoices::InvoicePage
                            />
                        </ParentRoute>
                    </Routes>
                </main>
            </Router>
        </div>
    }
}
