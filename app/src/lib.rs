//! The Portico UI, shared by server rendering (`ssr`) and the browser (`hydrate`).
// The whole app's view type, awaited inside its split-out function, is deeper than the
// default limit lets the compiler lay out.
#![recursion_limit = "256"]

pub mod api;
pub mod branding;
pub mod bundle;
pub mod client;
pub mod components;
pub mod csp;
pub mod embed;
pub mod focus;
pub mod format;
pub mod i18n;
pub mod landing;
pub mod page_answers;
pub mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy};

use crate::branding::Branding;
use crate::bundle::Bundle;
use crate::components::language::LanguageSwitch;
use crate::components::theme::{Theme, ThemeSwitch};
use crate::i18n::{I18n, Locale, Messages};

/// Where the logo leads: the vendor's return URL, once the page knows it.
#[derive(Clone, Copy)]
pub struct ReturnTo(pub RwSignal<Option<String>>);

/// The HTML document the server renders around [`App`]. The organisation's colours and a
/// JSON copy of its branding go in the head, so the first paint is already branded.
/// `bundle` names the stylesheet, loader and WASM the server found at start.
pub fn shell(options: LeptosOptions, bundle: &Bundle) -> impl IntoView {
    let brand = branding::current();
    let css = brand
        .as_ref()
        .map(branding::Branding::css)
        .unwrap_or_default();
    let json = brand.as_ref().map(branding::Branding::to_script_json);
    let locale = i18n::page_locale();
    let lang = locale.as_str();
    // Every inline element of ours carries the page's nonce; nothing else may run.
    let nonce = csp::page_nonce();
    // The portal renders its tab only in the browser, once it has read the session: the
    // page names the chunks the browser will need for it.
    // A link's page came with its exchange's answer; when that page is not rendered as
    // the landing tab, the app goes there next.
    let answers = page_answers::page();
    let link_page =
        answers.is_none() && page_path().is_some_and(|path| path.starts_with("/session/"));
    let landing = answers
        .as_ref()
        .and_then(|a| a.exchanged())
        .map(|opened| opened.landing_path);
    // A link's landing page on the invoice list is all in the first bundle; every other
    // page is the whole app's chunk, and its tab's.
    let invoices_landing = page_answers::invoices_landing();
    let chunks = if invoices_landing.is_some() {
        Vec::new()
    } else {
        let section = landing
            .or_else(page_path)
            .as_deref()
            .and_then(api::session::Section::from_path);
        bundle.page_chunks(section.as_ref().and_then(pages::portal::lazy_route))
    };
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                // No portal page belongs in a search engine.
                <meta name="robots" content="noindex, nofollow"/>
                // Without an icon the browser asks for /favicon.ico and logs the 404.
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                {answers.map(|answers| view! {
                    <script type="application/json" id=page_answers::ELEMENT_ID inner_html=csp::inline_json(&*answers)></script>
                })}
                // Before the stylesheet: a script after it would wait for it to load.
                <script nonce=nonce.clone() inner_html=boot_script()></script>
                <link rel="stylesheet" id="leptos" href=bundle.css.clone()/>
                <AutoReload options/>
                // A link's page fetches none of the app's files: on a phone's connection
                // they would hold up the link's answer, which names them (`boot.js`).
                {(!link_page).then(|| view! {
                    <link rel="modulepreload" href=bundle.js.clone()/>
                    // The bundle's script imports the chunk loader itself: fetch both at once.
                    {bundle.split.as_ref().map(|split| view! {
                        <link rel="modulepreload" href=format!("/pkg/{}", split.loader)/>
                    })}
                    // A tab rendered after hydration needs its chunks: fetch them meanwhile.
                    {chunks.into_iter().map(|href| view! {
                        <link rel="preload" href=href r#as="fetch" r#type="application/wasm" crossorigin=""/>
                    }).collect_view()}
                    <link rel="preload" href=bundle.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin=""/>
                })}
                <script nonce=nonce.clone() type="module" inner_html=hydration_script(bundle)></script>
                // Written as markup: a view's text would bring a hydration marker, which a
                // title shows as text.
                <title inner_html=csp::escape_html(&page_title(brand.as_ref().map(|b| b.name.as_str()), i18n::messages(locale)))></title>
                <style id="portico-brand" nonce=nonce.clone() inner_html=css></style>
                {json.map(|json| view! {
                    <script type="application/json" id=branding::BRANDING_ELEMENT_ID inner_html=json></script>
                })}
                <script type="application/json" id=i18n::catalogue::ELEMENT_ID inner_html=page_strings(locale)></script>
            </head>
            <body>
                {match invoices_landing {
                    Some(organisation) => view! { <landing::Landing organisation/> }.into_any(),
                    None => view! { <App/> }.into_any(),
                }}
                // A link's page posts the link from its first script; without scripts,
                // the customer does it.
                {link_page.then(|| view! {
                    <noscript>
                        <form method="post" class="open-link">
                            <button class="button primary">{i18n::messages(locale).open_portal}</button>
                        </form>
                    </noscript>
                })}
            </body>
        </html>
    }
}

/// The path of the page being rendered on the server; `None` in the browser.
fn page_path() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The page's language's strings, for the browser, which holds none of its own.
fn page_strings(locale: Locale) -> &'static str {
    #[cfg(feature = "ssr")]
    {
        i18n::catalogue::json(locale)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = locale;
        ""
    }
}

/// Puts a link's landing page in the address bar before the app starts, and holds what is
/// clicked until then; as every page carries it, without its comments and indentation.
fn boot_script() -> &'static str {
    static SCRIPT: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| without_comments(include_str!("boot.js")));
    &SCRIPT
}

/// A script without its comment lines, its indentation and its blank lines. A comment in
/// `boot.js` has lines of its own, and no string or expression there spans lines, so what
/// the script does is unchanged.
fn without_comments(script: &str) -> String {
    script
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads the bundle's JavaScript, starts the WASM from its (preloaded) address, and
/// hydrates the page. On a link's page all of that waits until the first script has put
/// the server's answer to the link in place (`__porticoOpening`), which also starts the
/// downloads: the first rows come first.
fn hydration_script(bundle: &Bundle) -> String {
    // Paths come from the server's own file names (checked characters only), so they are
    // safe inside a JavaScript string literal.
    format!(
        "Promise.resolve(window.__porticoOpening).then(()=>import({js:?})).then(m=>m.default({{module_or_path:{wasm:?}}}).then(()=>m.hydrate()))",
        js = bundle.js,
        wasm = bundle.wasm
    )
}

/// The language the customer picked in the switcher, once they have.
#[derive(Clone, Copy)]
pub struct LocaleChosen(pub RwSignal<Option<Locale>>);

/// Starts the app in the browser: hydrates the page the server rendered (a split tab's
/// code included, once its chunk is in), then marks the page live. Until then
/// (`data-app="starting"`, set by the page's first script) a click on a button is held by
/// that script and given to the button once the page is live, since
/// before the app has taken it over it would do nothing; while it hydrates, its links wait
/// too, since the router would take a click on one before the page it is in is the app's.
/// What was typed or picked in a field meanwhile is put back and announced by that script
/// once the page is live: hydrating sets each field to the value the app holds.
#[cfg(feature = "hydrate")]
pub fn start() {
    let root = leptos::prelude::document().document_element();
    if let Some(root) = &root {
        let _ = root.set_attribute("data-app", "hydrating");
    }
    wasm_bindgen_futures::spawn_local(async move {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        match page_answers::invoices_landing() {
            Some(organisation) => landing::hydrate(body, organisation).await,
            None => whole_app(Start::Hydrate(body)).await,
        }
        if let Some(root) = root {
            let _ = root.remove_attribute("data-app");
        }
    });
}

/// How [`whole_app`] starts.
#[cfg(feature = "hydrate")]
pub enum Start {
    /// Hydrates the page the server rendered of it.
    Hydrate(web_sys::HtmlElement),
    /// Replaces the landing page, going to `target` (a path, with its query) in the
    /// landing's colour scheme.
    Replace { theme: Theme, target: String },
}

/// The whole app, with its router: its own WASM chunk in a split build, which a link's
/// landing page ([`landing::Landing`]) fetches only when the customer leaves it.
#[cfg(feature = "hydrate")]
#[leptos::lazy]
async fn whole_app(start: Start) {
    match start {
        Start::Hydrate(body) => leptos::mount::hydrate_from_async(body, App).await.forget(),
        Start::Replace { theme, target } => {
            let path = target.split(['?', '#']).next().unwrap_or_default();
            if let Some(section) = api::session::Section::from_path(path) {
                pages::portal::preload(&section).await;
            }
            // The router starts at the address bar's path.
            if let Ok(history) = window().history() {
                let _ =
                    history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&target));
            }
            landing::leave();
            // A root of its own: nothing of the landing page's reactive state, which is
            // gone, may be its parent.
            let root = Owner::new_root(None);
            root.with(|| {
                leptos::mount::mount_to(document().body().expect("a page has a body"), move || {
                    provide_context(InitialTheme(theme));
                    App()
                })
                .forget()
            });
            // It lives as long as the page, like the app in it.
            std::mem::forget(root);
            // As a change of tab does in the app.
            focus::focus_page_heading();
        }
    }
}

/// The colour scheme the app starts in, when it is not the organisation's.
#[derive(Clone, Copy)]
struct InitialTheme(Theme);

/// What every page of the app has around its content: the document title, the organisation's
/// colours and the header with its switches.
#[component]
pub(crate) fn Frame(children: Children) -> impl IntoView {
    let i18n = I18n(RwSignal::new(i18n::page_locale()));
    provide_context(i18n);
    provide_context(LocaleChosen(RwSignal::new(None)));
    Effect::new(move |_| i18n::set_document_language(i18n.locale()));
    let brand = branding::current();
    let theme = RwSignal::new(match use_context::<InitialTheme>() {
        Some(InitialTheme(theme)) => theme,
        None => brand
            .as_ref()
            .map_or(Theme::Auto, |b| Theme::parse(&b.theme)),
    });
    let return_to = ReturnTo(RwSignal::new(
        brand.as_ref().and_then(|b| b.return_url.clone()),
    ));
    provide_context(return_to);
    provide_context(brand.clone());
    let origins = brand
        .as_ref()
        .map(|b| b.embed_origins.clone())
        .unwrap_or_default();
    // Effects run in the browser only: announce ourselves to an embedding page.
    Effect::new(move |_| embed::start(origins.clone()));
    // The server writes the title into the page; here it follows the language.
    let org_name = brand.as_ref().map(|b| b.name.clone());
    Effect::new(move |_| {
        let title = page_title(org_name.as_deref(), i18n.t());
        #[cfg(feature = "hydrate")]
        document().set_title(&title);
        #[cfg(not(feature = "hydrate"))]
        let _ = title;
    });

    view! {
        <div class="portico" data-theme=move || theme.get().as_str()>
            <a class="skip-link" href="#main" on:click=skip_to_main>{move || i18n.t().skip_to_content}</a>
            <header class="topbar">
                <Masthead brand return_to/>
                <div class="topbar-controls">
                    <LanguageSwitch/>
                    <ThemeSwitch theme/>
                </div>
            </header>
            {children()}
        </div>
    }
}

/// The application: header, routes and footer.
#[component]
pub fn App() -> impl IntoView {
    let (is_routing, set_is_routing) = signal(false);

    view! {
        <Frame>
            <Router set_is_routing>
                <RouterEmbedBridge/>
                // Focusable from the skip link, though never a Tab stop of its own.
                // While a tab's code or data is on its way, the page being left says so.
                <main id="main" class="content" tabindex="-1" aria-busy=move || is_routing.get().then_some("true")>
                    <Routes fallback=pages::not_found::NotFound>
                        <Route path=path!("/") view=pages::home::Home/>
                        <Route path=path!("/session/:token") view=pages::open_link::OpenLink/>
                        <ParentRoute path=path!("/portal/:org") view=pages::portal::PortalRoute>
                            <Route path=path!("overview") view={Lazy::<pages::portal::overview::OverviewRoute>::new()}/>
                            <Route path=path!("profile") view={Lazy::<pages::portal::profile::ProfileRoute>::new()}/>
                            <Route path=path!("invoices") view=pages::portal::invoices::InvoicesTab/>
                            <Route
                                path=path!("invoices/:invoice")
                                view={Lazy::<pages::portal::invoices::InvoiceRoute>::new()}
                            />
                            <Route path=path!("payments") view={Lazy::<pages::portal::payments::PaymentsRoute>::new()}/>
                            <Route path=path!("entitlements") view={Lazy::<pages::portal::entitlements::EntitlementsRoute>::new()}/>
                            <Route path=path!("subscriptions") view={Lazy::<pages::portal::subscriptions::SubscriptionsRoute>::new()}/>
                            <Route
                                path=path!("payment-methods")
                                view={Lazy::<pages::portal::payment_methods::PaymentMethodsRoute>::new()}
                            />
                        </ParentRoute>
                    </Routes>
                </main>
            </Router>
        </Frame>
    }
}

/// The embedding page follows the router's path.
#[component]
fn RouterEmbedBridge() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    view! { <components::embed_bridge::EmbedBridge path=location.pathname.into()/> }
}

/// The skip link moves the keyboard, not just the view, to the main content: the next
/// Tab goes on from there. (Without the app, the browser does the same for the focusable
/// `<main>`.)
fn skip_to_main(event: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let main = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(main) = main {
            event.prevent_default();
            let _ = main.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// The document's title: the organisation's billing, or Portico's billing portal.
fn page_title(organisation: Option<&str>, t: &Messages) -> String {
    match organisation {
        Some(name) => i18n::fill(t.billing_of, &[name]),
        None => t.billing_portal.to_owned(),
    }
}

/// The organisation's logo and name (or Portico's), leading back to the vendor when the
/// page knows where that is.
#[component]
fn Masthead(brand: Option<Branding>, return_to: ReturnTo) -> impl IntoView {
    let (name, logo) = match brand {
        Some(b) => (b.name, b.logo_url),
        None => ("Portico".to_owned(), None),
    };
    let i18n = crate::i18n::use_i18n();
    move || {
        // A logo carries the brand on its own; the name is then its text alternative.
        let content = match logo.clone() {
            Some(src) => view! { <img class="logo" src=src alt=name.clone()/> }.into_any(),
            None => view! { <span class="brand">{name.clone()}</span> }.into_any(),
        };
        match return_to.0.get() {
            Some(href) => view! {
                <a class="masthead" href=href rel="noreferrer" title=move || i18n.t().back_to_account>
                    {content}
                </a>
            }
            .into_any(),
            None => view! { <span class="masthead">{content}</span> }.into_any(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_indentation_and_blank_lines_go() {
        let script = "// Why.\n(function () {\n  // How.\n\n  var a = '//';\n  go(a);\n})();\n";
        assert_eq!(
            without_comments(script),
            "(function () {\nvar a = '//';\ngo(a);\n})();"
        );
    }

    #[test]
    fn the_first_script_goes_out_without_its_comments() {
        let source = include_str!("boot.js");
        let sent = boot_script();
        assert!(
            sent.len() * 10 < source.len() * 6,
            "{} of {} bytes",
            sent.len(),
            source.len()
        );
        for line in sent.lines() {
            // A comment after code on the same line would stay: `boot.js` has none.
            assert!(!line.starts_with("//") && !line.contains("// "), "{line:?}");
        }
        assert!(sent.contains("\nwindow.__porticoOpening = fetch(location.pathname, {\n"));
    }
}
