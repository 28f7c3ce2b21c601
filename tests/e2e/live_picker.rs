//! The Live page's device choice: `?devices=ID` in the address narrows the page to that device
//! (checked in the picker, other devices' punches not shown); ticking another device in the
//! picker adds its punches.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Client;
use tna_relay::RunningRelay;

use crate::{PAGE_WAIT, checked_devices, ensure_absent, js_click, wait_for_within};

fn row_css(device: u32, id: u32) -> String {
    format!("[data-testid=live-row][data-device-id='{device}'][data-event-id='{id}']")
}

pub async fn devices_from_url_and_picker(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?.clone();
    let devices = tna_device_ids!(sim);
    ensure!(devices.len() >= 2, "need two T&A devices: {devices:?}");
    let (watched, other) = (devices[0], devices[1]);
    client
        .goto(&format!("{}live?devices={watched}", relay.url()))
        .await?;
    wait_for_within(
        client,
        "[data-testid=live-status][data-status=live]",
        PAGE_WAIT,
    )
    .await?;
    let checked = checked_devices(client, "live-device").await?;
    ensure!(
        checked == vec![watched],
        "checked from the URL: {checked:?}"
    );

    let hidden = sim.append_punch(other).context("punch")?;
    let shown = sim.append_punch(watched).context("punch")?;
    wait_for_within(
        client,
        &row_css(shown.device_id, shown.id),
        Duration::from_secs(2),
    )
    .await
    .context("the watched device's punch did not appear within 2 s")?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    ensure_absent(
        client,
        &row_css(hidden.device_id, hidden.id),
        "a punch of a device not chosen is on the Live page",
    )
    .await?;

    js_click(
        client,
        &format!("[data-testid=live-device][data-device-id='{other}']"),
    )
    .await?;
    // Events count from the subscription on: wait until it covers both devices.
    wait_for_within(
        client,
        "[data-testid=live-status][data-status=live][data-watching='2']",
        PAGE_WAIT,
    )
    .await?;
    let added = sim.append_punch(other).context("punch")?;
    wait_for_within(client, &row_css(added.device_id, added.id), PAGE_WAIT)
        .await
        .context("a device ticked in the picker did not show its punches")?;
    Ok(())
}
