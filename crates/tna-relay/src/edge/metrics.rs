//! The relay's metrics: one registry (no global one) holding every metric, served as
//! `GET /metrics` in the Prometheus/OpenMetrics text format (`prometheus-client`).
//!
//! - `tna_relay_requests_total` (counter; `method`: a JSON-RPC method, `outcome`: `ok` or the
//!   error code's name, e.g. `gateway_unavailable`, `permission_denied`): every decoded request,
//!   refused and over-limit ones too (`session.rs`).
//! - `tna_relay_gateway_call_duration_seconds` (histogram, 5 ms doubling to ~41 s; `site`: the
//!   `[[gateway]]` name, `default` for a lone unnamed gateway): every unary G-SDK call,
//!   answered, failed or timed out (the call helpers in `gsdk/mod.rs`).
//! - `tna_relay_sockets_open` (gauge; `role`: `kiosk`, `viewer`, `operator`, `admin`): open
//!   WebSockets (`session.rs`).
//! - `tna_relay_event_subscriptions` (gauge): live-event subscriptions (`fanout.rs`, the
//!   archive's own watch included), read at each scrape.
//! - `tna_relay_archive_events_stored_total` (counter; `stream`: `tna`, `job_code`): events this
//!   relay wrote into the archive that were new there (`sync.rs`).
//! - `tna_relay_archive_sync_lag_seconds` (gauge; `device`, `stream`): seconds since the last
//!   complete sync, from the archive's cursors at each scrape.
//! - `tna_relay_directory_users` (gauge): people in the user directory (`users.rs`), counted in
//!   the archive at each scrape.
//! - `tna_relay_sign_in_failures_total` (counter; `kind`: `password`, `pairing`; `reason`:
//!   `rejected`, `rate_limited`): refused `/api/session` and `/api/kiosk/pair` (`server.rs`).
//! - `tna_relay_socket_outbox_bytes` (gauge): bytes of frames waiting to be written to open
//!   sockets, all sockets together; each socket's share is bounded by `MAX_OUTBOX_BYTES`
//!   (`outbox.rs`).
//! - `tna_relay_sockets_closed_total` (counter; `reason`: `write_timeout`, `outbox_full`,
//!   `idle`, `signed_out`, `cap_session`, `cap_client`, `cap_total`): sockets the relay closed
//!   or refused at the upgrade itself (`session.rs`, `server.rs`).
//!
//! Label values are bounded: methods and outcomes come from the protocol's fixed tables, sites
//! from the configuration, roles from [`Role`]. `device` on the lag gauge is the one label that
//! grows with the fleet: only devices this relay itself has synced are listed (not every device
//! of a shared archive, nor made-up IDs of `archive.sync`), so it is bounded by the devices
//! behind this relay's gateways.
//!
//! Who may read `/metrics` ([`MetricsAccess`]): by default only clients on the same host
//! (a loopback peer that did not come through a reverse proxy, i.e. sent no `X-Forwarded-For` /
//! `Forwarded`), which is where a node-local Prometheus or agent scrapes. With
//! `--metrics-token` a scraper anywhere may read it with `Authorization: Bearer <token>`
//! (loopback stays allowed). Everyone else gets 403 (404 would hide the endpoint but confuse
//! the operator setting up a scraper).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, header};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tna_types::Role;
use tna_types::archive::Stream;
use tna_types::protocol::ErrorCode;

/// The prefix of every metric name.
const PREFIX: &str = "tna_relay";
/// The smallest latency bucket (5 ms) …
const LATENCY_FIRST_BUCKET_SECS: f64 = 0.005;
/// … each bucket twice the one before …
const LATENCY_BUCKET_FACTOR: f64 = 2.0;
/// … 14 buckets: up to ~41 s, past the longest call deadline (25 s for a log page).
const LATENCY_BUCKETS: u16 = 14;
/// The `site` label of a lone unnamed gateway.
pub const DEFAULT_SITE: &str = "default";
/// The content type of the text format `prometheus-client` writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SiteLabels {
    site: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RoleLabels {
    role: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StreamLabels {
    stream: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LagLabels {
    device: String,
    stream: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SignInLabels {
    kind: &'static str,
    reason: &'static str,
}

type LatencyFamily = Family<SiteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(
        LATENCY_FIRST_BUCKET_SECS,
        LATENCY_BUCKET_FACTOR,
        LATENCY_BUCKETS,
    ))
}

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    gateway_calls: LatencyFamily,
    sockets: Family<RoleLabels, Gauge>,
    subscriptions: Gauge,
    events_stored: Family<StreamLabels, Counter>,
    sync_lag: Family<LagLabels, Gauge>,
    sign_in_failures: Family<SignInLabels, Counter>,
    outbox_bytes: Gauge,
    sockets_closed: Family<ReasonLabels, Counter>,
    directory_users: Gauge,
}

/// Why the relay closed or refused a socket (`tna_relay_sockets_closed`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// The relay's metrics (cheap to clone; every clone records into the same registry).
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// A sign-in that was refused: which endpoint, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInFailure {
    /// `POST /api/session` with a wrong username or password.
    PasswordRejected,
    /// `POST /api/session` delayed by the rate limit.
    PasswordRateLimited,
    /// `POST /api/kiosk/pair` with a wrong or used code.
    PairingRejected,
    /// `POST /api/kiosk/pair` delayed by the rate limit.
    PairingRateLimited,
}

impl Metrics {
    /// A fresh registry with every metric registered (at zero).
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "JSON-RPC requests by method and outcome (ok, or the error code's name)",
            requests.clone(),
        );
        let gateway_calls: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "gateway_call_duration_seconds",
            "Latency of G-SDK gateway calls per site (answered, failed or timed out)",
            gateway_calls.clone(),
        );
        let sockets = Family::<RoleLabels, Gauge>::default();
        registry.register(
            "sockets_open",
            "Open console WebSockets by the role of their user",
            sockets.clone(),
        );
        let subscriptions = Gauge::default();
        registry.register(
            "event_subscriptions",
            "Live-event subscriptions of open sockets",
            subscriptions.clone(),
        );
        let events_stored = Family::<StreamLabels, Counter>::default();
        registry.register(
            "archive_events_stored",
            "Events this relay wrote into the log archive, by stream",
            events_stored.clone(),
        );
        let sync_lag = Family::<LagLabels, Gauge>::default();
        registry.register(
            "archive_sync_lag_seconds",
            "Seconds since the device's last complete archive sync (devices this relay syncs)",
            sync_lag.clone(),
        );
        let sign_in_failures = Family::<SignInLabels, Counter>::default();
        registry.register(
            "sign_in_failures",
            "Refused sign-ins and kiosk pairings (wrong credentials or rate limited)",
            sign_in_failures.clone(),
        );
        let outbox_bytes = Gauge::default();
        registry.register(
            "socket_outbox_bytes",
            "Bytes of frames waiting to be written to open sockets (all sockets together)",
            outbox_bytes.clone(),
        );
        let sockets_closed = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "sockets_closed",
            "Sockets the relay closed or refused itself, by reason (write_timeout, outbox_full, idle, signed_out, cap_session, cap_client, cap_total)",
            sockets_closed.clone(),
        );
        let directory_users = Gauge::default();
        registry.register(
            "directory_users",
            "People in the user directory (the archive's, at each scrape)",
            directory_users.clone(),
        );
        Metrics {
            inner: Arc::new(Inner {
                directory_users,
                outbox_bytes,
                sockets_closed,
                registry,
                requests,
                gateway_calls,
                sockets,
                subscriptions,
                events_stored,
                sync_lag,
                sign_in_failures,
            }),
        }
    }

    /// One finished request: `Ok` or the error code it was answered with.
    pub fn request(&self, method: &'static str, outcome: Result<(), i32>) {
        let outcome = match outcome {
            Ok(()) => "ok",
            Err(code) => outcome_name(code),
        };
        self.inner
            .requests
            .get_or_create(&RequestLabels { method, outcome })
            .inc();
    }

    /// The latency recorder of one site's gateway calls (`None`: a lone unnamed gateway).
    pub fn call_latency(&self, site: Option<&str>) -> CallLatency {
        let site = site.unwrap_or(DEFAULT_SITE).to_string();
        CallLatency {
            histogram: self
                .inner
                .gateway_calls
                .get_or_create_owned(&SiteLabels { site }),
        }
    }

    /// Bytes now waiting in socket outboxes: `delta` added (or removed, negative).
    pub fn outbox_bytes(&self, delta: i64) {
        self.inner.outbox_bytes.inc_by(delta);
    }

    /// The relay closed (or refused) a socket for `reason`.
    pub fn socket_closed(&self, reason: &'static str) {
        self.inner
            .sockets_closed
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// Counts an open socket of `role` until the returned guard is dropped.
    pub fn socket_opened(&self, role: Role) -> SocketGuard {
        let gauge = self
            .inner
            .sockets
            .get_or_create_owned(&RoleLabels { role: role.name() });
        gauge.inc();
        SocketGuard { gauge }
    }

    /// `count` events of `stream` stored in the archive.
    pub fn events_stored(&self, stream: Stream, count: u64) {
        let stream = stream_name(stream);
        self.inner
            .events_stored
            .get_or_create(&StreamLabels { stream })
            .inc_by(count);
    }

    /// One refused sign-in or pairing.
    pub fn sign_in_failed(&self, failure: SignInFailure) {
        let (kind, reason) = match failure {
            SignInFailure::PasswordRejected => ("password", "rejected"),
            SignInFailure::PasswordRateLimited => ("password", "rate_limited"),
            SignInFailure::PairingRejected => ("pairing", "rejected"),
            SignInFailure::PairingRateLimited => ("pairing", "rate_limited"),
        };
        self.inner
            .sign_in_failures
            .get_or_create(&SignInLabels { kind, reason })
            .inc();
    }

    /// Sets the live-event subscription count (read at scrape time).
    pub fn set_subscriptions(&self, count: usize) {
        self.inner
            .subscriptions
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// Replaces the sync lag gauges with `lags`: (device, stream, seconds behind).
    pub fn set_sync_lags(&self, lags: impl IntoIterator<Item = (u32, Stream, i64)>) {
        self.inner.sync_lag.clear();
        for (device, stream, secs) in lags {
            self.inner
                .sync_lag
                .get_or_create(&LagLabels {
                    device: device.to_string(),
                    stream: stream_name(stream),
                })
                .set(secs);
        }
    }

    /// People in the user directory.
    pub fn set_directory_users(&self, count: u64) {
        self.inner
            .directory_users
            .set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// Every metric in the text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.inner.registry)?;
        Ok(out)
    }
}

/// Where one site's gateway call latencies go (held by its `GatewayClient`).
#[derive(Clone, Debug)]
pub struct CallLatency {
    histogram: Histogram,
}

impl CallLatency {
    /// One call took `elapsed`.
    pub fn observe(&self, elapsed: Duration) {
        self.histogram.observe(elapsed.as_secs_f64());
    }
}

/// An open socket, counted in `tna_relay_sockets_open` until dropped.
pub struct SocketGuard {
    gauge: Gauge,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// The `outcome` label of a protocol error code: its name in snake case, `other` for a code
/// this relay does not know.
pub fn outcome_name(code: i32) -> &'static str {
    match ErrorCode::from_code(code) {
        Some(ErrorCode::ParseError) => "parse_error",
        Some(ErrorCode::InvalidRequest) => "invalid_request",
        Some(ErrorCode::MethodNotFound) => "method_not_found",
        Some(ErrorCode::InvalidParams) => "invalid_params",
        Some(ErrorCode::Internal) => "internal",
        Some(ErrorCode::ValidationFailed) => "validation_failed",
        Some(ErrorCode::DeviceNotFound) => "device_not_found",
        Some(ErrorCode::DeviceUnreachable) => "device_unreachable",
        Some(ErrorCode::GatewayUnavailable) => "gateway_unavailable",
        Some(ErrorCode::Timeout) => "timeout",
        Some(ErrorCode::PermissionDenied) => "permission_denied",
        Some(ErrorCode::Unsupported) => "unsupported",
        Some(ErrorCode::LimitExceeded) => "limit_exceeded",
        Some(ErrorCode::AuditUnavailable) => "audit_unavailable",
        None => "other",
    }
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Tna => "tna",
        Stream::JobCode => "job_code",
    }
}

/// Who may read `/metrics`: loopback clients, and with a token anyone who sends it.
#[derive(Clone, Default)]
pub struct MetricsAccess {
    token: Option<Arc<str>>,
}

impl std::fmt::Debug for MetricsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsAccess")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl MetricsAccess {
    /// Loopback only, or also `Authorization: Bearer <token>` from anywhere.
    pub fn new(token: Option<String>) -> Self {
        MetricsAccess {
            token: token.filter(|t| !t.is_empty()).map(Arc::from),
        }
    }

    /// Whether `peer` (the TCP peer) with `headers` may read the metrics.
    pub fn allows(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        if let Some(token) = &self.token {
            let sent = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            if sent.is_some_and(|s| same_secret(s.trim().as_bytes(), token.as_bytes())) {
                return true;
            }
        }
        let proxied =
            headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
        peer.is_loopback() && !proxied
    }
}

/// Compares two secrets in time that depends only on their lengths.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn every_metric_is_named_and_counts() {
        let m = Metrics::new();
        m.request("devices.list", Ok(()));
        m.request("tna.getConfig", Err(ErrorCode::DeviceNotFound as i32));
        m.call_latency(Some("HQ"))
            .observe(Duration::from_millis(20));
        let guard = m.socket_opened(Role::Admin);
        m.events_stored(Stream::Tna, 7);
        m.sign_in_failed(SignInFailure::PasswordRejected);
        m.set_subscriptions(3);
        m.set_sync_lags([(540_000_001, Stream::Tna, 12)]);
        m.set_directory_users(430);
        let text = m.encode().unwrap();
        for line in [
            r#"tna_relay_requests_total{method="devices.list",outcome="ok"} 1"#,
            r#"tna_relay_requests_total{method="tna.getConfig",outcome="device_not_found"} 1"#,
            r#"tna_relay_gateway_call_duration_seconds_count{site="HQ"} 1"#,
            r#"tna_relay_sockets_open{role="admin"} 1"#,
            "tna_relay_event_subscriptions 3",
            r#"tna_relay_archive_events_stored_total{stream="tna"} 7"#,
            r#"tna_relay_archive_sync_lag_seconds{device="540000001",stream="tna"} 12"#,
            r#"tna_relay_sign_in_failures_total{kind="password",reason="rejected"} 1"#,
            "tna_relay_directory_users 430",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        drop(guard);
        assert!(
            m.encode()
                .unwrap()
                .contains(r#"tna_relay_sockets_open{role="admin"} 0"#)
        );
        m.set_sync_lags([]);
        assert!(!m.encode().unwrap().contains("device=\"540000001\""));
    }

    #[test]
    fn outcome_names_cover_every_code() {
        for code in ErrorCode::ALL {
            assert_ne!(outcome_name(code as i32), "other", "{code:?}");
        }
        assert_eq!(outcome_name(-1), "other");
    }

    #[test]
    fn access() {
        let loopback: IpAddr = [127, 0, 0, 1].into();
        let remote: IpAddr = [10, 0, 0, 5].into();
        let open = MetricsAccess::new(None);
        let none = HeaderMap::new();
        assert!(open.allows(loopback, &none));
        assert!(open.allows("::1".parse().unwrap(), &none));
        assert!(!open.allows(remote, &none));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.9"));
        assert!(!open.allows(loopback, &proxied), "through a local proxy");
        let with_token = MetricsAccess::new(Some("s3cret".into()));
        let mut bearer = HeaderMap::new();
        bearer.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cret"),
        );
        assert!(with_token.allows(remote, &bearer));
        let mut wrong = HeaderMap::new();
        wrong.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer s3cre"),
        );
        assert!(!with_token.allows(remote, &wrong));
        assert!(with_token.allows(loopback, &none));
        assert!(!open.allows(remote, &bearer), "no token configured");
    }
}
