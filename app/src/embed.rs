//! Talking to the page that embeds the portal in an iframe.
//!
//! Messages go only to the organisation's allowed embedding origins, never to `*`: the
//! browser delivers a message only when the parent's origin is the one named, so posting
//! to each allowed origin reaches the real host and nobody else.

use serde_json::{json, Value};

/// Every message carries this, so hosts can tell Portico's messages from others.
pub const SOURCE: &str = "portico";

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;

    use serde_json::Value;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    thread_local! {
        static ORIGINS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// The parent window, when this page is framed.
    fn parent() -> Option<web_sys::Window> {
        let window = web_sys::window()?;
        let parent = window.parent().ok()??;
        (!js_sys::Object::is(&window, &parent)).then_some(parent)
    }

    pub fn is_framed() -> bool {
        parent().is_some()
    }

    pub fn post(message: Value) {
        let Some(parent) = parent() else { return };
        let Ok(data) = js_sys::JSON::parse(&message.to_string()) else {
            return;
        };
        ORIGINS.with(|origins| {
            for origin in origins.borrow().iter() {
                let _ = parent.post_message(&data, origin);
            }
        });
    }

    /// Remembers where to post, marks the page as embedded, announces it, and reports
    /// the content's height whenever it changes.
    pub fn start(origins: Vec<String>) {
        if !is_framed() {
            return;
        }
        ORIGINS.with(|o| *o.borrow_mut() = origins);
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(root) = document.document_element() {
            let _ = root.class_list().add_1("embedded");
        }
        let Ok(Some(content)) = document.query_selector(".portico") else {
            return;
        };
        let last = std::rc::Rc::new(std::cell::Cell::new(0i32));
        let observed = content.clone();
        let on_resize = Closure::<dyn FnMut()>::new(move || {
            let height = observed
                .dyn_ref::<web_sys::HtmlElement>()
                .map_or(0, |e| e.offset_height());
            if height != last.get() {
                last.set(height);
                post(
                    serde_json::json!({"source": super::SOURCE, "type": "resize", "height": height}),
                );
            }
        });
        let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) else {
            return;
        };
        observer.observe(&content);
        // The app that replaces a link's landing page starts again: its content is watched
        // instead, and the embedding page, told once, is not told again.
        let before = OBSERVER.replace(Some((observer, on_resize)));
        match before {
            Some((before, _)) => before.disconnect(),
            None => post(serde_json::json!({"source": super::SOURCE, "type": "ready"})),
        }
    }

    thread_local! {
        /// What reports the content's height, for as long as the page shows it.
        #[allow(clippy::type_complexity)]
        static OBSERVER: RefCell<Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>> =
            const { RefCell::new(None) };
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use serde_json::Value;

    pub fn is_framed() -> bool {
        false
    }
    pub fn post(_message: Value) {}
    pub fn start(_origins: Vec<String>) {}
}

pub use imp::{is_framed, start};

/// Posts one event (`navigate`, `session_expired`, `action`, …) to the embedding page.
pub fn event(kind: &str, mut detail: Value) {
    if let Value::Object(map) = &mut detail {
        map.insert("source".into(), json!(SOURCE));
        map.insert("type".into(), json!(kind));
    }
    imp::post(detail);
}
