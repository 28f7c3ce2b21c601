//! T&A and job-code log records and cursor pages of them.

use serde::{Deserialize, Serialize};

use crate::config::TnaKey;

/// One T&A log record (`gsdk.tna.TNALog`). `(device_id, id)` identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TnaLog {
    /// Per-device, strictly increasing record ID: the paging cursor.
    pub id: u32,
    /// Unix seconds, UTC.
    pub timestamp: u32,
    /// Device ID.
    pub device_id: u32,
    /// User ID (may be empty for non-user events).
    pub user_id: String,
    /// 16-bit event code.
    pub event_code: u32,
    /// 8-bit sub code.
    pub sub_code: u32,
    /// The T&A key of the event, `None` when none was chosen.
    pub tna_key: Option<TnaKey>,
}

/// One job-code log record (`gsdk.tna.JobCodeLog`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobCodeLog {
    /// Per-device, strictly increasing record ID.
    pub id: u32,
    /// Unix seconds, UTC.
    pub timestamp: u32,
    /// Device ID.
    pub device_id: u32,
    /// User ID.
    pub user_id: String,
    /// 16-bit event code.
    pub event_code: u32,
    /// 8-bit sub code.
    pub sub_code: u32,
    /// The job code the user entered.
    pub job_code: u32,
}

/// Anything with a per-device record ID.
pub trait HasEventId {
    /// The record ID.
    fn event_id(&self) -> u32;
}

impl HasEventId for TnaLog {
    fn event_id(&self) -> u32 {
        self.id
    }
}

impl HasEventId for JobCodeLog {
    fn event_id(&self) -> u32 {
        self.id
    }
}

/// One page of a cursor read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPage<T> {
    /// Records, IDs strictly increasing.
    pub logs: Vec<T>,
    /// Where the next page starts: last ID + 1, or the requested start when the page was empty.
    pub next_start_event_id: u32,
    /// The page came back short: nothing more is stored right now.
    pub done: bool,
}

impl<T: HasEventId> LogPage<T> {
    /// Builds a page from what the device returned for `(start, limit)`.
    pub fn from_read(logs: Vec<T>, start: u32, limit: u32) -> Self {
        let next_start_event_id = logs
            .last()
            .map(|l| l.event_id().saturating_add(1))
            .unwrap_or(start);
        let done = logs.len() < limit as usize;
        Self {
            logs,
            next_start_event_id,
            done,
        }
    }
}
