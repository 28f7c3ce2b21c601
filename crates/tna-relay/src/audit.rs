//! The audit trail: every configuration write made through the relay is recorded in the archive
//! — when, by whom, which devices, the state before and after, and the result per device.
//!
//! Recording never fails or delays the write it describes: the device already changed, so the
//! entry is stored in the background and a failed insert is logged (loudly) instead of turning
//! a done change into an error.

use serde_json::Value;
use tna_types::archive::AuditEntry;

use crate::signin::Caller;
use crate::sync::Syncer;

/// The actor of a relay without sign-in.
pub const LOCAL_ACTOR: &str = "local";

/// What one write did.
pub struct Change {
    /// The JSON-RPC method.
    pub method: &'static str,
    /// The devices it addressed, in request order.
    pub device_ids: Vec<u32>,
    /// The state before (`None` when there was nothing to read).
    pub before: Option<Value>,
    /// The state asked for, or read back after.
    pub after: Option<Value>,
    /// What came back: per-device rows, or `{ "error": … }`.
    pub results: Value,
}

/// Appends `change` by `caller` to the archive's audit trail (no archive: nothing to do). The
/// insert runs in its own task: the reply to the write does not wait for the database, and a
/// socket closed right after the write does not lose the entry.
pub async fn record(sync: Option<&Syncer>, caller: &Caller, change: Change) {
    let Some(sync) = sync else { return };
    let entry = AuditEntry {
        id: 0,
        at: crate::sync::unix_now(),
        actor: caller
            .username
            .clone()
            .unwrap_or_else(|| LOCAL_ACTOR.to_string()),
        method: change.method.to_string(),
        device_ids: change.device_ids,
        before: change.before,
        after: change.after,
        results: change.results,
    };
    let archive = sync.archive().clone();
    tokio::spawn(async move {
        if let Err(e) = archive.append_audit(&entry).await {
            tracing::error!(
                method = entry.method,
                actor = entry.actor,
                "audit entry not stored: {e}"
            );
        }
    });
}
