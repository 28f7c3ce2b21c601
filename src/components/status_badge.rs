//! A device's connection status: text, a shape and a colour (never colour alone).

use leptos::prelude::*;
use tna_types::ConnectionStatus;

use crate::strings::components as s;

/// The wire name of a status (`connected`, …), used for `data-status` and CSS.
pub fn status_key(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::Connected => "connected",
        ConnectionStatus::Connecting => "connecting",
        ConnectionStatus::Disconnected => "disconnected",
        ConnectionStatus::Error => "error",
    }
}

/// The status as people read it.
pub fn status_text(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::Connected => s::STATUS_CONNECTED(),
        ConnectionStatus::Connecting => s::STATUS_CONNECTING(),
        ConnectionStatus::Disconnected => s::STATUS_DISCONNECTED(),
        ConnectionStatus::Error => s::STATUS_ERROR(),
    }
}

fn status_icon(status: ConnectionStatus) -> &'static str {
    match status {
        ConnectionStatus::Connected => "●",
        ConnectionStatus::Connecting => "◐",
        ConnectionStatus::Disconnected => "○",
        ConnectionStatus::Error => "✕",
    }
}

/// A status badge; `detail` (the gateway's own status name) shows as a tooltip and after the text.
#[component]
pub fn StatusBadge(
    status: ConnectionStatus,
    #[prop(optional_no_strip)] detail: Option<String>,
) -> impl IntoView {
    let key = status_key(status);
    view! {
        <span
            class=format!("badge badge-{key}")
            data-testid="status-badge"
            data-status=key
            title=detail.clone()
        >
            <span class="badge-icon" aria-hidden="true">{status_icon(status)}</span>
            <span class="badge-text">{status_text(status)}</span>
            {detail.clone().map(|d| view! { <span class="badge-detail">{d}</span> })}
        </span>
    }
}
