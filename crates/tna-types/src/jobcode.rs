//! Job codes assigned to users (`gsdk.tna.JobCode`, `gsdk.user.UserJobCode`).

use serde::{Deserialize, Serialize};

/// One job code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobCode {
    /// The code a user enters (non-zero).
    pub code: u32,
    /// Its label.
    pub label: String,
}

/// The job codes of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserJobCodes {
    /// User ID.
    pub user_id: String,
    /// At most 16 job codes.
    pub job_codes: Vec<JobCode>,
}
