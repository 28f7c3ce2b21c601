//! Serving: binds the given address only, mounts every service, runs the punch generator, and
//! shuts all of it down on request.

use std::net::SocketAddr;
use std::time::Duration;

use gsdk_proto::connect::connect_server::ConnectServer;
use gsdk_proto::device::device_server::DeviceServer;
use gsdk_proto::event::event_server::EventServer;
use gsdk_proto::schedule::schedule_server::ScheduleServer;
use gsdk_proto::system::system_server::SystemServer;
use gsdk_proto::time::time_server::TimeServer;
use gsdk_proto::tna::tna_server::TnaServer;
use gsdk_proto::user::user_server::UserServer;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Identity, Server, ServerTlsConfig};

use crate::services::{
    connect::ConnectService, device::DeviceService, event::EventService, schedule::ScheduleService,
    system::SystemService, time::TimeService, tna::TnaService, user::UserService,
};
use crate::{Gateway, SimError, TlsMaterial, punches};

/// Largest request the real gateway accepts (`rpc_server.max_recv_size`); we mirror it.
const MAX_RECV_BYTES: usize = 75_497_472;
/// The HTTP/2 connection window (receive side), see [`start`].
const CONNECTION_WINDOW: u32 = 16 * 1024 * 1024;
/// How long `shutdown` waits for open connections before aborting the server task.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A gateway serving on a socket; stop it with [`RunningGateway::shutdown`] (dropping it also
/// signals the server and punch generator to stop, without waiting).
pub struct RunningGateway {
    /// The address actually bound (the real port when `start` was given port 0).
    pub addr: SocketAddr,
    /// Handle to the simulated state behind the server (faults, punches, inspection).
    pub gateway: Gateway,
    stop_server: Option<oneshot::Sender<()>>,
    stop_punches: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
    punches: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningGateway")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Binds `listen` (port 0 allowed), serves every G-SDK service of the emulator on it (TLS when
/// `tls` is given, plaintext HTTP/2 otherwise) and starts the punch generator when the config
/// has a `punch_interval`.
pub async fn start(
    gateway: Gateway,
    listen: SocketAddr,
    tls: Option<&TlsMaterial>,
) -> Result<RunningGateway, SimError> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| SimError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr()?;

    // The HTTP/2 connection window also sets h2's budget of small DATA frames a connection may
    // have buffered (half the window); past it the connection is closed with ENHANCE_YOUR_CALM.
    // Every unary request is one small DATA frame, so a client with a few thousand calls out at
    // once (a bulk apply reads each device before writing) would lose its connection; the real
    // gateway (grpc-go) has no such limit. A 16 MiB window allows about 34,000.
    let mut builder = Server::builder().initial_connection_window_size(CONNECTION_WINDOW);
    if let Some(tls) = tls {
        let identity = Identity::from_pem(&tls.server_cert_pem, &tls.server_key_pem);
        builder = builder.tls_config(ServerTlsConfig::new().identity(identity))?;
    }
    let gw = &gateway;
    let router = builder
        .add_service(
            TnaServer::new(TnaService::new(gw.clone())).max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            ConnectServer::new(ConnectService::new(gw.clone()))
                .max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            DeviceServer::new(DeviceService::new(gw.clone()))
                .max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            EventServer::new(EventService::new(gw.clone()))
                .max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            UserServer::new(UserService::new(gw.clone())).max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            ScheduleServer::new(ScheduleService::new(gw.clone()))
                .max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            SystemServer::new(SystemService::new(gw.clone()))
                .max_decoding_message_size(MAX_RECV_BYTES),
        )
        .add_service(
            TimeServer::new(TimeService::new(gw.clone())).max_decoding_message_size(MAX_RECV_BYTES),
        );

    let (stop_server, stopped) = oneshot::channel::<()>();
    // TCP_NODELAY as on a real gateway (Go gRPC sets it): without it, the answers to concurrent
    // calls on one HTTP/2 connection wait ~40 ms for the client's delayed ACK.
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let server = tokio::spawn(router.serve_with_incoming_shutdown(incoming, async {
        // Either an explicit stop or the handle being dropped ends the server.
        let _ = stopped.await;
    }));

    let (stop_punches, punches) = match gateway.config().punch_interval {
        Some(every) => {
            let (tx, rx) = oneshot::channel();
            (
                Some(tx),
                Some(punches::spawn_generator(gateway.clone(), every, rx)),
            )
        }
        None => (None, None),
    };
    tracing::info!(%addr, tls = tls.is_some(), devices = gateway.device_ids().len(), "gateway emulator listening");
    Ok(RunningGateway {
        addr,
        gateway,
        stop_server: Some(stop_server),
        stop_punches,
        server: Some(server),
        punches,
    })
}

impl RunningGateway {
    /// Stops the server and the punch generator and waits for both. Open server streams are
    /// ended with UNAVAILABLE first, so graceful shutdown does not wait on them forever.
    pub async fn shutdown(mut self) {
        let going_away = tonic::Status::unavailable("gateway shutting down");
        self.gateway.shared.realtime.close_all(&going_away);
        self.gateway.shared.status.close_all(&going_away);
        if let Some(tx) = self.stop_punches.take() {
            let _ = tx.send(());
        }
        if let Some(tx) = self.stop_server.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.punches.take() {
            let _ = task.await;
        }
        if let Some(mut task) = self.server.take() {
            match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => tracing::warn!("gateway server ended with an error: {e}"),
                Ok(Err(e)) => tracing::warn!("gateway server task failed: {e}"),
                Err(_) => {
                    tracing::warn!(
                        "gateway server did not stop within {SHUTDOWN_GRACE:?}; aborting"
                    );
                    task.abort();
                }
            }
        }
        tracing::info!(addr = %self.addr, "gateway emulator stopped");
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        // Dropping the senders tells both tasks to stop; `shutdown` has already taken them.
        self.stop_punches.take();
        self.stop_server.take();
    }
}
