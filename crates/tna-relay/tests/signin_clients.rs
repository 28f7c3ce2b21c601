//! The sign-in limit cannot be turned against others (issue #14): on a real relay, wrong
//! passwords for `admin` from one client (127.0.0.2) never keep admin from signing in from
//! another (127.0.0.3), while the guessing client itself is delayed, more with each failure.
//! Behind a trusted proxy the client is the address it reports in `X-Forwarded-For`; from any
//! other peer that header is ignored. Clients are loopback addresses (Linux routes all of
//! 127.0.0.0/8 to `lo`), so requests really come from different source addresses. The relay's
//! auth runs on a hand-moved clock, so the delays do not depend on how fast the test runs.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tna_relay::auth::{Auth, AuthOptions, HashCost, ManualClock};
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const STEP: Duration = Duration::from_secs(10);
const PASSWORD: &str = "the-admins-real-password";

/// A relay with one account, `admin`, and the clock of its sign-in; no gateway is ever called.
async fn relay(trusted_proxies: &[&str]) -> (RunningRelay, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_700_000_000));
    let auth = Auth::in_memory_with(AuthOptions {
        clock: clock.clone(),
        hash_cost: HashCost::FastForTests,
    });
    auth.create_account("admin", PASSWORD, Role::Admin)
        .expect("account");
    let relay = tna_relay::start(RelayConfig {
        auth: Some(auth),
        trusted_proxies: trusted_proxies
            .iter()
            .map(|p| tna_relay::config::parse_trusted_proxy(p).expect("network"))
            .collect(),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Remote {
                url: "http://127.0.0.1:9".into(),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("relay starts");
    (relay, clock)
}

/// `POST /api/session` as `admin` with `password`, sent from `from` (a loopback address), with
/// an `X-Forwarded-For` header if given; the status and the body.
async fn sign_in(
    relay: &RunningRelay,
    from: &str,
    forwarded_for: Option<&str>,
    password: &str,
) -> (u16, Value) {
    let source: IpAddr = from.parse().expect("source address");
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::new(source, 0))
        .expect("bind the client address");
    let mut tcp = tokio::time::timeout(STEP, socket.connect(relay.addr()))
        .await
        .expect("connect in time")
        .expect("connect");
    let body = json!({"username": "admin", "password": password}).to_string();
    let xff = forwarded_for
        .map(|v| format!("X-Forwarded-For: {v}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /api/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n{xff}Connection: close\r\n\r\n{body}",
        relay.addr(),
        body.len()
    );
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(STEP, tcp.read_to_end(&mut answer))
        .await
        .expect("answer in time")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn an_attacker_cannot_keep_admin_from_signing_in_elsewhere() {
    let (relay, clock) = relay(&[]).await;
    // The attacker sends five wrong passwords, as fast as it can …
    let mut statuses = Vec::new();
    for i in 0..5 {
        let (status, body) = sign_in(&relay, "127.0.0.2", None, &format!("guess-{i}")).await;
        assert!(matches!(status, 401 | 429), "{status}: {body}");
        statuses.push(status);
    }
    // … and is slowed down itself (growing delays, not served more guesses) …
    assert_eq!(statuses[..3], [401, 401, 401], "three free failures");
    assert_eq!(statuses[3..], [429, 429], "then a delay: {statuses:?}");
    let (status, body) = sign_in(&relay, "127.0.0.2", None, PASSWORD).await;
    assert_eq!(status, 429, "even the right password waits there: {body}");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.contains("try again in 1 s"), "{body}");
    // … but admin at another client signs in at once.
    let (status, body) = sign_in(&relay, "127.0.0.3", None, PASSWORD).await;
    assert_eq!(status, 200, "admin from another client: {body}");
    assert_eq!(body["username"], "admin");
    // Once its delay has passed the attacker's client may try again (no 15-minute lockout).
    clock.advance(Duration::from_secs(2));
    let (status, body) = sign_in(&relay, "127.0.0.2", None, PASSWORD).await;
    assert_eq!(status, 200, "after the delay: {body}");
    relay.shutdown().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_counts_on_its_own() {
    // 127.0.0.4 is the reverse proxy; everyone's requests arrive from it.
    let (relay, _clock) = relay(&["127.0.0.4/32"]).await;
    for i in 0..5 {
        let (status, body) = sign_in(
            &relay,
            "127.0.0.4",
            Some("198.51.100.7"),
            &format!("guess-{i}"),
        )
        .await;
        assert!(matches!(status, 401 | 429), "{status}: {body}");
    }
    let (status, body) = sign_in(&relay, "127.0.0.4", Some("198.51.100.7"), PASSWORD).await;
    assert_eq!(
        status, 429,
        "the guessing client behind the proxy waits: {body}"
    );
    // Another client behind the same proxy is not affected. The left-most entry is forged by
    // the client; the proxy appended the address it really came from.
    let (status, body) = sign_in(
        &relay,
        "127.0.0.4",
        Some("198.51.100.7, 203.0.113.9"),
        PASSWORD,
    )
    .await;
    assert_eq!(status, 200, "another client behind the proxy: {body}");

    // A peer that is not a trusted proxy cannot pick its client by writing X-Forwarded-For:
    // its guesses all count against its own address.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let forged = format!("192.0.2.{i}");
        let (status, _) = sign_in(&relay, "127.0.0.5", Some(&forged), "wrong").await;
        statuses.push(status);
    }
    assert_eq!(statuses, [401, 401, 401, 429], "X-Forwarded-For ignored");
    relay.shutdown().await;
}
