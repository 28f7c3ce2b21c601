//! `--public-origin` behind a TLS proxy, on a real relay over loopback (the relay itself speaks
//! plain HTTP, as behind a proxy): only pages of exactly that origin may sign in and open `/ws`,
//! the session cookie is `Secure` and `__Host-` prefixed (a plain `tna_session` cookie no longer
//! counts), and every response carries HSTS. Without it, no HSTS and the plain cookie.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::json;
use tna_relay::auth::Auth;
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::Role;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

mod support;

const STEP: Duration = Duration::from_secs(10);
const PASSWORD: &str = "a-long-enough-password";
const PUBLIC: &str = "https://tna.example.com";

async fn relay(public_origin: Option<&str>) -> RunningRelay {
    let auth = Auth::in_memory_fast_for_tests();
    auth.create_account("anna", PASSWORD, Role::Viewer)
        .expect("account");
    tna_relay::start(RelayConfig {
        auth: Some(auth),
        public_origin: public_origin.map(str::to_string),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            // Nothing answers there: sign-in and the socket upgrade need no gateway.
            GatewayTarget::Remote {
                url: "http://127.0.0.1:9".into(),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("the relay starts")
}

/// `POST /api/session` from a page of `origin`.
async fn sign_in(relay: &RunningRelay, origin: &str) -> support::RawAnswer {
    let body = json!({"username": "anna", "password": PASSWORD}).to_string();
    support::request(
        relay.addr(),
        "POST",
        "/api/session",
        &[("Origin", origin), ("Content-Type", "application/json")],
        &body,
        STEP,
    )
    .await
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A `/ws` upgrade from `origin` with `cookie`: the HTTP status it got (101 when it opened).
async fn upgrade(relay: &RunningRelay, origin: &str, cookie: &str) -> u16 {
    let mut req = format!("ws://{}/ws", relay.addr())
        .into_client_request()
        .expect("request");
    let h = req.headers_mut();
    h.insert("origin", HeaderValue::from_str(origin).expect("origin"));
    h.insert("cookie", HeaderValue::from_str(cookie).expect("cookie"));
    match tokio::time::timeout(STEP, tokio_tungstenite::connect_async(req))
        .await
        .expect("upgrade in time")
    {
        Ok((_ws, resp)) => resp.status().as_u16(),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("unexpected websocket error: {e}"),
    }
}

#[tokio::test]
async fn an_https_public_origin_means_exact_origins_host_cookies_and_hsts() {
    let relay = relay(Some(PUBLIC)).await;

    // A page of the proxy's origin signs in: the cookie is Secure and __Host-.
    let ok = sign_in(&relay, PUBLIC).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let cookie = header(&ok.head, "set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("__Host-tna_session="), "{cookie}");
    for attribute in ["; Secure", "; Path=/", "; HttpOnly", "; SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let token = cookie
        .trim_start_matches("__Host-tna_session=")
        .split(';')
        .next()
        .expect("token")
        .to_string();
    assert_eq!(
        header(&ok.head, "strict-transport-security"),
        Some("max-age=31536000"),
        "{}",
        ok.head
    );

    // Origins are compared exactly: scheme, host and port; the Host header no longer decides.
    let own_host = format!("http://{}", relay.addr());
    for other in [
        "http://tna.example.com",
        "https://tna.example.com:8443",
        "https://evil.tna.example.com",
        own_host.as_str(),
    ] {
        let refused = sign_in(&relay, other).await;
        assert_eq!(refused.status, 403, "{other}: {}", refused.body);
    }
    assert_eq!(
        sign_in(&relay, "https://TNA.example.com:443").await.status,
        200
    );

    // Every response carries HSTS, the console's files and health checks too.
    for path in ["/healthz", "/api/session", "/"] {
        let (status, head) = {
            let a = support::request(relay.addr(), "GET", path, &[], "", STEP).await;
            (a.status, a.head)
        };
        assert!(status > 0, "{path}");
        assert_eq!(
            header(&head, "strict-transport-security"),
            Some("max-age=31536000"),
            "{path}: {head}"
        );
    }

    // The socket opens with the __Host- cookie from the public origin only; a plain
    // tna_session cookie (planted over HTTP or by a sibling subdomain) does not count.
    let host_cookie = format!("__Host-tna_session={token}");
    assert_eq!(upgrade(&relay, PUBLIC, &host_cookie).await, 101);
    assert_eq!(upgrade(&relay, &own_host, &host_cookie).await, 403);
    assert_eq!(
        upgrade(&relay, PUBLIC, &format!("tna_session={token}")).await,
        401
    );
    relay.shutdown().await;
}

#[tokio::test]
async fn without_a_public_origin_plain_http_keeps_the_plain_cookie_and_no_hsts() {
    let relay = relay(None).await;
    let own = format!("http://{}", relay.addr());
    let ok = sign_in(&relay, &own).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let cookie = header(&ok.head, "set-cookie").expect("a session cookie");
    assert!(cookie.starts_with("tna_session="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(header(&ok.head, "strict-transport-security"), None);
    // Another scheme on the same host and port is another origin.
    let https_page = format!("https://{}", relay.addr());
    assert_eq!(sign_in(&relay, &https_page).await.status, 403);
    relay.shutdown().await;
}
