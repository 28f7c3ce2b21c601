//! `gsdk.system`: the device's SystemConfig — the relay reads its time zone and changes only
//! `useJobCode`.
//! `System.SetConfig` replaces the whole message, so every change is read → modify → write of
//! the whole config as the device holds it (no other field can change), then re-read.

use gsdk_proto::system::system_client::SystemClient;
use gsdk_proto::system::{GetConfigRequest, SetConfigRequest, SystemConfig};
use tna_types::protocol::RpcError;

use super::{GatewayClient, call, request};

/// The device's whole SystemConfig.
pub async fn get_config(gw: &GatewayClient, device_id: u32) -> Result<SystemConfig, RpcError> {
    let mut client = SystemClient::new(gw.channel());
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_config(request(GetConfigRequest { device_id }, gw.call_timeout)),
    )
    .await?;
    Ok(resp.config.unwrap_or_default())
}

/// Writes a whole SystemConfig.
async fn set_config(
    gw: &GatewayClient,
    device_id: u32,
    config: SystemConfig,
) -> Result<(), RpcError> {
    let mut client = SystemClient::new(gw.channel());
    let req = SetConfigRequest {
        device_id,
        config: Some(config),
    };
    call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.set_config(request(req, gw.call_timeout)),
    )
    .await?;
    Ok(())
}

/// `SystemConfig.useJobCode`.
pub async fn job_code_use(gw: &GatewayClient, device_id: u32) -> Result<bool, RpcError> {
    Ok(get_config(gw, device_id).await?.use_job_code)
}

/// Sets `useJobCode` (read, modify, write the whole config; skipped when it already has the
/// value) and returns it as re-read from the device.
pub async fn set_job_code_use(
    gw: &GatewayClient,
    device_id: u32,
    enabled: bool,
) -> Result<bool, RpcError> {
    let current = get_config(gw, device_id).await?;
    if current.use_job_code != enabled {
        let changed = SystemConfig {
            use_job_code: enabled,
            ..current
        };
        set_config(gw, device_id, changed).await?;
    }
    job_code_use(gw, device_id).await
}

/// The device's time zone: `SystemConfig.timeZone`, an offset from UTC in seconds.
pub async fn time_zone(gw: &GatewayClient, device_id: u32) -> Result<i32, RpcError> {
    Ok(get_config(gw, device_id).await?.time_zone)
}
