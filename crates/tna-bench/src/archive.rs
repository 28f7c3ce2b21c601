//! Benchmark 7 — Archive: the relay's log archive (`tna-archive`) written the way the relay's
//! background sync writes it, then queried the way the console's Archive and Timecards pages
//! query it, into SQLite and into PostgreSQL in the same run.
//!
//! - **Write**: 50 devices × 20,000 T&A events, each device's log stored in pages of 1,000 with
//!   [`Archive::store_tna_page`] (records and cursor move in one transaction), timed from the
//!   first page to the last; events/s. Once one device at a time into a fresh archive, which
//!   then holds the 1,000,000 events the queries read, and once
//!   [`SYNC_CONCURRENCY`] devices at a time (as the relay's sync runs) into a second fresh one.
//!   Building a page in memory is under 1 % of storing it and is inside the timing, as the
//!   relay's own decoding would be.
//! - **Users**: each device serves 40 users of a pool of 1,000 (neighbouring devices share some),
//!   as at a site entrance; each device's events are spread evenly over 90 days.
//! - **Query**: one month (days 30–60) over all devices with [`Archive::query_tna`]: the first
//!   page of 1,000 rows, one user's whole month (one page), and [`Archive::count_tna`] of the
//!   month; median of 5 after one untimed run, every result checked against the generator.
//! - **SQLite**: a file in a temp dir, opened as the relay opens it (WAL, `synchronous=NORMAL`:
//!   commits do not wait for the disk, checkpoints do).
//! - **PostgreSQL**: a throwaway cluster ([`PgCluster`], `fsync=off`: the disk is not measured)
//!   when the server binaries are installed, else the rows say it was skipped (the benchmark
//!   does not fail). As root the server runs as `$TNA_ARCHIVE_PG_USER`, else as `nobody`.
//! - **Ratios**: PostgreSQL / SQLite for every figure measured on both (write: > 1 is faster;
//!   query times: > 1 is slower).
//!
//! `--quick`: 2 devices × 500 events in pages of 100, one timed run; proves the code works.

use std::time::Instant;

use anyhow::{Context, ensure};
use futures::{StreamExt, TryStreamExt};
use tna_archive::testing::{PgCluster, PgError};
use tna_archive::{Archive, LogQuery, QueryPage};
use tna_relay::sync::SYNC_CONCURRENCY;
use tna_types::{TnaKey, TnaLog};

use crate::report::{Report, median};

const GROUP: &str = "7. archive";
/// The first event's timestamp (Unix seconds).
const BASE: u32 = 1_700_000_000;
const DAY: u32 = 86_400;
/// Each device's events are spread over this many days.
const SPAN_DAYS: u32 = 90;
/// The queried month: days 30 (inclusive) to 60 (exclusive) of the span.
const MONTH: (u32, u32) = (BASE + 30 * DAY, BASE + 60 * DAY);
/// The user pool, and how many of them each device serves.
const USERS: u32 = 1_000;
const USERS_PER_DEVICE: u32 = 40;
/// The user whose month is queried (served by devices 1 and 2).
const QUERIED_USER: u32 = 42;
/// Rows per query page (the console's Archive page size).
const QUERY_PAGE: u32 = 1_000;
/// Who runs the throwaway PostgreSQL when this benchmark runs as root without
/// `TNA_ARCHIVE_PG_USER` (the server refuses root).
const PG_ROOT_FALLBACK_USER: &str = "nobody";
const NO_PG: &str = "skipped: no PostgreSQL (cargo xtask setup)";

/// What one run stores and how often it times a query.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    devices: u32,
    per_device: u32,
    page: u32,
    query_runs: usize,
}

impl Sizes {
    fn new(quick: bool) -> Self {
        if quick {
            Sizes {
                devices: 2,
                per_device: 500,
                page: 100,
                query_runs: 1,
            }
        } else {
            Sizes {
                devices: 50,
                per_device: 20_000,
                page: 1_000,
                query_runs: 5,
            }
        }
    }

    fn total(self) -> u64 {
        u64::from(self.devices) * u64::from(self.per_device)
    }

    /// Seconds between two events of one device.
    fn step(self) -> u32 {
        SPAN_DAYS * DAY / self.per_device
    }

    fn timestamp(self, device: u32, id: u32) -> u32 {
        BASE + id * self.step() + device
    }

    /// The user (index into the pool) of event `id` of `device`.
    fn user(device: u32, id: u32) -> u32 {
        (device * USERS_PER_DEVICE / 2 + (id * 7_919) % USERS_PER_DEVICE) % USERS
    }

    /// Events of `device` from `start` (at most one page).
    fn page(self, users: &[String], device: u32, start: u32) -> Vec<TnaLog> {
        let end = (start + self.page).min(self.per_device);
        (start..end)
            .map(|id| TnaLog {
                id,
                timestamp: self.timestamp(device, id),
                device_id: device,
                user_id: users[Self::user(device, id) as usize].clone(),
                // Verify successes of a few kinds; mostly the In/Out keys, some breaks, some
                // punches without a key.
                event_code: 0x1000 + id % 7,
                sub_code: id % 3,
                tna_key: u8::try_from(id % 6).ok().and_then(|n| TnaKey::new(n).ok()),
            })
            .collect()
    }

    /// How many events fall in [`MONTH`]: all of them, and those of [`QUERIED_USER`].
    fn expected_month(self) -> (u64, u64) {
        let (mut all, mut user) = (0, 0);
        for d in 1..=self.devices {
            for id in 0..self.per_device {
                if (MONTH.0..MONTH.1).contains(&self.timestamp(d, id)) {
                    all += 1;
                    user += u64::from(Self::user(d, id) == QUERIED_USER);
                }
            }
        }
        (all, user)
    }
}

/// One backend's figures.
#[derive(Debug, Clone, Copy)]
struct Figures {
    /// events/s, one device at a time.
    write_one: f64,
    /// events/s, [`SYNC_CONCURRENCY`] devices at a time.
    write_many: f64,
    /// ms: the month's first page over all devices.
    first_page: f64,
    /// ms: one user's month.
    user_month: f64,
    /// ms: the month's count.
    count: f64,
}

pub async fn run(quick: bool, report: &mut Report) -> anyhow::Result<()> {
    let sizes = Sizes::new(quick);
    let users: Vec<String> = (0..USERS).map(|u| format!("{u:05}")).collect();
    let (month_events, user_events) = sizes.expected_month();
    ensure!(
        user_events <= u64::from(QUERY_PAGE),
        "the queried user's month ({user_events} events) does not fit one page"
    );
    let expect = Expect {
        total: sizes.total(),
        month: month_events,
        user: user_events,
    };
    println!(
        "bench: archive: {} devices × {} events in pages of {}, {} users per device of {USERS}",
        sizes.devices, sizes.per_device, sizes.page, USERS_PER_DEVICE
    );

    let dir = tempfile::Builder::new()
        .prefix("tna-bench-archive")
        .tempdir()
        .context("temp dir for the SQLite files")?;
    let sqlite_url = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    println!("bench: archive: SQLite");
    let sqlite = measure(sizes, &users, &expect, &sqlite_url("one.db"), async || {
        Ok(sqlite_url("many.db"))
    })
    .await
    .context("SQLite")?;

    println!("bench: archive: PostgreSQL");
    let cluster = tokio::task::spawn_blocking(|| PgCluster::start_or_run_as(PG_ROOT_FALLBACK_USER))
        .await
        .context("join")?;
    let postgres = match cluster {
        Ok(cluster) => {
            let url = cluster.url();
            let figures = measure(sizes, &users, &expect, &url, async || {
                Ok(cluster.create_database("bench_many")?)
            })
            .await
            .context("PostgreSQL");
            tokio::task::spawn_blocking(move || drop(cluster))
                .await
                .context("join")?;
            Some(figures?)
        }
        Err(PgError::NotInstalled(why)) => {
            println!("bench: archive: {NO_PG} ({why})");
            None
        }
        Err(e) => return Err(e).context("start a throwaway PostgreSQL"),
    };

    // Names fit the table's 44 columns with "PostgreSQL " in front.
    let total = sizes.total();
    let one = format!("write {total}, 1 device at once");
    let many = format!("write {total}, {SYNC_CONCURRENCY} devices at once");
    let first_rows = month_events.min(u64::from(QUERY_PAGE));
    let first = format!("month: {first_rows} of {month_events} rows");
    let user = format!("month: one user ({user_events} rows)");
    let count = format!("month: count ({month_events})");
    for (name, f) in [("SQLite", Some(sqlite)), ("PostgreSQL", postgres)] {
        let Some(f) = f else {
            report.skip(GROUP, &format!("{name}: writes and queries"), NO_PG);
            continue;
        };
        report.add(GROUP, &format!("{name} {one}"), f.write_one, "events/s");
        report.add(GROUP, &format!("{name} {many}"), f.write_many, "events/s");
        report.add(GROUP, &format!("{name} {first}"), f.first_page, "ms");
        report.add(GROUP, &format!("{name} {user}"), f.user_month, "ms");
        report.add(GROUP, &format!("{name} {count}"), f.count, "ms");
    }
    if let Some(pg) = postgres {
        let ratio = "PostgreSQL / SQLite";
        let many = format!("write, {SYNC_CONCURRENCY} devices at once");
        let rows = [
            ("write, 1 device at once", pg.write_one / sqlite.write_one),
            (many.as_str(), pg.write_many / sqlite.write_many),
            ("month: first page", pg.first_page / sqlite.first_page),
            ("month: one user", pg.user_month / sqlite.user_month),
            ("month: count", pg.count / sqlite.count),
        ];
        for (what, value) in rows {
            report.add(GROUP, &format!("{ratio} {what}"), value, "ratio");
        }
    }
    Ok(())
}

/// What the generator put in, to check every result against.
struct Expect {
    total: u64,
    month: u64,
    user: u64,
}

/// One backend: writes one device at a time into `url` and queries it, then writes
/// [`SYNC_CONCURRENCY`] devices at a time into the fresh archive `second` gives.
async fn measure(
    sizes: Sizes,
    users: &[String],
    expect: &Expect,
    url: &str,
    second: impl AsyncFnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<Figures> {
    let archive = Archive::open(url).await.context("open")?;
    let write_one = store_all(&archive, sizes, users, 1, expect.total).await?;
    let (first_page, user_month, count) = query_all(&archive, sizes, expect).await?;
    archive.close().await;

    let archive = Archive::open(&second().await.context("a second archive")?)
        .await
        .context("open the second archive")?;
    let write_many = store_all(&archive, sizes, users, SYNC_CONCURRENCY, expect.total).await?;
    archive.close().await;
    Ok(Figures {
        write_one,
        write_many,
        first_page,
        user_month,
        count,
    })
}

/// Stores every device's events, `concurrency` devices at a time, each device page after page
/// from its cursor as the relay's sync does; returns events/s.
async fn store_all(
    archive: &Archive,
    sizes: Sizes,
    users: &[String],
    concurrency: usize,
    expected: u64,
) -> anyhow::Result<f64> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let started = Instant::now();
    let stored: u64 = futures::stream::iter(1..=sizes.devices)
        .map(|device| async move {
            let mut stored = 0;
            let mut next = 0;
            while next < sizes.per_device {
                let page = sizes.page(users, device, next);
                next += page.len() as u32;
                stored += archive
                    .store_tna_page(device, tna_archive::INITIAL_EPOCH, &page, next, now)
                    .await
                    .with_context(|| format!("store a page of device {device}"))?;
            }
            anyhow::Ok(stored)
        })
        .buffer_unordered(concurrency)
        .try_fold(0, |sum, n| async move { Ok(sum + n) })
        .await?;
    let secs = started.elapsed().as_secs_f64();
    ensure!(
        stored == expected,
        "stored {stored} new events, expected {expected}"
    );
    Ok(stored as f64 / secs)
}

/// The three month queries; median ms of each.
async fn query_all(
    archive: &Archive,
    sizes: Sizes,
    expect: &Expect,
) -> anyhow::Result<(f64, f64, f64)> {
    let month = LogQuery {
        from: Some(MONTH.0),
        to: Some(MONTH.1),
        limit: QUERY_PAGE,
        ..LogQuery::default()
    };
    let one_user = LogQuery {
        user_id: Some(format!("{QUERIED_USER:05}")),
        ..month.clone()
    };
    let first_rows = expect.month.min(u64::from(QUERY_PAGE));
    let first_page = timed(sizes.query_runs, async || {
        let QueryPage { rows, next } = archive.query_tna(&month).await.context("first page")?;
        ensure!(
            rows.len() as u64 == first_rows && next.is_some() == (expect.month > first_rows),
            "first page: {} rows (next: {}), expected {first_rows} of {}",
            rows.len(),
            next.is_some(),
            expect.month
        );
        Ok(())
    })
    .await?;
    let user_month = timed(sizes.query_runs, async || {
        let QueryPage { rows, next } = archive.query_tna(&one_user).await.context("one user")?;
        ensure!(
            rows.len() as u64 == expect.user && next.is_none(),
            "one user: {} rows (next: {}), expected {} in one page",
            rows.len(),
            next.is_some(),
            expect.user
        );
        ensure!(
            rows.iter()
                .all(|r| Some(&r.log.user_id) == one_user.user_id.as_ref()),
            "one user: rows of other users"
        );
        Ok(())
    })
    .await?;
    let count = timed(sizes.query_runs, async || {
        let n = archive.count_tna(&month).await.context("count")?;
        ensure!(n == expect.month, "count {n}, expected {}", expect.month);
        Ok(())
    })
    .await?;
    Ok((first_page, user_month, count))
}

/// One untimed run (which also checks), then the median ms of `runs` timed ones.
async fn timed(runs: usize, mut f: impl AsyncFnMut() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    f().await?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        f().await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(&mut ms))
}
