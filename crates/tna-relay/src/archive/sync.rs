//! Background log sync: every T&A device's T&A log and job-code log copied into the archive,
//! each event once, gap-free.
//!
//! - Per (device, stream) the archive keeps a cursor: the epoch and the next event ID to read.
//!   A sync reads pages of [`SYNC_PAGE`] from the cursor on; each page and the cursor move are
//!   stored in one transaction, so a crash, a kill or a gateway restart at any point resumes
//!   exactly where the archive says, and re-reading never duplicates (events are unique on
//!   device, epoch and event ID).
//! - Before reading on, the sync checks that the device still holds the last event the archive
//!   took (ID `next - 1`). A device overwrites its *oldest* events when full, never its newest,
//!   so a missing one means the device's numbering started again (factory reset, log wipe):
//!   the archive keeps everything it has, opens a new epoch for the device and reads from 0,
//!   and every console is told (`archive.reset`). Logs on devices are never cleared.
//! - What triggers a sync: a full pass over every connected T&A device every [`SYNC_PERIOD`]
//!   (and at start); a live event of a device (the relay watches every synced device on the
//!   realtime stream through the fan-out, like a console would), so the archive stays seconds
//!   behind; and "sync now" from the console. A device is never synced twice at once, and at
//!   most [`SYNC_CONCURRENCY`] devices are synced at the same time.
//! - The users of every stored T&A page are offered to the user directory
//!   ([`crate::users::Directory::saw_users`]), which reads a device again when its log names
//!   someone the directory lacks.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::StreamExt;
use tna_archive::{Archive, Stream};
use tna_types::protocol::{ArchiveReset, ErrorCode, Notification, RpcError, SyncState};
use tokio::sync::{Notify, Semaphore, watch};

use crate::auth::{Clock, SystemClock};
use crate::fanout::{Fanout, SocketEvents};
use crate::gateways::Gateways;
use crate::gsdk::{self, GatewayClient};
use crate::metrics::Metrics;
use crate::status::StatusHub;

/// Records per read: the protocol's page limit, the gateway's comfortable size.
pub const SYNC_PAGE: u32 = tna_types::limits::MAX_LOG_PAGE;
/// Devices synced at once (each holds one gateway call and one database transaction at a time).
pub const SYNC_CONCURRENCY: usize = 8;
/// Time between full passes over every device.
pub const SYNC_PERIOD: Duration = Duration::from_secs(60);
/// Live events close together (a burst of punches) are taken in one sync: the sync waits this
/// long after being woken.
pub const LIVE_DEBOUNCE: Duration = Duration::from_millis(150);

/// The relay's archive and its sync (cheap to clone).
#[derive(Clone)]
pub struct Syncer {
    inner: Arc<Inner>,
}

struct Inner {
    archive: Archive,
    gws: Gateways,
    status: StatusHub,
    /// Devices waiting for a sync.
    pending: Mutex<BTreeSet<u32>>,
    wake: Notify,
    /// Devices being synced now, each with its own lock so two syncs never interleave.
    locks: Mutex<HashMap<u32, Arc<tokio::sync::Mutex<()>>>>,
    /// Devices whose live sync waits to start.
    queued: Mutex<HashSet<u32>>,
    syncing: Mutex<HashSet<u32>>,
    slots: Semaphore,
    /// Devices watched on the realtime stream.
    watched: Mutex<HashSet<u32>>,
    /// Completed full passes (tests wait for one).
    passes: watch::Sender<u64>,
    /// Events stored, lag per device.
    metrics: Metrics,
    /// The user directory, told about the users of every stored T&A page.
    directory: std::sync::OnceLock<crate::users::Directory>,
}

impl Syncer {
    /// Starts syncing into `archive`: a first full pass now, then every [`SYNC_PERIOD`], on live
    /// events and on request; stops when `shutdown` turns true.
    pub fn start(
        archive: Archive,
        gws: Gateways,
        fanout: Fanout,
        status: StatusHub,
        metrics: Metrics,
        shutdown: watch::Receiver<bool>,
    ) -> Syncer {
        let me = Syncer {
            inner: Arc::new(Inner {
                archive,
                gws,
                status,
                pending: Mutex::default(),
                wake: Notify::new(),
                locks: Mutex::default(),
                queued: Mutex::default(),
                syncing: Mutex::default(),
                slots: Semaphore::new(SYNC_CONCURRENCY),
                watched: Mutex::default(),
                passes: watch::channel(0).0,
                metrics,
                directory: std::sync::OnceLock::new(),
            }),
        };
        tokio::spawn(me.clone().run(fanout, shutdown));
        me
    }

    /// The archive.
    pub fn archive(&self) -> &Archive {
        &self.inner.archive
    }

    /// Tells `directory` the users of every T&A page stored from now on, so a user it lacks
    /// gets read (set once; later calls are ignored).
    pub fn tell_directory(&self, directory: crate::users::Directory) {
        let _ = self.inner.directory.set(directory);
    }

    /// The user directory, when one was set.
    pub fn directory(&self) -> Option<&crate::users::Directory> {
        self.inner.directory.get()
    }

    /// Queues devices for a sync now (`None`: every device at the next full pass, at once).
    pub fn sync_now(&self, device_ids: Option<&[u32]>) {
        match device_ids {
            Some(ids) => lock(&self.inner.pending).extend(ids.iter().copied()),
            None => {
                lock(&self.inner.pending).insert(FULL_PASS);
            }
        }
        self.inner.wake.notify_one();
    }

    /// Waits until `passes` full passes have completed since the relay started (at most
    /// `limit`); `false` if not by then. Tests wait for the first.
    pub async fn wait_passes(&self, passes: u64, limit: Duration) -> bool {
        let mut rx = self.inner.passes.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|p| *p >= passes))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Full passes completed so far.
    pub fn passes(&self) -> u64 {
        *self.inner.passes.borrow()
    }

    /// Every cursor, with whether its device is being synced now and how far behind it is.
    pub async fn states(&self) -> Result<Vec<SyncState>, RpcError> {
        let cursors = self.inner.archive.cursors().await.map_err(archive_error)?;
        let syncing = lock(&self.inner.syncing).clone();
        let now = unix_now();
        Ok(cursors
            .into_iter()
            .map(|c| SyncState {
                syncing: syncing.contains(&c.device_id),
                lag_seconds: c.last_sync_at.map(|t| (now - t).max(0)),
                cursor: c,
            })
            .collect())
    }

    /// Sets `tna_relay_archive_sync_lag_seconds` from the archive's cursors: seconds since
    /// each stream's last complete sync, for the devices this relay has synced (a shared
    /// archive also holds other relays' devices; those are theirs to report).
    pub async fn refresh_lag_metrics(&self) -> Result<(), RpcError> {
        let cursors = self.inner.archive.cursors().await.map_err(archive_error)?;
        let ours: HashSet<u32> = lock(&self.inner.locks).keys().copied().collect();
        let now = unix_now();
        self.inner.metrics.set_sync_lags(
            cursors
                .into_iter()
                .filter(|c| ours.contains(&c.device_id))
                .filter_map(|c| {
                    let at = c.last_sync_at?;
                    Some((c.device_id, c.stream, (now - at).max(0)))
                }),
        );
        Ok(())
    }

    /// The scheduler, until shutdown: a full pass at start and every [`SYNC_PERIOD`] (on a
    /// fixed schedule, however busy the devices are), and a sync of every device woken by a
    /// live event, a gap or a request. Full passes and device syncs run as their own tasks, so
    /// a long read of one device never holds up the others' live events.
    async fn run(self, fanout: Fanout, mut shutdown: watch::Receiver<bool>) {
        let (socket, mut events) = SocketEvents::new();
        let mut next_pass = tokio::time::Instant::now();
        let pass_running = Arc::new(std::sync::atomic::AtomicBool::new(false));
        loop {
            if *shutdown.borrow() {
                return;
            }
            let mut woken: BTreeSet<u32> = std::mem::take(&mut *lock(&self.inner.pending));
            let asked = woken.remove(&FULL_PASS);
            if (asked || tokio::time::Instant::now() >= next_pass)
                && !pass_running.swap(true, std::sync::atomic::Ordering::SeqCst)
            {
                next_pass = tokio::time::Instant::now() + SYNC_PERIOD;
                let (me, fanout, socket, running) = (
                    self.clone(),
                    fanout.clone(),
                    socket.clone(),
                    pass_running.clone(),
                );
                tokio::spawn(async move {
                    me.full_pass(&fanout, &socket).await;
                    me.inner.passes.send_modify(|p| *p += 1);
                    running.store(false, std::sync::atomic::Ordering::SeqCst);
                    // A pass asked for while this one ran starts now.
                    me.inner.wake.notify_one();
                });
            } else if asked {
                lock(&self.inner.pending).insert(FULL_PASS);
            }
            for d in woken {
                self.spawn_sync(d);
            }
            tokio::select! {
                _ = tokio::time::sleep_until(next_pass) => {}
                _ = self.inner.wake.notified() => {}
                n = events.recv() => {
                    // A live event: read that device from its cursor, taking the rest of a
                    // burst in the same sync.
                    let mut devices = BTreeSet::new();
                    devices.extend(n.and_then(|n| notified_device(&n)));
                    tokio::time::sleep(LIVE_DEBOUNCE).await;
                    while let Ok(n) = events.try_recv() {
                        devices.extend(notified_device(&n));
                    }
                    lock(&self.inner.pending).extend(devices);
                }
                // Events dropped for the sync's queue, or a re-opened gateway stream.
                _ = socket.gap_owed() => {
                    lock(&self.inner.pending).extend(socket.take_gap_devices());
                }
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Syncs one device in its own task (under the shared limit), unless a sync of it is
    /// already waiting to start: events that arrive while it runs queue exactly one more.
    fn spawn_sync(&self, device_id: u32) {
        if !lock(&self.inner.queued).insert(device_id) {
            return;
        }
        let me = self.clone();
        tokio::spawn(async move {
            let Ok(_slot) = me.inner.slots.acquire().await else {
                return;
            };
            lock(&me.inner.queued).remove(&device_id);
            me.sync_device(device_id).await;
        });
    }

    /// Lists every gateway, syncs every connected T&A device, and watches new ones live.
    async fn full_pass(&self, fanout: &Fanout, socket: &Arc<SocketEvents>) {
        let devices = match self.inner.gws.list_devices().await {
            Ok((devices, _)) => devices,
            Err(e) => {
                tracing::info!("archive sync: device list failed: {}", e.message);
                return;
            }
        };
        let ready: Vec<u32> = devices
            .iter()
            .filter(|d| d.tna_supported && d.status == tna_types::ConnectionStatus::Connected)
            .map(|d| d.device_id)
            .collect();
        self.sync_devices(ready.clone()).await;
        let new: Vec<u32> = {
            let watched = lock(&self.inner.watched);
            ready.into_iter().filter(|d| !watched.contains(d)).collect()
        };
        if new.is_empty() {
            return;
        }
        for chunk in new.chunks(tna_types::limits::MAX_DEVICES_PER_CALL) {
            match fanout.watch(socket, chunk.to_vec()).await {
                Ok(_) => lock(&self.inner.watched).extend(chunk.iter().copied()),
                Err(e) => tracing::info!("archive sync: live watch failed: {}", e.message),
            }
        }
    }

    /// Syncs `devices`, [`SYNC_CONCURRENCY`] at a time.
    async fn sync_devices(&self, devices: Vec<u32>) {
        futures::stream::iter(devices)
            .for_each_concurrent(SYNC_CONCURRENCY, |d| async move {
                let Ok(_slot) = self.inner.slots.acquire().await else {
                    return;
                };
                self.sync_device(d).await;
            })
            .await;
    }

    /// Syncs both streams of one device (the job-code stream only where the device has it).
    pub async fn sync_device(&self, device_id: u32) {
        let device_lock = lock(&self.inner.locks)
            .entry(device_id)
            .or_default()
            .clone();
        let _one_at_a_time = device_lock.lock().await;
        let gw = match self.inner.gws.client_for(device_id).await {
            Ok(gw) => gw.clone(),
            Err(e) => {
                tracing::info!(device_id, "archive sync: {}", e.message);
                return;
            }
        };
        lock(&self.inner.syncing).insert(device_id);
        for stream in Stream::ALL {
            if stream == Stream::JobCode && !self.job_codes_supported(&gw, device_id).await {
                continue;
            }
            if let Err(e) = self.sync_stream(&gw, device_id, stream).await {
                tracing::info!(device_id, %stream, "archive sync failed: {}", e.message);
                if e.kind() == Some(ErrorCode::DeviceNotFound) {
                    // Not a device of ours (e.g. a made-up ID in `archive.sync`): no cursor.
                    break;
                }
                let _ = self
                    .inner
                    .archive
                    .record_error(device_id, stream, &e.message, unix_now())
                    .await;
            }
        }
        lock(&self.inner.syncing).remove(&device_id);
    }

    async fn job_codes_supported(&self, gw: &GatewayClient, device_id: u32) -> bool {
        gsdk::device::capabilities(gw, device_id)
            .await
            .is_ok_and(|c| c.job_code_supported)
    }

    /// Reads one stream from its cursor to the end of the device's log, page by page.
    async fn sync_stream(
        &self,
        gw: &GatewayClient,
        device_id: u32,
        stream: Stream,
    ) -> Result<(), RpcError> {
        let archive = &self.inner.archive;
        let cursor = archive
            .cursor(device_id, stream)
            .await
            .map_err(archive_error)?;
        let (mut epoch, mut next) = cursor.map_or((tna_archive::INITIAL_EPOCH, 0), |c| {
            (c.epoch, c.next_event_id)
        });
        if next > 0
            && !self
                .device_holds(gw, device_id, stream, epoch, next - 1)
                .await?
        {
            // Another relay on the same archive may have opened the new epoch already.
            let (new_epoch, opened) = archive
                .start_epoch_after(device_id, stream, epoch, unix_now())
                .await
                .map_err(archive_error)?;
            epoch = new_epoch;
            next = 0;
            if opened {
                self.inner
                    .status
                    .broadcast(Notification::ArchiveReset(ArchiveReset {
                        device_id,
                        stream,
                        epoch,
                    }));
            }
        }
        loop {
            let done = match stream {
                Stream::Tna => {
                    let page = gsdk::tna::get_log(gw, device_id, next, SYNC_PAGE).await?;
                    let stored = archive
                        .store_tna_page(
                            device_id,
                            epoch,
                            &page.logs,
                            page.next_start_event_id,
                            unix_now(),
                        )
                        .await
                        .map_err(archive_error)?;
                    self.inner.metrics.events_stored(stream, stored);
                    if let Some(directory) = self.inner.directory.get() {
                        let users: BTreeSet<&str> =
                            page.logs.iter().map(|l| l.user_id.as_str()).collect();
                        let users: Vec<&str> = users.into_iter().collect();
                        directory.saw_users(device_id, &users).await;
                    }
                    next = page.next_start_event_id;
                    page.done
                }
                Stream::JobCode => {
                    let page = gsdk::tna::get_job_code_log(gw, device_id, next, SYNC_PAGE).await?;
                    let stored = archive
                        .store_job_code_page(
                            device_id,
                            epoch,
                            &page.logs,
                            page.next_start_event_id,
                            unix_now(),
                        )
                        .await
                        .map_err(archive_error)?;
                    self.inner.metrics.events_stored(stream, stored);
                    next = page.next_start_event_id;
                    page.done
                }
            };
            if done {
                return Ok(());
            }
        }
    }
}

/// A pending-set entry that asks for a full pass (no device has ID 0).
const FULL_PASS: u32 = 0;

impl Syncer {
    /// Whether the device still holds event `id` of `stream`, the last one the archive took
    /// in `epoch`: same ID and same time. A device that started numbering again and has since
    /// logged past the old cursor has an event with that ID, but not the same one.
    async fn device_holds(
        &self,
        gw: &GatewayClient,
        device_id: u32,
        stream: Stream,
        epoch: u32,
        id: u32,
    ) -> Result<bool, RpcError> {
        let on_device = match stream {
            Stream::Tna => gsdk::tna::get_log(gw, device_id, id, 1)
                .await?
                .logs
                .first()
                .map(|l| (l.id, l.timestamp)),
            Stream::JobCode => gsdk::tna::get_job_code_log(gw, device_id, id, 1)
                .await?
                .logs
                .first()
                .map(|l| (l.id, l.timestamp)),
        };
        let Some((found, at)) = on_device else {
            return Ok(false);
        };
        if found > id {
            // The device overwrote its oldest records up to past the cursor (it was full and
            // not read for long): a loss on the device, not a new numbering. Read on.
            return Ok(true);
        }
        if found != id {
            return Ok(false);
        }
        let stored = self
            .inner
            .archive
            .stored_timestamp(device_id, stream, epoch, id)
            .await
            .map_err(archive_error)?;
        // Not stored (the cursor moved past an ID the device skipped): the ID check stands.
        Ok(stored.is_none_or(|ts| ts == at))
    }
}

fn notified_device(n: &Notification) -> Option<u32> {
    match n {
        Notification::EventsLog(p) => Some(p.log.device_id),
        Notification::EventsGap(g) => Some(g.device_id),
        _ => None,
    }
}

/// An archive failure as a protocol error.
pub fn archive_error(e: tna_archive::ArchiveError) -> RpcError {
    RpcError::new(ErrorCode::Internal, format!("The log archive failed: {e}."))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The relay's clock (the one the accounts use), in the archive's signed seconds.
pub(crate) fn unix_now() -> i64 {
    i64::try_from(SystemClock.now()).unwrap_or(i64::MAX)
}
