//! The audit trail through the whole chain: gateway emulator ⇄ (gRPC over TCP) ⇄ relay with a
//! SQLite archive ⇄ WebSocket client.
//!
//! - account and kiosk changes and `archive.sync` are recorded, without passwords or codes;
//! - two `tna.setConfigMulti` batches with one `operationId` are one entry;
//! - a relay whose archive cannot store entries refuses writes with `-32009` (nothing changes),
//!   unless it runs with `audit_optional`.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::auth::Auth;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::auth::Role;
use tna_types::protocol::ErrorCode;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Bound of one step.
const STEP: Duration = Duration::from_secs(30);
const ADMIN: &str = "root.admin";
const PASSWORD: &str = "correct horse battery staple";

struct Harness {
    _dir: tempfile::TempDir,
    gateway: RunningGateway,
    relay: RunningRelay,
    ws: support::Ws,
    next_id: i64,
}

impl Harness {
    /// Emulator + relay with a SQLite archive; `auth`: sign in as an admin first.
    async fn start(auth: Option<Auth>, audit_optional: bool) -> Harness {
        let sim = SimConfig {
            devices: 6,
            logs_per_device: 5,
            seed: 11,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: None,
        };
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let gateway = gateway_sim::start(Gateway::new(sim), loopback, None)
            .await
            .expect("the emulator starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let signs_in = auth.is_some();
        let relay = tna_relay::start(RelayConfig {
            auth,
            archive: Some(format!(
                "sqlite://{}",
                dir.path().join("archive.db").display()
            )),
            audit_optional,
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
        let mut req = format!("ws://{}/ws", relay.addr())
            .into_client_request()
            .expect("request");
        if signs_in {
            let a = support::http(
                relay.addr(),
                "POST",
                "/api/session",
                None,
                Some(json!({"username": ADMIN, "password": PASSWORD})),
                STEP,
            )
            .await;
            assert_eq!(a.status, 200, "{}", a.body);
            let token = a.token.expect("a session cookie");
            let v = HeaderValue::from_str(&format!("tna_session={token}")).expect("header");
            req.headers_mut().insert("cookie", v);
        }
        let (ws, _) = tokio_tungstenite::connect_async(req).await.expect("ws");
        Harness {
            _dir: dir,
            gateway,
            relay,
            ws,
            next_id: 1,
        }
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        support::call(&mut self.ws, self.next_id, method, params, STEP).await
    }

    async fn ok(&mut self, method: &str, params: Value) -> Value {
        let v = self.call(method, params).await;
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    /// The audit entries (newest first) once `done` holds for them.
    async fn audit_until(&mut self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let r = self.ok("audit.list", json!({"limit": 100})).await;
            let entries = r["entries"].as_array().cloned().unwrap_or_default();
            if done(&entries) {
                return entries;
            }
            assert!(started.elapsed() < STEP, "waited for {what}: {entries:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The IDs of the emulator's devices, as `devices.list` names them.
    async fn devices(&mut self) -> Vec<u32> {
        let r = self.ok("devices.list", json!({})).await;
        let ids: Vec<u32> = r["devices"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["deviceId"].as_u64())
            .filter_map(|d| u32::try_from(d).ok())
            .collect();
        assert!(ids.len() >= 5, "{r}");
        ids
    }
}

fn admin_auth() -> Auth {
    let auth = Auth::in_memory_fast_for_tests();
    auth.create_account(ADMIN, PASSWORD, Role::Admin)
        .expect("account");
    auth
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_kiosk_and_archive_changes_are_audited() {
    let mut h = Harness::start(Some(admin_auth()), false).await;
    let anna_password = "anna's long secret password";
    let new_password = "anna's second secret password";
    h.ok(
        "accounts.create",
        json!({"username": "ops.anna", "password": anna_password, "role": "operator"}),
    )
    .await;
    h.ok(
        "accounts.setRole",
        json!({"username": "ops.anna", "role": "viewer"}),
    )
    .await;
    h.ok(
        "accounts.setPassword",
        json!({"username": "ops.anna", "password": new_password}),
    )
    .await;
    let pairing = h
        .ok(
            "kiosk.pair",
            json!({"name": "Lobby", "scope": {"allDevices": true}}),
        )
        .await;
    let code = pairing["code"]
        .as_str()
        .expect("a pairing code")
        .to_string();
    let paired = support::http(
        h.relay.addr(),
        "POST",
        "/api/kiosk/pair",
        None,
        Some(json!({"code": code})),
        STEP,
    )
    .await;
    assert_eq!(paired.status, 200, "{}", paired.body);
    h.ok("kiosk.revoke", json!({"name": "Lobby"})).await;
    h.ok("accounts.delete", json!({"username": "ops.anna"}))
        .await;
    let synced = h.devices().await[1];
    h.ok("archive.sync", json!({"deviceIds": [synced]})).await;

    let wanted = [
        "accounts.create",
        "accounts.setRole",
        "accounts.setPassword",
        "kiosk.pair",
        "kiosk.revoke",
        "accounts.delete",
        "archive.sync",
    ];
    let entries = h
        .audit_until("every change", |e| e.len() >= wanted.len())
        .await;
    let methods: Vec<&str> = entries
        .iter()
        .rev()
        .filter_map(|e| e["method"].as_str())
        .collect();
    assert_eq!(methods, wanted, "{entries:?}");
    for e in &entries {
        assert_eq!(e["actor"], ADMIN, "{e}");
    }
    let by = |m: &str| {
        entries
            .iter()
            .find(|e| e["method"] == m)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(by("accounts.setRole")["before"]["role"], "operator");
    assert_eq!(by("accounts.setRole")["after"]["role"], "viewer");
    assert_eq!(by("accounts.delete")["before"]["username"], "ops.anna");
    assert_eq!(by("archive.sync")["deviceIds"], json!([synced]));
    // Never a secret in the trail.
    let text = serde_json::to_string(&entries).expect("JSON");
    for secret in [anna_password, new_password, code.as_str()] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_of_one_operation_are_one_entry() {
    let mut h = Harness::start(None, false).await;
    let d = h.devices().await;
    let first = d[0];
    let config = h.ok("tna.getConfig", json!({"deviceId": first})).await["config"].clone();
    let batches = [[d[0], d[1]], [d[2], d[3]]];
    for ids in batches {
        let r = h
            .ok(
                "tna.setConfigMulti",
                json!({"deviceIds": ids, "config": config, "operationId": "bulk-7"}),
            )
            .await;
        assert_eq!(r["results"].as_array().map(Vec::len), Some(2), "{r}");
    }
    // A call without an operation is an entry of its own.
    h.ok(
        "tna.setConfigMulti",
        json!({"deviceIds": [d[4]], "config": config}),
    )
    .await;
    let all: Vec<u32> = batches.iter().flatten().copied().collect();
    let entries = h
        .audit_until("the merged entry and the single one", |e| {
            e.len() >= 2
                && e.iter()
                    .any(|e| e["deviceIds"].as_array().map(Vec::len) == Some(4))
        })
        .await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let merged = entries
        .iter()
        .find(|e| e["deviceIds"].as_array().map(Vec::len) == Some(4))
        .expect("one entry for both batches");
    assert_eq!(merged["method"], "tna.setConfigMulti");
    assert_eq!(merged["deviceIds"], json!(all), "{merged}");
    let rows = merged["results"].as_array().expect("result rows");
    let row_ids: Vec<u64> = rows.iter().filter_map(|r| r["deviceId"].as_u64()).collect();
    assert_eq!(
        row_ids,
        all.iter().map(|&d| u64::from(d)).collect::<Vec<_>>(),
        "{merged}"
    );
    for d in &all {
        assert!(
            merged["before"].get(d.to_string()).is_some(),
            "no state before of {d}: {merged}"
        );
    }
    assert_eq!(merged["after"], config, "{merged}");
    // A bad operation ID is refused before anything is written.
    let bad = h
        .call(
            "tna.setConfigMulti",
            json!({"deviceIds": [first], "config": config, "operationId": ""}),
        )
        .await;
    assert_eq!(
        bad["error"]["code"],
        ErrorCode::InvalidParams as i32,
        "{bad}"
    );
}

/// A config for device `id` that differs from what it holds (label 0).
async fn changed_config(h: &mut Harness, id: u32, label: &str) -> Value {
    let mut config = h.ok("tna.getConfig", json!({"deviceId": id})).await["config"].clone();
    config["labels"][0] = json!(label);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_refused_when_the_audit_cannot_be_stored() {
    let mut h = Harness::start(None, false).await;
    let id = h.devices().await[0];
    let config = changed_config(&mut h, id, "Refused").await;
    h.relay
        .archive()
        .expect("an archive")
        .archive()
        .close()
        .await;
    let r = h
        .call("tna.setConfig", json!({"deviceId": id, "config": config}))
        .await;
    assert_eq!(
        r["error"]["code"],
        ErrorCode::AuditUnavailable as i32,
        "{r}"
    );
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("audit trail")),
        "{r}"
    );
    // Nothing changed on the device.
    let now = h.ok("tna.getConfig", json!({"deviceId": id})).await;
    assert_ne!(now["config"]["labels"][0], "Refused", "{now}");
    // Reads still work.
    h.ok("devices.list", json!({})).await;
    drop(h.gateway);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_optional_lets_writes_through() {
    let mut h = Harness::start(None, true).await;
    let id = h.devices().await[0];
    let config = changed_config(&mut h, id, "Allowed").await;
    h.relay
        .archive()
        .expect("an archive")
        .archive()
        .close()
        .await;
    let r = h
        .ok("tna.setConfig", json!({"deviceId": id, "config": config}))
        .await;
    assert_eq!(r["config"]["labels"][0], "Allowed", "{r}");
}

/// `devices.setInfo`: the name, location and tags are kept in the archive (normalized), shown by
/// `devices.list`, audited with before and after, cleared when absent; a bad tag is refused with
/// its field and an unknown device by its ID, both without an audit entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_names_are_kept_listed_and_audited() {
    let mut h = Harness::start(Some(admin_auth()), false).await;
    let ids = h.devices().await;
    let (lobby, other) = (ids[0], ids[1]);
    let set = h
        .ok(
            "devices.setInfo",
            json!({"deviceId": lobby, "name": " Reception entrance ", "location": "Building A",
                   "tags": ["Lobby", "north", "lobby"]}),
        )
        .await;
    assert_eq!(
        set["info"],
        json!({"deviceId": lobby, "name": "Reception entrance", "location": "Building A",
               "tags": ["lobby", "north"]})
    );
    let listed = h.ok("devices.list", json!({})).await;
    let device = |listed: &Value, id: u32| {
        listed["devices"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["deviceId"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let shown = device(&listed, lobby);
    assert_eq!(shown["name"], "Reception entrance", "{shown}");
    assert_eq!(shown["location"], "Building A", "{shown}");
    assert_eq!(shown["tags"], json!(["lobby", "north"]), "{shown}");
    let plain = device(&listed, other);
    assert!(
        plain.get("name").is_none() && plain.get("tags").is_none(),
        "{plain}"
    );

    // Refused before anything is kept: the field and the rule are named.
    let bad = h
        .call(
            "devices.setInfo",
            json!({"deviceId": other, "tags": ["two words"]}),
        )
        .await;
    assert_eq!(
        bad["error"]["code"],
        ErrorCode::ValidationFailed as i32,
        "{bad}"
    );
    assert_eq!(
        bad["error"]["data"]["errors"][0]["field"], "tags[0]",
        "{bad}"
    );
    let unknown = h
        .call("devices.setInfo", json!({"deviceId": 1, "name": "Nowhere"}))
        .await;
    assert!(unknown.get("error").is_some(), "{unknown}");

    // Renamed with only a name: location and tags go; the audit has before and after.
    h.ok(
        "devices.setInfo",
        json!({"deviceId": lobby, "name": "Main entrance"}),
    )
    .await;
    let entries = h
        .audit_until("two setInfo entries", |e| {
            e.iter()
                .filter(|x| x["method"] == "devices.setInfo")
                .count()
                >= 2
        })
        .await;
    let infos: Vec<&Value> = entries
        .iter()
        .filter(|x| x["method"] == "devices.setInfo")
        .collect();
    assert_eq!(infos.len(), 2, "only the writes that happened: {infos:?}");
    let rename = infos
        .iter()
        .find(|x| x["after"]["name"] == "Main entrance")
        .expect("the rename");
    assert_eq!(rename["before"]["name"], "Reception entrance", "{rename}");
    assert_eq!(rename["deviceIds"], json!([lobby]), "{rename}");
    assert_eq!(rename["actor"], ADMIN, "{rename}");
    let listed = h.ok("devices.list", json!({})).await;
    let shown = device(&listed, lobby);
    assert_eq!(shown["name"], "Main entrance", "{shown}");
    assert!(
        shown.get("location").is_none() && shown.get("tags").is_none(),
        "{shown}"
    );
    drop(h.gateway);
}

/// A kiosk's `archive.logs` is narrowed by the relay: its devices only (another is refused),
/// today only, however far back it asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_reads_only_todays_archive_of_its_devices() {
    let mut h = Harness::start(Some(admin_auth()), false).await;
    let ids = h.devices().await;
    let everything = json!({"from": 0, "limit": 5000});
    // Wait until the archive holds history from before today.
    let today = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        now - now % 86_400
    };
    let started = Instant::now();
    let stamps_of = |v: &Value| -> Vec<(u64, u64)> {
        v["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r["deviceId"].as_u64()?, r["timestamp"].as_u64()?)))
            .collect()
    };
    loop {
        let all = h.ok("archive.logs", everything.clone()).await;
        let rows = stamps_of(&all);
        if rows
            .iter()
            .any(|&(d, t)| d == u64::from(ids[0]) && t < today)
        {
            break;
        }
        assert!(started.elapsed() < STEP, "the archive never filled: {all}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Punches of today on both devices, stored before the kiosk asks.
    for d in [ids[0], ids[1]] {
        h.gateway.gateway.append_punch(d).expect("punch");
    }
    h.ok("archive.sync", json!({"deviceIds": [ids[0], ids[1]]}))
        .await;
    // The sync reads in the background: wait until today's punches of both are archived.
    let started = Instant::now();
    loop {
        let all = h
            .ok("archive.logs", json!({"from": today, "limit": 5000}))
            .await;
        let rows = stamps_of(&all);
        if [ids[0], ids[1]]
            .iter()
            .all(|d| rows.iter().any(|&(id, _)| id == u64::from(*d)))
        {
            break;
        }
        assert!(
            started.elapsed() < STEP,
            "today's punches never archived: {all}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pairing = h
        .ok(
            "kiosk.pair",
            json!({"name": "hall", "scope": {"devices": [ids[0]]}}),
        )
        .await;
    let token = support::redeem_pairing(h.relay.addr(), &pairing["code"], STEP).await;
    let mut req = format!("ws://{}/ws", h.relay.addr())
        .into_client_request()
        .expect("request");
    let v = HeaderValue::from_str(&format!("tna_session={token}")).expect("header");
    req.headers_mut().insert("cookie", v);
    let (mut k, _) = tokio_tungstenite::connect_async(req).await.expect("ws");
    let r = support::call(&mut k, 1, "archive.logs", everything.clone(), STEP).await;
    let rows = stamps_of(&r["result"]);
    assert!(!rows.is_empty(), "today's punches are there: {r}");
    assert!(
        rows.iter()
            .all(|&(d, t)| d == u64::from(ids[0]) && t >= today),
        "{r}"
    );
    let other = support::call(
        &mut k,
        2,
        "archive.logs",
        json!({"from": 0, "limit": 10, "deviceIds": [ids[1]]}),
        STEP,
    )
    .await;
    assert_eq!(
        other["error"]["code"],
        ErrorCode::PermissionDenied as i32,
        "{other}"
    );
    drop(h.gateway);
}
