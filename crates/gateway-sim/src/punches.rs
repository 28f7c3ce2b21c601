//! Event logs: the compact per-device log store, the seeded history generator and the live
//! punch generator that keeps appending events while the gateway runs.
//!
//! Records are 20 bytes (no strings: the user ID is kept as a number), so 200,000 records on one
//! device cost 4 MB. What people punch, and when, is the workforce plan's (`workforce.rs`): the
//! history is the plan's past, the live generator records the plan's punches as their time
//! comes.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::time::Duration;

use gsdk_proto::event::EventLog;
use gsdk_proto::tna::{JobCodeLog, Mode, TnaConfig, TnaLog};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Gateway;
use crate::seed::Model;
use crate::state::{DeviceSlot, DeviceState, unix_now};
use crate::workforce::{Action, Plan, PlannedPunch, auth_ways, pressed_key, recorded_key};

/// One stored event, packed. `user == 0` means "no user"; `job_code == 0` means none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LogRecord {
    /// Log record ID (strictly increasing, no gaps).
    pub id: u32,
    /// Unix seconds, UTC.
    pub timestamp: u32,
    /// Job code chosen at the terminal, 0 when none.
    pub job_code: u32,
    /// Numeric user ID (0 = none).
    pub user: u32,
    /// 16-bit event code.
    pub event_code: u16,
    /// 8-bit sub code.
    pub sub_code: u8,
    /// T&A key (0 = none).
    pub key: u8,
}

impl LogRecord {
    fn user_id(&self) -> String {
        if self.user == 0 {
            String::new()
        } else {
            self.user.to_string()
        }
    }

    /// The record as `tna.TNALog`.
    pub(crate) fn to_tna(self, device_id: u32) -> TnaLog {
        TnaLog {
            id: self.id,
            timestamp: self.timestamp,
            device_id,
            user_id: self.user_id(),
            event_code: u32::from(self.event_code),
            sub_code: u32::from(self.sub_code),
            tna_key: i32::from(self.key),
        }
    }

    /// The record as `tna.JobCodeLog`.
    pub(crate) fn to_job_code(self, device_id: u32) -> JobCodeLog {
        JobCodeLog {
            id: self.id,
            timestamp: self.timestamp,
            device_id,
            user_id: self.user_id(),
            event_code: u32::from(self.event_code),
            sub_code: u32::from(self.sub_code),
            job_code: self.job_code,
        }
    }

    /// The record as `event.EventLog`.
    pub(crate) fn to_event(self, device_id: u32) -> EventLog {
        EventLog {
            id: self.id,
            timestamp: self.timestamp,
            device_id,
            user_id: self.user_id(),
            event_code: u32::from(self.event_code),
            sub_code: u32::from(self.sub_code),
            tna_key: i32::from(self.key),
            ..EventLog::default()
        }
    }
}

/// A device's event log: records in ID order plus the positions of records carrying a job code
/// (what GetJobCodeLog reads), both searched by binary search on the ID.
#[derive(Debug)]
pub(crate) struct DeviceLog {
    next_id: u32,
    records: Vec<LogRecord>,
    job_positions: Vec<u32>,
}

/// Clamps a request's `maxNumOfLog` (0 = all) to a slice length.
fn limit(max: u32, available: usize) -> usize {
    if max == 0 {
        available
    } else {
        available.min(max as usize)
    }
}

impl DeviceLog {
    /// An empty log whose first record will get `first_id`.
    pub(crate) fn new(first_id: u32) -> DeviceLog {
        DeviceLog {
            next_id: first_id.max(1),
            records: Vec::new(),
            job_positions: Vec::new(),
        }
    }

    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// A log of `records` (in time order), IDs from `first_id` on.
    pub(crate) fn from_records(first_id: u32, records: Vec<LogRecord>) -> DeviceLog {
        let mut log = DeviceLog::new(first_id);
        log.records.reserve_exact(records.len());
        for r in records {
            log.push(r);
        }
        log
    }

    /// Timestamp of the newest record.
    fn last_timestamp(&self) -> Option<u32> {
        self.records.last().map(|r| r.timestamp)
    }

    /// Appends a record, giving it the next ID (the `id` field of `rec` is ignored).
    pub(crate) fn push(&mut self, mut rec: LogRecord) -> LogRecord {
        rec.id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        if rec.job_code != 0 {
            let pos = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
            self.job_positions.push(pos);
        }
        self.records.push(rec);
        rec
    }

    /// Records with `id >= start` (0 = from the oldest), at most `max` of them (0 = all).
    pub(crate) fn starting_at(&self, start: u32, max: u32) -> &[LogRecord] {
        let first = self.records.partition_point(|r| r.id < start);
        let tail = &self.records[first..];
        &tail[..limit(max, tail.len())]
    }

    /// Job-code records with `id >= start`, at most `max` of them (0 = all).
    pub(crate) fn job_codes_starting_at(
        &self,
        start: u32,
        max: u32,
    ) -> impl Iterator<Item = LogRecord> + '_ {
        let records = &self.records;
        let first = self
            .job_positions
            .partition_point(|&p| records.get(p as usize).is_some_and(|r| r.id < start));
        let tail = &self.job_positions[first..];
        tail[..limit(max, tail.len())]
            .iter()
            .filter_map(move |&p| records.get(p as usize).copied())
    }
}

/// Days of history the generator goes back at most, whatever `logs_per_device` asks.
const MAX_HISTORY_DAYS: i32 = 3 * 366;

/// The history of every plan device (by plan device index): the plan's punches before `end`
/// (Unix seconds), day by day back from the day of `end`, until every home device holds
/// `target` records (plus one more day, for night shifts that end on the oldest day kept) or
/// [`MAX_HISTORY_DAYS`] have passed; each device then keeps its newest `target` records, in time
/// order. IDs are assigned later.
pub(crate) fn history(plan: &Plan, target: u32, end: u32) -> Vec<Vec<LogRecord>> {
    let n = plan.devices().len();
    let mut out: Vec<Vec<LogRecord>> = vec![Vec::new(); n];
    if target == 0 {
        return out;
    }
    let homes: Vec<usize> = plan
        .residents()
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.is_empty())
        .map(|(d, _)| d)
        .collect();
    let today = plan.local_day(i64::from(end));
    let target = target as usize;
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(8);
    // The day each device became full: older days only matter to devices not full yet (and,
    // for night shifts ending on it, the day before a device's fill day).
    let mut full_since: Vec<Option<i32>> = vec![None; n];
    let mut day = today;
    let mut last_day: Option<i32> = None;
    while day > today - MAX_HISTORY_DAYS {
        // A block of days at a time, one day per thread, newest first.
        let block: Vec<i32> = (0..threads as i32)
            .map(|k| day - k)
            .take_while(|&d| last_day.is_none_or(|l| d >= l))
            .collect();
        if block.is_empty() {
            break;
        }
        let full = &full_since;
        let of_day = move |d: i32| {
            plan.punches_of_day_for(d, |person| {
                plan.homes_of(person)
                    .any(|h| full[h].is_none_or(|since| d >= since - 1))
            })
        };
        let days: Vec<Vec<(usize, PlannedPunch)>> = if block.len() == 1 {
            vec![of_day(block[0])]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = block
                    .iter()
                    .map(|&d| scope.spawn(move || of_day(d)))
                    .collect();
                handles
                    .into_iter()
                    // A panic in a generator thread is a bug in the plan itself: re-raise it.
                    .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            })
        };
        for (&d, punches) in block.iter().zip(days) {
            for (person, p) in punches {
                if p.timestamp >= end {
                    continue;
                }
                if let Some(dev) = plan.device_index(p.device_id) {
                    out[dev].push(record_of(plan.number(person), &p));
                }
            }
            for &h in &homes {
                if full_since[h].is_none() && out[h].len() >= target {
                    full_since[h] = Some(d);
                }
            }
            if last_day.is_none() && homes.iter().all(|&h| full_since[h].is_some()) {
                last_day = Some(d - 1);
            }
            day = d - 1;
        }
    }
    tracing::debug!(days = today - day, devices = n, "history generated");
    for records in &mut out {
        records.sort_by_key(|r| r.timestamp);
        let extra = records.len().saturating_sub(target);
        records.drain(..extra);
    }
    out
}

/// The log record of a planned punch (ID assigned when stored).
fn record_of(user: u32, p: &PlannedPunch) -> LogRecord {
    LogRecord {
        id: 0,
        timestamp: p.timestamp,
        job_code: p.job_code,
        user,
        event_code: u16::try_from(p.event_code).unwrap_or(0),
        sub_code: u8::try_from(p.sub_code).unwrap_or(0),
        key: p.key,
    }
}

/// The plan's punches still to come: filled a day ahead, emitted when their time has come.
pub(crate) struct Live {
    next_day: i32,
    queue: VecDeque<(usize, PlannedPunch)>,
}

impl Live {
    /// The punches planned at or after `end` (the history's end) of yesterday, today and
    /// tomorrow, in time order.
    pub(crate) fn new(plan: &Plan, end: u32) -> Live {
        let today = plan.local_day(i64::from(end));
        let mut live = Live {
            next_day: today - 1,
            queue: VecDeque::new(),
        };
        live.fill(plan, today + 1, end);
        live
    }

    /// Adds every day up to `until` not added yet.
    fn fill(&mut self, plan: &Plan, until: i32, from: u32) {
        let mut added = false;
        while self.next_day <= until {
            let day = plan.punches_of_day(self.next_day);
            self.queue
                .extend(day.into_iter().filter(|(_, p)| p.timestamp >= from));
            self.next_day += 1;
            added = true;
        }
        if added {
            self.queue
                .make_contiguous()
                .sort_by_key(|(_, p)| p.timestamp);
        }
    }

    /// Takes the punches whose time has come by `now` (at most `max`), in time order.
    pub(crate) fn due(&mut self, plan: &Plan, now: u32, max: usize) -> Vec<(usize, PlannedPunch)> {
        self.fill(plan, plan.local_day(i64::from(now)) + 1, 0);
        let n = self
            .queue
            .iter()
            .take(max)
            .take_while(|(_, p)| p.timestamp <= now)
            .count();
        self.queue.drain(..n).collect()
    }
}

/// What someone punching at this local minute of the day is most likely doing (for punches a
/// test asks for with [`Gateway::append_punch`]).
fn action_at(minute: u16) -> Action {
    match minute {
        0..=659 => Action::CheckIn,
        660..=749 => Action::BreakStart,
        750..=839 => Action::BreakEnd,
        _ => Action::CheckOut,
    }
}

/// The key the device's current T&A config records for `pressed` at local `minute`.
fn key_now(tna: &TnaConfig, pressed: u8, minute: u16) -> u8 {
    let mode = Mode::try_from(tna.mode).unwrap_or(Mode::Unused);
    recorded_key(mode, u8::try_from(tna.key).unwrap_or(0), pressed, minute)
}

/// Appends a punch to a device's log at `ts` (never before its newest record), the key as the
/// device's current config records `pressed`. `None` without T&A.
fn append(
    st: &mut DeviceState,
    ts: u32,
    user: u32,
    pressed: u8,
    minute: u16,
    job_code: u32,
    way: (u16, u8),
) -> Option<LogRecord> {
    let tna = st.tna_config.as_ref()?;
    let key = key_now(tna, pressed, minute);
    let job_code = if st.system.use_job_code { job_code } else { 0 };
    let rec = LogRecord {
        id: 0,
        timestamp: ts.max(st.log.last_timestamp().unwrap_or(0)),
        job_code,
        user,
        event_code: way.0,
        sub_code: way.1,
        key,
    };
    Some(st.log.push(rec))
}

/// Appends one live punch now by one of the device's users and returns it.
fn append_now(st: &mut DeviceState, model: &Model, minute: u16) -> Option<LogRecord> {
    let count = u32::try_from(st.users.len()).unwrap_or(u32::MAX);
    let pick = st.rng.below(count) as usize;
    let (user, jobs) = match st.users.iter().nth(pick) {
        Some((id, u)) => (id.parse().unwrap_or(0), u.job_codes.clone()),
        None => (0, Vec::new()),
    };
    let job_code = if st.rng.chance(35) {
        st.rng.pick(&jobs).map_or(0, |j| j.code)
    } else {
        0
    };
    let way = st
        .rng
        .pick(&auth_ways(model))
        .copied()
        .unwrap_or((0x1000, 6));
    append(
        st,
        unix_now(),
        user,
        pressed_key(action_at(minute)),
        minute,
        job_code,
        way,
    )
}

impl Gateway {
    /// Appends one new T&A event to the device's log now (by one of its enrolled users, the key
    /// for the time of day) and streams it to SubscribeRealtimeLog subscribers when the device
    /// is online and monitored. An offline device still records the punch locally (as real
    /// terminals do) but nothing is streamed. Returns `None` for unknown devices and devices
    /// without T&A support.
    pub fn append_punch(&self, device_id: u32) -> Option<TnaLog> {
        let slot = self.slot(device_id)?;
        let minute = self.plan().local_minute(i64::from(unix_now()));
        let rec = append_now(&mut slot.lock(), slot.profile.model, minute)?;
        self.publish(slot, rec);
        tracing::trace!(device_id, id = rec.id, "punch appended");
        Some(rec.to_tna(device_id))
    }

    /// Records a planned punch on its device, as the device's config now records it.
    fn append_planned(&self, user: u32, p: &PlannedPunch) {
        let Some(slot) = self.slot(p.device_id) else {
            return;
        };
        let way = (
            u16::try_from(p.event_code).unwrap_or(0),
            u8::try_from(p.sub_code).unwrap_or(0),
        );
        let rec = append(
            &mut slot.lock(),
            p.timestamp,
            user,
            p.pressed,
            p.local_minute,
            p.job_code,
            way,
        );
        if let Some(rec) = rec {
            self.publish(slot, rec);
        }
    }

    /// Streams a new record when its device is online and monitored.
    fn publish(&self, slot: &DeviceSlot, rec: LogRecord) {
        if slot.online() && slot.flags.monitoring.load(Ordering::Relaxed) {
            self.shared.realtime.publish(&rec.to_event(slot.profile.id));
        }
    }
}

/// Most planned punches recorded per tick (a gateway started long after its history's end
/// catches up over a few ticks instead of in one burst).
const MAX_PER_TICK: usize = 2_000;

/// Starts the live generator: every `every`, the plan's punches whose time has come are
/// recorded on their devices (and streamed). Stops when `stop` fires or its sender is dropped.
pub(crate) fn spawn_generator(
    gw: Gateway,
    every: Duration,
    mut stop: oneshot::Receiver<()>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut live = Live::new(gw.plan(), gw.shared.history_end);
        // tokio's interval panics on a zero period.
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; start one period from now
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => {
                    let plan = gw.plan();
                    for (person, p) in live.due(plan, unix_now(), MAX_PER_TICK) {
                        gw.append_planned(plan.number(person), &p);
                    }
                }
            }
        }
        tracing::debug!("punch generator stopped");
    })
}
