//! Two relays on one PostgreSQL archive (a throwaway server started here): each has its own
//! gateway emulator (its own site), both sync into the same database, and an event seen by relay
//! A reaches a WebSocket client of relay B live (LISTEN/NOTIFY), although B's gateway does not
//! know the device.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_archive::testing::PgCluster;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::archive::Stream;
use tokio_tungstenite::tungstenite::Message;

mod support;

const STEP: Duration = Duration::from_secs(30);

async fn sim(first_device_id: u32) -> RunningGateway {
    gateway_sim::start(
        Gateway::new(SimConfig {
            devices: 3,
            logs_per_device: 200,
            seed: u64::from(first_device_id),
            punch_interval: None,
            first_device_id,
            zone: None,
        }),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        None,
    )
    .await
    .expect("emulator")
}

async fn relay(gw: &RunningGateway, archive: &str) -> RunningRelay {
    tna_relay::start(RelayConfig {
        archive: Some(archive.to_string()),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Remote {
                url: format!("http://{}", gw.addr),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("relay")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_seen_by_relay_a_reaches_a_socket_on_relay_b() {
    let pg = PgCluster::start_or_run_as("nobody").expect("a PostgreSQL server (cargo xtask setup)");
    let url = pg.create_database("shared").expect("database");
    let (gw_a, gw_b) = (sim(540_000_001).await, sim(550_000_001).await);
    let (a, b) = (relay(&gw_a, &url).await, relay(&gw_b, &url).await);
    for r in [&a, &b] {
        assert!(r.archive().expect("archive").wait_passes(1, STEP).await);
    }
    // Both sites' events are in the one archive.
    let archive = a.archive().expect("archive").archive();
    for gw in [&gw_a, &gw_b] {
        for id in gw.gateway.device_ids() {
            if gw.gateway.tna_supported(id) == Some(true) {
                assert_eq!(
                    archive.stored_count(id, Stream::Tna).await.expect("count"),
                    gw.gateway.log_count(id).expect("count") as u64,
                    "device {id}"
                );
            }
        }
    }

    // A browser on relay B watches a device of site A.
    let device = gw_a
        .gateway
        .device_ids()
        .into_iter()
        .find(|&d| gw_a.gateway.tna_supported(d) == Some(true))
        .expect("a T&A device");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", b.addr()))
        .await
        .expect("ws");
    // B offers site A's devices (and only those) to its clients' live views.
    let status = support::call(&mut ws, 0, "archive.status", json!({}), STEP).await;
    let remote: Vec<u32> = serde_json::from_value(status["result"]["remoteDevices"].clone())
        .unwrap_or_else(|e| panic!("remoteDevices in {status}: {e}"));
    let a_devices = gw_a.gateway.device_ids();
    assert!(remote.contains(&device), "{remote:?}");
    assert!(
        remote.iter().all(|d| a_devices.contains(d)),
        "only site A's devices, none of B's own: {remote:?}"
    );
    let sub = json!({"jsonrpc": "2.0", "id": 1, "method": "events.subscribe", "params": {"deviceIds": [device]}});
    ws.send(Message::Text(sub.to_string().into()))
        .await
        .expect("send");
    let mut subscribed = false;
    let mut got = None;
    let mut punch = None;
    while got.is_none() {
        let frame = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("a frame in time");
        let Some(Ok(Message::Text(t))) = frame else {
            continue;
        };
        let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
        if v["id"] == 1 {
            assert!(
                v.get("error").is_none(),
                "relay B subscribes a remote device: {v}"
            );
            // Where the archive stands for it: the client's gap fill starts there.
            assert!(
                v["result"]["nextEventIds"][device.to_string()].is_u64(),
                "a cursor for the remote device: {v}"
            );
            subscribed = true;
            // The punch happens at site A only after B's client is listening.
            punch = Some(gw_a.gateway.append_punch(device).expect("punch"));
        } else if v["method"] == "events.log" {
            got = Some(v["params"]["log"].clone());
        }
    }
    assert!(subscribed);
    let (log, punch) = (got.expect("event"), punch.expect("punch"));
    assert_eq!(log["deviceId"], device);
    assert_eq!(log["id"], punch.id);
    assert_eq!(
        gw_b.gateway.log_count(device),
        None,
        "B's own gateway does not know the device"
    );
    // A client of B fills gaps of the remote device with tna.getLog: B answers from the shared
    // archive, in ID order, once A's sync has stored the punch.
    let want: Vec<u32> = gw_a
        .gateway
        .tna_logs(device, 0, 0)
        .expect("logs")
        .iter()
        .map(|l| l.id)
        .collect();
    let started = std::time::Instant::now();
    loop {
        let params = json!({"deviceId": device, "startEventId": 0, "limit": 1000});
        let page = support::call(&mut ws, 2, "tna.getLog", params, STEP).await;
        let ids: Vec<u32> = page["result"]["logs"]
            .as_array()
            .unwrap_or_else(|| panic!("a page: {page}"))
            .iter()
            .filter_map(|l| l["id"].as_u64().and_then(|i| u32::try_from(i).ok()))
            .collect();
        if ids == want {
            assert_eq!(page["result"]["done"], true, "{page}");
            break;
        }
        assert!(
            started.elapsed() < STEP,
            "B's archive read {ids:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    a.shutdown().await;
    b.shutdown().await;
    gw_a.shutdown().await;
    gw_b.shutdown().await;
}
