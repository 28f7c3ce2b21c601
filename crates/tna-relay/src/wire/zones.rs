//! Site time zones: every `[[gateway]]` may name the IANA zone of its site (`time_zone =
//! "Europe/Berlin"`, or `--time-zone` beside `--gateway`). The relay checks each name at start
//! against the time zone database (jiff: the system's `/usr/share/zoneinfo` when there is one,
//! else the copy built into the binary), says which sites have none (they are in UTC, shown as
//! "UTC, no zone set" — never a guess), and turns zones into [`ZoneOffsets`] tables for the
//! pure code of `tna-types` (timecards) over the span it computes.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tna_types::time::{OffsetChange, ZoneOffsets};
use tna_types::timecard::SiteZone;

/// The most offset changes one table holds (a zone changes at most a few times a year; a
/// timecard range is a quarter plus a few days).
const MAX_CHANGES: usize = 1_000;

/// A site's zone: the name as configured and the zone it names.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// Looks `name` up in the time zone database; the error says what is wrong in a few words.
    pub fn named(name: &str) -> Result<Zone, String> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err("the time zone is empty: give an IANA name such as Europe/Berlin".into());
        }
        let tz = TimeZone::get(trimmed).map_err(|e| {
            format!("unknown time zone {trimmed:?} ({e}): give an IANA name such as Europe/Berlin")
        })?;
        // The name as the database spells it (`europe/berlin` is found, `Europe/Berlin` shown).
        let name = tz.iana_name().unwrap_or(trimmed).to_string();
        Ok(Zone { name, tz })
    }

    /// The IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's rules (for `zone_rules`: device offsets and DST schedules).
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// The zone's offsets from instant `from` to `to` (Unix seconds): the offset at `from` and
    /// every change up to `to`.
    pub fn offsets(&self, from: i64, to: i64) -> ZoneOffsets {
        offsets(&self.tz, from, to)
    }

    /// The zone as timecards use it, over `from..=to`.
    pub fn site_zone(&self, from: i64, to: i64) -> SiteZone {
        SiteZone {
            name: Some(self.name.clone()),
            offsets: self.offsets(from, to),
        }
    }
}

/// The offsets of `tz` from `from` to `to` (Unix seconds; out-of-range instants are clamped to
/// what jiff represents).
pub fn offsets(tz: &TimeZone, from: i64, to: i64) -> ZoneOffsets {
    let clamp = |s: i64| {
        Timestamp::from_second(s.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second()))
            .unwrap_or(Timestamp::UNIX_EPOCH)
    };
    let start = clamp(from);
    let changes = tz
        .following(start)
        .take_while(|t| t.timestamp().as_second() <= to)
        .take(MAX_CHANGES)
        .map(|t| OffsetChange {
            at: t.timestamp().as_second(),
            offset: t.offset().seconds(),
        })
        .collect();
    ZoneOffsets::new(tz.to_offset(start).seconds(), changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_spelled_as_the_database_does() {
        let berlin = Zone::named(" Europe/Berlin ").expect("a real zone");
        assert_eq!(berlin.name(), "Europe/Berlin");
        for bad in ["", "  ", "Europe/Atlantis", "UTC+2", "../etc/passwd"] {
            let e = Zone::named(bad).expect_err(bad);
            assert!(e.contains("IANA name"), "{bad}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
    }

    #[test]
    fn tables_follow_the_zone_rules() {
        // Cross-checked against jiff's own conversion at every hour of 2026: the table gives
        // the same offset as the database.
        let ny = Zone::named("America/New_York").expect("zone");
        let year_start = Timestamp::from_second(1_767_225_600).expect("2026-01-01");
        let start = year_start.as_second();
        let table = ny.offsets(start, start + 366 * 86_400);
        assert_eq!(table.changes.len(), 2, "{table:?}");
        for h in 0..366 * 24 {
            let t = start + h * 3600;
            let want = ny
                .tz
                .to_offset(Timestamp::from_second(t).expect("ts"))
                .seconds();
            assert_eq!(table.offset_at(t), want, "hour {h}");
        }
        // No changes in a zone without DST.
        let kolkata = Zone::named("Asia/Kolkata").expect("zone");
        assert_eq!(
            kolkata.offsets(start, start + 366 * 86_400),
            ZoneOffsets::fixed(19_800)
        );
    }
}
