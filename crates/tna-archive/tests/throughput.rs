//! Throughput figures (not a pass/fail benchmark): 50 devices × 20,000 T&A events stored in
//! pages of 1,000, into SQLite and into PostgreSQL, then one-month queries over the 1,000,000.
//!
//! `cargo test --release -p tna-archive --test throughput -- --ignored --nocapture`
//! (as root, with `TNA_ARCHIVE_PG_USER=<unprivileged user>`; see `tna_archive::testing`).
//! `tna-bench --only archive` (benchmark 7 of `cargo xtask bench`) measures the main figures.

mod support;

use std::time::{Duration, Instant};

use tna_archive::{Archive, LogQuery};
use tna_types::TnaLog;

const DEVICES: u32 = 50;
const PER_DEVICE: u32 = 20_000;
const PAGE: u32 = 1_000;
const WRITERS: u32 = 4;
const BASE: u32 = 1_700_000_000;
const DAY: u32 = 86_400;
/// The events of each device are spread over this many days.
const SPAN_DAYS: u32 = 90;
const USERS: u32 = 1_000;

/// How the 1,000 users spread over devices.
#[derive(Debug, Clone, Copy)]
enum Users {
    /// Every page holds events of all 1,000 users: the worst case for the user index.
    Everywhere,
    /// Each device serves 40 of them (neighbouring devices share some), as at a site entrance.
    PerSite,
}

impl Users {
    fn user(self, device: u32, id: u32) -> String {
        let n = match self {
            Users::Everywhere => (device * 7_919 + id) % USERS,
            Users::PerSite => (device * 20 + (id * 7_919) % 40) % USERS,
        };
        format!("{n:05}")
    }
}

/// Every page, in the order one relay would pull them: page 0 of every device, then page 1…
fn pages(users: Users) -> Vec<(u32, Vec<TnaLog>)> {
    let step = SPAN_DAYS * DAY / PER_DEVICE;
    let mut out = Vec::new();
    for p in 0..PER_DEVICE / PAGE {
        for d in 1..=DEVICES {
            let logs = (p * PAGE..(p + 1) * PAGE)
                .map(|id| support::tna(d, id, BASE + id * step + d, &users.user(d, id)))
                .collect();
            out.push((d, logs));
        }
    }
    out
}

async fn store_sequential(archive: &Archive, pages: &[(u32, Vec<TnaLog>)]) -> f64 {
    let started = Instant::now();
    let mut n = 0;
    for (d, logs) in pages {
        let next = logs.last().map_or(0, |l| l.id + 1);
        n += archive
            .store_tna_page(*d, 0, logs, next, 1)
            .await
            .expect("store");
    }
    assert_eq!(n, u64::from(DEVICES * PER_DEVICE));
    n as f64 / started.elapsed().as_secs_f64()
}

/// `WRITERS` tasks, each owning a share of the devices (as several relays or pollers would).
async fn store_concurrent(archive: &Archive, pages: &[(u32, Vec<TnaLog>)]) -> f64 {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let mine: Vec<_> = pages
            .iter()
            .filter(|(d, _)| d % WRITERS == w)
            .cloned()
            .collect();
        let archive = archive.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            for (d, logs) in &mine {
                let next = logs.last().map_or(0, |l| l.id + 1);
                n += archive
                    .store_tna_page(*d, 0, logs, next, 1)
                    .await
                    .expect("store");
            }
            n
        }));
    }
    let mut n = 0;
    for t in tasks {
        n += t.await.expect("join");
    }
    assert_eq!(n, u64::from(DEVICES * PER_DEVICE));
    n as f64 / started.elapsed().as_secs_f64()
}

/// Best of three runs.
async fn timed<T, F: AsyncFnMut() -> T>(mut f: F) -> (T, Duration) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..3 {
        let started = Instant::now();
        out = Some(f().await);
        best = best.min(started.elapsed());
    }
    (out.expect("ran"), best)
}

async fn month_queries(label: &str, archive: &Archive) {
    let month = LogQuery {
        from: Some(BASE + 30 * DAY),
        to: Some(BASE + 60 * DAY),
        limit: 1_000,
        ..LogQuery::default()
    };
    let (count, t_count) = timed(async || archive.count_tna(&month).await.expect("count")).await;
    let (page, t_page) = timed(async || archive.query_tna(&month).await.expect("query")).await;
    assert_eq!(page.rows.len(), 1_000);
    let mid = LogQuery {
        after: page.next,
        ..month.clone()
    };
    let (_, t_next) = timed(async || archive.query_tna(&mid).await.expect("query")).await;
    let user = LogQuery {
        user_id: Some("00042".into()),
        ..month.clone()
    };
    let (user_rows, t_user) = timed(async || archive.query_tna(&user).await.expect("q")).await;
    let (user_count, t_user_count) =
        timed(async || archive.count_tna(&user).await.expect("count")).await;
    let some = LogQuery {
        device_ids: Some(vec![3, 17, 29, 41, 50]),
        ..month.clone()
    };
    let (_, t_devices) = timed(async || archive.query_tna(&some).await.expect("query")).await;

    let started = Instant::now();
    let all = support::all_pages(archive, &month, 10_000).await;
    let t_all = started.elapsed();
    assert_eq!(all.len() as u64, count);

    println!(
        "{label}: one month ({count} of {} events): count {t_count:?}, first page of 1000 \
         {t_page:?}, next page {t_next:?}; one user ({user_count} events): page {t_user:?} \
         ({} rows), count {t_user_count:?}; 5 devices page {t_devices:?}; reading the whole \
         month in pages of 10000: {t_all:?}",
        DEVICES * PER_DEVICE,
        user_rows.rows.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "throughput figures; run in release with --ignored --nocapture"]
async fn throughput_sqlite_and_postgres() {
    let dir = tempfile::tempdir().expect("tempdir");
    for users in [Users::Everywhere, Users::PerSite] {
        let pages = pages(users);
        let sqlite = |name: &str| format!("sqlite://{}", dir.path().join(name).display());

        let archive = Archive::open(&sqlite(&format!("{users:?}-1.db")))
            .await
            .expect("open");
        let rate = store_sequential(&archive, &pages).await;
        println!("SQLite, users {users:?}, one writer: {rate:.0} events/s");
        month_queries(&format!("SQLite, users {users:?}"), &archive).await;
        archive.close().await;
        let archive = Archive::open(&sqlite(&format!("{users:?}-n.db")))
            .await
            .expect("open");
        let rate = store_concurrent(&archive, &pages).await;
        println!("SQLite, users {users:?}, {WRITERS} writers: {rate:.0} events/s");
        archive.close().await;

        let pg = tna_archive::testing::PgCluster::start().unwrap_or_else(|e| panic!("{e}"));
        let archive = Archive::open(&pg.url()).await.expect("open");
        let rate = store_sequential(&archive, &pages).await;
        println!("PostgreSQL, users {users:?}, one writer: {rate:.0} events/s");
        month_queries(&format!("PostgreSQL, users {users:?}"), &archive).await;
        archive.close().await;
        drop(pg);

        let pg = tna_archive::testing::PgCluster::start().unwrap_or_else(|e| panic!("{e}"));
        let archive = Archive::open(&pg.url()).await.expect("open");
        let rate = store_concurrent(&archive, &pages).await;
        println!("PostgreSQL, users {users:?}, {WRITERS} writers: {rate:.0} events/s");
        archive.close().await;
    }
}
