//! The log archive through the whole chain: gateway emulator ⇄ (gRPC over TCP) ⇄ relay ⇄ SQLite
//! file or PostgreSQL server (a throwaway cluster started here), and a WebSocket client for the
//! archive methods. Each scenario runs on both databases:
//!
//! - 50 devices × 20,000 events sync exactly, with no duplicates;
//! - the emulator killed in the middle of a sync and started again: the sync resumes from the
//!   cursors and the counts are still exact;
//! - a device whose log was wiped (event IDs start again): the archive keeps what it had, opens
//!   a new epoch, stores the new events and tells every socket (`archive.reset`);
//! - a live punch reaches the archive without anyone asking;
//! - writes are in the audit trail; timecards and archive queries answer over `/ws`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_archive::Archive;
use tna_archive::testing::PgCluster;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::archive::{LogQuery, Stream};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Bound of one step.
const STEP: Duration = Duration::from_secs(30);
/// Bound of the big sync (1,000,000 events in a debug build).
const BIG_SYNC: Duration = Duration::from_secs(600);

fn sim(devices: u32, logs_per_device: u32) -> SimConfig {
    SimConfig {
        devices,
        logs_per_device,
        seed: 7,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    }
}

async fn start_sim(cfg: SimConfig, addr: SocketAddr) -> RunningGateway {
    gateway_sim::start(Gateway::new(cfg), addr, None)
        .await
        .expect("the emulator starts")
}

/// Where a test keeps its archive; dropped (file removed, server stopped) at the end.
enum Db {
    /// A SQLite file in a temp dir.
    Sqlite(tempfile::TempDir),
    /// A database on a throwaway PostgreSQL server (kept only to stop it on drop), and its URL.
    Postgres(#[allow(dead_code)] PgCluster, String),
}

impl Db {
    fn new(kind: Kind) -> Db {
        match kind {
            Kind::Sqlite => Db::Sqlite(tempfile::tempdir().expect("temp dir")),
            Kind::Postgres => {
                let pg = PgCluster::start_or_run_as("nobody")
                    .expect("a PostgreSQL server (cargo xtask setup)");
                let url = pg.create_database("archive").expect("database");
                Db::Postgres(pg, url)
            }
        }
    }

    fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite://{}", dir.path().join("archive.db").display()),
            Db::Postgres(_, url) => url.clone(),
        }
    }
}

/// The two databases every scenario runs on.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sqlite,
    Postgres,
}

async fn start_relay(gateway: SocketAddr, db: &Db) -> RunningRelay {
    tna_relay::start(RelayConfig {
        archive: Some(db.url()),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Remote {
                url: format!("http://{gateway}"),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("the relay starts")
}

fn archive(relay: &RunningRelay) -> &Archive {
    relay
        .archive()
        .expect("the relay keeps an archive")
        .archive()
}

/// Waits until `done()` holds, polling; panics with `what` after `limit`.
async fn until<F, Fut>(limit: Duration, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every stored T&A event ID of a device, in order, read page by page through the archive.
async fn stored_ids(archive: &Archive, device: u32) -> Vec<(u32, u32)> {
    let mut q = LogQuery {
        device_ids: Some(vec![device]),
        limit: 10_000,
        ..LogQuery::default()
    };
    let mut out = Vec::new();
    loop {
        let page = archive.query_tna(&q).await.expect("query");
        out.extend(page.rows.iter().map(|r| (r.epoch, r.log.id)));
        match page.next {
            Some(n) => q.after = Some(n),
            None => return out,
        }
    }
}

/// Whether every T&A device of `gw` has exactly its log in the archive.
async fn exact(archive: &Archive, gw: &Gateway) -> bool {
    for id in gw.device_ids() {
        if gw.tna_supported(id) != Some(true) {
            continue;
        }
        let want = gw.log_count(id).unwrap_or(0) as u64;
        if archive.stored_count(id, Stream::Tna).await.unwrap_or(0) != want {
            return false;
        }
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_of_twenty_thousand_events_sync_exactly_once_on_sqlite() {
    fifty_devices_of_twenty_thousand_events_sync_exactly_once(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_of_twenty_thousand_events_sync_exactly_once_on_postgres() {
    fifty_devices_of_twenty_thousand_events_sync_exactly_once(Kind::Postgres).await;
}

async fn fifty_devices_of_twenty_thousand_events_sync_exactly_once(kind: Kind) {
    let db = Db::new(kind);
    let gw = start_sim(sim(50, 20_000), SocketAddr::from(([127, 0, 0, 1], 0))).await;
    let relay = start_relay(gw.addr, &db).await;
    let sync = relay.archive().expect("archive");
    let started = Instant::now();
    assert!(sync.wait_passes(1, BIG_SYNC).await, "the first pass ends");
    let took = started.elapsed();
    let archive = archive(&relay);
    let mut total = 0u64;
    for id in gw.gateway.device_ids() {
        if gw.gateway.tna_supported(id) != Some(true) {
            assert_eq!(
                archive.stored_count(id, Stream::Tna).await.expect("count"),
                0
            );
            continue;
        }
        let want = gw.gateway.log_count(id).expect("count") as u64;
        assert_eq!(
            archive.stored_count(id, Stream::Tna).await.expect("count"),
            want,
            "device {id}"
        );
        total += want;
    }
    assert!(total >= 40 * 20_000, "most devices have T&A: {total}");
    // No duplicates: the stored IDs of a device are its log's IDs, each once.
    let some = gw.gateway.device_ids()[0];
    let ids = stored_ids(archive, some).await;
    let want: Vec<(u32, u32)> = gw
        .gateway
        .tna_logs(some, 0, 0)
        .expect("logs")
        .iter()
        .map(|l| (tna_archive::INITIAL_EPOCH, l.id))
        .collect();
    assert_eq!(ids, want);
    // A second pass stores nothing new.
    sync.sync_now(None);
    assert!(sync.wait_passes(2, STEP).await);
    assert!(exact(archive, &gw.gateway).await, "counts unchanged");
    println!(
        "archive sync: {total} events in {:.1} s ({:.0} events/s, debug build, {kind:?})",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    );
    relay.shutdown().await;
    gw.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_emulator_mid_sync_resumes_from_the_cursors_on_sqlite() {
    a_killed_emulator_mid_sync_resumes_from_the_cursors(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_emulator_mid_sync_resumes_from_the_cursors_on_postgres() {
    a_killed_emulator_mid_sync_resumes_from_the_cursors(Kind::Postgres).await;
}

async fn a_killed_emulator_mid_sync_resumes_from_the_cursors(kind: Kind) {
    let db = Db::new(kind);
    let cfg = sim(12, 20_000);
    let gw = start_sim(cfg.clone(), SocketAddr::from(([127, 0, 0, 1], 0))).await;
    let addr = gw.addr;
    let ids = gw.gateway.device_ids();
    // Slow reads so the kill lands in the middle of the first pass.
    for &id in &ids {
        gw.gateway.set_latency(id, Duration::from_millis(30));
    }
    let relay = start_relay(addr, &db).await;
    let archive = archive(&relay).clone();
    until(STEP, "some events stored", || {
        let archive = archive.clone();
        async move {
            archive
                .cursors()
                .await
                .is_ok_and(|c| c.iter().map(|c| c.stored).sum::<u64>() > 0)
        }
    })
    .await;
    gw.shutdown().await;
    let partial: u64 = archive
        .cursors()
        .await
        .expect("cursors")
        .iter()
        .map(|c| c.stored)
        .sum();
    // The same devices and logs again, on the same port.
    let gw = start_sim(cfg, addr).await;
    assert!(
        !exact(&archive, &gw.gateway).await,
        "killed before the end ({partial} stored)"
    );
    let sync = relay.archive().expect("archive");
    until(BIG_SYNC, "the archive to catch up", || {
        sync.sync_now(None);
        let (archive, gw) = (archive.clone(), gw.gateway.clone());
        async move { exact(&archive, &gw).await }
    })
    .await;
    for id in ids.iter().take(3) {
        let stored = stored_ids(&archive, *id).await;
        let mut unique = stored.clone();
        unique.dedup();
        assert_eq!(stored.len(), unique.len(), "device {id} has no duplicates");
    }
    relay.shutdown().await;
    gw.shutdown().await;
}

struct Ws {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: i64,
    pushed: Vec<Value>,
}

impl Ws {
    async fn open(relay: &RunningRelay) -> Ws {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{}/ws", relay.addr()))
            .await
            .expect("ws");
        Ws {
            ws,
            next_id: 1,
            pushed: Vec::new(),
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
        loop {
            let v = self.frame(STEP).await.expect("an answer");
            if v.get("id").is_none() {
                self.pushed.push(v);
                continue;
            }
            return v;
        }
    }

    async fn ok(&mut self, method: &str, params: Value) -> Value {
        let v = self.call(method, params).await;
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    async fn frame(&mut self, limit: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(limit, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => {
                    return Some(serde_json::from_str(t.as_str()).expect("JSON"));
                }
                Ok(Some(Ok(_))) => continue,
                _ => return None,
            }
        }
    }

    /// Waits for a push of `method` (kept ones first).
    async fn push(&mut self, method: &str) -> Value {
        if let Some(i) = self.pushed.iter().position(|p| p["method"] == method) {
            return self.pushed.remove(i);
        }
        loop {
            let v = self.frame(STEP).await.expect("a push in time");
            if v["method"] == method {
                return v;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_live_audit_timecards_and_queries_on_sqlite() {
    reset_live_audit_timecards_and_queries(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_live_audit_timecards_and_queries_on_postgres() {
    reset_live_audit_timecards_and_queries(Kind::Postgres).await;
}

async fn reset_live_audit_timecards_and_queries(kind: Kind) {
    let db = Db::new(kind);
    let gw = start_sim(sim(4, 300), SocketAddr::from(([127, 0, 0, 1], 0))).await;
    let relay = start_relay(gw.addr, &db).await;
    let sync = relay.archive().expect("archive");
    assert!(sync.wait_passes(1, STEP).await);
    let archive = archive(&relay).clone();
    assert!(exact(&archive, &gw.gateway).await);
    let sim = &gw.gateway;
    let tna: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&d| sim.tna_supported(d) == Some(true))
        .collect();
    let d = tna[0];
    let mut ws = Ws::open(&relay).await;

    // Live: a punch reaches the archive without a request.
    let before = archive.stored_count(d, Stream::Tna).await.expect("count");
    let punch = sim.append_punch(d).expect("punch");
    until(STEP, "the live punch in the archive", || {
        let archive = archive.clone();
        async move { archive.stored_count(d, Stream::Tna).await.unwrap_or(0) == before + 1 }
    })
    .await;
    let found = ws
        .ok(
            "archive.logs",
            json!({"deviceIds": [d], "from": punch.timestamp, "limit": 10}),
        )
        .await;
    assert!(
        found["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .any(|r| r["id"] == punch.id && r["epoch"] == tna_archive::INITIAL_EPOCH),
        "{found}"
    );

    // Event IDs start again: new epoch, nothing lost, everyone told.
    let kept = archive.stored_count(d, Stream::Tna).await.expect("count");
    assert!(sim.reset_log(d));
    let fresh: Vec<u32> = (0..3)
        .map(|_| sim.append_punch(d).expect("punch").id)
        .collect();
    assert_eq!(fresh, vec![1, 2, 3], "the device numbers from 1 again");
    ws.ok("archive.sync", json!({"deviceIds": [d]})).await;
    let reset = ws.push("archive.reset").await;
    assert_eq!(reset["params"]["deviceId"], d, "{reset}");
    assert_eq!(reset["params"]["stream"], "tna", "{reset}");
    let second = tna_archive::INITIAL_EPOCH + 1;
    assert_eq!(reset["params"]["epoch"], second, "{reset}");
    until(STEP, "the new epoch's events", || {
        let archive = archive.clone();
        async move { archive.stored_count(d, Stream::Tna).await.unwrap_or(0) == kept + 3 }
    })
    .await;
    let ids = stored_ids(&archive, d).await;
    assert_eq!(
        ids.iter()
            .filter(|(e, _)| *e == tna_archive::INITIAL_EPOCH)
            .count() as u64,
        kept
    );
    assert_eq!(
        ids.iter()
            .filter(|(e, _)| *e == second)
            .map(|(_, i)| *i)
            .collect::<Vec<_>>(),
        fresh
    );
    // A device that started again and has since logged past the old cursor: the IDs exist
    // again, but they are other events (told apart by their time).
    let d2 = tna[1];
    let kept2 = archive.stored_count(d2, Stream::Tna).await.expect("count");
    assert!(sim.reset_log(d2));
    let beyond = kept2 as usize + 5;
    for _ in 0..beyond {
        sim.append_punch(d2).expect("punch");
    }
    ws.ok("archive.sync", json!({"deviceIds": [d2]})).await;
    // (The first device's job-code stream may report its own reset first.)
    let mut reset2 = ws.push("archive.reset").await;
    while reset2["params"]["deviceId"] != d2 {
        reset2 = ws.push("archive.reset").await;
    }
    assert_eq!(reset2["params"]["stream"], "tna", "{reset2}");
    until(STEP, "the second device's new epoch", || {
        let archive = archive.clone();
        async move {
            archive.stored_count(d2, Stream::Tna).await.unwrap_or(0) == kept2 + beyond as u64
        }
    })
    .await;

    let status = ws.ok("archive.status", json!({})).await;
    let backend = match kind {
        Kind::Sqlite => "sqlite",
        Kind::Postgres => "postgres",
    };
    assert_eq!(status["backend"], backend);
    // One relay: every archived device is behind its own gateway.
    assert!(status.get("remoteDevices").is_none(), "{status}");
    let row = status["states"]
        .as_array()
        .expect("states")
        .iter()
        .find(|s| s["deviceId"] == d && s["stream"] == "tna")
        .cloned()
        .expect("a state for the device");
    assert_eq!(row["epoch"], second);
    assert!(row["resetDetectedAt"].as_i64().is_some(), "{row}");

    // Audit: a config write, with before and after.
    let cfg = ws.ok("tna.getConfig", json!({"deviceId": d})).await["config"].clone();
    let mut changed = cfg.clone();
    changed["labels"][0] = json!("Audited");
    ws.ok("tna.setConfig", json!({"deviceId": d, "config": changed}))
        .await;
    // The entry is stored in the background: poll for it.
    let started = Instant::now();
    let audit = loop {
        // The two `archive.sync` calls above are entries too: only the write's.
        let audit = ws
            .ok(
                "audit.list",
                json!({"method": "tna.setConfig", "limit": 10}),
            )
            .await;
        if audit["entries"].as_array().is_some_and(|e| !e.is_empty()) {
            break audit;
        }
        assert!(started.elapsed() < STEP, "no audit entry");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let entry = &audit["entries"][0];
    assert_eq!(entry["method"], "tna.setConfig", "{audit}");
    assert_eq!(entry["actor"], "local");
    assert_eq!(entry["deviceIds"], json!([d]));
    assert_eq!(
        entry["before"][d.to_string()]["labels"][0],
        cfg["labels"][0]
    );
    assert_eq!(entry["after"]["labels"][0], "Audited");
    // A write the relay refuses before it reaches a device is not one.
    let mut bad = cfg.clone();
    bad["labels"][0] = json!("x".repeat(100));
    let refused = ws
        .call("tna.setConfig", json!({"deviceId": d, "config": bad}))
        .await;
    assert!(refused.get("error").is_some());
    let audit = ws
        .ok(
            "audit.list",
            json!({"method": "tna.setConfig", "limit": 10}),
        )
        .await;
    assert_eq!(audit["entries"].as_array().map(Vec::len), Some(1));
    let syncs = ws
        .ok("audit.list", json!({"method": "archive.sync", "limit": 10}))
        .await;
    assert_eq!(
        syncs["entries"].as_array().map(Vec::len),
        Some(2),
        "{syncs}"
    );

    // Timecards answer from the archive.
    let day = tna_types::time::format_date(i64::from(punch.timestamp / 86_400));
    let cards = ws
        .ok("timecards.get", json!({"from": day, "to": day}))
        .await;
    assert!(cards["events"].as_u64().is_some_and(|n| n > 0), "{cards}");
    assert!(
        cards["days"].as_array().is_some_and(|d| !d.is_empty()),
        "{cards}"
    );
    let bad_range = ws
        .call("timecards.get", json!({"from": day, "to": "2020-02-30"}))
        .await;
    assert_eq!(bad_range["error"]["code"], -32602, "{bad_range}");

    relay.shutdown().await;
    gw.shutdown().await;
}

#[tokio::test]
async fn a_timecard_range_over_the_event_limit_is_refused_before_loading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = Archive::open(&format!("sqlite://{}", dir.path().join("a.db").display()))
        .await
        .expect("archive");
    let day = 20_000u32; // 2024-10-04
    let logs: Vec<tna_types::TnaLog> = (1..=10)
        .map(|id| tna_types::TnaLog {
            id,
            timestamp: day * 86_400 + 8 * 3_600 + id * 60,
            device_id: 7,
            user_id: "42".into(),
            event_code: 0x1300,
            sub_code: 0,
            tna_key: tna_types::TnaKey::try_from(if id % 2 == 1 { 1u8 } else { 2u8 }).ok(),
        })
        .collect();
    archive
        .store_tna_page(7, tna_archive::INITIAL_EPOCH, &logs, 11, 1)
        .await
        .expect("store");
    let p = tna_types::protocol::TimecardsParams {
        from: tna_types::time::format_date(i64::from(day)),
        to: tna_types::time::format_date(i64::from(day)),
        user_id: None,
    };
    let refused = tna_relay::timecards::get_limited(&archive, &Vec::new(), &p, 5)
        .await
        .expect_err("over the limit");
    assert_eq!(
        refused.kind(),
        Some(tna_types::protocol::ErrorCode::LimitExceeded)
    );
    let cards = tna_relay::timecards::get_limited(&archive, &Vec::new(), &p, 100)
        .await
        .expect("under the limit");
    assert_eq!(cards.events, 10);
    // Five IN/OUT pairs of one minute each.
    assert_eq!(cards.days.len(), 1);
    assert_eq!(cards.days[0].worked_seconds, 5 * 60);
}
