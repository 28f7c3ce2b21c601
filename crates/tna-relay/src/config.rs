//! What the relay needs to start.

use std::net::SocketAddr;
use std::path::PathBuf;

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

/// The relay's configuration.
#[derive(Clone)]
pub struct RelayConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Serve the console from this directory instead of the embedded copy.
    pub dist: Option<PathBuf>,
    /// The gateway.
    pub gateway: GatewayTarget,
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
}

impl RelayConfig {
    /// A relay on `listen` in front of `gateway`: the embedded console, no sign-in, plain HTTP,
    /// only its own origin. Set the other fields with struct update syntax
    /// (`RelayConfig { dist: Some(dir), ..RelayConfig::new(listen, gateway) }`).
    pub fn new(listen: SocketAddr, gateway: GatewayTarget) -> Self {
        RelayConfig {
            listen,
            dist: None,
            gateway,
            auth: None,
            sign_in_hint: None,
            tls: None,
            allowed_origins: Vec::new(),
        }
    }
}

impl std::fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayConfig")
            .field("listen", &self.listen)
            .field("dist", &self.dist)
            .field("gateway", &self.gateway)
            .field("sign_in", &self.auth.is_some())
            .field("tls", &self.tls)
            .field("allowed_origins", &self.allowed_origins)
            .finish_non_exhaustive()
    }
}
