//! `gsdk.event`: monitoring switches and the realtime log stream (used by `crate::fanout`).

use futures::{StreamExt, stream};
use gsdk_proto::event::event_client::EventClient;
use gsdk_proto::event::{EnableMonitoringRequest, EventLog, SubscribeRealtimeLogRequest};
use tna_types::protocol::RpcError;
use tna_types::{TnaKey, TnaLog};

use super::{CAPABILITY_CONCURRENCY, GatewayClient, call, request};

/// Asks the gateway to forward each device's events (`EnableMonitoring`, one call per device,
/// [`CAPABILITY_CONCURRENCY`] at a time); one result per device, in order.
pub async fn enable_monitoring(
    gw: &GatewayClient,
    device_ids: &[u32],
) -> Vec<(u32, Result<(), RpcError>)> {
    stream::iter(device_ids.iter().copied().map(|device_id| async move {
        let mut client = EventClient::new(gw.channel());
        let r = call(
            gw,
            gw.call_timeout,
            Some(device_id),
            client.enable_monitoring(request(
                EnableMonitoringRequest { device_id },
                gw.call_timeout,
            )),
        )
        .await
        .map(|_| ());
        (device_id, r)
    }))
    .buffered(CAPABILITY_CONCURRENCY)
    .collect()
    .await
}

/// Opens the gateway's realtime log stream for every device (filtering is done by the relay).
/// Resolves once the gateway has accepted the subscription.
pub async fn subscribe_realtime(
    gw: &GatewayClient,
    queue_size: i32,
) -> Result<tonic::Streaming<EventLog>, tonic::Status> {
    let mut client = EventClient::new(gw.channel());
    let req = SubscribeRealtimeLogRequest {
        queue_size,
        device_i_ds: Vec::new(),
        event_codes: Vec::new(),
    };
    match tokio::time::timeout(gw.call_timeout, client.subscribe_realtime_log(req)).await {
        Ok(r) => r.map(tonic::Response::into_inner),
        Err(_) => Err(tonic::Status::deadline_exceeded(
            "the gateway did not accept the realtime subscription in time",
        )),
    }
}

/// A realtime event as the protocol's `TnaLog`.
pub fn log_from_event(e: EventLog) -> TnaLog {
    TnaLog {
        id: e.id,
        timestamp: e.timestamp,
        device_id: e.device_id,
        user_id: e.user_id,
        event_code: e.event_code,
        sub_code: e.sub_code,
        tna_key: TnaKey::from_wire(e.tna_key),
    }
}
