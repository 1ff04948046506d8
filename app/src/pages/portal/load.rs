//! Loading portal data: whole lists as resources ([`Loaded`]), long ones page by page
//! ([`Paged`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use super::PortalContext;
use crate::api::portal::Page;
use crate::client::ClientError;
use crate::components::problem::Problem;
use crate::page_answers::{self, PageAnswers};

/// Where a load stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(ClientError),
}

/// Rows loaded a page at a time, newest first, with the cursor of the next page.
pub struct Paged<T: Send + Sync + 'static> {
    pub rows: RwSignal<Vec<T>>,
    pub next: RwSignal<Option<String>>,
    pub state: RwSignal<Load>,
    /// Counts reloads, so that an answer to an earlier query is dropped.
    generation: RwSignal<u64>,
    /// The table and row index that get the keyboard when the next page is in.
    focus_after: StoredValue<Option<(&'static str, usize)>>,
    load: StoredValue<Box<dyn Fn(Option<String>) + Send + Sync>>,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Clone + Send + Sync + 'static> Paged<T> {
    /// Starts from the first page (the API's `first_path`) that the page came with (see
    /// [`crate::page_answers`]), or else loads it now (in the browser); later pages come
    /// on [`Paged::more`].
    pub fn new<F, Fut>(first_path: &str, fetch: F) -> Self
    where
        T: serde::de::DeserializeOwned,
        F: Fn(String, Option<String>) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>, ClientError>> + 'static,
    {
        let context = expect_context::<PortalContext>();
        let first: Option<Page<T>> = context.token().and_then(|token| {
            page_answers::take_ok(&PageAnswers::request("GET", first_path), Some(&token))
        });
        let loaded = first.is_some();
        let (first_rows, first_next) =
            first.map_or((Vec::new(), None), |p| (p.data, p.next_cursor));
        let rows = RwSignal::new(first_rows);
        let next = RwSignal::new(first_next);
        let state = RwSignal::new(if loaded { Load::Ready } else { Load::Loading });
        let generation = RwSignal::new(0u64);
        let focus_after = StoredValue::new(None::<(&'static str, usize)>);
        let load = move |cursor: Option<String>| {
            let Some(token) = context.token() else { return };
            state.set(Load::Loading);
            let asked_in = generation.get_untracked();
            leptos::task::spawn_local(async move {
                let answer = fetch(token, cursor).await;
                if generation.get_untracked() != asked_in {
                    return;
                }
                match answer {
                    Ok(page) => {
                        rows.update(|r| r.extend(page.data));
                        next.set(page.next_cursor);
                        state.set(Load::Ready);
                        if let Some((table, index)) =
                            focus_after.try_update_value(Option::take).flatten()
                        {
                            crate::focus::focus_row(table, index);
                        }
                    }
                    Err(error) if error.session_over() => context.end(&error),
                    Err(error) => state.set(Load::Failed(error)),
                }
            });
        };
        let paged = Paged {
            rows,
            next,
            state,
            generation,
            focus_after,
            load: StoredValue::new(Box::new(load)),
        };
        if !loaded {
            Effect::new(move |_| paged.reload());
        }
        paged
    }

    /// The next page, appended.
    pub fn more(&self) {
        let cursor = self.next.get_untracked();
        self.load.with_value(|load| load(cursor));
    }

    /// "Show more" as a person uses it: the next page, appended, and then the keyboard on
    /// the first new row of the table with id `table_id`, since the button itself leaves
    /// the page while the rows load.
    pub fn more_and_focus(&self, table_id: &'static str) {
        let first_new = self.rows.with_untracked(Vec::len);
        self.focus_after.set_value(Some((table_id, first_new)));
        self.more();
    }

    /// From the first page again (after a failure, or with other filters).
    pub fn reload(&self) {
        self.generation.update(|g| *g += 1);
        self.focus_after.set_value(None);
        self.rows.set(Vec::new());
        self.next.set(None);
        self.load.with_value(|load| load(None));
    }
}

/// A short list loaded once, as a resource shown through `Suspense` and `ErrorBoundary`
/// ([`Loaded::view`]); an action's answer can change what it holds without a reload.
pub struct Loaded<T: Send + Sync + 'static> {
    data: LocalResource<Result<T, ClientError>>,
    /// The data, when the page came with it (a link's page, rendered as its landing tab):
    /// the server renders from it, and the browser's first render, which takes that page
    /// over, shows the same without asking again.
    seed: StoredValue<Option<T>>,
    /// What the resource holds, else the seed: what every reader sees. It changes only
    /// when the data does, not when the resource's first load brings the seed again.
    current: Memo<Option<T>>,
}

impl<T: Send + Sync + 'static> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loaded<T> {}

impl<T: Clone + PartialEq + Send + Sync + 'static> Loaded<T> {
    /// Starts loading in the browser, unless the page came with the data; a session that
    /// is over ends the portal.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(String) -> Fut + Copy + 'static,
        Fut: Future<Output = Result<T, ClientError>> + 'static,
    {
        let context = expect_context::<PortalContext>();
        // A read the page's answers hold needs no waiting; any other is not made here.
        let seed = context
            .token()
            .and_then(|token| page_answers::only(|| at_once(fetch(token))))
            .and_then(Result::ok);
        let first = StoredValue::new(seed.clone());
        // What `fetch` reads before its future starts (an address's id) is tracked: the
        // data loads again when that changes. The portal shows its tabs only once it holds
        // a session. The first load is the page's data, when it came with it.
        let data = LocalResource::new(move || {
            let fetching = context.token().map(fetch);
            let seeded = first.try_update_value(Option::take).flatten();
            async move {
                match (seeded, fetching) {
                    (Some(seeded), _) => Ok(seeded),
                    (None, Some(fetching)) => fetching.await,
                    (None, None) => Err(ClientError::session_expired()),
                }
            }
        });
        Effect::new(move |_| {
            let over = data.with(|d| match d {
                Some(Err(error)) if error.session_over() => Some(error.clone()),
                _ => None,
            });
            if let Some(error) = over {
                context.end(&error);
            }
        });
        let seed = StoredValue::new(seed);
        let current = Memo::new(move |_| {
            data.with(|d| d.as_ref().and_then(|d| d.as_ref().ok()).cloned())
                .or_else(|| seed.get_value())
        });
        Loaded {
            data,
            seed,
            current,
        }
    }

    /// The data, once it is in: what the resource holds, else what the page came with.
    pub fn get(&self) -> Option<T> {
        self.current.get()
    }

    /// The data, once it is in, without subscribing to it (in an event handler).
    pub fn get_untracked(&self) -> Option<T> {
        untrack(|| self.get())
    }

    /// Reads the data, once it is in, without copying it.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        self.current.with(|current| current.as_ref().map(f))
    }

    /// Loads the data again (after a failure).
    pub fn refetch(&self) {
        self.data.refetch();
    }

    /// Replaces the data, with what an action answered.
    pub fn set(&self, value: T) {
        self.data.set(Some(Ok(value)));
    }

    /// Changes the data in place, if it is in.
    pub fn update(&self, f: impl FnOnce(&mut T)) {
        self.data.update(|d| {
            if let Some(Ok(value)) = d {
                f(value);
            }
        });
    }

    /// The data as `render` shows it, `pending` while it comes, and the problem, with a
    /// retry, if it did not come.
    pub fn view<P: IntoView + 'static, V: IntoView + 'static>(
        self,
        pending: impl Fn() -> P + Clone + Send + Sync + 'static,
        render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    ) -> impl IntoView {
        let failed = move |code| {
            view! { <Problem code return_url=None retry=Callback::new(move |_| self.refetch())/> }
        };
        self.view_or(pending, failed, render)
    }

    /// [`Loaded::view`] with a failure view of the caller's own.
    pub fn view_or<P: IntoView + 'static, E: IntoView + 'static, V: IntoView + 'static>(
        self,
        pending: impl Fn() -> P + Clone + Send + Sync + 'static,
        failed: impl Fn(String) -> E + Clone + Send + Sync + 'static,
        render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
    ) -> impl IntoView {
        // A page that came with the data is rendered from it at once, on the server and
        // in the browser alike, and follows what the data becomes (an action's answer).
        if self.seed.with_value(Option::is_some) {
            return (move || match self.get() {
                Some(value) => render(value).into_any(),
                None => pending().into_any(),
            })
            .into_any();
        }
        let data = self.data;
        let content: Content = Arc::new(move || {
            let render = render.clone();
            Box::pin(async move { data.await.map(|value| render(value).into_any()) })
        });
        suspended(
            Arc::new(move || pending().into_any()),
            Arc::new(move |code| failed(code).into_any()),
            content,
        )
    }
}

/// The output of a future that needs no waiting (a read the page's answers hold).
fn at_once<F: Future>(future: F) -> Option<F::Output> {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// A loaded list's view, its types erased.
type Content = Arc<
    dyn Fn() -> Pin<Box<dyn Future<Output = Result<AnyView, ClientError>> + Send>> + Send + Sync,
>;

/// `Suspense` and `ErrorBoundary` around a loaded list. Not generic, so that one copy of
/// their code serves every tab: a copy per tab added 9 KB (brotli) to each tab's chunk.
#[inline(never)]
fn suspended(
    pending: Arc<dyn Fn() -> AnyView + Send + Sync>,
    failed: Arc<dyn Fn(String) -> AnyView + Send + Sync>,
    content: Content,
) -> AnyView {
    view! {
        <Suspense fallback=move || pending()>
            <ErrorBoundary fallback=move |errors| {
                let failed = failed.clone();
                move || failed(error_code(&errors.get()))
            }>
                {move || Suspend::new(content())}
            </ErrorBoundary>
        </Suspense>
    }
    .into_any()
}

/// The loading shape of a list in a card.
pub fn skeleton() -> impl IntoView {
    view! { <div class="skeleton skeleton-block" aria-busy="true"></div> }
}

/// The API's error code of the first failure an `ErrorBoundary` caught.
fn error_code(errors: &Errors) -> String {
    errors
        .iter()
        .find_map(|(_, error)| error.downcast_ref::<ClientError>())
        .map_or_else(|| "unexpected".to_owned(), |error| error.code.clone())
}

/// A file the customer asked for: whether it is being fetched, and whether that failed.
#[derive(Clone, Copy)]
pub struct Download {
    pub busy: RwSignal<bool>,
    pub failed: RwSignal<bool>,
    context: PortalContext,
}

impl Download {
    /// A download within the portal, whose session it uses.
    pub fn in_portal() -> Self {
        Download {
            busy: RwSignal::new(false),
            failed: RwSignal::new(false),
            context: expect_context::<PortalContext>(),
        }
    }

    /// Fetches `path` with the session and hands it to the browser as `filename`.
    pub fn start(&self, path: String, filename: String) {
        let Some(token) = self.context.token() else {
            return;
        };
        let Download {
            busy,
            failed,
            context,
        } = *self;
        busy.set(true);
        failed.set(false);
        leptos::task::spawn_local(async move {
            match crate::client::download(token, path, filename).await {
                Ok(()) => {}
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => failed.set(true),
            }
            busy.set(false);
        });
    }
}

/// The customer's today, once the page is live: none on the server, which does not know
/// the customer's calendar, and none in the browser's first render, which takes over the
/// server's page and must draw what it drew.
pub fn today_once_live() -> ReadSignal<Option<chrono::NaiveDate>> {
    let today = RwSignal::new(None);
    Effect::new(move |_| today.set(browser_today()));
    today.read_only()
}

fn browser_today() -> Option<chrono::NaiveDate> {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::new_0();
        chrono::NaiveDate::from_ymd_opt(
            now.get_full_year() as i32,
            now.get_month() + 1,
            now.get_date(),
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}
