//! End to end in headless Chromium over WebDriver: the relay in demo mode (gateway-sim in
//! process) serves the built console from `dist/`; the device list shows every simulated device;
//! clicking a T&A-capable device shows its T&A config with 16 keys and their labels.
//!
//! Needs `dist/` (`trunk build --release`) and `/usr/bin/chromedriver` (`cargo xtask setup`).
//! Without them the test is skipped with a message, unless `TNA_E2E_REQUIRED` or `CI` is set:
//! then it fails. `cargo xtask test` runs it after the Trunk build with `TNA_E2E_REQUIRED=1`.
//!
//! Screenshots: `target/screenshots/devices.png`, `target/screenshots/device-detail.png` (and
//! `failure.png` when a step fails). With `TNA_UPDATE_SCREENSHOT=1` the device list is also copied
//! to `docs/screenshot.png` (the README's picture), so ordinary runs leave the tree clean.
#![cfg(not(target_arch = "wasm32"))]

mod e2e {
    pub mod bulk;
    pub mod config;
    pub mod drift;
    pub mod job_codes;
}

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};

/// Simulated devices: enough for a mix of capabilities, small enough to start fast.
const DEVICES: u32 = 24;
/// Simulated devices for the bulk test (it needs 20 with T&A).
const BULK_DEVICES: u32 = 40;
/// History per device (the test only reads configs).
const LOGS_PER_DEVICE: u32 = 20;
/// Upper bound for any single wait on the page.
const PAGE_WAIT: Duration = Duration::from_secs(20);
/// Upper bound for the whole browser session.
const SESSION_LIMIT: Duration = Duration::from_secs(90);
const CHROMIUM: &str = "/usr/bin/chromium";
const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One browser session at a time: the tests of this binary run on parallel threads, and two
/// Chromium instances on a small CI machine make every wait flaky.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The relay in demo mode with `devices` simulated devices (no live punches), serving `dist/`.
async fn demo_relay(devices: u32) -> Result<RunningRelay> {
    // The simulated gateway's config, reached through the relay's type (no extra dependency).
    let mut gateway = GatewayTarget::Demo(Default::default());
    if let GatewayTarget::Demo(sim) = &mut gateway {
        sim.devices = devices;
        sim.logs_per_device = LOGS_PER_DEVICE;
        sim.punch_interval = None;
    }
    tokio::time::timeout(
        Duration::from_secs(30),
        tna_relay::start(RelayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            dist: Some(repo().join("dist")),
            gateway,
        }),
    )
    .await
    .context("the relay did not start within 30 s")?
    .context("the relay failed to start")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_list_and_detail_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let relay = demo_relay(DEVICES).await?;
    let result = with_browser(&chromedriver, |client| browse(client, &relay)).await;
    shutdown(relay).await;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_editor_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let relay = demo_relay(DEVICES).await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::config::editor_flow(&client, r).await
    })
    .await;
    shutdown(relay).await;
    result
}

/// The test body: list → detail, with screenshots.
async fn browse(client: Client, relay: &RunningRelay) -> Result<()> {
    let url = relay.url();
    client
        .goto(&url)
        .await
        .with_context(|| format!("open {url}"))?;

    let rows = wait_for_count(&client, "[data-testid=device-row]", DEVICES as usize).await?;
    ensure!(
        rows == DEVICES as usize,
        "the device table shows {rows} rows, the gateway simulates {DEVICES}"
    );
    client
        .find(Locator::Css("[data-testid=device-table]"))
        .await
        .context("the device table is missing")?;
    let list_png = save_screenshot(&client, "devices.png").await?;
    if std::env::var_os("TNA_UPDATE_SCREENSHOT").is_some() {
        let docs = repo().join("docs");
        std::fs::create_dir_all(&docs)?;
        std::fs::copy(&list_png, docs.join("screenshot.png")).context("copy to docs/")?;
    }

    // The first device whose T&A column says yes.
    let mut target = None;
    for row in client
        .find_all(Locator::Css("[data-testid=device-row]"))
        .await?
    {
        let cell = row.find(Locator::Css("[data-testid=device-tna]")).await?;
        let supported = match cell.attr("data-value").await? {
            Some(v) => v == "true",
            None => cell.text().await?.trim().eq_ignore_ascii_case("yes"),
        };
        if supported {
            target = Some(row);
            break;
        }
    }
    let row = target.context("no device row says it supports T&A")?;
    let device_id = row
        .attr("data-device-id")
        .await?
        .context("a device row has no data-device-id")?;
    match row.find(Locator::Css("[data-testid=device-link]")).await {
        Ok(link) => link.click().await?,
        Err(_) => row.click().await?,
    }

    wait_for_count(&client, "[data-testid=tna-config]", 1)
        .await
        .with_context(|| format!("device {device_id}: the T&A config did not appear"))?;
    let current = client.current_url().await?;
    ensure!(
        current.path() == format!("/devices/{device_id}"),
        "clicking device {device_id} led to {current}"
    );
    client
        .find(Locator::Css("[data-testid=tna-mode]"))
        .await
        .context("the T&A mode is missing")?;
    let keys = wait_for_count(&client, "[data-testid=key-row]", 16).await?;
    ensure!(
        keys == 16,
        "device {device_id} shows {keys} key rows, not 16"
    );

    let mut labelled = 0;
    for cell in client
        .find_all(Locator::Css("[data-testid=key-label]"))
        .await?
    {
        let text = cell.text().await?;
        let empty_flag = cell.attr("data-empty").await?.is_some_and(|v| v == "true");
        if !text.trim().is_empty() && !empty_flag {
            labelled += 1;
        }
    }
    ensure!(
        labelled > 0,
        "device {device_id}: no T&A key has a label (the seeded configs have some)"
    );
    save_screenshot(&client, "device-detail.png").await?;
    Ok(())
}

/// `Some(chromedriver)` when the test can run; `None` (after a message) when it should skip.
fn prerequisites() -> Result<Option<PathBuf>> {
    let required = ["TNA_E2E_REQUIRED", "CI"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|s| !s.is_empty() && s != "0" && s != "false"));
    let chromedriver = std::env::var_os("CHROMEDRIVER")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMEDRIVER));
    let index = repo().join("dist/index.html");
    let mut missing = Vec::new();
    if !index.is_file() {
        missing.push(format!(
            "{} (run `trunk build --release --offline --locked`)",
            index.display()
        ));
    }
    if !chromedriver.is_file() {
        missing.push(format!(
            "{} (run `cargo xtask setup`)",
            chromedriver.display()
        ));
    }
    if !Path::new(CHROMIUM).is_file() {
        missing.push(format!("{CHROMIUM} (run `cargo xtask setup`)"));
    }
    if missing.is_empty() {
        return Ok(Some(chromedriver));
    }
    let what = missing.join("; ");
    if required {
        bail!("end-to-end test cannot run, missing: {what}");
    }
    eprintln!(
        "SKIPPED end-to-end test: missing {what}. Set TNA_E2E_REQUIRED=1 to make this a failure \
         (cargo xtask test does)."
    );
    Ok(None)
}

/// Starts chromedriver and a headless Chromium session, runs `body`, then always closes the
/// browser, stops chromedriver and removes the profile directory. A failure in `body` also
/// saves `target/screenshots/failure.png`.
async fn with_browser<F, Fut>(chromedriver: &Path, body: F) -> Result<()>
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    let profile = std::env::temp_dir().join(format!(
        "tna-e2e-profile-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&profile)?;
    let result = async {
        let driver = Driver::spawn(chromedriver)?;
        driver.wait_ready(Duration::from_secs(15)).await?;
        let client = tokio::time::timeout(
            Duration::from_secs(30),
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities(&profile))
                .connect(&driver.url()),
        )
        .await
        .context("no WebDriver session within 30 s")?
        .context("chromedriver did not start a Chromium session")?;

        let outcome = match tokio::time::timeout(SESSION_LIMIT, body(client.clone())).await {
            Ok(r) => r,
            Err(_) => Err(anyhow::anyhow!(
                "the browser session took longer than {SESSION_LIMIT:?}"
            )),
        };
        if outcome.is_err() {
            let _ = tokio::time::timeout(
                Duration::from_secs(10),
                save_screenshot(&client, "failure.png"),
            )
            .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        drop(driver);
        outcome
    }
    .await;
    let _ = std::fs::remove_dir_all(&profile);
    result
}

fn capabilities(profile: &Path) -> fantoccini::wd::Capabilities {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
    });
    match caps {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

/// A chromedriver process, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn spawn(program: &Path) -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("start {}", program.display()))?;
        Ok(Self { child, port })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Waits until chromedriver accepts connections.
    async fn wait_ready(&self, limit: Duration) -> Result<()> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let started = Instant::now();
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            ensure!(
                started.elapsed() < limit,
                "chromedriver did not listen on {addr} within {limit:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls until at least `want` elements match `css`, for at most [`PAGE_WAIT`]; returns how many
/// match then.
async fn wait_for_count(client: &Client, css: &str, want: usize) -> Result<usize> {
    let started = Instant::now();
    loop {
        let n = client.find_all(Locator::Css(css)).await?.len();
        if n >= want {
            return Ok(n);
        }
        if started.elapsed() > PAGE_WAIT {
            bail!("waited {PAGE_WAIT:?} for {want} × `{css}`, found {n}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_apply_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let relay = demo_relay(BULK_DEVICES).await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::bulk::bulk_flow(&client, r, BULK_DEVICES as usize).await
    })
    .await;
    shutdown(relay).await;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_report_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let relay = demo_relay(DEVICES).await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::drift::drift_flow(&client, r).await
    })
    .await;
    shutdown(relay).await;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_codes_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let relay = demo_relay(DEVICES).await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::job_codes::job_codes_flow(&client, r).await
    })
    .await;
    shutdown(relay).await;
    result
}

/// Polls until nothing matches `css`, for at most [`PAGE_WAIT`].
async fn wait_gone(client: &Client, css: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        if client.find_all(Locator::Css(css)).await?.is_empty() {
            return Ok(());
        }
        if started.elapsed() > PAGE_WAIT {
            bail!("waited {PAGE_WAIT:?} for `{css}` to disappear");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sets a text input's value and fires `input`, as typing does (WebDriver's clear + send_keys
/// does not reliably fire `input` for the cleared text).
async fn set_input(client: &Client, css: &str, value: &str) -> Result<()> {
    set_and_fire(client, css, value, "input").await
}

/// Clicks an element through the DOM (a sticky header can cover an element WebDriver scrolled
/// to the top of the window).
async fn js_click(client: &Client, css: &str) -> Result<()> {
    let done = client
        .execute(
            "const el = document.querySelector(arguments[0]); if (!el) { return false; } el.click(); return true;",
            vec![serde_json::Value::from(css)],
        )
        .await
        .with_context(|| format!("click {css}"))?;
    ensure!(
        done == serde_json::Value::Bool(true),
        "nothing matches `{css}`"
    );
    Ok(())
}

/// Picks a `<select>` option by value and fires `change`.
async fn set_select(client: &Client, css: &str, value: &str) -> Result<()> {
    set_and_fire(client, css, value, "change").await
}

async fn set_and_fire(client: &Client, css: &str, value: &str, event: &str) -> Result<()> {
    let script = "const el = document.querySelector(arguments[0]);
        if (!el) { return false; }
        el.value = arguments[1];
        el.dispatchEvent(new Event(arguments[2], { bubbles: true }));
        return el.value === arguments[1];";
    let done = client
        .execute(
            script,
            vec![
                serde_json::Value::from(css),
                serde_json::Value::from(value),
                serde_json::Value::from(event),
            ],
        )
        .await
        .with_context(|| format!("set {css}"))?;
    ensure!(
        done == serde_json::Value::Bool(true),
        "could not set `{css}` to {value:?}"
    );
    Ok(())
}

/// Saves a PNG under `target/screenshots/` and returns its path.
async fn save_screenshot(client: &Client, name: &str) -> Result<PathBuf> {
    let png = client.screenshot().await.context("take a screenshot")?;
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, png).with_context(|| format!("write {}", path.display()))?;
    eprintln!("screenshot: {}", path.display());
    Ok(path)
}

async fn shutdown(relay: RunningRelay) {
    if tokio::time::timeout(Duration::from_secs(10), relay.shutdown())
        .await
        .is_err()
    {
        eprintln!("warning: the relay did not shut down within 10 s");
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The cargo target directory: the parent of this test's `CARGO_TARGET_TMPDIR` (`target/tmp`).
fn target_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map_or_else(|| repo().join("target"), Path::to_path_buf)
}
