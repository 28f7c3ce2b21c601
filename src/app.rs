//! The app root: asks the relay who is signed in, shows the sign-in (or kiosk pairing) page
//! until someone is, then connects, provides the client, and routes the pages the role may use.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::path;
use tna_types::Role;
use tna_types::protocol::WhoamiResult;

use crate::api::session::{self, SessionState};
use crate::api::{ConnectionState, provide_api};
use crate::components::role::{RequireRole, Session};
use crate::components::{ConnectionIndicator, DraftSlot};
use crate::pages::signin::{PairPage, SignInPage};
use crate::pages::{
    AccountsPage, ArchivePage, AuditPage, BulkPage, ClocksPage, DevicePage, DevicesPage, DriftPage,
    KioskPage, LivePage, LogsPage, NotFound, TimecardsPage,
};
use crate::strings::app as s;
use crate::strings::bulk as bulk_s;
use crate::strings::drift as drift_s;
use crate::strings::signin as signin_s;

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
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
    view! {
        <Router>
            {move || match stage.get() {
                SessionState::Checking => {
                    view! { <p class="loading signin" data-testid="session-checking">{signin_s::CHECKING}</p> }
                        .into_any()
                }
                SessionState::Unreachable(e) => {
                    view! {
                        <main id="main" class="signin">
                            <div class="card signin-card" role="alert">
                                <h1>{signin_s::UNREACHABLE}</h1>
                                <p>{e}</p>
                                <button type="button" class="btn btn-primary" on:click=move |_| check()>
                                    {signin_s::TRY_AGAIN}
                                </button>
                            </div>
                        </main>
                    }
                        .into_any()
                }
                SessionState::SignedOut { .. } if current_path() == "/kiosk/pair" => {
                    view! { <PairPage session /> }.into_any()
                }
                SessionState::SignedOut { hint } => view! { <SignInPage session hint /> }.into_any(),
                SessionState::SignedIn(who) => view! { <Console who session /> }.into_any(),
            }}
        </Router>
    }
}

/// The document title of a page: "Logs · BioStar T&A Console".
fn page_title(path: &str) -> String {
    use crate::strings as st;
    let first = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let page = match first {
        "" => s::NAV_DEVICES,
        "devices" => st::device::TITLE,
        "bulk" => st::bulk::NAV,
        "drift" => st::drift::NAV,
        "logs" => st::logs::NAV,
        "live" => st::live::NAV,
        "clocks" => st::clocks::TITLE,
        "timecards" => st::timecards::NAV,
        "archive" | "sync" => st::sync::NAV,
        "audit" => st::audit::NAV,
        "accounts" => st::accounts::NAV,
        "kiosk" => st::kiosk::TITLE,
        _ => s::NOT_FOUND_TITLE,
    };
    format!("{page} · {}", s::PRODUCT_NAME)
}

/// The console for a signed-in user.
#[component]
fn Console(who: WhoamiResult, session: RwSignal<SessionState>) -> impl IntoView {
    let api = provide_api();
    provide_context(DraftSlot(RwSignal::new(None)));
    crate::time::provide_zone_view();
    // A socket that cannot reconnect may mean the session ended (signed out elsewhere, expired,
    // role changed): ask, and show the sign-in page if so.
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
    // The relay says the session ended: back to the sign-in page.
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
    let role = who.role;
    if role == Role::Kiosk {
        // A kiosk session sees the reception screen and nothing else.
        return view! { <KioskPage /> }.into_any();
    }
    let writes = role >= Role::Operator;
    let admin = role == Role::Admin;
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = session::sign_out().await;
            // A fresh page: no socket, no state of the previous user left behind.
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/");
            }
        });
    };
    // The page's title follows the page (one place: the route's first segment).
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        let title = page_title(&path);
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&title);
        }
    });
    // On a narrow screen the navigation folds behind a Menu button; following a link folds it.
    let menu_open = RwSignal::new(false);
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <a class="skip-link" href="#main">{s::SKIP_TO_CONTENT}</a>
        <header class="app-header">
            <div class="app-header-inner">
                <a class="brand" href="/">{s::PRODUCT_NAME}</a>
                <button
                    type="button"
                    class="btn menu-toggle"
                    data-testid="menu-toggle"
                    aria-controls="main-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)
                >
                    {s::MENU}
                </button>
                <nav id="main-nav" class="app-nav" class:open=move || menu_open.get() aria-label="Main">
                    <A href="/" exact=true>{s::NAV_DEVICES}</A>
                    {writes.then(|| view! { <A href="/bulk">{bulk_s::NAV}</A> })}
                    {writes.then(|| view! { <A href="/drift">{drift_s::NAV}</A> })}
                    <A href="/logs">{crate::strings::logs::NAV}</A>
                    <A href="/live">{crate::strings::live::NAV}</A>
                    <A href="/clocks">{crate::strings::clocks::NAV}</A>
                    <A href="/timecards">{crate::strings::timecards::NAV}</A>
                    <A href="/archive">{crate::strings::sync::NAV}</A>
                    {admin.then(|| view! { <A href="/audit">{crate::strings::audit::NAV}</A> })}
                    {admin.then(|| view! { <A href="/accounts">{crate::strings::accounts::NAV}</A> })}
                </nav>
                <ConnectionIndicator
                    state=api.state()
                    on_retry=Callback::new(move |()| api.reconnect_now())
                />
                {who.username.clone().map(|name| {
                    view! {
                        <div class="who" data-testid="who" data-role=role.name()>
                            <span>{signin_s::who(&name, role.name())}</span>
                            <button type="button" class="btn btn-small" data-testid="sign-out" on:click=sign_out>
                                {signin_s::SIGN_OUT}
                            </button>
                        </div>
                    }
                })}
            </div>
        </header>
        <main id="main" class="app-main">
            <Routes fallback=NotFound>
                <Route path=path!("/") view=DevicesPage />
                <Route path=path!("/devices/:id") view=DevicePage />
                <Route path=path!("/bulk") view=|| view! { <RequireRole needs=Role::Operator><BulkPage /></RequireRole> } />
                <Route path=path!("/drift") view=|| view! { <RequireRole needs=Role::Operator><DriftPage /></RequireRole> } />
                <Route path=path!("/logs") view=LogsPage />
                <Route path=path!("/live") view=LivePage />
                <Route path=path!("/kiosk") view=KioskPage />
                <Route path=path!("/accounts") view=|| view! { <RequireRole needs=Role::Admin><AccountsPage /></RequireRole> } />
                <Route path=path!("/clocks") view=ClocksPage />
                <Route path=path!("/timecards") view=TimecardsPage />
                <Route path=path!("/archive") view=ArchivePage />
                // The page's earlier address: old links and bookmarks still arrive.
                <Route path=path!("/sync") view=|| view! { <Redirect path="/archive" /> } />
                <Route path=path!("/audit") view=|| view! { <RequireRole needs=Role::Admin><AuditPage /></RequireRole> } />
            </Routes>
        </main>
    }
    .into_any()
}
