//! Device clocks through the relay: `time.get` reports each device's offset from the relay's
//! clock (drifted emulator devices show their drift, an offline device gets its own error row),
//! and `time.sync` brings the chosen devices within a second of the relay's UTC time.

use std::time::Duration;

use gateway_sim::SimConfig;
use serde_json::{Value, json};

mod support;

const STEP: Duration = Duration::from_secs(20);

/// One request on `ws`, answered within [`STEP`].
async fn call(ws: &mut support::Ws, id: i64, method: &str, params: Value) -> Value {
    support::call(ws, id, method, params, STEP).await
}

#[tokio::test]
async fn clocks_show_drift_and_sync_brings_them_in_step() {
    let sim = SimConfig {
        devices: 10,
        logs_per_device: 5,
        seed: 11,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    let (gateway, relay) = support::sim_and_relay(sim, None, None).await;
    let g = &gateway.gateway;
    let ids = g.device_ids();
    // Two known drifts and one offline device, whatever the seed gave.
    let (ahead, behind, offline) = (ids[0], ids[1], ids[2]);
    g.set_clock_offset(ahead, 300);
    g.set_clock_offset(behind, -125);
    g.set_offline(offline, true);
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
        .await
        .expect("ws");

    let got = call(&mut ws, 1, "time.get", json!({"deviceIds": ids})).await;
    let clocks = got["result"]["clocks"].as_array().expect("clocks").clone();
    assert_eq!(clocks.len(), ids.len(), "one row per device: {got}");
    for (row, &id) in clocks.iter().zip(&ids) {
        assert_eq!(row["deviceId"], id, "request order");
        if id == offline {
            assert_eq!(row["ok"], false, "{row}");
            assert!(
                row["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{row}"
            );
            continue;
        }
        let want = g.clock_offset(id).expect("offset");
        let shown = row["offsetSeconds"].as_i64().expect("offset shown");
        assert!(
            (shown - want).abs() <= 1,
            "device {id}: shown {shown}, drift {want}"
        );
        assert_eq!(
            row["timeZone"].as_i64(),
            g.time_zone(id).map(i64::from),
            "{row}"
        );
    }

    let synced = call(
        &mut ws,
        2,
        "time.sync",
        json!({"deviceIds": [ahead, behind, offline]}),
    )
    .await;
    let results = synced["result"]["results"]
        .as_array()
        .expect("results")
        .clone();
    let ok: Vec<bool> = results.iter().map(|r| r["ok"] == true).collect();
    assert_eq!(
        ok,
        [true, true, false],
        "the offline device has its own error row: {synced}"
    );
    for id in [ahead, behind] {
        let off = g.clock_offset(id).expect("offset");
        assert!(off.abs() <= 1, "device {id} is {off} s off after sync");
    }
    let again = call(
        &mut ws,
        3,
        "time.get",
        json!({"deviceIds": [ahead, behind]}),
    )
    .await;
    for row in again["result"]["clocks"].as_array().expect("clocks") {
        let off = row["offsetSeconds"].as_i64().expect("offset");
        assert!(off.abs() <= 1, "after sync: {row}");
    }
    let bad = call(&mut ws, 4, "time.sync", json!({"deviceIds": []})).await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    relay.shutdown().await;
    gateway.shutdown().await;
}
