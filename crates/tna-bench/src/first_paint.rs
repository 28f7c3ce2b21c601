//! Benchmark 2 — First paint: a cold headless Chromium (fresh profile each run) loads the console from the
//! relay in demo mode with 100 devices; the figure is the console's own `devices-rendered`
//! performance mark, i.e. milliseconds from navigation start to the device table rendered.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use browser_harness::{Browser, missing_prerequisites};
use gateway_sim::SimConfig;
use tna_relay::{GatewayTarget, RelayConfig};

use crate::report::{Report, median};

const GROUP: &str = "2. first paint";
const DEVICES: u32 = 100;
/// How long one page may take to render the table before the run fails.
const RENDER_LIMIT: Duration = Duration::from_secs(30);
/// Budget: median time to the rendered device table.
const BUDGET_MS: f64 = 500.0;

pub async fn run(dist: &Path, quick: bool, report: &mut Report) -> anyhow::Result<()> {
    let missing = missing_prerequisites(dist);
    if !missing.is_empty() {
        bail!(
            "cannot run the browser benchmark, missing: {}",
            missing.join("; ")
        );
    }
    let sim = SimConfig {
        devices: DEVICES,
        logs_per_device: 100,
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
    let runs = if quick { 2 } else { 10 };
    let mut samples = Vec::with_capacity(runs);
    let mut outcome = Ok(());
    for _ in 0..runs {
        match one_load(&relay.url()).await {
            Ok(ms) => samples.push(ms),
            Err(e) => {
                outcome = Err(e);
                break;
            }
        }
    }
    relay.shutdown().await;
    outcome?;
    let m = median(&mut samples);
    report.budget(
        GROUP,
        &format!("median of {runs} cold loads, {DEVICES} devices"),
        m,
        "ms",
        "≤ 500 ms",
        m <= BUDGET_MS,
    );
    let max = samples.iter().copied().fold(0.0, f64::max);
    report.add(GROUP, "slowest load", max, "ms");
    Ok(())
}

async fn one_load(url: &str) -> anyhow::Result<f64> {
    let browser = Browser::start(1280, 800).await?;
    let result = async {
        let client = browser.client();
        client.goto(url).await.context("load the console")?;
        let started = Instant::now();
        loop {
            let v = client
                .execute(
                    "const m = performance.getEntriesByName('devices-rendered'); \
                     return [m.length ? m[0].startTime : -1, \
                             document.querySelectorAll('[data-testid=device-row]').length];",
                    vec![],
                )
                .await
                .context("read the performance mark")?;
            let mark = v.get(0).and_then(|x| x.as_f64()).unwrap_or(-1.0);
            let rows = v.get(1).and_then(|x| x.as_u64()).unwrap_or(0);
            if mark >= 0.0 {
                if rows != u64::from(DEVICES) {
                    bail!("the table shows {rows} rows, expected {DEVICES}");
                }
                return Ok(mark);
            }
            if started.elapsed() > RENDER_LIMIT {
                bail!("no device table within {RENDER_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    .await;
    browser.close().await;
    result
}
