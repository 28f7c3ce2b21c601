//! Read-ahead for log downloads (`tna.getLog`): a client reading a device's log page after page
//! waits, between pages, for the relay to encode and send one page, for its own decoding and
//! for its next request — while the gateway sits idle. So when the relay serves a *full* page
//! of at least [`MIN_PAGE`] records (someone is downloading), it asks the gateway for the next
//! page at once, and the next request finds it read or on its way. A download through the
//! relay then runs at the gateway's pace, not at the gateway's plus the relay's.
//!
//! What keeps this honest:
//! - Only a **full** read-ahead page is served. Records of a full page do not change (event IDs
//!   are the device's and only grow), whereas a short page (the log's end) may have grown
//!   since: a short one is dropped and the request reads afresh. A read-ahead that failed
//!   answers with its error (the device failed moments ago; reading again would make the
//!   client wait for two timeouts). The one exception to "full pages do not change" is a log
//!   wiped on the device: a page read just before the wipe can be served for up to [`KEEP`]
//!   after it; the archive's sync detects the wipe (a new epoch) either way.
//! - One read ahead per device: a new one replaces the old (aborting it), and a request for
//!   other records of the device drops it. It is kept [`KEEP`] at most; at most [`MAX_PAGES`]
//!   wait at once, relay-wide (a page of 5,000 records is about 0.5 MB), so clients that stop
//!   reading cost at most one gateway read per device and 16 MB in all.
//! - Any socket's request may take it: the page is the device's, not the socket's (a kiosk's
//!   scope is checked before and its narrowing happens after, in dispatch).

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

/// The pages read ahead (cheap to clone; one per relay), by device.
#[derive(Clone, Default)]
pub struct ReadAhead {
    pages: Arc<Mutex<HashMap<u32, (Key, Pending)>>>,
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
                Ok(Err(e)) => return Err(e),
                // Short (the log's end may have grown), or the task was aborted.
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

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, (Key, Pending)>> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The read of `key` if one waits and is fresh. The device's read for other records, and
    /// stale reads of any device, are dropped on the way.
    fn take(&self, key: Key) -> Option<JoinHandle<Result<LogPage<TnaLog>, RpcError>>> {
        let mut pages = self.lock();
        pages.retain(|_, (_, p)| {
            let fresh = p.started.elapsed() < KEEP;
            if !fresh {
                p.read.abort();
            }
            fresh
        });
        let (ahead, pending) = pages.remove(&key.device_id)?;
        if ahead == key {
            Some(pending.read)
        } else {
            pending.read.abort();
            None
        }
    }

    fn start(&self, gws: &Gateways, key: Key) {
        let mut pages = self.lock();
        if pages.len() >= MAX_PAGES && !pages.contains_key(&key.device_id) {
            return;
        }
        let read = tokio::spawn(read(gws.clone(), key));
        let pending = Pending {
            started: Instant::now(),
            read,
        };
        if let Some((_, old)) = pages.insert(key.device_id, (key, pending)) {
            old.read.abort();
        }
    }
}

async fn read(gws: Gateways, key: Key) -> Result<LogPage<TnaLog>, RpcError> {
    gws.on_device(key.device_id, |gw| {
        gsdk::tna::get_log(gw, key.device_id, key.start, key.limit)
    })
    .await
}
