//! A socket's outbox: every frame the relay writes to one WebSocket waits here, bounded in
//! **bytes** ([`MAX_OUTBOX_BYTES`]), never in count. Pushing never blocks: a frame that does not
//! fit is refused ([`Full`]) and the caller decides (a reply becomes a `limitExceeded` error,
//! live events wait a little, then the socket is closed). The writer task takes frames out and
//! writes each within [`WRITE_TIMEOUT`]; the bytes are released once written.
//!
//! Relay-wide, the outboxes share one [`Budget`]: every socket may hold [`GUARANTEED_BYTES`]
//! whatever the others do (so a normal client's replies always fit), and what sockets hold
//! beyond that comes out of [`MAX_RELAY_OUTBOX_BYTES`] together. Many clients that stop reading
//! therefore pin at most `sockets × GUARANTEED_BYTES + MAX_RELAY_OUTBOX_BYTES`, not
//! `sockets × MAX_OUTBOX_BYTES`.
//!
//! The timing constants of a socket live here too: [`WRITE_TIMEOUT`], [`PING_INTERVAL`],
//! [`IDLE_TIMEOUT`], [`CLOSE_GRACE`]; and the relay-wide cap [`MAX_SOCKETS_TOTAL`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tna_types::binary;
pub use tna_types::limits::MAX_OUTBOX_BYTES;
use tna_types::protocol::{Notification, RequestId, Response, RpcError};
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
/// Bytes every socket may hold in its outbox regardless of the relay-wide budget (a log page,
/// a device list: what a reading client has in flight).
pub const GUARANTEED_BYTES: usize = 1024 * 1024;
/// Bytes all sockets together may hold beyond their [`GUARANTEED_BYTES`].
pub const MAX_RELAY_OUTBOX_BYTES: usize = 256 * 1024 * 1024;

/// One frame for a socket: JSON text, or a binary frame of the binary subprotocol
/// (`tna_types::binary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text frame (JSON).
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

impl Frame {
    /// Its size in bytes, as the outbox counts it.
    pub fn len(&self) -> usize {
        match self {
            Frame::Text(t) => t.len(),
            Frame::Binary(b) => b.len(),
        }
    }

    /// Whether it holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of a text frame.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Frame::Text(t) => Some(t),
            Frame::Binary(_) => None,
        }
    }
}

impl From<String> for Frame {
    fn from(text: String) -> Self {
        Frame::Text(text)
    }
}

impl From<&str> for Frame {
    fn from(text: &str) -> Self {
        Frame::Text(text.to_owned())
    }
}

/// How a socket's frames are written: JSON text, or — for a client that opened it with
/// `tna_types::binary::SUBPROTOCOL` — binary frames for every result that has a binary form,
/// every error and every push (`tna_types::binary`; an answer to a request whose ID is a string
/// or could not be read stays JSON text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// JSON text frames only (the public protocol).
    #[default]
    Json,
    /// The binary subprotocol.
    Binary,
}

impl Encoding {
    /// The frame answering `id` with `error`.
    pub fn error(self, id: Option<RequestId>, error: RpcError) -> Frame {
        if let (Encoding::Binary, Some(RequestId::Number(n))) = (self, &id) {
            match binary::encode_error(*n, &error) {
                Ok(bytes) => return Frame::Binary(bytes),
                Err(e) => tracing::error!("an error frame could not be encoded: {e}"),
            }
        }
        Frame::Text(Response::error(id, error).to_text())
    }

    /// The frame of a push.
    pub fn push(self, push: &Notification) -> Frame {
        if self == Encoding::Binary {
            match binary::encode_push(push) {
                Ok(bytes) => return Frame::Binary(bytes),
                Err(e) => tracing::error!("a push could not be encoded: {e}"),
            }
        }
        Frame::Text(push.to_text())
    }
}

/// The outbox bytes beyond [`GUARANTEED_BYTES`] that all sockets hold together.
#[derive(Debug)]
pub struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    /// A budget of `limit` bytes to share.
    pub fn new(limit: usize) -> Arc<Budget> {
        Arc::new(Budget {
            used: AtomicUsize::new(0),
            limit,
        })
    }

    /// Bytes in use beyond the sockets' guaranteed share.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }

    /// Takes `n` bytes if they fit.
    fn take(&self, n: usize) -> bool {
        n == 0
            || self
                .used
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| {
                    (u.saturating_add(n) <= self.limit).then_some(u + n)
                })
                .is_ok()
    }

    fn give(&self, n: usize) {
        if n > 0 {
            self.used.fetch_sub(n, Ordering::AcqRel);
        }
    }
}

/// The part of a socket's `bytes` that counts against the relay-wide budget.
fn excess(bytes: usize) -> usize {
    bytes.saturating_sub(GUARANTEED_BYTES)
}

/// The frame did not fit in the outbox (or the socket is gone); it is handed back.
#[derive(Debug, thiserror::Error)]
#[error(
    "the socket's outbox is full ({buffered} of {limit} bytes), the relay's is, or it is closed"
)]
pub struct Full {
    /// The frame that was not queued.
    pub frame: Frame,
    /// Bytes waiting when it was refused.
    pub buffered: usize,
    /// The bound.
    pub limit: usize,
    /// It was the relay-wide [`Budget`] that had no room, not this socket's bound.
    pub relay_wide: bool,
}

/// The sending side of one socket's outbox (cheap to clone).
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::UnboundedSender<Frame>,
    shared: Arc<Shared>,
}

struct Shared {
    /// Bytes waiting; a lock (not an atomic) because its share of the budget moves with it.
    bytes: Mutex<usize>,
    limit: usize,
    budget: Arc<Budget>,
    drained: Notify,
    metrics: Metrics,
}

/// The receiving side, owned by the writer task.
pub struct OutboxReceiver {
    rx: mpsc::UnboundedReceiver<Frame>,
    shared: Arc<Shared>,
}

/// A new outbox bounded by `limit` bytes, with a budget of its own (tests, internal queues).
pub fn outbox(limit: usize, metrics: Metrics) -> (Outbox, OutboxReceiver) {
    outbox_in(limit, Budget::new(usize::MAX), metrics)
}

/// A new outbox bounded by `limit` bytes that shares `budget` with the relay's other sockets.
pub fn outbox_in(limit: usize, budget: Arc<Budget>, metrics: Metrics) -> (Outbox, OutboxReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        bytes: Mutex::new(0),
        limit,
        budget,
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
    /// Queues `frame` if it fits; never waits.
    pub fn push(&self, frame: impl Into<Frame>) -> Result<(), Full> {
        let frame = frame.into();
        let len = frame.len();
        let limit = self.shared.limit;
        if let Err((buffered, relay_wide)) = self.shared.reserve(len) {
            return Err(Full {
                frame,
                buffered,
                limit,
                relay_wide,
            });
        }
        self.shared.metrics.outbox_bytes(len as i64);
        self.tx.send(frame).map_err(|e| {
            self.shared.release(len);
            Full {
                frame: e.0,
                buffered: self.buffered(),
                limit,
                relay_wide: false,
            }
        })
    }

    /// Queues `frame`, waiting at most `limit` for room. `Err` when it did not fit in time or
    /// the socket is gone.
    pub async fn push_within(&self, frame: impl Into<Frame>, limit: Duration) -> Result<(), Full> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut frame = frame.into();
        loop {
            let drained = self.shared.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            match self.push(frame) {
                Ok(()) => return Ok(()),
                Err(full) if self.tx.is_closed() => return Err(full),
                Err(full) => {
                    if tokio::time::timeout_at(deadline, drained).await.is_err() {
                        return Err(full);
                    }
                    frame = full.frame;
                }
            }
        }
    }

    /// Bytes waiting to be written.
    pub fn buffered(&self) -> usize {
        *self.shared.bytes()
    }

    /// True once the writer is gone.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl Shared {
    fn bytes(&self) -> std::sync::MutexGuard<'_, usize> {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts `len` more bytes if they fit this socket's bound and, beyond its guaranteed
    /// share, the relay's budget; else the bytes held and whether the budget said no.
    fn reserve(&self, len: usize) -> Result<(), (usize, bool)> {
        let mut bytes = self.bytes();
        let after = bytes.saturating_add(len);
        if after > self.limit {
            return Err((*bytes, false));
        }
        if !self.budget.take(excess(after) - excess(*bytes)) {
            return Err((*bytes, true));
        }
        *bytes = after;
        Ok(())
    }

    fn release(&self, len: usize) {
        {
            let mut bytes = self.bytes();
            let after = bytes.saturating_sub(len);
            self.budget.give(excess(*bytes) - excess(after));
            *bytes = after;
        }
        self.metrics.outbox_bytes(-(len as i64));
        self.drained.notify_waiters();
    }
}

impl OutboxReceiver {
    /// The next frame to write; `None` when every sender is gone. Call [`Self::written`] with
    /// its length once it is written.
    pub async fn recv(&mut self) -> Option<Frame> {
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
        while let Ok(frame) = self.rx.try_recv() {
            self.shared.release(frame.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_in_bytes_and_released_when_written() {
        let (tx, mut rx) = outbox(10, Metrics::new());
        tx.push("12345").unwrap();
        tx.push("123").unwrap();
        let full = tx.push("123").unwrap_err();
        assert_eq!((full.buffered, full.limit), (8, 10));
        assert_eq!(tx.buffered(), 8);
        let first = rx.recv().await.unwrap();
        rx.written(first.len());
        assert_eq!(tx.buffered(), 3);
        tx.push("123").unwrap();
        assert!(tx.push("x".repeat(11)).is_err(), "larger than the bound");
    }

    #[tokio::test]
    async fn sockets_share_one_budget_beyond_their_guaranteed_bytes() {
        let budget = Budget::new(GUARANTEED_BYTES);
        let big = MAX_OUTBOX_BYTES;
        let (a, mut a_rx) = outbox_in(big, budget.clone(), Metrics::new());
        let (b, _b_rx) = outbox_in(big, budget.clone(), Metrics::new());
        let (c, _c_rx) = outbox_in(big, budget.clone(), Metrics::new());
        let mb = |n: usize| "x".repeat(n * 1024 * 1024);
        // Each socket's first MiB is its own; a's second comes from the budget.
        a.push(mb(1)).unwrap();
        a.push(mb(1)).unwrap();
        assert_eq!(budget.used(), GUARANTEED_BYTES);
        // The budget is spent: b may still fill its guaranteed share, not more.
        b.push(mb(1)).unwrap();
        let refused = b.push("y").unwrap_err();
        assert!(refused.relay_wide, "{refused}");
        // c's small reply fits whatever the others hold.
        c.push("a small reply").unwrap();
        // a's frames are written: the budget is free again for b.
        for _ in 0..2 {
            let t = a_rx.recv().await.unwrap();
            a_rx.written(t.len());
        }
        assert_eq!(budget.used(), 0);
        b.push(mb(1)).unwrap();
        assert_eq!(budget.used(), GUARANTEED_BYTES);
        // A socket's own bound still holds below the budget.
        let (d, _d_rx) = outbox_in(10, Budget::new(usize::MAX), Metrics::new());
        assert!(!d.push("x".repeat(11)).unwrap_err().relay_wide);
    }

    #[tokio::test]
    async fn push_within_waits_for_room_or_gives_up() {
        let (tx, mut rx) = outbox(4, Metrics::new());
        tx.push("1234").unwrap();
        assert!(
            tx.push_within("ab", Duration::from_millis(50))
                .await
                .is_err()
        );
        let tx2 = tx.clone();
        let waiting =
            tokio::spawn(async move { tx2.push_within("ab", Duration::from_secs(5)).await });
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
        assert!(tx.push("a").is_err());
    }
}
