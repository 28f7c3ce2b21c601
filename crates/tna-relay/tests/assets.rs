//! The console's files as the relay serves them from `--dist`: precompressed variants for
//! browsers that accept them, cache headers, and `index.html` for client-side routes.

use std::net::SocketAddr;
use std::time::Duration;

use tna_relay::{GatewayTarget, RelayConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends one HTTP/1.1 GET and returns (status line + headers in lower case, body).
async fn get(addr: SocketAddr, path: &str, accept_encoding: Option<&str>) -> (String, Vec<u8>) {
    let (head, body) = get_raw(addr, path, accept_encoding).await;
    (head.to_lowercase(), body)
}

/// Sends one HTTP/1.1 GET and returns (status line + headers as sent, body).
async fn get_raw(addr: SocketAddr, path: &str, accept_encoding: Option<&str>) -> (String, Vec<u8>) {
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
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
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

/// A relay serving `dist` that may be framed by `origins`.
async fn relay_for(dist: &std::path::Path, origins: &[&str]) -> tna_relay::RunningRelay {
    tna_relay::start(RelayConfig {
        dist: Some(dist.to_path_buf()),
        allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Remote {
                url: "http://127.0.0.1:9".into(),
                ca_cert: None,
            },
        )
    })
    .await
    .expect("relay starts")
}

/// The value of header `name` (any case) in `head`, if present.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// `'sha256-…'` of `script`, as a CSP names it.
fn csp_hash(script: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    )
}

/// Trunk's loader, as it writes it into `index.html`.
const LOADER: &str = "\nimport init, * as bindings from '/app-1234.js';\n\
                      const wasm = await init({ module_or_path: '/app-1234_bg.wasm' });\n";

#[tokio::test]
async fn every_response_has_security_headers_and_a_missing_asset_is_404() {
    let dist = tempfile::tempdir().expect("temp dir");
    let d = dist.path();
    let index = format!(
        "<!doctype html><head><link rel=\"stylesheet\" href=\"/main-1.css\"/>\
         <script type=\"module\">{LOADER}</script></head><p>console</p>"
    );
    std::fs::write(d.join("index.html"), &index).unwrap();
    std::fs::write(d.join("app-1234.js"), b"export default 1;").unwrap();
    std::fs::write(d.join("app-1234_bg.wasm"), b"\0asm").unwrap();
    let relay = relay_for(d, &["https://portal.example"]).await;
    let addr = relay.addr();
    let loader = csp_hash(LOADER);

    for path in [
        "/",
        "/devices/42",
        "/app-1234.js",
        "/app-1234_bg.wasm",
        "/old-9999.js",
        "/old-9999_bg.wasm",
        "/healthz",
        "/api/session",
    ] {
        let (head, _) = get_raw(addr, path, Some("br, gzip")).await;
        assert_eq!(
            header(&head, "x-content-type-options"),
            Some("nosniff"),
            "{path}: {head}"
        );
        assert_eq!(
            header(&head, "referrer-policy"),
            Some("no-referrer"),
            "{path}: {head}"
        );
        let csp = header(&head, "content-security-policy").unwrap_or_default();
        for needed in [
            "default-src 'none'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "connect-src 'self'",
            "style-src 'self';",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'self' https://portal.example",
        ] {
            assert!(csp.contains(needed), "{path}: {needed:?} in {csp:?}");
        }
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
        // The page allows its own inline loader, by hash, and nothing else inline.
        let is_page = matches!(path, "/" | "/devices/42");
        assert_eq!(csp.contains(&loader), is_page, "{path}: {csp}");
        assert_eq!(
            csp.matches("'sha256-").count(),
            usize::from(is_page),
            "{csp}"
        );
    }

    // A missing js or wasm is a 404, never the page cached for a year.
    for missing in ["/old-9999.js", "/old-9999_bg.wasm", "/a/b/c.css"] {
        let (head, body) = get_raw(addr, missing, Some("br")).await;
        assert!(head.starts_with("HTTP/1.1 404"), "{missing}: {head}");
        assert!(!head.contains("immutable"), "{missing}: {head}");
        assert_ne!(body, index.as_bytes(), "{missing}");
    }
    // Files (the page too) vary by Accept-Encoding.
    for path in ["/", "/devices/42", "/app-1234.js", "/app-1234_bg.wasm"] {
        let (head, _) = get_raw(addr, path, None).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        assert_eq!(
            header(&head, "vary"),
            Some("accept-encoding"),
            "{path}: {head}"
        );
    }
    // A revalidated page (304) keeps its policy: the browser stores the 304's headers.
    let (head, _) = get_raw(addr, "/", None).await;
    let modified = header(&head, "last-modified")
        .expect("Last-Modified")
        .to_string();
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let req = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: {modified}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("in time")
        .expect("read");
    let head = String::from_utf8_lossy(&buf).to_string();
    assert!(head.starts_with("HTTP/1.1 304"), "{head}");
    let csp = header(&head, "content-security-policy").unwrap_or_default();
    assert!(csp.contains(&loader), "the 304 names the loader: {csp}");
    assert_eq!(header(&head, "cache-control"), Some("no-cache"), "{head}");
    // Trunk rebuilt the console: the next page load names the new loader.
    let rebuilt = LOADER.replace("1234", "5678");
    std::fs::write(
        d.join("index.html"),
        format!("<script type=\"module\">{rebuilt}</script>"),
    )
    .unwrap();
    let (head, _) = get_raw(addr, "/", None).await;
    let csp = header(&head, "content-security-policy").unwrap_or_default();
    assert!(
        csp.contains(&csp_hash(&rebuilt)) && !csp.contains(&loader),
        "{csp}"
    );
    relay.shutdown().await;

    // Without --allow-origin only the relay's own pages may frame it.
    let alone = relay_for(d, &[]).await;
    let (head, _) = get_raw(alone.addr(), "/", None).await;
    let csp = header(&head, "content-security-policy").unwrap_or_default();
    assert!(csp.ends_with("frame-ancestors 'self'"), "{csp}");
    assert_eq!(
        header(&head, "x-frame-options"),
        Some("SAMEORIGIN"),
        "{head}"
    );
    alone.shutdown().await;
}

/// The real console, where it has been built (`dist/` at the repository root, by Trunk): every
/// file the page names is served with the right type, the page's policy allows each of its inline
/// scripts by hash, and the page has no inline style or event handler the policy would block.
#[tokio::test]
async fn the_built_console_loads_under_its_policy() {
    let dist = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    let Ok(html) = std::fs::read_to_string(dist.join("index.html")) else {
        eprintln!("SKIPPED: no dist/index.html (the console is not built: cargo xtask dist)");
        return;
    };
    let relay = relay_for(&dist, &[]).await;
    let addr = relay.addr();
    let (head, body) = get_raw(addr, "/", None).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let page = String::from_utf8_lossy(&body).to_string();
    let csp = header(&head, "content-security-policy")
        .unwrap_or_default()
        .to_string();
    // Every inline script is allowed by its hash.
    let lower = page.to_ascii_lowercase();
    let mut at = 0;
    let mut inline = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| at + i) {
        let tag_end = open + lower[open..].find('>').expect("tag end");
        let close = tag_end + lower[tag_end..].find("</script").expect("script end");
        if !lower[open..tag_end].contains(" src=") {
            inline += 1;
            let hash = csp_hash(&page[tag_end + 1..close]);
            assert!(csp.contains(&hash), "inline script {inline} allowed: {csp}");
        }
        at = close;
    }
    assert!(
        !lower.contains("<style") && !lower.contains(" style=") && !lower.contains(" onload="),
        "no inline style or handler in the page: {html}"
    );
    // Every file it names: served, with its type, nosniff and a year's cache.
    let mut names = Vec::new();
    for attr in ["href=\"/", "src=\"/", "'/"] {
        for part in page.split(attr).skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| !matches!(c, '"' | '\''))
                .collect();
            if name.contains('.') && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    assert!(
        names.iter().any(|n| n.ends_with(".js")) && names.iter().any(|n| n.ends_with(".wasm")),
        "the page names its js and wasm: {names:?}"
    );
    for name in &names {
        let (head, _) = get_raw(addr, &format!("/{name}"), None).await;
        assert!(head.starts_with("HTTP/1.1 200"), "/{name}: {head}");
        let want = match name.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("wasm") => "application/wasm",
            Some("css") => "text/css",
            _ => "",
        };
        let got = header(&head, "content-type").unwrap_or_default();
        assert!(got.starts_with(want), "/{name}: {got}");
        assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
        assert!(head.contains("immutable"), "/{name}: {head}");
    }
    relay.shutdown().await;
}

/// The kiosk's own bundle (`dist/kiosk/`): its pages under `/kiosk` get the kiosk's page with
/// the kiosk's loader allowed (and not the console's), its assets are cached like the console's,
/// and the console's pages stay the console's.
#[tokio::test]
async fn the_kiosk_bundle_is_served_under_kiosk_with_its_own_loader() {
    let dist = tempfile::tempdir().expect("temp dir");
    let d = dist.path();
    let kiosk_loader = LOADER.replace("/app-1234", "/kiosk/kiosk-5678");
    std::fs::write(
        d.join("index.html"),
        format!("<!doctype html><script type=\"module\">{LOADER}</script><p>console</p>"),
    )
    .unwrap();
    std::fs::create_dir(d.join("kiosk")).unwrap();
    let kiosk_page =
        format!("<!doctype html><script type=\"module\">{kiosk_loader}</script><p>kiosk</p>");
    std::fs::write(d.join("kiosk/index.html"), &kiosk_page).unwrap();
    std::fs::write(d.join("kiosk/kiosk-5678_bg.wasm"), b"KIOSK-WASM").unwrap();
    std::fs::write(d.join("kiosk/kiosk-5678_bg.wasm.br"), b"KIOSK-BR").unwrap();
    std::fs::write(
        d.join("kiosk/sw.js"),
        b"self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    let relay = relay_for(d, &[]).await;
    let addr = relay.addr();
    let (console, kiosk) = (csp_hash(LOADER), csp_hash(&kiosk_loader));

    // `/kiosk` goes to `/kiosk/`, where the service worker is in control, with its query.
    for (path, to) in [
        ("/kiosk", "/kiosk/"),
        ("/kiosk?devices=1,2", "/kiosk/?devices=1,2"),
    ] {
        let (head, _) = get_raw(addr, path, None).await;
        assert!(head.starts_with("HTTP/1.1 308"), "{path}: {head}");
        assert_eq!(header(&head, "location"), Some(to), "{path}");
    }
    // The service worker keeps its name: revalidated, never cached for a year.
    let (head, _) = get_raw(addr, "/kiosk/sw.js", None).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(header(&head, "cache-control"), Some("no-cache"), "{head}");
    assert!(
        header(&head, "content-type").is_some_and(|t| t.contains("javascript")),
        "{head}"
    );

    for path in ["/kiosk/", "/kiosk/pair", "/kiosk/other"] {
        let (head, body) = get_raw(addr, path, None).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        assert_eq!(body, kiosk_page.as_bytes(), "{path}");
        assert_eq!(header(&head, "cache-control"), Some("no-cache"), "{path}");
        let csp = header(&head, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains(&kiosk) && !csp.contains(&console),
            "{path}: {csp}"
        );
    }
    for path in ["/", "/logs", "/kiosks"] {
        let (head, body) = get_raw(addr, path, None).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        assert!(body.ends_with(b"<p>console</p>"), "{path}");
        let csp = header(&head, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains(&console) && !csp.contains(&kiosk),
            "{path}: {csp}"
        );
    }
    let (head, body) = get(addr, "/kiosk/kiosk-5678_bg.wasm", Some("br")).await;
    assert!(head.contains("content-encoding: br"), "{head}");
    assert!(head.contains("immutable"), "{head}");
    assert_eq!(body, b"KIOSK-BR");
    let (head, _) = get(addr, "/kiosk/kiosk-0000_bg.wasm", None).await;
    assert!(head.starts_with("http/1.1 404"), "{head}");
    relay.shutdown().await;
}
