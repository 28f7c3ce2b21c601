//! Benchmark 2 — First paint: a cold headless Chromium (fresh profile each run, so a fresh cache)
//! loads the console from the relay in demo mode with 100 devices; the figure is the console's
//! own `devices-rendered` performance mark, i.e. milliseconds from navigation start to the
//! device table rendered. Then the same on a low-end tablet — the CPU slowed 4× by Chromium's
//! DevTools throttling — for the device list and for the kiosk (`/kiosk/`, its own bundle; the
//! `kiosk-ready` mark, set in the frame after today's board first shows).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use browser_harness::Browser;
use gateway_sim::SimConfig;

use crate::report::{Report, median};

const GROUP: &str = "2. first paint";
const DEVICES: u32 = 100;
/// How long one page may take to render the table before the run fails.
const RENDER_LIMIT: Duration = Duration::from_secs(30);
/// Budget: median time to the rendered device table.
const BUDGET_MS: f64 = 500.0;
/// How much slower the CPU is in the tablet runs (Chrome's "low-end mobile" preset).
const CPU_SLOWDOWN: f64 = 4.0;
/// Budget: the kiosk's board on that tablet.
const KIOSK_BUDGET_MS: f64 = 1_000.0;

pub async fn run(dist: &Path, quick: bool, report: &mut Report) -> anyhow::Result<()> {
    crate::demo::require_browser(dist)?;
    let sim = SimConfig {
        devices: DEVICES,
        logs_per_device: 100,
        seed: 1,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    // With an archive, as a real kiosk has: it reads today's punches from it first.
    let (_archive_dir, relay) = crate::demo::relay_with_archive(dist, sim).await?;
    let runs = if quick { 2 } else { 10 };
    let throttled_runs = if quick { 1 } else { 5 };
    let console = Page::Console;
    let kiosk = Page::Kiosk;
    let measured = async {
        let plain = loads(&relay.url(), console, None, runs).await?;
        let console_slow = loads(&relay.url(), console, Some(CPU_SLOWDOWN), throttled_runs).await?;
        let kiosk_slow = loads(&relay.url(), kiosk, Some(CPU_SLOWDOWN), throttled_runs).await?;
        anyhow::Ok((plain, console_slow, kiosk_slow))
    }
    .await;
    relay.shutdown().await;
    let (mut plain, mut console_slow, mut kiosk_slow) = measured?;
    let m = median(&mut plain);
    report.budget(
        GROUP,
        &format!("median of {runs} cold loads, {DEVICES} devices"),
        m,
        "ms",
        "≤ 500 ms",
        m <= BUDGET_MS,
    );
    let max = plain.iter().copied().fold(0.0, f64::max);
    report.add(GROUP, "slowest load", max, "ms");
    report.add(
        GROUP,
        &format!("device list, CPU {CPU_SLOWDOWN}× slower (median of {throttled_runs})"),
        median(&mut console_slow),
        "ms",
    );
    let k = median(&mut kiosk_slow);
    report.budget(
        GROUP,
        &format!("kiosk board, CPU {CPU_SLOWDOWN}× slower (median of {throttled_runs})"),
        k,
        "ms",
        "≤ 1,000 ms",
        k <= KIOSK_BUDGET_MS,
    );
    Ok(())
}

/// What a load waits for.
#[derive(Debug, Clone, Copy)]
enum Page {
    /// The console's device table (`/`, mark `devices-rendered`, every device a row).
    Console,
    /// The kiosk's board (`/kiosk/`, mark `kiosk-ready`).
    Kiosk,
}

impl Page {
    fn path(self) -> &'static str {
        match self {
            Page::Console => "",
            Page::Kiosk => "kiosk/",
        }
    }

    fn mark(self) -> &'static str {
        match self {
            Page::Console => "devices-rendered",
            Page::Kiosk => "kiosk-ready",
        }
    }
}

/// `runs` cold loads of `page`, each in a fresh browser, optionally with the CPU slowed.
async fn loads(
    url: &str,
    page: Page,
    slowdown: Option<f64>,
    runs: usize,
) -> anyhow::Result<Vec<f64>> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        samples.push(one_load(url, page, slowdown).await?);
    }
    Ok(samples)
}

async fn one_load(url: &str, page: Page, slowdown: Option<f64>) -> anyhow::Result<f64> {
    let browser = Browser::start(1280, 800).await?;
    let result = async {
        if let Some(rate) = slowdown {
            browser
                .throttle_cpu(rate)
                .await
                .context("throttle the CPU")?;
        }
        let client = browser.client();
        client
            .goto(&format!("{url}{}", page.path()))
            .await
            .context("load the page")?;
        let started = Instant::now();
        loop {
            let v = client
                .execute(
                    "const m = performance.getEntriesByName(arguments[0]); \
                     return [m.length ? m[0].startTime : -1, \
                             document.querySelectorAll('[data-testid=device-row]').length];",
                    vec![serde_json::json!(page.mark())],
                )
                .await
                .context("read the performance mark")?;
            let mark = v.get(0).and_then(|x| x.as_f64()).unwrap_or(-1.0);
            let rows = v.get(1).and_then(|x| x.as_u64()).unwrap_or(0);
            if mark >= 0.0 {
                if matches!(page, Page::Console) && rows != u64::from(DEVICES) {
                    bail!("the table shows {rows} rows, expected {DEVICES}");
                }
                return Ok(mark);
            }
            if started.elapsed() > RENDER_LIMIT {
                bail!("no {page:?} within {RENDER_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    .await;
    browser.close().await;
    result
}
