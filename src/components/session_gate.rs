//! What both bundles (the console and the kiosk) show before and around a session: they ask the
//! relay who is there (`/api/session`), show "checking" or "relay unreachable" (with retry)
//! until they know, then the signed-out or the signed-in view the bundle passes in. While signed
//! in, [`follow_session_end`] brings the signed-out view back when the relay ends the session.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::protocol::WhoamiResult;

use crate::api::session::{self, SessionState};
use crate::api::{ApiClient, ConnectionState};
use crate::components::role::Session;
use crate::strings::signin as s;

/// Asks the relay who is signed in, provides the [`Session`], and shows `signed_out` (given the
/// session and the relay's hint) or `signed_in` (given who and the session) once it knows.
#[component]
pub fn SessionGate(
    signed_out: fn(RwSignal<SessionState>, Option<String>) -> AnyView,
    signed_in: fn(WhoamiResult, RwSignal<SessionState>) -> AnyView,
    /// What to show instead of "relay unreachable", when it gives a view (the kiosk: its saved
    /// board, when it has one).
    #[prop(optional)]
    unreachable: Option<fn(RwSignal<SessionState>) -> Option<AnyView>>,
) -> impl IntoView {
    let session = RwSignal::new(SessionState::Checking);
    let check = move || {
        session.set(SessionState::Checking);
        spawn_local(async move {
            session.try_set(session::check().await);
        });
    };
    check();
    provide_context(Session(session));
    // Rebuild the page only when the kind of state changes, not on every set.
    let stage = Memo::new(move |_| session.get());
    move || match stage.get() {
        SessionState::Checking => {
            view! { <p class="loading signin" data-testid="session-checking">{s::CHECKING()}</p> }
                .into_any()
        }
        SessionState::Unreachable(e) => match unreachable.and_then(|f| f(session)) {
            Some(v) => v,
            None => view! {
                <main id="main" class="signin">
                    <div class="card signin-card" role="alert">
                        <h1>{s::UNREACHABLE()}</h1>
                        <p>{e}</p>
                        <button type="button" class="btn btn-primary" on:click=move |_| check()>
                            {s::TRY_AGAIN()}
                        </button>
                    </div>
                </main>
            }
            .into_any(),
        },
        SessionState::SignedOut { hint } => signed_out(session, hint),
        SessionState::SignedIn(who) => signed_in(who, session),
    }
}

/// Shows the signed-out view again when the session ends while the socket is open (the relay
/// says so), or when a socket that went down cannot come back because the session is gone
/// (signed out elsewhere, expired, role changed).
pub fn follow_session_end(api: ApiClient, session: RwSignal<SessionState>) {
    Effect::new(move |was_down: Option<bool>| {
        let down = matches!(api.state().get(), ConnectionState::Disconnected { .. });
        if down && was_down == Some(false) {
            spawn_local(async move {
                if let SessionState::SignedOut { hint } = session::check().await {
                    session.try_set(SessionState::SignedOut { hint });
                }
            });
        }
        down
    });
    Effect::new(move |_| {
        if api.session_ended().get() {
            spawn_local(async move {
                let hint = match session::check().await {
                    SessionState::SignedOut { hint } => hint,
                    _ => None,
                };
                session.try_set(SessionState::SignedOut { hint });
            });
        }
    });
}
