//! The workforce plan: deterministic by seed, people as the issue describes them, wall times in
//! the site's zone, and — the point of it — timecards of the logs the emulator serves over gRPC
//! equal to the timecards of the plan, clean where no mistake was planned.

mod common;

use std::collections::BTreeSet;

use common::{channel, within};
use gateway_sim::workforce::{Action, Mistake, Plan, PlannedPunch, Shift, Workforce};
use gateway_sim::{Gateway, SimConfig, start};
use gsdk_proto::tna::GetTnaLogRequest;
use gsdk_proto::tna::tna_client::TnaClient;
use tna_types::TnaKey;
use tna_types::time::{OffsetChange, ZoneOffsets};
use tna_types::timecard::{DeviceZones, SiteZone, TimecardPolicy, timecards};

const ZONE: &str = "Europe/Berlin";

fn site(seed: u64, devices: u32, logs_per_device: u32) -> SimConfig {
    SimConfig {
        devices,
        logs_per_device,
        seed,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: Some(ZONE.into()),
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The zone's offsets over [from, to], from the tz database (as the relay builds them).
fn offsets(from: i64, to: i64) -> ZoneOffsets {
    let tz = jiff::tz::TimeZone::get(ZONE).unwrap();
    let start = jiff::Timestamp::from_second(from).unwrap();
    let changes = tz
        .following(start)
        .take_while(|t| t.timestamp().as_second() <= to)
        .map(|t| OffsetChange {
            at: t.timestamp().as_second(),
            offset: t.offset().seconds(),
        })
        .collect();
    ZoneOffsets::new(tz.to_offset(start).seconds(), changes)
}

fn zones(devices: Vec<u32>, from: i64, to: i64) -> DeviceZones {
    let mut z = DeviceZones::new();
    let zone = SiteZone {
        name: Some(ZONE.into()),
        offsets: offsets(from, to),
    };
    z.add(zone, devices);
    z
}

fn key(k: u8) -> Option<TnaKey> {
    TnaKey::try_from(k).ok()
}

/// A planned punch as the timecard reads a log record (`id` only breaks ties).
fn as_log(p: &PlannedPunch, id: u32) -> tna_types::TnaLog {
    tna_types::TnaLog {
        id,
        timestamp: p.timestamp,
        device_id: p.device_id,
        user_id: p.user_id.clone(),
        event_code: p.event_code,
        sub_code: p.sub_code,
        tna_key: key(p.key),
    }
}

#[test]
fn plan_is_deterministic_by_seed() {
    let wf = Workforce::default();
    let a = Plan::for_site(&site(7, 30, 1_000), &wf);
    let b = Plan::for_site(&site(7, 30, 1_000), &wf);
    let c = Plan::for_site(&site(8, 30, 1_000), &wf);
    assert_eq!(a.people(), b.people());
    assert_ne!(a.people(), c.people());
    let today = a.local_day(unix_now());
    for p in a.people().iter().take(40) {
        for d in today - 10..today + 3 {
            assert_eq!(a.day(p, d), b.day(p, d), "{} day {d}", p.user_id);
        }
    }
    // Asking in another order changes nothing (each day has its own stream).
    let p = &a.people()[3];
    let later = a.day(p, today);
    let _ = a.day(&a.people()[4], today - 1);
    assert_eq!(a.day(p, today), later);
    // The gateway's people are the plan's.
    let gw = Gateway::new(site(7, 30, 10));
    assert_eq!(gw.plan().people(), a.people());
    // The size knob.
    let small = Workforce {
        people: Some(25),
        ..Workforce::default()
    };
    let few = Plan::for_site(&site(7, 30, 1_000), &small);
    assert_eq!(few.people().len(), 25);
    assert_eq!(few.people()[0].user_id, "1001");
}

#[test]
fn people_have_names_in_several_scripts_shifts_and_home_devices() {
    let plan = Plan::for_site(&site(3, 57, 10_000), &Workforce::default());
    let people = plan.people();
    assert!(
        people.len() >= 300,
        "a few hundred people: {}",
        people.len()
    );
    let names: Vec<&str> = people.iter().filter_map(|p| p.name.as_deref()).collect();
    let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    assert!(names.iter().any(|n| hangul(n)), "Korean names");
    assert!(
        names.iter().any(|n| n.chars().count() == 3 && hangul(n)),
        "e.g. 김민준"
    );
    assert!(
        names.iter().any(|n| !n.is_ascii() && !hangul(n)),
        "other scripts"
    );
    assert!(names.iter().all(|n| n.len() <= 192), "MAX_NAME_LENGTH");
    assert!(
        people.iter().any(|p| p.name.is_none()),
        "some without a name"
    );
    let shifts: BTreeSet<String> = people.iter().map(|p| format!("{:?}", p.shift)).collect();
    assert_eq!(shifts.len(), 4, "{shifts:?}");
    assert!(
        people
            .iter()
            .all(|p| (1..=2).contains(&p.home_devices.len()))
    );
    assert!(people.iter().any(|p| p.home_devices.len() == 2));
    // Home devices are T&A devices of this site.
    let gw = Gateway::new(site(3, 57, 1));
    for id in plan.home_devices() {
        assert_eq!(gw.tna_supported(id), Some(true));
    }
}

#[test]
fn night_shift_crosses_midnight_and_times_are_site_wall_times() {
    let plan = Plan::for_site(&site(5, 40, 1_000), &Workforce::default());
    let tz = jiff::tz::TimeZone::get(ZONE).unwrap();
    let local = |ts: u32| tz.to_datetime(jiff::Timestamp::from_second(i64::from(ts)).unwrap());
    let day_of = |d: i32| jiff::civil::date(1970, 1, 1) + jiff::Span::new().days(d);
    // Weeks around both 2026 DST changes in Berlin (29 March, 25 October) and now.
    let first = |y, m, d| {
        let date: jiff::civil::Date = jiff::civil::date(y, m, d);
        date.since(jiff::civil::date(1970, 1, 1))
            .unwrap()
            .get_days()
    };
    let today = plan.local_day(unix_now());
    let mut nights = 0;
    for start in [first(2026, 3, 23), first(2026, 10, 19), today - 8] {
        for d in start..start + 8 {
            for p in plan.people() {
                let day = plan.day(p, d);
                let weekday = day_of(d).weekday().to_sunday_zero_offset();
                if weekday == 0 || weekday == 6 {
                    assert!(!day.is_working(), "weekends off");
                }
                for w in day.punches.windows(2) {
                    assert!(w[0].timestamp <= w[1].timestamp, "in order");
                }
                for punch in &day.punches {
                    // The planned minute is the site's wall clock at that instant.
                    let wall = local(punch.timestamp);
                    let minute = wall.hour() as u16 * 60 + wall.minute() as u16;
                    assert_eq!(minute, punch.local_minute, "{punch:?}");
                }
                let (Some(first), Some(last)) = (day.punches.first(), day.punches.last()) else {
                    continue;
                };
                assert_eq!(
                    local(first.timestamp).date(),
                    day_of(d),
                    "a day starts on its date"
                );
                if p.shift == Shift::Night && day.mistake.is_none() {
                    assert_eq!(last.action, Action::CheckOut);
                    assert_eq!(
                        local(last.timestamp).date(),
                        day_of(d + 1),
                        "ends next morning"
                    );
                    assert!(local(first.timestamp).hour() >= 21);
                    nights += 1;
                } else if p.shift == Shift::Office && day.mistake.is_none() {
                    assert!((7..=9).contains(&local(first.timestamp).hour()));
                    assert_eq!(local(last.timestamp).date(), day_of(d));
                }
            }
        }
    }
    assert!(nights > 10, "night shifts seen: {nights}");
}

/// The key test: a week of the site's logs, read over gRPC, gives the plan's timecards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_week_gives_the_planned_timecards() {
    let workforce = Workforce {
        people: Some(60),
        mistake_percent: 8,
    };
    let gw = Gateway::with_workforce(site(11, 12, 4_000), workforce);
    let plan = gw.plan().clone();
    let running = within(start(gw, "127.0.0.1:0".parse().unwrap(), None))
        .await
        .unwrap();
    let mut c = TnaClient::new(channel(&running).await).max_decoding_message_size(64 << 20);
    let devices = running.gateway.device_ids();
    let mut served = Vec::new();
    for &d in &devices {
        if running.gateway.tna_supported(d) != Some(true) {
            continue;
        }
        let logs = within(c.get_tna_log(GetTnaLogRequest {
            device_id: d,
            start_event_id: 0,
            max_num_of_log: 0,
            filter: None,
        }))
        .await
        .unwrap()
        .into_inner()
        .tna_events;
        served.extend(logs.into_iter().map(|l| tna_types::TnaLog {
            id: l.id,
            timestamp: l.timestamp,
            device_id: l.device_id,
            user_id: l.user_id,
            event_code: l.event_code,
            sub_code: l.sub_code,
            tna_key: u8::try_from(l.tna_key).ok().and_then(key),
        }));
    }
    running.shutdown().await;

    // A whole past week of local days (ending the day before yesterday: every shift of it has
    // ended, night shifts included).
    let today = plan.local_day(unix_now());
    let week = today - 8..=today - 2;
    let from = (i64::from(*week.start()) - 3) * 86_400;
    let to = (i64::from(*week.end()) + 3) * 86_400;
    let zones = zones(devices, from, to);
    let policy = TimecardPolicy::default();
    let in_week = |days: Vec<tna_types::timecard::TimecardDay>| -> Vec<_> {
        days.into_iter()
            .filter(|d| week.contains(&d.day_number))
            .collect()
    };
    let got = in_week(timecards(&served, &policy, &zones));

    // The plan's punches of the week and the days around it, as log records.
    let mut planned = Vec::new();
    let mut id = 0;
    for p in plan.people() {
        for d in week.start() - 1..=week.end() + 1 {
            for punch in plan.day(p, d).punches {
                id += 1;
                planned.push(as_log(&punch, id));
            }
        }
    }
    let want = in_week(timecards(&planned, &policy, &zones));
    assert!(want.len() > 150, "a week of 60 people: {} days", want.len());
    assert_eq!(got, want);

    // And the values, from the plan alone: a clean working day has no flag and exactly the
    // planned worked time; a day with a mistake is flagged; a day off has no row.
    let mut mistakes = BTreeSet::new();
    for p in plan.people() {
        for d in week.clone() {
            let day = plan.day(p, d);
            let row = want
                .iter()
                .find(|r| r.user_id == p.user_id && r.day_number == d);
            match (day.is_working(), day.mistake, row) {
                (false, _, row) => assert!(row.is_none(), "{} day {d}: off", p.user_id),
                (true, None, Some(row)) => {
                    assert!(row.flags.is_empty(), "{} day {d}: {row:?}", p.user_id);
                    assert_eq!(Some(row.worked_seconds), day.worked_seconds(), "{row:?}");
                    assert!(row.worked_seconds > 6 * 3600 && row.worked_seconds < 10 * 3600);
                }
                (true, Some(m), Some(row)) => {
                    assert!(
                        !row.flags.is_empty(),
                        "{} day {d}: {m:?} {row:?}",
                        p.user_id
                    );
                    mistakes.insert(format!("{m:?}"));
                }
                (true, _, None) => panic!("{} day {d}: no timecard row", p.user_id),
            }
        }
    }
    let flagged = want.iter().filter(|r| !r.flags.is_empty()).count();
    println!(
        "week: {} timecard rows, {flagged} flagged ({mistakes:?}), {} served records",
        want.len(),
        served.len()
    );
    assert!(!mistakes.is_empty(), "the week has planned mistakes");
    // Only planned mistakes raise flags.
    for row in &want {
        if !row.flags.is_empty() {
            let person = plan.person(&row.user_id).unwrap();
            let day = plan.day(person, row.day_number);
            assert!(day.mistake.is_some(), "unplanned flags: {row:?}");
            let m = day.mistake.unwrap();
            assert!(matches!(
                m,
                Mistake::MissedOut | Mistake::DoubleIn | Mistake::WrongKey
            ));
        }
    }
}

/// The live generator continues the plan: started with its history ending four days ago, it
/// records exactly the plan's punches since then, each on its device with its key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_generator_records_the_plans_punches() {
    let mut cfg = site(13, 10, 500);
    cfg.punch_interval = Some(std::time::Duration::from_millis(10));
    // Four days, so that the window holds two working days whatever today is: the plan has
    // weekends off, and two days back from a Sunday afternoon held only Friday evening's punches
    // (46, under the check below).
    let end = u32::try_from(unix_now() - 4 * 86_400).unwrap();
    let workforce = Workforce {
        people: Some(40),
        mistake_percent: 5,
    };
    let gw = Gateway::with_history_end(cfg, workforce, end);
    let plan = gw.plan().clone();
    let running = within(start(gw, "127.0.0.1:0".parse().unwrap(), None))
        .await
        .unwrap();
    let gw = running.gateway.clone();
    let checked_at = u32::try_from(unix_now()).unwrap();
    // What the plan has for (end, checked_at]: days from the one before `end` on.
    let mut want = Vec::new();
    for d in plan.local_day(i64::from(end)) - 1..=plan.local_day(i64::from(checked_at)) {
        for p in plan.people() {
            for punch in plan.day(p, d).punches {
                if punch.timestamp >= end && punch.timestamp <= checked_at {
                    want.push((punch.device_id, punch.user_id, punch.timestamp, punch.key));
                }
            }
        }
    }
    want.sort();
    assert!(
        want.len() > 50,
        "two working days of 40 people: {}",
        want.len()
    );
    let recorded = || {
        let mut got = Vec::new();
        for d in gw.device_ids() {
            for l in gw.tna_logs(d, 0, 0).unwrap_or_default() {
                if l.timestamp >= end && l.timestamp <= checked_at {
                    got.push((d, l.user_id, l.timestamp, l.tna_key as u8));
                }
            }
        }
        got.sort();
        got
    };
    let deadline = std::time::Instant::now() + common::STEP;
    let mut got = recorded();
    while got.len() < want.len() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        got = recorded();
    }
    assert_eq!(got, want);
    running.shutdown().await;
}
