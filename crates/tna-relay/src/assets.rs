//! The console's files: read from `--dist DIR` during development, otherwise embedded in the
//! binary at build time (when `dist/` existed then), so one file deploys.
//!
//! Both serve precompressed variants (`app.wasm.br`, `app.wasm.gz`, written next to the files by
//! `cargo xtask` after the Trunk build) to browsers that accept them, and set cache headers:
//! Trunk puts a content hash in every asset name, so assets are immutable for a year, while
//! `index.html` (which names the current hashes) is always revalidated.

use std::path::PathBuf;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

/// Cache policy for files whose names carry a content hash (Trunk adds one): keep for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy for `index.html` and client-side routes: always revalidate.
const NO_CACHE: &str = "no-cache";

/// Adds the console's routes as the router's fallback. Unknown paths without a file extension
/// get `index.html`, so client-side routes like `/devices/42` load the app.
pub fn attach<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    dist: Option<PathBuf>,
) -> Router<S> {
    let router = match dist {
        Some(dir) => {
            let index = ServeFile::new(dir.join("index.html"));
            let files = ServeDir::new(dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(index);
            router.fallback_service(files)
        }
        None => router.fallback(embedded),
    };
    router.layer(middleware::from_fn(cache_headers))
}

/// Whether a request path names a hashed asset (has a file extension and is not `index.html`).
fn is_asset(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.contains('.') && last != "index.html"
}

async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    if path == "/ws" || path == "/healthz" || !resp.status().is_success() {
        return resp;
    }
    let headers = resp.headers_mut();
    if is_asset(&path) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
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
        "index.html"
    } else {
        path
    };
    let Some(file) = Console::get(name) else {
        return if name == "index.html" {
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

#[cfg_attr(embedded_console, allow(dead_code))]
fn not_built() -> Response {
    let body = "<!doctype html><title>tna-relay</title><p>The console was not built into this relay. \
                Run <code>trunk build --release</code> and start the relay with <code>--dist dist</code>, \
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
    fn assets_and_routes() {
        assert!(is_asset("/tna-console-abc_bg.wasm"));
        assert!(!is_asset("/index.html"));
        assert!(!is_asset("/devices/42"));
        assert!(!is_asset("/"));
    }
}
