//! `time.getZones` and `time.fixZones`: each device's time-zone settings judged against its
//! site's zone (`[[gateway]] time_zone`), and the fix that writes the zone's rules of this year.
//!
//! - Read: per device `Time.GetConfig` + `Time.GetDSTConfig` (`gsdk::time::zone_settings`),
//!   concurrently (bounded), then the verdicts of `zone_rules` for this year and the next.
//! - Fix: read every device (the "before"), compute its target (`zone_rules::target`: standard
//!   offset, this year's schedules, none for a zone without DST or a device without DST
//!   support), then per gateway write `SetConfigMulti` once per distinct `TimeConfig` and
//!   `SetDSTConfigMulti` once per distinct schedule set, only to devices that differ; then re-read
//!   every device and judge it again. A dry run stops after the targets.
//! - Rows come back in request order, one per device; a device that fails (read, write, re-read,
//!   a site without a zone, a zone a device cannot express) gets its own failed row.
//!
//! "This year" is the relay's current UTC year (the year of the schedules' WeekTimes).

use std::collections::HashMap;

use futures::StreamExt;
use futures::future::join_all;
use jiff::tz::TimeZone;
use tna_types::DeviceResult;
use tna_types::dst::{DeviceZone, DstSchedule, FixZonesResult, ZoneFix, ZoneSettings};
use tna_types::protocol::{ErrorCode, RpcError};

use crate::gateways::{DeviceRow, Gateways};
use crate::gsdk::{self, CAPABILITY_CONCURRENCY, GatewayClient};
use crate::zone_rules;

/// gRPC `FAILED_PRECONDITION`: the code of rows whose site has no zone or whose zone a device
/// cannot hold.
const GRPC_FAILED_PRECONDITION: i32 = 9;
/// gRPC `UNKNOWN`: the code of a failure that carried none.
const GRPC_UNKNOWN: i32 = 2;

/// The relay's current UTC year.
pub fn this_year() -> i32 {
    i32::from(TimeZone::UTC.to_datetime(jiff::Timestamp::now()).year())
}

impl DeviceRow for DeviceZone {
    fn device_id(&self) -> u32 {
        self.device_id
    }
    fn failed(device_id: u32, grpc_code: i32, e: &RpcError) -> Self {
        DeviceZone {
            device_id,
            ok: false,
            zone: None,
            settings: None,
            verdicts: Vec::new(),
            code: Some(grpc_code),
            message: None,
            error: None,
        }
        .with_error(e.clone())
    }
}

impl DeviceRow for ZoneFix {
    fn device_id(&self) -> u32 {
        self.device_id
    }
    fn failed(device_id: u32, grpc_code: i32, e: &RpcError) -> Self {
        failed_fix(device_id, None, grpc_code, e.clone())
    }
}

fn failed_fix(device_id: u32, zone: Option<String>, code: i32, error: RpcError) -> ZoneFix {
    ZoneFix {
        device_id,
        ok: false,
        zone,
        before: None,
        target: None,
        offset_changes: false,
        schedules_change: false,
        written: false,
        after: None,
        verdict: None,
        code: Some(code),
        message: None,
        error: None,
    }
    .with_error(error)
}

/// The gRPC code an error carries (UNKNOWN when it carries none).
fn grpc_code(e: &RpcError) -> i32 {
    e.data
        .as_ref()
        .and_then(|d| d["grpcCode"].as_i64())
        .and_then(|c| i32::try_from(c).ok())
        .unwrap_or(GRPC_UNKNOWN)
}

/// The zone of the site whose gateway serves `device_ids` (all at one site): its name and rules.
fn site_zone(gws: &Gateways, device_ids: &[u32]) -> Option<(String, TimeZone)> {
    let site = gws.known_site_of(*device_ids.first()?)?;
    let zone = gws.sites().get(site)?.zone.as_ref()?;
    Some((zone.name().to_string(), zone.tz().clone()))
}

/// Why rows whose site has no zone are not judged (`reason: noZone`, `site` when named).
fn no_zone(gws: &Gateways, device_id: u32) -> RpcError {
    let site = gws
        .known_site_of(device_id)
        .and_then(|i| gws.sites().get(i))
        .and_then(|s| s.name.clone());
    let message = match &site {
        Some(name) => format!(
            "Site {name} has no time zone (set time_zone in its [[gateway]] section): nothing to check against."
        ),
        None => "The relay's gateway has no time zone (set time_zone, or --time-zone): nothing to check against.".to_string(),
    };
    RpcError::because(
        ErrorCode::Unsupported,
        "noZone",
        message,
        serde_json::json!({ "site": site }),
    )
}

/// A zone whose rules a device cannot hold (`reason: zoneNotExpressible`).
fn not_expressible(zone: &str, e: &dyn std::fmt::Display) -> RpcError {
    RpcError::because(
        ErrorCode::Unsupported,
        "zoneNotExpressible",
        format!("{zone}: {e}"),
        serde_json::json!({ "zone": zone, "detail": e.to_string() }),
    )
}

/// Reads every device's settings (bounded concurrency), in order.
async fn read_all(
    gw: &GatewayClient,
    device_ids: &[u32],
) -> Vec<Result<(ZoneSettings, bool), RpcError>> {
    futures::stream::iter(device_ids.iter().copied())
        .map(|id| gsdk::time::zone_settings(gw, id))
        .buffered(CAPABILITY_CONCURRENCY)
        .collect()
        .await
}

/// `time.getZones`: per device its settings and the verdicts for `year` and the next.
pub async fn get_zones(
    gws: &Gateways,
    device_ids: &[u32],
    year: i32,
) -> Result<Vec<DeviceZone>, RpcError> {
    gws.per_site(device_ids, |gw, ids| async move {
        let zone = site_zone(gws, &ids);
        let reads = read_all(gw, &ids).await;
        Ok(ids
            .iter()
            .zip(reads)
            .map(|(&id, read)| judge_row(gws, id, zone.as_ref(), read, year))
            .collect())
    })
    .await
}

fn judge_row(
    gws: &Gateways,
    device_id: u32,
    zone: Option<&(String, TimeZone)>,
    read: Result<(ZoneSettings, bool), RpcError>,
    year: i32,
) -> DeviceZone {
    let (settings, _) = match read {
        Ok(s) => s,
        Err(e) => {
            let mut row = DeviceZone::failed(device_id, grpc_code(&e), &e);
            row.zone = zone.map(|z| z.0.clone());
            return row;
        }
    };
    let Some((name, tz)) = zone else {
        return DeviceZone {
            device_id,
            ok: false,
            zone: None,
            settings: Some(settings),
            verdicts: Vec::new(),
            code: Some(GRPC_FAILED_PRECONDITION),
            message: None,
            error: None,
        }
        .with_error(no_zone(gws, device_id));
    };
    let verdicts: Result<Vec<_>, _> = [year, year + 1]
        .iter()
        .map(|&y| zone_rules::verdict(tz, y, &settings))
        .collect();
    match verdicts {
        Ok(verdicts) => DeviceZone {
            device_id,
            ok: true,
            zone: Some(name.clone()),
            settings: Some(settings),
            verdicts,
            code: None,
            message: None,
            error: None,
        },
        Err(e) => DeviceZone {
            device_id,
            ok: false,
            zone: Some(name.clone()),
            settings: Some(settings),
            verdicts: Vec::new(),
            code: Some(GRPC_FAILED_PRECONDITION),
            message: None,
            error: None,
        }
        .with_error(not_expressible(name, &e)),
    }
}

/// `time.fixZones`: computes each device's target for `year`; unless `dry_run`, writes what
/// differs and re-reads.
pub async fn fix_zones(
    gws: &Gateways,
    device_ids: &[u32],
    dry_run: bool,
    year: i32,
) -> Result<FixZonesResult, RpcError> {
    let fixes = gws
        .per_site(device_ids, |gw, ids| async move {
            Ok(fix_site(gws, gw, &ids, dry_run, year).await)
        })
        .await?;
    Ok(FixZonesResult {
        dry_run,
        year,
        fixes,
    })
}

/// A device the fix will work on: what it should hold, and its sync flag (kept).
struct Plan {
    target: ZoneSettings,
    sync: bool,
}

/// The fix on the devices of one gateway.
async fn fix_site(
    gws: &Gateways,
    gw: &GatewayClient,
    ids: &[u32],
    dry_run: bool,
    year: i32,
) -> Vec<ZoneFix> {
    let zone = site_zone(gws, ids);
    let zone_name = zone.as_ref().map(|z| z.0.clone());
    let reads = read_all(gw, ids).await;
    let mut rows: Vec<ZoneFix> = Vec::with_capacity(ids.len());
    let mut plans: HashMap<u32, Plan> = HashMap::new();
    for (&id, read) in ids.iter().zip(reads) {
        let (before, sync) = match read {
            Ok(r) => r,
            Err(e) => {
                rows.push(failed_fix(id, zone_name.clone(), grpc_code(&e), e));
                continue;
            }
        };
        let Some((name, tz)) = &zone else {
            let mut row = failed_fix(id, None, GRPC_FAILED_PRECONDITION, no_zone(gws, id));
            row.before = Some(before);
            rows.push(row);
            continue;
        };
        let target = match zone_rules::target(tz, year, before.dst_supported) {
            Ok(t) => t,
            Err(e) => {
                let mut row = failed_fix(
                    id,
                    Some(name.clone()),
                    GRPC_FAILED_PRECONDITION,
                    not_expressible(name, &e),
                );
                row.before = Some(before);
                rows.push(row);
                continue;
            }
        };
        let verdict = zone_rules::verdict(tz, year, &before)
            .ok()
            .map(|v| v.verdict);
        rows.push(ZoneFix {
            device_id: id,
            ok: true,
            zone: Some(name.clone()),
            before: Some(before.clone()),
            target: Some(target.clone()),
            offset_changes: before.utc_offset != target.utc_offset,
            schedules_change: before.dst_supported
                && !zone_rules::same_schedules(&before.schedules, &target.schedules),
            written: false,
            after: None,
            verdict,
            code: None,
            message: None,
            error: None,
        });
        plans.insert(id, Plan { target, sync });
    }
    if dry_run || plans.is_empty() {
        return rows;
    }
    let results = write(gw, &rows, &plans).await;
    let written: Vec<u32> = rows.iter().filter(|r| r.ok).map(|r| r.device_id).collect();
    let rereads = read_all(gw, &written).await;
    let mut after: HashMap<u32, Result<(ZoneSettings, bool), RpcError>> =
        written.into_iter().zip(rereads).collect();
    for row in rows.iter_mut().filter(|r| r.ok) {
        let id = row.device_id;
        let wrote = row.offset_changes || row.schedules_change;
        if let Some(failure) = results.get(&id).and_then(|r| r.iter().find(|r| !r.ok)) {
            row.ok = false;
            row.code = failure.code;
            row.message = failure.message.clone();
        }
        // Written unless every write to it failed.
        row.written = wrote && results.get(&id).is_some_and(|r| r.iter().any(|r| r.ok));
        match after.remove(&id) {
            Some(Ok((settings, _))) => {
                row.verdict = zone
                    .as_ref()
                    .and_then(|(_, tz)| zone_rules::verdict(tz, year, &settings).ok())
                    .map(|v| v.verdict);
                let holds = row.target.as_ref().is_some_and(|t| {
                    t.utc_offset == settings.utc_offset
                        && zone_rules::same_schedules(&t.schedules, &settings.schedules)
                });
                if row.ok && !holds {
                    row.ok = false;
                    row.code = Some(GRPC_UNKNOWN);
                    let e = RpcError::because(
                        ErrorCode::Internal,
                        "notHeldAfterWrite",
                        "The device does not hold the zone's settings after the write.",
                        serde_json::Value::Null,
                    );
                    row.set_error(e);
                }
                row.after = Some(settings);
            }
            Some(Err(e)) => {
                row.verdict = None;
                if row.ok {
                    row.ok = false;
                    row.code = Some(grpc_code(&e));
                    let message = if row.written {
                        format!("Written, but the re-read failed: {}", e.message)
                    } else {
                        format!("The re-read failed: {}", e.message)
                    };
                    let e = RpcError::because(
                        e.kind().unwrap_or(ErrorCode::Internal),
                        "rereadFailed",
                        message,
                        serde_json::json!({ "written": row.written, "detail": e.message }),
                    );
                    row.set_error(e);
                }
            }
            None => {}
        }
    }
    rows
}

/// Writes what differs, one Multi call per distinct target; per device the results of the
/// calls it was in.
async fn write(
    gw: &GatewayClient,
    rows: &[ZoneFix],
    plans: &HashMap<u32, Plan>,
) -> HashMap<u32, Vec<DeviceResult>> {
    // Request order inside each group, groups in first-seen order.
    let mut configs: Vec<((i32, bool), Vec<u32>)> = Vec::new();
    let mut dsts: Vec<(Vec<DstSchedule>, Vec<u32>)> = Vec::new();
    for row in rows.iter().filter(|r| r.ok) {
        let Some(plan) = plans.get(&row.device_id) else {
            continue;
        };
        if row.offset_changes {
            let key = (plan.target.utc_offset, plan.sync);
            match configs.iter_mut().find(|(k, _)| *k == key) {
                Some((_, ids)) => ids.push(row.device_id),
                None => configs.push((key, vec![row.device_id])),
            }
        }
        if row.schedules_change {
            let key = plan.target.schedules.clone();
            match dsts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, ids)) => ids.push(row.device_id),
                None => dsts.push((key, vec![row.device_id])),
            }
        }
    }
    let config_calls = configs.iter().map(|((offset, sync), ids)| async move {
        let r = gsdk::time::set_config_multi(gw, ids, *offset, *sync).await;
        (ids, r)
    });
    let dst_calls = dsts.iter().map(|(schedules, ids)| async move {
        let r = gsdk::time::set_dst_multi(gw, ids, schedules).await;
        (ids, r)
    });
    let (a, b) = futures::join!(join_all(config_calls), join_all(dst_calls));
    let mut out: HashMap<u32, Vec<DeviceResult>> = HashMap::new();
    for (ids, answer) in a.into_iter().chain(b) {
        match answer {
            Ok(results) => {
                for r in results {
                    out.entry(r.device_id).or_default().push(r);
                }
            }
            Err(e) => {
                for &id in ids {
                    out.entry(id).or_default().push(DeviceResult::failed(
                        id,
                        grpc_code(&e),
                        e.message.clone(),
                    ));
                }
            }
        }
    }
    out
}

/// A row's failure: its error and the same English sentence as `message` (older clients read
/// only the sentence).
trait WithError: Sized {
    fn set_error(&mut self, e: RpcError);

    fn with_error(mut self, e: RpcError) -> Self {
        self.set_error(e);
        self
    }
}

impl WithError for DeviceZone {
    fn set_error(&mut self, e: RpcError) {
        self.message = Some(e.message.clone());
        self.error = Some(e);
    }
}

impl WithError for ZoneFix {
    fn set_error(&mut self, e: RpcError) {
        self.message = Some(e.message.clone());
        self.error = Some(e);
    }
}
