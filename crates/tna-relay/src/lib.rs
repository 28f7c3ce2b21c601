//! tna-relay: serves the console and translates its JSON-RPC requests into G-SDK gRPC calls.
//!
//! The folders show the three parts of the relay; every module is also re-exported at the crate
//! root (`crate::session`, `tna_relay::fanout`), so a path does not change with its folder.
//!
//! **[`wire`] — the thin core: socket ⇄ protocol ⇄ G-SDK** (one request flows top to bottom):
//! - [`session`]: one WebSocket — a reader loop, a writer task fed by the socket's [`outbox`]
//!   (bounded in bytes, with a relay-wide budget; write timeout, pings, idle close), and one task
//!   per request so a slow device never blocks other requests (bounded in-flight count); JSON
//!   text frames, or on a socket of the binary subprotocol (`tna_types::binary`) binary frames
//!   for errors, pushes and the results of the methods marked `binary`; [`socket_caps`]: open sockets per session, per client address and
//!   in total.
//! - [`dispatch`]: method → handler; validation with `tna_types::validate` before any write;
//!   the one audited-write path; [`kiosk_scope`]: what a kiosk session may see — its paired
//!   sites/devices, today's punches, no device addresses.
//! - [`gateways`]: several gateways (sites) behind one relay — which device is behind which,
//!   multi-device calls split per gateway and merged, unreachable sites reported per device;
//!   [`read_ahead`]: the next page of a log download read while the client takes this one.
//! - [`gsdk`]: one module per G-SDK service: protobuf ⇄ `tna-types` conversion and the call
//!   with its deadline. [`gsdk::GatewayClient`] holds the one tonic channel per gateway;
//!   [`errors`]: gRPC status (including `MultiErrorResponse` details) → protocol error.
//! - [`fanout`]: live events — one `SubscribeRealtimeLog` stream per gateway fanned out to every
//!   subscribed socket through bounded per-socket queues (overflow → `events.gap`), re-subscribed
//!   with [`backoff`] when it drops; monitoring switched on once per device.
//! - [`status`]: device status — one `SubscribeStatus` stream per gateway broadcast to every
//!   socket as `devices.status`.
//! - [`zones`]: site time zones (IANA names checked at start, jiff) and their offset tables;
//!   [`zone_rules`]: what a device in a zone should hold (standard offset, DST schedules);
//!   [`device_zones`]: `time.getZones` / `time.fixZones`.
//!
//! **[`archive`] — what is built on the log archive:**
//! - [`sync`]: the background sync (cursor pages, epoch resets, live wake-ups);
//!   [`timecards`]: `timecards.*`; [`heavy`]: the relay-wide line for large archive queries;
//!   [`device_info`]: device names, locations and tags; [`users`]: the user directory (each
//!   device's users and names, search); [`audit`]: the audit trail of every write;
//!   [`bridge`]: live events between relays sharing one PostgreSQL archive.
//!
//! **[`edge`] — the HTTP edge:**
//! - [`server`]: the axum router (`/ws`, `/healthz`, `/readyz`, `/metrics`, the console's
//!   files), start and graceful shutdown ([`start`], [`RunningRelay`]); [`assets`]: the console
//!   and kiosk files, embedded or from `--dist DIR`, with the security headers.
//! - [`auth`]: accounts (argon2 hashes in a JSON file), sessions, kiosk pairing and the sign-in
//!   delays; [`signin`]: the HTTP sign-in endpoints, the `/ws` check and the role check of every
//!   request; [`origin`]: exact page origins and what an https `--public-origin` implies.
//! - [`tls`]: HTTPS for the relay itself; [`metrics`]: `/metrics`; [`ready`]: `/readyz`;
//!   [`logging`]: the log filter and format; [`config_file`]: the binary's TOML file.
//!
//! [`config`]: what the relay needs to start ([`RelayConfig`], [`GatewayTarget`]). `main.rs` is
//! only the command line.

pub mod archive;
pub mod config;
pub mod edge;
pub mod wire;

pub use archive::{audit, bridge, device_info, heavy, sync, timecards, users};
pub use config::{GatewaySite, GatewayTarget, RelayConfig};
pub use edge::{assets, auth, config_file, logging, metrics, origin, ready, server, signin, tls};
pub use server::{RelayError, RunningRelay, start};
pub use wire::{
    backoff, device_zones, dispatch, errors, fanout, gateways, gsdk, kiosk_scope, outbox,
    read_ahead, session, socket_caps, status, zone_rules, zones,
};
