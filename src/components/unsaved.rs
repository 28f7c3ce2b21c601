//! "Leave with unsaved edits?": one flag set by editors, and two listeners installed once per
//! page load — a capturing click listener on the document (asks before a link is followed, ahead
//! of the router's own click handler, which ignores prevented clicks) and `beforeunload` (reload,
//! close, typed address).

use std::cell::Cell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

thread_local! {
    static UNSAVED: Cell<bool> = const { Cell::new(false) };
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: Cell<&'static str> = const { Cell::new("") };
}

/// Marks whether an editor holds unsaved edits; `message` is what the prompt asks.
pub fn set_unsaved(unsaved: bool, message: &'static str) {
    UNSAVED.with(|u| u.set(unsaved));
    MESSAGE.with(|m| m.set(message));
    if unsaved {
        install();
    }
}

/// Whether leaving now needs a confirmation.
pub fn is_unsaved() -> bool {
    UNSAVED.with(Cell::get)
}

fn install() {
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(|ev: web_sys::MouseEvent| {
        if !is_unsaved() || ev.default_prevented() || ev.button() != 0 {
            return;
        }
        let anchor = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a[href]").ok().flatten());
        if anchor.is_none() {
            return;
        }
        let message = MESSAGE.with(Cell::get);
        let leave = web_sys::window()
            .and_then(|w| w.confirm_with_message(message).ok())
            .unwrap_or(true);
        if leave {
            UNSAVED.with(|u| u.set(false));
        } else {
            ev.prevent_default();
            ev.stop_propagation();
        }
    });
    let on_unload = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        if is_unsaved() {
            ev.prevent_default();
        }
    });
    if let Some(doc) = window.document() {
        let _ = doc.add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
    }
    let _ =
        window.add_event_listener_with_callback("beforeunload", on_unload.as_ref().unchecked_ref());
    // Both live as long as the page.
    on_click.forget();
    on_unload.forget();
}
