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

/// Names for the demo's devices, by what each does: entrances (fixed IN key), terminals people
/// pick keys on, and the rest.
const DEMO_ENTRANCES: &[&str] = &[
    "Main entrance",
    "Staff entrance",
    "Loading dock gate",
    "Car park door",
];
const DEMO_TERMINALS: &[&str] = &[
    "Reception",
    "Canteen",
    "Workshop",
    "Office floor 1",
    "Office floor 2",
    "Warehouse",
    "Lab",
    "Break room",
];
/// How many devices of a demo site get a name: the rest show their ID, as unnamed devices do.
const DEMO_NAMED_PER_SITE: usize = 12;

/// Gives the demo's first devices of each site names, locations and tags, once: only while the
/// archive keeps no names (a name someone gave stays). `sites` = (site name, device ID, whether
/// the device clocks everyone IN at one fixed key) per demo device, in list order.
pub async fn name_demo_devices(sync: &Syncer, sites: &[(Option<String>, u32, bool)]) {
    match sync.archive().device_infos().await {
        Ok(kept) if kept.is_empty() => {}
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(error = %e, "demo device names not set");
            return;
        }
    }
    let mut per_site: std::collections::BTreeMap<Option<&str>, (usize, usize, usize)> =
        std::collections::BTreeMap::new();
    for (site, id, entrance) in sites {
        let counts = per_site.entry(site.as_deref()).or_default();
        if counts.0 >= DEMO_NAMED_PER_SITE {
            continue;
        }
        counts.0 += 1;
        let (name, kind) = if *entrance {
            counts.1 += 1;
            (
                DEMO_ENTRANCES[(counts.1 - 1) % DEMO_ENTRANCES.len()],
                "entrance",
            )
        } else {
            counts.2 += 1;
            (
                DEMO_TERMINALS[(counts.2 - 1) % DEMO_TERMINALS.len()],
                "terminal",
            )
        };
        let site_name = site.as_deref().unwrap_or("HQ");
        let info = DeviceInfo {
            device_id: *id,
            name: Some(format!("{site_name} {name}")),
            location: Some(format!(
                "{site_name}, building {}",
                if counts.0.is_multiple_of(2) { "B" } else { "A" }
            )),
            tags: vec![site_name.to_lowercase(), kind.to_string()],
        };
        match checked(&info) {
            Ok(info) => {
                if let Err(e) = store(sync, &info).await {
                    tracing::warn!(device = id, error = e.message, "demo device name not set");
                }
            }
            Err(e) => tracing::warn!(device = id, error = e.message, "demo device name refused"),
        }
    }
}
