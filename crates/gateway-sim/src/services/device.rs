//! `gsdk.device.Device`: capability info (what tells the console whether T&A and job codes exist).

use gsdk_proto::device::device_server::Device;
use gsdk_proto::device::{GetCapabilityInfoRequest, GetCapabilityInfoResponse};
use tonic::{Request, Response, Status};

use super::reach;
use crate::Gateway;

/// The Device service over the simulated devices.
pub(crate) struct DeviceService {
    gw: Gateway,
}

impl DeviceService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        DeviceService { gw }
    }
}

#[tonic::async_trait]
impl Device for DeviceService {
    async fn get_capability_info(
        &self,
        req: Request<GetCapabilityInfoRequest>,
    ) -> Result<Response<GetCapabilityInfoResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        Ok(Response::new(GetCapabilityInfoResponse {
            cap_info: Some(slot.profile.caps),
        }))
    }
}
