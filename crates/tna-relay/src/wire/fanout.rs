//! Live events: ONE `SubscribeRealtimeLog` stream per gateway, fanned out to every socket that
//! subscribed (`events.subscribe`).
//!
//! - A gateway's stream runs while some subscription names one of its devices. A subscription
//!   over devices of several sites waits for each site's stream; a site whose stream cannot be
//!   opened gives its devices no cursor (the client reads their logs itself) instead of failing
//!   the others, and its events flow once its stream is up.
//!
//! - Each socket has one bounded queue ([`SOCKET_QUEUE`]) drained by its forwarder task into the
//!   socket's outbox. Publishing never waits: when a socket's queue is full the event is dropped
//!   for that socket only, and the first dropped ID per (subscription, device) is remembered; the
//!   forwarder sends an `events.gap` for it as soon as it has room, and the client re-reads from
//!   there with `tna.getLog`. A slow browser therefore never stalls the stream or other sockets.
//! - When the gateway stream ends or fails, the stream task re-subscribes with backoff
//!   ([`crate::backoff`]: 0.2 s doubling to 5 s); once the new stream is up it sends every
//!   subscription an `events.gap` per device from the next ID it would have delivered, since the
//!   gateway does not replay what happened in between.
//! - `events.subscribe` waits until the stream is running, then reads where each device's log
//!   ends (a binary search over `GetTNALog` pages of one record) and returns it: every record from
//!   there on reaches the client live or is announced by a gap.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use futures::future::join_all;
use tna_types::TnaLog;
use tna_types::protocol::{AfterCursor, ErrorCode, EventGap, EventLogPush, Notification, RpcError};
use tokio::sync::{Notify, mpsc, watch};

use crate::backoff::Backoff;
use crate::gateways::Gateways;
use crate::gsdk::{self, GatewayClient};

/// Events waiting for one socket's forwarder; more are dropped and announced by `events.gap`.
pub const SOCKET_QUEUE: usize = 256;
/// The queue the relay asks the gateway to keep for its one realtime stream.
pub const GATEWAY_QUEUE: i32 = 4_096;
/// A socket whose outbox stays full this long (the client reads nothing) is closed: it keeps no
/// queue on the relay, and on reconnecting it re-reads from its cursors.
pub const SLOW_SOCKET_LIMIT: Duration = Duration::from_secs(10);
/// Log-end searches (a few dozen one-record reads each) running at once across all
/// subscriptions: several large `events.subscribe` calls at the same moment must not flood the
/// one HTTP/2 connection to the gateway (which then fails every call on it).
pub const SEARCH_CONCURRENCY: usize = 32;
/// How long the log-end searches of one `events.subscribe` may take together (the console
/// gives a call 30 s, and the stream wait comes first).
pub const SEARCH_DEADLINE: Duration = Duration::from_secs(15);
/// How long `events.subscribe` waits for the gateway stream before giving up.
pub const STREAM_WAIT: Duration = Duration::from_secs(10);
/// Live subscriptions one socket may hold at once (the console holds one or two); more are
/// refused with `-32008` so a client cannot grow the relay's subscription table without end.
pub const MAX_SUBSCRIPTIONS_PER_SOCKET: usize = 32;
/// How long it waits for the stream of a gateway that is known to be unreachable (another
/// site's devices in the same subscription should not wait [`STREAM_WAIT`] for it).
pub const DOWN_SITE_STREAM_WAIT: Duration = Duration::from_secs(1);

/// One socket's side of the fan-out: its bounded event queue and the gaps it owes the client.
pub struct SocketEvents {
    tx: mpsc::Sender<Notification>,
    /// (subscription, device) → first ID the client missed.
    gaps: Mutex<BTreeMap<(u64, u32), u32>>,
    wake: Notify,
    /// Signalled once when the client has read nothing for [`SLOW_SOCKET_LIMIT`].
    too_slow: Notify,
}

impl SocketEvents {
    /// A socket's queue; the receiver goes to [`forward`].
    pub fn new() -> (Arc<Self>, mpsc::Receiver<Notification>) {
        let (tx, rx) = mpsc::channel(SOCKET_QUEUE);
        let me = Arc::new(SocketEvents {
            tx,
            gaps: Mutex::new(BTreeMap::new()),
            wake: Notify::new(),
            too_slow: Notify::new(),
        });
        (me, rx)
    }

    /// Resolves when the client has been too slow to keep: the session then closes the socket.
    pub async fn closed_as_too_slow(&self) {
        self.too_slow.notified().await;
    }

    fn gaps(&self) -> MutexGuard<'_, BTreeMap<(u64, u32), u32>> {
        self.gaps.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that the client missed events of `device` from `from` on (the lowest wins).
    fn add_gap(&self, subscription: u64, device: u32, from: u32) {
        self.gaps()
            .entry((subscription, device))
            .and_modify(|f| *f = (*f).min(from))
            .or_insert(from);
        self.wake.notify_one();
    }

    /// Resolves when a gap is owed (for a consumer that reads the queue itself instead of
    /// running [`forward`], such as the archive's sync).
    pub async fn gap_owed(&self) {
        self.wake.notified().await;
    }

    /// Takes the owed gaps: the devices whose events this socket missed.
    pub fn take_gap_devices(&self) -> Vec<u32> {
        self.take_gaps().into_iter().map(|g| g.device_id).collect()
    }

    fn take_gaps(&self) -> Vec<EventGap> {
        std::mem::take(&mut *self.gaps())
            .into_iter()
            .map(|((subscription_id, device_id), from_event_id)| EventGap {
                subscription_id,
                device_id,
                from_event_id,
            })
            .collect()
    }
}

/// Moves a socket's events (and the gaps it owes) into its outbox until either side closes.
pub async fn forward(
    socket: Arc<SocketEvents>,
    mut rx: mpsc::Receiver<Notification>,
    outbox: crate::outbox::Outbox,
    encoding: crate::outbox::Encoding,
) {
    // Waits for room in the outbox; a client that reads nothing for SLOW_SOCKET_LIMIT is let go.
    let deliver = |push: Notification| {
        let outbox = &outbox;
        let socket = &socket;
        async move {
            match outbox
                .push_within(encoding.push(&push), SLOW_SOCKET_LIMIT)
                .await
            {
                Ok(()) => true,
                Err(_) if outbox.is_closed() => false,
                Err(_) => {
                    socket.too_slow.notify_one();
                    false
                }
            }
        }
    };
    loop {
        tokio::select! {
            n = rx.recv() => match n {
                Some(n) => {
                    if !deliver(n).await {
                        return;
                    }
                }
                None => return,
            },
            _ = socket.wake.notified() => {}
        }
        for gap in socket.take_gaps() {
            if !deliver(Notification::EventsGap(gap)).await {
                return;
            }
        }
    }
}

struct Subscription {
    devices: HashSet<u32>,
    /// Per device: the next ID this subscription would deliver.
    next: HashMap<u32, u32>,
    socket: Arc<SocketEvents>,
}

#[derive(Default)]
struct State {
    subs: HashMap<u64, Subscription>,
    /// Sites whose stream task runs.
    running: HashSet<usize>,
    /// Devices whose monitoring this relay switched on since their gateway's stream opened:
    /// a second subscriber does not ask the gateway again.
    monitored: HashSet<u32>,
}

struct Inner {
    gws: Gateways,
    state: Mutex<State>,
    next_id: AtomicU64,
    /// Per site: counts gateway streams established, and whether one is open now.
    up: Vec<watch::Sender<(u64, bool)>>,
    shutdown: watch::Receiver<bool>,
    /// Bounds the log-end searches of all subscriptions together.
    searches: Arc<tokio::sync::Semaphore>,
    /// Gets a copy of every event this relay's own gateway streams deliver (the bridge to
    /// other relays on a shared archive).
    tap: Mutex<Option<mpsc::Sender<TnaLog>>>,
    /// Devices no gateway of this relay knows may be subscribed: their events come from other
    /// relays through the shared archive.
    remote_devices: std::sync::atomic::AtomicBool,
    /// Devices this relay asked a gateway to monitor, in all (for tests and logs).
    monitoring_calls: AtomicU64,
}

/// The relay's one fan-out of gateway events (cheap to clone).
#[derive(Clone)]
pub struct Fanout {
    inner: Arc<Inner>,
}

impl Fanout {
    /// A fan-out over the gateways; its stream tasks stop when `shutdown` turns true.
    pub fn new(gws: Gateways, shutdown: watch::Receiver<bool>) -> Self {
        let up = gws
            .sites()
            .iter()
            .map(|_| watch::channel((0, false)).0)
            .collect();
        Fanout {
            inner: Arc::new(Inner {
                gws,
                state: Mutex::new(State::default()),
                next_id: AtomicU64::new(1),
                up,
                shutdown,
                searches: Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY)),
                tap: Mutex::new(None),
                monitoring_calls: AtomicU64::new(0),
                remote_devices: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Subscribes `socket` to the devices' live events; returns the subscription ID and where
    /// each device's log ends.
    pub async fn subscribe(
        &self,
        socket: &Arc<SocketEvents>,
        device_ids: Vec<u32>,
    ) -> Result<(u64, AfterCursor), RpcError> {
        self.subscribe_with(socket, device_ids, true).await
    }

    /// Subscribes `socket` without reading where each log ends (no cursors, no gaps): for the
    /// archive's sync, which reads from its own cursors and only needs to be woken.
    pub async fn watch(
        &self,
        socket: &Arc<SocketEvents>,
        device_ids: Vec<u32>,
    ) -> Result<u64, RpcError> {
        Ok(self.subscribe_with(socket, device_ids, false).await?.0)
    }

    async fn subscribe_with(
        &self,
        socket: &Arc<SocketEvents>,
        device_ids: Vec<u32>,
        with_cursors: bool,
    ) -> Result<(u64, AfterCursor), RpcError> {
        let held = {
            let st = self.state();
            st.subs
                .values()
                .filter(|s| Arc::ptr_eq(&s.socket, socket))
                .count()
        };
        if held >= MAX_SUBSCRIPTIONS_PER_SOCKET {
            return Err(RpcError::limit_exceeded(
                tna_types::protocol::Limit::Subscriptions,
                MAX_SUBSCRIPTIONS_PER_SOCKET as u64,
                held as u64 + 1,
            ));
        }
        // Unknown devices fail the call; unreachable ones are subscribed anyway (their events
        // flow once they are back and monitored) and get no cursor.
        let gws = &self.inner.gws;
        let (groups, unknown) = gws.group(&device_ids).await;
        if let Some(&d) = unknown.first()
            && !self.inner.remote_devices.load(Ordering::Relaxed)
        {
            return Err(gws.unknown_device(d));
        }
        let enabled = join_all(
            groups
                .iter()
                .map(|(site, ids)| self.enable_monitoring(*site, ids)),
        )
        .await;
        for (device, result) in enabled.into_iter().flatten() {
            if let Err(e) = result {
                if e.kind() == Some(ErrorCode::DeviceNotFound)
                    && !self.inner.remote_devices.load(Ordering::Relaxed)
                {
                    return Err(e);
                }
                tracing::info!(
                    device,
                    code = e.code,
                    "monitoring not enabled: {}",
                    e.message
                );
            }
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let to_spawn: Vec<usize> = {
            let mut st = self.state();
            st.subs.insert(
                id,
                Subscription {
                    devices: device_ids.iter().copied().collect(),
                    next: HashMap::new(),
                    socket: socket.clone(),
                },
            );
            groups
                .iter()
                .map(|(site, _)| *site)
                .filter(|site| st.running.insert(*site))
                .collect()
        };
        for site in to_spawn {
            tokio::spawn(self.clone().run(site));
        }
        let ready = join_all(groups.iter().map(|(site, _)| {
            let mut up = self.inner.up[*site].subscribe();
            // A site known to be down only gets a moment: it must not hold up the others.
            let wait = if gws.several() && gws.sites()[*site].is_down() {
                DOWN_SITE_STREAM_WAIT
            } else {
                STREAM_WAIT
            };
            async move {
                tokio::time::timeout(wait, up.wait_for(|(_, open)| *open))
                    .await
                    .is_ok_and(|r| r.is_ok())
            }
        }))
        .await;
        if !ready.iter().any(|r| *r) && unknown.is_empty() {
            self.unsubscribe(id);
            return Err(RpcError::new(
                ErrorCode::GatewayUnavailable,
                "The gateway's live event stream could not be opened; try again.",
            )
            .with_data(serde_json::json!({ "detail": "SubscribeRealtimeLog" })));
        }
        if !with_cursors {
            return Ok((id, AfterCursor::new()));
        }
        let live: Vec<(&GatewayClient, u32)> = groups
            .iter()
            .zip(&ready)
            .filter(|(_, up)| **up)
            .flat_map(|((site, ids), _)| ids.iter().map(|&d| (&gws.sites()[*site].client, d)))
            .collect();
        let searches = &self.inner.searches;
        // One deadline for every search: a device that has not answered by then gets no
        // cursor (its client reads its log itself) rather than the call outliving the client's
        // own timeout, after which a retry would subscribe a second time.
        let deadline = tokio::time::Instant::now() + SEARCH_DEADLINE;
        let ends = join_all(live.into_iter().map(|(gw, d)| async move {
            let search = async {
                // A closed semaphore never happens (it lives as long as the fan-out).
                let _slot = searches.acquire().await.ok();
                next_event_id(gw, d).await
            };
            let end = tokio::time::timeout_at(deadline, search)
                .await
                .unwrap_or_else(|_| Err(crate::errors::timeout_error(Some(SEARCH_DEADLINE))));
            (d, end)
        }))
        .await;
        let mut cursors = AfterCursor::new();
        let mut st = self.state();
        if let Some(sub) = st.subs.get_mut(&id) {
            for (d, end) in ends {
                match end {
                    Ok(end) => {
                        let next = sub.next.entry(d).or_insert(end);
                        *next = (*next).max(end);
                        cursors.insert(d, end);
                    }
                    // No cursor for it: the client reads that device's log itself.
                    Err(e) => {
                        tracing::info!(device = d, "no log end for the subscription: {}", e.message)
                    }
                }
            }
        }
        Ok((id, cursors))
    }

    /// Ends a subscription; `false` when it was not one of `socket`'s.
    pub fn unsubscribe_for(&self, socket: &Arc<SocketEvents>, id: u64) -> bool {
        let mut st = self.state();
        match st.subs.get(&id) {
            Some(sub) if Arc::ptr_eq(&sub.socket, socket) => {
                st.subs.remove(&id);
                true
            }
            _ => false,
        }
    }

    fn unsubscribe(&self, id: u64) {
        self.state().subs.remove(&id);
    }

    /// Ends every subscription of a closing socket.
    pub fn drop_socket(&self, socket: &Arc<SocketEvents>) {
        self.state()
            .subs
            .retain(|_, s| !Arc::ptr_eq(&s.socket, socket));
    }

    /// Switches monitoring on for those of `ids` (devices of `site`) not switched on since the
    /// site's stream opened, once per device however many sockets subscribe; the devices that
    /// took it are remembered.
    async fn enable_monitoring(
        &self,
        site: usize,
        ids: &[u32],
    ) -> Vec<(u32, Result<(), RpcError>)> {
        let new: Vec<u32> = {
            let st = self.state();
            ids.iter()
                .filter(|d| !st.monitored.contains(d))
                .copied()
                .collect()
        };
        if new.is_empty() {
            return Vec::new();
        }
        self.inner
            .monitoring_calls
            .fetch_add(new.len() as u64, Ordering::Relaxed);
        let results =
            gsdk::event::enable_monitoring(&self.inner.gws.sites()[site].client, &new).await;
        let mut st = self.state();
        for (device, result) in &results {
            if result.is_ok() {
                st.monitored.insert(*device);
            }
        }
        results
    }

    /// A site's stream ended: its gateway may have restarted and forgotten what it monitored.
    fn forget_monitoring(&self, site: usize) {
        let gws = &self.inner.gws;
        self.state()
            .monitored
            .retain(|d| gws.known_site_of(*d).is_some_and(|i| i != site));
    }

    /// Switches monitoring on again for every subscribed device of `site` (after its stream
    /// came back).
    async fn monitor_subscribed(&self, site: usize) {
        let gws = &self.inner.gws;
        let ids: Vec<u32> = {
            let st = self.state();
            let mut ids: Vec<u32> = st
                .subs
                .values()
                .flat_map(|s| s.devices.iter().copied())
                .filter(|d| gws.known_site_of(*d) == Some(site))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        for (device, result) in self.enable_monitoring(site, &ids).await {
            if let Err(e) = result {
                tracing::info!(
                    device,
                    code = e.code,
                    "monitoring not enabled again: {}",
                    e.message
                );
            }
        }
    }

    /// Devices this relay asked a gateway to monitor since it started (for tests and logs).
    pub fn monitoring_calls(&self) -> u64 {
        self.inner.monitoring_calls.load(Ordering::Relaxed)
    }

    /// Number of live subscriptions (for tests and logs).
    pub fn subscriptions(&self) -> usize {
        self.state().subs.len()
    }

    /// Sends a copy of every event of this relay's own gateway streams to `tap` from now on.
    pub fn tap_local_events(&self, tap: mpsc::Sender<TnaLog>) {
        *self.inner.tap.lock().unwrap_or_else(|e| e.into_inner()) = Some(tap);
    }

    /// Lets sockets subscribe devices none of this relay's gateways knows (their events arrive
    /// through [`Fanout::publish_remote`]).
    pub fn allow_remote_devices(&self) {
        self.inner.remote_devices.store(true, Ordering::Relaxed);
    }

    /// Whether sockets may subscribe devices of other relays ([`Fanout::allow_remote_devices`]).
    pub fn passes_remote_devices(&self) -> bool {
        self.inner.remote_devices.load(Ordering::Relaxed)
    }

    /// Offers an event another relay saw to the subscriptions of its device; one a subscription
    /// already had (from this relay's own stream) is skipped.
    pub fn publish_remote(&self, log: TnaLog) {
        self.publish_inner(log, true);
    }

    /// Offers one event to every subscription of its device, without waiting.
    fn publish(&self, log: TnaLog) {
        if let Some(tap) = &*self.inner.tap.lock().unwrap_or_else(|e| e.into_inner()) {
            // Full or gone: the other relays miss it live and read it from the archive.
            let _ = tap.try_send(log.clone());
        }
        self.publish_inner(log, false);
    }

    fn publish_inner(&self, log: TnaLog, remote: bool) {
        let mut st = self.state();
        st.subs.retain(|&sub_id, sub| {
            if !sub.devices.contains(&log.device_id) {
                return !sub.socket.tx.is_closed();
            }
            if remote && sub.next.get(&log.device_id).is_some_and(|&n| log.id < n) {
                return true;
            }
            let next = sub.next.entry(log.device_id).or_insert(0);
            if *next > 0 && log.id > *next {
                // IDs skipped: the gateway dropped events (its queue was full) or the device
                // logged some while not monitored. The client re-reads them.
                sub.socket.add_gap(sub_id, log.device_id, *next);
            }
            *next = (*next).max(log.id.saturating_add(1));
            let push = Notification::EventsLog(EventLogPush {
                subscription_id: sub_id,
                log: log.clone(),
            });
            match sub.socket.tx.try_send(push) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    sub.socket.add_gap(sub_id, log.device_id, log.id);
                    true
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
    }

    /// After a new stream from site `site`: every subscription may have missed events of every
    /// device of that site.
    fn announce_gaps(&self, site: usize) {
        let gws = &self.inner.gws;
        let st = self.state();
        for (&sub_id, sub) in &st.subs {
            for (&device, &from) in &sub.next {
                if gws.known_site_of(device) == Some(site) {
                    sub.socket.add_gap(sub_id, device, from);
                }
            }
        }
    }

    /// Whether some subscription still names a device of `site`.
    fn site_wanted(&self, st: &State, site: usize) -> bool {
        let gws = &self.inner.gws;
        st.subs.values().any(|s| {
            s.devices
                .iter()
                .any(|d| gws.known_site_of(*d).is_none_or(|i| i == site))
        })
    }

    /// The stream task of one site: subscribe, publish, re-subscribe with backoff; ends when no
    /// subscription names a device of the site any more, or the relay shuts down.
    async fn run(self, site: usize) {
        let gw = &self.inner.gws.sites()[site].client;
        let up = &self.inner.up[site];
        let mut shutdown = self.inner.shutdown.clone();
        let mut backoff = Backoff::default();
        let mut streams = 0u64;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match gsdk::event::subscribe_realtime(gw, GATEWAY_QUEUE).await {
                Ok(mut stream) => {
                    let opened = tokio::time::Instant::now();
                    streams += 1;
                    up.send_replace((streams, true));
                    if streams > 1 {
                        tracing::info!(site, "realtime stream re-established; announcing gaps");
                        self.monitor_subscribed(site).await;
                        self.announce_gaps(site);
                    }
                    loop {
                        tokio::select! {
                            item = stream.next() => match item {
                                Some(Ok(ev)) => self.publish(gsdk::event::log_from_event(ev)),
                                Some(Err(status)) => {
                                    tracing::warn!(%status, "realtime stream failed");
                                    break;
                                }
                                None => {
                                    tracing::warn!("realtime stream ended");
                                    break;
                                }
                            },
                            _ = shutdown.changed() => break,
                        }
                    }
                    up.send_replace((streams, false));
                    self.forget_monitoring(site);
                    backoff.stream_ended(opened.elapsed());
                }
                Err(status) => tracing::warn!(site, %status, "realtime subscribe failed"),
            }
            {
                let mut st = self.state();
                if !self.site_wanted(&st, site) {
                    st.running.remove(&site);
                    return;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff.wait()) => {}
                _ = shutdown.changed() => {}
            }
            backoff.grow();
        }
        self.state().running.remove(&site);
    }
}

/// The ID the device's next record will get: one past the last stored ID (0 for an empty log),
/// found with pages of one record (a binary search over the ID space, at most 33 reads).
pub async fn next_event_id(gw: &GatewayClient, device_id: u32) -> Result<u32, RpcError> {
    // Invariant: every ID below `lo` is known to exist or be absent; nothing is stored at or
    // above `hi`.
    let mut lo: u64 = 0;
    let mut hi: u64 = u64::from(u32::MAX) + 1;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = u32::try_from(mid).unwrap_or(u32::MAX);
        let page = gsdk::tna::get_log(gw, device_id, start, 1).await?;
        match page.logs.first() {
            Some(found) => lo = u64::from(found.id) + 1,
            None => hi = mid,
        }
    }
    Ok(u32::try_from(lo).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(device_id: u32, id: u32) -> TnaLog {
        TnaLog {
            id,
            timestamp: 1,
            device_id,
            user_id: "1".into(),
            event_code: 0x1300,
            sub_code: 1,
            tna_key: None,
        }
    }

    fn fanout_with(subs: &[(u64, &Arc<SocketEvents>, u32)]) -> Fanout {
        let gw = GatewayClient::new("http://127.0.0.1:9", None).expect("lazy client");
        let (_stop, stopped) = watch::channel(false);
        let f = Fanout::new(Gateways::single(gw), stopped);
        for &(id, socket, device) in subs {
            f.state().subs.insert(
                id,
                Subscription {
                    devices: HashSet::from([device]),
                    next: HashMap::new(),
                    socket: socket.clone(),
                },
            );
        }
        f
    }

    #[tokio::test]
    async fn a_full_socket_queue_drops_for_that_socket_only_and_owes_a_gap() {
        let (slow, _slow_rx) = SocketEvents::new(); // never read
        let (fast, mut fast_rx) = SocketEvents::new();
        let f = fanout_with(&[(1, &slow, 7), (2, &fast, 7)]);
        let total = SOCKET_QUEUE as u32 * 4;
        let mut got = Vec::new();
        for id in 1..=total {
            f.publish(log(7, id)); // never waits
            while let Ok(Notification::EventsLog(p)) = fast_rx.try_recv() {
                got.push(p.log.id);
            }
        }
        assert_eq!(
            got,
            (1..=total).collect::<Vec<_>>(),
            "the fast socket gets all"
        );
        assert!(fast.take_gaps().is_empty());
        let gaps = slow.take_gaps();
        assert_eq!(
            gaps,
            vec![EventGap {
                subscription_id: 1,
                device_id: 7,
                from_event_id: SOCKET_QUEUE as u32 + 1,
            }],
            "the slow socket is told where its loss starts"
        );
    }

    #[tokio::test]
    async fn skipped_ids_and_a_new_stream_announce_gaps() {
        let (s, mut rx) = SocketEvents::new();
        let f = fanout_with(&[(3, &s, 9)]);
        f.publish(log(9, 10));
        f.publish(log(9, 14)); // 11..13 never came
        assert_eq!(
            s.take_gaps(),
            vec![EventGap {
                subscription_id: 3,
                device_id: 9,
                from_event_id: 11
            }]
        );
        f.publish(log(8, 1)); // another device: not this subscription's
        f.announce_gaps(0);
        assert_eq!(
            s.take_gaps(),
            vec![EventGap {
                subscription_id: 3,
                device_id: 9,
                from_event_id: 15
            }]
        );
        let ids: Vec<u32> = std::iter::from_fn(|| match rx.try_recv() {
            Ok(Notification::EventsLog(p)) => Some(p.log.id),
            _ => None,
        })
        .collect();
        assert_eq!(ids, vec![10, 14]);
    }

    #[tokio::test]
    async fn forward_sends_events_then_owed_gaps() {
        let (s, rx) = SocketEvents::new();
        let f = fanout_with(&[(4, &s, 1)]);
        let (out_tx, mut out_rx) =
            crate::outbox::outbox(1024 * 1024, crate::metrics::Metrics::new());
        let task = tokio::spawn(forward(
            s.clone(),
            rx,
            out_tx,
            crate::outbox::Encoding::Json,
        ));
        f.publish(log(1, 5));
        s.add_gap(4, 1, 2);
        let mut frames = Vec::new();
        while frames.len() < 2 {
            frames.push(out_rx.recv().await.expect("a frame"));
        }
        assert!(
            frames
                .iter()
                .any(|t| t.as_text().is_some_and(|t| t.contains("events.log"))),
            "{frames:?}"
        );
        assert!(
            frames
                .iter()
                .filter_map(|t| t.as_text())
                .any(|t| t.contains("events.gap") && t.contains("\"fromEventId\":2")),
            "{frames:?}"
        );
        task.abort();
    }
}
