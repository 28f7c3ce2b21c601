//! What a device in a time zone should hold, and how its settings stand against that: pure
//! functions over jiff's copy of the tz database (no gateway, no clock — the year is an input).
//!
//! A G-SDK device holds a standard-time offset (`TimeConfig.timeZone`) and at most two DST
//! schedules, each a start and an end [`WeekTime`] naming one year, plus the seconds added in
//! between. For a zone and a year:
//!
//! - the **standard offset** is the zone's offset at a moment of the year outside DST;
//! - the **schedules** are the zone's DST periods that touch the year (UTC calendar year),
//!   each from its transition into DST to its transition out, read from jiff's transitions.
//!   A northern zone has one (New York: 2nd Sunday of March 07:00 UTC → 1st Sunday of November
//!   06:00 UTC); a southern zone has two, because its summer spans the new year: the one that
//!   began the October before and ends in April, and the one that begins in October and ends in
//!   April of the next year (a schedule's start and end carry their own years). A zone without
//!   DST (Asia/Kolkata) has none. Lord Howe Island adds 1800 s.
//!
//! **WeekTime is UTC wall time.** The G-SDK does not document whether a device reads it as UTC
//! or as local time; we read and write UTC (so "the last Sunday of March 01:00" is the EU change
//! in every EU zone, and the date of a change is exact in every zone, whatever its offset). The
//! emulator reads it the same way (`gateway-sim` `dst.rs`). Should a real device read local
//! time, [`week_time`] and [`resolve`] are the only two functions to change.
//!
//! A moment is written as a WeekTime of its own year: its ordinal is [`LAST`] when it falls in
//! the last seven days of its month, else first … fifth. Verdicts compare moments, not
//! spellings, so "4th Sunday" and "last Sunday" naming the same day are equal.

use jiff::civil::{Weekday, date};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tna_types::dst::{DstSchedule, LAST, WeekTime, YearVerdict, ZoneSettings, ZoneVerdict};

/// `gsdk.time.Enum.MAX_DST_SCHEDULES`.
pub const MAX_SCHEDULES: usize = 2;
/// `gsdk.time.Enum.MAX_DST_OFFSET` (and minus it, `MIN_DST_OFFSET`), seconds.
pub const MAX_DST_OFFSET: i32 = 7_200;

/// A zone whose rules a device cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// More DST periods touch the year than a device holds schedules.
    #[error("the zone has {periods} DST periods in {year}; a device holds at most {MAX_SCHEDULES}")]
    TooManyPeriods {
        /// The year.
        year: i32,
        /// How many periods touch it.
        periods: usize,
    },
    /// The zone's DST adds more than a device allows.
    #[error(
        "the zone's DST adds {offset} s in {year}; a device allows at most ±{MAX_DST_OFFSET} s"
    )]
    OffsetOutOfRange {
        /// The year.
        year: i32,
        /// The seconds DST adds.
        offset: i32,
    },
    /// The year is outside what the rules can be computed for.
    #[error("year {0} is out of range")]
    Year(i32),
}

/// The start of `year` (UTC).
fn year_start(year: i32) -> Result<Timestamp, RuleError> {
    let y = i16::try_from(year)
        .ok()
        .filter(|y| (1971..=9998).contains(y))
        .ok_or(RuleError::Year(year))?;
    TimeZone::UTC
        .to_timestamp(date(y, 1, 1).at(0, 0, 0, 0))
        .map_err(|_| RuleError::Year(year))
}

/// `ts` as a WeekTime of its own year (UTC wall time).
pub fn week_time(ts: Timestamp) -> WeekTime {
    let dt = TimeZone::UTC.to_datetime(ts);
    let day = dt.date();
    let ordinal = if day.day() + 7 > day.days_in_month() {
        LAST
    } else {
        (day.day() - 1) / 7 + 1
    };
    let small = |v: i8| u8::try_from(v).unwrap_or(0);
    WeekTime {
        year: u32::try_from(dt.year()).unwrap_or(0),
        month: small(dt.month()),
        ordinal,
        weekday: small(day.weekday().to_sunday_zero_offset()),
        hour: small(dt.hour()),
        minute: small(dt.minute()),
        second: small(dt.second()),
    }
}

/// The moment a WeekTime names (UTC wall time); `None` when it names none (a field out of
/// range, or a fifth weekday the month does not have).
pub fn resolve(wt: &WeekTime) -> Option<Timestamp> {
    let year = i16::try_from(wt.year).ok()?;
    let month = i8::try_from(wt.month)
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let weekday = i8::try_from(wt.weekday)
        .ok()
        .and_then(|d| Weekday::from_sunday_zero_offset(d).ok())?;
    if !(wt.ordinal == LAST || (1..=10).contains(&wt.ordinal)) {
        return None;
    }
    if wt.hour > 23 || wt.minute > 59 || wt.second > 59 {
        return None;
    }
    let day = date(year, month, 1)
        .nth_weekday_of_month(wt.ordinal, weekday)
        .ok()?;
    // In range: checked above.
    let at = day.at(wt.hour as i8, wt.minute as i8, wt.second as i8, 0);
    TimeZone::UTC.to_timestamp(at).ok()
}

/// A schedule as moments: `(start, end, seconds added)`, or `None` when a WeekTime names none
/// or the end is not after the start.
fn span(s: &DstSchedule) -> Option<(Timestamp, Timestamp, i32)> {
    let (start, end) = (resolve(&s.start)?, resolve(&s.end)?);
    (start < end).then_some((start, end, s.offset_seconds))
}

/// Whether two schedule lists name the same DST periods (moments and offsets, in any order and
/// any spelling); a schedule naming no moment is never the same as anything.
pub fn same_schedules(a: &[DstSchedule], b: &[DstSchedule]) -> bool {
    let spans = |l: &[DstSchedule]| l.iter().map(span).collect::<Option<Vec<_>>>();
    match (spans(a), spans(b)) {
        (Some(mut x), Some(mut y)) => {
            x.sort();
            y.sort();
            x == y
        }
        _ => false,
    }
}

/// The zone's standard offset in `year`: its offset at the first of 1 January, 1 April,
/// 1 July and 1 October (UTC) that is outside DST (the offset on 1 January if all are in DST).
pub fn standard_offset(tz: &TimeZone, year: i32) -> Result<i32, RuleError> {
    let start = year_start(year)?;
    let probes: Vec<Timestamp> = [0, 90, 181, 273]
        .iter()
        .filter_map(|&d| start.checked_add(SignedDuration::from_hours(24 * d)).ok())
        .collect();
    let info = probes
        .iter()
        .map(|&t| tz.to_offset_info(t))
        .find(|i| !i.dst().is_dst())
        .unwrap_or_else(|| tz.to_offset_info(start));
    Ok(info.offset().seconds())
}

/// The zone's DST periods that touch `year`, as schedules (in time order).
pub fn schedules(tz: &TimeZone, year: i32) -> Result<Vec<DstSchedule>, RuleError> {
    let (begin, end) = (year_start(year)?, year_start(year + 1)?);
    // A period touching the year starts at most a year before it and ends within a year after.
    let (from, until) = (year_start(year - 1)?, year_start(year + 2)?);
    let mut out = Vec::new();
    let mut open: Option<(Timestamp, i32)> = None;
    // A period already running at `from` (a southern summer on 1 January of the year before)
    // ends before `year` begins, unless it lasts over a year: it is skipped.
    for t in tz.following(from) {
        let at = t.timestamp();
        if at >= until {
            break;
        }
        match (t.dst().is_dst(), open) {
            (true, None) => open = Some((at, t.offset().seconds())),
            (false, Some((start, dst_offset))) => {
                open = None;
                if start < end && at > begin {
                    let offset = dst_offset - t.offset().seconds();
                    if offset == 0 || offset.abs() > MAX_DST_OFFSET {
                        return Err(RuleError::OffsetOutOfRange { year, offset });
                    }
                    out.push(DstSchedule {
                        start: week_time(start),
                        end: week_time(at),
                        offset_seconds: offset,
                    });
                }
            }
            _ => {}
        }
    }
    if out.len() > MAX_SCHEDULES {
        return Err(RuleError::TooManyPeriods {
            year,
            periods: out.len(),
        });
    }
    Ok(out)
}

/// What a device in `tz` should hold in `year`: the standard offset and, if it takes DST
/// schedules, the zone's schedules for the year (none for a zone without DST: cleared).
pub fn target(tz: &TimeZone, year: i32, dst_supported: bool) -> Result<ZoneSettings, RuleError> {
    Ok(ZoneSettings {
        utc_offset: standard_offset(tz, year)?,
        dst_supported,
        schedules: if dst_supported {
            schedules(tz, year)?
        } else {
            Vec::new()
        },
    })
}

/// How `held` stands against `tz` in `year` (see [`ZoneVerdict`]; the offset is checked first).
pub fn verdict(tz: &TimeZone, year: i32, held: &ZoneSettings) -> Result<YearVerdict, RuleError> {
    let expected = target(tz, year, held.dst_supported)?;
    let zone_has_dst = !schedules(tz, year)?.is_empty();
    let verdict = if held.utc_offset != expected.utc_offset {
        ZoneVerdict::WrongOffset
    } else if !held.dst_supported {
        if zone_has_dst {
            ZoneVerdict::DstUnsupported
        } else {
            ZoneVerdict::Right
        }
    } else {
        dst_verdict(&expected.schedules, &held.schedules, year)?
    };
    Ok(YearVerdict {
        year,
        verdict,
        expected,
    })
}

/// The DST part of a verdict: `held` against the `expected` schedules of `year`.
fn dst_verdict(
    expected: &[DstSchedule],
    held: &[DstSchedule],
    year: i32,
) -> Result<ZoneVerdict, RuleError> {
    if held.is_empty() {
        return Ok(if expected.is_empty() {
            ZoneVerdict::Right
        } else {
            ZoneVerdict::DstMissing
        });
    }
    if expected.is_empty() {
        return Ok(ZoneVerdict::DstDiffers);
    }
    let (begin, end) = (year_start(year)?, year_start(year + 1)?);
    let want: Vec<(Timestamp, Timestamp, i32)> = expected.iter().filter_map(span).collect();
    // The held schedules that concern the year; one naming no real moment concerns it (wrong).
    let mut in_year = Vec::new();
    let mut elsewhere = 0;
    for s in held {
        match span(s) {
            Some((a, b, off)) if a < end && b > begin => in_year.push((a, b, off)),
            Some(_) => elsewhere += 1,
            None => return Ok(ZoneVerdict::DstDiffers),
        }
    }
    if !in_year.iter().all(|s| want.contains(s)) {
        return Ok(ZoneVerdict::DstDiffers);
    }
    Ok(if want.iter().all(|s| in_year.contains(s)) {
        ZoneVerdict::Right
    } else if elsewhere > 0 {
        ZoneVerdict::DstOtherYear
    } else {
        ZoneVerdict::DstMissing
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONES: [&str; 5] = [
        "America/New_York",
        "Europe/Berlin",
        "Australia/Sydney",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
    ];

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).expect("bundled zone")
    }

    fn secs(ts: Timestamp, s: i64) -> Timestamp {
        ts.checked_add(SignedDuration::from_secs(s))
            .expect("in range")
    }

    /// Every instant of the year (every 3 hours, and one second either side of every
    /// schedule's ends) has the offset standard + the schedule it is in: the schedules are
    /// exactly the zone's DST, as jiff's transitions say.
    #[test]
    fn schedules_reproduce_the_zone_offsets_all_year() {
        for name in ZONES {
            let tz = tz(name);
            for year in [2026, 2027] {
                let t = target(&tz, year, true).expect("expressible");
                assert!(t.schedules.len() <= MAX_SCHEDULES, "{name} {year}");
                let spans: Vec<_> = t.schedules.iter().map(|s| span(s).expect("real")).collect();
                let offset_at = |ts: Timestamp| {
                    t.utc_offset
                        + spans
                            .iter()
                            .find(|&&(a, b, _)| a <= ts && ts < b)
                            .map_or(0, |s| s.2)
                };
                let (begin, end) = (
                    year_start(year).expect("y"),
                    year_start(year + 1).expect("y"),
                );
                let mut probes = Vec::new();
                let mut ts = begin;
                while ts < end {
                    probes.push(ts);
                    ts = secs(ts, 3 * 3_600);
                }
                for &(a, b, _) in &spans {
                    probes.extend([secs(a, -1), a, secs(b, -1), b]);
                }
                for p in probes {
                    assert_eq!(
                        offset_at(p),
                        tz.to_offset_info(p).offset().seconds(),
                        "{name} {year} at {p}"
                    );
                }
                // Each start and end is one of jiff's transitions, written as its UTC date.
                for s in &t.schedules {
                    let start = resolve(&s.start).expect("start");
                    let prev = tz.preceding(secs(start, 1)).next().expect("transition");
                    assert_eq!(prev.timestamp(), start, "{name}");
                    assert!(prev.dst().is_dst());
                    let utc = TimeZone::UTC.to_datetime(start);
                    assert_eq!(u32::from(s.start.hour), utc.hour() as u32);
                    assert_eq!(s.start.month, utc.month() as u8);
                }
            }
        }
    }

    #[test]
    fn zone_specifics_follow_from_the_transitions() {
        // New York and Berlin: one summer inside the year, an hour.
        for name in ["America/New_York", "Europe/Berlin"] {
            let s = schedules(&tz(name), 2026).expect("rules");
            assert_eq!(s.len(), 1, "{name}");
            assert_eq!((s[0].start.year, s[0].end.year), (2026, 2026));
            assert_eq!(s[0].offset_seconds, 3_600);
            assert_eq!(s[0].start.weekday, 0, "changes on a Sunday (UTC date)");
        }
        // Berlin: the last Sunday of March and of October, 01:00 UTC.
        let b = schedules(&tz("Europe/Berlin"), 2026).expect("rules");
        assert_eq!(
            (b[0].start.month, b[0].start.ordinal, b[0].start.hour),
            (3, LAST, 1)
        );
        assert_eq!(
            (b[0].end.month, b[0].end.ordinal, b[0].end.hour),
            (10, LAST, 1)
        );
        // New York: the second Sunday of March, 2:00 EST = 07:00 UTC.
        let ny = schedules(&tz("America/New_York"), 2026).expect("rules");
        assert_eq!(
            (ny[0].start.month, ny[0].start.ordinal, ny[0].start.hour),
            (3, 2, 7)
        );
        assert_eq!(standard_offset(&tz("America/New_York"), 2026), Ok(-18_000));
        // Sydney: two summers touch the year; each spans a new year.
        let syd = schedules(&tz("Australia/Sydney"), 2026).expect("rules");
        assert_eq!(syd.len(), 2);
        assert_eq!((syd[0].start.year, syd[0].end.year), (2025, 2026));
        assert_eq!((syd[1].start.year, syd[1].end.year), (2026, 2027));
        assert_eq!(standard_offset(&tz("Australia/Sydney"), 2026), Ok(36_000));
        // Kolkata: no DST, +05:30.
        assert_eq!(schedules(&tz("Asia/Kolkata"), 2026), Ok(Vec::new()));
        assert_eq!(standard_offset(&tz("Asia/Kolkata"), 2026), Ok(19_800));
        // Lord Howe: +10:30, and DST adds half an hour.
        let lh = schedules(&tz("Australia/Lord_Howe"), 2026).expect("rules");
        assert!(lh.iter().all(|s| s.offset_seconds == 1_800));
        assert_eq!(
            standard_offset(&tz("Australia/Lord_Howe"), 2026),
            Ok(37_800)
        );
    }

    #[test]
    fn week_time_round_trips_and_refuses_impossible_days() {
        for name in ZONES {
            for s in schedules(&tz(name), 2026).expect("rules") {
                let at = resolve(&s.start).expect("real");
                assert_eq!(week_time(at), s.start);
            }
        }
        let fifth_sunday_feb = WeekTime {
            year: 2026,
            month: 2,
            ordinal: 5,
            weekday: 0,
            hour: 1,
            minute: 0,
            second: 0,
        };
        assert_eq!(resolve(&fifth_sunday_feb), None);
        assert_eq!(
            resolve(&WeekTime {
                month: 13,
                ..fifth_sunday_feb
            }),
            None
        );
        assert_eq!(
            resolve(&WeekTime {
                ordinal: 0,
                ..fifth_sunday_feb
            }),
            None
        );
        assert!(
            resolve(&WeekTime {
                ordinal: 4,
                ..fifth_sunday_feb
            })
            .is_some()
        );
    }

    fn held(tz: &TimeZone, year: i32) -> ZoneSettings {
        target(tz, year, true).expect("rules")
    }

    fn judge(name: &str, year: i32, settings: &ZoneSettings) -> ZoneVerdict {
        verdict(&tz(name), year, settings).expect("verdict").verdict
    }

    #[test]
    fn verdicts() {
        use ZoneVerdict::*;
        for name in [
            "America/New_York",
            "Europe/Berlin",
            "Australia/Sydney",
            "Australia/Lord_Howe",
        ] {
            let z = tz(name);
            let this = held(&z, 2026);
            assert_eq!(judge(name, 2026, &this), Right, "{name}");
            // This year's schedules are last year's next year.
            assert_eq!(judge(name, 2027, &this), DstOtherYear, "{name}");
            assert_eq!(judge(name, 2026, &held(&z, 2025)), DstOtherYear, "{name}");
            let wrong = ZoneSettings {
                utc_offset: this.utc_offset + 3_600,
                ..this.clone()
            };
            assert_eq!(judge(name, 2026, &wrong), WrongOffset, "{name}");
            let none = ZoneSettings {
                schedules: Vec::new(),
                ..this.clone()
            };
            assert_eq!(judge(name, 2026, &none), DstMissing, "{name}");
            let mut later = this.clone();
            later.schedules[0].start.hour = (later.schedules[0].start.hour + 1) % 24;
            assert_eq!(judge(name, 2026, &later), DstDiffers, "{name}");
            let mut bigger = this.clone();
            bigger.schedules[0].offset_seconds += 1_800;
            assert_eq!(judge(name, 2026, &bigger), DstDiffers, "{name}");
            let unsupported = ZoneSettings {
                dst_supported: false,
                schedules: Vec::new(),
                ..this.clone()
            };
            assert_eq!(judge(name, 2026, &unsupported), DstUnsupported, "{name}");
        }
        // Sydney with only the summer that begins this year: part of the year is missing.
        let syd = held(&tz("Australia/Sydney"), 2026);
        let half = ZoneSettings {
            schedules: vec![syd.schedules[1]],
            ..syd.clone()
        };
        assert_eq!(judge("Australia/Sydney", 2026, &half), DstMissing);
        // Same day, spelt "4th Sunday" instead of "last Sunday": the same schedule.
        let mut berlin = held(&tz("Europe/Berlin"), 2026);
        let start = berlin.schedules[0].start;
        let same_day = resolve(&start).expect("day");
        let dt = TimeZone::UTC.to_datetime(same_day);
        berlin.schedules[0].start.ordinal = (dt.day() - 1) / 7 + 1;
        assert_ne!(berlin.schedules[0].start, start);
        assert_eq!(judge("Europe/Berlin", 2026, &berlin), Right);
        let target = held(&tz("Europe/Berlin"), 2026).schedules;
        assert!(same_schedules(&berlin.schedules, &target), "same day");
        assert!(!same_schedules(&[], &target));
        let syd = held(&tz("Australia/Sydney"), 2026).schedules;
        let reversed: Vec<_> = syd.iter().rev().copied().collect();
        assert!(same_schedules(&reversed, &syd), "any order");
        // A day that does not exist is never right.
        berlin.schedules[0].start.ordinal = 5;
        berlin.schedules[0].start.month = 2;
        assert_eq!(judge("Europe/Berlin", 2026, &berlin), DstDiffers);
        // Kolkata: no schedules is right, any schedule differs; no DST support is fine too.
        let k = held(&tz("Asia/Kolkata"), 2026);
        assert_eq!(judge("Asia/Kolkata", 2026, &k), Right);
        let with_dst = ZoneSettings {
            schedules: held(&tz("Europe/Berlin"), 2026).schedules,
            ..k.clone()
        };
        assert_eq!(judge("Asia/Kolkata", 2026, &with_dst), DstDiffers);
        let no_support = ZoneSettings {
            dst_supported: false,
            ..k
        };
        assert_eq!(judge("Asia/Kolkata", 2027, &no_support), Right);
    }

    #[test]
    fn targets_clear_schedules_where_there_is_no_dst() {
        let k = target(&tz("Asia/Kolkata"), 2026, true).expect("rules");
        assert!(k.schedules.is_empty());
        let b = target(&tz("Europe/Berlin"), 2026, false).expect("rules");
        assert!(b.schedules.is_empty(), "no DST support: only the offset");
        assert_eq!(b.utc_offset, 3_600);
        assert_eq!(year_start(99_999), Err(RuleError::Year(99_999)));
    }
}
