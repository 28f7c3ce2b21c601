//! `gsdk.time`: device clocks — read them (with the offset from the relay's clock) and set them
//! to the relay's UTC time in one `SetMulti` — and device time zones: the `TimeConfig` offset and
//! the DST schedules, read per device and written with `SetConfigMulti` / `SetDSTConfigMulti`
//! (protobuf ⇄ `tna_types::dst`: the wire's Month and Ordinal are 0-based, the model's 1-based).

use futures::{StreamExt, stream};
use gsdk_proto::time as pb;
use gsdk_proto::time::time_client::TimeClient;
use gsdk_proto::time::{
    DstConfig, GetConfigRequest, GetDstConfigRequest, GetRequest, SetConfigMultiRequest,
    SetDstConfigMultiRequest, SetMultiRequest, TimeConfig,
};
use tna_types::DeviceResult;
use tna_types::dst::{DstSchedule, LAST, WeekTime, ZoneSettings};
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
        gw,
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
                gw,
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
                error: None,
            }
        }
        Err(e) => DeviceClock::unread(device_id, e),
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
    multi_results(gw, gw.call_timeout, device_ids, fut, |r| r.device_errors).await
}

/// gRPC codes that mean "this device takes no DST schedules" from `GetDSTConfig`:
/// FAILED_PRECONDITION (a device without `DSTSupported`) and UNIMPLEMENTED.
const NO_DST_CODES: [i64; 2] = [9, 12];

/// A device's time-zone settings as it holds them: `TimeConfig` (offset and the sync flag, which
/// a write must keep) and the DST schedules. A device that refuses `GetDSTConfig` with
/// FAILED_PRECONDITION takes no DST schedules (`dstSupported` false).
pub async fn zone_settings(
    gw: &GatewayClient,
    device_id: u32,
) -> Result<(ZoneSettings, bool), RpcError> {
    let mut client = TimeClient::new(gw.channel());
    let config = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_config(request(GetConfigRequest { device_id }, gw.call_timeout)),
    )
    .await?
    .config
    .unwrap_or_default();
    let dst = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_dst_config(request(GetDstConfigRequest { device_id }, gw.call_timeout)),
    )
    .await;
    let (dst_supported, schedules) = match dst {
        Ok(r) => (
            true,
            r.config
                .unwrap_or_default()
                .schedules
                .iter()
                .map(schedule_from_pb)
                .collect(),
        ),
        Err(e)
            if e.data
                .as_ref()
                .and_then(|d| d["grpcCode"].as_i64())
                .is_some_and(|c| NO_DST_CODES.contains(&c)) =>
        {
            (false, Vec::new())
        }
        Err(e) => return Err(e),
    };
    Ok((
        ZoneSettings {
            utc_offset: config.time_zone,
            dst_supported,
            schedules,
        },
        config.sync_with_server,
    ))
}

/// Writes one `TimeConfig` (offset and sync flag) to every device (`Time.SetConfigMulti`).
pub async fn set_config_multi(
    gw: &GatewayClient,
    device_ids: &[u32],
    utc_offset: i32,
    sync_with_server: bool,
) -> Result<Vec<DeviceResult>, RpcError> {
    let mut client = TimeClient::new(gw.channel());
    let req = SetConfigMultiRequest {
        device_i_ds: device_ids.to_vec(),
        config: Some(TimeConfig {
            time_zone: utc_offset,
            sync_with_server,
        }),
    };
    let fut = client.set_config_multi(request(req, gw.call_timeout));
    multi_results(gw, gw.call_timeout, device_ids, fut, |r| r.device_errors).await
}

/// Writes one set of DST schedules to every device (`Time.SetDSTConfigMulti`; none clears).
pub async fn set_dst_multi(
    gw: &GatewayClient,
    device_ids: &[u32],
    schedules: &[DstSchedule],
) -> Result<Vec<DeviceResult>, RpcError> {
    let mut client = TimeClient::new(gw.channel());
    let req = SetDstConfigMultiRequest {
        device_i_ds: device_ids.to_vec(),
        config: Some(DstConfig {
            schedules: schedules.iter().map(schedule_to_pb).collect(),
        }),
    };
    let fut = client.set_dst_config_multi(request(req, gw.call_timeout));
    multi_results(gw, gw.call_timeout, device_ids, fut, |r| r.device_errors).await
}

/// A wire WeekTime in the model (month and ordinal 1-based; out-of-range values stay out of
/// range, so the verdict sees them as naming no moment).
fn week_time_from_pb(w: &pb::WeekTime) -> WeekTime {
    let small = |v: u32| u8::try_from(v).unwrap_or(u8::MAX);
    WeekTime {
        year: w.year,
        month: u8::try_from(w.month.saturating_add(1)).unwrap_or(u8::MAX),
        ordinal: match w.ordinal {
            -1 => LAST,
            o if o >= 0 => i8::try_from(o.saturating_add(1)).unwrap_or(i8::MAX),
            _ => i8::MIN,
        },
        weekday: u8::try_from(w.weekday).unwrap_or(u8::MAX),
        hour: small(w.hour),
        minute: small(w.minute),
        second: small(w.second),
    }
}

/// A model WeekTime on the wire (`Month`/`Ordinal` enums are 0-based, `ORDINAL_LAST` = -1).
fn week_time_to_pb(w: &WeekTime) -> pb::WeekTime {
    pb::WeekTime {
        year: w.year,
        month: i32::from(w.month) - 1,
        ordinal: if w.ordinal == LAST {
            -1
        } else {
            i32::from(w.ordinal) - 1
        },
        weekday: i32::from(w.weekday),
        hour: u32::from(w.hour),
        minute: u32::from(w.minute),
        second: u32::from(w.second),
    }
}

/// A wire DSTSchedule in the model (a missing WeekTime reads as the zero one, which names no
/// moment: month 1 but ordinal "first" of year 0 — judged as naming none).
fn schedule_from_pb(s: &pb::DstSchedule) -> DstSchedule {
    let start = s.start_time.unwrap_or_default();
    let end = s.end_time.unwrap_or_default();
    DstSchedule {
        start: week_time_from_pb(&start),
        end: week_time_from_pb(&end),
        offset_seconds: s.time_offset,
    }
}

fn schedule_to_pb(s: &DstSchedule) -> pb::DstSchedule {
    pb::DstSchedule {
        start_time: Some(week_time_to_pb(&s.start)),
        end_time: Some(week_time_to_pb(&s.end)),
        time_offset: s.offset_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_times_convert_both_ways() {
        let last_sunday_march = pb::WeekTime {
            year: 2026,
            month: pb::Month::March as i32,
            ordinal: pb::Ordinal::Last as i32,
            weekday: pb::Weekday::Sunday as i32,
            hour: 1,
            minute: 0,
            second: 0,
        };
        let m = week_time_from_pb(&last_sunday_march);
        assert_eq!((m.month, m.ordinal, m.weekday, m.hour), (3, LAST, 0, 1));
        assert_eq!(week_time_to_pb(&m), last_sunday_march);
        let second_saturday_oct = pb::WeekTime {
            month: pb::Month::October as i32,
            ordinal: pb::Ordinal::Second as i32,
            weekday: pb::Weekday::Saturday as i32,
            ..last_sunday_march
        };
        let m = week_time_from_pb(&second_saturday_oct);
        assert_eq!((m.month, m.ordinal, m.weekday), (10, 2, 6));
        assert_eq!(week_time_to_pb(&m), second_saturday_oct);
        // Nonsense from a device stays nonsense (never a valid day by accident).
        let odd = week_time_from_pb(&pb::WeekTime {
            month: 40,
            ordinal: -7,
            hour: 300,
            ..last_sunday_march
        });
        assert_eq!((odd.month, odd.ordinal, odd.hour), (41, i8::MIN, u8::MAX));
        assert_eq!(crate::zone_rules::resolve(&odd), None);
        let s = pb::DstSchedule {
            start_time: Some(last_sunday_march),
            end_time: Some(second_saturday_oct),
            time_offset: 3_600,
        };
        assert_eq!(schedule_to_pb(&schedule_from_pb(&s)), s);
    }
}
