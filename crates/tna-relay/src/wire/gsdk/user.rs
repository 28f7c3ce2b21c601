//! `gsdk.user`: the users a device holds (IDs, then names — only the header and name masks are
//! ever asked for, so no credential reaches the relay) and users' job codes, with the protobuf ⇄
//! `tna-types` conversions.

use gsdk_proto::tna::JobCode as PbJobCode;
use gsdk_proto::user::user_client::UserClient;
use gsdk_proto::user::{
    GetJobCodeRequest, GetListRequest, GetPartialRequest, InfoMask, SetJobCodeMultiRequest,
    SetJobCodeRequest, UserInfo, UserJobCode,
};
use tna_types::protocol::RpcError;
use tna_types::{DeviceResult, JobCode, UserJobCodes};

use super::{GatewayClient, call, multi_results, request};

/// The only info a directory read asks for: the header (the ID) and the name.
pub const DIRECTORY_MASK: u32 = InfoMask::UserMaskHdr as u32 | InfoMask::UserMaskName as u32;

/// The IDs of every user a device holds (`User.GetList`), in the device's order.
pub async fn list_user_ids(gw: &GatewayClient, device_id: u32) -> Result<Vec<String>, RpcError> {
    let mut client = UserClient::new(gw.channel());
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_list(request(GetListRequest { device_id }, gw.call_timeout)),
    )
    .await?;
    Ok(resp.hdrs.into_iter().map(|h| h.id).collect())
}

/// The names of `user_ids` on a device (`User.GetPartial` with [`DIRECTORY_MASK`]): `(ID,
/// name)`, `""` where the device keeps none. The caller pages the IDs.
pub async fn user_names(
    gw: &GatewayClient,
    device_id: u32,
    user_ids: &[String],
) -> Result<Vec<(String, String)>, RpcError> {
    let mut client = UserClient::new(gw.channel());
    let req = GetPartialRequest {
        device_id,
        user_i_ds: user_ids.to_vec(),
        info_mask: DIRECTORY_MASK,
    };
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_partial(request(req, gw.call_timeout)),
    )
    .await?;
    Ok(resp.users.into_iter().filter_map(name_from_pb).collect())
}

/// A user's ID and name (`""`: none), or `None` for an entry without a header (no ID).
pub fn name_from_pb(u: UserInfo) -> Option<(String, String)> {
    let id = u.hdr?.id;
    (!id.is_empty()).then_some((id, u.name))
}

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

    #[test]
    fn directory_reads_ask_for_the_header_and_name_only() {
        assert_eq!(DIRECTORY_MASK, 0x0001 | 0x0004);
        let info = |id: &str, name: &str| UserInfo {
            hdr: Some(gsdk_proto::user::UserHdr {
                id: id.into(),
                ..Default::default()
            }),
            name: name.into(),
            ..Default::default()
        };
        assert_eq!(
            name_from_pb(info("1001", "김민준")),
            Some(("1001".into(), "김민준".into()))
        );
        assert_eq!(
            name_from_pb(info("1002", "")),
            Some(("1002".into(), String::new()))
        );
        assert_eq!(name_from_pb(info("", "x")), None);
        assert_eq!(
            name_from_pb(UserInfo {
                name: "no header".into(),
                ..Default::default()
            }),
            None
        );
    }
}
