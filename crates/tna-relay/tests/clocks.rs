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
            (shown - want).abs() <= 2,
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
    // A read's offset is whole seconds of the device's clock against the relay's at the
    // answer: up to a second each way on a busy machine (the drifted clocks were minutes off).
    for row in again["result"]["clocks"].as_array().expect("clocks") {
        let off = row["offsetSeconds"].as_i64().expect("offset");
        assert!(off.abs() <= 2, "after sync: {row}");
    }
    let bad = call(&mut ws, 4, "time.sync", json!({"deviceIds": []})).await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    relay.shutdown().await;
    gateway.shutdown().await;
}

/// The verdict the relay must give a device of a Europe/Berlin emulator this year, from what the
/// emulator holds (its seeding, read back, not the relay's rules).
fn expected_verdict(g: &gateway_sim::Gateway, id: u32, year: u32) -> &'static str {
    if g.time_zone(id) != Some(3_600) {
        return "wrongOffset";
    }
    if g.tna_supported(id) != Some(true) {
        return "dstUnsupported"; // the emulator's terminals are its DST devices
    }
    let schedules = g.dst_schedules(id).expect("device");
    match schedules.first().and_then(|s| s.start_time).map(|w| w.year) {
        None => "dstMissing",
        Some(y) if y + 1 == year => "dstOtherYear",
        Some(_) => "right",
    }
}

#[tokio::test]
async fn zones_are_judged_fixed_in_bulk_and_audited() {
    use tna_relay::{GatewaySite, GatewayTarget, RelayConfig};
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(
        gateway_sim::Gateway::new(SimConfig {
            devices: 12,
            logs_per_device: 1,
            seed: 5,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: Some("Europe/Berlin".into()),
        }),
        loopback,
        None,
    )
    .await
    .expect("the gateway emulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let site = GatewaySite::unnamed(GatewayTarget::Remote {
        url: format!("http://{}", gateway.addr),
        ca_cert: None,
    })
    .in_zone("Europe/Berlin");
    let relay = tna_relay::start(RelayConfig {
        archive: Some(format!("sqlite://{}", dir.path().join("a.db").display())),
        ..RelayConfig::with_sites(loopback, vec![site])
    })
    .await
    .expect("the relay starts");
    let g = &gateway.gateway;
    let ids = g.device_ids();
    let year = u32::try_from(
        jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .year(),
    )
    .expect("year");
    // One more kind the seed does not make: a schedule an hour late.
    let right = ids
        .iter()
        .copied()
        .find(|&d| expected_verdict(g, d, year) == "right" && d != ids[0])
        .expect("a right device");
    let mut late = g.dst_schedules(right).expect("device");
    if let Some(w) = late[0].start_time.as_mut() {
        w.hour += 1;
    }
    g.set_zone_settings(right, 3_600, late);
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
        .await
        .expect("ws");

    let got = call(&mut ws, 1, "time.getZones", json!({"deviceIds": ids})).await;
    let rows = got["result"]["devices"].as_array().expect("rows").clone();
    assert_eq!(rows.len(), ids.len(), "{got}");
    let mut seen = std::collections::BTreeSet::new();
    for (row, &id) in rows.iter().zip(&ids) {
        assert_eq!(row["deviceId"], id, "request order");
        assert_eq!(row["ok"], true, "{row}");
        assert_eq!(row["zone"], "Europe/Berlin");
        let want = if id == right {
            "dstDiffers"
        } else {
            expected_verdict(g, id, year)
        };
        assert_eq!(row["verdicts"][0]["year"], year, "{row}");
        assert_eq!(row["verdicts"][0]["verdict"], want, "device {id}: {row}");
        assert_eq!(row["settings"]["utcOffset"], g.time_zone(id).expect("tz"));
        if want == "right" {
            // This year's schedules are last year's next year.
            assert_eq!(row["verdicts"][1]["verdict"], "dstOtherYear", "{row}");
        }
        seen.insert(want);
    }
    for kind in [
        "right",
        "wrongOffset",
        "dstMissing",
        "dstOtherYear",
        "dstDiffers",
    ] {
        assert!(seen.contains(kind), "the site shows {kind}: {seen:?}");
    }

    // The preview says what would change and writes nothing.
    let before: Vec<_> = ids
        .iter()
        .map(|&d| (g.time_zone(d), g.dst_schedules(d)))
        .collect();
    let preview = call(
        &mut ws,
        2,
        "time.fixZones",
        json!({"deviceIds": ids, "dryRun": true}),
    )
    .await;
    assert_eq!(preview["result"]["dryRun"], true, "{preview}");
    for (row, &id) in preview["result"]["fixes"]
        .as_array()
        .expect("fixes")
        .iter()
        .zip(&ids)
    {
        let want = if id == right {
            "dstDiffers"
        } else {
            expected_verdict(g, id, year)
        };
        assert_eq!(row["written"], false);
        assert_eq!(row["offsetChanges"], want == "wrongOffset", "{row}");
        let schedules_change = matches!(want, "dstMissing" | "dstOtherYear" | "dstDiffers");
        assert_eq!(row["schedulesChange"], schedules_change, "{row}");
        assert_eq!(row["target"]["utcOffset"], 3_600);
    }
    let unchanged: Vec<_> = ids
        .iter()
        .map(|&d| (g.time_zone(d), g.dst_schedules(d)))
        .collect();
    assert_eq!(before, unchanged, "a dry run writes nothing");

    // The fix: one wrong device fails its writes, one is offline; each gets its own row.
    let wrong: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|&d| expected_verdict(g, d, year) != "right" && d != right)
        .collect();
    let (failing, offline) = (wrong[0], wrong[1]);
    g.fail_set_time(failing, true);
    g.set_offline(offline, true);
    let fixed = call(&mut ws, 3, "time.fixZones", json!({"deviceIds": ids})).await;
    let fixes = fixed["result"]["fixes"].as_array().expect("fixes").clone();
    assert_eq!(fixes.len(), ids.len(), "{fixed}");
    for (row, &id) in fixes.iter().zip(&ids) {
        assert_eq!(row["deviceId"], id);
        if id == failing || id == offline {
            assert_eq!(row["ok"], false, "{row}");
            let code = if id == failing { 13 } else { 14 };
            assert_eq!(row["code"], code, "{row}");
            continue;
        }
        assert_eq!(row["ok"], true, "{row}");
        let want = if g.tna_supported(id) == Some(true) {
            "right"
        } else {
            "dstUnsupported" // the offset is right; the device cannot hold DST
        };
        assert_eq!(row["verdict"], want, "re-read: {row}");
        assert_eq!(row["after"], row["target"], "{row}");
    }
    g.fail_set_time(failing, false);
    g.set_offline(offline, false);
    let again = call(&mut ws, 4, "time.getZones", json!({"deviceIds": ids})).await;
    for (row, &id) in again["result"]["devices"]
        .as_array()
        .expect("rows")
        .iter()
        .zip(&ids)
    {
        let verdict = &row["verdicts"][0]["verdict"];
        if id == failing || id == offline {
            assert_ne!(verdict, "right", "untouched: {row}");
        } else if g.tna_supported(id) == Some(true) {
            assert_eq!(verdict, "right", "{row}");
            assert_eq!(g.time_zone(id), Some(3_600));
        } else {
            assert_eq!(verdict, "dstUnsupported", "{row}");
            assert_eq!(g.time_zone(id), Some(3_600));
        }
    }

    // The audit trail has the fix (stored in the background: poll), with before and after.
    let started = std::time::Instant::now();
    let entry = loop {
        let audit = call(&mut ws, 5, "audit.list", json!({"limit": 10})).await;
        let entries = audit["result"]["entries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if let Some(e) = entries.into_iter().find(|e| e["method"] == "time.fixZones") {
            break e;
        }
        assert!(started.elapsed() < STEP, "no audit entry: {audit}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(entry["deviceIds"], json!(ids));
    let key = wrong[2].to_string();
    assert_eq!(entry["after"][&key]["utcOffset"], 3_600, "{entry}");
    assert!(entry["before"][&key].is_object(), "{entry}");
    assert_eq!(
        entry["results"]["fixes"].as_array().map(Vec::len),
        Some(ids.len())
    );
    relay.shutdown().await;

    // A site without a zone: every row says so.
    let (gateway2, relay2) = support::sim_and_relay(
        SimConfig {
            devices: 2,
            logs_per_device: 1,
            seed: 5,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: None,
        },
        None,
        None,
    )
    .await;
    let (mut ws2, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay2.addr()))
        .await
        .expect("ws");
    let ids2 = gateway2.gateway.device_ids();
    let none = call(&mut ws2, 1, "time.getZones", json!({"deviceIds": ids2})).await;
    for row in none["result"]["devices"].as_array().expect("rows") {
        assert_eq!(row["ok"], false, "{row}");
        assert!(
            row["message"]
                .as_str()
                .is_some_and(|m| m.contains("time zone")),
            "{row}"
        );
        // The same refusal as a code and a reason, for a client that words it itself.
        assert_eq!(row["error"]["code"], -32007, "{row}");
        assert_eq!(row["error"]["data"]["reason"], "noZone", "{row}");
        assert_eq!(row["error"]["message"], row["message"], "{row}");
    }
    relay2.shutdown().await;
    gateway2.shutdown().await;
    gateway.shutdown().await;
}

/// Two sites in two zones behind one relay: each device is judged and fixed by its own site's
/// zone, and a southern site's fix writes its two schedules (the summer that spans the new year).
#[tokio::test]
async fn each_site_is_judged_by_its_own_zone() {
    use tna_relay::{GatewaySite, GatewayTarget, RelayConfig};
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let sim = |seed, first_device_id, zone: &str| SimConfig {
        devices: 5,
        logs_per_device: 1,
        seed,
        punch_interval: None,
        first_device_id,
        zone: Some(zone.into()),
    };
    let berlin = gateway_sim::start(
        gateway_sim::Gateway::new(sim(3, gateway_sim::FIRST_DEVICE_ID, "Europe/Berlin")),
        loopback,
        None,
    )
    .await
    .expect("emulator");
    let sydney = gateway_sim::start(
        gateway_sim::Gateway::new(sim(4, 550_000_001, "Australia/Sydney")),
        loopback,
        None,
    )
    .await
    .expect("emulator");
    let site = |name: &str, addr, zone: &str| {
        GatewaySite::named(
            name,
            GatewayTarget::Remote {
                url: format!("http://{addr}"),
                ca_cert: None,
            },
        )
        .in_zone(zone)
    };
    let relay = tna_relay::start(RelayConfig::with_sites(
        loopback,
        vec![
            site("HQ", berlin.addr, "Europe/Berlin"),
            site("Sydney", sydney.addr, "Australia/Sydney"),
        ],
    ))
    .await
    .expect("relay");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
        .await
        .expect("ws");
    let (gb, gs) = (&berlin.gateway, &sydney.gateway);
    // Interleaved, so the rows must be put back in request order across sites.
    let ids: Vec<u32> = gb
        .device_ids()
        .into_iter()
        .zip(gs.device_ids())
        .flat_map(|(a, b)| [a, b])
        .collect();
    let got = call(&mut ws, 1, "time.getZones", json!({"deviceIds": ids})).await;
    for (row, &id) in got["result"]["devices"]
        .as_array()
        .expect("rows")
        .iter()
        .zip(&ids)
    {
        assert_eq!(row["deviceId"], id);
        let zone = if gb.time_zone(id).is_some() {
            "Europe/Berlin"
        } else {
            "Australia/Sydney"
        };
        assert_eq!(row["zone"], zone, "{row}");
        let standard = if zone == "Europe/Berlin" {
            3_600
        } else {
            36_000
        };
        let expected = &row["verdicts"][0]["expected"];
        assert_eq!(expected["utcOffset"], standard, "{row}");
        if row["settings"]["dstSupported"] == true {
            let n = if zone == "Europe/Berlin" { 1 } else { 2 };
            assert_eq!(expected["schedules"].as_array().map(Vec::len), Some(n));
        }
    }
    let fixed = call(&mut ws, 2, "time.fixZones", json!({"deviceIds": ids})).await;
    for row in fixed["result"]["fixes"].as_array().expect("fixes") {
        assert_eq!(row["ok"], true, "{row}");
        assert_eq!(row["after"], row["target"], "{row}");
    }
    for id in gs.device_ids() {
        assert_eq!(gs.time_zone(id), Some(36_000));
        if gs.tna_supported(id) == Some(true) {
            let s = gs.dst_schedules(id).expect("device");
            assert_eq!(s.len(), 2, "two summers touch the year");
            let years: Vec<(u32, u32)> = s
                .iter()
                .filter_map(|s| Some((s.start_time?.year, s.end_time?.year)))
                .collect();
            assert_eq!(
                years[0].1, years[1].0,
                "one ends, the other starts, that year"
            );
            assert_eq!(years[0].0 + 1, years[0].1, "spans a new year");
        }
    }
    for id in gb.device_ids() {
        assert_eq!(gb.time_zone(id), Some(3_600));
    }
    relay.shutdown().await;
    berlin.shutdown().await;
    sydney.shutdown().await;
}
