//! What an operator watches: `/metrics` moves with real traffic (requests by method and outcome,
//! gateway call latency per site, open sockets by role, subscriptions, archive events and lag,
//! sign-in failures), only loopback or the token's bearer may read it; `/readyz` follows the
//! gateway; the binary's `--log-format json` writes JSON lines.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use gateway_sim::SimConfig;
use serde_json::{Value, json};
use tna_relay::auth::Auth;
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig, RunningRelay};
use tna_types::Role;
use tna_types::archive::Stream;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

mod support;

/// Every wait is bounded by this.
const STEP: Duration = Duration::from_secs(20);
const PASSWORD: &str = "operations-password";
const METRICS_TOKEN: &str = "scrape-secret";
const DEVICES: u32 = 3;
const LOGS: u32 = 40;
/// A device the emulator does not have.
const NO_SUCH_DEVICE: u32 = 999;
/// The second site's first device (IDs are unique across sites).
const WAREHOUSE_FIRST_DEVICE: u32 = 550_000_001;

fn sim() -> SimConfig {
    SimConfig {
        devices: DEVICES,
        logs_per_device: LOGS,
        seed: 14,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    }
}

async fn scrape(relay: &RunningRelay) -> String {
    let (status, text) = support::get_text(relay.addr(), "/metrics", &[], STEP).await;
    assert_eq!(status, 200, "/metrics from loopback: {text}");
    text
}

/// The value of the sample `series` (name with its labels, exactly as written), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        l.strip_prefix(series)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    })
}

async fn readyz(relay: &RunningRelay) -> (u16, Value) {
    let answer = support::http(relay.addr(), "GET", "/readyz", None, None, STEP).await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn metrics_follow_traffic_and_readyz_follows_the_gateway() {
    let dir = tempfile::tempdir().expect("temp dir");
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(gateway_sim::Gateway::new(sim()), loopback, None)
        .await
        .expect("the emulator starts");
    let auth = Auth::in_memory_fast_for_tests();
    auth.create_account("admin", PASSWORD, Role::Admin)
        .expect("account");
    let relay = tna_relay::start(RelayConfig {
        auth: Some(auth),
        archive: Some(format!(
            "sqlite://{}",
            dir.path().join("archive.db").display()
        )),
        metrics_token: Some(METRICS_TOKEN.into()),
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
    let syncer = relay.archive().expect("an archive");
    assert!(syncer.wait_passes(1, STEP).await, "first archive pass");

    // Ready: the gateway answers, the archive too.
    let (status, body) = readyz(&relay).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"ready": true, "gateways": [{"site": "default", "reachable": true}], "archive": "ok"})
    );

    // A wrong password, then a right one.
    let wrong = support::http(
        relay.addr(),
        "POST",
        "/api/session",
        None,
        Some(json!({"username": "admin", "password": "not it"})),
        STEP,
    )
    .await;
    assert_eq!(wrong.status, 401);
    let token = support::http(
        relay.addr(),
        "POST",
        "/api/session",
        None,
        Some(json!({"username": "admin", "password": PASSWORD})),
        STEP,
    )
    .await
    .token
    .expect("signed in");
    let before = scrape(&relay).await;
    let calls_before = sample(
        &before,
        r#"tna_relay_gateway_call_duration_seconds_count{site="default"}"#,
    )
    .unwrap_or(0.0);
    let subs_before = sample(&before, "tna_relay_event_subscriptions").expect("subscriptions");

    let mut req = format!("ws://{}/ws", relay.addr())
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "cookie",
        HeaderValue::from_str(&format!("tna_session={token}")).expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws");
    let listed = support::call(&mut ws, 1, "devices.list", json!({}), STEP).await;
    assert!(listed["result"]["devices"].is_array(), "{listed}");
    let missing = support::call(
        &mut ws,
        2,
        "tna.getConfig",
        json!({"deviceId": NO_SUCH_DEVICE}),
        STEP,
    )
    .await;
    assert_eq!(missing["error"]["code"], -32002, "{missing}");
    let device = gateway_sim::FIRST_DEVICE_ID;
    let subscribed = support::call(
        &mut ws,
        3,
        "events.subscribe",
        json!({"deviceIds": [device]}),
        STEP,
    )
    .await;
    assert!(subscribed.get("result").is_some(), "{subscribed}");

    let text = scrape(&relay).await;
    let expect = |series: &str, value: f64| {
        assert_eq!(sample(&text, series), Some(value), "{series} in\n{text}");
    };
    expect(
        r#"tna_relay_requests_total{method="devices.list",outcome="ok"}"#,
        1.0,
    );
    expect(
        r#"tna_relay_requests_total{method="tna.getConfig",outcome="device_not_found"}"#,
        1.0,
    );
    expect(
        r#"tna_relay_requests_total{method="events.subscribe",outcome="ok"}"#,
        1.0,
    );
    expect(r#"tna_relay_sockets_open{role="admin"}"#, 1.0);
    expect("tna_relay_event_subscriptions", subs_before + 1.0);
    expect(
        r#"tna_relay_sign_in_failures_total{kind="password",reason="rejected"}"#,
        1.0,
    );
    // Both calls went to the gateway (the list and the failed read), each timed.
    let calls = sample(
        &text,
        r#"tna_relay_gateway_call_duration_seconds_count{site="default"}"#,
    )
    .expect("latency histogram");
    assert!(
        calls >= calls_before + 2.0,
        "gateway calls {calls_before} → {calls}\n{text}"
    );
    assert!(
        text.contains(
            r#"tna_relay_gateway_call_duration_seconds_bucket{le="+Inf",site="default"}"#
        ) || text.contains(
            r#"tna_relay_gateway_call_duration_seconds_bucket{site="default",le="+Inf"}"#
        ),
        "histogram buckets:\n{text}"
    );
    // Events stored: exactly what the archive's cursors say this relay stored.
    let cursors = syncer.archive().cursors().await.expect("cursors");
    let stored: u64 = cursors
        .iter()
        .filter(|c| c.stream == Stream::Tna)
        .map(|c| c.stored)
        .sum();
    assert!(stored > 0, "the sync stored events");
    expect(
        r#"tna_relay_archive_events_stored_total{stream="tna"}"#,
        stored as f64,
    );
    // A lag per synced device, and none for devices it does not have.
    for c in cursors.iter().filter(|c| c.stream == Stream::Tna) {
        let series = format!(
            r#"tna_relay_archive_sync_lag_seconds{{device="{}",stream="tna"}}"#,
            c.device_id
        );
        let lag = sample(&text, &series).unwrap_or_else(|| panic!("{series} in\n{text}"));
        assert!((0.0..60.0).contains(&lag), "{series} = {lag}");
    }
    assert!(!text.contains(&format!("device=\"{NO_SUCH_DEVICE}\"")));

    // The socket closes: the gauge goes back.
    drop(ws);
    let closed = tokio::time::timeout(STEP, async {
        loop {
            let text = scrape(&relay).await;
            if sample(&text, r#"tna_relay_sockets_open{role="admin"}"#) == Some(0.0) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(closed.is_ok(), "sockets_open back to 0");

    // Through a (local) proxy: only with the token.
    let via_proxy = [("X-Forwarded-For", "203.0.113.9")];
    let (status, _) = support::get_text(relay.addr(), "/metrics", &via_proxy, STEP).await;
    assert_eq!(status, 403, "a proxied request without the token");
    let bearer = format!("Bearer {METRICS_TOKEN}");
    let with_token = [
        ("X-Forwarded-For", "203.0.113.9"),
        ("Authorization", bearer.as_str()),
    ];
    let (status, text) = support::get_text(relay.addr(), "/metrics", &with_token, STEP).await;
    assert_eq!(status, 200, "with the token");
    assert!(text.contains("tna_relay_requests_total"));
    let wrong_token = [
        ("X-Forwarded-For", "203.0.113.9"),
        ("Authorization", "Bearer scrape-secreT"),
    ];
    let (status, _) = support::get_text(relay.addr(), "/metrics", &wrong_token, STEP).await;
    assert_eq!(status, 403, "a wrong token");

    // The gateway goes away: not ready, and it says which.
    gateway.shutdown().await;
    let (status, body) = readyz(&relay).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(
        body["gateways"],
        json!([{"site": "default", "reachable": false}])
    );
    assert_eq!(body["archive"], "ok", "{body}");
    // `/healthz` still only says the process is up.
    let health = support::get_text(relay.addr(), "/healthz", &[], STEP).await;
    assert_eq!(health, (200, "ok".to_string()));
    relay.shutdown().await;
}

#[tokio::test]
async fn log_format_json_writes_json_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = format!("sqlite://{}", dir.path().join("a.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_tna-relay"))
        .args(["--demo", "--demo-devices", "2", "--demo-logs", "5"])
        .args(["--demo-sites", "1", "--listen", "127.0.0.1:0"])
        .args(["--archive", archive.as_str(), "--log-format", "json"])
        .env_remove("RUST_LOG")
        .env_remove("TNA_RELAY_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start tna-relay");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let logged = tokio::time::timeout(STEP, async {
        let mut logged = Vec::new();
        while let Some(line) = lines.next_line().await.expect("read stdout") {
            if line.starts_with("tna-relay: console at ") {
                return logged;
            }
            // The start banner (`tna-relay: …`) is text by design; every log line is JSON.
            if !line.starts_with("tna-relay: ") {
                logged.push(line);
            }
        }
        panic!("tna-relay ended without printing its address")
    })
    .await
    .expect("the relay starts in time");
    let _ = child.kill().await;
    assert!(!logged.is_empty(), "some log lines before the address");
    let events: Vec<Value> = logged
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for e in &events {
        assert!(e["timestamp"].is_string(), "{e}");
        assert!(e["level"].is_string(), "{e}");
        assert!(e["fields"]["message"].is_string(), "{e}");
    }
    assert!(
        events
            .iter()
            .any(|e| e["fields"]["message"] == "relay listening" && e["fields"]["addr"].is_string()),
        "the listening line with its address field: {logged:?}"
    );
}

#[tokio::test]
async fn an_unknown_log_format_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_tna-relay"))
        .args(["--demo", "--log-format", "yaml"])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run tna-relay");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("yaml"), "{stderr}");
}

/// Two sites: each gateway's latency has its own `site` series, and `/readyz` names the one
/// that went away while the other stays reachable (no archive: `"none"`).
#[tokio::test]
async fn latency_and_readiness_per_site() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let hq = gateway_sim::start(gateway_sim::Gateway::new(sim()), loopback, None)
        .await
        .expect("HQ starts");
    let warehouse_sim = SimConfig {
        first_device_id: WAREHOUSE_FIRST_DEVICE,
        ..sim()
    };
    let warehouse = gateway_sim::start(gateway_sim::Gateway::new(warehouse_sim), loopback, None)
        .await
        .expect("Warehouse starts");
    let remote = |addr: SocketAddr| GatewayTarget::Remote {
        url: format!("http://{addr}"),
        ca_cert: None,
    };
    let relay = tna_relay::start(RelayConfig::with_sites(
        loopback,
        vec![
            GatewaySite::named("HQ", remote(hq.addr)),
            GatewaySite::named("Warehouse", remote(warehouse.addr)),
        ],
    ))
    .await
    .expect("the relay starts");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
        .await
        .expect("ws");
    let listed = support::call(&mut ws, 1, "devices.list", json!({}), STEP).await;
    let devices = listed["result"]["devices"].as_array().map_or(0, Vec::len);
    assert_eq!(devices, 2 * DEVICES as usize, "{listed}");
    let text = scrape(&relay).await;
    for site in ["HQ", "Warehouse"] {
        let series = format!(r#"tna_relay_gateway_call_duration_seconds_count{{site="{site}"}}"#);
        let calls = sample(&text, &series).unwrap_or(0.0);
        assert!(calls >= 1.0, "{series} = {calls}\n{text}");
    }
    assert!(!text.contains(r#"site="default""#), "no unnamed site here");
    let (status, body) = readyz(&relay).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["archive"], "none", "{body}");

    warehouse.shutdown().await;
    let (status, body) = readyz(&relay).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["gateways"],
        json!([
            {"site": "HQ", "reachable": true},
            {"site": "Warehouse", "reachable": false}
        ]),
        "{body}"
    );
    relay.shutdown().await;
    hq.shutdown().await;
}
