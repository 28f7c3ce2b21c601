//! tna-relay: serves the console and translates its JSON-RPC requests into G-SDK gRPC calls.
//!
//! Layout (one request flows top to bottom):
//! - [`server`]: the axum router (`/ws`, `/healthz`, `/readyz`, `/metrics`, the console's
//!   static files), start and graceful shutdown ([`start`], [`RunningRelay`]).
//! - [`assets`]: the console files, embedded in release builds or read from `--dist DIR`.
//! - [`session`]: one WebSocket — a reader loop, a writer task fed by the socket's [`outbox`]
//!   (bounded in bytes; write timeout, pings, idle close), and one task per request so a slow
//!   device never blocks other requests (bounded in-flight count); [`socket_caps`]: open
//!   sockets per session, per client address and in total, refused at the upgrade.
//! - [`dispatch`]: method → handler; validation with `tna_types::validate` before any write.
//! - [`gateways`]: several gateways (sites) behind one relay — which device is behind which,
//!   multi-device calls split per gateway and merged, unreachable sites reported per device.
//! - [`gsdk`]: one module per G-SDK service: protobuf ⇄ `tna-types` conversion and the call
//!   with its deadline. [`gsdk::GatewayClient`] holds the one tonic channel per gateway.
//! - [`fanout`]: live events — one `SubscribeRealtimeLog` stream per gateway fanned out to every
//!   subscribed socket through bounded per-socket queues (overflow → `events.gap`), re-subscribed
//!   with backoff when it drops.
//! - [`status`]: device status — one `SubscribeStatus` stream per gateway broadcast to every socket
//!   as `devices.status`, re-subscribed with backoff.
//! - [`sync`]: the log archive's background sync (cursor pages, epoch resets, live wake-ups);
//!   [`timecards`]: `timecards.*` from the archive ([`heavy`]: the relay-wide line for large
//!   archive queries); [`device_info`]: device names, locations
//!   and tags (`devices.setInfo`, filled into `devices.list`); [`audit`]: the audit trail of every write;
//!   [`bridge`]: live events between relays sharing one PostgreSQL archive (LISTEN/NOTIFY).
//! - [`kiosk_scope`]: what a kiosk session may see — its paired sites/devices, today's punches,
//!   no device addresses — enforced in `dispatch`.
//! - [`auth`]: accounts (argon2 hashes in a JSON file), sessions, kiosk pairing codes and the
//!   sign-in rate limit; [`signin`]: the HTTP sign-in endpoints, the `/ws` check and the role
//!   check of every request (`tna_types::auth`).
//! - [`origin`]: which pages may sign in and open `/ws` (exact origins), and what an https
//!   `--public-origin` implies (`Secure` + `__Host-` cookie, HSTS).
//! - [`tls`]: HTTPS for the relay itself (rustls; handshakes off the accept path).
//! - [`errors`]: gRPC status (including `MultiErrorResponse` details) → protocol error.
//! - [`logging`]: the log filter (libraries that log frames and headers stay at info) and the
//!   log format (`--log-format text|json`).
//! - [`metrics`]: every metric in one registry, served as `/metrics` (Prometheus text format;
//!   loopback or `--metrics-token` only); [`ready`]: `/readyz` (gateways and archive answer).
//! - [`config_file`]: the TOML config file of the `tna-relay` binary.
//! - [`config`]: what the relay needs to start ([`RelayConfig`], [`GatewayTarget`]).
//! - [`zones`]: site time zones (IANA names checked at start, jiff) and the offset tables the
//!   timecards are computed with.
//! - [`zone_rules`]: what a device in a time zone should hold (standard offset, DST schedules
//!   for a year) and the verdict of what it holds, from jiff's tz database.
//! - [`device_zones`]: `time.getZones` / `time.fixZones` — read, judge, fix (grouped Multi
//!   writes) and re-read device time zones and DST schedules.
//!
//! `main.rs` is only the command line.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod backoff;
pub mod bridge;
pub mod config;
pub mod config_file;
pub mod device_info;
pub mod device_zones;
pub mod dispatch;
pub mod errors;
pub mod fanout;
pub mod gateways;
pub mod gsdk;
pub mod heavy;
pub mod kiosk_scope;
pub mod logging;
pub mod metrics;
pub mod origin;
pub mod outbox;
pub mod ready;
pub mod server;
pub mod session;
pub mod signin;
pub mod socket_caps;
pub mod status;
pub mod sync;
pub mod timecards;
pub mod tls;
pub mod zone_rules;
pub mod zones;

pub use config::{GatewaySite, GatewayTarget, RelayConfig};
pub use server::{RelayError, RunningRelay, start};
