//! Which fields differ between two T&A configs, and whether a device can take a config at all.
//! Shared by the console (editor import preview, bulk preview, drift report, "still differs"
//! after a bulk apply) and the relay, so "differs" means the same everywhere.

use serde::{Deserialize, Serialize};

use crate::config::{TnaConfig, TnaKey, TnaMode};
use crate::device::{ConnectionStatus, Device};

/// One field of a [`TnaConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "field", content = "key", rename_all = "camelCase")]
pub enum ConfigField {
    /// `mode`.
    Mode,
    /// `key` (the fixed key).
    Key,
    /// `isRequired`.
    IsRequired,
    /// `labels[i]` of this key.
    Label(TnaKey),
    /// `schedules[i]` of this key.
    Schedule(TnaKey),
}

impl ConfigField {
    /// The JSON path of the field, as validation errors name it (`mode`, `labels[3]`, …).
    pub fn path(self) -> String {
        match self {
            ConfigField::Mode => "mode".into(),
            ConfigField::Key => "key".into(),
            ConfigField::IsRequired => "isRequired".into(),
            ConfigField::Label(k) => format!("labels[{}]", k.index()),
            ConfigField::Schedule(k) => format!("schedules[{}]", k.index()),
        }
    }
}

/// One differing field with both values, as text for people (labels quoted, schedules by ID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The field.
    pub field: ConfigField,
    /// Its value in the first config (the device's, in a preview).
    pub before: String,
    /// Its value in the second config (the one to write).
    pub after: String,
}

fn mode_text(m: TnaMode) -> String {
    m.label().to_string()
}

fn key_text(k: Option<TnaKey>) -> String {
    k.map_or_else(|| "none".to_string(), |k| k.to_string())
}

/// Every field in which `after` differs from `before`, in field order (mode, key, isRequired,
/// then labels and schedules key by key). Empty when the configs are equal.
pub fn config_diff(before: &TnaConfig, after: &TnaConfig) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if before.mode != after.mode {
        out.push(FieldChange {
            field: ConfigField::Mode,
            before: mode_text(before.mode),
            after: mode_text(after.mode),
        });
    }
    if before.key != after.key {
        out.push(FieldChange {
            field: ConfigField::Key,
            before: key_text(before.key),
            after: key_text(after.key),
        });
    }
    if before.is_required != after.is_required {
        out.push(FieldChange {
            field: ConfigField::IsRequired,
            before: before.is_required.to_string(),
            after: after.is_required.to_string(),
        });
    }
    for key in TnaKey::all() {
        let i = key.index();
        if before.labels[i] != after.labels[i] {
            out.push(FieldChange {
                field: ConfigField::Label(key),
                before: format!("{:?}", before.labels[i]),
                after: format!("{:?}", after.labels[i]),
            });
        }
        if before.schedules[i] != after.schedules[i] {
            out.push(FieldChange {
                field: ConfigField::Schedule(key),
                before: before.schedules[i].to_string(),
                after: after.schedules[i].to_string(),
            });
        }
    }
    out
}

/// Why a device cannot take a config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Ineligible {
    /// The device has no T&A support.
    NoTna,
    /// The device is not connected.
    Offline,
    /// The config's mode needs a keypad or screen, and the device has none.
    NoKeypad,
}

/// Whether `device` can take `config` as far as the device list tells (T&A support, connection,
/// keypad for By user / Last choice). Validation of the config itself is separate.
pub fn eligibility(device: &Device, config: &TnaConfig) -> Result<(), Ineligible> {
    if !device.tna_supported {
        return Err(Ineligible::NoTna);
    }
    if device.status != ConnectionStatus::Connected {
        return Err(Ineligible::Offline);
    }
    if config.mode.needs_keypad() && device.has_keypad == Some(false) {
        return Err(Ineligible::NoKeypad);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> TnaKey {
        TnaKey::new(n).unwrap()
    }

    #[test]
    fn equal_configs_have_no_diff() {
        let c = TnaConfig::default();
        assert!(config_diff(&c, &c.clone()).is_empty());
    }

    #[test]
    fn lists_each_changed_field_in_order() {
        let a = TnaConfig::default();
        let mut b = a.clone();
        b.mode = TnaMode::Fixed;
        b.key = Some(key(2));
        b.labels[3] = "출근".into();
        b.schedules[3] = 1;
        b.schedules[15] = 7;
        let d = config_diff(&a, &b);
        let fields: Vec<ConfigField> = d.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                ConfigField::Mode,
                ConfigField::Key,
                ConfigField::Label(key(4)),
                ConfigField::Schedule(key(4)),
                ConfigField::Schedule(key(16)),
            ]
        );
        assert_eq!(d[0].before, "Not used");
        assert_eq!(d[0].after, "Fixed");
        assert_eq!(d[1].before, "none");
        assert_eq!(d[1].after, "KEY_2");
        assert_eq!(d[2].after, "\"출근\"");
        assert_eq!(d[4].after, "7");
        assert_eq!(d[2].field.path(), "labels[3]");
        assert_eq!(d[4].field.path(), "schedules[15]");
        // Symmetric in which fields differ.
        assert_eq!(config_diff(&b, &a).len(), d.len());
    }

    #[test]
    fn field_json_shape() {
        let v = serde_json::to_value(ConfigField::Label(key(3))).unwrap();
        assert_eq!(v, serde_json::json!({"field": "label", "key": 3}));
        let v = serde_json::to_value(ConfigField::Mode).unwrap();
        assert_eq!(v, serde_json::json!({"field": "mode"}));
        let back: ConfigField = serde_json::from_value(v).unwrap();
        assert_eq!(back, ConfigField::Mode);
    }

    fn device(tna: bool, status: ConnectionStatus, keypad: Option<bool>) -> Device {
        Device {
            tna_supported: tna,
            has_keypad: keypad,
            ..Device::listed(1, "X", "a:1", status)
        }
    }

    #[test]
    fn eligibility_rules() {
        use ConnectionStatus::*;
        let by_user = TnaConfig {
            mode: TnaMode::ByUser,
            ..TnaConfig::default()
        };
        let fixed = TnaConfig {
            mode: TnaMode::Fixed,
            key: Some(key(1)),
            ..TnaConfig::default()
        };
        assert_eq!(
            eligibility(&device(false, Connected, Some(true)), &fixed),
            Err(Ineligible::NoTna)
        );
        assert_eq!(
            eligibility(&device(true, Disconnected, Some(true)), &fixed),
            Err(Ineligible::Offline)
        );
        assert_eq!(
            eligibility(&device(true, Connected, Some(false)), &by_user),
            Err(Ineligible::NoKeypad)
        );
        assert_eq!(
            eligibility(&device(true, Connected, Some(false)), &fixed),
            Ok(())
        );
        assert_eq!(
            eligibility(&device(true, Connected, None), &by_user),
            Ok(())
        );
    }
}
