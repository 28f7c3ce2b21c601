//! G-SDK wire definitions shared by the relay (client) and the gateway emulator (server).
//!
//! The `.proto` files under `proto/` are our own, written from the V1.8.0 wire facts: package
//! names, message names, field numbers and enum values match the real device gateway, so the same
//! generated code talks to real hardware. Each module mirrors one proto package.

#![allow(clippy::all, missing_docs)]

/// `gsdk.err`: per-device error details of Multi commands.
pub mod err {
    tonic::include_proto!("gsdk.err");
}

/// `gsdk.tna`: the T&A service (config, T&A logs, job-code logs).
pub mod tna {
    tonic::include_proto!("gsdk.tna");
}

/// `gsdk.device`: capability info.
pub mod device {
    tonic::include_proto!("gsdk.device");
}

/// `gsdk.connect`: device list and connection status stream.
pub mod connect {
    tonic::include_proto!("gsdk.connect");
}

/// `gsdk.event`: monitoring and the realtime event stream.
pub mod event {
    tonic::include_proto!("gsdk.event");
}

/// `gsdk.user`: the users of a device (IDs, headers, names) and their job codes.
pub mod user {
    tonic::include_proto!("gsdk.user");
}

/// `gsdk.schedule`: schedules a T&A key can follow.
pub mod schedule {
    tonic::include_proto!("gsdk.schedule");
}

/// `gsdk.system`: system config (useJobCode, time zone).
pub mod system {
    tonic::include_proto!("gsdk.system");
}

/// `gsdk.time`: the device clock and its time zone.
pub mod time {
    tonic::include_proto!("gsdk.time");
}

/// `google.rpc`: the rich error model carried in `grpc-status-details-bin`.
pub mod google_rpc {
    tonic::include_proto!("google.rpc");
}

/// The `Any.type_url` under which the gateway packs a [`err::MultiErrorResponse`].
pub const MULTI_ERROR_TYPE_URL: &str = "type.googleapis.com/gsdk.err.MultiErrorResponse";

pub use prost;
pub use prost_types;
