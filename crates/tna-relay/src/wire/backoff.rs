//! The one re-subscribe backoff of the relay's long-lived gateway streams (live events in
//! `fanout.rs`, device status in `status.rs`): [`BACKOFF_START`] doubling to [`BACKOFF_MAX`]
//! between attempts, starting over only after a stream stayed up for [`STABLE_STREAM`].

use std::time::Duration;

/// First wait before re-subscribing after a gateway stream dropped.
pub const BACKOFF_START: Duration = Duration::from_millis(200);
/// Longest wait between re-subscribe attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How long a re-opened gateway stream must stay up before the next failure starts the backoff
/// from the beginning again: a gateway that accepts streams and drops them at once (flapping)
/// keeps backing off instead of being hit, with full re-lists and gap storms, five times a
/// second.
pub const STABLE_STREAM: Duration = Duration::from_secs(5);

/// The wait before the next re-subscribe attempt of one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    wait: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            wait: BACKOFF_START,
        }
    }
}

impl Backoff {
    /// The wait before the next attempt.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// A stream that was up for `up_for` ended: after a stable stream the waits start over,
    /// else they keep growing.
    pub fn stream_ended(&mut self, up_for: Duration) {
        if up_for >= STABLE_STREAM {
            self.wait = BACKOFF_START;
        }
    }

    /// After waiting: the next wait doubles, up to [`BACKOFF_MAX`].
    pub fn grow(&mut self) {
        self.wait = (self.wait * 2).min(BACKOFF_MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_maximum() {
        let mut b = Backoff::default();
        assert_eq!(b.wait(), BACKOFF_START);
        b.grow();
        assert_eq!(b.wait(), BACKOFF_START * 2);
        for _ in 0..20 {
            b.grow();
        }
        assert_eq!(b.wait(), BACKOFF_MAX);
    }

    #[test]
    fn starts_over_only_after_a_stable_stream() {
        let mut b = Backoff::default();
        for _ in 0..4 {
            b.grow();
        }
        let grown = b.wait();
        b.stream_ended(Duration::from_millis(50));
        assert_eq!(
            b.wait(),
            grown,
            "a stream dropped at once keeps the backoff growing"
        );
        b.stream_ended(STABLE_STREAM);
        assert_eq!(b.wait(), BACKOFF_START);
    }
}
