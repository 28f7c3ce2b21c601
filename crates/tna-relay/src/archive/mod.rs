//! What the relay builds on the log archive (`tna-archive`): the background sync, timecards,
//! device names, the user directory, the audit trail, and live events between relays sharing
//! one archive.

pub mod audit;
pub mod bridge;
pub mod device_info;
pub mod heavy;
pub mod sync;
pub mod timecards;
pub mod users;
