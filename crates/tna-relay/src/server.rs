//! The HTTP side: router, start, graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::IntoResponse;
use axum::routing::get;
use tna_types::limits::MAX_FRAME_BYTES;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{GatewayTarget, RelayConfig};
use crate::dispatch::AppState;
use crate::fanout::Fanout;
use crate::gsdk::{ClientError, GatewayClient};
use crate::{assets, session};

/// Frames larger than this close the socket; frames up to it but over [`MAX_FRAME_BYTES`] are
/// answered with a `limitExceeded` error, which is friendlier than a dropped connection.
const MAX_WS_MESSAGE_BYTES: usize = MAX_FRAME_BYTES * 4;

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The listen address is taken or not allowed.
    #[error(
        "cannot listen on {addr}: {source} (is another relay running? choose another --listen)"
    )]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The CA certificate file could not be read.
    #[error("cannot read the gateway CA certificate {path:?}: {source}")]
    CaCert {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The gateway client could not be set up.
    #[error(transparent)]
    Gateway(#[from] ClientError),
    /// The in-process demo gateway could not start.
    #[error("the demo gateway could not start: {0}")]
    Demo(#[from] gateway_sim::SimError),
    /// Any other I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A running relay. Dropping it does not stop it; call [`RunningRelay::shutdown`].
pub struct RunningRelay {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    kick: watch::Sender<u64>,
    fanout: Fanout,
    server: JoinHandle<()>,
    demo: Option<gateway_sim::RunningGateway>,
}

impl RunningRelay {
    /// The address the relay listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The console's URL.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The in-process demo gateway, when started with [`GatewayTarget::Demo`] (tests use it to
    /// inject faults).
    pub fn demo_gateway(&self) -> Option<&gateway_sim::Gateway> {
        self.demo.as_ref().map(|d| &d.gateway)
    }

    /// Closes every open WebSocket now (the relay keeps running and accepts new ones): lets tests
    /// break the browser's connection.
    pub fn close_sockets(&self) {
        self.kick.send_modify(|k| *k += 1);
    }

    /// Number of live-event subscriptions (for tests).
    pub fn event_subscriptions(&self) -> usize {
        self.fanout.subscriptions()
    }

    /// Stops accepting, closes every socket, stops the demo gateway, and waits for all of it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        if let Some(demo) = self.demo {
            demo.shutdown().await;
        }
    }
}

/// Starts the relay: the gateway client (and the demo gateway if asked), then the HTTP server.
pub async fn start(cfg: RelayConfig) -> Result<RunningRelay, RelayError> {
    let (gateway, demo) = match cfg.gateway {
        GatewayTarget::Demo(sim) => {
            let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
            let running =
                gateway_sim::start(gateway_sim::Gateway::new(sim), loopback, None).await?;
            let client = GatewayClient::new(&format!("http://{}", running.addr), None)?;
            (client, Some(running))
        }
        GatewayTarget::Remote { url, ca_cert } => {
            let ca = match ca_cert {
                Some(path) => Some(
                    std::fs::read_to_string(&path)
                        .map_err(|source| RelayError::CaCert { path, source })?,
                ),
                None => None,
            };
            (GatewayClient::new(&url, ca.as_deref())?, None)
        }
    };
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| RelayError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let (kick, kicked) = watch::channel(0u64);
    let fanout = Fanout::new(gateway.clone(), stopped.clone());
    let app = router(
        AppState {
            gateway,
            fanout: fanout.clone(),
        },
        cfg.dist,
        stopped.clone(),
        kicked,
    );
    let mut stop_signal = stopped;
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop_signal.changed().await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "relay server failed");
        }
    });
    tracing::info!(%addr, "relay listening");
    Ok(RunningRelay {
        addr,
        stop,
        kick,
        fanout,
        server,
        demo,
    })
}

#[derive(Clone)]
struct HttpState {
    app: AppState,
    stopped: watch::Receiver<bool>,
    kicked: watch::Receiver<u64>,
}

fn router(
    app: AppState,
    dist: Option<PathBuf>,
    stopped: watch::Receiver<bool>,
    kicked: watch::Receiver<u64>,
) -> Router {
    let routes = Router::new()
        .route("/ws", get(ws_upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(HttpState {
            app,
            stopped,
            kicked,
        });
    assets::attach(routes, dist)
}

async fn ws_upgrade(State(state): State<HttpState>, ws: WebSocketUpgrade) -> impl IntoResponse {
    ws.max_message_size(MAX_WS_MESSAGE_BYTES)
        .on_upgrade(move |socket| session::run(socket, state.app, state.stopped, state.kicked))
}
