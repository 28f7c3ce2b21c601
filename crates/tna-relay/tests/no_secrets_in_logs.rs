//! No password, session token or pairing code reaches the relay's log: every event of a sign-in
//! session (right and wrong passwords, account changes, kiosk pairing, sign-out, refused calls)
//! is captured at TRACE level (through the relay's own log filter) and searched for the
//! secrets used.

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use gateway_sim::SimConfig;
use serde_json::{Value, json};
use tna_relay::auth::Auth;
use tna_types::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

mod support;

const ADMIN_PASSWORD: &str = "admin-secret-Kx81q";
const NEW_PASSWORD: &str = "second-secret-Zp44w";

/// Everything the relay logs, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bounds every HTTP exchange of the test.
const STEP: std::time::Duration = std::time::Duration::from_secs(10);

async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Value,
) -> support::HttpAnswer {
    support::http(addr, method, path, cookie, Some(body), STEP).await
}

#[tokio::test]
async fn passwords_tokens_and_codes_never_reach_the_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    // Everything at trace, through the same filter the binary uses.
    tracing_subscriber::fmt()
        .with_env_filter(tna_relay::logging::log_filter("trace"))
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let auth = Auth::in_memory_fast_for_tests();
    auth.create_account("admin", ADMIN_PASSWORD, Role::Admin)
        .expect("admin");
    let sim = SimConfig {
        devices: 3,
        logs_per_device: 5,
        seed: 1,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    let (gateway, relay) = support::sim_and_relay(sim, Some(auth), None).await;
    let addr = relay.addr();

    let wrong = http(
        addr,
        "POST",
        "/api/session",
        None,
        json!({"username": "admin", "password": "wrong-secret-Qa19"}),
    )
    .await;
    assert_eq!(wrong.status, 401);
    let ok = http(
        addr,
        "POST",
        "/api/session",
        None,
        json!({"username": "admin", "password": ADMIN_PASSWORD}),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let token = ok.token.expect("a session cookie");

    let mut req = format!("ws://{addr}/ws")
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "cookie",
        HeaderValue::from_str(&format!("tna_session={token}")).expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws");
    let mut code = String::new();
    for (id, method, params) in [
        (
            1,
            "accounts.create",
            json!({"username": "anna", "password": NEW_PASSWORD, "role": "viewer"}),
        ),
        (
            2,
            "accounts.setPassword",
            json!({"username": "anna", "password": NEW_PASSWORD}),
        ),
        (
            3,
            "accounts.create",
            json!({"username": "bob", "password": "short", "role": "viewer"}),
        ),
        (
            4,
            "kiosk.pair",
            json!({"name": "lobby", "scope": {"allDevices": true}}),
        ),
    ] {
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        ws.send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
        loop {
            if let Some(Ok(Message::Text(t))) = ws.next().await {
                let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
                if v["id"] == id {
                    if let Some(c) = v["result"]["code"].as_str() {
                        code = c.to_string();
                    }
                    break;
                }
            }
        }
    }
    assert!(!code.is_empty(), "a pairing code");
    let paired = http(addr, "POST", "/api/kiosk/pair", None, json!({"code": code})).await;
    assert_eq!(paired.status, 200, "{}", paired.body);
    let kiosk_token = paired.token.expect("a kiosk session cookie");
    let out = http(addr, "DELETE", "/api/session", Some(&token), json!({})).await;
    assert_eq!(out.status, 204);
    relay.shutdown().await;
    gateway.shutdown().await;

    let log =
        String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner())).to_string();
    assert!(log.contains("signed in"), "the capture works: {log}");
    for (what, secret) in [
        ("the admin password", ADMIN_PASSWORD),
        ("a wrong password", "wrong-secret-Qa19"),
        ("a new account's password", NEW_PASSWORD),
        ("the session token", token.as_str()),
        ("the kiosk token", kiosk_token.as_str()),
        ("the pairing code", code.as_str()),
    ] {
        let line = log.lines().find(|l| l.contains(secret));
        assert!(line.is_none(), "{what} is in the log: {line:?}");
    }
}
