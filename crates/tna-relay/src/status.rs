//! Device status pushes: ONE `Connect.SubscribeStatus` stream per relay, broadcast to every
//! socket as `devices.status` notifications, so device lists update without a reload.
//!
//! - The stream task starts with the relay and runs until shutdown; when the gateway stream
//!   ends or cannot be opened it re-subscribes with backoff ([`BACKOFF_START`] doubling to
//!   [`BACKOFF_MAX`]). Changes that happen while it is down are not replayed by the gateway:
//!   the console re-reads `devices.list` after its own reconnects, and a page opened later reads
//!   the list anyway.
//! - Sockets get every change through a broadcast channel of [`BROADCAST_CAPACITY`]. A socket
//!   too slow to keep up loses the oldest changes (logged); its next `devices.list` is exact.

use std::time::Duration;

use futures::StreamExt;
use tna_types::protocol::{DeviceStatusChange, Notification};
use tokio::sync::{broadcast, mpsc, watch};

use crate::gsdk::{self, GatewayClient};

/// Changes buffered per socket before the slowest socket starts losing the oldest.
pub const BROADCAST_CAPACITY: usize = 1_024;
/// The queue the relay asks the gateway to keep for its status stream.
pub const GATEWAY_QUEUE: i32 = 1_024;
/// First wait before re-subscribing after the status stream dropped.
pub const BACKOFF_START: Duration = Duration::from_millis(200);
/// Longest wait between re-subscribe attempts.
pub const BACKOFF_MAX: Duration = Duration::from_secs(5);

/// The relay's side of the status stream; cheap to clone.
#[derive(Clone)]
pub struct StatusHub {
    tx: broadcast::Sender<DeviceStatusChange>,
    /// Whether the gateway stream is open now.
    up: watch::Receiver<bool>,
}

impl StatusHub {
    /// Starts the stream task for `gw`; it stops when `shutdown` turns true.
    pub fn start(gw: GatewayClient, shutdown: watch::Receiver<bool>) -> StatusHub {
        let (tx, _) = broadcast::channel(BROADCAST_CAPACITY);
        let (up_tx, up) = watch::channel(false);
        tokio::spawn(run(gw, tx.clone(), up_tx, shutdown));
        StatusHub { tx, up }
    }

    /// Waits until the gateway stream is open (at most `limit`); `false` if it is not by then.
    /// Changes before that moment are not pushed, so tests wait for it before causing one.
    pub async fn wait_up(&self, limit: Duration) -> bool {
        let mut up = self.up.clone();
        tokio::time::timeout(limit, up.wait_for(|u| *u))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// A new socket's receiver of every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<DeviceStatusChange> {
        self.tx.subscribe()
    }
}

/// Subscribe, broadcast, re-subscribe with backoff, until shutdown.
async fn run(
    gw: GatewayClient,
    tx: broadcast::Sender<DeviceStatusChange>,
    up: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = BACKOFF_START;
    while !*shutdown.borrow() {
        match gsdk::connect::subscribe_status(&gw, GATEWAY_QUEUE).await {
            Ok(mut stream) => {
                backoff = BACKOFF_START;
                up.send_replace(true);
                tracing::debug!("status stream up");
                loop {
                    tokio::select! {
                        item = stream.next() => match item {
                            Some(Ok(change)) => {
                                // No receiver (no socket open) is fine: nobody to tell.
                                let _ = tx.send(gsdk::connect::status_change(&change));
                            }
                            Some(Err(status)) => {
                                tracing::warn!(%status, "status stream failed");
                                break;
                            }
                            None => {
                                tracing::warn!("status stream ended");
                                break;
                            }
                        },
                        _ = shutdown.changed() => return,
                    }
                }
                up.send_replace(false);
            }
            Err(status) => tracing::debug!(%status, "status subscribe failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = shutdown.changed() => return,
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Writes every change to one socket's outbox until the socket or the relay goes away.
pub async fn forward(
    mut rx: broadcast::Receiver<DeviceStatusChange>,
    outbox: mpsc::Sender<String>,
) {
    loop {
        match rx.recv().await {
            Ok(change) => {
                let text = Notification::DevicesStatus(change).to_text();
                if outbox.send(text).await.is_err() {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(lost = n, "a socket fell behind on device status changes");
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
