//! The relay serving HTTPS itself: with a certificate and key (made here by the emulator's
//! test CA), `/healthz` answers over TLS, a `wss://` socket works end to end, and plain HTTP on
//! the same port gets no answer. A missing or mismatched key fails at start with a message that
//! names the file.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use tna_relay::tls::TlsFiles;
use tna_relay::{GatewayTarget, RelayConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::Message;

const STEP: Duration = Duration::from_secs(10);

fn connector(ca_pem: &str) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()).flatten() {
        roots.add(cert).expect("CA certificate");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

fn config(gateway: SocketAddr, tls: Option<TlsFiles>) -> RelayConfig {
    RelayConfig {
        tls,
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Remote {
                url: format!("http://{gateway}"),
                ca_cert: None,
            },
        )
    }
}

#[tokio::test]
async fn serves_https_and_wss_with_its_own_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let material = gateway_sim::generate_tls(Some(dir.path())).expect("certificates");
    let sim = SimConfig {
        devices: 4,
        logs_per_device: 5,
        seed: 2,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    };
    let gateway = gateway_sim::start(
        Gateway::new(sim),
        SocketAddr::from(([127, 0, 0, 1], 0)),
        None,
    )
    .await
    .expect("gateway");
    let files = TlsFiles {
        cert: dir.path().join("server.crt"),
        key: dir.path().join("server.key"),
    };
    let relay = tna_relay::start(config(gateway.addr, Some(files)))
        .await
        .expect("relay starts with TLS");
    assert!(relay.url().starts_with("https://"), "{}", relay.url());
    let tls = connector(&material.ca_cert_pem);
    let name = ServerName::try_from("localhost").expect("name");

    // HTTPS
    let tcp = TcpStream::connect(relay.addr()).await.expect("tcp");
    let mut stream = tokio::time::timeout(STEP, tls.connect(name.clone(), tcp))
        .await
        .expect("handshake in time")
        .expect("TLS handshake with the test CA");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("send");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(STEP, stream.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // wss://
    let tcp = TcpStream::connect(relay.addr()).await.expect("tcp");
    let stream = tls.connect(name, tcp).await.expect("TLS");
    let (mut ws, _) = tokio_tungstenite::client_async("wss://localhost/ws", stream)
        .await
        .expect("websocket over TLS");
    let req = json!({"jsonrpc": "2.0", "id": 1, "method": "devices.list"});
    ws.send(Message::Text(req.to_string().into()))
        .await
        .expect("send");
    let reply = loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("answer in time");
        if let Some(Ok(Message::Text(t))) = msg {
            let v: Value = serde_json::from_str(t.as_str()).expect("JSON");
            if v["id"] == 1 {
                break v;
            }
        }
    };
    assert_eq!(
        reply["result"]["devices"].as_array().map(Vec::len),
        Some(4),
        "{reply}"
    );

    // Plain HTTP on the TLS port: refused, nothing served in clear text.
    let mut plain = TcpStream::connect(relay.addr()).await.expect("tcp");
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .expect("send");
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(STEP, plain.read_to_end(&mut buf)).await;
    assert!(
        !String::from_utf8_lossy(&buf).contains("200 OK"),
        "plain HTTP must not be served"
    );
    relay.shutdown().await;
    gateway.shutdown().await;
}

#[tokio::test]
async fn unusable_certificate_files_fail_at_start_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    gateway_sim::generate_tls(Some(dir.path())).expect("certificates");
    let gateway_addr = SocketAddr::from(([127, 0, 0, 1], 9));
    let missing = TlsFiles {
        cert: dir.path().join("nope.crt"),
        key: dir.path().join("server.key"),
    };
    let err = tna_relay::start(config(gateway_addr, Some(missing)))
        .await
        .err()
        .expect("a missing certificate is an error");
    assert!(err.to_string().contains("nope.crt"), "{err}");
    // A key that does not belong to the certificate (the CA's certificate with the server key).
    let mismatched = TlsFiles {
        cert: dir.path().join("ca.crt"),
        key: dir.path().join("server.key"),
    };
    let err = tna_relay::start(config(gateway_addr, Some(mismatched)))
        .await
        .err()
        .expect("a mismatched key is an error");
    assert!(err.to_string().contains("cannot be used together"), "{err}");
    let not_pem = TlsFiles {
        cert: dir.path().join("server.key"),
        key: dir.path().join("server.key"),
    };
    let err = tna_relay::start(config(gateway_addr, Some(not_pem)))
        .await
        .err()
        .expect("a key file as certificate is an error");
    assert!(err.to_string().contains("no certificate"), "{err}");
}

/// Over TLS too, a client that finishes its handshake but never its headers is cut off after
/// the header-read timeout (issue #14).
#[tokio::test]
async fn a_tls_client_that_never_finishes_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    let material = gateway_sim::generate_tls(Some(dir.path())).expect("certificates");
    let files = TlsFiles {
        cert: dir.path().join("server.crt"),
        key: dir.path().join("server.key"),
    };
    // No gateway is called.
    let relay = tna_relay::start(config(SocketAddr::from(([127, 0, 0, 1], 9)), Some(files)))
        .await
        .expect("relay starts with TLS");
    let tls = connector(&material.ca_cert_pem);
    let name = ServerName::try_from("localhost").expect("name");
    let tcp = TcpStream::connect(relay.addr()).await.expect("connect");
    let mut stream = tls.connect(name, tcp).await.expect("handshake");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .expect("write");
    let started = std::time::Instant::now();
    let limit = tna_relay::server::HEADER_READ_TIMEOUT + Duration::from_secs(5);
    let mut buf = Vec::new();
    let read = tokio::time::timeout(limit, stream.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the TLS connection was still open {:?} later",
        started.elapsed()
    );
    assert!(
        started.elapsed() >= tna_relay::server::HEADER_READ_TIMEOUT - Duration::from_secs(1),
        "cut off too early: {:?}",
        started.elapsed()
    );
    relay.shutdown().await;
}
