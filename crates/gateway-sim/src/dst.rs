//! Device time zones and DST schedules as a device holds them: a standard-time offset
//! (`TimeConfig.timeZone`) plus at most two `DSTSchedule`s, each from one `WeekTime` to another.
//!
//! **WeekTime is read as UTC wall time** ("the last Sunday of March 2026, 01:00:00 UTC"). The
//! G-SDK documents neither reading; the relay makes the same choice (`tna-relay` `zones.rs`), so
//! one change in both places would switch to device-local time if a real device shows otherwise.
//!
//! The emulator's own derivation of a zone's schedules (for seeding) is written independently of
//! the relay's, so the relay's verdicts are checked against a second implementation in tests.

use gsdk_proto::time::{DstConfig, DstSchedule, WeekTime};
use jiff::Timestamp;
use jiff::civil::{Date, Weekday, date};
use jiff::tz::TimeZone;

/// `gsdk.time.Enum.MAX_DST_SCHEDULES`.
pub(crate) const MAX_SCHEDULES: usize = 2;
/// `gsdk.time.Enum.MAX_DST_OFFSET` (and minus it, `MIN_DST_OFFSET`), seconds.
pub(crate) const MAX_OFFSET: i32 = 7_200;
/// `Ordinal.ORDINAL_LAST`.
const LAST: i32 = -1;
/// `Ordinal.ORDINAL_TENTH`: the largest ordinal the enum has.
const TENTH: i32 = 9;
/// Years a WeekTime may name (a device's calendar range, roughly).
const YEARS: std::ops::RangeInclusive<u32> = 2000..=2099;

/// The moment `wt` names (UTC wall time), or why it names none.
pub(crate) fn resolve(wt: &WeekTime) -> Result<Timestamp, String> {
    let year = i16::try_from(wt.year)
        .ok()
        .filter(|_| YEARS.contains(&wt.year))
        .ok_or_else(|| format!("year {} is out of range", wt.year))?;
    let month = i8::try_from(wt.month)
        .ok()
        .filter(|m| (0..12).contains(m))
        .ok_or_else(|| format!("month {} is not a Month", wt.month))?;
    let weekday = i8::try_from(wt.weekday)
        .ok()
        .and_then(|d| Weekday::from_sunday_zero_offset(d).ok())
        .ok_or_else(|| format!("weekday {} is not a Weekday", wt.weekday))?;
    let nth: i8 = match wt.ordinal {
        LAST => -1,
        o @ 0..=TENTH => i8::try_from(o + 1).unwrap_or(1),
        o => return Err(format!("ordinal {o} is not an Ordinal")),
    };
    if wt.hour > 23 || wt.minute > 59 || wt.second > 59 {
        return Err(format!(
            "{}:{}:{} is not a time of day",
            wt.hour, wt.minute, wt.second
        ));
    }
    let day = date(year, month + 1, 1)
        .nth_weekday_of_month(nth, weekday)
        .map_err(|_| {
            format!(
                "month {} of {year} has no weekday {} number {}",
                month + 1,
                wt.weekday,
                wt.ordinal + 1
            )
        })?;
    // In range by the checks above.
    let (h, m, s) = (wt.hour as i8, wt.minute as i8, wt.second as i8);
    TimeZone::UTC
        .to_timestamp(day.at(h, m, s, 0))
        .map_err(|e| e.to_string())
}

/// `ts` as a WeekTime (UTC wall time): the last weekday of the month when it is one, else its
/// ordinal from the start of the month.
pub(crate) fn week_time(ts: Timestamp) -> WeekTime {
    let dt = TimeZone::UTC.to_datetime(ts);
    let day: Date = dt.date();
    let ordinal = if day.day() + 7 > day.days_in_month() {
        LAST
    } else {
        i32::from((day.day() - 1) / 7)
    };
    WeekTime {
        year: u32::try_from(dt.year()).unwrap_or(0),
        month: i32::from(dt.month() - 1),
        ordinal,
        weekday: i32::from(day.weekday().to_sunday_zero_offset()),
        hour: u32::try_from(dt.hour()).unwrap_or(0),
        minute: u32::try_from(dt.minute()).unwrap_or(0),
        second: u32::try_from(dt.second()).unwrap_or(0),
    }
}

/// Start and end of a schedule, checked as a device checks them.
fn span(s: &DstSchedule) -> Result<(Timestamp, Timestamp), String> {
    let start = s.start_time.as_ref().ok_or("startTime is missing")?;
    let end = s.end_time.as_ref().ok_or("endTime is missing")?;
    let (start, end) = (resolve(start)?, resolve(end)?);
    if end <= start {
        return Err("endTime is not after startTime".into());
    }
    Ok((start, end))
}

/// Checks a DST config as a device does: at most two schedules, each offset within ±7200 s
/// and not zero, every WeekTime a real moment, each end after its start, no overlap.
pub(crate) fn validate(config: &DstConfig) -> Result<(), String> {
    if config.schedules.len() > MAX_SCHEDULES {
        return Err(format!(
            "{} schedules (at most {MAX_SCHEDULES})",
            config.schedules.len()
        ));
    }
    let mut spans = Vec::with_capacity(config.schedules.len());
    for (i, s) in config.schedules.iter().enumerate() {
        if s.time_offset == 0 || s.time_offset.abs() > MAX_OFFSET {
            return Err(format!(
                "schedules[{i}]: timeOffset {} is not within ±{MAX_OFFSET} s (and not 0)",
                s.time_offset
            ));
        }
        spans.push(span(s).map_err(|e| format!("schedules[{i}]: {e}"))?);
    }
    if let [(a0, a1), (b0, b1)] = spans[..]
        && a0 < b1
        && b0 < a1
    {
        return Err("the two schedules overlap".into());
    }
    Ok(())
}

/// The DST offset in force at `now` by `schedules` (0 outside them; an invalid one counts as none).
pub(crate) fn offset_at(schedules: &[DstSchedule], now: Timestamp) -> i32 {
    schedules
        .iter()
        .filter_map(|s| span(s).ok().map(|(a, b)| (a, b, s.time_offset)))
        .find(|&(a, b, _)| a <= now && now < b)
        .map_or(0, |(_, _, off)| off)
}

/// Start of `year` (UTC), if representable.
fn year_start(year: i16) -> Option<Timestamp> {
    TimeZone::UTC
        .to_timestamp(date(year, 1, 1).at(0, 0, 0, 0))
        .ok()
}

/// What a device in `tz` should hold for `year`: the standard offset and the DST periods that
/// touch the year (a northern zone has one; a southern one two: the summer that began the year
/// before and the one beginning in it).
pub(crate) fn zone_settings(tz: &TimeZone, year: i16) -> (i32, Vec<DstSchedule>) {
    let (Some(from), Some(begin), Some(end), Some(until)) = (
        year_start(year - 1),
        year_start(year),
        year_start(year + 1),
        year_start(year + 2),
    ) else {
        return (0, Vec::new());
    };
    let mid = begin
        .checked_add(jiff::SignedDuration::from_hours(24 * 182))
        .unwrap_or(begin);
    let standard = [begin, mid]
        .iter()
        .map(|&t| tz.to_offset_info(t))
        .find(|i| !i.dst().is_dst())
        .map_or_else(
            || tz.to_offset_info(begin).offset().seconds(),
            |i| i.offset().seconds(),
        );
    let mut schedules = Vec::new();
    let mut open: Option<(Timestamp, i32)> = None;
    for t in tz.following(from) {
        let at = t.timestamp();
        if at >= until {
            break;
        }
        match (t.dst().is_dst(), open) {
            (true, None) => open = Some((at, t.offset().seconds())),
            (false, Some((start, dst))) => {
                open = None;
                if start < end && at > begin {
                    schedules.push(DstSchedule {
                        start_time: Some(week_time(start)),
                        end_time: Some(week_time(at)),
                        time_offset: dst - t.offset().seconds(),
                    });
                }
            }
            _ => {}
        }
    }
    (standard, schedules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).expect("bundled zone")
    }

    #[test]
    fn berlin_2026_is_last_sunday_march_to_last_sunday_october_utc() {
        let (std, s) = zone_settings(&tz("Europe/Berlin"), 2026);
        assert_eq!(std, 3_600);
        assert_eq!(s.len(), 1);
        let start = s[0].start_time.expect("start");
        assert_eq!((start.month, start.ordinal, start.weekday), (2, LAST, 0));
        assert_eq!((start.hour, start.minute, start.year), (1, 0, 2026));
        let end = s[0].end_time.expect("end");
        assert_eq!((end.month, end.ordinal, end.hour), (9, LAST, 1));
        assert_eq!(s[0].time_offset, 3_600);
        assert_eq!(
            resolve(&start).map(|t| t.as_second()),
            Ok(1_774_746_000) // 2026-03-29T01:00:00Z
        );
    }

    #[test]
    fn sydney_year_holds_two_summers() {
        let (std, s) = zone_settings(&tz("Australia/Sydney"), 2026);
        assert_eq!(std, 36_000);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].start_time.map(|w| (w.year, w.month)), Some((2025, 9)));
        assert_eq!(s[0].end_time.map(|w| (w.year, w.month)), Some((2026, 3)));
        assert_eq!(s[1].start_time.map(|w| (w.year, w.month)), Some((2026, 9)));
        assert!(validate(&DstConfig { schedules: s }).is_ok());
    }

    #[test]
    fn validation_refuses_what_a_device_would() {
        let (_, s) = zone_settings(&tz("America/New_York"), 2026);
        let good = DstConfig { schedules: s };
        assert!(validate(&good).is_ok());
        let mut three = good.clone();
        three
            .schedules
            .extend(good.schedules.iter().cloned().cycle().take(2));
        assert!(validate(&three).is_err());
        let mut big = good.clone();
        big.schedules[0].time_offset = 7_201;
        assert!(validate(&big).is_err());
        let mut fifth = good.clone();
        if let Some(w) = fifth.schedules[0].start_time.as_mut() {
            w.month = 1; // February 2026 has no fifth Sunday
            w.ordinal = 4;
        }
        assert!(validate(&fifth).is_err());
        let mut backwards = good.clone();
        let first = &mut backwards.schedules[0];
        std::mem::swap(&mut first.start_time, &mut first.end_time);
        assert!(validate(&backwards).is_err());
        let mut twice = good.clone();
        twice.schedules.push(good.schedules[0]);
        assert!(validate(&twice).is_err(), "overlap");
        assert!(validate(&DstConfig::default()).is_ok(), "no schedule");
    }

    #[test]
    fn offset_applies_inside_a_schedule_only() {
        let (_, s) = zone_settings(&tz("America/New_York"), 2026);
        let july = year_start(2026)
            .and_then(|t| {
                t.checked_add(jiff::SignedDuration::from_hours(24 * 190))
                    .ok()
            })
            .expect("july");
        assert_eq!(offset_at(&s, july), 3_600);
        assert_eq!(offset_at(&s, year_start(2026).expect("jan")), 0);
    }
}
