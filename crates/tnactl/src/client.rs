//! The relay client: sign-in over HTTP (`POST /api/session`) and JSON-RPC 2.0 over one
//! WebSocket (`/ws`, `Authorization: Bearer`), typed by the `methods!` table of
//! `tna_types::protocol`. Blocking: requests are pipelined on the one socket (at most
//! [`MAX_IN_FLIGHT_PER_SOCKET`] at once, answers matched by `id`), which is all the concurrency a
//! command needs.

use std::collections::{HashMap, VecDeque};
use std::io::ErrorKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tna_types::Role;
use tna_types::bulk::{Batch, Run};
use tna_types::limits::MAX_IN_FLIGHT_PER_SOCKET;
use tna_types::protocol::{
    ErrorCode, Limit, Method, RequestId, RpcError, ServerMessage, encode_request,
};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use crate::tls::Roots;

/// How long one answer may take (the relay's own deadlines are shorter: 12 s per gateway call,
/// 25 s per log page).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Requests [`Client::call_many`] keeps in flight at most: below the relay's per-socket limit,
/// which counts a request until a moment after its answer is sent.
pub const MAX_WINDOW: usize = MAX_IN_FLIGHT_PER_SOCKET - 8;
/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A failure to talk to the relay at all (as opposed to an error answer, [`RpcError`]).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL cannot be used.
    #[error("bad relay URL {url:?}: {why}")]
    Url {
        /// The URL.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// Connecting failed.
    #[error("cannot connect to {url}: {why}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        why: String,
    },
    /// The relay refused the session (HTTP 401 at the upgrade).
    #[error("the relay refused the session (HTTP {0}): sign in again with `tnactl login`")]
    Refused(u16),
    /// Sign-in failed.
    #[error("sign-in failed: {0}")]
    SignIn(String),
    /// The socket failed or closed.
    #[error("connection to the relay lost: {0}")]
    Socket(String),
    /// No answer in time.
    #[error("no answer from the relay within {0:?}")]
    Timeout(Duration),
}

/// A call's failure: the relay answered with an error, or the connection failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The relay's error answer.
    #[error("{}", .0.message)]
    Rpc(RpcError),
    /// No answer.
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// The relay's answer to `POST /api/session`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    /// The account.
    pub username: String,
    /// Its role.
    pub role: Role,
    /// When the session ends (Unix seconds).
    pub expires_at: u64,
    /// The bearer token.
    pub token: String,
}

/// The relay's base URL without a trailing slash, checked to be `http://` or `https://`.
pub fn base_url(url: &str) -> Result<String, ClientError> {
    let trimmed = url.trim().trim_end_matches('/');
    if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
        return Err(ClientError::Url {
            url: url.to_string(),
            why: "it must start with http:// or https://".into(),
        });
    }
    Ok(trimmed.to_string())
}

/// `ws://…/ws` or `wss://…/ws` for a base URL.
fn ws_url(base: &str) -> String {
    if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}/ws")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}/ws")
    } else {
        format!("{base}/ws")
    }
}

/// An HTTP agent trusting `roots`; answers of every status are returned, not errors.
fn agent(roots: &Roots) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(CALL_TIMEOUT))
        .tls_config(roots.ureq_config())
        .build()
        .into()
}

/// Signs in: `POST /api/session {username, password}`.
pub fn sign_in(
    base: &str,
    roots: &Roots,
    username: &str,
    password: &str,
) -> Result<SignedIn, ClientError> {
    let agent = agent(roots);
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let mut resp = agent
        .post(&format!("{base}/api/session"))
        .header("content-type", "application/json")
        .send(body.as_str())
        .map_err(|e| ClientError::Connect {
            url: base.to_string(),
            why: e.to_string(),
        })?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| ClientError::SignIn(e.to_string()))?;
    if status != 200 {
        let why = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_string))
            .unwrap_or(text);
        return Err(ClientError::SignIn(format!("HTTP {status}: {why}")));
    }
    serde_json::from_str(&text)
        .map_err(|e| ClientError::SignIn(format!("unexpected answer from the relay: {e}")))
}

/// Ends the session: `DELETE /api/session` with the token.
pub fn sign_out(base: &str, roots: &Roots, token: &str) -> Result<(), ClientError> {
    let agent = agent(roots);
    agent
        .delete(&format!("{base}/api/session"))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .map_err(|e| ClientError::Connect {
            url: base.to_string(),
            why: e.to_string(),
        })?;
    Ok(())
}

/// One WebSocket to the relay.
pub struct Client {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: i64,
    /// Answers that arrived for other requests than the one being waited for.
    early: HashMap<i64, Result<Box<serde_json::value::RawValue>, RpcError>>,
}

impl Client {
    /// Opens `/ws` on `base` with the session `token`.
    pub fn connect(base: &str, roots: &Roots, token: &str) -> Result<Client, ClientError> {
        let url = ws_url(base);
        let connect_err = |why: String| ClientError::Connect {
            url: url.clone(),
            why,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| ClientError::Url {
                url: url.clone(),
                why: e.to_string(),
            })?;
        let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| ClientError::SignIn("the stored token is not valid header text".into()))?;
        request.headers_mut().insert("authorization", bearer);
        let uri = request.uri().clone();
        let host = uri.host().ok_or_else(|| ClientError::Url {
            url: url.clone(),
            why: "no host".into(),
        })?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("wss") {
                443
            } else {
                80
            });
        let addrs: Vec<_> = (host, port)
            .to_socket_addrs()
            .map_err(|e| connect_err(e.to_string()))?
            .collect();
        let mut last = String::from("no address");
        let mut stream = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = e.to_string(),
            }
        }
        let stream = stream.ok_or_else(|| connect_err(last))?;
        stream
            .set_read_timeout(Some(CALL_TIMEOUT))
            .map_err(|e| connect_err(e.to_string()))?;
        let _ = stream.set_nodelay(true);
        let tls = roots
            .rustls_config()
            .map_err(|e| connect_err(e.to_string()))?;
        let connector = tungstenite::Connector::Rustls(tls);
        let (ws, _) = tungstenite::client_tls_with_config(request, stream, None, Some(connector))
            .map_err(|e| match e {
            tungstenite::handshake::HandshakeError::Failure(tungstenite::Error::Http(resp)) => {
                ClientError::Refused(resp.status().as_u16())
            }
            other => connect_err(other.to_string()),
        })?;
        Ok(Client {
            ws,
            next_id: 1,
            early: HashMap::new(),
        })
    }

    fn send<M: Method>(&mut self, params: &M::Params) -> Result<i64, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let frame = encode_request::<M>(id, params);
        self.ws
            .send(Message::Text(frame.into()))
            .map_err(|e| ClientError::Socket(e.to_string()))?;
        Ok(id)
    }

    /// Reads frames until the answer of some request arrives: `(id, outcome)`.
    fn receive(
        &mut self,
    ) -> Result<(i64, Result<Box<serde_json::value::RawValue>, RpcError>), ClientError> {
        loop {
            let msg = self.ws.read().map_err(|e| match e {
                tungstenite::Error::Io(io)
                    if matches!(io.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    ClientError::Timeout(CALL_TIMEOUT)
                }
                other => ClientError::Socket(other.to_string()),
            })?;
            let text = match msg {
                Message::Text(t) => t,
                Message::Close(frame) => {
                    return Err(ClientError::Socket(match frame {
                        Some(f) => format!("the relay closed the socket: {}", f.reason),
                        None => "the relay closed the socket".into(),
                    }));
                }
                _ => continue,
            };
            // Pushes (`devices.status`, …) and frames this version cannot read are skipped.
            let Ok(ServerMessage::Response(resp)) = ServerMessage::decode(text.as_str()) else {
                continue;
            };
            let Some(RequestId::Number(id)) = resp.id else {
                continue;
            };
            let outcome = match resp.outcome {
                tna_types::protocol::Outcome::Result(raw) => Ok(raw),
                tna_types::protocol::Outcome::Error(e) => Err(e),
            };
            return Ok((id, outcome));
        }
    }

    fn wait_for(
        &mut self,
        id: i64,
    ) -> Result<Result<Box<serde_json::value::RawValue>, RpcError>, ClientError> {
        if let Some(got) = self.early.remove(&id) {
            return Ok(got);
        }
        loop {
            let (got, outcome) = self.receive()?;
            if got == id {
                return Ok(outcome);
            }
            self.early.insert(got, outcome);
        }
    }

    /// One typed call.
    pub fn call<M: Method>(&mut self, params: &M::Params) -> Result<M::Result, CallError> {
        let id = self.send::<M>(params)?;
        decode::<M>(self.wait_for(id))
    }

    /// Many calls of one method, at most `window` (capped below the relay's per-socket limit) in
    /// flight at once; the answers in `params` order. `progress` is called after each answer
    /// with its index in `params` and the number answered so far. A request the relay refused
    /// for the in-flight limit (it frees a slot a moment after its answer is sent) is sent again:
    /// it never reached a handler.
    pub fn call_many<M: Method>(
        &mut self,
        params: &[M::Params],
        window: usize,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<Vec<Result<M::Result, RpcError>>, ClientError> {
        let window = window.clamp(1, MAX_WINDOW);
        let mut out: Vec<Option<Result<M::Result, RpcError>>> =
            (0..params.len()).map(|_| None).collect();
        let mut in_flight: HashMap<i64, usize> = HashMap::new();
        let mut again: VecDeque<usize> = VecDeque::new();
        let mut next = 0;
        let mut done = 0;
        while done < params.len() {
            while in_flight.len() < window {
                let index = match again.pop_front() {
                    Some(i) => i,
                    None if next < params.len() => {
                        next += 1;
                        next - 1
                    }
                    None => break,
                };
                let id = self.send::<M>(&params[index])?;
                in_flight.insert(id, index);
            }
            let (index, answer) = self.next_answer::<M>(&mut in_flight)?;
            let Some(answer) = answer else {
                again.push_back(index);
                continue;
            };
            out[index] = Some(answer);
            done += 1;
            progress(index, done);
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The batches of a bulk write, scheduled by `run` (`tna_types::bulk::Run`: which batch
    /// next, how many in flight, cancel); `params(batch)` builds a batch's call. Each answer is
    /// handed to `answered(run, batch index, answer)` in completion order; a batch the relay
    /// refused for its in-flight limit goes back to the run and is sent again.
    pub fn bulk<M: Method>(
        &mut self,
        run: &mut Run,
        params: impl Fn(&Batch<'_>) -> M::Params,
        mut answered: impl FnMut(&mut Run, usize, Result<M::Result, RpcError>),
    ) -> Result<(), ClientError> {
        let mut in_flight: HashMap<i64, usize> = HashMap::new();
        while !run.finished() {
            while let Some(batch) = run.next_batch() {
                let id = self.send::<M>(&params(&batch))?;
                in_flight.insert(id, batch.index);
            }
            match self.next_answer::<M>(&mut in_flight)? {
                (index, Some(answer)) => answered(run, index, answer),
                (index, None) => run.refused(index),
            }
        }
        Ok(())
    }

    /// The next answer to one of the requests `in_flight` (request ID → index), removed from
    /// it: the index and the answer, or `None` when the relay refused the request for its
    /// in-flight limit (it never reached a handler: send it again). Answers to other requests
    /// are kept for [`Client::wait_for`].
    fn next_answer<M: Method>(
        &mut self,
        in_flight: &mut HashMap<i64, usize>,
    ) -> Result<(usize, Option<Answer<M>>), ClientError> {
        loop {
            let (id, outcome) = self.receive()?;
            let Some(index) = in_flight.remove(&id) else {
                self.early.insert(id, outcome);
                continue;
            };
            if let Err(e) = &outcome
                && is_in_flight_refusal(e)
            {
                return Ok((index, None));
            }
            return match decode::<M>(Ok(outcome)) {
                Ok(r) => Ok((index, Some(Ok(r)))),
                Err(CallError::Rpc(e)) => Ok((index, Some(Err(e)))),
                Err(CallError::Client(e)) => Err(e),
            };
        }
    }

    /// Closes the socket (best effort).
    pub fn close(mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }
}

/// One call's answer: its result or the relay's error.
type Answer<M> = Result<<M as Method>::Result, RpcError>;

/// `-32008` for the per-socket in-flight limit (`data.what` = `inFlight`).
fn is_in_flight_refusal(e: &RpcError) -> bool {
    e.code == ErrorCode::LimitExceeded as i32 && e.limit() == Some(Limit::InFlight)
}

fn decode<M: Method>(
    outcome: Result<Result<Box<serde_json::value::RawValue>, RpcError>, ClientError>,
) -> Result<M::Result, CallError> {
    match outcome? {
        Ok(raw) => serde_json::from_str(raw.get()).map_err(|e| {
            CallError::Client(ClientError::Socket(format!(
                "unexpected answer to {}: {e}",
                M::NAME
            )))
        }),
        Err(e) => Err(CallError::Rpc(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_in_flight_limit_is_retried() {
        let refusal = RpcError::limit_exceeded(
            tna_types::protocol::Limit::InFlight,
            MAX_IN_FLIGHT_PER_SOCKET as u64,
            33,
        );
        assert!(is_in_flight_refusal(&refusal));
        let other =
            RpcError::limit_exceeded(tna_types::protocol::Limit::DevicesPerCall, 1000, 1001);
        assert!(!is_in_flight_refusal(&other));
        assert!(!is_in_flight_refusal(&RpcError::device_not_found(1)));
    }

    #[test]
    fn urls() {
        assert_eq!(base_url("http://h:1/").unwrap(), "http://h:1");
        assert!(base_url("h:1").is_err());
        assert_eq!(ws_url("http://h:1"), "ws://h:1/ws");
        assert_eq!(ws_url("https://h"), "wss://h/ws");
    }
}
