//! A confirmation in a native modal dialog: the browser moves focus in, keeps it there,
//! closes on Escape from anywhere and hands focus back to the opener.

use leptos::html::Dialog;
use leptos::prelude::*;

/// What is being confirmed (`None` when nothing is), and the dialog that asks.
pub struct Confirm<T: Send + Sync + 'static> {
    pub asking: RwSignal<Option<T>>,
    pub dialog: NodeRef<Dialog>,
    dialog_id: &'static str,
    safe_id: &'static str,
}

impl<T: Send + Sync + 'static> Clone for Confirm<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Confirm<T> {}

impl<T: Send + Sync + 'static> Confirm<T> {
    /// For the dialog with id `dialog_id`, whose safe choice (the one that changes
    /// nothing) has id `safe_id`. Every way out clears what is asked; the dialog follows.
    pub fn new(dialog_id: &'static str, safe_id: &'static str) -> Self {
        let confirm = Confirm {
            asking: RwSignal::new(None),
            dialog: NodeRef::new(),
            dialog_id,
            safe_id,
        };
        Effect::new(move |_| {
            let open = confirm.asking.with(Option::is_some);
            #[cfg(feature = "hydrate")]
            if let Some(dialog) = confirm.dialog.get() {
                if !open && dialog.open() {
                    dialog.close();
                }
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = open;
        });
        confirm
    }

    /// Asks about `what`. The dialog opens in the click itself, so that the `close` the
    /// browser fires a moment after an Escape cannot meet a dialog still waiting to open.
    pub fn ask(&self, what: T) {
        self.asking.set(Some(what));
        #[cfg(feature = "hydrate")]
        if let Some(dialog) = self.dialog.get_untracked() {
            if !dialog.open() {
                let _ = dialog.show_modal();
                // Its content is drawn with the signal that opened it, so the browser's
                // autofocus may find it empty: the safe choice then gets the keyboard.
                crate::focus::focus_into(self.dialog_id, self.safe_id);
            }
        }
        // On the server there is no dialog to open, nor focus to move.
        #[cfg(not(feature = "hydrate"))]
        let _ = (self.dialog_id, self.safe_id);
    }

    /// The dialog's `close`: clears what was asked, unless a quick Enter on the opener
    /// has opened the dialog again since (the browser fires `close` a moment late).
    pub fn closed(&self) {
        #[cfg(feature = "hydrate")]
        if self.dialog.get().is_some_and(|d| d.open()) {
            return;
        }
        self.asking.set(None);
    }
}
