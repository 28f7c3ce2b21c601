//! The relay's TOML config file (`--config tna-relay.toml`). Every setting is also a flag and an
//! environment variable; a flag or variable wins over the file, the file over the default.
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! accounts = "/var/lib/tna-relay/accounts.json"
//! archive = "sqlite:///var/lib/tna-relay/archive.db"   # or postgres://relay@db-host/tna
//! public_origin = "https://tna.example.com"   # behind a TLS proxy: Secure cookies, HSTS
//! allow_origins = ["https://intranet.example"]
//! trusted_proxies = ["10.0.0.0/8"]   # reverse proxies whose X-Forwarded-For names the client
//! users_refresh_minutes = 15  # how often every device's users are read into the directory
//!
//! [tls]                       # optional: serve HTTPS
//! cert = "/etc/tna-relay/relay.crt"
//! key = "/etc/tna-relay/relay.key"
//!
//! [[gateway]]                 # one per site; each needs a name when there are several
//! name = "HQ"
//! url = "https://gateway-host:4000"
//! ca_cert = "/etc/tna-relay/gateway-ca.crt"
//! time_zone = "Europe/Berlin" # the site's IANA zone: timecard days, Device.zone
//!
//! [[gateway]]
//! name = "Warehouse"
//! url = "https://warehouse-gw:4000"
//! ca_cert = "/etc/tna-relay/warehouse-ca.crt"
//! timeout_secs = 20           # a slow link: longer call deadline (default 12)
//! time_zone = "America/New_York"
//! ```
//!
//! Unknown keys are errors, so a typo never silently falls back to a default. An unknown
//! `time_zone` is an error naming the site; a site without one is in UTC, and the relay says so
//! at start ("UTC, no zone set").

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The longest call deadline a `[[gateway]]` may set.
pub const MAX_TIMEOUT_SECS: u64 = 300;

/// The file's contents. Every field is optional: the command line may give it instead.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Address to listen on.
    pub listen: Option<SocketAddr>,
    /// The accounts file.
    pub accounts: Option<PathBuf>,
    /// The origin users reach the console at behind a proxy (`--public-origin`).
    pub public_origin: Option<String>,
    /// Other origins whose pages may use the relay.
    #[serde(default)]
    pub allow_origins: Vec<String>,
    /// Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Serve the console from this directory instead of the embedded copy.
    pub dist: Option<PathBuf>,
    /// The log archive's database URL (`sqlite:///var/lib/tna-relay/archive.db`,
    /// `postgres://…`).
    pub archive: Option<String>,
    /// Minutes between reads of every device's users (`--users-refresh-minutes`).
    pub users_refresh_minutes: Option<u64>,
    /// HTTPS for the relay itself.
    pub tls: Option<TlsSection>,
    /// The device gateways (`[[gateway]]`).
    #[serde(default)]
    pub gateway: Vec<GatewaySection>,
}

/// `[tls]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// One `[[gateway]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewaySection {
    /// The site it serves, shown with its devices (required when there are several).
    pub name: Option<String>,
    /// `https://host:4000` or `http://host:port`.
    pub url: String,
    /// The gateway's root CA certificate (PEM).
    pub ca_cert: Option<PathBuf>,
    /// Deadline of a call to this gateway, in seconds (default 12).
    pub timeout_secs: Option<u64>,
    /// The site's IANA time zone (`Europe/Berlin`); none: UTC, no zone set.
    pub time_zone: Option<String>,
}

/// Why the config file cannot be used; each says what to fix, in one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the config file {path:?}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or a key or value the relay does not know.
    #[error("config file {path:?}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The parser's message (names the key and line).
        message: String,
    },
    /// A `[[gateway]]` value that cannot be used.
    #[error("config file {path:?}: gateway {index}: {message}")]
    Gateway {
        /// The file.
        path: PathBuf,
        /// Which `[[gateway]]`, from 1.
        index: usize,
        /// What to fix.
        message: String,
    },
}

impl ConfigFile {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses `text` (from `path`, for messages).
    pub fn parse(text: &str, path: &Path) -> Result<ConfigFile, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            // toml's message spans several lines (with the source excerpt): keep it on one.
            message: e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        })?;
        let several = file.gateway.len() > 1;
        let mut names = std::collections::HashSet::new();
        for (i, gw) in file.gateway.iter().enumerate() {
            let fail = |message: String| ConfigError::Gateway {
                path: path.to_path_buf(),
                index: i + 1,
                message,
            };
            match gw.name.as_deref().map(str::trim) {
                None | Some("") if several => {
                    return Err(fail(
                        "no name: with several [[gateway]] sections each needs name = \"…\" (the site shown with its devices)".into(),
                    ));
                }
                Some(name) if !names.insert(name.to_lowercase()) => {
                    return Err(fail(format!(
                        "the name {name:?} is used twice: give each site its own"
                    )));
                }
                _ => {}
            }
            if gw.timeout_secs == Some(0) || gw.timeout_secs.is_some_and(|t| t > MAX_TIMEOUT_SECS) {
                return Err(fail(format!(
                    "timeout_secs must be between 1 and {MAX_TIMEOUT_SECS}"
                )));
            }
            if let Some(zone) = &gw.time_zone {
                crate::zones::Zone::named(zone).map_err(|e| fail(format!("time_zone: {e}")))?;
            }
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse(text, Path::new("tna-relay.toml"))
    }

    #[test]
    fn a_full_file() {
        let f = parse(
            r#"
            listen = "0.0.0.0:8443"
            accounts = "/var/lib/tna-relay/accounts.json"
            allow_origins = ["https://intranet.example"]
            trusted_proxies = ["10.0.0.0/8"]
            [tls]
            cert = "/etc/r.crt"
            key = "/etc/r.key"
            [[gateway]]
            name = "HQ"
            url = "https://gw:4000"
            ca_cert = "/etc/ca.crt"
            time_zone = "Europe/Berlin"
            "#,
        )
        .expect("valid");
        assert_eq!(f.listen, "0.0.0.0:8443".parse().ok());
        assert_eq!(f.allow_origins, ["https://intranet.example"]);
        assert_eq!(f.trusted_proxies, ["10.0.0.0/8"]);
        assert_eq!(f.tls.map(|t| t.key), Some(PathBuf::from("/etc/r.key")));
        let gw = f.gateway.first().expect("gateway");
        assert_eq!(
            (gw.name.as_deref(), gw.url.as_str()),
            (Some("HQ"), "https://gw:4000")
        );
        assert_eq!(gw.time_zone.as_deref(), Some("Europe/Berlin"));
    }

    #[test]
    fn an_unknown_time_zone_names_its_gateway() {
        let e = parse(
            "[[gateway]]\nname = \"HQ\"\nurl = \"http://a:1\"\n[[gateway]]\nname = \"Depot\"\nurl = \"http://b:1\"\ntime_zone = \"Europe/Atlantis\"\n",
        )
        .expect_err("unknown zone");
        let msg = e.to_string();
        assert!(
            msg.contains("gateway 2: time_zone: unknown time zone \"Europe/Atlantis\""),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
        let none = parse("[[gateway]]\nurl = \"http://a:1\"\n").expect("no zone is fine");
        assert_eq!(none.gateway[0].time_zone, None);
    }

    #[test]
    fn empty_is_fine_and_mistakes_say_where() {
        assert_eq!(parse("").expect("empty"), ConfigFile::default());
        let typo = parse("listn = \"0.0.0.0:80\"").expect_err("unknown key");
        let msg = typo.to_string();
        assert!(msg.contains("listn") && !msg.contains('\n'), "{msg}");
        let bad = parse("listen = \"not an address\"").expect_err("bad address");
        assert!(bad.to_string().contains("listen"), "{bad}");
        let unnamed =
            parse("[[gateway]]\nurl = \"http://a:1\"\n[[gateway]]\nurl = \"http://b:1\"\n")
                .expect_err("two unnamed gateways");
        assert!(
            unnamed.to_string().contains("gateway 1: no name"),
            "{unnamed}"
        );
        let twice = parse(
            "[[gateway]]\nname = \"HQ\"\nurl = \"http://a:1\"\n[[gateway]]\nname = \"hq\"\nurl = \"http://b:1\"\n",
        )
        .expect_err("one name twice");
        assert!(
            twice
                .to_string()
                .contains("gateway 2: the name \"hq\" is used twice"),
            "{twice}"
        );
        let slow =
            parse("[[gateway]]\nurl = \"http://a:1\"\ntimeout_secs = 0\n").expect_err("zero");
        assert!(slow.to_string().contains("timeout_secs"), "{slow}");
        let two = parse(
            "[[gateway]]\nname = \"HQ\"\nurl = \"http://a:1\"\n[[gateway]]\nname = \"Warehouse\"\nurl = \"http://b:1\"\ntimeout_secs = 20\n",
        )
        .expect("two named gateways");
        assert_eq!(two.gateway.len(), 2);
        assert_eq!(two.gateway[1].timeout_secs, Some(20));
        let missing =
            ConfigFile::load(Path::new("/nonexistent/tna-relay.toml")).expect_err("missing");
        assert!(
            missing.to_string().contains("/nonexistent/tna-relay.toml"),
            "{missing}"
        );
    }
}
