//! One module per G-SDK service, each implementing the tonic server trait generated in
//! `gsdk-proto`, plus the helpers they share: reaching a device (existence, latency fault,
//! connection) and running a Multi command across devices in parallel.
//!
//! Status codes (chosen to match what the real gateway and existing integrations show):
//! unknown device NOT_FOUND, disconnected device UNAVAILABLE, missing capability
//! FAILED_PRECONDITION, bad request data INVALID_ARGUMENT, injected write failure INTERNAL,
//! partial Multi failure UNKNOWN with a `MultiErrorResponse` in the status details.

pub(crate) mod connect;
pub(crate) mod device;
pub(crate) mod event;
pub(crate) mod schedule;
pub(crate) mod system;
pub(crate) mod time;
pub(crate) mod tna;
pub(crate) mod user;

use std::future::Future;

use gsdk_proto::err::{ErrorResponse, MultiErrorResponse};
use gsdk_proto::google_rpc;
use prost::Message;
use tonic::codegen::Bytes;
use tonic::{Code, Status};

use crate::Gateway;
use crate::state::DeviceSlot;

/// Resolves `device_id` the way every device command does on the gateway: unknown →
/// NOT_FOUND; then the injected latency; then disconnected → UNAVAILABLE.
pub(crate) async fn reach(gw: &Gateway, device_id: u32) -> Result<&DeviceSlot, Status> {
    let slot = gw.slot(device_id).ok_or_else(|| {
        Status::not_found(format!("device {device_id} is not managed by the gateway"))
    })?;
    let latency = slot.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if !slot.online() {
        return Err(Status::unavailable(format!(
            "device {device_id} is disconnected"
        )));
    }
    Ok(slot)
}

/// FAILED_PRECONDITION unless the device supports T&A.
pub(crate) fn require_tna(slot: &DeviceSlot) -> Result<(), Status> {
    if slot.profile.model.tna {
        Ok(())
    } else {
        Err(Status::failed_precondition(format!(
            "device {} does not support T&A",
            slot.profile.id
        )))
    }
}

/// FAILED_PRECONDITION unless the device supports job codes.
pub(crate) fn require_job_code(slot: &DeviceSlot) -> Result<(), Status> {
    if slot.profile.model.job_code {
        Ok(())
    } else {
        Err(Status::failed_precondition(format!(
            "device {} does not support job codes",
            slot.profile.id
        )))
    }
}

/// Runs `op` for every device concurrently (joined futures, so a slow device does not delay the
/// others) and turns failures into the gateway's partial-failure status.
pub(crate) async fn run_multi<F, Fut>(device_ids: &[u32], op: F) -> Result<(), Status>
where
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<(), Status>>,
{
    let results = futures::future::join_all(device_ids.iter().map(|&id| {
        let fut = op(id);
        async move { (id, fut.await) }
    }))
    .await;
    let errors: Vec<ErrorResponse> = results
        .into_iter()
        .filter_map(|(device_id, r)| {
            r.err().map(|s| ErrorResponse {
                device_id,
                code: s.code() as i32,
                msg: s.message().to_owned(),
            })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(multi_error(errors, device_ids.len()))
    }
}

/// The status a Multi command ends with when some devices failed: code UNKNOWN, and in
/// `grpc-status-details-bin` a `google.rpc.Status` holding exactly one `Any` that packs a
/// `gsdk.err.MultiErrorResponse` with one entry per failed device.
pub(crate) fn multi_error(device_errors: Vec<ErrorResponse>, total: usize) -> Status {
    let msg = format!("{} of {} devices failed", device_errors.len(), total);
    let any = prost_types::Any {
        type_url: gsdk_proto::MULTI_ERROR_TYPE_URL.to_owned(),
        value: MultiErrorResponse { device_errors }.encode_to_vec(),
    };
    let rich = google_rpc::Status {
        code: Code::Unknown as i32,
        message: msg.clone(),
        details: vec![any],
    };
    Status::with_details(Code::Unknown, msg, Bytes::from(rich.encode_to_vec()))
}
