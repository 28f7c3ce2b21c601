//! The relay's HTTP edge: the router and server, the console's files, sign-in and accounts,
//! page origins, TLS, metrics, readiness, logging and the config file.

pub mod assets;
pub mod auth;
pub mod config_file;
pub mod logging;
pub mod metrics;
pub mod origin;
pub mod ready;
pub mod server;
pub mod signin;
pub mod tls;
