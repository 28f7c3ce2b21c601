//! Live events between relays that share one PostgreSQL archive (behind a load balancer, or
//! one relay per site): each relay announces the events its own gateways stream, and hands the
//! events the others announce to its sockets, so a browser on any relay sees every site live.
//!
//! Only events from this relay's own gateway streams are announced (the fan-out's tap), never
//! ones that came from another relay, so nothing echoes. With SQLite (one relay) nothing runs.

use tna_archive::Archive;
use tna_archive::live::LiveEvent;
use tokio::sync::{mpsc, watch};

use crate::fanout::Fanout;

/// Own events waiting to be announced; more are dropped (the archive still gets them).
pub const ANNOUNCE_QUEUE: usize = 4_096;

/// Starts the bridge when the archive is shared (PostgreSQL); returns whether it runs.
pub async fn start(archive: &Archive, fanout: &Fanout, shutdown: watch::Receiver<bool>) -> bool {
    let mut incoming = match archive.listen().await {
        Ok(Some(rx)) => rx,
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!("live events from other relays are off: {e}");
            return false;
        }
    };
    let me = relay_id();
    let (tap, mut own) = mpsc::channel(ANNOUNCE_QUEUE);
    fanout.tap_local_events(tap);
    fanout.allow_remote_devices();
    let (archive, announcer_me) = (archive.clone(), me.clone());
    let mut stop = shutdown.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                log = own.recv() => {
                    let Some(log) = log else { return };
                    let event = LiveEvent { origin: announcer_me.clone(), log };
                    if let Err(e) = archive.announce(&event).await {
                        tracing::debug!("live event not announced: {e}");
                    }
                }
                _ = stop.changed() => return,
            }
        }
    });
    let fanout = fanout.clone();
    let mut stop = shutdown;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                ev = incoming.recv() => {
                    let Some(ev) = ev else { return };
                    if ev.origin != me {
                        fanout.publish_remote(ev.log);
                    }
                }
                _ = stop.changed() => return,
            }
        }
    });
    true
}

/// A random ID for this relay process (which relay announced an event).
fn relay_id() -> String {
    let mut bytes = [0u8; 12];
    if getrandom::fill(&mut bytes).is_err() {
        // Without OS randomness: the process ID and the time still differ between relays.
        let pid = std::process::id().to_le_bytes();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos().to_le_bytes())
            .unwrap_or_default();
        bytes[..4].copy_from_slice(&pid);
        bytes[4..].copy_from_slice(&now[..8]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
