//! End to end in headless Chromium over WebDriver: the relay in demo mode (gateway-sim in
//! process) serves the built console from `dist/`; the device list shows every simulated device;
//! clicking a T&A-capable device shows its T&A config with 16 keys and their labels.
//!
//! Needs `dist/` (`cargo xtask dist`) and `/usr/bin/chromedriver` (`cargo xtask setup`).
//! Without them the test is skipped with a message, unless `TNA_E2E_REQUIRED` or `CI` is set:
//! then it fails. `cargo xtask test` runs it after the Trunk build with `TNA_E2E_REQUIRED=1`.
//!
//! Screenshots: `target/screenshots/devices.png`, `target/screenshots/device-detail.png` (and
//! `failure.png` when a step fails). With `TNA_UPDATE_SCREENSHOT=1` the device list is also copied
//! to `docs/screenshot.png` (the README's picture), so ordinary runs leave the tree clean.
#![cfg(not(target_arch = "wasm32"))]

/// The T&A device IDs of a demo gateway, in list order (a macro: the test crate cannot name
/// the emulator's type).
macro_rules! tna_device_ids {
    ($sim:expr) => {
        $sim.device_ids()
            .into_iter()
            .filter(|&d| $sim.tna_supported(d) == Some(true))
            .collect::<Vec<u32>>()
    };
}

mod e2e {
    pub mod a11y;
    pub mod archive_pages;
    pub mod bulk;
    pub mod clocks;
    pub mod config;
    pub mod device_names;
    pub mod drift;
    pub mod editor_extras;
    pub mod job_codes;
    pub mod keyboard;
    pub mod kiosk_offline;
    pub mod kiosk_settings;
    pub mod korean;
    pub mod lazy_pages;
    pub mod live_picker;
    pub mod logs_more;
    pub mod people;
    pub mod shared_live;
    pub mod signin;
    pub mod sites;
    pub mod status_push;
    pub mod timecards;
    pub mod zones;
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

/// The relay in demo mode with `devices` simulated devices (no live punches), serving `dist/`,
/// open to everyone (no sign-in).
async fn demo_relay(devices: u32) -> Result<RunningRelay> {
    demo_relay_with(devices, None).await
}

/// [`demo_relay`] with accounts: pages need a signed-in user.
async fn demo_relay_with(
    devices: u32,
    auth: Option<tna_relay::auth::Auth>,
) -> Result<RunningRelay> {
    demo_relay_serving(devices, auth, repo().join("dist")).await
}

/// [`demo_relay_with`] serving the bundles in `dist`.
async fn demo_relay_serving(
    devices: u32,
    auth: Option<tna_relay::auth::Auth>,
    dist: PathBuf,
) -> Result<RunningRelay> {
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
            dist: Some(dist),
            sign_in_hint: auth
                .as_ref()
                .map(|_| "Test relay: accounts admin and viewer.".into()),
            auth,
            archive: Some(archive_url("demo")),
            ..RelayConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), gateway)
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

/// One browser test: skipped or failed per [`prerequisites`], one browser at a time, a fresh
/// relay (the demo relay, or the one `$start` makes), then `$flow(&client, &relay)` inside
/// [`with_browser`].
macro_rules! browser_test {
    ($name:ident, $flow:path) => {
        browser_test!($name, $flow, demo_relay(DEVICES));
    };
    ($name:ident, $flow:path, $start:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() -> Result<()> {
            let Some(chromedriver) = prerequisites()? else {
                return Ok(());
            };
            let _one = BROWSER.lock().await;
            let relay = $start.await?;
            let r = &relay;
            let result = with_browser(
                &chromedriver,
                |client| async move { $flow(&client, r).await },
            )
            .await;
            shutdown(relay).await;
            result
        }
    };
}

browser_test!(config_editor_in_chromium, e2e::config::editor_flow);

browser_test!(
    people_by_name_in_chromium,
    e2e::people::names_on_kiosk_logs_and_timecards,
    e2e::people::start()
);

browser_test!(
    device_names_in_chromium,
    e2e::device_names::an_operator_names_a_device
);

browser_test!(
    unsaved_edits_prompt_in_chromium,
    e2e::editor_extras::unsaved_edits_ask_before_leaving
);

browser_test!(
    config_export_in_chromium,
    e2e::editor_extras::export_writes_the_device_config
);

browser_test!(
    keypad_modes_disabled_in_chromium,
    e2e::editor_extras::modes_needing_a_keypad_are_disabled
);

browser_test!(
    editor_draft_as_bulk_source_in_chromium,
    e2e::editor_extras::editor_draft_is_a_bulk_source
);

browser_test!(
    bulk_cancel_in_chromium,
    e2e::editor_extras::bulk_cancel_stops_between_batches
);

browser_test!(
    failed_save_keeps_edits_in_chromium,
    e2e::editor_extras::failed_save_shows_the_error_and_keeps_edits
);

browser_test!(
    editor_controls_follow_the_mode_in_chromium,
    e2e::editor_extras::controls_follow_the_mode_and_schedules_are_picked_by_name
);

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
    // The release bundle is split (`src/routes.rs`, `xtask/src/split.rs`): the Devices page
    // needs only the main module; a page's own module comes when the page is first opened.
    let fetched = fetched_wasm(&client).await?;
    ensure!(
        fetched.len() == 1 && !fetched[0].contains("split_"),
        "the device list should need only the main module, fetched {fetched:?}"
    );
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
    let fetched = fetched_wasm(&client).await?;
    ensure!(
        fetched.iter().any(|f| f.contains("split_device_view")),
        "the device page's own module was not fetched: {fetched:?}"
    );
    ensure!(
        !fetched.iter().any(|f| f.contains("split_logs_view")),
        "the Logs page's module was fetched without opening Logs: {fetched:?}"
    );
    Ok(())
}

/// Waits until `check` says yes, asking every 200 ms; an error after [`PAGE_WAIT`] says `what`
/// was awaited.
async fn poll<F, Fut>(what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let started = Instant::now();
    while !check().await? {
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "waited {PAGE_WAIT:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

/// The paths of the WASM files the page has fetched so far (Resource Timing).
async fn fetched_wasm(client: &Client) -> Result<Vec<String>> {
    let names = client
        .execute(
            "return performance.getEntriesByType('resource')\
               .map(e => new URL(e.name).pathname).filter(p => p.endsWith('.wasm'));",
            vec![],
        )
        .await
        .context("read the resource timing entries")?;
    let names: Vec<String> = serde_json::from_value(names).context("resource names")?;
    Ok(names)
}

/// History per device for the logs test: three pages of 5,000 for "load all".
const LOGS_TEST_PER_DEVICE: u32 = 12_000;
/// Upper bound for reading every page of one device.
const LOAD_WAIT: Duration = Duration::from_secs(60);

/// The Logs page: load all of one device (count = the emulator's), key labels and event names in
/// the rows, only visible rows in the DOM, and the CSV of a one-day filter = the emulator's logs of
/// that device-local day (compared parsed, row by row, in the shown order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_page_load_all_filter_and_csv_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let mut gateway = GatewayTarget::Demo(Default::default());
    if let GatewayTarget::Demo(sim) = &mut gateway {
        sim.devices = 6;
        sim.logs_per_device = LOGS_TEST_PER_DEVICE;
        sim.punch_interval = None;
    }
    let relay = tokio::time::timeout(
        Duration::from_secs(30),
        tna_relay::start(RelayConfig {
            dist: Some(repo().join("dist")),
            ..RelayConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), gateway)
        }),
    )
    .await
    .context("the relay did not start within 30 s")??;
    let result = with_browser(&chromedriver, |client| logs_page(client, &relay)).await;
    shutdown(relay).await;
    result
}

async fn logs_page(client: Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    client.goto(&format!("{}logs", relay.url())).await?;
    wait_for_count(&client, "[data-testid=logs-device]", 1).await?;
    let first = client
        .find(Locator::Css("[data-testid=logs-device]"))
        .await?;
    let id: u32 = first
        .attr("data-device-id")
        .await?
        .context("a device checkbox has no data-device-id")?
        .parse()?;
    first.click().await?;
    client
        .find(Locator::Css("[data-testid=logs-load-all]"))
        .await?
        .click()
        .await?;
    wait_for_within(&client, "[data-testid=logs-complete]", LOAD_WAIT).await?;

    // "Load all" read exactly what the device stores.
    let stored = sim.log_count(id).context("a T&A device")?;
    let count = client
        .find(Locator::Css("[data-testid=logs-count]"))
        .await?;
    let loaded: usize = count
        .attr("data-loaded")
        .await?
        .unwrap_or_default()
        .parse()?;
    ensure!(
        loaded == stored,
        "load all of device {id} shows {loaded} records, the emulator stores {stored}"
    );

    // Virtualised: a few dozen rows in the DOM, not thousands.
    let in_dom = client
        .find_all(Locator::Css("[data-testid=log-row]"))
        .await?
        .len();
    ensure!(
        (1..=60).contains(&in_dom),
        "{in_dom} rows in the DOM for {loaded} loaded records"
    );

    // Key labels from the device's config (labels[key-1], KEY_n when empty) and event names.
    let config = sim.tna_config(id).context("T&A config")?;
    let started = Instant::now();
    loop {
        let mut checked = 0;
        let mut wrong = Vec::new();
        for row in client
            .find_all(Locator::Css("[data-testid=log-row]"))
            .await?
        {
            let event = row
                .find(Locator::Css("[data-testid=log-event]"))
                .await?
                .text()
                .await?;
            ensure!(
                event.contains("authentication"),
                "event column shows {event:?}, not an event name"
            );
            let key_cell = row.find(Locator::Css("[data-testid=log-key]")).await?;
            if let Some(k) = key_cell.attr("data-key").await? {
                let k: usize = k.parse()?;
                let label = config.labels.get(k - 1).cloned().unwrap_or_default();
                let want = if label.is_empty() {
                    format!("KEY_{k}")
                } else {
                    label
                };
                let shown = key_cell.text().await?;
                if shown.trim() != want.trim() {
                    wrong.push(format!("KEY_{k}: {shown:?} ≠ {want:?}"));
                }
                checked += 1;
            }
        }
        if wrong.is_empty() && checked > 0 {
            break;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "key labels wrong or absent ({checked} keyed rows): {wrong:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    client
        .execute(
            "document.querySelector('[data-testid=logs-table]').scrollIntoView({block: 'end'});",
            vec![],
        )
        .await?;
    save_screenshot(&client, "logs.png").await?;
    client.execute("window.scrollTo(0, 0);", vec![]).await?;

    // One day in the zone the page's day filter uses: the site's zone by default; this demo
    // site has none set, so UTC (not the device's own offset: the emulated night shifts punch
    // in the hours where the two days differ).
    let tz = 0;
    let all = sim.tna_logs(id, 0, u32::MAX).context("logs")?;
    let local_day = |ts: u32| tna_types::time::local_day(i64::from(ts), tz);
    let day = local_day(all[all.len() / 2].timestamp);
    let date = tna_types::time::format_date(day);
    let mut expected: Vec<_> = all
        .iter()
        .filter(|l| local_day(l.timestamp) == day)
        .collect();
    ensure!(!expected.is_empty(), "the chosen day has logs");
    // The page shows newest first: by time, then device, then ID, descending.
    expected.sort_by_key(|l| std::cmp::Reverse((l.timestamp, l.device_id, l.id)));
    for field in ["logs-from", "logs-to"] {
        client
            .execute(
                "const el = document.querySelector(`[data-testid=${arguments[0]}]`);
                 el.value = arguments[1];
                 el.dispatchEvent(new Event('input', {bubbles: true}));",
                vec![serde_json::json!(field), serde_json::json!(date)],
            )
            .await?;
    }
    let started = Instant::now();
    loop {
        let shown: usize = count
            .attr("data-shown")
            .await?
            .unwrap_or_default()
            .parse()?;
        if shown == expected.len() {
            break;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "the {date} filter shows {shown} rows, the emulator has {}",
            expected.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Export: catch the Blob the page hands to URL.createObjectURL and read its text.
    client
        .execute(
            "window.__csv = [];
             const orig = URL.createObjectURL.bind(URL);
             URL.createObjectURL = (b) => { window.__csv.push(b); return orig(b); };",
            vec![],
        )
        .await?;
    // Clicked from script: the sticky header may cover the button after scrolling.
    client
        .execute(
            "document.querySelector('[data-testid=logs-export]').click();",
            vec![],
        )
        .await?;
    let started = Instant::now();
    loop {
        let n = client
            .execute("return window.__csv.length;", vec![])
            .await?
            .as_u64()
            .unwrap_or(0);
        if n > 0 {
            break;
        }
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "no CSV download within {PAGE_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__csv[0].text().then(done, (e) => done('ERROR ' + e));",
            vec![],
        )
        .await?;
    let text = text.as_str().context("the CSV is text")?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows = parse_csv(text)?;
    let (header, body) = rows.split_first().context("the CSV has a header")?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("no {name} column in {header:?}"))
    };
    let (c_dev, c_id, c_user, c_code, c_sub, c_key, c_utc, c_label, c_event) = (
        col("device_id")?,
        col("event_id")?,
        col("user_id")?,
        col("event_code")?,
        col("sub_code")?,
        col("tna_key")?,
        col("utc_time")?,
        col("key_label")?,
        col("event")?,
    );
    ensure!(
        body.len() == expected.len(),
        "the CSV has {} rows, the emulator {} for {date}",
        body.len(),
        expected.len()
    );
    for (got, want) in body.iter().zip(&expected) {
        // The protobuf key: 0 = none, 1..=16 = KEY_1..KEY_16.
        let k = usize::try_from(want.tna_key).unwrap_or(0);
        let key = if k > 0 { k.to_string() } else { String::new() };
        let label = match config.labels.get(k.wrapping_sub(1)) {
            _ if k == 0 => String::new(),
            Some(l) if !l.is_empty() => l.clone(),
            _ => format!("KEY_{k}"),
        };
        let fields = [
            (c_dev, want.device_id.to_string()),
            (c_id, want.id.to_string()),
            (c_user, want.user_id.clone()),
            (c_code, want.event_code.to_string()),
            (c_sub, want.sub_code.to_string()),
            (c_key, key),
            (c_utc, iso_utc(want.timestamp)),
            (c_label, label),
        ];
        for (c, value) in fields {
            ensure!(
                got.get(c) == Some(&value),
                "CSV row {got:?}: column {} should be {value:?}",
                header[c]
            );
        }
        ensure!(
            got.get(c_event)
                .is_some_and(|e| e.contains("authentication")),
            "CSV row {got:?} has no event name"
        );
    }
    Ok(())
}

/// The Live page: a punch appears within 2 s; then, while punches continue, the emulator drops
/// its realtime stream and the relay closes the browser's socket; after recovery every generated
/// punch is on the page exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_page_shows_every_punch_once_across_drops_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let mut gateway = GatewayTarget::Demo(Default::default());
    if let GatewayTarget::Demo(sim) = &mut gateway {
        sim.devices = 6;
        sim.logs_per_device = 50;
        sim.punch_interval = None;
    }
    let relay = tokio::time::timeout(
        Duration::from_secs(30),
        tna_relay::start(RelayConfig {
            dist: Some(repo().join("dist")),
            ..RelayConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), gateway)
        }),
    )
    .await
    .context("the relay did not start within 30 s")??;
    let result = with_browser(&chromedriver, |client| live_page(client, &relay)).await;
    shutdown(relay).await;
    result
}

/// `deviceId:eventId` of every live row in the page.
async fn live_keys(client: &Client, css: &str) -> Result<Vec<String>> {
    let v = client
        .execute(
            "return [...document.querySelectorAll(arguments[0])]
                 .map(e => e.dataset.deviceId + ':' + e.dataset.eventId);",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

async fn live_page(client: Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?.clone();
    client.goto(&format!("{}live", relay.url())).await?;
    wait_for_within(
        &client,
        "[data-testid=live-status][data-status=live]",
        PAGE_WAIT,
    )
    .await?;
    let devices: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .collect();
    ensure!(!devices.is_empty(), "a T&A device");

    // One punch: on the page within 2 s.
    let first = sim.append_punch(devices[0]).context("punch")?;
    let started = Instant::now();
    let css = format!(
        "[data-testid=live-row][data-device-id='{}'][data-event-id='{}']",
        first.device_id, first.id
    );
    wait_for_within(&client, &css, Duration::from_secs(2))
        .await
        .context("a punch did not appear on the Live page within 2 s")?;
    eprintln!("punch → Live page: {:?}", started.elapsed());
    let mut generated = vec![format!("{}:{}", first.device_id, first.id)];

    // Punches continue while the gateway stream drops and the browser's socket is closed.
    let punches = {
        let sim = sim.clone();
        let devices = devices.clone();
        tokio::spawn(async move {
            let mut made = Vec::new();
            for i in 0..40usize {
                if let Some(l) = sim.append_punch(devices[i % devices.len()]) {
                    made.push(format!("{}:{}", l.device_id, l.id));
                }
                tokio::time::sleep(Duration::from_millis(75)).await;
            }
            made
        })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    sim.drop_realtime_streams();
    tokio::time::sleep(Duration::from_millis(150)).await;
    relay.close_sockets();
    tokio::time::sleep(Duration::from_millis(900)).await;
    sim.drop_realtime_streams();
    relay.close_sockets();
    generated.extend(punches.await?);

    let mut want = generated.clone();
    want.sort();
    let started = Instant::now();
    loop {
        let mut shown = live_keys(&client, "[data-testid=live-row]").await?;
        shown.sort();
        if shown == want {
            break;
        }
        if started.elapsed() > PAGE_WAIT {
            let missing: Vec<_> = want.iter().filter(|k| !shown.contains(k)).collect();
            let mut dups = shown.clone();
            dups.dedup();
            bail!(
                "after recovery the Live page shows {} rows for {} punches; missing {missing:?}; \
                 {} duplicates",
                shown.len(),
                want.len(),
                shown.len() - dups.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    save_screenshot(&client, "live.png").await?;
    Ok(())
}

/// The kiosk: punches appear within 2 s, at most 8 in the DOM; screenshots at 1280×800 and
/// 800×1280 (`kiosk-landscape.png`, `kiosk-portrait.png`; with `TNA_UPDATE_SCREENSHOT=1` the
/// landscape one is copied to `docs/kiosk.png` for the README).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_shows_punches_and_fits_both_orientations_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let mut gateway = GatewayTarget::Demo(Default::default());
    if let GatewayTarget::Demo(sim) = &mut gateway {
        sim.devices = 8;
        sim.logs_per_device = 50;
        sim.punch_interval = None;
    }
    let relay = tokio::time::timeout(
        Duration::from_secs(30),
        tna_relay::start(RelayConfig {
            dist: Some(repo().join("dist")),
            ..RelayConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), gateway)
        }),
    )
    .await
    .context("the relay did not start within 30 s")??;
    let result = with_browser(&chromedriver, |client| kiosk(client, &relay)).await;
    shutdown(relay).await;
    result
}

async fn kiosk(client: Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?.clone();
    set_viewport(&client, 1280, 800).await?;
    open_kiosk(&client, &relay.url()).await?;
    // A tablet answers the first-start full-screen prompt once; the pictures show the board.
    wait_for_within(&client, "[data-testid=kiosk-fullscreen]", PAGE_WAIT).await?;
    js_click(&client, "[data-testid=kiosk-fullscreen-later]").await?;
    e2e::signin::ensure_kiosk_bundle(&client).await?;
    // The board needs only the main module: pairing and settings are modules of their own.
    let fetched = fetched_wasm(&client).await?;
    ensure!(
        fetched.len() == 1,
        "the kiosk's board fetched more than its main module: {fetched:?}"
    );
    let devices: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .collect();
    ensure!(!devices.is_empty(), "a T&A device");
    let first = sim.append_punch(devices[0]).context("punch")?;
    let css = format!(
        "[data-testid=kiosk-punch][data-device-id='{}'][data-event-id='{}']",
        first.device_id, first.id
    );
    wait_for_within(&client, &css, Duration::from_secs(2))
        .await
        .context("a punch did not appear on the kiosk within 2 s")?;
    // The kiosk shows the newest first by (time, device, ID): wait for the top one.
    let mut last = first;
    for i in 0..30usize {
        if let Some(l) = sim.append_punch(devices[i % devices.len()])
            && (l.timestamp, l.device_id, l.id) > (last.timestamp, last.device_id, last.id)
        {
            last = l;
        }
    }
    let css = format!(
        "[data-testid=kiosk-punch][data-device-id='{}'][data-event-id='{}']",
        last.device_id, last.id
    );
    wait_for_within(&client, &css, PAGE_WAIT).await?;
    let shown = client
        .find_all(Locator::Css("[data-testid=kiosk-punch]"))
        .await?
        .len();
    ensure!(shown <= 8, "{shown} punches in the DOM, the kiosk keeps 8");
    let landscape = save_screenshot(&client, "kiosk-landscape.png").await?;
    if std::env::var_os("TNA_UPDATE_SCREENSHOT").is_some() {
        let docs = repo().join("docs");
        std::fs::create_dir_all(&docs)?;
        std::fs::copy(&landscape, docs.join("kiosk.png")).context("copy to docs/")?;
    }
    set_viewport(&client, 800, 1280).await?;
    save_screenshot(&client, "kiosk-portrait.png").await?;
    // A phone (headless Chromium's narrowest window, 500 px): Settings stays on screen, nothing
    // scrolls sideways, and a punch's name keeps its own line instead of being cut to a letter.
    set_viewport(&client, 390, 844).await?;
    let v = client
        .execute(
            "const s = document.querySelector('[data-testid=kiosk-settings]').getBoundingClientRect();\
             const u = document.querySelector('.kiosk-punch-user').getBoundingClientRect();\
             return [innerWidth, document.documentElement.scrollWidth, s.right, u.width];",
            vec![],
        )
        .await?;
    let [width, scroll, settings_right, user_width]: [f64; 4] = serde_json::from_value(v)?;
    ensure!(
        width <= 560.0,
        "the window is {width} px wide, not a phone's"
    );
    ensure!(
        scroll <= width,
        "the kiosk scrolls sideways: {scroll} > {width}"
    );
    ensure!(
        settings_right <= width,
        "Settings ends at {settings_right} px, off a {width} px screen"
    );
    ensure!(
        user_width >= width / 2.0,
        "a punch's name is {user_width} px wide on a {width} px screen"
    );
    save_screenshot(&client, "kiosk-phone.png").await?;
    Ok(())
}

/// Resizes the window so the page's viewport is `w`×`h` CSS pixels.
async fn set_viewport(client: &Client, w: u32, h: u32) -> Result<()> {
    client.set_window_size(w, h).await?;
    let v = client
        .execute(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await?;
    let extra: Vec<u32> = serde_json::from_value(v).unwrap_or_default();
    let (dw, dh) = (
        extra.first().copied().unwrap_or(0),
        extra.get(1).copied().unwrap_or(0),
    );
    client.set_window_size(w + dw, h + dh).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    Ok(())
}

/// Unix seconds → `YYYY-MM-DDTHH:MM:SSZ`.
fn iso_utc(ts: u32) -> String {
    format!("{}Z", tna_types::time::format_at(i64::from(ts), 0, 'T'))
}

/// A small RFC 4180 reader (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    ensure!(!quoted, "the CSV ends inside a quoted field");
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

/// What a connected kiosk shows (its live session is subscribed).
const KIOSK_LIVE: &str = "[data-testid=kiosk-conn][data-state=live]";

/// Opens the kiosk of the relay at `url` and waits until it is live.
async fn open_kiosk(client: &Client, url: &str) -> Result<()> {
    client.goto(&format!("{url}kiosk")).await?;
    wait_for_within(client, KIOSK_LIVE, PAGE_WAIT).await
}

/// Waits until `css` matches, for at most `limit`.
async fn wait_for_within(client: &Client, css: &str, limit: Duration) -> Result<()> {
    let started = Instant::now();
    while client.find_all(Locator::Css(css)).await?.is_empty() {
        ensure!(started.elapsed() < limit, "waited {limit:?} for `{css}`");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
        missing.push(format!("{} (run `cargo xtask dist`)", index.display()));
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

browser_test!(drift_report_in_chromium, e2e::drift::drift_flow);

browser_test!(job_codes_in_chromium, e2e::job_codes::job_codes_flow);
browser_test!(
    job_code_log_labels_in_chromium,
    e2e::logs_more::job_code_labels
);
browser_test!(
    logs_cancel_and_resume_in_chromium,
    e2e::logs_more::cancel_and_resume
);
browser_test!(
    kiosk_watches_a_device_that_comes_online_in_chromium,
    e2e::kiosk_settings::device_coming_online_is_watched
);
browser_test!(
    kiosk_settings_in_chromium,
    e2e::kiosk_settings::settings_persist_and_filter
);
/// Sign-in, roles in the UI, account creation, sign-out and kiosk pairing, on a relay with
/// accounts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_roles_and_kiosk_pairing_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let auth = tna_relay::auth::Auth::in_memory_fast_for_tests();
    auth.create_account("admin", e2e::signin::PASSWORD, tna_types::Role::Admin)?;
    auth.create_account("viewer", e2e::signin::PASSWORD, tna_types::Role::Viewer)?;
    let relay = demo_relay_with(DEVICES, Some(auth)).await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::signin::flow(&client, r).await
    })
    .await;
    shutdown(relay).await;
    result
}

browser_test!(
    clocks_flagged_and_synced_in_chromium,
    e2e::clocks::drift_flagged_and_synced
);

// On a site in America/New_York (see `e2e/zones.rs`).
browser_test!(
    a_punch_has_one_local_time_on_live_kiosk_and_logs_in_chromium,
    e2e::zones::same_local_time_everywhere,
    e2e::zones::start()
);
browser_test!(
    clocks_fix_device_time_zones_in_chromium,
    e2e::zones::clocks_fix_zones,
    e2e::zones::start()
);
// The console and the kiosk in Korean: switch, catalog, axe-core, a phone's width, back.
browser_test!(
    korean_console_in_chromium,
    e2e::korean::console_and_kiosk_in_korean,
    admin_relay()
);

// axe-core on every page (signed out and as admin): no serious or critical violation.
browser_test!(
    accessibility_of_every_page_in_chromium,
    e2e::a11y::every_page_passes_axe,
    admin_relay()
);

/// The demo relay with sign-in and one admin (`admin`, [`e2e::signin::PASSWORD`]).
async fn admin_relay() -> Result<RunningRelay> {
    let auth = tna_relay::auth::Auth::in_memory_fast_for_tests();
    auth.create_account("admin", e2e::signin::PASSWORD, tna_types::Role::Admin)?;
    demo_relay_with(DEVICES, Some(auth)).await
}

/// How far the page scrolls sideways, in CSS pixels (0 when it fits).
async fn sideways_px(client: &Client) -> Result<i64> {
    Ok(client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await?
        .as_i64()
        .unwrap_or(i64::MAX))
}

/// Timecards of an archived week match the rules on the emulator's own logs; CSV too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timecards_of_a_week_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let relay = e2e::timecards::start().await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::timecards::week_matches_the_rules(&client, r).await
    })
    .await;
    shutdown(relay).await;
    result
}

/// A page whose module is gone (the relay was updated under an open tab): a notice with a reload
/// button, and the console still works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_whose_module_is_gone_says_so_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let dist = target_dir().join(format!("e2e-dist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dist);
    e2e::lazy_pages::dist_without_logs(&dist)?;
    let relay = demo_relay_serving(4, None, dist.clone()).await?;
    let r = &relay;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::lazy_pages::missing_module(&client, r).await
    })
    .await;
    shutdown(relay).await;
    let _ = std::fs::remove_dir_all(&dist);
    result
}

// Pointing at a link to a lazy page fetches its module before the click.
browser_test!(
    a_pointed_at_link_fetches_its_page_in_chromium,
    e2e::lazy_pages::pointing_fetches_the_page,
    demo_relay(4)
);

/// A fresh SQLite archive for one test relay (in the target dir, so `cargo clean` removes it).
fn archive_url(name: &str) -> String {
    let dir = target_dir().join("e2e-archives");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!(
        "{name}-{}-{}.db",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    format!("sqlite://{}", file.display())
}

/// Two gateways: both sites listed; one stopped → only its rows marked, and a notice names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sites_one_down_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let (hq, warehouse, relay) = e2e::sites::start().await?;
    let (h, r) = (&hq, &relay);
    // The test stops the Warehouse gateway itself (a gateway dropped unstarted just ends).
    let result = with_browser(&chromedriver, |client| async move {
        e2e::sites::one_site_down(&client, h, warehouse, r).await
    })
    .await;
    shutdown(relay).await;
    hq.shutdown().await;
    result
}

/// Two relays on one PostgreSQL archive: relay B's Live page shows site A's punches live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_page_across_relays_sharing_an_archive_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let shared = e2e::shared_live::start().await?;
    let s = &shared;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::shared_live::remote_punch_shows(&client, s).await
    })
    .await;
    let e2e::shared_live::Shared {
        pg,
        site_a,
        site_b,
        relay_a,
        relay_b,
    } = shared;
    shutdown(relay_a).await;
    shutdown(relay_b).await;
    site_a.shutdown().await;
    site_b.shutdown().await;
    drop(pg);
    result
}

/// The kiosk as an installed app: its service worker; a reload without the relay shows the
/// saved board marked offline; when the relay is back the punches made meanwhile appear once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_installs_and_outlives_the_relay_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let setup = e2e::kiosk_offline::Setup::start().await?;
    let s = &setup;
    let result = with_browser(&chromedriver, |client| async move {
        e2e::kiosk_offline::offline_reload_and_gap_fill(&client, s).await
    })
    .await;
    setup.gateway.shutdown().await;
    result
}

/// A new kiosk version published while a kiosk shows is picked up without touching it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosk_picks_up_a_new_version_in_chromium() -> Result<()> {
    let Some(chromedriver) = prerequisites()? else {
        return Ok(());
    };
    let _one = BROWSER.lock().await;
    let (relay, dist) = e2e::kiosk_offline::relay_on_dist_copy().await?;
    let (r, d) = (&relay, dist.path());
    let result = with_browser(&chromedriver, |client| async move {
        e2e::kiosk_offline::a_new_version_is_picked_up(&client, r, d).await
    })
    .await;
    shutdown(relay).await;
    result
}

browser_test!(keyboard_use_in_chromium, e2e::keyboard::tab_focus_and_keys);
browser_test!(
    logs_from_archive_and_sync_page_in_chromium,
    e2e::archive_pages::logs_from_archive_and_sync_page
);
browser_test!(
    device_status_push_in_chromium,
    e2e::status_push::offline_shows_without_reload
);
browser_test!(
    live_device_picker_in_chromium,
    e2e::live_picker::devices_from_url_and_picker
);

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

/// The device IDs of the checked boxes among `[data-testid=<testid>]` (a device checklist).
async fn checked_devices(client: &Client, testid: &str) -> Result<Vec<u32>> {
    let ids = client
        .execute(
            "return Array.from(document.querySelectorAll(`[data-testid=${arguments[0]}]`))
                .filter(c => c.checked).map(c => Number(c.dataset.deviceId));",
            vec![serde_json::Value::from(testid)],
        )
        .await?;
    Ok(serde_json::from_value(ids)?)
}

/// Fails with `why` when anything matches `css` now.
/// Answers "OK" to the page's next confirmations (a write to many devices asks first) and keeps
/// what they asked in `window.__asked`.
async fn accept_confirms(client: &Client) -> Result<()> {
    client
        .execute(
            "window.__asked = window.__asked || []; \
             window.confirm = (m) => { window.__asked.push(m); return true; };",
            vec![],
        )
        .await?;
    Ok(())
}

/// The confirmations the page asked since [`accept_confirms`].
async fn asked(client: &Client) -> Result<Vec<String>> {
    let v = client
        .execute("return window.__asked || [];", vec![])
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// The text of the element `css` names.
async fn text_of(client: &Client, css: &str) -> Result<String> {
    Ok(client
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("{css} is missing"))?
        .text()
        .await?)
}

async fn ensure_absent(client: &Client, css: &str, why: &str) -> Result<()> {
    let n = client.find_all(Locator::Css(css)).await?.len();
    ensure!(n == 0, "{why} ({n} × `{css}`)");
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
