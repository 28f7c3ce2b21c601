//! The relay's thin core: one WebSocket ⇄ the protocol ⇄ G-SDK gRPC — sessions, dispatch, the
//! gateways and their calls, live events and device status. Nothing here needs the archive or
//! knows about HTTP beyond the socket it is handed.

pub mod backoff;
pub mod device_zones;
pub mod dispatch;
pub mod errors;
pub mod fanout;
pub mod gateways;
pub mod gsdk;
pub mod kiosk_scope;
pub mod outbox;
pub mod read_ahead;
pub mod session;
pub mod socket_caps;
pub mod status;
pub mod zone_rules;
pub mod zones;
