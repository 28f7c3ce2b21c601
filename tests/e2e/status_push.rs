//! Live device status: the emulator takes a device offline → its row on the open device list
//! says "Disconnected" within 2 s, without a reload, with the time of the change; back online →
//! "Connected" again.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use tna_relay::RunningRelay;

use crate::{PAGE_WAIT, wait_for_count, wait_for_within};

/// The limit for a status change to reach the list.
const STATUS_WAIT: Duration = Duration::from_secs(2);

fn badge(device: u32, status: &str) -> String {
    format!(
        "[data-testid=device-row][data-device-id='{device}'] [data-testid=status-badge][data-status={status}]"
    )
}

pub async fn offline_shows_without_reload(client: &Client, relay: &RunningRelay) -> Result<()> {
    let sim = relay.demo_gateway().context("demo gateway")?;
    client.goto(relay.url().as_str()).await?;
    wait_for_count(client, "[data-testid=device-row]", 2).await?;
    ensure!(
        relay.status_stream_up(PAGE_WAIT).await,
        "the relay's status stream did not open"
    );
    let device = sim.device_ids()[1];
    wait_for_within(client, &badge(device, "connected"), PAGE_WAIT).await?;
    // Marks the page: a reload would lose it.
    client.execute("window.__noReload = true;", vec![]).await?;

    sim.set_offline(device, true);
    wait_for_within(client, &badge(device, "disconnected"), STATUS_WAIT)
        .await
        .context("the offline device was not shown within 2 s")?;
    let text = client
        .find(Locator::Css(&badge(device, "disconnected")))
        .await?
        .text()
        .await?;
    ensure!(text.contains("since "), "no time of the change: {text:?}");

    sim.set_offline(device, false);
    wait_for_within(client, &badge(device, "connected"), STATUS_WAIT)
        .await
        .context("the device back online was not shown within 2 s")?;
    let same_page = client
        .execute("return window.__noReload === true;", vec![])
        .await?;
    ensure!(same_page == true, "the page reloaded");
    Ok(())
}
