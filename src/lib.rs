//! tna-console: the browser console for Suprema BioStar T&A devices (Leptos CSR → WASM).
//!
//! Layout:
//! - [`api`]: the one WebSocket client of the relay (JSON-RPC 2.0 over `/ws`): request IDs, the
//!   pending map, reconnect with backoff, per-call timeout, the connection state, and one typed
//!   async function per protocol method. Provided to pages through Leptos context.
//! - [`app`]: the root component: header with the connection indicator, and the router.
//! - [`pages`]: one module per routed page (`/` devices, `/devices/:id` device detail).
//! - [`routes`]: every page but Devices as a lazy route, its own WASM module in the release
//!   bundle (feature `split`).
//! - [`components`]: small reusable pieces with plain props (status badge, connection indicator,
//!   error banner, device table, T&A config view), mounted directly by the component tests.
//! - [`download`]: offering a file the console made (CSV exports, a config as JSON) for download.
//! - [`js`]: reading JavaScript values (a member by name, an exception as text).
//! - [`stored`]: what this browser remembers (`localStorage`): language, zone view, kiosk
//!   settings and its saved board.
//! - [`strings`]: every user-visible string, per area, in the language in use ([`i18n`]:
//!   English built in, Korean from `i18n/ko.json` when chosen).
//!
//! - [`kiosk_app`]: the root of the kiosk's own bundle (pairing, then the kiosk page only).
//! - [`kiosk_pwa`]: the kiosk as an installed app: its service worker (`pwa/sw.js`), the screen
//!   wake lock, the full-screen prompt, and reloading into a new version between punches.
//!
//! Shapes and rules come from `tna-types`; nothing here redefines them. `main.rs` only mounts
//! [`App`]; `bin/kiosk.rs` only mounts [`kiosk_app::KioskApp`].

pub mod api;
pub mod app;
pub mod components;
pub mod download;
pub mod i18n;
pub mod js;
pub mod kiosk_app;
pub mod kiosk_pwa;
pub mod live;
pub mod logs;
pub mod order;
pub mod pages;
pub mod routes;
pub mod stored;
pub mod strings;
pub mod time;

pub use app::App;
