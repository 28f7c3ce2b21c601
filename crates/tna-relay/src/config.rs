//! What the relay needs to start.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the relay's gateway is.
#[derive(Debug, Clone)]
pub enum GatewayTarget {
    /// Start the gateway emulator in-process on a free loopback port (the demo default).
    Demo(gateway_sim::SimConfig),
    /// A real (or separately started) G-SDK device gateway.
    Remote {
        /// `https://host:4000` (TLS, verified against `ca_cert`) or `http://host:port` (plaintext,
        /// for a local emulator only).
        url: String,
        /// PEM file of the gateway's root CA (`ca.crt` made by `device-gateway -c`).
        ca_cert: Option<PathBuf>,
    },
}

/// One gateway and the site it serves.
#[derive(Debug, Clone)]
pub struct GatewaySite {
    /// The site's name, shown with its devices. Required when there are several gateways.
    pub name: Option<String>,
    /// Where the gateway is.
    pub target: GatewayTarget,
    /// Deadline of a call to it (default [`crate::gsdk::CALL_TIMEOUT`]): raise it for a site
    /// behind a slow link.
    pub call_timeout: Option<Duration>,
    /// The site's IANA time zone (`Europe/Berlin`), checked at start. `None`: no zone set, the
    /// site is in UTC (the relay says so at start).
    pub time_zone: Option<String>,
}

impl GatewaySite {
    /// A gateway without a site name (a relay with one gateway).
    pub fn unnamed(target: GatewayTarget) -> Self {
        GatewaySite {
            name: None,
            target,
            call_timeout: None,
            time_zone: None,
        }
    }

    /// A gateway serving site `name`.
    pub fn named(name: impl Into<String>, target: GatewayTarget) -> Self {
        GatewaySite {
            name: Some(name.into()),
            target,
            call_timeout: None,
            time_zone: None,
        }
    }

    /// The same site in IANA time zone `zone`.
    pub fn in_zone(self, zone: impl Into<String>) -> Self {
        GatewaySite {
            time_zone: Some(zone.into()),
            ..self
        }
    }
}

/// The relay's configuration.
#[derive(Clone)]
pub struct RelayConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Serve the console from this directory instead of the embedded copy.
    pub dist: Option<PathBuf>,
    /// The gateways, one per site (at least one; each named when there are several, and every
    /// device ID must be behind only one of them).
    pub gateways: Vec<GatewaySite>,
    /// Accounts and sessions: every page and request needs a signed-in user with the right
    /// role. `None` opens everything to everyone (library use and tests only; the `tna-relay`
    /// binary always signs in).
    pub auth: Option<crate::auth::Auth>,
    /// Text for the sign-in page (a demo relay names its demo account).
    pub sign_in_hint: Option<String>,
    /// Serve HTTPS (and `wss://`) with this certificate and key instead of plain HTTP.
    pub tls: Option<crate::tls::TlsFiles>,
    /// Other origins whose pages may open `/ws` and sign in (`https://intranet.example`), besides
    /// pages served by the relay itself.
    pub allowed_origins: Vec<String>,
    /// The origin users reach the console at behind a proxy (`https://tna.example.com`); see
    /// [`crate::origin`]. `None`: the relay's own scheme and the `Host` the browser addressed.
    pub public_origin: Option<String>,
    /// Reverse proxies (networks) in front of the relay: from these peers the sign-in rate
    /// limit takes the client from `X-Forwarded-For` (see [`crate::signin::client_ip`]).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The log archive's database (`sqlite:///path/archive.db` or `postgres://…`); `None` keeps
    /// no archive (library use and tests that do not need one).
    pub archive: Option<String>,
    /// A bearer token that lets a scraper on another host read `/metrics`; without one only
    /// loopback clients may (see [`crate::metrics::MetricsAccess`]).
    pub metrics_token: Option<String>,
    /// Writes go ahead (with a warning) when the audit trail cannot be stored; by default they
    /// are refused with `-32009` (see [`crate::audit`]).
    pub audit_optional: bool,
    /// Caps on open WebSockets (per session, per client address, in total; see
    /// [`crate::socket_caps`]); tests lower them.
    pub socket_caps: crate::socket_caps::Caps,
    /// How often the user directory reads every device's users again (see [`crate::users`];
    /// default [`crate::users::DEFAULT_USERS_REFRESH`]).
    pub users_refresh: std::time::Duration,
}

impl RelayConfig {
    /// A relay on `listen` in front of one unnamed `gateway`: the embedded console, no sign-in,
    /// plain HTTP, only its own origin. Set the other fields with struct update syntax
    /// (`RelayConfig { dist: Some(dir), ..RelayConfig::new(listen, gateway) }`).
    pub fn new(listen: SocketAddr, gateway: GatewayTarget) -> Self {
        Self::with_sites(listen, vec![GatewaySite::unnamed(gateway)])
    }

    /// A relay on `listen` in front of several gateways (sites), with the same defaults.
    pub fn with_sites(listen: SocketAddr, gateways: Vec<GatewaySite>) -> Self {
        RelayConfig {
            listen,
            dist: None,
            gateways,
            auth: None,
            sign_in_hint: None,
            tls: None,
            allowed_origins: Vec::new(),
            public_origin: None,
            trusted_proxies: Vec::new(),
            archive: None,
            metrics_token: None,
            audit_optional: false,
            socket_caps: crate::socket_caps::Caps::default(),
            users_refresh: crate::users::DEFAULT_USERS_REFRESH,
        }
    }
}

impl std::fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayConfig")
            .field("listen", &self.listen)
            .field("dist", &self.dist)
            .field("gateways", &self.gateways)
            .field("sign_in", &self.auth.is_some())
            .field("tls", &self.tls)
            .field("allowed_origins", &self.allowed_origins)
            .field("public_origin", &self.public_origin)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("archive", &self.archive.as_deref().map(redact_url))
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<set>"),
            )
            .finish_non_exhaustive()
    }
}

/// A database URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// A `--trusted-proxy` value that is neither an address nor a CIDR block.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0:?} is not a network: write an address (10.0.0.5) or a CIDR block (10.0.0.0/8, fd00::/8)"
)]
pub struct BadTrustedProxy(pub String);

/// A trusted proxy: a CIDR block (`10.0.0.0/8`), or one address (`10.0.0.5` = `10.0.0.5/32`).
pub fn parse_trusted_proxy(s: &str) -> Result<ipnet::IpNet, BadTrustedProxy> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| BadTrustedProxy(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_networks_or_addresses() {
        let net = |s: &str| parse_trusted_proxy(s).map(|n| n.to_string()).ok();
        assert_eq!(net("10.0.0.0/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(net(" 10.1.2.3/8 ").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(net("10.0.0.5").as_deref(), Some("10.0.0.5/32"));
        assert_eq!(net("fd00::/8").as_deref(), Some("fd00::/8"));
        assert_eq!(net("::1").as_deref(), Some("::1/128"));
        assert_eq!(net("10.0.0.0/33"), None);
        assert_eq!(net("proxy.example"), None);
        assert_eq!(net(""), None);
    }
}
