//! `gateway-sim`: runs the G-SDK gateway emulator from the command line (argument parsing only;
//! everything else lives in the library).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Parser;
use gateway_sim::{Gateway, SimConfig, Workforce, generate_tls, start};

/// G-SDK device gateway emulator with simulated BioStar T&A devices.
#[derive(Debug, Parser)]
#[command(name = "gateway-sim", version)]
struct Args {
    /// Address to serve gRPC on (the real gateway uses port 4000).
    #[arg(long, default_value = "127.0.0.1:4000")]
    listen: SocketAddr,
    /// Number of simulated devices.
    #[arg(long, default_value_t = 50)]
    devices: u32,
    /// Historical log records per T&A device: each device keeps the newest this many of the
    /// workforce's past punches (fewer if three years of history hold fewer).
    #[arg(long, default_value_t = 10_000)]
    logs_per_device: u32,
    /// People at the site (the workforce); default: six per device, or more so each device's
    /// log fills within about a year of history.
    #[arg(long)]
    people: Option<u32>,
    /// Chance, in percent, that a person's working day has a mistake (a missed OUT, a double
    /// IN, a wrong key).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=100))]
    mistake_percent: u32,
    /// Seed of all generated data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// ID of the first device; give a second emulated site its own range (e.g. 550000001).
    #[arg(long, default_value_t = gateway_sim::FIRST_DEVICE_ID)]
    first_device_id: u32,
    /// The site's time zone, an IANA name (`Europe/Berlin`): devices get its standard offset and
    /// this year's DST schedules, a few (by seed) a wrong offset, none or last year's.
    #[arg(long)]
    zone: Option<String>,
    /// Generate a CA and server certificate in this directory and serve TLS (plaintext without).
    #[arg(long)]
    tls_dir: Option<PathBuf>,
    /// How often (ms) the live generator records the workforce's punches whose planned time has
    /// come; 0 disables it.
    #[arg(long, default_value_t = 2_000)]
    punch_interval_ms: u64,
    /// Start with this device disconnected (repeatable).
    #[arg(long = "offline", value_name = "ID")]
    offline: Vec<u32>,
    /// Delay every call on a device: `ID:MS` (repeatable).
    #[arg(long = "slow", value_name = "ID:MS", value_parser = parse_slow)]
    slow: Vec<(u32, u64)>,
    /// Make TNA SetConfig fail on this device (repeatable).
    #[arg(long = "fail-set-config", value_name = "ID")]
    fail_set_config: Vec<u32>,
}

fn parse_slow(s: &str) -> Result<(u32, u64), String> {
    let (id, ms) = s
        .split_once(':')
        .ok_or_else(|| format!("expected ID:MS, got {s:?}"))?;
    let id = id
        .parse()
        .map_err(|e| format!("bad device ID {id:?}: {e}"))?;
    let ms = ms
        .parse()
        .map_err(|e| format!("bad milliseconds {ms:?}: {e}"))?;
    Ok((id, ms))
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();

    let cfg = SimConfig {
        devices: args.devices,
        logs_per_device: args.logs_per_device,
        seed: args.seed,
        punch_interval: (args.punch_interval_ms > 0)
            .then(|| Duration::from_millis(args.punch_interval_ms)),
        first_device_id: args.first_device_id,
        zone: args.zone.clone(),
    };
    let workforce = Workforce {
        people: args.people,
        mistake_percent: args.mistake_percent,
    };
    let started = std::time::Instant::now();
    let gateway = Gateway::with_workforce(cfg, workforce);
    tracing::info!(
        people = gateway.plan().people().len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "site and history generated"
    );
    if let Some(zone) = &args.zone
        && gateway.site_zone().is_none()
    {
        anyhow::bail!("--zone {zone:?} is not a time zone of the tz database (e.g. Europe/Berlin)");
    }
    let known = gateway.device_ids();
    let check = |id: u32| -> Result<()> {
        if !known.contains(&id) {
            let first = known
                .first()
                .map_or_else(|| "none".to_owned(), u32::to_string);
            bail!("device {id} does not exist (the first device is {first})");
        }
        Ok(())
    };
    for &id in &args.offline {
        check(id)?;
        gateway.set_offline(id, true);
    }
    for &(id, ms) in &args.slow {
        check(id)?;
        gateway.set_latency(id, Duration::from_millis(ms));
    }
    for &id in &args.fail_set_config {
        check(id)?;
        gateway.fail_set_config(id, true);
    }

    let tls = match &args.tls_dir {
        Some(dir) => {
            let material = generate_tls(Some(dir)).context("generating TLS certificates")?;
            println!("CA certificate: {}", dir.join("ca.crt").display());
            Some(material)
        }
        None => None,
    };
    let running = start(gateway, args.listen, tls.as_ref()).await?;
    println!(
        "gateway-sim listening on {} ({}), {} devices; Ctrl-C to stop",
        running.addr,
        if tls.is_some() { "TLS" } else { "plaintext" },
        known.len()
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    running.shutdown().await;
    Ok(())
}
