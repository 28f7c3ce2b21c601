//! The failed-attempt limiter: at most [`MAX_FAILURES`] failures per username and per client in
//! any [`FAILURE_WINDOW`] (a sliding window); past that, attempts are refused before any password
//! or code is checked.
//!
//! - An attempt is counted as a failure when it *starts* ([`Limiter::begin`] checks and records
//!   under one lock), and taken back when it succeeds. So a burst of parallel guesses cannot slip
//!   past the limit between the check and the verdict.
//! - A success forgets the username's failures (the user got in); the client's other failures
//!   stay, so one known password cannot be used to reset a guessing client.
//! - Memory is bounded: a key keeps at most [`MAX_FAILURES`] timestamps, each map at most
//!   [`MAX_TRACKED_KEYS`] keys (expired keys are pruned first, then the stalest key *below* the
//!   limit is dropped; a locked-out key is never dropped, so a flood of junk usernames cannot
//!   wipe the counter of `admin`; when every key is locked out, new attempts are refused), and
//!   client keys are cut to [`MAX_CLIENT_KEY_BYTES`].
//! - An IPv6 client counts by its /64 network: one host can use a whole /64 of addresses.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Failures allowed per username and per client within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 5;
/// How long a failure counts.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most keys each of the username and client maps keeps.
pub const MAX_TRACKED_KEYS: usize = 10_000;
/// Longest client key kept (an IPv6 address with zone fits); longer ones are cut.
pub const MAX_CLIENT_KEY_BYTES: usize = 64;

/// Recent failure times per key.
#[derive(Debug, Default)]
struct Failures {
    map: HashMap<String, VecDeque<u64>>,
}

impl Failures {
    /// Drops `key`'s failures that left the window; returns the seconds until it may try again
    /// when it is at the limit.
    fn retry_after(&mut self, key: &str, now: u64) -> Option<u64> {
        let window = FAILURE_WINDOW.as_secs();
        let times = self.map.get_mut(key)?;
        while times
            .front()
            .is_some_and(|&t| t.saturating_add(window) <= now)
        {
            times.pop_front();
        }
        if times.is_empty() {
            self.map.remove(key);
            return None;
        }
        if times.len() < MAX_FAILURES {
            return None;
        }
        let oldest = times.front().copied().unwrap_or(now);
        Some(
            oldest
                .saturating_add(window)
                .saturating_sub(now)
                .clamp(1, window),
        )
    }

    /// Records a failure of `key` at `now`, making room first if the map is full; `false` when
    /// there is no room (every tracked key is locked out) and nothing was recorded.
    fn record(&mut self, key: &str, now: u64) -> bool {
        if !self.map.contains_key(key) && self.map.len() >= MAX_TRACKED_KEYS && !self.make_room(now)
        {
            return false;
        }
        let times = self.map.entry(key.to_owned()).or_default();
        if times.len() >= MAX_FAILURES {
            times.pop_front();
        }
        times.push_back(now);
        true
    }

    /// Prunes expired keys; if none expired, drops the stalest key below the limit. `false` when
    /// every key is at the limit (none is dropped: their lockouts stand).
    fn make_room(&mut self, now: u64) -> bool {
        let window = FAILURE_WINDOW.as_secs();
        self.map.retain(|_, times| {
            times
                .back()
                .is_some_and(|&t| t.saturating_add(window) > now)
        });
        if self.map.len() < MAX_TRACKED_KEYS {
            return true;
        }
        let stalest = self
            .map
            .iter()
            .filter(|(_, times)| times.len() < MAX_FAILURES)
            .min_by_key(|(_, times)| times.back().copied().unwrap_or(0))
            .map(|(k, _)| k.clone());
        match stalest {
            Some(k) => {
                self.map.remove(&k);
                true
            }
            None => false,
        }
    }

    /// Takes back one failure recorded at `at` (the attempt succeeded).
    fn take_back(&mut self, key: &str, at: u64) {
        if let Some(times) = self.map.get_mut(key) {
            if let Some(i) = times.iter().rposition(|&t| t == at) {
                times.remove(i);
            }
            if times.is_empty() {
                self.map.remove(key);
            }
        }
    }

    fn forget(&mut self, key: &str) {
        self.map.remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

/// Failed sign-ins and pairing attempts per username and per client.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    users: Failures,
    clients: Failures,
}

/// A client key of bounded length; an IPv6 address counts by its /64 network.
fn client_key(client: &str) -> String {
    if let Ok(v6) = client.parse::<std::net::Ipv6Addr>()
        && v6.to_ipv4_mapped().is_none()
    {
        let s = v6.segments();
        return format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]);
    }
    if client.len() <= MAX_CLIENT_KEY_BYTES {
        return client.to_string();
    }
    let mut end = MAX_CLIENT_KEY_BYTES;
    while !client.is_char_boundary(end) {
        end -= 1;
    }
    client[..end].to_string()
}

impl Limiter {
    /// Starts an attempt: `Err(retry_after_secs)` when the username or the client is at the
    /// limit (nothing recorded), otherwise counts it as a failure until [`Limiter::succeeded`].
    pub(crate) fn begin(&mut self, user: Option<&str>, client: &str, now: u64) -> Result<(), u64> {
        let client = client_key(client);
        let by_user = user.and_then(|u| self.users.retry_after(u, now));
        let by_client = self.clients.retry_after(&client, now);
        if let Some(wait) = by_user.max(by_client) {
            return Err(wait);
        }
        // No room to count this attempt (a flood of locked-out keys): refuse it rather than
        // forget anyone's lockout.
        let counted = user.is_none_or(|u| self.users.record(u, now));
        if !counted || !self.clients.record(&client, now) {
            return Err(FAILURE_WINDOW.as_secs());
        }
        Ok(())
    }

    /// The attempt begun at `began` succeeded: forget the username's failures and take back the
    /// client's count for this attempt.
    pub(crate) fn succeeded(&mut self, user: Option<&str>, client: &str, began: u64) {
        if let Some(u) = user {
            self.users.forget(u);
        }
        self.clients.take_back(&client_key(client), began);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixth_attempt_is_refused_until_the_oldest_failure_leaves_the_window() {
        let mut l = Limiter::default();
        for i in 0..MAX_FAILURES as u64 {
            assert_eq!(l.begin(Some("bob"), "10.0.0.1", 100 + i), Ok(()));
        }
        let window = FAILURE_WINDOW.as_secs();
        assert_eq!(
            l.begin(Some("bob"), "10.0.0.2", 110),
            Err(100 + window - 110)
        );
        assert!(l.begin(Some("bob"), "10.0.0.2", 100 + window - 1).is_err());
        // The first failure has left the window: one more attempt is allowed.
        assert_eq!(l.begin(Some("bob"), "10.0.0.2", 100 + window), Ok(()));
    }

    #[test]
    fn success_forgets_the_user_but_only_its_own_client_count() {
        let mut l = Limiter::default();
        for _ in 0..MAX_FAILURES - 1 {
            assert_eq!(l.begin(Some("bob"), "c", 5), Ok(()));
        }
        assert_eq!(l.begin(Some("bob"), "c", 6), Ok(()));
        l.succeeded(Some("bob"), "c", 6);
        assert_eq!(l.users.len(), 0);
        // The client still has its 4 failures: one more is allowed, then it is limited.
        assert_eq!(l.begin(Some("alice"), "c", 7), Ok(()));
        assert!(l.begin(Some("carol"), "c", 8).is_err());
    }

    #[test]
    fn maps_stay_bounded() {
        let mut l = Limiter::default();
        for i in 0..MAX_TRACKED_KEYS + 50 {
            let (user, client) = (format!("u{i}"), format!("c{i}"));
            assert_eq!(l.begin(Some(&user), &client, 1_000), Ok(()));
        }
        assert_eq!(l.users.len(), MAX_TRACKED_KEYS);
        assert_eq!(l.clients.len(), MAX_TRACKED_KEYS);
        // Once their failures expire, new keys push the old ones out.
        let later = 1_000 + FAILURE_WINDOW.as_secs();
        assert_eq!(l.begin(Some("new"), "new", later), Ok(()));
        assert_eq!(l.users.len(), 1);
    }

    #[test]
    fn a_flood_of_junk_keys_never_wipes_a_lockout() {
        let mut l = Limiter::default();
        for _ in 0..MAX_FAILURES {
            assert_eq!(l.begin(Some("admin"), "10.9.9.9", 1), Ok(()));
        }
        // Fill the user map with other keys, one failure each, after admin's.
        for i in 0..MAX_TRACKED_KEYS + 10 {
            let _ = l.begin(
                Some(&format!("junk{i}")),
                &format!("10.1.{}.{}", i / 250, i % 250),
                2,
            );
        }
        assert!(
            l.begin(Some("admin"), "10.7.7.7", 3).is_err(),
            "admin's lockout survived the flood"
        );
        // When every tracked key is locked out, a new key is refused, not let in uncounted.
        let mut full = Limiter::default();
        for i in 0..MAX_TRACKED_KEYS {
            for _ in 0..MAX_FAILURES {
                let _ = full.begin(Some(&format!("u{i}")), &format!("c{i}"), 5);
            }
        }
        assert!(full.begin(Some("fresh"), "fresh-client", 6).is_err());
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        let mut l = Limiter::default();
        for i in 0..MAX_FAILURES {
            assert_eq!(l.begin(None, &format!("2001:db8:1:2::{i:x}"), 1), Ok(()));
        }
        assert!(
            l.begin(None, "2001:db8:1:2:ffff::1", 1).is_err(),
            "another address of the same /64"
        );
        assert_eq!(l.begin(None, "2001:db8:1:3::1", 1), Ok(()), "another /64");
        assert_eq!(
            client_key("::ffff:10.0.0.1"),
            "::ffff:10.0.0.1",
            "IPv4-mapped stays"
        );
    }

    #[test]
    fn long_client_keys_are_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_CLIENT_KEY_BYTES);
        assert!(client_key(&long).len() <= MAX_CLIENT_KEY_BYTES);
        let mut l = Limiter::default();
        for _ in 0..MAX_FAILURES {
            assert_eq!(l.begin(None, &format!("{long}a"), 1), Ok(()));
        }
        // A different suffix past the cut is the same client.
        assert!(l.begin(None, &format!("{long}b"), 1).is_err());
    }
}
