//! The audit trail: every write made through the relay (each method marked `audited` in the
//! `methods!` table of `tna_types::protocol`) is recorded in the archive — when, by whom, which
//! devices, the state before and after, and the result per device.
//!
//! Two rules meet here:
//! - **A write the trail cannot record is not made.** Before an audited method runs,
//!   [`Audit::check`] probes the archive (write lock + a no-op update, rolled back, bounded by
//!   [`PROBE_LIMIT`]); when that fails the request is refused with `-32009` and nothing changes.
//!   `--audit-optional` (`TNA_RELAY_AUDIT_OPTIONAL`) relaxes this to a logged warning.
//! - **Recording never delays the reply.** Once the device changed, the entry itself is stored in
//!   the background: a closed socket cannot lose it and a slow archive cannot hold up the answer.
//!   A store failing between the probe and the insert is logged loudly — the change is done and
//!   turning it into an error would be a lie.
//!
//! Why a probe and not "store, then reply": storing before the write would record writes that
//! never happen, and storing after it (before replying) can only report a failure once the device
//! already changed. The probe catches the usual causes (read-only file, archive gone, closed
//! pool) before anything is written, and the background store keeps the reply fast.
//!
//! One bulk operation is one entry: calls carrying the same `operationId` (same actor and method)
//! are merged into the first one's entry (`tna_archive::Archive::extend_audit`: devices appended,
//! `before`/`after`/`results` merged). Operations are remembered for [`OPERATION_TTL`], at most
//! [`MAX_OPERATIONS`] at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tna_types::archive::AuditEntry;
use tna_types::protocol::{ErrorCode, RpcError};

use crate::signin::Caller;
use crate::sync::Syncer;

/// The actor of a relay without sign-in.
pub const LOCAL_ACTOR: &str = "local";

/// How long the writability probe may delay a write before the write is refused.
pub const PROBE_LIMIT: Duration = Duration::from_secs(2);

/// How long after its last batch an operation ID still joins its entry.
pub const OPERATION_TTL: Duration = Duration::from_secs(60 * 60);

/// Operations remembered at once (the oldest are forgotten first).
pub const MAX_OPERATIONS: usize = 1_024;

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
    /// The bulk operation this call is one batch of.
    pub operation_id: Option<String>,
}

/// Who may be audited how, and the operations seen lately (cheap to clone).
#[derive(Clone, Default)]
pub struct Audit {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Writes go ahead when the trail cannot be stored (`--audit-optional`).
    optional: bool,
    /// (actor, method, operation ID) → the entry's ID once stored; the lock orders the batches.
    operations: Mutex<HashMap<OperationKey, Operation>>,
}

type OperationKey = (String, &'static str, String);

struct Operation {
    entry: Arc<tokio::sync::Mutex<Option<i64>>>,
    seen: Instant,
}

impl Audit {
    /// `optional`: writes go ahead (with a warning) when the trail cannot be stored.
    pub fn new(optional: bool) -> Audit {
        Audit {
            inner: Arc::new(Inner {
                optional,
                operations: Mutex::default(),
            }),
        }
    }

    /// Whether writes go ahead when the trail cannot be stored.
    pub fn optional(&self) -> bool {
        self.inner.optional
    }

    /// Refuses an audited write when the archive cannot store its entry now (no archive: the
    /// relay keeps no trail and nothing is checked).
    pub async fn check(&self, sync: Option<&Syncer>, method: &str) -> Result<(), RpcError> {
        let Some(sync) = sync else { return Ok(()) };
        let detail =
            match tokio::time::timeout(PROBE_LIMIT, sync.archive().check_audit_writable()).await {
                Ok(Ok(())) => return Ok(()),
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("the archive did not answer within {PROBE_LIMIT:?}"),
            };
        if self.inner.optional {
            tracing::warn!(method, "audit trail unavailable, writing anyway: {detail}");
            return Ok(());
        }
        tracing::error!(method, "write refused, audit trail unavailable: {detail}");
        Err(unavailable(&detail))
    }

    /// Appends `change` by `caller` to the archive's audit trail (no archive: nothing to do).
    /// The insert runs in its own task: the reply to the write does not wait for the database,
    /// and a socket closed right after the write does not lose the entry. A batch of a known
    /// operation extends that operation's entry instead.
    pub async fn record(&self, sync: Option<&Syncer>, caller: &Caller, change: Change) {
        let Some(sync) = sync else { return };
        let actor = caller
            .username
            .clone()
            .unwrap_or_else(|| LOCAL_ACTOR.to_string());
        // Taken here, before the task is spawned: batches of one operation are stored in the
        // order they were made.
        let operation = match &change.operation_id {
            Some(op) => Some(
                self.operation((actor.clone(), change.method, op.clone()))
                    .lock_owned()
                    .await,
            ),
            None => None,
        };
        let entry = AuditEntry {
            id: 0,
            at: crate::sync::unix_now(),
            actor,
            method: change.method.to_string(),
            device_ids: change.device_ids,
            before: change.before,
            after: change.after,
            results: change.results,
        };
        let archive = sync.archive().clone();
        tokio::spawn(async move {
            let stored = match operation {
                Some(mut known) => match *known {
                    Some(id) => archive.extend_audit(id, &entry).await.map(|()| id),
                    None => archive.append_audit(&entry).await.inspect(|&id| {
                        *known = Some(id);
                    }),
                },
                None => archive.append_audit(&entry).await,
            };
            if let Err(e) = stored {
                tracing::error!(
                    method = entry.method,
                    actor = entry.actor,
                    "audit entry not stored: {e}"
                );
            }
        });
    }

    /// The entry slot of an operation, new or remembered; forgets stale ones.
    fn operation(&self, key: OperationKey) -> Arc<tokio::sync::Mutex<Option<i64>>> {
        let mut ops = self
            .inner
            .operations
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        ops.retain(|_, o| now.duration_since(o.seen) < OPERATION_TTL);
        if !ops.contains_key(&key)
            && ops.len() >= MAX_OPERATIONS
            && let Some(oldest) = ops
                .iter()
                .min_by_key(|(_, o)| o.seen)
                .map(|(k, _)| k.clone())
        {
            ops.remove(&oldest);
        }
        let op = ops.entry(key).or_insert_with(|| Operation {
            entry: Arc::default(),
            seen: now,
        });
        op.seen = now;
        op.entry.clone()
    }
}

/// The refusal of a write whose audit entry could not be stored.
pub fn unavailable(detail: &str) -> RpcError {
    RpcError::new(
        ErrorCode::AuditUnavailable,
        "The write was refused: the audit trail cannot be stored (the log archive is not \
         writable). Nothing was changed.",
    )
    .with_data(serde_json::json!({ "detail": detail }))
}
