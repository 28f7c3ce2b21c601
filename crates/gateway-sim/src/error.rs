//! [`SimError`]: failures of the emulator's own setup (binding, certificates, files).
//!
//! Request-level failures never use this type: they are gRPC statuses built in `services`.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why starting the emulator or generating its certificates failed.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address we tried to bind.
        addr: SocketAddr,
        /// Underlying socket error.
        source: std::io::Error,
    },
    /// Generating the CA or server certificate failed.
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
    /// Writing a PEM file failed.
    #[error("cannot write {path}: {source}")]
    WriteFile {
        /// File we tried to write.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// tonic rejected the server setup (for example the TLS identity).
    #[error("gRPC server setup failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// Another I/O failure while setting up the server.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
