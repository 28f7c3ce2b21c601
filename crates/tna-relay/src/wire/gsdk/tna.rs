//! `gsdk.tna`: T&A config and logs, with the protobuf ⇄ `tna-types` conversions.

use gsdk_proto::tna as pb;
use gsdk_proto::tna::tna_client::TnaClient;
use serde_json::json;
use tna_types::limits::MAX_TNA_KEYS;
use tna_types::protocol::{ErrorCode, RpcError};
use tna_types::{DeviceResult, JobCodeLog, LogPage, TnaConfig, TnaKey, TnaLog, TnaMode};

use super::{GatewayClient, MAX_GRPC_MESSAGE_BYTES, call, multi_results, request};

/// Reads a device's T&A config.
pub async fn get_config(gw: &GatewayClient, device_id: u32) -> Result<TnaConfig, RpcError> {
    let mut client = TnaClient::new(gw.channel());
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_config(request(pb::GetConfigRequest { device_id }, gw.call_timeout)),
    )
    .await?;
    config_from_pb(&resp.config.unwrap_or_default())
}

/// Writes a device's T&A config (already validated by the caller).
pub async fn set_config(
    gw: &GatewayClient,
    device_id: u32,
    config: &TnaConfig,
) -> Result<(), RpcError> {
    let mut client = TnaClient::new(gw.channel());
    let req = pb::SetConfigRequest {
        device_id,
        config: Some(config_to_pb(config)),
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

/// Writes one config to many devices in one `SetConfigMulti` call and returns one result per
/// device in `device_ids` order (see [`multi_results`]).
pub async fn set_config_multi(
    gw: &GatewayClient,
    device_ids: &[u32],
    config: &TnaConfig,
) -> Result<Vec<DeviceResult>, RpcError> {
    let mut client = TnaClient::new(gw.channel());
    let req = pb::SetConfigMultiRequest {
        device_i_ds: device_ids.to_vec(),
        config: Some(config_to_pb(config)),
    };
    let fut = client.set_config_multi(request(req, gw.call_timeout));
    multi_results(gw, gw.call_timeout, device_ids, fut, |r| r.device_errors).await
}

/// One cursor page of T&A logs: IDs from `start` (inclusive, 0 = oldest), at most `limit`.
pub async fn get_log(
    gw: &GatewayClient,
    device_id: u32,
    start: u32,
    limit: u32,
) -> Result<LogPage<TnaLog>, RpcError> {
    let mut client = TnaClient::new(gw.channel()).max_decoding_message_size(MAX_GRPC_MESSAGE_BYTES);
    let req = pb::GetTnaLogRequest {
        device_id,
        start_event_id: start,
        max_num_of_log: limit,
        filter: None,
    };
    let resp = call(
        gw,
        gw.log_timeout,
        Some(device_id),
        client.get_tna_log(request(req, gw.log_timeout)),
    )
    .await?;
    let logs = resp.tna_events.into_iter().map(tna_log_from_pb).collect();
    Ok(LogPage::from_read(logs, start, limit))
}

/// One cursor page of job-code logs.
pub async fn get_job_code_log(
    gw: &GatewayClient,
    device_id: u32,
    start: u32,
    limit: u32,
) -> Result<LogPage<JobCodeLog>, RpcError> {
    let mut client = TnaClient::new(gw.channel()).max_decoding_message_size(MAX_GRPC_MESSAGE_BYTES);
    let req = pb::GetJobCodeLogRequest {
        device_id,
        start_event_id: start,
        max_num_of_log: limit,
    };
    let resp = call(
        gw,
        gw.log_timeout,
        Some(device_id),
        client.get_job_code_log(request(req, gw.log_timeout)),
    )
    .await?;
    let logs = resp
        .job_code_events
        .into_iter()
        .map(job_code_log_from_pb)
        .collect();
    Ok(LogPage::from_read(logs, start, limit))
}

/// Device config → shared model. Missing labels/schedules read as empty/0; a mode this build
/// does not know is an error rather than a guess (writing it back could change the device).
pub fn config_from_pb(c: &pb::TnaConfig) -> Result<TnaConfig, RpcError> {
    let mode = TnaMode::from_wire(c.mode).ok_or_else(|| {
        RpcError::new(
            ErrorCode::Internal,
            format!("The device reported an unknown T&A mode {}.", c.mode),
        )
        .with_data(json!({ "detail": "unknown mode", "mode": c.mode }))
    })?;
    let mut labels: [String; MAX_TNA_KEYS] = Default::default();
    for (slot, l) in labels.iter_mut().zip(&c.labels) {
        slot.clone_from(l);
    }
    let mut schedules = [0u32; MAX_TNA_KEYS];
    for (slot, s) in schedules.iter_mut().zip(&c.schedules) {
        *slot = *s;
    }
    Ok(TnaConfig {
        mode,
        key: TnaKey::from_wire(c.key),
        is_required: c.is_required,
        labels,
        schedules,
    })
}

/// Shared model → device config (always 16 labels and 16 schedules on the wire).
pub fn config_to_pb(c: &TnaConfig) -> pb::TnaConfig {
    pb::TnaConfig {
        mode: c.mode.wire(),
        key: c.key.map(|k| i32::from(k.number())).unwrap_or(0),
        is_required: c.is_required,
        schedules: c.schedules.to_vec(),
        labels: c.labels.to_vec(),
    }
}

/// Protobuf T&A log → shared model.
pub fn tna_log_from_pb(l: pb::TnaLog) -> TnaLog {
    TnaLog {
        id: l.id,
        timestamp: l.timestamp,
        device_id: l.device_id,
        user_id: l.user_id,
        event_code: l.event_code,
        sub_code: l.sub_code,
        tna_key: TnaKey::from_wire(l.tna_key),
    }
}

/// Protobuf job-code log → shared model.
pub fn job_code_log_from_pb(l: pb::JobCodeLog) -> JobCodeLog {
    JobCodeLog {
        id: l.id,
        timestamp: l.timestamp,
        device_id: l.device_id,
        user_id: l.user_id,
        event_code: l.event_code,
        sub_code: l.sub_code,
        job_code: l.job_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_through_protobuf() {
        let mut c = TnaConfig {
            mode: TnaMode::Fixed,
            key: TnaKey::new(16).ok(),
            ..Default::default()
        };
        c.labels[0] = "In".into();
        c.schedules[15] = 3;
        let pbc = config_to_pb(&c);
        assert_eq!(pbc.labels.len(), 16);
        assert_eq!(pbc.schedules.len(), 16);
        assert_eq!(pbc.key, 16);
        assert_eq!(pbc.mode, 4);
        assert_eq!(config_from_pb(&pbc), Ok(c));
    }

    #[test]
    fn short_or_odd_device_configs() {
        let pbc = pb::TnaConfig {
            mode: 1,
            key: 48,
            is_required: true,
            schedules: vec![1],
            labels: vec!["a".into()],
        };
        let c = config_from_pb(&pbc).unwrap();
        assert_eq!(c.key, None, "48 is MAX_TNA_LABEL_LENGTH, not a key");
        assert_eq!(c.labels[0], "a");
        assert_eq!(c.labels[15], "");
        assert_eq!(c.schedules, {
            let mut s = [0; 16];
            s[0] = 1;
            s
        });
        let bad = pb::TnaConfig {
            mode: 9,
            ..Default::default()
        };
        assert_eq!(
            config_from_pb(&bad).unwrap_err().kind(),
            Some(ErrorCode::Internal)
        );
    }
}
