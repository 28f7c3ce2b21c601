//! Every kind of bad input, table-driven, against a real relay and gateway emulator on loopback:
//! each frame gets its own error (code checked), the socket that sent it keeps working, and a
//! second socket is served normally after every case. Nothing reaches a device: the configs are
//! the same at the end. (Requests after sign-out are in `signin.rs`.)

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::SimConfig;
use serde_json::{Value, json};
use tna_types::limits::{MAX_DEVICES_PER_CALL, MAX_FRAME_BYTES};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

mod support;

const STEP: Duration = Duration::from_secs(20);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Sends `frame`, returns the next response (notifications skipped).
async fn exchange(ws: &mut Ws, frame: Message) -> Value {
    ws.send(frame).await.expect("send");
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("an answer in time");
        match msg {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str()).expect("the relay sends JSON");
                if v.get("method").is_some() && v.get("id").is_none() {
                    continue;
                }
                return v;
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("unexpected frame: {other:?}"),
        }
    }
}

fn text(s: impl Into<String>) -> Message {
    Message::Text(s.into().into())
}

fn call(method: &str, params: Value) -> Message {
    text(json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).to_string())
}

#[tokio::test]
async fn every_kind_of_bad_input_gets_its_error_and_nothing_stops() {
    let sim = SimConfig {
        devices: 6,
        logs_per_device: 10,
        seed: 5,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    let (gateway, relay) = support::sim_and_relay(sim, None, None).await;
    let url = format!("ws://{}/ws", relay.addr());
    let (mut bad, _) = tokio_tungstenite::connect_async(&url).await.expect("ws");
    let (mut good, _) = tokio_tungstenite::connect_async(&url).await.expect("ws");
    let sim = &gateway.gateway;
    let device = sim
        .device_ids()
        .into_iter()
        .find(|&d| sim.tna_supported(d) == Some(true))
        .expect("a T&A device");
    let before: Vec<_> = sim
        .device_ids()
        .iter()
        .map(|&d| sim.tna_config(d))
        .collect();
    let config = exchange(
        &mut good,
        call("tna.getConfig", json!({"deviceId": device})),
    )
    .await["result"]["config"]
        .clone();
    let with_label = |label: Value| {
        let mut c = config.clone();
        c["labels"][0] = label;
        c
    };
    let many: Vec<u32> = (1..=10_000).collect();
    assert!(many.len() > MAX_DEVICES_PER_CALL, "over the per-call limit");
    let mut fifteen = config.clone();
    if let Some(labels) = fifteen["labels"].as_array_mut() {
        labels.pop();
    }
    let huge_frame = format!(
        r#"{{"jsonrpc":"2.0","id":7,"method":"devices.list","params":{{}},"pad":"{}"}}"#,
        "x".repeat(MAX_FRAME_BYTES)
    );

    let cases: Vec<(&str, Message, i64)> = vec![
        (
            "malformed JSON",
            text("{\"jsonrpc\": \"2.0\", \"id\": 7,, }"),
            -32700,
        ),
        (
            "truncated JSON",
            text("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"devi"),
            -32700,
        ),
        ("not JSON at all", text("hello relay"), -32700),
        (
            "a batch (array)",
            text("[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"devices.list\"}]"),
            -32600,
        ),
        ("a bare number", text("42"), -32600),
        (
            "wrong jsonrpc version",
            text(r#"{"jsonrpc":"1.0","id":7,"method":"devices.list"}"#),
            -32600,
        ),
        (
            "no id",
            text(r#"{"jsonrpc":"2.0","method":"devices.list"}"#),
            -32600,
        ),
        (
            "id is an object",
            text(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"devices.list"}"#),
            -32600,
        ),
        (
            "method is a number",
            text(r#"{"jsonrpc":"2.0","id":7,"method":5}"#),
            -32600,
        ),
        ("unknown method", call("tna.frobnicate", json!({})), -32601),
        (
            "params is an array",
            call("tna.getConfig", json!([device])),
            -32602,
        ),
        (
            "deviceId is a string",
            call("tna.getConfig", json!({"deviceId": "seven"})),
            -32602,
        ),
        (
            "deviceId is negative",
            call("tna.getConfig", json!({"deviceId": -1})),
            -32602,
        ),
        (
            "deviceId is fractional",
            call("tna.getConfig", json!({"deviceId": 1.5})),
            -32602,
        ),
        (
            "deviceId beyond u32",
            call("tna.getConfig", json!({"deviceId": 4_294_967_296u64})),
            -32602,
        ),
        (
            "deviceId is 1e300",
            text(
                r#"{"jsonrpc":"2.0","id":7,"method":"tna.getConfig","params":{"deviceId":1e300}}"#,
            ),
            -32602,
        ),
        (
            "unknown params field",
            call("tna.getConfig", json!({"deviceId": device, "x": 1})),
            -32602,
        ),
        (
            "unknown device",
            call("tna.getConfig", json!({"deviceId": 1})),
            -32002,
        ),
        (
            "page size 0",
            call(
                "tna.getLog",
                json!({"deviceId": device, "startEventId": 0, "limit": 0}),
            ),
            -32602,
        ),
        (
            "page size 1,000,000",
            call(
                "tna.getLog",
                json!({"deviceId": device, "startEventId": 0, "limit": 1_000_000}),
            ),
            -32008,
        ),
        (
            "negative cursor",
            call(
                "tna.getLog",
                json!({"deviceId": device, "startEventId": -5, "limit": 10}),
            ),
            -32602,
        ),
        (
            "10,000 device IDs to setConfigMulti",
            call(
                "tna.setConfigMulti",
                json!({"deviceIds": many, "config": config}),
            ),
            -32008,
        ),
        (
            "10,000 device IDs to subscribe",
            call("events.subscribe", json!({"deviceIds": many})),
            -32008,
        ),
        (
            "repeated device IDs",
            call(
                "tna.setConfigMulti",
                json!({"deviceIds": [device, device], "config": config}),
            ),
            -32602,
        ),
        (
            "empty device list",
            call("events.subscribe", json!({"deviceIds": []})),
            -32602,
        ),
        (
            "label over 48 bytes",
            call(
                "tna.setConfig",
                json!({"deviceId": device, "config": with_label(json!("가".repeat(17)))}),
            ),
            -32001,
        ),
        (
            "label with a control character",
            call(
                "tna.setConfig",
                json!({"deviceId": device, "config": with_label(json!("in\u{7}"))}),
            ),
            -32001,
        ),
        (
            "label with a lone surrogate (invalid UTF-16/UTF-8)",
            text(format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tna.setConfig","params":{{"deviceId":{device},"config":{}}}}}"#,
                config
                    .to_string()
                    .replacen("\"labels\":[\"", "\"labels\":[\"\\ud800", 1)
            )),
            -32700,
        ),
        (
            "15 labels",
            call(
                "tna.setConfig",
                json!({"deviceId": device, "config": fifteen}),
            ),
            -32602,
        ),
        ("a frame over MAX_FRAME_BYTES", text(huge_frame), -32008),
        (
            "a binary frame",
            Message::Binary(vec![0xff, 0xfe, 0x00].into()),
            -32600,
        ),
        (
            "a binary frame of invalid UTF-8 JSON",
            Message::Binary(
                b"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"\xff\"}"
                    .to_vec()
                    .into(),
            ),
            -32600,
        ),
    ];

    for (name, frame, code) in cases {
        let answer = exchange(&mut bad, frame).await;
        assert_eq!(
            answer["error"]["code"], code,
            "{name}: expected error {code}, got {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.len() > 10,
            "{name}: the error says what is wrong: {answer}"
        );
        // The other socket is served as usual after every case.
        let ok = exchange(&mut good, call("devices.list", json!({}))).await;
        assert!(ok.get("result").is_some(), "after {name}: {ok}");
    }
    // And the socket that sent all of that still works.
    let again = exchange(&mut bad, call("tna.getConfig", json!({"deviceId": device}))).await;
    assert_eq!(again["result"]["config"], config, "{again}");
    let after: Vec<_> = sim
        .device_ids()
        .iter()
        .map(|&d| sim.tna_config(d))
        .collect();
    assert_eq!(before, after, "no bad input reached a device");
    relay.shutdown().await;
    gateway.shutdown().await;
}
