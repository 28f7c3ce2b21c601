//! The pure half of the client: request IDs, the pending map and frame routing (JSON text
//! frames, and the binary frames of the binary subprotocol, `tna_types::binary`). No browser
//! APIs, so it is unit-tested natively.

use std::collections::HashMap;

use futures::channel::oneshot;
use tna_types::binary::{self, ServerFrame};
use tna_types::protocol::{
    Method, Notification, Outcome, RequestId, Response, RpcError, ServerMessage,
};

use super::ApiError;

/// What a pending call receives: the relay's reply, or why none will come.
pub type Answer = Result<Reply, ApiError>;

/// A reply as it arrived: a JSON response, or a binary frame's result bytes or error.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A JSON-RPC response (a result or an error).
    Json(Response),
    /// A binary result (`tna_types::binary`): the bytes after the request ID.
    Binary(Vec<u8>),
    /// A binary error frame.
    Refused(RpcError),
}

impl Reply {
    /// The relay's error, when it refused.
    pub fn error(&self) -> Option<&RpcError> {
        match self {
            Reply::Json(Response {
                outcome: Outcome::Error(e),
                ..
            })
            | Reply::Refused(e) => Some(e),
            _ => None,
        }
    }

    /// The result of method `M`, or its error. A method the protocol table marks `binary`
    /// answers in binary, every other in JSON; each decoder is built only for the results
    /// that come its way (the `if`s are on constants), so the kiosk, whose every method is a
    /// binary one, carries no JSON result reader.
    pub fn into_result<M: Method>(self) -> Result<M::Result, ApiError> {
        match self {
            Reply::Refused(e) => Err(ApiError::Rpc(e)),
            Reply::Binary(bytes) if M::BINARY => {
                binary::decode_result(&bytes).map_err(|e| ApiError::Protocol(e.to_string()))
            }
            Reply::Json(response) if !M::BINARY => {
                response.into_result::<M::Result>().map_err(ApiError::Rpc)
            }
            Reply::Json(Response {
                outcome: Outcome::Error(e),
                ..
            }) => Err(ApiError::Rpc(e)),
            Reply::Json(_) => Err(ApiError::Protocol(format!(
                "a JSON answer to {}, which answers in binary",
                M::NAME
            ))),
            Reply::Binary(_) => Err(ApiError::Protocol(format!(
                "a binary answer to {}, which answers in JSON",
                M::NAME
            ))),
        }
    }
}

/// Calls sent and not answered yet: request ID → the caller's channel.
#[derive(Debug, Default)]
pub struct Pending {
    next_id: i64,
    waiting: HashMap<i64, oneshot::Sender<Answer>>,
}

impl Pending {
    /// An empty map; the first ID is 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves the next request ID and the channel its answer arrives on.
    pub fn register(&mut self) -> (i64, oneshot::Receiver<Answer>) {
        self.next_id = self.next_id.checked_add(1).unwrap_or(1);
        let id = self.next_id;
        let (tx, rx) = oneshot::channel();
        self.waiting.insert(id, tx);
        (id, rx)
    }

    /// Hands an answer to the caller waiting for `id`; `false` when nobody waits (a late answer
    /// after a timeout, or an ID this client never sent).
    pub fn resolve(&mut self, id: i64, answer: Answer) -> bool {
        match self.waiting.remove(&id) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// Forgets `id` without answering (the caller gave up: timeout or dropped future).
    pub fn forget(&mut self, id: i64) {
        self.waiting.remove(&id);
    }

    /// Fails every waiting call with `error` (the socket dropped); returns how many there were.
    pub fn fail_all(&mut self, error: &ApiError) -> usize {
        let n = self.waiting.len();
        for (_, tx) in self.waiting.drain() {
            let _ = tx.send(Err(error.clone()));
        }
        n
    }

    /// Calls waiting for an answer.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether no call waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }
}

/// Where one relay frame goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Routed {
    /// The answer to the request with this ID.
    Response(i64, Reply),
    /// A push for the notification subscribers.
    Notification(Notification),
    /// A frame no caller can receive (bad JSON, unknown push, an ID this client never uses);
    /// the text says why, for the browser console.
    Unroutable(String),
}

/// Decodes one relay text frame and says where it goes (the console's client reads these: the
/// results without a binary form; the kiosk's reads none, and carries no JSON reader).
pub fn route_frame(text: &str) -> Routed {
    match ServerMessage::decode(text) {
        Ok(ServerMessage::Response(resp)) => match resp.id {
            Some(RequestId::Number(id)) => Routed::Response(id, Reply::Json(resp)),
            Some(RequestId::String(id)) => {
                Routed::Unroutable(format!("response with string id \"{id}\""))
            }
            None => Routed::Unroutable(match resp.outcome {
                Outcome::Error(e) => format!("error without id: {} (code {})", e.message, e.code),
                Outcome::Result(_) => "result without id".to_string(),
            }),
        },
        Ok(ServerMessage::Notification(n)) => Routed::Notification(n),
        Err(e) => Routed::Unroutable(e),
    }
}

/// Reads one binary frame from the relay and says where it goes.
pub fn route_binary(frame: &[u8]) -> Routed {
    match binary::read_frame(frame) {
        Ok(ServerFrame::Result(id, body)) => Routed::Response(id, Reply::Binary(body.to_vec())),
        Ok(ServerFrame::Error(id, e)) => Routed::Response(id, Reply::Refused(e)),
        Ok(ServerFrame::Push(n)) => Routed::Notification(n),
        Err(e) => Routed::Unroutable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use tna_types::protocol::{ErrorCode, method};

    #[test]
    fn ids_count_up_and_answers_reach_their_caller() {
        let mut p = Pending::new();
        let (a, rx_a) = p.register();
        let (b, rx_b) = p.register();
        assert_eq!((a, b), (1, 2));
        assert_eq!(p.len(), 2);
        let resp = Response::result(RequestId::Number(b), &serde_json::json!({"devices": []}))
            .expect("encodes");
        assert!(p.resolve(b, Ok(Reply::Json(resp.clone()))));
        assert!(
            !p.resolve(b, Ok(Reply::Json(resp.clone()))),
            "answered once"
        );
        assert_eq!(block_on(rx_b).unwrap().unwrap(), Reply::Json(resp));
        assert_eq!(p.fail_all(&ApiError::ConnectionLost), 1);
        assert_eq!(block_on(rx_a).unwrap(), Err(ApiError::ConnectionLost));
        assert!(p.is_empty());
    }

    #[test]
    fn forgotten_ids_drop_late_answers() {
        let mut p = Pending::new();
        let (id, _rx) = p.register();
        p.forget(id);
        let resp =
            Response::result(RequestId::Number(id), &serde_json::Value::Null).expect("encodes");
        assert!(!p.resolve(id, Ok(Reply::Json(resp))));
    }

    #[test]
    fn frames_route_by_id_or_to_subscribers() {
        let ok = r#"{"jsonrpc":"2.0","id":7,"result":{"devices":[]}}"#;
        match route_frame(ok) {
            Routed::Response(7, Reply::Json(r)) => {
                assert!(matches!(r.outcome, Outcome::Result(_)))
            }
            other => panic!("{other:?}"),
        }
        let err = r#"{"jsonrpc":"2.0","id":8,"error":{"code":-32003,"message":"Device 5 did not answer."}}"#;
        match route_frame(err) {
            Routed::Response(8, r) => match r.into_result::<method::DevicesList>() {
                Err(ApiError::Rpc(e)) => assert_eq!(e.kind(), Some(ErrorCode::DeviceUnreachable)),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
        let push = r#"{"jsonrpc":"2.0","method":"devices.status","params":{"deviceId":5,"status":"disconnected","at":9}}"#;
        assert!(matches!(route_frame(push), Routed::Notification(_)));
        let null_id = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#;
        assert!(matches!(route_frame(null_id), Routed::Unroutable(_)));
        assert!(matches!(route_frame("{nope"), Routed::Unroutable(_)));
    }

    #[test]
    fn binary_frames_reach_their_caller_who_decodes_them() {
        use tna_types::protocol::{DevicesStale, RpcError};
        use tna_types::{LogPage, TnaLog};
        let page = LogPage::<TnaLog> {
            logs: vec![],
            next_start_event_id: 4,
            done: true,
        };
        let frame = binary::encode_reply(9, &page).unwrap();
        match route_binary(&frame) {
            Routed::Response(9, reply) => {
                assert_eq!(
                    reply.clone().into_result::<method::TnaGetLog>().unwrap(),
                    page
                );
                // Bytes of another shape are a protocol error, not a panic; so is a binary
                // answer to a method that answers in JSON.
                assert!(matches!(
                    reply.clone().into_result::<method::ArchiveLogs>(),
                    Err(ApiError::Protocol(_))
                ));
                assert!(matches!(
                    reply.into_result::<method::SchedulesList>(),
                    Err(ApiError::Protocol(_))
                ));
            }
            other => panic!("{other:?}"),
        }
        // A JSON result for a binary method is refused the same way (the kiosk reads none).
        let json = route_frame(r#"{"jsonrpc":"2.0","id":3,"result":{"devices":[]}}"#);
        match json {
            Routed::Response(3, reply) => assert!(matches!(
                reply.into_result::<method::DevicesList>(),
                Err(ApiError::Protocol(_))
            )),
            other => panic!("{other:?}"),
        }
        // Errors and pushes in binary.
        let refusal = RpcError::new(ErrorCode::Timeout, "late")
            .with_data(serde_json::json!({"afterMs": 15000}));
        let frame = binary::encode_error(4, &refusal).unwrap();
        match route_binary(&frame) {
            Routed::Response(4, reply) => {
                assert_eq!(reply.error(), Some(&refusal));
                assert_eq!(
                    reply.into_result::<method::DevicesList>(),
                    Err(ApiError::Rpc(refusal))
                );
            }
            other => panic!("{other:?}"),
        }
        let push = Notification::DevicesStale(DevicesStale { lost: 2 });
        let frame = binary::encode_push(&push).unwrap();
        assert_eq!(route_binary(&frame), Routed::Notification(push));
        assert!(matches!(route_binary(&[]), Routed::Unroutable(_)));
    }
}
