//! Devices as the console sees them, their capabilities, schedules and per-device results.

use serde::{Deserialize, Serialize};

/// Connection state of a device at its gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionStatus {
    /// Connected (TCP or TLS) and reachable.
    Connected,
    /// The gateway is (re)connecting to it.
    Connecting,
    /// Not connected.
    Disconnected,
    /// The gateway cannot connect or is not allowed to (see `statusDetail`).
    Error,
}

/// One device behind a gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device ID (the serial number on the device label).
    pub device_id: u32,
    /// The site (gateway name) the device belongs to, when several gateways are configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The IANA time zone of the device's site (`Europe/Berlin`, the relay's `time_zone` of its
    /// gateway). Absent: the site has no zone set, and the relay computes its days in UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// G-SDK device type name, e.g. `BIOSTATION_A2`.
    #[serde(rename = "type")]
    pub device_type: String,
    /// `IP:port` the gateway uses.
    pub address: String,
    /// Connection state.
    pub status: ConnectionStatus,
    /// The gateway's own status name where it says more than `status` (e.g. `TLS_CANNOT_CONNECT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_detail: Option<String>,
    /// `CapabilityInfo.TNASupported`.
    pub tna_supported: bool,
    /// `CapabilityInfo.jobCodeSupported`.
    pub job_code_supported: bool,
    /// Whether the device has a keypad or touch screen to pick a key, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_keypad: Option<bool>,
    /// The name an admin gave the device ("Reception entrance"), kept in the archive; absent
    /// until one is given (`devices.setInfo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the device is ("Building A, ground floor"), kept with the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Free tags for selecting devices (`tnactl`'s desired-state files, filters), kept with the name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// What a device can do, for `devices.capabilities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCapabilities {
    /// Device ID.
    pub device_id: u32,
    /// `CapabilityInfo.TNASupported`.
    pub tna_supported: bool,
    /// `CapabilityInfo.jobCodeSupported`.
    pub job_code_supported: bool,
    /// Keypad or touch screen, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_keypad: Option<bool>,
}

/// A schedule a T&A key can follow (ID 1 is the predefined "Always").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// Schedule ID (0 is never a schedule).
    pub id: u32,
    /// Name on the device.
    pub name: String,
}

/// The outcome of a multi-device call for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceResult {
    /// Device ID.
    pub device_id: u32,
    /// The device took the change.
    pub ok: bool,
    /// The gRPC status code the gateway gave for this device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// The gateway's message for this device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl DeviceResult {
    /// A success row.
    pub fn ok(device_id: u32) -> Self {
        Self {
            device_id,
            ok: true,
            code: None,
            message: None,
        }
    }

    /// A failure row with the gateway's code and message.
    pub fn failed(device_id: u32, code: i32, message: impl Into<String>) -> Self {
        Self {
            device_id,
            ok: false,
            code: Some(code),
            message: Some(message.into()),
        }
    }
}
