//! Benchmark (not a test): bulk-apply one T&A config to every T&A device of a 1,000-device
//! emulated gateway through the relay's WebSocket, the way the console does it (batches of 10
//! `tna.setConfigMulti` calls, one after the other, then a re-read with 16 reads in flight), and
//! as one single `tna.setConfigMulti` call for comparison.
//!
//! `cargo run --release -p tna-relay --example bulk_bench [-- DEVICES]`

use std::net::SocketAddr;
use std::time::Instant;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::{GatewayTarget, RelayConfig};
use tokio_tungstenite::tungstenite::Message;

/// The console's batch size (`BATCH` in `src/pages/bulk.rs`).
const BATCH: usize = 10;
/// The console's reads in flight (`READ_CONCURRENCY`).
const READS: usize = 16;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Client {
    ws: Ws,
    next: i64,
}

impl Client {
    /// Sends every call, then collects the answers (any order), returning the results in call order.
    async fn calls(&mut self, calls: Vec<(&str, Value)>) -> anyhow::Result<Vec<Value>> {
        let first = self.next;
        for (method, params) in &calls {
            let frame = json!({"jsonrpc":"2.0","id":self.next,"method":method,"params":params});
            self.next += 1;
            self.ws
                .send(Message::Text(frame.to_string().into()))
                .await?;
        }
        let mut out = vec![Value::Null; calls.len()];
        let mut left = calls.len();
        while left > 0 {
            let Some(msg) = self.ws.next().await else {
                anyhow::bail!("socket closed");
            };
            if let Message::Text(t) = msg? {
                let v: Value = serde_json::from_str(t.as_str())?;
                let Some(id) = v["id"].as_i64() else { continue };
                if let Some(e) = v.get("error") {
                    anyhow::bail!("call {id} failed: {e}");
                }
                out[usize::try_from(id - first)?] = v["result"].clone();
                left -= 1;
            }
        }
        Ok(out)
    }

    async fn call(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        Ok(self.calls(vec![(method, params)]).await?.remove(0))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let devices: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000);
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = SimConfig {
        devices,
        logs_per_device: 1,
        seed: 1,
        punch_interval: None,
    };
    let gateway = gateway_sim::start(Gateway::new(sim), loopback, None).await?;
    let relay = tna_relay::start(RelayConfig {
        listen: loopback,
        dist: None,
        gateway: GatewayTarget::Remote {
            url: format!("http://{}", gateway.addr),
            ca_cert: None,
        },
    })
    .await?;
    // TCP_NODELAY, as browsers do: otherwise Nagle + delayed ACKs add ~40 ms per burst of calls.
    let (ws, _) = tokio_tungstenite::connect_async_with_config(
        format!("ws://{}/ws", relay.addr()),
        None,
        true,
    )
    .await?;
    let mut c = Client { ws, next: 1 };

    let list = c.call("devices.list", json!({})).await?;
    let targets: Vec<u64> = list["devices"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|d| d["tnaSupported"] == true && d["status"] == "connected")
        .filter_map(|d| d["deviceId"].as_u64())
        .collect();
    let mut cfg = c
        .call("tna.getConfig", json!({"deviceId": targets[0]}))
        .await?["config"]
        .clone();
    cfg["mode"] = json!("fixed");
    cfg["key"] = json!(1);
    cfg["isRequired"] = json!(false);
    println!("{devices} emulated devices, {} with T&A", targets.len());

    for round in 0..2 {
        cfg["labels"][0] = json!(format!("bench {round}"));
        let started = Instant::now();
        let mut ok = 0;
        for batch in targets.chunks(BATCH) {
            let r = c
                .call(
                    "tna.setConfigMulti",
                    json!({"deviceIds": batch, "config": cfg}),
                )
                .await?;
            ok += r["results"]
                .as_array()
                .map_or(0, |rows| rows.iter().filter(|r| r["ok"] == true).count());
        }
        let write = started.elapsed();
        let mut same = 0;
        for chunk in targets.chunks(READS) {
            let calls = chunk
                .iter()
                .map(|id| ("tna.getConfig", json!({"deviceId": id})))
                .collect();
            same += c
                .calls(calls)
                .await?
                .iter()
                .filter(|r| r["config"] == cfg)
                .count();
        }
        println!(
            "console-style, round {round}: {ok}/{} written in {write:?} (batches of {BATCH}); \
             re-read {same} matching, total {:?}",
            targets.len(),
            started.elapsed()
        );
    }

    cfg["labels"][0] = json!("bench single");
    let started = Instant::now();
    let r = c
        .call(
            "tna.setConfigMulti",
            json!({"deviceIds": targets, "config": cfg}),
        )
        .await?;
    let ok = r["results"]
        .as_array()
        .map_or(0, |rows| rows.iter().filter(|r| r["ok"] == true).count());
    println!(
        "one call: {ok}/{} written in {:?}",
        targets.len(),
        started.elapsed()
    );

    relay.shutdown().await;
    gateway.shutdown().await;
    Ok(())
}
