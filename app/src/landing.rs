//! The page a portal link lands on when it lands on the invoice list: the app's frame and
//! the invoices tab, without the router and the other tabs, so that a customer's first
//! visit downloads only what it shows. A link from it to anywhere else in the portal
//! starts the whole app there, in place ([`crate::whole_app`], its own WASM chunk).

use leptos::prelude::*;

use crate::components::embed_bridge::EmbedBridge;
use crate::pages::portal::invoices::InvoicesTab;
use crate::pages::portal::Portal;
use crate::Frame;

/// The landing page on `organisation`'s invoice list.
#[component]
pub fn Landing(organisation: String) -> impl IntoView {
    let path = Signal::stored(format!("/portal/{organisation}/invoices"));
    let organisation = Memo::new(move |_| organisation.clone());
    view! {
        <Frame>
            <EmbedBridge path/>
            // Focusable from the skip link, though never a Tab stop of its own.
            <main id="main" class="content" tabindex="-1">
                <Portal organisation path>
                    <InvoicesTab/>
                </Portal>
            </main>
        </Frame>
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{hydrate, leave};

#[cfg(feature = "hydrate")]
mod browser {
    use std::any::Any;
    use std::cell::{Cell, RefCell};

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    use super::Landing;
    use crate::components::theme::Theme;

    thread_local! {
        /// The hydrated landing page, until the whole app replaces it.
        static LANDING: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
        /// What takes the clicks on the page's links meanwhile.
        static LINKS: RefCell<Option<WindowListenerHandle>> = const { RefCell::new(None) };
        /// The whole app is on its way.
        static LEAVING: Cell<bool> = const { Cell::new(false) };
    }

    /// Hydrates the landing page the server rendered, and takes over its links.
    pub async fn hydrate(body: web_sys::HtmlElement, organisation: String) {
        let handle = leptos::mount::hydrate_from_async(body, move || {
            view! { <Landing organisation/> }.into_any()
        })
        .await;
        LANDING.with(|landing| *landing.borrow_mut() = Some(Box::new(handle)));
        let links = window_event_listener(leptos::ev::click, on_click);
        LINKS.with(|l| *l.borrow_mut() = Some(links));
    }

    /// A click on a link to another page of the portal starts the whole app on that page,
    /// as the router would have taken it; any other click is the browser's.
    fn on_click(event: web_sys::MouseEvent) {
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.alt_key()
            || event.ctrl_key()
            || event.shift_key()
        {
            return;
        }
        let Some(anchor) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        if anchor.has_attribute("download")
            || anchor
                .get_attribute("target")
                .is_some_and(|target| target != "_self")
        {
            return;
        }
        let location = window().location();
        let (Ok(here), Ok(origin)) = (location.href(), location.origin()) else {
            return;
        };
        let href = anchor.get_attribute("href").unwrap_or_default();
        let Ok(url) = web_sys::Url::new_with_base(&href, &here) else {
            return;
        };
        // The same page (the current tab, the skip link's `#main`) is left to its own.
        if url.origin() != origin
            || !url.pathname().starts_with("/portal/")
            || Some(url.pathname()) == location.pathname().ok()
        {
            return;
        }
        event.prevent_default();
        if LEAVING.replace(true) {
            return;
        }
        // The page being left says it is busy until the app has replaced it.
        if let Ok(Some(main)) = document().query_selector("main") {
            let _ = main.set_attribute("aria-busy", "true");
        }
        let theme = document()
            .query_selector(".portico")
            .ok()
            .flatten()
            .and_then(|p| p.get_attribute("data-theme"))
            .map_or(Theme::Auto, |value| Theme::parse(&value));
        let target = format!("{}{}{}", url.pathname(), url.search(), url.hash());
        leptos::task::spawn_local(crate::whole_app(crate::Start::Replace { theme, target }));
    }

    /// Takes the landing page away, just before the whole app takes its place: its view,
    /// its reactive state and its hold on the links.
    pub fn leave() {
        if let Some(links) = LINKS.with(|l| l.borrow_mut().take()) {
            links.remove();
        }
        drop(LANDING.with(|landing| landing.borrow_mut().take()));
    }
}
