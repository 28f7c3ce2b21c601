//! [`LiveFeed`]: the latest live events, without gaps or duplicates, in bounded memory.
//!
//! Events come from `events.log` pushes and from gap-filling reads (`tna.getLog` from a cursor),
//! in any order and possibly twice. The feed keeps each `(deviceId, id)` once, newest first, at
//! most `cap` rows; and per device the lowest ID from which nothing is known to be missing
//! ([`LiveFeed::resume_from`]), which is where a gap fill or a reconnect reads from.

use std::collections::{HashMap, HashSet, VecDeque};

use super::LogRow;

/// Keys remembered for deduplication; older ones are forgotten (they are far below every cursor,
/// so no fill reads them again).
pub const SEEN_CAP: usize = 20_000;

/// The live view's state.
#[derive(Debug, Clone, Default)]
pub struct LiveFeed {
    rows: VecDeque<LogRow>,
    seen: HashSet<(u32, u32)>,
    seen_order: VecDeque<(u32, u32)>,
    /// Per device: every ID below this has been seen (or read by a fill).
    low: HashMap<u32, u32>,
    /// Per device without a cursor yet: where another source's records end (the kiosk's
    /// archive read), applied by [`LiveFeed::start_at`].
    floor: HashMap<u32, u32>,
    cap: usize,
    accepted: u64,
}

impl LiveFeed {
    /// An empty feed showing at most `cap` rows.
    pub fn new(cap: usize) -> Self {
        LiveFeed {
            cap: cap.max(1),
            ..Default::default()
        }
    }

    /// The rows, newest first.
    pub fn rows(&self) -> &VecDeque<LogRow> {
        &self.rows
    }

    /// Events accepted so far (not counting duplicates).
    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    /// Where to read `device` from to miss nothing (`None` before its first cursor).
    pub fn resume_from(&self, device: u32) -> Option<u32> {
        self.low.get(&device).copied()
    }

    /// The devices with a cursor.
    pub fn devices(&self) -> Vec<u32> {
        let mut d: Vec<u32> = self.low.keys().copied().collect();
        crate::order::sort(&mut d);
        d
    }

    /// Sets a device's cursor from `events.subscribe` when the feed has none yet: `next`, or the
    /// [`LiveFeed::read_on_from`] floor where that is lower.
    pub fn start_at(&mut self, device: u32, next: u32) {
        let floor = self.floor.remove(&device);
        self.low
            .entry(device)
            .or_insert_with(|| floor.map_or(next, |f| f.min(next)));
        self.advance(device);
    }

    /// Another source has `device`'s records up to `next` (exclusive): read on from there.
    /// Lowers the cursor when it is higher and says so (a fill is then due); without a cursor
    /// yet the subscription's start takes the lower of the two. Never raises a cursor: after a
    /// device renumbered its events the other source may be ahead of it.
    pub fn read_on_from(&mut self, device: u32, next: u32) -> bool {
        match self.low.get_mut(&device) {
            Some(low) if next < *low => {
                *low = next;
                true
            }
            Some(_) => false,
            None => {
                let floor = self.floor.entry(device).or_insert(next);
                *floor = (*floor).min(next);
                false
            }
        }
    }

    /// A fill page read everything in `[start, next)` (its `startEventId` and
    /// `nextStartEventId`). The cursor moves past it only if it was inside that range: a gap
    /// announced below `start` meanwhile stays open for the next fill.
    pub fn filled(&mut self, device: u32, start: u32, next: u32) {
        let low = self.low.entry(device).or_insert(next);
        if *low >= start {
            *low = (*low).max(next);
        }
        self.advance(device);
    }

    /// A gap: events of `device` from `from` on may be missing.
    pub fn gap_at(&mut self, device: u32, from: u32) {
        let low = self.low.entry(device).or_insert(from);
        *low = (*low).min(from);
    }

    fn advance(&mut self, device: u32) {
        if let Some(low) = self.low.get_mut(&device) {
            while self.seen.contains(&(device, *low)) {
                *low += 1;
            }
        }
    }

    /// Adds an event; `false` when it was already there.
    pub fn add(&mut self, row: LogRow) -> bool {
        let key = (row.device_id, row.id);
        if !self.seen.insert(key) {
            return false;
        }
        self.seen_order.push_back(key);
        if self.seen_order.len() > SEEN_CAP
            && let Some(old) = self.seen_order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.accepted += 1;
        let device = row.device_id;
        let order = |r: &LogRow| (r.timestamp, r.device_id, r.id);
        let k = order(&row);
        // Newest first; new events normally go to the top, fills further down.
        let pos = self
            .rows
            .iter()
            .position(|r| order(r) < k)
            .unwrap_or(self.rows.len());
        if pos < self.cap {
            self.rows.insert(pos, row);
            self.rows.truncate(self.cap);
        }
        self.advance(device);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(device_id: u32, id: u32) -> LogRow {
        LogRow {
            device_id,
            id,
            timestamp: 1_000 + id,
            user_id: "u".into(),
            event_code: 0x1300,
            sub_code: 1,
            key: None,
            job_code: None,
        }
    }

    #[test]
    fn dedupe_order_and_cap() {
        let mut f = LiveFeed::new(3);
        f.start_at(1, 10);
        assert!(f.add(row(1, 10)));
        assert!(f.add(row(1, 12)));
        assert!(!f.add(row(1, 12)), "duplicate");
        assert_eq!(f.resume_from(1), Some(11), "11 is missing");
        assert!(f.add(row(1, 11)), "a fill brings 11");
        assert_eq!(f.resume_from(1), Some(13));
        let ids: Vec<u32> = f.rows().iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![12, 11, 10], "newest first");
        f.add(row(1, 13));
        assert_eq!(f.rows().len(), 3, "capped");
        assert_eq!(f.rows()[0].id, 13);
        assert_eq!(f.accepted(), 4);
    }

    #[test]
    fn gaps_and_fills_move_the_cursor() {
        let mut f = LiveFeed::new(10);
        f.start_at(2, 100);
        f.add(row(2, 100));
        f.add(row(2, 101));
        assert_eq!(f.resume_from(2), Some(102));
        f.gap_at(2, 90);
        assert_eq!(f.resume_from(2), Some(90));
        f.filled(2, 95, 105);
        assert_eq!(
            f.resume_from(2),
            Some(90),
            "the gap below the page stays open"
        );
        f.filled(2, 90, 105);
        assert_eq!(f.resume_from(2), Some(105));
        f.start_at(2, 1);
        assert_eq!(
            f.resume_from(2),
            Some(105),
            "a later subscribe keeps the cursor"
        );
        assert_eq!(f.devices(), vec![2]);
    }

    #[test]
    fn an_earlier_cursor_from_elsewhere_wins_in_either_order() {
        // The kiosk's archive read ends at event 41 while the subscription starts at 45: the
        // session reads on from 42, whichever of the two answers first.
        let mut archive_first = LiveFeed::new(10);
        assert!(
            !archive_first.read_on_from(7, 42),
            "no cursor yet: nothing to fill"
        );
        archive_first.start_at(7, 45);
        assert_eq!(archive_first.resume_from(7), Some(42));
        let mut subscribed_first = LiveFeed::new(10);
        subscribed_first.start_at(7, 45);
        assert!(
            subscribed_first.read_on_from(7, 42),
            "lowered: a fill is due"
        );
        assert_eq!(subscribed_first.resume_from(7), Some(42));
        assert!(!subscribed_first.read_on_from(7, 43), "not lower: no fill");
    }

    #[test]
    fn an_archive_ahead_of_a_renumbered_device_never_holds_the_cursor() {
        // The device restarted its event IDs at 1; the archive has not noticed and ends at 5000.
        let mut archive_first = LiveFeed::new(10);
        archive_first.read_on_from(7, 5001);
        archive_first.start_at(7, 3);
        assert_eq!(archive_first.resume_from(7), Some(3));
        archive_first.add(row(7, 3));
        assert_eq!(
            archive_first.resume_from(7),
            Some(4),
            "the cursor follows live events"
        );
        let mut subscribed_first = LiveFeed::new(10);
        subscribed_first.start_at(7, 3);
        assert!(!subscribed_first.read_on_from(7, 5001));
        assert_eq!(subscribed_first.resume_from(7), Some(3));
    }

    #[test]
    fn memory_is_bounded() {
        let mut f = LiveFeed::new(50);
        for id in 0..(SEEN_CAP as u32 + 500) {
            f.add(row(3, id));
        }
        assert_eq!(f.rows().len(), 50);
        assert!(f.seen.len() <= SEEN_CAP && f.seen_order.len() <= SEEN_CAP);
    }
}
