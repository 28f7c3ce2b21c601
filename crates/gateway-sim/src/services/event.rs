//! `gsdk.event.Event`: monitoring switches, the realtime log stream and GetLog.

use std::collections::HashSet;
use std::sync::atomic::Ordering;

use gsdk_proto::event::event_server::Event;
use gsdk_proto::event::{
    DisableMonitoringMultiRequest, DisableMonitoringMultiResponse, DisableMonitoringRequest,
    DisableMonitoringResponse, EnableMonitoringMultiRequest, EnableMonitoringMultiResponse,
    EnableMonitoringRequest, EnableMonitoringResponse, EventLog, GetLogRequest, GetLogResponse,
    SubscribeRealtimeLogRequest,
};
use tonic::{Request, Response, Status};

use super::{reach, run_multi};
use crate::Gateway;
use crate::fanout::SubscriberStream;

/// The Event service over the simulated devices.
pub(crate) struct EventService {
    gw: Gateway,
}

impl EventService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        EventService { gw }
    }
}

/// Turns monitoring on or off for one device.
async fn set_monitoring(gw: &Gateway, device_id: u32, on: bool) -> Result<(), Status> {
    let slot = reach(gw, device_id).await?;
    slot.flags.monitoring.store(on, Ordering::Relaxed);
    Ok(())
}

#[tonic::async_trait]
impl Event for EventService {
    async fn enable_monitoring(
        &self,
        req: Request<EnableMonitoringRequest>,
    ) -> Result<Response<EnableMonitoringResponse>, Status> {
        set_monitoring(&self.gw, req.get_ref().device_id, true).await?;
        Ok(Response::new(EnableMonitoringResponse {}))
    }

    async fn enable_monitoring_multi(
        &self,
        req: Request<EnableMonitoringMultiRequest>,
    ) -> Result<Response<EnableMonitoringMultiResponse>, Status> {
        run_multi(&req.get_ref().device_i_ds, |id| {
            set_monitoring(&self.gw, id, true)
        })
        .await?;
        Ok(Response::new(EnableMonitoringMultiResponse {
            device_errors: Vec::new(),
        }))
    }

    async fn disable_monitoring(
        &self,
        req: Request<DisableMonitoringRequest>,
    ) -> Result<Response<DisableMonitoringResponse>, Status> {
        set_monitoring(&self.gw, req.get_ref().device_id, false).await?;
        Ok(Response::new(DisableMonitoringResponse {}))
    }

    async fn disable_monitoring_multi(
        &self,
        req: Request<DisableMonitoringMultiRequest>,
    ) -> Result<Response<DisableMonitoringMultiResponse>, Status> {
        run_multi(&req.get_ref().device_i_ds, |id| {
            set_monitoring(&self.gw, id, false)
        })
        .await?;
        Ok(Response::new(DisableMonitoringMultiResponse {
            device_errors: Vec::new(),
        }))
    }

    type SubscribeRealtimeLogStream = SubscriberStream<EventLog>;

    async fn subscribe_realtime_log(
        &self,
        req: Request<SubscribeRealtimeLogRequest>,
    ) -> Result<Response<Self::SubscribeRealtimeLogStream>, Status> {
        let req = req.into_inner();
        // Empty filter lists mean "everything" (monitoring is checked when events are appended).
        let devices: HashSet<u32> = req.device_i_ds.into_iter().collect();
        let codes: HashSet<u32> = req.event_codes.into_iter().collect();
        let filter = Box::new(move |e: &EventLog| {
            (devices.is_empty() || devices.contains(&e.device_id))
                && (codes.is_empty() || codes.contains(&e.event_code))
        });
        Ok(Response::new(
            self.gw.shared.realtime.subscribe(req.queue_size, filter),
        ))
    }

    async fn get_log(
        &self,
        req: Request<GetLogRequest>,
    ) -> Result<Response<GetLogResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        let st = slot.lock();
        let events = st
            .log
            .starting_at(req.start_event_id, req.max_num_of_log)
            .iter()
            .map(|r| r.to_event(req.device_id))
            .collect();
        Ok(Response::new(GetLogResponse { events }))
    }
}
