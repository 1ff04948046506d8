//! The signed-in portal: its shell (header, tabs, session handling) and one module per tab.

/// A tab whose code the browser fetches only when the tab is first opened: `$route` is
/// its lazily loaded route, which shows `$component`. The landing tab (invoices) stays in
/// the first bundle, so a link's first page needs no extra round trip.
macro_rules! lazy_tab {
    ($(#[$doc:meta])* $route:ident => $component:ident) => {
        $(#[$doc])*
        pub struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> leptos::prelude::AnyView {
                leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <$component/> })
            }
        }
    };
}

/// The lazily loaded route that shows `section`, by the name the split build's manifest
/// knows it under (`lazy_tab!`'s `FooRoute` is `foo_route`); `None` for the invoice list,
/// which is in the first bundle.
pub fn lazy_route(section: &Section) -> Option<&'static str> {
    Some(match section {
        Section::Invoice(_) => "invoice_route",
        Section::Tab(Tab::Invoices) => return None,
        Section::Tab(Tab::Overview) => "overview_route",
        Section::Tab(Tab::Payments) => "payments_route",
        Section::Tab(Tab::Entitlements) => "entitlements_route",
        Section::Tab(Tab::Subscriptions) => "subscriptions_route",
        Section::Tab(Tab::PaymentMethods) => "payment_methods_route",
        Section::Tab(Tab::Profile) => "profile_route",
    })
}

/// Fetches the code of the tab that shows `section`, when it is split out: the whole app,
/// starting on a tab, waits for it, so that the page being left stays until the tab can
/// be drawn, as it does when the router changes tab.
#[cfg(feature = "hydrate")]
pub async fn preload(section: &Section) {
    use leptos_router::LazyRoute;
    match section {
        Section::Invoice(_) => invoices::InvoiceRoute::preload().await,
        Section::Tab(Tab::Invoices) => {}
        Section::Tab(Tab::Overview) => overview::OverviewRoute::preload().await,
        Section::Tab(Tab::Payments) => payments::PaymentsRoute::preload().await,
        Section::Tab(Tab::Entitlements) => entitlements::EntitlementsRoute::preload().await,
        Section::Tab(Tab::Subscriptions) => subscriptions::SubscriptionsRoute::preload().await,
        Section::Tab(Tab::PaymentMethods) => payment_methods::PaymentMethodsRoute::preload().await,
        Section::Tab(Tab::Profile) => profile::ProfileRoute::preload().await,
    }
}

pub mod credits;
pub mod entitlements;
pub mod invoices;
pub mod load;
pub mod overview;
pub mod pay;
pub mod payment_methods;
pub mod payments;
pub mod plan_change;
pub mod profile;
pub mod subscriptions;
pub mod tax_ids;

use leptos::prelude::*;

use crate::api::routes;
use crate::api::session::{Section, SessionInfo, Tab};
use crate::branding::Branding;
use crate::client::{self, ClientError};
use crate::components::problem::Problem;
use crate::i18n::{self, use_i18n, Label};
use crate::page_answers::{self, PageAnswers};
use crate::session::{self, Persistence, StoredSession};
use crate::{LocaleChosen, ReturnTo};

/// A tab's label in the tab bar.
fn tab_label(tab: Tab) -> Label {
    match tab {
        Tab::Overview => |t| t.tab_overview,
        Tab::Invoices => |t| t.tab_invoices,
        Tab::Payments => |t| t.tab_payments,
        Tab::Entitlements => |t| t.tab_entitlements,
        Tab::Subscriptions => |t| t.tab_subscriptions,
        Tab::PaymentMethods => |t| t.tab_payment_methods,
        Tab::Profile => |t| t.tab_profile,
    }
}

/// Why the portal cannot show the customer's data any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    pub code: String,
    pub return_url: Option<String>,
}

/// Who is signed in, as the server says (`GET /api/v1/portal/session`), once it has
/// (`None` until then; `Some(None)` without a session).
#[derive(Clone, Copy)]
pub struct SessionDetails(pub RwSignal<Option<Option<Result<SessionInfo, ClientError>>>>);

impl SessionDetails {
    /// The vendor's page for adding a payment method, for this customer.
    pub fn setup_url(&self) -> Option<String> {
        match self.0.get() {
            Some(Some(Ok(info))) => info.payment_method_setup_url,
            _ => None,
        }
    }
}

/// Shared by the tabs: the session, and the way to report that it is over.
#[derive(Clone, Copy)]
pub struct PortalContext {
    pub organisation: Memo<String>,
    pub session: RwSignal<Option<StoredSession>>,
    pub ended: RwSignal<Option<Ended>>,
}

impl PortalContext {
    /// The session token, when signed in.
    pub fn token(&self) -> Option<String> {
        self.session.get_untracked().map(|s| s.token)
    }

    /// Forgets the session after the API said it is over, and shows why.
    pub fn end(&self, error: &ClientError) {
        let return_url = error
            .return_url
            .clone()
            .or_else(|| self.session.get_untracked().and_then(|s| s.return_url));
        session::clear(&self.organisation.get_untracked());
        crate::embed::event("session_expired", serde_json::json!({}));
        self.ended.set(Some(Ended {
            code: if error.session_over() {
                "session_expired".into()
            } else {
                error.code.clone()
            },
            return_url,
        }));
    }

    /// The path of a tab of this portal.
    pub fn path(&self, tab: &str) -> String {
        format!("/portal/{}/{tab}", self.organisation.get())
    }
}

/// A parameter of the page's query (`?status=overdue`), as the page that shows the tab
/// knows it: the router's, or the landing page's own address.
#[derive(Clone, Copy)]
pub struct PageQuery(pub Callback<String, Option<String>>);

impl PageQuery {
    /// The value of `name`, when the page's address has it.
    pub fn get(name: &str) -> Option<String> {
        use_context::<PageQuery>().and_then(|query| query.0.run(name.to_owned()))
    }
}

/// `/portal/<organisation>/…`: the frame around every tab, shown by `children`.
/// `organisation` and `path` come from the router, or from the landing page that is
/// rendered without one; a tab link is a plain link, which the router (when there is
/// one) takes.
#[component]
pub fn Portal(
    organisation: Memo<String>,
    /// The page's path, to mark the current tab and follow tab changes.
    path: Signal<String>,
    /// What shows until the session has been read, on a page rendered without one; a
    /// link's landing page, rendered signed in, needs none.
    #[prop(optional)]
    skeleton: Option<ViewFn>,
    children: ChildrenFn,
) -> impl IntoView {
    // A link's page rendered as this portal page came signed in; otherwise storage is
    // read after hydration, so that the server and the first browser render agree.
    let landed = page_answers::landed_session(&organisation.get_untracked())
        .map(StoredSession::from)
        .map(session::with_picked_language);
    let first_info = landed.as_ref().and_then(|landed| {
        page_answers::peek::<SessionInfo>(&PageAnswers::request("GET", routes::PORTAL_SESSION))
            .or_else(|| shown::recall(&landed.token))
    });
    let first_info = StoredValue::new(first_info);
    let session = RwSignal::new(landed.clone());
    let persistence = RwSignal::new(None::<Persistence>);
    let ended = RwSignal::new(None::<Ended>);
    let ready = RwSignal::new(landed.is_some());
    let landed = StoredValue::new(landed);
    let context = PortalContext {
        organisation,
        session,
        ended,
    };
    provide_context(context);

    Effect::new(move |_| {
        let organisation = organisation.get();
        let found = match landed.try_update_value(Option::take).flatten() {
            Some(stored) => {
                let kept = session::save(&stored);
                Some((stored, kept))
            }
            None => session::load(&organisation),
        };
        match found {
            Some((stored, kept)) => {
                if let Some(ReturnTo(return_to)) = use_context::<ReturnTo>() {
                    return_to.set(stored.return_url.clone());
                }
                // A page that came signed in already shows this session: setting it
                // again would build the tab again (and lose the rows it came with).
                if session.with_untracked(|s| s.as_ref() != Some(&stored)) {
                    session.set(Some(stored));
                }
                persistence.set(Some(kept));
            }
            None => ended.set(Some(Ended {
                code: "session_expired".into(),
                return_url: None,
            })),
        }
        if !ready.get_untracked() {
            ready.set(true);
        }
    });

    // Asked for again whenever the session changes. A signal and a task rather than a
    // resource: a link's landing page then needs none of the resources' code in its
    // first WASM file.
    let info = RwSignal::new(None::<Option<Result<SessionInfo, ClientError>>>);
    Effect::new(move |_| {
        let token = session.get().map(|s| s.token);
        leptos::task::spawn_local(async move {
            let answer = match &token {
                Some(token) => Some(client::session_info(token).await),
                None => None,
            };
            // Not for a session since replaced, nor for a portal no longer shown.
            if session.try_with_untracked(|s| s.as_ref().map(|s| s.token.clone())) == Some(token) {
                let _ = info.try_set(Some(answer));
            }
        });
    });
    provide_context(SessionDetails(info));
    Effect::new(move |_| {
        if let (Some(Some(Ok(details))), Some(token)) = (info.get(), context.token()) {
            shown::remember(token, details);
        }
    });
    Effect::new(move |_| {
        if let Some(Some(Err(error))) = info.get() {
            if error.session_over() {
                context.end(&error);
            }
        }
    });

    // The language: the session's (the link's, or the customer's pick), then `?lang=`,
    // then the customer's, then the organisation's default. Without any of these the
    // server's choice from the browser's languages stands.
    let i18n = use_i18n();
    let chosen = expect_context::<LocaleChosen>();
    Effect::new(move |_| {
        if let Some(Some(Ok(details))) = info.get() {
            if chosen.0.get_untracked().is_some() {
                return;
            }
            let query = query_lang();
            // The tab's own copy comes first: it holds a pick whose save to the server
            // may not have landed before a reload.
            let stored = session.get_untracked().and_then(|s| s.locale);
            let picked = i18n::resolve([
                stored.as_deref(),
                details.locale.as_deref(),
                query.as_deref(),
                details.customer_locale.as_deref(),
                Some(details.default_locale.as_str()),
            ]);
            if let Some(locale) = picked {
                i18n.switch(locale);
            }
        }
    });
    // A language picked in the switcher is kept for the rest of the session.
    Effect::new(move |_| {
        let Some(locale) = chosen.0.get() else { return };
        if let Some(mut stored) = session.get_untracked() {
            stored.locale = Some(locale.as_str().to_owned());
            session::save(&stored);
        }
        if let Some(token) = context.token() {
            leptos::task::spawn_local(async move {
                let _ = client::set_session_locale(&token, locale.as_str()).await;
            });
        }
    });

    // An idle session ends on the server without telling anyone; say so on screen as soon
    // as it has, instead of at the customer's next click. No request is made for this:
    // any request would itself reset the idle timer.
    #[cfg(feature = "hydrate")]
    {
        let timer = set_interval_with_handle(
            move || {
                if ended.get_untracked().is_some() {
                    return;
                }
                if let Some(Some(Ok(details))) = info.get_untracked() {
                    if client::idle_seconds() > details.idle_timeout as f64 {
                        context.end(&ClientError::session_expired());
                    }
                }
            },
            std::time::Duration::from_secs(5),
        );
        on_cleanup(move || {
            if let Ok(timer) = timer {
                timer.clear();
            }
        });
    }

    let brand = use_context::<Option<Branding>>().flatten();
    // Without branding (an unknown organisation) every section shows; the API decides.
    let shows = move |tab: Tab| brand.as_ref().is_none_or(|b| b.shows(tab));

    // On a phone the tab bar scrolls sideways; keep the current tab in view.
    let tabs_ref = NodeRef::<leptos::html::Nav>::new();
    // A new tab or an invoice takes the keyboard to its heading, as a page load would take
    // it to the top; the first page keeps the browser's own start.
    Effect::new(move |previous: Option<String>| {
        let path = path.get();
        if previous.as_ref().is_some_and(|p| *p != path) {
            crate::focus::focus_page_heading();
        }
        path
    });
    Effect::new(move |_| {
        // The language too: a page loaded without the link's language is drawn in the
        // browser's, and its tabs change width once the session's language is in.
        let _ = (path.get(), ready.get(), ended.get(), i18n.locale());
        // Scrolled by hand: scrollIntoView could also scroll an embedding page. Measured
        // in the next frame: this effect can run before the links have moved
        // `aria-current` to the new tab.
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || {
            let Some(nav) = tabs_ref.get_untracked() else {
                return;
            };
            if let Ok(Some(current)) = nav.query_selector("[aria-current=page]") {
                let bar = nav.get_bounding_client_rect();
                let tab = current.get_bounding_client_rect();
                let offset = tab.left() - bar.left() - (bar.width() - tab.width()) / 2.0;
                nav.set_scroll_left(nav.scroll_left() + offset as i32);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = tabs_ref;
    });

    let logout = move |_| {
        let Some(stored) = session.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            // Whatever the server says, this tab forgets the session.
            let _ = client::logout(&stored.token).await;
            session::clear(&stored.organisation_id);
            crate::embed::event("action", serde_json::json!({ "action": "signed_out" }));
            ended.set(Some(Ended {
                code: "signed_out".into(),
                return_url: stored.return_url,
            }));
            // The button went away with the portal: the page saying so takes the keyboard.
            crate::focus::focus_by_id("problem-title");
        });
    };

    view! {
        {move || {
            if !ready.get() {
                skeleton.as_ref().map(ViewFn::run).unwrap_or_else(|| ().into_any())
            } else if let Some(end) = ended.get() {
                view! { <Problem code=end.code return_url=end.return_url/> }.into_any()
            } else {
                let signed_in_as = move || {
                    info.get()
                        .flatten()
                        .and_then(Result::ok)
                        .or_else(|| first_info.get_value())
                        .map(|i| (i.organisation_name, i.customer_name))
                };
                view! {
                    <div class="portal">
                        <div class="portal-head">
                            <div>
                                <p class="eyebrow">
                                    {move || signed_in_as().map(|(org, _)| org).unwrap_or_default()}
                                </p>
                                <h1 class="customer">
                                    {move || signed_in_as().map(|(_, customer)| customer).unwrap_or_default()}
                                </h1>
                            </div>
                            <button type="button" class="button" on:click=logout>{move || i18n.t().sign_out}</button>
                        </div>
                        {move || (persistence.get() == Some(Persistence::PageMemory)).then(|| view! {
                            <p class="notice" role="status">{move || i18n.t().storage_notice}</p>
                        })}
                        <nav class="tabs" aria-label=move || i18n.t().sections_label node_ref=tabs_ref>
                            {Tab::ALL
                                .into_iter()
                                .filter(|tab| shows(*tab))
                                .map(|tab| {
                                    let href = move || context.path(tab.slug());
                                    // The tab is current on its own path and below it (an invoice).
                                    let current = move || {
                                        let (href, path) = (href(), path.get());
                                        (path == href || path.starts_with(&format!("{href}/"))).then_some("page")
                                    };
                                    view! { <a href=href aria-current=current>{move || tab_label(tab)(i18n.t())}</a> }
                                })
                                .collect_view()}
                        </nav>
                        {children()}
                    </div>
                }
                .into_any()
            }
        }}
    }
}

/// The router's `/portal/<organisation>`: the portal frame around the tab the router
/// matched, with the organisation, path and query the router reads.
#[component]
pub fn PortalRoute() -> impl IntoView {
    use leptos_router::components::Outlet;
    use leptos_router::hooks::{use_location, use_params_map, use_query_map};

    let params = use_params_map();
    let organisation = Memo::new(move |_| params.read().get("org").unwrap_or_default());
    let location = use_location();
    let query = use_query_map();
    provide_context(PageQuery(Callback::new(move |name: String| {
        query.read_untracked().get(&name)
    })));
    let i18n = use_i18n();
    let skeleton = ViewFn::from(move || {
        view! { <PortalSkeleton status=move || i18n.t().loading_portal/> }
    });
    view! {
        <Portal organisation path=location.pathname.into() skeleton>
            <Outlet/>
        </Portal>
    }
}

/// Who the page last showed as signed in, with which session: the whole app that replaces
/// a link's landing page shows them at once, while it asks the server again.
mod shown {
    use crate::api::session::SessionInfo;

    #[cfg(feature = "hydrate")]
    thread_local! {
        static SHOWN: std::cell::RefCell<Option<(String, SessionInfo)>> =
            const { std::cell::RefCell::new(None) };
    }

    pub fn remember(token: String, details: SessionInfo) {
        #[cfg(feature = "hydrate")]
        SHOWN.with(|shown| *shown.borrow_mut() = Some((token, details)));
        #[cfg(not(feature = "hydrate"))]
        let _ = (token, details);
    }

    pub fn recall(token: &str) -> Option<SessionInfo> {
        #[cfg(feature = "hydrate")]
        {
            SHOWN.with(|shown| {
                shown
                    .borrow()
                    .as_ref()
                    .filter(|(shown, _)| shown == token)
                    .map(|(_, details)| details.clone())
            })
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = token;
            None
        }
    }
}

/// `?lang=` of the page's address, in the browser.
fn query_lang() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let search = web_sys::window()?.location().search().ok()?;
        search
            .trim_start_matches('?')
            .split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .map(str::to_owned)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// The portal's shape while the session is being read, or while a link is being opened:
/// the same head, tab bar and card as the signed-in portal, so that nothing moves when
/// the data arrives. The tabs are shown but not yet links.
#[component]
pub fn PortalSkeleton(
    /// What a screen reader hears meanwhile.
    #[prop(into)]
    status: Signal<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let brand = use_context::<Option<Branding>>().flatten();
    let shows = move |tab: Tab| brand.as_ref().is_none_or(|b| b.shows(tab));
    view! {
        <div class="portal" aria-busy="true">
            <p class="visually-hidden" role="status">{status}</p>
            <div class="portal-head" aria-hidden="true">
                <div>
                    <p class="eyebrow"></p>
                    <h1 class="customer"></h1>
                </div>
                <span class="button placeholder">{move || i18n.t().sign_out}</span>
            </div>
            <div class="tabs" aria-hidden="true">
                {Tab::ALL
                    .into_iter()
                    .filter(|tab| shows(*tab))
                    .map(|tab| view! { <span>{move || tab_label(tab)(i18n.t())}</span> })
                    .collect_view()}
            </div>
            <div class="card" aria-hidden="true">
                <div class="skeleton skeleton-title"></div>
                <div class="skeleton skeleton-block"></div>
            </div>
        </div>
    }
}
