//! Moving the keyboard focus where a person expects it after an action removed the control
//! they used (a "Show more" button, a "Clear filters" link), instead of letting it fall back
//! to the page body.

/// Focuses the element with `id` after the next paint (it may be about to be drawn).
/// Elements that are not focusable by nature get `tabindex="-1"` in their markup.
pub fn focus_by_id(id: impl Into<String>) {
    let id: String = id.into();
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(move || {
        if let Some(element) = dom::document().and_then(|d| d.get_element_by_id(&id)) {
            dom::focus(element, false);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Focuses the element with `id` after the next paint, unless the keyboard is already
/// inside the element with `container_id` (where the browser's own autofocus put it).
pub fn focus_into(container_id: &'static str, id: &'static str) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(move || {
        let Some(document) = dom::document() else {
            return;
        };
        let inside = document
            .get_element_by_id(container_id)
            .zip(document.active_element())
            .is_some_and(|(container, active)| {
                container.contains(Some(&active)) && container != active
            });
        if let Some(element) = document.get_element_by_id(id).filter(|_| !inside) {
            dom::focus(element, false);
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (container_id, id);
}

/// Focuses row `index` (from 0) of the body of the table with `table_id` after the next
/// paint: the link in its row header (an invoice's number), or else the row itself.
pub fn focus_row(table_id: &'static str, index: usize) {
    #[cfg(feature = "hydrate")]
    leptos::prelude::request_animation_frame(move || {
        let Some(document) = dom::document() else {
            return;
        };
        let selector = format!("#{table_id} tbody tr:nth-child({})", index + 1);
        let Ok(Some(row)) = document.query_selector(&selector) else {
            return;
        };
        let target = match row.query_selector("th a") {
            Ok(Some(link)) => link,
            _ => {
                let _ = row.set_attribute("tabindex", "-1");
                row
            }
        };
        dom::focus(target, false);
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (table_id, index);
}

/// After moving to another tab or an invoice: focuses the heading of the page's first card
/// once it is drawn (an invoice's waits for the invoice), trying for about two seconds.
/// The page being left may stay on screen meanwhile (while a tab's code loads): its
/// heading, found now, is never the one focused.
pub fn focus_page_heading() {
    #[cfg(feature = "hydrate")]
    {
        let leaving = first_card_heading();
        leptos::prelude::set_timeout(
            move || heading_attempt(leaving, 40),
            std::time::Duration::from_millis(50),
        );
    }
}

#[cfg(feature = "hydrate")]
fn first_card_heading() -> Option<web_sys::Element> {
    dom::document().and_then(|d| d.query_selector("main .card h2").ok().flatten())
}

#[cfg(feature = "hydrate")]
fn heading_attempt(leaving: Option<web_sys::Element>, tries_left: u32) {
    leptos::prelude::request_animation_frame(move || {
        let heading = first_card_heading().filter(|h| leaving.as_ref() != Some(h));
        match heading {
            Some(heading) => {
                if !heading.has_attribute("tabindex") {
                    let _ = heading.set_attribute("tabindex", "-1");
                }
                // Inside an iframe, scrolling to it could move the vendor's own page.
                dom::focus(heading, true);
            }
            None if tries_left > 0 => leptos::prelude::set_timeout(
                move || heading_attempt(leaving, tries_left - 1),
                std::time::Duration::from_millis(50),
            ),
            None => {}
        }
    });
}

#[cfg(feature = "hydrate")]
mod dom {
    use wasm_bindgen::JsCast;

    pub fn document() -> Option<web_sys::Document> {
        web_sys::window().and_then(|w| w.document())
    }

    /// Focuses an element, optionally without scrolling it into view.
    pub fn focus(element: web_sys::Element, prevent_scroll: bool) {
        let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() else {
            return;
        };
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(prevent_scroll);
        let _ = element.focus_with_options(&options);
    }
}
