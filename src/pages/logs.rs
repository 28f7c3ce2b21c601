//! `/logs`: T&A and job-code logs of one or more devices, from the relay's archive or read page
//! by page from each device's event-ID cursor; filters, sort, a virtualised table and a chunked
//! CSV export.
//!
//! Sources: "Archive" (the default when the relay keeps one and it has read every chosen device)
//! sends one query across the devices, with the page's days and user, and reads it in pages of
//! 5,000 rows, each continuing after the previous page's last row. "Devices" reads each device:
//! "Load more" reads one page per chosen device from its cursor; "Load all" reads pages until
//! each device reports `done`, showing records read and devices done. Either read can be
//! cancelled between pages. A cursor is always the previous page's `nextStartEventId` (the
//! archive's `next`), so no record is read twice or skipped. The table puts only the visible rows
//! (plus a few) in the DOM.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::archive::{LogQuery, QueryCursor, Stream};
use tna_types::limits::MAX_LOG_PAGE;
use tna_types::protocol::{ArchiveStatusResult, ErrorCode};
use tna_types::{JobCodeLog, LogPage, TnaLog};
use wasm_bindgen::JsValue;

use crate::api::{ApiClient, ApiError, use_api};
use crate::components::{
    DayRangeFields, DeviceChecklist, DeviceLabel, ErrorBanner, Loaded, PunchTime, RelayResource,
    UserName, ZoneSwitch, relay_resource, url_text, use_user_names,
};
use crate::download::CsvFile;
use crate::logs::Offsets;
use crate::logs::archive::{self, ServerFilter, Source};
use crate::logs::{self, DeviceMeta, Filter, KeyFilter, LogRow, MetaMap, event_names};
use crate::strings::logs as s;
use crate::time::{
    RowOffsets, ZoneView, browser_time, now_secs, site_zone, use_zone_view, zone_label,
};

/// Records per page for "Load more".
const PAGE_MORE: u32 = 1_000;
/// Records per page for "Load all" (the relay's largest page).
const PAGE_ALL: u32 = MAX_LOG_PAGE;
/// Rows per archive page, for "Load more" and "Load all".
const ARCHIVE_PAGE: u32 = 5_000;
/// Height of one table row (must match `.vrow` in the stylesheet).
const ROW_PX_WHOLE: u64 = 34;
const ROW_PX: f64 = ROW_PX_WHOLE as f64;

/// `rows` rows' height as a CSS length. In whole pixels so no float formatting is compiled in
/// (Rust's `f64` Display is ~10 kB of WASM).
fn rows_px(rows: usize) -> String {
    format!("{}px", rows as u64 * ROW_PX_WHOLE)
}
/// Height of the table's scrolling body (must match `.vbody`).
const VIEWPORT_PX: f64 = 544.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;
/// Rows turned into CSV between two yields to the browser.
const CSV_CHUNK: usize = 2_000;
/// Seconds per day.
const DAY: i64 = tna_types::time::SECONDS_PER_DAY;
/// A user text this long or longer is also looked up as a part of a name.
const MIN_NAME_QUERY: usize = 2;
/// Users a name part may stand for (more matches: the first ones count).
const NAME_MATCHES: u32 = 500;

/// Which log the page reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `tna.getLog`.
    Tna,
    /// `tna.getJobCodeLog`.
    JobCode,
}

impl Kind {
    /// The archive's stream of this log.
    fn stream(self) -> Stream {
        match self {
            Kind::Tna => Stream::Tna,
            Kind::JobCode => Stream::JobCode,
        }
    }
}

/// Where a device's next page starts.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    next: u32,
    done: bool,
}

/// How far the archive has been read.
#[derive(Debug, Clone, Default, PartialEq)]
struct ArchiveRead {
    /// The server-side filters and the first page's query of the rows read so far (`None`:
    /// nothing asked yet).
    applied: Option<(ServerFilter, LogQuery)>,
    /// Where the next page starts (`None` before the first page).
    after: Option<QueryCursor>,
    /// The last page has come.
    done: bool,
}

/// A running read: records read and devices finished (devices) or pages read (archive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    records: usize,
    devices_done: usize,
    devices_total: usize,
    archive: bool,
}

/// Everything the page's tasks share; all handles are `Copy`.
#[derive(Clone, Copy)]
struct LogState {
    api: ApiClient,
    /// Which zone the rows' times (and the day filters) are in.
    zone_view: RwSignal<ZoneView>,
    kind: RwSignal<Kind>,
    rows: RwSignal<Vec<LogRow>>,
    meta: RwSignal<MetaMap>,
    cursors: RwSignal<HashMap<u32, Cursor>>,
    /// Where the records come from.
    source: RwSignal<Source>,
    /// The archive read's position (source Archive).
    archive: RwSignal<ArchiveRead>,
    /// `archive.status`: whether the relay keeps an archive, which devices it has read, and
    /// when it last stored a page of each.
    status: RelayResource<ArchiveStatusResult>,
    /// Bumped to cancel the running read (and by every new read).
    generation: StoredValue<u64>,
    /// Rows read but not yet in the table (see `add_rows`).
    unshown: StoredValue<Unshown>,
    progress: RwSignal<Option<Progress>>,
    error: RwSignal<Option<ApiError>>,
}

/// Longest wait, during a long read, before what was read shows.
const FLUSH_MS: f64 = 250.0;

/// Rows read but not yet in the table.
#[derive(Default)]
struct Unshown {
    rows: Vec<LogRow>,
    /// When rows last went into the table (`performance.now()`); `None` before a read's first.
    shown_at: Option<f64>,
    /// A timer will show them.
    timer: bool,
}

impl LogState {
    fn cancel(self) {
        self.generation.update_value(|g| *g += 1);
        self.progress.set(None);
        // What was read belongs with the cursors, which already moved past it.
        self.flush_rows();
    }

    /// Rows a read got. Every row added re-filters and re-sorts the whole table, so a long read
    /// adds what it has at most every [`FLUSH_MS`] (its first page at once), not after every
    /// page: 20 pages of 5,000 would sort the growing table 20 times. Rows held back show at
    /// the latest [`FLUSH_MS`] later, however slow the next page is.
    fn add_rows(self, rows: Vec<LogRow>) {
        let (due, schedule) = self
            .unshown
            .try_update_value(|u| {
                u.rows.extend(rows);
                let due = u.shown_at.is_none_or(|at| now_ms() - at >= FLUSH_MS);
                let schedule = !due && !std::mem::replace(&mut u.timer, true);
                (due, schedule)
            })
            .unwrap_or((false, false));
        if due {
            self.flush_rows();
        } else if schedule {
            set_timeout(
                move || {
                    let _ = self.unshown.try_update_value(|u| u.timer = false);
                    self.flush_rows();
                },
                std::time::Duration::from_millis(FLUSH_MS as u64),
            );
        }
    }

    fn clear(self) {
        self.cancel();
        self.rows.set(Vec::new());
        self.cursors.set(HashMap::new());
        self.archive.set(ArchiveRead::default());
        self.error.set(None);
    }

    /// Puts the rows read so far into the table.
    fn flush_rows(self) {
        let rows = self
            .unshown
            .try_update_value(|u| {
                u.shown_at = Some(now_ms());
                std::mem::take(&mut u.rows)
            })
            .unwrap_or_default();
        if !rows.is_empty() {
            self.rows.try_update(|r| r.extend(rows));
        }
    }

    fn begin(self, devices: usize, archive: bool) -> u64 {
        self.error.set(None);
        // The first page of a read shows at once.
        self.unshown.update_value(|u| u.shown_at = None);
        self.progress.set(Some(Progress {
            records: 0,
            devices_done: 0,
            devices_total: devices,
            archive,
        }));
        self.generation.get_value()
    }

    /// Whether the read of `generation` still runs (not cancelled or replaced, page still open).
    fn is_current(self, generation: u64) -> bool {
        self.generation.try_get_value() == Some(generation)
    }

    /// The running read failed: it stops and shows why.
    fn fail(self, e: ApiError) {
        self.error.try_set(Some(e));
        self.progress.try_set(None);
    }

    /// The read of `generation` has read what it was asked to.
    fn end(self, generation: u64) {
        if self.is_current(generation) {
            self.progress.try_set(None);
        }
    }

    /// Reads with `source` from now on; what was read from the other one is cleared.
    fn set_source(self, source: Source) {
        if self.source.get_untracked() != source {
            self.clear();
            self.source.set(source);
        }
    }

    /// Reads one page (`all == false`) or every remaining page (`all == true`) from the
    /// page's source; `filter` is the page's filter (the archive applies its days and user).
    fn load(self, ids: Vec<u32>, all: bool, filter: &Filter) {
        match self.source.get_untracked() {
            Source::Devices => self.load_devices(ids, all),
            Source::Archive => self.load_archive(ids, all, ServerFilter::of(filter)),
        }
    }

    fn ensure_meta(self, ids: &[u32]) {
        crate::live::load_meta(self.api, self.meta, ids);
        if self.kind.get_untracked() == Kind::JobCode {
            crate::live::load_job_labels(self.api, self.meta, ids);
        }
    }

    /// Reads one page (`all == false`) or every remaining page (`all == true`) of each device.
    fn load_devices(self, ids: Vec<u32>, all: bool) {
        if ids.is_empty() {
            return;
        }
        self.cancel();
        self.ensure_meta(&ids);
        let kind = self.kind.get_untracked();
        let total = ids.len();
        let generation = self.begin(total, false);
        spawn_local(async move {
            let mut records = 0usize;
            for (n, id) in ids.into_iter().enumerate() {
                // The next page's request, sent before this page is turned into rows, so the
                // relay reads and sends it while the browser works.
                let mut ahead: Option<PageFuture> = None;
                loop {
                    if !self.is_current(generation) {
                        return;
                    }
                    let cursor = self
                        .cursors
                        .try_with_untracked(|c| c.get(&id).copied().unwrap_or_default())
                        .unwrap_or_default();
                    let limit = if all { PAGE_ALL } else { PAGE_MORE };
                    let page = match ahead.take() {
                        Some(f) => f.await,
                        None => fetch_page(self.api, kind, id, cursor.next, limit).await,
                    };
                    if !self.is_current(generation) {
                        return; // cancelled while the page was on its way: drop it
                    }
                    let page = match page {
                        Ok(p) => p,
                        Err(e) => {
                            self.flush_rows();
                            return self.fail(e);
                        }
                    };
                    let (next, done) = page.cursor();
                    if all && !done {
                        let mut f: PageFuture =
                            Box::pin(fetch_page(self.api, kind, id, next, limit));
                        // One poll sends the request (the answer is awaited next time round).
                        let _ = futures::poll!(f.as_mut());
                        ahead = Some(f);
                    }
                    let new_rows = page.into_rows();
                    records += new_rows.len();
                    self.cursors.try_update(|c| {
                        c.insert(id, Cursor { next, done });
                    });
                    self.add_rows(new_rows);
                    self.progress.try_set(Some(Progress {
                        records,
                        devices_done: n,
                        devices_total: total,
                        archive: false,
                    }));
                    if done || !all {
                        break;
                    }
                }
            }
            self.flush_rows();
            self.end(generation);
        });
    }

    /// Reads one archive page (`all == false`) or every remaining one (`all == true`) of the
    /// query `server` makes over `ids`. Under filters other than the ones of the rows read so
    /// far, the read starts again from the first page with the new ones.
    fn load_archive(self, ids: Vec<u32>, all: bool, server: ServerFilter) {
        if ids.is_empty() {
            return;
        }
        self.cancel();
        self.ensure_meta(&ids);
        // How fresh the archive is, as of this read.
        self.status.refetch();
        let read = self.archive.get_untracked();
        let (query, after) = match read.applied {
            Some((applied, query)) if applied == server => {
                if read.done {
                    return; // everything the query matches has been read
                }
                (query, read.after)
            }
            _ => {
                // Each device's offsets at both ends of the range, in the zone its rows are
                // shown in (a DST change inside the range moves a day's start by an hour).
                let offsets = RowOffsets(self.zone_view.get_untracked());
                let ends = [server.from_day, server.to_day.map(|d| d + 1)];
                let zones: Vec<Option<i32>> = self.meta.with_untracked(|m| {
                    ids.iter()
                        .flat_map(|d| {
                            let meta = m.get(d).filter(|m| m.listed);
                            ends.iter().flatten().map(move |day| {
                                let at = u32::try_from((day * DAY).max(0)).unwrap_or(u32::MAX);
                                meta.map(|meta| offsets.offset(Some(meta), at))
                            })
                        })
                        .collect()
                });
                let query = server.query(&ids, &zones, ARCHIVE_PAGE);
                self.rows.set(Vec::new());
                self.archive.set(ArchiveRead {
                    applied: Some((server, query.clone())),
                    after: None,
                    done: false,
                });
                (query, None)
            }
        };
        let kind = self.kind.get_untracked();
        let total = ids.len();
        let generation = self.begin(total, true);
        spawn_local(async move {
            let mut records = 0usize;
            let mut after = after;
            loop {
                if !self.is_current(generation) {
                    return;
                }
                let page = read_archive_page(
                    self.api,
                    kind,
                    LogQuery {
                        after,
                        ..query.clone()
                    },
                )
                .await;
                if !self.is_current(generation) {
                    return; // cancelled while the page was on its way: drop it
                }
                let (new_rows, next) = match page {
                    Ok(p) => p,
                    Err(e) => {
                        self.flush_rows();
                        return self.fail(e);
                    }
                };
                records += new_rows.len();
                self.archive.try_update(|a| {
                    a.after = next;
                    a.done = next.is_none();
                });
                self.add_rows(new_rows);
                self.progress.try_set(Some(Progress {
                    records,
                    devices_done: 0,
                    devices_total: total,
                    archive: true,
                }));
                after = next;
                if next.is_none() || !all {
                    break;
                }
            }
            self.flush_rows();
            self.end(generation);
        });
    }
}

/// The page's clock in milliseconds.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// One archive page as rows and where the next one starts (`None` after the last).
async fn read_archive_page(
    api: ApiClient,
    kind: Kind,
    query: LogQuery,
) -> Result<(Vec<LogRow>, Option<QueryCursor>), ApiError> {
    match kind {
        Kind::Tna => {
            let p = api.archive_logs(query).await?;
            Ok((p.rows.into_iter().map(|a| a.log.into()).collect(), p.next))
        }
        Kind::JobCode => {
            let p = api.archive_job_code_logs(query).await?;
            Ok((p.rows.into_iter().map(|a| a.log.into()).collect(), p.next))
        }
    }
}

/// One device page as the relay sent it.
enum DevicePage {
    Tna(LogPage<TnaLog>),
    JobCode(LogPage<JobCodeLog>),
}

impl DevicePage {
    /// Where the next page starts, and whether this was the last.
    fn cursor(&self) -> (u32, bool) {
        match self {
            DevicePage::Tna(p) => (p.next_start_event_id, p.done),
            DevicePage::JobCode(p) => (p.next_start_event_id, p.done),
        }
    }

    fn into_rows(self) -> Vec<LogRow> {
        match self {
            DevicePage::Tna(p) => p.logs.into_iter().map(LogRow::from).collect(),
            DevicePage::JobCode(p) => p.logs.into_iter().map(LogRow::from).collect(),
        }
    }
}

type PageFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<DevicePage, ApiError>>>>;

/// One page of a device's log.
async fn fetch_page(
    api: ApiClient,
    kind: Kind,
    id: u32,
    start: u32,
    limit: u32,
) -> Result<DevicePage, ApiError> {
    Ok(match kind {
        Kind::Tna => DevicePage::Tna(api.get_log(id, start, limit).await?),
        Kind::JobCode => DevicePage::JobCode(api.get_job_code_log(id, start, limit).await?),
    })
}

/// Resolves after the browser had a chance to run other work (a `setTimeout(0)`).
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The logs page.
#[component]
pub fn LogsPage() -> impl IntoView {
    let api = use_api();
    let devices = relay_resource(move || api.list_devices());
    let state = LogState {
        api,
        zone_view: use_zone_view(),
        kind: RwSignal::new(Kind::Tna),
        rows: RwSignal::new(Vec::new()),
        meta: RwSignal::new(MetaMap::new()),
        cursors: RwSignal::new(HashMap::new()),
        source: RwSignal::new(Source::Devices),
        archive: RwSignal::new(ArchiveRead::default()),
        // The archive's state: asked once per connection (and again by every archive read).
        status: relay_resource(move || api.archive_status()),
        generation: StoredValue::new(0),
        unshown: StoredValue::new(Unshown::default()),
        progress: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    on_cleanup(move || state.generation.update_value(|g| *g += 1));
    let selected = RwSignal::new(Vec::<u32>::new());

    let status = state.status;
    // Until the user picks a source: the archive when it has read every chosen device, else the
    // devices. Never switched under records already read.
    let source_picked = StoredValue::new(false);
    let nothing_read = Memo::new(move |_| {
        state.rows.with(Vec::is_empty)
            && state.cursors.with(HashMap::is_empty)
            && state.archive.with(|a| a.applied.is_none())
            && state.progress.with(Option::is_none)
    });
    Effect::new(move |_| {
        let stream = state.kind.get().stream();
        let auto = status.with(|d| {
            let states = match d {
                Some(Ok(r)) => Some(r.states.as_slice()),
                _ => None,
            };
            selected.with(|sel| archive::default_source(states, stream, sel))
        });
        if nothing_read.get() && !source_picked.get_value() {
            state.source.set(auto);
        }
    });
    let archive_ok = Memo::new(move |_| status.with(|d| matches!(d, Some(Ok(_)))));

    // Devices that keep the chosen log.
    let candidates = Memo::new(move |_| {
        let kind = state.kind.get();
        devices.with(|d| match d {
            Some(Ok(list)) => list
                .iter()
                .filter(|d| match kind {
                    Kind::Tna => d.tna_supported,
                    Kind::JobCode => d.job_code_supported,
                })
                .map(|d| d.device_id)
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });

    // Filters.
    // In the URL (`?from=…&to=…&user=…&key=…&event=…&order=oldest`): a filtered view is a link.
    let from = url_text("from");
    let to = url_text("to");
    let user = url_text("user");
    let key = url_text("key");
    let event = url_text("event");
    let order = url_text("order");
    let newest_first = Signal::derive(move || order.with(|o| o != "oldest"));
    // The user field takes an ID or a part of a name: the directory's matches (`users.list`,
    // case- and accent-insensitive) count as that user too.
    let user_matches = LocalResource::new(move || {
        let text = user.get();
        async move {
            let text = text.trim().to_string();
            if text.chars().count() < MIN_NAME_QUERY {
                return None;
            }
            let page = api.list_users(Some(text), NAME_MATCHES, None).await.ok()?;
            Some(
                page.users
                    .into_iter()
                    .map(|u| u.user_id)
                    .collect::<Vec<_>>(),
            )
        }
    });
    let filter = Memo::new(move |_| Filter {
        from_day: logs::parse_date(&from.get()),
        to_day: logs::parse_date(&to.get()),
        user: user.get(),
        user_ids: user_matches.get().flatten(),
        key: KeyFilter::parse(&key.get()),
        event_code: event.get().parse().ok(),
    });
    let view_idx = Memo::new(move |_| {
        let f = filter.get();
        let newest = newest_first.get();
        let offsets = RowOffsets(state.zone_view.get());
        state.meta.with(|m| {
            state
                .rows
                .with(|r| logs::select(r, m, &f, newest, &offsets))
        })
    });

    let exporting = RwSignal::new(None::<usize>);
    let export_error = RwSignal::new(false);
    let names = use_user_names();
    let export = move || {
        if exporting.get_untracked().is_some() {
            return;
        }
        let idx = view_idx.get_untracked();
        exporting.set(Some(0));
        export_error.set(false);
        spawn_local(async move {
            // The names of every exported row's user, also of rows never scrolled into view.
            if let Some(names) = names {
                let ids: Vec<String> = state.rows.with_untracked(|rows| {
                    idx.iter()
                        .filter_map(|&i| rows.get(i as usize).map(|r| r.user_id.clone()))
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect()
                });
                names.load(ids).await;
            }
            let file = CsvFile::new();
            let mut head = String::new();
            logs::push_csv_line(&mut head, logs::CSV_HEADER);
            file.push(&head);
            let view = state.zone_view.get_untracked();
            let offsets = RowOffsets(view);
            for (n, chunk) in idx.chunks(CSV_CHUNK).enumerate() {
                let text = state.meta.try_with_untracked(|m| {
                    state.rows.try_with_untracked(|rows| {
                        let mut out = String::with_capacity(chunk.len() * 120);
                        for &i in chunk {
                            if let Some(r) = rows.get(i as usize) {
                                let meta = m.get(&r.device_id);
                                let zone = zone_label(view, site_zone(meta));
                                let name =
                                    names.and_then(|n| n.known(&r.user_id)).unwrap_or_default();
                                logs::push_csv_row(&mut out, r, meta, &offsets, &zone, &name);
                            }
                        }
                        out
                    })
                });
                let Some(Some(text)) = text else { return };
                file.push(&text);
                let done = (n + 1) * CSV_CHUNK;
                exporting.try_set(Some((done.min(idx.len()) * 100) / idx.len().max(1)));
                yield_to_browser().await;
            }
            if file.offer(s::FILE_NAME()).is_err() {
                export_error.try_set(true);
            }
            exporting.try_set(None);
        });
    };

    let on_kind = move |ev: leptos::ev::Event| {
        let kind = if event_target_value(&ev) == "job" {
            Kind::JobCode
        } else {
            Kind::Tna
        };
        state.clear();
        selected.set(Vec::new());
        state.kind.set(kind);
    };
    let on_source = move |ev: leptos::ev::Event| {
        source_picked.set_value(true);
        state.set_source(Source::parse(&event_target_value(&ev)));
    };
    let busy = Signal::derive(move || state.progress.with(Option::is_some));
    let load = move |all: bool| state.load(selected.get_untracked(), all, &filter.get_untracked());
    // The rows read from the archive were read under other dates or another user than the
    // filters now say.
    let archive_stale = Memo::new(move |_| {
        state.source.get() == Source::Archive
            && state.archive.with(|a| match &a.applied {
                Some((applied, _)) => *applied != ServerFilter::of(&filter.get()),
                None => false,
            })
    });
    // Devices: every chosen device's last page came back short. Archive: the query's last page
    // came, under the filters the page shows. Either way everything stored has been read.
    let complete = Signal::derive(move || {
        !busy.get()
            && selected.with(|sel| {
                !sel.is_empty()
                    && match state.source.get() {
                        Source::Devices => state
                            .cursors
                            .with(|c| sel.iter().all(|id| c.get(id).is_some_and(|c| c.done))),
                        Source::Archive => {
                            state.archive.with(|a| a.done && a.applied.is_some())
                                && !archive_stale.get()
                        }
                    }
            })
    });

    view! {
        <section class="page logs-page" data-testid="logs-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
                <div class="toolbar">
                    <label class="field-inline">
                        <span>{s::KIND_LABEL()}</span>
                        <select class="input" data-testid="logs-kind" on:change=on_kind>
                            <option value="tna" selected=true>{s::KIND_TNA()}</option>
                            <option value="job">{s::KIND_JOB()}</option>
                        </select>
                    </label>
                    <label class="field-inline">
                        <span>{s::SOURCE_LABEL()}</span>
                        <select class="input" data-testid="logs-source" on:change=on_source>
                            <option
                                value=Source::Archive.key()
                                disabled=move || !archive_ok.get()
                                selected=move || state.source.get() == Source::Archive
                            >
                                {s::SOURCE_ARCHIVE()}
                            </option>
                            <option
                                value=Source::Devices.key()
                                selected=move || state.source.get() == Source::Devices
                            >
                                {s::SOURCE_DEVICES()}
                            </option>
                        </select>
                    </label>
                </div>
            </div>
            <SourceInfo state selected stale=archive_stale />
            <div class="logs-layout">
                <div class="device-picker-slot">
                    <Loaded resource=devices failed=s::DEVICES_FAILED() loading=s::DEVICES_LOADING()>
                        <DeviceChecklist
                            candidates=candidates
                            selected=selected
                            legend=s::DEVICES_LABEL()
                            empty_text=s::DEVICES_NONE()
                            testid="logs-device"
                            on_change=Callback::new(move |()| state.clear())
                        />
                    </Loaded>
                </div>
                <div class="logs-main">
                    <div class="toolbar logs-actions">
                        <button
                            type="button"
                            class="btn btn-secondary"
                            data-testid="logs-load-more"
                            disabled=move || busy.get() || selected.with(Vec::is_empty)
                            on:click=move |_| load(false)
                        >
                            {s::LOAD_MORE()}
                        </button>
                        <button
                            type="button"
                            class="btn btn-primary"
                            data-testid="logs-load-all"
                            disabled=move || busy.get() || selected.with(Vec::is_empty)
                            on:click=move |_| load(true)
                        >
                            {s::LOAD_ALL()}
                        </button>
                        <button
                            type="button"
                            class="btn btn-secondary"
                            data-testid="logs-clear"
                            disabled=move || busy.get()
                            on:click=move |_| state.clear()
                        >
                            {s::CLEAR()}
                        </button>
                        <button
                            type="button"
                            class="btn btn-secondary"
                            data-testid="logs-export"
                            disabled=move || {
                                busy.get() || exporting.with(Option::is_some)
                                    || view_idx.with(Vec::is_empty)
                            }
                            on:click=move |_| export()
                        >
                            {move || match exporting.get() {
                                Some(p) => s::exporting(p),
                                None => s::EXPORT().to_string(),
                            }}
                        </button>
                    </div>
                    {move || {
                        state
                            .progress
                            .get()
                            .map(|p| {
                                view! {
                                    <div
                                        class="progress-box"
                                        data-testid="logs-progress"
                                        data-records=p.records.to_string()
                                        role="status"
                                    >
                                        {if p.archive {
                                            // How many pages are left is not known.
                                            view! { <progress></progress> }.into_any()
                                        } else {
                                            view! {
                                                <progress
                                                    max=p.devices_total.to_string()
                                                    value=p.devices_done.to_string()
                                                ></progress>
                                            }
                                                .into_any()
                                        }}
                                        <span>
                                            {if p.archive {
                                                s::archive_progress(p.records)
                                            } else {
                                                s::progress(p.records, p.devices_done, p.devices_total)
                                            }}
                                        </span>
                                        <button
                                            type="button"
                                            class="btn btn-small"
                                            data-testid="logs-cancel"
                                            on:click=move |_| state.cancel()
                                        >
                                            {s::CANCEL()}
                                        </button>
                                    </div>
                                }
                            })
                    }}
                    {move || {
                        state
                            .error
                            .get()
                            .map(|e| {
                                view! {
                                    <ErrorBanner
                                        title=s::LOAD_FAILED()
                                        error=e
                                        on_retry=Callback::new(move |()| load(false))
                                        busy=busy
                                    />
                                }
                            })
                    }}
                    {move || {
                        export_error.get().then(|| view! { <p class="warning">{s::EXPORT_FAILED()}</p> })
                    }}
                    <Filters from to user key event order />
                    <p class="summary" aria-live="polite">
                        <span
                            data-testid="logs-count"
                            data-shown=move || view_idx.with(Vec::len).to_string()
                            data-loaded=move || state.rows.with(Vec::len).to_string()
                        >
                            {move || s::shown(view_idx.with(Vec::len), state.rows.with(Vec::len))}
                        </span>
                        {move || {
                            complete
                                .get()
                                .then(|| {
                                    view! {
                                        <span class="muted" data-testid="logs-complete">
                                            {move || match state.source.get() {
                                                Source::Devices => s::COMPLETE(),
                                                Source::Archive => s::COMPLETE_ARCHIVE(),
                                            }}
                                        </span>
                                    }
                                })
                        }}
                    </p>
                    <LogTable state view_idx selected />
                </div>
            </div>
        </section>
    }
}

/// What the source line says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SourceText {
    source: Source,
    text: String,
    /// The archive's newest stored page among the chosen devices (Unix seconds).
    last_sync_at: Option<i64>,
    /// Chosen devices the archive has not read.
    not_archived: Vec<u32>,
}

/// Which source the page reads and, for the archive, how fresh it is (its newest stored page
/// among the chosen devices, from `archive.status`).
#[component]
fn SourceInfo(state: LogState, selected: RwSignal<Vec<u32>>, stale: Memo<bool>) -> impl IntoView {
    let info = Memo::new(move |_| {
        let source = state.source.get();
        let stream = state.kind.get().stream();
        state.status.with(|d| {
            selected.with(|sel| {
                let states = match d {
                    Some(Ok(r)) => Some(r.states.as_slice()),
                    _ => None,
                };
                let not_archived = states
                    .map(|st| archive::not_archived(st, stream, sel))
                    .unwrap_or_default();
                let last_sync_at = states.and_then(|st| archive::newest_sync(st, stream, sel));
                let text = match (source, d) {
                    (Source::Archive, _) => {
                        let at = last_sync_at.map(|at| (browser_time(at), now_secs() - at));
                        s::source_archive(at.as_ref().map(|(t, ago)| (t.as_str(), *ago)))
                    }
                    (Source::Devices, None) => s::SOURCE_CHECKING().to_string(),
                    (Source::Devices, Some(Err(e))) if e.kind() == Some(ErrorCode::Unsupported) => {
                        s::SOURCE_NO_ARCHIVE().to_string()
                    }
                    (Source::Devices, Some(Err(_))) => s::SOURCE_STATUS_FAILED().to_string(),
                    (Source::Devices, Some(Ok(_))) => s::SOURCE_DEVICES_INFO().to_string(),
                };
                SourceText {
                    source,
                    text,
                    last_sync_at: last_sync_at.filter(|_| source == Source::Archive),
                    not_archived,
                }
            })
        })
    });
    view! {
        <p
            class="muted logs-source-info"
            data-testid="logs-source-info"
            data-source=move || info.with(|i| i.source.key())
            data-last-sync-at=move || info.with(|i| i.last_sync_at.map(|t| t.to_string()))
            data-stale=move || stale.get().to_string()
            aria-live="polite"
        >
            <span>{move || info.with(|i| i.text.clone())}</span>
            {move || {
                info.with(|i| {
                    (!i.not_archived.is_empty())
                        .then(|| {
                            view! { <span class="logs-source-missing">{s::not_archived(&i.not_archived)}</span> }
                        })
                })
            }}
            {move || {
                stale.get().then(|| view! { <span class="logs-source-stale">{s::ARCHIVE_FILTERS_CHANGED()}</span> })
            }}
        </p>
    }
}

/// The filter bar.
#[component]
fn Filters(
    from: RwSignal<String>,
    to: RwSignal<String>,
    user: RwSignal<String>,
    key: RwSignal<String>,
    event: RwSignal<String>,
    /// `oldest` for oldest first; anything else is newest first.
    order: RwSignal<String>,
) -> impl IntoView {
    let newest_first = move || order.with(|o| o != "oldest");
    view! {
        <fieldset class="filters" data-testid="logs-filters">
            <legend class="visually-hidden">{s::FILTERS()}</legend>
            <DayRangeFields from to testid="logs" />
            <ZoneSwitch testid="logs-zone-view" />
            <label class="field">
                <span>{s::USER()}</span>
                <input
                    class="input"
                    type="search"
                    data-testid="logs-user"
                    placeholder=s::USER_PLACEHOLDER()
                    prop:value=move || user.get()
                    on:input=move |ev| user.set(event_target_value(&ev))
                />
            </label>
            <label class="field">
                <span>{s::KEY()}</span>
                <select
                    class="input"
                    data-testid="logs-key"
                    on:change=move |ev| key.set(event_target_value(&ev))
                >
                    <option value="">{s::KEY_ANY()}</option>
                    <option value="none">{s::KEY_NONE()}</option>
                    {(1..=16u8)
                        .map(|k| view! { <option value=k.to_string()>{format!("KEY_{k}")}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{s::EVENT()}</span>
                <select
                    class="input"
                    data-testid="logs-event"
                    on:change=move |ev| event.set(event_target_value(&ev))
                >
                    <option value="">{s::EVENT_ANY()}</option>
                    {event_names::MAIN
                        .iter()
                        .map(|(code, name)| view! { <option value=code.to_string()>{crate::i18n::tr(name)}</option> })
                        .collect_view()}
                </select>
            </label>
            <button
                type="button"
                class="btn btn-secondary"
                data-testid="logs-sort"
                data-newest-first=move || newest_first().to_string()
                on:click=move |_| {
                    order.set(if newest_first() { "oldest".into() } else { String::new() })
                }
            >
                {move || if newest_first() { s::SORT_NEWEST() } else { s::SORT_OLDEST() }}
            </button>
        </fieldset>
    }
}

/// The virtualised table: a scrolling body as tall as all rows, holding only the rows in view.
#[component]
fn LogTable(
    state: LogState,
    view_idx: Memo<Vec<u32>>,
    selected: RwSignal<Vec<u32>>,
) -> impl IntoView {
    let scroll = RwSignal::new(0.0f64);
    let range = Memo::new(move |_| {
        logs::window(
            view_idx.with(Vec::len),
            ROW_PX,
            scroll.get(),
            VIEWPORT_PX,
            OVERSCAN,
        )
    });
    let job = Signal::derive(move || state.kind.get() == Kind::JobCode);
    let rows_view = move || {
        let (first, end) = range.get();
        let job = job.get();
        let view = state.zone_view.get();
        state.meta.with(|meta| {
            state.rows.with(|rows| {
                view_idx.with(|idx| {
                    idx.get(first..end)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                        .filter_map(|(k, &i)| {
                            let r = rows.get(i as usize)?;
                            Some(row_view(r, meta.get(&r.device_id), first + k, job, view))
                        })
                        .collect_view()
                })
            })
        })
    };
    let empty = move || {
        if view_idx.with(|v| !v.is_empty()) {
            return None;
        }
        let text = if selected.with(Vec::is_empty) {
            s::PICK_DEVICES()
        } else if state.rows.with(Vec::is_empty) {
            s::NOTHING_LOADED()
        } else {
            s::NO_MATCH()
        };
        Some(view! { <p class="empty-state" data-testid="logs-empty">{text}</p> })
    };
    view! {
        <div
            class="vtable"
            role="table"
            aria-label=s::TABLE_LABEL()
            data-testid="logs-table"
            aria-rowcount=move || (view_idx.with(Vec::len) + 1).to_string()
        >
            <div class="vrow vhead" role="row" aria-rowindex="1">
                <span role="columnheader">{s::COL_TIME()}</span>
                <span role="columnheader">{s::COL_DEVICE()}</span>
                <span role="columnheader">{s::COL_USER()}</span>
                <span role="columnheader">{s::COL_NAME()}</span>
                <span role="columnheader">{s::COL_EVENT()}</span>
                <span role="columnheader">
                    {move || if job.get() { s::COL_JOB() } else { s::COL_KEY() }}
                </span>
            </div>
            // Focusable so the rows can be scrolled from the keyboard (arrow keys, Page Down).
            <div
                class="vbody"
                role="rowgroup"
                tabindex="0"
                data-testid="logs-scroll"
                on:scroll=move |ev| {
                    let el: web_sys::Element = event_target(&ev);
                    scroll.set(f64::from(el.scroll_top()));
                }
            >
                <div
                    class="vspace"
                    style:height=move || rows_px(view_idx.with(Vec::len))
                >
                    {rows_view}
                </div>
            </div>
            {empty}
        </div>
    }
}

/// One positioned row.
fn row_view(
    r: &LogRow,
    meta: Option<&DeviceMeta>,
    pos: usize,
    job: bool,
    view: ZoneView,
) -> impl IntoView + use<> {
    let time = PunchTime::of(r.timestamp, site_zone(meta), view);
    let last = if job {
        logs::job_text(r, meta).unwrap_or_else(|| s::NONE().into())
    } else {
        match r.key {
            Some(k) => meta.map_or_else(|| format!("KEY_{k}"), |m| m.key_label(k)),
            None => s::NONE().into(),
        }
    };
    let key_attr = r.key.map(|k| k.to_string());
    let job_attr = r.job_code.map(|j| j.to_string());
    view! {
        <div
            class="vrow"
            role="row"
            data-testid="log-row"
            aria-rowindex=(pos + 2).to_string()
            data-device-id=r.device_id.to_string()
            data-event-id=r.id.to_string()
            style:top=rows_px(pos)
        >
            <span role="cell" class="mono">{time.view("log-time")}</span>
            <span role="cell" data-testid="log-device"><DeviceLabel device_id=r.device_id /></span>
            <span role="cell" class="mono" data-testid="log-user">{r.user_id.clone()}</span>
            <span role="cell" data-testid="log-name">
                <UserName user_id=r.user_id.clone() name_only=true />
            </span>
            <span
                role="cell"
                data-testid="log-event"
                title=format!("0x{:04X} / {}", r.event_code, r.sub_code)
            >
                {logs::event_name(r.event_code, r.sub_code)}
            </span>
            <span role="cell" data-testid="log-key" data-key=key_attr data-job-code=job_attr>
                {last}
            </span>
        </div>
    }
}
