//! The one batching rule of bulk writes, shared by the console's `ApplyFlow` (Bulk, Drift) and
//! `tnactl apply`: targets are split into batches of [`BATCH`] devices, each batch is one
//! multi-device call (`tna.setConfigMulti`, `jobCodes.setMulti`) naming the apply's one
//! [`operation_id`] (so the audit trail keeps one entry per apply), and each batch's answer —
//! rows, or a failure of the whole call — becomes exactly one [`DeviceOutcome`] per device of the
//! batch ([`batch_outcomes`]). Pure: no clock, no randomness, no I/O (callers pass them in).

use serde::{Deserialize, Serialize};

use crate::device::DeviceResult;

/// Devices per multi-device call of a bulk apply.
pub const BATCH: usize = 10;

/// The targets in batches of [`BATCH`], in order.
pub fn batches(ids: &[u32]) -> impl Iterator<Item = &[u32]> {
    ids.chunks(BATCH)
}

/// The operation ID every batch of one apply carries: `bulk-` + the time in milliseconds + a
/// random part (hex), within the relay's 1–64 visible ASCII characters.
pub fn operation_id(now_ms: u64, random: u32) -> String {
    format!("bulk-{now_ms}-{random:08x}")
}

/// Where a failure's code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", content = "code", rename_all = "camelCase")]
pub enum FailureCode {
    /// The gateway's gRPC status code for this device (a row of the answer).
    Grpc(i32),
    /// The relay's JSON-RPC error code: the whole batch call failed.
    Relay(i32),
    /// No code: the answer had no row for this device, or the call failed without one.
    None,
}

/// The outcome of a batch for one of its devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum DeviceOutcome {
    /// The device took the write.
    Ok,
    /// It did not: the code and the gateway's or relay's message.
    Failed {
        /// Where the code comes from.
        code: FailureCode,
        /// What went wrong, for people.
        message: String,
    },
}

/// A multi-device call that failed as a whole: the relay's error code (when it answered with
/// one) and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    /// The relay's JSON-RPC error code, `None` for a transport failure (socket closed, timeout).
    pub code: Option<i32>,
    /// The message.
    pub message: String,
}

/// The message of a device the answer left out.
pub const NO_ROW: &str = "the relay's answer had no row for this device";

/// One outcome per device of `batch`, in batch order, from the call's answer: a device's own
/// row when the call answered (a device without a row is a failure, [`NO_ROW`]), or the call's
/// failure for every device of the batch.
pub fn batch_outcomes(
    batch: &[u32],
    answer: Result<&[DeviceResult], &BatchError>,
) -> Vec<(u32, DeviceOutcome)> {
    batch
        .iter()
        .map(|&id| {
            let outcome = match answer {
                Ok(rows) => match rows.iter().find(|r| r.device_id == id) {
                    Some(r) if r.ok => DeviceOutcome::Ok,
                    Some(r) => DeviceOutcome::Failed {
                        code: r.code.map_or(FailureCode::None, FailureCode::Grpc),
                        message: r.message.clone().unwrap_or_default(),
                    },
                    None => DeviceOutcome::Failed {
                        code: FailureCode::None,
                        message: NO_ROW.to_string(),
                    },
                },
                Err(e) => DeviceOutcome::Failed {
                    code: e.code.map_or(FailureCode::None, FailureCode::Relay),
                    message: e.message.clone(),
                },
            };
            (id, outcome)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::MAX_OPERATION_ID_LEN;

    #[test]
    fn batches_of_ten_in_order() {
        let ids: Vec<u32> = (1..=23).collect();
        let b: Vec<&[u32]> = batches(&ids).collect();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], &ids[..10]);
        assert_eq!(b[2], &[21, 22, 23]);
        assert_eq!(batches(&[]).count(), 0);
    }

    #[test]
    fn operation_ids_fit_the_relay_rule() {
        let id = operation_id(u64::MAX, u32::MAX);
        assert!(id.len() <= MAX_OPERATION_ID_LEN, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_graphic()), "{id}");
        assert_eq!(
            operation_id(1_700_000_000_000, 0xab),
            "bulk-1700000000000-000000ab"
        );
        assert_ne!(operation_id(1, 2), operation_id(1, 3));
    }

    #[test]
    fn rows_become_outcomes_and_missing_rows_fail() {
        let rows = [
            DeviceResult::ok(1),
            DeviceResult::failed(2, 13, "boom"),
            DeviceResult::ok(9), // not in the batch: ignored
        ];
        let out = batch_outcomes(&[1, 2, 3], Ok(&rows));
        assert_eq!(out[0], (1, DeviceOutcome::Ok));
        assert_eq!(
            out[1],
            (
                2,
                DeviceOutcome::Failed {
                    code: FailureCode::Grpc(13),
                    message: "boom".into()
                }
            )
        );
        assert_eq!(
            out[2],
            (
                3,
                DeviceOutcome::Failed {
                    code: FailureCode::None,
                    message: NO_ROW.into()
                }
            )
        );
    }

    #[test]
    fn a_failed_call_fails_every_device_of_the_batch() {
        let e = BatchError {
            code: Some(-32004),
            message: "gateway down".into(),
        };
        let out = batch_outcomes(&[5, 6], Err(&e));
        assert_eq!(out.len(), 2);
        for (id, o) in [(5, &out[0]), (6, &out[1])] {
            assert_eq!(o.0, id);
            assert_eq!(
                o.1,
                DeviceOutcome::Failed {
                    code: FailureCode::Relay(-32004),
                    message: "gateway down".into()
                }
            );
        }
    }
}
