//! Any address without a page.

use leptos::prelude::*;

use crate::strings::app as s;

/// "Page not found", with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page" data-testid="not-found">
            <h1>{s::NOT_FOUND_TITLE()}</h1>
            <p>{s::NOT_FOUND_BODY()}</p>
            <p>
                <a href="/" class="btn">{s::BACK_TO_DEVICES()}</a>
            </p>
        </section>
    }
}
