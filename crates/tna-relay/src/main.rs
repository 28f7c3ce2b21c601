//! The `tna-relay` command line. Everything else lives in the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tna_relay::{GatewayTarget, RelayConfig};

/// Serves the tna-console and relays its requests to a Suprema G-SDK device gateway.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Address to listen on for browsers and scripts.
    #[arg(long, env = "TNA_RELAY_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Serve the console from this directory (e.g. `dist` after `trunk build`) instead of the
    /// copy embedded in the binary.
    #[arg(long, env = "TNA_RELAY_DIST")]
    dist: Option<PathBuf>,
    /// Start the gateway emulator in-process with sample devices and use it (no hardware needed).
    #[arg(long, conflicts_with_all = ["gateway", "ca_cert"])]
    demo: bool,
    /// Simulated devices in demo mode.
    #[arg(long, default_value_t = 50, requires = "demo")]
    demo_devices: u32,
    /// T&A logs per simulated device in demo mode.
    #[arg(long, default_value_t = 10_000, requires = "demo")]
    demo_logs: u32,
    /// The device gateway: `https://host:4000` (TLS, the real gateway) or `http://host:port`
    /// (plaintext, a local emulator).
    #[arg(long, env = "TNA_RELAY_GATEWAY", required_unless_present = "demo")]
    gateway: Option<String>,
    /// The gateway's root CA certificate (PEM; `ca.crt` made by `device-gateway -c`).
    #[arg(long, env = "TNA_RELAY_CA_CERT")]
    ca_cert: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let gateway = if cli.demo {
        GatewayTarget::Demo(gateway_sim::SimConfig {
            devices: cli.demo_devices,
            logs_per_device: cli.demo_logs,
            seed: 1,
            punch_interval: Some(Duration::from_secs(2)),
        })
    } else {
        GatewayTarget::Remote {
            url: cli
                .gateway
                .context("--gateway is required without --demo")?,
            ca_cert: cli.ca_cert,
        }
    };
    let relay = tna_relay::start(RelayConfig {
        listen: cli.listen,
        dist: cli.dist,
        gateway,
    })
    .await?;
    println!("tna-relay: console at {}", relay.url());
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    println!("tna-relay: shutting down");
    relay.shutdown().await;
    Ok(())
}
