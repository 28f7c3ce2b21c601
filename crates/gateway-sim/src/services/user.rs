//! `gsdk.user.User` (job-code part): the job codes users may pick at a terminal.

use gsdk_proto::tna::JobCode;
use gsdk_proto::user::user_server::User;
use gsdk_proto::user::{
    GetJobCodeRequest, GetJobCodeResponse, SetJobCodeMultiRequest, SetJobCodeMultiResponse,
    SetJobCodeRequest, SetJobCodeResponse, UserJobCode,
};
use tonic::{Request, Response, Status};

use super::{reach, require_job_code, run_multi};
use crate::Gateway;

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
        st.users.insert(u.user_id.clone(), u.job_codes.clone());
    }
    Ok(())
}

#[tonic::async_trait]
impl User for UserService {
    /// Job codes of the given users, or of every enrolled user when `userIDs` is empty.
    async fn get_job_code(
        &self,
        req: Request<GetJobCodeRequest>,
    ) -> Result<Response<GetJobCodeResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        require_job_code(slot)?;
        let st = slot.lock();
        let entry = |(user_id, codes): (&String, &Vec<JobCode>)| UserJobCode {
            user_id: user_id.clone(),
            job_codes: codes.clone(),
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
