//! The failed-attempt limiter: growing delays, never a lockout that others can cause.
//!
//! - Failures count per **(username, client)** pair, so wrong passwords sent from one client
//!   never delay the same user signing in from another: an attacker cannot keep a known user
//!   out. The first [`FREE_PAIR_FAILURES`] failures of a pair cost nothing; after that each
//!   attempt must wait [`FIRST_DELAY`] after the pair's last failure, doubling with every further
//!   failure up to [`MAX_DELAY`]. A pair's count is forgotten [`FAILURE_WINDOW`] after its last
//!   failure, and at once when it signs in.
//! - A client is also counted across usernames (password spraying, pairing-code guessing), with
//!   the same growing delays after [`FREE_CLIENT_FAILURES`]. Behind a reverse proxy the client is
//!   the address the proxy reports (`--trusted-proxy`, see `crate::signin::client_ip`);
//!   otherwise every user behind it would share one client.
//! - An attempt is counted as a failure when it *starts* ([`Limiter::begin`] checks and records
//!   under one lock), and taken back when it succeeds. So a burst of parallel guesses cannot slip
//!   past the delay between the check and the verdict.
//! - Memory is bounded: each map keeps at most [`MAX_TRACKED_KEYS`] keys (expired keys are
//!   pruned first, then the one whose last failure is oldest is dropped; an attempt is never
//!   refused for want of room), and client keys are cut to [`MAX_CLIENT_KEY_BYTES`].
//! - An IPv6 client counts by its /64 network: one host can use a whole /64 of addresses.

use std::collections::HashMap;
use std::time::Duration;

/// Failures of one (username, client) pair before any delay.
pub const FREE_PAIR_FAILURES: u32 = 3;
/// Failures of one client (any usernames, pairing codes) before any delay.
pub const FREE_CLIENT_FAILURES: u32 = 10;
/// The first delay once the free failures are used; each further failure doubles it.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest delay between two attempts of one pair or client.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);
/// How long after its last failure a pair or client is forgotten.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most keys each of the pair and client maps keeps.
pub const MAX_TRACKED_KEYS: usize = 10_000;
/// Longest client key kept (an IPv6 address with zone fits); longer ones are cut.
pub const MAX_CLIENT_KEY_BYTES: usize = 64;
/// Doublings past which the delay is [`MAX_DELAY`] anyway (keeps the shift in range).
const MAX_DOUBLINGS: u32 = 20;

/// The recent failures of one key.
#[derive(Debug, Clone, Copy)]
struct Record {
    /// Failures counted (each forgotten with the whole record, [`FAILURE_WINDOW`] after `last`).
    failures: u32,
    /// When the last one started (seconds).
    last: u64,
}

/// The wait (seconds) after the last of `failures` failures, when `free` cost nothing.
fn delay_after(failures: u32, free: u32) -> u64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(MAX_DOUBLINGS);
    FIRST_DELAY
        .as_secs()
        .saturating_mul(1 << doublings)
        .min(MAX_DELAY.as_secs())
}

/// Failure records per key, with `free` failures before delays start.
#[derive(Debug)]
struct Failures {
    map: HashMap<String, Record>,
    free: u32,
}

impl Failures {
    fn new(free: u32) -> Self {
        Failures {
            map: HashMap::new(),
            free,
        }
    }

    /// Forgets `key` when its window has passed; the seconds it must still wait, if any.
    fn wait(&mut self, key: &str, now: u64) -> Option<u64> {
        let record = *self.map.get(key)?;
        if record.last.saturating_add(FAILURE_WINDOW.as_secs()) <= now {
            self.map.remove(key);
            return None;
        }
        let until = record
            .last
            .saturating_add(delay_after(record.failures, self.free));
        (until > now).then(|| until - now)
    }

    /// Records a failure of `key` at `now`, making room first if the map is full.
    fn record(&mut self, key: &str, now: u64) {
        if !self.map.contains_key(key) && self.map.len() >= MAX_TRACKED_KEYS {
            self.make_room(now);
        }
        let record = self.map.entry(key.to_owned()).or_insert(Record {
            failures: 0,
            last: now,
        });
        record.failures = record.failures.saturating_add(1);
        record.last = now;
    }

    /// Prunes expired keys; if none expired, drops the key whose last failure is oldest.
    fn make_room(&mut self, now: u64) {
        let window = FAILURE_WINDOW.as_secs();
        self.map.retain(|_, r| r.last.saturating_add(window) > now);
        if self.map.len() < MAX_TRACKED_KEYS {
            return;
        }
        let stalest = self
            .map
            .iter()
            .min_by_key(|(_, r)| r.last)
            .map(|(k, _)| k.clone());
        if let Some(k) = stalest {
            self.map.remove(&k);
        }
    }

    /// Takes back one failure (the attempt succeeded).
    fn take_back(&mut self, key: &str) {
        if let Some(record) = self.map.get_mut(key) {
            record.failures = record.failures.saturating_sub(1);
            if record.failures == 0 {
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

/// Failed sign-ins and pairing attempts per (username, client) and per client.
#[derive(Debug)]
pub(crate) struct Limiter {
    pairs: Failures,
    clients: Failures,
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter {
            pairs: Failures::new(FREE_PAIR_FAILURES),
            clients: Failures::new(FREE_CLIENT_FAILURES),
        }
    }
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

/// The key of a (username, client key) pair (a NUL cannot be in either).
fn pair_key(user: &str, client_key: &str) -> String {
    format!("{client_key}\0{user}")
}

impl Limiter {
    /// Starts an attempt: `Err(retry_after_secs)` when the pair or the client must still wait
    /// (nothing recorded), otherwise counts it as a failure until [`Limiter::succeeded`].
    pub(crate) fn begin(&mut self, user: Option<&str>, client: &str, now: u64) -> Result<(), u64> {
        let client = client_key(client);
        let pair = user.map(|u| pair_key(u, &client));
        let by_pair = pair.as_deref().and_then(|p| self.pairs.wait(p, now));
        let by_client = self.clients.wait(&client, now);
        if let Some(wait) = by_pair.max(by_client) {
            return Err(wait);
        }
        if let Some(p) = &pair {
            self.pairs.record(p, now);
        }
        self.clients.record(&client, now);
        Ok(())
    }

    /// The attempt succeeded: forget the pair's failures and take back the client's count for
    /// this attempt (its other failures stay, so one known password cannot reset a client that
    /// guesses at other accounts).
    pub(crate) fn succeeded(&mut self, user: Option<&str>, client: &str) {
        let client = client_key(client);
        if let Some(u) = user {
            self.pairs.forget(&pair_key(u, &client));
        }
        self.clients.take_back(&client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Failures of `user` from `client` at `now`, each allowed.
    fn fail(l: &mut Limiter, user: &str, client: &str, times: u32, now: u64) {
        for i in 0..times {
            assert_eq!(l.begin(Some(user), client, now), Ok(()), "failure {i}");
        }
    }

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_growing_at_the_cap() {
        let mut l = Limiter::default();
        fail(&mut l, "bob", "10.0.0.1", FREE_PAIR_FAILURES, 100);
        // 1 s after the last failure, then 2, 4, 8 …
        let mut now = 100;
        let mut expected = FIRST_DELAY.as_secs();
        for _ in 0..12 {
            assert_eq!(l.begin(Some("bob"), "10.0.0.1", now), Err(expected));
            now += expected;
            assert_eq!(l.begin(Some("bob"), "10.0.0.1", now), Ok(()));
            expected = (expected * 2).min(MAX_DELAY.as_secs());
        }
        assert_eq!(expected, MAX_DELAY.as_secs(), "capped, never a lockout");
        // Quiet for the window: forgotten.
        now += FAILURE_WINDOW.as_secs();
        fail(&mut l, "bob", "10.0.0.1", FREE_PAIR_FAILURES, now);
    }

    #[test]
    fn failures_from_one_client_never_delay_the_user_on_another() {
        let mut l = Limiter::default();
        // The attacker keeps going as fast as it is let.
        let mut now = 1;
        for _ in 0..50 {
            if let Err(wait) = l.begin(Some("admin"), "198.51.100.7", now) {
                now += wait;
                assert_eq!(l.begin(Some("admin"), "198.51.100.7", now), Ok(()));
            }
        }
        assert!(l.begin(Some("admin"), "198.51.100.7", now).is_err());
        // The real admin elsewhere is never waiting.
        assert_eq!(l.begin(Some("admin"), "203.0.113.5", now), Ok(()));
        l.succeeded(Some("admin"), "203.0.113.5");
    }

    #[test]
    fn a_client_spraying_usernames_is_delayed() {
        let mut l = Limiter::default();
        for i in 0..FREE_CLIENT_FAILURES {
            assert_eq!(l.begin(Some(&format!("u{i}")), "10.0.0.9", 5), Ok(()));
        }
        assert_eq!(
            l.begin(Some("fresh"), "10.0.0.9", 5),
            Err(FIRST_DELAY.as_secs())
        );
        assert_eq!(
            l.begin(Some("fresh"), "10.0.0.8", 5),
            Ok(()),
            "another client"
        );
    }

    #[test]
    fn success_forgets_the_pair_but_only_its_own_client_count() {
        let mut l = Limiter::default();
        fail(&mut l, "bob", "c", FREE_PAIR_FAILURES, 5);
        assert!(l.begin(Some("bob"), "c", 5).is_err());
        l.succeeded(Some("bob"), "c");
        assert_eq!(l.pairs.len(), 0);
        assert_eq!(l.clients.map.get("c").map(|r| r.failures), Some(2));
        fail(&mut l, "bob", "c", FREE_PAIR_FAILURES, 6);
    }

    #[test]
    fn maps_stay_bounded_and_never_refuse_for_want_of_room() {
        let mut l = Limiter::default();
        for i in 0..MAX_TRACKED_KEYS + 50 {
            let (user, client) = (format!("u{i}"), format!("c{i}"));
            assert_eq!(l.begin(Some(&user), &client, 1_000), Ok(()));
        }
        assert_eq!(l.pairs.len(), MAX_TRACKED_KEYS);
        assert_eq!(l.clients.len(), MAX_TRACKED_KEYS);
        let later = 1_000 + FAILURE_WINDOW.as_secs();
        assert_eq!(l.begin(Some("new"), "new", later), Ok(()));
        assert_eq!(l.pairs.len(), 1, "expired keys pruned");
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64() {
        let mut l = Limiter::default();
        for i in 0..FREE_CLIENT_FAILURES {
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
        for _ in 0..FREE_CLIENT_FAILURES {
            assert_eq!(l.begin(None, &format!("{long}a"), 1), Ok(()));
        }
        // A different suffix past the cut is the same client.
        assert!(l.begin(None, &format!("{long}b"), 1).is_err());
    }

    #[test]
    fn delay_arithmetic_saturates() {
        assert_eq!(delay_after(0, 3), 0);
        assert_eq!(delay_after(2, 3), 0);
        assert_eq!(delay_after(3, 3), 1);
        assert_eq!(delay_after(5, 3), 4);
        assert_eq!(delay_after(u32::MAX, 3), MAX_DELAY.as_secs());
    }
}
