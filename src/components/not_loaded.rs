//! What a lazily loaded piece shows when its WebAssembly module could not be fetched: the
//! console's pages (`src/routes.rs`) and the kiosk's pairing page and settings
//! (`src/kiosk_app.rs`, `pages/kiosk.rs`), each a `wasm_split` split point marked `fallible`.

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use crate::strings::app as s;

/// A split point's view, or [`NotLoaded`] when its module could not be fetched.
pub fn or_not_loaded(loaded: Result<AnyView, SplitLoaderError>) -> AnyView {
    loaded.unwrap_or_else(|_| view! { <NotLoaded /> }.into_any())
}

/// A piece of a page behind a split point: nothing while `load` (the split point's call) runs,
/// then its view, or [`NotLoaded`].
pub fn when_loaded(
    load: impl Future<Output = Result<AnyView, SplitLoaderError>> + Send + 'static,
) -> impl IntoView {
    view! { <Suspense fallback=|| ()>{Suspend::new(async move { or_not_loaded(load.await) })}</Suspense> }
}

/// What a page shows when its module could not be fetched: the relay was unreachable, or it was
/// updated since this tab loaded and the old module is gone. Reloading gets the current version.
#[component]
pub fn NotLoaded() -> impl IntoView {
    let reload = |_| {
        if let Err(e) = window().location().reload() {
            leptos::logging::warn!("reload: {}", crate::js::error_text(&e));
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
