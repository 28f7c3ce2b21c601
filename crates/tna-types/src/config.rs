//! The T&A configuration of one device (`gsdk.tna.TNAConfig`).

use serde::{Deserialize, Serialize};

use crate::limits::MAX_TNA_KEYS;

/// How a device assigns a T&A key to an authentication event (`gsdk.tna.Mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum TnaMode {
    /// T&A is off.
    #[default]
    Unused,
    /// The user picks a key on the terminal.
    ByUser,
    /// The key is chosen by the schedule assigned to each key.
    BySchedule,
    /// The key the previous user picked is used again.
    LastChoice,
    /// Every authentication event gets the one fixed key.
    Fixed,
}

impl TnaMode {
    /// All modes, in wire order.
    pub const ALL: [TnaMode; 5] = [
        TnaMode::Unused,
        TnaMode::ByUser,
        TnaMode::BySchedule,
        TnaMode::LastChoice,
        TnaMode::Fixed,
    ];

    /// The G-SDK wire value.
    pub fn wire(self) -> i32 {
        match self {
            TnaMode::Unused => 0,
            TnaMode::ByUser => 1,
            TnaMode::BySchedule => 2,
            TnaMode::LastChoice => 3,
            TnaMode::Fixed => 4,
        }
    }

    /// The mode for a G-SDK wire value, `None` for a value this version does not know.
    pub fn from_wire(v: i32) -> Option<Self> {
        Self::ALL.get(usize::try_from(v).ok()?).copied()
    }

    /// Whether "T&A required" applies: only when the user picks the key on the terminal.
    pub fn allows_required(self) -> bool {
        matches!(self, TnaMode::ByUser)
    }

    /// Whether the mode needs a keypad or screen on the device (the user picks a key there).
    pub fn needs_keypad(self) -> bool {
        matches!(self, TnaMode::ByUser | TnaMode::LastChoice)
    }

    /// A short name for people.
    pub fn label(self) -> &'static str {
        match self {
            TnaMode::Unused => "Not used",
            TnaMode::ByUser => "By user",
            TnaMode::BySchedule => "By schedule",
            TnaMode::LastChoice => "Last choice",
            TnaMode::Fixed => "Fixed",
        }
    }
}

/// A T&A key, KEY_1 ..= KEY_16. Holds only valid keys: construction checks the range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct TnaKey(u8);

/// A number outside 1..=16 given as a T&A key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("T&A key must be 1..=16, got {0}")]
pub struct InvalidKey(pub i64);

impl TnaKey {
    /// The key with this number (1 ..= 16).
    pub fn new(n: u8) -> Result<Self, InvalidKey> {
        if (1..=MAX_TNA_KEYS as u8).contains(&n) {
            Ok(Self(n))
        } else {
            Err(InvalidKey(n.into()))
        }
    }

    /// The key for a G-SDK wire value: 0 (UNSPECIFIED) and anything outside 1..=16 is `None`
    /// (the `Key` enum also holds the constant 48, which is not a key).
    pub fn from_wire(v: i32) -> Option<Self> {
        u8::try_from(v).ok().and_then(|n| Self::new(n).ok())
    }

    /// The key number, 1 ..= 16.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The index of this key in `labels` and `schedules` (0 ..= 15).
    pub fn index(self) -> usize {
        usize::from(self.0) - 1
    }

    /// Every key, KEY_1 first.
    pub fn all() -> impl Iterator<Item = TnaKey> {
        (1..=MAX_TNA_KEYS as u8).map(TnaKey)
    }
}

impl TryFrom<u8> for TnaKey {
    type Error = InvalidKey;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<TnaKey> for u8 {
    fn from(k: TnaKey) -> u8 {
        k.0
    }
}

impl std::fmt::Display for TnaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KEY_{}", self.0)
    }
}

/// The T&A configuration of a device. `labels[i]` and `schedules[i]` belong to KEY_(i+1);
/// schedule 0 means "no schedule".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TnaConfig {
    /// How keys are assigned.
    pub mode: TnaMode,
    /// The fixed key (used in [`TnaMode::Fixed`] only).
    pub key: Option<TnaKey>,
    /// Users must pick a key after authenticating.
    pub is_required: bool,
    /// Label per key.
    pub labels: [String; MAX_TNA_KEYS],
    /// Schedule ID per key (0 = none).
    pub schedules: [u32; MAX_TNA_KEYS],
}

impl TnaConfig {
    /// The label shown for a key: its label, or `KEY_n` when the label is empty.
    pub fn key_label(&self, key: TnaKey) -> String {
        let label = &self.labels[key.index()];
        if label.is_empty() {
            key.to_string()
        } else {
            label.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_range_is_checked() {
        assert!(TnaKey::new(0).is_err());
        assert_eq!(TnaKey::new(1).map(TnaKey::number), Ok(1));
        assert_eq!(TnaKey::new(16).map(TnaKey::index), Ok(15));
        assert!(TnaKey::new(17).is_err());
        assert_eq!(
            TnaKey::from_wire(48),
            None,
            "MAX_TNA_LABEL_LENGTH is not a key"
        );
        assert_eq!(TnaKey::from_wire(-1), None);
        assert!(serde_json::from_str::<TnaKey>("17").is_err());
        assert!(serde_json::from_str::<TnaKey>("0").is_err());
        assert_eq!(
            serde_json::from_str::<TnaKey>("3").map(|k| k.number()).ok(),
            Some(3)
        );
    }

    #[test]
    fn mode_wire_values_round_trip() {
        for m in TnaMode::ALL {
            assert_eq!(TnaMode::from_wire(m.wire()), Some(m));
        }
        assert_eq!(TnaMode::from_wire(5), None);
        assert_eq!(TnaMode::from_wire(-1), None);
        assert_eq!(TnaMode::Fixed.wire(), 4);
    }

    #[test]
    fn key_label_falls_back_to_key_name() {
        let mut c = TnaConfig::default();
        c.labels[0] = "In".into();
        assert_eq!(c.key_label(TnaKey::new(1).unwrap()), "In");
        assert_eq!(c.key_label(TnaKey::new(2).unwrap()), "KEY_2");
    }
}

/// A T&A config as a file people export and import (the device page's Export): the config and,
/// when it was exported from a device, which device that was — its ID, name, location and
/// product — so a folder of exports reads by place, not by serial number. Importing uses the
/// config only; a file holding a bare [`TnaConfig`] (exports before names existed, hand-written
/// files) is read too ([`ConfigFile::parse`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigFile {
    /// The device it was exported from.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub device: Option<ExportedFrom>,
    /// The config.
    pub config: TnaConfig,
}

/// The device a [`ConfigFile`] was exported from, as people know it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportedFrom {
    /// Device ID.
    pub device_id: u32,
    /// Its name ("Reception entrance"), if it has one.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub name: Option<String>,
    /// Where it is, if that was said.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub location: Option<String>,
    /// Its product name ("BioStation A2").
    pub product: String,
}

impl ConfigFile {
    /// Reads a file's text: `{"device": …, "config": …}`, or a bare config. The error is the
    /// JSON reader's, about the form the text is in.
    pub fn parse(text: &str) -> Result<ConfigFile, serde_json::Error> {
        /// Only whether the top level has a `config` key (read from the text, like the rest,
        /// so the console carries one JSON decoder of `TnaConfig`, not a second one over
        /// `serde_json::Value`).
        #[derive(Deserialize)]
        struct Shape {
            config: Option<serde::de::IgnoredAny>,
        }
        if serde_json::from_str::<Shape>(text)?.config.is_some() {
            serde_json::from_str(text)
        } else {
            Ok(ConfigFile {
                device: None,
                config: serde_json::from_str(text)?,
            })
        }
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    fn sample() -> TnaConfig {
        let mut c = TnaConfig {
            mode: TnaMode::ByUser,
            ..TnaConfig::default()
        };
        c.labels[0] = "In".into();
        c
    }

    #[test]
    fn an_export_round_trips_with_its_device_and_a_bare_config_still_reads() {
        let file = ConfigFile {
            device: Some(ExportedFrom {
                device_id: 540_000_001,
                name: Some("Reception entrance".into()),
                location: None,
                product: "BioStation A2".into(),
            }),
            config: sample(),
        };
        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
        assert!(text.contains("\"name\": \"Reception entrance\""), "{text}");
        assert!(
            !text.contains("location"),
            "absent location left out: {text}"
        );
        assert_eq!(ConfigFile::parse(&text).ok(), Some(file));
        let bare = serde_json::to_string(&sample()).unwrap_or_default();
        assert_eq!(
            ConfigFile::parse(&bare).ok(),
            Some(ConfigFile {
                device: None,
                config: sample()
            })
        );
    }

    #[test]
    fn a_wrong_file_is_refused_with_the_readers_words() {
        let bad = ConfigFile::parse(r#"{"config": {"mode": "sometimes"}}"#);
        assert!(bad.is_err());
        let extra = ConfigFile::parse(
            r#"{"device": {"deviceId": 1, "product": "X"}, "config": {}, "more": 1}"#,
        );
        assert!(extra.is_err(), "unknown keys are refused");
        assert!(ConfigFile::parse("[1, 2]").is_err());
        assert!(ConfigFile::parse("not json").is_err());
    }
}
