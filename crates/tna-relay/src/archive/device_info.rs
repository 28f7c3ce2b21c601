//! `devices.setInfo` and the names in `devices.list`: what admins say about a device (name,
//! location, tags) lives in the archive, so every relay on one archive shows the same names.
//! Built on the archive like `sync` and `timecards`; without an archive the list has no names
//! and `devices.setInfo` is refused.

use tna_types::protocol::RpcError;
use tna_types::{Device, DeviceInfo, validate_device_info};

use crate::sync::{Syncer, archive_error};

/// Puts the archive's names into `devices`. A list without names is still a list: a failing
/// read is logged, not returned (the devices matter more than their labels).
pub async fn fill(sync: Option<&Syncer>, devices: &mut [Device]) {
    let Some(sync) = sync else { return };
    match sync.archive().device_infos().await {
        Ok(infos) => {
            for d in devices.iter_mut() {
                if let Some(info) = infos.get(&d.device_id) {
                    info.apply_to(d);
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "device names could not be read from the archive"),
    }
}

/// What `info` becomes when kept (normalized), or why it cannot be.
pub fn checked(info: &DeviceInfo) -> Result<DeviceInfo, RpcError> {
    let info = info.normalized();
    validate_device_info(&info).map_err(RpcError::validation)?;
    Ok(info)
}

/// What the archive keeps for `device_id` now (for the audit's "before").
pub async fn current(sync: &Syncer, device_id: u32) -> Option<DeviceInfo> {
    sync.archive().device_infos().await.ok()?.remove(&device_id)
}

/// Keeps `info` (already [`checked`]).
pub async fn store(sync: &Syncer, info: &DeviceInfo) -> Result<(), RpcError> {
    sync.archive()
        .set_device_info(info)
        .await
        .map_err(archive_error)
}
