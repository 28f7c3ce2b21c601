//! The client side of the relay's in-flight limit: at most [`MAX_IN_FLIGHT_PER_SOCKET`] calls
//! on the socket at once; further calls wait their turn (first come, first served) instead of
//! being refused with `-32008`. Pages that fan out (time zone and config of 50 devices, a bulk
//! apply in batches) stay simple and never trip the relay's limit.
//!
//! Pure (no DOM): unit-tested natively.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use futures::channel::oneshot;
pub use tna_types::limits::MAX_IN_FLIGHT_PER_SOCKET;

/// Hands out up to `limit` permits; the rest wait in a queue.
#[derive(Debug)]
pub struct Gate {
    limit: usize,
    in_use: Cell<usize>,
    queue: RefCell<VecDeque<oneshot::Sender<Permit>>>,
}

/// One call's right to be on the socket; dropping it lets the next waiting call go.
#[derive(Debug)]
pub struct Permit {
    gate: Option<Rc<Gate>>,
}

impl Gate {
    /// A gate with `limit` permits (at least one).
    pub fn new(limit: usize) -> Rc<Gate> {
        Rc::new(Gate {
            limit: limit.max(1),
            in_use: Cell::new(0),
            queue: RefCell::new(VecDeque::new()),
        })
    }

    /// Permits held now.
    pub fn in_use(&self) -> usize {
        self.in_use.get()
    }

    /// Calls waiting for a permit now.
    pub fn waiting(&self) -> usize {
        self.queue.borrow().len()
    }

    /// Waits for a permit. A caller that gives up while waiting (its future dropped) loses its
    /// place; the permit goes to the next in line.
    pub async fn acquire(self: &Rc<Self>) -> Permit {
        if self.in_use.get() < self.limit {
            self.in_use.set(self.in_use.get() + 1);
            return Permit {
                gate: Some(Rc::clone(self)),
            };
        }
        let (tx, rx) = oneshot::channel();
        self.queue.borrow_mut().push_back(tx);
        match rx.await {
            Ok(permit) => permit,
            // The gate went away with the client: nothing to wait for any more.
            Err(_) => Permit { gate: None },
        }
    }

    /// Passes a returned permit to the first waiter still waiting, or frees it.
    fn release(self: &Rc<Self>) {
        loop {
            let Some(tx) = self.queue.borrow_mut().pop_front() else {
                self.in_use.set(self.in_use.get().saturating_sub(1));
                return;
            };
            let permit = Permit {
                gate: Some(Rc::clone(self)),
            };
            match tx.send(permit) {
                Ok(()) => return,
                // That caller gave up: its permit comes back here, never dropped (which would
                // release twice).
                Err(mut unsent) => unsent.gate = None,
            }
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            gate.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;

    #[test]
    fn waits_beyond_the_limit_and_hands_over_in_order() {
        let gate = Gate::new(2);
        let a = gate.acquire().now_or_never().expect("free permit");
        let b = gate.acquire().now_or_never().expect("free permit");
        assert_eq!(gate.in_use(), 2);
        let mut c = Box::pin(gate.acquire());
        let mut d = Box::pin(gate.acquire());
        assert!((&mut c).now_or_never().is_none(), "third call waits");
        assert!((&mut d).now_or_never().is_none(), "fourth call waits");
        assert_eq!(gate.waiting(), 2);
        drop(a);
        assert_eq!(gate.in_use(), 2, "the permit passed to the first waiter");
        let c = (&mut c).now_or_never().expect("first waiter goes first");
        assert!(
            (&mut d).now_or_never().is_none(),
            "second waiter still waits"
        );
        drop(b);
        let d = (&mut d).now_or_never().expect("second waiter goes next");
        drop((c, d));
        assert_eq!(gate.in_use(), 0);
        assert_eq!(gate.waiting(), 0);
    }

    #[test]
    fn a_caller_that_gives_up_loses_its_place_not_a_permit() {
        let gate = Gate::new(1);
        let a = gate.acquire().now_or_never().expect("free permit");
        let mut gone = Box::pin(gate.acquire());
        let mut next = Box::pin(gate.acquire());
        assert!((&mut gone).now_or_never().is_none());
        assert!((&mut next).now_or_never().is_none());
        drop(gone); // e.g. the call timed out while waiting
        drop(a);
        let n = (&mut next)
            .now_or_never()
            .expect("the permit skips the caller that left");
        assert_eq!(gate.in_use(), 1);
        drop(n);
        assert_eq!(gate.in_use(), 0, "no permit leaked or released twice");
        // And the limit still holds afterwards.
        let _x = gate.acquire().now_or_never().expect("free");
        assert!(Box::pin(gate.acquire()).now_or_never().is_none());
    }
}
