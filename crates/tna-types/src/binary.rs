//! The binary subprotocol: the same results, smaller and far cheaper to encode and decode than
//! JSON, for the replies that carry thousands of records (log pages).
//!
//! JSON text stays the public protocol. A client that opens its WebSocket with the subprotocol
//! [`SUBPROTOCOL`] (`Sec-WebSocket-Protocol: tna.bin.v1`) still sends JSON requests and gets
//! JSON errors and notifications, but the *result* of a method the `methods!` table marks
//! `binary` (see [`crate::protocol::Request::has_binary_result`]) comes as one binary frame,
//! when the request's ID is a number:
//!
//! ```text
//! frame = id  result
//! id     = the request ID: a zigzag varint (postcard's i64)
//! result = the method's result type in postcard 1.0 (https://postcard.jamesmunns.com/wire-format)
//! ```
//!
//! postcard is not self-describing: fields come in declaration order, without names, so a
//! result type sent this way must be serde-plain (no `flatten`, no `skip_serializing_if`, no
//! untagged enums). The tests below keep every binary method's result to that, and pin the
//! bytes: adding, removing or reordering a field of `TnaLog`, `JobCodeLog`, `LogPage`,
//! `QueryPage`, `QueryCursor` or `Archived` changes the format, which then needs a new
//! subprotocol name (`tna.bin.v2`) so an old console cannot misread a new relay.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The WebSocket subprotocol name a client offers to get binary results.
pub const SUBPROTOCOL: &str = "tna.bin.v1";

/// A binary frame that cannot be read (or a value that cannot be written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("binary frame: {0}")]
pub struct BinaryError(String);

impl From<postcard::Error> for BinaryError {
    fn from(e: postcard::Error) -> Self {
        BinaryError(e.to_string())
    }
}

/// The frame answering request `id` with `result`.
pub fn encode_reply<T: Serialize>(id: i64, result: &T) -> Result<Vec<u8>, BinaryError> {
    Ok(postcard::to_allocvec(&(id, result))?)
}

/// Splits a frame into its request ID and its result bytes (decoded by whoever asked, who
/// knows the result's type: [`decode_result`]).
pub fn split_reply(frame: &[u8]) -> Result<(i64, &[u8]), BinaryError> {
    Ok(postcard::take_from_bytes::<i64>(frame)?)
}

/// Decodes result bytes from [`split_reply`]; every byte must be used.
pub fn decode_result<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BinaryError> {
    let (value, rest) = postcard::take_from_bytes::<T>(bytes)?;
    if rest.is_empty() {
        Ok(value)
    } else {
        Err(BinaryError(format!(
            "{} bytes after the result",
            rest.len()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{Archived, ArchivedJobCodeLog, ArchivedTnaLog, QueryCursor, QueryPage};
    use crate::protocol::{Request, method};
    use crate::{JobCodeLog, LogPage, TnaKey, TnaLog};

    fn tna_page() -> LogPage<TnaLog> {
        LogPage {
            logs: vec![
                TnaLog {
                    id: 7,
                    timestamp: 1_764_547_200,
                    device_id: 540_000_001,
                    user_id: "1001".into(),
                    event_code: 0x1300,
                    sub_code: 1,
                    tna_key: TnaKey::new(2).ok(),
                },
                TnaLog {
                    id: 8,
                    timestamp: 1_764_547_260,
                    device_id: 540_000_001,
                    user_id: "김민준".into(),
                    event_code: 0x1300,
                    sub_code: 0,
                    tna_key: None,
                },
            ],
            next_start_event_id: 9,
            done: false,
        }
    }

    #[test]
    fn a_reply_round_trips_and_is_smaller_than_json() {
        let page = tna_page();
        let frame = encode_reply(42, &page).unwrap_or_default();
        let (id, body) = split_reply(&frame).unwrap_or((0, &[]));
        assert_eq!(id, 42);
        let back: Option<<method::TnaGetLog as crate::protocol::Method>::Result> =
            decode_result(body).ok();
        assert_eq!(back, Some(page.clone()));
        let json = serde_json::to_vec(&page).unwrap_or_default();
        assert!(
            frame.len() * 3 < json.len(),
            "{} vs {}",
            frame.len(),
            json.len()
        );
    }

    #[test]
    fn every_binary_method_result_survives_postcard() {
        // The table marks exactly the log pages; a new `binary` method must be added here with a
        // sample of its result, which proves its type is serde-plain.
        let binary: Vec<&str> = Request::METHODS
            .iter()
            .copied()
            .filter(|m| Request::has_binary_result(m))
            .collect();
        assert_eq!(
            binary,
            [
                "tna.getLog",
                "tna.getJobCodeLog",
                "archive.logs",
                "archive.jobCodeLogs"
            ]
        );
        let jobs = LogPage {
            logs: vec![JobCodeLog {
                id: 1,
                timestamp: 2,
                device_id: 3,
                user_id: String::new(),
                event_code: 4,
                sub_code: 5,
                job_code: 6,
            }],
            next_start_event_id: 2,
            done: true,
        };
        let frame = encode_reply(-1, &jobs).unwrap_or_default();
        let (id, body) = split_reply(&frame).unwrap_or((0, &[]));
        assert_eq!(id, -1);
        assert_eq!(
            decode_result::<LogPage<JobCodeLog>>(body).ok(),
            Some(jobs.clone())
        );
        // Archive pages: the flattened JSON form becomes (epoch, record) here, both ways.
        let rows = QueryPage {
            rows: vec![Archived {
                epoch: 2,
                log: tna_page().logs[1].clone(),
            }],
            next: Some(QueryCursor {
                timestamp: 9,
                device_id: 8,
                epoch: 2,
                event_id: 7,
            }),
        };
        let frame = encode_reply(4, &rows).unwrap_or_default();
        let (_, body) = split_reply(&frame).unwrap_or((0, &[]));
        assert_eq!(
            decode_result::<QueryPage<ArchivedTnaLog>>(body).ok(),
            Some(rows.clone())
        );
        let json = serde_json::to_value(&rows).unwrap_or_default();
        assert_eq!(json["rows"][0]["epoch"], 2, "{json}");
        assert_eq!(
            json["rows"][0]["userId"], "김민준",
            "flattened in JSON: {json}"
        );
        let back: Option<QueryPage<ArchivedTnaLog>> = serde_json::from_value(json).ok();
        assert_eq!(back, Some(rows));
        let job_rows = QueryPage {
            rows: vec![Archived {
                epoch: 1,
                log: jobs.logs[0].clone(),
            }],
            next: None,
        };
        let frame = encode_reply(5, &job_rows).unwrap_or_default();
        let (_, body) = split_reply(&frame).unwrap_or((0, &[]));
        assert_eq!(
            decode_result::<QueryPage<ArchivedJobCodeLog>>(body).ok(),
            Some(job_rows)
        );
    }

    /// The wire format pinned byte by byte, as the postcard spec and the field order give it
    /// (worked out by hand, not copied from output): a change to a binary result type that
    /// moves these bytes is a new subprotocol (`tna.bin.v2`), not a silent change of v1.
    #[test]
    fn the_v1_bytes_of_a_page() {
        let page = LogPage {
            logs: vec![TnaLog {
                id: 1,
                timestamp: 300,
                device_id: 2,
                user_id: "a".into(),
                event_code: 4,
                sub_code: 0,
                tna_key: TnaKey::new(3).ok(),
            }],
            next_start_event_id: 2,
            done: true,
        };
        let expected: [u8; 14] = [
            0x0A, // request ID 5, zigzag varint
            0x01, // one log
            0x01, // id 1
            0xAC, 0x02, // timestamp 300 (varint)
            0x02, // deviceId 2
            0x01, b'a', // userId "a": length, UTF-8
            0x04, // eventCode 4
            0x00, // subCode 0
            0x01, 0x03, // tnaKey Some(KEY_3): tag, then the key as one byte (u8)
            0x02, // nextStartEventId 2
            0x01, // done true
        ];
        assert_eq!(encode_reply(5, &page).unwrap_or_default(), expected);
        let archived = QueryPage {
            rows: vec![Archived {
                epoch: 7,
                log: page.logs[0].clone(),
            }],
            next: None,
        };
        let mut expected_rows = vec![0x0A, 0x01, 0x07]; // ID 5, one row, epoch 7
        expected_rows.extend_from_slice(&expected[2..12]); // the record as above
        expected_rows.push(0x00); // next: None
        assert_eq!(
            encode_reply(5, &archived).unwrap_or_default(),
            expected_rows
        );
    }

    #[test]
    fn broken_frames_are_errors_not_panics() {
        let frame = encode_reply(3, &tna_page()).unwrap_or_default();
        let (_, body) = split_reply(&frame).unwrap_or((0, &[]));
        for cut in [0, 1, body.len() / 2, body.len() - 1] {
            assert!(
                decode_result::<LogPage<TnaLog>>(&body[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = body.to_vec();
        longer.push(0);
        assert!(decode_result::<LogPage<TnaLog>>(&longer).is_err());
        assert!(split_reply(&[]).is_err());
        assert!(split_reply(&[0xFF; 11]).is_err(), "an over-long varint");
    }
}
