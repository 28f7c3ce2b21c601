//! A failure shown with the relay's own message, its code, and a retry button.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::strings::components as s;

/// An error box: `title`, then the error's message (the relay's sentence for protocol errors).
#[component]
pub fn ErrorBanner(
    #[prop(into)] title: String,
    error: ApiError,
    /// Shows a retry button that calls this.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
    /// A retry is running: the button is disabled and says so.
    #[prop(optional, into)]
    busy: Signal<bool>,
) -> impl IntoView {
    let code = error.rpc_code();
    view! {
        <div class="error-banner" role="alert" data-testid="error-banner" data-code=code.map(|c| c.to_string())>
            <p class="error-title">{title}</p>
            // In words only; the relay's code is kept for support in the title and `data-code`.
            <p
                class="error-message"
                data-testid="error-message"
                title=code.map(|c| format!("code {c}"))
            >
                {error.message()}
            </p>
            {on_retry
                .map(|cb| {
                    view! {
                        <button
                            type="button"
                            class="btn"
                            data-testid="error-retry"
                            disabled=move || busy.get()
                            on:click=move |_| cb.run(())
                        >
                            {move || if busy.get() { s::RETRYING() } else { s::RETRY() }}
                        </button>
                    }
                })}
        </div>
    }
}
