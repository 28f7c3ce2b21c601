//! `gsdk.time.Time`: each device's clock (real time plus the device's offset; some seeded
//! devices have drifted), its time zone (`TimeConfig` is the SystemConfig's `timeZone` and
//! `syncTime`: one setting on a device) and its DST schedules (checked as a device checks them,
//! `dst.rs`; devices without `DSTSupported` refuse them with FAILED_PRECONDITION).

use std::sync::atomic::Ordering;

use gsdk_proto::time::time_server::Time;
use gsdk_proto::time::{
    DstConfig, GetConfigRequest, GetConfigResponse, GetDstConfigRequest, GetDstConfigResponse,
    GetRequest, GetResponse, SetConfigMultiRequest, SetConfigMultiResponse, SetConfigRequest,
    SetConfigResponse, SetDstConfigMultiRequest, SetDstConfigMultiResponse, SetDstConfigRequest,
    SetDstConfigResponse, SetMultiRequest, SetMultiResponse, SetRequest, SetResponse, TimeConfig,
};
use tonic::{Request, Response, Status};

use super::system::MAX_TZ;
use super::{reach, run_multi};
use crate::state::DeviceSlot;
use crate::{Gateway, dst};

/// Real time now, Unix seconds.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The Time service over the simulated devices.
pub(crate) struct TimeService {
    gw: Gateway,
}

impl TimeService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        TimeService { gw }
    }
}

/// Sets one device's clock to `gmt` (Unix seconds).
async fn set_one(gw: &Gateway, device_id: u32, gmt: u64) -> Result<(), Status> {
    let slot = reach(gw, device_id).await?;
    let gmt = i64::try_from(gmt)
        .ok()
        .filter(|t| *t > 0 && *t < i64::from(u32::MAX))
        .ok_or_else(|| Status::invalid_argument(format!("invalid time {gmt}")))?;
    slot.lock().clock_offset = gmt - now();
    Ok(())
}

/// FAILED_PRECONDITION unless the device takes DST schedules.
fn require_dst(slot: &DeviceSlot) -> Result<(), Status> {
    if crate::seed::dst_supported(slot.profile.model) {
        Ok(())
    } else {
        Err(Status::failed_precondition(format!(
            "device {} does not support DST",
            slot.profile.id
        )))
    }
}

/// INTERNAL while the device's time-write fault is on.
fn injected_failure(slot: &DeviceSlot, what: &str) -> Result<(), Status> {
    if slot.flags.fail_set_time.load(Ordering::Relaxed) {
        Err(Status::internal(format!(
            "device {} failed to write the {what}",
            slot.profile.id
        )))
    } else {
        Ok(())
    }
}

/// Checks a TimeConfig (the offset within ±14 h) before any device is touched.
fn check_config(config: Option<TimeConfig>) -> Result<TimeConfig, Status> {
    let config = config.ok_or_else(|| Status::invalid_argument("config is required"))?;
    if !(-MAX_TZ..=MAX_TZ).contains(&config.time_zone) {
        return Err(Status::invalid_argument(format!(
            "invalid time zone offset {}",
            config.time_zone
        )));
    }
    Ok(config)
}

/// Checks a DSTConfig as a device does (`dst::validate`).
fn check_dst(config: Option<DstConfig>) -> Result<DstConfig, Status> {
    let config = config.ok_or_else(|| Status::invalid_argument("config is required"))?;
    dst::validate(&config)
        .map_err(|e| Status::invalid_argument(format!("invalid DST config: {e}")))?;
    Ok(config)
}

/// Writes one device's TimeConfig (its SystemConfig's time zone and sync flag).
async fn set_config_one(gw: &Gateway, device_id: u32, config: TimeConfig) -> Result<(), Status> {
    let slot = reach(gw, device_id).await?;
    injected_failure(slot, "time config")?;
    let mut st = slot.lock();
    st.system.time_zone = config.time_zone;
    st.system.sync_time = config.sync_with_server;
    Ok(())
}

/// Writes one device's DST schedules.
async fn set_dst_one(gw: &Gateway, device_id: u32, config: &DstConfig) -> Result<(), Status> {
    let slot = reach(gw, device_id).await?;
    require_dst(slot)?;
    injected_failure(slot, "DST config")?;
    slot.lock().dst = config.schedules.clone();
    Ok(())
}

#[tonic::async_trait]
impl Time for TimeService {
    async fn get(&self, req: Request<GetRequest>) -> Result<Response<GetResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        let offset = slot.lock().clock_offset;
        let gmt_time = u64::try_from(now() + offset).unwrap_or(0);
        Ok(Response::new(GetResponse { gmt_time }))
    }

    async fn set(&self, req: Request<SetRequest>) -> Result<Response<SetResponse>, Status> {
        let req = req.into_inner();
        set_one(&self.gw, req.device_id, req.gmt_time).await?;
        Ok(Response::new(SetResponse {}))
    }

    async fn set_multi(
        &self,
        req: Request<SetMultiRequest>,
    ) -> Result<Response<SetMultiResponse>, Status> {
        let req = req.into_inner();
        let gmt = req.gmt_time;
        run_multi(&req.device_i_ds, |id| set_one(&self.gw, id, gmt)).await?;
        Ok(Response::new(SetMultiResponse {
            device_errors: Vec::new(),
        }))
    }

    async fn get_config(
        &self,
        req: Request<GetConfigRequest>,
    ) -> Result<Response<GetConfigResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        let system = slot.lock().system;
        Ok(Response::new(GetConfigResponse {
            config: Some(TimeConfig {
                time_zone: system.time_zone,
                sync_with_server: system.sync_time,
            }),
        }))
    }

    async fn set_config(
        &self,
        req: Request<SetConfigRequest>,
    ) -> Result<Response<SetConfigResponse>, Status> {
        let req = req.into_inner();
        let config = check_config(req.config)?;
        set_config_one(&self.gw, req.device_id, config).await?;
        Ok(Response::new(SetConfigResponse {}))
    }

    async fn set_config_multi(
        &self,
        req: Request<SetConfigMultiRequest>,
    ) -> Result<Response<SetConfigMultiResponse>, Status> {
        let req = req.into_inner();
        let config = check_config(req.config)?;
        run_multi(&req.device_i_ds, |id| set_config_one(&self.gw, id, config)).await?;
        Ok(Response::new(SetConfigMultiResponse {
            device_errors: Vec::new(),
        }))
    }

    async fn get_dst_config(
        &self,
        req: Request<GetDstConfigRequest>,
    ) -> Result<Response<GetDstConfigResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        require_dst(slot)?;
        let schedules = slot.lock().dst.clone();
        Ok(Response::new(GetDstConfigResponse {
            config: Some(DstConfig { schedules }),
        }))
    }

    async fn set_dst_config(
        &self,
        req: Request<SetDstConfigRequest>,
    ) -> Result<Response<SetDstConfigResponse>, Status> {
        let req = req.into_inner();
        let config = check_dst(req.config)?;
        set_dst_one(&self.gw, req.device_id, &config).await?;
        Ok(Response::new(SetDstConfigResponse {}))
    }

    async fn set_dst_config_multi(
        &self,
        req: Request<SetDstConfigMultiRequest>,
    ) -> Result<Response<SetDstConfigMultiResponse>, Status> {
        let req = req.into_inner();
        let config = check_dst(req.config)?;
        run_multi(&req.device_i_ds, |id| set_dst_one(&self.gw, id, &config)).await?;
        Ok(Response::new(SetDstConfigMultiResponse {
            device_errors: Vec::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimConfig;
    use gsdk_proto::time::DstSchedule;
    use prost::Message;

    async fn read(svc: &TimeService, device_id: u32) -> i64 {
        let resp = svc.get(Request::new(GetRequest { device_id })).await;
        resp.map(|r| r.into_inner().gmt_time as i64).expect("get")
    }

    #[tokio::test]
    async fn set_moves_the_clock_and_get_reads_it() {
        let gw = Gateway::new(SimConfig {
            devices: 3,
            logs_per_device: 1,
            seed: 4,
            punch_interval: None,
            first_device_id: crate::FIRST_DEVICE_ID,
            zone: None,
        });
        let svc = TimeService::new(gw.clone());
        let id = gw.device_ids()[0];
        gw.set_clock_offset(id, 600);
        let ahead = read(&svc, id).await;
        assert!((ahead - now() - 600).abs() <= 1, "10 minutes ahead");
        let target = now() as u64;
        svc.set(Request::new(SetRequest {
            device_id: id,
            gmt_time: target,
        }))
        .await
        .expect("set");
        let after = read(&svc, id).await;
        assert!((after - now()).abs() <= 1, "in step after Set");
        gw.set_offline(id, true);
        let multi = svc
            .set_multi(Request::new(SetMultiRequest {
                device_i_ds: gw.device_ids(),
                gmt_time: target,
            }))
            .await;
        assert_eq!(multi.err().map(|s| s.code()), Some(tonic::Code::Unknown));
        let bad = svc
            .set(Request::new(SetRequest {
                device_id: gw.device_ids()[1],
                gmt_time: u64::MAX,
            }))
            .await;
        assert_eq!(
            bad.err().map(|s| s.code()),
            Some(tonic::Code::InvalidArgument)
        );
    }

    #[test]
    fn some_seeded_clocks_have_drifted() {
        let gw = Gateway::new(SimConfig {
            devices: 60,
            logs_per_device: 1,
            seed: 9,
            punch_interval: None,
            first_device_id: crate::FIRST_DEVICE_ID,
            zone: None,
        });
        let offsets: Vec<i64> = gw
            .device_ids()
            .iter()
            .filter_map(|&d| gw.clock_offset(d))
            .collect();
        let drifted = offsets.iter().filter(|o| o.abs() >= 45).count();
        assert!((3..=30).contains(&drifted), "{drifted} of 60 drifted");
        assert!(offsets.iter().all(|o| o.abs() <= 900));
    }

    fn berlin(devices: u32) -> Gateway {
        Gateway::new(SimConfig {
            devices,
            logs_per_device: 1,
            seed: 21,
            punch_interval: None,
            first_device_id: crate::FIRST_DEVICE_ID,
            zone: Some("Europe/Berlin".into()),
        })
    }

    #[tokio::test]
    async fn a_zone_seeds_offsets_and_schedules_with_a_few_wrong() {
        let gw = berlin(30);
        assert_eq!(gw.site_zone(), Some("Europe/Berlin"));
        let year = jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .year();
        let tz = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
        let (standard, this_year) = dst::zone_settings(&tz, year);
        let (_, last_year) = dst::zone_settings(&tz, year - 1);
        assert_eq!(standard, 3_600);
        let svc = TimeService::new(gw.clone());
        let (mut right, mut wrong, mut none, mut old) = (0, 0, 0, 0);
        for id in gw.device_ids() {
            let cfg = svc
                .get_config(Request::new(GetConfigRequest { device_id: id }))
                .await
                .expect("config")
                .into_inner()
                .config
                .expect("config");
            assert_eq!(Some(cfg.time_zone), gw.time_zone(id), "one setting");
            let dst = svc
                .get_dst_config(Request::new(GetDstConfigRequest { device_id: id }))
                .await;
            let Ok(dst) = dst else {
                assert_eq!(gw.dst_schedules(id), Some(Vec::new()), "no DST support");
                continue;
            };
            let schedules = dst.into_inner().config.expect("dst").schedules;
            match (cfg.time_zone == standard, schedules) {
                (true, s) if s == this_year => right += 1,
                (false, s) if s == this_year => wrong += 1,
                (true, s) if s.is_empty() => none += 1,
                (true, s) if s == last_year => old += 1,
                other => panic!("device {id}: unexpected {other:?}"),
            }
        }
        assert!(right >= 10, "most are right: {right}");
        assert!(wrong >= 1 && none >= 1 && old >= 1, "{wrong} {none} {old}");
        // Deterministic by seed.
        let again = berlin(30);
        for id in gw.device_ids() {
            assert_eq!(gw.dst_schedules(id), again.dst_schedules(id));
            assert_eq!(gw.time_zone(id), again.time_zone(id));
        }
        // Without a zone nothing changes from before: no schedules.
        let plain = Gateway::new(SimConfig {
            zone: None,
            ..gw.config().clone()
        });
        assert!(
            plain
                .device_ids()
                .iter()
                .all(|&d| plain.dst_schedules(d) == Some(Vec::new()))
        );
        let unknown = Gateway::new(SimConfig {
            zone: Some("Mars/Olympus".into()),
            ..gw.config().clone()
        });
        assert_eq!(unknown.site_zone(), None);
    }

    #[tokio::test]
    async fn writes_are_checked_and_multi_reports_per_device() {
        let gw = berlin(8);
        let svc = TimeService::new(gw.clone());
        let ids = gw.device_ids();
        let dst_ids: Vec<u32> = ids
            .iter()
            .copied()
            .filter(|&d| {
                gw.slot(d)
                    .is_some_and(|s| crate::seed::dst_supported(s.profile.model))
            })
            .collect();
        let plain = ids
            .iter()
            .copied()
            .find(|d| !dst_ids.contains(d))
            .expect("a door module");
        // TimeConfig and SystemConfig are one setting.
        svc.set_config(Request::new(SetConfigRequest {
            device_id: ids[0],
            config: Some(TimeConfig {
                time_zone: -18_000,
                sync_with_server: false,
            }),
        }))
        .await
        .expect("set");
        assert_eq!(gw.time_zone(ids[0]), Some(-18_000));
        let bad = svc
            .set_config(Request::new(SetConfigRequest {
                device_id: ids[0],
                config: Some(TimeConfig {
                    time_zone: 15 * 3_600,
                    sync_with_server: false,
                }),
            }))
            .await;
        assert_eq!(
            bad.err().map(|s| s.code()),
            Some(tonic::Code::InvalidArgument)
        );
        // Multi: an offline device and a failing one each get their own MultiErrorResponse row.
        gw.set_offline(dst_ids[1], true);
        gw.fail_set_time(dst_ids[2], true);
        let status = svc
            .set_config_multi(Request::new(SetConfigMultiRequest {
                device_i_ds: ids.clone(),
                config: Some(TimeConfig {
                    time_zone: 3_600,
                    sync_with_server: true,
                }),
            }))
            .await
            .expect_err("partial failure");
        assert_eq!(status.code(), tonic::Code::Unknown);
        let rich = gsdk_proto::google_rpc::Status::decode(status.details()).expect("details");
        let multi = gsdk_proto::err::MultiErrorResponse::decode(rich.details[0].value.as_slice())
            .expect("multi");
        let failed: Vec<(u32, i32)> = multi
            .device_errors
            .iter()
            .map(|e| (e.device_id, e.code))
            .collect();
        assert_eq!(
            failed,
            [
                (dst_ids[1], tonic::Code::Unavailable as i32),
                (dst_ids[2], tonic::Code::Internal as i32)
            ]
        );
        assert_eq!(gw.time_zone(dst_ids[3]), Some(3_600));
        // DST: this year's New York rules on every DST device; a device without DST refuses.
        let tz = jiff::tz::TimeZone::get("America/New_York").expect("zone");
        let (_, schedules) = dst::zone_settings(&tz, 2026);
        let config = DstConfig { schedules };
        let status = svc
            .set_dst_config_multi(Request::new(SetDstConfigMultiRequest {
                device_i_ds: vec![dst_ids[0], plain, dst_ids[2]],
                config: Some(config.clone()),
            }))
            .await
            .expect_err("partial failure");
        let rich = gsdk_proto::google_rpc::Status::decode(status.details()).expect("details");
        let multi = gsdk_proto::err::MultiErrorResponse::decode(rich.details[0].value.as_slice())
            .expect("multi");
        let codes: Vec<(u32, i32)> = multi
            .device_errors
            .iter()
            .map(|e| (e.device_id, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                (plain, tonic::Code::FailedPrecondition as i32),
                (dst_ids[2], tonic::Code::Internal as i32)
            ]
        );
        assert_eq!(gw.dst_schedules(dst_ids[0]), Some(config.schedules.clone()));
        // A config a device would refuse fails the whole call before any device is written.
        let mut three = config.clone();
        three.schedules.extend(config.schedules.iter().cloned());
        three.schedules.extend(config.schedules.iter().cloned());
        let refused = svc
            .set_dst_config(Request::new(SetDstConfigRequest {
                device_id: dst_ids[3],
                config: Some(three),
            }))
            .await;
        assert_eq!(
            refused.err().map(|s| s.code()),
            Some(tonic::Code::InvalidArgument)
        );
        let cleared = svc
            .set_dst_config(Request::new(SetDstConfigRequest {
                device_id: dst_ids[0],
                config: Some(DstConfig::default()),
            }))
            .await;
        assert!(cleared.is_ok());
        assert_eq!(gw.dst_schedules(dst_ids[0]), Some(Vec::new()));
    }

    #[test]
    fn local_time_adds_the_offset_and_the_schedule_in_force() {
        let gw = berlin(3);
        let id = gw.device_ids()[0];
        let now = jiff::Timestamp::now();
        let around = |secs: i64| {
            now.checked_add(jiff::SignedDuration::from_secs(secs))
                .expect("t")
        };
        let current = DstSchedule {
            start_time: Some(dst::week_time(around(-86_400 * 3))),
            end_time: Some(dst::week_time(around(86_400 * 3))),
            time_offset: 1_800,
        };
        gw.set_clock_offset(id, 0);
        gw.set_zone_settings(id, 19_800, vec![current]);
        let local = gw.local_time(id).expect("local");
        assert!(
            (local - now.as_second() - 19_800 - 1_800).abs() <= 2,
            "in DST"
        );
        gw.set_zone_settings(id, 19_800, Vec::new());
        let local = gw.local_time(id).expect("local");
        assert!((local - now.as_second() - 19_800).abs() <= 2, "no DST");
    }
}
