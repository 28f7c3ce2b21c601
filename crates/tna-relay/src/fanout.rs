//! Live events: ONE `SubscribeRealtimeLog` stream to the gateway, fanned out to every socket that
//! subscribed (`events.subscribe`).
//!
//! - Each socket has one bounded queue ([`SOCKET_QUEUE`]) drained by its forwarder task into the
//!   socket's outbox. Publishing never waits: when a socket's queue is full the event is dropped
//!   for that socket only, and the first dropped ID per (subscription, device) is remembered; the
//!   forwarder sends an `events.gap` for it as soon as it has room, and the client re-reads from
//!   there with `tna.getLog`. A slow browser therefore never stalls the stream or other sockets.
//! - When the gateway stream ends or fails, the stream task re-subscribes with backoff
//!   ([`BACKOFF_START`] doubling to [`BACKOFF_MAX`]); once the new stream is up it sends every
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

use crate::gsdk::{self, GatewayClient};

/// Events waiting for one socket's forwarder; more are dropped and announced by `events.gap`.
pub const SOCKET_QUEUE: usize = 256;
/// The queue the relay asks the gateway to keep for its one realtime stream.
pub const GATEWAY_QUEUE: i32 = 4_096;
/// First wait before re-subscribing after the gateway stream dropped.
pub const BACKOFF_START: Duration = Duration::from_millis(200);
/// Longest wait between re-subscribe attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// A socket whose outbox stays full this long (the client reads nothing) is closed: it keeps no
/// queue on the relay, and on reconnecting it re-reads from its cursors.
pub const SLOW_SOCKET_LIMIT: Duration = Duration::from_secs(10);
/// Log-end searches (a few dozen one-record reads each) running at once across all
/// subscriptions: several large `events.subscribe` calls at the same moment must not flood the
/// one HTTP/2 connection to the gateway (which then fails every call on it).
pub const SEARCH_CONCURRENCY: usize = 32;
/// How long `events.subscribe` waits for the gateway stream before giving up.
pub const STREAM_WAIT: Duration = Duration::from_secs(10);

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
    outbox: mpsc::Sender<String>,
) {
    // Waits for room in the outbox; a client that reads nothing for SLOW_SOCKET_LIMIT is let go.
    let deliver = |text: String| {
        let outbox = &outbox;
        let socket = &socket;
        async move {
            match tokio::time::timeout(SLOW_SOCKET_LIMIT, outbox.send(text)).await {
                Ok(Ok(())) => true,
                Ok(Err(_)) => false,
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
                    if !deliver(n.to_text()).await {
                        return;
                    }
                }
                None => return,
            },
            _ = socket.wake.notified() => {}
        }
        for gap in socket.take_gaps() {
            if !deliver(Notification::EventsGap(gap).to_text()).await {
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
    task_running: bool,
}

struct Inner {
    gw: GatewayClient,
    state: Mutex<State>,
    next_id: AtomicU64,
    /// Counts gateway streams established; `up` says whether one is open now.
    up: watch::Sender<(u64, bool)>,
    shutdown: watch::Receiver<bool>,
    /// Bounds the log-end searches of all subscriptions together.
    searches: Arc<tokio::sync::Semaphore>,
}

/// The relay's one fan-out of gateway events (cheap to clone).
#[derive(Clone)]
pub struct Fanout {
    inner: Arc<Inner>,
}

impl Fanout {
    /// A fan-out over `gw`; its stream task stops when `shutdown` turns true.
    pub fn new(gw: GatewayClient, shutdown: watch::Receiver<bool>) -> Self {
        let (up, _) = watch::channel((0, false));
        Fanout {
            inner: Arc::new(Inner {
                gw,
                state: Mutex::new(State::default()),
                next_id: AtomicU64::new(1),
                up,
                shutdown,
                searches: Arc::new(tokio::sync::Semaphore::new(SEARCH_CONCURRENCY)),
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
        // Unknown devices fail the call; unreachable ones are subscribed anyway (their events
        // flow once they are back and monitored) and get no cursor.
        for (device, result) in gsdk::event::enable_monitoring(&self.inner.gw, &device_ids).await {
            if let Err(e) = result {
                if e.kind() == Some(ErrorCode::DeviceNotFound) {
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
        let spawn = {
            let mut st = self.state();
            st.subs.insert(
                id,
                Subscription {
                    devices: device_ids.iter().copied().collect(),
                    next: HashMap::new(),
                    socket: socket.clone(),
                },
            );
            !std::mem::replace(&mut st.task_running, true)
        };
        if spawn {
            tokio::spawn(self.clone().run());
        }
        let mut up = self.inner.up.subscribe();
        let ready = tokio::time::timeout(STREAM_WAIT, up.wait_for(|(_, open)| *open))
            .await
            .is_ok_and(|r| r.is_ok());
        if !ready {
            self.unsubscribe(id);
            return Err(RpcError::new(
                ErrorCode::GatewayUnavailable,
                "The gateway's live event stream could not be opened; try again.",
            )
            .with_data(serde_json::json!({ "detail": "SubscribeRealtimeLog" })));
        }
        let gw = &self.inner.gw;
        let searches = &self.inner.searches;
        let ends = join_all(device_ids.iter().map(|&d| async move {
            // A closed semaphore never happens (it lives as long as the fan-out): search anyway.
            let _slot = searches.acquire().await.ok();
            (d, next_event_id(gw, d).await)
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

    /// Number of live subscriptions (for tests and logs).
    pub fn subscriptions(&self) -> usize {
        self.state().subs.len()
    }

    /// Offers one event to every subscription of its device, without waiting.
    fn publish(&self, log: TnaLog) {
        let mut st = self.state();
        st.subs.retain(|&sub_id, sub| {
            if !sub.devices.contains(&log.device_id) {
                return !sub.socket.tx.is_closed();
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

    /// After a new gateway stream: every subscription may have missed events of every device.
    fn announce_gaps(&self) {
        let st = self.state();
        for (&sub_id, sub) in &st.subs {
            for (&device, &from) in &sub.next {
                sub.socket.add_gap(sub_id, device, from);
            }
        }
    }

    /// The stream task: subscribe, publish, re-subscribe with backoff; ends when nobody is
    /// subscribed any more or the relay shuts down.
    async fn run(self) {
        let mut shutdown = self.inner.shutdown.clone();
        let mut backoff = BACKOFF_START;
        let mut streams = 0u64;
        loop {
            if *shutdown.borrow() {
                break;
            }
            match gsdk::event::subscribe_realtime(&self.inner.gw, GATEWAY_QUEUE).await {
                Ok(mut stream) => {
                    streams += 1;
                    backoff = BACKOFF_START;
                    self.inner.up.send_replace((streams, true));
                    if streams > 1 {
                        tracing::info!("realtime stream re-established; announcing gaps");
                        self.announce_gaps();
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
                    self.inner.up.send_replace((streams, false));
                }
                Err(status) => tracing::warn!(%status, "realtime subscribe failed"),
            }
            {
                let mut st = self.state();
                if st.subs.is_empty() {
                    st.task_running = false;
                    return;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => {}
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
        self.state().task_running = false;
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
        let f = Fanout::new(gw, stopped);
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
        f.announce_gaps();
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
        let (out_tx, mut out_rx) = mpsc::channel(8);
        let task = tokio::spawn(forward(s.clone(), rx, out_tx));
        f.publish(log(1, 5));
        s.add_gap(4, 1, 2);
        let mut frames = Vec::new();
        while frames.len() < 2 {
            frames.push(out_rx.recv().await.expect("a frame"));
        }
        assert!(
            frames.iter().any(|t| t.contains("events.log")),
            "{frames:?}"
        );
        assert!(
            frames
                .iter()
                .any(|t| t.contains("events.gap") && t.contains("\"fromEventId\":2")),
            "{frames:?}"
        );
        task.abort();
    }
}
