//! The relay's log filter. Whatever `RUST_LOG` asks for, the libraries that log raw frames and
//! headers at debug/trace (WebSocket payloads with passwords, `Cookie` headers with session
//! tokens) are held at `info`, so turning on trace logging never writes a secret.

use tracing_subscriber::EnvFilter;

/// Crates whose debug/trace output can contain request bodies or headers.
pub const QUIET_CRATES: &[&str] = &[
    "tungstenite",
    "tokio_tungstenite",
    "hyper",
    "hyper_util",
    "h2",
    "axum::rejection",
];

/// `directives` (e.g. the value of `RUST_LOG`, or `info` when unset) with [`QUIET_CRATES`] capped
/// at `info`. Malformed directives are ignored rather than fatal: logging must not stop the relay.
pub fn log_filter(directives: &str) -> EnvFilter {
    let mut filter = EnvFilter::builder()
        .with_default_directive(tracing::Level::INFO.into())
        .parse_lossy(directives);
    for krate in QUIET_CRATES {
        if let Ok(d) = format!("{krate}=info").parse() {
            filter = filter.add_directive(d);
        }
    }
    filter
}
