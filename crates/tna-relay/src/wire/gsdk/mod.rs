//! The relay's side of G-SDK: one module per gateway service (`tna`, `connect`, `device`,
//! `event`, `schedule`, `user` (job codes), `system`), each converting between protobuf and `tna-types` and making the call with its
//! deadline. [`GatewayClient`] owns the one tonic channel to a gateway.

pub mod connect;
pub mod device;
pub mod event;
pub mod schedule;
pub mod system;
pub mod time;
pub mod tna;
pub mod user;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tna_types::DeviceCapabilities;
use tna_types::protocol::RpcError;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::errors;

/// Default deadline of an ordinary gateway call (the gateway's own device command timeout is
/// 10 s); a `[[gateway]]` in the config file may set its own.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(12);
/// Default deadline of a log page read (the gateway's `long_cmd` timeout for large transfers is
/// 20 s); never shorter than the gateway's call timeout.
pub const LOG_CALL_TIMEOUT: Duration = Duration::from_secs(25);
/// How long to wait for the TCP/TLS connection to the gateway before failing a call.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Devices whose capabilities are fetched at once when listing devices.
pub const CAPABILITY_CONCURRENCY: usize = 16;
/// Largest gRPC message the relay accepts (the gateway's own default `max_recv_size`).
pub const MAX_GRPC_MESSAGE_BYTES: usize = 75_497_472;

/// Failure to set up the gateway client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The gateway URL does not parse.
    #[error("invalid gateway URL {url:?}: {source}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// Why it failed.
        source: tonic::transport::Error,
    },
    /// TLS settings were refused.
    #[error("TLS setup for {url:?} failed: {source}")]
    Tls {
        /// The URL given.
        url: String,
        /// Why it failed.
        source: tonic::transport::Error,
    },
    /// An https gateway needs its CA certificate.
    #[error(
        "the gateway {0:?} uses TLS: give its CA certificate with --ca-cert (ca.crt made by `device-gateway -c`)"
    )]
    MissingCa(String),
}

/// A client of one device gateway: a lazily connected tonic channel (cheap to clone, reconnects
/// by itself) and a cache of device capabilities, which never change while a device lives.
#[derive(Clone)]
pub struct GatewayClient {
    channel: Channel,
    capabilities: Arc<Mutex<HashMap<u32, DeviceCapabilities>>>,
    /// Deadline of an ordinary call to this gateway.
    pub(crate) call_timeout: Duration,
    /// Deadline of a log page read from this gateway.
    pub(crate) log_timeout: Duration,
    /// Where the latency of each call is recorded (`None`: not recorded, e.g. in unit tests).
    latency: Option<crate::metrics::CallLatency>,
}

impl GatewayClient {
    /// A client for `url` (`https://…` with the gateway CA in PEM, or `http://…` plaintext).
    /// No connection is made until the first call, so the relay starts even when the gateway is
    /// down; calls then fail fast with "gateway unavailable".
    pub fn new(url: &str, ca_pem: Option<&str>) -> Result<Self, ClientError> {
        let bad_url = |source| ClientError::BadUrl {
            url: url.to_string(),
            source,
        };
        let mut endpoint = Endpoint::from_shared(url.to_string())
            .map_err(bad_url)?
            .connect_timeout(CONNECT_TIMEOUT)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .keep_alive_while_idle(true);
        if url.starts_with("https://") {
            let ca = ca_pem.ok_or_else(|| ClientError::MissingCa(url.to_string()))?;
            let host = endpoint.uri().host().unwrap_or("localhost").to_string();
            let tls = ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(ca))
                .domain_name(host);
            endpoint = endpoint
                .tls_config(tls)
                .map_err(|source| ClientError::Tls {
                    url: url.to_string(),
                    source,
                })?;
        }
        Ok(Self {
            channel: endpoint.connect_lazy(),
            capabilities: Arc::default(),
            call_timeout: CALL_TIMEOUT,
            log_timeout: LOG_CALL_TIMEOUT,
            latency: None,
        })
    }

    /// The same client with the latency of every call recorded in `latency` (the histogram of
    /// its site).
    pub fn with_latency(mut self, latency: crate::metrics::CallLatency) -> Self {
        self.latency = Some(latency);
        self
    }

    fn observe(&self, started: Instant) {
        if let Some(latency) = &self.latency {
            latency.observe(started.elapsed());
        }
    }

    /// The same client with its own call deadline (a slow WAN link to a remote site); log page
    /// reads get at least [`LOG_CALL_TIMEOUT`].
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self.log_timeout = timeout.max(LOG_CALL_TIMEOUT);
        self
    }

    /// Deadline of an ordinary call to this gateway.
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// The channel, for the generated clients.
    pub(crate) fn channel(&self) -> Channel {
        self.channel.clone()
    }

    pub(crate) fn cached_capabilities(&self, device_id: u32) -> Option<DeviceCapabilities> {
        self.capabilities.lock().ok()?.get(&device_id).cloned()
    }

    pub(crate) fn cache_capabilities(&self, caps: &DeviceCapabilities) {
        if let Ok(mut map) = self.capabilities.lock() {
            map.insert(caps.device_id, caps.clone());
        }
    }
}

/// Runs one gateway call with a deadline, both as the gRPC `grpc-timeout` (so the gateway can
/// give up too) and locally (so a gateway that never answers cannot hang a request).
/// Its latency (answer, error or timeout) goes into the gateway's histogram.
pub(crate) async fn call<T, F>(
    gw: &GatewayClient,
    timeout: Duration,
    device_id: Option<u32>,
    fut: F,
) -> Result<T, RpcError>
where
    F: Future<Output = Result<tonic::Response<T>, tonic::Status>>,
{
    let started = Instant::now();
    let answer = tokio::time::timeout(timeout, fut).await;
    gw.observe(started);
    match answer {
        Ok(Ok(resp)) => Ok(resp.into_inner()),
        Ok(Err(status)) if !errors::is_local_deadline(&status) => {
            Err(errors::from_status(&status, device_id))
        }
        Ok(Err(_)) | Err(_) => Err(errors::timeout_error(Some(timeout))),
    }
}

/// A request with its `grpc-timeout` set.
pub(crate) fn request<T>(msg: T, timeout: Duration) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.set_timeout(timeout);
    req
}

/// Runs a gateway Multi call and returns one result per device in `device_ids` order.
/// Per-device failures come either as a gRPC error whose details pack a `MultiErrorResponse`
/// (gateways since V1.4) or in the response's `deviceErrors` (read by `errors_of`); both are
/// handled. A failure without per-device details fails the whole call.
pub(crate) async fn multi_results<R, F>(
    gw: &GatewayClient,
    timeout: Duration,
    device_ids: &[u32],
    fut: F,
    errors_of: impl FnOnce(R) -> Vec<gsdk_proto::err::ErrorResponse>,
) -> Result<Vec<tna_types::DeviceResult>, RpcError>
where
    F: Future<Output = Result<tonic::Response<R>, tonic::Status>>,
{
    let started = Instant::now();
    let answer = tokio::time::timeout(timeout, fut).await;
    gw.observe(started);
    let device_errors = match answer {
        Ok(Ok(resp)) => errors_of(resp.into_inner()),
        Ok(Err(status)) if !errors::is_local_deadline(&status) => {
            match errors::multi_errors(&status) {
                Some(errs) => errs,
                None => return Err(errors::from_status(&status, None)),
            }
        }
        Ok(Err(_)) | Err(_) => return Err(errors::timeout_error(Some(timeout))),
    };
    let failed: HashMap<u32, gsdk_proto::err::ErrorResponse> = device_errors
        .into_iter()
        .map(|e| (e.device_id, e))
        .collect();
    Ok(device_ids
        .iter()
        .map(|&id| match failed.get(&id) {
            Some(e) => tna_types::DeviceResult::failed(id, e.code, e.msg.clone()),
            None => tna_types::DeviceResult::ok(id),
        })
        .collect())
}
