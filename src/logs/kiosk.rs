//! The kiosk's pure parts: the key → direction map the admin sets (stored as a short string), the
//! "who is in" board built from punches, bounded in size, the tail of today's punches read
//! from the archive at start, and [`Saved`]: the last board, kept in the browser so that a
//! kiosk started without the relay shows it (and reads on from its cursors when the relay is
//! back).

use std::collections::{HashMap, VecDeque};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use super::live::LiveFeed;
use tna_types::limits::MAX_TNA_KEYS;

use super::{DeviceMeta, LogRow, MetaMap};

/// What a T&A key means at the reception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    /// Check in: the person is in.
    In,
    /// Back from a break: in again.
    BreakEnd,
    /// Break start: out for a while.
    BreakStart,
    /// Check out: the person left.
    Out,
}

impl Direction {
    /// Every direction, in the settings' order.
    pub const ALL: [Direction; 4] = [
        Direction::In,
        Direction::Out,
        Direction::BreakStart,
        Direction::BreakEnd,
    ];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::BreakStart => "break",
            Direction::BreakEnd => "back",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.key() == s)
    }

    /// Whether the person counts as present after this punch.
    pub fn present(self) -> bool {
        matches!(self, Direction::In | Direction::BreakEnd)
    }
}

/// Key number (1..=16) → direction: one slot per key (a fixed array, not a map: sixteen keys,
/// read in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectionMap([Option<Direction>; MAX_TNA_KEYS]);

impl Default for DirectionMap {
    /// KEY_1 check in, KEY_2 check out, KEY_3 break start, KEY_4 break end.
    fn default() -> Self {
        let mut map = DirectionMap([None; MAX_TNA_KEYS]);
        map.set(1, Some(Direction::In));
        map.set(2, Some(Direction::Out));
        map.set(3, Some(Direction::BreakStart));
        map.set(4, Some(Direction::BreakEnd));
        map
    }
}

impl DirectionMap {
    /// Parses `1=in,2=out,3=break,4=back`; bad parts are skipped (a damaged setting never breaks
    /// the kiosk).
    pub fn parse(s: &str) -> DirectionMap {
        let mut map = DirectionMap([None; MAX_TNA_KEYS]);
        for part in s.split(',') {
            let Some((k, d)) = part.split_once('=') else {
                continue;
            };
            if let (Ok(k), Some(d)) = (k.trim().parse::<u8>(), Direction::parse(d.trim())) {
                map.set(k, Some(d));
            }
        }
        map
    }

    /// The stored form, keys in order.
    pub fn to_setting(&self) -> String {
        (1..=MAX_TNA_KEYS as u8)
            .filter_map(|k| Some(format!("{k}={}", self.get(k)?.key())))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The direction of a key, if set.
    pub fn get(&self, key: u8) -> Option<Direction> {
        self.0
            .get(usize::from(key).checked_sub(1)?)
            .copied()
            .flatten()
    }

    /// Sets or clears a key's direction (a number outside 1..=16 is no key: nothing changes).
    pub fn set(&mut self, key: u8, d: Option<Direction>) {
        if let Some(slot) = usize::from(key)
            .checked_sub(1)
            .and_then(|i| self.0.get_mut(i))
        {
            *slot = d;
        }
    }
}

/// One person's latest keyed punch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// The user.
    pub user_id: String,
    /// The punch.
    pub last: LogRow,
}

/// The "who is in" board: each user's latest punch with a key, at most `cap` users (the ones
/// seen longest ago are dropped first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    users: HashMap<String, LogRow>,
    cap: usize,
}

impl Board {
    /// An empty board of at most `cap` users.
    pub fn new(cap: usize) -> Board {
        Board {
            users: HashMap::new(),
            cap: cap.max(1),
        }
    }

    /// Takes a punch into account; only keyed punches of a user, newer than what the board
    /// has, change it. Returns whether it changed.
    pub fn apply(&mut self, row: &LogRow) -> bool {
        if row.user_id.is_empty() || row.key.is_none() {
            return false;
        }
        let order = |r: &LogRow| (r.timestamp, r.device_id, r.id);
        match self.users.get(&row.user_id) {
            Some(old) if order(old) >= order(row) => return false,
            _ => {}
        }
        self.users.insert(row.user_id.clone(), row.clone());
        if self.users.len() > self.cap
            && let Some(oldest) = self
                .users
                .iter()
                .min_by_key(|(_, r)| order(r))
                .map(|(u, _)| u.clone())
        {
            self.users.remove(&oldest);
        }
        true
    }

    /// Users: present ones first, then by latest punch, newest first.
    pub fn listing(&self, map: &DirectionMap) -> Vec<Presence> {
        let mut v: Vec<Presence> = self
            .users
            .iter()
            .map(|(u, r)| Presence {
                user_id: u.clone(),
                last: r.clone(),
            })
            .collect();
        let present = |p: &Presence| {
            p.last
                .key
                .and_then(|k| map.get(k))
                .is_some_and(Direction::present)
        };
        crate::order::sort_by(&mut v, |a, b| {
            present(b)
                .cmp(&present(a))
                .then(b.last.timestamp.cmp(&a.last.timestamp))
                .then(a.user_id.cmp(&b.user_id))
        });
        v
    }

    /// Each user's latest punch, in no order.
    pub fn rows(&self) -> impl Iterator<Item = &LogRow> {
        self.users.values()
    }

    /// Number of users on the board.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether the board is empty.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

/// Today's punches as the archive returns them at start, oldest first: the newest `cap` of them
/// are kept for the latest-punches feed, with each device's newest epoch (event numbering).
#[derive(Debug, Clone, Default)]
pub struct TodayTail {
    rows: VecDeque<(u32, LogRow)>,
    /// Per device: its newest epoch and the highest event ID read in it.
    ends: HashMap<u32, (u32, u32)>,
    cap: usize,
}

impl TodayTail {
    /// An empty tail of at most `cap` rows.
    pub fn new(cap: usize) -> TodayTail {
        TodayTail {
            cap: cap.max(1),
            ..TodayTail::default()
        }
    }

    /// Takes the next punch (the archive's order: oldest first) and its epoch.
    pub fn push(&mut self, epoch: u32, row: LogRow) {
        let end = self.ends.entry(row.device_id).or_insert((epoch, row.id));
        if epoch > end.0 {
            *end = (epoch, row.id);
        } else if epoch == end.0 {
            end.1 = end.1.max(row.id);
        }
        self.rows.push_back((epoch, row));
        if self.rows.len() > self.cap {
            self.rows.pop_front();
        }
    }

    /// Per device, the event ID after the newest one the archive had (in the device's newest
    /// epoch), sorted by device. The live session reads each device on from there: a punch the
    /// archive had not stored yet when it was read, made before the subscription began, is
    /// then read from the device instead of missed.
    pub fn next_event_ids(&self) -> Vec<(u32, u32)> {
        let mut next: Vec<(u32, u32)> = self
            .ends
            .iter()
            .map(|(&device, &(_, id))| (device, id.saturating_add(1)))
            .collect();
        crate::order::sort(&mut next);
        next
    }

    /// The punches for the feed, oldest first: only those of each device's newest epoch. The
    /// feed tells events apart by (device, ID), and after a device renumbered its events an
    /// older epoch's IDs come again for new punches, which must not be taken for ones it has.
    pub fn into_feed_rows(self) -> Vec<LogRow> {
        let ends = self.ends;
        self.rows
            .into_iter()
            .filter(|(epoch, row)| ends.get(&row.device_id).map(|e| e.0) == Some(*epoch))
            .map(|(_, row)| row)
            .collect()
    }
}

/// A device as the saved board needs it: its site zone and key labels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDevice {
    pub device_id: u32,
    pub zone: Option<String>,
    pub labels: Option<Vec<String>>,
}

/// The version of [`Saved`]'s stored form. postcard writes fields in order without names, so a
/// snapshot of another shape cannot be told apart by its bytes: change this with any field of
/// `Saved`, `LogRow` or `SavedDevice`, and an older snapshot is refused instead of misread.
const SAVED_FORMAT: &str = "k1:";

/// What the kiosk shows, kept in the browser (`localStorage`) while it is connected: after a
/// reload without the network it shows this board, marked offline since [`Saved::at`], and
/// its feed starts from [`Saved::cursors`], so the punches made meanwhile are read from the
/// devices when the relay answers again (the feed drops those it has).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    /// When it was saved (Unix seconds): the last moment the kiosk knew it was current.
    pub at: u32,
    /// The local day it shows (days since 1970 in the kiosk's zone): another day's board is
    /// never shown as today's.
    pub day: i64,
    /// The device choice it was made under (`None`: every device).
    pub chosen: Option<Vec<u32>>,
    /// The site zones of the devices shown (the clock follows them).
    pub zones: Vec<Option<String>>,
    /// The feed's rows and each board user's latest punch.
    pub rows: Vec<LogRow>,
    /// Per device, the feed's cursor: every event below it was seen.
    pub cursors: Vec<(u32, u32)>,
    /// The devices' zones and key labels.
    pub devices: Vec<SavedDevice>,
    /// User ID → name, of the people on the board and in the feed.
    pub names: Vec<(String, String)>,
}

impl Saved {
    /// This snapshot's head (`at`, `day`, `chosen`, `zones`) with what a kiosk showing `feed`
    /// and `board` has; `name` gives a user's known name.
    pub fn with_board(
        self,
        feed: &LiveFeed,
        board: &Board,
        meta: &MetaMap,
        name: impl Fn(&str) -> Option<String>,
    ) -> Saved {
        let mut rows: Vec<LogRow> = feed.rows().iter().cloned().collect();
        for r in board.rows() {
            if !rows
                .iter()
                .any(|x| (x.device_id, x.id) == (r.device_id, r.id))
            {
                rows.push(r.clone());
            }
        }
        let cursors = feed
            .devices()
            .into_iter()
            .filter_map(|d| Some((d, feed.resume_from(d)?)))
            .collect();
        let mut devices: Vec<SavedDevice> = meta
            .iter()
            .map(|(&device_id, m)| SavedDevice {
                device_id,
                zone: m.zone.clone(),
                labels: m.labels.clone(),
            })
            .collect();
        crate::order::sort_by_key(&mut devices, |d| d.device_id);
        let mut names: Vec<(String, String)> = rows
            .iter()
            .filter_map(|r| Some((r.user_id.clone(), name(&r.user_id)?)))
            .collect();
        crate::order::sort_unique(&mut names);
        Saved {
            rows,
            cursors,
            devices,
            names,
            ..self
        }
    }

    /// Whether it may be shown now: the same local day and the same device choice.
    pub fn fits(&self, day: i64, chosen: &Option<Vec<u32>>) -> bool {
        self.day == day && &self.chosen == chosen
    }

    /// Puts the punches back into a fresh feed and board, and the feed's cursors.
    pub fn restore(&self, feed: &mut LiveFeed, board: &mut Board) {
        for &(device, next) in &self.cursors {
            feed.start_at(device, next);
        }
        for r in &self.rows {
            feed.add(r.clone());
            board.apply(r);
        }
    }

    /// The devices' zones and labels as the views read them.
    pub fn meta(&self) -> MetaMap {
        self.devices
            .iter()
            .map(|d| {
                let m = DeviceMeta {
                    zone: d.zone.clone(),
                    listed: true,
                    labels: d.labels.clone(),
                    job_labels: None,
                };
                (d.device_id, m)
            })
            .collect()
    }

    /// Reads a stored snapshot; `None` when it is damaged or from an older kiosk.
    pub fn parse(s: &str) -> Option<Saved> {
        let bytes = BASE64.decode(s.strip_prefix(SAVED_FORMAT)?).ok()?;
        match postcard::take_from_bytes::<Saved>(&bytes) {
            Ok((saved, [])) => Some(saved),
            _ => None,
        }
    }

    /// The stored form: [`SAVED_FORMAT`], then the snapshot in postcard as base64.
    ///
    /// Why not JSON: this was the kiosk's last JSON reader and writer of these shapes, and
    /// postcard's (already in the bundle for log pages) are a fraction of their size; the
    /// text is about half as long too.
    pub fn to_text(&self) -> String {
        let bytes = postcard::to_allocvec(self).unwrap_or_default();
        format!("{SAVED_FORMAT}{}", BASE64.encode(bytes))
    }
}

/// The meta a kiosk view reads: what the live session knows, else what was saved.
pub fn merged_meta(live: &MetaMap, saved: &MetaMap) -> MetaMap {
    let mut out = saved.clone();
    for (&id, m) in live {
        let entry = out.entry(id).or_default();
        if m.listed {
            entry.zone = m.zone.clone();
            entry.listed = true;
        }
        if m.labels.is_some() {
            entry.labels = m.labels.clone();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn punch(user: &str, id: u32, ts: u32, key: Option<u8>) -> LogRow {
        LogRow {
            device_id: 1,
            id,
            timestamp: ts,
            user_id: user.into(),
            event_code: 0x1300,
            sub_code: 1,
            key,
            job_code: None,
        }
    }

    #[test]
    fn direction_map_setting_round_trips_and_survives_damage() {
        let m = DirectionMap::default();
        assert_eq!(m.to_setting(), "1=in,2=out,3=break,4=back");
        assert_eq!(DirectionMap::parse(&m.to_setting()), m);
        let damaged = DirectionMap::parse("1=in,x=out,2=sideways,17=in,,5 = out");
        assert_eq!(damaged.get(1), Some(Direction::In));
        assert_eq!(damaged.get(5), Some(Direction::Out));
        assert_eq!(damaged.to_setting(), "1=in,5=out", "only the good parts");
        let mut m = m;
        m.set(2, None);
        m.set(9, Some(Direction::In));
        assert_eq!(m.to_setting(), "1=in,3=break,4=back,9=in");
    }

    #[test]
    fn board_keeps_the_latest_keyed_punch_per_user() {
        let map = DirectionMap::default();
        let mut b = Board::new(10);
        assert!(b.apply(&punch("7", 1, 100, Some(1))));
        assert!(!b.apply(&punch("7", 1, 100, Some(1))), "same punch");
        assert!(!b.apply(&punch("7", 0, 90, Some(2))), "older");
        assert!(!b.apply(&punch("8", 2, 95, None)), "no key");
        assert!(b.apply(&punch("8", 3, 96, Some(2))));
        assert!(b.apply(&punch("9", 4, 97, Some(3))));
        let l = b.listing(&map);
        let order: Vec<&str> = l.iter().map(|p| p.user_id.as_str()).collect();
        assert_eq!(order, vec!["7", "9", "8"], "present (7) first, then newest");
        assert!(
            b.apply(&punch("8", 5, 110, Some(4))),
            "8 is back from a break"
        );
        let order: Vec<String> = b.listing(&map).into_iter().map(|p| p.user_id).collect();
        assert_eq!(
            order,
            vec!["8", "7", "9"],
            "8 and 7 are in; 9 is on a break"
        );
    }

    #[test]
    fn todays_tail_keeps_the_newest_punches_of_the_newest_epochs() {
        let mut t = TodayTail::new(3);
        let on = |device_id: u32, id: u32| LogRow {
            device_id,
            ..punch("7", id, 100 + id, Some(1))
        };
        t.push(1, on(1, 1));
        t.push(1, on(1, 2));
        t.push(1, on(2, 3));
        t.push(1, on(2, 4));
        let ids: Vec<u32> = t.clone().into_feed_rows().iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![2, 3, 4], "the newest three, oldest first");
        // Device 2 renumbered its events: its older epoch's rows stay out of the feed.
        t.push(2, on(2, 1));
        t.push(1, on(1, 5));
        // The live session reads on after each device's newest punch of its newest epoch.
        assert_eq!(t.next_event_ids(), vec![(1, 6), (2, 2)]);
        let rows = t.into_feed_rows();
        let keys: Vec<(u32, u32)> = rows.iter().map(|r| (r.device_id, r.id)).collect();
        assert_eq!(keys, vec![(2, 1), (1, 5)]);
        assert!(TodayTail::new(0).into_feed_rows().is_empty());
    }

    #[test]
    fn board_is_bounded() {
        let mut b = Board::new(3);
        for i in 0..10u32 {
            b.apply(&punch(&i.to_string(), i, 100 + i, Some(1)));
        }
        assert_eq!(b.len(), 3);
        let users: Vec<String> = b
            .listing(&DirectionMap::default())
            .into_iter()
            .map(|p| p.user_id)
            .collect();
        assert_eq!(users, vec!["9", "8", "7"], "the most recent stay");
    }

    /// The stored form, pinned: postcard has no field names, so adding, removing or reordering
    /// a field of `Saved`, `LogRow` or `SavedDevice` changes these bytes. Then bump
    /// `SAVED_FORMAT` (older snapshots are refused, not misread) and pin the new text.
    #[test]
    fn the_saved_form_is_pinned() {
        let saved = Saved {
            at: 1_764_547_200,
            day: 20_423,
            chosen: Some(vec![540_000_001]),
            zones: vec![Some("Asia/Seoul".into())],
            rows: vec![LogRow {
                job_code: Some(7),
                ..punch("1001", 42, 1_764_547_100, Some(1))
            }],
            cursors: vec![(1, 43)],
            devices: vec![SavedDevice {
                device_id: 1,
                zone: None,
                labels: Some(vec!["In".into()]),
            }],
            names: vec![("1001".into(), "김서윤".into())],
        };
        let text = saved.to_text();
        assert_eq!(
            text,
            "k1:gLWzyQaOvwIBAYH+voECAQEKQXNpYS9TZW91bAEBKpy0s8kGBDEwMDGAJgEBAQEHAQErAQEAAQECSW4BBDEwMDEJ6rmA7ISc7Jyk"
        );
        assert_eq!(Saved::parse(&text), Some(saved));
    }

    #[test]
    fn a_saved_board_comes_back_with_its_cursors_and_names() {
        let map = DirectionMap::default();
        let mut feed = LiveFeed::new(2);
        let mut board = Board::new(10);
        feed.start_at(1, 10);
        for r in [
            punch("7", 10, 100, Some(1)),
            punch("8", 11, 101, Some(2)),
            punch("9", 12, 102, Some(1)),
            punch("7", 13, 103, Some(3)),
        ] {
            feed.add(r.clone());
            board.apply(&r);
        }
        let mut meta = MetaMap::new();
        meta.insert(
            1,
            DeviceMeta {
                zone: Some("Asia/Seoul".into()),
                listed: true,
                labels: Some(vec!["출근".into(), "퇴근".into()]),
                job_labels: None,
            },
        );
        let name = |u: &str| (u == "7").then(|| "김서윤".to_string());
        let saved = Saved {
            at: 5_000,
            day: 20_000,
            chosen: Some(vec![1]),
            zones: vec![Some("Asia/Seoul".into())],
            ..Saved::default()
        }
        .with_board(&feed, &board, &meta, name);
        // The feed keeps 2 rows; user 8's punch is on the board only, and is kept too.
        assert_eq!(saved.rows.len(), 3);
        assert!(saved.rows.iter().any(|r| r.id == 11));
        assert_eq!(saved.cursors, vec![(1, 14)]);
        assert_eq!(saved.names, vec![("7".to_string(), "김서윤".to_string())]);

        let text = saved.to_text();
        let back = Saved::parse(&text).expect("round trip");
        // An older kiosk's snapshot (JSON, or another version), a cut or damaged one: refused,
        // never misread.
        let json = serde_json::to_string(&saved).unwrap();
        assert_eq!(Saved::parse(&json), None);
        assert_eq!(Saved::parse(&text.replacen(SAVED_FORMAT, "k0:", 1)), None);
        assert_eq!(Saved::parse(&text[..text.len() - 8]), None);
        assert_eq!(
            Saved::parse(&format!("{text}AAAA")),
            None,
            "bytes after the snapshot"
        );
        assert_eq!(Saved::parse(&format!("{SAVED_FORMAT}not base64!")), None);
        assert_eq!(back, saved);
        let (mut feed2, mut board2) = (LiveFeed::new(2), Board::new(10));
        back.restore(&mut feed2, &mut board2);
        assert_eq!(board2.listing(&map), board.listing(&map));
        assert_eq!(feed2.rows(), feed.rows());
        assert_eq!(
            feed2.resume_from(1),
            Some(14),
            "reads on after the last seen"
        );
        assert_eq!(
            back.meta().get(&1).and_then(|m| m.labels.clone()),
            meta[&1].labels
        );
        // A later punch read from the cursor is new; one already shown is not.
        assert!(feed2.add(punch("8", 14, 200, Some(1))));
        assert!(!feed2.add(punch("9", 12, 102, Some(1))));
    }

    #[test]
    fn a_saved_board_fits_only_its_day_and_device_choice() {
        let saved = Saved {
            day: 20_000,
            chosen: Some(vec![1, 2]),
            ..Saved::default()
        };
        assert!(saved.fits(20_000, &Some(vec![1, 2])));
        assert!(!saved.fits(20_001, &Some(vec![1, 2])), "yesterday's board");
        assert!(!saved.fits(20_000, &None), "another choice of devices");
        assert!(Saved::parse("{not json").is_none());
        assert!(
            Saved::parse(r#"{"at":1}"#).is_none(),
            "an older kiosk's form"
        );
    }

    #[test]
    fn merged_meta_prefers_what_the_live_session_read() {
        let saved = Saved {
            devices: vec![SavedDevice {
                device_id: 1,
                zone: Some("Europe/Berlin".into()),
                labels: Some(vec!["In".into()]),
            }],
            ..Saved::default()
        }
        .meta();
        let mut live = MetaMap::new();
        live.insert(1, DeviceMeta::default());
        let m = merged_meta(&live, &saved);
        assert_eq!(
            m[&1].zone.as_deref(),
            Some("Europe/Berlin"),
            "not read yet: saved"
        );
        live.insert(
            1,
            DeviceMeta {
                zone: None,
                listed: true,
                labels: Some(vec!["Arrive".into()]),
                job_labels: None,
            },
        );
        let m = merged_meta(&live, &saved);
        assert_eq!(m[&1].zone, None, "the device list says: no zone");
        assert_eq!(m[&1].labels.as_deref(), Some(&["Arrive".to_string()][..]));
    }
}
