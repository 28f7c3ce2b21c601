//! `/clocks`: each connected device's clock against the relay's, devices off by more than a
//! threshold highlighted, and "Sync time" to set the chosen devices to the relay's UTC time in
//! one `time.sync`, with a result per device, then a fresh read.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use tna_types::protocol::DeviceClock;
use tna_types::{ConnectionStatus, DeviceResult, Role};

use crate::api::{ApiClient, ApiError, use_api};
use crate::app::use_role;
use crate::components::{ErrorBanner, Loaded, ok_data, relay_resource};
use crate::logs;
use crate::strings::clocks as s;

/// Default threshold: a T&A punch a minute off is already a dispute.
pub const DEFAULT_THRESHOLD_SECS: i64 = 60;
/// Devices per `time.get` call.
const CLOCK_BATCH: usize = 200;

/// `+5 min 3 s`, `−12 s`, `0 s`: the offset as people read it (positive = device ahead).
pub fn offset_text(offset: i64) -> String {
    let sign = match offset.signum() {
        1 => "+",
        -1 => "−",
        _ => "",
    };
    let a = offset.unsigned_abs();
    let (h, m, sec) = (a / 3600, a % 3600 / 60, a % 60);
    let body = match (h, m) {
        (0, 0) => format!("{sec} s"),
        (0, _) => format!("{m} min {sec} s"),
        _ => format!("{h} h {m} min"),
    };
    format!("{sign}{body}")
}

/// Whether a clock is off by more than `threshold` seconds.
pub fn drifted(clock: &DeviceClock, threshold: i64) -> bool {
    clock.offset_seconds.is_some_and(|o| o.abs() > threshold)
}

/// Reads the clocks of `ids` in batches.
async fn read_clocks(
    api: crate::api::ApiClient,
    ids: Vec<u32>,
) -> Result<Vec<DeviceClock>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CLOCK_BATCH) {
        out.extend(api.get_clocks(chunk.to_vec()).await?);
    }
    Ok(out)
}

/// The clocks of the connected devices (none connected: an empty list).
async fn read_connected_clocks(api: ApiClient) -> Result<Vec<DeviceClock>, ApiError> {
    let ids: Vec<u32> = api
        .list_devices()
        .await?
        .into_iter()
        .filter(|d| d.status == ConnectionStatus::Connected)
        .map(|d| d.device_id)
        .collect();
    read_clocks(api, ids).await
}

/// The clocks page.
#[component]
pub fn ClocksPage() -> impl IntoView {
    let api = use_api();
    let may_sync = use_role() >= Role::Operator;
    let threshold = RwSignal::new(DEFAULT_THRESHOLD_SECS);
    let selected = RwSignal::new(BTreeSet::<u32>::new());
    // "Sync time": one `time.sync` of the chosen devices; the clocks are read again after it.
    let sync_action = Action::new_local(move |ids: &Vec<u32>| api.sync_time(ids.clone()));
    let clocks = relay_resource(move || {
        sync_action.version().track();
        read_connected_clocks(api)
    });
    let results = Memo::new(move |_| {
        sync_action.value().with(|v| match v {
            Some(Ok(rows)) => rows.iter().map(|r| (r.device_id, r.clone())).collect(),
            _ => BTreeMap::<u32, DeviceResult>::new(),
        })
    });
    let sync_error = move || {
        sync_action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    };
    Effect::new(move |_| {
        if matches!(sync_action.value().get(), Some(Ok(_))) {
            selected.set(BTreeSet::new());
        }
    });
    let syncing = sync_action.pending();
    let loading = RwSignal::new(false);

    let drifted_ids = Memo::new(move |_| {
        let t = threshold.get();
        clocks.with(|c| match c {
            Some(Ok(list)) => list
                .iter()
                .filter(|c| drifted(c, t))
                .map(|c| c.device_id)
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let sync = move |_| {
        let ids: Vec<u32> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() || syncing.get_untracked() {
            return;
        }
        sync_action.dispatch(ids);
    };

    view! {
        <section class="page clocks-page" data-testid="clocks-page">
            <div class="page-head">
                <h1>{s::TITLE}</h1>
                <div class="toolbar">
                    <label class="field-inline">
                        <span>{s::THRESHOLD}</span>
                        <input
                            class="input input-narrow"
                            type="number"
                            min="1"
                            data-testid="clock-threshold"
                            prop:value=move || threshold.get().to_string()
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() {
                                    threshold.set(v.max(1));
                                }
                            }
                        />
                    </label>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="clock-refresh"
                        disabled=move || loading.get()
                        on:click=move |_| clocks.refetch()
                    >
                        {s::REFRESH}
                    </button>
                </div>
            </div>
            <p class="muted">{s::INTRO}</p>
            <p class="summary" data-testid="clock-summary" data-drifted=move || drifted_ids.with(Vec::len).to_string()>
                {move || s::summary(drifted_ids.with(Vec::len), threshold.get())}
            </p>
            {may_sync.then(|| view! {
                <div class="toolbar">
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="clock-select-drifted"
                        on:click=move |_| selected.set(drifted_ids.get_untracked().into_iter().collect())
                    >
                        {s::SELECT_DRIFTED}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="clock-sync"
                        disabled=move || syncing.get() || selected.with(BTreeSet::is_empty)
                        on:click=sync
                    >
                        {move || s::sync(selected.with(BTreeSet::len))}
                    </button>
                </div>
            })}
            {move || sync_error().map(|e| view! { <ErrorBanner title=s::SYNC_FAILED error=e /> })}
            <Loaded resource=clocks failed=s::LOAD_FAILED loading=s::LOADING set_pending=loading>
                {move || {
                    let list = ok_data(clocks).unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p class="empty-state" data-testid="clock-none">{s::NONE_CONNECTED}</p> }
                            .into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table class="data-table" data-testid="clock-table">
                                <caption class="visually-hidden">{s::CAPTION}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col"><span class="visually-hidden">{s::COL_PICK}</span></th>
                                        <th scope="col">{s::COL_DEVICE}</th>
                                        <th scope="col">{s::COL_TIME}</th>
                                        <th scope="col">{s::COL_OFFSET}</th>
                                        <th scope="col">{s::COL_RESULT}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|c| view! { <ClockRow clock=c threshold selected results may_sync /> })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                        .into_any()
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn ClockRow(
    clock: DeviceClock,
    threshold: RwSignal<i64>,
    selected: RwSignal<BTreeSet<u32>>,
    results: Memo<BTreeMap<u32, DeviceResult>>,
    may_sync: bool,
) -> impl IntoView {
    let id = clock.device_id;
    let c = clock.clone();
    let is_drifted = Memo::new(move |_| drifted(&c, threshold.get()));
    let local = clock.device_time.map(|t| {
        let ts = u32::try_from(t).unwrap_or(u32::MAX);
        logs::format_local(ts, clock.time_zone.unwrap_or(0))
    });
    let offset = clock.offset_seconds;
    let result = move || {
        results.with(|r| {
            r.get(&id).map(|r| {
                if r.ok {
                    s::SYNCED.to_string()
                } else {
                    r.message
                        .clone()
                        .unwrap_or_else(|| s::SYNC_ROW_FAILED.to_string())
                }
            })
        })
    };
    view! {
        <tr
            data-testid="clock-row"
            data-device-id=id.to_string()
            data-offset=offset.map(|o| o.to_string())
            data-drifted=move || is_drifted.get().to_string()
            class=move || if is_drifted.get() { "row-drifted" } else { "" }
        >
            <td>
                {may_sync.then(|| view! {
                    <input
                        type="checkbox"
                        data-testid="clock-pick"
                        aria-label=s::pick(id)
                        disabled=!clock.ok
                        prop:checked=move || selected.with(|s| s.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                if on { s.insert(id); } else { s.remove(&id); }
                            });
                        }
                    />
                })}
            </td>
            <td class="mono">{id}</td>
            <td class="mono">{local.unwrap_or_default()}</td>
            <td data-testid="clock-offset">
                {match offset {
                    Some(o) => offset_text(o),
                    None => clock.message.clone().unwrap_or_default(),
                }}
            </td>
            <td data-testid="clock-result">{result}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(offset: Option<i64>) -> DeviceClock {
        DeviceClock {
            device_id: 1,
            ok: offset.is_some(),
            device_time: offset.map(|_| 0),
            offset_seconds: offset,
            time_zone: None,
            message: None,
        }
    }

    #[test]
    fn offsets_read_naturally() {
        assert_eq!(offset_text(0), "0 s");
        assert_eq!(offset_text(12), "+12 s");
        assert_eq!(offset_text(-303), "−5 min 3 s");
        assert_eq!(offset_text(7_260), "+2 h 1 min");
    }

    #[test]
    fn drift_is_beyond_the_threshold_either_way() {
        assert!(!drifted(&clock(Some(60)), 60));
        assert!(drifted(&clock(Some(61)), 60));
        assert!(drifted(&clock(Some(-61)), 60));
        assert!(!drifted(&clock(None), 60), "unreadable is not drifted");
    }
}
