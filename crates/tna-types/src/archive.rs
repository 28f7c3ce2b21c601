//! The relay's log archive as clients see it: sync cursors, archive queries with keyset paging,
//! and the audit trail. The relay's `tna-archive` crate stores exactly these types.

use serde::{Deserialize, Serialize};

use crate::logs::{JobCodeLog, TnaLog};

/// Most rows one archive query page returns; larger limits are lowered to this.
pub const MAX_QUERY_LIMIT: u32 = 10_000;
/// Most devices one archive query may name.
pub const MAX_QUERY_DEVICES: usize = 10_000;
/// Most entries one audit list returns; larger limits are lowered to this.
pub const MAX_AUDIT_LIMIT: u32 = 1_000;

/// One of a device's two log streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Stream {
    /// T&A events (`TnaLog`).
    Tna,
    /// Job-code events (`JobCodeLog`).
    JobCode,
}

impl Stream {
    /// Both streams.
    pub const ALL: [Stream; 2] = [Stream::Tna, Stream::JobCode];
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Tna => "T&A",
            Stream::JobCode => "job-code",
        })
    }
}

/// How far the archive has read one (device, stream).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    /// The device.
    pub device_id: u32,
    /// Which of its logs.
    pub stream: Stream,
    /// Bumped on every event-ID reset of the device; records are unique per epoch.
    pub epoch: u32,
    /// The first event ID not yet stored in this epoch: where the next read starts.
    pub next_event_id: u32,
    /// Records stored for this (device, stream), all epochs.
    pub stored: u64,
    /// When a page was last stored (Unix seconds).
    pub last_sync_at: Option<i64>,
    /// The last read failure, cleared by the next stored page.
    pub last_error: Option<String>,
    /// When `last_error` happened (Unix seconds); kept after the error is cleared.
    pub last_error_at: Option<i64>,
    /// When the last event-ID reset was detected (Unix seconds).
    pub reset_detected_at: Option<i64>,
}

/// A stored record and the epoch of the device's event numbering it belongs to.
///
/// In JSON the record's fields and `epoch` sit side by side (`{"epoch": 1, "id": 7, …}`); in a
/// compact format (the binary subprotocol, `crate::binary`, which cannot hold a flattened map)
/// it is the pair `(epoch, record)`. Formats say which they are by `is_human_readable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived<T> {
    /// The device's event-ID epoch the record was read in.
    pub epoch: u32,
    /// The record as the device reported it.
    pub log: T,
}

/// [`Archived`] as JSON has it.
#[derive(Serialize, Deserialize)]
struct FlatArchived<T> {
    epoch: u32,
    #[serde(flatten)]
    log: T,
}

impl<T: Serialize> Serialize for Archived<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            FlatArchived {
                epoch: self.epoch,
                log: &self.log,
            }
            .serialize(s)
        } else {
            (self.epoch, &self.log).serialize(s)
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Archived<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let FlatArchived { epoch, log } = FlatArchived::deserialize(d)?;
            Ok(Archived { epoch, log })
        } else {
            let (epoch, log) = <(u32, T)>::deserialize(d)?;
            Ok(Archived { epoch, log })
        }
    }
}

/// A stored T&A event.
pub type ArchivedTnaLog = Archived<TnaLog>;

/// A stored job-code event.
pub type ArchivedJobCodeLog = Archived<JobCodeLog>;

/// Where a result page ends: the sort key of its last row. Pass it back as
/// [`LogQuery::after`] for the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCursor {
    /// The row's timestamp (Unix seconds).
    pub timestamp: u32,
    /// Its device.
    pub device_id: u32,
    /// Its epoch.
    pub epoch: u32,
    /// Its event ID.
    pub event_id: u32,
}

/// Which stored events to read. Rows come in (timestamp, device, epoch, event ID) order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LogQuery {
    /// Timestamps from (inclusive), Unix seconds.
    pub from: Option<u32>,
    /// Timestamps to (exclusive), Unix seconds.
    pub to: Option<u32>,
    /// Only this user's events.
    pub user_id: Option<String>,
    /// Only these devices (an empty list matches nothing).
    pub device_ids: Option<Vec<u32>>,
    /// Start after this row (the previous page's [`QueryPage::next`]).
    pub after: Option<QueryCursor>,
    /// Rows per page, lowered to [`MAX_QUERY_LIMIT`]; 0 is taken as 1.
    pub limit: u32,
}

/// One page of query results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T> {
    /// The rows, in archive order.
    pub rows: Vec<T>,
    /// Where the next page starts; `None` when this page is the last.
    pub next: Option<QueryCursor>,
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Assigned by the archive (increasing); 0 in a new entry.
    pub id: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who (user name, or `local` without sign-in).
    pub actor: String,
    /// What (the JSON-RPC method).
    pub method: String,
    /// The devices it touched, in the order given.
    pub device_ids: Vec<u32>,
    /// The state before, when there was one.
    pub before: Option<serde_json::Value>,
    /// The state after, when there is one.
    pub after: Option<serde_json::Value>,
    /// What came back (per device results, errors).
    pub results: serde_json::Value,
}

/// Which audit entries to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuditQuery {
    /// From this time (inclusive, Unix seconds).
    pub from: Option<i64>,
    /// To this time (exclusive, Unix seconds).
    pub to: Option<i64>,
    /// Only this actor's.
    pub actor: Option<String>,
    /// Only this method's.
    pub method: Option<String>,
    /// Only those touching this device.
    pub device_id: Option<u32>,
    /// Only entries older than this ID (the last ID of the previous page).
    pub before_id: Option<i64>,
    /// Entries per page, lowered to [`MAX_AUDIT_LIMIT`]; 0 is taken as 1.
    pub limit: u32,
}
