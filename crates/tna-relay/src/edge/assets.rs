//! The console's files: read from `--dist DIR` during development, otherwise embedded in the
//! binary at build time (when `dist/` existed then), so one file deploys.
//!
//! Both serve precompressed variants (`app.wasm.br`, `app.wasm.gz`, written next to the files by
//! `cargo xtask` after the Trunk build) to browsers that accept them, and set cache headers:
//! Trunk puts a content hash in every asset name, so assets are immutable for a year, while
//! `index.html` (which names the current hashes) is always revalidated. Every file answer says
//! `Vary: Accept-Encoding`. A path with a file extension that names no file (`/old-1234.js`) is a
//! 404; only extension-less paths (client-side routes like `/devices/42`) get `index.html`.
//!
//! Two bundles: the console (`dist/`) and the kiosk's own, smaller one (`dist/kiosk/`, built from
//! `kiosk.html` with public URL `/kiosk/`). `/kiosk/`, `/kiosk/pair` and every other page under
//! `/kiosk/` get `kiosk/index.html`; `/kiosk` is sent to `/kiosk/` (with its query), where the
//! kiosk's service worker is in control. Its assets are `/kiosk/<name>-<hash>.<ext>`, and its
//! app files keep their names ([`UNHASHED`]: the service worker, the manifest, the icons), so
//! they are revalidated like the pages.
//!
//! Security headers on every response of the relay (files, `/api/*`, `/healthz`, errors):
//! `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and a
//! `Content-Security-Policy` that allows exactly what the Trunk-built console needs: its own
//! scripts, styles and fetches (`'self'`, which also covers `ws:`/`wss:` to the same host),
//! compiling its WebAssembly (`'wasm-unsafe-eval'`), the `data:` favicon, and Trunk's inline
//! loader `<script type="module">` by its SHA-256 hash, read from the `index.html` being served
//! (so a rebuilt `--dist` is followed without a restart). Nothing else inline, no `eval`, no
//! plugins; framing only by the relay's own pages and the `--allow-origin` origins
//! (`frame-ancestors`; `X-Frame-Options: SAMEORIGIN` too when there are none).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Cache policy for files whose names carry a content hash (Trunk adds one): keep for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy for `index.html` and client-side routes: always revalidate.
const NO_CACHE: &str = "no-cache";
/// The referrer policy of every response: the console links nowhere that needs to know.
const REFERRER_POLICY: &str = "no-referrer";
/// The most inline scripts of `index.html` given a hash in the policy (Trunk writes one).
const MAX_INLINE_SCRIPTS: usize = 8;

/// Where `index.html` comes from, to hash its inline scripts.
#[derive(Debug, Clone)]
enum Index {
    /// `DIR/index.html` (or `DIR/kiosk/index.html`), read again for every page (it changes when
    /// Trunk rebuilds).
    Dir(PathBuf),
    /// The copies embedded in the binary, hashed once: (console, kiosk).
    Embedded(Vec<String>, Vec<String>),
}

/// The kiosk bundle's page, relative to the dist directory.
const KIOSK_INDEX: &str = "kiosk/index.html";
/// The kiosk's root: its service worker's scope.
const KIOSK_ROOT: &str = "/kiosk/";
/// Files served under a fixed name (`kiosk.html` copies them from `pwa/`): revalidated, never
/// "immutable", or a tablet would keep an old service worker or manifest for a year. The
/// language catalogs (`i18n/`, copied into both bundles) are too ([`UNHASHED_DIRS`]).
const UNHASHED: [&str; 5] = [
    "/kiosk/sw.js",
    "/kiosk/manifest.webmanifest",
    "/kiosk/icon-192.png",
    "/kiosk/icon-512.png",
    "/kiosk/icon-maskable-512.png",
];

/// The page (relative to the dist directory) a page path gets: the kiosk's under `/kiosk`, else
/// the console's.
fn page_for(path: &str) -> &'static str {
    let path = path.trim_start_matches('/');
    if path == "kiosk" || path.starts_with("kiosk/") {
        KIOSK_INDEX
    } else {
        "index.html"
    }
}

/// What the header middleware needs.
#[derive(Debug)]
struct Policy {
    index: Index,
    /// `'self'` and the origins that may frame the console.
    frame_ancestors: String,
}

impl Policy {
    /// The `Content-Security-Policy` with `script_hashes` (`'sha256-…'`) allowed.
    fn csp(&self, script_hashes: &[String]) -> String {
        let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
        for h in script_hashes {
            scripts.push(' ');
            scripts.push_str(h);
        }
        format!(
            "default-src 'none'; script-src {scripts}; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; \
             form-action 'self'; object-src 'none'; frame-ancestors {}",
            self.frame_ancestors
        )
    }

    /// The hashes of the inline scripts of the page served at `path` (the console's `index.html`
    /// or the kiosk's).
    async fn script_hashes(&self, path: &str) -> Vec<String> {
        let page = page_for(path);
        match &self.index {
            Index::Embedded(console, kiosk) => {
                if page == KIOSK_INDEX {
                    kiosk.clone()
                } else {
                    console.clone()
                }
            }
            Index::Dir(dir) => match tokio::fs::read(dir.join(page)).await {
                Ok(html) => inline_script_hashes(&String::from_utf8_lossy(&html)),
                Err(_) => Vec::new(),
            },
        }
    }
}

/// `'sha256-…'` of each inline `<script>` (one without `src`) of `html`, as CSP names them.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[open..].find('>').map(|i| open + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        let tag = &lower[open..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attr| attr.starts_with("src="));
        if !has_src && hashes.len() < MAX_INLINE_SCRIPTS {
            let body = &html[tag_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        at = close;
    }
    hashes
}

/// Whether `origin` can stand in a CSP source list as it is (`https://host[:port]`): no spaces,
/// quotes, `;` or `,` that would end the directive.
fn is_plain_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// Adds the console's routes as the router's fallback, and the security headers to every
/// response. Unknown paths without a file extension get `index.html`, so client-side routes
/// like `/devices/42` load the app; `frame_origins` (the `--allow-origin` origins) may frame it.
pub fn attach<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    dist: Option<PathBuf>,
    frame_origins: &[String],
) -> Router<S> {
    let mut frame_ancestors = String::from("'self'");
    for origin in frame_origins {
        let origin = origin.trim_end_matches('/');
        if is_plain_origin(origin) {
            frame_ancestors.push(' ');
            frame_ancestors.push_str(origin);
        } else {
            tracing::warn!(%origin, "not a plain origin (scheme://host[:port]): it may not frame the console");
        }
    }
    let (router, index) = match dist {
        Some(dir) => {
            let root = dir.clone();
            let route = move |req: Request| {
                let root = root.clone();
                async move { route_or_missing(req.uri().path(), &root).await }
            };
            let files = ServeDir::new(&dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(route.into_service());
            // The kiosk's own pages, answered like the console's `/` (conditional requests,
            // precompressed variants); its other paths fall through to `route_or_missing`.
            let kiosk = ServeFile::new(dir.join(KIOSK_INDEX))
                .precompressed_br()
                .precompressed_gzip();
            let router = router
                .route("/kiosk", axum::routing::get(to_kiosk_root))
                .route_service("/kiosk/", kiosk.clone())
                .route_service("/kiosk/pair", kiosk)
                .fallback_service(files);
            (router, Index::Dir(dir))
        }
        None => {
            let (console, kiosk) = embedded_hashes();
            let router = router
                .route("/kiosk", axum::routing::get(to_kiosk_root))
                .fallback(embedded);
            (router, Index::Embedded(console, kiosk))
        }
    };
    let policy = Arc::new(Policy {
        index,
        frame_ancestors,
    });
    let base_csp = HeaderValue::from_str(&policy.csp(&[]))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    let frame_options = frame_origins
        .is_empty()
        .then(|| HeaderValue::from_static("SAMEORIGIN"));
    router
        .layer(middleware::from_fn_with_state(policy, file_headers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            base_csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static(REFERRER_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            move |_: &Response| frame_options.clone(),
        ))
}

/// Folders whose files keep their names: the language catalogs of both bundles.
const UNHASHED_DIRS: [&str; 2] = ["/i18n/", "/kiosk/i18n/"];

/// Whether a file's name carries no content hash, so it must be revalidated.
fn keeps_its_name(path: &str) -> bool {
    UNHASHED.contains(&path) || UNHASHED_DIRS.iter().any(|d| path.starts_with(d))
}

/// `/kiosk` → `/kiosk/`, keeping the query (`?devices=…`): the service worker that lets the kiosk
/// start offline controls `/kiosk/` and below only.
async fn to_kiosk_root(uri: axum::http::Uri) -> axum::response::Redirect {
    match uri.query() {
        Some(q) => axum::response::Redirect::permanent(&format!("{KIOSK_ROOT}?{q}")),
        None => axum::response::Redirect::permanent(KIOSK_ROOT),
    }
}

/// `--dist`: what a path that names no file gets: its bundle's page (see [`page_for`]) for a
/// client-side route, a 404 for anything with a file extension (a stale asset must never be
/// answered with the page).
async fn route_or_missing(path: &str, dist: &Path) -> Response {
    if is_asset(path) {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match tokio::fs::read(dist.join(page_for(path))).await {
        Ok(html) => {
            let mut resp = Response::new(axum::body::Body::from(html));
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            resp
        }
        Err(_) => not_built(),
    }
}

/// Whether a request path names a hashed asset (has a file extension and is not `index.html`).
fn is_asset(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.contains('.') && last != "index.html"
}

/// Whether a response is an HTML page.
fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Cache and `Vary` headers of the console's files, and the page's own policy (with the hashes
/// of its inline scripts).
async fn file_headers(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    if path == "/ws" || path == "/healthz" || path.starts_with("/api/") {
        return resp;
    }
    // A 304 (a revalidated `index.html`) carries the same headers as the 200 would: a browser
    // replaces the stored ones with them, the policy included.
    let revalidated = resp.status() == StatusCode::NOT_MODIFIED;
    if !resp.status().is_success() && !revalidated {
        return resp;
    }
    let page = is_html(resp.headers()) || (revalidated && !is_asset(&path));
    let headers = resp.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if is_asset(&path) && !keeps_its_name(&path) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    }
    if page {
        let csp = policy.csp(&policy.script_hashes(&path).await);
        if let Ok(v) = HeaderValue::from_str(&csp) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp
}

/// The encodings a request accepts that we have variants for, best first. Only the embedded
/// console needs it (`ServeDir` negotiates by itself); without `dist/` at build time it is unused
/// outside the tests.
#[cfg_attr(not(embedded_console), allow(dead_code))]
fn accepted_encodings(headers: &HeaderMap) -> Vec<(&'static str, &'static str)> {
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let has = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.trim().split(';');
            let token = it.next().unwrap_or_default().trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            token.eq_ignore_ascii_case(name) && !refused
        })
    };
    let mut out = Vec::new();
    if has("br") {
        out.push(("br", ".br"));
    }
    if has("gzip") {
        out.push(("gzip", ".gz"));
    }
    out
}

#[cfg(embedded_console)]
#[derive(rust_embed::RustEmbed)]
#[folder = "../../dist"]
struct Console;

#[cfg(embedded_console)]
async fn embedded(req: Request) -> Response {
    use axum::body::Body;
    let path = req.uri().path().trim_start_matches('/');
    let name = if path.is_empty() || !is_asset(path) {
        page_for(path)
    } else {
        path
    };
    let Some(file) = Console::get(name) else {
        return if !is_asset(name) {
            not_built()
        } else {
            (StatusCode::NOT_FOUND, "not found").into_response()
        };
    };
    let mime = file.metadata.mimetype().to_string();
    let (data, encoding) = accepted_encodings(req.headers())
        .into_iter()
        .find_map(|(enc, ext)| Console::get(&format!("{name}{ext}")).map(|f| (f.data, Some(enc))))
        .unwrap_or((file.data, None));
    let mut resp = Response::new(Body::from(data.into_owned()));
    if let Ok(v) = HeaderValue::from_str(&mime) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Some(enc) = encoding {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(enc));
    }
    resp
}

#[cfg(not(embedded_console))]
async fn embedded(_req: Request) -> Response {
    not_built()
}

/// The inline-script hashes of the embedded pages: (console, kiosk).
#[cfg(embedded_console)]
fn embedded_hashes() -> (Vec<String>, Vec<String>) {
    let hashes = |name: &str| {
        Console::get(name)
            .map(|f| inline_script_hashes(&String::from_utf8_lossy(&f.data)))
            .unwrap_or_default()
    };
    (hashes("index.html"), hashes(KIOSK_INDEX))
}

#[cfg(not(embedded_console))]
fn embedded_hashes() -> (Vec<String>, Vec<String>) {
    (Vec::new(), Vec::new())
}

#[cfg_attr(embedded_console, allow(dead_code))]
fn not_built() -> Response {
    let body = "<!doctype html><title>tna-relay</title><p>The console was not built into this relay. \
                Run <code>cargo xtask dist</code> and start the relay with <code>--dist dist</code>, \
                or rebuild the relay after building the console.</p>";
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let mut h = HeaderMap::new();
        assert!(accepted_encodings(&h).is_empty());
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br, zstd"),
        );
        assert_eq!(accepted_encodings(&h), [("br", ".br"), ("gzip", ".gz")]);
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br;q=0, gzip;q=0.5"),
        );
        assert_eq!(accepted_encodings(&h), [("gzip", ".gz")]);
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script type=\"module\">\nimport init from '/a.js';\n</script>\
                    <SCRIPT src=\"/b.js\"></SCRIPT><script>x()</script></head>";
        let hashes = inline_script_hashes(html);
        let b64 = |s: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        };
        assert_eq!(
            hashes,
            [
                format!("'sha256-{}'", b64("\nimport init from '/a.js';\n")),
                format!("'sha256-{}'", b64("x()")),
            ]
        );
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
        assert!(inline_script_hashes("<script>unclosed").is_empty());
    }

    #[test]
    fn only_plain_origins_may_frame() {
        assert!(is_plain_origin("https://intranet.example"));
        assert!(is_plain_origin("http://10.0.0.1:8080"));
        assert!(!is_plain_origin("https://a.example; script-src *"));
        assert!(!is_plain_origin("*"));
        assert!(!is_plain_origin("javascript://x"));
    }

    #[test]
    fn assets_and_routes() {
        assert!(is_asset("/tna-console-abc_bg.wasm"));
        assert!(!is_asset("/index.html"));
        assert!(!is_asset("/devices/42"));
        assert!(!is_asset("/"));
        assert!(is_asset("/kiosk/tna-kiosk-abc_bg.wasm"));
    }

    #[test]
    fn files_without_a_hash_are_revalidated() {
        for path in [
            "/kiosk/sw.js",
            "/kiosk/manifest.webmanifest",
            "/i18n/ko.json",
            "/kiosk/i18n/ko.json",
        ] {
            assert!(keeps_its_name(path), "{path}");
        }
        for path in [
            "/tna-console-abc_bg.wasm",
            "/kiosk/main-123.css",
            "/i18n.js",
        ] {
            assert!(!keeps_its_name(path), "{path}");
        }
    }

    #[test]
    fn kiosk_paths_get_the_kiosk_page() {
        for path in ["/kiosk", "/kiosk/", "/kiosk/pair", "kiosk"] {
            assert_eq!(page_for(path), KIOSK_INDEX, "{path}");
        }
        for path in ["/", "", "/devices/42", "/kiosks", "/logs"] {
            assert_eq!(page_for(path), "index.html", "{path}");
        }
    }
}
