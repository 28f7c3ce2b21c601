//! The kiosk's own app root, the whole of the kiosk bundle (`src/bin/kiosk.rs`, `kiosk.html`,
//! served by the relay at `/kiosk`): a paired reception tablet loads this and nothing of the
//! console's other pages. It shares the console's code (session check, pairing page, API
//! client, live session, the kiosk page) and has no router: it is one screen.
//!
//! Not signed in (a fresh tablet, or one an admin unpaired): the pairing page. Signed in — as a
//! paired kiosk, or staff looking at the reception screen — the kiosk.

use leptos::prelude::*;

use crate::api::provide_api;
use crate::components::session_gate::{SessionGate, follow_session_end};
use crate::pages::kiosk::KioskPage;
use crate::pages::signin::PairPage;

/// The kiosk bundle's root.
#[component]
pub fn KioskApp() -> impl IntoView {
    view! {
        <SessionGate
            signed_out=|session, _hint| view! { <PairPage session /> }.into_any()
            signed_in=|_who, session| view! { <KioskShell session /> }.into_any()
        />
    }
}

/// The kiosk for a session: connects, and goes back to pairing when the session ends.
#[component]
fn KioskShell(session: RwSignal<crate::api::session::SessionState>) -> impl IntoView {
    let api = provide_api();
    crate::components::provide_user_names(api);
    follow_session_end(api, session);
    view! { <KioskPage /> }
}
