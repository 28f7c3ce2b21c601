//! Device status pushes: ONE `Connect.SubscribeStatus` stream per gateway, broadcast to every
//! socket as `devices.status` notifications, so device lists update without a reload.
//!
//! - A stream task per gateway starts with the relay and runs until shutdown; when its stream
//!   ends or cannot be opened it re-subscribes with backoff ([`crate::backoff`]: 0.2 s doubling
//!   to 5 s, the same as the live-event streams).
//! - When a gateway cannot be reached, every device last seen behind it is pushed as `error`
//!   with a detail naming the gateway (its devices are not offline, we just cannot see them).
//!   When its stream is back, the gateway does not replay what changed in between, so the task
//!   lists its devices once and pushes each one's status.
//! - The same channel carries other relay-wide notices (`archive.reset`, [`StatusHub::broadcast`]).
//! - Sockets get every change through a broadcast channel of [`BROADCAST_CAPACITY`]. A socket
//!   too slow to keep up loses the oldest changes (logged) and is sent `devices.stale`, so it
//!   reads `devices.list` again, which is exact.

use std::time::Duration;

use futures::StreamExt;
use tna_types::ConnectionStatus;
use tna_types::protocol::{DeviceStatusChange, DevicesStale, Notification};
use tokio::sync::{broadcast, watch};

use crate::auth::{Clock, SystemClock};
use crate::gateways::Gateways;
use crate::gsdk;

/// Changes buffered per socket before the slowest socket starts losing the oldest.
pub const BROADCAST_CAPACITY: usize = 1_024;
/// The queue the relay asks each gateway to keep for its status stream.
pub const GATEWAY_QUEUE: i32 = 1_024;

/// The relay's side of the status streams; cheap to clone.
#[derive(Clone)]
pub struct StatusHub {
    tx: broadcast::Sender<Notification>,
    /// Per gateway: whether its stream is open now.
    up: Vec<watch::Receiver<bool>>,
}

impl StatusHub {
    /// Starts a stream task per gateway; they stop when `shutdown` turns true.
    pub fn start(gws: Gateways, shutdown: watch::Receiver<bool>) -> StatusHub {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        let mut up = Vec::new();
        for site in 0..gws.sites().len() {
            let (up_tx, up_rx) = watch::channel(false);
            up.push(up_rx);
            tokio::spawn(run(gws.clone(), site, tx.clone(), up_tx, shutdown.clone()));
        }
        StatusHub { tx, up }
    }

    /// Waits until every gateway's stream is open (at most `limit`); `false` if they are not
    /// by then. Changes before that moment are not pushed, so tests wait for it before causing
    /// one.
    pub async fn wait_up(&self, limit: Duration) -> bool {
        let all = futures::future::join_all(self.up.iter().map(|up| {
            let mut up = up.clone();
            async move { up.wait_for(|u| *u).await.is_ok() }
        }));
        tokio::time::timeout(limit, all)
            .await
            .is_ok_and(|r| r.into_iter().all(|ok| ok))
    }

    /// Sends a relay-wide notice (e.g. `archive.reset`) to every socket.
    pub fn broadcast(&self, notice: Notification) {
        // No receiver (no socket open) is fine: nobody to tell.
        let _ = self.tx.send(notice);
    }

    /// A new socket's receiver of every change (and notice) from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Notification> {
        self.tx.subscribe()
    }
}

/// Subscribe, broadcast, re-subscribe with backoff, until shutdown.
async fn run(
    gws: Gateways,
    site: usize,
    tx: broadcast::Sender<Notification>,
    up: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let gw = &gws.sites()[site].client;
    let mut backoff = crate::backoff::Backoff::default();
    // Whether sockets were told this gateway is down (kept here, not in the shared site state,
    // which device lists also set: what was pushed is what must be undone).
    let mut told_down = false;
    while !*shutdown.borrow() {
        match gsdk::connect::subscribe_status(gw, GATEWAY_QUEUE).await {
            Ok(mut stream) => {
                let opened = tokio::time::Instant::now();
                up.send_replace(true);
                tracing::debug!(site, "status stream up");
                gws.sites()[site].set_down(None);
                if std::mem::take(&mut told_down) {
                    push_current(&gws, site, &tx).await;
                }
                loop {
                    tokio::select! {
                        item = stream.next() => match item {
                            Some(Ok(change)) => {
                                let push = gsdk::connect::status_change(&change);
                                gws.note_owner_status(
                                    change.device_id,
                                    site,
                                    push.status == ConnectionStatus::Connected,
                                );
                                // No receiver (no socket open) is fine: nobody to tell.
                                let _ = tx.send(Notification::DevicesStatus(push));
                            }
                            Some(Err(status)) => {
                                tracing::warn!(site, %status, "status stream failed");
                                mark_down(&gws, site, status.message(), &tx, &mut told_down);
                                break;
                            }
                            None => {
                                tracing::warn!(site, "status stream ended");
                                mark_down(&gws, site, "the status stream ended", &tx, &mut told_down);
                                break;
                            }
                        },
                        _ = shutdown.changed() => return,
                    }
                }
                up.send_replace(false);
                backoff.stream_ended(opened.elapsed());
            }
            Err(status) => {
                tracing::debug!(site, %status, "status subscribe failed");
                mark_down(&gws, site, status.message(), &tx, &mut told_down);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff.wait()) => {}
            _ = shutdown.changed() => return,
        }
        backoff.grow();
    }
}

/// The gateway of `site` cannot be reached: once per outage, its last-seen devices are pushed
/// as `error`, saying so.
fn mark_down(
    gws: &Gateways,
    site: usize,
    why: &str,
    tx: &broadcast::Sender<Notification>,
    told_down: &mut bool,
) {
    let s = &gws.sites()[site];
    s.set_down(Some(why.to_string()));
    if std::mem::replace(told_down, true) {
        return;
    }
    let detail = format!("{} cannot be reached: {why}", s.label());
    let at = now();
    for device_id in s.last_seen_devices() {
        let _ = tx.send(Notification::DevicesStatus(DeviceStatusChange {
            device_id,
            status: ConnectionStatus::Error,
            at,
            detail: Some(detail.clone()),
        }));
    }
}

/// The gateway of `site` is back: push every device's status as it lists them now.
async fn push_current(gws: &Gateways, site: usize, tx: &broadcast::Sender<Notification>) {
    match gws.list_site(site).await {
        Ok(devices) => {
            let at = now();
            for d in devices {
                let _ = tx.send(Notification::DevicesStatus(DeviceStatusChange {
                    device_id: d.device_id,
                    status: d.status,
                    at,
                    detail: d.status_detail,
                }));
            }
        }
        Err(e) => tracing::info!(site, "device list after reconnect failed: {}", e.message),
    }
}

/// The relay's clock in the seconds of a status change.
fn now() -> u32 {
    u32::try_from(SystemClock.now()).unwrap_or(u32::MAX)
}

/// Writes every change to one socket's outbox until the socket or the relay goes away.
/// A client that leaves no room for a change within [`crate::fanout::SLOW_SOCKET_LIMIT`] gets no
/// more (its socket is closed by the write timeout).
pub async fn forward(
    mut rx: broadcast::Receiver<Notification>,
    outbox: crate::outbox::Outbox,
    encoding: crate::outbox::Encoding,
) {
    let limit = crate::fanout::SLOW_SOCKET_LIMIT;
    loop {
        match rx.recv().await {
            Ok(notice) => {
                if outbox
                    .push_within(encoding.push(&notice), limit)
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(lost = n, "a socket fell behind on device status changes");
                // Its list is out of date now: tell it to read the list again.
                let stale = Notification::DevicesStale(DevicesStale { lost: n });
                if outbox
                    .push_within(encoding.push(&stale), limit)
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(device_id: u32) -> Notification {
        Notification::DevicesStatus(DeviceStatusChange {
            device_id,
            status: ConnectionStatus::Disconnected,
            at: 1,
            detail: None,
        })
    }

    #[tokio::test]
    async fn a_socket_that_fell_behind_is_told_to_read_the_list_again() {
        let (tx, rx) = broadcast::channel(2);
        // Five changes while the socket's forwarder is not reading: the oldest three are lost.
        for d in 1..=5 {
            tx.send(change(d)).expect("send");
        }
        drop(tx);
        let (outbox, mut frames) =
            crate::outbox::outbox(1024 * 1024, crate::metrics::Metrics::new());
        forward(rx, outbox, crate::outbox::Encoding::Json).await;
        let mut got = Vec::new();
        while let Some(frame) = frames.recv().await {
            got.push(frame.as_text().unwrap_or_default().to_owned());
        }
        let stale = Notification::DevicesStale(DevicesStale { lost: 3 }).to_text();
        assert_eq!(
            got,
            vec![stale, change(4).to_text(), change(5).to_text()],
            "the notice first, then what is still buffered"
        );
    }
}
