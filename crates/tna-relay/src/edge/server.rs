//! The HTTP side: router, start, graceful shutdown.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use tna_types::limits::MAX_FRAME_BYTES;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::{GatewaySite, GatewayTarget, RelayConfig};
use crate::dispatch::AppState;
use crate::fanout::Fanout;
use crate::gateways::{Gateways, SiteSpec};
use crate::gsdk::{ClientError, GatewayClient};
use crate::metrics::{Metrics, MetricsAccess, SignInFailure};
use crate::origin::OriginPolicy;
use crate::status::StatusHub;
use crate::sync::Syncer;
use crate::tls::{self, TlsListener};
use crate::zones::Zone;
use crate::{assets, session, signin};

/// Frames larger than this close the socket; frames up to it but over [`MAX_FRAME_BYTES`] are
/// answered with a `limitExceeded` error, which is friendlier than a dropped connection.
const MAX_WS_MESSAGE_BYTES: usize = MAX_FRAME_BYTES * 4;

/// Per-socket read and write buffers. tungstenite's default is 128 KiB each, 128 MB for 500
/// sockets; frames here are small (a large one still fits: the buffer grows for it).
const WS_BUFFER_BYTES: usize = 8 * 1024;

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
    /// The relay's own certificate or key cannot be used.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// The gateway list cannot be served as given.
    #[error("{0}")]
    Sites(String),
    /// A site's time zone is not one the time zone database knows.
    #[error("the time zone of {site}: {message}")]
    TimeZone {
        /// "site HQ", or "the gateway" for a lone unnamed one.
        site: String,
        /// What is wrong.
        message: String,
    },
    /// The log archive could not be opened.
    #[error("the log archive: {0}")]
    Archive(#[from] tna_archive::ArchiveError),
    /// `--public-origin` or an `--allow-origin` is not an origin.
    #[error(transparent)]
    Origin(#[from] crate::origin::BadOrigin),
    /// Any other I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A running relay. Dropping it does not stop it; call [`RunningRelay::shutdown`].
pub struct RunningRelay {
    addr: SocketAddr,
    https: bool,
    stop: watch::Sender<bool>,
    kick: watch::Sender<u64>,
    fanout: Fanout,
    status: StatusHub,
    server: JoinHandle<()>,
    demo: Vec<gateway_sim::RunningGateway>,
    /// The site name of each demo gateway, in the order of `demo`.
    demo_sites: Vec<Option<String>>,
    sync: Option<Syncer>,
}

impl RunningRelay {
    /// The address the relay listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The console's URL.
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }

    /// The first in-process demo gateway, when started with [`GatewayTarget::Demo`] (tests use
    /// it to inject faults).
    pub fn demo_gateway(&self) -> Option<&gateway_sim::Gateway> {
        self.demo.first().map(|d| &d.gateway)
    }

    /// Names the demo's devices (see [`crate::device_info::name_demo_devices`]); the `tna-relay
    /// --demo` binary calls it so the console shows named places, tests do not.
    pub async fn name_demo_devices(&self) {
        let Some(sync) = &self.sync else { return };
        let mut devices = Vec::new();
        for (site, demo) in self.demo_sites.iter().zip(&self.demo) {
            let gw = &demo.gateway;
            for id in gw.device_ids() {
                let entrance = gw
                    .tna_config(id)
                    .is_some_and(|c| c.mode == gsdk_proto::tna::Mode::Fixed as i32);
                devices.push((site.clone(), id, entrance));
            }
        }
        crate::device_info::name_demo_devices(sync, &devices).await;
    }

    /// Every in-process demo gateway, in config order.
    pub fn demo_gateways(&self) -> Vec<&gateway_sim::Gateway> {
        self.demo.iter().map(|d| &d.gateway).collect()
    }

    /// Closes every open WebSocket now (the relay keeps running and accepts new ones): lets tests
    /// break the browser's connection.
    pub fn close_sockets(&self) {
        self.kick.send_modify(|k| *k += 1);
    }

    /// Waits until the device status stream to the gateway is open (at most `limit`); tests
    /// wait for it before they take a device offline.
    pub async fn status_stream_up(&self, limit: std::time::Duration) -> bool {
        self.status.wait_up(limit).await
    }

    /// The log archive and its sync, when the relay keeps one.
    pub fn archive(&self) -> Option<&Syncer> {
        self.sync.as_ref()
    }

    /// The user directory's reader, when the relay keeps an archive.
    pub fn directory(&self) -> Option<&crate::users::Directory> {
        self.sync.as_ref()?.directory()
    }

    /// Number of live-event subscriptions (for tests).
    pub fn event_subscriptions(&self) -> usize {
        self.fanout.subscriptions()
    }

    /// Devices the relay asked its gateways to monitor since it started (for tests).
    pub fn monitoring_calls(&self) -> u64 {
        self.fanout.monitoring_calls()
    }

    /// Stops accepting, closes every socket, stops the demo gateway, and waits for all of it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        if let Some(sync) = &self.sync {
            sync.archive().close().await;
        }
        for demo in self.demo {
            demo.shutdown().await;
        }
    }
}

/// Starts the relay: the gateway client (and the demo gateway if asked), then the HTTP server.
pub async fn start(cfg: RelayConfig) -> Result<RunningRelay, RelayError> {
    check_sites(&cfg.gateways)?;
    let metrics = Metrics::new();
    let zones = site_zones(&cfg.gateways)?;
    let mut sites = Vec::with_capacity(cfg.gateways.len());
    let mut demo = Vec::new();
    let mut demo_sites = Vec::new();
    for (site, zone) in cfg.gateways.into_iter().zip(zones) {
        let client = match site.target {
            GatewayTarget::Demo(sim) => {
                let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
                let running =
                    gateway_sim::start(gateway_sim::Gateway::new(sim), loopback, None).await?;
                let client = GatewayClient::new(&format!("http://{}", running.addr), None)?;
                demo.push(running);
                demo_sites.push(site.name.clone());
                client
            }
            GatewayTarget::Remote { url, ca_cert } => {
                let ca = match ca_cert {
                    Some(path) => Some(
                        std::fs::read_to_string(&path)
                            .map_err(|source| RelayError::CaCert { path, source })?,
                    ),
                    None => None,
                };
                GatewayClient::new(&url, ca.as_deref())?
            }
        };
        let client = match site.call_timeout {
            Some(t) => client.with_call_timeout(t),
            None => client,
        };
        let client = client.with_latency(metrics.call_latency(site.name.as_deref()));
        sites.push(SiteSpec {
            name: site.name,
            zone,
            client,
        });
    }
    let gateways = Gateways::with_zones(sites);
    let archive = match &cfg.archive {
        Some(url) => Some(tna_archive::Archive::open(url).await?),
        None => None,
    };
    let listener = TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| RelayError::Bind {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    let tls = cfg.tls.as_ref().map(tls::server_config).transpose()?;
    let https = tls.is_some();
    let origins = OriginPolicy::new(cfg.public_origin.as_deref(), &cfg.allowed_origins, https)?;
    let (stop, stopped) = watch::channel(false);
    let (kick, kicked) = watch::channel(0u64);
    let fanout = Fanout::new(gateways.clone(), stopped.clone());
    let status = StatusHub::start(gateways.clone(), stopped.clone());
    if let Some(archive) = &archive {
        crate::bridge::start(archive, &fanout, stopped.clone()).await;
    }
    let sync = archive.map(|archive| {
        Syncer::start(
            archive,
            gateways.clone(),
            fanout.clone(),
            status.clone(),
            metrics.clone(),
            stopped.clone(),
        )
    });
    if let Some(sync) = &sync {
        sync.tell_directory(crate::users::Directory::start(
            sync.archive().clone(),
            gateways.clone(),
            cfg.users_refresh,
            stopped.clone(),
        ));
    }
    let app = router(
        cfg.socket_caps,
        AppState {
            gateways,
            fanout: fanout.clone(),
            status: status.clone(),
            sync: sync.clone(),
            auth: cfg.auth,
            sign_in_hint: cfg.sign_in_hint,
            secure_cookies: origins.https(),
            metrics,
            audit: crate::audit::Audit::new(cfg.audit_optional),
            outbox_budget: crate::outbox::Budget::new(crate::outbox::MAX_RELAY_OUTBOX_BYTES),
            heavy: crate::heavy::HeavyQueries::new(
                crate::heavy::MAX_HEAVY_QUERIES,
                crate::heavy::HEAVY_QUERY_WAIT,
            ),
            read_ahead: crate::read_ahead::ReadAhead::default(),
        },
        MetricsAccess::new(cfg.metrics_token),
        origins,
        cfg.trusted_proxies,
        cfg.dist,
        stopped.clone(),
        kicked,
    );
    // The peer address (`ConnectInfo`) feeds the sign-in rate limit and the socket caps.
    let server = match tls {
        // TCP_NODELAY is set by the TLS listener itself.
        Some(config) => {
            let listener = TlsListener::new(listener, config)?;
            tokio::spawn(serve_http(listener, app, stopped))
        }
        // Responses are small frames written one by one: without TCP_NODELAY, Nagle's algorithm
        // and the client's delayed ACK hold every second frame of a burst for ~40 ms.
        None => {
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::debug!(error = %e, "TCP_NODELAY could not be set");
                }
            });
            tokio::spawn(serve_http(listener, app, stopped))
        }
    };
    tracing::info!(%addr, "relay listening");
    Ok(RunningRelay {
        addr,
        https,
        stop,
        kick,
        fanout,
        status,
        sync,
        server,
        demo,
        demo_sites,
    })
}

/// A client has this long to send a request's complete headers (from the connection's start, or
/// from the end of its previous request); then the connection is closed. A slowloris client
/// holds nothing longer.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves HTTP/1.1 (with upgrades: `/ws`) on `listener` until `stop` turns true, then lets open
/// connections finish (WebSockets close themselves on the same signal). Every connection gets
/// [`HEADER_READ_TIMEOUT`] (hyper's http1 builder with a timer; `axum::serve` sets none) and the
/// peer address as `ConnectInfo`. Plain TCP and TLS go through here alike.
async fn serve_http<L>(mut listener: L, app: Router, mut stop: watch::Receiver<bool>)
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                app.clone().oneshot(req)
            },
        );
        let conn = http
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        let mut stop = stop.clone();
        connections.spawn(async move {
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, %peer, "HTTP connection ended");
                    }
                    return;
                }
                _ = stop.changed() => conn.as_mut().graceful_shutdown(),
            }
            let _ = conn.await;
        });
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

/// At least one gateway; with several, each has a distinct, non-empty name.
/// Each site's zone, checked against the time zone database; a warning names every site that
/// has none (its days are computed in UTC, shown as such).
fn site_zones(sites: &[GatewaySite]) -> Result<Vec<Option<Zone>>, RelayError> {
    let label = |s: &GatewaySite| match &s.name {
        Some(name) => format!("site {name}"),
        None => "the gateway".to_string(),
    };
    let zones = sites
        .iter()
        .map(|s| {
            s.time_zone
                .as_deref()
                .map(Zone::named)
                .transpose()
                .map_err(|message| RelayError::TimeZone {
                    site: label(s),
                    message,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let unzoned: Vec<String> = sites
        .iter()
        .zip(&zones)
        .filter(|(_, z)| z.is_none())
        .map(|(s, _)| label(s))
        .collect();
    if !unzoned.is_empty() {
        tracing::warn!(
            "no time zone set for {}: UTC, no zone set (give time_zone = \"Area/City\" in its [[gateway]], or --time-zone)",
            unzoned.join(", ")
        );
    }
    Ok(zones)
}

fn check_sites(sites: &[GatewaySite]) -> Result<(), RelayError> {
    if sites.is_empty() {
        return Err(RelayError::Sites(
            "no gateway: give --gateway, a [[gateway]] in --config, or --demo".into(),
        ));
    }
    if sites.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        for (i, site) in sites.iter().enumerate() {
            match site.name.as_deref().map(str::trim) {
                None | Some("") => {
                    return Err(RelayError::Sites(format!(
                        "gateway {} of {} has no name: with several gateways each needs `name = \"…\"` (the site shown with its devices)",
                        i + 1,
                        sites.len()
                    )));
                }
                Some(name) => {
                    if !seen.insert(name.to_lowercase()) {
                        return Err(RelayError::Sites(format!(
                            "two gateways are named {name:?}: give each site its own name"
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}

#[derive(Clone)]
struct HttpState {
    app: AppState,
    /// Which pages may sign in and open `/ws`.
    origins: std::sync::Arc<OriginPolicy>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    trusted_proxies: std::sync::Arc<Vec<ipnet::IpNet>>,
    stopped: watch::Receiver<bool>,
    kicked: watch::Receiver<u64>,
    /// Who may read `/metrics`.
    metrics_access: MetricsAccess,
    /// Open sockets per session, per client and in total.
    socket_caps: crate::socket_caps::SocketCaps,
}

#[allow(clippy::too_many_arguments)]
fn router(
    socket_caps: crate::socket_caps::Caps,
    app: AppState,
    metrics_access: MetricsAccess,
    origins: OriginPolicy,
    trusted_proxies: Vec<ipnet::IpNet>,
    dist: Option<PathBuf>,
    stopped: watch::Receiver<bool>,
    kicked: watch::Receiver<u64>,
) -> Router {
    let frame_origins = origins.frame_ancestors();
    let hsts = origins.https();
    let routes = Router::new()
        .route("/ws", get(ws_upgrade))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_page))
        .route(
            "/api/session",
            get(|State(s): State<HttpState>, h: HeaderMap| {
                signin::whoami(s.app.auth, s.app.secure_cookies, s.app.sign_in_hint, h)
            })
            .post(
                |State(s): State<HttpState>,
                 h: HeaderMap,
                 ConnectInfo(peer): ConnectInfo<SocketAddr>,
                 body| async move {
                    if let Err(why) = s.origins.check(&h) {
                        return (StatusCode::FORBIDDEN, why).into_response();
                    }
                    let client = signin::client_ip(peer.ip(), &h, &s.trusted_proxies);
                    let resp =
                        signin::sign_in(s.app.auth, s.app.secure_cookies, client, body).await;
                    count_refusal(
                        &s.app.metrics,
                        resp.status(),
                        SignInFailure::PasswordRejected,
                        SignInFailure::PasswordRateLimited,
                    );
                    resp
                },
            )
            .delete(|State(s): State<HttpState>, h: HeaderMap| {
                signin::sign_out(s.app.auth, s.app.secure_cookies, h)
            }),
        )
        .route(
            "/api/kiosk/pair",
            post(
                |State(s): State<HttpState>,
                 h: HeaderMap,
                 ConnectInfo(peer): ConnectInfo<SocketAddr>,
                 body| async move {
                    if let Err(why) = s.origins.check(&h) {
                        return (StatusCode::FORBIDDEN, why).into_response();
                    }
                    let client = signin::client_ip(peer.ip(), &h, &s.trusted_proxies);
                    let resp = signin::pair(s.app.auth, s.app.secure_cookies, client, body).await;
                    count_refusal(
                        &s.app.metrics,
                        resp.status(),
                        SignInFailure::PairingRejected,
                        SignInFailure::PairingRateLimited,
                    );
                    resp
                },
            ),
        )
        .with_state(HttpState {
            app,
            origins: std::sync::Arc::new(origins),
            trusted_proxies: std::sync::Arc::new(trusted_proxies),
            stopped,
            kicked,
            metrics_access,
            socket_caps: crate::socket_caps::SocketCaps::new(socket_caps),
        });
    let routes = assets::attach(routes, dist, &frame_origins);
    if hsts {
        routes.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            crate::origin::HSTS,
        ))
    } else {
        routes
    }
}

/// Counts a refused sign-in or pairing by its HTTP status (401 wrong, 429 rate limited).
fn count_refusal(
    metrics: &Metrics,
    status: StatusCode,
    rejected: SignInFailure,
    limited: SignInFailure,
) {
    match status {
        StatusCode::UNAUTHORIZED => metrics.sign_in_failed(rejected),
        StatusCode::TOO_MANY_REQUESTS => metrics.sign_in_failed(limited),
        _ => {}
    }
}

/// `GET /readyz`: 200 when every gateway and the archive answer, 503 otherwise (see
/// [`crate::ready`]).
async fn readyz(State(state): State<HttpState>) -> axum::response::Response {
    let readiness = crate::ready::check(&state.app.gateways, state.app.sync.as_ref()).await;
    let code = if readiness.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(readiness)).into_response()
}

/// `GET /metrics`: every metric in the text format, for loopback clients or the bearer of
/// `--metrics-token` (see [`crate::metrics`]).
async fn metrics_page(
    State(state): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> axum::response::Response {
    if !state.metrics_access.allows(peer.ip(), &headers) {
        return (
            StatusCode::FORBIDDEN,
            "/metrics is served to this host only (or with --metrics-token)",
        )
            .into_response();
    }
    let metrics = &state.app.metrics;
    metrics.set_subscriptions(state.app.fanout.subscriptions());
    if let Some(sync) = &state.app.sync
        && let Err(e) = sync.refresh_lag_metrics().await
    {
        tracing::warn!("metrics: the archive's cursors: {}", e.message);
    }
    if let Some(directory) = state.app.sync.as_ref().and_then(|s| s.directory()) {
        match directory.archive().directory_size().await {
            Ok(n) => metrics.set_directory_users(n),
            Err(e) => tracing::warn!("metrics: the user directory: {e}"),
        }
    }
    match metrics.encode() {
        Ok(text) => ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be encoded");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn ws_upgrade(
    State(state): State<HttpState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> axum::response::Response {
    if let Err(why) = state.origins.check(&headers) {
        tracing::warn!(%why, "refused a WebSocket from another origin");
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    let Some(caller) =
        signin::caller_for_socket(state.app.auth.as_ref(), &headers, state.app.secure_cookies)
    else {
        return signin::not_signed_in();
    };
    let client = signin::client_ip(peer.ip(), &headers, &state.trusted_proxies);
    let admitted = match state.socket_caps.admit(caller.token.as_deref(), client) {
        Ok(admitted) => admitted,
        Err(refused) => {
            tracing::warn!(%client, reason = refused.reason, "refused a WebSocket: {}", refused.message);
            state.app.metrics.socket_closed(refused.reason);
            return (refused.status, refused.message).into_response();
        }
    };
    // A client that offers the binary subprotocol gets binary frames; one of an earlier release
    // (`RETIRED_SUBPROTOCOL`) gets its name back, or its browser would fail the socket, and JSON.
    let ws = ws.protocols([
        tna_types::binary::SUBPROTOCOL,
        tna_types::binary::RETIRED_SUBPROTOCOL,
    ]);
    let encoding = if ws
        .selected_protocol()
        .is_some_and(|p| p.as_bytes() == tna_types::binary::SUBPROTOCOL.as_bytes())
    {
        session::Encoding::Binary
    } else {
        session::Encoding::Json
    };
    ws.max_message_size(MAX_WS_MESSAGE_BYTES)
        .read_buffer_size(WS_BUFFER_BYTES)
        .write_buffer_size(WS_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            session::run(
                socket,
                state.app,
                caller,
                encoding,
                state.stopped,
                state.kicked,
            )
            .await;
            drop(admitted);
        })
        .into_response()
}
