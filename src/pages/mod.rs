//! The routed pages, and the device-status following several of them share.

pub mod accounts;
pub mod archive;
pub mod audit;
pub mod bulk;
pub mod clocks;
pub mod device;
pub mod devices;
pub mod drift;
pub mod kiosk;
pub mod live;
pub mod logs;
pub mod not_found;
pub mod signin;
pub mod timecards;

pub use accounts::AccountsPage;
pub use archive::ArchivePage;
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
pub use timecards::TimecardsPage;

use leptos::prelude::*;

use crate::components::RelayResource;

/// Keeps a loaded device list current with `devices.status` pushes for as long as the calling
/// component lives, reading it again on `devices.stale`. With `mark_time` the row's detail says when it changed ("since 14:05:09").
pub fn follow_status<T: 'static>(
    api: crate::api::ApiClient,
    resource: RelayResource<T>,
    devices_of: fn(&mut T) -> &mut Vec<tna_types::Device>,
    mark_time: bool,
) {
    use tna_types::protocol::Notification;
    let listener = api.on_notification(move |n| {
        // Changes were lost for this socket (it fell behind): the list is re-read.
        if matches!(n, Notification::DevicesStale(_)) {
            resource.refetch();
        }
        if let Notification::DevicesStatus(change) = n {
            let came_online = resource.try_update(|data| {
                let mut came_online = false;
                if let Some(Ok(data)) = data {
                    for d in devices_of(data)
                        .iter_mut()
                        .filter(|d| d.device_id == change.device_id)
                    {
                        came_online |= change.status == tna_types::ConnectionStatus::Connected
                            && d.status != tna_types::ConnectionStatus::Connected;
                        d.status = change.status;
                        let when = crate::time::clock_time(change.at);
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
            if came_online == Some(true) {
                resource.refetch();
            }
        }
    });
    on_cleanup(move || api.remove_listener(listener));
}
