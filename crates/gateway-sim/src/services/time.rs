//! `gsdk.time.Time`: each device's clock (real time plus the device's offset; some seeded
//! devices have drifted) and its time zone (the SystemConfig's, as on the device).

use gsdk_proto::time::time_server::Time;
use gsdk_proto::time::{
    GetConfigRequest, GetConfigResponse, GetRequest, GetResponse, SetMultiRequest,
    SetMultiResponse, SetRequest, SetResponse, TimeConfig,
};
use tonic::{Request, Response, Status};

use super::{reach, run_multi};
use crate::Gateway;

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimConfig;

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
}
