//! `gsdk.connect`: the device list, joined with each device's capabilities.

use futures::{StreamExt, stream};
use gsdk_proto::connect::{
    DeviceInfo, GetDeviceListRequest, Status, StatusChange, SubscribeStatusRequest,
    connect_client::ConnectClient,
};
use tna_types::protocol::{DeviceStatusChange, RpcError};
use tna_types::{ConnectionStatus, Device};

use super::{CAPABILITY_CONCURRENCY, GatewayClient, call, device, request};

/// `TRY_TO_CONNECT`: documented for V1.9 gateways, absent from the V1.8 proto.
const STATUS_TRY_TO_CONNECT: i32 = 0x04;

/// Every device the gateway manages, with status and T&A / job-code capability. Capabilities of
/// devices not seen before are fetched in parallel (bounded); a device whose capabilities cannot
/// be read is listed without T&A support and its status detail says why.
pub async fn list_devices(gw: &GatewayClient) -> Result<Vec<Device>, RpcError> {
    let mut client = ConnectClient::new(gw.channel());
    let resp = call(
        gw,
        gw.call_timeout,
        None,
        client.get_device_list(request(GetDeviceListRequest {}, gw.call_timeout)),
    )
    .await?;
    let devices = stream::iter(resp.device_infos)
        .map(|info| async move {
            let (status, detail) = map_status(info.status);
            let caps = if status == ConnectionStatus::Connected {
                device::capabilities(gw, info.device_id)
                    .await
                    .map_err(|e| e.message)
            } else {
                gw.cached_capabilities(info.device_id)
                    .ok_or_else(|| "not connected".to_string())
            };
            to_device(&info, status, detail, caps)
        })
        .buffered(CAPABILITY_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    Ok(devices)
}

/// Opens the gateway's device status stream (every device). Resolves once the gateway has
/// accepted the subscription.
pub async fn subscribe_status(
    gw: &GatewayClient,
    queue_size: i32,
) -> Result<tonic::Streaming<StatusChange>, tonic::Status> {
    let mut client = ConnectClient::new(gw.channel());
    let req = SubscribeStatusRequest { queue_size };
    match tokio::time::timeout(gw.call_timeout, client.subscribe_status(req)).await {
        Ok(r) => r.map(tonic::Response::into_inner),
        Err(_) => Err(tonic::Status::deadline_exceeded(
            "the gateway did not accept the status subscription in time",
        )),
    }
}

/// A gateway status change as the protocol's `devices.status`.
pub fn status_change(c: &StatusChange) -> DeviceStatusChange {
    DeviceStatusChange {
        device_id: c.device_id,
        status: map_status(c.status).0,
        at: c.timestamp,
        detail: None,
    }
}

fn to_device(
    info: &DeviceInfo,
    status: ConnectionStatus,
    detail: Option<String>,
    caps: Result<tna_types::DeviceCapabilities, String>,
) -> Device {
    let (tna, job, keypad, detail) = match caps {
        Ok(c) => (c.tna_supported, c.job_code_supported, c.has_keypad, detail),
        Err(why) => (
            false,
            false,
            device::has_keypad(info.r#type),
            detail.or_else(|| Some(format!("capabilities unknown: {why}"))),
        ),
    };
    Device {
        status_detail: detail,
        tna_supported: tna,
        job_code_supported: job,
        has_keypad: keypad,
        ..Device::listed(
            info.device_id,
            device::type_name(info.r#type),
            format!("{}:{}", info.ip_addr, info.port),
            status,
        )
    }
}

/// The console's status for a gateway status, with the gateway's name where it says more.
pub fn map_status(status: i32) -> (ConnectionStatus, Option<String>) {
    let name = Status::try_from(status)
        .map(|s| s.as_str_name().to_string())
        .ok();
    let mapped = match Status::try_from(status) {
        Ok(Status::TcpConnected | Status::TlsConnected) => ConnectionStatus::Connected,
        Ok(Status::Disconnected) => ConnectionStatus::Disconnected,
        Ok(_) => ConnectionStatus::Error,
        Err(_) if status == STATUS_TRY_TO_CONNECT => ConnectionStatus::Connecting,
        Err(_) => ConnectionStatus::Error,
    };
    let detail = match mapped {
        ConnectionStatus::Error => Some(name.unwrap_or_else(|| format!("status 0x{status:X}"))),
        _ => name,
    };
    (mapped, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(
            map_status(Status::TlsConnected as i32).0,
            ConnectionStatus::Connected
        );
        assert_eq!(
            map_status(Status::Disconnected as i32).0,
            ConnectionStatus::Disconnected
        );
        assert_eq!(
            map_status(Status::TlsCannotConnect as i32),
            (ConnectionStatus::Error, Some("TLS_CANNOT_CONNECT".into()))
        );
        assert_eq!(map_status(4).0, ConnectionStatus::Connecting);
        assert_eq!(
            map_status(0x999),
            (ConnectionStatus::Error, Some("status 0x999".into()))
        );
    }
}
