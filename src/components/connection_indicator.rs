//! The header's relay connection indicator: text + colour + shape, announced politely.

use leptos::prelude::*;

use crate::api::ConnectionState;
use crate::strings::app as s;

/// `connecting` / `connected` / `disconnected`, for `data-state` and CSS.
pub fn state_key(state: ConnectionState) -> &'static str {
    match state {
        ConnectionState::Connecting => "connecting",
        ConnectionState::Connected => "connected",
        ConnectionState::Disconnected { .. } => "disconnected",
    }
}

/// The state as people read it.
pub fn state_text(state: ConnectionState) -> String {
    match state {
        ConnectionState::Connecting => s::CONN_CONNECTING().to_string(),
        ConnectionState::Connected => s::CONN_CONNECTED().to_string(),
        ConnectionState::Disconnected { retry_in_secs } => s::conn_disconnected(retry_in_secs),
    }
}

/// Shows `state`; while disconnected, offers "Retry now" when `on_retry` is given.
#[component]
pub fn ConnectionIndicator(
    #[prop(into)] state: Signal<ConnectionState>,
    #[prop(optional, into)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    let disconnected = move || matches!(state.get(), ConnectionState::Disconnected { .. });
    view! {
        <div class="conn" data-testid="connection-indicator" data-state=move || state_key(state.get())>
            <span class="conn-status" role="status" aria-live="polite">
                <span class="conn-dot" aria-hidden="true"></span>
                <span class="conn-text">{move || state_text(state.get())}</span>
            </span>
            {move || {
                on_retry
                    .filter(|_| disconnected())
                    .map(|cb| {
                        view! {
                            <button
                                type="button"
                                class="btn btn-small"
                                data-testid="reconnect-now"
                                on:click=move |_| cb.run(())
                            >
                                {s::CONN_RETRY_NOW()}
                            </button>
                        }
                    })
            }}
        </div>
    }
}
