//! The user directory (`users.*`): every connected device's users read into the archive, so
//! people show with names and can be searched (`tna_archive::users`).
//!
//! - A device is read with `User.GetList` (the IDs), then `User.GetPartial` with the header and
//!   name masks only, [`NAMES_PAGE`] IDs per call; its whole list is then stored in one
//!   transaction. A device that fails (offline, an error) keeps what was known of it.
//! - When: a pass over every connected device at start and every refresh period
//!   (`--users-refresh-minutes`, [`DEFAULT_USERS_REFRESH`]), on `users.sync`, and when the log
//!   sync stores a T&A event of a user the directory lacks ([`Directory::saw_users`]: that
//!   device is read again, once per pass and user).
//! - At most [`USERS_CONCURRENCY`] devices are read at once, never one device twice at once.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use tna_archive::Archive;
use tna_types::limits::{MAX_USER_ID_BYTES, MAX_USER_QUERY_CHARS, MAX_USERS_PAGE};
use tna_types::protocol::RpcError;
use tna_types::users::UsersListParams;
use tokio::sync::{Notify, watch};

use crate::gateways::Gateways;
use crate::gsdk;
use crate::sync::unix_now;

/// How often every device's users are read again, unless configured.
pub const DEFAULT_USERS_REFRESH: Duration = Duration::from_secs(15 * 60);
/// IDs per `User.GetPartial` call.
pub const NAMES_PAGE: usize = 200;
/// Devices read at once (each holds one gateway call at a time).
pub const USERS_CONCURRENCY: usize = 4;

/// The directory's reader (cheap to clone).
#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    archive: Archive,
    gws: Gateways,
    refresh: Duration,
    /// Devices waiting for a read ([`FULL_PASS`]: every device).
    pending: Mutex<BTreeSet<u32>>,
    wake: Notify,
    /// One lock per device, so two reads of one device never interleave.
    locks: Mutex<HashMap<u32, Arc<tokio::sync::Mutex<()>>>>,
    /// (device, user) pairs that woke a read since the last pass: asked once per pass.
    asked: Mutex<HashSet<(u32, String)>>,
    /// Completed passes (tests wait for them).
    passes: watch::Sender<u64>,
    /// Completed device reads, successful or not (tests wait for them).
    reads: watch::Sender<u64>,
}

/// A pending entry that asks for a pass over every device (no device has ID 0).
const FULL_PASS: u32 = 0;

impl Directory {
    /// Starts reading into `archive`: a pass now, then every `refresh`, and on request; stops
    /// when `shutdown` turns true.
    pub fn start(
        archive: Archive,
        gws: Gateways,
        refresh: Duration,
        shutdown: watch::Receiver<bool>,
    ) -> Directory {
        let me = Directory {
            inner: Arc::new(Inner {
                archive,
                gws,
                refresh: refresh.max(Duration::from_secs(1)),
                pending: Mutex::default(),
                wake: Notify::new(),
                locks: Mutex::default(),
                asked: Mutex::default(),
                passes: watch::channel(0).0,
                reads: watch::channel(0).0,
            }),
        };
        tokio::spawn(me.clone().run(shutdown));
        me
    }

    /// The archive.
    pub fn archive(&self) -> &Archive {
        &self.inner.archive
    }

    /// Queues devices for a read now (`None`: a pass over every device).
    pub fn sync_now(&self, device_ids: Option<&[u32]>) {
        match device_ids {
            Some(ids) => lock(&self.inner.pending).extend(ids.iter().copied()),
            None => {
                lock(&self.inner.pending).insert(FULL_PASS);
            }
        }
        self.inner.wake.notify_one();
    }

    /// Passes completed so far.
    pub fn passes(&self) -> u64 {
        *self.inner.passes.borrow()
    }

    /// Device reads completed so far (also the failed ones).
    pub fn reads(&self) -> u64 {
        *self.inner.reads.borrow()
    }

    /// Waits until `passes` passes have completed (at most `limit`); `false` if not by then.
    pub async fn wait_passes(&self, passes: u64, limit: Duration) -> bool {
        let mut rx = self.inner.passes.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|p| *p >= passes))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Waits until `reads` device reads have completed (at most `limit`).
    pub async fn wait_reads(&self, reads: u64, limit: Duration) -> bool {
        let mut rx = self.inner.reads.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|r| *r >= reads))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The log sync stored events of `user_ids` from `device_id`: a user the directory lacks
    /// wakes a read of that device (once per pass and user; not before the first pass, which
    /// reads every device anyway).
    pub async fn saw_users(&self, device_id: u32, user_ids: &[&str]) {
        if self.passes() == 0 || user_ids.is_empty() {
            return;
        }
        let fresh: Vec<&str> = {
            let asked = lock(&self.inner.asked);
            user_ids
                .iter()
                .copied()
                .filter(|u| !u.is_empty() && !asked.contains(&(device_id, (*u).to_owned())))
                .collect()
        };
        if fresh.is_empty() {
            return;
        }
        let unknown = match self.inner.archive.unknown_users(&fresh).await {
            Ok(u) => u,
            Err(e) => {
                tracing::info!(device_id, "user directory: lookup failed: {e}");
                return;
            }
        };
        if unknown.is_empty() {
            return;
        }
        tracing::debug!(
            device_id,
            unknown = unknown.len(),
            "users in the log that the directory lacks"
        );
        lock(&self.inner.asked).extend(unknown.into_iter().map(|u| (device_id, u)));
        self.sync_now(Some(&[device_id]));
    }

    async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut next_pass = tokio::time::Instant::now();
        loop {
            if *shutdown.borrow() {
                return;
            }
            let mut woken = std::mem::take(&mut *lock(&self.inner.pending));
            let full = woken.remove(&FULL_PASS) || tokio::time::Instant::now() >= next_pass;
            if full {
                next_pass = tokio::time::Instant::now() + self.inner.refresh;
                tokio::select! {
                    _ = self.full_pass() => {}
                    _ = shutdown.changed() => return,
                }
                lock(&self.inner.asked).clear();
                self.inner.passes.send_modify(|p| *p += 1);
            }
            if !woken.is_empty() {
                tokio::select! {
                    _ = self.read_devices(woken.into_iter().collect()) => {}
                    _ = shutdown.changed() => return,
                }
            }
            if !lock(&self.inner.pending).is_empty() {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(next_pass) => {}
                _ = self.inner.wake.notified() => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Reads every connected device of every gateway.
    async fn full_pass(&self) {
        let devices = match self.inner.gws.list_devices().await {
            Ok((devices, _)) => devices,
            Err(e) => {
                tracing::info!("user directory: device list failed: {}", e.message);
                return;
            }
        };
        let connected: Vec<u32> = devices
            .iter()
            .filter(|d| d.status == tna_types::ConnectionStatus::Connected)
            .map(|d| d.device_id)
            .collect();
        self.read_devices(connected).await;
    }

    /// Reads `devices`, [`USERS_CONCURRENCY`] at a time.
    async fn read_devices(&self, devices: Vec<u32>) {
        futures::stream::iter(devices)
            .for_each_concurrent(USERS_CONCURRENCY, |d| async move {
                if let Err(e) = self.read_device(d).await {
                    tracing::info!(
                        device_id = d,
                        "user directory: device not read, its users kept: {}",
                        e.message
                    );
                }
                self.inner.reads.send_modify(|r| *r += 1);
            })
            .await;
    }

    /// Reads one device's users and stores them as its whole list.
    pub async fn read_device(&self, device_id: u32) -> Result<(), RpcError> {
        let device_lock = lock(&self.inner.locks)
            .entry(device_id)
            .or_default()
            .clone();
        let _one_at_a_time = device_lock.lock().await;
        let gw = self.inner.gws.client_for(device_id).await?.clone();
        let ids = gsdk::user::list_user_ids(&gw, device_id).await?;
        let mut users = Vec::with_capacity(ids.len());
        for page in ids.chunks(NAMES_PAGE) {
            users.extend(gsdk::user::user_names(&gw, device_id, page).await?);
        }
        let stored = self
            .inner
            .archive
            .store_device_users(device_id, &users, unix_now())
            .await
            .map_err(crate::sync::archive_error)?;
        tracing::debug!(
            device_id,
            users = stored.users,
            changed = stored.changed,
            "user directory: device read"
        );
        Ok(())
    }
}

/// A `users.list` request the archive may run: a real page size, a short query.
pub fn check_list(p: &UsersListParams) -> Result<(), RpcError> {
    if p.limit == 0 {
        return Err(RpcError::invalid_params("limit must be at least 1"));
    }
    if p.limit > MAX_USERS_PAGE {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::DirectoryPage,
            MAX_USERS_PAGE.into(),
            p.limit.into(),
        ));
    }
    let chars = p.query.as_deref().map_or(0, |q| q.chars().count());
    if chars > MAX_USER_QUERY_CHARS {
        return Err(RpcError::invalid_params(format!(
            "query is at most {MAX_USER_QUERY_CHARS} characters, this one has {chars}"
        )));
    }
    if p.after
        .as_deref()
        .is_some_and(|a| a.len() > MAX_USER_ID_BYTES)
    {
        return Err(RpcError::invalid_params(format!(
            "after is a user ID of at most {MAX_USER_ID_BYTES} bytes"
        )));
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
