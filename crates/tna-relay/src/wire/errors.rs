//! gRPC status → protocol error. The gateway reports per-device failures of Multi calls inside
//! the status details (`grpc-status-details-bin`: a `google.rpc.Status` packing a
//! `gsdk.err.MultiErrorResponse`); [`multi_errors`] unpacks them.

use std::error::Error as _;
use std::time::Duration;

use gsdk_proto::err::{ErrorResponse, MultiErrorResponse};
use gsdk_proto::google_rpc;
use prost::Message;
use serde_json::json;
use tna_types::protocol::{ErrorCode, RpcError};
use tonic::{Code, Status};

/// The name used for the (single) gateway in error data until several gateways are configured.
pub const DEFAULT_GATEWAY_NAME: &str = "gateway";

/// Maps a failed gateway call about `device_id` (if any) to a protocol error.
pub fn from_status(status: &Status, device_id: Option<u32>) -> RpcError {
    if is_transport_failure(status) {
        return gateway_unavailable(status.message());
    }
    let grpc_code = status.code() as i32;
    let msg = status.message();
    match (status.code(), device_id) {
        (Code::NotFound, Some(id)) => RpcError::device_not_found(id),
        (Code::Unavailable, Some(id)) => RpcError::new(
            ErrorCode::DeviceUnreachable,
            format!("Device {id} is unreachable: {msg}."),
        )
        .with_data(json!({ "deviceId": id, "grpcCode": grpc_code })),
        (Code::Unavailable, None) => gateway_unavailable(msg),
        (Code::DeadlineExceeded, _) => timeout_error(None),
        (Code::InvalidArgument, _) => RpcError::new(
            ErrorCode::ValidationFailed,
            format!("The device rejected the input: {msg}."),
        )
        .with_data(json!({ "errors": [{ "field": "", "message": msg }], "grpcCode": grpc_code })),
        (Code::FailedPrecondition | Code::Unimplemented, _) => RpcError::new(
            ErrorCode::Unsupported,
            format!("Not possible on this device: {msg}."),
        )
        .with_data(json!({ "deviceId": device_id, "grpcCode": grpc_code })),
        _ => RpcError::new(
            ErrorCode::Internal,
            format!("The gateway answered {:?}: {msg}.", status.code()),
        )
        .with_data(json!({ "detail": msg, "grpcCode": grpc_code, "deviceId": device_id })),
    }
}

/// The gateway could not be reached at all.
pub fn gateway_unavailable(detail: &str) -> RpcError {
    RpcError::new(
        ErrorCode::GatewayUnavailable,
        format!("The device gateway is unavailable ({detail}); the relay keeps retrying."),
    )
    .with_data(json!({ "gateway": DEFAULT_GATEWAY_NAME, "detail": detail }))
}

/// Whether tonic itself ended the call because its `grpc-timeout` passed: it reports that as
/// `Cancelled: Timeout expired` (a status it makes, not one the gateway sent), which must read
/// as our timeout, not as a gateway error.
pub fn is_local_deadline(status: &Status) -> bool {
    status.code() == Code::Cancelled && status.message() == tonic::TimeoutExpired(()).to_string()
}

/// A gateway call did not finish in time.
pub fn timeout_error(after: Option<Duration>) -> RpcError {
    let ms = after.map(|d| d.as_millis() as u64);
    let text = match ms {
        Some(ms) => format!("The gateway did not answer within {ms} ms."),
        None => "The gateway reported that the device did not answer in time.".to_string(),
    };
    RpcError::new(ErrorCode::Timeout, text).with_data(json!({ "afterMs": ms }))
}

/// A status made by tonic itself because the connection failed (it carries the transport
/// error as its source), as opposed to one the gateway sent.
fn is_transport_failure(status: &Status) -> bool {
    status.source().is_some()
        && matches!(
            status.code(),
            Code::Unavailable | Code::Unknown | Code::Internal
        )
}

/// The per-device errors packed in a status' details, if it carries a `MultiErrorResponse`.
/// Matches the packed message by its type name, with or without the `gsdk.` prefix (pre-V1.5
/// gateways used `err.MultiErrorResponse`).
pub fn multi_errors(status: &Status) -> Option<Vec<ErrorResponse>> {
    let details = status.details();
    if details.is_empty() {
        return None;
    }
    let rpc = google_rpc::Status::decode(details).ok()?;
    let mut found: Option<Vec<ErrorResponse>> = None;
    for any in rpc.details {
        let name = any.type_url.rsplit('/').next().unwrap_or_default();
        if name == "gsdk.err.MultiErrorResponse" || name == "err.MultiErrorResponse" {
            let multi = MultiErrorResponse::decode(any.value.as_slice()).ok()?;
            found
                .get_or_insert_with(Vec::new)
                .extend(multi.device_errors);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_with_multi(errors: Vec<ErrorResponse>, type_url: &str) -> Status {
        let multi = MultiErrorResponse {
            device_errors: errors,
        };
        let rpc = google_rpc::Status {
            code: Code::Unknown as i32,
            message: "multi".into(),
            details: vec![prost_types_any(type_url, multi.encode_to_vec())],
        };
        Status::with_details(Code::Unknown, "2 of 3 failed", rpc.encode_to_vec().into())
    }

    fn prost_types_any(type_url: &str, value: Vec<u8>) -> gsdk_proto::prost_types::Any {
        gsdk_proto::prost_types::Any {
            type_url: type_url.into(),
            value,
        }
    }

    #[test]
    fn decodes_multi_error_details() {
        let errs = vec![
            ErrorResponse {
                device_id: 5,
                code: 14,
                msg: "offline".into(),
            },
            ErrorResponse {
                device_id: 9,
                code: 3,
                msg: "bad".into(),
            },
        ];
        let st = status_with_multi(errs.clone(), gsdk_proto::MULTI_ERROR_TYPE_URL);
        assert_eq!(multi_errors(&st), Some(errs.clone()));
        let legacy = status_with_multi(errs.clone(), "type.googleapis.com/err.MultiErrorResponse");
        assert_eq!(multi_errors(&legacy), Some(errs));
        let other = status_with_multi(vec![], "type.googleapis.com/google.rpc.DebugInfo");
        assert_eq!(multi_errors(&other), None);
        assert_eq!(multi_errors(&Status::unavailable("x")), None);
    }

    #[test]
    fn maps_device_codes() {
        let e = from_status(&Status::not_found("no such device"), Some(7));
        assert_eq!(e.kind(), Some(ErrorCode::DeviceNotFound));
        let e = from_status(&Status::unavailable("device 7 is disconnected"), Some(7));
        assert_eq!(e.kind(), Some(ErrorCode::DeviceUnreachable));
        assert_eq!(
            e.data.as_ref().map(|d| d["grpcCode"].clone()),
            Some(json!(14))
        );
        let e = from_status(&Status::deadline_exceeded("slow"), Some(7));
        assert_eq!(e.kind(), Some(ErrorCode::Timeout));
        let e = from_status(&Status::failed_precondition("T&A not supported"), Some(7));
        assert_eq!(e.kind(), Some(ErrorCode::Unsupported));
        let e = from_status(&Status::internal("boom"), Some(7));
        assert_eq!(e.kind(), Some(ErrorCode::Internal));
    }

    #[test]
    fn tonics_own_deadline_is_told_from_a_cancel() {
        let tonic_deadline = Status::from_error(Box::new(tonic::TimeoutExpired(())));
        assert!(is_local_deadline(&tonic_deadline), "{tonic_deadline:?}");
        assert!(!is_local_deadline(&Status::cancelled(
            "the gateway shut down"
        )));
        assert!(!is_local_deadline(&Status::deadline_exceeded(
            "Timeout expired"
        )));
    }
}
