//! The console's files: read from `--dist DIR` during development, otherwise embedded in the
//! binary at build time (when `dist/` existed then), so one file deploys.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

/// Cache policy for files whose names carry a content hash (Trunk adds one): keep for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy for `index.html`: always revalidate, so a new build is picked up at once.
const NO_CACHE: &str = "no-cache";

/// Adds the console's routes as the router's fallback. Unknown paths without a file extension
/// get `index.html`, so client-side routes like `/devices/42` load the app.
pub fn attach<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    dist: Option<PathBuf>,
) -> Router<S> {
    match dist {
        Some(dir) => {
            let index = ServeFile::new(dir.join("index.html"));
            router.fallback_service(ServeDir::new(dir).fallback(index))
        }
        None => router.fallback(embedded),
    }
}

#[cfg(embedded_console)]
#[derive(rust_embed::RustEmbed)]
#[folder = "../../dist"]
struct Console;

#[cfg(embedded_console)]
async fn embedded(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let (file, name) = match Console::get(path) {
        Some(f) if !path.is_empty() => (f, path),
        _ if path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.')) =>
        {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        }
        _ => match Console::get("index.html") {
            Some(f) => (f, "index.html"),
            None => return not_built(),
        },
    };
    let cache = if name == "index.html" {
        NO_CACHE
    } else {
        IMMUTABLE
    };
    let mime = file.metadata.mimetype().to_string();
    let mut resp = Response::new(Body::from(file.data.into_owned()));
    if let Ok(v) = HeaderValue::from_str(&mime) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}

#[cfg(not(embedded_console))]
async fn embedded(_uri: Uri) -> Response {
    not_built()
}

fn not_built() -> Response {
    let body = "<!doctype html><title>tna-relay</title><p>The console was not built into this relay. \
                Run <code>trunk build --release</code> and start the relay with <code>--dist dist</code>, \
                or rebuild the relay after building the console.</p>";
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    resp
}
