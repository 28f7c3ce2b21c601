//! The app root: connects to the relay, provides the client, and routes the pages.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::api::provide_api;
use crate::components::ConnectionIndicator;
use crate::pages::bulk::DraftSlot;
use crate::pages::{
    BulkPage, DevicePage, DevicesPage, DriftPage, KioskPage, LivePage, LogsPage, NotFound,
};
use crate::strings::app as s;
use crate::strings::bulk as bulk_s;
use crate::strings::drift as drift_s;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let api = provide_api();
    provide_context(DraftSlot(RwSignal::new(None)));
    view! {
        <Router>
            <header class="app-header">
                <div class="app-header-inner">
                    <a class="brand" href="/">{s::PRODUCT_NAME}</a>
                    <nav class="app-nav" aria-label="Main">
                        <A href="/" exact=true>{s::NAV_DEVICES}</A>
                        <A href="/bulk">{bulk_s::NAV}</A>
                        <A href="/drift">{drift_s::NAV}</A>
                        <A href="/logs">{crate::strings::logs::NAV}</A>
                        <A href="/live">{crate::strings::live::NAV}</A>
                    </nav>
                    <ConnectionIndicator
                        state=api.state()
                        on_retry=Callback::new(move |()| api.reconnect_now())
                    />
                </div>
            </header>
            <main id="main" class="app-main">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=DevicesPage />
                    <Route path=path!("/devices/:id") view=DevicePage />
                    <Route path=path!("/bulk") view=BulkPage />
                    <Route path=path!("/drift") view=DriftPage />
                    <Route path=path!("/logs") view=LogsPage />
                    <Route path=path!("/live") view=LivePage />
                    <Route path=path!("/kiosk") view=KioskPage />
                </Routes>
            </main>
        </Router>
    }
}
