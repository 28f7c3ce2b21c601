//! The `tna-relay` command line. Everything else lives in the library.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tna_relay::auth::Auth;
use tna_relay::config_file::{ConfigFile, MAX_TIMEOUT_SECS};
use tna_relay::logging::LogFormat;
use tna_relay::tls::TlsFiles;
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig};
use tna_types::Role;

/// Serves the tna-console and relays its requests to a Suprema G-SDK device gateway.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// A TOML config file with any of the settings below (see deploy/tna-relay.toml). A flag or
    /// environment variable wins over the file.
    #[arg(long, env = "TNA_RELAY_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on for browsers and scripts [default: 127.0.0.1:8080].
    #[arg(long, env = "TNA_RELAY_LISTEN")]
    listen: Option<SocketAddr>,
    /// Serve the console from this directory (e.g. `dist` after `cargo xtask dist`) instead of the
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
    /// Emulated sites in demo mode, each its own gateway: 1 (HQ) or 2 (HQ and a smaller
    /// Warehouse).
    #[arg(long, default_value_t = 2, requires = "demo", value_parser = clap::value_parser!(u8).range(1..=2))]
    demo_sites: u8,
    /// The device gateway: `https://host:4000` (TLS, the real gateway) or `http://host:port`
    /// (plaintext, a local emulator). Replaces the config file's gateways; for several sites
    /// use [[gateway]] sections in --config.
    #[arg(long, env = "TNA_RELAY_GATEWAY")]
    gateway: Option<String>,
    /// The gateway's root CA certificate (PEM; `ca.crt` made by `device-gateway -c`); also used
    /// for a [[gateway]] of the config file that names none.
    #[arg(long, env = "TNA_RELAY_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// The site name shown with the devices of --gateway (a [[gateway]] section's `name`).
    #[arg(
        long,
        env = "TNA_RELAY_SITE",
        requires = "gateway",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    site: Option<String>,
    /// Deadline of one gateway call in seconds, 1 to 300 (a [[gateway]] section's
    /// `timeout_secs`): for --gateway, and for the config file's gateways that set none
    /// [default: 12].
    #[arg(
        long,
        env = "TNA_RELAY_GATEWAY_TIMEOUT",
        value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS),
        conflicts_with = "demo"
    )]
    gateway_timeout: Option<u64>,
    /// The IANA time zone of the site of --gateway (a [[gateway]] section's `time_zone`), e.g.
    /// Europe/Berlin: timecard days follow it, devices carry it. Without one the site is in UTC
    /// (said at start).
    #[arg(
        long,
        env = "TNA_RELAY_TIME_ZONE",
        requires = "gateway",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    time_zone: Option<String>,
    /// The accounts file (argon2 password hashes, roles, enrolled kiosks). Created on first
    /// start with an `admin` account whose password is printed once (or taken from
    /// TNA_ADMIN_PASSWORD). Keep it private: the relay writes it with mode 0600
    /// [default: tna-accounts.json].
    #[arg(long, env = "TNA_RELAY_ACCOUNTS")]
    accounts: Option<PathBuf>,
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
    /// The origin users reach the console at behind a TLS proxy (https://tna.example.com): page
    /// origins must equal it exactly, and when it is https the session cookie is Secure and
    /// __Host- prefixed and every response carries HSTS. Without it: the relay's own scheme and
    /// the Host the browser addressed.
    #[arg(long, env = "TNA_RELAY_PUBLIC_ORIGIN", value_name = "ORIGIN")]
    public_origin: Option<String>,
    /// A reverse proxy in front of the relay, as an address or CIDR block (10.0.0.0/8): from
    /// these peers the sign-in rate limit takes the client from X-Forwarded-For (the right-most
    /// address that is not a trusted proxy). Repeat, or comma-separate in the variable. Without
    /// one, X-Forwarded-For is ignored and every client behind a proxy is the proxy.
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "TNA_RELAY_TRUSTED_PROXY",
        value_delimiter = ',',
        value_parser = tna_relay::config::parse_trusted_proxy
    )]
    trusted_proxies: Vec<ipnet::IpNet>,
    /// The log archive: `sqlite:///path/archive.db` (created when missing) or
    /// `postgres://user@host/db` (several relays may share one) [default: tna-archive.db in the
    /// accounts file's directory (the state directory); demo: a fresh file in the temp
    /// directory]. `--database` is the same option.
    #[arg(
        long,
        visible_alias = "database",
        env = "TNA_RELAY_ARCHIVE",
        hide_env_values = true
    )]
    archive: Option<String>,
    /// How log lines are written: `text` (one readable line each) or `json` (one JSON object per
    /// line for log shippers: timestamp, level, target, fields). RUST_LOG sets the levels.
    #[arg(
        long,
        env = "TNA_RELAY_LOG_FORMAT",
        default_value = "text",
        value_name = "text|json"
    )]
    log_format: LogFormat,
    /// A secret that lets a Prometheus scraper on another host read /metrics with
    /// `Authorization: Bearer <token>`. Without it /metrics answers only clients on this host
    /// (loopback, not through a reverse proxy).
    #[arg(long, env = "TNA_RELAY_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Let writes go ahead (with a logged warning) when the audit trail cannot be stored. By
    /// default such writes are refused with error -32009 and nothing is changed.
    #[arg(long, env = "TNA_RELAY_AUDIT_OPTIONAL")]
    audit_optional: bool,
    /// Minutes between reads of every device's users into the user directory (also at start,
    /// on `users.sync`, and when a log names a user the directory lacks) [default: 15].
    #[arg(long, env = "TNA_RELAY_USERS_REFRESH_MINUTES", value_name = "MINUTES",
          value_parser = clap::value_parser!(u64).range(1..=10_080))]
    users_refresh_minutes: Option<u64>,
    /// The first admin's password, used only when the accounts file has no account yet.
    #[arg(long, env = "TNA_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
}

/// The demo relay's visible account (accounts live in memory; nothing is written).
const DEMO_USER: &str = "demo";
const DEMO_PASSWORD: &str = "demo-console";
/// Where the relay listens unless told otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The demo sites' time zones.
const DEMO_HQ_ZONE: &str = "Europe/Berlin";
const DEMO_WAREHOUSE_ZONE: &str = "America/New_York";
/// Device IDs of the demo's second site start here (HQ's start at 540000001).
const WAREHOUSE_FIRST_DEVICE_ID: u32 = 550_000_001;
/// The log archive's file name unless told otherwise: a SQLite file next to the accounts file,
/// in the one directory the relay must be able to write (see [`default_archive`]).
const DEFAULT_ARCHIVE_FILE: &str = "tna-archive.db";
/// The accounts file unless told otherwise.
const DEFAULT_ACCOUNTS: &str = "tna-accounts.json";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into());
    tna_relay::logging::init(cli.log_format, &directives);
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line that says what to fix (the causes joined by ": ").
            eprintln!("tna-relay: {}", one_line(&e));
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let file = match &cli.config {
        Some(path) => ConfigFile::load(path)?,
        None => ConfigFile::default(),
    };
    let listen = match cli.listen.or(file.listen) {
        Some(addr) => addr,
        None => DEFAULT_LISTEN
            .parse()
            .context("the default listen address")?,
    };
    let accounts = cli
        .accounts
        .or(file.accounts)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ACCOUNTS));
    let tls = match (cli.tls_cert, cli.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => file.tls.map(|t| TlsFiles {
            cert: t.cert,
            key: t.key,
        }),
    };
    let allowed_origins = if cli.allow_origins.is_empty() {
        file.allow_origins
    } else {
        cli.allow_origins
    };
    let trusted_proxies = if cli.trusted_proxies.is_empty() {
        file.trusted_proxies
            .iter()
            .map(|p| tna_relay::config::parse_trusted_proxy(p))
            .collect::<Result<Vec<_>, _>>()
            .context("trusted_proxies in the config file")?
    } else {
        cli.trusted_proxies
    };
    let dist = cli.dist.or(file.dist);
    // The emulator's logs start afresh on every demo run: a fresh archive matches them (and
    // is removed at exit).
    let demo_archive = (cli.demo && cli.archive.is_none() && file.archive.is_none())
        .then(|| std::env::temp_dir().join(format!("tna-demo-archive-{}.db", std::process::id())));
    let archive = match (cli.archive.or(file.archive), &demo_archive) {
        (Some(url), _) => url,
        (None, Some(path)) => format!("sqlite://{}", path.display()),
        (None, None) => default_archive(&accounts),
    };
    let gateways = if cli.demo {
        demo_sites(cli.demo_devices, cli.demo_logs, cli.demo_sites)
    } else if let Some(url) = cli.gateway {
        vec![GatewaySite {
            name: cli.site,
            target: GatewayTarget::Remote {
                url,
                ca_cert: cli.ca_cert,
            },
            call_timeout: cli.gateway_timeout.map(Duration::from_secs),
            time_zone: cli.time_zone,
        }]
    } else if file.gateway.is_empty() {
        anyhow::bail!(
            "no gateway: give --gateway (or TNA_RELAY_GATEWAY, or [[gateway]] sections in --config), or --demo"
        );
    } else {
        file.gateway
            .into_iter()
            .map(|g| GatewaySite {
                name: g.name,
                target: GatewayTarget::Remote {
                    url: g.url,
                    ca_cert: g.ca_cert.or_else(|| cli.ca_cert.clone()),
                },
                call_timeout: g
                    .timeout_secs
                    .or(cli.gateway_timeout)
                    .map(Duration::from_secs),
                time_zone: g.time_zone,
            })
            .collect()
    };
    let (auth, sign_in_hint) = if cli.demo {
        let auth = Auth::in_memory();
        auth.create_account(DEMO_USER, DEMO_PASSWORD, Role::Admin)
            .context("create the demo account")?;
        let hint = format!("Demo relay: sign in as {DEMO_USER} / {DEMO_PASSWORD}.");
        println!("tna-relay: {hint}");
        (auth, Some(hint))
    } else {
        let auth = Auth::open(&accounts)
            .with_context(|| format!("cannot use the accounts file {}", accounts.display()))?;
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
    let users_refresh = match cli.users_refresh_minutes.or(file.users_refresh_minutes) {
        Some(0) => anyhow::bail!("users_refresh_minutes must be at least 1"),
        Some(m) => std::time::Duration::from_secs(m.saturating_mul(60)),
        None => tna_relay::users::DEFAULT_USERS_REFRESH,
    };
    let relay = tna_relay::start(RelayConfig {
        dist,
        auth: Some(auth),
        sign_in_hint,
        tls,
        allowed_origins,
        public_origin: cli.public_origin.or(file.public_origin),
        trusted_proxies,
        archive: Some(archive),
        metrics_token: cli.metrics_token,
        audit_optional: cli.audit_optional,
        users_refresh,
        ..RelayConfig::with_sites(listen, gateways)
    })
    .await?;
    if cli.demo {
        relay.name_demo_devices().await;
    }
    println!("tna-relay: console at {}", relay.url());
    stop_signal().await?;
    println!("tna-relay: shutting down");
    relay.shutdown().await;
    if let Some(path) = demo_archive {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    Ok(())
}

/// The default archive: [`DEFAULT_ARCHIVE_FILE`] in the accounts file's directory. A service
/// runs with `/` (or another read-only directory) as its working directory and may write only
/// its state directory, where the accounts file is; an archive beside it is writable and lives
/// on the same volume.
fn default_archive(accounts: &Path) -> String {
    let file = accounts.parent().map_or_else(
        || PathBuf::from(DEFAULT_ARCHIVE_FILE),
        |dir| dir.join(DEFAULT_ARCHIVE_FILE),
    );
    if file.is_absolute() {
        // `sqlite://` + `/var/lib/…` = `sqlite:///var/lib/…`
        format!("sqlite://{}", file.display())
    } else {
        format!("sqlite:{}", file.display())
    }
}

/// An error and its causes in one line, joined by ": ", leaving out a cause whose text the line
/// already holds (an error that prints its source as well as returning it).
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// The demo's emulated sites: HQ (Europe/Berlin) with `--demo-devices` devices and, unless
/// `--demo-sites 1`, a smaller Warehouse (America/New_York) behind its own gateway with its own
/// device ID range. Two real zones with different DST dates.
fn demo_sites(devices: u32, logs_per_device: u32, count: u8) -> Vec<GatewaySite> {
    // Each emulator's devices carry its site's zone (a few, by seed, set wrong).
    let sim = |devices, seed, first_device_id, zone: &str| {
        GatewayTarget::Demo(gateway_sim::SimConfig {
            devices,
            logs_per_device,
            seed,
            punch_interval: Some(Duration::from_secs(2)),
            first_device_id,
            zone: Some(zone.to_string()),
        })
    };
    let mut sites = vec![
        GatewaySite::named(
            "HQ",
            sim(devices, 1, gateway_sim::FIRST_DEVICE_ID, DEMO_HQ_ZONE),
        )
        .in_zone(DEMO_HQ_ZONE),
    ];
    if count > 1 {
        sites.push(
            GatewaySite::named(
                "Warehouse",
                sim(
                    devices.div_ceil(5).max(3),
                    2,
                    WAREHOUSE_FIRST_DEVICE_ID,
                    DEMO_WAREHOUSE_ZONE,
                ),
            )
            .in_zone(DEMO_WAREHOUSE_ZONE),
        );
    }
    sites
}

/// Ctrl-C, or SIGTERM (systemctl stop, docker stop): either stops the relay gracefully.
async fn stop_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_archive_lives_beside_the_accounts_file() {
        assert_eq!(
            default_archive(Path::new("/var/lib/tna-relay/accounts.json")),
            "sqlite:///var/lib/tna-relay/tna-archive.db"
        );
        assert_eq!(
            default_archive(Path::new("state/accounts.json")),
            "sqlite:state/tna-archive.db"
        );
        assert_eq!(
            default_archive(Path::new(DEFAULT_ACCOUNTS)),
            "sqlite:tna-archive.db"
        );
    }

    #[test]
    fn a_cause_already_in_the_line_is_not_repeated() {
        #[derive(Debug, thiserror::Error)]
        #[error("the log archive: {0}")]
        struct Outer(#[from] std::io::Error);
        let inner = std::io::Error::other("unable to open database file");
        let e = anyhow::Error::from(Outer::from(inner)).context("cannot start");
        assert_eq!(
            one_line(&e),
            "cannot start: the log archive: unable to open database file"
        );
        let plain = anyhow::anyhow!("inner").context("outer");
        assert_eq!(one_line(&plain), "outer: inner");
    }
}
