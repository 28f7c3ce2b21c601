//! The console's files as the relay serves them from `--dist`: precompressed variants for
//! browsers that accept them, cache headers, and `index.html` for client-side routes.

use std::net::SocketAddr;
use std::time::Duration;

use tna_relay::{GatewayTarget, RelayConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one HTTP/1.1 GET and returns (status line + headers, body).
async fn get(addr: SocketAddr, path: &str, accept_encoding: Option<&str>) -> (String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let ae = accept_encoding
        .map(|e| format!("Accept-Encoding: {e}\r\n"))
        .unwrap_or_default();
    let req = format!("GET {path} HTTP/1.1\r\nHost: x\r\n{ae}Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("in time")
        .expect("read");
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&buf[..split]).to_lowercase();
    (head, buf[split + 4..].to_vec())
}

#[tokio::test]
async fn serves_precompressed_assets_with_cache_headers() {
    let dist = tempfile::tempdir().expect("temp dir");
    let d = dist.path();
    std::fs::write(d.join("index.html"), "<!doctype html><p>console</p>").unwrap();
    std::fs::write(d.join("app-1234.wasm"), b"RAW-WASM").unwrap();
    std::fs::write(d.join("app-1234.wasm.br"), b"BROTLI-WASM").unwrap();
    std::fs::write(d.join("app-1234.wasm.gz"), b"GZIP-WASM").unwrap();
    // The gateway is never contacted: no request here reaches it.
    let relay = tna_relay::start(RelayConfig {
        dist: Some(d.to_path_buf()),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Remote {
                url: "http://127.0.0.1:9".into(),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("relay starts");
    let addr = relay.addr();

    let (head, body) = get(addr, "/app-1234.wasm", Some("gzip, deflate, br")).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(
        head.contains("cache-control: public, max-age=31536000, immutable"),
        "{head}"
    );
    assert_eq!(body, b"BROTLI-WASM");

    let (head, body) = get(addr, "/app-1234.wasm", Some("gzip")).await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert_eq!(body, b"GZIP-WASM");

    let (head, body) = get(addr, "/app-1234.wasm", None).await;
    assert!(!head.contains("content-encoding"), "{head}");
    assert_eq!(body, b"RAW-WASM");

    for route in ["/", "/devices/540000001"] {
        let (head, body) = get(addr, route, Some("br")).await;
        assert!(head.starts_with("http/1.1 200"), "{route}: {head}");
        assert!(head.contains("cache-control: no-cache"), "{route}: {head}");
        assert_eq!(body, b"<!doctype html><p>console</p>", "{route}");
    }
    relay.shutdown().await;
}
