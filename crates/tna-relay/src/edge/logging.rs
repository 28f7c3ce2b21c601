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

/// How log lines are written (`--log-format`, `TNA_RELAY_LOG_FORMAT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (with `message`)
    /// and the enclosing `span`s, for log shippers.
    Json,
}

/// A `--log-format` value other than `text` or `json`.
#[derive(Debug, thiserror::Error)]
#[error("unknown log format {0:?}: use text or json")]
pub struct BadLogFormat(pub String);

impl std::str::FromStr for LogFormat {
    type Err = BadLogFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err(BadLogFormat(s.to_string())),
        }
    }
}

/// Installs the process-wide subscriber: [`log_filter`] of `directives`, written to stdout in
/// `format` (the `tna-relay: …` lines the binary prints at start stay plain text in both).
/// Call once, first thing in `main`.
pub fn init(format: LogFormat, directives: &str) {
    let builder = tracing_subscriber::fmt().with_env_filter(log_filter(directives));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(false).init(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse() {
        assert_eq!("json".parse::<LogFormat>().ok(), Some(LogFormat::Json));
        assert_eq!("TEXT".parse::<LogFormat>().ok(), Some(LogFormat::Text));
        assert!("yaml".parse::<LogFormat>().is_err());
    }
}
