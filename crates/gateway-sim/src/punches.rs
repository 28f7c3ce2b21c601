//! Event logs: the compact per-device log store, the seeded history generator and the live
//! punch generator that keeps appending events while the gateway runs.
//!
//! Records are 20 bytes (no strings: the user ID is kept as a number), so 200,000 records on one
//! device cost 4 MB and 50 × 10,000 build in a few tens of milliseconds.

use std::time::Duration;

use gsdk_proto::event::EventLog;
use gsdk_proto::system::SystemConfig;
use gsdk_proto::tna::{JobCodeLog, Mode, TnaConfig, TnaLog};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Gateway;
use crate::seed::{Model, Rng};
use crate::state::{DeviceState, unix_now};

/// Verify success (1:1).
const VERIFY_SUCCESS: u16 = 0x1000;
/// Verify failure (1:1).
const VERIFY_FAIL: u16 = 0x1100;
/// Identify success (1:N).
const IDENTIFY_SUCCESS: u16 = 0x1300;
/// Identify failure (1:N).
const IDENTIFY_FAIL: u16 = 0x1400;

/// One stored event, packed. `user == 0` means "no user"; `job_code == 0` means none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LogRecord {
    /// Log record ID (strictly increasing, no gaps).
    pub id: u32,
    /// Unix seconds, UTC.
    pub timestamp: u32,
    /// Job code chosen at the terminal, 0 when none.
    pub job_code: u32,
    /// Numeric user ID.
    pub user: u16,
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

/// What a punch on a given device depends on, gathered once per batch.
struct PunchContext<'a> {
    model: &'a Model,
    mode: Mode,
    fixed_key: u8,
    /// Seconds east of UTC, to place punches at local working hours.
    tz: i64,
    /// Users (numeric IDs) with the job codes they may choose.
    users: Vec<(u16, Vec<u32>)>,
    /// Whether the device records job codes at all (capability and SystemConfig.useJobCode).
    job_codes: bool,
    /// Successful authentications the hardware can produce: (event code, sub code).
    ways: Vec<(u16, u8)>,
}

/// The successful (event code, sub code) pairs a model produces, repeated to weight the
/// common ones (per the G-SDK event table: verify 0x1000 sub 1..19, identify 0x1300 sub 1..8).
fn auth_ways(m: &Model) -> Vec<(u16, u8)> {
    let mut ways: Vec<(u16, u8)> = vec![(VERIFY_SUCCESS, 6)]; // card
    if m.keypad {
        ways.extend([(VERIFY_SUCCESS, 1), (VERIFY_SUCCESS, 7)]); // ID+PIN, card+PIN
    }
    if m.finger {
        // finger (1:N) twice, card+finger, ID+finger
        ways.extend([
            (IDENTIFY_SUCCESS, 1),
            (IDENTIFY_SUCCESS, 1),
            (VERIFY_SUCCESS, 8),
            (VERIFY_SUCCESS, 2),
        ]);
    }
    if m.face {
        // face (1:N) three times, card+face
        ways.extend([
            (IDENTIFY_SUCCESS, 3),
            (IDENTIFY_SUCCESS, 3),
            (IDENTIFY_SUCCESS, 3),
            (VERIFY_SUCCESS, 10),
        ]);
    }
    if m.face && m.finger {
        ways.push((IDENTIFY_SUCCESS, 5)); // face+finger
    }
    ways
}

impl<'a> PunchContext<'a> {
    fn new(model: &'a Model, tna: &TnaConfig, system: &SystemConfig, st_users: &UserMap) -> Self {
        PunchContext {
            model,
            mode: Mode::try_from(tna.mode).unwrap_or(Mode::Unused),
            fixed_key: u8::try_from(tna.key).unwrap_or(0),
            tz: i64::from(system.time_zone),
            users: st_users
                .iter()
                .filter_map(|(id, jobs)| {
                    Some((id.parse().ok()?, jobs.iter().map(|j| j.code).collect()))
                })
                .collect(),
            job_codes: model.job_code && system.use_job_code,
            ways: auth_ways(model),
        }
    }
}

type UserMap = std::collections::BTreeMap<String, Vec<gsdk_proto::tna::JobCode>>;

/// What a person does at the terminal, by time of day: check in, check out, break start, break
/// end. The value is the T&A key a BY_USER terminal records for it.
#[derive(Clone, Copy)]
enum Action {
    CheckIn = 1,
    CheckOut = 2,
    BreakStart = 3,
    BreakEnd = 4,
}

impl Action {
    /// Local window (start minute of day, length in minutes) in which people do this.
    fn window(self) -> (u32, u32) {
        match self {
            Action::CheckIn => (7 * 60 + 30, 120),
            Action::BreakStart => (11 * 60 + 45, 45),
            Action::BreakEnd => (12 * 60 + 45, 45),
            Action::CheckOut => (16 * 60 + 30, 150),
        }
    }

    /// Most punches are check in/out; a fifth are breaks.
    fn random(rng: &mut Rng) -> Action {
        match rng.below(100) {
            0..=39 => Action::CheckIn,
            40..=49 => Action::BreakStart,
            50..=59 => Action::BreakEnd,
            _ => Action::CheckOut,
        }
    }

    /// What someone punching at this local minute of the day is most likely doing.
    fn at_minute(minute: u32) -> Action {
        match minute {
            0..=659 => Action::CheckIn,
            660..=749 => Action::BreakStart,
            750..=839 => Action::BreakEnd,
            _ => Action::CheckOut,
        }
    }
}

/// Builds one record (ID assigned later) for `action` at `timestamp`.
fn make_record(
    rng: &mut Rng,
    ctx: &PunchContext<'_>,
    timestamp: u32,
    action: Action,
    minute: u32,
) -> LogRecord {
    let m = ctx.model;
    let (user, jobs) = match rng.pick(&ctx.users) {
        Some((u, jobs)) => (*u, jobs.as_slice()),
        None => (0, &[][..]),
    };
    if rng.chance(3) {
        // A failed attempt: no T&A key, no job code.
        let (event_code, sub_code) = if (m.finger || m.face) && rng.chance(50) {
            (IDENTIFY_FAIL, if m.face { 3 } else { 1 })
        } else {
            (VERIFY_FAIL, 6)
        };
        return LogRecord {
            id: 0,
            timestamp,
            job_code: 0,
            user,
            event_code,
            sub_code,
            key: 0,
        };
    }
    let (event_code, sub_code) = rng.pick(&ctx.ways).copied().unwrap_or((VERIFY_SUCCESS, 6));
    let key = match ctx.mode {
        Mode::ByUser | Mode::LastChoice => {
            if rng.chance(5) {
                0
            } else {
                action as u8
            }
        }
        // Seeded BY_SCHEDULE configs map KEY_1 to mornings and KEY_2 to afternoons.
        Mode::BySchedule => {
            if minute < 12 * 60 {
                1
            } else {
                2
            }
        }
        Mode::Fixed => ctx.fixed_key,
        Mode::Unused => 0,
    };
    let job_code = if ctx.job_codes && rng.chance(35) {
        rng.pick(jobs).copied().unwrap_or(0)
    } else {
        0
    };
    LogRecord {
        id: 0,
        timestamp,
        job_code,
        user,
        event_code,
        sub_code,
        key,
    }
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Generates `count` historical records over the 30 days before `end` (Unix seconds), at local
/// working hours, mostly on weekdays, in time order with IDs from `first_id`.
#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename the arguments
pub(crate) fn history(
    rng: &mut Rng,
    model: &Model,
    tna: &TnaConfig,
    system: &SystemConfig,
    users: &UserMap,
    first_id: u32,
    count: u32,
    end: u32,
) -> DeviceLog {
    let ctx = PunchContext::new(model, tna, system, users);
    let end = i64::from(end);
    let mut records: Vec<LogRecord> = (0..count)
        .map(|_| {
            let mut day_start = end - DAY * i64::from(1 + rng.below(30));
            // 1970-01-01 was a Thursday: weekday 0 = Sunday.
            let weekday = (day_start / DAY + 4) % 7;
            if (weekday == 0 || weekday == 6) && rng.chance(80) {
                day_start = end - DAY * i64::from(1 + rng.below(30));
            }
            let action = Action::random(rng);
            let (start, len) = action.window();
            let local_secs = start * 60 + rng.below(len * 60);
            let ts = (day_start + i64::from(local_secs) - ctx.tz).clamp(0, end - 1);
            let ts = u32::try_from(ts).unwrap_or(0);
            make_record(rng, &ctx, ts, action, local_secs / 60)
        })
        .collect();
    records.sort_by_key(|r| r.timestamp);
    let mut log = DeviceLog::new(first_id);
    log.records.reserve_exact(records.len());
    for r in records {
        log.push(r);
    }
    log
}

/// Appends one live punch at the current time to a T&A device's log and returns it.
pub(crate) fn append_live(st: &mut DeviceState, model: &Model) -> Option<LogRecord> {
    let tna = st.tna_config.as_ref()?;
    let ctx = PunchContext::new(model, tna, &st.system, &st.users);
    // Never go back in time, even if the wall clock does.
    let now = unix_now().max(st.log.last_timestamp().unwrap_or(0));
    let minute = u32::try_from((i64::from(now) + ctx.tz).rem_euclid(DAY) / 60).unwrap_or(0);
    let rec = make_record(&mut st.rng, &ctx, now, Action::at_minute(minute), minute);
    Some(st.log.push(rec))
}

impl Gateway {
    /// Appends one new T&A event to the device's log now and streams it to SubscribeRealtimeLog
    /// subscribers when the device is online and monitored. An offline device still records the
    /// punch locally (as real terminals do) but nothing is streamed. Returns `None` for unknown
    /// devices and devices without T&A support.
    pub fn append_punch(&self, device_id: u32) -> Option<TnaLog> {
        let slot = self.slot(device_id)?;
        let rec = append_live(&mut slot.lock(), slot.profile.model)?;
        if slot.online()
            && slot
                .flags
                .monitoring
                .load(std::sync::atomic::Ordering::Relaxed)
        {
            self.shared.realtime.publish(&rec.to_event(device_id));
        }
        tracing::trace!(device_id, id = rec.id, "punch appended");
        Some(rec.to_tna(device_id))
    }
}

/// Starts the background punch generator: every `every`, one punch on a random online T&A
/// device (seeded choice). Stops when `stop` fires or its sender is dropped.
pub(crate) fn spawn_generator(
    gw: Gateway,
    every: Duration,
    mut stop: oneshot::Receiver<()>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut rng = Rng::new(gw.config().seed, 2);
        // tokio's interval panics on a zero period.
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; start one period from now
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => {
                    let candidates: Vec<u32> = gw
                        .slots()
                        .iter()
                        .filter(|s| s.profile.model.tna && s.online())
                        .map(|s| s.profile.id)
                        .collect();
                    if let Some(&id) = rng.pick(&candidates) {
                        gw.append_punch(id);
                    }
                }
            }
        }
        tracing::debug!("punch generator stopped");
    })
}
