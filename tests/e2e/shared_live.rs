//! Two relays on one PostgreSQL archive (a throwaway server), each in front of its own emulated
//! site: the Live page served by relay B lists site A's devices, which B's own gateway does not
//! know, and shows a punch made at site A as it happens (LISTEN/NOTIFY between the relays).

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use fantoccini::Client;
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use tna_archive::testing::PgCluster;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};

use crate::{PAGE_WAIT, checked_devices, repo, save_screenshot, wait_for_within};

/// Site B's device IDs start here (site A's at the emulator's default).
const SITE_B_FIRST: u32 = 550_000_001;

/// What the test runs: the database server, both sites' emulators and both relays.
pub struct Shared {
    /// Kept so the server lives as long as the relays.
    pub pg: PgCluster,
    pub site_a: RunningGateway,
    pub site_b: RunningGateway,
    pub relay_a: RunningRelay,
    pub relay_b: RunningRelay,
}

/// Starts both sites and both relays on one new database, and waits for their first syncs.
pub async fn start() -> Result<Shared> {
    let pg = PgCluster::start_or_run_as("nobody")
        .map_err(|e| anyhow::anyhow!("a PostgreSQL server (cargo xtask setup): {e}"))?;
    let url = pg
        .create_database("shared_live")
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = |seed, first_device_id| SimConfig {
        devices: 4,
        logs_per_device: 20,
        seed,
        punch_interval: None,
        first_device_id,
        zone: None,
    };
    let site_a = gateway_sim::start(
        Gateway::new(sim(1, gateway_sim::FIRST_DEVICE_ID)),
        loopback,
        None,
    )
    .await?;
    let site_b = gateway_sim::start(Gateway::new(sim(2, SITE_B_FIRST)), loopback, None).await?;
    let relay = |gw: &RunningGateway| {
        tna_relay::start(RelayConfig {
            dist: Some(repo().join("dist")),
            archive: Some(url.clone()),
            ..RelayConfig::new(
                loopback,
                GatewayTarget::Remote {
                    url: format!("http://{}", gw.addr),
                    ca_cert: None,
                },
            )
        })
    };
    let relay_a = relay(&site_a).await?;
    let relay_b = relay(&site_b).await?;
    for r in [&relay_a, &relay_b] {
        let synced = r
            .archive()
            .context("archive")?
            .wait_passes(1, Duration::from_secs(60))
            .await;
        ensure!(synced, "a relay's first archive sync did not end");
    }
    Ok(Shared {
        pg,
        site_a,
        site_b,
        relay_a,
        relay_b,
    })
}

/// Relay B's Live page watches site A's devices and shows a punch of one of them live.
pub async fn remote_punch_shows(client: &Client, shared: &Shared) -> Result<()> {
    let a = &shared.site_a.gateway;
    let a_devices = tna_device_ids!(a);
    let b_devices = tna_device_ids!(shared.site_b.gateway);
    ensure!(!a_devices.is_empty(), "site A has no T&A device");
    client
        .goto(&format!("{}live", shared.relay_b.url()))
        .await?;
    wait_for_within(client, "[data-testid=live-remote-note]", PAGE_WAIT)
        .await
        .context("relay B's Live page did not list the devices of the other relay")?;
    let watching = format!(
        "[data-testid=live-status][data-status=live][data-watching='{}']",
        a_devices.len() + b_devices.len()
    );
    wait_for_within(client, &watching, PAGE_WAIT)
        .await
        .context("the Live page did not subscribe both sites' devices")?;
    let checked = checked_devices(client, "live-device").await?;
    for d in a_devices.iter().chain(&b_devices) {
        ensure!(
            checked.contains(d),
            "device {d} is not offered: {checked:?}"
        );
    }

    let punch = a.append_punch(a_devices[0]).context("punch")?;
    let row = format!(
        "[data-testid=live-row][data-device-id='{}'][data-event-id='{}']",
        punch.device_id, punch.id
    );
    wait_for_within(client, &row, PAGE_WAIT)
        .await
        .context("a punch at site A did not reach relay B's Live page")?;
    save_screenshot(client, "live-shared-archive.png").await?;
    Ok(())
}
