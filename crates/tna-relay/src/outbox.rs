//! A socket's outbox: every frame the relay writes to one WebSocket waits here, bounded in
//! **bytes** ([`MAX_OUTBOX_BYTES`]), never in count. Pushing never blocks: a frame that does not
//! fit is refused ([`Full`]) and the caller decides (a reply becomes a `limitExceeded` error,
//! live events wait a little, then the socket is closed). The writer task takes frames out and
//! writes each within [`WRITE_TIMEOUT`]; the bytes are released once written.
//!
//! The timing constants of a socket live here too: [`WRITE_TIMEOUT`], [`PING_INTERVAL`],
//! [`IDLE_TIMEOUT`], [`CLOSE_GRACE`]; and the relay-wide cap [`MAX_SOCKETS_TOTAL`].

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub use tna_types::limits::MAX_OUTBOX_BYTES;
use tokio::sync::{Notify, mpsc};

use crate::metrics::Metrics;

/// A frame that is not written within this closes the socket (a client that stopped reading).
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The relay pings every socket this often (browsers answer pings by themselves).
pub const PING_INTERVAL: Duration = Duration::from_secs(20);
/// A socket from which nothing (no frame, no pong) arrived for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// When the relay closes a socket (sign-out, shutdown, idle) the writer has this long to send
/// what is queued and the close frame; then the connection is dropped.
pub const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// Open WebSockets the relay serves at once, from everyone.
pub const MAX_SOCKETS_TOTAL: usize = 2_048;

/// The frame did not fit in the outbox (or the socket is gone); it is handed back.
#[derive(Debug, thiserror::Error)]
#[error("the socket's outbox is full ({buffered} of {limit} bytes) or closed")]
pub struct Full {
    /// The frame that was not queued.
    pub text: String,
    /// Bytes waiting when it was refused.
    pub buffered: usize,
    /// The bound.
    pub limit: usize,
}

/// The sending side of one socket's outbox (cheap to clone).
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<String>,
    shared: Arc<Shared>,
}

struct Shared {
    bytes: AtomicUsize,
    limit: usize,
    drained: Notify,
    metrics: Metrics,
}

/// The receiving side, owned by the writer task.
pub struct OutboxReceiver {
    rx: mpsc::UnboundedReceiver<String>,
    shared: Arc<Shared>,
}

/// A new outbox bounded by `limit` bytes.
pub fn outbox(limit: usize, metrics: Metrics) -> (Outbox, OutboxReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        bytes: AtomicUsize::new(0),
        limit,
        drained: Notify::new(),
        metrics,
    });
    (
        Outbox {
            tx,
            shared: shared.clone(),
        },
        OutboxReceiver { rx, shared },
    )
}

impl Outbox {
    /// Queues `text` if it fits; never waits.
    pub fn push(&self, text: String) -> Result<(), Full> {
        let len = text.len();
        let limit = self.shared.limit;
        let reserved = self
            .shared
            .bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                (b.saturating_add(len) <= limit).then_some(b + len)
            });
        if let Err(buffered) = reserved {
            return Err(Full {
                text,
                buffered,
                limit,
            });
        }
        self.shared.metrics.outbox_bytes(len as i64);
        self.tx.send(text).map_err(|e| {
            self.shared.release(len);
            Full {
                text: e.0,
                buffered: self.buffered(),
                limit,
            }
        })
    }

    /// Queues `text`, waiting at most `limit` for room. `Err` when it did not fit in time or
    /// the socket is gone.
    pub async fn push_within(&self, text: String, limit: Duration) -> Result<(), Full> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut text = text;
        loop {
            let drained = self.shared.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            match self.push(text) {
                Ok(()) => return Ok(()),
                Err(full) if self.tx.is_closed() => return Err(full),
                Err(full) => {
                    if tokio::time::timeout_at(deadline, drained).await.is_err() {
                        return Err(full);
                    }
                    text = full.text;
                }
            }
        }
    }

    /// Bytes waiting to be written.
    pub fn buffered(&self) -> usize {
        self.shared.bytes.load(Ordering::Acquire)
    }

    /// True once the writer is gone.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl Shared {
    fn release(&self, len: usize) {
        self.bytes.fetch_sub(len, Ordering::AcqRel);
        self.metrics.outbox_bytes(-(len as i64));
        self.drained.notify_waiters();
    }
}

impl OutboxReceiver {
    /// The next frame to write; `None` when every sender is gone. Call [`Self::written`] with
    /// its length once it is written.
    pub async fn recv(&mut self) -> Option<String> {
        self.rx.recv().await
    }

    /// `len` bytes of a frame from [`Self::recv`] are written (or dropped): room for others.
    pub fn written(&self, len: usize) {
        self.shared.release(len);
    }
}

impl Drop for OutboxReceiver {
    fn drop(&mut self) {
        // Frames never written give their bytes back to the gauge.
        self.rx.close();
        while let Ok(text) = self.rx.try_recv() {
            self.shared.release(text.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_in_bytes_and_released_when_written() {
        let (tx, mut rx) = outbox(10, Metrics::new());
        tx.push("12345".into()).unwrap();
        tx.push("123".into()).unwrap();
        let full = tx.push("123".into()).unwrap_err();
        assert_eq!((full.buffered, full.limit), (8, 10));
        assert_eq!(tx.buffered(), 8);
        let first = rx.recv().await.unwrap();
        rx.written(first.len());
        assert_eq!(tx.buffered(), 3);
        tx.push("123".into()).unwrap();
        assert!(tx.push("x".repeat(11)).is_err(), "larger than the bound");
    }

    #[tokio::test]
    async fn push_within_waits_for_room_or_gives_up() {
        let (tx, mut rx) = outbox(4, Metrics::new());
        tx.push("1234".into()).unwrap();
        assert!(
            tx.push_within("ab".into(), Duration::from_millis(50))
                .await
                .is_err()
        );
        let tx2 = tx.clone();
        let waiting =
            tokio::spawn(async move { tx2.push_within("ab".into(), Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let t = rx.recv().await.unwrap();
        rx.written(t.len());
        assert!(waiting.await.unwrap().is_ok());
        assert_eq!(tx.buffered(), 2);
        drop(rx);
        assert_eq!(
            tx.buffered(),
            0,
            "dropping the receiver releases what was queued"
        );
        assert!(tx.push("a".into()).is_err());
    }
}
