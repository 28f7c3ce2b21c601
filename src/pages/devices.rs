//! `/`: every device with its status and T&A capability; filter, refresh, and a link per row.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use tna_types::Device;
use tna_types::protocol::GatewayState;

use crate::api::use_api;
use crate::components::{DeviceTable, ErrorBanner};
use crate::pages::{Loader, follow_status};
use crate::strings::devices as s;

/// The `performance.mark` set once, when the device table first rendered with data (read by the
/// benchmark).
pub const RENDERED_MARK: &str = "devices-rendered";

static MARKED: AtomicBool = AtomicBool::new(false);

fn mark_rendered_once() {
    if MARKED.swap(true, Ordering::Relaxed) {
        return;
    }
    // After the next frame the table is in the DOM.
    request_animation_frame(|| {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark(RENDERED_MARK);
        }
    });
}

#[derive(Clone, PartialEq)]
enum Shown {
    Loading,
    Failed(crate::api::ApiError),
    Ready,
}

/// The devices page.
#[component]
pub fn DevicesPage() -> impl IntoView {
    let api = use_api();
    let loader = Loader::<Vec<Device>>::new();
    let filter = RwSignal::new(String::new());
    // Sites whose gateway did not answer the last list (several gateways only).
    let sites_down = RwSignal::new(Vec::<GatewayState>::new());
    let reload = move || {
        loader.run(async move {
            let result = api.list_devices_and_sites().await?;
            sites_down.set(
                result
                    .gateways
                    .into_iter()
                    .filter(|g| !g.reachable)
                    .collect(),
            );
            Ok(result.devices)
        })
    };

    // Load now, and again after every reconnect (unless a load is already running).
    Effect::new(move |_| {
        api.epoch().track();
        if !loader.loading.get_untracked() {
            reload();
        }
    });

    // Status pushes (`devices.status`) update the rows in place, with the time of the change.
    follow_status(api, loader, true);

    let devices = Signal::derive(move || {
        loader
            .data
            .with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).cloned())
            .unwrap_or_default()
    });

    Effect::new(move |_| {
        if loader.data.with(|d| matches!(d, Some(Ok(_)))) {
            mark_rendered_once();
        }
    });

    // What the page shows; changes only between loading / failed / ready, so a refresh updates
    // the rows in place instead of rebuilding the table.
    let shown = Memo::new(move |_| match loader.data.get() {
        None => Shown::Loading,
        Some(Err(e)) => Shown::Failed(e),
        Some(Ok(_)) => Shown::Ready,
    });
    let busy = loader.loading;
    view! {
        <section class="page devices-page" data-testid="devices-page">
            <div class="page-head">
                <h1>{s::TITLE}</h1>
                <div class="toolbar">
                    <label class="visually-hidden" for="device-filter">{s::FILTER_LABEL}</label>
                    <input
                        id="device-filter"
                        class="input"
                        type="search"
                        autocomplete="off"
                        data-testid="device-filter"
                        placeholder=s::FILTER_PLACEHOLDER
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
                        {move || if busy.get() { s::REFRESHING } else { s::REFRESH }}
                    </button>
                </div>
            </div>
            <For
                each=move || sites_down.get()
                key=|g| (g.name.clone(), g.message.clone(), g.devices)
                children=|g| {
                    view! {
                        <p class="warning site-down" role="status" data-testid="site-down" data-site=g.name.clone()>
                            {s::site_down(&g.name, g.devices, g.message.as_deref())}
                        </p>
                    }
                }
            />
            {move || match shown.get() {
                Shown::Loading => {
                    view! {
                        <p class="loading" data-testid="devices-loading" aria-busy="true">
                            {s::LOADING}
                        </p>
                    }
                        .into_any()
                }
                Shown::Failed(error) => {
                    view! {
                        <ErrorBanner
                            title=s::LOAD_FAILED
                            error=error
                            on_retry=Callback::new(move |()| reload())
                            busy=busy
                        />
                    }
                        .into_any()
                }
                Shown::Ready => view! { <DeviceTable devices=devices filter=filter /> }.into_any(),
            }}
        </section>
    }
}
