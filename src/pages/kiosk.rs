//! `/kiosk`: the reception screen — full screen, large type, a clock, the latest punches and the
//! "who is in" board, from the same gap-free live session as the Live page. Read-only; the key →
//! direction map and the theme are set in a small settings panel and kept in `localStorage`.
//! Memory and DOM stay bounded: 50 events in the feed, 8 shown, at most 200 users on the board
//! (60 shown).
//!
//! At start the board and the feed get today's punches from the relay's archive
//! (`archive.logs` from local midnight, every page); without an archive, or when it cannot be
//! read, they start empty and fill from the live session as before. The feed keeps each
//! (device, event ID) once, so an event the archive gave is not shown again when the live
//! session brings it too; the board keeps each user's newest punch.
//!
//! While connected the kiosk keeps what it shows in `localStorage` ([`Saved`]). Started again
//! without the relay (the service worker serves the bundle), it shows that board, marked
//! "offline since HH:MM", and its live session reads on from the saved cursors when the relay
//! answers: the punches made meanwhile appear once each. See also [`crate::kiosk_pwa`].

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
use tna_types::archive::LogQuery;
use tna_types::time as time_of_day;

use crate::api::{ApiClient, ConnectionState, use_api};
use crate::components::{
    DeviceChecklist, LangSwitch, PunchTime, format_device_list, parse_device_list, relay_resource,
    use_user_names, when_loaded,
};
use crate::kiosk_pwa::{self, FullscreenPrompt};
use crate::live::{LiveStatus, live_devices, use_live};
use crate::logs::kiosk::{Board, Direction, DirectionMap, Presence, Saved, TodayTail, merged_meta};
use crate::logs::{LogRow, MetaMap};
use crate::stored;
use crate::strings::kiosk as s;
use crate::time::{self, Zone, ZoneView};

const FEED_ROWS: usize = 50;
const SHOWN_PUNCHES: usize = 8;
const BOARD_USERS: usize = 200;
const SHOWN_USERS: usize = 60;
/// Rows per archive page of today's punches.
const TODAY_PAGE: u32 = 5_000;
const KEY_DIRECTIONS: &str = "tna-console.kiosk.directions";
const KEY_THEME: &str = "tna-console.kiosk.theme";
/// The devices the kiosk shows (`1,2,3`); absent = every connected T&A device.
const KEY_DEVICES: &str = "tna-console.kiosk.devices";
/// The last board ([`Saved`], JSON), for a start without the relay.
pub const KEY_SAVED: &str = "tna-console.kiosk.saved";
/// The board is saved at most once per this long (a busy morning brings many punches).
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// A parameter of the page's query string (the kiosk has no router: it is its own bundle).
fn url_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The zone the kiosk's clock and "today" are in: its devices' site zone when they share one
/// (`Some(None)`: that site has no zone, UTC), else (`None`: no devices yet, or sites in
/// several zones) the browser's.
fn kiosk_zone(zones: &[Option<String>]) -> Option<Option<&str>> {
    let first = zones.first()?;
    zones.iter().all(|z| z == first).then_some(first.as_deref())
}

/// The zone of a [`kiosk_zone`] answer.
fn zone_of(zone: Option<Option<&str>>) -> Zone<'_> {
    match zone {
        Some(site) => ZoneView::Site.zone_for(site),
        None => Zone::Browser,
    }
}

/// The clock: ("14:05", "Wed, 25 Nov 2026", zone name) now in `zone`.
fn clock_now(zone: Option<Option<&str>>) -> (String, String, String) {
    let shown = time::show(time::now_secs(), zone_of(zone));
    let day = time_of_day::local_day(time::now_secs(), shown.offset);
    let date = time::day_text(day);
    let label = match zone {
        Some(site) => time::zone_label(ZoneView::Site, site),
        None => time::zone_label(ZoneView::Browser, None),
    };
    (shown.hm, date, label)
}

/// Today (days since 1970) in the kiosk's zone for devices in `zones`.
fn today_in(zones: &[Option<String>]) -> i64 {
    let now = time::now_secs();
    time_of_day::local_day(now, time::offset_at(zone_of(kiosk_zone(zones)), now))
}

/// Whether this browser kept a kiosk board (it was a kiosk before).
pub fn has_saved_board() -> bool {
    stored::get(KEY_SAVED).is_some()
}

/// The saved board, if there is one for today and this device choice.
fn load_saved(chosen: &Option<Vec<u32>>) -> Option<Saved> {
    stored::get(KEY_SAVED)
        .and_then(|v| Saved::parse(&v))
        .filter(|sv| sv.fits(today_in(&sv.zones), chosen))
}

/// A punch's time in its device's site zone (the reception wall shows local time).
fn punch_time(ts: u32, meta: &MetaMap, device: u32) -> PunchTime {
    let zone = meta.get(&device).and_then(|m| m.zone.as_deref());
    PunchTime::of(ts, zone, ZoneView::Site)
}

/// Unix seconds of today's 00:00 in the zones of the kiosk's devices (the earliest of them when
/// they differ; the browser's zone when none is known).
fn start_of_today(zones: &[Option<String>]) -> u32 {
    let now = time::now_secs();
    let start = |zone: Zone<'_>| {
        let day = time_of_day::local_day(now, time::offset_at(zone, now));
        let midnight = day * time_of_day::SECONDS_PER_DAY;
        // The offset in force at that midnight (a DST change may lie between it and now).
        midnight
            - i64::from(time::offset_at(
                zone,
                midnight - i64::from(time::offset_at(zone, now)),
            ))
    };
    let earliest = if zones.is_empty() {
        start(Zone::Browser)
    } else {
        zones
            .iter()
            .map(|z| start(ZoneView::Site.zone_for(z.as_deref())))
            .min()
            .unwrap_or_else(|| start(Zone::Browser))
    };
    u32::try_from(earliest.max(0)).unwrap_or(0)
}

/// Where today's punches on the board came from (`data-today`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Today {
    /// The archive is being read.
    Reading,
    /// From the archive, then the live session.
    Archive,
    /// The archive could not be read: from the live session only.
    Live,
}

impl Today {
    fn key(self) -> &'static str {
        match self {
            Today::Reading => "reading",
            Today::Archive => "archive",
            Today::Live => "live",
        }
    }
}

/// Puts today's punches of `ids` from the relay's archive on the board (every punch) and in
/// the feed (the newest ones; the feed drops those it already has). `false` when the archive
/// could not be read (no archive, or any error) or `current` says the read is no longer wanted.
async fn today_from_archive(
    api: ApiClient,
    ids: Vec<u32>,
    from: u32,
    board: RwSignal<Board>,
    live: crate::live::Live,
    current: impl Fn() -> bool,
) -> bool {
    let mut query = LogQuery {
        from: Some(from),
        device_ids: Some(ids),
        limit: TODAY_PAGE,
        ..LogQuery::default()
    };
    let mut tail = TodayTail::new(FEED_ROWS);
    loop {
        let page = api.archive_logs(query.clone()).await;
        let Ok(page) = page else { return false };
        if !current() {
            return false;
        }
        let rows: Vec<(u32, LogRow)> = page
            .rows
            .into_iter()
            .map(|a| (a.epoch, LogRow::from(a.log)))
            .collect();
        board.try_update(|b| {
            for (_, row) in &rows {
                b.apply(row);
            }
        });
        for (epoch, row) in rows {
            tail.push(epoch, row);
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    // The archive stores a punch a moment after the device logs it, and the live session
    // reads on from where the subscription began: a punch in between is in neither, unless
    // each device is also read on from the archive's newest punch.
    for (device, next) in tail.next_event_ids() {
        live.read_on_from(device, next);
    }
    live.feed.try_update(|f| {
        for row in tail.into_feed_rows() {
            f.add(row);
        }
    });
    true
}

fn key_label(row: &LogRow, meta: &MetaMap) -> String {
    match row.key {
        Some(k) => meta
            .get(&row.device_id)
            .map_or_else(|| format!("KEY_{k}"), |m| m.key_label(k)),
        None => String::new(),
    }
}

/// The `performance.mark` set once, in the frame after the kiosk first showed today's board
/// (read by the first-paint benchmark).
pub const READY_MARK: &str = "kiosk-ready";

fn mark_ready_once() {
    static MARKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if MARKED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    request_animation_frame(|| {
        if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
            let _ = perf.mark(READY_MARK);
        }
    });
}

/// The kiosk.
#[component]
pub fn KioskPage() -> impl IntoView {
    let api = use_api();
    let devices = relay_resource(move || api.list_devices());
    // A device that comes online later is watched from then on.
    crate::pages::follow_status(api, devices, |d| d, false);
    let candidates = Memo::new(move |_| {
        devices.with(|d| {
            d.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|l| live_devices(l))
        })
    });
    // The devices shown: `?devices=1,2` in the URL (to provision many tablets), else the
    // settings panel's choice, else every connected T&A device.
    let from_url = url_param("devices").and_then(|v| parse_device_list(&v));
    let chosen = RwSignal::new(
        from_url.or_else(|| stored::get(KEY_DEVICES).and_then(|v| parse_device_list(&v))),
    );
    let ids = Memo::new(move |_| {
        let all = candidates.get()?;
        Some(chosen.with(|c| match c {
            Some(sel) => all.iter().copied().filter(|d| sel.contains(d)).collect(),
            None => all,
        }))
    });
    // The board kept from the last run (today's, for this device choice), read once.
    let saved = load_saved(&chosen.get_untracked());
    // The site zones of the devices shown (the clock and "today" follow them); the saved
    // board's until the device list is read.
    let saved_zones = saved
        .as_ref()
        .map(|sv| sv.zones.clone())
        .unwrap_or_default();
    let zones = Memo::new(move |_| {
        let shown = ids.get().unwrap_or_default();
        devices.with(|d| match d {
            Some(Ok(list)) => {
                let mut z: Vec<Option<String>> = list
                    .iter()
                    .filter(|d| shown.contains(&d.device_id))
                    .map(|d| d.zone.clone())
                    .collect();
                crate::order::sort_unique(&mut z);
                z
            }
            _ => saved_zones.clone(),
        })
    });
    let mixed = Memo::new(move |_| zones.with(|z| z.len() > 1));
    let saved_at = saved.as_ref().map(|sv| i64::from(sv.at));
    let saved_meta = saved.as_ref().map(Saved::meta).unwrap_or_default();
    // Every new record updates the board, also those of a long gap fill beyond the feed's rows.
    let board = RwSignal::new(Board::new(BOARD_USERS));
    let live = use_live(
        ids.into(),
        FEED_ROWS,
        Some(Callback::new(move |row: LogRow| {
            board.maybe_update(|b| b.apply(&row));
        })),
    );
    let names = use_user_names();
    // The saved board's names stand in until the relay gives its own (a rename, or a narrower
    // name form, shows as soon as the directory answers).
    let saved_names = SavedNames(StoredValue::new(
        saved
            .as_ref()
            .map(|sv| sv.names.iter().cloned().collect())
            .unwrap_or_default(),
    ));
    provide_context(saved_names);
    if let Some(sv) = &saved {
        live.feed.update(|f| board.update(|b| sv.restore(f, b)));
    }
    // What the views read of the devices: the live session's, else the saved board's.
    let meta = Memo::new(move |_| live.meta.with(|l| merged_meta(l, &saved_meta)));

    // Today's punches from the archive, once per device set (the kiosk role may read the
    // archive's logs, not its status: a failure is the only sign that there is none).
    let today = RwSignal::new(Today::Reading);
    let today_read = StoredValue::new(0u64);
    Effect::new(move |_| {
        let Some(list) = ids.get().filter(|l| !l.is_empty()) else {
            return;
        };
        today_read.update_value(|g| *g += 1);
        let mine = today_read.get_value();
        let current = move || today_read.try_get_value() == Some(mine);
        today.set(Today::Reading);
        let from = start_of_today(&zones.get_untracked());
        spawn_local(async move {
            let read = today_from_archive(api, list, from, board, live, current).await;
            if current() {
                today.try_set(if read { Today::Archive } else { Today::Live });
                mark_ready_once();
            }
        });
    });

    let directions = RwSignal::new(
        stored::get(KEY_DIRECTIONS)
            .map(|v| DirectionMap::parse(&v))
            .unwrap_or_default(),
    );
    let theme = RwSignal::new(stored::get(KEY_THEME).unwrap_or_else(|| "auto".into()));
    let settings_open = RwSignal::new(false);

    let tick = RwSignal::new(0u32);
    let clock = Memo::new(move |_| {
        tick.track();
        zones.with(|z| clock_now(kiosk_zone(z)))
    });
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|t| *t = t.wrapping_add(1)),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }

    // Since when the kiosk is offline: the saved board's time when it started without the
    // relay, else the moment the connection was lost.
    let offline_since = RwSignal::new(None::<i64>);
    let ever_connected = StoredValue::new(false);
    Effect::new(move |_| match api.state().get() {
        ConnectionState::Connected => {
            ever_connected.set_value(true);
            offline_since.set(None);
        }
        ConnectionState::Disconnected { .. } if offline_since.get_untracked().is_none() => {
            let since = match (ever_connected.get_value(), saved_at) {
                (false, Some(at)) => at,
                _ => time::now_secs(),
            };
            offline_since.set(Some(since));
        }
        _ => {}
    });
    let conn = move || match (api.state().get(), live.status.get()) {
        (ConnectionState::Disconnected { retry_in_secs }, _) => match offline_since.get() {
            Some(since) => {
                let hm = zones.with(|z| time::show(since, zone_of(kiosk_zone(z))).hm);
                ("offline", s::offline_since(&hm, retry_in_secs))
            }
            None => ("offline", s::offline(retry_in_secs)),
        },
        (ConnectionState::Connected, LiveStatus::Live) => ("live", s::CONN_LIVE().to_string()),
        (ConnectionState::Connected, LiveStatus::Retrying) => {
            ("retrying", s::CONN_RETRYING().to_string())
        }
        _ => ("connecting", s::CONN_CONNECTING().to_string()),
    };

    // Keep the board for a start without the relay: while connected, at most every
    // SAVE_EVERY, and each minute (its time is the "offline since" of a later start).
    let minute = Memo::new(move |_| tick.get() / 60);
    let save_pending = StoredValue::new(false);
    let save = move || {
        let zones_now = zones.get_untracked();
        let head = Saved {
            at: u32::try_from(time::now_secs()).unwrap_or(0),
            day: today_in(&zones_now),
            chosen: chosen.get_untracked(),
            zones: zones_now,
            ..Saved::default()
        };
        let snapshot = live.feed.with_untracked(|f| {
            board.with_untracked(|b| {
                meta.with_untracked(|m| {
                    head.with_board(f, b, m, |u| {
                        names
                            .and_then(|n| n.known(u))
                            .or_else(|| saved_names.get(u))
                    })
                })
            })
        });
        stored::set(KEY_SAVED, &snapshot.to_text());
    };
    Effect::new(move |_| {
        live.feed.track();
        board.track();
        minute.track();
        let connected = api.state().get() == ConnectionState::Connected;
        if !connected || today.get() == Today::Reading || save_pending.get_value() {
            return;
        }
        save_pending.set_value(true);
        set_timeout(
            move || {
                if save_pending.try_set_value(false).is_none() {
                    save();
                }
            },
            SAVE_EVERY,
        );
    });

    // An installed app: works offline, keeps the screen on, follows new versions.
    kiosk_pwa::register_service_worker();
    let wake = kiosk_pwa::keep_screen_on();
    let last_punch_ms = RwSignal::new(0.0);
    Effect::new(move |_| {
        live.feed.with(|f| f.accepted());
        last_punch_ms.set(js_sys::Date::now());
    });
    kiosk_pwa::reload_on_new_version(
        last_punch_ms.into(),
        settings_open.into(),
        kiosk_pwa::update_timing(url_param),
    );

    let punches = move || {
        live.feed.with(|f| {
            f.rows()
                .iter()
                .take(SHOWN_PUNCHES)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let listing = move || {
        directions.with(|m| {
            board.with(|b| {
                let mut l = b.listing(m);
                l.truncate(SHOWN_USERS);
                l
            })
        })
    };
    let present = move || {
        directions.with(|m| {
            board.with(|b| {
                b.listing(m)
                    .iter()
                    .filter(|p| {
                        p.last
                            .key
                            .and_then(|k| m.get(k))
                            .is_some_and(Direction::present)
                    })
                    .count()
            })
        })
    };

    view! {
        <div
            class="kiosk"
            data-testid="kiosk"
            data-theme=move || theme.get()
            data-today=move || today.get().key()
            data-saved=saved_at.map(|at| at.to_string())
            data-wake-lock=move || wake.get().key()
        >
            <FullscreenPrompt />
            <header class="kiosk-top">
                <div class="kiosk-clock" data-testid="kiosk-clock">
                    <span class="kiosk-time">{move || clock.get().0}</span>
                    <span class="kiosk-date">{move || clock.get().1}</span>
                    <span class="kiosk-zone" data-testid="kiosk-zone">{move || clock.get().2}</span>
                </div>
                <div
                    class=move || format!("kiosk-conn kiosk-conn-{}", conn().0)
                    data-testid="kiosk-conn"
                    data-state=move || conn().0
                    data-watching=move || live.watching.with(Vec::len).to_string()
                    role="status"
                >
                    <span class="kiosk-dot" aria-hidden="true"></span>
                    {move || conn().1}
                </div>
                <button
                    type="button"
                    class="kiosk-btn"
                    data-testid="kiosk-settings"
                    aria-expanded=move || settings_open.get().to_string()
                    on:click=move |_| settings_open.update(|o| *o = !*o)
                >
                    {s::SETTINGS()}
                </button>
            </header>
            <main class="kiosk-body">
                <section class="kiosk-latest" aria-labelledby="kiosk-latest-title">
                    <h2 id="kiosk-latest-title">{s::LATEST()}</h2>
                    <ol class="kiosk-punches">
                        // Both lists are short (≤ SHOWN_PUNCHES, ≤ SHOWN_USERS) and rebuilt in
                        // place on a change: a keyed `<For>` would save that work but costs the
                        // kiosk's bundle its keyed-diff code (~4.5 kB brotli).
                        {move || {
                            punches()
                                .into_iter()
                                .map(|r| view! { <PunchItem row=r meta directions mixed /> })
                                .collect_view()
                        }}
                    </ol>
                    {move || {
                        live.feed
                            .with(|f| f.rows().is_empty())
                            .then(|| view! { <p class="kiosk-empty">{s::NO_PUNCHES()}</p> })
                    }}
                </section>
                <section class="kiosk-board" aria-labelledby="kiosk-board-title">
                    <h2 id="kiosk-board-title">
                        {s::WHO_IS_IN()} <span class="kiosk-count" data-testid="kiosk-present">
                            {move || s::present_count(present())}
                        </span>
                    </h2>
                    <ul class="kiosk-grid">
                        {move || {
                            listing()
                                .into_iter()
                                .map(|p| view! { <BoardCard p=p meta directions /> })
                                .collect_view()
                        }}
                    </ul>
                    {move || {
                        board
                            .with(Board::is_empty)
                            .then(|| view! { <p class="kiosk-empty">{s::NOBODY()}</p> })
                    }}
                </section>
            </main>
            {move || {
                settings_open
                    .get()
                    .then(|| {
                        let candidates =
                            Signal::derive(move || candidates.get().unwrap_or_default());
                        let on_close = Callback::new(move |()| settings_open.set(false));
                        #[cfg(feature = "kiosk-split")]
                        let load = settings_panel(directions, theme, chosen, candidates, on_close);
                        #[cfg(not(feature = "kiosk-split"))]
                        let load = async move {
                            settings_panel(directions, theme, chosen, candidates, on_close)
                        };
                        when_loaded(load)
                    })
            }}
        </div>
    }
}

#[component]
fn PunchItem(
    row: LogRow,
    meta: Memo<MetaMap>,
    directions: RwSignal<DirectionMap>,
    /// The kiosk shows sites in several zones: each punch names its offset.
    mixed: Memo<bool>,
) -> impl IntoView {
    let r = row.clone();
    let time = move || {
        let t = meta.with(|m| punch_time(r.timestamp, m, r.device_id));
        view! {
            <span
                class="kiosk-punch-time"
                data-testid="kiosk-punch-time"
                data-local=t.local
                data-offset=t.offset.to_string()
                data-zone=t.zone
                title=t.title
            >
                {t.hm}
                {mixed.get().then(|| view! { " " <span class="row-offset">{t.offset_text}</span> })}
            </span>
        }
    };
    let r2 = row.clone();
    let label = move || meta.with(|m| key_label(&r2, m));
    let key = row.key;
    let dir = move || key.and_then(|k| directions.with(|d| d.get(k)));
    view! {
        <li
            class="kiosk-punch"
            data-testid="kiosk-punch"
            data-device-id=row.device_id.to_string()
            data-event-id=row.id.to_string()
        >
            {time}
            <span class="kiosk-punch-user">{kiosk_name(row.user_id.clone())}</span>
            <span class=move || {
                format!("kiosk-tag kiosk-tag-{}", dir().map_or("none", Direction::key))
            }>{label}</span>
        </li>
    }
}

/// The names of the saved board (user ID → name), for a kiosk started without the relay.
#[derive(Clone, Copy)]
struct SavedNames(StoredValue<std::collections::HashMap<String, String>>);

impl SavedNames {
    fn get(&self, user_id: &str) -> Option<String> {
        self.0.try_with_value(|m| m.get(user_id).cloned()).flatten()
    }
}

/// A person on the wall: the name the relay gives the kiosk, else the saved board's, else
/// "User 1015".
fn kiosk_name(user_id: String) -> impl Fn() -> String {
    let names = use_user_names();
    let saved = use_context::<SavedNames>();
    move || {
        names
            .and_then(|n| n.name(&user_id))
            .or_else(|| saved.and_then(|s| s.get(&user_id)))
            .unwrap_or_else(|| s::user(&user_id))
    }
}

/// Forgets the saved board: the tablet is no longer a paired kiosk (signed out or unpaired), so
/// nothing of it may show at a later start without the relay.
pub fn forget_saved_board() {
    stored::remove(KEY_SAVED);
}

#[component]
fn BoardCard(
    p: Presence,
    meta: Memo<MetaMap>,
    directions: RwSignal<DirectionMap>,
) -> impl IntoView {
    let last = p.last.clone();
    let time = move || meta.with(|m| punch_time(last.timestamp, m, last.device_id).hm);
    let last2 = p.last.clone();
    let label = move || meta.with(|m| key_label(&last2, m));
    let key = p.last.key;
    let dir = move || key.and_then(|k| directions.with(|d| d.get(k)));
    view! {
        <li
            class=move || format!("kiosk-card kiosk-card-{}", dir().map_or("none", Direction::key))
            data-testid="kiosk-user"
            data-user-id=p.user_id.clone()
        >
            <span class="kiosk-card-user" data-testid="kiosk-user-name">
                {kiosk_name(p.user_id.clone())}
            </span>
            <span class="kiosk-card-status">
                {move || dir().map_or(s::STATUS_UNKNOWN(), s::status_word)}
            </span>
            <span class="kiosk-card-detail">{label} " · " {time}</span>
        </li>
    }
}

/// The settings panel, fetched as a module of its own in the release bundle (feature
/// `kiosk-split`): staff open it while setting a tablet up; the board never needs it.
#[cfg_attr(
    feature = "kiosk-split",
    leptos::wasm_split::wasm_split(kiosk_settings, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn settings_panel(
    directions: RwSignal<DirectionMap>,
    theme: RwSignal<String>,
    chosen: RwSignal<Option<Vec<u32>>>,
    candidates: Signal<Vec<u32>>,
    on_close: Callback<()>,
) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <Settings directions theme chosen candidates on_close /> }.into_any())
}

#[component]
fn Settings(
    directions: RwSignal<DirectionMap>,
    theme: RwSignal<String>,
    chosen: RwSignal<Option<Vec<u32>>>,
    candidates: Signal<Vec<u32>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let selected = RwSignal::new(
        chosen
            .get_untracked()
            .unwrap_or_else(|| candidates.get_untracked()),
    );
    let pick = move || {
        let ids = selected.get_untracked();
        stored::set(KEY_DEVICES, &format_device_list(&ids));
        chosen.set(Some(ids));
    };
    let every = move |_| {
        stored::remove(KEY_DEVICES);
        chosen.set(None);
        selected.set(candidates.get_untracked());
    };
    let set_dir = move |k: u8, v: String| {
        directions.update(|m| m.set(k, Direction::parse(&v)));
        stored::set(
            KEY_DIRECTIONS,
            &directions.with_untracked(DirectionMap::to_setting),
        );
    };
    let set_theme = move |v: String| {
        stored::set(KEY_THEME, &v);
        theme.set(v);
    };
    view! {
        <div class="kiosk-settings" role="dialog" aria-labelledby="kiosk-settings-title" data-testid="kiosk-settings-panel">
            <h2 id="kiosk-settings-title">{s::SETTINGS_TITLE()}</h2>
            <p>{s::SETTINGS_INTRO()}</p>
            <div class="kiosk-settings-grid">
                {(1..=16u8)
                    .map(|k| {
                        let current = directions.with_untracked(|d| d.get(k)).map_or("", Direction::key);
                        view! {
                            <label class="field">
                                <span>{format!("KEY_{k}")}</span>
                                <select
                                    class="input"
                                    data-testid="kiosk-direction"
                                    data-key=k.to_string()
                                    on:change=move |ev| set_dir(k, event_target_value(&ev))
                                >
                                    <option value="" selected=current.is_empty()>{s::DIRECTION_NONE()}</option>
                                    {Direction::ALL
                                        .into_iter()
                                        .map(|d| {
                                            view! {
                                                <option value=d.key() selected=current == d.key()>
                                                    {s::direction_name(d)}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <LangSwitch labelled=true />
            <label class="field">
                <span>{s::THEME()}</span>
                <select
                    class="input"
                    data-testid="kiosk-theme"
                    on:change=move |ev| set_theme(event_target_value(&ev))
                >
                    {[("auto", s::THEME_AUTO()), ("light", s::THEME_LIGHT()), ("dark", s::THEME_DARK())]
                        .into_iter()
                        .map(|(v, name)| {
                            view! { <option value=v selected=move || theme.get() == v>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <DeviceChecklist
                candidates
                selected
                legend=s::DEVICES()
                empty_text=s::NO_DEVICES()
                testid="kiosk-device"
                on_change=Callback::new(move |()| pick())
            />
            <p class="muted" data-testid="kiosk-devices-mode" data-all=move || chosen.with(Option::is_none).to_string()>
                {move || if chosen.with(Option::is_none) { s::DEVICES_EVERY() } else { s::DEVICES_CHOSEN() }}
                " "
                <button type="button" class="btn btn-small" data-testid="kiosk-device-every" on:click=every>
                    {s::DEVICES_RESET()}
                </button>
            </p>
            <button type="button" class="kiosk-btn" on:click=move |_| on_close.run(())>{s::CLOSE()}</button>
        </div>
    }
}
