//! Live events between relays that share one PostgreSQL archive, so relays can sit behind a load
//! balancer: a relay announces each event its own gateway streams ([`Archive::announce`],
//! `NOTIFY`), and every relay listens ([`Archive::listen`], `LISTEN`) and hands the events of
//! the others to its sockets. SQLite archives belong to one relay: both are no-ops there.
//!
//! Notifications are best effort by design (PostgreSQL drops them for a listener that is
//! reconnecting); nothing is lost for good, because every event also reaches the archive and a
//! client that misses one sees the gap in the event IDs and re-reads.

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tna_types::TnaLog;
use tokio::sync::mpsc;

use crate::error::Result;
use crate::{Archive, Backend};

/// The PostgreSQL channel the events travel on.
pub const CHANNEL: &str = "tna_live_events";
/// Events waiting for the relay to take them; more are dropped (the clients re-read).
pub const LISTEN_QUEUE: usize = 4_096;
/// Wait before listening again after the listener connection failed.
const RELISTEN_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// One live event and the relay that saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    /// The announcing relay's ID (a relay ignores its own).
    pub origin: String,
    /// The event.
    pub log: TnaLog,
}

/// A database URL that never shows its password in `Debug`.
#[derive(Clone)]
pub(crate) struct SecretUrl(pub(crate) std::sync::Arc<str>);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::connect::redact(&self.0))
    }
}

impl Archive {
    /// Tells the other relays on this archive about a live event (PostgreSQL `NOTIFY`; nothing
    /// on SQLite).
    pub async fn announce(&self, event: &LiveEvent) -> Result<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let payload = serde_json::to_string(event)?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Every event announced on this archive from now on (its own included: the caller filters
    /// by `origin`); `None` on SQLite. The listener reconnects by itself and ends when the
    /// receiver is dropped.
    pub async fn listen(&self) -> Result<Option<mpsc::Receiver<LiveEvent>>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = PgListener::connect(&self.url.0).await?;
        listener.listen(CHANNEL).await?;
        let (tx, rx) = mpsc::channel(LISTEN_QUEUE);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    n = listener.recv() => match n {
                        Ok(n) => match serde_json::from_str::<LiveEvent>(n.payload()) {
                            Ok(ev) => {
                                if let Err(mpsc::error::TrySendError::Closed(_)) = tx.try_send(ev) {
                                    return;
                                }
                            }
                            Err(e) => tracing::warn!("unreadable live event notification: {e}"),
                        },
                        // The next recv reconnects (and listens again).
                        Err(e) => {
                            tracing::warn!("live event listener: {e}");
                            tokio::time::sleep(RELISTEN_AFTER).await;
                        }
                    },
                    _ = tx.closed() => return,
                }
            }
        });
        Ok(Some(rx))
    }
}
