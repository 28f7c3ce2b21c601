//! Device time zones and DST schedules as clients see them, and the verdict of a device's
//! settings against its site's zone (`time.getZones`, `time.fixZones`).
//!
//! A device holds a standard-time offset (G-SDK `TimeConfig.timeZone`) and at most two DST
//! schedules, each from one [`WeekTime`] to another with the seconds added in between. A
//! WeekTime names **one year** ("the last Sunday of March 2026"), so schedules go stale every
//! year. The relay computes the verdicts (from the tz database, `tna-relay` `zone_rules.rs`);
//! clients only show them.
//!
//! **WeekTime is UTC wall time**: "the last Sunday of March 2026 at 01:00" means 01:00 UTC
//! that day (the EU change; New York's March change is 07:00 UTC). The G-SDK does not say
//! whether a device reads it as UTC or local time; the relay and the emulator both read UTC.

use serde::{Deserialize, Serialize};

/// The `ordinal` of a [`WeekTime`] that means "the last such weekday of the month".
pub const LAST: i8 = -1;

/// A moment of one year as "the n-th weekday of a month at h:m:s", UTC wall time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeekTime {
    /// The year it is for.
    pub year: u32,
    /// 1 = January … 12 = December (the wire's `Month` enum is 0-based; the relay converts).
    pub month: u8,
    /// 1 = first … 10 = tenth such weekday of the month, or [`LAST`] (-1).
    pub ordinal: i8,
    /// 0 = Sunday … 6 = Saturday (as on the wire).
    pub weekday: u8,
    /// Hour, 0–23 (UTC).
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59.
    pub second: u8,
}

/// One DST period: from `start` to `end`, `offsetSeconds` are added to the standard offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DstSchedule {
    /// When DST begins.
    pub start: WeekTime,
    /// When it ends.
    pub end: WeekTime,
    /// Seconds added while in DST (3600, 1800 on Lord Howe Island; within ±7200).
    pub offset_seconds: i32,
}

/// A device's time-zone settings (read from it, or the target a fix writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneSettings {
    /// The standard-time offset, seconds east of UTC (`TimeConfig.timeZone`, e.g. 3600 for
    /// Berlin all year: DST is added by the schedules).
    pub utc_offset: i32,
    /// The device takes DST schedules (`CapabilityInfo.DSTSupported`); without, `schedules`
    /// is empty and only the offset is checked or written.
    pub dst_supported: bool,
    /// The DST schedules (at most 2).
    pub schedules: Vec<DstSchedule>,
}

/// How a device's settings stand against its site's zone for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ZoneVerdict {
    /// The standard offset and the DST schedules of the year are the zone's.
    Right,
    /// The offset is not the zone's standard offset (checked first: it is wrong all year).
    WrongOffset,
    /// The zone has DST in the year and the device has no schedule for it (none at all, or
    /// only part of the year's periods and nothing else).
    DstMissing,
    /// The device's schedules are right but for another year (e.g. last year's, never
    /// renewed), so it will not change its clock this year.
    DstOtherYear,
    /// A schedule for the year is not the zone's rule (other dates, times or offset), or the
    /// zone has no DST and the device has a schedule.
    DstDiffers,
    /// The zone has DST in the year but the device cannot take schedules.
    DstUnsupported,
}

/// The verdict for one year and what the device should hold for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YearVerdict {
    /// The calendar year (UTC).
    pub year: i32,
    /// The verdict.
    pub verdict: ZoneVerdict,
    /// The settings the zone asks for in that year (standard offset, the DST periods that
    /// touch the year; none for a zone without DST or a device without DST support).
    pub expected: ZoneSettings,
}

/// One device's row of `time.getZones`, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceZone {
    /// The device.
    pub device_id: u32,
    /// The settings could be read (and, with a site zone, judged).
    pub ok: bool,
    /// The site's IANA zone (`[[gateway]] time_zone`); absent when the site has none.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub zone: Option<String>,
    /// What the device holds.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub settings: Option<ZoneSettings>,
    /// This year's verdict then next year's (empty when the site has no zone or the read
    /// failed).
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub verdicts: Vec<YearVerdict>,
    /// gRPC status code of a failed read.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub code: Option<i32>,
    /// Why the row is not ok (read failed, site without a zone, zone's DST not expressible).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub message: Option<String>,
    /// The failure as a protocol error (`code`, English `message`, `data` with a `reason` where
    /// the relay wrote it): a client words it like any refusal.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub error: Option<crate::protocol::RpcError>,
}

/// `time.getZones` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZonesResult {
    /// One row per requested device, in request order.
    pub devices: Vec<DeviceZone>,
}

/// `time.fixZones` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FixZonesParams {
    /// The devices (at least one, at most [`crate::limits::MAX_DEVICES_PER_CALL`], none twice).
    pub device_ids: Vec<u32>,
    /// Only compute what would change; write nothing (and record nothing in the audit trail).
    #[serde(default)]
    pub dry_run: bool,
}

/// One device's row of `time.fixZones`, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneFix {
    /// The device.
    pub device_id: u32,
    /// Nothing failed for this device (a dry run: it could be read and judged).
    pub ok: bool,
    /// The site's IANA zone.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub zone: Option<String>,
    /// What the device held before.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub before: Option<ZoneSettings>,
    /// What the zone asks for this year (what is written).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub target: Option<ZoneSettings>,
    /// The offset differs from the target (a fix writes `TimeConfig`).
    pub offset_changes: bool,
    /// The schedules differ from the target (a fix writes the DST config).
    pub schedules_change: bool,
    /// Something was written to the device (false in a dry run and when nothing differs).
    pub written: bool,
    /// What the device holds after the fix, re-read (absent in a dry run or when the re-read
    /// failed).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub after: Option<ZoneSettings>,
    /// This year's verdict of `after` (or of `before` in a dry run).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub verdict: Option<ZoneVerdict>,
    /// gRPC status code of the failure.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub code: Option<i32>,
    /// Why the row is not ok.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub message: Option<String>,
    /// The failure as a protocol error (`code`, English `message`, `data` with a `reason` where
    /// the relay wrote it): a client words it like any refusal.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub error: Option<crate::protocol::RpcError>,
}

/// `time.fixZones` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixZonesResult {
    /// Echo of the request's `dryRun`.
    pub dry_run: bool,
    /// The year whose rules were written (this year, UTC).
    pub year: i32,
    /// One row per requested device, in request order.
    pub fixes: Vec<ZoneFix>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let wt = WeekTime {
            year: 2026,
            month: 3,
            ordinal: LAST,
            weekday: 0,
            hour: 1,
            minute: 0,
            second: 0,
        };
        let v = serde_json::to_value(DstSchedule {
            start: wt,
            end: WeekTime { month: 10, ..wt },
            offset_seconds: 3_600,
        })
        .unwrap_or_default();
        assert_eq!(v["start"]["ordinal"], -1);
        assert_eq!(v["end"]["month"], 10);
        assert_eq!(v["offsetSeconds"], 3_600);
        assert_eq!(
            serde_json::to_value(ZoneVerdict::DstOtherYear).unwrap_or_default(),
            "dstOtherYear"
        );
        let p: FixZonesParams =
            serde_json::from_str(r#"{"deviceIds":[1,2]}"#).expect("dryRun defaults");
        assert!(!p.dry_run);
        assert!(serde_json::from_str::<FixZonesParams>(r#"{"deviceIds":[1],"x":1}"#).is_err());
    }

    #[test]
    fn results_round_trip() {
        let wt = WeekTime {
            year: 2026,
            month: 10,
            ordinal: 1,
            weekday: 0,
            hour: 16,
            minute: 0,
            second: 0,
        };
        let settings = ZoneSettings {
            utc_offset: 36_000,
            dst_supported: true,
            schedules: vec![DstSchedule {
                start: wt,
                end: WeekTime {
                    year: 2027,
                    month: 4,
                    ..wt
                },
                offset_seconds: 3_600,
            }],
        };
        let zones = ZonesResult {
            devices: vec![
                DeviceZone {
                    device_id: 1,
                    ok: true,
                    zone: Some("Australia/Sydney".into()),
                    settings: Some(settings.clone()),
                    verdicts: vec![YearVerdict {
                        year: 2026,
                        verdict: ZoneVerdict::DstMissing,
                        expected: settings.clone(),
                    }],
                    code: None,
                    message: None,
                    error: None,
                },
                DeviceZone {
                    device_id: 2,
                    ok: false,
                    zone: None,
                    settings: None,
                    verdicts: Vec::new(),
                    code: Some(14),
                    message: Some("offline".into()),
                    error: None,
                },
            ],
        };
        let text = serde_json::to_string(&zones).unwrap_or_default();
        assert_eq!(serde_json::from_str::<ZonesResult>(&text).ok(), Some(zones));
        let fix = FixZonesResult {
            dry_run: false,
            year: 2026,
            fixes: vec![ZoneFix {
                device_id: 1,
                ok: true,
                zone: Some("Australia/Sydney".into()),
                before: None,
                target: Some(settings.clone()),
                offset_changes: false,
                schedules_change: true,
                written: true,
                after: Some(settings),
                verdict: Some(ZoneVerdict::Right),
                code: None,
                message: None,
                error: None,
            }],
        };
        let text = serde_json::to_string(&fix).unwrap_or_default();
        assert!(text.contains("\"schedulesChange\":true"), "{text}");
        assert_eq!(
            serde_json::from_str::<FixZonesResult>(&text).ok(),
            Some(fix)
        );
    }
}
