//! [`Fanout`]: delivers gateway events (new logs, status changes) to every open server stream.
//!
//! Each subscriber gets its own bounded queue of the size it asked for. Publishing never waits:
//! when a subscriber's queue is full the event is discarded for that subscriber only, which is
//! what the real gateway does, and keeps a slow client from stalling the punch generator.

use std::pin::Pin;
use std::sync::Mutex;

use futures::Stream;
use tokio::sync::{mpsc, oneshot};
use tonic::Status;

/// Largest queue a client may ask for; bigger requests are clamped (memory bound).
const MAX_QUEUE: usize = 65_536;

/// The stream handed to tonic for one subscriber.
pub(crate) type SubscriberStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// Decides whether a subscriber wants an item (its request filters).
pub(crate) type Filter<T> = Box<dyn Fn(&T) -> bool + Send + Sync>;

struct Subscriber<T> {
    tx: mpsc::Sender<T>,
    /// Ends the stream with an error status (see [`Fanout::close_all`]).
    kill: oneshot::Sender<Status>,
    filter: Filter<T>,
    /// Events discarded because the queue was full (logged when the subscriber goes away).
    dropped: u64,
}

/// A set of subscribers to one kind of event.
pub(crate) struct Fanout<T> {
    subs: Mutex<Vec<Subscriber<T>>>,
}

impl<T: Clone + Send + 'static> Fanout<T> {
    /// No subscribers yet.
    pub(crate) fn new() -> Self {
        Fanout {
            subs: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Subscriber<T>>> {
        self.subs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a subscriber with a queue of `queue_size` (at least 1) and returns its stream.
    pub(crate) fn subscribe(&self, queue_size: i32, filter: Filter<T>) -> SubscriberStream<T> {
        let capacity = usize::try_from(queue_size).unwrap_or(1).clamp(1, MAX_QUEUE);
        let (tx, rx) = mpsc::channel(capacity);
        let (kill, killed) = oneshot::channel();
        self.lock().push(Subscriber {
            tx,
            kill,
            filter,
            dropped: 0,
        });
        Box::pin(futures::stream::unfold(
            (rx, Some(killed)),
            |(mut rx, killed)| async move {
                let mut killed = killed?;
                tokio::select! {
                    // A kill wins over queued items: the stream is broken from that moment on.
                    biased;
                    k = &mut killed => k.ok().map(|status| (Err(status), (rx, None))),
                    item = rx.recv() => item.map(|v| (Ok(v), (rx, Some(killed)))),
                }
            },
        ))
    }

    /// Offers `item` to every subscriber whose filter accepts it, without waiting. Subscribers
    /// whose stream is gone are removed.
    pub(crate) fn publish(&self, item: &T) {
        self.lock().retain_mut(|s| {
            if !(s.filter)(item) {
                return !s.tx.is_closed();
            }
            match s.tx.try_send(item.clone()) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    s.dropped += 1;
                    tracing::debug!(
                        dropped = s.dropped,
                        "subscriber queue full: event discarded"
                    );
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }

    /// Ends every open stream with `status` and forgets the subscribers.
    pub(crate) fn close_all(&self, status: &Status) {
        for s in self.lock().drain(..) {
            // The receiver may already be gone; nothing to tell then.
            let _ = s.kill.send(status.clone());
        }
    }

    /// Number of open subscribers (closed ones are pruned on the next publish).
    pub(crate) fn len(&self) -> usize {
        self.lock().iter().filter(|s| !s.tx.is_closed()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn full_queue_discards_instead_of_blocking() {
        let fanout = Fanout::<u32>::new();
        let mut stream = fanout.subscribe(1, Box::new(|_| true));
        for i in 0..5 {
            fanout.publish(&i); // must not block although nobody reads
        }
        assert_eq!(stream.next().await.map(|r| r.ok()), Some(Some(0)));
        fanout.publish(&9);
        assert_eq!(
            stream.next().await.map(|r| r.ok()),
            Some(Some(9)),
            "1..4 were discarded"
        );
    }

    #[tokio::test]
    async fn filter_and_close_all() {
        let fanout = Fanout::<u32>::new();
        let mut even = fanout.subscribe(8, Box::new(|v| v % 2 == 0));
        fanout.publish(&1);
        fanout.publish(&2);
        assert_eq!(even.next().await.map(|r| r.ok()), Some(Some(2)));
        fanout.close_all(&Status::unavailable("gone"));
        let end = even.next().await;
        assert_eq!(
            end.map(|r| r.map_err(|s| s.code())),
            Some(Err(tonic::Code::Unavailable))
        );
        assert!(even.next().await.is_none());
        assert_eq!(fanout.len(), 0);
    }
}
