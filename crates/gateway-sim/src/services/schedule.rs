//! `gsdk.schedule.Schedule`: the schedules a T&A key can follow in BY_SCHEDULE mode.

use gsdk_proto::schedule::schedule_server::Schedule;
use gsdk_proto::schedule::{GetListRequest, GetListResponse};
use tonic::{Request, Response, Status};

use super::reach;
use crate::Gateway;

/// The Schedule service over the simulated devices.
pub(crate) struct ScheduleService {
    gw: Gateway,
}

impl ScheduleService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        ScheduleService { gw }
    }
}

#[tonic::async_trait]
impl Schedule for ScheduleService {
    /// Like the real gateway, the list omits the predefined schedule 1 ("Always"); clients that
    /// offer it in a picker (the relay does) add it themselves.
    async fn get_list(
        &self,
        req: Request<GetListRequest>,
    ) -> Result<Response<GetListResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        let schedules = slot.lock().schedules.clone();
        Ok(Response::new(GetListResponse { schedules }))
    }
}
