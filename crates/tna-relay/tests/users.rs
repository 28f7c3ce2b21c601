//! The user directory through the whole chain: gateway emulator (seeded workforce) ⇄ (gRPC over
//! TCP) ⇄ relay with a SQLite archive ⇄ WebSocket clients signed in as admin, operator, viewer
//! and a kiosk.
//!
//! What the directory must hold is computed from the emulator's plan (`gateway_sim::workforce`:
//! people, names, home devices) and the device list (which devices keep names), never copied
//! from output.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use gateway_sim::workforce::Person;
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::auth::Auth;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::auth::Role;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// Bound of one step.
const STEP: Duration = Duration::from_secs(60);
const PASSWORD: &str = "correct horse battery staple";
/// People the emulator's visitors list holds (gateway-sim enrolls the site's first 5 people on
/// T&A devices nobody calls home).
const VISITORS: usize = 5;

struct Harness {
    _dir: tempfile::TempDir,
    gateway: RunningGateway,
    relay: RunningRelay,
    next_id: i64,
}

/// One person as the directory should show them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    name: Option<String>,
    devices: Vec<u32>,
}

impl Harness {
    /// Emulator (12 devices, default workforce) + relay with a SQLite archive and accounts for
    /// every role; `offline`: devices that are offline before the relay starts.
    async fn start(offline: impl Fn(&Gateway) -> Vec<u32>, refresh: Duration) -> Harness {
        let sim = SimConfig {
            devices: 12,
            logs_per_device: 30,
            seed: 15,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: None,
        };
        let gw = Gateway::new(sim);
        for d in offline(&gw) {
            gw.set_offline(d, true);
        }
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let gateway = gateway_sim::start(gw, loopback, None)
            .await
            .expect("the emulator starts");
        let auth = Auth::in_memory_fast_for_tests();
        for (user, role) in [
            ("root.admin", Role::Admin),
            ("ops.olga", Role::Operator),
            ("view.vic", Role::Viewer),
        ] {
            auth.create_account(user, PASSWORD, role).expect("account");
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let relay = tna_relay::start(RelayConfig {
            auth: Some(auth),
            archive: Some(format!(
                "sqlite://{}",
                dir.path().join("archive.db").display()
            )),
            users_refresh: refresh,
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
        let directory = relay.directory().expect("a directory");
        assert!(
            directory.wait_passes(1, STEP).await,
            "the first directory pass ends"
        );
        Harness {
            _dir: dir,
            gateway,
            relay,
            next_id: 1,
        }
    }

    /// A socket signed in with `token`.
    async fn socket(&self, token: &str) -> support::Ws {
        let mut req = format!("ws://{}/ws", self.relay.addr())
            .into_client_request()
            .expect("request");
        let v = HeaderValue::from_str(&format!("tna_session={token}")).expect("header");
        req.headers_mut().insert("cookie", v);
        tokio_tungstenite::connect_async(req).await.expect("ws").0
    }

    /// A socket signed in as `username`.
    async fn signed_in(&self, username: &str) -> support::Ws {
        let a = support::http(
            self.relay.addr(),
            "POST",
            "/api/session",
            None,
            Some(json!({"username": username, "password": PASSWORD})),
            STEP,
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        self.socket(&a.token.expect("a session cookie")).await
    }

    async fn call(&mut self, ws: &mut support::Ws, method: &str, params: Value) -> Value {
        self.next_id += 1;
        support::call(ws, self.next_id, method, params, STEP).await
    }

    async fn ok(&mut self, ws: &mut support::Ws, method: &str, params: Value) -> Value {
        let v = self.call(ws, method, params).await;
        assert!(
            v.get("error").is_none(),
            "{method} {params_note}: {v}",
            params_note = ""
        );
        v["result"].clone()
    }

    /// Every page of one search at `limit` per page: the users in order.
    async fn search(&mut self, ws: &mut support::Ws, query: &str, limit: u32) -> Vec<Value> {
        let mut after: Option<String> = None;
        let mut out = Vec::new();
        loop {
            let mut p = json!({"query": query, "limit": limit});
            if let Some(a) = &after {
                p["after"] = json!(a);
            }
            let r = self.ok(ws, "users.list", p).await;
            let page = r["users"].as_array().cloned().unwrap_or_default();
            assert!(page.len() <= limit as usize, "{r}");
            out.extend(page);
            match r["next"].as_str() {
                Some(n) => after = Some(n.to_string()),
                None => return out,
            }
        }
    }

    /// What the directory should hold: every person some device holds (their home devices, or
    /// the visitors on T&A devices nobody calls home), named where a device keeping names
    /// (one with a keypad) holds them.
    async fn expected(&mut self, ws: &mut support::Ws) -> BTreeMap<String, Expected> {
        let list = self.ok(ws, "devices.list", json!({})).await;
        let mut tna = BTreeSet::new();
        let mut keeps_names = BTreeSet::new();
        for d in list["devices"].as_array().into_iter().flatten() {
            let id = u32::try_from(d["deviceId"].as_u64().expect("id")).expect("u32");
            if d["tnaSupported"] == true {
                tna.insert(id);
            }
            if d["hasKeypad"] == true {
                keeps_names.insert(id);
            }
        }
        let plan = self.gateway.gateway.plan();
        let people: &[Person] = plan.people();
        let homes = plan.home_devices();
        let mut holders: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
        for p in people {
            for d in &p.home_devices {
                holders.entry(p.user_id.clone()).or_default().insert(*d);
            }
        }
        for d in tna.iter().filter(|d| !homes.contains(d)) {
            for p in people.iter().take(VISITORS) {
                holders.entry(p.user_id.clone()).or_default().insert(*d);
            }
        }
        holders
            .into_iter()
            .map(|(id, devices)| {
                let person = plan.person(&id).expect("a planned person");
                let named = devices.iter().any(|d| keeps_names.contains(d));
                let name = person.name.clone().filter(|_| named);
                (
                    id,
                    Expected {
                        name,
                        devices: devices.into_iter().collect(),
                    },
                )
            })
            .collect()
    }
}

fn ids(users: &[Value]) -> Vec<String> {
    users
        .iter()
        .map(|u| u["userId"].as_str().expect("userId").to_string())
        .collect()
}

fn as_expected(u: &Value) -> Expected {
    Expected {
        name: u["name"].as_str().map(str::to_string),
        devices: u["deviceIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .filter_map(|d| u32::try_from(d).ok())
            .collect(),
    }
}

/// Whether the directory's search should find `name` for `query` (the rule as documented: case
/// and accents ignored, Hangul by its letters).
fn name_matches(name: Option<&str>, query: &str) -> bool {
    name.is_some_and(|n| tna_archive::search_key(n).contains(&tna_archive::search_key(query)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_holds_the_plan_and_finds_people_by_name_and_id() {
    let mut h = Harness::start(|_| Vec::new(), Duration::from_secs(3600)).await;
    let mut ws = h.signed_in("view.vic").await;
    let expected = h.expected(&mut ws).await;
    assert!(expected.len() >= 40, "a workforce: {}", expected.len());

    // Everyone once, in pages, with names and devices as planned.
    let all = h.search(&mut ws, "", 7).await;
    let got: BTreeMap<String, Expected> = all
        .iter()
        .map(|u| {
            (
                u["userId"].as_str().expect("id").to_string(),
                as_expected(u),
            )
        })
        .collect();
    assert_eq!(got.len(), all.len(), "each user once");
    assert_eq!(got, expected);
    let mut sorted = ids(&all);
    sorted.sort();
    assert_eq!(ids(&all), sorted, "user-ID order");
    // first/last seen: the archive's T&A events of people with a history.
    assert!(
        all.iter().any(|u| u["lastSeen"].as_i64().is_some()),
        "some seen"
    );

    // The directory's size on /metrics (loopback may read it).
    let (status, text) = support::get_text(h.relay.addr(), "/metrics", &[], STEP).await;
    assert_eq!(status, 200);
    let line = format!("tna_relay_directory_users {}", expected.len());
    assert!(text.lines().any(|l| l == line), "{line} in\n{text}");

    // A person without a name: the ID alone.
    let unnamed = expected
        .iter()
        .find(|(_, e)| e.name.is_none())
        .map(|(id, _)| id.clone())
        .expect("the plan has someone without a name in the directory");
    let r = h
        .ok(
            &mut ws,
            "users.get",
            json!({"userIds": [unnamed, "no-such-user"]}),
        )
        .await;
    assert_eq!(
        ids(r["users"].as_array().expect("users")),
        vec![unnamed.clone()]
    );
    assert!(r["users"][0].get("name").is_none(), "{r}");

    // Search cases: each answer equals the rule applied to the expected directory.
    let named: Vec<(&String, &String)> = expected
        .iter()
        .filter_map(|(id, e)| e.name.as_ref().map(|n| (id, n)))
        .collect();
    let latin = named
        .iter()
        .find(|(_, n)| {
            n.chars().count() >= 6 && n.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
        })
        .map(|(_, n)| n.chars().skip(1).take(4).collect::<String>().to_uppercase())
        .expect("a Latin name");
    let accented = named
        .iter()
        .flat_map(|(_, n)| n.split(' '))
        // "Müller" searched as "MULLER": no accent, other case.
        .find(|w| !w.is_ascii() && tna_archive::search_key(w).is_ascii())
        .map(|w| tna_archive::search_key(w).to_uppercase())
        .expect("an accented Latin name");
    let hangul = named
        .iter()
        .find(|(_, n)| {
            n.chars().count() >= 3 && n.chars().all(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
        })
        .map(|(_, n)| n.chars().skip(1).collect::<String>())
        .expect("a Hangul name");
    for query in [latin.as_str(), accented.as_str(), hangul.as_str()] {
        let found = ids(&h.search(&mut ws, query, 50).await);
        let want: Vec<String> = expected
            .iter()
            .filter(|(id, e)| id.starts_with(query) || name_matches(e.name.as_deref(), query))
            .map(|(id, _)| id.clone())
            .collect();
        assert!(!want.is_empty(), "{query:?} names someone");
        assert_eq!(found, want, "search {query:?}");
    }
    // By ID prefix: exactly the IDs that start with it (names hold no digits).
    let some_id = expected.keys().nth(12).expect("an ID").clone();
    let prefix = &some_id[..some_id.len() - 1];
    let found = ids(&h.search(&mut ws, prefix, 3).await);
    let want: Vec<String> = expected
        .keys()
        .filter(|id| id.starts_with(prefix))
        .cloned()
        .collect();
    assert!(want.contains(&some_id));
    assert_eq!(found, want, "prefix {prefix:?}");

    // Bad input: limit 0, a page too large, a long query.
    for (p, code) in [
        (json!({"limit": 0}), -32602),
        (json!({"limit": 1001}), -32008),
        (json!({"limit": 5, "query": "x".repeat(65)}), -32602),
    ] {
        let v = h.call(&mut ws, "users.list", p.clone()).await;
        assert_eq!(v["error"]["code"], code, "{p}: {v}");
    }
    h.relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_devices_keep_their_users_and_logs_name_the_unknown() {
    // A person whose only home is `quiet`, a device offline while the directory is first read.
    fn lone_home(gw: &Gateway) -> (String, u32) {
        let plan = gw.plan();
        plan.people()
            .iter()
            .skip(VISITORS)
            .find(|p| p.home_devices.len() == 1 && gw.log_count(p.home_devices[0]).unwrap_or(0) > 0)
            .map(|p| (p.user_id.clone(), p.home_devices[0]))
            .expect("someone with one home device")
    }
    let mut h = Harness::start(|gw| vec![lone_home(gw).1], Duration::from_secs(3600)).await;
    let (person, quiet) = lone_home(&h.gateway.gateway);
    let mut admin = h.signed_in("root.admin").await;
    let r = h
        .ok(&mut admin, "users.get", json!({"userIds": [person]}))
        .await;
    assert_eq!(r["users"], json!([]), "not read yet: {r}");

    // The device comes back; its log is archived; the log names a user the directory lacks,
    // so the directory reads that device (no refresh is due for an hour).
    h.gateway.gateway.set_offline(quiet, false);
    h.ok(&mut admin, "archive.sync", json!({"deviceIds": [quiet]}))
        .await;
    let started = Instant::now();
    let entry = loop {
        let r = h
            .ok(&mut admin, "users.get", json!({"userIds": [person]}))
            .await;
        if let Some(u) = r["users"].as_array().and_then(|u| u.first()) {
            break u.clone();
        }
        assert!(started.elapsed() < STEP, "the log's user was read");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(entry["deviceIds"], json!([quiet]), "{entry}");
    assert!(
        entry["lastSeen"].as_i64().is_some(),
        "seen in the log: {entry}"
    );

    // Offline again: a sync of it fails and its users stay.
    let directory = h.relay.directory().expect("directory").clone();
    h.gateway.gateway.set_offline(quiet, true);
    let mut viewer = h.signed_in("view.vic").await;
    let refused = h
        .call(&mut viewer, "users.sync", json!({"deviceIds": [quiet]}))
        .await;
    assert_eq!(refused["error"]["code"], -32006, "viewer: {refused}");
    let mut operator = h.signed_in("ops.olga").await;
    let reads = directory.reads();
    h.ok(&mut operator, "users.sync", json!({"deviceIds": [quiet]}))
        .await;
    assert!(
        directory.wait_reads(reads + 1, STEP).await,
        "the read ended"
    );
    let r = h
        .ok(&mut viewer, "users.get", json!({"userIds": [person]}))
        .await;
    assert_eq!(r["users"][0]["deviceIds"], json!([quiet]), "kept: {r}");
    // A full pass on demand also keeps them (the device is skipped or fails).
    let passes = directory.passes();
    h.ok(&mut operator, "users.sync", json!({})).await;
    assert!(
        directory.wait_passes(passes + 1, STEP).await,
        "the pass ended"
    );
    let r = h
        .ok(&mut viewer, "users.get", json!({"userIds": [person]}))
        .await;
    assert_eq!(r["users"][0]["deviceIds"], json!([quiet]), "kept: {r}");

    // users.sync is an audited write.
    let started = Instant::now();
    loop {
        let r = h.ok(&mut admin, "audit.list", json!({"limit": 50})).await;
        let syncs: Vec<&Value> = r["entries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["method"] == "users.sync")
            .collect();
        if syncs.len() == 2 {
            assert!(syncs.iter().all(|e| e["actor"] == "ops.olga"), "{r}");
            break;
        }
        assert!(started.elapsed() < STEP, "audited: {r}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    h.relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_reads_names_of_its_devices_users_only() {
    let mut h = Harness::start(|_| Vec::new(), Duration::from_secs(3600)).await;
    let mut admin = h.signed_in("root.admin").await;
    let expected = h.expected(&mut admin).await;
    // A device with residents; someone it holds and someone it does not.
    let (inside_id, inside) = expected
        .iter()
        .find(|(_, e)| e.name.is_some() && e.devices.len() == 1)
        .map(|(id, e)| (id.clone(), e.clone()))
        .expect("a named person on one device");
    let device = inside.devices[0];
    let outside = expected
        .iter()
        .find(|(_, e)| !e.devices.contains(&device))
        .map(|(id, _)| id.clone())
        .expect("someone elsewhere");
    let pairing = h
        .ok(
            &mut admin,
            "kiosk.pair",
            json!({"name": "Lobby", "scope": {"devices": [device]}}),
        )
        .await;
    let token = support::redeem_pairing(h.relay.addr(), &pairing["code"], STEP).await;
    let mut kiosk = h.socket(&token).await;
    let r = h
        .ok(
            &mut kiosk,
            "users.get",
            json!({"userIds": [outside, inside_id]}),
        )
        .await;
    assert_eq!(
        r["users"],
        json!([{"userId": inside_id, "name": inside.name}]),
        "names only, of its own device's users"
    );
    let v = h.call(&mut kiosk, "users.list", json!({"limit": 10})).await;
    assert_eq!(
        v["error"]["code"], -32006,
        "no searching the directory: {v}"
    );
    // A kiosk paired for a public wall gets first names and initials, shortened by the relay.
    let pairing = h
        .ok(
            &mut admin,
            "kiosk.pair",
            json!({"name": "Hall", "scope": {"devices": [device], "nameForm": "firstInitial"}}),
        )
        .await;
    let token = support::redeem_pairing(h.relay.addr(), &pairing["code"], STEP).await;
    let mut wall = h.socket(&token).await;
    let r = h
        .ok(&mut wall, "users.get", json!({"userIds": [inside_id]}))
        .await;
    let full = inside.name.clone().unwrap_or_default();
    let short = tna_types::protocol::NameForm::FirstInitial.apply(&full);
    assert_ne!(short, full, "the seeded name {full:?} is one to shorten");
    assert_eq!(r["users"], json!([{"userId": inside_id, "name": short}]));
    h.relay.shutdown().await;
}
