//! Answers that come with the page. A portal link's page is a POST (`/session/<token>`):
//! the server trades the link for a session there and then, makes the landing page's
//! first reads itself, renders the landing tab with them, and hands the same answers to
//! the app in the page, so that the first rows are in the HTML and the app, once it
//! starts, asks for none of them again.

use serde::{Deserialize, Serialize};

use crate::api::routes;
use crate::api::session::{ExchangeResponse, Section, Tab};

/// The id of the page's JSON element that carries them.
pub const ELEMENT_ID: &str = "portico-answers";

/// One API answer: its status and its JSON body, as the API sent them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// `"GET /api/v1/portal/invoices?limit=10"`.
    pub request: String,
    pub status: u16,
    pub body: String,
}

/// What the server did for the page before rendering it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageAnswers {
    pub answers: Vec<Answer>,
    /// The session the reads were made with.
    pub token: Option<String>,
    /// The page is rendered as the landing path (the exchange answer's `landing_path`),
    /// which its first script puts in the address bar in place of the link.
    pub at_landing: bool,
    /// The page was asked for by the link page's script: the app takes it over.
    #[serde(default)]
    pub scripted: bool,
}

impl Answer {
    /// The body of a successful answer, decoded.
    fn ok<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        (self.status == 200)
            .then(|| serde_json::from_str(&self.body).ok())
            .flatten()
    }
}

impl PageAnswers {
    /// The request key of an answer: method and path.
    pub fn request(method: &str, path: &str) -> String {
        format!("{method} {path}")
    }

    /// The link exchange's answer, when it succeeded.
    pub fn exchanged(&self) -> Option<ExchangeResponse> {
        let exchange = Self::request("POST", routes::SESSION_EXCHANGE);
        self.answers.iter().find(|a| a.request == exchange)?.ok()
    }
}

/// The exchange's answer the page came with, if the page was rendered as the portal page
/// of `organisation`: the session it is signed in with from the first render on.
pub fn landed_session(organisation: &str) -> Option<ExchangeResponse> {
    let answers = current()?;
    if !answers.at_landing {
        return None;
    }
    answers
        .exchanged()
        .filter(|opened| opened.organisation_id == organisation)
}

/// The organisation whose invoice list the page is rendered as, when it is a link's landing
/// page on that list: the server renders such a page as [`crate::landing::Landing`], and
/// the browser hydrates it as that, not as the whole app.
pub fn invoices_landing() -> Option<String> {
    let answers = current()?;
    let opened = answers.exchanged().filter(|_| answers.at_landing)?;
    (Section::from_path(&opened.landing_path)? == Section::Tab(Tab::Invoices))
        .then_some(opened.organisation_id)
}

/// Whether the page is rendered for the app to take over (the link page's script asked for
/// it), rather than for a browser without scripts.
pub fn scripted() -> bool {
    current().is_some_and(|answers| answers.scripted)
}

/// Takes the answer the page came with for `request` made with `session`, once: a later
/// call for the same request goes to the network, since the data may have changed.
pub fn take(request: &str, session: Option<&str>) -> Option<Answer> {
    let answers = current()?;
    if session.is_some() && session != answers.token.as_deref() {
        return None;
    }
    let answer = answers
        .answers
        .iter()
        .find(|a| a.request == request)?
        .clone();
    forget(request);
    Some(answer)
}

/// [`take`], for a successful answer, decoded.
pub fn take_ok<T: serde::de::DeserializeOwned>(request: &str, session: Option<&str>) -> Option<T> {
    take(request, session)?.ok()
}

/// A successful answer for `request`, decoded, without using it up: what the server's
/// render used, so that the first browser render agrees with it.
pub fn peek<T: serde::de::DeserializeOwned>(request: &str) -> Option<T> {
    peek_answer(request)?.ok()
}

/// The answer for `request` the page came with, whatever its status, without using it up.
pub fn peek_answer(request: &str) -> Option<Answer> {
    let answers = current()?;
    answers
        .answers
        .iter()
        .find(|a| a.request == request)
        .cloned()
}

/// Runs `read` with the portal's reads answered only from the page's answers: one the page
/// lacks fails at once instead of going to the network (on the server it always does).
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn only<R>(read: impl FnOnce() -> R) -> R {
    let before = ONLY.replace(true);
    let answered = read();
    ONLY.set(before);
    answered
}

#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
pub fn only<R>(read: impl FnOnce() -> R) -> R {
    read()
}

/// Whether reads are being answered only from the page's answers ([`only`]).
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn answers_only() -> bool {
    ONLY.get()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
thread_local! {
    static ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The answers of the page being rendered on the server, for the shell to hand on.
#[cfg(feature = "ssr")]
pub fn page() -> Option<std::sync::Arc<PageAnswers>> {
    current()
}

/// Only the server renders the shell.
#[cfg(not(feature = "ssr"))]
pub fn page() -> Option<std::sync::Arc<PageAnswers>> {
    None
}

/// The answers of the page being rendered on the server.
#[cfg(feature = "ssr")]
fn current() -> Option<std::sync::Arc<PageAnswers>> {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<std::sync::Arc<PageAnswers>>()
            .cloned()
    })
}

#[cfg(feature = "ssr")]
fn forget(_request: &str) {}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
thread_local! {
    static PAGE: std::cell::RefCell<Option<std::rc::Rc<PageAnswers>>> =
        std::cell::RefCell::new(crate::csp::read_inline_json(ELEMENT_ID).map(std::rc::Rc::new));
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn current() -> Option<std::rc::Rc<PageAnswers>> {
    PAGE.with(|page| page.borrow().clone())
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn forget(request: &str) {
    PAGE.with(|page| {
        let mut page = page.borrow_mut();
        if let Some(answers) = page.as_mut() {
            std::rc::Rc::make_mut(answers)
                .answers
                .retain(|a| a.request != request);
        }
    });
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn current() -> Option<std::sync::Arc<PageAnswers>> {
    None
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn forget(_request: &str) {}
