//! Shared by the relay's integration tests: the gateway emulator and a relay in front of it,
//! both on free loopback ports.

use std::net::SocketAddr;

use gateway_sim::{Gateway, RunningGateway, SimConfig};
use tna_relay::auth::Auth;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};

/// `sim` served by the emulator over plain TCP, and a relay using it (`auth` as given).
pub async fn sim_and_relay(
    sim: SimConfig,
    auth: Option<Auth>,
    sign_in_hint: Option<String>,
) -> (RunningGateway, RunningRelay) {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(Gateway::new(sim), loopback, None)
        .await
        .expect("the gateway emulator starts");
    let relay = tna_relay::start(RelayConfig {
        listen: loopback,
        dist: None,
        gateway: GatewayTarget::Remote {
            url: format!("http://{}", gateway.addr),
            ca_cert: None,
        },
        auth,
        sign_in_hint,
        tls: None,
        allowed_origins: Vec::new(),
    })
    .await
    .expect("the relay starts");
    (gateway, relay)
}
