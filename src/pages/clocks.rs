//! `/clocks` ("Clocks and time zones"): each connected device's clock against the relay's
//! (devices off by more than a threshold highlighted; "Sync time" sets the chosen devices to the
//! relay's UTC time in one `time.sync`), and its time-zone settings — the UTC offset and DST
//! schedules it holds — judged against its site's zone for this year and the next
//! (`time.getZones`). "Fix time zones" previews what the site's zone rules would write
//! (`time.fixZones` with `dryRun`, identical changes grouped), writes them after a confirmation
//! naming the count and sites, and shows the per-device results and the re-read verdicts.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use tna_types::dst::{DeviceZone, FixZonesResult, ZoneFix, ZoneVerdict};
use tna_types::protocol::DeviceClock;
use tna_types::{ConnectionStatus, Device, DeviceResult};

use crate::api::{ApiClient, ApiError, use_api};
use crate::components::may;
use crate::components::{ErrorBanner, Loaded, PunchTime, relay_resource};
use crate::strings::api as api_s;
use crate::strings::clocks as s;
use crate::time::ZoneView;

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
async fn read_clocks(api: ApiClient, ids: &[u32]) -> Result<Vec<DeviceClock>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CLOCK_BATCH) {
        out.extend(api.get_clocks(chunk.to_vec()).await?);
    }
    Ok(out)
}

/// Reads the zone settings of `ids` in batches.
async fn read_zones(api: ApiClient, ids: &[u32]) -> Result<Vec<DeviceZone>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CLOCK_BATCH) {
        out.extend(api.get_zones(chunk.to_vec()).await?);
    }
    Ok(out)
}

/// One connected device: its clock, its site and its zone settings with their verdicts.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockRowData {
    /// `time.get`'s row.
    pub clock: DeviceClock,
    /// The device's site, when several are configured.
    pub site: Option<String>,
    /// `time.getZones`' row (`None` when that read failed as a whole).
    pub zone: Option<DeviceZone>,
}

/// The clocks and zone settings of the connected devices (none connected: an empty list). The
/// zone read failing as a whole leaves the clocks shown.
async fn read_connected(api: ApiClient) -> Result<(Vec<ClockRowData>, Option<ApiError>), ApiError> {
    let devices: Vec<Device> = api
        .list_devices()
        .await?
        .into_iter()
        .filter(|d| d.status == ConnectionStatus::Connected)
        .collect();
    let ids: Vec<u32> = devices.iter().map(|d| d.device_id).collect();
    let clocks = read_clocks(api, &ids).await?;
    let (zones, zone_error) = match read_zones(api, &ids).await {
        Ok(z) => (z, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let rows = clocks
        .into_iter()
        .map(|clock| ClockRowData {
            site: devices
                .iter()
                .find(|d| d.device_id == clock.device_id)
                .and_then(|d| d.site.clone()),
            zone: zones
                .iter()
                .find(|z| z.device_id == clock.device_id)
                .cloned(),
            clock,
        })
        .collect();
    Ok((rows, zone_error))
}

/// This year's verdict of a row, when it was judged.
pub fn this_year(zone: Option<&DeviceZone>) -> Option<ZoneVerdict> {
    zone.and_then(|z| z.verdicts.first()).map(|v| v.verdict)
}

/// Groups identical changes of a fix preview: one line per (before, target) pair, with the
/// devices it concerns, in first-seen order. Rows that cannot be fixed are left out.
pub fn group_fixes(fixes: &[ZoneFix]) -> Vec<(String, Vec<u32>)> {
    let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
    for f in fixes
        .iter()
        .filter(|f| f.ok && (f.offset_changes || f.schedules_change))
    {
        let (Some(before), Some(target)) = (&f.before, &f.target) else {
            continue;
        };
        let text = s::change_text(before, target, f.offset_changes, f.schedules_change);
        match groups.iter_mut().find(|(t, _)| *t == text) {
            Some((_, ids)) => ids.push(f.device_id),
            None => groups.push((text, vec![f.device_id])),
        }
    }
    groups
}

/// The clocks page.
#[component]
pub fn ClocksPage() -> impl IntoView {
    let api = use_api();
    // Sync and Fix write to devices: both are operator methods in the relay's table.
    let may_write = may("time.sync") && may("time.fixZones");
    let threshold = RwSignal::new(DEFAULT_THRESHOLD_SECS);
    let selected = RwSignal::new(BTreeSet::<u32>::new());
    // "Sync time": one `time.sync` of the chosen devices; the clocks are read again after it.
    let sync_action = Action::new_local(move |ids: &Vec<u32>| api.sync_time(ids.clone()));
    // "Fix time zones": a preview (dry run), then the write; both answer per device.
    let fix_action = Action::new_local(move |(ids, dry_run): &(Vec<u32>, bool)| {
        api.fix_zones(ids.clone(), *dry_run)
    });
    let clocks = relay_resource(move || {
        sync_action.version().track();
        // A write (not a preview) changes what the devices hold.
        let wrote = fix_action
            .value()
            .with(|v| matches!(v, Some(Ok(r)) if !r.dry_run));
        if wrote {
            fix_action.version().track();
        }
        read_connected(api)
    });
    let rows = Memo::new(move |_| {
        clocks.with(|c| match c {
            Some(Ok((rows, _))) => rows.clone(),
            _ => Vec::new(),
        })
    });
    let zone_error = move || {
        clocks.with(|c| match c {
            Some(Ok((_, e))) => e.clone(),
            _ => None,
        })
    };
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
    let fixing = fix_action.pending();
    let busy = move || syncing.get() || fixing.get();
    let loading = RwSignal::new(false);

    let drifted_ids = Memo::new(move |_| {
        let t = threshold.get();
        rows.with(|list| {
            list.iter()
                .filter(|r| drifted(&r.clock, t))
                .map(|r| r.clock.device_id)
                .collect::<Vec<_>>()
        })
    });
    let wrong_zone_ids = Memo::new(move |_| {
        rows.with(|list| {
            list.iter()
                .filter(|r| this_year(r.zone.as_ref()).is_some_and(|v| v != ZoneVerdict::Right))
                .map(|r| r.clock.device_id)
                .collect::<Vec<_>>()
        })
    });
    let chosen = move || selected.get_untracked().into_iter().collect::<Vec<u32>>();
    let sync = move |_| {
        let ids = chosen();
        if ids.is_empty() || busy() {
            return;
        }
        let sites: Vec<String> = rows.with_untracked(|list| {
            let mut sites: Vec<String> = list
                .iter()
                .filter(|r| ids.contains(&r.clock.device_id))
                .filter_map(|r| r.site.clone())
                .collect();
            crate::order::sort_unique(&mut sites);
            sites
        });
        let ask = crate::strings::components::confirm_many(s::CONFIRM_SYNC(), ids.len(), &sites);
        if crate::components::confirmed(&ask) {
            sync_action.dispatch(ids);
        }
    };
    let preview = move |_| {
        let ids = chosen();
        if !ids.is_empty() && !busy() {
            fix_action.dispatch((ids, true));
        }
    };
    // The preview's devices and sites, for the confirmation.
    let previewed = Memo::new(move |_| {
        fix_action.value().with(|v| match v {
            Some(Ok(r)) if r.dry_run => Some(
                r.fixes
                    .iter()
                    .filter(|f| f.ok && (f.offset_changes || f.schedules_change))
                    .map(|f| f.device_id)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
    });
    let apply_fix = move |_| {
        let Some(ids) = previewed.get_untracked().filter(|ids| !ids.is_empty()) else {
            return;
        };
        let sites: BTreeSet<String> = rows.with_untracked(|list| {
            list.iter()
                .filter(|r| ids.contains(&r.clock.device_id))
                .map(|r| r.site.clone().unwrap_or_default())
                .filter(|s| !s.is_empty())
                .collect()
        });
        let sites: Vec<String> = sites.into_iter().collect();
        if crate::components::confirmed(&s::confirm_fix(ids.len(), &sites)) {
            fix_action.dispatch((ids, false));
        }
    };

    view! {
        <section class="page clocks-page" data-testid="clocks-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
                <div class="toolbar">
                    <label class="field-inline">
                        <span>{s::THRESHOLD()}</span>
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
                        {s::REFRESH()}
                    </button>
                </div>
            </div>
            <p class="muted">{s::INTRO()}</p>
            <p class="summary" data-testid="clock-summary" data-drifted=move || drifted_ids.with(Vec::len).to_string()>
                {move || s::summary(drifted_ids.with(Vec::len), threshold.get())}
            </p>
            <p class="summary" data-testid="zone-summary" data-wrong=move || wrong_zone_ids.with(Vec::len).to_string()>
                {move || s::zone_summary(wrong_zone_ids.with(Vec::len))}
            </p>
            {may_write.then(|| view! {
                <div class="toolbar">
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="clock-select-drifted"
                        on:click=move |_| selected.set(drifted_ids.get_untracked().into_iter().collect())
                    >
                        {s::SELECT_DRIFTED()}
                    </button>
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="zone-select-wrong"
                        on:click=move |_| selected.set(wrong_zone_ids.get_untracked().into_iter().collect())
                    >
                        {s::SELECT_WRONG_ZONE()}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="clock-sync"
                        disabled=move || busy() || selected.with(BTreeSet::is_empty)
                        on:click=sync
                    >
                        {move || s::sync(selected.with(BTreeSet::len))}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="zone-preview"
                        disabled=move || busy() || selected.with(BTreeSet::is_empty)
                        on:click=preview
                    >
                        {move || s::fix(selected.with(BTreeSet::len))}
                    </button>
                </div>
            })}
            {move || sync_error().map(|e| view! { <ErrorBanner title=s::SYNC_FAILED() error=e /> })}
            {move || zone_error().map(|e| view! { <ErrorBanner title=s::ZONES_FAILED() error=e /> })}
            {move || {
                fix_action
                    .value()
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <ErrorBanner title=s::FIX_FAILED() error=e /> }.into_any(),
                        Ok(r) => view! { <FixReport result=r apply=apply_fix busy=fixing /> }.into_any(),
                    })
            }}
            <Loaded resource=clocks failed=s::LOAD_FAILED() loading=s::LOADING() set_pending=loading>
                {move || {
                    let list = rows.get();
                    if list.is_empty() {
                        return view! { <p class="empty-state" data-testid="clock-none">{s::NONE_CONNECTED()}</p> }
                            .into_any();
                    }
                    view! {
                        <div class="table-wrap">
                            <table class="data-table clock-table" data-testid="clock-table">
                                <caption class="visually-hidden">{s::CAPTION()}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col"><span class="visually-hidden">{s::COL_PICK()}</span></th>
                                        <th scope="col">{s::COL_DEVICE()}</th>
                                        <th scope="col">{s::COL_TIME()}</th>
                                        <th scope="col">{s::COL_OFFSET()}</th>
                                        <th scope="col">{s::COL_SETTINGS()}</th>
                                        <th scope="col">{s::COL_THIS_YEAR()}</th>
                                        <th scope="col">{s::COL_NEXT_YEAR()}</th>
                                        <th scope="col">{s::COL_RESULT()}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|row| view! { <ClockRow row threshold selected results may_write /> })
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

/// A fix's preview (grouped changes and a confirm button) or its results (per device).
#[component]
fn FixReport(
    result: FixZonesResult,
    apply: impl Fn(leptos::ev::MouseEvent) + 'static,
    busy: Memo<bool>,
) -> impl IntoView {
    let groups = group_fixes(&result.fixes);
    let cannot: Vec<(u32, String)> = result
        .fixes
        .iter()
        .filter(|f| !f.ok)
        .map(|f| {
            (
                f.device_id,
                api_s::row_failure(f.error.as_ref(), f.message.as_deref()),
            )
        })
        .collect();
    let changing: usize = groups.iter().map(|(_, ids)| ids.len()).sum();
    let title = if result.dry_run {
        s::preview_title(result.year)
    } else {
        s::result_title(result.year)
    };
    let written = result.fixes.iter().filter(|f| f.written).count();
    let rows = (!result.dry_run).then(|| {
        result
            .fixes
            .iter()
            .map(|f| {
                let outcome = if !f.ok {
                    s::fix_failed(&api_s::row_failure(f.error.as_ref(), f.message.as_deref()))
                } else if f.written {
                    s::fix_written(f.verdict)
                } else {
                    s::FIX_NOTHING().to_string()
                };
                view! {
                    <li data-testid="zone-fix-row" data-device-id=f.device_id.to_string() data-ok=f.ok.to_string()
                        data-verdict=f.verdict.map(s::verdict_key)>
                        <span class="mono">{f.device_id}</span> " — " {outcome}
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <section class="card zone-fix" data-testid="zone-fix" data-dry-run=result.dry_run.to_string()>
            <h2>{title}</h2>
            {result.dry_run.then(|| view! {
                <p class="muted">{s::preview_intro(changing)}</p>
            })}
            {(!result.dry_run).then(|| view! {
                <p class="summary" data-testid="zone-fix-summary">{s::written_summary(written, result.fixes.len())}</p>
            })}
            {result.dry_run.then(|| view! {
                <ul class="zone-groups">
                    {groups.into_iter().map(|(text, ids)| view! {
                        <li data-testid="zone-fix-group" data-count=ids.len().to_string()>
                            <strong>{s::devices_count(ids.len())}</strong> ": " {text}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {(!cannot.is_empty()).then(|| view! {
                <ul class="zone-cannot">
                    {cannot.into_iter().map(|(id, why)| view! {
                        <li data-testid="zone-fix-cannot" data-device-id=id.to_string()>
                            <span class="mono">{id}</span> " — " {why}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {rows.map(|r| view! { <ul class="zone-results">{r}</ul> })}
            {(result.dry_run && changing > 0).then(|| view! {
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="zone-apply"
                    disabled=move || busy.get()
                    on:click=apply
                >
                    {s::apply_fix(changing)}
                </button>
            })}
        </section>
    }
}

#[component]
fn ClockRow(
    row: ClockRowData,
    threshold: RwSignal<i64>,
    selected: RwSignal<BTreeSet<u32>>,
    results: Memo<BTreeMap<u32, DeviceResult>>,
    may_write: bool,
) -> impl IntoView {
    let clock = row.clock;
    let id = clock.device_id;
    let c = clock.clone();
    let is_drifted = Memo::new(move |_| drifted(&c, threshold.get()));
    let site_zone = row.zone.as_ref().and_then(|z| z.zone.clone());
    // The device's clock in its site's zone (what a person there reads on the wall).
    let local = clock.device_time.map(|t| {
        let ts = u32::try_from(t).unwrap_or(u32::MAX);
        PunchTime::of(ts, site_zone.as_deref(), ZoneView::Site).view("clock-time")
    });
    let offset = clock.offset_seconds;
    let result = move || {
        results.with(|r| {
            r.get(&id).map(|r| {
                if r.ok {
                    s::SYNCED().to_string()
                } else {
                    match (&r.error, &r.message) {
                        (None, None) => s::SYNC_ROW_FAILED().to_string(),
                        (e, m) => api_s::row_failure(e.as_ref(), m.as_deref()),
                    }
                }
            })
        })
    };
    let zone = row.zone.clone();
    let settings = match &zone {
        Some(z) if z.ok || z.settings.is_some() => z
            .settings
            .as_ref()
            .map(s::settings_text)
            .unwrap_or_default(),
        Some(z) => api_s::row_failure(z.error.as_ref(), z.message.as_deref()),
        None => String::new(),
    };
    let verdict_cell = move |year: usize| {
        let v = zone.as_ref().and_then(|z| z.verdicts.get(year)).cloned();
        match v {
            Some(v) => {
                let right = v.verdict == ZoneVerdict::Right;
                view! {
                    <span
                        class=if right { "verdict verdict-right" } else { "verdict verdict-wrong" }
                        data-verdict=s::verdict_key(v.verdict)
                        title=s::expected_text(&v.expected)
                    >
                        {s::verdict_text(v.verdict)}
                    </span>
                }
                .into_any()
            }
            None => zone
                .as_ref()
                .filter(|z| z.message.is_some() || z.error.is_some())
                .map(|z| api_s::row_failure(z.error.as_ref(), z.message.as_deref()))
                .filter(|_| year == 0)
                .unwrap_or_default()
                .into_any(),
        }
    };
    let wrong = this_year(row.zone.as_ref()).is_some_and(|v| v != ZoneVerdict::Right);
    view! {
        <tr
            data-testid="clock-row"
            data-device-id=id.to_string()
            data-offset=offset.map(|o| o.to_string())
            data-drifted=move || is_drifted.get().to_string()
            data-zone=site_zone.clone()
            data-verdict=this_year(row.zone.as_ref()).map(s::verdict_key)
            class=move || {
                if is_drifted.get() || wrong { "row-drifted" } else { "" }
            }
        >
            <td>
                {may_write.then(|| view! {
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
            <td class="mono">
                {id}
                {row.site.map(|site| view! { <span class="muted site-name">" · " {site}</span> })}
            </td>
            <td class="mono">{local}</td>
            <td data-testid="clock-offset">
                {match offset {
                    Some(o) => offset_text(o),
                    None => api_s::row_failure(clock.error.as_ref(), clock.message.as_deref()),
                }}
            </td>
            <td data-testid="zone-settings">{settings}</td>
            <td data-testid="zone-this-year">{verdict_cell(0)}</td>
            <td data-testid="zone-next-year">{verdict_cell(1)}</td>
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
            error: None,
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
