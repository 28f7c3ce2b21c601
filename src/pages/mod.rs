//! The routed pages, and the small loading state they share.

pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod clocks;
pub mod config_editor;
pub mod device;
pub mod devices;
pub mod drift;
pub mod job_codes;
pub mod kiosk;
pub mod live;
pub mod logs;
pub mod not_found;
pub mod signin;
pub mod sync;
pub mod timecards;
pub mod unsaved;

pub use accounts::AccountsPage;
pub use audit::AuditPage;
pub use bulk::BulkPage;
pub use clocks::ClocksPage;
pub use device::DevicePage;
pub use devices::DevicesPage;
pub use drift::DriftPage;
pub use kiosk::KioskPage;
pub use live::LivePage;
pub use logs::LogsPage;
pub use not_found::NotFound;
pub use sync::SyncPage;
pub use timecards::TimecardsPage;

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

/// The data of one page: the last result (kept on screen while a reload runs) and whether a load
/// is running. Only the newest load's result is kept.
pub struct Loader<T: Send + Sync + 'static> {
    /// The last result; `None` before the first load finished.
    pub data: RwSignal<Option<Result<T, ApiError>>>,
    /// A load is running.
    pub loading: RwSignal<bool>,
    generation: StoredValue<u64>,
}

impl<T: Send + Sync + 'static> Clone for Loader<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Loader<T> {}

impl<T: Send + Sync + 'static> Default for Loader<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync + 'static> Loader<T> {
    /// Nothing loaded yet.
    pub fn new() -> Self {
        Self {
            data: RwSignal::new(None),
            loading: RwSignal::new(false),
            generation: StoredValue::new(0),
        }
    }

    /// Starts a load; a result from an older, still running load is dropped.
    pub fn run(self, load: impl Future<Output = Result<T, ApiError>> + 'static) {
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.loading.set(true);
        spawn_local(async move {
            let result = load.await;
            if self.generation.try_get_value() == Some(generation) {
                self.data.try_set(Some(result));
                self.loading.try_set(false);
            }
        });
    }
}

/// Keeps a loaded device list current with `devices.status` pushes for as long as the calling
/// component lives, reading it again on `devices.stale`. With `mark_time` the row's detail says when it changed ("since 14:05:09").
pub fn follow_status(
    api: crate::api::ApiClient,
    loader: Loader<Vec<tna_types::Device>>,
    mark_time: bool,
) {
    use tna_types::protocol::Notification;
    let listener = api.on_notification(move |n| {
        // Changes were lost for this socket (it fell behind): the list is re-read.
        if matches!(n, Notification::DevicesStale(_)) && !loader.loading.get_untracked() {
            loader.run(api.list_devices());
        }
        if let Notification::DevicesStatus(change) = n {
            let came_online = loader.data.try_update(|data| {
                let mut came_online = false;
                if let Some(Ok(devices)) = data {
                    for d in devices
                        .iter_mut()
                        .filter(|d| d.device_id == change.device_id)
                    {
                        came_online |= change.status == tna_types::ConnectionStatus::Connected
                            && d.status != tna_types::ConnectionStatus::Connected;
                        d.status = change.status;
                        let when = clock_time(change.at);
                        d.status_detail = match (&change.detail, mark_time) {
                            (Some(detail), true) => {
                                Some(crate::strings::devices::detail_since(detail, &when))
                            }
                            (Some(detail), false) => Some(detail.clone()),
                            (None, true) => Some(crate::strings::devices::since(&when)),
                            // The old detail was about the old status.
                            (None, false) => None,
                        };
                    }
                }
                came_online
            });
            // A device listed while offline has no known capabilities (T&A, job codes): read
            // the list again now that it can answer.
            if came_online == Some(true) && !loader.loading.get_untracked() {
                loader.run(api.list_devices());
            }
        }
    });
    on_cleanup(move || api.remove_listener(listener));
}

/// `HH:MM:SS` of Unix seconds in the browser's time zone (when a status changed).
fn clock_time(at: u32) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(f64::from(at) * 1000.0));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// Asks the user to confirm `message` (a browser dialog); `false` when they cancel or no
/// dialog can be shown.
pub fn confirmed(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}
