//! Two sites in the browser: two gateway emulators behind one relay. The device list has a Site
//! column naming both; stopping one gateway turns exactly its rows to "error" without a reload,
//! and after a refresh a notice names the unreachable site while the other site's rows stay
//! connected.

use std::net::SocketAddr;

use anyhow::{Context, Result, ensure};
use fantoccini::{Client, Locator};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig, RunningRelay};

use crate::{PAGE_WAIT, js_click, repo, save_screenshot, wait_for_count, wait_for_within};

/// The second site's device IDs start here (as in `tna-relay --demo`).
const WAREHOUSE_FIRST: u32 = 550_000_001;

/// Two emulators (HQ: 6 devices, Warehouse: 4) and a relay serving `dist/` in front of both.
pub async fn start() -> Result<(RunningGateway, RunningGateway, RunningRelay)> {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = |devices, seed, first_device_id| SimConfig {
        devices,
        logs_per_device: 20,
        seed,
        punch_interval: None,
        first_device_id,
        zone: None,
    };
    let hq = gateway_sim::start(
        Gateway::new(sim(6, 1, gateway_sim::FIRST_DEVICE_ID)),
        loopback,
        None,
    )
    .await?;
    let warehouse =
        gateway_sim::start(Gateway::new(sim(4, 2, WAREHOUSE_FIRST)), loopback, None).await?;
    let remote = |g: &RunningGateway| GatewayTarget::Remote {
        url: format!("http://{}", g.addr),
        ca_cert: None,
    };
    let relay = tna_relay::start(RelayConfig {
        dist: Some(repo().join("dist")),
        ..RelayConfig::with_sites(
            loopback,
            vec![
                GatewaySite::named("HQ", remote(&hq)),
                GatewaySite::named("Warehouse", remote(&warehouse)),
            ],
        )
    })
    .await?;
    Ok((hq, warehouse, relay))
}

async fn site_cells(client: &Client, site: &str) -> Result<usize> {
    let mut n = 0;
    for cell in client
        .find_all(Locator::Css("[data-testid=device-site]"))
        .await?
    {
        if cell.text().await?.trim() == site {
            n += 1;
        }
    }
    Ok(n)
}

fn badge(device: u32, status: &str) -> String {
    format!(
        "[data-testid=device-row][data-device-id='{device}'] [data-testid=status-badge][data-status={status}]"
    )
}

pub async fn one_site_down(
    client: &Client,
    hq: &RunningGateway,
    warehouse: RunningGateway,
    relay: &RunningRelay,
) -> Result<()> {
    let hq_ids = hq.gateway.device_ids();
    let wh_ids = warehouse.gateway.device_ids();
    client.goto(relay.url().as_str()).await?;
    wait_for_count(
        client,
        "[data-testid=device-row]",
        hq_ids.len() + wh_ids.len(),
    )
    .await?;
    ensure!(site_cells(client, "HQ").await? == hq_ids.len(), "HQ rows");
    ensure!(
        site_cells(client, "Warehouse").await? == wh_ids.len(),
        "Warehouse rows"
    );
    ensure!(
        relay.status_stream_up(PAGE_WAIT).await,
        "the relay's status streams did not open"
    );
    client.execute("window.__noReload = true;", vec![]).await?;

    warehouse.shutdown().await;
    for &id in &wh_ids {
        wait_for_within(client, &badge(id, "error"), PAGE_WAIT)
            .await
            .with_context(|| format!("Warehouse device {id} not marked"))?;
    }
    for &id in &hq_ids {
        wait_for_within(client, &badge(id, "connected"), PAGE_WAIT)
            .await
            .with_context(|| format!("HQ device {id} changed"))?;
    }
    let text = client
        .find(Locator::Css(&badge(wh_ids[0], "error")))
        .await?
        .text()
        .await?;
    ensure!(
        text.contains("site Warehouse"),
        "the badge does not name the site: {text:?}"
    );
    let same_page = client
        .execute("return window.__noReload === true;", vec![])
        .await?;
    ensure!(same_page == true, "the page reloaded");

    js_click(client, "[data-testid=device-refresh]").await?;
    wait_for_within(
        client,
        "[data-testid=site-down][data-site=Warehouse]",
        PAGE_WAIT,
    )
    .await
    .context("no notice for the unreachable site")?;
    ensure!(
        client
            .find_all(Locator::Css("[data-testid=site-down]"))
            .await?
            .len()
            == 1,
        "only Warehouse is down"
    );
    ensure!(
        client
            .find_all(Locator::Css("[data-testid=device-row]"))
            .await?
            .len()
            == hq_ids.len() + wh_ids.len(),
        "the unreachable site's devices are still listed"
    );
    save_screenshot(client, "site-down.png").await?;
    Ok(())
}
