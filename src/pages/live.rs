//! `/live`: new T&A events of every connected T&A device, newest on top, gap-free across
//! reconnects (see `crate::live`).

use leptos::prelude::*;
use tna_types::Device;

use crate::api::use_api;
use crate::components::{
    DeviceChecklist, DeviceLabel, ErrorBanner, PunchTime, UserName, ZoneSwitch, load_error,
    parse_device_list, relay_resource,
};
use crate::live::{LiveStatus, live_devices, use_live};
use crate::logs::{self, LogRow};
use crate::strings::{live as s, logs as ls};
use crate::time::use_zone_view;

/// Rows the page keeps.
pub const LIVE_ROWS: usize = 200;

/// Whether `id` is in the device list.
fn listed(list: &[Device], id: u32) -> bool {
    list.iter().any(|d| d.device_id == id)
}

/// The status line's text.
pub fn status_text(status: LiveStatus) -> &'static str {
    match status {
        LiveStatus::Connecting => s::STATUS_CONNECTING(),
        LiveStatus::Live => s::STATUS_LIVE(),
        LiveStatus::Retrying => s::STATUS_RETRYING(),
    }
}

/// The status's stable name (for `data-status` and styles).
pub fn status_key(status: LiveStatus) -> &'static str {
    match status {
        LiveStatus::Connecting => "connecting",
        LiveStatus::Live => "live",
        LiveStatus::Retrying => "retrying",
    }
}

/// The live page.
#[component]
pub fn LivePage() -> impl IntoView {
    let api = use_api();
    let devices = relay_resource(move || api.list_devices());
    // A device that comes online later is watched from then on.
    crate::pages::follow_status(api, devices, |d| d, false);
    // Devices behind other relays that share this relay's archive: their events reach this
    // relay too (`archive.status` lists them; none without a shared archive, or for a kiosk).
    let archive = relay_resource(move || api.archive_status());
    let remote = Memo::new(move |_| {
        archive.with(|a| match a {
            Some(Ok(status)) => status.remote_devices.clone(),
            _ => Vec::new(),
        })
    });
    let candidates = Memo::new(move |_| {
        devices.with(|d| {
            d.as_ref().and_then(|r| r.as_ref().ok()).map(|l| {
                let mut ids = live_devices(l);
                remote.with(|r| ids.extend(r.iter().filter(|&&id| !listed(l, id))));
                ids
            })
        })
    });
    // Every connected T&A device until the user picks (or the URL names them: `?devices=1,2`).
    let from_url = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("devices"))
        .and_then(|v| parse_device_list(&v));
    let picked = RwSignal::new(from_url.is_some());
    let selected = RwSignal::new(from_url.unwrap_or_default());
    Effect::new(move |_| {
        if let Some(all) = candidates.get()
            && !picked.get_untracked()
        {
            selected.set(all);
        }
    });
    let ids = Memo::new(move |_| {
        let all = candidates.get()?;
        Some(if picked.get() {
            selected.with(|sel| sel.iter().copied().filter(|d| all.contains(d)).collect())
        } else {
            all
        })
    });
    let live = use_live(ids.into(), LIVE_ROWS, None);
    let rows = move || {
        live.feed
            .with(|f| f.rows().iter().cloned().collect::<Vec<_>>())
    };
    view! {
        <section class="page live-page" data-testid="live-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
                <span
                    class=move || format!("live-status live-{}", status_key(live.status.get()))
                    data-testid="live-status"
                    data-status=move || status_key(live.status.get())
                    data-watching=move || live.watching.with(Vec::len).to_string()
                    role="status"
                >
                    {move || status_text(live.status.get())}
                </span>
            </div>
            <p class="muted">{s::INTRO()}</p>
            <div class="toolbar">
                <ZoneSwitch testid="live-zone-view" />
            </div>
            {move || {
                let n = remote.with(Vec::len);
                (n > 0).then(|| view! {
                    <p class="muted" data-testid="live-remote-note">{s::remote_note(n)}</p>
                })
            }}
            {move || {
                load_error(devices)
                    .map(|e| {
                        view! {
                            <ErrorBanner
                                title=s::DEVICES_FAILED()
                                error=e
                                on_retry=Callback::new(move |()| devices.refetch())
                            />
                        }
                    })
            }}
            <div class="logs-layout">
            <DeviceChecklist
                candidates=Signal::derive(move || candidates.get().unwrap_or_default())
                selected=selected
                legend=s::DEVICES_LABEL()
                empty_text=s::NO_DEVICES()
                testid="live-device"
                on_change=Callback::new(move |()| picked.set(true))
            />
            <div class="logs-main">
            <p class="summary" data-testid="live-count"
                data-count=move || live.feed.with(|f| f.accepted()).to_string()>
                {move || {
                    s::summary(
                        live.feed.with(|f| f.accepted()),
                        ids.with(|i| i.as_ref().map_or(0, Vec::len)),
                    )
                }}
            </p>
            <div class="table-wrap">
                <table class="data-table live-table" data-testid="live-table">
                    <caption class="visually-hidden">{s::TABLE_CAPTION()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ls::COL_TIME()}</th>
                            <th scope="col">{ls::COL_DEVICE()}</th>
                            <th scope="col">{ls::COL_USER()}</th>
                            <th scope="col">{ls::COL_EVENT()}</th>
                            <th scope="col">{ls::COL_KEY()}</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows key=|r| (r.device_id, r.id) let:r>
                            <LiveRow row=r meta=live.meta />
                        </For>
                    </tbody>
                </table>
                {move || {
                    live.feed
                        .with(|f| f.rows().is_empty())
                        .then(|| {
                            let text = if candidates.with(|i| i.as_ref().is_some_and(Vec::is_empty)) {
                                s::NO_DEVICES()
                            } else if ids.with(|i| i.as_ref().is_some_and(Vec::is_empty)) {
                                s::NONE_CHOSEN()
                            } else {
                                s::WAITING()
                            };
                            view! { <p class="empty-state">{text}</p> }
                        })
                }}
            </div>
            </div>
            </div>
        </section>
    }
}

#[component]
fn LiveRow(row: LogRow, meta: RwSignal<logs::MetaMap>) -> impl IntoView {
    let device = row.device_id;
    let ts = row.timestamp;
    let key = row.key;
    let zone_view = use_zone_view();
    let time = move || {
        let zone = meta.with(|m| m.get(&device).and_then(|d| d.zone.clone()));
        PunchTime::of(ts, zone.as_deref(), zone_view.get()).view("live-time")
    };
    let label = move || match key {
        Some(k) => meta.with(|m| {
            m.get(&device)
                .map_or_else(|| format!("KEY_{k}"), |d| d.key_label(k))
        }),
        None => ls::NONE().to_string(),
    };
    view! {
        <tr
            data-testid="live-row"
            data-device-id=device.to_string()
            data-event-id=row.id.to_string()
        >
            <td class="mono" data-label=ls::COL_TIME()>{time}</td>
            <td data-label=ls::COL_DEVICE()><DeviceLabel device_id=device /></td>
            <td data-label=ls::COL_USER() data-testid="live-user">
                <UserName user_id=row.user_id.clone() />
            </td>
            <td data-label=ls::COL_EVENT()>{logs::event_name(row.event_code, row.sub_code)}</td>
            <td data-label=ls::COL_KEY() data-testid="live-key" data-key=key.map(|k| k.to_string())>
                {label}
            </td>
        </tr>
    }
}
