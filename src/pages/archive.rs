//! `/archive`: the relay's log archive — its database, and per (device, log) how far it
//! has read: epoch, next event ID, records stored, last sync and its lag, the last error and
//! event-ID resets. Refreshes every 5 s while open; operators can ask for a sync now (every
//! device, or one). An `archive.reset` push shows a notice and reloads at once.

use std::collections::HashMap;
use std::time::Duration;

use leptos::prelude::*;

use tna_types::archive::Stream;
use tna_types::protocol::{ArchiveReset, ErrorCode, Notification, SyncState};

use crate::api::use_api;
use crate::components::may;
use crate::components::{DeviceLabel, PunchTime, ZoneSwitch};
use crate::components::{ErrorBanner, Loaded, error_title, relay_resource};
use crate::strings::sync as s;
use crate::time::{now_secs, use_zone_view};

/// How often the page reads the archive's state again.
const REFRESH_EVERY: Duration = Duration::from_secs(5);

/// The wire name of a stream, for `data-stream`.
pub fn stream_key(stream: Stream) -> &'static str {
    match stream {
        Stream::Tna => "tna",
        Stream::JobCode => "jobCode",
    }
}

/// The archive page.
#[component]
pub fn ArchivePage() -> impl IntoView {
    let api = use_api();
    let may_sync = may("archive.sync");
    let now = RwSignal::new(now_secs());
    // Each device's site zone: a row's times are shown in it (or as the zone switch says).
    let devices = relay_resource(move || api.list_devices());
    let zones = Memo::new(move |_| {
        devices.with(|d| match d {
            Some(Ok(list)) => list
                .iter()
                .map(|d| (d.device_id, d.zone.clone()))
                .collect::<HashMap<u32, Option<String>>>(),
            _ => HashMap::new(),
        })
    });
    // "Sync now": the archive's answer is read again once the request is queued.
    let sync_action = Action::new_local(move |ids: &Option<Vec<u32>>| {
        let ids = ids.clone();
        let done = match ids.as_deref() {
            Some([one]) => s::queued(*one),
            _ => s::QUEUED_ALL().to_string(),
        };
        async move { api.archive_sync(ids).await.map(|()| done) }
    });
    let status = relay_resource(move || {
        sync_action.version().track();
        now.try_set(now_secs());
        api.archive_status()
    });
    // A relay without an archive will not grow one while the page is open: stop asking (the
    // banner's retry still asks). Safe from timers that outlive the page.
    let refresh = move || {
        let no_archive = status.try_with_untracked(
            |d| matches!(d, Some(Err(e)) if e.kind() == Some(ErrorCode::Unsupported)),
        );
        if no_archive == Some(false) {
            status.refetch();
        }
    };
    if let Ok(handle) = set_interval_with_handle(refresh, REFRESH_EVERY) {
        on_cleanup(move || handle.clear());
    }

    let resets = RwSignal::new(Vec::<ArchiveReset>::new());
    let listener = api.on_notification(move |n| {
        if let Notification::ArchiveReset(r) = n {
            let fresh = resets.try_update(|list| {
                let fresh = !list.contains(r);
                if fresh {
                    list.push(r.clone());
                }
                fresh
            });
            if fresh == Some(true) {
                status.refetch();
            }
        }
    });
    on_cleanup(move || api.remove_listener(listener));

    let states = Memo::new(move |_| {
        status.with(|d| match d {
            Some(Ok(r)) => r.states.clone(),
            _ => Vec::new(),
        })
    });
    let backend = Memo::new(move |_| {
        status.with(|d| match d {
            Some(Ok(r)) => Some(r.backend.clone()),
            _ => None,
        })
    });
    let sync_busy = sync_action.pending();
    let sync = move |ids: Option<Vec<u32>>| {
        if !sync_busy.get_untracked() {
            sync_action.dispatch(ids);
        }
    };

    view! {
        <section class="page sync-page" data-testid="sync-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
                {may_sync
                    .then(|| {
                        view! {
                            <div class="toolbar">
                                <button
                                    type="button"
                                    class="btn btn-primary"
                                    data-testid="sync-now"
                                    disabled=move || sync_busy.get()
                                    on:click=move |_| sync(None)
                                >
                                    {s::SYNC_ALL()}
                                </button>
                            </div>
                        }
                    })}
            </div>
            <p class="muted">{s::INTRO()}</p>
            <div class="toolbar">
                <ZoneSwitch testid="archive-zone-view" />
            </div>
            {move || {
                backend
                    .get()
                    .map(|b| {
                        view! {
                            <p class="summary" data-testid="sync-backend" data-backend=b.clone()>
                                {s::backend(&b)}
                            </p>
                        }
                    })
            }}
            {move || {
                let list = resets.get();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <div class="warning sync-reset" role="status" data-testid="sync-reset-notice">
                                {list
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <p
                                                data-device-id=r.device_id.to_string()
                                                data-stream=stream_key(r.stream)
                                                data-epoch=r.epoch.to_string()
                                            >
                                                {s::reset_notice(r.device_id, r.stream, r.epoch)}
                                            </p>
                                        }
                                    })
                                    .collect_view()}
                                <button
                                    type="button"
                                    class="btn btn-small"
                                    data-testid="sync-reset-dismiss"
                                    on:click=move |_| resets.set(Vec::new())
                                >
                                    {s::DISMISS()}
                                </button>
                            </div>
                        }
                    })
            }}
            {move || {
                sync_action
                    .value()
                    .get()
                    .map(|o| match o {
                        Ok(msg) => {
                            view! { <p class="notice" role="status" data-testid="sync-queued">{msg}</p> }
                                .into_any()
                        }
                        Err(e) => {
                            let title = error_title(&e, s::SYNC_FAILED());
                            view! { <ErrorBanner title=title error=e /> }.into_any()
                        }
                    })
            }}
            <Loaded resource=status failed=s::LOAD_FAILED() loading=s::LOADING() title_of=error_title>
                <SyncTable states zones now may_sync sync=Callback::new(sync) busy=sync_busy />
            </Loaded>
        </section>
    }
}

/// The summary line and the table, rows keyed by (device, stream) so a refresh updates cells in
/// place.
#[component]
fn SyncTable(
    states: Memo<Vec<SyncState>>,
    zones: Memo<HashMap<u32, Option<String>>>,
    now: RwSignal<i64>,
    may_sync: bool,
    sync: Callback<Option<Vec<u32>>>,
    busy: Memo<bool>,
) -> impl IntoView {
    let summary = move || {
        states.with(|list| {
            let mut devices: Vec<u32> = list.iter().map(|st| st.cursor.device_id).collect();
            crate::order::sort_unique(&mut devices);
            let stored = list.iter().map(|st| st.cursor.stored).sum();
            s::summary(list.len(), devices.len(), stored)
        })
    };
    let keys = move || {
        states.with(|list| {
            list.iter()
                .map(|st| (st.cursor.device_id, st.cursor.stream))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="summary muted" data-testid="sync-summary" aria-live="polite">{summary}</p>
        <div class="table-wrap">
            <table class="data-table sync-table" data-testid="sync-table">
                <caption class="visually-hidden">{s::CAPTION()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_DEVICE()}</th>
                        <th scope="col">{s::COL_STREAM()}</th>
                        <th scope="col">{s::COL_EPOCH()}</th>
                        <th scope="col">{s::COL_NEXT()}</th>
                        <th scope="col">{s::COL_STORED()}</th>
                        <th scope="col">{s::COL_LAST_SYNC()}</th>
                        <th scope="col">{s::COL_LAG()}</th>
                        <th scope="col">{s::COL_ERROR()}</th>
                        <th scope="col">{s::COL_RESET()}</th>
                        {may_sync.then(|| view! { <th scope="col">{s::COL_ACTIONS()}</th> })}
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=keys
                        key=|k| *k
                        children=move |(id, stream)| {
                            view! { <SyncRow id stream states zones now may_sync sync busy /> }
                        }
                    />
                </tbody>
            </table>
        </div>
        {move || {
            states
                .with(Vec::is_empty)
                .then(|| view! { <p class="empty-state" data-testid="sync-empty">{s::EMPTY()}</p> })
        }}
    }
}

/// One (device, stream); every cell follows the latest state.
#[component]
fn SyncRow(
    id: u32,
    stream: Stream,
    states: Memo<Vec<SyncState>>,
    zones: Memo<HashMap<u32, Option<String>>>,
    now: RwSignal<i64>,
    may_sync: bool,
    sync: Callback<Option<Vec<u32>>>,
    busy: Memo<bool>,
) -> impl IntoView {
    let st = Memo::new(move |_| {
        states.with(|list| {
            list.iter()
                .find(|st| st.cursor.device_id == id && st.cursor.stream == stream)
                .cloned()
        })
    });
    let field = move |f: fn(&SyncState) -> String| move || st.with(|x| x.as_ref().map(f));
    // An instant of this device's archive, in its site's zone with the offset (or as the zone
    // switch says).
    let zone_view = use_zone_view();
    let at_text = move |at: i64| {
        let zone = zones.with(|z| z.get(&id).cloned().flatten());
        let at = u32::try_from(at.max(0)).unwrap_or(u32::MAX);
        PunchTime::of(at, zone.as_deref(), zone_view.get()).text()
    };
    let reset =
        Memo::new(move |_| st.with(|x| x.as_ref().and_then(|x| x.cursor.reset_detected_at)));
    let last_sync = move || {
        st.with(|state| {
            let Some(state) = state else {
                return String::new();
            };
            let text = match state.cursor.last_sync_at {
                Some(at) => s::ago(&at_text(at), now.get() - at),
                None => s::NEVER().to_string(),
            };
            if state.syncing {
                format!("{text} · {}", s::SYNCING())
            } else {
                text
            }
        })
    };
    let last_error = move || {
        st.with(|state| {
            let c = &state.as_ref()?.cursor;
            let msg = c.last_error.clone()?;
            Some(match c.last_error_at {
                Some(at) => format!("{msg} ({})", s::error_at(&at_text(at))),
                None => msg,
            })
        })
    };
    view! {
        <tr
            data-testid="sync-row"
            data-device-id=id.to_string()
            data-stream=stream_key(stream)
            data-stored=field(|x| x.cursor.stored.to_string())
            data-epoch=field(|x| x.cursor.epoch.to_string())
            data-syncing=field(|x| x.syncing.to_string())
            data-reset=move || reset.get().is_some().to_string()
            class=move || if reset.get().is_some() { "row-reset" } else { "" }
        >
            <td data-label=s::COL_DEVICE()><DeviceLabel device_id=id /></td>
            <td data-label=s::COL_STREAM()>{s::stream_name(stream)}</td>
            <td data-label=s::COL_EPOCH() class="mono">{field(|x| x.cursor.epoch.to_string())}</td>
            <td data-label=s::COL_NEXT() class="mono">{field(|x| x.cursor.next_event_id.to_string())}</td>
            <td data-label=s::COL_STORED() class="mono" data-testid="sync-stored">
                {field(|x| {
                    crate::strings::logs::thousands(usize::try_from(x.cursor.stored).unwrap_or(usize::MAX))
                })}
            </td>
            <td data-label=s::COL_LAST_SYNC() data-testid="sync-last">{last_sync}</td>
            <td data-label=s::COL_LAG()>
                {move || {
                    st.with(|x| x.as_ref().and_then(|x| x.lag_seconds))
                        .map_or_else(|| s::NONE().to_string(), s::duration)
                }}
            </td>
            <td data-label=s::COL_ERROR() data-testid="sync-error" class="sync-error-cell">
                {move || last_error().unwrap_or_else(|| s::NONE().to_string())}
            </td>
            <td data-label=s::COL_RESET() data-testid="sync-reset">
                {move || match reset.get() {
                    Some(at) => {
                        view! { <strong class="reset-warning">{s::reset_at(&at_text(at))}</strong> }
                            .into_any()
                    }
                    None => s::NONE().into_any(),
                }}
            </td>
            {may_sync
                .then(|| {
                    view! {
                        <td data-label=s::COL_ACTIONS()>
                            <button
                                type="button"
                                class="btn btn-small"
                                data-testid="sync-row-now"
                                aria-label=s::sync_device(id)
                                disabled=move || busy.get()
                                on:click=move |_| sync.run(Some(vec![id]))
                            >
                                {s::SYNC_ROW()}
                            </button>
                        </td>
                    }
                })}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(s::duration(-3), "0 s");
        assert_eq!(s::duration(45), "45 s");
        assert_eq!(s::duration(200), "3 min 20 s");
        assert_eq!(s::duration(7_500), "2 h 5 min");
        assert_eq!(s::duration(3 * 86_400 + 4 * 3600), "3 d 4 h");
    }

    #[test]
    fn stream_keys_are_the_wire_names() {
        for st in Stream::ALL {
            let wire = serde_json::to_value(st).unwrap();
            assert_eq!(wire, stream_key(st));
        }
    }
}
