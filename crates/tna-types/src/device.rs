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
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub site: Option<String>,
    /// The IANA time zone of the device's site (`Europe/Berlin`, the relay's `time_zone` of its
    /// gateway). Absent: the site has no zone set, and the relay computes its days in UTC.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub zone: Option<String>,
    /// G-SDK device type name, e.g. `BIOSTATION_A2`.
    #[serde(rename = "type")]
    pub device_type: String,
    /// `IP:port` the gateway uses.
    pub address: String,
    /// Connection state.
    pub status: ConnectionStatus,
    /// The gateway's own status name where it says more than `status` (e.g. `TLS_CANNOT_CONNECT`).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub status_detail: Option<String>,
    /// `CapabilityInfo.TNASupported`.
    pub tna_supported: bool,
    /// `CapabilityInfo.jobCodeSupported`.
    pub job_code_supported: bool,
    /// Whether the device has a keypad or touch screen to pick a key, where known.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub has_keypad: Option<bool>,
    /// The name an admin gave the device ("Reception entrance"), kept in the archive; absent
    /// until one is given (`devices.setInfo`).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub name: Option<String>,
    /// Where the device is ("Building A, ground floor"), kept with the name.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub location: Option<String>,
    /// Free tags for selecting devices (`tnactl`'s desired-state files, filters), kept with the name.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub tags: Vec<String>,
}

impl Device {
    /// A device as a gateway lists it, before anything else is known: no capabilities, and no
    /// site, zone, name, location or tags (the relay fills those in from its configuration and
    /// the archive).
    pub fn listed(
        device_id: u32,
        device_type: impl Into<String>,
        address: impl Into<String>,
        status: ConnectionStatus,
    ) -> Device {
        Device {
            device_id,
            site: None,
            zone: None,
            device_type: device_type.into(),
            address: address.into(),
            status,
            status_detail: None,
            tna_supported: false,
            job_code_supported: false,
            has_keypad: None,
            name: None,
            location: None,
            tags: Vec::new(),
        }
    }
}

/// What admins say about a device (`devices.setInfo`): kept in the archive, shown wherever the
/// device appears. An absent name or location, or no tags, clears them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceInfo {
    /// Device ID.
    pub device_id: u32,
    /// Its name ("Reception entrance").
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub name: Option<String>,
    /// Where it is ("Building A, ground floor").
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub location: Option<String>,
    /// Tags for selecting devices (`lobby`, `warehouse`).
    #[serde(default)]
    pub tags: Vec<String>,
}

impl DeviceInfo {
    /// Whether it says nothing (the archive then keeps no row).
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.location.is_none() && self.tags.is_empty()
    }

    /// The same with names trimmed, empty texts as absent and tags trimmed, lower-cased, sorted
    /// and without repeats — the form the archive keeps and [`crate::validate_device_info`]
    /// checks.
    pub fn normalized(&self) -> DeviceInfo {
        let text = |t: &Option<String>| {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
        };
        let mut tags: Vec<String> = self.tags.iter().map(|t| t.trim().to_lowercase()).collect();
        tags.sort();
        tags.dedup();
        DeviceInfo {
            device_id: self.device_id,
            name: text(&self.name),
            location: text(&self.location),
            tags,
        }
    }

    /// Puts this into `device` (the device list shows the archive's names).
    pub fn apply_to(&self, device: &mut Device) {
        device.name.clone_from(&self.name);
        device.location.clone_from(&self.location);
        device.tags.clone_from(&self.tags);
    }
}

/// The product name of a G-SDK device type (`BIOSTATION_A2` → "BioStation A2"), for people;
/// an unknown type is shown as it is, with spaces for underscores.
pub fn product_name(device_type: &str) -> String {
    // The G-SDK `device.Type` names (crates/gsdk-proto/proto/device.proto) and Suprema's product names.
    const NAMES: &[(&str, &str)] = &[
        ("BIOENTRY_PLUS", "BioEntry Plus"),
        ("BIOENTRY_W", "BioEntry W"),
        ("BIOLITE_NET", "BioLite Net"),
        ("XPASS", "XPass"),
        ("XPASS_S2", "XPass S2"),
        ("SECURE_IO_2", "Secure I/O 2"),
        ("DOOR_MODULE_20", "DM-20"),
        ("BIOSTATION_2", "BioStation 2"),
        ("BIOSTATION_A2", "BioStation A2"),
        ("FACESTATION_2", "FaceStation 2"),
        ("IO_DEVICE", "I/O device"),
        ("BIOSTATION_L2", "BioStation L2"),
        ("BIOENTRY_W2", "BioEntry W2"),
        ("CORESTATION_40", "CoreStation 40"),
        ("OUTPUT_MODULE", "OM-120"),
        ("INPUT_MODULE", "IM-120"),
        ("BIOENTRY_P2", "BioEntry P2"),
        ("BIOLITE_N2", "BioLite N2"),
        ("XPASS2", "XPass 2"),
        ("XPASS_S3", "XPass S3"),
        ("BIOENTRY_R2", "BioEntry R2"),
        ("XPASS_D2", "XPass D2"),
        ("DOOR_MODULE_21", "DM-21"),
        ("XPASS_D2_KEYPAD", "XPass D2 (keypad)"),
        ("FACELITE", "FaceLite"),
        ("XPASS2_KEYPAD", "XPass 2 (keypad)"),
        ("XPASS_D2_REV", "XPass D2 (rev.)"),
        ("XPASS_D2_KEYPAD_REV", "XPass D2 keypad (rev.)"),
        ("FACESTATION_F2_FP", "FaceStation F2 (fingerprint)"),
        ("FACESTATION_F2", "FaceStation F2"),
        ("XSTATION_2_QR", "X-Station 2 (QR)"),
        ("XSTATION_2", "X-Station 2"),
        ("IM_120", "IM-120"),
        ("XSTATION_2_FP", "X-Station 2 (fingerprint)"),
        ("BIOSTATION_3", "BioStation 3"),
        ("BIOSTATION_2A", "BioStation 2a"),
        ("BIOENTRY_W3", "BioEntry W3"),
        ("CORESTATION_20", "CoreStation 20"),
        ("DOOR_INTERFACE_24", "DI-24"),
    ];
    NAMES
        .iter()
        .find(|(code, _)| *code == device_type)
        .map_or_else(
            || device_type.replace('_', " "),
            |(_, name)| (*name).to_string(),
        )
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
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
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
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub code: Option<i32>,
    /// The gateway's message for this device.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub message: Option<String>,
    /// Where the relay itself refused or could not reach the device: that refusal (`code`,
    /// English `message`, `data`), for a client to word like any other.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub error: Option<crate::protocol::RpcError>,
}

impl DeviceResult {
    /// A success row.
    pub fn ok(device_id: u32) -> Self {
        Self {
            device_id,
            ok: true,
            code: None,
            message: None,
            error: None,
        }
    }

    /// A failure row with the gateway's code and message.
    pub fn failed(device_id: u32, code: i32, message: impl Into<String>) -> Self {
        Self {
            device_id,
            ok: false,
            code: Some(code),
            message: Some(message.into()),
            error: None,
        }
    }

    /// A failure row for a device the relay's call did not reach (the refusal `e`).
    pub fn refused(device_id: u32, code: i32, e: &crate::protocol::RpcError) -> Self {
        Self {
            error: Some(e.clone()),
            ..Self::failed(device_id, code, e.message.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_names_for_people() {
        assert_eq!(product_name("BIOSTATION_A2"), "BioStation A2");
        assert_eq!(
            product_name("FACESTATION_F2_FP"),
            "FaceStation F2 (fingerprint)"
        );
        assert_eq!(product_name("NEW_MODEL_9"), "NEW MODEL 9");
    }

    #[test]
    fn device_info_is_normalized_before_it_is_kept() {
        let info = DeviceInfo {
            device_id: 7,
            name: Some("  Reception entrance ".into()),
            location: Some("   ".into()),
            tags: vec!["Lobby".into(), " lobby".into(), "dock-2".into()],
        };
        let n = info.normalized();
        assert_eq!(n.name.as_deref(), Some("Reception entrance"));
        assert_eq!(n.location, None);
        assert_eq!(n.tags, ["dock-2", "lobby"]);
        assert!(!n.is_empty());
        assert!(
            DeviceInfo {
                device_id: 7,
                ..Default::default()
            }
            .is_empty()
        );
        let mut d = Device {
            tna_supported: true,
            job_code_supported: true,
            location: Some("old".into()),
            ..Device::listed(7, "BIOSTATION_A2", "", ConnectionStatus::Connected)
        };
        n.apply_to(&mut d);
        assert_eq!(d.name.as_deref(), Some("Reception entrance"));
        assert_eq!(d.location, None);
        assert_eq!(d.tags, ["dock-2", "lobby"]);
    }
}
