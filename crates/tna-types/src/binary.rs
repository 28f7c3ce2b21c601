//! The binary subprotocol `tna.bin.v2`: every frame the relay sends on such a socket — results,
//! errors and pushes — is one binary frame in postcard, which needs no field names and no
//! text parser to read. The kiosk's WASM reads nothing else (it carries no JSON reader), and a
//! log page of 5,000 records is ~5× smaller than its JSON and decodes 5–8× faster.
//!
//! JSON text stays the public protocol: requests are JSON text on every socket, and a client
//! that does not offer [`SUBPROTOCOL`] (`Sec-WebSocket-Protocol: tna.bin.v2`) gets JSON only.
//! On a `tna.bin.v2` socket:
//!
//! ```text
//! frame  = kind body
//! kind   = one byte: 0 result, 1 error, 2 push
//! result = id  value                    the answer to request `id`, a method the `methods!`
//!                                        table marks `binary`: its result type in postcard
//! error  = id  code  message  data      the error answering request `id`
//! push   = method  params               a notification: its name, then its params in postcard
//! id     = the request ID (postcard i64: zigzag varint)     code = postcard i32
//! data   = Option<Data>: the error's `data`, JSON's value model in postcard ([`Data`])
//! ```
//!
//! What has no binary form stays a JSON text frame on the same socket: the result of a method
//! not marked `binary` (the console reads those), and any answer to a request whose ID is a
//! string or could not be read.
//!
//! postcard is not self-describing: fields come in declaration order, without names. So every
//! field JSON leaves out when it is empty (`skip_serializing_if`) names one of [`omit_none`],
//! [`omit_empty`] or [`omit_default`], which leave it out of JSON only: while a binary frame is
//! written, every field is written. The tests below round-trip every binary method's result and
//! every push, and pin the bytes: adding, removing or reordering a field of a binary result or a
//! push changes the format, which then needs a new subprotocol name (`tna.bin.v3`) so an old
//! client cannot misread a new relay.

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::protocol::{Notification, PushParams, RpcError};

/// The WebSocket subprotocol name a client offers to get binary frames.
pub const SUBPROTOCOL: &str = "tna.bin.v2";

/// The subprotocol of earlier releases (binary log pages only). A browser fails a socket whose
/// offered subprotocol the server does not name, so the relay still takes it — and answers in
/// plain JSON, which those clients read for every method: a console tab or kiosk left open
/// across an upgrade keeps working until it reloads.
pub const RETIRED_SUBPROTOCOL: &str = "tna.bin.v1";

/// The first byte of a result frame.
const RESULT: u8 = 0;
/// The first byte of an error frame.
const ERROR: u8 = 1;
/// The first byte of a push frame.
const PUSH: u8 = 2;

/// A binary frame that cannot be read (or a value that cannot be written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("binary frame: {0}")]
pub struct BinaryError(String);

impl From<postcard::Error> for BinaryError {
    fn from(e: postcard::Error) -> Self {
        BinaryError(e.to_string())
    }
}

impl BinaryError {
    /// `method` was asked for a binary result it does not have.
    pub fn no_binary_form(method: &str) -> Self {
        BinaryError(format!("{method} has no binary result"))
    }
}

thread_local! {
    /// Set while this thread writes a binary frame: then no field is left out.
    static WRITING: Cell<bool> = const { Cell::new(false) };
}

fn writing() -> bool {
    WRITING.with(Cell::get)
}

/// For `skip_serializing_if`: JSON leaves out an absent value; a binary frame writes it.
pub fn omit_none<T>(value: &Option<T>) -> bool {
    value.is_none() && !writing()
}

/// For `skip_serializing_if`: JSON leaves out an empty list; a binary frame writes it. (serde
/// hands the predicate the field itself, a `&Vec`.)
#[allow(clippy::ptr_arg)]
pub fn omit_empty<T>(value: &Vec<T>) -> bool {
    value.is_empty() && !writing()
}

/// For `skip_serializing_if`: JSON leaves out a default value (`false`, a default form); a
/// binary frame writes it.
pub fn omit_default<T: Default + PartialEq>(value: &T) -> bool {
    !writing() && *value == T::default()
}

/// `value` in postcard, every field written (see [`omit_none`]).
fn write<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, BinaryError> {
    /// Puts the flag back as it was, whatever happens while writing.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            WRITING.with(|w| w.set(self.0));
        }
    }
    let _restore = Restore(WRITING.with(|w| w.replace(true)));
    Ok(postcard::to_allocvec(value)?)
}

/// An error's `data`: JSON's value model, in a form postcard can read back (it cannot read a
/// `serde_json::Value`, which needs a self-describing format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Data {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number ≥ 0.
    Unsigned(u64),
    /// A negative whole number.
    Signed(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Text(String),
    /// An array.
    List(Vec<Data>),
    /// An object, members in order.
    Object(Vec<(String, Data)>),
}

impl From<&Value> for Data {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => Data::Null,
            Value::Bool(b) => Data::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Data::Unsigned(u),
                (None, Some(i)) => Data::Signed(i),
                _ => Data::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Data::Text(s.clone()),
            Value::Array(items) => Data::List(items.iter().map(Data::from).collect()),
            Value::Object(members) => Data::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), Data::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Data> for Value {
    fn from(data: Data) -> Self {
        match data {
            Data::Null => Value::Null,
            Data::Bool(b) => Value::Bool(b),
            Data::Unsigned(u) => Value::Number(u.into()),
            Data::Signed(i) => Value::Number(i.into()),
            Data::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
            Data::Text(s) => Value::String(s),
            Data::List(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            Data::Object(members) => {
                // One insert at a time: collecting would build the map by sorting, a second
                // copy of the sort in the browser's WASM for a handful of members.
                let mut map = Map::new();
                for (k, v) in members {
                    map.insert(k, Value::from(v));
                }
                Value::Object(map)
            }
        }
    }
}

/// The frame answering request `id` with `result`.
pub fn encode_reply<T: Serialize>(id: i64, result: &T) -> Result<Vec<u8>, BinaryError> {
    write(&(RESULT, id, result))
}

/// The frame answering request `id` with a result given as JSON text, read as `T` first.
pub fn reencode<T: DeserializeOwned + Serialize>(
    id: i64,
    json: &str,
) -> Result<Vec<u8>, BinaryError> {
    let value: T = serde_json::from_str(json)
        .map_err(|e| BinaryError(format!("the result does not read as its type: {e}")))?;
    encode_reply(id, &value)
}

/// The frame answering request `id` with `error`.
pub fn encode_error(id: i64, error: &RpcError) -> Result<Vec<u8>, BinaryError> {
    let data = error.data.as_ref().map(Data::from);
    write(&(ERROR, id, error.code, &error.message, data))
}

/// The frame of a push.
pub fn encode_push(push: &Notification) -> Result<Vec<u8>, BinaryError> {
    let method = push.method();
    match push {
        Notification::DevicesStatus(p) => write(&(PUSH, method, p)),
        Notification::DevicesStale(p) => write(&(PUSH, method, p)),
        Notification::EventsLog(p) => write(&(PUSH, method, p)),
        Notification::EventsGap(p) => write(&(PUSH, method, p)),
        Notification::BulkProgress(p) => write(&(PUSH, method, p)),
        Notification::ArchiveReset(p) => write(&(PUSH, method, p)),
    }
}

/// A frame from the relay, read as far as its kind allows without knowing the method.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame<'a> {
    /// The result bytes answering request `id` (decoded by whoever asked, who knows the
    /// result's type: [`decode_result`]).
    Result(i64, &'a [u8]),
    /// The error answering request `id`.
    Error(i64, RpcError),
    /// A push.
    Push(Notification),
}

/// Reads one frame.
pub fn read_frame(frame: &[u8]) -> Result<ServerFrame<'_>, BinaryError> {
    let (kind, rest) = postcard::take_from_bytes::<u8>(frame)?;
    match kind {
        RESULT => {
            let (id, bytes) = postcard::take_from_bytes::<i64>(rest)?;
            Ok(ServerFrame::Result(id, bytes))
        }
        ERROR => {
            let (id, code, message, data) =
                decode_result::<(i64, i32, String, Option<Data>)>(rest)?;
            Ok(ServerFrame::Error(
                id,
                RpcError {
                    code,
                    message,
                    data: data.map(Value::from),
                },
            ))
        }
        PUSH => {
            let (method, params) = postcard::take_from_bytes::<&str>(rest)?;
            Notification::read(method, Postcard(params))
                .map(ServerFrame::Push)
                .map_err(BinaryError)
        }
        other => Err(BinaryError(format!("unknown frame kind {other}"))),
    }
}

/// A push's params in postcard.
struct Postcard<'a>(&'a [u8]);

impl PushParams for Postcard<'_> {
    fn read<T: DeserializeOwned>(self, method: &str) -> Result<T, String> {
        decode_result(self.0).map_err(|e| format!("bad {method} params: {e}"))
    }
}

/// Decodes result bytes from [`read_frame`]; every byte must be used.
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
    use std::fmt::Debug;

    use super::*;
    use crate::archive::{Archived, ArchivedJobCodeLog, ArchivedTnaLog, QueryCursor, QueryPage};
    use crate::auth::Role;
    use crate::protocol::{
        AfterCursor, ArchiveReset, BulkProgress, ConfigResult, DeviceStatusChange, DevicesResult,
        DevicesStale, EmptyResult, ErrorCode, EventGap, EventLogPush, GatewayState, Method,
        Request, RequestId, SubscribeResult, TimeZoneResult, WhoamiResult, method,
    };
    use crate::users::{DirectoryUser, UsersResult};
    use crate::{ConnectionStatus, Device, JobCodeLog, LogPage, TnaConfig, TnaKey, TnaLog};

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

    /// The result bytes of a result frame answering `id`.
    fn body_of(frame: &[u8], id: i64) -> &[u8] {
        match read_frame(frame) {
            Ok(ServerFrame::Result(got, body)) if got == id => body,
            other => panic!("not the result of {id}: {other:?}"),
        }
    }

    /// `value` as method `M`'s result: through a binary frame, and through JSON as always.
    fn round_trip<M: Method>(value: M::Result)
    where
        M::Result: Debug + PartialEq,
    {
        let frame = encode_reply(3, &value).unwrap_or_default();
        let back: Option<M::Result> = decode_result(body_of(&frame, 3)).ok();
        assert_eq!(back.as_ref(), Some(&value), "{} in binary", M::NAME);
        let json = serde_json::to_string(&value).unwrap_or_default();
        let back: Option<M::Result> = serde_json::from_str(&json).ok();
        assert_eq!(back.as_ref(), Some(&value), "{} in JSON: {json}", M::NAME);
    }

    fn bare_device() -> Device {
        Device {
            tna_supported: true,
            ..Device::listed(
                1,
                "BIOSTATION_A2",
                "10.0.0.1:51211",
                ConnectionStatus::Connected,
            )
        }
    }

    #[test]
    fn a_reply_round_trips_and_is_smaller_than_json() {
        let page = tna_page();
        let frame = encode_reply(42, &page).unwrap_or_default();
        let back: Option<<method::TnaGetLog as Method>::Result> =
            decode_result(body_of(&frame, 42)).ok();
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
    fn every_method_a_kiosk_may_call_answers_in_binary() {
        // The kiosk's WASM reads binary frames only; a method it may call that answered in
        // JSON would be one it cannot read.
        for m in Request::METHODS {
            if Request::role_of(m) == Some(Role::Kiosk) {
                assert!(Request::has_binary_result(m), "{m}");
            }
        }
        let binary: Vec<&str> = Request::METHODS
            .iter()
            .copied()
            .filter(|m| Request::has_binary_result(m))
            .collect();
        // A new `binary` method must be added here and round-tripped below (with every optional
        // field absent and present), which proves its type survives postcard.
        assert_eq!(
            binary,
            [
                "devices.list",
                "tna.getConfig",
                "tna.getLog",
                "tna.getJobCodeLog",
                "system.getTimeZone",
                "events.subscribe",
                "events.unsubscribe",
                "session.whoami",
                "archive.logs",
                "archive.jobCodeLogs",
                "users.get",
            ]
        );
    }

    #[test]
    fn every_binary_result_survives_postcard() {
        let full = Device {
            site: Some("Seoul".into()),
            zone: Some("Asia/Seoul".into()),
            status_detail: Some("TLS_CONNECTED".into()),
            has_keypad: Some(false),
            name: Some("Reception".into()),
            location: Some("Lobby".into()),
            tags: vec!["front".into(), "door".into()],
            ..bare_device()
        };
        round_trip::<method::DevicesList>(DevicesResult {
            devices: vec![bare_device(), full],
            gateways: vec![
                GatewayState {
                    name: "seoul".into(),
                    zone: Some("Asia/Seoul".into()),
                    reachable: false,
                    message: Some("refused".into()),
                    devices: 3,
                },
                GatewayState {
                    name: "busan".into(),
                    zone: None,
                    reachable: true,
                    message: None,
                    devices: 0,
                },
            ],
        });
        round_trip::<method::DevicesList>(DevicesResult {
            devices: Vec::new(),
            gateways: Vec::new(),
        });
        let mut config = TnaConfig {
            key: TnaKey::new(16).ok(),
            is_required: true,
            ..TnaConfig::default()
        };
        config.labels[0] = "In".into();
        config.labels[15] = "출근".into();
        config.schedules[3] = 9;
        round_trip::<method::TnaGetConfig>(ConfigResult { config });
        round_trip::<method::TnaGetConfig>(ConfigResult {
            config: TnaConfig::default(),
        });
        round_trip::<method::SystemGetTimeZone>(TimeZoneResult {
            device_id: 4,
            time_zone: -12_600,
        });
        round_trip::<method::EventsSubscribe>(SubscribeResult {
            subscription_id: u64::MAX,
            next_event_ids: AfterCursor::from([(541_234_567, 10_001), (2, 0)]),
        });
        round_trip::<method::EventsUnsubscribe>(EmptyResult {});
        round_trip::<method::SessionWhoami>(WhoamiResult {
            username: Some("reception-1".into()),
            role: Role::Kiosk,
            expires_at: Some(1_800_000_000),
        });
        round_trip::<method::SessionWhoami>(WhoamiResult {
            username: None,
            role: Role::Admin,
            expires_at: None,
        });
        round_trip::<method::UsersGet>(UsersResult {
            users: vec![
                DirectoryUser {
                    user_id: "1001".into(),
                    name: Some("김민준".into()),
                    device_ids: vec![1, 2],
                    first_seen: Some(-5),
                    last_seen: Some(9),
                    name_conflict: vec!["Kim".into(), "김민준".into()],
                },
                DirectoryUser {
                    user_id: "7".into(),
                    name: None,
                    device_ids: Vec::new(),
                    first_seen: None,
                    last_seen: None,
                    name_conflict: Vec::new(),
                },
            ],
        });
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
        round_trip::<method::TnaGetLog>(tna_page());
        round_trip::<method::TnaGetJobCodeLog>(jobs.clone());
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
        round_trip::<method::ArchiveLogs>(rows.clone());
        let json = serde_json::to_value(&rows).unwrap_or_default();
        assert_eq!(json["rows"][0]["epoch"], 2, "{json}");
        assert_eq!(
            json["rows"][0]["userId"], "김민준",
            "flattened in JSON: {json}"
        );
        round_trip::<method::ArchiveJobCodeLogs>(QueryPage {
            rows: vec![Archived {
                epoch: 1,
                log: jobs.logs[0].clone(),
            }],
            next: None,
        });
        let _: Option<QueryPage<ArchivedTnaLog>> = None;
        let _: Option<QueryPage<ArchivedJobCodeLog>> = None;
    }

    #[test]
    fn json_still_leaves_out_what_is_empty_after_a_binary_write() {
        // The flag is this thread's and only while a frame is written.
        let _ = encode_reply(1, &bare_device());
        let json = serde_json::to_value(bare_device()).unwrap_or_default();
        for absent in ["site", "zone", "statusDetail", "hasKeypad", "name", "tags"] {
            assert!(json.get(absent).is_none(), "{absent} in {json}");
        }
    }

    #[test]
    fn every_push_survives_a_binary_frame() {
        let log = tna_page().logs[0].clone();
        let pushes = [
            Notification::DevicesStatus(DeviceStatusChange {
                device_id: 5,
                status: ConnectionStatus::Disconnected,
                at: 9,
                detail: None,
            }),
            Notification::DevicesStatus(DeviceStatusChange {
                device_id: 5,
                status: ConnectionStatus::Error,
                at: 9,
                detail: Some("gateway down".into()),
            }),
            Notification::DevicesStale(DevicesStale { lost: 3 }),
            Notification::EventsLog(EventLogPush {
                subscription_id: 2,
                log,
            }),
            Notification::EventsGap(EventGap {
                subscription_id: 2,
                device_id: 5,
                from_event_id: 11,
            }),
            Notification::BulkProgress(BulkProgress {
                request_id: RequestId::Number(-4),
                done: 1,
                total: 2,
            }),
            Notification::BulkProgress(BulkProgress {
                request_id: RequestId::String("apply-1".into()),
                done: 1,
                total: 2,
            }),
            Notification::ArchiveReset(ArchiveReset {
                device_id: 5,
                stream: crate::archive::Stream::JobCode,
                epoch: 3,
            }),
        ];
        for push in pushes {
            let frame = encode_push(&push).unwrap_or_default();
            assert_eq!(read_frame(&frame), Ok(ServerFrame::Push(push.clone())));
            // The name is the JSON push's `method`, and JSON is as before.
            let json: Value = serde_json::from_str(&push.to_text()).unwrap_or_default();
            assert_eq!(json["method"], push.method());
            let params = json["params"].to_string();
            assert_eq!(Notification::from_parts(push.method(), &params), Ok(push));
        }
    }

    #[test]
    fn errors_keep_code_message_and_data() {
        let errors = [
            RpcError::new(ErrorCode::Timeout, "x"),
            RpcError::new(ErrorCode::Timeout, "late")
                .with_data(serde_json::json!({"afterMs": 15000})),
            RpcError::new(ErrorCode::ValidationFailed, "bad").with_data(serde_json::json!({
                "errors": [{"field": "labels[0]", "message": "too long", "rule": null}],
                "nested": {"a": [1, -2, 2.5, true, "", null]},
                "big": u64::MAX,
                "small": i64::MIN,
            })),
            RpcError {
                code: -1,
                message: "a code this build does not know".into(),
                data: Some(Value::Null),
            },
        ];
        for error in errors {
            let frame = encode_error(-9, &error).unwrap_or_default();
            assert_eq!(read_frame(&frame), Ok(ServerFrame::Error(-9, error)));
        }
    }

    /// The wire format pinned byte by byte, as the postcard spec and the field order give it
    /// (worked out by hand, not copied from output): a change that moves these bytes is a new
    /// subprotocol (`tna.bin.v3`), not a silent change of v2.
    #[test]
    fn the_v2_bytes() {
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
        let expected: [u8; 15] = [
            0x00, // a result
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
        let mut expected_rows = vec![0x00, 0x0A, 0x01, 0x07]; // result, ID 5, one row, epoch 7
        expected_rows.extend_from_slice(&expected[3..13]); // the record as above
        expected_rows.push(0x00); // next: None
        assert_eq!(
            encode_reply(5, &archived).unwrap_or_default(),
            expected_rows
        );
        // An error: kind, ID 5, code -32005 (zigzag 64009 = 0x89 0xF4 0x03), message, data.
        let error = RpcError::new(ErrorCode::Timeout, "t").with_data(serde_json::json!({"a": -1}));
        assert_eq!(
            encode_error(5, &error).unwrap_or_default(),
            [
                0x01, 0x0A, 0x89, 0xF4, 0x03, 0x01, b't', //
                0x01, // data: Some
                0x07, 0x01, 0x01, b'a', // Object, one member, "a"
                0x03, 0x01, // Signed(-1): zigzag 1
            ]
        );
        // A push: kind, the name, then the params (a device without detail: tag 0 written).
        let push = Notification::DevicesStatus(DeviceStatusChange {
            device_id: 2,
            status: ConnectionStatus::Disconnected,
            at: 3,
            detail: None,
        });
        let mut expected_push = vec![0x02, 14];
        expected_push.extend_from_slice(b"devices.status");
        expected_push.extend_from_slice(&[0x02, 0x02, 0x03, 0x00]); // device, status #2, at, None
        assert_eq!(encode_push(&push).unwrap_or_default(), expected_push);
    }

    #[test]
    fn broken_frames_are_errors_not_panics() {
        let frame = encode_reply(3, &tna_page()).unwrap_or_default();
        let body = body_of(&frame, 3);
        for cut in [0, 1, body.len() / 2, body.len() - 1] {
            assert!(
                decode_result::<LogPage<TnaLog>>(&body[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = body.to_vec();
        longer.push(0);
        assert!(decode_result::<LogPage<TnaLog>>(&longer).is_err());
        assert!(read_frame(&[]).is_err());
        assert!(
            read_frame(&[
                0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
            ])
            .is_err(),
            "an over-long varint"
        );
        assert!(read_frame(&[0x03]).is_err(), "an unknown kind");
        let push =
            encode_push(&Notification::DevicesStale(DevicesStale { lost: 1 })).unwrap_or_default();
        assert!(read_frame(&push[..push.len() - 1]).is_err());
        let mut unknown = vec![0x02, 4];
        unknown.extend_from_slice(b"nope");
        assert!(read_frame(&unknown).is_err(), "an unknown push");
        let error = encode_error(1, &RpcError::new(ErrorCode::Internal, "x")).unwrap_or_default();
        assert!(read_frame(&error[..error.len() - 1]).is_err());
    }
}
