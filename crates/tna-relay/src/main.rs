//! The `tna-relay` command line. Everything else lives in the library.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tna_relay::auth::Auth;
use tna_relay::tls::TlsFiles;
use tna_relay::{GatewayTarget, RelayConfig};
use tna_types::Role;

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
    /// The accounts file (argon2 password hashes, roles, enrolled kiosks). Created on first
    /// start with an `admin` account whose password is printed once (or taken from
    /// TNA_ADMIN_PASSWORD). Keep it private: the relay writes it with mode 0600.
    #[arg(long, env = "TNA_RELAY_ACCOUNTS", default_value = "tna-accounts.json")]
    accounts: PathBuf,
    /// Serve HTTPS (and wss://) with this PEM certificate chain; needs --tls-key.
    #[arg(long, env = "TNA_RELAY_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "TNA_RELAY_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Another origin whose pages may use this relay (e.g. https://intranet.example), besides
    /// pages the relay serves itself. Repeat, or comma-separate in the variable.
    #[arg(
        long = "allow-origin",
        env = "TNA_RELAY_ALLOW_ORIGINS",
        value_delimiter = ','
    )]
    allow_origins: Vec<String>,
    /// The first admin's password, used only when the accounts file has no account yet.
    #[arg(long, env = "TNA_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

/// The demo relay's visible account (accounts live in memory; nothing is written).
const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo-console";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tna_relay::logging::log_filter(&directives))
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
    let (auth, sign_in_hint) = if cli.demo {
        let auth = Auth::in_memory();
        auth.create_account(DEMO_USER, DEMO_PASSWORD, Role::Admin)
            .context("create the demo account")?;
        let hint = format!("Demo relay: sign in as {DEMO_USER} / {DEMO_PASSWORD}.");
        println!("tna-relay: {hint}");
        (auth, Some(hint))
    } else {
        let auth = Auth::open(&cli.accounts)
            .with_context(|| format!("cannot use the accounts file {}", cli.accounts.display()))?;
        if let Some(generated) = auth
            .ensure_admin(cli.admin_password.as_deref())
            .context("create the first admin")?
        {
            // Printed once, to the operator's terminal only (never to the log).
            println!(
                "tna-relay: created account `admin` with the one-time password {generated}\n\
                 tna-relay: sign in and set a new password under Accounts."
            );
        }
        (auth, None)
    };
    let relay = tna_relay::start(RelayConfig {
        listen: cli.listen,
        dist: cli.dist,
        gateway,
        auth: Some(auth),
        sign_in_hint,
        tls: cli
            .tls_cert
            .zip(cli.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key }),
        allowed_origins: cli.allow_origins,
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
