//! Reading logs from the relay's archive instead of the devices: which source the Logs page
//! uses, how fresh the archive is for the chosen devices, and the archive query made from the
//! page's filters (the time range and the user go to the relay; the other filters stay on the
//! loaded rows).

use tna_types::archive::{LogQuery, Stream};
use tna_types::protocol::SyncState;

use super::Filter;

const DAY: i64 = tna_types::time::SECONDS_PER_DAY;
/// The westernmost time zone a device can be in (UTC−12:00), in seconds east of UTC.
const WESTMOST_TZ: i32 = -12 * 3600;
/// The easternmost (UTC+14:00).
const EASTMOST_TZ: i32 = 14 * 3600;

/// Where the Logs page reads records from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `archive.logs` / `archive.jobCodeLogs`: one query across the devices, filtered by the
    /// relay.
    Archive,
    /// `tna.getLog` / `tna.getJobCodeLog`: each device page by page from its cursor.
    Devices,
}

impl Source {
    /// The select's value.
    pub fn key(self) -> &'static str {
        match self {
            Source::Archive => "archive",
            Source::Devices => "devices",
        }
    }

    /// From the select's value (anything else is the devices).
    pub fn parse(v: &str) -> Source {
        if v == "archive" {
            Source::Archive
        } else {
            Source::Devices
        }
    }
}

/// Whether the archive has read `device`'s `stream`: it has a cursor for it and stored a page.
fn has_read(states: &[SyncState], device: u32, stream: Stream) -> bool {
    states.iter().any(|st| {
        st.cursor.device_id == device
            && st.cursor.stream == stream
            && st.cursor.last_sync_at.is_some()
    })
}

/// The chosen devices whose `stream` the archive has not read (yet), in the given order.
pub fn not_archived(states: &[SyncState], stream: Stream, chosen: &[u32]) -> Vec<u32> {
    chosen
        .iter()
        .copied()
        .filter(|d| !has_read(states, *d, stream))
        .collect()
}

/// The source the page starts with: the archive when the relay has one (`states` is the
/// answer of `archive.status`, `None` when it failed or has not come) and it has read every
/// chosen device's log; the devices otherwise.
pub fn default_source(states: Option<&[SyncState]>, stream: Stream, chosen: &[u32]) -> Source {
    match states {
        Some(states) if not_archived(states, stream, chosen).is_empty() => Source::Archive,
        _ => Source::Devices,
    }
}

/// When the archive last stored a page of `stream` of any of the chosen devices (Unix seconds):
/// how fresh its newest data is.
pub fn newest_sync(states: &[SyncState], stream: Stream, chosen: &[u32]) -> Option<i64> {
    states
        .iter()
        .filter(|st| st.cursor.stream == stream && chosen.contains(&st.cursor.device_id))
        .filter_map(|st| st.cursor.last_sync_at)
        .max()
}

/// The filters the archive applies: days (each device's own, as the page's filter reads them)
/// and the user. A query read under one `ServerFilter` is continued only under the same one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerFilter {
    /// First day (inclusive).
    pub from_day: Option<i64>,
    /// Last day (inclusive).
    pub to_day: Option<i64>,
    /// Exact user ID.
    pub user_id: Option<String>,
}

impl ServerFilter {
    /// The server side of the page's filter: the user when the text stands for exactly one
    /// (the directory's one match by ID prefix or name, or, before the directory answered, the
    /// text as an ID); several users matching, or a text that is no valid user ID, are left to
    /// the page.
    pub fn of(filter: &Filter) -> ServerFilter {
        let user = filter.user.trim();
        let exact = (!user.is_empty() && tna_types::validate::validate_user_id(user).is_ok())
            .then(|| user.to_string());
        let user_id = match filter.user_ids.as_deref() {
            None | Some([]) => exact,
            // The directory matches IDs by prefix too: one match is the text's one user.
            Some([one]) => Some(one.clone()),
            Some(_) => None,
        };
        ServerFilter {
            from_day: filter.from_day,
            to_day: filter.to_day,
            user_id,
        }
    }

    /// The first page's query over `device_ids`, `limit` rows a page. `zones` are the offsets
    /// (seconds east of UTC, `None` where not known yet) the rows are shown at — for a zone with
    /// daylight saving time, its offsets at both ends of the range: the time range covers the
    /// days at every one of them, and in any zone where one is not known, so no record the
    /// page's filter accepts is left out (the page drops the few extra ones).
    pub fn query(&self, device_ids: &[u32], zones: &[Option<i32>], limit: u32) -> LogQuery {
        let known: Option<Vec<i32>> = zones.iter().copied().collect();
        let (west, east) = match known.as_deref() {
            Some(z) if !z.is_empty() => (
                z.iter().copied().min().unwrap_or(0),
                z.iter().copied().max().unwrap_or(0),
            ),
            _ => (WESTMOST_TZ, EASTMOST_TZ),
        };
        // A local day starts at `day * DAY - tz` UTC: earliest in the easternmost zone, and the
        // last day ends latest in the westernmost one.
        let from = self.from_day.map(|d| d * DAY - i64::from(east));
        let to = self.to_day.map(|d| (d + 1) * DAY - i64::from(west));
        let to = match (from, to) {
            (Some(f), Some(t)) => Some(t.max(f)),
            (_, t) => t,
        };
        let secs = |t: i64| u32::try_from(t.max(0)).unwrap_or(u32::MAX);
        LogQuery {
            from: from.filter(|f| *f > 0).map(secs),
            to: to.filter(|t| *t < i64::from(u32::MAX)).map(secs),
            user_id: self.user_id.clone(),
            device_ids: Some(device_ids.to_vec()),
            after: None,
            limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{KeyFilter, days_from_civil};
    use tna_types::archive::Cursor;

    fn state(device_id: u32, stream: Stream, last_sync_at: Option<i64>) -> SyncState {
        SyncState {
            cursor: Cursor {
                device_id,
                stream,
                epoch: 1,
                next_event_id: 10,
                stored: 10,
                last_sync_at,
                last_error: None,
                last_error_at: None,
                reset_detected_at: None,
            },
            syncing: false,
            lag_seconds: None,
        }
    }

    #[test]
    fn the_archive_is_the_default_when_it_has_read_every_chosen_device() {
        let states = vec![
            state(1, Stream::Tna, Some(100)),
            state(2, Stream::Tna, Some(300)),
            state(2, Stream::JobCode, Some(200)),
            // A cursor without a stored page: the archive has not read the device yet.
            state(3, Stream::Tna, None),
        ];
        let tna = Stream::Tna;
        assert_eq!(default_source(Some(&states), tna, &[1, 2]), Source::Archive);
        assert_eq!(default_source(Some(&states), tna, &[]), Source::Archive);
        assert_eq!(default_source(Some(&states), tna, &[1, 3]), Source::Devices);
        assert_eq!(default_source(Some(&states), tna, &[1, 4]), Source::Devices);
        assert_eq!(default_source(None, tna, &[1]), Source::Devices);
        // Per log: device 1's job-code log is not in the archive.
        assert_eq!(
            default_source(Some(&states), Stream::JobCode, &[2]),
            Source::Archive
        );
        assert_eq!(
            default_source(Some(&states), Stream::JobCode, &[1, 2]),
            Source::Devices
        );
        assert_eq!(not_archived(&states, tna, &[4, 1, 3]), vec![4, 3]);
    }

    #[test]
    fn freshness_is_the_newest_sync_of_the_chosen_devices() {
        let states = vec![
            state(1, Stream::Tna, Some(100)),
            state(2, Stream::Tna, Some(300)),
            state(2, Stream::JobCode, Some(900)),
            state(3, Stream::Tna, None),
        ];
        assert_eq!(newest_sync(&states, Stream::Tna, &[1, 2]), Some(300));
        assert_eq!(newest_sync(&states, Stream::Tna, &[1, 3]), Some(100));
        assert_eq!(newest_sync(&states, Stream::JobCode, &[2]), Some(900));
        assert_eq!(newest_sync(&states, Stream::Tna, &[3]), None);
        assert_eq!(newest_sync(&states, Stream::Tna, &[]), None);
    }

    #[test]
    fn source_values_round_trip() {
        for s in [Source::Archive, Source::Devices] {
            assert_eq!(Source::parse(s.key()), s);
        }
        assert_eq!(Source::parse(""), Source::Devices);
    }

    #[test]
    fn the_server_filter_takes_days_and_a_valid_user() {
        let filter = Filter {
            from_day: Some(5),
            to_day: Some(6),
            user: " 1007 ".into(),
            user_ids: None,
            key: KeyFilter::Key(1),
            event_code: Some(0x1300),
        };
        assert_eq!(
            ServerFilter::of(&filter),
            ServerFilter {
                from_day: Some(5),
                to_day: Some(6),
                user_id: Some("1007".into()),
            }
        );
        let anyone = Filter {
            user: "  ".into(),
            ..Filter::default()
        };
        assert_eq!(ServerFilter::of(&anyone), ServerFilter::default());
        let invalid = Filter {
            user: "0".into(),
            ..Filter::default()
        };
        assert_eq!(ServerFilter::of(&invalid).user_id, None);
        // A name part: one match goes to the relay, several stay with the page.
        let one = Filter {
            user: "ana".into(),
            user_ids: Some(vec!["1003".into()]),
            ..Filter::default()
        };
        assert_eq!(ServerFilter::of(&one).user_id.as_deref(), Some("1003"));
        let many = Filter {
            user: "kim".into(),
            user_ids: Some(vec!["1001".into(), "1009".into()]),
            ..Filter::default()
        };
        assert_eq!(ServerFilter::of(&many).user_id, None);
    }

    #[test]
    fn the_query_covers_the_days_in_every_zone() {
        let day = days_from_civil(2026, 1, 5);
        let midnight = (day * DAY) as u32;
        let f = ServerFilter {
            from_day: Some(day),
            to_day: Some(day),
            user_id: Some("7".into()),
        };
        // Known zones UTC+9 and UTC−3: from 00:00 at +9 to 24:00 at −3.
        let q = f.query(&[1, 2], &[Some(9 * 3600), Some(-3 * 3600)], 5_000);
        assert_eq!(q.from, Some(midnight - 9 * 3600));
        assert_eq!(q.to, Some(midnight + 27 * 3600));
        assert_eq!(q.user_id.as_deref(), Some("7"));
        assert_eq!(q.device_ids, Some(vec![1, 2]));
        assert_eq!((q.after, q.limit), (None, 5_000));
        // One zone not known yet: every zone on Earth.
        let q = f.query(&[1, 2], &[Some(9 * 3600), None], 5_000);
        assert_eq!(q.from, Some(midnight - 14 * 3600));
        assert_eq!(q.to, Some(midnight + 36 * 3600));
        // No days: no time range.
        let q = ServerFilter::default().query(&[1], &[Some(0)], 10);
        assert_eq!((q.from, q.to, q.user_id), (None, None, None));
        // To before from: an empty range, not one the relay refuses.
        let backwards = ServerFilter {
            from_day: Some(day),
            to_day: Some(day - 3),
            user_id: None,
        };
        let q = backwards.query(&[1], &[Some(0)], 10);
        assert_eq!(q.from, q.to);
        // Days before 1970 or past 2106 leave that end open.
        let wide = ServerFilter {
            from_day: Some(-10),
            to_day: Some(60_000),
            user_id: None,
        };
        let q = wide.query(&[1], &[Some(0)], 10);
        assert_eq!((q.from, q.to), (None, None));
    }

    #[test]
    fn the_query_matches_what_the_page_filter_accepts() {
        use crate::logs::{DeviceMeta, LogRow};
        let day = days_from_civil(2026, 1, 5);
        let zones = [Some(14 * 3600), Some(-12 * 3600), Some(0)];
        let f = ServerFilter {
            from_day: Some(day),
            to_day: Some(day + 1),
            user_id: None,
        };
        let page = Filter {
            from_day: Some(day),
            to_day: Some(day + 1),
            ..Filter::default()
        };
        for known in [true, false] {
            let z: Vec<Option<i32>> = if known { zones.to_vec() } else { vec![None; 3] };
            let q = f.query(&[1, 2, 3], &z, 10);
            let (from, to) = (q.from.unwrap(), q.to.unwrap());
            for (device, tz) in zones.iter().enumerate() {
                let meta = DeviceMeta::default();
                // The device's zone at every instant of the range.
                let offsets = |_: Option<&DeviceMeta>, _: u32| tz.unwrap_or(0);
                let start = (day * DAY - 2 * DAY) as u32;
                for ts in (start..start + 6 * DAY as u32).step_by(1_800) {
                    let row = LogRow {
                        device_id: device as u32,
                        id: 1,
                        timestamp: ts,
                        user_id: "1".into(),
                        event_code: 0x1300,
                        sub_code: 0,
                        key: None,
                        job_code: None,
                    };
                    if page.accepts(&row, Some(&meta), &offsets) {
                        assert!(
                            (from..to).contains(&ts),
                            "{ts} of a device at {tz:?} is on a chosen day but outside the query"
                        );
                    }
                }
            }
        }
    }
}
