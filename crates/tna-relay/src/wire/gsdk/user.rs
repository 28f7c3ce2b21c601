//! `gsdk.user` (job-code part): users' job codes, with the protobuf ⇄ `tna-types` conversions.

use gsdk_proto::tna::JobCode as PbJobCode;
use gsdk_proto::user::user_client::UserClient;
use gsdk_proto::user::{GetJobCodeRequest, SetJobCodeMultiRequest, SetJobCodeRequest, UserJobCode};
use tna_types::protocol::RpcError;
use tna_types::{DeviceResult, JobCode, UserJobCodes};

use super::{GatewayClient, call, multi_results, request};

/// The job codes of `user_ids` on a device (every enrolled user when empty).
pub async fn get_job_codes(
    gw: &GatewayClient,
    device_id: u32,
    user_ids: &[String],
) -> Result<Vec<UserJobCodes>, RpcError> {
    let mut client = UserClient::new(gw.channel());
    let req = GetJobCodeRequest {
        device_id,
        user_i_ds: user_ids.to_vec(),
    };
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_job_code(request(req, gw.call_timeout)),
    )
    .await?;
    Ok(resp.user_job_codes.into_iter().map(from_pb).collect())
}

/// Replaces the job codes of the given users on one device (already validated by the caller).
pub async fn set_job_codes(
    gw: &GatewayClient,
    device_id: u32,
    users: &[UserJobCodes],
) -> Result<(), RpcError> {
    let mut client = UserClient::new(gw.channel());
    let req = SetJobCodeRequest {
        device_id,
        user_job_codes: users.iter().map(to_pb).collect(),
    };
    call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.set_job_code(request(req, gw.call_timeout)),
    )
    .await?;
    Ok(())
}

/// Writes the users' job codes to many devices in one `SetJobCodeMulti`; one result per device
/// in `device_ids` order.
pub async fn set_job_codes_multi(
    gw: &GatewayClient,
    device_ids: &[u32],
    users: &[UserJobCodes],
) -> Result<Vec<DeviceResult>, RpcError> {
    let mut client = UserClient::new(gw.channel());
    let req = SetJobCodeMultiRequest {
        device_i_ds: device_ids.to_vec(),
        user_job_codes: users.iter().map(to_pb).collect(),
    };
    let fut = client.set_job_code_multi(request(req, gw.call_timeout));
    multi_results(gw, gw.call_timeout, device_ids, fut, |r| r.device_errors).await
}

/// Protobuf → shared model.
pub fn from_pb(u: UserJobCode) -> UserJobCodes {
    UserJobCodes {
        user_id: u.user_id,
        job_codes: u
            .job_codes
            .into_iter()
            .map(|j| JobCode {
                code: j.code,
                label: j.label,
            })
            .collect(),
    }
}

/// Shared model → protobuf.
pub fn to_pb(u: &UserJobCodes) -> UserJobCode {
    UserJobCode {
        user_id: u.user_id.clone(),
        job_codes: u
            .job_codes
            .iter()
            .map(|j| PbJobCode {
                code: j.code,
                label: j.label.clone(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_codes_round_trip_through_protobuf() {
        let u = UserJobCodes {
            user_id: "1001".into(),
            job_codes: vec![JobCode {
                code: 7,
                label: "출장".into(),
            }],
        };
        assert_eq!(from_pb(to_pb(&u)), u);
    }
}
