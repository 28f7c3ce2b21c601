//! The console ⇄ relay protocol: JSON-RPC 2.0, one object per WebSocket text frame.
//!
//! - Client → relay: requests `{"jsonrpc":"2.0","id":N,"method":"…","params":{…}}`, decoded by
//!   [`decode_request`] into a typed [`Request`].
//! - Relay → client: [`Response`]s carrying the same `id`, and [`Notification`]s (no `id`).
//! - Errors: [`RpcError`] with a stable numeric [`ErrorCode`].
//!
//! Every method is declared once in the `methods!` table below, which yields the [`Request`]
//! enum (for the relay's dispatcher) and one marker type per method implementing [`Method`]
//! (for the console's typed calls). The public description is `docs/protocol.md`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::archive::{
    ArchivedJobCodeLog, ArchivedTnaLog, AuditEntry, AuditQuery, Cursor, LogQuery, QueryPage, Stream,
};
use crate::auth::Role;
use crate::config::TnaConfig;
use crate::device::{
    ConnectionStatus, Device, DeviceCapabilities, DeviceInfo, DeviceResult, Schedule,
};
use crate::dst::{FixZonesParams, FixZonesResult, ZonesResult};
use crate::jobcode::UserJobCodes;
use crate::logs::{JobCodeLog, LogPage, TnaLog};
use crate::timecard::{TimecardDay, TimecardPolicy, UserTotals};
use crate::users::{UsersGetParams, UsersListParams, UsersPage, UsersResult, UsersSyncParams};
use crate::validate::{FieldError, Rule};

/// The `jsonrpc` member: always `"2.0"`; anything else fails to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Version;

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("2.0")
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = String::deserialize(d)?;
        if v == "2.0" {
            Ok(Version)
        } else {
            Err(serde::de::Error::custom(format!(
                "jsonrpc must be \"2.0\", got {v:?}"
            )))
        }
    }
}

/// A request ID: a number or a string, echoed in the response.
///
/// JSON has the bare number or string; a compact format (a `bulk.progress` push in a binary
/// frame, `crate::binary`, which cannot tell them apart by looking) the variant's index first.
/// Formats say which they are by `is_human_readable`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// Numeric ID (the console uses these).
    Number(i64),
    /// String ID (allowed for scripts).
    String(String),
}

/// [`RequestId`] as JSON has it.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum BareId<'a> {
    Number(i64),
    String(std::borrow::Cow<'a, str>),
}

/// [`RequestId`] in a compact format.
#[derive(Serialize, Deserialize)]
enum TaggedId<'a> {
    Number(i64),
    String(std::borrow::Cow<'a, str>),
}

impl Serialize for RequestId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (bare, tagged) = match self {
            RequestId::Number(n) => (BareId::Number(*n), TaggedId::Number(*n)),
            RequestId::String(t) => (BareId::String(t.into()), TaggedId::String(t.into())),
        };
        if s.is_human_readable() {
            bare.serialize(s)
        } else {
            tagged.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(if d.is_human_readable() {
            match BareId::deserialize(d)? {
                BareId::Number(n) => RequestId::Number(n),
                BareId::String(t) => RequestId::String(t.into_owned()),
            }
        } else {
            match TaggedId::deserialize(d)? {
                TaggedId::Number(n) => RequestId::Number(n),
                TaggedId::String(t) => RequestId::String(t.into_owned()),
            }
        })
    }
}

/// A method: its wire name, params and result. Implemented by the marker types in [`method`].
pub trait Method {
    /// The wire name, e.g. `tna.getConfig`.
    const NAME: &'static str;
    /// The lowest role that may call it.
    const ROLE: Role;
    /// Whether it is a write recorded in the audit trail.
    const AUDITED: bool;
    /// Whether its result comes as a binary frame to a client of the binary subprotocol
    /// ([`crate::binary`]).
    const BINARY: bool;
    /// The `params` object.
    type Params: Serialize + DeserializeOwned;
    /// The `result` object.
    type Result: Serialize + DeserializeOwned;
}

/// `params` of methods that take none: `{}`, `null` or absent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// `{deviceId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceParams {
    /// The device.
    pub device_id: u32,
}

/// `tna.setConfig` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetConfigParams {
    /// The device.
    pub device_id: u32,
    /// The whole new config.
    pub config: TnaConfig,
}

/// `tna.setConfigMulti` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetConfigMultiParams {
    /// The target devices (at most [`crate::limits::MAX_DEVICES_PER_CALL`], no repeats).
    pub device_ids: Vec<u32>,
    /// The config every target gets.
    pub config: TnaConfig,
    /// One bulk operation sent as several calls (batches) names each with the same ID: the
    /// audit trail then keeps one entry for the whole operation (optional; at most
    /// [`MAX_OPERATION_ID_LEN`] bytes).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub operation_id: Option<String>,
}

/// The longest `operationId` of a multi-device write, in bytes.
pub const MAX_OPERATION_ID_LEN: usize = 64;

/// Cursor page params of `tna.getLog` / `tna.getJobCodeLog`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogPageParams {
    /// The device.
    pub device_id: u32,
    /// First record ID to return (inclusive); 0 = from the oldest.
    pub start_event_id: u32,
    /// Records in the page: 1 ..= [`crate::limits::MAX_LOG_PAGE`].
    pub limit: u32,
}

/// `jobCodes.get` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetJobCodesParams {
    /// The device.
    pub device_id: u32,
    /// The users to read; absent or empty = every enrolled user.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub user_ids: Vec<String>,
}

/// `jobCodes.set` params: replaces the job codes of each listed user (others keep theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetJobCodesParams {
    /// The device.
    pub device_id: u32,
    /// The users and their whole new job-code lists (at least one, no user twice).
    pub users: Vec<UserJobCodes>,
}

/// `jobCodes.setMulti` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetJobCodesMultiParams {
    /// The target devices (at most [`crate::limits::MAX_DEVICES_PER_CALL`], no repeats).
    pub device_ids: Vec<u32>,
    /// The users and their job codes, written to every target.
    pub users: Vec<UserJobCodes>,
    /// Like `tna.setConfigMulti`'s: batches of one operation share one audit entry.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub operation_id: Option<String>,
}

/// `jobCodes.get` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCodesResult {
    /// One entry per user.
    pub users: Vec<UserJobCodes>,
}

/// `system.setJobCodeUse` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetJobCodeUseParams {
    /// The device.
    pub device_id: u32,
    /// Whether the device asks users for a job code (`SystemConfig.useJobCode`).
    pub enabled: bool,
}

/// `system.getJobCodeUse` / `system.setJobCodeUse` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCodeUseResult {
    /// `SystemConfig.useJobCode` as the device holds it (after a set: re-read).
    pub enabled: bool,
}

/// `system.getTimeZone` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeZoneResult {
    /// The device.
    pub device_id: u32,
    /// The device's time zone as an offset from UTC in seconds (`SystemConfig.timeZone`, e.g.
    /// 32400 for UTC+9). Log timestamps are UTC; add this to show the device's local time.
    pub time_zone: i32,
}

/// `events.subscribe` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscribeParams {
    /// The devices to watch (at least one, at most [`crate::limits::MAX_DEVICES_PER_CALL`]).
    pub device_ids: Vec<u32>,
}

/// `{deviceIds}`: the devices a call is about (at least one, at most
/// [`crate::limits::MAX_DEVICES_PER_CALL`], none twice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceIdsParams {
    /// The devices.
    pub device_ids: Vec<u32>,
}

/// One device's clock as `time.get` read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceClock {
    /// The device.
    pub device_id: u32,
    /// The clock could be read.
    pub ok: bool,
    /// The device's clock (Unix seconds, UTC).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub device_time: Option<u64>,
    /// Device clock minus the relay's clock when the answer arrived (seconds; positive = the
    /// device is ahead). Good to about a second.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub offset_seconds: Option<i64>,
    /// The device's time zone (seconds east of UTC), from its TimeConfig.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub time_zone: Option<i32>,
    /// Why the clock could not be read.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub message: Option<String>,
    /// The failure as a protocol error (`code`, English `message`, `data` with a `reason` where
    /// the relay wrote it): a client words it like any refusal.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub error: Option<RpcError>,
}

impl DeviceClock {
    /// The row of a clock that could not be read because of `e` (its sentence in `message` for
    /// clients that read only that).
    pub fn unread(device_id: u32, e: RpcError) -> Self {
        DeviceClock {
            device_id,
            ok: false,
            device_time: None,
            offset_seconds: None,
            time_zone: None,
            message: Some(e.message.clone()),
            error: Some(e),
        }
    }
}

/// `time.get` result: one row per requested device, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClocksResult {
    /// The clocks.
    pub clocks: Vec<DeviceClock>,
}

/// `events.subscribe` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeResult {
    /// Names this subscription in `events.log` / `events.gap` and `events.unsubscribe`.
    pub subscription_id: u64,
    /// Per device (keys are device IDs as strings in JSON): the ID the next record will get, as
    /// the device's log stood once the live stream was running. Every later record arrives as an
    /// `events.log` push (or is announced by `events.gap`). Devices whose log end could not be
    /// read are left out.
    pub next_event_ids: AfterCursor,
}

/// `events.unsubscribe` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnsubscribeParams {
    /// From `events.subscribe`.
    pub subscription_id: u64,
}

/// A password in a request: serialised as the plain string, but never shown by `Debug`, so a
/// logged request cannot leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// `{username}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsernameParams {
    /// The account.
    pub username: String,
}

/// `accounts.create` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAccountParams {
    /// 1–32 of `A-Z a-z 0-9 . _ -`.
    pub username: String,
    /// At least 10 characters.
    pub password: Password,
    /// Its role.
    pub role: Role,
}

/// `accounts.setRole` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetRoleParams {
    /// The account.
    pub username: String,
    /// Its new role.
    pub role: Role,
}

/// `accounts.setPassword` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetPasswordParams {
    /// The account.
    pub username: String,
    /// The new password.
    pub password: Password,
}

/// What a kiosk tablet may show: the devices of these sites and these devices, or every device.
/// The relay enforces it on every call of the kiosk's session (devices, logs, live events).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KioskScope {
    /// Sites (gateway names) whose devices it shows.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub sites: Vec<String>,
    /// Devices it shows, besides those of `sites`.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub devices: Vec<u32>,
    /// Every device (then `sites` and `devices` are left empty).
    #[serde(default, skip_serializing_if = "crate::binary::omit_default")]
    pub all_devices: bool,
    /// How people's names reach the tablet: in full, or shortened for a public wall.
    #[serde(default, skip_serializing_if = "crate::binary::omit_default")]
    pub name_form: NameForm,
}

/// How a kiosk shows people's names (chosen at pairing; the relay shortens them before they
/// reach the tablet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NameForm {
    /// The name as the devices hold it.
    #[default]
    Full,
    /// First name and the last name's initial ("Ana M."); a name without spaces (Korean, 김민준)
    /// keeps its first and last letter ("김*준").
    FirstInitial,
}

impl NameForm {
    /// Whether it is [`NameForm::Full`].
    pub fn is_full(&self) -> bool {
        *self == NameForm::Full
    }

    /// `name` in this form.
    pub fn apply(self, name: &str) -> String {
        match self {
            NameForm::Full => name.to_string(),
            NameForm::FirstInitial => {
                let words: Vec<&str> = name.split_whitespace().collect();
                match words.as_slice() {
                    [] => String::new(),
                    [one] => {
                        let chars: Vec<char> = one.chars().collect();
                        match chars.as_slice() {
                            [] => String::new(),
                            [c] => c.to_string(),
                            [first, _] => format!("{first}*"),
                            [first, .., last] => format!("{first}*{last}"),
                        }
                    }
                    [first, .., last] => {
                        let initial = last
                            .chars()
                            .next()
                            .map(|c| c.to_string())
                            .unwrap_or_default();
                        format!("{first} {initial}.")
                    }
                }
            }
        }
    }
}

impl KioskScope {
    /// Every device, as a kiosk paired before scopes existed has.
    pub fn all() -> KioskScope {
        KioskScope {
            all_devices: true,
            ..KioskScope::default()
        }
    }

    /// Why it cannot be used, if it cannot: it must name something, and `allDevices` stands alone.
    pub fn problem(&self) -> Option<&'static str> {
        let narrowed = !self.sites.is_empty() || !self.devices.is_empty();
        match (self.all_devices, narrowed) {
            (false, false) => Some(
                "say what the kiosk shows: scope.sites, scope.devices, or scope.allDevices = true",
            ),
            (true, true) => {
                Some("scope.allDevices = true cannot be combined with sites or devices")
            }
            _ => None,
        }
    }

    /// Whether a device of `site` with this ID is in it.
    pub fn covers(&self, device_id: u32, site: Option<&str>) -> bool {
        self.all_devices
            || self.devices.contains(&device_id)
            || site.is_some_and(|s| self.sites.iter().any(|x| x == s))
    }
}

/// `kiosk.pair` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KioskPairParams {
    /// A name for the tablet (`reception-1`), shown as its account name.
    pub name: String,
    /// What it may show (required: [`KioskScope::problem`]).
    #[serde(default)]
    pub scope: KioskScope,
}

/// `kiosk.revoke` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KioskNameParams {
    /// The kiosk's name.
    pub name: String,
}

/// `session.whoami` result: who this socket is signed in as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoamiResult {
    /// The account (`null` when the relay runs without sign-in).
    pub username: Option<String>,
    /// Its role (admin when the relay runs without sign-in).
    pub role: Role,
    /// When the session ends (Unix seconds; `null` without sign-in).
    pub expires_at: Option<u64>,
}

/// One account as `accounts.list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// The account.
    pub username: String,
    /// Its role.
    pub role: Role,
}

/// `accounts.list` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountsResult {
    /// Every account, by name.
    pub accounts: Vec<AccountInfo>,
}

/// One paired kiosk tablet (`kiosk.list`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskInfo {
    /// The name given at pairing.
    pub name: String,
    /// When it was paired (Unix seconds).
    pub paired_at: u64,
    /// When its session ends (Unix seconds).
    pub expires_at: u64,
    /// What it may show.
    pub scope: KioskScope,
}

/// `kiosk.list` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KiosksResult {
    /// Every paired kiosk, by name.
    pub kiosks: Vec<KioskInfo>,
}

/// `kiosk.pair` result: a one-time code the tablet enters at `/kiosk/pair`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairingResult {
    /// The code (8 characters).
    pub code: String,
    /// Until when it can be used (Unix seconds).
    pub expires_at: u64,
}

/// An empty result object (`{}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmptyResult {}

/// `archive.status` result: which database holds the archive and every sync cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveStatusResult {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// One row per (device, stream) the archive has read.
    pub states: Vec<SyncState>,
    /// Devices of other relays sharing this (PostgreSQL) archive: none of this relay's gateways
    /// lists them, but their live events reach it, so `events.subscribe` takes them.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub remote_devices: Vec<u32>,
}

/// One (device, stream) of the archive's sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncState {
    /// The cursor as stored.
    #[serde(flatten)]
    pub cursor: Cursor,
    /// A sync of the device runs now.
    pub syncing: bool,
    /// Seconds since the last stored page (how stale the archive may be for this device).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub lag_seconds: Option<i64>,
}

/// `archive.sync` params: which devices to sync now (all when left out).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchiveSyncParams {
    /// The devices; every device when `None`.
    #[serde(default)]
    pub device_ids: Option<Vec<u32>>,
}

/// `timecards.get` params: a range of days (inclusive, `YYYY-MM-DD`), optionally one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimecardsParams {
    /// First day.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Only this user.
    #[serde(default)]
    pub user_id: Option<String>,
}

/// `timecards.get` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimecardsResult {
    /// The policy the days were computed with.
    pub policy: TimecardPolicy,
    /// One row per user per day, by user then day.
    pub days: Vec<TimecardDay>,
    /// Per user.
    pub totals: Vec<UserTotals>,
    /// Archived events the days were computed from.
    pub events: u64,
}

/// The timecard policy (`timecards.getPolicy`, `timecards.setPolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyParams {
    /// The policy.
    pub policy: TimecardPolicy,
}

/// `audit.list` result, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditResult {
    /// The entries.
    pub entries: Vec<AuditEntry>,
}

/// `archive.reset` push: a device's event numbering started again; the archive kept what it had
/// and reads the device from 0 in a new epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchiveReset {
    /// The device.
    pub device_id: u32,
    /// Which of its logs.
    pub stream: Stream,
    /// The new epoch.
    pub epoch: u32,
}

/// `devices.stale` push: this client fell behind on `devices.status` pushes and missed some;
/// its device list may be out of date, so it reads `devices.list` again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicesStale {
    /// How many status changes it missed.
    pub lost: u64,
}

/// `devices.setInfo` result: what the archive now keeps for the device (normalized: trimmed,
/// tags lower-cased and sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfoResult {
    /// The device's name, location and tags.
    pub info: DeviceInfo,
}

/// `devices.list` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicesResult {
    /// Every device of every gateway. The devices of a gateway that cannot be reached now are
    /// listed as last seen, with status `error` and a `statusDetail` saying so.
    pub devices: Vec<Device>,
    /// One entry per configured gateway (site) when the relay has several; empty for one.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub gateways: Vec<GatewayState>,
}

/// A gateway (site) as `devices.list` found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayState {
    /// The site name from the relay's config (`Device.site` of its devices).
    pub name: String,
    /// The site's IANA time zone (`Device.zone` of its devices); absent when none is set (UTC).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub zone: Option<String>,
    /// The gateway answered this `devices.list`.
    pub reachable: bool,
    /// Why it could not be reached.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub message: Option<String>,
    /// Devices listed for it (as last seen when unreachable).
    pub devices: u32,
}

/// `devices.capabilities` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitiesResult {
    /// The device's capabilities.
    pub capabilities: DeviceCapabilities,
}

/// `schedules.list` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchedulesResult {
    /// Schedules on the device; "Always" (ID 1) is always listed.
    pub schedules: Vec<Schedule>,
}

/// `tna.getConfig` / `tna.setConfig` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigResult {
    /// The config as the device holds it (after `setConfig`: re-read from the device).
    pub config: TnaConfig,
}

/// Result of multi-device writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultsResult {
    /// One entry per requested device, in request order.
    pub results: Vec<DeviceResult>,
}

/// Whether a method's flag (`audited`, `binary` or none) is the one asked about, as a `bool`;
/// any other flag is a compile error.
macro_rules! method_flag {
    ($want:ident,) => {
        false
    };
    (audited, audited) => {
        true
    };
    (binary, binary) => {
        true
    };
    (audited, binary) => {
        false
    };
    (binary, audited) => {
        false
    };
}

/// The method table: each entry is `Variant = "wire.name" (Params) -> Result, role Role` and,
/// for a write recorded in the audit trail, `, audited`, or for a result that a client of the
/// binary subprotocol gets as a binary frame ([`crate::binary`]), `, binary`. The role and the
/// flag are part of the grammar, so a method without a role does not compile and a misspelt
/// role or flag neither.
macro_rules! methods {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal ($params:ty) -> $result:ty,
        role $role:ident $(, $flag:ident)?; )*) => {
        /// A decoded request: one variant per method, holding its params.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Request {
            $( $(#[$doc])* $variant($params), )*
        }

        impl Request {
            /// Every method name, for documentation and tests.
            pub const METHODS: &'static [&'static str] = &[$($name),*];

            /// Decodes `params` for `method`.
            pub fn parse(method: &str, params: Value) -> Result<Self, RpcError> {
                match method {
                    $( $name => Ok(Request::$variant(parse_params($name, params)?)), )*
                    other => Err(RpcError::method_not_found(other)),
                }
            }

            /// The lowest role that may call `method` (`None`: no such method).
            pub fn role_of(method: &str) -> Option<Role> {
                match method {
                    $( $name => Some(Role::$role), )*
                    _ => None,
                }
            }

            /// Whether `method` is a write recorded in the audit trail.
            pub fn is_audited(method: &str) -> bool {
                match method {
                    $( $name => method_flag!(audited, $($flag)?), )*
                    _ => false,
                }
            }

            /// Whether `method`'s result comes as a binary frame to a client of the binary
            /// subprotocol ([`crate::binary`]).
            pub fn has_binary_result(method: &str) -> bool {
                match method {
                    $( $name => method_flag!(binary, $($flag)?), )*
                    _ => false,
                }
            }

            /// For a method marked `binary`: its result, given as JSON text, as the binary
            /// frame answering request `id` (`None`: the method has no binary result). For a
            /// handler that builds its result as JSON.
            pub fn binary_from_json(
                method: &str,
                id: i64,
                json: &str,
            ) -> Option<Result<Vec<u8>, crate::binary::BinaryError>> {
                match method {
                    $( $name if method_flag!(binary, $($flag)?) => {
                        Some(crate::binary::reencode::<$result>(id, json))
                    } )*
                    _ => None,
                }
            }

            /// The wire name of this request's method.
            pub fn method(&self) -> &'static str {
                match self { $( Request::$variant(_) => $name, )* }
            }

            /// The params as JSON (for clients that build requests from the enum).
            pub fn params(&self) -> Value {
                match self { $( Request::$variant(p) => serde_json::to_value(p).unwrap_or(Value::Null), )* }
            }
        }

        /// One marker type per method, for typed calls: `client.call::<method::TnaGetConfig>(…)`.
        pub mod method {
            use super::*;
            $(
                $(#[$doc])*
                #[derive(Debug, Clone, Copy)]
                pub struct $variant;
                impl Method for $variant {
                    const NAME: &'static str = $name;
                    const ROLE: Role = Role::$role;
                    const AUDITED: bool = method_flag!(audited, $($flag)?);
                    const BINARY: bool = method_flag!(binary, $($flag)?);
                    type Params = $params;
                    type Result = $result;
                }
            )*
        }
    };
}

methods! {
    /// Every device of every gateway, with status and T&A capability.
    DevicesList = "devices.list" (NoParams) -> DevicesResult, role Kiosk, binary;
    /// Gives a device a name, a location and tags (kept in the archive, shared by the relays of
    /// one archive); absent fields are cleared.
    DevicesSetInfo = "devices.setInfo" (DeviceInfo) -> DeviceInfoResult, role Operator, audited;
    /// One device's capabilities (`Device.GetCapabilityInfo`).
    DevicesCapabilities = "devices.capabilities" (DeviceParams) -> CapabilitiesResult, role Viewer;
    /// The schedules a device holds (`Schedule.GetList`).
    SchedulesList = "schedules.list" (DeviceParams) -> SchedulesResult, role Viewer;
    /// A device's T&A config (`TNA.GetConfig`).
    TnaGetConfig = "tna.getConfig" (DeviceParams) -> ConfigResult, role Kiosk, binary;
    /// Validates, writes (`TNA.SetConfig`) and re-reads a device's T&A config.
    TnaSetConfig = "tna.setConfig" (SetConfigParams) -> ConfigResult, role Operator, audited;
    /// Writes one config to many devices (`TNA.SetConfigMulti`); one result per device.
    TnaSetConfigMulti = "tna.setConfigMulti" (SetConfigMultiParams) -> ResultsResult, role Operator, audited;
    /// One cursor page of T&A logs (`TNA.GetTNALog`).
    TnaGetLog = "tna.getLog" (LogPageParams) -> LogPage<TnaLog>, role Kiosk, binary;
    /// One cursor page of job-code logs (`TNA.GetJobCodeLog`).
    TnaGetJobCodeLog = "tna.getJobCodeLog" (LogPageParams) -> LogPage<JobCodeLog>, role Viewer, binary;
    /// The job codes of some or all users of a device (`User.GetJobCode`).
    JobCodesGet = "jobCodes.get" (GetJobCodesParams) -> JobCodesResult, role Viewer;
    /// Validates and replaces the job codes of the listed users on one device (`User.SetJobCode`).
    JobCodesSet = "jobCodes.set" (SetJobCodesParams) -> EmptyResult, role Operator, audited;
    /// Writes users' job codes to many devices (`User.SetJobCodeMulti`); one result per device.
    JobCodesSetMulti = "jobCodes.setMulti" (SetJobCodesMultiParams) -> ResultsResult, role Operator, audited;
    /// Whether the device asks for job codes (`System.GetConfig` → `useJobCode`).
    SystemGetJobCodeUse = "system.getJobCodeUse" (DeviceParams) -> JobCodeUseResult, role Viewer;
    /// Switches `useJobCode` by reading, modifying and writing the whole `SystemConfig`.
    SystemSetJobCodeUse = "system.setJobCodeUse" (SetJobCodeUseParams) -> JobCodeUseResult, role Operator, audited;
    /// A device's time zone (`System.GetConfig` → `SystemConfig.timeZone`).
    SystemGetTimeZone = "system.getTimeZone" (DeviceParams) -> TimeZoneResult, role Kiosk, binary;
    /// Live T&A events of devices: `events.log` pushes (and `events.gap` when some were lost).
    EventsSubscribe = "events.subscribe" (SubscribeParams) -> SubscribeResult, role Kiosk, binary;
    /// Ends a subscription of this socket.
    EventsUnsubscribe = "events.unsubscribe" (UnsubscribeParams) -> EmptyResult, role Kiosk, binary;
    /// The devices' clocks and time zones, and their offset from the relay's clock (`Time.Get`,
    /// `Time.GetConfig`); a device that cannot be read gets its own error row.
    TimeGet = "time.get" (DeviceIdsParams) -> ClocksResult, role Viewer;
    /// Sets the devices' clocks to the relay's UTC time (`Time.SetMulti`); one result per device.
    TimeSync = "time.sync" (DeviceIdsParams) -> ResultsResult, role Operator, audited;
    /// Each device's UTC offset and DST schedules judged against its site's time zone for this
    /// year and the next (`Time.GetConfig`, `Time.GetDSTConfig`); a device that cannot be read,
    /// or whose site has no zone, gets its own error row.
    TimeGetZones = "time.getZones" (DeviceIdsParams) -> ZonesResult, role Viewer;
    /// Writes each device's site-zone settings of this year (`Time.SetConfigMulti`,
    /// `Time.SetDSTConfigMulti`, one call per distinct target), then re-reads and judges them;
    /// `dryRun` only says what would change. One row per device.
    TimeFixZones = "time.fixZones" (FixZonesParams) -> FixZonesResult, role Operator, audited;
    /// Who this socket is signed in as.
    SessionWhoami = "session.whoami" (NoParams) -> WhoamiResult, role Kiosk, binary;
    /// Every account (admin).
    AccountsList = "accounts.list" (NoParams) -> AccountsResult, role Admin;
    /// Creates an account (admin).
    AccountsCreate = "accounts.create" (CreateAccountParams) -> EmptyResult, role Admin, audited;
    /// Changes an account's role and ends its sessions (admin).
    AccountsSetRole = "accounts.setRole" (SetRoleParams) -> EmptyResult, role Admin, audited;
    /// Sets an account's password and ends its sessions (admin).
    AccountsSetPassword = "accounts.setPassword" (SetPasswordParams) -> EmptyResult, role Admin, audited;
    /// Deletes an account (admin; never the last admin).
    AccountsDelete = "accounts.delete" (UsernameParams) -> EmptyResult, role Admin, audited;
    /// A one-time pairing code that enrols a kiosk tablet (admin).
    KioskPair = "kiosk.pair" (KioskPairParams) -> PairingResult, role Admin, audited;
    /// The paired kiosk tablets (admin).
    KioskList = "kiosk.list" (NoParams) -> KiosksResult, role Admin;
    /// Unpairs a kiosk tablet: its session ends at once (admin).
    KioskRevoke = "kiosk.revoke" (KioskNameParams) -> EmptyResult, role Admin, audited;
    /// The archive's backend and every sync cursor.
    ArchiveStatus = "archive.status" (NoParams) -> ArchiveStatusResult, role Viewer;
    /// Syncs devices into the archive now.
    ArchiveSync = "archive.sync" (ArchiveSyncParams) -> EmptyResult, role Operator, audited;
    /// One page of archived T&A events across devices (time range, user, devices).
    ArchiveLogs = "archive.logs" (LogQuery) -> QueryPage<ArchivedTnaLog>, role Kiosk, binary;
    /// One page of archived job-code events across devices.
    ArchiveJobCodeLogs = "archive.jobCodeLogs" (LogQuery) -> QueryPage<ArchivedJobCodeLog>, role Viewer, binary;
    /// Timecards of a range of days, from the archive, by the current policy.
    TimecardsGet = "timecards.get" (TimecardsParams) -> TimecardsResult, role Viewer;
    /// The timecard policy.
    TimecardsGetPolicy = "timecards.getPolicy" (NoParams) -> PolicyParams, role Viewer;
    /// Validates and replaces the timecard policy (admin).
    TimecardsSetPolicy = "timecards.setPolicy" (PolicyParams) -> PolicyParams, role Admin, audited;
    /// The audit trail, newest first (admin).
    AuditList = "audit.list" (AuditQuery) -> AuditResult, role Admin;
    /// One page of the user directory, optionally a search by ID prefix or name part.
    UsersList = "users.list" (UsersListParams) -> UsersPage, role Viewer;
    /// Directory entries of some users (a kiosk: names only, of users its devices hold).
    UsersGet = "users.get" (UsersGetParams) -> UsersResult, role Kiosk, binary;
    /// Reads the devices' users into the directory now (`User.GetList` + `User.GetPartial`).
    UsersSync = "users.sync" (UsersSyncParams) -> EmptyResult, role Operator, audited;
}

fn parse_params<T: DeserializeOwned>(method: &str, params: Value) -> Result<T, RpcError> {
    let params = if params.is_null() {
        Value::Object(Default::default())
    } else {
        params
    };
    if !params.is_object() {
        return Err(RpcError::invalid_params(format!(
            "params of {method} must be an object"
        )));
    }
    serde_json::from_value(params)
        .map_err(|e| RpcError::invalid_params(format!("params of {method}: {e}")))
}

/// A client frame as it arrives, before the method is known.
#[derive(Debug, Deserialize)]
struct RawRequest {
    // Checked by its type during decoding; not read afterwards.
    #[serde(rename = "jsonrpc")]
    _jsonrpc: Version,
    id: RequestId,
    method: String,
    #[serde(default)]
    params: Value,
}

/// A request decoding failure, with the request ID when it could be read.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// The ID to answer with (`null` when the frame had none that could be read).
    pub id: Option<RequestId>,
    /// The error to send.
    pub error: RpcError,
}

/// Decodes one client text frame into `(id, request)`; failures keep the ID when it was readable
/// so the client can match the error to its call.
pub fn decode_request(text: &str) -> Result<(RequestId, Request), DecodeError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DecodeError {
        id: None,
        error: RpcError::new(
            ErrorCode::ParseError,
            format!("The frame is not valid JSON: {e}."),
        ),
    })?;
    let id = value
        .get("id")
        .and_then(|v| serde_json::from_value::<RequestId>(v.clone()).ok());
    let raw: RawRequest = serde_json::from_value(value).map_err(|e| DecodeError {
        id: id.clone(),
        error: RpcError::new(
            ErrorCode::InvalidRequest,
            format!("Not a JSON-RPC 2.0 request: {e}."),
        ),
    })?;
    let request =
        Request::parse(&raw.method, raw.params).map_err(|error| DecodeError { id, error })?;
    Ok((raw.id, request))
}

/// Encodes a request frame (used by the console and by native clients).
///
/// # Panics
/// If `M`'s params do not serialize, which the protocol's params types (plain structs with
/// string keys) never do: a programming error, not a condition of the input.
pub fn encode_request<M: Method>(id: i64, params: &M::Params) -> String {
    let params = encode_params::<M>(params).expect("protocol params serialize to JSON");
    request_frame(id, M::NAME, &params)
}

/// `M`'s params as JSON text (what [`request_frame`] wraps).
pub fn encode_params<M: Method>(params: &M::Params) -> Result<String, serde_json::Error> {
    serde_json::to_string(params)
}

/// A request frame around params that are JSON text already. `method` is a name from the
/// protocol table (`devices.list`): plain ASCII, written as it is.
///
/// Why text and not a `Value` tree: the console then serialises every params type once, with
/// the one serializer it also uses for its downloads, and its call path is not generic.
pub fn request_frame(id: i64, method: &str, params_json: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{params_json}}}"#)
}

/// `result` or `error` of a response.
///
/// The result stays raw JSON text: the relay writes a typed result straight into it and the
/// client decodes it straight into its typed result, with no intermediate `Value` tree — for a
/// page of thousands of log records that tree costs more than the records themselves.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The method's result object, as JSON text.
    Result(Box<RawValue>),
    /// The failure.
    Error(RpcError),
}

impl PartialEq for Outcome {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Outcome::Result(a), Outcome::Result(b)) => a.get() == b.get(),
            (Outcome::Error(a), Outcome::Error(b)) => a == b,
            _ => false,
        }
    }
}

/// A response frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The request's ID (`null` when the request's ID could not be read).
    pub id: Option<RequestId>,
    /// Result or error.
    pub outcome: Outcome,
}

/// The wire shape of a response (serialize side).
#[derive(Serialize)]
struct ResponseOut<'a> {
    jsonrpc: Version,
    id: &'a Option<RequestId>,
    // JSON only, and exactly one of the two: never both written.
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a RpcError>,
}

impl Response {
    /// A success response from a typed result.
    pub fn result<T: Serialize>(id: RequestId, result: &T) -> Result<Self, RpcError> {
        let raw = serde_json::value::to_raw_value(result).map_err(|e| {
            RpcError::new(
                ErrorCode::Internal,
                format!("Could not encode the result: {e}."),
            )
        })?;
        Ok(Self {
            id: Some(id),
            outcome: Outcome::Result(raw),
        })
    }

    /// An error response.
    pub fn error(id: Option<RequestId>, error: RpcError) -> Self {
        Self {
            id,
            outcome: Outcome::Error(error),
        }
    }

    /// The frame text.
    pub fn to_text(&self) -> String {
        let (result, error) = match &self.outcome {
            Outcome::Result(r) => (Some(r.as_ref()), None),
            Outcome::Error(e) => (None, Some(e)),
        };
        serde_json::to_string(&ResponseOut {
            jsonrpc: Version,
            id: &self.id,
            result,
            error,
        })
        .unwrap_or_else(|e| {
            format!(
                r#"{{"jsonrpc":"2.0","id":null,"error":{{"code":-32603,"message":"encode: {e}"}}}}"#
            )
        })
    }

    /// The typed result, or the error.
    pub fn into_result<T: DeserializeOwned>(self) -> Result<T, RpcError> {
        match self.outcome {
            Outcome::Result(raw) => serde_json::from_str(raw.get()).map_err(|e| {
                RpcError::new(
                    ErrorCode::Internal,
                    format!("Unexpected result shape: {e}."),
                )
            }),
            Outcome::Error(e) => Err(e),
        }
    }
}

/// A change of one device's connection status (`devices.status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatusChange {
    /// The device.
    pub device_id: u32,
    /// Its new status.
    pub status: ConnectionStatus,
    /// When it changed (Unix seconds).
    pub at: u32,
    /// What more there is to say (e.g. the device's gateway cannot be reached).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub detail: Option<String>,
}

/// A live T&A event (`events.log`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventLogPush {
    /// The subscription it belongs to.
    pub subscription_id: u64,
    /// The record.
    pub log: TnaLog,
}

/// Events were dropped for this client; it re-reads from `fromEventId` (`events.gap`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventGap {
    /// The subscription it belongs to.
    pub subscription_id: u64,
    /// The device whose events were dropped.
    pub device_id: u32,
    /// The first record ID the client has not received.
    pub from_event_id: u32,
}

/// Progress of a long multi-device call (`bulk.progress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkProgress {
    /// The request this belongs to.
    pub request_id: RequestId,
    /// Devices answered so far.
    pub done: u32,
    /// Devices in the call.
    pub total: u32,
}

/// Server → client pushes (JSON-RPC notifications: `method` + `params`, no `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", content = "params")]
pub enum Notification {
    /// A device's connection status changed.
    #[serde(rename = "devices.status")]
    DevicesStatus(DeviceStatusChange),
    /// Status changes were lost for this client: read `devices.list` again.
    #[serde(rename = "devices.stale")]
    DevicesStale(DevicesStale),
    /// A new T&A event on a watched device.
    #[serde(rename = "events.log")]
    EventsLog(EventLogPush),
    /// Events were dropped for this client: re-read from the given ID.
    #[serde(rename = "events.gap")]
    EventsGap(EventGap),
    /// Progress of a bulk call.
    #[serde(rename = "bulk.progress")]
    BulkProgress(BulkProgress),
    /// A device's event IDs started again; the archive opened a new epoch for it.
    #[serde(rename = "archive.reset")]
    ArchiveReset(ArchiveReset),
}

impl Notification {
    /// The push named `method` with its `params` (JSON text).
    ///
    /// Why not the derived reader: it buffers the params of an adjacently tagged enum and
    /// decodes them a second time; reading each push's params straight into its type is the
    /// smaller code in the console's WASM.
    pub fn from_parts(method: &str, params: &str) -> Result<Self, String> {
        /// JSON text params.
        struct Json<'a>(&'a str);
        impl PushParams for Json<'_> {
            fn read<T: DeserializeOwned>(self, method: &str) -> Result<T, String> {
                serde_json::from_str(self.0).map_err(|e| format!("bad {method} params: {e}"))
            }
        }
        Self::read(method, Json(params))
    }

    /// The push named `method`, its params read from `params` (JSON text, or postcard in a
    /// binary frame: `crate::binary`). The names are the `serde(rename)`s above (a test decodes
    /// every push from its own frame, in both forms).
    pub fn read(method: &str, params: impl PushParams) -> Result<Self, String> {
        Ok(match method {
            "devices.status" => Notification::DevicesStatus(params.read(method)?),
            "devices.stale" => Notification::DevicesStale(params.read(method)?),
            "events.log" => Notification::EventsLog(params.read(method)?),
            "events.gap" => Notification::EventsGap(params.read(method)?),
            "bulk.progress" => Notification::BulkProgress(params.read(method)?),
            "archive.reset" => Notification::ArchiveReset(params.read(method)?),
            other => return Err(format!("bad notification: unknown method \"{other}\"")),
        })
    }

    /// The push's method name (the `serde(rename)` of its variant).
    pub fn method(&self) -> &'static str {
        match self {
            Notification::DevicesStatus(_) => "devices.status",
            Notification::DevicesStale(_) => "devices.stale",
            Notification::EventsLog(_) => "events.log",
            Notification::EventsGap(_) => "events.gap",
            Notification::BulkProgress(_) => "bulk.progress",
            Notification::ArchiveReset(_) => "archive.reset",
        }
    }

    /// The frame text (`{"jsonrpc":"2.0","method":…,"params":…}`).
    pub fn to_text(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("jsonrpc".into(), Value::String("2.0".into()));
        }
        v.to_string()
    }
}

/// Where a push's params are read from ([`Notification::read`]): JSON text, or postcard bytes.
pub trait PushParams {
    /// The params as `T`; the error names `method`.
    fn read<T: DeserializeOwned>(self, method: &str) -> Result<T, String>;
}

/// Anything the relay sends.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerMessage {
    /// The answer to a request.
    Response(Response),
    /// A push.
    Notification(Notification),
}

/// Every member a relay frame may have; decoded in one pass with the payloads kept raw.
#[derive(Deserialize)]
struct ServerFrame<'a> {
    #[serde(rename = "jsonrpc")]
    _jsonrpc: Version,
    /// `Some(None)` for `"id": null`, `None` when there is no `id` member (a notification).
    #[serde(default, deserialize_with = "present")]
    id: Option<Option<RequestId>>,
    #[serde(default, borrow)]
    method: Option<&'a RawValue>,
    #[serde(default, borrow)]
    params: Option<&'a RawValue>,
    #[serde(default)]
    result: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<RpcError>,
}

/// Tells a present `null` apart from an absent member.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<RequestId>>, D::Error> {
    Option::<RequestId>::deserialize(d).map(Some)
}

impl ServerMessage {
    /// Decodes a relay frame: frames with an `id` member are responses, others notifications.
    pub fn decode(text: &str) -> Result<Self, String> {
        let frame: ServerFrame<'_> =
            serde_json::from_str(text).map_err(|e| format!("bad frame: {e}"))?;
        match (frame.id, frame.result, frame.error) {
            (Some(id), Some(result), None) => Ok(ServerMessage::Response(Response {
                id,
                outcome: Outcome::Result(result),
            })),
            (Some(id), None, Some(error)) => Ok(ServerMessage::Response(Response {
                id,
                outcome: Outcome::Error(error),
            })),
            (Some(_), _, _) => {
                Err("bad response: exactly one of result and error is required".into())
            }
            (None, _, _) => {
                let method = frame.method.ok_or("bad notification: no method")?;
                let method: String = serde_json::from_str(method.get())
                    .map_err(|e| format!("bad notification method: {e}"))?;
                let params = frame.params.map(RawValue::get).unwrap_or("null");
                Notification::from_parts(&method, params).map(ServerMessage::Notification)
            }
        }
    }
}

/// Stable protocol error codes. The numbers never change; new ones are only added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The frame is not JSON.
    ParseError = -32700,
    /// JSON, but not a JSON-RPC 2.0 request object.
    InvalidRequest = -32600,
    /// No such method.
    MethodNotFound = -32601,
    /// The params do not fit the method.
    InvalidParams = -32602,
    /// A fault inside the relay.
    Internal = -32603,
    /// A config or input broke a rule; `data.errors` lists each field.
    ValidationFailed = -32001,
    /// The gateway does not know this device; `data.deviceId`.
    DeviceNotFound = -32002,
    /// The device did not answer; `data.deviceId`, `data.grpcCode`.
    DeviceUnreachable = -32003,
    /// The relay cannot reach the gateway; `data.gateway`.
    GatewayUnavailable = -32004,
    /// The call did not finish in time; `data.afterMs`.
    Timeout = -32005,
    /// The signed-in role may not call this method.
    PermissionDenied = -32006,
    /// The device cannot do this (no T&A or job-code support); `data.deviceId`, `data.grpcCode`.
    Unsupported = -32007,
    /// A size or count limit was exceeded; `data.limit`, `data.value`.
    LimitExceeded = -32008,
    /// A write was refused because the audit trail cannot be stored (the relay runs without
    /// `--audit-optional`); nothing was changed. `data.detail`.
    AuditUnavailable = -32009,
}

impl ErrorCode {
    /// Every code.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::ParseError,
        ErrorCode::InvalidRequest,
        ErrorCode::MethodNotFound,
        ErrorCode::InvalidParams,
        ErrorCode::Internal,
        ErrorCode::ValidationFailed,
        ErrorCode::DeviceNotFound,
        ErrorCode::DeviceUnreachable,
        ErrorCode::GatewayUnavailable,
        ErrorCode::Timeout,
        ErrorCode::PermissionDenied,
        ErrorCode::Unsupported,
        ErrorCode::LimitExceeded,
        ErrorCode::AuditUnavailable,
    ];

    /// The code for a number, if it is one of ours.
    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as i32 == code)
    }
}

/// A protocol error: `{code, message, data?}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} (code {code})")]
pub struct RpcError {
    /// One of [`ErrorCode`] (kept as a number so newer codes still decode).
    pub code: i32,
    /// One sentence a person can act on.
    pub message: String,
    /// Structured detail, per code.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error without data.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code: code as i32,
            message: message.into(),
            data: None,
        }
    }

    /// Adds structured data.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// The code as an [`ErrorCode`], if known.
    pub fn kind(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(self.code)
    }

    /// Unknown method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            ErrorCode::MethodNotFound,
            format!("Unknown method {method:?}."),
        )
        .with_data(serde_json::json!({ "detail": method }))
    }

    /// Params that do not fit.
    pub fn invalid_params(detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self::new(
            ErrorCode::InvalidParams,
            format!("Invalid params: {detail}."),
        )
        .with_data(serde_json::json!({ "detail": detail }))
    }

    /// Validation failed, with every field error.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let first = errors
            .first()
            .map(|e| format!("{}: {}", e.field, e.message))
            .unwrap_or_default();
        Self::new(
            ErrorCode::ValidationFailed,
            format!("Validation failed: {first}"),
        )
        .with_data(serde_json::json!({ "errors": errors }))
    }

    /// The field errors of a validation failure (empty for other errors). Each is read on its
    /// own: one this build cannot read fully (a newer relay's rule with values of another type)
    /// keeps its field and sentence, with [`Rule::Unknown`], and costs no other error.
    pub fn field_errors(&self) -> Vec<FieldError> {
        let Some(list) = self
            .data
            .as_ref()
            .and_then(|d| d.get("errors"))
            .and_then(Value::as_array)
        else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|e| {
                serde_json::from_value(e.clone()).ok().or_else(|| {
                    Some(FieldError {
                        field: e.get("field")?.as_str()?.to_string(),
                        message: e.get("message")?.as_str()?.to_string(),
                        rule: Some(Rule::Unknown),
                    })
                })
            })
            .collect()
    }

    /// The gateway does not know the device.
    pub fn device_not_found(device_id: u32) -> Self {
        Self::new(
            ErrorCode::DeviceNotFound,
            format!("Device {device_id} is not known to the gateway."),
        )
        .with_data(serde_json::json!({ "deviceId": device_id }))
    }

    /// A limit was exceeded: `data` = `{what, limit, value}` (`what` names the limit, so a
    /// client words it in its own language and tells them apart without reading `message`).
    pub fn limit_exceeded(what: Limit, limit: u64, value: u64) -> Self {
        Self::new(
            ErrorCode::LimitExceeded,
            format!("Too many {}: at most {limit}, got {value}.", what.english()),
        )
        .with_data(serde_json::json!({ "what": what, "limit": limit, "value": value }))
    }

    /// A refusal with a stable reason (`data.reason`, camelCase) a client words by itself, with
    /// more named values in `extra` (an object, or null).
    pub fn because(
        code: ErrorCode,
        reason: &str,
        message: impl Into<String>,
        extra: Value,
    ) -> Self {
        let mut data = match extra {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        data.insert("reason".into(), Value::from(reason));
        Self::new(code, message).with_data(Value::Object(data))
    }

    /// `data.reason`, when the error has one.
    pub fn reason(&self) -> Option<&str> {
        self.data.as_ref()?.get("reason")?.as_str()
    }

    /// `data.what` of a [`ErrorCode::LimitExceeded`] error.
    pub fn limit(&self) -> Option<Limit> {
        serde_json::from_value(self.data.as_ref()?.get("what")?.clone()).ok()
    }
}

/// The limit a `LimitExceeded` error is about (`data.what`). New limits are only added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Limit {
    /// Devices in one multi-device call.
    DevicesPerCall,
    /// Users in one job-code or directory call.
    UsersPerCall,
    /// Records in one `tna.getLog` / `tna.getJobCodeLog` page.
    LogPage,
    /// Rows in one archive page.
    ArchivePage,
    /// Devices in one archive query.
    ArchiveDevices,
    /// Users in one directory page.
    DirectoryPage,
    /// Days in one timecard range.
    TimecardDays,
    /// Archived events in one timecard range.
    TimecardEvents,
    /// Live subscriptions on one socket.
    Subscriptions,
    /// Bytes in one frame.
    FrameBytes,
    /// Requests in flight on one socket.
    InFlight,
    /// Bytes waiting to be sent to one socket.
    SocketOutbox,
}

impl Limit {
    /// What the English `message` calls it ("Too many … : at most …").
    pub fn english(self) -> &'static str {
        match self {
            Limit::DevicesPerCall => "devices in one call",
            Limit::UsersPerCall => "users in one call",
            Limit::LogPage => "logs in one page",
            Limit::ArchivePage => "rows in one archive page",
            Limit::ArchiveDevices => "devices in one archive query",
            Limit::DirectoryPage => "users in one directory page",
            Limit::TimecardDays => "days in one timecard range",
            Limit::TimecardEvents => "archived events in one timecard range",
            Limit::Subscriptions => "live subscriptions on this socket (unsubscribe one first)",
            Limit::FrameBytes => "bytes in one frame",
            Limit::InFlight => "requests in flight on this socket",
            Limit::SocketOutbox => "bytes waiting to be sent to this socket (read your replies)",
        }
    }
}

/// A per-device event-ID map (JSON keys are device IDs as strings), e.g. `events.subscribe`'s
/// `nextEventIds`.
pub type AfterCursor = BTreeMap<u32, u32>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{TnaKey, TnaMode};
    use crate::jobcode::JobCode;

    fn round_trip_request(req: Request) {
        let text =
            serde_json::json!({"jsonrpc":"2.0","id":7,"method":req.method(),"params":req.params()})
                .to_string();
        let (id, back) = decode_request(&text).expect("decodes");
        assert_eq!(id, RequestId::Number(7));
        assert_eq!(back, req);
    }

    fn sample_config() -> TnaConfig {
        let mut c = TnaConfig {
            mode: TnaMode::Fixed,
            key: TnaKey::new(4).ok(),
            ..Default::default()
        };
        c.labels[0] = "In".into();
        c.labels[1] = "출근".into();
        c.schedules[2] = 1;
        c
    }

    fn sample_user() -> UserJobCodes {
        UserJobCodes {
            user_id: "1001".into(),
            job_codes: vec![
                JobCode {
                    code: 301,
                    label: "Assembly".into(),
                },
                JobCode {
                    code: 302,
                    label: "출장".into(),
                },
            ],
        }
    }

    #[test]
    fn job_code_params_json_shape() {
        let text = r#"{"jsonrpc":"2.0","id":1,"method":"jobCodes.get","params":{"deviceId":5}}"#;
        let (_, req) = decode_request(text).unwrap();
        assert_eq!(
            req,
            Request::JobCodesGet(GetJobCodesParams {
                device_id: 5,
                user_ids: vec![]
            })
        );
        let v = serde_json::to_value(SetJobCodesParams {
            device_id: 1,
            users: vec![sample_user()],
        })
        .unwrap();
        assert_eq!(v["users"][0]["userId"], "1001");
        assert_eq!(v["users"][0]["jobCodes"][1]["label"], "출장");
        let bad =
            r#"{"jsonrpc":"2.0","id":1,"method":"system.setJobCodeUse","params":{"deviceId":5}}"#;
        assert_eq!(
            decode_request(bad).unwrap_err().error.code,
            -32602,
            "enabled is required"
        );
    }

    #[test]
    fn passwords_never_show_in_debug() {
        let params = CreateAccountParams {
            username: "anna".into(),
            password: Password("s3cret-passw0rd".into()),
            role: Role::Viewer,
        };
        let shown = format!("{:?}", Request::AccountsCreate(params.clone()));
        assert!(!shown.contains("s3cret"), "{shown}");
        let sent = encode_request::<method::AccountsCreate>(1, &params);
        assert!(sent.contains("s3cret-passw0rd"), "still sent: {sent}");
    }

    #[test]
    fn names_for_a_public_wall() {
        let f = NameForm::FirstInitial;
        assert_eq!(f.apply("Ana Müller"), "Ana M.");
        assert_eq!(f.apply("Jean-Luc de la Croix"), "Jean-Luc C.");
        assert_eq!(f.apply("김민준"), "김*준");
        assert_eq!(f.apply("이수"), "이*");
        assert_eq!(f.apply("Li"), "L*");
        assert_eq!(f.apply("  "), "");
        assert_eq!(NameForm::Full.apply("Ana Müller"), "Ana Müller");
    }

    #[test]
    fn a_kiosk_scope_names_what_it_shows() {
        assert!(KioskScope::default().problem().is_some());
        assert!(KioskScope::all().problem().is_none());
        let both = KioskScope {
            devices: vec![1],
            ..KioskScope::all()
        };
        assert!(both.problem().is_some());
        let hq = KioskScope {
            sites: vec!["HQ".into()],
            devices: vec![7],
            all_devices: false,
            name_form: NameForm::Full,
        };
        assert!(hq.problem().is_none());
        assert!(hq.covers(7, None));
        assert!(hq.covers(8, Some("HQ")));
        assert!(!hq.covers(8, Some("Depot")));
        assert!(!hq.covers(8, None));
        assert!(KioskScope::all().covers(8, None));
    }

    #[test]
    fn every_request_round_trips() {
        let all = vec![
            Request::DevicesList(NoParams {}),
            Request::DevicesSetInfo(DeviceInfo {
                device_id: 1,
                name: Some("Reception entrance".into()),
                location: None,
                tags: vec!["lobby".into()],
            }),
            Request::DevicesCapabilities(DeviceParams { device_id: 1 }),
            Request::SchedulesList(DeviceParams { device_id: 2 }),
            Request::TnaGetConfig(DeviceParams { device_id: 3 }),
            Request::TnaSetConfig(SetConfigParams {
                device_id: 4,
                config: sample_config(),
            }),
            Request::TnaSetConfigMulti(SetConfigMultiParams {
                device_ids: vec![5, 6],
                config: sample_config(),
                operation_id: None,
            }),
            Request::TnaSetConfigMulti(SetConfigMultiParams {
                device_ids: vec![5, 6],
                config: sample_config(),
                operation_id: Some("bulk-1".into()),
            }),
            Request::TnaGetLog(LogPageParams {
                device_id: 7,
                start_event_id: 0,
                limit: 100,
            }),
            Request::TnaGetJobCodeLog(LogPageParams {
                device_id: 8,
                start_event_id: 9,
                limit: 1,
            }),
            Request::JobCodesGet(GetJobCodesParams {
                device_id: 9,
                user_ids: vec!["1001".into()],
            }),
            Request::JobCodesGet(GetJobCodesParams {
                device_id: 9,
                user_ids: vec![],
            }),
            Request::JobCodesSet(SetJobCodesParams {
                device_id: 10,
                users: vec![sample_user()],
            }),
            Request::JobCodesSetMulti(SetJobCodesMultiParams {
                device_ids: vec![11, 12],
                users: vec![sample_user()],
                operation_id: Some("bulk-2".into()),
            }),
            Request::SystemGetJobCodeUse(DeviceParams { device_id: 13 }),
            Request::SystemSetJobCodeUse(SetJobCodeUseParams {
                device_id: 14,
                enabled: true,
            }),
            Request::SystemGetTimeZone(DeviceParams { device_id: 10 }),
            Request::EventsSubscribe(SubscribeParams {
                device_ids: vec![11, 12],
            }),
            Request::EventsUnsubscribe(UnsubscribeParams {
                subscription_id: 13,
            }),
            Request::TimeGet(DeviceIdsParams {
                device_ids: vec![1, 2],
            }),
            Request::TimeSync(DeviceIdsParams {
                device_ids: vec![3],
            }),
            Request::TimeGetZones(DeviceIdsParams {
                device_ids: vec![4, 5],
            }),
            Request::TimeFixZones(FixZonesParams {
                device_ids: vec![6],
                dry_run: true,
            }),
            Request::SessionWhoami(NoParams {}),
            Request::AccountsList(NoParams {}),
            Request::AccountsCreate(CreateAccountParams {
                username: "ops.anna".into(),
                password: Password("correct horse battery".into()),
                role: Role::Operator,
            }),
            Request::AccountsSetRole(SetRoleParams {
                username: "ops.anna".into(),
                role: Role::Viewer,
            }),
            Request::AccountsSetPassword(SetPasswordParams {
                username: "ops.anna".into(),
                password: Password("another long one".into()),
            }),
            Request::AccountsDelete(UsernameParams {
                username: "ops.anna".into(),
            }),
            Request::KioskPair(KioskPairParams {
                name: "reception-1".into(),
                scope: KioskScope {
                    sites: vec!["HQ".into()],
                    devices: vec![7],
                    all_devices: false,
                    name_form: NameForm::FirstInitial,
                },
            }),
            Request::KioskList(NoParams {}),
            Request::KioskRevoke(KioskNameParams {
                name: "reception-1".into(),
            }),
            Request::ArchiveStatus(NoParams {}),
            Request::ArchiveSync(ArchiveSyncParams {
                device_ids: Some(vec![4, 5]),
            }),
            Request::ArchiveLogs(crate::archive::LogQuery {
                from: Some(1_700_000_000),
                to: Some(1_700_086_400),
                user_id: Some("42".into()),
                device_ids: Some(vec![1]),
                after: Some(crate::archive::QueryCursor {
                    timestamp: 1_700_000_100,
                    device_id: 1,
                    epoch: 0,
                    event_id: 9,
                }),
                limit: 500,
            }),
            Request::ArchiveJobCodeLogs(crate::archive::LogQuery {
                limit: 10,
                ..Default::default()
            }),
            Request::TimecardsGet(TimecardsParams {
                from: "2026-11-23".into(),
                to: "2026-11-29".into(),
                user_id: None,
            }),
            Request::TimecardsGetPolicy(NoParams {}),
            Request::TimecardsSetPolicy(PolicyParams {
                policy: TimecardPolicy::default(),
            }),
            Request::AuditList(crate::archive::AuditQuery {
                actor: Some("admin".into()),
                limit: 50,
                ..Default::default()
            }),
            Request::UsersList(UsersListParams {
                query: Some("Müll".into()),
                limit: 100,
                after: Some("1042".into()),
            }),
            Request::UsersGet(UsersGetParams {
                user_ids: vec!["1001".into(), "1002".into()],
            }),
            Request::UsersSync(UsersSyncParams {
                device_ids: Some(vec![7]),
            }),
        ];
        let methods: std::collections::BTreeSet<&str> = all.iter().map(Request::method).collect();
        assert_eq!(
            methods.len(),
            Request::METHODS.len(),
            "every method is covered"
        );
        for r in all {
            round_trip_request(r);
        }
    }

    #[test]
    fn config_json_shape_is_camel_case() {
        let v = serde_json::to_value(sample_config()).unwrap();
        assert_eq!(v["mode"], "fixed");
        assert_eq!(v["key"], 4);
        assert_eq!(v["isRequired"], false);
        assert_eq!(v["labels"][1], "출근");
        assert_eq!(v["schedules"].as_array().map(Vec::len), Some(16));
        let mut short = v.clone();
        short["labels"] = serde_json::json!(["a"]);
        assert!(
            serde_json::from_value::<TnaConfig>(short).is_err(),
            "exactly 16 labels"
        );
    }

    #[test]
    fn every_result_round_trips() {
        use crate::device::*;
        let dev = Device {
            device_id: 1,
            site: None,
            zone: None,
            device_type: "BIOSTATION_A2".into(),
            address: "10.0.0.2:51211".into(),
            status: ConnectionStatus::Connected,
            status_detail: Some("TLS_CONNECTED".into()),
            tna_supported: true,
            job_code_supported: false,
            has_keypad: Some(true),
            name: None,
            location: None,
            tags: Vec::new(),
        };
        fn rt<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: T) {
            let resp = Response::result(RequestId::Number(1), &v).unwrap();
            let back = ServerMessage::decode(&resp.to_text()).unwrap();
            match back {
                ServerMessage::Response(r) => assert_eq!(r.into_result::<T>().unwrap(), v),
                other => panic!("{other:?}"),
            }
        }
        rt(DevicesResult {
            devices: vec![dev.clone()],
            gateways: Vec::new(),
        });
        // A site's zone is `zone` on its devices and its gateway entry; absent when none is set.
        let berlin = Device {
            site: Some("Warehouse".into()),
            zone: Some("Europe/Berlin".into()),
            ..dev.clone()
        };
        let json = serde_json::to_value(&berlin).unwrap();
        assert_eq!(json["zone"], "Europe/Berlin");
        assert!(serde_json::to_value(&dev).unwrap().get("zone").is_none());
        rt(DevicesResult {
            devices: vec![dev, berlin],
            gateways: vec![GatewayState {
                name: "Warehouse".into(),
                zone: Some("Europe/Berlin".into()),
                reachable: false,
                message: Some("connection refused".into()),
                devices: 1,
            }],
        });
        rt(CapabilitiesResult {
            capabilities: DeviceCapabilities {
                device_id: 1,
                tna_supported: true,
                job_code_supported: true,
                has_keypad: None,
            },
        });
        rt(SchedulesResult {
            schedules: vec![Schedule {
                id: 1,
                name: "Always".into(),
            }],
        });
        rt(ConfigResult {
            config: sample_config(),
        });
        rt(SubscribeResult {
            subscription_id: 3,
            next_event_ids: AfterCursor::from([(541_234_567, 10_001), (2, 0)]),
        });
        rt(EmptyResult {});
        let v = serde_json::to_value(SubscribeResult {
            subscription_id: 1,
            next_event_ids: AfterCursor::from([(7, 8)]),
        })
        .unwrap();
        assert_eq!(v["nextEventIds"]["7"], 8, "device IDs are string keys");
        rt(TimeZoneResult {
            device_id: 1,
            time_zone: -12_600,
        });
        rt(ResultsResult {
            results: vec![DeviceResult::ok(1), DeviceResult::failed(2, 14, "offline")],
        });
        rt(JobCodesResult {
            users: vec![sample_user()],
        });
        rt(JobCodeUseResult { enabled: true });
        rt(EmptyResult {});
        rt(LogPage {
            logs: vec![TnaLog {
                id: 5,
                timestamp: 1_700_000_000,
                device_id: 1,
                user_id: "42".into(),
                event_code: 0x1000,
                sub_code: 1,
                tna_key: TnaKey::new(2).ok(),
            }],
            next_start_event_id: 6,
            done: true,
        });
        rt(LogPage {
            logs: vec![JobCodeLog {
                id: 5,
                timestamp: 1,
                device_id: 1,
                user_id: "42".into(),
                event_code: 0x1000,
                sub_code: 0,
                job_code: 77,
            }],
            next_start_event_id: 6,
            done: false,
        });
    }

    #[test]
    fn every_notification_round_trips() {
        let all = vec![
            Notification::DevicesStatus(DeviceStatusChange {
                device_id: 1,
                status: ConnectionStatus::Disconnected,
                at: 5,
                detail: None,
            }),
            Notification::DevicesStatus(DeviceStatusChange {
                device_id: 2,
                status: ConnectionStatus::Error,
                at: 6,
                detail: Some("gateway of site Warehouse unreachable".into()),
            }),
            Notification::EventsLog(EventLogPush {
                subscription_id: 3,
                log: TnaLog {
                    id: 1,
                    timestamp: 2,
                    device_id: 3,
                    user_id: "u".into(),
                    event_code: 4096,
                    sub_code: 0,
                    tna_key: None,
                },
            }),
            Notification::EventsGap(EventGap {
                subscription_id: 3,
                device_id: 1,
                from_event_id: 10,
            }),
            Notification::BulkProgress(BulkProgress {
                request_id: RequestId::Number(4),
                done: 1,
                total: 2,
            }),
            Notification::DevicesStale(DevicesStale { lost: 7 }),
            Notification::ArchiveReset(ArchiveReset {
                device_id: 9,
                stream: Stream::Tna,
                epoch: 2,
            }),
        ];
        for n in all {
            // A new kind of push fails to compile here until it is added to `all` and to
            // `Notification::from_parts`.
            match &n {
                Notification::DevicesStatus(_)
                | Notification::DevicesStale(_)
                | Notification::EventsLog(_)
                | Notification::EventsGap(_)
                | Notification::BulkProgress(_)
                | Notification::ArchiveReset(_) => {}
            }
            let text = n.to_text();
            assert!(text.contains("\"jsonrpc\":\"2.0\""));
            assert_eq!(
                ServerMessage::decode(&text),
                Ok(ServerMessage::Notification(n))
            );
        }
        // A push this build does not know, or one whose params do not fit, is refused by name.
        let unknown = r#"{"jsonrpc":"2.0","method":"devices.moved","params":{}}"#;
        assert!(ServerMessage::decode(unknown).is_err_and(|e| e.contains("devices.moved")));
        let bad = r#"{"jsonrpc":"2.0","method":"events.gap","params":{"deviceId":"x"}}"#;
        assert!(ServerMessage::decode(bad).is_err_and(|e| e.contains("events.gap")));
    }

    #[test]
    fn error_response_round_trips() {
        let e = RpcError::validation(vec![FieldError::sentence("labels[3]", "too long")]);
        let text = Response::error(Some(RequestId::String("a".into())), e.clone()).to_text();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["error"]["code"], -32001);
        assert_eq!(v["error"]["data"]["errors"][0]["field"], "labels[3]");
        match ServerMessage::decode(&text).unwrap() {
            ServerMessage::Response(r) => {
                assert_eq!(r.id, Some(RequestId::String("a".into())));
                let back = r.into_result::<Value>().unwrap_err();
                assert_eq!(back, e);
                assert_eq!(back.kind(), Some(ErrorCode::ValidationFailed));
                assert_eq!(back.field_errors()[0].field, "labels[3]");
                // A rule this build cannot read costs only its own error's rule.
                let newer = RpcError::new(ErrorCode::ValidationFailed, "Validation failed")
                    .with_data(serde_json::json!({"errors": [
                        {"field": "a", "message": "New.", "rule": {"kind": "labelBytes", "max": "many"}},
                        {"field": "b", "message": "Old.", "rule": {"kind": "labelControl"}}
                    ]}));
                let errors = newer.field_errors();
                assert_eq!(errors.len(), 2);
                assert_eq!(
                    (errors[0].field.as_str(), errors[0].rule.clone()),
                    ("a", Some(Rule::Unknown))
                );
                assert_eq!(errors[0].message, "New.");
                assert_eq!(errors[1].rule, Some(Rule::LabelControl));
            }
            other => panic!("{other:?}"),
        }
        let null_id = Response::error(None, RpcError::new(ErrorCode::ParseError, "x")).to_text();
        assert!(null_id.contains("\"id\":null"), "{null_id}");
        match ServerMessage::decode(&null_id) {
            Ok(ServerMessage::Response(r)) => {
                assert_eq!(r.id, None);
                assert_eq!(r.into_result::<Value>().map_err(|e| e.code), Err(-32700));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            ServerMessage::decode(r#"{"jsonrpc":"2.0","id":1}"#).is_err(),
            "neither result nor error"
        );
        assert!(
            ServerMessage::decode(
                r#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}"#
            )
            .is_err()
        );
        assert!(ServerMessage::decode(r#"{"jsonrpc":"2.0","method":"nope","params":{}}"#).is_err());
    }

    #[test]
    fn bad_frames_get_their_codes() {
        let code = |t: &str| {
            decode_request(t)
                .map(|_| ())
                .map_err(|e| (e.id, e.error.code))
        };
        assert_eq!(code("{not json"), Err((None, -32700)));
        assert_eq!(code("[]"), Err((None, -32600)));
        assert_eq!(
            code(r#"{"jsonrpc":"1.0","id":1,"method":"devices.list"}"#),
            Err((Some(RequestId::Number(1)), -32600))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","method":"devices.list"}"#),
            Err((None, -32600))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":2,"method":"nope"}"#),
            Err((Some(RequestId::Number(2)), -32601))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":3,"method":"tna.getConfig","params":{"deviceId":"x"}}"#),
            Err((Some(RequestId::Number(3)), -32602))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":3,"method":"tna.getConfig","params":[1]}"#),
            Err((Some(RequestId::Number(3)), -32602))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":4,"method":"tna.getConfig","params":{"deviceId":-1}}"#),
            Err((Some(RequestId::Number(4)), -32602))
        );
        assert_eq!(
            code(
                r#"{"jsonrpc":"2.0","id":4,"method":"tna.getConfig","params":{"deviceId":99999999999}}"#
            ),
            Err((Some(RequestId::Number(4)), -32602))
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":5,"method":"devices.list"}"#),
            Ok(())
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":5,"method":"devices.list","params":null}"#),
            Ok(())
        );
        assert_eq!(
            code(r#"{"jsonrpc":"2.0","id":"s","method":"devices.list","params":{}}"#),
            Ok(())
        );
    }

    #[test]
    fn error_codes_are_stable() {
        let pairs = [
            (ErrorCode::ParseError, -32700),
            (ErrorCode::InvalidRequest, -32600),
            (ErrorCode::MethodNotFound, -32601),
            (ErrorCode::InvalidParams, -32602),
            (ErrorCode::Internal, -32603),
            (ErrorCode::ValidationFailed, -32001),
            (ErrorCode::DeviceNotFound, -32002),
            (ErrorCode::DeviceUnreachable, -32003),
            (ErrorCode::GatewayUnavailable, -32004),
            (ErrorCode::Timeout, -32005),
            (ErrorCode::PermissionDenied, -32006),
            (ErrorCode::Unsupported, -32007),
            (ErrorCode::LimitExceeded, -32008),
            (ErrorCode::AuditUnavailable, -32009),
        ];
        for (c, n) in pairs {
            assert_eq!(c as i32, n);
            assert_eq!(ErrorCode::from_code(n), Some(c));
        }
    }

    #[test]
    fn encode_request_is_decodable() {
        let text = encode_request::<method::TnaGetLog>(
            9,
            &LogPageParams {
                device_id: 1,
                start_event_id: 2,
                limit: 3,
            },
        );
        let (id, req) = decode_request(&text).unwrap();
        assert_eq!(id, RequestId::Number(9));
        assert_eq!(
            req,
            Request::TnaGetLog(LogPageParams {
                device_id: 1,
                start_event_id: 2,
                limit: 3
            })
        );
    }
}
