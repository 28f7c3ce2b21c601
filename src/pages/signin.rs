//! The sign-in page (shown instead of the console until the relay knows who is there) and the
//! kiosk pairing page (`/kiosk/pair`: a tablet enters the one-time code an admin made).

use leptos::prelude::*;

use crate::api::session::{self, SessionState};
use crate::components::{LangSwitch, TextField};
use crate::strings::signin as s;

/// What the visitor sends to get a session.
#[derive(Clone)]
enum Attempt {
    SignIn { username: String, password: String },
    Pair { code: String },
}

/// One sign-in or pairing attempt at a time: `pending()` while it runs, its error in `value()`,
/// and `session` signed in with its answer (a paired kiosk's address becomes `/kiosk`).
fn attempt_action(
    session: RwSignal<SessionState>,
) -> Action<Attempt, Result<tna_types::protocol::WhoamiResult, String>> {
    let action = Action::new_local(|a: &Attempt| {
        let a = a.clone();
        async move {
            match a {
                Attempt::SignIn { username, password } => {
                    session::sign_in(username.trim(), &password).await
                }
                Attempt::Pair { code } => {
                    let who = session::pair(code.trim()).await?;
                    if let Some(w) = web_sys::window() {
                        let _ = w.history().and_then(|h| {
                            h.replace_state_with_url(
                                &wasm_bindgen::JsValue::NULL,
                                "",
                                Some(session::KIOSK_PATH),
                            )
                        });
                    }
                    Ok(who)
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(who)) = action.value().get() {
            session.set(SessionState::SignedIn(who));
        }
    });
    action
}

/// The error of the last attempt, if it failed.
fn attempt_error(
    action: Action<Attempt, Result<tna_types::protocol::WhoamiResult, String>>,
) -> Option<String> {
    action
        .value()
        .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
}

/// Asks for a username and password; on success sets `session` (the console then opens).
#[component]
pub fn SignInPage(session: RwSignal<SessionState>, hint: Option<String>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let attempt = attempt_action(session);
    let busy = attempt.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            attempt.dispatch(Attempt::SignIn {
                username: username.get_untracked(),
                password: password.get_untracked(),
            });
        }
    };
    view! {
        <main id="main" class="signin" data-testid="signin-page">
            <form class="card signin-card" on:submit=submit>
                <h1>{s::TITLE()}</h1>
                <p class="muted">{s::INTRO()}</p>
                <LangSwitch labelled=true />
                {hint.map(|h| view! { <p class="signin-hint" data-testid="signin-hint">{h}</p> })}
                <TextField label=s::USERNAME() value=username testid="signin-username" autocomplete="username" />
                <TextField
                    label=s::PASSWORD()
                    value=password
                    testid="signin-password"
                    kind="password"
                    autocomplete="current-password"
                />
                {move || {
                    attempt_error(attempt)
                        .map(|e| view! { <p class="error-text" role="alert" data-testid="signin-error">{e}</p> })
                }}
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="signin-submit"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { s::SIGNING_IN() } else { s::SUBMIT() }}
                </button>
                <p class="muted small">
                    {s::KIOSK_HINT()} " " // A full page load: the app decides what to show from the address when it starts.
                    <a href="/kiosk/pair" rel="external">{s::KIOSK_LINK()}</a>
                </p>
            </form>
        </main>
    }
}

/// `/kiosk/pair`: enrols this browser as a kiosk with a one-time code, then opens the kiosk.
#[component]
pub fn PairPage(session: RwSignal<SessionState>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let attempt = attempt_action(session);
    let busy = attempt.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            attempt.dispatch(Attempt::Pair {
                code: code.get_untracked(),
            });
        }
    };
    view! {
        <main id="main" class="signin" data-testid="pair-page">
            <form class="card signin-card" on:submit=submit>
                <h1>{s::PAIR_TITLE()}</h1>
                <p class="muted">{s::PAIR_INTRO()}</p>
                <LangSwitch labelled=true />
                <TextField
                    label=s::PAIR_CODE()
                    value=code
                    testid="pair-code"
                    autocomplete="one-time-code"
                    class="pair-code"
                />
                {move || {
                    attempt_error(attempt)
                        .map(|e| view! { <p class="error-text" role="alert" data-testid="pair-error">{e}</p> })
                }}
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="pair-submit"
                    disabled=move || busy.get()
                >
                    {s::PAIR_SUBMIT()}
                </button>
            </form>
        </main>
    }
}
