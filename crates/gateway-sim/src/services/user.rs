//! `gsdk.user.User`: a device's users — their IDs and headers (`GetList`), their names and job
//! codes (`GetPartial` by info mask) — and the job codes users may pick at a terminal.
//!
//! Like every device command: an unknown device is NOT_FOUND, a disconnected one UNAVAILABLE.
//! A user ID the device does not hold is NOT_FOUND (what integrations observe on the real
//! gateway, facts §2.3). The emulator holds no credentials, settings or photos: mask bits for
//! them add nothing, and `UserInfo` has no fields for them.

use gsdk_proto::user::user_server::User;
use gsdk_proto::user::{
    GetJobCodeRequest, GetJobCodeResponse, GetListRequest, GetListResponse, GetPartialRequest,
    GetPartialResponse, InfoMask, SetJobCodeMultiRequest, SetJobCodeMultiResponse,
    SetJobCodeRequest, SetJobCodeResponse, UserHdr, UserInfo, UserJobCode,
};
use tonic::{Request, Response, Status};

use super::{reach, require_job_code, run_multi};
use crate::Gateway;
use crate::state::{DeviceSlot, EnrolledUser};

/// `user.Enum.MAX_JOB_CODES`: job codes per user.
const MAX_JOB_CODES: usize = 16;
/// `user.Enum.MAX_JOB_LABEL_LENGTH`: bytes per job-code label.
const MAX_JOB_LABEL_BYTES: usize = 48;

/// The User service (job codes) over the simulated devices.
pub(crate) struct UserService {
    gw: Gateway,
}

impl UserService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        UserService { gw }
    }
}

fn validate(u: &UserJobCode) -> Result<(), Status> {
    if u.user_id.is_empty() {
        return Err(Status::invalid_argument("empty user ID"));
    }
    if u.job_codes.len() > MAX_JOB_CODES {
        return Err(Status::invalid_argument(format!(
            "user {}: at most {MAX_JOB_CODES} job codes (got {})",
            u.user_id,
            u.job_codes.len()
        )));
    }
    for j in &u.job_codes {
        if j.code == 0 {
            return Err(Status::invalid_argument(format!(
                "user {}: job code 0 is not allowed",
                u.user_id
            )));
        }
        if j.label.len() > MAX_JOB_LABEL_BYTES {
            return Err(Status::invalid_argument(format!(
                "user {}: label of job code {} is {} bytes (max {MAX_JOB_LABEL_BYTES})",
                u.user_id,
                j.code,
                j.label.len()
            )));
        }
    }
    Ok(())
}

/// SetJobCode on one device: all-or-nothing, every user must be enrolled there.
async fn set_one(gw: &Gateway, device_id: u32, users: &[UserJobCode]) -> Result<(), Status> {
    let slot = reach(gw, device_id).await?;
    require_job_code(slot)?;
    users.iter().try_for_each(validate)?;
    let mut st = slot.lock();
    if let Some(u) = users.iter().find(|u| !st.users.contains_key(&u.user_id)) {
        return Err(Status::not_found(format!(
            "user {} is not enrolled on device {device_id}",
            u.user_id
        )));
    }
    for u in users {
        if let Some(held) = st.users.get_mut(&u.user_id) {
            held.job_codes = u.job_codes.clone();
        }
    }
    Ok(())
}

/// A user's header as the device reports it: one card on terminals with a card reader, two
/// fingers and one face where the model reads them (counts only: no template ever leaves).
fn header(slot: &DeviceSlot, user_id: &str) -> UserHdr {
    let caps = &slot.profile.caps;
    UserHdr {
        id: user_id.to_owned(),
        user_flag: 0,
        num_of_card: i32::from(caps.card_supported),
        num_of_finger: if caps.finger_supported { 2 } else { 0 },
        num_of_face: i32::from(caps.face_supported),
        auth_group_id: 0,
        update_mask: 0,
    }
}

/// `UserInfo` with the parts `mask` asks for (the ID is always there, in `hdr`).
fn info(slot: &DeviceSlot, user_id: &str, user: &EnrolledUser, mask: u32) -> UserInfo {
    let has = |bit: InfoMask| mask & (bit as u32) != 0;
    let hdr = if has(InfoMask::UserMaskHdr) {
        header(slot, user_id)
    } else {
        UserHdr {
            id: user_id.to_owned(),
            ..UserHdr::default()
        }
    };
    UserInfo {
        hdr: Some(hdr),
        name: if has(InfoMask::UserMaskName) {
            user.name.clone()
        } else {
            String::new()
        },
        job_codes: if has(InfoMask::UserMaskJob) {
            user.job_codes.clone()
        } else {
            Vec::new()
        },
    }
}

#[tonic::async_trait]
impl User for UserService {
    /// Every user of the device, as headers (a device without users, such as an I/O module,
    /// answers an empty list).
    async fn get_list(
        &self,
        req: Request<GetListRequest>,
    ) -> Result<Response<GetListResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        let st = slot.lock();
        let hdrs = st.users.keys().map(|id| header(slot, id)).collect();
        Ok(Response::new(GetListResponse { hdrs }))
    }

    /// The given users with the parts `infoMask` asks for, in request order; one unknown ID
    /// fails the call with NOT_FOUND.
    async fn get_partial(
        &self,
        req: Request<GetPartialRequest>,
    ) -> Result<Response<GetPartialResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        let st = slot.lock();
        let users = req
            .user_i_ds
            .iter()
            .map(|id| {
                st.users
                    .get(id)
                    .map(|u| info(slot, id, u, req.info_mask))
                    .ok_or_else(|| {
                        Status::not_found(format!(
                            "user {id} is not enrolled on device {}",
                            req.device_id
                        ))
                    })
            })
            .collect::<Result<Vec<_>, Status>>()?;
        Ok(Response::new(GetPartialResponse { users }))
    }

    /// Job codes of the given users, or of every enrolled user when `userIDs` is empty.
    async fn get_job_code(
        &self,
        req: Request<GetJobCodeRequest>,
    ) -> Result<Response<GetJobCodeResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        require_job_code(slot)?;
        let st = slot.lock();
        let entry = |(user_id, user): (&String, &EnrolledUser)| UserJobCode {
            user_id: user_id.clone(),
            job_codes: user.job_codes.clone(),
        };
        let user_job_codes = if req.user_i_ds.is_empty() {
            st.users.iter().map(entry).collect()
        } else {
            req.user_i_ds
                .iter()
                .map(|id| {
                    st.users.get_key_value(id).map(entry).ok_or_else(|| {
                        Status::not_found(format!(
                            "user {id} is not enrolled on device {}",
                            req.device_id
                        ))
                    })
                })
                .collect::<Result<Vec<_>, Status>>()?
        };
        Ok(Response::new(GetJobCodeResponse { user_job_codes }))
    }

    async fn set_job_code(
        &self,
        req: Request<SetJobCodeRequest>,
    ) -> Result<Response<SetJobCodeResponse>, Status> {
        let req = req.into_inner();
        set_one(&self.gw, req.device_id, &req.user_job_codes).await?;
        Ok(Response::new(SetJobCodeResponse {}))
    }

    async fn set_job_code_multi(
        &self,
        req: Request<SetJobCodeMultiRequest>,
    ) -> Result<Response<SetJobCodeMultiResponse>, Status> {
        let req = req.into_inner();
        run_multi(&req.device_i_ds, |id| {
            set_one(&self.gw, id, &req.user_job_codes)
        })
        .await?;
        Ok(Response::new(SetJobCodeMultiResponse {
            device_errors: Vec::new(),
        }))
    }
}
