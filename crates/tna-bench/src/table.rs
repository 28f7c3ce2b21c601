//! Benchmark 5 — Log table: one device's 100,000 T&A logs loaded into the Logs page in headless
//! Chromium ("Load all" through the relay: click → the page says it is complete, by the page's
//! clock), then:
//! - time to first visible rows: the sort is flipped, so the page filters and sorts all rows
//!   again and renders the first rows of the new order (click → first row of the new order in
//!   the DOM, measured in the page with `performance.now()`);
//! - frame times while scrolling 10,000 rows: the table body is scrolled by a fixed step on
//!   every animation frame; the figure is the time between consecutive frames.
//!
//! The figures come from the page's own clock, so WebDriver round trips are not in them.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use browser_harness::Browser;
use gateway_sim::SimConfig;
use tna_relay::{GatewayTarget, RelayConfig};

use crate::report::{Report, median};

const GROUP: &str = "5. log table";
/// Rows loaded in full mode (one device's log).
const ROWS: u32 = 100_000;
/// Rows loaded in quick mode.
const QUICK_ROWS: u32 = 2_000;
/// Rows scrolled through in full mode.
const SCROLL_ROWS: u32 = 10_000;
/// Rows scrolled through in quick mode.
const QUICK_SCROLL_ROWS: u32 = 500;
/// Rows moved per animation frame while scrolling (a brisk flick of the wheel).
const ROWS_PER_FRAME: u32 = 10;
/// Row height of the table (`ROW_PX` in the console's logs page).
const ROW_PX: u32 = 34;
/// Sort flips measured (median reported).
const FLIPS: usize = 5;
/// Upper bound for loading every row.
const LOAD_LIMIT: Duration = Duration::from_secs(180);
/// Budget: first rows after a full re-sort.
const FIRST_ROWS_BUDGET_MS: f64 = 100.0;
/// "Load all" runs, each in a freshly opened page; the median is reported.
const LOADS: usize = 3;

fn load_runs(quick: bool) -> usize {
    if quick { 1 } else { LOADS }
}
/// Budget: "Load all" of 100,000 rows, click to complete.
const LOAD_BUDGET_MS: f64 = 150.0;
/// Budget: the longest frame while scrolling.
const FRAME_BUDGET_MS: f64 = 50.0;

pub async fn run(dist: &Path, quick: bool, report: &mut Report) -> anyhow::Result<()> {
    crate::demo::require_browser(dist)?;
    let rows = if quick { QUICK_ROWS } else { ROWS };
    let sim = SimConfig {
        devices: 4,
        logs_per_device: rows,
        seed: 1,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    let relay = tna_relay::start(RelayConfig {
        dist: Some(dist.to_path_buf()),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Demo(sim),
        )
    })
    .await?;
    let result = async {
        let gw = relay.demo_gateway().context("demo gateway")?;
        let device = gw
            .device_ids()
            .into_iter()
            .find(|&d| gw.tna_supported(d) == Some(true))
            .context("a T&A device")?;
        let stored = gw.log_count(device).context("log count")?;
        let browser = Browser::start(1280, 900).await?;
        let measured = measure(&browser, &relay.url(), device, stored, quick).await;
        browser.close().await;
        measured
    }
    .await;
    relay.shutdown().await;
    let m = result?;
    report.budget(
        GROUP,
        &format!(
            "load all {} rows into the page (click → complete, median of {})",
            m.rows,
            load_runs(quick)
        ),
        m.load_ms,
        "ms",
        "≤ 150 ms",
        m.load_ms <= LOAD_BUDGET_MS,
    );
    report.budget(
        GROUP,
        &format!("first rows after re-sorting {} (median)", m.rows),
        m.first_rows_ms,
        "ms",
        "≤ 100 ms",
        m.first_rows_ms <= FIRST_ROWS_BUDGET_MS,
    );
    report.add(
        GROUP,
        &format!("frames scrolling {} rows", m.scrolled),
        m.frames as f64,
        "frames",
    );
    report.add(GROUP, "median frame while scrolling", m.frame_p50, "ms");
    report.budget(
        GROUP,
        "longest frame while scrolling",
        m.frame_max,
        "ms",
        "≤ 50 ms",
        m.frame_max <= FRAME_BUDGET_MS,
    );
    report.add(GROUP, "most rows in the DOM", m.max_dom_rows as f64, "rows");
    Ok(())
}

struct Measured {
    rows: usize,
    load_ms: f64,
    first_rows_ms: f64,
    scrolled: u32,
    frames: usize,
    frame_p50: f64,
    frame_max: f64,
    max_dom_rows: u64,
}

/// Flips the sort and returns the milliseconds, by the page's clock, until the first row is a
/// different record (the other end of the order).
async fn resort_ms(client: &browser_harness::Client) -> anyhow::Result<f64> {
    let ms = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const first = () => {
               const r = document.querySelector('[data-testid=log-row][aria-rowindex=\"2\"]');
               return r ? r.dataset.eventId : null;
             };
             const before = first();
             const t0 = performance.now();
             document.querySelector('[data-testid=logs-sort]').click();
             const poll = () => {
               const now = first();
               if (now !== null && now !== before) { done(performance.now() - t0); }
               else if (performance.now() - t0 > 20000) { done(-1); }
               else { requestAnimationFrame(poll); }
             };
             poll();",
            vec![],
        )
        .await?;
    let ms = ms.as_f64().unwrap_or(-1.0);
    ensure!(ms >= 0.0, "the first row did not change after re-sorting");
    Ok(ms)
}

/// Rows of the archive run (the million) and in quick mode; the devices they are on.
const ARCHIVE_ROWS: u32 = 1_000_000;
const QUICK_ARCHIVE_ROWS: u32 = 20_000;
const ARCHIVE_DEVICES: u32 = 20;
/// Upper bound for the relay's sync to store them.
const SYNC_LIMIT: Duration = Duration::from_secs(900);

/// A million T&A events in the relay's archive (SQLite, filled by the relay's own sync from 20
/// emulated devices), loaded into the Logs page from the archive ("Load all"): the time, the
/// page's memory (its renderer's resident set), and whether the table stays usable — a re-sort
/// to the first rows, and a scroll.
pub async fn run_archive(dist: &Path, quick: bool, report: &mut Report) -> anyhow::Result<()> {
    crate::demo::require_browser(dist)?;
    let rows = if quick {
        QUICK_ARCHIVE_ROWS
    } else {
        ARCHIVE_ROWS
    };
    // Not every emulated device keeps T&A logs: spread the rows over those that do.
    let sim = |logs_per_device| SimConfig {
        devices: ARCHIVE_DEVICES,
        logs_per_device,
        seed: 1,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    // How many T&A logs a device count and size give (some devices keep none, and not every
    // generated event is a T&A log), from a small emulator with the same seed.
    const PROBE: u32 = 1_000;
    let probe = gateway_sim::Gateway::new(sim(PROBE));
    let probe_logs: usize = probe
        .device_ids()
        .into_iter()
        .filter(|&d| probe.tna_supported(d) == Some(true))
        .filter_map(|d| probe.log_count(d))
        .sum();
    ensure!(
        probe_logs > 0,
        "no T&A logs among {ARCHIVE_DEVICES} devices"
    );
    let per_device =
        u32::try_from((u64::from(rows) * u64::from(PROBE)).div_ceil(probe_logs as u64))?;
    let (_archive_dir, relay) = crate::demo::relay_with_archive(dist, sim(per_device)).await?;
    let result = async {
        let gw = relay.demo_gateway().context("demo gateway")?;
        let expected: usize = gw
            .device_ids()
            .into_iter()
            .filter(|&d| gw.tna_supported(d) == Some(true))
            .filter_map(|d| gw.log_count(d))
            .sum();
        let archive = relay.archive().context("an archive")?.archive().clone();
        let started = Instant::now();
        let stored = loop {
            let n = archive
                .count_tna(&tna_types::archive::LogQuery::default())
                .await? as usize;
            if n >= expected {
                break n;
            }
            ensure!(
                started.elapsed() < SYNC_LIMIT,
                "the archive holds {n} of {expected} events after {SYNC_LIMIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        println!(
            "bench: archive: {stored} events stored by the relay's sync in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let browser = Browser::start(1280, 900).await?;
        let measured = async {
            let client = browser.client();
            client.goto(&format!("{}logs", relay.url())).await?;
            // Every device, the archive as the source, then "Load all".
            poll_page(
                client,
                "const all = document.querySelector('[data-testid=logs-device-all]');
                 const src = document.querySelector('[data-testid=logs-source]');
                 if (!all || !src) { return false; }
                 if (!document.querySelector('[data-testid=logs-device]:checked')) {
                   all.click();
                   return false;
                 }
                 if (src.value !== 'archive') {
                   src.value = 'archive';
                   src.dispatchEvent(new Event('change', {bubbles: true}));
                   return false;
                 }
                 const go = document.querySelector('[data-testid=logs-load-all]');
                 return !!document.querySelector(
                   '[data-testid=logs-source-info][data-source=archive]')
                   && !!go && !go.disabled;",
                vec![],
                "the Logs page did not offer the archive",
            )
            .await?;
            let rss_before = browser.renderer_rss_bytes();
            let load_ms = click_load_all_and_wait(client, stored, LOAD_LIMIT * 3).await?;
            let rss = browser.renderer_rss_bytes();
            let resort = resort_ms(client).await?;
            anyhow::Ok((load_ms, rss_before.zip(rss), resort))
        }
        .await;
        browser.close().await;
        let (load_ms, rss, resort) = measured?;
        anyhow::Ok((stored, load_ms, rss, resort))
    }
    .await;
    relay.shutdown().await;
    let (stored, load_ms, rss, resort) = result?;
    report.add(
        GROUP,
        &format!("archive: load all {stored} rows into the page (click → complete)"),
        load_ms / 1000.0,
        "s",
    );
    if let Some((before, after)) = rss {
        report.add(
            GROUP,
            "archive: the page's memory before loading (renderer RSS)",
            before as f64 / 1e6,
            "MB",
        );
        report.add(
            GROUP,
            &format!("archive: the page's memory with {stored} rows (renderer RSS)"),
            after as f64 / 1e6,
            "MB",
        );
    }
    report.add(
        GROUP,
        &format!("archive: first rows after re-sorting {stored}"),
        resort,
        "ms",
    );
    Ok(())
}

/// Opens the Logs page, picks `device` and clicks "Load all": the milliseconds, by the page's
/// clock, from the click to the page saying every stored row is loaded.
async fn load_all(
    client: &browser_harness::Client,
    url: &str,
    device: u32,
    stored: usize,
) -> anyhow::Result<f64> {
    client.goto(&format!("{url}logs")).await?;
    let checkbox = format!("[data-testid=logs-device][data-device-id='{device}']");
    // The checkbox first; "Load all" is enabled once the page has seen the choice.
    poll_page(
        client,
        "const el = document.querySelector(arguments[0]);
         if (!el) { return false; }
         if (!el.checked) { el.click(); }
         const all = document.querySelector('[data-testid=logs-load-all]');
         return !!all && !all.disabled;",
        vec![serde_json::json!(checkbox)],
        &format!("device {device} not listed"),
    )
    .await?;
    click_load_all_and_wait(client, stored, LOAD_LIMIT).await
}

/// Runs `script` in the page every 100 ms until it returns `true`; fails with `what` after
/// [`PAGE_READY_LIMIT`].
async fn poll_page(
    client: &browser_harness::Client,
    script: &str,
    args: Vec<serde_json::Value>,
    what: &str,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        if client.execute(script, args.clone()).await? == serde_json::Value::Bool(true) {
            return Ok(());
        }
        ensure!(started.elapsed() < PAGE_READY_LIMIT, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How long a page may take to offer what a run clicks.
const PAGE_READY_LIMIT: Duration = Duration::from_secs(30);

/// Clicks "Load all" and waits (up to `limit`) for the page to say it is complete with
/// `stored` rows: the milliseconds from the click, by the page's clock — the end is taken when
/// the page shows it is complete (a DOM change), not when the next poll happens to look.
async fn click_load_all_and_wait(
    client: &browser_harness::Client,
    stored: usize,
    limit: Duration,
) -> anyhow::Result<f64> {
    client
        .execute(
            "window.__loadEnd = null;
             const seen = new MutationObserver(() => {
               if (window.__loadEnd === null
                   && document.querySelector('[data-testid=logs-complete]')) {
                 window.__loadEnd = performance.now();
                 seen.disconnect();
               }
             });
             seen.observe(document.body, {childList: true, subtree: true, attributes: true});
             window.__loadStart = performance.now();
             document.querySelector('[data-testid=logs-load-all]').click();",
            vec![],
        )
        .await?;
    let started = Instant::now();
    loop {
        let v = client
            .execute(
                "const c = document.querySelector('[data-testid=logs-count]');
                 if (window.__loadEnd === null || !c) { return null; }
                 return [Number(c.dataset.loaded), window.__loadEnd - window.__loadStart];",
                vec![],
            )
            .await?;
        if let Some(a) = v.as_array() {
            let loaded = a.first().and_then(|x| x.as_u64()).unwrap_or(0) as usize;
            ensure!(
                loaded == stored,
                "the page loaded {loaded} rows, the source holds {stored}"
            );
            return Ok(a.get(1).and_then(|x| x.as_f64()).unwrap_or(0.0));
        }
        ensure!(
            started.elapsed() < limit,
            "rows not loaded within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn measure(
    browser: &Browser,
    url: &str,
    device: u32,
    stored: usize,
    quick: bool,
) -> anyhow::Result<Measured> {
    let client = browser.client();
    // Loads in a freshly opened page each (the median is the figure; the machine is shared).
    let mut loads = Vec::new();
    for _ in 0..load_runs(quick) {
        loads.push(load_all(client, url, device, stored).await?);
    }
    let load_ms = median(&mut loads);

    // Re-sort: click, then poll every animation frame until the first row is a different
    // record (the other end of the order).
    let mut flips = Vec::with_capacity(FLIPS);
    for _ in 0..if quick { 2 } else { FLIPS } {
        flips.push(resort_ms(client).await?);
    }

    // Scroll: a fixed step per animation frame; frame time = time between frames.
    let scrolled = if quick {
        QUICK_SCROLL_ROWS
    } else {
        SCROLL_ROWS
    };
    let v = client
        .execute_async(
            "const [step, target] = [arguments[0], arguments[1]];
             const done = arguments[arguments.length - 1];
             const el = document.querySelector('[data-testid=logs-scroll]');
             el.scrollTop = 0;
             const frames = [];
             let maxRows = 0;
             let last = null;
             const tick = (t) => {
               if (last !== null) { frames.push(t - last); }
               last = t;
               maxRows = Math.max(maxRows, el.querySelectorAll('[data-testid=log-row]').length);
               if (el.scrollTop + step <= target) {
                 el.scrollTop += step;
                 requestAnimationFrame(tick);
               } else {
                 const row = el.querySelector('[data-testid=log-row]');
                 done({frames, maxRows, top: el.scrollTop,
                       firstIndex: row ? Number(row.getAttribute('aria-rowindex')) : -1});
               }
             };
             requestAnimationFrame(tick);",
            vec![
                serde_json::json!(ROWS_PER_FRAME * ROW_PX),
                serde_json::json!(scrolled * ROW_PX),
            ],
        )
        .await?;
    let mut frames: Vec<f64> =
        serde_json::from_value(v["frames"].clone()).context("frame times from the page")?;
    let max_dom_rows = v["maxRows"].as_u64().unwrap_or(0);
    // The rows in the DOM are those at the scrolled-to position, not the first ones.
    let first_index = v["firstIndex"].as_i64().unwrap_or(-1);
    let expected_index = i64::from(scrolled) - 20;
    ensure!(
        first_index >= expected_index.min(i64::from(scrolled) / 2),
        "after scrolling {scrolled} rows the first row in the DOM is row {first_index}"
    );
    ensure!(!frames.is_empty(), "no frames measured");
    let frame_max = frames.iter().copied().fold(0.0, f64::max);
    Ok(Measured {
        rows: stored,
        load_ms,
        first_rows_ms: median(&mut flips),
        scrolled,
        frames: frames.len(),
        frame_p50: median(&mut frames),
        frame_max,
        max_dom_rows,
    })
}
