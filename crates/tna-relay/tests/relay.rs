//! The relay against the gateway emulator over real TCP (and once over TLS with a generated CA),
//! driven by a real WebSocket client speaking the JSON-RPC protocol.

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::{Value, json};
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Every wait in these tests is bounded by this.
const STEP: Duration = Duration::from_secs(20);
const DEVICES: u32 = 12;
const LOGS: u32 = 2_500;

struct Harness {
    gateway: RunningGateway,
    relay: RunningRelay,
    _tls_dir: Option<tempfile::TempDir>,
}

impl Harness {
    async fn start(tls: bool) -> Harness {
        let sim = SimConfig {
            devices: DEVICES,
            logs_per_device: LOGS,
            seed: 7,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: None,
        };
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let (tls_dir, material) = if tls {
            let dir = tempfile::tempdir().expect("temp dir");
            let m = gateway_sim::generate_tls(Some(dir.path())).expect("certificates");
            (Some(dir), Some(m))
        } else {
            (None, None)
        };
        let gateway = gateway_sim::start(Gateway::new(sim), loopback, material.as_ref())
            .await
            .expect("gateway starts");
        let target = match &tls_dir {
            Some(dir) => GatewayTarget::Remote {
                url: format!("https://localhost:{}", gateway.addr.port()),
                ca_cert: Some(dir.path().join("ca.crt")),
            },
            None => GatewayTarget::Remote {
                url: format!("http://{}", gateway.addr),
                ca_cert: None,
            },
        };
        let relay = tna_relay::start(RelayConfig::new(loopback, target))
            .await
            .expect("relay starts");
        Harness {
            gateway,
            relay,
            _tls_dir: tls_dir,
        }
    }

    fn sim(&self) -> &Gateway {
        &self.gateway.gateway
    }

    async fn client(&self) -> Client {
        let url = format!("ws://{}/ws", self.relay.addr());
        let (ws, _) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect in time")
            .expect("websocket connects");
        Client { ws, next_id: 1 }
    }

    /// A socket that offers the WebSocket subprotocol `name`; the relay's answer must name it.
    async fn socket_with(&self, name: &str) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{}/ws", self.relay.addr())
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", name.parse().expect("header"));
        let (ws, answer) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(request))
            .await
            .expect("connect in time")
            .expect("websocket connects");
        assert_eq!(
            answer
                .headers()
                .get("Sec-WebSocket-Protocol")
                .and_then(|v| v.to_str().ok()),
            Some(name)
        );
        ws
    }

    async fn stop(self) {
        self.relay.shutdown().await;
        self.gateway.shutdown().await;
    }
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: i64,
}

impl Client {
    /// Sends a frame and returns the next frame that answers it (notifications, which every
    /// socket may get at any time, e.g. `devices.status`, are skipped).
    async fn raw(&mut self, frame: Message) -> Value {
        self.ws.send(frame).await.expect("send");
        loop {
            let msg = tokio::time::timeout(STEP, self.ws.next())
                .await
                .expect("answer in time");
            match msg {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(t.as_str()).expect("relay sends JSON");
                    if v.get("method").is_some() && v.get("id").is_none() {
                        continue;
                    }
                    return v;
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("unexpected frame: {other:?}"),
            }
        }
    }

    /// A whole response to `method(params)`.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let resp = self.raw(Message::Text(frame.to_string().into())).await;
        assert_eq!(resp["id"], id, "response answers the request: {resp}");
        resp
    }

    /// The `result` of a call that must succeed.
    async fn ok(&mut self, method: &str, params: Value) -> Value {
        let resp = self.call(method, params).await;
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    /// The `error` of a call that must fail.
    async fn err(&mut self, method: &str, params: Value) -> Value {
        let resp = self.call(method, params).await;
        assert!(resp.get("result").is_none(), "{method} should fail: {resp}");
        resp["error"].clone()
    }
}

fn tna_devices(list: &Value) -> Vec<u32> {
    list["devices"]
        .as_array()
        .expect("devices array")
        .iter()
        .filter(|d| d["tnaSupported"] == true && d["status"] == "connected")
        .map(|d| d["deviceId"].as_u64().expect("id") as u32)
        .collect()
}

#[tokio::test]
async fn devices_list_shows_every_simulated_device() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let devices = list["devices"].as_array().expect("array");
    assert_eq!(devices.len(), DEVICES as usize);
    let ids: Vec<u32> = devices
        .iter()
        .map(|d| d["deviceId"].as_u64().unwrap() as u32)
        .collect();
    assert_eq!(ids, h.sim().device_ids(), "same devices, same order");
    for d in devices {
        let id = d["deviceId"].as_u64().unwrap() as u32;
        assert_eq!(
            d["tnaSupported"].as_bool(),
            h.sim().tna_supported(id),
            "capability of {id}"
        );
        assert!(d["type"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(d["address"].as_str().is_some_and(|a| a.contains(':')));
    }
    assert!(
        devices.iter().any(|d| d["tnaSupported"] == false),
        "the mix has devices without T&A"
    );
    assert!(!tna_devices(&list).is_empty());
    h.stop().await;
}

#[tokio::test]
async fn set_config_then_get_config_shows_the_change() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let id = tna_devices(&list)[0];
    let before = c.ok("tna.getConfig", json!({"deviceId": id})).await["config"].clone();
    assert_eq!(before["labels"].as_array().map(Vec::len), Some(16));

    let mut cfg = before.clone();
    cfg["mode"] = json!("fixed");
    cfg["key"] = json!(3);
    cfg["isRequired"] = json!(false);
    cfg["labels"][2] = json!("Dienstbeginn");
    cfg["labels"][3] = json!("퇴근");
    cfg["schedules"][2] = json!(1);
    let written = c
        .ok("tna.setConfig", json!({"deviceId": id, "config": cfg}))
        .await["config"]
        .clone();
    assert_eq!(written, cfg, "setConfig returns the re-read config");
    let after = c.ok("tna.getConfig", json!({"deviceId": id})).await["config"].clone();
    assert_eq!(after, cfg);
    let on_device = h.sim().tna_config(id).expect("device config");
    assert_eq!(on_device.mode, 4);
    assert_eq!(on_device.key, 3);
    assert_eq!(on_device.labels[3], "퇴근");
    h.stop().await;
}

#[tokio::test]
async fn set_config_multi_names_each_failure() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let targets = tna_devices(&c.ok("devices.list", json!({})).await);
    assert!(
        targets.len() >= 4,
        "need several T&A devices, got {targets:?}"
    );
    let (bad1, bad2) = (targets[1], targets[3]);
    h.sim().fail_set_config(bad1, true);
    h.sim().fail_set_config(bad2, true);

    let mut cfg = c.ok("tna.getConfig", json!({"deviceId": targets[0]})).await["config"].clone();
    cfg["mode"] = json!("byUser");
    cfg["isRequired"] = json!(true);
    cfg["labels"][0] = json!("Bulk in");
    let result = c
        .ok(
            "tna.setConfigMulti",
            json!({"deviceIds": targets, "config": cfg}),
        )
        .await;
    let rows = result["results"].as_array().expect("results");
    assert_eq!(rows.len(), targets.len(), "one row per device");
    for (row, &id) in rows.iter().zip(&targets) {
        assert_eq!(row["deviceId"], id, "request order");
        let failed = id == bad1 || id == bad2;
        assert_eq!(row["ok"], !failed, "{row}");
        if failed {
            assert!(row["code"].as_i64().is_some_and(|c| c != 0), "{row}");
            assert!(
                row["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{row}"
            );
            assert_ne!(
                h.sim().tna_config(id).map(|c| c.labels[0].clone()),
                Some("Bulk in".into())
            );
        } else {
            assert_eq!(
                h.sim().tna_config(id).map(|c| c.labels[0].clone()),
                Some("Bulk in".into())
            );
        }
    }
    h.stop().await;
}

#[tokio::test]
async fn get_log_pages_cover_every_id_exactly_once() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let id = tna_devices(&c.ok("devices.list", json!({})).await)[0];
    let stored = h.sim().log_count(id).expect("device logs");
    assert!(stored > 1000, "enough logs for several pages: {stored}");

    let mut seen: Vec<u64> = Vec::new();
    let mut start = 0u64;
    let mut pages = 0;
    loop {
        let page = c
            .ok(
                "tna.getLog",
                json!({"deviceId": id, "startEventId": start, "limit": 700}),
            )
            .await;
        let logs = page["logs"].as_array().expect("logs");
        assert!(logs.len() <= 700);
        for l in logs {
            assert_eq!(l["deviceId"], id);
            seen.push(l["id"].as_u64().expect("id"));
        }
        pages += 1;
        let next = page["nextStartEventId"].as_u64().expect("cursor");
        if let Some(last) = logs.last() {
            assert_eq!(next, last["id"].as_u64().unwrap() + 1);
        } else {
            assert_eq!(next, start);
        }
        if page["done"] == true {
            assert!(logs.len() < 700, "done means a short page");
            break;
        }
        start = next;
        assert!(pages < 100, "paging must end");
    }
    assert!(pages >= 2);
    assert_eq!(seen.len(), stored, "every record once");
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing, no repeats"
    );

    // Starting in the middle is inclusive.
    let mid = seen[seen.len() / 2];
    let page = c
        .ok(
            "tna.getLog",
            json!({"deviceId": id, "startEventId": mid, "limit": 3}),
        )
        .await;
    assert_eq!(page["logs"][0]["id"], mid);
    assert_eq!(page["done"], false);
    h.stop().await;
}

/// Downloads in pages of at least `read_ahead::MIN_PAGE` are read ahead: every record still
/// comes once and in order, and the log's end is read afresh — a punch made after the
/// read-ahead of the last (short) page is in that page.
#[tokio::test]
async fn read_ahead_downloads_stay_exact_and_see_new_punches() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let id = tna_devices(&c.ok("devices.list", json!({})).await)[0];
    let limit = tna_relay::read_ahead::MIN_PAGE;
    let stored = h.sim().log_count(id).expect("device logs");
    assert!(stored > 2 * limit as usize, "several full pages: {stored}");
    let mut seen: Vec<u64> = Vec::new();
    let mut start = 0u64;
    loop {
        let remaining = h.sim().log_count(id).expect("device logs") - seen.len();
        if remaining < limit as usize {
            // The next page is the short last one, already read ahead: a new punch now.
            h.sim().append_punch(id).expect("a punch");
        }
        let page = c
            .ok(
                "tna.getLog",
                json!({"deviceId": id, "startEventId": start, "limit": limit}),
            )
            .await;
        let logs = page["logs"].as_array().expect("logs");
        seen.extend(logs.iter().map(|l| l["id"].as_u64().expect("id")));
        if page["done"] == true {
            break;
        }
        start = page["nextStartEventId"].as_u64().expect("cursor");
    }
    assert_eq!(
        seen.len(),
        stored + 1,
        "every record once, and the new punch"
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order, no repeats");
    h.stop().await;
}

/// The binary subprotocol: a client that offers it gets it; log pages and every other result a
/// kiosk reads come as binary frames holding exactly what a JSON client reads, and so do errors
/// and pushes. Other results and answers to string IDs stay JSON text.
#[tokio::test]
async fn binary_subprotocol_sends_results_errors_and_pushes_as_binary_frames() {
    use tna_types::binary::{SUBPROTOCOL, ServerFrame, decode_result, read_frame};
    use tna_types::protocol::{
        ConfigResult, DevicesResult, Notification, TimeZoneResult, WhoamiResult,
    };
    use tna_types::{ConnectionStatus, JobCodeLog, LogPage, TnaLog};

    let h = Harness::start(false).await;
    let mut json_client = h.client().await;
    let id = tna_devices(&json_client.ok("devices.list", json!({})).await)[0];
    let params = json!({"deviceId": id, "startEventId": 0, "limit": 700});
    let want: LogPage<TnaLog> =
        serde_json::from_value(json_client.ok("tna.getLog", params.clone()).await).expect("page");
    assert_eq!(want.logs.len(), 700);
    let want_jobs: LogPage<JobCodeLog> =
        serde_json::from_value(json_client.ok("tna.getJobCodeLog", params.clone()).await)
            .expect("page");

    let mut ws = h.socket_with(SUBPROTOCOL).await;
    // The next answer: a binary frame (Ok) or a JSON text one (Err); pushes are kept aside.
    let mut pushes = Vec::new();
    let next = async |ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>,
                      pushes: &mut Vec<Notification>| loop {
        match tokio::time::timeout(STEP, ws.next())
            .await
            .expect("in time")
        {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
                assert!(v.get("id").is_some(), "a push as JSON text: {v}");
                return Err(v);
            }
            Some(Ok(Message::Binary(b))) => {
                if let Ok(ServerFrame::Push(n)) = read_frame(&b) {
                    pushes.push(n);
                    continue;
                }
                return Ok(b.to_vec());
            }
            Some(Ok(_)) => {}
            other => panic!("socket ended: {other:?}"),
        }
    };
    let send = |id: Value, method: &str, params: &Value| {
        Message::Text(
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
                .to_string()
                .into(),
        )
    };
    fn result_of(frame: &[u8], want_id: i64) -> &[u8] {
        match read_frame(frame) {
            Ok(ServerFrame::Result(id, body)) if id == want_id => body,
            other => panic!("not the result of {want_id}: {other:?}"),
        }
    }

    ws.send(send(json!(5), "tna.getLog", &params))
        .await
        .expect("send");
    let frame = next(&mut ws, &mut pushes).await.expect("a binary frame");
    assert_eq!(
        decode_result::<LogPage<TnaLog>>(result_of(&frame, 5)).ok(),
        Some(want)
    );
    let json_len = serde_json::to_vec(&json_client.ok("tna.getLog", params.clone()).await)
        .expect("json")
        .len();
    assert!(
        frame.len() * 3 < json_len,
        "{} vs {json_len} bytes",
        frame.len()
    );

    ws.send(send(json!(6), "tna.getJobCodeLog", &params))
        .await
        .expect("send");
    let frame = next(&mut ws, &mut pushes).await.expect("a binary frame");
    assert_eq!(
        decode_result::<LogPage<JobCodeLog>>(result_of(&frame, 6)).ok(),
        Some(want_jobs)
    );

    // What a kiosk reads: the same values as the JSON client's, typed (devices.list), or built
    // as JSON by their handler and read back into their type (session.whoami).
    let one = json!({"deviceId": id});
    for (n, method, p) in [
        (10, "devices.list", json!({})),
        (11, "tna.getConfig", one.clone()),
        (12, "system.getTimeZone", one.clone()),
        (13, "session.whoami", json!({})),
    ] {
        ws.send(send(json!(n), method, &p)).await.expect("send");
        let frame = next(&mut ws, &mut pushes).await.expect("a binary frame");
        let body = result_of(&frame, n);
        let json_result = json_client.ok(method, p).await;
        let same = match method {
            "devices.list" => {
                let got: DevicesResult = decode_result(body).expect("devices");
                assert!(
                    got.devices
                        .iter()
                        .any(|d| d.status == ConnectionStatus::Connected)
                );
                serde_json::to_value(got).ok()
            }
            "tna.getConfig" => decode_result::<ConfigResult>(body)
                .ok()
                .and_then(|r| serde_json::to_value(r).ok()),
            "system.getTimeZone" => decode_result::<TimeZoneResult>(body)
                .ok()
                .and_then(|r| serde_json::to_value(r).ok()),
            _ => decode_result::<WhoamiResult>(body)
                .ok()
                .and_then(|r| serde_json::to_value(r).ok()),
        };
        assert_eq!(same, Some(json_result), "{method}");
    }

    // A result without a binary form, and a string ID, stay JSON.
    ws.send(send(json!(7), "schedules.list", &one))
        .await
        .expect("send");
    let v = next(&mut ws, &mut pushes).await.expect_err("JSON text");
    assert_eq!(v["id"], 7);
    assert!(v["result"]["schedules"].is_array(), "{v}");
    ws.send(send(json!("eight"), "tna.getLog", &params))
        .await
        .expect("send");
    let v = next(&mut ws, &mut pushes).await.expect_err("JSON text");
    assert_eq!(v["id"], "eight");
    assert_eq!(v["result"]["logs"].as_array().map(Vec::len), Some(700));

    // An error answers in binary, with its data.
    ws.send(send(
        json!(9),
        "tna.getLog",
        &json!({"deviceId": 1, "startEventId": 0, "limit": 5}),
    ))
    .await
    .expect("send");
    let frame = next(&mut ws, &mut pushes).await.expect("a binary frame");
    match read_frame(&frame) {
        Ok(ServerFrame::Error(9, e)) => {
            assert_eq!(e.code, -32002, "{e:?}");
            assert_eq!(
                e.data.as_ref().map(|d| d["deviceId"].clone()),
                Some(json!(1))
            );
        }
        other => panic!("not an error: {other:?}"),
    }

    // A push comes in binary too.
    assert!(
        h.relay.status_stream_up(STEP).await,
        "the relay's status stream did not open"
    );
    let device = h.sim().device_ids()[2];
    h.sim().set_offline(device, true);
    let offline = |pushes: &[Notification]| {
        pushes.iter().any(|n| {
            matches!(n, Notification::DevicesStatus(c)
                if c.device_id == device && c.status == ConnectionStatus::Disconnected)
        })
    };
    while !offline(&pushes) {
        ws.send(send(json!(20), "session.whoami", &json!({})))
            .await
            .expect("send");
        let _ = next(&mut ws, &mut pushes).await.expect("a binary frame");
    }
    h.sim().set_offline(device, false);
    h.stop().await;
}

/// A console tab or kiosk of an earlier release offers `tna.bin.v1`: its browser would fail a
/// socket whose answer does not name it, so the relay names it — and answers in JSON text, which
/// such a client reads for every method.
#[tokio::test]
async fn a_client_of_the_retired_subprotocol_gets_json() {
    use tna_types::binary::RETIRED_SUBPROTOCOL;

    let h = Harness::start(false).await;
    let ws = h.socket_with(RETIRED_SUBPROTOCOL).await;
    // The JSON test client reads text frames only: a binary frame would fail it.
    let mut old = Client { ws, next_id: 1 };
    let id = tna_devices(&old.ok("devices.list", json!({})).await)[0];
    let page = old
        .ok(
            "tna.getLog",
            json!({"deviceId": id, "startEventId": 0, "limit": 10}),
        )
        .await;
    assert_eq!(page["logs"].as_array().map(Vec::len), Some(10));
    let refused = old
        .err(
            "tna.getLog",
            json!({"deviceId": 1, "startEventId": 0, "limit": 5}),
        )
        .await;
    assert_eq!(refused["code"], -32002, "{refused}");
    h.stop().await;
}

#[tokio::test]
async fn job_code_log_pages() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let id = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["jobCodeSupported"] == true && d["status"] == "connected")
        .map(|d| d["deviceId"].as_u64().unwrap())
        .expect("a job-code device");
    let page = c
        .ok(
            "tna.getJobCodeLog",
            json!({"deviceId": id, "startEventId": 0, "limit": 50}),
        )
        .await;
    let logs = page["logs"].as_array().unwrap();
    assert!(!logs.is_empty(), "seeded job-code logs");
    assert!(
        logs.iter()
            .all(|l| l["jobCode"].as_u64().is_some_and(|j| j > 0))
    );
    h.stop().await;
}

#[tokio::test]
async fn works_over_tls_with_the_generated_ca() {
    let h = Harness::start(true).await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    assert_eq!(
        list["devices"].as_array().map(Vec::len),
        Some(DEVICES as usize)
    );
    let id = tna_devices(&list)[0];
    let cfg = c.ok("tna.getConfig", json!({"deviceId": id})).await;
    assert_eq!(cfg["config"]["labels"].as_array().map(Vec::len), Some(16));
    let sched = c.ok("schedules.list", json!({"deviceId": id})).await;
    assert_eq!(sched["schedules"][0], json!({"id": 1, "name": "Always"}));
    h.stop().await;
}

#[tokio::test]
async fn tls_with_the_wrong_ca_is_refused() {
    let h = Harness::start(true).await;
    let other = tempfile::tempdir().expect("temp dir");
    gateway_sim::generate_tls(Some(other.path())).expect("other CA");
    let relay = tna_relay::start(RelayConfig::new(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        GatewayTarget::Remote {
            url: format!("https://localhost:{}", h.gateway.addr.port()),
            ca_cert: Some(other.path().join("ca.crt")),
        },
    ))
    .await
    .expect("relay starts even though the gateway will refuse it");
    let url = format!("ws://{}/ws", relay.addr());
    let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    let mut c = Client { ws, next_id: 1 };
    let err = c.err("devices.list", json!({})).await;
    assert_eq!(err["code"], -32004, "gateway unavailable: {err}");
    relay.shutdown().await;
    h.stop().await;
}

#[tokio::test]
async fn bad_input_gets_its_error_and_the_socket_keeps_working() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let id = tna_devices(&c.ok("devices.list", json!({})).await)[0];
    let good_cfg = c.ok("tna.getConfig", json!({"deviceId": id})).await["config"].clone();

    let malformed = c
        .raw(Message::Text("{\"jsonrpc\":\"2.0\",\"id\":1,".into()))
        .await;
    assert_eq!(malformed["error"]["code"], -32700);
    assert_eq!(malformed["id"], Value::Null);

    let unknown = c.err("tna.frobnicate", json!({})).await;
    assert_eq!(unknown["code"], -32601);

    // A relay without an archive or sign-in says which part it lacks (`data.reason`), so a
    // client words it in its own language.
    let no_archive = c.err("archive.status", json!({})).await;
    assert_eq!(no_archive["code"], -32007, "{no_archive}");
    assert_eq!(no_archive["data"]["reason"], "noArchive", "{no_archive}");
    let no_accounts = c.err("accounts.list", json!({})).await;
    assert_eq!(no_accounts["data"]["reason"], "noSignIn", "{no_accounts}");

    let wrong = c.err("tna.getConfig", json!({"deviceId": "seven"})).await;
    assert_eq!(wrong["code"], -32602);
    let missing = c.err("tna.getLog", json!({"deviceId": id})).await;
    assert_eq!(missing["code"], -32602);

    let mut bad_cfg = good_cfg.clone();
    bad_cfg["mode"] = json!("fixed");
    bad_cfg["key"] = Value::Null;
    bad_cfg["labels"][5] = json!("x".repeat(49));
    let invalid = c
        .err("tna.setConfig", json!({"deviceId": id, "config": bad_cfg}))
        .await;
    assert_eq!(invalid["code"], -32001);
    let fields: Vec<&str> = invalid["data"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["key", "labels[5]"]);
    assert_eq!(
        h.sim().tna_config(id).map(|c| c.labels[5].len() <= 48),
        Some(true),
        "nothing was written"
    );

    let unknown_device = c.err("tna.getConfig", json!({"deviceId": 1})).await;
    assert_eq!(unknown_device["code"], -32002);
    assert_eq!(unknown_device["data"]["deviceId"], 1);

    let page_too_big = c
        .err(
            "tna.getLog",
            json!({"deviceId": id, "startEventId": 0, "limit": 1_000_000}),
        )
        .await;
    assert_eq!(page_too_big["code"], -32008);

    let binary = c.raw(Message::Binary(vec![1u8, 2, 3].into())).await;
    assert_eq!(binary["error"]["code"], -32600);

    // The same socket still answers.
    let again = c.ok("tna.getConfig", json!({"deviceId": id})).await;
    assert_eq!(again["config"], good_cfg);
    h.stop().await;
}

#[tokio::test]
async fn offline_device_is_reported_unreachable() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let id = tna_devices(&c.ok("devices.list", json!({})).await)[0];
    h.sim().set_offline(id, true);
    let err = c.err("tna.getConfig", json!({"deviceId": id})).await;
    assert_eq!(err["code"], -32003, "{err}");
    assert_eq!(err["data"]["deviceId"], id);
    let list = c.ok("devices.list", json!({})).await;
    let row = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["deviceId"] == id)
        .cloned()
        .unwrap();
    assert_eq!(row["status"], "disconnected");
    h.stop().await;
}

#[tokio::test]
async fn healthz_answers() {
    let h = Harness::start(false).await;
    let mut s = TcpStream::connect(h.relay.addr()).await.expect("tcp");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = String::new();
    tokio::time::timeout(STEP, s.read_to_string(&mut buf))
        .await
        .expect("in time")
        .unwrap();
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(buf.ends_with("ok"), "{buf}");
    h.stop().await;
}

#[tokio::test]
async fn websocket_from_another_origin_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let h = Harness::start(false).await;
    let url = format!("ws://{}/ws", h.relay.addr());
    let mut foreign = url.clone().into_client_request().expect("request");
    foreign
        .headers_mut()
        .insert("origin", "http://evil.example".parse().expect("header"));
    let refused = tokio_tungstenite::connect_async(foreign).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
        other => panic!("expected 403, got {other:?}"),
    }
    let mut same = url.into_client_request().expect("request");
    let origin = format!("http://{}", h.relay.addr());
    same.headers_mut()
        .insert("origin", origin.parse().expect("header"));
    let (ws, _) = tokio_tungstenite::connect_async(same)
        .await
        .expect("same origin connects");
    let mut c = Client { ws, next_id: 1 };
    c.ok("devices.list", json!({})).await;
    h.stop().await;
}

/// `(a connected job-code device, a connected device without job codes)`.
fn job_code_devices(list: &Value) -> (u32, u32) {
    let devices = list["devices"].as_array().expect("devices");
    let pick = |jc: bool| {
        devices
            .iter()
            .find(|d| d["jobCodeSupported"] == jc && d["status"] == "connected")
            .and_then(|d| d["deviceId"].as_u64())
            .map(|id| id as u32)
    };
    (
        pick(true).expect("a job-code device"),
        pick(false).expect("a device without job codes"),
    )
}

fn error_fields(err: &Value) -> Vec<String> {
    err["data"]["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn job_codes_get_set_multi_and_validation() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let (jc, plain) = job_code_devices(&c.ok("devices.list", json!({})).await);

    let all = c.ok("jobCodes.get", json!({"deviceId": jc})).await;
    let users = all["users"].as_array().expect("users");
    assert!(!users.is_empty(), "seeded users");
    let uid = users[0]["userId"].as_str().expect("user id").to_string();

    let codes = json!([{"code": 901, "label": "작업 A"}, {"code": 902, "label": "Pack"}]);
    let set = c
        .ok(
            "jobCodes.set",
            json!({"deviceId": jc, "users": [{"userId": uid, "jobCodes": codes}]}),
        )
        .await;
    assert_eq!(set, json!({}));
    let back = c
        .ok("jobCodes.get", json!({"deviceId": jc, "userIds": [uid]}))
        .await;
    assert_eq!(back["users"], json!([{"userId": uid, "jobCodes": codes}]));

    // Validation failures name the field and write nothing.
    let seventeen: Vec<Value> = (1..=17).map(|n| json!({"code": n, "label": "x"})).collect();
    let cases = [
        (
            json!([{"userId": uid, "jobCodes": seventeen}]),
            "users[0].jobCodes",
        ),
        (
            json!([{"userId": uid, "jobCodes": [{"code": 5, "label": "a".repeat(17)}]}]),
            "users[0].jobCodes[0].label",
        ),
        (
            json!([{"userId": uid, "jobCodes": [{"code": 0, "label": "zero"}]}]),
            "users[0].jobCodes[0].code",
        ),
        (
            json!([{"userId": uid, "jobCodes": []}, {"userId": uid, "jobCodes": []}]),
            "users[1].userId",
        ),
        (json!([{"userId": "", "jobCodes": []}]), "users[0].userId"),
    ];
    for (users, field) in cases {
        let err = c
            .err("jobCodes.set", json!({"deviceId": jc, "users": users}))
            .await;
        assert_eq!(err["code"], -32001, "{err}");
        assert_eq!(error_fields(&err), [field], "{err}");
        let err = c
            .err(
                "jobCodes.setMulti",
                json!({"deviceIds": [jc], "users": users}),
            )
            .await;
        assert_eq!(err["code"], -32001, "{err}");
    }
    let empty = c
        .err("jobCodes.set", json!({"deviceId": jc, "users": []}))
        .await;
    assert_eq!(empty["code"], -32602);
    let missing = c.err("jobCodes.set", json!({"deviceId": jc})).await;
    assert_eq!(missing["code"], -32602);
    let extra = c
        .err(
            "jobCodes.set",
            json!({"deviceId": jc, "users": [{"userId": uid, "jobCodes": [], "pin": 1}]}),
        )
        .await;
    assert_eq!(extra["code"], -32602, "unknown fields are refused");
    let bad_id = c
        .err("jobCodes.get", json!({"deviceId": jc, "userIds": [""]}))
        .await;
    assert_eq!(bad_id["code"], -32001);
    assert_eq!(error_fields(&bad_id), ["userIds[0]"]);
    let unsupported = c.err("jobCodes.get", json!({"deviceId": plain})).await;
    assert_eq!(unsupported["code"], -32007, "{unsupported}");
    let twice = c
        .err(
            "jobCodes.setMulti",
            json!({"deviceIds": [jc, jc], "users": [{"userId": uid, "jobCodes": []}]}),
        )
        .await;
    assert_eq!(twice["code"], -32602);
    let after = c
        .ok("jobCodes.get", json!({"deviceId": jc, "userIds": [uid]}))
        .await;
    assert_eq!(after, back, "failed calls wrote nothing");

    // Multi: one row per device; the device without job codes fails with its gRPC code.
    let codes2 = json!([{"code": 77, "label": "Multi"}]);
    let multi = c
        .ok(
            "jobCodes.setMulti",
            json!({"deviceIds": [plain, jc], "users": [{"userId": uid, "jobCodes": codes2}]}),
        )
        .await;
    let rows = multi["results"].as_array().expect("results");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["deviceId"], plain);
    assert_eq!(rows[0]["ok"], false);
    assert_eq!(rows[0]["code"], 9, "FAILED_PRECONDITION: {multi}");
    assert!(rows[0]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(rows[1], json!({"deviceId": jc, "ok": true}));
    let now = c
        .ok("jobCodes.get", json!({"deviceId": jc, "userIds": [uid]}))
        .await;
    assert_eq!(now["users"][0]["jobCodes"], codes2);
    h.stop().await;
}

/// Reads a whole log with `limit`-sized pages; returns (IDs in order, pages read, last cursor).
async fn read_all(c: &mut Client, method: &str, id: u32, limit: u64) -> (Vec<u64>, usize, u64) {
    let mut seen = Vec::new();
    let mut start = 0u64;
    let mut pages = 0;
    loop {
        let page = c
            .ok(
                method,
                json!({"deviceId": id, "startEventId": start, "limit": limit}),
            )
            .await;
        pages += 1;
        let logs = page["logs"].as_array().expect("logs");
        seen.extend(logs.iter().map(|l| l["id"].as_u64().expect("id")));
        start = page["nextStartEventId"].as_u64().expect("cursor");
        if page["done"] == true {
            return (seen, pages, start);
        }
        assert!(pages < 50, "paging must end");
    }
}

/// Three pages (two full, one short) return every ID exactly once, in order; a cursor beyond the
/// last ID gives an empty page, `done`, and the same cursor back.
async fn three_pages_then_beyond(c: &mut Client, method: &str, id: u32, expected: &[u64]) {
    let n = expected.len() as u64;
    assert!(n >= 6, "{method}: enough records for three pages: {n}");
    let limit = n / 3 + 1;
    let (seen, pages, cursor) = read_all(c, method, id, limit).await;
    assert_eq!(pages, 3, "{method}: {n} records in pages of {limit}");
    assert_eq!(seen, expected, "{method}: every ID once, in order");
    assert_eq!(cursor, expected[expected.len() - 1] + 1);

    for beyond in [cursor, cursor + 1_000] {
        let page = c
            .ok(
                method,
                json!({"deviceId": id, "startEventId": beyond, "limit": 10}),
            )
            .await;
        assert_eq!(page["logs"], json!([]), "{method}: nothing beyond the end");
        assert_eq!(
            page["nextStartEventId"], beyond,
            "{method}: same cursor back"
        );
        assert_eq!(page["done"], true);
    }
}

#[tokio::test]
async fn tna_log_three_pages_and_a_cursor_beyond_the_end() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let id = tna_devices(&c.ok("devices.list", json!({})).await)[0];
    let expected: Vec<u64> = h
        .sim()
        .tna_logs(id, 0, u32::MAX)
        .expect("T&A device")
        .iter()
        .map(|l| u64::from(l.id))
        .collect();
    three_pages_then_beyond(&mut c, "tna.getLog", id, &expected).await;
    h.stop().await;
}

#[tokio::test]
async fn job_code_use_changes_only_that_field() {
    use gsdk_proto::system::GetConfigRequest;
    use gsdk_proto::system::system_client::SystemClient;

    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let (jc, plain) = job_code_devices(&c.ok("devices.list", json!({})).await);
    let mut raw = SystemClient::connect(format!("http://{}", h.gateway.addr))
        .await
        .expect("direct gRPC client");
    let mut read_raw = async |id: u32| {
        raw.get_config(GetConfigRequest { device_id: id })
            .await
            .expect("GetConfig")
            .into_inner()
            .config
            .expect("config")
    };
    let before = read_raw(jc).await;

    let got = c.ok("system.getJobCodeUse", json!({"deviceId": jc})).await;
    assert_eq!(got["enabled"], before.use_job_code);
    let flipped = c
        .ok(
            "system.setJobCodeUse",
            json!({"deviceId": jc, "enabled": !before.use_job_code}),
        )
        .await;
    assert_eq!(flipped["enabled"], !before.use_job_code, "re-read value");
    let after = read_raw(jc).await;
    let mut expected = before;
    expected.use_job_code = !before.use_job_code;
    assert_eq!(after, expected, "only useJobCode changed");
    let back = c
        .ok(
            "system.setJobCodeUse",
            json!({"deviceId": jc, "enabled": before.use_job_code}),
        )
        .await;
    assert_eq!(back["enabled"], before.use_job_code);
    assert_eq!(read_raw(jc).await, before);

    let plain_before = read_raw(plain).await;
    let refused = c
        .err(
            "system.setJobCodeUse",
            json!({"deviceId": plain, "enabled": true}),
        )
        .await;
    assert_eq!(refused["code"], -32007, "{refused}");
    assert_eq!(read_raw(plain).await, plain_before, "nothing written");

    let missing = c.err("system.setJobCodeUse", json!({"deviceId": jc})).await;
    assert_eq!(missing["code"], -32602);
    let wrong = c
        .err(
            "system.setJobCodeUse",
            json!({"deviceId": jc, "enabled": "yes"}),
        )
        .await;
    assert_eq!(wrong["code"], -32602);
    let unknown = c.err("system.getJobCodeUse", json!({"deviceId": 1})).await;
    assert_eq!(unknown["code"], -32002);
    h.stop().await;
}

#[tokio::test]
async fn job_code_log_three_pages_and_a_cursor_beyond_the_end() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let list = c.ok("devices.list", json!({})).await;
    let id = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["jobCodeSupported"] == true && d["status"] == "connected")
        .and_then(|d| d["deviceId"].as_u64())
        .expect("a job-code device") as u32;
    // The expected IDs, read in one big page (the relay's largest) straight from the relay.
    let all = c
        .ok(
            "tna.getJobCodeLog",
            json!({"deviceId": id, "startEventId": 0, "limit": 5000}),
        )
        .await;
    assert_eq!(all["done"], true, "fits one page");
    let expected: Vec<u64> = all["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_u64().unwrap())
        .collect();
    assert!(expected.windows(2).all(|w| w[0] < w[1]));
    three_pages_then_beyond(&mut c, "tna.getJobCodeLog", id, &expected).await;
    h.stop().await;
}

#[tokio::test]
async fn time_zone_comes_from_the_system_config() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    for id in tna_devices(&c.ok("devices.list", json!({})).await)
        .into_iter()
        .take(4)
    {
        let tz = c.ok("system.getTimeZone", json!({"deviceId": id})).await;
        assert_eq!(tz["deviceId"], id);
        assert_eq!(tz["timeZone"], h.sim().time_zone(id).expect("known device"));
    }
    let missing = c.err("system.getTimeZone", json!({"deviceId": 1})).await;
    assert_eq!(missing["code"], -32002);
    h.stop().await;
}

impl Client {
    /// Like `ok`, but notifications that arrive before the answer are kept in `notes`.
    async fn ok_keeping(&mut self, method: &str, params: Value, notes: &mut Vec<Value>) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
        loop {
            let v = self.next_frame().await;
            if v.get("id").is_none() {
                notes.push(v);
                continue;
            }
            assert_eq!(v["id"], id, "{v}");
            assert!(v.get("error").is_none(), "{method} failed: {v}");
            return v["result"].clone();
        }
    }

    async fn next_frame(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(STEP, self.ws.next())
                .await
                .expect("a frame in time");
            match msg {
                Some(Ok(Message::Text(t))) => {
                    return serde_json::from_str(t.as_str()).expect("JSON");
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("unexpected frame: {other:?}"),
            }
        }
    }

    /// Reads frames until `done(notes)` holds; notifications only.
    async fn notes_until(&mut self, notes: &mut Vec<Value>, done: impl Fn(&[Value]) -> bool) {
        while !done(notes) {
            let v = self.next_frame().await;
            assert!(v.get("id").is_none(), "unexpected response {v}");
            notes.push(v);
        }
    }
}

fn pushed_ids(notes: &[Value], device: u32) -> Vec<u64> {
    notes
        .iter()
        .filter(|n| n["method"] == "events.log" && n["params"]["log"]["deviceId"] == device)
        .map(|n| n["params"]["log"]["id"].as_u64().expect("id"))
        .collect()
}

/// A device going offline and back is pushed to every open socket as `devices.status`
/// (disconnected, then connected), without any request; `devices.list` agrees.
#[tokio::test]
async fn device_status_changes_are_pushed_to_every_socket() {
    let h = Harness::start(false).await;
    let mut a = h.client().await;
    let mut b = h.client().await;
    assert!(
        h.relay.status_stream_up(STEP).await,
        "the relay's status stream did not open"
    );
    let device = h.sim().device_ids()[2];
    h.sim().set_offline(device, true);
    let is_status = |n: &Value, status: &str| {
        n["method"] == "devices.status"
            && n["params"]["deviceId"] == device
            && n["params"]["status"] == status
    };
    for c in [&mut a, &mut b] {
        let mut notes = Vec::new();
        c.notes_until(&mut notes, |n| {
            n.iter().any(|n| is_status(n, "disconnected"))
        })
        .await;
        let at = notes
            .last()
            .map(|n| n["params"]["at"].as_u64().unwrap_or(0));
        assert!(
            at.is_some_and(|t| t > 1_600_000_000),
            "time of the change: {notes:?}"
        );
    }
    let list = a.ok("devices.list", json!({})).await;
    let row = list["devices"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["deviceId"] == device))
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["status"], "disconnected", "{row}");
    h.sim().set_offline(device, false);
    let mut notes = Vec::new();
    b.notes_until(&mut notes, |n| n.iter().any(|n| is_status(n, "connected")))
        .await;
    h.stop().await;
}

/// Two sockets watch one device through the relay's single gateway stream; the gateway drops its
/// stream while punches continue; both are told where the gap starts and re-reading from there
/// yields every punch exactly once.
#[tokio::test]
async fn live_events_fan_out_and_a_dropped_gateway_stream_becomes_a_gap() {
    let h = Harness::start(false).await;
    let mut a = h.client().await;
    let mut b = h.client().await;
    let device = tna_devices(&a.ok("devices.list", json!({})).await)[0];
    let stored = h.sim().log_count(device).expect("T&A device") as u64;
    let (mut na, mut nb) = (Vec::new(), Vec::new());
    let sa = a
        .ok_keeping("events.subscribe", json!({"deviceIds": [device]}), &mut na)
        .await;
    let sb = b
        .ok_keeping("events.subscribe", json!({"deviceIds": [device]}), &mut nb)
        .await;
    assert_eq!(h.sim().monitoring(device), Some(true), "monitoring enabled");
    assert_eq!(
        h.sim().realtime_subscribers(),
        1,
        "one gateway stream for both"
    );
    let next = sa["nextEventIds"][device.to_string()]
        .as_u64()
        .expect("cursor");
    assert_eq!(sb["nextEventIds"][device.to_string()], next);
    let first_id = h
        .sim()
        .tna_logs(device, 0, 1)
        .and_then(|l| l.first().map(|l| u64::from(l.id)))
        .expect("a first log");
    assert_eq!(
        next,
        first_id + stored,
        "the cursor is one past the last stored ID"
    );

    // Live punches reach both sockets.
    let mut generated = Vec::new();
    for _ in 0..5 {
        generated.push(u64::from(h.sim().append_punch(device).expect("punch").id));
    }
    let want = generated.clone();
    a.notes_until(&mut na, |n| pushed_ids(n, device) == want)
        .await;
    b.notes_until(&mut nb, |n| pushed_ids(n, device) == want)
        .await;

    // The gateway drops the stream; punches made before the relay is back are not streamed.
    h.sim().drop_realtime_streams();
    for _ in 0..3 {
        generated.push(u64::from(h.sim().append_punch(device).expect("punch").id));
    }
    let gap_from = generated[5];
    for (c, notes) in [(&mut a, &mut na), (&mut b, &mut nb)] {
        c.notes_until(notes, |n| n.iter().any(|n| n["method"] == "events.gap"))
            .await;
        let gap = notes
            .iter()
            .find(|n| n["method"] == "events.gap")
            .expect("gap")["params"]
            .clone();
        assert_eq!(gap["deviceId"], device);
        assert!(
            gap["fromEventId"].as_u64().expect("from") <= gap_from,
            "the gap starts at or before the first missed ID: {gap}"
        );
        // Fill from the gap, then keep everything once.
        let page = c
            .ok(
                "tna.getLog",
                json!({"deviceId": device, "startEventId": gap["fromEventId"], "limit": 100}),
            )
            .await;
        let mut seen: std::collections::BTreeSet<u64> =
            pushed_ids(notes, device).into_iter().collect();
        for l in page["logs"].as_array().expect("logs") {
            seen.insert(l["id"].as_u64().expect("id"));
        }
        let want: std::collections::BTreeSet<u64> = generated.iter().copied().collect();
        assert_eq!(seen, want, "every generated punch, once");
    }

    // After recovery, live punches flow again (to both).
    let after = u64::from(h.sim().append_punch(device).expect("punch").id);
    a.notes_until(&mut na, |n| pushed_ids(n, device).contains(&after))
        .await;
    b.notes_until(&mut nb, |n| pushed_ids(n, device).contains(&after))
        .await;

    // Unsubscribe: a's subscription ends; an unknown one is refused.
    let sub = sa["subscriptionId"].clone();
    let mut ignore = Vec::new();
    a.ok_keeping(
        "events.unsubscribe",
        json!({"subscriptionId": sub}),
        &mut ignore,
    )
    .await;
    let again = a
        .call("events.unsubscribe", json!({"subscriptionId": sub}))
        .await;
    assert_eq!(again["error"]["code"], -32602, "{again}");
    assert_eq!(
        h.relay.event_subscriptions(),
        1,
        "only b's subscription is left"
    );
    h.stop().await;
}

/// Monitoring is switched on once per device however many sockets subscribe, and one socket's
/// subscriptions are capped.
#[tokio::test]
async fn monitoring_once_per_device_and_subscriptions_capped_per_socket() {
    let h = Harness::start(false).await;
    let mut a = h.client().await;
    let mut b = h.client().await;
    let listed = a.ok("devices.list", json!({})).await;
    let ids: Vec<u64> = listed["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["status"] == "connected")
        .filter_map(|d| d["deviceId"].as_u64())
        .take(3)
        .collect();
    assert_eq!(ids.len(), 3, "{listed}");
    let before = h.relay.monitoring_calls();
    a.ok("events.subscribe", json!({"deviceIds": [ids[0], ids[1]]}))
        .await;
    b.ok(
        "events.subscribe",
        json!({"deviceIds": [ids[0], ids[1], ids[2]]}),
    )
    .await;
    a.ok("events.subscribe", json!({"deviceIds": [ids[2]]}))
        .await;
    assert_eq!(
        h.relay.monitoring_calls() - before,
        3,
        "three devices, each asked once"
    );
    // a holds 2; it may hold MAX_SUBSCRIPTIONS_PER_SOCKET in all.
    let cap = tna_relay::fanout::MAX_SUBSCRIPTIONS_PER_SOCKET;
    for _ in 2..cap {
        a.ok("events.subscribe", json!({"deviceIds": [ids[0]]}))
            .await;
    }
    let refused = a
        .err("events.subscribe", json!({"deviceIds": [ids[0]]}))
        .await;
    assert_eq!(refused["code"], -32008, "{refused}");
    assert_eq!(refused["data"]["limit"], cap, "{refused}");
    assert_eq!(refused["data"]["what"], "subscriptions", "{refused}");
    // Another socket is not affected.
    b.ok("events.subscribe", json!({"deviceIds": [ids[0]]}))
        .await;
    h.stop().await;
}

#[tokio::test]
async fn subscribe_rejects_bad_device_lists() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let empty = c.err("events.subscribe", json!({"deviceIds": []})).await;
    assert_eq!(empty["code"], -32602);
    let unknown = c.err("events.subscribe", json!({"deviceIds": [1]})).await;
    assert_eq!(unknown["code"], -32002);
    let dup = c
        .err("events.subscribe", json!({"deviceIds": [5, 5]}))
        .await;
    assert_eq!(dup["code"], -32602);
    assert_eq!(h.relay.event_subscriptions(), 0);
    h.stop().await;
}

#[tokio::test]
async fn close_sockets_closes_open_sockets_only() {
    let h = Harness::start(false).await;
    let mut old = h.client().await;
    h.relay.close_sockets();
    // The open socket is closed by the relay…
    let end = tokio::time::timeout(STEP, old.ws.next())
        .await
        .expect("closed in time");
    assert!(
        matches!(end, None | Some(Ok(Message::Close(_))) | Some(Err(_))),
        "{end:?}"
    );
    // …and a socket opened afterwards works.
    let mut new = h.client().await;
    new.ok("devices.list", json!({})).await;
    h.stop().await;
}

/// Records/s of a 100,000-record download in pages of 5,000: through the relay (WebSocket +
/// JSON) vs a direct gRPC client of the same emulator. A measurement, not a check: run with
/// `cargo test -p tna-relay --release --test relay -- --ignored throughput --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run by hand"]
async fn throughput_relay_vs_direct_grpc() {
    use gsdk_proto::tna::GetTnaLogRequest;
    use gsdk_proto::tna::tna_client::TnaClient;

    const N: u32 = 100_000;
    const PAGE: u32 = 5_000;
    let sim = SimConfig {
        devices: 2,
        logs_per_device: N,
        seed: 7,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(Gateway::new(sim), loopback, None)
        .await
        .expect("gateway");
    let relay = tna_relay::start(RelayConfig::new(
        loopback,
        GatewayTarget::Remote {
            url: format!("http://{}", gateway.addr),
            ca_cert: None,
        },
    ))
    .await
    .expect("relay");
    let url = format!("ws://{}/ws", relay.addr());
    let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    let mut c = Client { ws, next_id: 1 };
    let id = tna_devices(&c.ok("devices.list", json!({})).await)[0];
    let stored = gateway.gateway.log_count(id).expect("count");

    let t = std::time::Instant::now();
    let (ids, _, _) = read_all(&mut c, "tna.getLog", id, u64::from(PAGE)).await;
    let relay_secs = t.elapsed().as_secs_f64();
    assert_eq!(ids.len(), stored);

    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", gateway.addr))
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut direct = TnaClient::new(channel).max_decoding_message_size(64 << 20);
    let t = std::time::Instant::now();
    let (mut start, mut read) = (0u32, 0usize);
    loop {
        let page = direct
            .get_tna_log(GetTnaLogRequest {
                device_id: id,
                start_event_id: start,
                max_num_of_log: PAGE,
                filter: None,
            })
            .await
            .expect("page")
            .into_inner()
            .tna_events;
        read += page.len();
        let Some(last) = page.last() else { break };
        start = last.id + 1;
        if page.len() < PAGE as usize {
            break;
        }
    }
    let direct_secs = t.elapsed().as_secs_f64();
    assert_eq!(read, stored);
    let (r, d) = (stored as f64 / relay_secs, stored as f64 / direct_secs);
    eprintln!(
        "{stored} records in pages of {PAGE}: relay {r:.0} records/s ({relay_secs:.2} s), \
         direct gRPC {d:.0} records/s ({direct_secs:.2} s), relay/direct = {:.2}",
        r / d
    );
    relay.shutdown().await;
    gateway.shutdown().await;
}

#[tokio::test]
async fn subscribe_keeps_unreachable_devices_without_a_cursor() {
    let h = Harness::start(false).await;
    let mut c = h.client().await;
    let ids = tna_devices(&c.ok("devices.list", json!({})).await);
    let (up, down) = (ids[0], ids[1]);
    h.sim().set_offline(down, true);
    let mut notes = Vec::new();
    let r = c
        .ok_keeping(
            "events.subscribe",
            json!({"deviceIds": [up, down]}),
            &mut notes,
        )
        .await;
    let cursors = r["nextEventIds"].as_object().expect("map");
    assert!(cursors.contains_key(&up.to_string()), "{r}");
    assert!(!cursors.contains_key(&down.to_string()), "{r}");
    // The reachable device streams.
    let id = u64::from(h.sim().append_punch(up).expect("punch").id);
    c.notes_until(&mut notes, |n| pushed_ids(n, up).contains(&id))
        .await;
    h.stop().await;
}

/// A client that reads nothing while events pour in is let go after `SLOW_SOCKET_LIMIT` (its
/// connection ends), while a client that keeps up on the same stream gets every event.
#[tokio::test]
async fn a_socket_that_reads_nothing_is_closed_and_others_keep_up() {
    let h = Harness::start(false).await;
    let mut slow = h.client().await;
    let mut fast = h.client().await;
    let device = tna_devices(&fast.ok("devices.list", json!({})).await)[0];
    let (mut ns, mut nf) = (Vec::new(), Vec::new());
    slow.ok_keeping("events.subscribe", json!({"deviceIds": [device]}), &mut ns)
        .await;
    fast.ok_keeping("events.subscribe", json!({"deviceIds": [device]}), &mut nf)
        .await;
    // Enough events to fill the slow socket's queue, outbox and TCP buffers many times over;
    // the fast client reads as they come.
    const PUNCHES: usize = 60_000;
    let mut received = 0usize;
    const BURST: usize = 100;
    let mut gaps = 0;
    for chunk in 0..PUNCHES / BURST {
        for _ in 0..BURST {
            h.sim().append_punch(device).expect("punch");
        }
        let want = (chunk + 1) * BURST;
        while received < want {
            let v = fast.next_frame().await;
            match v["method"].as_str() {
                Some("events.log") => received += 1,
                Some("events.gap") => gaps += 1,
                _ => {}
            }
            assert_eq!(gaps, 0, "the client that keeps up was told of a gap: {v}");
        }
    }
    assert_eq!(received, PUNCHES, "the client that keeps up missed nothing");
    // Past the limit, the slow socket's connection ends: reading now drains what was buffered
    // and then meets the end, instead of waiting forever.
    tokio::time::sleep(tna_relay::fanout::SLOW_SOCKET_LIMIT + Duration::from_secs(2)).await;
    let ended = tokio::time::timeout(STEP, async {
        loop {
            match slow.ws.next().await {
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                _ => return,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the slow socket is still open");
    // The relay still serves everyone else.
    assert!(
        fast.ok("devices.list", json!({}))
            .await
            .get("devices")
            .is_some()
    );
    h.stop().await;
}
