//! Loading portal data: once for short lists, page by page for long ones.

use std::future::Future;

use leptos::prelude::*;

use super::PortalContext;
use crate::api::portal::Page;
use crate::client::ClientError;

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
    /// Loads the first page now (in the browser) and later pages on [`Paged::more`].
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(String, Option<String>) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>, ClientError>> + 'static,
    {
        let context = expect_context::<PortalContext>();
        let rows = RwSignal::new(Vec::new());
        let next = RwSignal::new(None);
        let state = RwSignal::new(Load::Loading);
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
        Effect::new(move |_| paged.reload());
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

/// A short list loaded once; setting the data again (after an action) needs no reload.
pub fn once<T, F, Fut>(fetch: F) -> (RwSignal<Option<T>>, RwSignal<Option<ClientError>>)
where
    T: Send + Sync + 'static,
    F: Fn(String) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<T, ClientError>> + 'static,
{
    let context = expect_context::<PortalContext>();
    let data = RwSignal::new(None);
    let failure = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(token) = context.token() else { return };
        leptos::task::spawn_local(async move {
            match fetch(token).await {
                Ok(found) => data.set(Some(found)),
                Err(error) if error.session_over() => context.end(&error),
                Err(error) => failure.set(Some(error)),
            }
        });
    });
    (data, failure)
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
            match crate::client::download(&token, &path, &filename).await {
                Ok(()) => {}
                Err(error) if error.session_over() => context.end(&error),
                Err(_) => failed.set(true),
            }
            busy.set(false);
        });
    }
}
