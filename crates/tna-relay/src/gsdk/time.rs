//! `gsdk.time`: device clocks — read them (with the offset from the relay's clock) and set them
//! to the relay's UTC time in one `SetMulti`.

use futures::{StreamExt, stream};
use gsdk_proto::time::time_client::TimeClient;
use gsdk_proto::time::{GetConfigRequest, GetRequest, SetMultiRequest};
use tna_types::DeviceResult;
use tna_types::protocol::{DeviceClock, RpcError};

use super::{CAPABILITY_CONCURRENCY, GatewayClient, call, multi_results, request};

/// The relay's clock in milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// One device's clock and time zone; a failure becomes the row's message.
async fn clock(gw: &GatewayClient, device_id: u32) -> DeviceClock {
    let mut client = TimeClient::new(gw.channel());
    let time = call(
        gw.call_timeout,
        Some(device_id),
        client.get(request(GetRequest { device_id }, gw.call_timeout)),
    )
    .await;
    // The offset is taken when the answer arrives: the device read its clock at most one
    // round trip earlier, and its clock has whole seconds anyway.
    let arrived_ms = now_ms();
    match time {
        Ok(t) => {
            // Only for a device that answered: an unreachable one would cost a second timeout.
            let zone = call(
                gw.call_timeout,
                Some(device_id),
                client.get_config(request(GetConfigRequest { device_id }, gw.call_timeout)),
            )
            .await;
            // The device's whole second covers [t, t+1): take its middle, so an exact clock
            // reads as 0 rather than -1.
            let device_ms = i64::try_from(t.gmt_time)
                .unwrap_or(i64::MAX)
                .saturating_mul(1000)
                .saturating_add(500);
            DeviceClock {
                device_id,
                ok: true,
                device_time: Some(t.gmt_time),
                // Rounded to the nearest second (a device clock ticks in whole seconds).
                offset_seconds: Some(
                    device_ms
                        .saturating_sub(arrived_ms)
                        .saturating_add(500)
                        .div_euclid(1000),
                ),
                time_zone: zone.ok().and_then(|z| z.config).map(|c| c.time_zone),
                message: None,
            }
        }
        Err(e) => DeviceClock {
            device_id,
            ok: false,
            device_time: None,
            offset_seconds: None,
            time_zone: None,
            message: Some(e.message),
        },
    }
}

/// The clocks of `device_ids`, in order (reads run concurrently, bounded).
pub async fn get_clocks(gw: &GatewayClient, device_ids: &[u32]) -> Vec<DeviceClock> {
    stream::iter(device_ids.iter().copied())
        .map(|id| clock(gw, id))
        .buffered(CAPABILITY_CONCURRENCY)
        .collect()
        .await
}

/// Sets every device's clock to the relay's UTC time (rounded to the nearest second).
pub async fn sync(gw: &GatewayClient, device_ids: &[u32]) -> Result<Vec<DeviceResult>, RpcError> {
    let mut client = TimeClient::new(gw.channel());
    let gmt_time = u64::try_from((now_ms() + 500) / 1000).unwrap_or(0);
    let req = SetMultiRequest {
        device_i_ds: device_ids.to_vec(),
        gmt_time,
    };
    let fut = client.set_multi(request(req, gw.call_timeout));
    multi_results(gw.call_timeout, device_ids, fut, |r| r.device_errors).await
}
