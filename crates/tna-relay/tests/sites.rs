//! Two sites behind one relay: two gateway emulators on their own loopback ports (real gRPC over
//! TCP), a relay configured with both, and a WebSocket client. Device lists carry the site,
//! every method reaches devices of either site, a bulk call across both returns one row per
//! device, and stopping one gateway affects only its own devices.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig, RunningRelay};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Bound of every single step.
const STEP: Duration = Duration::from_secs(20);
/// Device IDs of the second site start here, as `tna-relay --demo` does.
const WAREHOUSE_FIRST: u32 = 550_000_001;

fn sim(devices: u32, seed: u64, first_device_id: u32) -> SimConfig {
    SimConfig {
        devices,
        logs_per_device: 50,
        seed,
        punch_interval: None,
        first_device_id,
        zone: None,
    }
}

/// An emulator serving `cfg` on a free loopback port.
async fn start_sim(cfg: SimConfig) -> RunningGateway {
    gateway_sim::start(
        Gateway::new(cfg),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        None,
    )
    .await
    .expect("the emulator starts")
}

/// The relay's target for a plain-TCP gateway at `addr`.
fn remote(addr: SocketAddr) -> GatewayTarget {
    GatewayTarget::Remote {
        url: format!("http://{addr}"),
        ca_cert: None,
    }
}

struct Sites {
    hq: RunningGateway,
    warehouse: Option<RunningGateway>,
    relay: RunningRelay,
}

impl Sites {
    async fn start() -> Sites {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let hq = start_sim(sim(6, 1, gateway_sim::FIRST_DEVICE_ID)).await;
        let warehouse = start_sim(sim(4, 2, WAREHOUSE_FIRST)).await;
        let relay = tna_relay::start(RelayConfig::with_sites(
            loopback,
            vec![
                GatewaySite::named("HQ", remote(hq.addr)),
                GatewaySite::named("Warehouse", remote(warehouse.addr)),
            ],
        ))
        .await
        .expect("relay starts");
        Sites {
            hq,
            warehouse: Some(warehouse),
            relay,
        }
    }

    fn warehouse(&self) -> &Gateway {
        &self.warehouse.as_ref().expect("warehouse running").gateway
    }

    async fn client(&self) -> Client {
        let url = format!("ws://{}/ws", self.relay.addr());
        let (ws, _) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect in time")
            .expect("ws");
        Client { ws, next_id: 1 }
    }

    async fn stop_warehouse(&mut self) {
        if let Some(w) = self.warehouse.take() {
            w.shutdown().await;
        }
    }

    async fn stop(self) {
        let Sites {
            hq,
            warehouse,
            relay,
        } = self;
        relay.shutdown().await;
        hq.shutdown().await;
        if let Some(w) = warehouse {
            w.shutdown().await;
        }
    }
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: i64,
}

impl Client {
    /// Sends a request and returns its response; notifications that arrive meanwhile are kept.
    async fn call(&mut self, method: &str, params: Value, pushed: &mut Vec<Value>) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
        loop {
            let v = self.next_frame(STEP).await.expect("an answer in time");
            if v.get("id").is_none() {
                pushed.push(v);
                continue;
            }
            assert_eq!(v["id"], id, "{v}");
            return v;
        }
    }

    async fn ok(&mut self, method: &str, params: Value) -> Value {
        let resp = self.call(method, params, &mut Vec::new()).await;
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    async fn next_frame(&mut self, limit: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(limit, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Some(serde_json::from_str(t.as_str()).expect("JSON"));
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(other) => panic!("unexpected frame: {other:?}"),
                Err(_) => return None,
            }
        }
    }
}

fn ids_of(list: &Value, site: &str) -> Vec<u32> {
    list["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .filter(|d| d["site"] == site)
        .map(|d| d["deviceId"].as_u64().expect("id") as u32)
        .collect()
}

fn tna_ids(list: &Value, site: &str) -> Vec<u32> {
    list["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .filter(|d| d["site"] == site && d["tnaSupported"] == true)
        .map(|d| d["deviceId"].as_u64().expect("id") as u32)
        .collect()
}

#[tokio::test]
async fn the_device_list_shows_both_sites_and_calls_reach_either() {
    let h = Sites::start().await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    assert_eq!(ids_of(&list, "HQ"), h.hq.gateway.device_ids());
    assert_eq!(ids_of(&list, "Warehouse"), h.warehouse().device_ids());
    assert_eq!(
        list["gateways"],
        json!([
            {"name": "HQ", "reachable": true, "devices": 6},
            {"name": "Warehouse", "reachable": true, "devices": 4}
        ])
    );
    // A single-device call goes to the device's own gateway.
    let w = tna_ids(&list, "Warehouse")[0];
    let cfg = c.ok("tna.getConfig", json!({"deviceId": w})).await["config"].clone();
    let held = h.warehouse().tna_config(w).expect("config").labels;
    assert_eq!(cfg["labels"], json!(held));
    let page = c
        .ok(
            "tna.getLog",
            json!({"deviceId": w, "startEventId": 0, "limit": 10}),
        )
        .await;
    assert_eq!(page["logs"][0]["deviceId"], w);
    // A device behind neither gateway.
    let resp = c
        .call("tna.getConfig", json!({"deviceId": 7}), &mut Vec::new())
        .await;
    assert_eq!(resp["error"]["code"], -32002, "{resp}");
    h.stop().await;
}

#[tokio::test]
async fn a_bulk_apply_across_both_sites_returns_one_row_per_device() {
    let h = Sites::start().await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let hq = tna_ids(&list, "HQ");
    let wh = tna_ids(&list, "Warehouse");
    assert!(!hq.is_empty() && !wh.is_empty(), "{list}");
    // Interleave the sites so request order and group order differ.
    let mut targets: Vec<u32> = Vec::new();
    for i in 0..hq.len().max(wh.len()) {
        targets.extend(wh.get(i));
        targets.extend(hq.get(i));
    }
    let mut config = c.ok("tna.getConfig", json!({"deviceId": hq[0]})).await["config"].clone();
    config["labels"][0] = json!("Both sites");
    config["schedules"][0] = json!(1);
    let results = c
        .ok(
            "tna.setConfigMulti",
            json!({"deviceIds": targets, "config": config}),
        )
        .await["results"]
        .clone();
    let rows = results.as_array().expect("rows");
    let order: Vec<u32> = rows
        .iter()
        .map(|r| r["deviceId"].as_u64().expect("id") as u32)
        .collect();
    assert_eq!(order, targets, "one row per device, in request order");
    assert!(rows.iter().all(|r| r["ok"] == true), "{results}");
    for &id in &hq {
        assert_eq!(
            h.hq.gateway.tna_config(id).expect("config").labels[0],
            "Both sites"
        );
    }
    for &id in &wh {
        assert_eq!(
            h.warehouse().tna_config(id).expect("config").labels[0],
            "Both sites"
        );
    }
    // Clocks across both sites, too.
    let clocks = c.ok("time.get", json!({"deviceIds": targets})).await["clocks"].clone();
    let clock_ids: Vec<u32> = clocks
        .as_array()
        .expect("clocks")
        .iter()
        .map(|r| r["deviceId"].as_u64().expect("id") as u32)
        .collect();
    assert_eq!(clock_ids, targets);
    h.stop().await;
}

#[tokio::test]
async fn live_events_of_both_sites_reach_one_subscription() {
    let h = Sites::start().await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let (a, b) = (tna_ids(&list, "HQ")[0], tna_ids(&list, "Warehouse")[0]);
    let sub = c.ok("events.subscribe", json!({"deviceIds": [a, b]})).await;
    let next = &sub["nextEventIds"];
    assert!(
        next.get(a.to_string()).is_some() && next.get(b.to_string()).is_some(),
        "{sub}"
    );
    let pa = h.hq.gateway.append_punch(a).expect("punch at HQ");
    let pb = h
        .warehouse()
        .append_punch(b)
        .expect("punch at the warehouse");
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let v = c.next_frame(STEP).await.expect("live events in time");
        if v["method"] == "events.log" {
            seen.push((
                v["params"]["log"]["deviceId"].as_u64().expect("id") as u32,
                v["params"]["log"]["id"].as_u64().expect("id") as u32,
            ));
        }
    }
    seen.sort_unstable();
    let mut want = vec![(a, pa.id), (b, pb.id)];
    want.sort_unstable();
    assert_eq!(seen, want);
    h.stop().await;
}

#[tokio::test]
async fn stopping_one_gateway_marks_only_its_devices_unavailable() {
    let mut h = Sites::start().await;
    assert!(
        h.relay.status_stream_up(STEP).await,
        "both status streams open"
    );
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let hq = tna_ids(&list, "HQ");
    let wh_all = ids_of(&list, "Warehouse");
    let wh = tna_ids(&list, "Warehouse");
    h.stop_warehouse().await;

    // Pushed at once: every Warehouse device, as unreachable, naming the site.
    let mut pushed = std::collections::BTreeMap::new();
    while pushed.len() < wh_all.len() {
        let v = c
            .next_frame(STEP)
            .await
            .expect("status pushes for the stopped site");
        if v["method"] == "devices.status" {
            let p = &v["params"];
            assert_eq!(p["status"], "error", "{v}");
            assert!(
                p["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("site Warehouse")),
                "{v}"
            );
            pushed.insert(p["deviceId"].as_u64().expect("id") as u32, ());
        }
    }
    assert_eq!(pushed.keys().copied().collect::<Vec<_>>(), wh_all);

    // The list still shows them, marked, and says which gateway is down.
    let list = c.ok("devices.list", json!({})).await;
    for d in list["devices"].as_array().expect("devices") {
        if d["site"] == "Warehouse" {
            assert_eq!(d["status"], "error", "{d}");
            assert!(
                d["statusDetail"]
                    .as_str()
                    .is_some_and(|s| s.contains("gateway of site Warehouse cannot be reached")),
                "{d}"
            );
        } else {
            assert_eq!(d["status"], "connected", "{d}");
        }
    }
    assert_eq!(list["gateways"][0]["reachable"], true);
    assert_eq!(list["gateways"][1]["reachable"], false);
    assert_eq!(list["gateways"][1]["devices"], wh_all.len());

    // A bulk call across both: HQ rows succeed, Warehouse rows fail and say why.
    let targets: Vec<u32> = hq.iter().chain(&wh).copied().collect();
    let rows = c.ok("time.sync", json!({"deviceIds": targets})).await["results"].clone();
    for r in rows.as_array().expect("rows") {
        let id = r["deviceId"].as_u64().expect("id") as u32;
        if hq.contains(&id) {
            assert_eq!(r["ok"], true, "{r}");
        } else {
            assert_eq!(r["ok"], false, "{r}");
            assert_eq!(r["code"], 14, "{r}");
            assert!(
                r["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("site Warehouse")),
                "{r}"
            );
        }
    }
    // A single call to a Warehouse device names its site; HQ devices still answer.
    let resp = c
        .call("tna.getConfig", json!({"deviceId": wh[0]}), &mut Vec::new())
        .await;
    assert_eq!(resp["error"]["code"], -32004, "{resp}");
    assert_eq!(resp["error"]["data"]["gateway"], "Warehouse", "{resp}");
    c.ok("tna.getConfig", json!({"deviceId": hq[0]})).await;
    // Live events: the HQ device still gets a cursor; the Warehouse one cannot.
    let sub = c
        .ok("events.subscribe", json!({"deviceIds": [hq[0], wh[0]]}))
        .await;
    assert!(
        sub["nextEventIds"].get(hq[0].to_string()).is_some(),
        "{sub}"
    );
    assert!(
        sub["nextEventIds"].get(wh[0].to_string()).is_none(),
        "{sub}"
    );
    h.stop().await;
}

#[tokio::test]
async fn several_gateways_need_distinct_names() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let port = |p: u16| remote(SocketAddr::from(([127, 0, 0, 1], p)));
    let unnamed = tna_relay::start(RelayConfig::with_sites(
        loopback,
        vec![
            GatewaySite::named("HQ", port(1)),
            GatewaySite::unnamed(port(2)),
        ],
    ))
    .await
    .err()
    .expect("refused");
    assert!(
        unnamed.to_string().contains("gateway 2 of 2 has no name"),
        "{unnamed}"
    );
    let twice = tna_relay::start(RelayConfig::with_sites(
        loopback,
        vec![
            GatewaySite::named("HQ", port(1)),
            GatewaySite::named("hq", port(2)),
        ],
    ))
    .await
    .err()
    .expect("refused");
    assert!(
        twice.to_string().contains("two gateways are named"),
        "{twice}"
    );
}

#[tokio::test]
async fn a_device_listed_by_two_gateways_goes_to_the_one_it_is_connected_to() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    // Two gateways listing the same serial numbers (as after a device moved between sites).
    let a = start_sim(sim(4, 3, gateway_sim::FIRST_DEVICE_ID)).await;
    let b = start_sim(sim(4, 3, gateway_sim::FIRST_DEVICE_ID)).await;
    let device = a
        .gateway
        .device_ids()
        .into_iter()
        .find(|&d| a.gateway.tna_supported(d) == Some(true))
        .expect("a T&A device");
    b.gateway.set_offline(device, true);
    let relay = tna_relay::start(RelayConfig::with_sites(
        loopback,
        vec![
            GatewaySite::named("Old site", remote(a.addr)),
            GatewaySite::named("New site", remote(b.addr)),
        ],
    ))
    .await
    .expect("relay");
    let url = format!("ws://{}/ws", relay.addr());
    let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    let mut c = Client { ws, next_id: 1 };
    // Whatever order the two lists finish in, calls go to the gateway the device is on.
    for _ in 0..5 {
        c.ok("devices.list", json!({})).await;
        c.ok("tna.getConfig", json!({"deviceId": device})).await;
    }
    relay.shutdown().await;
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test]
async fn a_device_unknown_while_a_site_is_down_is_reported_as_that_site_unreachable() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let hq = start_sim(sim(3, 2, gateway_sim::FIRST_DEVICE_ID)).await;
    // A port nobody listens on: the Annex gateway is down from the start.
    let free = std::net::TcpListener::bind(loopback).expect("bind");
    let down = free.local_addr().expect("addr");
    drop(free);
    let relay = tna_relay::start(RelayConfig::with_sites(
        loopback,
        vec![
            GatewaySite::named("HQ", remote(hq.addr)),
            GatewaySite::named("Annex", remote(down)),
        ],
    ))
    .await
    .expect("relay");
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
        .await
        .expect("ws");
    let mut c = Client { ws, next_id: 1 };
    let annex_device = 560_000_001u32;
    let resp = c
        .call(
            "tna.getConfig",
            json!({"deviceId": annex_device}),
            &mut Vec::new(),
        )
        .await;
    assert_eq!(resp["error"]["code"], -32004, "{resp}");
    assert_eq!(resp["error"]["data"]["gateway"], "Annex", "{resp}");
    let hq_device = hq.gateway.device_ids()[0];
    let rows = c
        .ok("time.get", json!({"deviceIds": [hq_device, annex_device]}))
        .await["clocks"]
        .clone();
    assert_eq!(rows[0]["ok"], true, "{rows}");
    assert_eq!(rows[1]["ok"], false, "{rows}");
    assert!(
        rows[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains("site Annex cannot be reached")),
        "{rows}"
    );
    relay.shutdown().await;
    hq.shutdown().await;
}
