//! `gsdk.schedule`: the schedules a T&A key can follow.

use gsdk_proto::schedule::{GetListRequest, schedule_client::ScheduleClient};
use tna_types::Schedule;
use tna_types::limits::SCHEDULE_ALWAYS;
use tna_types::protocol::RpcError;

use super::{GatewayClient, call, request};

/// The schedules on a device, "Always" (ID 1, predefined on every device and not always listed
/// by the gateway) first.
pub async fn list(gw: &GatewayClient, device_id: u32) -> Result<Vec<Schedule>, RpcError> {
    let mut client = ScheduleClient::new(gw.channel());
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_list(request(GetListRequest { device_id }, gw.call_timeout)),
    )
    .await?;
    let mut out = vec![Schedule {
        id: SCHEDULE_ALWAYS,
        name: "Always".into(),
    }];
    out.extend(
        resp.schedules
            .into_iter()
            .filter(|s| s.id != 0 && s.id != SCHEDULE_ALWAYS)
            .map(|s| Schedule {
                id: s.id,
                name: s.name,
            }),
    );
    Ok(out)
}
