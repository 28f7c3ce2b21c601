//! Abuse that fails (issue #14): a client that sends requests and never reads its socket is
//! closed within the write timeout while its outbox stays under `MAX_OUTBOX_BYTES`, and is still
//! closed within seconds of its sign-out; the socket caps refuse the next socket per session,
//! per client address and in total; a client that never finishes its headers is cut off. All
//! measured on a real relay in front of gateway-sim, through `/metrics`.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures::SinkExt;
use gateway_sim::SimConfig;
use serde_json::json;
use tna_relay::auth::Auth;
use tna_relay::outbox::{CLOSE_GRACE, MAX_OUTBOX_BYTES, WRITE_TIMEOUT};
use tna_relay::server::HEADER_READ_TIMEOUT;
use tna_relay::signin::SESSION_RECHECK;
use tna_relay::socket_caps::Caps;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const STEP: Duration = Duration::from_secs(10);
const PASSWORD: &str = "a-password-for-the-abuse-tests";

fn sim() -> SimConfig {
    SimConfig {
        // devices.list of 1,000 devices is a reply of a few hundred KiB.
        devices: 1_000,
        logs_per_device: 1,
        seed: 14,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    }
}

async fn relay(auth: Option<Auth>, caps: Caps) -> (gateway_sim::RunningGateway, RunningRelay) {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(gateway_sim::Gateway::new(sim()), loopback, None)
        .await
        .expect("the gateway emulator starts");
    let relay = tna_relay::start(RelayConfig {
        auth,
        socket_caps: caps,
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

/// A WebSocket from `from` (a loopback address) with a small receive buffer, so a client that
/// does not read fills it quickly; `Err(status, body)` when the upgrade is refused.
async fn socket(
    relay: &RunningRelay,
    from: &str,
    token: Option<&str>,
) -> Result<support::Ws, (u16, String)> {
    let source: IpAddr = from.parse().expect("source address");
    let tcp = TcpSocket::new_v4().expect("socket");
    tcp.set_recv_buffer_size(4096).expect("receive buffer");
    tcp.bind(SocketAddr::new(source, 0)).expect("bind");
    let stream: TcpStream = tcp.connect(relay.addr()).await.expect("connect");
    let mut req = format!("ws://{}/ws", relay.addr())
        .into_client_request()
        .expect("request");
    if let Some(t) = token {
        let v = HeaderValue::from_str(&format!("tna_session={t}")).expect("header");
        req.headers_mut().insert("cookie", v);
    }
    let stream = tokio_tungstenite::MaybeTlsStream::Plain(stream);
    match tokio::time::timeout(STEP, tokio_tungstenite::client_async(req, stream))
        .await
        .expect("upgrade in time")
    {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err((
            resp.status().as_u16(),
            String::from_utf8_lossy(resp.body().as_deref().unwrap_or_default()).into_owned(),
        )),
        Err(e) => panic!("unexpected websocket error: {e}"),
    }
}

/// The value of the metric line starting with `name` (0 when absent).
async fn metric(relay: &RunningRelay, name: &str) -> f64 {
    let (status, text) = support::get_text(relay.addr(), "/metrics", &[], STEP).await;
    assert_eq!(status, 200, "{text}");
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Sends `devices.list` requests for `for_how_long` (never reading), sampling the relay's
/// outbox gauge; returns its largest value.
async fn flood(relay: &RunningRelay, ws: &mut support::Ws, for_how_long: Duration) -> f64 {
    let start = Instant::now();
    let mut id = 0;
    let mut peak: f64 = 0.0;
    while start.elapsed() < for_how_long {
        for _ in 0..8 {
            id += 1;
            let frame = json!({"jsonrpc": "2.0", "id": id, "method": "devices.list"});
            // Once the relay has closed the socket, sends fail: that is the point.
            if tokio::time::timeout(
                Duration::from_millis(500),
                ws.send(Message::Text(frame.to_string().into())),
            )
            .await
            .map_or(true, |r| r.is_err())
            {
                return peak.max(metric(relay, "tna_relay_socket_outbox_bytes").await);
            }
        }
        peak = peak.max(metric(relay, "tna_relay_socket_outbox_bytes").await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    peak
}

/// Waits until no socket is open (at most `within`): how long that took, and the largest outbox
/// gauge seen meanwhile.
async fn wait_sockets_closed(relay: &RunningRelay, within: Duration) -> (Option<Duration>, f64) {
    let start = Instant::now();
    let mut peak: f64 = 0.0;
    while start.elapsed() < within {
        peak = peak.max(metric(relay, "tna_relay_socket_outbox_bytes").await);
        if metric(relay, "tna_relay_sockets_open").await == 0.0 {
            return (Some(start.elapsed()), peak);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (None, peak)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_never_reads_is_closed_and_its_outbox_stays_bounded() {
    let (_gateway, relay) = relay(None, Caps::default()).await;
    let mut ws = socket(&relay, "127.0.0.1", None).await.expect("socket");
    // A normal client on another socket is served meanwhile.
    let mut other = socket(&relay, "127.0.0.1", None).await.expect("socket");
    let started = Instant::now();
    let peak = flood(&relay, &mut ws, Duration::from_secs(3)).await;
    let asked = Instant::now();
    let answer = support::call(&mut other, 1, "devices.list", json!({}), STEP * 3).await;
    assert!(answer["result"].is_object(), "{answer}");
    eprintln!("the other client's devices.list: {:?}", asked.elapsed());
    drop(other);
    assert!(
        peak <= MAX_OUTBOX_BYTES as f64,
        "outbox peaked at {peak} bytes, over {MAX_OUTBOX_BYTES}"
    );
    let flooded = started.elapsed();
    let (closed, later_peak) =
        wait_sockets_closed(&relay, WRITE_TIMEOUT + Duration::from_secs(10)).await;
    let peak = peak.max(later_peak);
    assert!(
        peak <= MAX_OUTBOX_BYTES as f64,
        "outbox peaked at {peak} bytes, over {MAX_OUTBOX_BYTES}"
    );
    assert!(
        peak > 0.0,
        "the relay never had to hold a frame: the test did not test"
    );
    assert!(
        closed.is_some(),
        "the non-reading socket was still open {:?} after it started",
        started.elapsed()
    );
    let reasons = metric(
        &relay,
        "tna_relay_sockets_closed_total{reason=\"write_timeout\"}",
    )
    .await
        + metric(
            &relay,
            "tna_relay_sockets_closed_total{reason=\"outbox_full\"}",
        )
        .await;
    assert!(reasons >= 1.0, "closed by the relay for not reading");
    // The closed socket's outbox is released as its tasks end, just after the open-socket count
    // drops: give it a moment (on a loaded machine the two are apart).
    let drained = Instant::now();
    let mut left = metric(&relay, "tna_relay_socket_outbox_bytes").await;
    while left != 0.0 && drained.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = metric(&relay, "tna_relay_socket_outbox_bytes").await;
    }
    assert_eq!(
        left, 0.0,
        "outbox bytes still counted after the socket closed"
    );
    eprintln!("outbox peak {peak} B; the flood took {flooded:?}, closed {closed:?} after it");
    drop(ws);
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_reading_socket_is_closed_soon_after_its_sign_out() {
    let auth = Auth::in_memory_fast_for_tests();
    auth.create_account("op", PASSWORD, Role::Operator)
        .expect("account");
    let (_gateway, relay) = relay(Some(auth), Caps::default()).await;
    let signed = support::http(
        relay.addr(),
        "POST",
        "/api/session",
        None,
        Some(json!({"username": "op", "password": PASSWORD})),
        STEP,
    )
    .await;
    let token = signed.token.expect("a session");
    let mut ws = socket(&relay, "127.0.0.1", Some(&token))
        .await
        .expect("socket");
    flood(&relay, &mut ws, Duration::from_secs(1)).await;
    let out = support::http(
        relay.addr(),
        "DELETE",
        "/api/session",
        Some(&token),
        None,
        STEP,
    )
    .await;
    assert!(out.status < 300, "sign-out: {}", out.status);
    let limit = SESSION_RECHECK + CLOSE_GRACE + Duration::from_secs(1);
    let (closed, _) = wait_sockets_closed(&relay, limit).await;
    assert!(closed.is_some(), "still open {limit:?} after the sign-out");
    eprintln!("closed {closed:?} after the sign-out");
    drop(ws);
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socket_caps_refuse_the_next_socket() {
    let auth = Auth::in_memory_fast_for_tests();
    auth.create_account("op", PASSWORD, Role::Operator)
        .expect("account");
    let caps = Caps {
        per_session: 2,
        per_client: 3,
        total: 5,
    };
    let (_gateway, relay) = relay(Some(auth), caps).await;
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let signed = support::http(
            relay.addr(),
            "POST",
            "/api/session",
            None,
            Some(json!({"username": "op", "password": PASSWORD})),
            STEP,
        )
        .await;
        tokens.push(signed.token.expect("a session"));
    }
    let mut open = Vec::new();
    // Per session: the third socket of one session is refused.
    open.push(
        socket(&relay, "127.0.0.1", Some(&tokens[0]))
            .await
            .expect("1st"),
    );
    open.push(
        socket(&relay, "127.0.0.1", Some(&tokens[0]))
            .await
            .expect("2nd"),
    );
    let (status, body) = socket(&relay, "127.0.0.2", Some(&tokens[0]))
        .await
        .expect_err("refused");
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("session"), "{body}");
    // Per client address: a fourth socket from 127.0.0.1 is refused, from elsewhere not.
    open.push(
        socket(&relay, "127.0.0.1", Some(&tokens[1]))
            .await
            .expect("3rd"),
    );
    let (status, body) = socket(&relay, "127.0.0.1", Some(&tokens[1]))
        .await
        .expect_err("refused");
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("127.0.0.1"), "{body}");
    open.push(
        socket(&relay, "127.0.0.3", Some(&tokens[2]))
            .await
            .expect("4th"),
    );
    open.push(
        socket(&relay, "127.0.0.4", Some(&tokens[2]))
            .await
            .expect("5th"),
    );
    // In total: the sixth is refused with 503, whoever asks.
    let (status, body) = socket(&relay, "127.0.0.5", Some(&tokens[1]))
        .await
        .expect_err("refused");
    assert_eq!(status, 503, "{body}");
    // A closed socket frees its place.
    drop(open.pop());
    let mut again = None;
    for _ in 0..50 {
        if let Ok(ws) = socket(&relay, "127.0.0.5", Some(&tokens[1])).await {
            again = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        again.is_some(),
        "a place freed by a closed socket is given again"
    );
    assert!(
        metric(
            &relay,
            "tna_relay_sockets_closed_total{reason=\"cap_total\"}"
        )
        .await
            >= 1.0
    );
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let (_gateway, relay) = relay(None, Caps::default()).await;
    let mut tcp = TcpStream::connect(relay.addr()).await.expect("connect");
    tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    let started = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(
        HEADER_READ_TIMEOUT + Duration::from_secs(5),
        tcp.read_to_end(&mut buf),
    )
    .await;
    assert!(
        read.is_ok(),
        "the connection was still open {:?} later",
        started.elapsed()
    );
    assert!(
        started.elapsed() >= HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "cut off too early: {:?}",
        started.elapsed()
    );
    // A complete request is still served.
    let (status, _) = support::get_text(relay.addr(), "/healthz", &[], STEP).await;
    assert_eq!(status, 200);
    relay.shutdown().await;
}
