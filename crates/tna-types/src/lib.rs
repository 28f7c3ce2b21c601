//! The shared model of tna-console, compiled into both the browser console (wasm32) and the relay.
//!
//! Layout:
//! - [`archive`]: the relay's log archive as clients see it — sync cursors, archive queries
//!   with keyset paging, audit entries.
//! - [`auth`]: [`Role`] and the minimum role of every method (enforced by the relay).
//! - [`bulk`]: the batching rule of bulk writes (batch size, operation IDs, one outcome per
//!   device of a batch), shared by the console's apply flow and `tnactl apply`.
//! - [`limits`]: every named limit (label bytes, keys, page size, devices per call, …).
//! - [`config`]: [`TnaConfig`], [`TnaMode`], [`TnaKey`].
//! - [`device`]: [`Device`], its connection status and capabilities, [`Schedule`].
//! - [`diff`]: [`config_diff`] (which fields differ between two configs) and [`eligibility`]
//!   (whether a device can take a config), shared by previews, drift and re-read checks.
//! - [`dst`]: device time zones and DST schedules, and the verdict against a site's zone
//!   (`time.getZones` / `time.fixZones`; computed by the relay).
//! - [`logs`]: [`TnaLog`], [`JobCodeLog`] and cursor pages of them.
//! - [`jobcode`]: [`JobCode`], [`UserJobCodes`].
//! - [`time`]: the one calendar module — day numbers, dates, weekdays, offsets, formatting —
//!   and [`time::ZoneOffsets`], a zone's UTC offsets as a table (no time zone database here).
//! - [`timecard`]: per-user, per-day worked time from punches ([`timecard::timecards`]).
//! - [`users`]: the user directory (`users.*`): [`users::DirectoryUser`] and its params.
//! - [`validate`]: the one validation used by the console (on every edit) and the relay (before
//!   any write reaches a device); each error names its field and the limit.
//! - [`protocol`]: the JSON-RPC 2.0 protocol over `/ws` — methods with their params and results,
//!   server notifications, and errors with stable numeric codes.
//!
//! No I/O and no async runtime here: this crate must stay small for the browser. Conversions to and
//! from the G-SDK protobuf types live in the relay.

pub mod archive;
pub mod auth;
pub mod binary;
pub mod bulk;
pub mod config;
pub mod device;
pub mod diff;
pub mod dst;
pub mod jobcode;
pub mod limits;
pub mod logs;
pub mod protocol;
pub mod time;
pub mod timecard;
pub mod users;
pub mod validate;

pub use auth::Role;
pub use config::{ConfigFile, ExportedFrom, TnaConfig, TnaKey, TnaMode};
pub use device::{
    ConnectionStatus, Device, DeviceCapabilities, DeviceInfo, DeviceResult, Schedule, product_name,
};
pub use diff::{ConfigField, FieldChange, Ineligible, config_diff, eligibility};
pub use jobcode::{JobCode, UserJobCodes};
pub use logs::{JobCodeLog, LogPage, TnaLog};
pub use validate::{
    FieldError, validate_config, validate_device_info, validate_user_job_codes, validate_users,
};
