//! The routed pages, and the small loading state they share.

pub mod accounts;
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
pub mod unsaved;

pub use accounts::AccountsPage;
pub use bulk::BulkPage;
pub use clocks::ClocksPage;
pub use device::DevicePage;
pub use devices::DevicesPage;
pub use drift::DriftPage;
pub use kiosk::KioskPage;
pub use live::LivePage;
pub use logs::LogsPage;
pub use not_found::NotFound;

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
