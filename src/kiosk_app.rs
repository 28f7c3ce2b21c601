//! The kiosk's own app root, the whole of the kiosk bundle (`src/bin/kiosk.rs`, `kiosk.html`,
//! served by the relay at `/kiosk`): a paired reception tablet loads this and nothing of the
//! console's other pages. It shares the console's code (session check, pairing page, API
//! client, live session, the kiosk page) and has no router: it is one screen.
//!
//! Not signed in (a fresh tablet, or one an admin unpaired): the pairing page. Signed in — as a
//! paired kiosk, or staff looking at the reception screen — the kiosk. The relay unreachable
//! at start: the kiosk with its saved board, offline, when this tablet was a kiosk before.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;

use crate::api::session::{self, SessionState};
use crate::api::{ConnectionState, provide_binary_api};
use crate::components::session_gate::{SessionGate, follow_session_end};
use crate::components::when_loaded;
use crate::pages::kiosk::{KioskPage, forget_saved_board, has_saved_board};
use crate::pages::signin::PairPage;

/// While a kiosk that started without the relay is offline, it asks this often whether its
/// session still stands (an admin may have unpaired it meanwhile).
const OFFLINE_SESSION_CHECK: Duration = Duration::from_secs(30);

/// The kiosk bundle's root.
#[component]
pub fn KioskApp() -> impl IntoView {
    view! {
        <SessionGate
            signed_out=|session, _hint| {
                // Signed out or unpaired: the tablet forgets the board it kept.
                forget_saved_board();
                view! { <LazyPairPage session /> }.into_any()
            }
            signed_in=|_who, session| view! { <KioskShell session /> }.into_any()
            unreachable=offline_start
        />
    }
}

/// The pairing page, fetched as a module of its own in the release bundle (feature
/// `kiosk-split`): a paired tablet, which starts with the board, never loads it.
#[component]
fn LazyPairPage(session: RwSignal<SessionState>) -> impl IntoView {
    #[cfg(feature = "kiosk-split")]
    let load = pair_page(session);
    #[cfg(not(feature = "kiosk-split"))]
    let load = async move { pair_page(session) };
    when_loaded(load)
}

#[cfg_attr(
    feature = "kiosk-split",
    leptos::wasm_split::wasm_split(pair_page, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn pair_page(session: RwSignal<SessionState>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <PairPage session /> }.into_any())
}

/// Started without the relay: a tablet that was a kiosk before (it kept a board) shows the
/// kiosk, offline, and connects by itself when the relay answers.
fn offline_start(session: RwSignal<SessionState>) -> Option<AnyView> {
    has_saved_board().then(|| view! { <KioskShell session offline_start=true /> }.into_any())
}

/// The kiosk for a session: connects, and goes back to pairing when the session ends.
#[component]
fn KioskShell(
    session: RwSignal<SessionState>,
    /// Shown before the relay confirmed the session (see [`offline_start`]).
    #[prop(optional)]
    offline_start: bool,
) -> impl IntoView {
    let api = provide_binary_api();
    crate::components::provide_user_names(api);
    follow_session_end(api, session);
    if offline_start {
        // The socket is refused for good if the session ended meanwhile: ask, while offline.
        let check = move || {
            if api.state().get_untracked() == ConnectionState::Connected {
                return;
            }
            spawn_local(async move {
                if let SessionState::SignedOut { hint } = session::check().await {
                    session.try_set(SessionState::SignedOut { hint });
                }
            });
        };
        if let Ok(h) = set_interval_with_handle(check, OFFLINE_SESSION_CHECK) {
            on_cleanup(move || h.clear());
        }
    }
    view! { <KioskPage /> }
}
