//! The app root: asks the relay who is signed in, shows the sign-in page until someone is, then
//! connects, provides the client, and routes the pages the role may use. A kiosk session is sent
//! to `/kiosk`, the kiosk's own bundle ([`crate::kiosk_app`]).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect, Route, Router, Routes};
use leptos_router::{Lazy, path};
use tna_types::Role;
use tna_types::protocol::WhoamiResult;

use crate::api::provide_api;
use crate::api::session::{self, KIOSK_PATH, SessionState};
use crate::components::session_gate::{SessionGate, follow_session_end};
use crate::components::{ConnectionIndicator, DraftSlot, LangSwitch};
use crate::pages::signin::SignInPage;
use crate::pages::{DevicesPage, NotFound};
use crate::routes;
use crate::strings::app as s;
use crate::strings::bulk as bulk_s;
use crate::strings::drift as drift_s;
use crate::strings::signin as signin_s;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    // Set while the router gets the next page ready: a lazy page's module on its first opening.
    let routing = RwSignal::new(false);
    provide_context(Routing(routing));
    view! {
        <Router set_is_routing=routing>
            <SessionGate
                signed_out=|session, hint| view! { <SignInPage session hint /> }.into_any()
                signed_in=|who, session| view! { <Console who session /> }.into_any()
            />
        </Router>
    }
}

/// Whether the router is getting the next page ready ([`App`]'s `set_is_routing`).
#[derive(Clone, Copy)]
struct Routing(RwSignal<bool>);

/// Starts fetching the module of the page the event's link opens ([`routes::preload`]).
fn preload_link_target(event: web_sys::Event) {
    use wasm_bindgen::JsCast as _;
    let link = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a[href]").ok().flatten())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        routes::preload(&link.pathname());
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
        "" => s::NAV_DEVICES(),
        "devices" => st::device::TITLE(),
        "bulk" => st::bulk::NAV(),
        "drift" => st::drift::NAV(),
        "logs" => st::logs::NAV(),
        "live" => st::live::NAV(),
        "clocks" => st::clocks::TITLE(),
        "timecards" => st::timecards::NAV(),
        "archive" | "sync" => st::sync::NAV(),
        "audit" => st::audit::NAV(),
        "accounts" => st::accounts::NAV(),
        _ => s::NOT_FOUND_TITLE(),
    };
    format!("{page} · {}", s::PRODUCT_NAME())
}

/// The console for a signed-in user.
#[component]
fn Console(who: WhoamiResult, session: RwSignal<SessionState>) -> impl IntoView {
    let api = provide_api();
    crate::components::provide_user_names(api);
    crate::components::provide_device_names(api);
    provide_context(DraftSlot(RwSignal::new(None)));
    crate::time::provide_zone_view();
    follow_session_end(api, session);
    let role = who.role;
    if role == Role::Kiosk {
        // A kiosk session sees the reception screen and nothing else: the kiosk's own, small
        // bundle, which the relay serves at `/kiosk`.
        if let Some(w) = web_sys::window() {
            let _ = w.location().replace(KIOSK_PATH);
        }
        return view! { <p class="loading signin">{signin_s::CHECKING()}</p> }.into_any();
    }
    let routing = use_context::<Routing>().map_or(Signal::stored(false), |r| r.0.into());
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
    // A lazy page's module is fetched when a link to it is about to be followed: the pointer is
    // over it, a finger touches it, or it has the keyboard focus (one listener each, for every
    // link of the console).
    for event in ["pointerover", "touchstart", "focusin"] {
        let handle = window_event_listener_untyped(event, preload_link_target);
        on_cleanup(move || handle.remove());
    }
    // On a narrow screen the navigation folds behind a Menu button; following a link folds it.
    let menu_open = RwSignal::new(false);
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <a class="skip-link" href="#main">{s::SKIP_TO_CONTENT()}</a>
        <header class="app-header">
            <div class="app-header-inner">
                <a class="brand" href="/">{s::PRODUCT_NAME()}</a>
                <button
                    type="button"
                    class="btn menu-toggle"
                    data-testid="menu-toggle"
                    aria-controls="main-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)
                >
                    {s::MENU()}
                </button>
                <nav id="main-nav" class="app-nav" class:open=move || menu_open.get() aria-label=s::NAV_LABEL()>
                    <A href="/" exact=true>{s::NAV_DEVICES()}</A>
                    {writes.then(|| view! { <A href="/bulk">{bulk_s::NAV()}</A> })}
                    {writes.then(|| view! { <A href="/drift">{drift_s::NAV()}</A> })}
                    <A href="/logs">{crate::strings::logs::NAV()}</A>
                    <A href="/live">{crate::strings::live::NAV()}</A>
                    <A href="/clocks">{crate::strings::clocks::NAV()}</A>
                    <A href="/timecards">{crate::strings::timecards::NAV()}</A>
                    <A href="/archive">{crate::strings::sync::NAV()}</A>
                    {admin.then(|| view! { <A href="/audit">{crate::strings::audit::NAV()}</A> })}
                    {admin.then(|| view! { <A href="/accounts">{crate::strings::accounts::NAV()}</A> })}
                </nav>
                <LangSwitch />
                <ConnectionIndicator
                    state=api.state()
                    on_retry=Callback::new(move |()| api.reconnect_now())
                />
                {who.username.clone().map(|name| {
                    view! {
                        <div class="who" data-testid="who" data-role=role.name()>
                            <span>{signin_s::who(&name, role.name())}</span>
                            <button type="button" class="btn btn-small" data-testid="sign-out" on:click=sign_out>
                                {signin_s::SIGN_OUT()}
                            </button>
                        </div>
                    }
                })}
            </div>
        </header>
        // A thin bar at the top while a page's module is fetched (shown after a moment, so a
        // quick change shows nothing); the page region says it is busy.
        <div class="routing-bar" class:on=routing aria-hidden="true"></div>
        <main id="main" class="app-main" aria-busy=move || routing.get().to_string()>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=DevicesPage />
                <Route path=path!("/devices/:id") view={Lazy::<routes::DeviceRoute>::new()} />
                <Route path=path!("/bulk") view={Lazy::<routes::BulkRoute>::new()} />
                <Route path=path!("/drift") view={Lazy::<routes::DriftRoute>::new()} />
                <Route path=path!("/logs") view={Lazy::<routes::LogsRoute>::new()} />
                <Route path=path!("/live") view={Lazy::<routes::LiveRoute>::new()} />
                <Route path=path!("/accounts") view={Lazy::<routes::AccountsRoute>::new()} />
                <Route path=path!("/clocks") view={Lazy::<routes::ClocksRoute>::new()} />
                <Route path=path!("/timecards") view={Lazy::<routes::TimecardsRoute>::new()} />
                <Route path=path!("/archive") view={Lazy::<routes::ArchiveRoute>::new()} />
                // The page's earlier address: old links and bookmarks still arrive.
                <Route path=path!("/sync") view=|| view! { <Redirect path="/archive" /> } />
                <Route path=path!("/audit") view={Lazy::<routes::AuditRoute>::new()} />
            </Routes>
        </main>
    }
    .into_any()
}
