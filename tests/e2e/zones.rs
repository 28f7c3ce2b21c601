//! Time zones in the browser, on a site in America/New_York:
//! - a punch shows the same local time, offset and zone on the Live page, the kiosk and the Logs
//!   page, and that local time is the one the relay's own zone rules (jiff) give — the browser's
//!   `Intl` and the relay agree;
//! - the Clocks page judges the emulator's seeded devices (some with a wrong offset, a missing or
//!   last year's DST schedule) against the site's zone, and "Fix time zones" (preview, confirm,
//!   write) leaves every one of them right on the re-read.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig, RunningRelay};

use crate::{
    LOGS_PER_DEVICE, PAGE_WAIT, js_click, repo, save_screenshot, wait_for_count, wait_for_within,
};

/// The site's zone.
pub const ZONE: &str = "America/New_York";
/// Devices of the site.
const DEVICES: u32 = 12;

/// A relay with one site in [`ZONE`], its emulated devices seeded for that zone.
pub async fn start() -> Result<RunningRelay> {
    let mut sim = gateway_sim::SimConfig {
        devices: DEVICES,
        logs_per_device: LOGS_PER_DEVICE,
        punch_interval: None,
        ..Default::default()
    };
    sim.zone = Some(ZONE.into());
    let site = GatewaySite::named("HQ", GatewayTarget::Demo(sim)).in_zone(ZONE);
    tokio::time::timeout(
        Duration::from_secs(30),
        tna_relay::start(RelayConfig {
            dist: Some(repo().join("dist")),
            ..RelayConfig::with_sites(SocketAddr::from(([127, 0, 0, 1], 0)), vec![site])
        }),
    )
    .await
    .context("the relay did not start within 30 s")?
    .context("the relay failed to start")
}

/// What a page shows of a punch's time: (local time, offset in seconds, zone).
async fn shown_time(client: &Client, css: &str) -> Result<(String, i32, String)> {
    let el = client.find(Locator::Css(css)).await?;
    let local = el.attr("data-local").await?.context("data-local")?;
    let offset = el
        .attr("data-offset")
        .await?
        .map(|o| o.parse::<i32>())
        .transpose()?;
    let zone = el.attr("data-zone").await?.context("data-zone")?;
    Ok((local, offset.unwrap_or(i32::MIN), zone))
}

/// The local time the relay's zone rules give for `ts`.
fn relay_local(ts: u32) -> Result<(String, i32)> {
    let zone = tna_relay::zones::Zone::named(ZONE).map_err(anyhow::Error::msg)?;
    let at = i64::from(ts);
    let offset = zone.offsets(at - 86_400, at + 86_400).offset_at(at);
    Ok((tna_types::time::format_at(at, offset, ' '), offset))
}

fn row_css(testid: &str, device: u32, id: u32) -> String {
    format!("[data-testid={testid}][data-device-id='{device}'][data-event-id='{id}']")
}

/// Live, kiosk and Logs show one punch the same way, as the relay's rules say.
pub async fn same_local_time_everywhere(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?.clone();
    let device = sim
        .device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .context("a T&A device")?;

    // Live: a punch made while the page watches.
    client
        .goto(&format!("{}live?devices={device}", relay.url()))
        .await?;
    wait_for_within(
        client,
        "[data-testid=live-status][data-status=live]",
        PAGE_WAIT,
    )
    .await?;
    let on_live = sim.append_punch(device).context("punch")?;
    let live_row = row_css("live-row", device, on_live.id);
    wait_for_within(client, &live_row, PAGE_WAIT).await?;
    let live = shown_time(client, &format!("{live_row} [data-testid=live-time]")).await?;

    // The kiosk: another punch while it watches.
    client
        .goto(&format!("{}kiosk?devices={device}", relay.url()))
        .await?;
    wait_for_within(client, "[data-testid=kiosk][data-today=live]", PAGE_WAIT).await?;
    // Watching (subscribed): a punch from now on reaches the kiosk.
    wait_for_within(client, crate::KIOSK_LIVE, PAGE_WAIT).await?;
    let on_kiosk = sim.append_punch(device).context("punch")?;
    let kiosk_row = row_css("kiosk-punch", device, on_kiosk.id);
    wait_for_within(client, &kiosk_row, PAGE_WAIT).await?;
    let kiosk = shown_time(
        client,
        &format!("{kiosk_row} [data-testid=kiosk-punch-time]"),
    )
    .await?;
    let clock_zone = client
        .find(Locator::Css("[data-testid=kiosk-zone]"))
        .await?
        .text()
        .await?;
    ensure!(
        clock_zone == ZONE,
        "the kiosk's clock is in {clock_zone:?}, not {ZONE}"
    );

    // Logs: both punches, read from the device.
    client.goto(&format!("{}logs", relay.url())).await?;
    let pick = format!("[data-testid=logs-device][data-device-id='{device}']");
    wait_for_within(client, &pick, PAGE_WAIT).await?;
    js_click(client, &pick).await?;
    js_click(client, "[data-testid=logs-load-all]").await?;
    wait_for_within(client, "[data-testid=logs-complete]", PAGE_WAIT).await?;
    let logs_live = shown_time(
        client,
        &format!(
            "{} [data-testid=log-time]",
            row_css("log-row", device, on_live.id)
        ),
    )
    .await?;
    let logs_kiosk = shown_time(
        client,
        &format!(
            "{} [data-testid=log-time]",
            row_css("log-row", device, on_kiosk.id)
        ),
    )
    .await?;
    save_screenshot(client, "zones-logs.png").await?;

    for (page, shown, ts) in [
        ("Live", &live, on_live.timestamp),
        ("Logs (Live's punch)", &logs_live, on_live.timestamp),
        ("kiosk", &kiosk, on_kiosk.timestamp),
        ("Logs (kiosk's punch)", &logs_kiosk, on_kiosk.timestamp),
    ] {
        let (local, offset) = relay_local(ts)?;
        ensure!(
            *shown == (local.clone(), offset, ZONE.to_string()),
            "{page} shows {shown:?}; the zone rules give ({local}, {offset}, {ZONE})"
        );
    }
    Ok(())
}

/// Wrong devices are judged wrong, and a fix makes every one of them right.
pub async fn clocks_fix_zones(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    let ids = sim.device_ids();
    client.goto(&format!("{}clocks", relay.url())).await?;
    wait_for_count(client, "[data-testid=clock-row]", ids.len()).await?;
    wait_for_within(client, "[data-testid=clock-row][data-verdict]", PAGE_WAIT).await?;
    let count = |css: &'static str| async move {
        Ok::<usize, anyhow::Error>(client.find_all(Locator::Css(css)).await?.len())
    };
    let wrong = count("[data-testid=clock-row][data-verdict]:not([data-verdict=right])").await?;
    // A device that cannot keep DST schedules stays wrong whatever is written (its offset, if
    // wrong, is still fixed and it is then judged by DST alone).
    let unsupported = count("[data-testid=clock-row][data-verdict=dstUnsupported]").await?;
    ensure!(
        wrong > unsupported,
        "the emulator seeds some devices with wrong zone settings"
    );
    save_screenshot(client, "clocks-zones.png").await?;

    js_click(client, "[data-testid=zone-select-wrong]").await?;
    js_click(client, "[data-testid=zone-preview]").await?;
    wait_for_within(
        client,
        "[data-testid=zone-fix][data-dry-run=true]",
        PAGE_WAIT,
    )
    .await?;
    let grouped: usize = {
        let mut n = 0;
        for g in client
            .find_all(Locator::Css("[data-testid=zone-fix-group]"))
            .await?
        {
            n += g
                .attr("data-count")
                .await?
                .context("count")?
                .parse::<usize>()?;
        }
        n
    };
    ensure!(
        grouped == wrong - unsupported,
        "the preview changes {grouped} devices; {wrong} were judged wrong, {unsupported} of them \
         cannot keep DST"
    );
    client
        .execute(
            "window.__asked = []; window.confirm = (m) => { window.__asked.push(m); return true; };",
            vec![],
        )
        .await?;
    js_click(client, "[data-testid=zone-apply]").await?;
    wait_for_within(
        client,
        "[data-testid=zone-fix][data-dry-run=false]",
        PAGE_WAIT,
    )
    .await?;
    let asked = client.execute("return window.__asked;", vec![]).await?;
    let asked = asked
        .get(0)
        .and_then(|a| a.as_str())
        .unwrap_or_default()
        .to_string();
    let n = grouped;
    ensure!(
        asked.contains(&format!("{n} devices")) || (n == 1 && asked.contains("1 device")),
        "the confirmation names the count: {asked:?}"
    );
    ensure!(
        asked.contains("HQ"),
        "the confirmation names the site: {asked:?}"
    );
    // The re-read: nothing wrong for this year but devices that cannot keep DST.
    let settled = format!("[data-testid=zone-summary][data-wrong='{unsupported}']");
    wait_for_within(client, &settled, PAGE_WAIT).await?;
    let still = count("[data-testid=clock-row][data-verdict]:not([data-verdict=right]):not([data-verdict=dstUnsupported])").await?;
    ensure!(
        still == 0,
        "{still} devices are still judged wrong after the fix"
    );
    save_screenshot(client, "clocks-zones-fixed.png").await?;
    Ok(())
}
