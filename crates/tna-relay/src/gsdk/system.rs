//! `gsdk.system`: the device's system config, of which the relay reads the time zone.

use gsdk_proto::system::{GetConfigRequest, system_client::SystemClient};
use tna_types::protocol::RpcError;

use super::{CALL_TIMEOUT, GatewayClient, call, request};

/// The device's time zone: `SystemConfig.timeZone`, an offset from UTC in seconds.
pub async fn time_zone(gw: &GatewayClient, device_id: u32) -> Result<i32, RpcError> {
    let mut client = SystemClient::new(gw.channel());
    let resp = call(
        CALL_TIMEOUT,
        Some(device_id),
        client.get_config(request(GetConfigRequest { device_id }, CALL_TIMEOUT)),
    )
    .await?;
    Ok(resp.config.map(|c| c.time_zone).unwrap_or(0))
}
