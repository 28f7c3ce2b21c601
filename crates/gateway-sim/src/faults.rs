//! The fault-injection control API tests use: disconnect a device, slow it down, make config
//! writes fail, break realtime streams.
//!
//! Faults are atomics on each device (see `state.rs`), so flipping one never waits for a request
//! in progress, and a slow device does not hold its lock while it "sleeps".

use std::sync::atomic::Ordering;
use std::time::Duration;

use gsdk_proto::connect::{Status as ConnStatus, StatusChange};
use tonic::Status;

use crate::Gateway;
use crate::state::unix_now;

impl Gateway {
    /// Disconnects (`true`) or reconnects (`false`) a device. A change of state is reported on
    /// every SubscribeStatus stream (DISCONNECTED / TLS_CONNECTED). Unknown IDs are ignored.
    pub fn set_offline(&self, device_id: u32, offline: bool) {
        let Some(slot) = self.slot(device_id) else {
            tracing::warn!(device_id, "set_offline: unknown device");
            return;
        };
        let was = slot.flags.offline.swap(offline, Ordering::SeqCst);
        if was != offline {
            let status = if offline {
                ConnStatus::Disconnected
            } else {
                ConnStatus::TlsConnected
            };
            tracing::info!(device_id, offline, "device connection changed");
            self.shared.status.publish(&StatusChange {
                device_id,
                status: status as i32,
                timestamp: unix_now(),
            });
        }
    }

    /// Wipes the device's event log as a factory reset does: every record is gone and the next
    /// event gets ID 1 again. Returns `false` for unknown devices.
    pub fn reset_log(&self, device_id: u32) -> bool {
        let Some(slot) = self.slot(device_id) else {
            return false;
        };
        slot.lock().log = crate::punches::DeviceLog::new(1);
        tracing::info!(device_id, "device log reset");
        true
    }

    /// Makes every gRPC call on the device sleep `latency` before answering (zero = no delay).
    pub fn set_latency(&self, device_id: u32, latency: Duration) {
        if let Some(slot) = self.slot(device_id) {
            let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
            slot.flags.latency_ms.store(ms, Ordering::Relaxed);
        }
    }

    /// Makes TNA SetConfig / SetConfigMulti fail (INTERNAL) for the device while `fail` is true.
    pub fn fail_set_config(&self, device_id: u32, fail: bool) {
        if let Some(slot) = self.slot(device_id) {
            slot.flags.fail_set_config.store(fail, Ordering::Relaxed);
        }
    }

    /// Makes Time SetConfig / SetDSTConfig (and their Multi forms) fail (INTERNAL) for the
    /// device while `fail` is true.
    pub fn fail_set_time(&self, device_id: u32, fail: bool) {
        if let Some(slot) = self.slot(device_id) {
            slot.flags.fail_set_time.store(fail, Ordering::Relaxed);
        }
    }

    /// Ends every open SubscribeRealtimeLog stream with an UNAVAILABLE status, as when the
    /// gateway loses its event channel. New subscriptions work again immediately.
    pub fn drop_realtime_streams(&self) {
        self.shared.realtime.close_all(&Status::unavailable(
            "realtime log stream dropped by the gateway",
        ));
    }

    /// Number of open SubscribeRealtimeLog streams (useful to wait until a client is subscribed).
    pub fn realtime_subscribers(&self) -> usize {
        self.shared.realtime.len()
    }

    /// Number of open SubscribeStatus streams.
    pub fn status_subscribers(&self) -> usize {
        self.shared.status.len()
    }

    /// Whether EnableMonitoring is on for the device (`None` for unknown devices).
    pub fn monitoring(&self, device_id: u32) -> Option<bool> {
        Some(
            self.slot(device_id)?
                .flags
                .monitoring
                .load(Ordering::Relaxed),
        )
    }
}
