//! The one client of the relay: JSON-RPC 2.0 over the WebSocket `/ws`.
//!
//! - [`client`]: the socket (reconnect with backoff, per-call timeout, connection state) and the
//!   generic typed call `ApiClient::call::<M: Method>(params)`.
//! - [`accounts`]: the account and kiosk-pairing methods (admin).
//! - [`methods`]: one thin typed function per protocol method (`list_devices`, `get_config`, …).
//! - [`gate`]: waits for a free slot under the relay's in-flight limit (pure).
//! - [`session`]: sign-in, sign-out and kiosk pairing over HTTP (the cookie then opens `/ws`).
//! - [`routing`]: request IDs, the pending map and frame routing (pure; unit-tested natively).
//! - [`backoff`]: the reconnect schedule (pure).
//! - [`error`]: [`ApiError`], the one error of every call.
//!
//! Pages get the client with [`use_api`]; the app root creates it and provides it as context.

pub mod accounts;
pub mod backoff;
pub mod client;
pub mod error;
pub mod gate;
pub mod methods;
pub mod routing;
pub mod session;

pub use client::{
    ApiClient, CALL_TIMEOUT, ConnectionState, ListenerId, TextReader, page_ws_url, ws_url,
};
pub use error::{ApiError, rpc_sentence};

use leptos::prelude::{expect_context, provide_context};

/// Connects to the relay that served the page and provides the client to every component below
/// (the console: it reads JSON text frames too, the results without a binary form).
pub fn provide_api() -> ApiClient {
    let client = ApiClient::for_page(Some(routing::route_frame));
    provide_context(client);
    client
}

/// [`provide_api`] for the kiosk: every method it calls answers in binary, so its client reads
/// binary frames only and its WASM carries no JSON reader.
pub fn provide_binary_api() -> ApiClient {
    let client = ApiClient::for_page(None);
    provide_context(client);
    client
}

/// The client provided by the app root.
pub fn use_api() -> ApiClient {
    expect_context::<ApiClient>()
}
