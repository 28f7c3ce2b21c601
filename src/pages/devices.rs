//! `/`: every device with its status and T&A capability; filter, refresh, and a link per row.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use tna_types::protocol::GatewayState;

use crate::api::use_api;
use crate::components::{DeviceTable, Loaded, relay_resource};
use crate::pages::follow_status;
use crate::strings::devices as s;

/// The `performance.mark` set once, when the device table first rendered with data (read by the
/// benchmark).
pub const RENDERED_MARK: &str = "devices-rendered";

static MARKED: AtomicBool = AtomicBool::new(false);

/// Frames to wait for the rows to reach the DOM before giving up on the mark.
const MARK_FRAMES: u32 = 600;

fn mark_rendered_once() {
    if MARKED.swap(true, Ordering::Relaxed) {
        return;
    }
    mark_when_rows_shown(MARK_FRAMES);
}

/// Sets the mark at the first frame whose DOM holds device rows (the data arrives a moment
/// before the `<Transition>` shows the table).
fn mark_when_rows_shown(frames_left: u32) {
    request_animation_frame(move || {
        let Some(window) = web_sys::window() else {
            return;
        };
        let shown = window
            .document()
            .and_then(|d| d.query_selector("[data-testid=device-row]").ok().flatten())
            .is_some();
        if shown {
            if let Some(perf) = window.performance() {
                let _ = perf.mark(RENDERED_MARK);
            }
        } else if frames_left > 0 {
            mark_when_rows_shown(frames_left - 1);
        }
    });
}

/// The devices page.
#[component]
pub fn DevicesPage() -> impl IntoView {
    let api = use_api();
    // The devices and the sites whose gateway did not answer; status pushes (`devices.status`)
    // update the rows in place, with the time of the change.
    let listed = relay_resource(move || api.list_devices_and_sites());
    follow_status(api, listed, |r| &mut r.devices, true);
    let filter = RwSignal::new(String::new());
    let sites_down = move || {
        listed.with(|r| match r {
            Some(Ok(r)) => r
                .gateways
                .iter()
                .filter(|g| !g.reachable)
                .cloned()
                .collect(),
            _ => Vec::<GatewayState>::new(),
        })
    };
    let rows = Signal::derive(move || {
        listed
            .with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .map(|r| r.devices.clone())
            })
            .unwrap_or_default()
    });
    Effect::new(move |_| {
        if listed.with(|d| matches!(d, Some(Ok(_)))) {
            mark_rendered_once();
        }
    });
    let busy = RwSignal::new(false);
    let reload = move || listed.refetch();
    view! {
        <section class="page devices-page" data-testid="devices-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
                <div class="toolbar">
                    <label class="visually-hidden" for="device-filter">{s::FILTER_LABEL()}</label>
                    <input
                        id="device-filter"
                        class="input"
                        type="search"
                        autocomplete="off"
                        data-testid="device-filter"
                        placeholder=s::FILTER_PLACEHOLDER()
                        prop:value=move || filter.get()
                        on:input=move |ev| filter.set(event_target_value(&ev))
                    />
                    <button
                        type="button"
                        class="btn"
                        data-testid="device-refresh"
                        disabled=move || busy.get()
                        aria-busy=move || busy.get().to_string()
                        on:click=move |_| reload()
                    >
                        {move || if busy.get() { s::REFRESHING() } else { s::REFRESH() }}
                    </button>
                </div>
            </div>
            <For
                each=sites_down
                key=|g| (g.name.clone(), g.message.clone(), g.devices)
                children=|g| {
                    view! {
                        <p class="warning site-down" role="status" data-testid="site-down" data-site=g.name.clone()>
                            {s::site_down(&g.name, g.devices, g.message.as_deref())}
                        </p>
                    }
                }
            />
            <Loaded
                resource=listed
                failed=s::LOAD_FAILED()
                loading=s::LOADING()
                loading_testid="devices-loading"
                set_pending=busy
            >
                <DeviceTable devices=rows filter=filter />
            </Loaded>
        </section>
    }
}
