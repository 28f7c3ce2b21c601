//! `timecards.*`: timecards of a range of days from the archive, and the policy they follow.
//!
//! The policy lives in the archive (so relays sharing one PostgreSQL share it too). The
//! computation is `tna_types::timecard`, the same code the console could run; the relay runs it
//! so a browser never has to download a month of punches to show totals.
//!
//! Time zones: each punch's day is in the zone of the site of the device it came from (the
//! `time_zone` of that device's `[[gateway]]`), so a person's day is in the zone of the device
//! of the punch that opens it. The relay builds each zone's offset table from the time zone
//! database for the range read. A device no gateway of this relay lists (another relay's, on a
//! shared archive, or one removed) and a site with no zone set are in UTC; their days carry no
//! `zone`.

use tna_archive::Archive;
use tna_types::archive::{LogQuery, MAX_QUERY_LIMIT};
use tna_types::protocol::{ErrorCode, RpcError, TimecardsParams, TimecardsResult};
use tna_types::time::{SECONDS_PER_DAY, civil_from_days, parse_date};
use tna_types::timecard::{DeviceZones, MAX_SHIFT_SECONDS, TimecardPolicy, timecards, totals};

use crate::gateways::Gateways;
use crate::sync::archive_error;
use crate::zones::Zone;

/// Longest range of days one `timecards.get` covers (a quarter).
pub const MAX_DAYS: i32 = 93;
/// Most archived events one `timecards.get` reads; a range holding more is refused before
/// anything is loaded (1,000 people punching ten times a day for three months fit; the relay
/// holds them in memory while it pairs them).
pub const MAX_EVENTS: usize = 1_000_000;
/// The archive setting that holds the policy (JSON).
const POLICY_SETTING: &str = "timecard_policy";
const DAY: i64 = SECONDS_PER_DAY;

/// The sites with a zone, each with the devices its gateway listed last.
pub type SiteDevices = Vec<(Zone, Vec<u32>)>;

/// Each zoned site of `gateways` with its devices (a site not listed yet is listed now).
pub async fn site_devices(gateways: &Gateways) -> SiteDevices {
    let mut out = Vec::new();
    for (i, site) in gateways.sites().iter().enumerate() {
        let Some(zone) = &site.zone else { continue };
        let mut devices = site.last_seen_devices();
        if devices.is_empty() {
            // A gateway that cannot be reached leaves its devices in UTC, as any unknown device.
            devices = gateways
                .list_site(i)
                .await
                .map(|d| d.iter().map(|d| d.device_id).collect())
                .unwrap_or_default();
        }
        out.push((zone.clone(), devices));
    }
    out
}

/// Every device's zone as timecards use it, with tables covering instants `from..=to`.
pub fn device_zones(sites: &SiteDevices, from: i64, to: i64) -> DeviceZones {
    let mut zones = DeviceZones::new();
    for (zone, devices) in sites {
        zones.add(zone.site_zone(from, to), devices.iter().copied());
    }
    zones
}

/// The policy in force (the default until an admin sets one).
pub async fn policy(archive: &Archive) -> Result<TimecardPolicy, RpcError> {
    match archive
        .setting(POLICY_SETTING)
        .await
        .map_err(archive_error)?
    {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            RpcError::new(
                ErrorCode::Internal,
                format!("The stored timecard policy cannot be read ({e}); set it again."),
            )
        }),
        None => Ok(TimecardPolicy::default()),
    }
}

/// Validates and stores `policy`.
pub async fn set_policy(archive: &Archive, policy: &TimecardPolicy) -> Result<(), RpcError> {
    policy.validate().map_err(RpcError::validation)?;
    let json = serde_json::to_string(policy)
        .map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))?;
    archive
        .set_setting(POLICY_SETTING, &json)
        .await
        .map_err(archive_error)
}

/// The timecards of `p.from..=p.to` (local days of each device's site), from the archive.
pub async fn get(
    archive: &Archive,
    gateways: &Gateways,
    p: &TimecardsParams,
) -> Result<TimecardsResult, RpcError> {
    get_limited(archive, &site_devices(gateways).await, p, MAX_EVENTS).await
}

/// [`get`] with the sites' zones given and its own event limit (tests use a small one).
pub async fn get_limited(
    archive: &Archive,
    sites: &SiteDevices,
    p: &TimecardsParams,
    max_events: usize,
) -> Result<TimecardsResult, RpcError> {
    let policy = policy(archive).await?;
    let first = parse_day("from", &p.from)?;
    let last = parse_day("to", &p.to)?;
    if last < first {
        return Err(RpcError::invalid_params("to must not be before from"));
    }
    if last - first >= i64::from(MAX_DAYS) {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::TimecardDays,
            MAX_DAYS as u64,
            (last - first + 1) as u64,
        ));
    }
    if let Some(user) = &p.user_id {
        tna_types::validate::validate_user_id(user)
            .map_err(|m| RpcError::invalid_params(format!("userId: {m}")))?;
    }
    // The window days of the range plus one whole window day on each side: a night shift's
    // OUT after the last day, the IN of one that started the day before the first, and runs of
    // repeated punches that reach over either edge are then read as they are in a wider range,
    // so a day's figures never depend on the range asked for. (A shift is at most
    // MAX_SHIFT_SECONDS, under a day.) Local windows lie within a day of the UTC ones (offsets
    // are under 24 h), so one more day each side covers every zone.
    let day_start = i64::from(policy.day_start_minutes) * 60;
    const _: () = assert!((MAX_SHIFT_SECONDS as i64) < DAY);
    let from = (first - 2) * DAY + day_start;
    let to = (last + 3) * DAY + day_start;
    let zones = device_zones(sites, from - DAY, to + DAY);
    let mut query = LogQuery {
        from: Some(clamp_u32(from)),
        to: Some(clamp_u32(to)),
        user_id: p.user_id.clone(),
        device_ids: None,
        after: None,
        limit: MAX_QUERY_LIMIT,
    };
    // Count first: a range too big is refused before a single event is held in memory.
    let count = archive.count_tna(&query).await.map_err(archive_error)?;
    if count > max_events as u64 {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::TimecardEvents,
            max_events as u64,
            count,
        ));
    }
    let mut logs = Vec::with_capacity(usize::try_from(count).unwrap_or(max_events));
    loop {
        let page = archive.query_tna(&query).await.map_err(archive_error)?;
        logs.extend(page.rows.into_iter().map(|r| r.log));
        // Events archived since the count (live punches) may add a few; not unboundedly.
        if logs.len() > max_events.saturating_mul(2) {
            return Err(RpcError::limit_exceeded(
                tna_types::protocol::Limit::TimecardEvents,
                max_events as u64,
                logs.len() as u64,
            ));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let days: Vec<_> = timecards(&logs, &policy, &zones)
        .into_iter()
        .filter(|d| (first..=last).contains(&i64::from(d.day_number)))
        .collect();
    Ok(TimecardsResult {
        totals: totals(&days),
        days,
        policy,
        events: logs.len() as u64,
    })
}

/// `YYYY-MM-DD` (1970 to 2105, the span of the u32 timestamps) → days since 1970-01-01.
fn parse_day(field: &str, s: &str) -> Result<i64, RpcError> {
    let bad =
        || RpcError::invalid_params(format!("{field} must be a date as YYYY-MM-DD, got {s:?}"));
    let n = parse_date(s).ok_or_else(bad)?;
    if !(1970..=2105).contains(&civil_from_days(n).0) {
        return Err(bad());
    }
    Ok(n)
}

fn clamp_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::DateTime;
    use jiff::tz::TimeZone;
    use jiff::{Timestamp, ToSpan};
    use tna_types::timecard::{TimecardDay, TimecardFlag};
    use tna_types::{TnaKey, TnaLog};

    /// The device every punch of the DST tests comes from.
    const DEVICE: u32 = 7;
    const HOUR: i64 = 3600;

    /// Local wall time `date` `hm` in `tz` as an instant: the first occurrence in a fold, or the
    /// second (`later`); a wall time in a gap is a test mistake.
    fn at(tz: &TimeZone, date: &str, hm: &str, later: bool) -> u32 {
        let dt: DateTime = format!("{date}T{hm}").parse().expect("date-time");
        let amb = tz.to_ambiguous_timestamp(dt);
        let gap = matches!(amb.offset(), jiff::tz::AmbiguousOffset::Gap { .. });
        assert!(!gap, "{date} {hm} does not happen");
        let ts = if later { amb.later() } else { amb.earlier() }.expect("instant");
        u32::try_from(ts.as_second()).expect("u32 instant")
    }

    fn punch(id: u32, timestamp: u32, key: u8) -> TnaLog {
        TnaLog {
            id,
            timestamp,
            device_id: DEVICE,
            user_id: "ann".into(),
            event_code: 0x1000,
            sub_code: 0,
            tna_key: TnaKey::new(key).ok(),
        }
    }

    /// The days of `punches` (instant, key 1 = IN, 2 = OUT) with [`DEVICE`] at a site in `zone`,
    /// tables built from the time zone database as `timecards.get` builds them.
    fn days_in(zone: &str, punches: &[(u32, u8)], policy: &TimecardPolicy) -> Vec<TimecardDay> {
        let logs: Vec<TnaLog> = (1..)
            .zip(punches)
            .map(|(id, &(t, key))| punch(id, t, key))
            .collect();
        let first = logs
            .iter()
            .map(|l| i64::from(l.timestamp))
            .min()
            .unwrap_or(0);
        let sites = vec![(Zone::named(zone).expect("zone"), vec![DEVICE])];
        let zones = device_zones(&sites, first - 3 * DAY, first + 3 * DAY);
        timecards(&logs, policy, &zones)
    }

    /// The 2026 changes of `zone`: (local date of the change, its instant, offset before, offset
    /// after), from the zone rules.
    fn changes_2026(zone: &str) -> Vec<(String, Timestamp, i64, i64)> {
        let tz = TimeZone::get(zone).expect("zone");
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().expect("ts");
        let end: Timestamp = "2027-01-01T00:00:00Z".parse().expect("ts");
        tz.following(start)
            .take_while(|t| t.timestamp() < end)
            .map(|t| {
                let ts = t.timestamp();
                let before = tz.to_offset(ts - 1.second()).seconds();
                let date = ts.to_zoned_datetime(tz.clone()).date().to_string();
                (date, ts, i64::from(before), i64::from(t.offset().seconds()))
            })
            .collect()
    }

    /// The day before `date` (`YYYY-MM-DD`).
    fn day_before(date: &str) -> String {
        tna_types::time::format_date(parse_date(date).expect("date") - 1)
    }

    /// For each zone: its 2026 changes are on the dates the issue names, and on each change a
    /// day shift, a night shift across it and a missing OUT come out right. Expected hours are
    /// computed from the zone rules (jiff), never from offsets written here.
    #[test]
    fn shifts_across_real_dst_changes() {
        let zones: [(&str, &[&str]); 5] = [
            ("America/New_York", &["2026-03-08", "2026-11-01"]),
            ("Europe/Berlin", &["2026-03-29", "2026-10-25"]),
            ("Australia/Sydney", &["2026-04-05", "2026-10-04"]),
            ("Asia/Kolkata", &[]),
            ("Australia/Lord_Howe", &["2026-04-05", "2026-10-04"]),
        ];
        let policy = TimecardPolicy::default();
        let mut checked = 0;
        for (zone, dates) in zones {
            let tz = TimeZone::get(zone).expect("zone");
            let changes = changes_2026(zone);
            let got: Vec<&str> = changes.iter().map(|c| c.0.as_str()).collect();
            assert_eq!(&got, dates, "{zone}: the 2026 changes");
            // Kolkata has none: its shifts are checked on the dates of New York's changes.
            let cases: Vec<(String, i64)> = if changes.is_empty() {
                vec![("2026-03-08".into(), 0), ("2026-11-01".into(), 0)]
            } else {
                changes.iter().map(|c| (c.0.clone(), c.3 - c.2)).collect()
            };
            for (date, shift) in cases {
                let eve = day_before(&date);
                let ctx = format!("{zone} {date}");
                // A day shift on the change day: its ordinary 9 hours.
                let (i, o) = (
                    at(&tz, &date, "08:00", false),
                    at(&tz, &date, "17:00", false),
                );
                let days = days_in(zone, &[(i, 1), (o, 2)], &policy);
                assert_eq!(days.len(), 1, "{ctx}: {days:?}");
                assert_eq!(days[0].day, date, "{ctx}");
                assert_eq!(days[0].worked_seconds, 9 * 3600, "{ctx}");
                assert_eq!(days[0].zone.as_deref(), Some(zone), "{ctx}");
                // A night shift 22:00 → 06:00 across the change: real elapsed time, 8 hours of
                // wall clock minus what the clocks jumped; counted on the day it started, and
                // each end shown at the offset in force then.
                let (i, o) = (
                    at(&tz, &eve, "22:00", false),
                    at(&tz, &date, "06:00", false),
                );
                let days = days_in(zone, &[(i, 1), (o, 2)], &policy);
                assert_eq!(days.len(), 1, "{ctx}: {days:?}");
                assert_eq!(days[0].day, eve, "{ctx}");
                let elapsed = i64::from(o) - i64::from(i);
                assert_eq!(elapsed, 8 * HOUR - shift, "{ctx}");
                assert_eq!(days[0].worked_seconds as i64, elapsed, "{ctx}");
                let offset = |t: u32| {
                    let ts = Timestamp::from_second(i64::from(t)).expect("ts");
                    Some(tz.to_offset(ts).seconds())
                };
                assert_eq!(days[0].first_in_offset, offset(i), "{ctx}");
                assert_eq!(days[0].last_out_offset, offset(o), "{ctx}");
                assert_eq!(days[0].flags, [], "{ctx}");
                // A missing OUT: the 22:00 IN the evening before the change counts nothing and
                // is flagged on its day; the change day's own shift is not swallowed.
                let (n, i2, o2) = (
                    at(&tz, &eve, "22:00", false),
                    at(&tz, &date, "14:00", false),
                    at(&tz, &date, "20:00", false),
                );
                let days = days_in(zone, &[(n, 1), (i2, 1), (o2, 2)], &policy);
                let got: Vec<_> = days
                    .iter()
                    .map(|d| (d.day.as_str(), d.worked_seconds, d.flags.clone()))
                    .collect();
                let want = [
                    (eve.as_str(), 0, vec![TimecardFlag::MissingOut]),
                    (date.as_str(), 6 * 3600, vec![]),
                ];
                assert_eq!(got, want, "{ctx}");
                checked += 1;
            }
        }
        assert_eq!(checked, 10);
    }

    /// The numbers the issue gives for New York, as a check on the check above.
    #[test]
    fn new_york_night_shifts_are_seven_and_nine_hours() {
        let tz = TimeZone::get("America/New_York").expect("zone");
        let policy = TimecardPolicy::default();
        for (eve, date, hours) in [
            ("2026-03-07", "2026-03-08", 7),
            ("2026-10-31", "2026-11-01", 9),
        ] {
            let (i, o) = (at(&tz, eve, "22:00", false), at(&tz, date, "06:00", false));
            let days = days_in("America/New_York", &[(i, 1), (o, 2)], &policy);
            assert_eq!(days[0].worked_seconds, hours * 3600, "{date}");
        }
    }

    /// At fall-back the repeated wall times happen twice: a punch there is placed by its UTC
    /// instant. An IN at the first 01:30 and an OUT at the second is the time the clocks went
    /// back (an hour in New York, half an hour at Lord Howe). With days starting inside the
    /// repeated span, the day starts at the first occurrence, so a punch at a second occurrence
    /// of an earlier wall time already belongs to the new day.
    #[test]
    fn punches_in_the_repeated_hour_are_placed_by_their_instant() {
        for (zone, date, day_start, punch_at) in [
            ("America/New_York", "2026-11-01", 75, "01:05"),
            ("Australia/Lord_Howe", "2026-04-05", 105, "01:35"),
        ] {
            let tz = TimeZone::get(zone).expect("zone");
            let change = changes_2026(zone)
                .into_iter()
                .find(|c| c.0 == date)
                .expect("change");
            let back = change.2 - change.3;
            assert!(back > 0, "{zone}: a fall-back");
            let (first, second) = (at(&tz, date, "01:30", false), at(&tz, date, "01:30", true));
            assert_eq!(i64::from(second) - i64::from(first), back, "{zone}");
            let days = days_in(zone, &[(first, 1), (second, 2)], &TimecardPolicy::default());
            assert_eq!(days.len(), 1, "{zone}: {days:?}");
            assert_eq!(
                (days[0].day.as_str(), days[0].worked_seconds as i64),
                (date, back)
            );
            // A night shift that ended before the repeated span, then an IN at the second
            // occurrence of a wall time before `day_start`: on the new day.
            let policy = TimecardPolicy {
                day_start_minutes: day_start,
                ..TimecardPolicy::default()
            };
            let eve = day_before(date);
            let (i, o) = (at(&tz, &eve, "20:00", false), at(&tz, date, "00:30", false));
            let (first_at, second_at) = (
                at(&tz, date, punch_at, false),
                at(&tz, date, punch_at, true),
            );
            assert!(second_at > first_at, "{zone}: {punch_at} happens twice");
            let days = days_in(zone, &[(i, 1), (o, 2), (second_at, 1)], &policy);
            let got: Vec<_> = days.iter().map(|d| d.day.as_str()).collect();
            assert_eq!(got, [eve.as_str(), date], "{zone}");
            // The first occurrence, before the day began, is still the evening's.
            let days = days_in(zone, &[(i, 1), (o, 2), (first_at, 1)], &policy);
            let got: Vec<_> = days.iter().map(|d| d.day.as_str()).collect();
            assert_eq!(got, [eve.as_str()], "{zone}");
        }
    }

    /// Through the archive: `get_limited` reads the range and computes it in the site's zone.
    #[tokio::test]
    async fn the_archive_path_uses_the_site_zone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        let archive = Archive::open(&url).await.expect("archive");
        let tz = TimeZone::get("America/New_York").expect("zone");
        let logs = [
            punch(1, at(&tz, "2026-03-07", "22:00", false), 1),
            punch(2, at(&tz, "2026-03-08", "06:00", false), 2),
        ];
        archive
            .store_tna_page(DEVICE, tna_archive::INITIAL_EPOCH, &logs, 3, 1)
            .await
            .expect("store");
        let p = TimecardsParams {
            from: "2026-03-07".into(),
            to: "2026-03-07".into(),
            user_id: None,
        };
        let sites = vec![(Zone::named("America/New_York").expect("zone"), vec![DEVICE])];
        let cards = get_limited(&archive, &sites, &p, 100).await.expect("cards");
        assert_eq!(cards.days.len(), 1, "{cards:?}");
        assert_eq!(cards.days[0].worked_seconds, 7 * 3600);
        assert_eq!(cards.days[0].zone.as_deref(), Some("America/New_York"));
        // Without the zone the same punches are UTC days: 03:00 UTC to 11:00 UTC on 03-08.
        let utc = get_limited(&archive, &Vec::new(), &p, 100)
            .await
            .expect("cards");
        assert_eq!(utc.days.len(), 0, "{utc:?}");
        archive.close().await;
    }

    #[test]
    fn days_parse_and_bad_ones_say_why() {
        assert_eq!(parse_day("from", "1970-01-01").ok(), Some(0));
        assert_eq!(parse_day("from", "2026-11-25").ok(), Some(20_782));
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-11-25x",
            "",
            "2026-11",
            "1969-12-31",
        ] {
            let e = parse_day("from", bad).expect_err(bad);
            assert!(e.message.contains("YYYY-MM-DD"), "{bad}: {}", e.message);
        }
    }
}
