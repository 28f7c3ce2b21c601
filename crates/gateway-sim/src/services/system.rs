//! `gsdk.system.System`: the system config (useJobCode, time zone, ...).

use gsdk_proto::system::system_server::System;
use gsdk_proto::system::{
    GetConfigRequest, GetConfigResponse, SetConfigRequest, SetConfigResponse,
};
use tonic::{Request, Response, Status};

use super::reach;
use crate::Gateway;

/// The System service over the simulated devices.
pub(crate) struct SystemService {
    gw: Gateway,
}

impl SystemService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        SystemService { gw }
    }
}

/// Largest time-zone offset a device accepts (UTC+14), in seconds.
pub(crate) const MAX_TZ: i32 = 14 * 3600;

#[tonic::async_trait]
impl System for SystemService {
    async fn get_config(
        &self,
        req: Request<GetConfigRequest>,
    ) -> Result<Response<GetConfigResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        let config = Some(slot.lock().system);
        Ok(Response::new(GetConfigResponse { config }))
    }

    /// Replaces the whole SystemConfig (clients read-modify-write to flip one field).
    async fn set_config(
        &self,
        req: Request<SetConfigRequest>,
    ) -> Result<Response<SetConfigResponse>, Status> {
        let req = req.into_inner();
        let config = req
            .config
            .ok_or_else(|| Status::invalid_argument("config is required"))?;
        let slot = reach(&self.gw, req.device_id).await?;
        if !(-MAX_TZ..=MAX_TZ).contains(&config.time_zone) {
            return Err(Status::invalid_argument(format!(
                "invalid time zone offset {}",
                config.time_zone
            )));
        }
        if config.use_job_code && !slot.profile.model.job_code {
            return Err(Status::failed_precondition(format!(
                "device {} does not support job codes",
                req.device_id
            )));
        }
        slot.lock().system = config;
        Ok(Response::new(SetConfigResponse {}))
    }
}
