//! Shared by the relay's integration tests: the gateway emulator and a relay in front of it,
//! both on free loopback ports.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::auth::Auth;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// A client WebSocket to the relay.
#[allow(dead_code)] // each test binary uses its own part of this module
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// Sends one JSON-RPC request and returns its answer within `limit` (pushes before it are
/// skipped); a socket that ends first fails the test at once.
#[allow(dead_code)] // each test binary uses its own part of this module
pub async fn call(ws: &mut Ws, id: i64, method: &str, params: Value, limit: Duration) -> Value {
    let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    ws.send(Message::Text(frame.to_string().into()))
        .await
        .expect("send");
    loop {
        let msg = tokio::time::timeout(limit, ws.next())
            .await
            .expect("answer in time");
        match msg {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
                if v["id"] == id {
                    return v;
                }
            }
            Some(Ok(_)) => {}
            // Without this an ended stream would be polled again and again, never timing out.
            other => panic!("the socket ended before answering {method}: {other:?}"),
        }
    }
}

/// `sim` served by the emulator over plain TCP, and a relay using it (`auth` as given).
#[allow(dead_code)] // each test binary uses its own part of this module
pub async fn sim_and_relay(
    sim: SimConfig,
    auth: Option<Auth>,
    sign_in_hint: Option<String>,
) -> (RunningGateway, RunningRelay) {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(Gateway::new(sim), loopback, None)
        .await
        .expect("the gateway emulator starts");
    let relay = tna_relay::start(RelayConfig {
        auth,
        sign_in_hint,
        ..RelayConfig::new(
            loopback,
            GatewayTarget::Remote {
                url: format!("http://{}", gateway.addr),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("the relay starts");
    (gateway, relay)
}

/// What a plain HTTP/1.1 request to the relay got back.
#[allow(dead_code)] // each test binary uses its own part of this module
pub struct HttpAnswer {
    /// The status code (0 if the answer was not HTTP).
    pub status: u16,
    /// The session token of a `Set-Cookie: tna_session=…`, if one was set (not cleared).
    pub token: Option<String>,
    /// The JSON body (`Null` when there is none).
    pub body: Value,
}

/// One HTTP/1.1 request (`Connection: close`) with an optional session cookie and JSON body,
/// answered within `limit`.
#[allow(dead_code)] // each test binary uses its own part of this module
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
    limit: Duration,
) -> HttpAnswer {
    let cookie = cookie.map(|c| format!("tna_session={c}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(c) = &cookie {
        headers.push(("Cookie", c));
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let raw = request(addr, method, path, &headers, &body, limit).await;
    let token = raw
        .head
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .filter_map(|c| c.strip_prefix("tna_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_string())
        .find(|t| !t.is_empty());
    let (status, body) = (raw.status, raw.body);
    HttpAnswer {
        status,
        token,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
    }
}

/// Redeems a kiosk pairing `code` (`POST /api/kiosk/pair`) and returns the kiosk's session
/// token; the test fails when the relay refuses it.
#[allow(dead_code)] // each test binary uses its own part of this module
pub async fn redeem_pairing(addr: SocketAddr, code: &Value, limit: Duration) -> String {
    let a = http(
        addr,
        "POST",
        "/api/kiosk/pair",
        None,
        Some(json!({"code": code})),
        limit,
    )
    .await;
    assert_eq!(a.status, 200, "pairing refused: {}", a.body);
    a.token.expect("a kiosk cookie")
}

/// What a raw HTTP/1.1 request got back: the status (0 if not HTTP), the head, the body.
#[allow(dead_code)] // each test binary uses its own part of this module
pub struct RawAnswer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One HTTP/1.1 request with these `headers` and `body` (`Host` is the relay's address,
/// `Connection: close`), answered within `limit`.
#[allow(dead_code)] // each test binary uses its own part of this module
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    limit: Duration,
) -> RawAnswer {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let length = if body.is_empty() && method == "GET" {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{extra}{length}\r\n{body}"
    );
    tcp.write_all(req.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    tokio::time::timeout(limit, tcp.read_to_end(&mut raw))
        .await
        .expect("answer in time")
        .expect("read");
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    RawAnswer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// `GET path` with extra `headers` (`Connection: close`), answered within `limit`: the status
/// code and the body as text (for answers that are not JSON, such as `/metrics`).
#[allow(dead_code)] // each test binary uses its own part of this module
pub async fn get_text(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    limit: Duration,
) -> (u16, String) {
    let raw = request(addr, "GET", path, headers, "", limit).await;
    (raw.status, raw.body)
}
