//! The live-event session shared by the Live page and the kiosk: subscribes the devices
//! (`events.subscribe`), keeps a [`LiveFeed`] from `events.log` pushes, and fills every gap by
//! reading `tna.getLog` from the feed's per-device cursor — after an `events.gap`, after a
//! reconnect of the socket (which the relay sees as a new client), and after a failed fill.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::protocol::Notification;
use tna_types::{ConnectionStatus, Device};

use crate::api::{ApiClient, ConnectionState, use_api};
use crate::logs::live::LiveFeed;
use crate::logs::{DeviceMeta, LogRow, MetaMap};

/// Records per gap-filling page.
const FILL_PAGE: u32 = 1_000;
/// Wait before subscribing again after a failed subscribe.
const RETRY: Duration = Duration::from_secs(3);

/// Connected T&A devices of a device list.
pub fn live_devices(list: &[Device]) -> Vec<u32> {
    list.iter()
        .filter(|d| d.tna_supported && d.status == ConnectionStatus::Connected)
        .map(|d| d.device_id)
        .collect()
}

/// What the live views show about the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// Waiting for the relay or for the device list.
    Connecting,
    /// Subscribed; events arrive as they happen.
    Live,
    /// The subscription failed; retrying.
    Retrying,
}

/// Handles of a live session (all `Copy`).
#[derive(Clone, Copy)]
pub struct Live {
    /// The latest events, newest first.
    pub feed: RwSignal<LiveFeed>,
    /// Time zones and key labels of the devices.
    pub meta: RwSignal<MetaMap>,
    /// Session state for the views.
    pub status: RwSignal<LiveStatus>,
    /// The devices the current subscription covers (empty until subscribed).
    pub watching: RwSignal<Vec<u32>>,
    api: ApiClient,
    on_new: Option<Callback<LogRow>>,
}

impl Live {
    /// Another source (the kiosk's archive read) has `device`'s records up to `next`: what the
    /// device logged from there until the subscription's start is read from the device
    /// ([`LiveFeed::read_on_from`]; a fill only when the cursor was lowered, else the
    /// subscription's own fill starts there).
    pub fn read_on_from(self, device: u32, next: u32) {
        if self.feed.try_update(|f| f.read_on_from(device, next)) == Some(true) {
            spawn_local(fill(self.api, self.feed, device, self.on_new));
        }
    }
}

/// Reads the site time zone (one `devices.list` for all of them) and key labels of devices not
/// known yet (failures leave them unknown: times then show in UTC, saying so, and keys as KEY_n).
pub fn load_meta(api: ApiClient, meta: RwSignal<MetaMap>, ids: &[u32]) {
    let new: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|id| meta.with_untracked(|m| !m.contains_key(id)))
        .collect();
    if new.is_empty() {
        return;
    }
    meta.update(|m| {
        for &id in &new {
            m.insert(id, DeviceMeta::default());
        }
    });
    let listed = new.clone();
    spawn_local(async move {
        if let Ok(devices) = api.list_devices().await {
            meta.try_update(|m| {
                for d in devices
                    .into_iter()
                    .filter(|d| listed.contains(&d.device_id))
                {
                    let entry = m.entry(d.device_id).or_default();
                    entry.zone = d.zone;
                    entry.listed = true;
                }
            });
        }
    });
    for id in new {
        spawn_local(async move {
            if let Ok(config) = api.get_config(id).await {
                let labels = config.labels.to_vec();
                meta.try_update(|m| m.entry(id).or_default().labels = Some(labels));
            }
        });
    }
}

/// Reads the job-code labels of every user of the devices not asked yet (`jobCodes.get` with no
/// user list: one call per device, whatever the number of log rows). Call after [`load_meta`],
/// which skips devices that already have an entry. A failure leaves the
/// device's codes without labels.
pub fn load_job_labels(api: ApiClient, meta: RwSignal<MetaMap>, ids: &[u32]) {
    for &id in ids {
        if meta.with_untracked(|m| m.get(&id).is_some_and(|d| d.job_labels.is_some())) {
            continue;
        }
        meta.update(|m| {
            m.entry(id).or_default().job_labels = Some(Default::default());
        });
        spawn_local(async move {
            if let Ok(users) = api.get_job_codes(id, Vec::new()).await {
                meta.try_update(|m| m.entry(id).or_default().set_job_labels(&users));
            }
        });
    }
}

/// Reads `device` from the feed's cursor until the device has nothing more; `on_new` sees every
/// record the feed did not have.
async fn fill(
    api: ApiClient,
    feed: RwSignal<LiveFeed>,
    device: u32,
    on_new: Option<Callback<LogRow>>,
) {
    loop {
        let Some(Some(start)) = feed.try_with_untracked(|f| f.resume_from(device)) else {
            return;
        };
        let Ok(page) = api.get_log(device, start, FILL_PAGE).await else {
            return; // the next reconnect or gap fills again
        };
        let done = page.done;
        let next = page.next_start_event_id;
        let updated = feed.try_update(|f| {
            let mut new = Vec::new();
            for l in page.logs {
                let row = LogRow::from(l);
                if f.add(row.clone()) && on_new.is_some() {
                    new.push(row);
                }
            }
            f.filled(device, start, next);
            new
        });
        let Some(new) = updated else { return };
        if let Some(cb) = on_new {
            for row in new {
                cb.run(row);
            }
        }
        if done {
            return;
        }
    }
}

/// Starts a live session over `devices` (`None` while the list is loading) keeping `cap` rows;
/// `on_new` sees every record new to the feed (live or gap-filled), also those beyond `cap`.
pub fn use_live(
    devices: Signal<Option<Vec<u32>>>,
    cap: usize,
    on_new: Option<Callback<LogRow>>,
) -> Live {
    let api = use_api();
    let live = Live {
        feed: RwSignal::new(LiveFeed::new(cap)),
        meta: RwSignal::new(MetaMap::new()),
        status: RwSignal::new(LiveStatus::Connecting),
        watching: RwSignal::new(Vec::new()),
        api,
        on_new,
    };
    let subscription = StoredValue::new(None::<u64>);
    let generation = StoredValue::new(0u64);
    let retry = RwSignal::new(0u32);

    let listener = api.on_notification(move |n| match n {
        // Only the current subscription's events: an older one may still be ending. Events of
        // the new one that come before its ID is known are read by the fill from its cursors.
        Notification::EventsLog(p)
            if subscription.try_get_value().flatten() == Some(p.subscription_id) =>
        {
            let row = LogRow::from(p.log.clone());
            let added = live.feed.try_update(|f| f.add(row.clone()));
            if let (Some(true), Some(cb)) = (added, on_new) {
                cb.run(row);
            }
        }
        Notification::EventsGap(g)
            if subscription.try_get_value().flatten() == Some(g.subscription_id) =>
        {
            live.feed
                .try_update(|f| f.gap_at(g.device_id, g.from_event_id));
            spawn_local(fill(api, live.feed, g.device_id, on_new));
        }
        _ => {}
    });

    // Subscribe on every (re)connection and whenever the device set changes; then read each
    // device from its cursor, which covers whatever happened while the socket was down.
    Effect::new(move |_| {
        api.epoch().track();
        retry.track();
        let connected = api.state().get_untracked() == ConnectionState::Connected;
        let Some(ids) = devices.get() else { return };
        if !connected || ids.is_empty() {
            live.status.set(LiveStatus::Connecting);
            return;
        }
        load_meta(api, live.meta, &ids);
        // Quick changes of the device set overlap: only the newest (re)subscription may stay.
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        spawn_local(async move {
            if let Some(old) = subscription.try_get_value().flatten() {
                subscription.try_set_value(None);
                let _ = api.unsubscribe_events(old).await;
            }
            let result = api.subscribe_events(ids.clone()).await;
            if generation.try_get_value() != Some(mine) {
                // A newer device set took over while this one was being subscribed.
                if let Ok(r) = result {
                    let _ = api.unsubscribe_events(r.subscription_id).await;
                }
                return;
            }
            match result {
                Ok(r) => {
                    subscription.try_set_value(Some(r.subscription_id));
                    live.watching.try_set(ids.clone());
                    live.feed.try_update(|f| {
                        for (d, next) in &r.next_event_ids {
                            f.start_at(*d, *next);
                        }
                    });
                    live.status.try_set(LiveStatus::Live);
                    for d in ids {
                        spawn_local(fill(api, live.feed, d, on_new));
                    }
                }
                Err(_) => {
                    live.status.try_set(LiveStatus::Retrying);
                    set_timeout(
                        move || {
                            retry.try_update(|r| *r += 1);
                        },
                        RETRY,
                    );
                }
            }
        });
    });

    on_cleanup(move || {
        api.remove_listener(listener);
        if let Some(id) = subscription.try_get_value().flatten() {
            spawn_local(async move {
                let _ = api.unsubscribe_events(id).await;
            });
        }
    });
    live
}
