//! The sign-in page (shown instead of the console until the relay knows who is there) and the
//! kiosk pairing page (`/kiosk/pair`: a tablet enters the one-time code an admin made).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::session::{self, SessionState};
use crate::components::TextField;
use crate::strings::signin as s;

/// One sign-in or pairing attempt at a time: `busy` while it runs, its error in `error`, and
/// `session` signed in with its answer.
fn attempt<F>(
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    session: RwSignal<SessionState>,
    run: F,
) where
    F: std::future::Future<Output = Result<tna_types::protocol::WhoamiResult, String>> + 'static,
{
    if busy.get_untracked() {
        return;
    }
    busy.set(true);
    error.set(None);
    spawn_local(async move {
        match run.await {
            Ok(who) => {
                session.try_set(SessionState::SignedIn(who));
            }
            Err(e) => {
                error.try_set(Some(e));
            }
        }
        busy.try_set(false);
    });
}

/// Asks for a username and password; on success sets `session` (the console then opens).
#[component]
pub fn SignInPage(session: RwSignal<SessionState>, hint: Option<String>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, p) = (username.get_untracked(), password.get_untracked());
        attempt(busy, error, session, async move {
            session::sign_in(u.trim(), &p).await
        });
    };
    view! {
        <main id="main" class="signin" data-testid="signin-page">
            <form class="card signin-card" on:submit=submit>
                <h1>{s::TITLE}</h1>
                <p class="muted">{s::INTRO}</p>
                {hint.map(|h| view! { <p class="signin-hint" data-testid="signin-hint">{h}</p> })}
                <TextField label=s::USERNAME value=username testid="signin-username" autocomplete="username" />
                <TextField
                    label=s::PASSWORD
                    value=password
                    testid="signin-password"
                    kind="password"
                    autocomplete="current-password"
                />
                {move || {
                    error
                        .get()
                        .map(|e| view! { <p class="error-text" role="alert" data-testid="signin-error">{e}</p> })
                }}
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="signin-submit"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { s::SIGNING_IN } else { s::SUBMIT }}
                </button>
                <p class="muted small">
                    {s::KIOSK_HINT} " " // A full page load: the app decides what to show from the address when it starts.
                    <a href="/kiosk/pair" rel="external">{s::KIOSK_LINK}</a>
                </p>
            </form>
        </main>
    }
}

/// `/kiosk/pair`: enrols this browser as a kiosk with a one-time code, then opens the kiosk.
#[component]
pub fn PairPage(session: RwSignal<SessionState>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let c = code.get_untracked();
        spawn_local(async move {
            match session::pair(c.trim()).await {
                Ok(who) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.history().and_then(|h| {
                            h.replace_state_with_url(
                                &wasm_bindgen::JsValue::NULL,
                                "",
                                Some("/kiosk"),
                            )
                        });
                    }
                    session.try_set(SessionState::SignedIn(who));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <main id="main" class="signin" data-testid="pair-page">
            <form class="card signin-card" on:submit=submit>
                <h1>{s::PAIR_TITLE}</h1>
                <p class="muted">{s::PAIR_INTRO}</p>
                <TextField
                    label=s::PAIR_CODE
                    value=code
                    testid="pair-code"
                    autocomplete="one-time-code"
                    class="pair-code"
                />
                {move || {
                    error
                        .get()
                        .map(|e| view! { <p class="error-text" role="alert" data-testid="pair-error">{e}</p> })
                }}
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="pair-submit"
                    disabled=move || busy.get()
                >
                    {s::PAIR_SUBMIT}
                </button>
            </form>
        </main>
    }
}
