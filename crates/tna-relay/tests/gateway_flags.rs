//! A `[[gateway]]` section's settings also come as flags: the `tna-relay` binary started with
//! `--gateway … --site NAME --gateway-timeout SECS` names its site in gateway errors and gives
//! up on a gateway that does not answer after SECS, not the default 12 s.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_tna-relay");
const PASSWORD: &str = "gateway-flags-password";
/// Bound of one step (start, sign-in, one call).
const STEP: Duration = Duration::from_secs(20);

/// The relay binary with `args`, and the address it printed once it listens.
async fn start(dir: &std::path::Path, args: &[&str]) -> (Child, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("RUST_LOG")
        .env("TNA_RELAY_ACCOUNTS", dir.join("accounts.json"))
        .env(
            "TNA_RELAY_ARCHIVE",
            format!("sqlite://{}", dir.join("a.db").display()),
        )
        .env("TNA_ADMIN_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start tna-relay");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(STEP, async {
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if let Some(url) = line.strip_prefix("tna-relay: console at http://") {
                return url
                    .trim_end_matches('/')
                    .parse::<SocketAddr>()
                    .expect("address");
            }
        }
        panic!("tna-relay ended without printing its address")
    })
    .await
    .expect("the relay starts in time");
    // Keep reading so the relay never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

/// Signs in as admin and makes one call over `/ws`; the whole answer.
async fn call(addr: SocketAddr, method: &str, params: Value) -> Value {
    let signed_in = support::http(
        addr,
        "POST",
        "/api/session",
        None,
        Some(json!({"username": "admin", "password": PASSWORD})),
        STEP,
    )
    .await;
    let token = signed_in.token.expect("signed in");
    let mut req = format!("ws://{addr}/ws")
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "Authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws");
    support::call(&mut ws, 1, method, params, STEP).await
}

#[tokio::test]
async fn site_and_timeout_flags_reach_the_gateway_calls() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A "gateway" that accepts connections and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let silent_addr = silent.local_addr().expect("addr");
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((tcp, _)) = silent.accept().await {
            open.push(tcp);
        }
    });
    let url = format!("http://{silent_addr}");
    let (mut relay, addr) = start(
        dir.path(),
        &[
            "--gateway",
            &url,
            "--site",
            "North",
            "--gateway-timeout",
            "1",
        ],
    )
    .await;
    let answer = call(addr, "tna.getConfig", json!({"deviceId": 540000001})).await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("1000 ms"), "the 1 s deadline: {answer}");
    relay.kill().await.expect("stop the relay");

    // Nothing listens at all: the error names the site.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let closed_url = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let (mut relay, addr) = start(dir.path(), &["--gateway", &closed_url, "--site", "North"]).await;
    let answer = call(addr, "tna.getConfig", json!({"deviceId": 540000001})).await;
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("site North"), "{answer}");
    relay.kill().await.expect("stop the relay");
    held.abort();
}
