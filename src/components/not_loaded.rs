//! What a lazily loaded piece shows when its WebAssembly module could not be fetched: the
//! console's pages (`src/routes.rs`) and the kiosk's pairing page and settings
//! (`src/kiosk_app.rs`, `pages/kiosk.rs`), each a `wasm_split` split point marked `fallible`.

use leptos::prelude::*;

use crate::strings::app as s;

/// What a page shows when its module could not be fetched: the relay was unreachable, or it was
/// updated since this tab loaded and the old module is gone. Reloading gets the current version.
#[component]
pub fn NotLoaded() -> impl IntoView {
    let reload = |_| {
        if let Err(e) = window().location().reload() {
            leptos::logging::warn!("reload: {e:?}");
        }
    };
    view! {
        <section class="page" data-testid="page-not-loaded">
            <h1>{s::PAGE_NOT_LOADED_TITLE()}</h1>
            <p>{s::PAGE_NOT_LOADED()}</p>
            <p><button type="button" class="btn" on:click=reload>{s::RELOAD()}</button></p>
        </section>
    }
}
