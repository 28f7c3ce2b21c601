//! The relay the browser benchmarks load the console from: the embedded emulator, the built
//! console, and a SQLite archive in a temporary folder (as a real site has; the kiosk reads
//! today's board from it, the Logs page can read from it).

use std::net::SocketAddr;
use std::path::Path;

use browser_harness::missing_prerequisites;
use gateway_sim::SimConfig;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};

/// A relay in front of `sim`, serving `dist`, with its archive in a new temporary folder
/// (returned: the archive lives as long as it does).
pub async fn relay_with_archive(
    dist: &Path,
    sim: SimConfig,
) -> anyhow::Result<(tempfile::TempDir, RunningRelay)> {
    let dir = tempfile::tempdir()?;
    let relay = tna_relay::start(RelayConfig {
        dist: Some(dist.to_path_buf()),
        archive: Some(format!(
            "sqlite://{}",
            dir.path().join("archive.db").display()
        )),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Demo(sim),
        )
    })
    .await?;
    Ok((dir, relay))
}

/// Fails when a browser benchmark cannot run here (no `dist/`, no Chromium or chromedriver),
/// naming what is missing.
pub fn require_browser(dist: &Path) -> anyhow::Result<()> {
    let missing = missing_prerequisites(dist);
    if !missing.is_empty() {
        anyhow::bail!(
            "cannot run the browser benchmark, missing: {}",
            missing.join("; ")
        );
    }
    Ok(())
}
