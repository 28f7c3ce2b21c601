//! Gateway faults as the relay meets them: no gateway at start, a gateway restart mid-session,
//! a device offline during a bulk apply. Every wait is bounded; the bounds only prove "no hang".

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::{GatewayTarget, RelayConfig};
use tokio_tungstenite::tungstenite::Message;

const STEP: Duration = Duration::from_secs(20);

fn sim() -> Gateway {
    Gateway::new(SimConfig {
        devices: 8,
        logs_per_device: 50,
        seed: 11,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    })
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn relay_for(url: String) -> (tna_relay::RunningRelay, Ws) {
    let relay = tna_relay::start(RelayConfig::new(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        GatewayTarget::Remote { url, ca_cert: None },
    ))
    .await
    .expect("relay starts without its gateway");
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
        .await
        .expect("ws");
    (relay, ws)
}

async fn call(ws: &mut Ws, id: i64, method: &str, params: Value) -> Value {
    let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
    ws.send(Message::Text(frame.into())).await.expect("send");
    loop {
        match tokio::time::timeout(STEP, ws.next())
            .await
            .expect("answer in time")
        {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
                if v["id"] == id {
                    return v;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("socket ended: {other:?}"),
        }
    }
}

/// A free loopback port nobody listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

#[tokio::test]
async fn no_gateway_at_start_fails_fast_with_gateway_unavailable() {
    let (relay, mut ws) = relay_for(format!("http://127.0.0.1:{}", closed_port())).await;
    for id in 1..=3 {
        let started = Instant::now();
        let resp = call(&mut ws, id, "devices.list", json!({})).await;
        assert_eq!(resp["error"]["code"], -32004, "{resp}");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "fails fast, took {:?}",
            started.elapsed()
        );
    }
    relay.shutdown().await;
}

#[tokio::test]
async fn gateway_restart_mid_session_recovers_by_itself() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let first = gateway_sim::start(sim(), loopback, None)
        .await
        .expect("gateway");
    let addr = first.addr;
    let (relay, mut ws) = relay_for(format!("http://{addr}")).await;
    let ok = call(&mut ws, 1, "devices.list", json!({})).await;
    assert_eq!(ok["result"]["devices"].as_array().map(Vec::len), Some(8));

    first.shutdown().await;
    let down = call(&mut ws, 2, "devices.list", json!({})).await;
    assert_eq!(down["error"]["code"], -32004, "gateway down: {down}");

    let second = gateway_sim::start(sim(), addr, None)
        .await
        .expect("gateway back on its port");
    let mut id = 3;
    let recovered = loop {
        let resp = call(&mut ws, id, "devices.list", json!({})).await;
        if resp.get("result").is_some() {
            break resp;
        }
        assert_eq!(
            resp["error"]["code"], -32004,
            "only 'unavailable' while reconnecting: {resp}"
        );
        assert!(id < 60, "no recovery after {id} tries");
        id += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(
        recovered["result"]["devices"].as_array().map(Vec::len),
        Some(8)
    );
    relay.shutdown().await;
    second.shutdown().await;
}

#[tokio::test]
async fn device_offline_during_bulk_gets_its_own_row() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gw = gateway_sim::start(sim(), loopback, None)
        .await
        .expect("gateway");
    let sim = gw.gateway.clone();
    let targets: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&id| sim.tna_supported(id) == Some(true))
        .collect();
    assert!(targets.len() >= 3);
    let (relay, mut ws) = relay_for(format!("http://{}", gw.addr)).await;
    let offline = targets[1];
    sim.set_offline(offline, true);
    let mut cfg = call(&mut ws, 1, "tna.getConfig", json!({"deviceId": targets[0]})).await["result"]["config"].clone();
    cfg["mode"] = json!("byUser");
    cfg["labels"][7] = json!("Offsite");
    let resp = call(
        &mut ws,
        2,
        "tna.setConfigMulti",
        json!({"deviceIds": targets, "config": cfg}),
    )
    .await;
    let rows = resp["result"]["results"]
        .as_array()
        .expect("results")
        .clone();
    assert_eq!(rows.len(), targets.len());
    for row in rows {
        let id = row["deviceId"].as_u64().unwrap() as u32;
        if id == offline {
            assert_eq!(row["ok"], false);
            assert_eq!(row["code"], 14, "UNAVAILABLE: {row}");
        } else {
            assert_eq!(row["ok"], true, "{row}");
            assert_eq!(
                sim.tna_config(id).map(|c| c.labels[7].clone()),
                Some("Offsite".to_string())
            );
        }
    }
    relay.shutdown().await;
    gw.shutdown().await;
}
