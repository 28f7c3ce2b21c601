//! The one calendar module: day numbers ⇄ civil dates, weekdays, `YYYY-MM-DD`, `±HH:MM`, a UTC
//! instant shown at an offset, and a zone's UTC offsets over a span of time ([`ZoneOffsets`]).
//!
//! Pure and without a time zone database, so it compiles to wasm32 and both the console and the
//! relay use it. The relay owns the database (jiff): it turns a site's IANA zone into a
//! [`ZoneOffsets`] table for the span it computes, and everything here works on that table.
//!
//! - A *day number* counts days since 1970-01-01 (negative before), in the proleptic Gregorian
//!   calendar. An *instant* is Unix seconds, UTC. An *offset* is seconds east of UTC.
//! - Day numbers are `i64`; years are clamped to ±[`MAX_YEAR`] and day numbers to the same span,
//!   so no input can overflow (nothing real is anywhere near either bound).

use serde::{Deserialize, Serialize};

/// Seconds in a civil day (no leap seconds: Unix time has none).
pub const SECONDS_PER_DAY: i64 = 86_400;
/// The largest year (either sign) the date functions take; larger ones are clamped.
pub const MAX_YEAR: i64 = 1_000_000_000;
/// Days from 0000-03-01 to 1970-01-01. Years are counted from March so that the leap day is the
/// last day of a year.
const EPOCH_FROM_MARCH_0000: i64 = 719_468;
/// Days in 400 Gregorian years, after which the calendar repeats exactly.
const DAYS_PER_400_YEARS: i64 = 146_097;
/// Day numbers are clamped to the days of ±[`MAX_YEAR`] years (a little more than that).
const MAX_DAYS: i64 = MAX_YEAR * 366;

/// The date `(year, month 1..=12, day 1..=31)` of a day number.
pub fn civil_from_days(day_number: i64) -> (i64, u32, u32) {
    let shifted = day_number.clamp(-MAX_DAYS, MAX_DAYS) + EPOCH_FROM_MARCH_0000;
    let cycle = shifted.div_euclid(DAYS_PER_400_YEARS);
    let day_of_cycle = shifted.rem_euclid(DAYS_PER_400_YEARS);
    // Take out the leap days before dividing by 365: one every 4 years (1,460 days), none every
    // 100 years (36,524 days), and the one ending the 400-year cycle.
    let year_of_cycle = (day_of_cycle - day_of_cycle / 1_460 + day_of_cycle / 36_524
        - day_of_cycle / 146_096)
        / 365;
    let day_of_year =
        day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    // From March, month lengths repeat 31 30 31 30 31 every 5 months: 153 days.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = cycle * 400 + year_of_cycle + i64::from(month <= 2);
    // month is 1..=12 and day 1..=31 by construction.
    (year, month as u32, day as u32)
}

/// The day number of a date; the inverse of [`civil_from_days`] for valid dates (an invalid one
/// such as February 30 rolls over: check with [`is_valid_date`]).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (month, day) = (i64::from(month.clamp(1, 12)), i64::from(day.min(31)));
    let year = year.clamp(-MAX_YEAR, MAX_YEAR) - i64::from(month <= 2);
    let cycle = year.div_euclid(400);
    let year_of_cycle = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_cycle = 365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    cycle * DAYS_PER_400_YEARS + day_of_cycle - EPOCH_FROM_MARCH_0000
}

/// Whether `(year, month, day)` is a real date (2024-02-29 is, 2023-02-29 is not).
pub fn is_valid_date(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (-MAX_YEAR..=MAX_YEAR).contains(&year)
        && civil_from_days(days_from_civil(year, month, day)) == (year, month, day)
}

/// The ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday, 4).
pub fn weekday(day_number: i64) -> u32 {
    // 0..=6 by rem_euclid.
    (day_number + 3).rem_euclid(7) as u32 + 1
}

/// The Monday of the week holding `day_number`.
pub fn monday_of(day_number: i64) -> i64 {
    day_number - i64::from(weekday(day_number) - 1)
}

/// Parses a date written exactly `YYYY-MM-DD` (four-digit year, what `<input type=date>` gives)
/// into its day number; `None` for anything else, including dates that do not exist.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !digits(0..4) {
        return None;
    }
    if !digits(5..7) || !digits(8..10) {
        return None;
    }
    let year: i64 = s[0..4].parse().ok()?;
    let month: u32 = s[5..7].parse().ok()?;
    let day: u32 = s[8..10].parse().ok()?;
    is_valid_date(year, month, day).then(|| days_from_civil(year, month, day))
}

/// A day number as `YYYY-MM-DD`.
pub fn format_date(day_number: i64) -> String {
    let (y, m, d) = civil_from_days(day_number);
    format!("{y:04}-{m:02}-{d:02}")
}

/// An offset as `±HH:MM` (`+09:00`, `-03:30`, `+00:00`); seconds of an offset are dropped.
pub fn format_offset(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

/// The local day number of instant `utc` at `offset`.
pub fn local_day(utc: i64, offset: i32) -> i64 {
    (utc + i64::from(offset)).div_euclid(SECONDS_PER_DAY)
}

/// Instant `utc` at `offset` as `YYYY-MM-DD HH:MM:SS`, `sep` between date and time (`' '` or
/// `'T'`).
pub fn format_at(utc: i64, offset: i32, sep: char) -> String {
    let t = utc + i64::from(offset);
    let s = t.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{}{sep}{:02}:{:02}:{:02}",
        format_date(t.div_euclid(SECONDS_PER_DAY)),
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// The local time of day of `utc` at `offset`, without seconds: `08:30`.
pub fn format_hm(utc: i64, offset: i32) -> String {
    let s = (utc + i64::from(offset)).rem_euclid(SECONDS_PER_DAY);
    format!("{:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// From instant `at` on, the zone is `offset` seconds east of UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetChange {
    /// Unix seconds, UTC.
    pub at: i64,
    /// Seconds east of UTC from then on.
    pub offset: i32,
}

/// A time zone's UTC offsets over a span of time, as a piecewise table: `initial` before the
/// first change, then each change's offset from its instant on. The relay builds one from the
/// time zone database for the span it works on; outside that span the nearest known offset
/// holds.
///
/// Local wall time → instant ([`ZoneOffsets::instant_of_local`]) is the earliest instant whose
/// local time is at or after the wall time asked for: in a fold (fall-back, a wall time that
/// happens twice) that is the first occurrence; in a gap (spring-forward, a wall time that never
/// happens) it is the instant of the change, the first one after the gap.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneOffsets {
    /// The offset before the first change (the only one when there are none).
    pub initial: i32,
    /// The changes, ascending by instant ([`ZoneOffsets::new`] sorts them).
    pub changes: Vec<OffsetChange>,
}

impl ZoneOffsets {
    /// UTC: offset 0, no changes.
    pub const UTC: ZoneOffsets = ZoneOffsets::fixed(0);

    /// One offset all the time.
    pub const fn fixed(offset: i32) -> Self {
        ZoneOffsets {
            initial: offset,
            changes: Vec::new(),
        }
    }

    /// A table from its initial offset and its changes in any order (sorted here; of two
    /// changes at one instant the later listed wins).
    pub fn new(initial: i32, mut changes: Vec<OffsetChange>) -> Self {
        changes.reverse();
        changes.sort_by_key(|c| c.at);
        changes.dedup_by_key(|c| c.at);
        ZoneOffsets { initial, changes }
    }

    /// The offset in force at instant `utc`.
    pub fn offset_at(&self, utc: i64) -> i32 {
        let after = self.changes.partition_point(|c| c.at <= utc);
        after
            .checked_sub(1)
            .map_or(self.initial, |i| self.changes[i].offset)
    }

    /// Local wall time of `utc`, as seconds since 1970-01-01 00:00 local.
    pub fn local(&self, utc: i64) -> i64 {
        utc + i64::from(self.offset_at(utc))
    }

    /// The earliest instant whose local time is at or after wall time `local` (seconds since
    /// 1970-01-01 00:00 local): the unique instant for an ordinary wall time, the first
    /// occurrence in a fold, the instant of the change for a wall time inside a gap.
    pub fn instant_of_local(&self, local: i64) -> i64 {
        let mut offset = self.initial;
        let mut start: Option<i64> = None;
        for change in &self.changes {
            // Segment [start, change.at) at `offset`: local times [start + offset, at + offset).
            if start.is_some_and(|s| local <= s + i64::from(offset)) {
                return start.unwrap_or_default();
            }
            if local < change.at + i64::from(offset) {
                return local - i64::from(offset);
            }
            (start, offset) = (Some(change.at), change.offset);
        }
        match start {
            Some(s) if local <= s + i64::from(offset) => s,
            _ => local - i64::from(offset),
        }
    }

    /// The instant local day `day_number` starts when days start `day_start` seconds after
    /// local midnight (see [`ZoneOffsets::instant_of_local`] for gaps and folds).
    pub fn day_start(&self, day_number: i64, day_start: i64) -> i64 {
        self.instant_of_local(day_number * SECONDS_PER_DAY + day_start)
    }

    /// The local day holding instant `utc` when days start `day_start` seconds after local
    /// midnight: the day `d` with `day_start(d) <= utc < day_start(d + 1)`. A punch in the
    /// repeated hour of a fold is placed by its instant, not by its (ambiguous) wall time.
    pub fn day_of(&self, utc: i64, day_start: i64) -> i64 {
        let mut day = (self.local(utc) - day_start).div_euclid(SECONDS_PER_DAY);
        // The wall-time guess is off by at most one day near a change; a few steps cover any
        // table (day starts are non-decreasing in the day number).
        for _ in 0..4 {
            if utc < self.day_start(day, day_start) {
                day -= 1;
            } else if utc >= self.day_start(day + 1, day_start) {
                day += 1;
            } else {
                break;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        let known = [
            (0, 1970, 1, 1),
            (-1, 1969, 12, 31),
            (11_016, 2000, 2, 29),
            (20_782, 2026, 11, 25),
            (24_855, 2038, 1, 19),
        ];
        for (n, y, m, d) in known {
            assert_eq!(civil_from_days(n), (y, m, d));
            assert_eq!(days_from_civil(y, m, d), n);
        }
        // Every day from 1800 to 2200 round-trips and follows the one before.
        let mut prev = civil_from_days(days_from_civil(1800, 1, 1));
        for n in days_from_civil(1800, 1, 2)..days_from_civil(2200, 1, 1) {
            let (y, m, d) = civil_from_days(n);
            assert_eq!(days_from_civil(y, m, d), n);
            assert!(is_valid_date(y, m, d));
            let next_day = (y, m, d) == (prev.0, prev.1, prev.2 + 1);
            let next_month =
                d == 1 && ((y, m) == (prev.0, prev.1 + 1) || (y, m, prev.1) == (prev.0 + 1, 1, 12));
            assert!(next_day || next_month, "{prev:?} then {:?}", (y, m, d));
            prev = (y, m, d);
        }
        assert_eq!(
            civil_from_days(days_from_civil(1900, 3, 1) - 1),
            (1900, 2, 28)
        );
        // Out-of-range input is clamped, never an overflow.
        let far = civil_from_days(i64::MAX);
        assert!(far.0 > MAX_YEAR - 2, "{far:?}");
        assert!(days_from_civil(i64::MIN, 1, 1) < -MAX_YEAR * 365);
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday(0), 4, "1970-01-01 was a Thursday");
        assert_eq!(weekday(days_from_civil(2026, 11, 23)), 1);
        assert_eq!(weekday(days_from_civil(2026, 11, 29)), 7);
        assert_eq!(weekday(-4), 7, "1969-12-28 was a Sunday");
        assert_eq!(
            monday_of(days_from_civil(2026, 11, 29)),
            days_from_civil(2026, 11, 23)
        );
        assert_eq!(monday_of(-1), days_from_civil(1969, 12, 29));
    }

    #[test]
    fn dates_parse_and_format() {
        assert_eq!(parse_date("2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "2026-4-01",
            "26-11-25",
            "+2026-11-25",
            "2026-11-25x",
            "2026/11/25",
            "",
            "２０２６-11-25",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(format_date(days_from_civil(2026, 11, 4)), "2026-11-04");
        assert_eq!(format_date(-1), "1969-12-31");
        for n in [-1, 0, 20_782, 2_932_896] {
            assert_eq!(parse_date(&format_date(n)), Some(n), "{n}");
        }
    }

    #[test]
    fn offsets_and_instants_format() {
        assert_eq!(format_offset(9 * 3600), "+09:00");
        assert_eq!(format_offset(-(3 * 3600 + 1800)), "-03:30");
        assert_eq!(format_offset(0), "+00:00");
        assert_eq!(format_offset(5 * 3600 + 45 * 60), "+05:45");
        // 2024-11-23 23:30:15 UTC.
        let ts = days_from_civil(2024, 11, 23) * SECONDS_PER_DAY + 23 * 3600 + 30 * 60 + 15;
        assert_eq!(format_at(ts, 0, ' '), "2024-11-23 23:30:15");
        assert_eq!(format_at(ts, 9 * 3600, 'T'), "2024-11-24T08:30:15");
        assert_eq!(format_at(ts, -5 * 3600, ' '), "2024-11-23 18:30:15");
        assert_eq!(format_hm(ts, 9 * 3600), "08:30");
        assert_eq!(local_day(ts, 9 * 3600), days_from_civil(2024, 11, 24));
        assert_eq!(local_day(ts, 0), days_from_civil(2024, 11, 23));
        assert_eq!(format_at(-1, 0, ' '), "1969-12-31 23:59:59");
    }

    /// A made-up zone: +1 h, +2 h from `spring` (02:00..03:00 local never happens), back to +1 h
    /// at `fall` (02:00..03:00 local happens twice).
    fn zone() -> (ZoneOffsets, i64, i64) {
        let spring = days_from_civil(2026, 3, 29) * SECONDS_PER_DAY + 3600; // 01:00 UTC
        let fall = days_from_civil(2026, 10, 25) * SECONDS_PER_DAY + 3600; // 01:00 UTC
        let changes = vec![
            OffsetChange {
                at: fall,
                offset: 3600,
            },
            OffsetChange {
                at: spring,
                offset: 7200,
            },
        ];
        (ZoneOffsets::new(3600, changes), spring, fall)
    }

    fn wall(y: i64, m: u32, d: u32, h: i64, min: i64) -> i64 {
        days_from_civil(y, m, d) * SECONDS_PER_DAY + h * 3600 + min * 60
    }

    #[test]
    fn zone_offsets_look_up_and_invert() {
        let (z, spring, fall) = zone();
        assert_eq!(z.changes[0].at, spring, "sorted");
        assert_eq!(z.offset_at(spring - 1), 3600);
        assert_eq!(z.offset_at(spring), 7200);
        assert_eq!(z.offset_at(fall - 1), 7200);
        assert_eq!(z.offset_at(fall), 3600);
        assert_eq!(ZoneOffsets::UTC.offset_at(spring), 0);
        // Ordinary wall times are unique and round-trip.
        for t in [spring - 7200, spring + 7200, fall + 7200, 0] {
            assert_eq!(z.instant_of_local(z.local(t)), t);
        }
        // The gap: 02:00..03:00 on 03-29 never happens; each of it is the change's instant.
        assert_eq!(z.instant_of_local(wall(2026, 3, 29, 2, 0)), spring);
        assert_eq!(z.instant_of_local(wall(2026, 3, 29, 2, 30)), spring);
        assert_eq!(z.instant_of_local(wall(2026, 3, 29, 3, 0)), spring);
        assert_eq!(z.instant_of_local(wall(2026, 3, 29, 1, 59)), spring - 60);
        // The fold: 02:00..03:00 on 10-25 happens twice; the first is taken.
        assert_eq!(z.instant_of_local(wall(2026, 10, 25, 2, 30)), fall - 1800);
        assert_eq!(z.instant_of_local(wall(2026, 10, 25, 3, 0)), fall + 3600);
        // A fixed zone is a plain shift.
        let kolkata = ZoneOffsets::fixed(19_800);
        assert_eq!(
            kolkata.instant_of_local(wall(2026, 1, 1, 5, 30)),
            wall(2026, 1, 1, 0, 0)
        );
    }

    #[test]
    fn days_start_at_local_wall_time() {
        let (z, spring, fall) = zone();
        let day = |y, m, d| days_from_civil(y, m, d);
        // Days from midnight: 00:30 local on 03-29 (23:30 UTC the day before) is 03-29.
        assert_eq!(z.day_of(wall(2026, 3, 28, 23, 30), 0), day(2026, 3, 29));
        assert_eq!(z.day_of(wall(2026, 3, 28, 22, 59), 0), day(2026, 3, 28));
        // Days from 02:30, inside the spring gap: the day starts at the change.
        let ds = 2 * 3600 + 1800;
        assert_eq!(z.day_start(day(2026, 3, 29), ds), spring);
        assert_eq!(z.day_of(spring - 1, ds), day(2026, 3, 28));
        assert_eq!(z.day_of(spring, ds), day(2026, 3, 29));
        // Days from 02:30 in the fold: the first 02:30 starts the day, so a punch at the second
        // 02:15 (wall time before 02:30) is placed by its instant: already the new day.
        let first_0230 = z.day_start(day(2026, 10, 25), ds);
        assert_eq!(first_0230, fall - 1800);
        assert_eq!(z.day_of(first_0230 - 1, ds), day(2026, 10, 24));
        let second_0215 = fall + 15 * 60;
        assert_eq!(z.local(second_0215), wall(2026, 10, 25, 2, 15));
        assert_eq!(z.day_of(second_0215, ds), day(2026, 10, 25));
        // That day is 25 hours long.
        assert_eq!(z.day_start(day(2026, 10, 26), ds) - first_0230, 25 * 3600);
    }

    #[test]
    fn zone_offsets_json() {
        let (z, ..) = zone();
        let json = serde_json::to_string(&z).expect("serialize");
        assert!(
            json.starts_with(r#"{"initial":3600,"changes":[{"at":"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ZoneOffsets>(&json).ok(), Some(z));
    }
}
