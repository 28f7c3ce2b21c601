//! The kiosk as an installed app on a reception tablet: it installs its service worker (which
//! caches its page and bundle) and keeps its board in the browser; with the relay stopped, a
//! reload still starts the kiosk and shows that board marked "offline since …"; when the relay
//! is back, the punches made meanwhile appear, each once.
//!
//! The gateway emulator runs on its own, so it keeps its devices (and takes punches) while the
//! relay is down; both relays use one SQLite archive and the same address, as a restarted relay
//! would.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use tna_console::logs::kiosk::Saved;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};

use crate::{PAGE_WAIT, archive_url, poll, repo, save_screenshot, wait_for_within};

/// The service worker's cache (`pwa/sw.js`).
const SHELL_CACHE: &str = "tna-kiosk-shell-v1";
/// Where the kiosk keeps its board (`pages/kiosk.rs`).
const SAVED_KEY: &str = "tna-console.kiosk.saved";

/// The emulator (on its own), and what a relay in front of it needs.
pub struct Setup {
    pub gateway: RunningGateway,
    archive: String,
}

impl Setup {
    pub async fn start() -> Result<Setup> {
        let sim = SimConfig {
            devices: 6,
            logs_per_device: 20,
            seed: 7,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: None,
        };
        let gateway = gateway_sim::start(
            Gateway::new(sim),
            SocketAddr::from(([127, 0, 0, 1], 0)),
            None,
        )
        .await?;
        Ok(Setup {
            gateway,
            archive: archive_url("kiosk-offline"),
        })
    }

    /// A relay in front of the emulator at `addr` (port 0: any).
    pub async fn relay(&self, addr: SocketAddr) -> Result<RunningRelay> {
        let target = GatewayTarget::Remote {
            url: format!("http://{}", self.gateway.addr),
            ca_cert: None,
        };
        tokio::time::timeout(
            Duration::from_secs(30),
            tna_relay::start(RelayConfig {
                dist: Some(repo().join("dist")),
                archive: Some(self.archive.clone()),
                ..RelayConfig::new(addr, target)
            }),
        )
        .await
        .context("the relay did not start within 30 s")?
        .context("the relay failed to start")
    }
}

fn punch_css(device: u32, id: u32) -> String {
    format!("[data-testid=kiosk-punch][data-device-id='{device}'][data-event-id='{id}']")
}

/// The service worker's state as the page sees it: (controlled, cached paths).
async fn worker(client: &Client) -> Result<(bool, Vec<String>)> {
    let v = client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];\
                 (async () => {{\
                   const c = await caches.open('{SHELL_CACHE}');\
                   const paths = (await c.keys()).map(r => new URL(r.url).pathname);\
                   done([!!navigator.serviceWorker.controller, paths]);\
                 }})().catch(e => done([false, [String(e)]]));"
            ),
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Whether the kiosk's saved board holds event `id` of `device` (read with the kiosk's own
/// reader of its stored form, `Saved::parse`).
async fn saved_has(client: &Client, device: u32, id: u32) -> Result<bool> {
    let v = client
        .execute(
            &format!("return localStorage.getItem('{SAVED_KEY}');"),
            vec![],
        )
        .await?;
    let Some(text) = v.as_str() else {
        return Ok(false);
    };
    let saved = Saved::parse(text).context("the saved board cannot be read")?;
    Ok(saved
        .rows
        .iter()
        .any(|r| r.device_id == device && r.id == id))
}

pub async fn offline_reload_and_gap_fill(client: &Client, setup: &Setup) -> Result<()> {
    let sim = setup.gateway.gateway.clone();
    let device = sim
        .device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .context("a T&A device")?;
    let relay = setup.relay(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = relay.addr();
    let result = async {
        crate::open_kiosk(client, &relay.url()).await?;
        let path: String =
            serde_json::from_value(client.execute("return location.pathname;", vec![]).await?)?;
        ensure!(
            path == "/kiosk/",
            "/kiosk was not sent to /kiosk/ (at {path})"
        );

        // Installed: the service worker controls the page and holds the page and its bundle.
        poll(
            "the service worker controls the kiosk and caches its bundle",
            || async {
                let (controlled, cached) = worker(client).await?;
                Ok(controlled
                    && cached.iter().any(|p| p == "/kiosk/")
                    && cached.iter().any(|p| p.ends_with("_bg.wasm"))
                    && cached.iter().any(|p| p.ends_with(".css")))
            },
        )
        .await?;
        let manifest: String = serde_json::from_value(
            client
                .execute(
                    "return document.querySelector('link[rel=manifest]').href;",
                    vec![],
                )
                .await?,
        )?;
        ensure!(
            manifest.ends_with("/kiosk/manifest.webmanifest"),
            "{manifest}"
        );
        // Chromium itself finds the kiosk installable (manifest, icons, service worker).
        let installable = browser_harness::devtools(
            client,
            "Page.getInstallabilityErrors",
            serde_json::json!({}),
        )
        .await?;
        ensure!(
            installable["installabilityErrors"]
                .as_array()
                .is_some_and(Vec::is_empty),
            "Chromium says the kiosk cannot be installed: {installable}"
        );

        // First start: the kiosk offers full screen; "Not now" is remembered.
        wait_for_within(client, "[data-testid=kiosk-fullscreen]", PAGE_WAIT).await?;
        crate::js_click(client, "[data-testid=kiosk-fullscreen-later]").await?;
        crate::wait_gone(client, "[data-testid=kiosk-fullscreen]").await?;

        let first = sim.append_punch(device).context("punch")?;
        wait_for_within(client, &punch_css(device, first.id), PAGE_WAIT).await?;
        poll("the kiosk kept its board with the punch", || {
            saved_has(client, device, first.id)
        })
        .await?;
        Ok::<_, anyhow::Error>(first)
    }
    .await;
    let first = match result {
        Ok(first) => first,
        Err(e) => {
            crate::shutdown(relay).await;
            return Err(e);
        }
    };

    // The relay goes away; a punch happens meanwhile; the tablet reloads.
    crate::shutdown(relay).await;
    let during = sim.append_punch(device).context("punch while offline")?;
    client.refresh().await?;
    wait_for_within(client, "[data-testid=kiosk][data-saved]", PAGE_WAIT)
        .await
        .context("without the relay, a reload did not show the saved kiosk")?;
    wait_for_within(client, &punch_css(device, first.id), PAGE_WAIT)
        .await
        .context("the saved board lacks the punch it had")?;
    wait_for_within(
        client,
        "[data-testid=kiosk-conn][data-state=offline]",
        PAGE_WAIT,
    )
    .await?;
    crate::ensure_absent(
        client,
        "[data-testid=kiosk-fullscreen]",
        "the full-screen prompt came back after it was answered",
    )
    .await?;
    let conn = crate::text_of(client, "[data-testid=kiosk-conn]").await?;
    ensure!(conn.contains("Offline since"), "the kiosk says {conn:?}");
    save_screenshot(client, "kiosk-offline.png").await?;

    // The relay is back at the same address: the kiosk reconnects by itself and reads on from
    // its saved cursors.
    let relay = setup.relay(addr).await?;
    let back = async {
        wait_for_within(client, crate::KIOSK_LIVE, PAGE_WAIT)
            .await
            .context("the kiosk did not reconnect")?;
        wait_for_within(client, &punch_css(device, during.id), PAGE_WAIT)
            .await
            .context("the punch made while the relay was down did not appear")?;
        let after = sim.append_punch(device).context("punch after")?;
        wait_for_within(client, &punch_css(device, after.id), PAGE_WAIT).await?;
        for id in [first.id, during.id, after.id] {
            let n = client
                .find_all(Locator::Css(&punch_css(device, id)))
                .await?
                .len();
            ensure!(n == 1, "event {id} of {device} is shown {n} times");
        }
        Ok(())
    }
    .await;
    crate::shutdown(relay).await;
    back
}

/// The bundle the page runs (`tna-kiosk-<hash>`, from its own loader).
async fn running_bundle(client: &Client) -> Result<String> {
    let v = client
        .execute(
            "const m = document.documentElement.outerHTML.match(/tna-kiosk-[A-Za-z0-9]+(?=_bg\\.wasm)/);\
             return m ? m[0] : '';",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

/// A copy of `dist/` the test may change (the relay serves it as it is on disk).
fn dist_copy() -> Result<tempfile::TempDir> {
    fn copy(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            let target = to.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                copy(&entry.path(), &target)?;
            } else {
                std::fs::copy(entry.path(), target)?;
            }
        }
        Ok(())
    }
    let dir = tempfile::tempdir()?;
    copy(&repo().join("dist"), dir.path())?;
    Ok(dir)
}

/// A new version of the kiosk is published while a kiosk shows: the kiosk notices by itself and
/// reloads into it (checking every second and waiting one quiet second here, by its address).
pub async fn a_new_version_is_picked_up(
    client: &Client,
    relay: &RunningRelay,
    dist: &std::path::Path,
) -> Result<()> {
    client
        .goto(&format!(
            "{}kiosk?update-every=1&update-quiet=1",
            relay.url()
        ))
        .await?;
    wait_for_within(client, crate::KIOSK_LIVE, PAGE_WAIT).await?;
    wait_for_within(
        client,
        "[data-testid=kiosk][data-wake-lock=held]",
        PAGE_WAIT,
    )
    .await
    .context("the kiosk does not hold a screen wake lock")?;
    let old = running_bundle(client).await?;
    ensure!(
        old.starts_with("tna-kiosk-"),
        "the running bundle is {old:?}"
    );

    // Publish "a new version": the same files under a new content hash, named by the page.
    let kiosk = dist.join("kiosk");
    let new = "tna-kiosk-0000feedfacecafe";
    for entry in std::fs::read_dir(&kiosk)? {
        let name = entry?.file_name().to_string_lossy().to_string();
        if let Some(rest) = name.strip_prefix(&old) {
            std::fs::copy(kiosk.join(&name), kiosk.join(format!("{new}{rest}")))?;
        }
    }
    let page = std::fs::read_to_string(kiosk.join("index.html"))?;
    for stale in ["index.html.br", "index.html.gz"] {
        let _ = std::fs::remove_file(kiosk.join(stale));
    }
    std::fs::write(kiosk.join("index.html"), page.replace(&old, new))?;

    let started = Instant::now();
    while running_bundle(client).await.unwrap_or_default() != new {
        ensure!(
            started.elapsed() < PAGE_WAIT,
            "the kiosk still runs {old} {PAGE_WAIT:?} after {new} was published"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    wait_for_within(client, crate::KIOSK_LIVE, PAGE_WAIT)
        .await
        .context("the new version did not come up live")?;
    Ok(())
}

/// The demo relay serving a copy of `dist/` (kept alive with it).
pub async fn relay_on_dist_copy() -> Result<(RunningRelay, tempfile::TempDir)> {
    let dist = dist_copy()?;
    let mut gateway = GatewayTarget::Demo(Default::default());
    if let GatewayTarget::Demo(sim) = &mut gateway {
        sim.devices = 6;
        sim.punch_interval = None;
    }
    let relay = tokio::time::timeout(
        Duration::from_secs(30),
        tna_relay::start(RelayConfig {
            dist: Some(dist.path().to_path_buf()),
            ..RelayConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)), gateway)
        }),
    )
    .await
    .context("the relay did not start within 30 s")??;
    Ok((relay, dist))
}
