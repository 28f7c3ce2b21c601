//! The one rule of bulk writes, shared by the console's `ApplyFlow` (Bulk, Drift) and
//! `tnactl apply` (and driven by the bulk benchmark): how targets are split into batches, how
//! many batches are in flight at once, which batch goes next, and how answers become one
//! [`DeviceOutcome`] per device.
//!
//! - **Batches.** Each batch is one multi-device call (`tna.setConfigMulti`, `jobCodes.setMulti`)
//!   naming the apply's one [`operation_id`] (the audit trail merges the batches into one entry).
//!   [`plan`] picks the batch size and the window so that an apply takes about [`ROUNDS`] waves
//!   of calls whatever its size: batches of [`BATCH`] devices for small applies, growing up to
//!   [`MAX_BATCH`] for large ones; at most `ceil(batches / ROUNDS)` batches in flight, never more
//!   than the caller's window (the console and the benchmark use [`WINDOW`], under the relay's
//!   per-socket in-flight limit with room for the page's other calls) nor more than
//!   [`MAX_DEVICES_IN_FLIGHT`] devices.
//! - **Scheduling.** A [`Run`] hands out batches in target order while the window has room
//!   ([`Run::next_batch`]); a batch the relay refused for its in-flight limit goes first again
//!   ([`Run::refused`]). Progress is the devices of answered batches ([`Run::progress`]).
//! - **Cancel.** [`Run::cancel`] stops handing out batches; batches already sent finish and get
//!   their rows, so at most the window's batches complete after a cancel, and every device of a
//!   batch never sent is "not sent" ([`Run::not_sent`]). Nothing is cancelled half-way.
//! - **Merging.** Each answer — rows, or a failure of the whole call — becomes exactly one outcome
//!   per device of its batch ([`batch_outcomes`]); with [`Run::not_sent`] every target ends with
//!   exactly one row.
//!
//! Pure: no clock, no randomness, no I/O (callers pass them in and do the sending).

use serde::{Deserialize, Serialize};

use crate::device::DeviceResult;
use crate::limits::{MAX_DEVICES_PER_CALL, MAX_IN_FLIGHT_PER_SOCKET};

/// Devices per multi-device call of a small bulk apply (the smallest batch).
pub const BATCH: usize = 10;
/// Devices per multi-device call at most, however large the apply.
pub const MAX_BATCH: usize = 100;
/// Batches in flight at once for a client that has the socket to itself but for a page's other
/// calls: the relay's per-socket limit less 8 (`tnactl` found 24 safe).
pub const WINDOW: usize = MAX_IN_FLIGHT_PER_SOCKET - 8;
/// The waves of calls an apply is spread over (until [`MAX_BATCH`] or the window binds): the
/// first wave's answers show progress, and a Cancel during it stops the rest.
pub const ROUNDS: usize = 3;
/// Devices in flight at once at most (in all the batches out), however large the window: about
/// one gateway's worth, so a huge apply does not put every device of several sites on the
/// relay and gateways at once (10,000 devices: 10 batches of 100 out, not 24).
pub const MAX_DEVICES_IN_FLIGHT: usize = MAX_DEVICES_PER_CALL;

const _: () = assert!(MAX_BATCH <= MAX_DEVICES_PER_CALL && BATCH <= MAX_BATCH && WINDOW > 0);

/// Devices per batch for an apply of `devices` targets with at most `max_window` calls in
/// flight: `ceil(devices / (max_window × ROUNDS))` within [`BATCH`]..=[`MAX_BATCH`].
pub fn batch_size(devices: usize, max_window: usize) -> usize {
    devices
        .div_ceil(max_window.max(1) * ROUNDS)
        .clamp(BATCH, MAX_BATCH)
}

/// Batches in flight at most for an apply of `batches` batches of `batch` devices:
/// `ceil(batches / ROUNDS)` within 1..=`max_window` and at most [`MAX_DEVICES_IN_FLIGHT`]
/// devices (so an apply of two or more batches always has one left for Cancel to stop while the
/// first wave is out).
pub fn window(batches: usize, batch: usize, max_window: usize) -> usize {
    let cap = max_window.min(MAX_DEVICES_IN_FLIGHT / batch.max(1)).max(1);
    batches.div_ceil(ROUNDS).clamp(1, cap)
}

/// One batch handed out by [`Run::next_batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch<'a> {
    /// The batch's index in the run (pass it back to [`Run::answer`]).
    pub index: usize,
    /// The group it belongs to (index into the groups given to [`Run::grouped`]).
    pub group: usize,
    /// Its devices, in target order.
    pub devices: &'a [u32],
}

/// Where a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    InFlight,
    Answered,
}

/// The schedule of one apply: which batch goes next, how many are out, progress and cancel.
/// The caller sends what [`Run::next_batch`] hands out and reports each answer.
#[derive(Debug, Clone)]
pub struct Run {
    /// (group, devices) per batch, in target order.
    batches: Vec<(usize, Vec<u32>)>,
    state: Vec<State>,
    /// Refused batches, sent again before the next new one.
    again: Vec<usize>,
    /// The next never-sent batch.
    next: usize,
    in_flight: usize,
    window: usize,
    batch: usize,
    cancelled: bool,
    answered_devices: usize,
    total: usize,
}

impl Run {
    /// One group of targets (every device gets the same payload).
    pub fn new(ids: &[u32], max_window: usize) -> Run {
        Run::grouped(&[ids], max_window)
    }

    /// Several groups (devices of one group get the same payload; batches never mix groups),
    /// batched in group order.
    pub fn grouped(groups: &[&[u32]], max_window: usize) -> Run {
        let total: usize = groups.iter().map(|g| g.len()).sum();
        let batch = batch_size(total, max_window);
        let batches: Vec<(usize, Vec<u32>)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, ids)| ids.chunks(batch).map(move |c| (g, c.to_vec())))
            .collect();
        Run {
            state: vec![State::Waiting; batches.len()],
            window: window(batches.len(), batch, max_window),
            batches,
            again: Vec::new(),
            next: 0,
            in_flight: 0,
            batch,
            cancelled: false,
            answered_devices: 0,
            total,
        }
    }

    /// Devices per batch.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// Batches in flight at most.
    pub fn window(&self) -> usize {
        self.window
    }

    /// Batches in all.
    pub fn batches(&self) -> usize {
        self.batches.len()
    }

    /// Batches sent and not answered yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The next batch to send, marked in flight: a refused one first, then the next in target
    /// order; `None` while the window is full, after [`Run::cancel`], or when all were sent.
    pub fn next_batch(&mut self) -> Option<Batch<'_>> {
        if self.cancelled || self.in_flight >= self.window {
            return None;
        }
        let index = if self.again.is_empty() {
            if self.next >= self.batches.len() {
                return None;
            }
            self.next += 1;
            self.next - 1
        } else {
            self.again.remove(0)
        };
        self.state[index] = State::InFlight;
        self.in_flight += 1;
        let (group, devices) = &self.batches[index];
        Some(Batch {
            index,
            group: *group,
            devices,
        })
    }

    /// The relay refused batch `index` unseen (its in-flight limit): it goes first again. Ignored
    /// unless the batch is in flight.
    pub fn refused(&mut self, index: usize) {
        if self.state.get(index) == Some(&State::InFlight) {
            self.state[index] = State::Waiting;
            self.in_flight -= 1;
            self.again.push(index);
        }
    }

    /// Batch `index` was answered: one outcome per device of the batch ([`batch_outcomes`]), in
    /// batch order. Empty (and ignored) unless the batch is in flight, so an answer counts once.
    pub fn answer(
        &mut self,
        index: usize,
        answer: Result<&[DeviceResult], &BatchError>,
    ) -> Vec<(u32, DeviceOutcome)> {
        if self.state.get(index) != Some(&State::InFlight) {
            return Vec::new();
        }
        self.state[index] = State::Answered;
        self.in_flight -= 1;
        let devices = &self.batches[index].1;
        self.answered_devices += devices.len();
        batch_outcomes(devices, answer)
    }

    /// Stops handing out batches; those in flight still finish.
    pub fn cancel(&mut self) {
        self.cancelled = true;
    }

    /// Whether [`Run::cancel`] was called.
    pub fn cancelled(&self) -> bool {
        self.cancelled
    }

    /// (devices of answered batches, all devices).
    pub fn progress(&self) -> (usize, usize) {
        (self.answered_devices, self.total)
    }

    /// Nothing in flight and nothing more to send: every batch answered, or cancelled.
    pub fn finished(&self) -> bool {
        self.in_flight == 0 && (self.cancelled || self.state.iter().all(|s| *s == State::Answered))
    }

    /// The devices of batches not sent (or refused and not sent again), in target order: after a
    /// cancel, the "not sent" rows.
    pub fn not_sent(&self) -> Vec<u32> {
        self.batches
            .iter()
            .zip(&self.state)
            .filter(|(_, s)| **s == State::Waiting)
            .flat_map(|((_, d), _)| d.iter().copied())
            .collect()
    }
}

/// The operation ID every batch of one apply carries: `bulk-` + the time in milliseconds + a
/// random part (hex), within the relay's 1–64 visible ASCII characters.
pub fn operation_id(now_ms: u64, random: u32) -> String {
    format!("bulk-{now_ms}-{random:08x}")
}

/// Where a failure's code comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", content = "code", rename_all = "camelCase")]
pub enum FailureCode {
    /// The gateway's gRPC status code for this device (a row of the answer).
    Grpc(i32),
    /// The relay's JSON-RPC error code: the whole batch call failed.
    Relay(i32),
    /// No code: the answer had no row for this device, or the call failed without one.
    None,
}

/// The outcome of a batch for one of its devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum DeviceOutcome {
    /// The device took the write.
    Ok,
    /// It did not: the code and the gateway's or relay's message.
    Failed {
        /// Where the code comes from.
        code: FailureCode,
        /// What went wrong, for people.
        message: String,
    },
}

/// A multi-device call that failed as a whole: the relay's error code (when it answered with
/// one) and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    /// The relay's JSON-RPC error code, `None` for a transport failure (socket closed, timeout).
    pub code: Option<i32>,
    /// The message.
    pub message: String,
}

/// The message of a device the answer left out.
pub const NO_ROW: &str = "the relay's answer had no row for this device";

/// One outcome per device of `batch`, in batch order, from the call's answer: a device's own
/// row when the call answered (a device without a row is a failure, [`NO_ROW`]), or the call's
/// failure for every device of the batch.
pub fn batch_outcomes(
    batch: &[u32],
    answer: Result<&[DeviceResult], &BatchError>,
) -> Vec<(u32, DeviceOutcome)> {
    batch
        .iter()
        .map(|&id| {
            let outcome = match answer {
                Ok(rows) => match rows.iter().find(|r| r.device_id == id) {
                    Some(r) if r.ok => DeviceOutcome::Ok,
                    Some(r) => DeviceOutcome::Failed {
                        code: r.code.map_or(FailureCode::None, FailureCode::Grpc),
                        message: r.message.clone().unwrap_or_default(),
                    },
                    None => DeviceOutcome::Failed {
                        code: FailureCode::None,
                        message: NO_ROW.to_string(),
                    },
                },
                Err(e) => DeviceOutcome::Failed {
                    code: e.code.map_or(FailureCode::None, FailureCode::Relay),
                    message: e.message.clone(),
                },
            };
            (id, outcome)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::MAX_OPERATION_ID_LEN;

    /// Drives a run to its end: every batch answered `ok` except devices in `fail`, cancelled
    /// after `cancel_after` answers; returns (rows per device, most batches in flight at once).
    fn drive(
        run: &mut Run,
        fail: &[u32],
        cancel_after: Option<usize>,
    ) -> (Vec<(u32, DeviceOutcome)>, usize) {
        let mut rows = Vec::new();
        let mut out: Vec<(usize, Vec<u32>)> = Vec::new();
        let mut most = 0;
        let mut answers = 0;
        loop {
            while let Some(b) = run.next_batch() {
                out.push((b.index, b.devices.to_vec()));
            }
            most = most.max(out.len());
            assert_eq!(out.len(), run.in_flight());
            if out.is_empty() {
                break;
            }
            // Answers come back in any order: the last sent first.
            let (index, devices) = out.pop().unwrap();
            let answer: Vec<DeviceResult> = devices
                .iter()
                .map(|&id| {
                    if fail.contains(&id) {
                        DeviceResult::failed(id, 13, "injected")
                    } else {
                        DeviceResult::ok(id)
                    }
                })
                .collect();
            rows.extend(run.answer(index, Ok(&answer)));
            // An answer counts once.
            assert!(run.answer(index, Ok(&answer)).is_empty());
            answers += 1;
            if cancel_after == Some(answers) {
                run.cancel();
            }
        }
        assert!(run.finished());
        (rows, most)
    }

    #[test]
    fn plans_take_about_three_waves_within_the_caps() {
        // Small applies: batches of 10, one at a time below four batches.
        assert_eq!(batch_size(20, WINDOW), BATCH);
        assert_eq!(window(2, BATCH, WINDOW), 1);
        assert_eq!(window(4, BATCH, WINDOW), 2);
        // 1,000 devices: 72 batches of 14, 24 in flight → 3 waves.
        assert_eq!(batch_size(1_000, WINDOW), 14);
        assert_eq!(window(1_000usize.div_ceil(14), 14, WINDOW), WINDOW);
        // 10,000: the batch size is capped, and so are the devices in flight (10 × 100).
        assert_eq!(batch_size(10_000, WINDOW), MAX_BATCH);
        assert_eq!(window(100, MAX_BATCH, WINDOW), 10);
        // A window of one (tnactl --parallel 1) is sequential.
        assert_eq!(window(50, BATCH, 1), 1);
        assert_eq!(batch_size(0, WINDOW), BATCH);
        assert_eq!(window(0, 0, 0), 1);
    }

    #[test]
    fn every_device_gets_exactly_one_row_in_any_answer_order() {
        for n in [0usize, 1, 9, 10, 11, 95, 240, 1_000, 3_333] {
            let ids: Vec<u32> = (1..=n as u32).collect();
            let fail: Vec<u32> = ids.iter().copied().filter(|id| id % 50 == 0).collect();
            let mut run = Run::new(&ids, WINDOW);
            assert_eq!(run.batches(), n.div_ceil(run.batch_size()));
            let (rows, most) = drive(&mut run, &fail, None);
            assert!(most * run.batch_size() <= MAX_DEVICES_IN_FLIGHT.max(run.batch_size()));
            assert!(
                most <= run.window(),
                "{most} in flight, window {}",
                run.window()
            );
            assert_eq!(run.progress(), (n, n));
            assert!(run.not_sent().is_empty());
            let mut seen: Vec<u32> = rows.iter().map(|r| r.0).collect();
            seen.sort_unstable();
            assert_eq!(seen, ids, "{n} devices");
            let failed: Vec<u32> = rows
                .iter()
                .filter(|r| r.1 != DeviceOutcome::Ok)
                .map(|r| r.0)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            assert_eq!(failed, fail);
        }
    }

    #[test]
    fn cancel_lets_the_batches_in_flight_finish_and_leaves_the_rest_not_sent() {
        let ids: Vec<u32> = (1..=1_000).collect();
        let mut run = Run::new(&ids, WINDOW);
        let (rows, _) = drive(&mut run, &[], Some(1));
        // The first answer came while the whole first wave was out: that wave finishes.
        assert_eq!(rows.len(), run.window() * run.batch_size());
        let not_sent = run.not_sent();
        assert_eq!(rows.len() + not_sent.len(), ids.len());
        // The first wave is the first devices in target order; the rest is not sent.
        assert_eq!(not_sent, ids[rows.len()..].to_vec());
        assert_eq!(run.progress(), (rows.len(), 1_000));
        assert!(run.next_batch().is_none());
        // Twenty devices: two batches, one at a time, so Cancel during the first stops the second.
        let ids: Vec<u32> = (1..=20).collect();
        let mut run = Run::new(&ids, WINDOW);
        let (rows, most) = drive(&mut run, &[], Some(1));
        assert_eq!((rows.len(), most), (10, 1));
        assert_eq!(run.not_sent(), ids[10..].to_vec());
    }

    #[test]
    fn a_refused_batch_goes_first_again_and_groups_never_mix() {
        let a: Vec<u32> = (1..=25).collect();
        let b: Vec<u32> = (100..=104).collect();
        let mut run = Run::grouped(&[&a, &b], 2);
        // 30 devices, window 2 → batches of 10: 1..10, 11..20, 21..25, 100..104.
        let got: Vec<(usize, usize, Vec<u32>)> = std::iter::from_fn(|| {
            run.next_batch()
                .map(|b| (b.index, b.group, b.devices.to_vec()))
        })
        .collect();
        assert_eq!(run.window(), 2);
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].0, got[0].1, got[0].2.len()), (0, 0, 10));
        run.refused(0);
        run.refused(0); // twice: ignored
        assert_eq!(run.in_flight(), 1);
        assert_eq!(
            run.not_sent(),
            a[..10]
                .iter()
                .copied()
                .chain(a[20..].iter().copied())
                .chain(b.iter().copied())
                .collect::<Vec<_>>()
        );
        let again = run.next_batch().map(|b| b.index);
        assert_eq!(again, Some(0));
        assert_eq!(run.answer(1, Ok(&[])).len(), 10);
        let third = run.next_batch().map(|b| (b.group, b.devices.to_vec()));
        assert_eq!(third, Some((0, a[20..].to_vec())));
        run.answer(0, Ok(&[]));
        let last = run.next_batch().map(|b| (b.group, b.devices.to_vec()));
        assert_eq!(last, Some((1, b.clone())));
        assert!(run.next_batch().is_none());
        assert!(!run.finished());
        let e = BatchError {
            code: Some(-32004),
            message: "gateway down".into(),
        };
        assert_eq!(run.answer(2, Err(&e)).len(), 5);
        assert_eq!(run.answer(3, Err(&e)).len(), 5);
        assert!(run.finished());
        assert_eq!(run.progress(), (30, 30));
    }

    #[test]
    fn operation_ids_fit_the_relay_rule() {
        let id = operation_id(u64::MAX, u32::MAX);
        assert!(id.len() <= MAX_OPERATION_ID_LEN, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_graphic()), "{id}");
        assert_eq!(
            operation_id(1_700_000_000_000, 0xab),
            "bulk-1700000000000-000000ab"
        );
        assert_ne!(operation_id(1, 2), operation_id(1, 3));
    }

    #[test]
    fn rows_become_outcomes_and_missing_rows_fail() {
        let rows = [
            DeviceResult::ok(1),
            DeviceResult::failed(2, 13, "boom"),
            DeviceResult::ok(9), // not in the batch: ignored
        ];
        let out = batch_outcomes(&[1, 2, 3], Ok(&rows));
        assert_eq!(out[0], (1, DeviceOutcome::Ok));
        assert_eq!(
            out[1],
            (
                2,
                DeviceOutcome::Failed {
                    code: FailureCode::Grpc(13),
                    message: "boom".into()
                }
            )
        );
        assert_eq!(
            out[2],
            (
                3,
                DeviceOutcome::Failed {
                    code: FailureCode::None,
                    message: NO_ROW.into()
                }
            )
        );
    }

    #[test]
    fn a_failed_call_fails_every_device_of_the_batch() {
        let e = BatchError {
            code: Some(-32004),
            message: "gateway down".into(),
        };
        let out = batch_outcomes(&[5, 6], Err(&e));
        assert_eq!(out.len(), 2);
        for (id, o) in [(5, &out[0]), (6, &out[1])] {
            assert_eq!(o.0, id);
            assert_eq!(
                o.1,
                DeviceOutcome::Failed {
                    code: FailureCode::Relay(-32004),
                    message: "gateway down".into()
                }
            );
        }
    }
}
