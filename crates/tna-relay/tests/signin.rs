//! Sign-in and roles against a real relay on loopback: HTTP sign-in sets the session cookie,
//! `/ws` refuses sockets without a session, every method is checked against the caller's role
//! (table-driven, every role × a method of each class), sign-out ends the session on sockets
//! already open, failed sign-ins are rate-limited, and a kiosk enrols with a one-time code.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};

use serde_json::{Value, json};
use tna_relay::RunningRelay;
use tna_relay::auth::Auth;
use tna_types::Role;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

mod support;

const STEP: Duration = Duration::from_secs(10);
const PASSWORD: &str = "a-long-enough-password";

struct Harness {
    gateway: RunningGateway,
    relay: RunningRelay,
}

impl Harness {
    async fn start() -> Harness {
        let sim = SimConfig {
            devices: 8,
            logs_per_device: 20,
            seed: 3,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: None,
        };
        let auth = Auth::in_memory_fast_for_tests();
        for role in Role::ALL {
            auth.create_account(role.name(), PASSWORD, role)
                .expect("account");
        }
        let (gateway, relay) =
            support::sim_and_relay(sim, Some(auth), Some("hint text".into())).await;
        Harness { gateway, relay }
    }

    fn sim(&self) -> &Gateway {
        &self.gateway.gateway
    }

    /// One HTTP/1.1 request; the status, the `Set-Cookie` session token (if any) and the body.
    async fn http(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Option<String>, Value) {
        let a = support::http(self.relay.addr(), method, path, cookie, body, STEP).await;
        (a.status, a.token, a.body)
    }

    async fn sign_in(&self, user: &str) -> String {
        let (status, token, body) = self
            .http(
                "POST",
                "/api/session",
                None,
                Some(json!({"username": user, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "sign in as {user}: {body}");
        assert_eq!(body["role"], user, "{body}");
        token.expect("a session cookie")
    }

    /// A WebSocket with the session cookie; `Err(status)` when the upgrade is refused.
    async fn socket(&self, token: Option<&str>) -> Result<Ws, u16> {
        let mut req = format!("ws://{}/ws", self.relay.addr())
            .into_client_request()
            .expect("request");
        if let Some(t) = token {
            let v = HeaderValue::from_str(&format!("tna_session={t}")).expect("header");
            req.headers_mut().insert("cookie", v);
        }
        match tokio::time::timeout(STEP, tokio_tungstenite::connect_async(req))
            .await
            .expect("upgrade in time")
        {
            Ok((ws, _)) => Ok(Ws { ws, next_id: 1 }),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
            Err(e) => panic!("unexpected websocket error: {e}"),
        }
    }
}

struct Ws {
    ws: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
    next_id: i64,
}

impl Ws {
    /// The response to `method(params)` (notifications skipped).
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.ws
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
        loop {
            let msg = tokio::time::timeout(STEP, self.ws.next())
                .await
                .expect("answer in time");
            if let Some(Ok(Message::Text(t))) = msg {
                let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
                if v["id"] == id {
                    return v;
                }
            } else if !matches!(msg, Some(Ok(Message::Ping(_) | Message::Pong(_)))) {
                panic!("unexpected frame {msg:?}");
            }
        }
    }
}

/// A method of each class with valid params for `device`, and the lowest role that may call it.
fn cases(device: u32, config: &Value) -> Vec<(&'static str, Value, Role)> {
    vec![
        ("devices.list", json!({}), Role::Kiosk),
        ("tna.getConfig", json!({"deviceId": device}), Role::Kiosk),
        (
            "tna.getLog",
            json!({"deviceId": device, "startEventId": 0, "limit": 5}),
            Role::Kiosk,
        ),
        ("schedules.list", json!({"deviceId": device}), Role::Viewer),
        ("jobCodes.get", json!({"deviceId": device}), Role::Viewer),
        (
            "tna.setConfig",
            json!({"deviceId": device, "config": config}),
            Role::Operator,
        ),
        ("accounts.list", json!({}), Role::Admin),
        (
            "kiosk.pair",
            json!({"name": "lobby", "scope": {"allDevices": true}}),
            Role::Admin,
        ),
    ]
}

#[tokio::test]
async fn every_role_gets_exactly_its_methods() {
    let h = Harness::start().await;
    let device = h
        .sim()
        .device_ids()
        .into_iter()
        .find(|&d| h.sim().tna_supported(d) == Some(true))
        .expect("a T&A device");
    let admin = h.sign_in("admin").await;
    let mut a = h.socket(Some(&admin)).await.expect("admin socket");
    let config =
        a.call("tna.getConfig", json!({"deviceId": device})).await["result"]["config"].clone();
    for role in Role::ALL {
        let token = h.sign_in(role.name()).await;
        let mut ws = h.socket(Some(&token)).await.expect("socket");
        let who = ws.call("session.whoami", json!({})).await;
        assert_eq!(who["result"]["role"], role.name(), "{who}");
        assert_eq!(who["result"]["username"], role.name(), "{who}");
        for (method, params, lowest) in cases(device, &config) {
            let resp = ws.call(method, params).await;
            if role >= lowest {
                assert!(
                    resp.get("error").is_none() || resp["error"]["code"] != -32006,
                    "{} may call {method}: {resp}",
                    role.name()
                );
            } else {
                assert_eq!(
                    resp["error"]["code"],
                    -32006,
                    "{} must not call {method}: {resp}",
                    role.name()
                );
                let msg = resp["error"]["message"].as_str().unwrap_or_default();
                assert!(
                    msg.contains(role.name()),
                    "the refusal names the role: {msg}"
                );
            }
        }
    }
    h.relay.shutdown().await;
    h.gateway.shutdown().await;
}

#[tokio::test]
async fn no_session_no_socket_and_sign_out_ends_open_sockets() {
    let h = Harness::start().await;
    assert_eq!(h.socket(None).await.err(), Some(401), "no cookie");
    assert_eq!(
        h.socket(Some("forged-token")).await.err(),
        Some(401),
        "unknown token"
    );
    let (status, _, body) = h.http("GET", "/api/session", None, None).await;
    assert_eq!(status, 401);
    assert_eq!(body["hint"], "hint text", "the sign-in page's hint: {body}");

    let token = h.sign_in("operator").await;
    let (status, _, body) = h.http("GET", "/api/session", Some(&token), None).await;
    assert_eq!((status, &body["role"]), (200, &json!("operator")), "{body}");
    assert!(
        body.get("token").is_none(),
        "GET never repeats the token: {body}"
    );
    let mut ws = h.socket(Some(&token)).await.expect("socket");
    assert!(
        ws.call("devices.list", json!({}))
            .await
            .get("result")
            .is_some()
    );

    let (status, _, _) = h.http("DELETE", "/api/session", Some(&token), None).await;
    assert_eq!(status, 204);
    // The open socket's next request is refused, with the hint to sign in again.
    let resp = ws.call("devices.list", json!({})).await;
    assert_eq!(resp["error"]["code"], -32006, "{resp}");
    assert_eq!(resp["error"]["data"]["signIn"], true, "{resp}");
    assert_eq!(
        h.socket(Some(&token)).await.err(),
        Some(401),
        "token is dead"
    );
    // And the open socket is closed soon after, so no more pushes reach a signed-out user.
    let closed = tokio::time::timeout(tna_relay::signin::SESSION_RECHECK * 3, async {
        loop {
            match ws.ws.next().await {
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                _ => return,
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the signed-out socket stayed open");
    h.relay.shutdown().await;
    h.gateway.shutdown().await;
}

#[tokio::test]
async fn wrong_passwords_are_rate_limited_and_say_nothing_about_the_user() {
    let h = Harness::start().await;
    let attempt = |user: &'static str, password: &'static str| {
        let h = &h;
        async move {
            h.http(
                "POST",
                "/api/session",
                None,
                Some(json!({"username": user, "password": password})),
            )
            .await
        }
    };
    let (s1, t1, b1) = attempt("viewer", "wrong-password-1").await;
    let (s2, _, b2) = attempt("nobody", "wrong-password-1").await;
    assert_eq!((s1, s2), (401, 401));
    assert!(t1.is_none(), "no cookie on failure");
    assert_eq!(b1, b2, "unknown user and wrong password look the same");
    assert_eq!(b1["reason"], "badCredentials", "{b1}");
    // A few more, and the client is made to wait (the delays, with the right password too, are
    // in signin_clients.rs on a hand-moved clock).
    let mut delayed = None;
    for _ in 0..10 {
        let (status, token, body) = attempt("viewer", "wrong-password-2").await;
        assert!(token.is_none());
        if status == 429 {
            delayed = Some(body);
            break;
        }
        assert_eq!(status, 401, "{body}");
    }
    let body = delayed.expect("a 429 after a few wrong passwords");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or_default()
            .contains("try again in"),
        "{body}"
    );
    assert_eq!(body["reason"], "rateLimited", "{body}");
    assert!(
        body["retryAfterSecs"].as_u64().is_some_and(|s| s > 0),
        "{body}"
    );
    // Malformed bodies get a clear 400, not a panic.
    let (status, _, body) = h
        .http("POST", "/api/session", None, Some(json!({"user": 1})))
        .await;
    assert_eq!(status, 400, "{body}");
    h.relay.shutdown().await;
    h.gateway.shutdown().await;
}

#[tokio::test]
async fn a_kiosk_pairs_once_and_sees_only_the_kiosk_methods() {
    let h = Harness::start().await;
    let admin = h.sign_in("admin").await;
    let mut a = h.socket(Some(&admin)).await.expect("admin socket");
    let all = a.call("devices.list", json!({})).await;
    let ids: Vec<u64> = all["result"]["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["deviceId"].as_u64())
        .collect();
    assert!(ids.len() >= 3, "{all}");
    // A pairing must say what the kiosk shows.
    let unscoped = a.call("kiosk.pair", json!({"name": "lobby-tablet"})).await;
    assert_eq!(unscoped["error"]["code"], -32602, "{unscoped}");
    assert!(
        unscoped["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("scope")),
        "{unscoped}"
    );
    let pairing = a
        .call(
            "kiosk.pair",
            json!({"name": "lobby-tablet", "scope": {"devices": [ids[0], ids[1]]}}),
        )
        .await;
    let code = pairing["result"]["code"]
        .as_str()
        .expect("a pairing code")
        .to_string();
    let (status, token, body) = h
        .http("POST", "/api/kiosk/pair", None, Some(json!({"code": code})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["role"], "kiosk", "{body}");
    let token = token.expect("kiosk cookie");
    let mut k = h.socket(Some(&token)).await.expect("kiosk socket");

    // Its devices only, without addresses.
    let listed = k.call("devices.list", json!({})).await;
    let seen: Vec<&Value> = listed["result"]["devices"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let seen_ids: Vec<u64> = seen.iter().filter_map(|d| d["deviceId"].as_u64()).collect();
    assert_eq!(seen_ids, [ids[0], ids[1]], "{listed}");
    assert!(seen.iter().all(|d| d["address"] == ""), "{listed}");
    // Another device is refused, by name, in every kiosk method that names one.
    for (method, params) in [
        ("tna.getConfig", json!({"deviceId": ids[2]})),
        ("system.getTimeZone", json!({"deviceId": ids[2]})),
        (
            "tna.getLog",
            json!({"deviceId": ids[2], "startEventId": 0, "limit": 5}),
        ),
        ("events.subscribe", json!({"deviceIds": [ids[0], ids[2]]})),
    ] {
        let r = k.call(method, params).await;
        assert_eq!(r["error"]["code"], -32006, "{method}: {r}");
        assert_eq!(r["error"]["data"]["deviceId"], ids[2], "{method}: {r}");
    }
    assert!(
        k.call("tna.getConfig", json!({"deviceId": ids[0]}))
            .await
            .get("result")
            .is_some()
    );
    // Today's punches only: the emulator's history goes back weeks, the admin sees it all.
    let today = {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        now - now % 86_400
    };
    let read = json!({"deviceId": ids[0], "startEventId": 0, "limit": 1000});
    let full = a.call("tna.getLog", read.clone()).await;
    let kiosk_view = k.call("tna.getLog", read).await;
    let stamps = |v: &Value| -> Vec<u64> {
        v["result"]["logs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["timestamp"].as_u64())
            .collect()
    };
    assert!(stamps(&full).iter().any(|&t| t < today), "{full}");
    assert!(
        stamps(&kiosk_view).iter().all(|&t| t >= today),
        "{kiosk_view}"
    );
    assert_eq!(
        stamps(&kiosk_view).len(),
        stamps(&full).iter().filter(|&&t| t >= today).count()
    );
    assert_eq!(
        kiosk_view["result"]["nextStartEventId"], full["result"]["nextStartEventId"],
        "the cursor moves past what the kiosk may not see"
    );
    let listed = a.call("kiosk.list", json!({})).await;
    assert_eq!(
        listed["result"]["kiosks"][0]["scope"],
        json!({"devices": [ids[0], ids[1]]}),
        "{listed}"
    );
    let refused = k.call("accounts.list", json!({})).await;
    assert_eq!(refused["error"]["code"], -32006, "{refused}");
    // The admin sees the tablet and can unpair it: its session ends at once.
    assert_eq!(
        listed["result"]["kiosks"][0]["name"], "lobby-tablet",
        "{listed}"
    );
    let revoked = a
        .call("kiosk.revoke", json!({"name": "lobby-tablet"}))
        .await;
    assert!(revoked.get("result").is_some(), "{revoked}");
    let after = k.call("devices.list", json!({})).await;
    assert_eq!(after["error"]["data"]["signIn"], true, "{after}");
    let listed = a.call("kiosk.list", json!({})).await;
    assert_eq!(listed["result"]["kiosks"], json!([]), "{listed}");
    let unknown = a
        .call("kiosk.revoke", json!({"name": "no-such-tablet"}))
        .await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    // The code works once.
    let (again, _, _) = h
        .http("POST", "/api/kiosk/pair", None, Some(json!({"code": code})))
        .await;
    assert_eq!(again, 401);
    h.relay.shutdown().await;
    h.gateway.shutdown().await;
}
