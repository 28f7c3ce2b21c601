//! Site time zones through the real path: two emulated sites behind one relay, HQ in
//! Europe/Berlin and Warehouse in America/New_York. `devices.list` carries each site's zone on
//! its devices and its gateway entry, and `timecards.get` over `/ws` computes night shifts
//! across each site's DST change in that site's zone (real elapsed time, each end at the offset
//! in force then). Expected values come from the zone rules (jiff), not from offsets written
//! here.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use gateway_sim::{Gateway, RunningGateway, SimConfig};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig};
use tna_types::{TnaKey, TnaLog};

/// Bound of every single step.
const STEP: Duration = Duration::from_secs(20);
const WAREHOUSE_FIRST: u32 = 550_000_001;
const HQ_ZONE: &str = "Europe/Berlin";
const WAREHOUSE_ZONE: &str = "America/New_York";

/// An emulated site without history or live punches (the test writes the punches it needs).
async fn start_sim(seed: u64, first_device_id: u32) -> RunningGateway {
    let cfg = SimConfig {
        devices: 3,
        logs_per_device: 0,
        seed,
        punch_interval: None,
        first_device_id,
        ..SimConfig::default()
    };
    gateway_sim::start(
        Gateway::new(cfg),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        None,
    )
    .await
    .expect("the emulator starts")
}

fn remote(addr: SocketAddr) -> GatewayTarget {
    GatewayTarget::Remote {
        url: format!("http://{addr}"),
        ca_cert: None,
    }
}

/// Local wall time `at` (`YYYY-MM-DDTHH:MM`) in `zone` as a Unix instant.
fn instant(zone: &str, at: &str) -> u32 {
    let tz = TimeZone::get(zone).expect("zone");
    let dt: DateTime = at.parse().expect("date-time");
    let ts = tz
        .to_ambiguous_timestamp(dt)
        .unambiguous()
        .expect("one instant");
    u32::try_from(ts.as_second()).expect("u32")
}

/// The zone's offset at instant `t`, seconds east of UTC.
fn offset(zone: &str, t: u32) -> i64 {
    let tz = TimeZone::get(zone).expect("zone");
    i64::from(
        tz.to_offset(Timestamp::from_second(i64::from(t)).expect("ts"))
            .seconds(),
    )
}

fn punch(device_id: u32, id: u32, user: &str, timestamp: u32, key: u8) -> TnaLog {
    TnaLog {
        id,
        timestamp,
        device_id,
        user_id: user.into(),
        event_code: 0x1000,
        sub_code: 0,
        tna_key: TnaKey::new(key).ok(),
    }
}

#[tokio::test]
async fn devices_carry_their_site_zone_and_timecards_follow_it_across_dst() {
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = format!("sqlite://{}", dir.path().join("zones.db").display());
    let hq = start_sim(1, gateway_sim::FIRST_DEVICE_ID).await;
    let warehouse = start_sim(2, WAREHOUSE_FIRST).await;
    let relay = tna_relay::start(RelayConfig {
        archive: Some(archive),
        ..RelayConfig::with_sites(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            vec![
                GatewaySite::named("HQ", remote(hq.addr)).in_zone(HQ_ZONE),
                GatewaySite::named("Warehouse", remote(warehouse.addr)).in_zone(WAREHOUSE_ZONE),
            ],
        )
    })
    .await
    .expect("relay starts");
    let url = format!("ws://{}/ws", relay.addr());
    let (mut ws, _) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect in time")
        .expect("ws");

    // devices.list: every device and gateway entry names its site's zone.
    let list = support::call(&mut ws, 1, "devices.list", json!({}), STEP).await;
    let devices = list["result"]["devices"].as_array().expect("devices");
    assert_eq!(devices.len(), 6, "{list}");
    for d in devices {
        let want = match d["site"].as_str() {
            Some("HQ") => HQ_ZONE,
            Some("Warehouse") => WAREHOUSE_ZONE,
            other => panic!("site {other:?}"),
        };
        assert_eq!(d["zone"], want, "{d}");
    }
    let gateways: Vec<(&str, &str)> = list["result"]["gateways"]
        .as_array()
        .expect("gateways")
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap_or(""),
                g["zone"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        gateways,
        [("HQ", HQ_ZONE), ("Warehouse", WAREHOUSE_ZONE)],
        "{list}"
    );

    // Night shifts 22:00 → 06:00 across each site's change, archived as if synced: Ann at the
    // Warehouse over New York's spring-forward, Ben at HQ over Berlin's fall-back.
    let (hq_device, wh_device) = (gateway_sim::FIRST_DEVICE_ID, WAREHOUSE_FIRST);
    let ids: Vec<u64> = devices
        .iter()
        .filter_map(|d| d["deviceId"].as_u64())
        .collect();
    assert!(ids.contains(&u64::from(hq_device)) && ids.contains(&u64::from(wh_device)));
    let ann = (
        instant(WAREHOUSE_ZONE, "2026-03-07T22:00"),
        instant(WAREHOUSE_ZONE, "2026-03-08T06:00"),
    );
    let ben = (
        instant(HQ_ZONE, "2026-10-24T22:00"),
        instant(HQ_ZONE, "2026-10-25T06:00"),
    );
    let store = relay.archive().expect("archive").archive();
    let wh_logs = [
        punch(wh_device, 1, "ann", ann.0, 1),
        punch(wh_device, 2, "ann", ann.1, 2),
    ];
    let hq_logs = [
        punch(hq_device, 1, "ben", ben.0, 1),
        punch(hq_device, 2, "ben", ben.1, 2),
    ];
    for (device, logs) in [(wh_device, &wh_logs), (hq_device, &hq_logs)] {
        store
            .store_tna_page(device, tna_archive::INITIAL_EPOCH, logs, 3, 1)
            .await
            .expect("store");
    }

    let cases = [
        ("ann", "2026-03-07", WAREHOUSE_ZONE, ann),
        ("ben", "2026-10-24", HQ_ZONE, ben),
    ];
    for (i, (user, day, zone, (t_in, t_out))) in (2..).zip(cases) {
        let params = json!({"from": day, "to": day, "userId": user});
        let cards = support::call(&mut ws, i, "timecards.get", params, STEP).await;
        let days = cards["result"]["days"].as_array().expect("days");
        assert_eq!(days.len(), 1, "{cards}");
        let d: &Value = &days[0];
        assert_eq!(d["day"], day, "{d}");
        assert_eq!(d["zone"], zone, "{d}");
        // Real elapsed time: what the clocks did in between, from the zone rules.
        let elapsed = i64::from(t_out) - i64::from(t_in);
        let jumped = offset(zone, t_out) - offset(zone, t_in);
        assert_eq!(elapsed, 8 * 3600 - jumped, "{d}");
        assert_eq!(d["workedSeconds"].as_i64(), Some(elapsed), "{d}");
        assert_eq!(d["firstInOffset"].as_i64(), Some(offset(zone, t_in)), "{d}");
        assert_eq!(
            d["lastOutOffset"].as_i64(),
            Some(offset(zone, t_out)),
            "{d}"
        );
    }
    // The numbers the issue names: 7 hours over spring-forward in New York, 9 over fall-back.
    assert_eq!(ann.1 - ann.0, 7 * 3600);
    assert_eq!(ben.1 - ben.0, 9 * 3600);

    relay.shutdown().await;
    hq.shutdown().await;
    warehouse.shutdown().await;
}
