//! Read-ahead for log downloads (`tna.getLog`): a client reading a device's log page after page
//! waits, between pages, for the relay to encode and send one page, for its own decoding and
//! for its next request — while the gateway sits idle. So when the relay serves a *full* page
//! of at least [`MIN_PAGE`] records (someone is downloading), it asks the gateway for the next
//! page at once, and the next request finds it read or on its way. A download through the
//! relay then runs at the gateway's pace, not at the gateway's plus the relay's.
//!
//! What keeps this honest:
//! - Only a **full** read-ahead page is served. Records of a full page never change (event IDs
//!   are the device's and only grow), whereas a short page (the log's end) may have grown
//!   since: a short one is dropped and the request reads afresh.
//! - A page read ahead is kept [`KEEP`] at most and taken by the first request for exactly its
//!   device, start and size; at most [`MAX_PAGES`] wait at once, relay-wide (a page of 5,000
//!   records is about 0.5 MB), so clients that stop reading cost at most one gateway read each.
//! - Any socket's request may take it: the page is the device's, not the socket's (a kiosk's
//!   narrowing happens after, in dispatch).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tna_types::protocol::RpcError;
use tna_types::{LogPage, TnaLog};
use tokio::task::JoinHandle;

use crate::gateways::Gateways;
use crate::gsdk;

/// Smallest page that starts a read-ahead: smaller pages are browsing, not a download.
pub const MIN_PAGE: u32 = 1_000;
/// How long a page read ahead waits for its request.
pub const KEEP: Duration = Duration::from_secs(10);
/// Pages read ahead waiting at once, relay-wide.
pub const MAX_PAGES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    device_id: u32,
    start: u32,
    limit: u32,
}

struct Pending {
    started: Instant,
    read: JoinHandle<Result<LogPage<TnaLog>, RpcError>>,
}

/// The pages read ahead (cheap to clone; one per relay).
#[derive(Clone, Default)]
pub struct ReadAhead {
    pages: Arc<Mutex<HashMap<Key, Pending>>>,
}

impl ReadAhead {
    /// One page of `device_id`'s T&A log from `start`, at most `limit` records: the page read
    /// ahead when there is a usable one, else from the gateway. A full page of [`MIN_PAGE`] or
    /// more starts the read of the next.
    pub async fn get_log(
        &self,
        gws: &Gateways,
        device_id: u32,
        start: u32,
        limit: u32,
    ) -> Result<LogPage<TnaLog>, RpcError> {
        let key = Key {
            device_id,
            start,
            limit,
        };
        let ahead = match self.take(key) {
            Some(read) => match read.await {
                Ok(Ok(page)) if page.logs.len() == limit as usize => Some(page),
                _ => None,
            },
            None => None,
        };
        let page = match ahead {
            Some(page) => page,
            None => read(gws.clone(), key).await?,
        };
        if limit >= MIN_PAGE && page.logs.len() == limit as usize {
            self.start(
                gws,
                Key {
                    start: page.next_start_event_id,
                    ..key
                },
            );
        }
        Ok(page)
    }

    /// Pages waiting now.
    pub fn waiting(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Pending>> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The read of `key` if one waits and is fresh; stale ones are dropped on the way.
    fn take(&self, key: Key) -> Option<JoinHandle<Result<LogPage<TnaLog>, RpcError>>> {
        let mut pages = self.lock();
        pages.retain(|_, p| {
            let fresh = p.started.elapsed() < KEEP;
            if !fresh {
                p.read.abort();
            }
            fresh
        });
        pages.remove(&key).map(|p| p.read)
    }

    fn start(&self, gws: &Gateways, key: Key) {
        let mut pages = self.lock();
        if pages.len() >= MAX_PAGES || pages.contains_key(&key) {
            return;
        }
        let read = tokio::spawn(read(gws.clone(), key));
        pages.insert(
            key,
            Pending {
                started: Instant::now(),
                read,
            },
        );
    }
}

async fn read(gws: Gateways, key: Key) -> Result<LogPage<TnaLog>, RpcError> {
    gws.on_device(key.device_id, |gw| {
        gsdk::tna::get_log(gw, key.device_id, key.start, key.limit)
    })
    .await
}
