//! G-SDK device gateway emulator: a tonic gRPC server speaking Suprema's real G-SDK wire
//! protocol (the `gsdk-proto` definitions) in front of simulated BioStar devices. It is the test
//! double for the relay and the console, and the relay's embedded demo gateway.
//!
//! Layout:
//! - [`config`]: [`SimConfig`], the size/seed/behaviour of a simulated site.
//! - `seed`: deterministic sample data (PRNG, device models, configs, job codes, schedules).
//! - `state`: [`Gateway`], the shared state, one lock per device.
//! - `dst`: WeekTime ⇄ moment (UTC wall time), DST config checks, a zone's settings for a year.
//! - [`workforce`]: the site's people, their shifts and home devices, and each day's planned
//!   punches and mistakes ([`Plan`]), a pure function of the seed.
//! - `punches`: the compact event-log store; the history (the plan's past) and the live
//!   generator (the plan's punches as their time comes).
//! - `faults`: the fault-injection control API on [`Gateway`].
//! - `fanout`: bounded per-subscriber queues behind the server streams.
//! - `services`: one module per G-SDK service (TNA, Connect, Device, Event, User, Schedule,
//!   System, Time), each implementing the generated tonic server trait.
//! - `tls`: [`generate_tls`], a CA and server certificate for TLS tests.
//! - `server`: [`start`] and [`RunningGateway`].
//! - `main.rs`: the `gateway-sim` command line.
//!
//! The emulator binds only the address it is given and never opens outgoing connections:
//! device addresses such as `192.168.0.10:51211` are just strings in the device list.

#![warn(missing_docs)]

pub mod config;
mod dst;
mod error;
mod fanout;
mod faults;
mod punches;
mod seed;
mod server;
mod services;
mod state;
mod tls;
pub mod workforce;

pub use config::{FIRST_DEVICE_ID, SimConfig};
pub use error::SimError;
pub use server::{RunningGateway, start};
pub use state::Gateway;
pub use tls::{TlsMaterial, generate_tls};
pub use workforce::{Plan, Workforce};
