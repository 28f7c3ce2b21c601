//! Timecards: per-user, per-day worked time computed from T&A punches by a policy an admin sets.
//!
//! Pure and small on purpose: the console computes timecards in the browser from logs it already
//! holds. The rules, in the order they apply:
//!
//! 1. Records without a user ID are not punches and are dropped; a record seen twice (same device,
//!    same ID, same time) counts once. A user's punches from every device merge into one stream, ordered by
//!    timestamp, then device ID, then record ID.
//! 2. Each punch has a *window day*: the local date `D` whose window holds it, the window running
//!    from `D` at the policy's `day_start` to `D + 1` at `day_start`, both local wall times in the
//!    time zone of the site of the device the punch came from ([`DeviceZones`]; a device without
//!    one is in UTC). The window is placed by instants: a window is 23 or 25 hours long on a DST
//!    change, and a punch in the repeated hour of a fall-back is placed by its UTC instant (a
//!    `day_start` inside a fold is its first occurrence, inside a gap the instant after the gap;
//!    see [`ZoneOffsets::instant_of_local`]).
//! 3. Shifts. An IN opens a shift on its window day. The next OUT closes it when it lies in the
//!    same window day or within [`MAX_SHIFT_SECONDS`] of the IN, so a night shift that crosses the
//!    day boundary counts whole on the day it started. While a shift is open, its break, meal and
//!    unmapped punches (within the same bounds) belong to that day too. A person's day is thus in
//!    the zone of the device of the punch that opens it, and a day reports that zone
//!    ([`TimecardDay::zone`]).
//! 4. Repeats. An IN while a shift of the same window day is open, or an OUT after a counted OUT
//!    of the same window day with no IN between, is a repeat; [`RepeatRule`] picks which of the
//!    run counts. Runs never cross a window day, so a forgotten OUT yesterday is never merged
//!    into today's IN.
//! 5. Nothing is guessed: a shift never closed is [`TimecardFlag::MissingOut`] and counts no
//!    time; an OUT with nothing to close is [`TimecardFlag::MissingIn`].
//! 6. Durations are real elapsed time, UTC instant to UTC instant: a shift across a spring-forward
//!    change is an hour shorter than its wall-clock span, one across a fall-back an hour longer.
//! 7. A break (meal) start pairs with the next break (meal) end owned by the same day. Paired time
//!    is deducted only where it overlaps a worked interval, so a break taken between an OUT and
//!    the next IN is not deducted twice: `worked = intervals − breaks inside − meals inside`,
//!    clamped at 0 (it can only go below when a break and a meal overlap each other).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::config::TnaKey;
use crate::logs::TnaLog;
use crate::time::{ZoneOffsets, format_date};
use crate::validate::{FieldError, Rule};

/// Minutes in a day: `day_start_minutes` must be below this.
pub const MINUTES_PER_DAY: u16 = 24 * 60;
/// The longest shift that may cross a day boundary: an OUT in a later window day closes an open
/// IN only within this. Long enough for a double shift; short enough that a forgotten OUT
/// yesterday and a forgotten IN today do not make one 30-hour shift.
pub const MAX_SHIFT_SECONDS: u32 = 16 * 3600;

/// What a punch means for the timecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PunchType {
    /// Starts work: opens a shift.
    CheckIn,
    /// Ends work: closes the open shift.
    CheckOut,
    /// Starts a break.
    BreakStart,
    /// Ends a break; the paired break is deducted from worked time.
    BreakEnd,
    /// Starts a meal.
    MealStart,
    /// Ends a meal; the paired meal is deducted and reported apart from breaks.
    MealEnd,
}

impl PunchType {
    /// Every punch type, in the order of the default key mapping (KEY_1 = check-in, …).
    pub const ALL: [PunchType; 6] = [
        PunchType::CheckIn,
        PunchType::CheckOut,
        PunchType::BreakStart,
        PunchType::BreakEnd,
        PunchType::MealStart,
        PunchType::MealEnd,
    ];
}

/// One entry of a policy's key map: punches with `key` are of type `punch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PunchMapping {
    /// The T&A key.
    pub key: TnaKey,
    /// What a punch with that key means.
    pub punch: PunchType,
}

/// Which punch of a run of repeated INs (or OUTs) counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RepeatRule {
    /// The first punch of the run counts; the others are ignored.
    First,
    /// The last punch of the run counts; the others are ignored.
    Last,
}

/// How punches become timecards, set by an admin. Check it with [`TimecardPolicy::validate`];
/// [`timecards`] never panics on an invalid policy (a key mapped twice keeps its first entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimecardPolicy {
    /// Which key means which punch, as a list of `{key, punch}` so the JSON is a plain array in
    /// the admin's order. Keys not listed are ignored and counted as unmapped on their day.
    pub punch_types: Vec<PunchMapping>,
    /// Where a day begins, in local minutes after midnight (300 = 05:00), below
    /// [`MINUTES_PER_DAY`]. Punches before it belong to the previous day.
    pub day_start_minutes: u16,
    /// Which IN of a run of INs counts (default: the last, e.g. after a mistaken early press).
    pub repeated_in: RepeatRule,
    /// Which OUT of a run of OUTs counts (default: the first: leaving ends the shift).
    pub repeated_out: RepeatRule,
    // No time zone: each punch's day follows the zone of its device's site (`DeviceZones`). A
    // stored policy from before, with `utcOffsetMinutes`, still loads: the field is ignored.
}

impl Default for TimecardPolicy {
    /// KEY_1 check-in, KEY_2 check-out, KEY_3/4 break start/end, KEY_5/6 meal start/end; days
    /// start at local midnight; the last of repeated INs and the first of repeated OUTs count.
    fn default() -> Self {
        Self {
            punch_types: TnaKey::all()
                .zip(PunchType::ALL)
                .map(|(key, punch)| PunchMapping { key, punch })
                .collect(),
            day_start_minutes: 0,
            repeated_in: RepeatRule::Last,
            repeated_out: RepeatRule::First,
        }
    }
}

impl TimecardPolicy {
    /// The punch type of a key: its first mapping, `None` when the key is not mapped.
    pub fn punch_type(&self, key: TnaKey) -> Option<PunchType> {
        self.punch_types
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.punch)
    }

    /// Checks the policy: the day starts before 24:00 and no key is mapped twice. Returns every
    /// broken rule, fields named in camelCase.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let start = self.day_start_minutes;
        if start >= MINUTES_PER_DAY {
            errors.push(FieldError::broke(
                "dayStartMinutes",
                Rule::DayStartTooLate {
                    max: u32::from(MINUTES_PER_DAY),
                    value: u32::from(start),
                },
            ));
        }
        for (i, m) in self.punch_types.iter().enumerate() {
            if self.punch_types[..i].iter().any(|o| o.key == m.key) {
                errors.push(FieldError::broke(
                    format!("punchTypes[{i}].key"),
                    Rule::KeyTwice {
                        key: m.key.to_string(),
                    },
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A span of time, Unix seconds UTC, `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    /// Start, Unix seconds.
    pub start: u32,
    /// End, Unix seconds.
    pub end: u32,
}

impl Interval {
    /// Its length in seconds.
    pub fn seconds(self) -> u64 {
        u64::from(self.end.saturating_sub(self.start))
    }

    fn overlap(self, other: Interval) -> u64 {
        u64::from(
            self.end
                .min(other.end)
                .saturating_sub(self.start.max(other.start)),
        )
    }
}

/// Something on a day that needs a person's look. Flagged time is never guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TimecardFlag {
    /// An IN whose shift was never closed; the open time is not counted as worked.
    MissingOut,
    /// An OUT with no open shift to close.
    MissingIn,
    /// Several INs in a row; one counted, by the policy's `repeatedIn`.
    RepeatedIn,
    /// Several OUTs in a row; one counted, by the policy's `repeatedOut`.
    RepeatedOut,
    /// A break start without an end or an end without a start; that time is not deducted.
    UnpairedBreak,
    /// A meal start without an end or an end without a start; that time is not deducted.
    UnpairedMeal,
    /// Punches with no key, or a key the policy does not map; they are ignored.
    UnmappedKeys,
}

/// One user's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimecardDay {
    /// User ID.
    pub user_id: String,
    /// The local date the day window starts on, `YYYY-MM-DD`.
    pub day: String,
    /// The same date as days since 1970-01-01.
    pub day_number: i32,
    /// The earliest counted IN of the day's shifts, Unix seconds.
    pub first_in: Option<u32>,
    /// The latest counted OUT of the day's shifts (may lie on the next date for a night shift).
    pub last_out: Option<u32>,
    /// The IANA name of the zone the day is in: the zone of the site of the device whose punch
    /// opened it. Absent: no zone set for that site, the day is in UTC.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub zone: Option<String>,
    /// The day's zone's offset at `firstIn`, seconds east of UTC (to show it as local time).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub first_in_offset: Option<i32>,
    /// The day's zone's offset at `lastOut` (differs from `firstInOffset` when a DST change
    /// falls inside the day).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub last_out_offset: Option<i32>,
    /// Paired IN→OUT time minus the breaks and meals inside it.
    pub worked_seconds: u64,
    /// Paired break time inside worked intervals (what was deducted).
    pub break_seconds: u64,
    /// Paired meal time inside worked intervals (what was deducted).
    pub meal_seconds: u64,
    /// The paired IN→OUT intervals, in order.
    pub intervals: Vec<Interval>,
    /// What needs a look, each once, in a stable order.
    pub flags: Vec<TimecardFlag>,
    /// Punches belonging to the day, repeats and unmapped ones included.
    pub punches: u32,
    /// How many of them had no key or an unmapped key.
    pub unmapped: u32,
    /// Devices the punches came from, ascending.
    pub devices: Vec<u32>,
}

/// One user's totals over a list of days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserTotals {
    /// User ID.
    pub user_id: String,
    /// Days with any punch.
    pub days: u32,
    /// Sum of worked seconds.
    pub worked_seconds: u64,
    /// Sum of deducted break seconds.
    pub break_seconds: u64,
    /// Sum of deducted meal seconds.
    pub meal_seconds: u64,
    /// Days with at least one flag.
    pub flagged_days: u32,
}

/// A site's time zone as the timecards use it: its IANA name and its offsets over the span
/// computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteZone {
    /// The IANA name (`Europe/Berlin`); `None` when the site has no zone set (then `offsets`
    /// is UTC).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub name: Option<String>,
    /// Its offsets over the span computed.
    pub offsets: ZoneOffsets,
}

/// The zone of a device without one: UTC, no name.
static NO_ZONE: SiteZone = SiteZone {
    name: None,
    offsets: ZoneOffsets::UTC,
};

/// Which zone each device's punches are in: the zone of the device's site. A device not added is
/// in UTC with no zone name (a site with no zone set, or a device the caller knows no site of).
#[derive(Debug, Clone, Default)]
pub struct DeviceZones {
    zones: Vec<SiteZone>,
    devices: HashMap<u32, usize>,
}

impl DeviceZones {
    /// Every device in UTC.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts `devices` in `zone` (a device added twice keeps the later zone).
    pub fn add(&mut self, zone: SiteZone, devices: impl IntoIterator<Item = u32>) {
        let i = self.zones.len();
        self.zones.push(zone);
        self.devices.extend(devices.into_iter().map(|d| (d, i)));
    }

    /// The zone of `device`.
    pub fn zone_of(&self, device: u32) -> &SiteZone {
        self.index(device).map_or(&NO_ZONE, |i| &self.zones[i])
    }

    fn index(&self, device: u32) -> Option<usize> {
        self.devices.get(&device).copied()
    }

    fn zone(&self, index: Option<usize>) -> &SiteZone {
        index.and_then(|i| self.zones.get(i)).unwrap_or(&NO_ZONE)
    }
}

/// The timecards of every user in `logs`, sorted by user ID then day (rules in the module doc),
/// each punch's day in the zone `zones` gives its device.
pub fn timecards(
    logs: &[TnaLog],
    policy: &TimecardPolicy,
    zones: &DeviceZones,
) -> Vec<TimecardDay> {
    let mut punches: Vec<&TnaLog> = logs.iter().filter(|l| !l.user_id.is_empty()).collect();
    fn order(l: &TnaLog) -> (&str, u32, u32, u32) {
        (&l.user_id, l.timestamp, l.device_id, l.id)
    }
    punches.sort_by(|a, b| order(a).cmp(&order(b)));
    let mut seen = HashSet::new();
    // The timestamp too: after an event-ID reset a device reuses IDs for new events.
    punches.retain(|l| seen.insert((l.device_id, l.id, l.timestamp)));
    let mut out = Vec::new();
    for user in punches.chunk_by(|a, b| a.user_id == b.user_id) {
        let mut walk = Walk::new(policy, zones);
        for log in user {
            walk.punch(log);
        }
        out.extend(walk.finish(&user[0].user_id));
    }
    out
}

/// Per-user totals of `days`, sorted by user ID.
pub fn totals(days: &[TimecardDay]) -> Vec<UserTotals> {
    let mut by_user: BTreeMap<&str, UserTotals> = BTreeMap::new();
    for d in days {
        let t = by_user.entry(&d.user_id).or_insert_with(|| UserTotals {
            user_id: d.user_id.clone(),
            ..UserTotals::default()
        });
        t.days += 1;
        t.worked_seconds += d.worked_seconds;
        t.break_seconds += d.break_seconds;
        t.meal_seconds += d.meal_seconds;
        t.flagged_days += u32::from(!d.flags.is_empty());
    }
    by_user.into_values().collect()
}

/// The window day of instant `timestamp` in `zone` under a policy (rule 2 of the module doc).
fn window_day(timestamp: u32, policy: &TimecardPolicy, zone: &ZoneOffsets) -> i64 {
    zone.day_of(
        i64::from(timestamp),
        i64::from(policy.day_start_minutes) * 60,
    )
}

/// An open shift, break or meal: when it started and the day it belongs to.
#[derive(Debug, Clone, Copy)]
struct Open {
    ts: u32,
    day: i64,
}

impl Open {
    /// Whether a punch at `ts` in window day `day` still belongs to this open shift.
    fn holds(self, ts: u32, day: i64) -> bool {
        day == self.day || ts.saturating_sub(self.ts) <= MAX_SHIFT_SECONDS
    }
}

/// The last counted OUT, for recognising a repeated OUT.
struct LastOut {
    window_day: i64,
    day: i64,
    /// The interval it closed in `days[day]`, `None` for an OUT with no IN.
    interval: Option<usize>,
}

/// Breaks and meals pair the same way, each apart from the other.
#[derive(Clone, Copy)]
enum Span {
    Break = 0,
    Meal = 1,
}

impl Span {
    fn flag(self) -> TimecardFlag {
        match self {
            Span::Break => TimecardFlag::UnpairedBreak,
            Span::Meal => TimecardFlag::UnpairedMeal,
        }
    }
}

/// What one day collects during the walk.
#[derive(Default)]
struct DayAcc {
    first_in: Option<u32>,
    last_out: Option<u32>,
    intervals: Vec<Interval>,
    /// Paired breaks and meals, indexed by `Span`.
    spans: [Vec<Interval>; 2],
    flags: BTreeSet<TimecardFlag>,
    punches: u32,
    unmapped: u32,
    devices: BTreeSet<u32>,
    /// The zone of the device of the day's first punch (index into `DeviceZones`).
    zone: Option<usize>,
}

/// One user's punches, walked in order.
struct Walk<'p> {
    policy: &'p TimecardPolicy,
    zones: &'p DeviceZones,
    days: BTreeMap<i64, DayAcc>,
    shift: Option<Open>,
    last_out: Option<LastOut>,
    /// Open break and meal, indexed by `Span`.
    spans: [Option<Open>; 2],
}

impl<'p> Walk<'p> {
    fn new(policy: &'p TimecardPolicy, zones: &'p DeviceZones) -> Self {
        Self {
            policy,
            zones,
            days: BTreeMap::new(),
            shift: None,
            last_out: None,
            spans: [None, None],
        }
    }

    fn day(&mut self, day: i64) -> &mut DayAcc {
        self.days.entry(day).or_default()
    }

    fn punch(&mut self, log: &TnaLog) {
        let zone = self.zones.index(log.device_id);
        let offsets = &self.zones.zone(zone).offsets;
        let (ts, wday) = (
            log.timestamp,
            window_day(log.timestamp, self.policy, offsets),
        );
        let kind = log.tna_key.and_then(|k| self.policy.punch_type(k));
        let owner = match kind {
            Some(PunchType::CheckIn) => self.check_in(ts, wday),
            Some(PunchType::CheckOut) => self.check_out(ts, wday),
            other => {
                let owner = self
                    .shift
                    .filter(|s| s.holds(ts, wday))
                    .map_or(wday, |s| s.day);
                match other {
                    Some(PunchType::BreakStart) => self.span_start(Span::Break, ts, owner),
                    Some(PunchType::BreakEnd) => self.span_end(Span::Break, ts, owner),
                    Some(PunchType::MealStart) => self.span_start(Span::Meal, ts, owner),
                    Some(PunchType::MealEnd) => self.span_end(Span::Meal, ts, owner),
                    _ => {}
                }
                owner
            }
        };
        let acc = self.day(owner);
        // Every day is created by the punch being walked: the first punch of a day sets its zone.
        if acc.punches == 0 {
            acc.zone = zone;
        }
        acc.punches += 1;
        acc.devices.insert(log.device_id);
        if kind.is_none() {
            acc.unmapped += 1;
            acc.flags.insert(TimecardFlag::UnmappedKeys);
        }
    }

    fn check_in(&mut self, ts: u32, wday: i64) -> i64 {
        self.last_out = None;
        if let Some(open) = self.shift.as_mut().filter(|s| s.day == wday) {
            if self.policy.repeated_in == RepeatRule::Last {
                open.ts = ts;
            }
            self.day(wday).flags.insert(TimecardFlag::RepeatedIn);
        } else if let Some(unclosed) = self.shift.replace(Open { ts, day: wday }) {
            self.missing_out(unclosed);
        }
        wday
    }

    fn check_out(&mut self, ts: u32, wday: i64) -> i64 {
        if let Some(open) = self.shift.filter(|s| s.holds(ts, wday)) {
            self.shift = None;
            let acc = self.day(open.day);
            acc.intervals.push(Interval {
                start: open.ts,
                end: ts,
            });
            acc.first_in = Some(acc.first_in.map_or(open.ts, |t| t.min(open.ts)));
            acc.last_out = Some(acc.last_out.map_or(ts, |t| t.max(ts)));
            let interval = Some(acc.intervals.len() - 1);
            self.last_out = Some(LastOut {
                window_day: wday,
                day: open.day,
                interval,
            });
            return open.day;
        }
        // `last_out` is cleared by every IN, so no shift is open here.
        if let Some(prev) = self.last_out.as_ref().filter(|p| p.window_day == wday) {
            let (day, interval) = (prev.day, prev.interval);
            let later_counts = self.policy.repeated_out == RepeatRule::Last;
            let acc = self.day(day);
            acc.flags.insert(TimecardFlag::RepeatedOut);
            if later_counts {
                if let Some(i) = interval {
                    acc.intervals[i].end = ts;
                }
                acc.last_out = Some(ts);
            }
            return day;
        }
        if let Some(unclosed) = self.shift.take() {
            self.missing_out(unclosed);
        }
        let acc = self.day(wday);
        acc.flags.insert(TimecardFlag::MissingIn);
        acc.last_out = Some(acc.last_out.map_or(ts, |t| t.max(ts)));
        self.last_out = Some(LastOut {
            window_day: wday,
            day: wday,
            interval: None,
        });
        wday
    }

    /// A shift that was never closed: its IN still shows as the day's first IN, no time counts.
    fn missing_out(&mut self, open: Open) {
        let acc = self.day(open.day);
        acc.flags.insert(TimecardFlag::MissingOut);
        acc.first_in = Some(acc.first_in.map_or(open.ts, |t| t.min(open.ts)));
    }

    fn span_start(&mut self, span: Span, ts: u32, day: i64) {
        if let Some(unended) = self.spans[span as usize].replace(Open { ts, day }) {
            self.day(unended.day).flags.insert(span.flag());
        }
    }

    fn span_end(&mut self, span: Span, ts: u32, day: i64) {
        match self.spans[span as usize].take() {
            Some(start) if start.day == day => self.day(day).spans[span as usize].push(Interval {
                start: start.ts,
                end: ts,
            }),
            other => {
                if let Some(start) = other {
                    self.day(start.day).flags.insert(span.flag());
                }
                self.day(day).flags.insert(span.flag());
            }
        }
    }

    fn finish(mut self, user_id: &str) -> Vec<TimecardDay> {
        if let Some(unclosed) = self.shift.take() {
            self.missing_out(unclosed);
        }
        for span in [Span::Break, Span::Meal] {
            if let Some(unended) = self.spans[span as usize].take() {
                self.day(unended.day).flags.insert(span.flag());
            }
        }
        let zones = self.zones;
        self.days
            .into_iter()
            .map(|(day_number, mut acc)| {
                let zone = zones.zone(acc.zone);
                let offset = |t: Option<u32>| t.map(|t| zone.offsets.offset_at(i64::from(t)));
                acc.intervals.sort_by_key(|i| i.start);
                let total: u64 = acc.intervals.iter().map(|i| i.seconds()).sum();
                let inside = |spans: &[Interval]| -> u64 {
                    spans
                        .iter()
                        .flat_map(|s| acc.intervals.iter().map(|i| i.overlap(*s)))
                        .sum()
                };
                let break_seconds = inside(&acc.spans[Span::Break as usize]);
                let meal_seconds = inside(&acc.spans[Span::Meal as usize]);
                TimecardDay {
                    user_id: user_id.to_owned(),
                    day: format_date(day_number),
                    // A u32 instant at an i32 offset is within ±80,000 days of 1970.
                    day_number: i32::try_from(day_number).unwrap_or(i32::MAX),
                    first_in: acc.first_in,
                    last_out: acc.last_out,
                    zone: zone.name.clone(),
                    first_in_offset: offset(acc.first_in),
                    last_out_offset: offset(acc.last_out),
                    worked_seconds: total.saturating_sub(break_seconds + meal_seconds),
                    break_seconds,
                    meal_seconds,
                    intervals: acc.intervals,
                    flags: acc.flags.into_iter().collect(),
                    punches: acc.punches,
                    unmapped: acc.unmapped,
                    devices: acc.devices.into_iter().collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{OffsetChange, SECONDS_PER_DAY, days_from_civil};
    use TimecardFlag::*;

    /// Test times are local `MM-DD HH:MM` of this year.
    const YEAR: i64 = 2026;

    struct Case {
        name: &'static str,
        policy: fn(&mut TimecardPolicy),
        /// Every device's fixed offset from UTC, minutes (0: no zone, UTC).
        offset_minutes: i32,
        /// Punches, split by `,` or line: `user/device MM-DD HH:MM what`, what being a punch type of the
        /// default policy (in, out, bs, be, ms, me), `key9` (not mapped) or `none` (no key).
        punches: &'static str,
        /// Expected days, one a line, as `render` writes them.
        rows: &'static str,
    }

    /// Local wall time `MM-DD HH:MM` of [`YEAR`] as seconds since 1970-01-01 00:00 local.
    fn wall(at: &str) -> i64 {
        let n = |t: &str| t.parse::<u32>().expect("number");
        let (m, rest) = at.split_once('-').expect("MM-DD HH:MM");
        let (d, rest) = rest.split_once(' ').expect("MM-DD HH:MM");
        let (h, min) = rest.split_once(':').expect("HH:MM");
        let day = days_from_civil(YEAR, n(m), n(d));
        day * SECONDS_PER_DAY + i64::from(n(h)) * 3600 + i64::from(n(min)) * 60
    }

    /// The instant of local wall time `at` in `zone` (the first, in a fold).
    fn utc(at: &str, zone: &ZoneOffsets) -> u32 {
        u32::try_from(zone.instant_of_local(wall(at))).expect("after 1970")
    }

    fn logs(punches: &str, zone: &ZoneOffsets) -> Vec<TnaLog> {
        (1..)
            .zip(punches.split([',', '\n']))
            .map(|(id, line)| {
                let w: Vec<&str> = line.split_whitespace().collect();
                let (user, device) = w[0].split_once('/').expect("user/device");
                let keys = ["none", "in", "out", "bs", "be", "ms", "me", "", "", "key9"];
                let key = keys.iter().position(|k| *k == w[3]).expect("punch") as u8;
                TnaLog {
                    id,
                    timestamp: utc(&format!("{} {}", w[1], w[2]), zone),
                    device_id: device.parse().expect("device"),
                    user_id: user.into(),
                    event_code: 0x1000,
                    sub_code: 0,
                    tna_key: TnaKey::new(key).ok(),
                }
            })
            .collect()
    }

    /// A local time as `HH:MM`, prefixed by `MM-DD` when not on the row's date; `-` for none.
    fn show(ts: Option<u32>, zone: &ZoneOffsets, row_day: &str) -> String {
        let Some(ts) = ts else { return "-".into() };
        let local = zone.local(i64::from(ts));
        let date = format_date(local.div_euclid(SECONDS_PER_DAY));
        let secs = local.rem_euclid(SECONDS_PER_DAY);
        let time = format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60);
        if date == row_day {
            time
        } else {
            format!("{} {time}", &date[5..])
        }
    }

    fn render(d: &TimecardDay, zone: &ZoneOffsets) -> String {
        assert_eq!(format_date(i64::from(d.day_number)), d.day);
        let offset = |t: Option<u32>| t.map(|t| zone.offset_at(i64::from(t)));
        assert_eq!(
            (d.first_in_offset, d.last_out_offset),
            (offset(d.first_in), offset(d.last_out))
        );
        let minutes = [d.worked_seconds, d.break_seconds, d.meal_seconds].map(|s| {
            assert_eq!(s % 60, 0, "test punches are whole minutes");
            s / 60
        });
        format!(
            "{} {} {}..{} worked {} break {} meal {}; {} punches, {} unmapped, on {:?}; {:?}",
            d.user_id,
            &d.day[5..],
            show(d.first_in, zone, &d.day),
            show(d.last_out, zone, &d.day),
            minutes[0],
            minutes[1],
            minutes[2],
            d.punches,
            d.unmapped,
            d.devices,
            d.flags,
        )
    }

    const CASES: &[Case] = &[
        Case {
            name: "normal day",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "night shift, day from 00:00: counted whole on its start day, break included",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 22:00 in, alice/1 11-26 02:00 bs
                      alice/1 11-26 02:30 be, alice/1 11-26 06:00 out",
            rows: "alice 11-25 22:00..11-26 06:00 worked 450 break 30 meal 0; 4 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "night shifts, day from 05:00: OUT after and before the boundary",
            policy: |p| p.day_start_minutes = 300,
            offset_minutes: 0,
            punches: "alice/1 11-25 22:00 in, alice/1 11-26 06:00 out
                      alice/1 11-26 22:00 in, alice/1 11-27 04:00 out",
            rows: "alice 11-25 22:00..11-26 06:00 worked 480 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []
                   alice 11-26 22:00..11-27 04:00 worked 360 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "day from 05:00: punches before 05:00 belong to the previous day",
            policy: |p| p.day_start_minutes = 300,
            offset_minutes: 0,
            punches: "alice/1 11-25 01:00 in, alice/1 11-25 04:30 out
                      alice/1 11-25 05:00 in, alice/1 11-25 09:00 out",
            rows: "alice 11-24 11-25 01:00..11-25 04:30 worked 210 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []
                   alice 11-25 05:00..09:00 worked 240 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "missing OUT counts nothing and does not swallow the next day's IN",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-26 08:00 in
                      alice/1 11-26 17:00 out",
            rows: "alice 11-25 08:00..- worked 0 break 0 meal 0; 1 punches, 0 unmapped, on [1]; [MissingOut]
                   alice 11-26 08:00..17:00 worked 540 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "a same-day shift longer than MAX_SHIFT_SECONDS still pairs",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 05:00 in, alice/1 11-25 23:00 out",
            rows: "alice 11-25 05:00..23:00 worked 1080 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "missing IN",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 17:00 out",
            rows: "alice 11-25 -..17:00 worked 0 break 0 meal 0; 1 punches, 0 unmapped, on [1]; [MissingIn]",
        },
        Case {
            name: "IN and next day's OUT beyond MAX_SHIFT_SECONDS are not paired",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-26 17:00 out",
            rows: "alice 11-25 08:00..- worked 0 break 0 meal 0; 1 punches, 0 unmapped, on [1]; [MissingOut]
                   alice 11-26 -..17:00 worked 0 break 0 meal 0; 1 punches, 0 unmapped, on [1]; [MissingIn]",
        },
        Case {
            name: "repeated IN, the last counts (default)",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 08:05 in
                      alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:05..17:00 worked 535 break 0 meal 0; 3 punches, 0 unmapped, on [1]; [RepeatedIn]",
        },
        Case {
            name: "repeated IN, the first counts",
            policy: |p| p.repeated_in = RepeatRule::First,
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 08:05 in
                      alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 3 punches, 0 unmapped, on [1]; [RepeatedIn]",
        },
        Case {
            name: "repeated OUT, the first counts (default)",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 17:00 out
                      alice/1 11-25 17:10 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 3 punches, 0 unmapped, on [1]; [RepeatedOut]",
        },
        Case {
            name: "repeated OUT of a night shift, the last counts",
            policy: |p| p.repeated_out = RepeatRule::Last,
            offset_minutes: 0,
            punches: "alice/1 11-25 22:00 in, alice/1 11-26 06:00 out
                      alice/1 11-26 06:10 out",
            rows: "alice 11-25 22:00..11-26 06:10 worked 490 break 0 meal 0; 3 punches, 0 unmapped, on [1]; [RepeatedOut]",
        },
        Case {
            name: "break and meal pairs are deducted",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 10:00 bs
                      alice/1 11-25 10:15 be, alice/1 11-25 12:00 ms
                      alice/1 11-25 12:30 me, alice/1 11-25 15:00 bs
                      alice/1 11-25 15:10 be, alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 485 break 25 meal 30; 8 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "unpaired break and meal are flagged, not deducted",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 10:00 bs
                      alice/1 11-25 13:00 me, alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 4 punches, 0 unmapped, on [1]; [UnpairedBreak, UnpairedMeal]",
        },
        Case {
            name: "a break start and a break end on different days are not paired",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 16:00 bs
                      alice/1 11-25 17:00 out, alice/1 11-26 08:00 in
                      alice/1 11-26 09:00 be, alice/1 11-26 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 3 punches, 0 unmapped, on [1]; [UnpairedBreak]
                   alice 11-26 08:00..17:00 worked 540 break 0 meal 0; 3 punches, 0 unmapped, on [1]; [UnpairedBreak]",
        },
        Case {
            name: "a break between an OUT and the next IN is not deducted",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 12:00 out
                      alice/1 11-25 12:00 bs, alice/1 11-25 13:00 be
                      alice/1 11-25 13:00 in, alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 480 break 0 meal 0; 6 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "one user on two devices",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/3 11-25 17:00 out, alice/7 11-25 08:00 in",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 2 punches, 0 unmapped, on [3, 7]; []",
        },
        Case {
            name: "two users interleaved; a record without a user is no punch",
            policy: |_| {},
            offset_minutes: 0,
            punches: "bob/2 11-25 18:00 out, alice/1 11-25 16:00 out
                      /1 11-25 12:00 out, bob/1 11-25 08:30 in
                      alice/1 11-25 08:00 in",
            rows: "alice 11-25 08:00..16:00 worked 480 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []
                   bob 11-25 08:30..18:00 worked 570 break 0 meal 0; 2 punches, 0 unmapped, on [1, 2]; []",
        },
        Case {
            name: "unmapped key and no key are counted and flagged",
            policy: |_| {},
            offset_minutes: 0,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 12:00 key9
                      alice/1 11-25 12:05 none, alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 4 punches, 2 unmapped, on [1]; [UnmappedKeys]",
        },
        Case {
            name: "UTC+9: 08:00 local is 23:00 UTC the day before, the day stays local",
            policy: |_| {},
            offset_minutes: 540,
            punches: "alice/1 11-25 08:00 in, alice/1 11-25 17:00 out",
            rows: "alice 11-25 08:00..17:00 worked 540 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
        Case {
            name: "UTC-5: 20:00 local is 01:00 UTC the day after, the day stays local",
            policy: |_| {},
            offset_minutes: -300,
            punches: "alice/1 11-25 20:00 in, alice/1 11-25 23:30 out",
            rows: "alice 11-25 20:00..23:30 worked 210 break 0 meal 0; 2 punches, 0 unmapped, on [1]; []",
        },
    ];

    /// Every device of the tests (1..=9) in a zone of `offsets`, named `Test/Zone`.
    fn zones_of(offsets: &ZoneOffsets) -> DeviceZones {
        let mut zones = DeviceZones::new();
        let name = Some("Test/Zone".to_string());
        let offsets = offsets.clone();
        zones.add(SiteZone { name, offsets }, 1..=9);
        zones
    }

    fn run(case: &Case) -> (ZoneOffsets, Vec<TnaLog>, Vec<TimecardDay>) {
        let mut policy = TimecardPolicy::default();
        (case.policy)(&mut policy);
        let zone = ZoneOffsets::fixed(case.offset_minutes * 60);
        let logs = logs(case.punches, &zone);
        let zones = if case.offset_minutes == 0 {
            DeviceZones::new()
        } else {
            zones_of(&zone)
        };
        let days = timecards(&logs, &policy, &zones);
        for d in &days {
            let named = (case.offset_minutes != 0).then_some("Test/Zone");
            assert_eq!(d.zone.as_deref(), named, "case: {}", case.name);
        }
        (zone, logs, days)
    }

    fn policy_of(case: &Case) -> TimecardPolicy {
        let mut policy = TimecardPolicy::default();
        (case.policy)(&mut policy);
        policy
    }

    fn named(prefix: &str) -> &'static Case {
        CASES
            .iter()
            .find(|c| c.name.starts_with(prefix))
            .expect("case")
    }

    #[test]
    fn timecard_cases() {
        for case in CASES {
            let (zone, logs, days) = run(case);
            let got: Vec<String> = days.iter().map(|d| render(d, &zone)).collect();
            let want: Vec<&str> = case.rows.lines().map(str::trim).collect();
            assert_eq!(got, want, "case: {}", case.name);
            // Records read twice (another page, another order) count once.
            let mut twice = logs.clone();
            twice.extend(logs.iter().rev().cloned());
            let zones = if case.offset_minutes == 0 {
                DeviceZones::new()
            } else {
                zones_of(&zone)
            };
            let again = timecards(&twice, &policy_of(case), &zones);
            assert_eq!(again, days, "twice: {}", case.name);
        }
    }

    #[test]
    fn night_shift_interval_spans_midnight() {
        let (zone, _, days) = run(named("night shift, day from 00:00"));
        let (start, end) = (utc("11-25 22:00", &zone), utc("11-26 06:00", &zone));
        assert_eq!(days[0].intervals, [Interval { start, end }]);
        assert_eq!(days[0].intervals[0].seconds(), 8 * 3600);
    }

    #[test]
    fn totals_sum_per_user() {
        let mut days = run(named("missing OUT")).2; // alice: a missing OUT, then 540 min
        days.extend(run(named("break and meal pairs")).2); // alice again: 485 min, break 25, meal 30
        days.extend(run(named("two users")).2); // alice 480 min, bob 570 min
        days.reverse();
        let alice = UserTotals {
            user_id: "alice".into(),
            days: 4,
            worked_seconds: (540 + 485 + 480) * 60,
            break_seconds: 25 * 60,
            meal_seconds: 30 * 60,
            flagged_days: 1,
        };
        let bob = UserTotals {
            user_id: "bob".into(),
            days: 1,
            worked_seconds: 570 * 60,
            ..UserTotals::default()
        };
        assert_eq!(totals(&days), [alice, bob]);
    }

    #[test]
    fn policy_validation() {
        let fields = |p: &TimecardPolicy| -> Vec<String> {
            p.validate()
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let mut p = TimecardPolicy {
            day_start_minutes: MINUTES_PER_DAY - 1,
            ..TimecardPolicy::default()
        };
        assert_eq!(p.validate(), Ok(()));
        let key2 = TnaKey::new(2).expect("key");
        p.day_start_minutes = MINUTES_PER_DAY;
        p.punch_types.push(PunchMapping {
            key: key2,
            punch: PunchType::CheckIn,
        });
        let want = ["dayStartMinutes", "punchTypes[6].key"];
        assert_eq!(fields(&p), want);
        assert_eq!(
            p.punch_type(key2),
            Some(PunchType::CheckOut),
            "the first mapping wins"
        );
    }

    #[test]
    fn policy_json() {
        let p = TimecardPolicy::default();
        let json = serde_json::to_string(&p).expect("serialize");
        let head = r#"{"punchTypes":[{"key":1,"punch":"checkIn"},{"key":2,"punch":"checkOut"}"#;
        assert!(json.starts_with(head), "{json}");
        assert!(
            json.contains(r#""repeatedIn":"last","repeatedOut":"first""#),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<TimecardPolicy>(&json).ok(),
            Some(p.clone())
        );
        // A stored policy missing fields still loads, with the defaults.
        let partial: TimecardPolicy =
            serde_json::from_str(r#"{"dayStartMinutes":300}"#).expect("partial");
        assert_eq!(
            (partial.day_start_minutes, partial.punch_types),
            (300, p.punch_types)
        );
        // A policy stored before zones, with its fixed offset, still loads (the offset is
        // ignored: the sites' zones replace it) and is written back without it.
        let old: TimecardPolicy =
            serde_json::from_str(r#"{"dayStartMinutes":300,"utcOffsetMinutes":540}"#)
                .expect("a stored policy with utcOffsetMinutes");
        assert_eq!(old.day_start_minutes, 300);
        let again = serde_json::to_string(&old).expect("serialize");
        assert!(!again.contains("utcOffset"), "{again}");
        let flags = serde_json::to_string(&[MissingOut, UnmappedKeys]).expect("serialize");
        assert_eq!(flags, r#"["missingOut","unmappedKeys"]"#);
    }

    /// A made-up zone with a made-up DST: +1 h, then +2 h from 2026-03-29 01:00 UTC (local
    /// 02:00 → 03:00), then +1 h from 2026-10-25 01:00 UTC (local 03:00 → 02:00). The real zones
    /// are tested in the relay, whose tables come from the time zone database.
    fn dst_zone() -> ZoneOffsets {
        let at = |m, d| days_from_civil(YEAR, m, d) * SECONDS_PER_DAY + 3600;
        ZoneOffsets::new(
            3600,
            vec![
                OffsetChange {
                    at: at(3, 29),
                    offset: 7200,
                },
                OffsetChange {
                    at: at(10, 25),
                    offset: 3600,
                },
            ],
        )
    }

    fn dst_days(punches: &str, policy: &TimecardPolicy) -> Vec<TimecardDay> {
        let zone = dst_zone();
        timecards(&logs(punches, &zone), policy, &zones_of(&zone))
    }

    #[test]
    fn durations_are_real_time_across_dst_changes() {
        let policy = TimecardPolicy::default();
        // 22:00 → 06:00 wall clock is 8 hours on the clock: 7 real at spring-forward, 9 at
        // fall-back; each counts on the day it started.
        let spring = dst_days("alice/1 03-28 22:00 in, alice/1 03-29 06:00 out", &policy);
        let fall = dst_days("alice/1 10-24 22:00 in, alice/1 10-25 06:00 out", &policy);
        for (days, day, hours, offsets) in [
            (&spring, "2026-03-28", 7, (3600, 7200)),
            (&fall, "2026-10-24", 9, (7200, 3600)),
        ] {
            assert_eq!(days.len(), 1, "{days:?}");
            assert_eq!(days[0].day, day);
            assert_eq!(days[0].worked_seconds, hours * 3600, "{day}");
            assert_eq!(
                (days[0].first_in_offset, days[0].last_out_offset),
                (Some(offsets.0), Some(offsets.1))
            );
            assert_eq!(days[0].zone.as_deref(), Some("Test/Zone"));
        }
        // A day shift on the change days is its ordinary length.
        let day = dst_days("alice/1 03-29 08:00 in, alice/1 03-29 17:00 out", &policy);
        assert_eq!(day[0].worked_seconds, 9 * 3600);
    }

    #[test]
    fn a_punch_in_the_repeated_hour_is_placed_by_its_instant() {
        // Days start at 02:30: on 10-25 the first 02:30 (00:30 UTC) starts the day. The second
        // 02:15 (01:15 UTC) is after it, so it is 10-25's although its wall time reads before
        // 02:30; the first 02:15 (00:15 UTC) is still 10-24's.
        let policy = TimecardPolicy {
            day_start_minutes: 150,
            ..TimecardPolicy::default()
        };
        let zone = dst_zone();
        let first_0215 = utc("10-25 02:15", &zone);
        let second_0215 = first_0215 + 3600;
        assert_eq!(zone.local(i64::from(second_0215)), wall("10-25 02:15"));
        let punch = |id, timestamp, key| TnaLog {
            id,
            timestamp,
            device_id: 1,
            user_id: "alice".into(),
            event_code: 0x1000,
            sub_code: 0,
            tna_key: TnaKey::new(key).ok(),
        };
        let logs = [punch(1, first_0215, 2), punch(2, second_0215, 1)];
        let days = timecards(&logs, &policy, &zones_of(&zone));
        let got: Vec<_> = days
            .iter()
            .map(|d| (d.day.as_str(), d.flags.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-10-24", vec![MissingIn]),
                ("2026-10-25", vec![MissingOut])
            ]
        );
    }

    #[test]
    fn each_punch_is_in_the_zone_of_its_device() {
        // Device 1 at a site at UTC+9 (Test/Zone), device 2 at a site with no zone (UTC).
        let mut zones = DeviceZones::new();
        let plus9 = ZoneOffsets::fixed(9 * 3600);
        let name = Some("Test/Zone".to_string());
        zones.add(
            SiteZone {
                name,
                offsets: plus9.clone(),
            },
            [1],
        );
        assert_eq!(zones.zone_of(2).name, None);
        assert_eq!(zones.zone_of(2).offsets, ZoneOffsets::UTC);
        // 23:00 UTC on 11-24 is 08:00 on 11-25 at UTC+9.
        let t = |at: &str| utc(at, &ZoneOffsets::UTC);
        let punch = |id, user: &str, device, at: &str, key| TnaLog {
            id,
            timestamp: t(at),
            device_id: device,
            user_id: user.into(),
            event_code: 0x1000,
            sub_code: 0,
            tna_key: TnaKey::new(key).ok(),
        };
        let logs = [
            punch(1, "alice", 1, "11-24 23:00", 1),
            punch(2, "alice", 1, "11-25 08:00", 2),
            punch(3, "bob", 2, "11-24 23:00", 1),
            punch(4, "bob", 2, "11-25 08:00", 2),
            // Carol opens her day at the +9 site and leaves through the UTC one: her day is
            // the +9 site's (11-25, 08:00 local), the OUT closes it.
            punch(5, "carol", 1, "11-24 23:00", 1),
            punch(6, "carol", 2, "11-25 07:00", 2),
        ];
        let days = timecards(&logs, &TimecardPolicy::default(), &zones);
        let got: Vec<_> = days
            .iter()
            .map(|d| {
                let at = d.first_in.map(|t| plus9.offset_at(i64::from(t)));
                (
                    d.user_id.as_str(),
                    d.day.as_str(),
                    d.zone.as_deref(),
                    d.worked_seconds,
                    at,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "alice",
                    "2026-11-25",
                    Some("Test/Zone"),
                    9 * 3600,
                    Some(9 * 3600)
                ),
                ("bob", "2026-11-24", None, 9 * 3600, Some(9 * 3600)),
                (
                    "carol",
                    "2026-11-25",
                    Some("Test/Zone"),
                    8 * 3600,
                    Some(9 * 3600)
                ),
            ]
        );
        assert_eq!(days[1].first_in_offset, Some(0), "bob's day is in UTC");
        assert_eq!(days[2].last_out_offset, Some(9 * 3600), "in the day's zone");
    }
}
