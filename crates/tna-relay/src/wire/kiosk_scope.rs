//! What a kiosk may see. A kiosk is a year-long session on a tablet in a public hall, so the relay
//! (not the console) keeps it to what a reception board needs: the devices of its scope (sites
//! and devices chosen at pairing), today's punches of those devices, and no device addresses.
//!
//! [`KioskView::of`] is `Some` only for kiosk callers; `dispatch` asks it before every kiosk
//! method that names devices ([`KioskView::check`]), narrows `devices.list` and `archive.logs`
//! ([`KioskView::narrow_list`], [`KioskView::narrow_query`]) and drops older rows from
//! `tna.getLog` ([`KioskView::today_start`]). "Today" is the device's site day: from local
//! midnight in the site's zone (UTC for a site without one).

use tna_types::archive::LogQuery;
use tna_types::protocol::{ErrorCode, GatewayState, KioskScope, RpcError};
use tna_types::{Device, Role};

use crate::gateways::Gateways;
use crate::signin::Caller;

/// A kiosk caller's scope over the relay's gateways.
pub struct KioskView<'a> {
    scope: &'a KioskScope,
    gws: &'a Gateways,
}

impl<'a> KioskView<'a> {
    /// The view of `caller`, if it is a kiosk (`None` for accounts, who see everything their
    /// role allows).
    pub fn of(caller: &'a Caller, gws: &'a Gateways) -> Option<KioskView<'a>> {
        if caller.role != Role::Kiosk {
            return None;
        }
        caller
            .scope
            .as_deref()
            .map(|scope| KioskView { scope, gws })
    }

    /// How people's names reach this kiosk.
    pub fn name_form(&self) -> tna_types::protocol::NameForm {
        self.scope.name_form
    }

    /// The site index of a device, learning it from the gateways' lists when needed.
    async fn site_index(&self, device_id: u32) -> Option<usize> {
        match self.gws.known_site_of(device_id) {
            Some(i) => Some(i),
            None => self.gws.site_of(device_id).await.ok(),
        }
    }

    /// Whether the kiosk may see `device_id`.
    pub async fn covers(&self, device_id: u32) -> bool {
        if self.scope.all_devices || self.scope.devices.contains(&device_id) {
            return true;
        }
        if self.scope.sites.is_empty() {
            return false;
        }
        let site = self.site_index(device_id).await;
        let name = site.and_then(|i| self.gws.sites().get(i)?.name.as_deref());
        self.scope.covers(device_id, name)
    }

    /// Refuses a call naming a device outside the kiosk's scope.
    pub async fn check(&self, device_ids: &[u32]) -> Result<(), RpcError> {
        for &id in device_ids {
            if !self.covers(id).await {
                return Err(RpcError::because(
                    ErrorCode::PermissionDenied,
                    "kioskScope",
                    format!(
                        "This kiosk shows only the devices it was paired for; device {id} is not one of them."
                    ),
                    serde_json::json!({ "deviceId": id }),
                ));
            }
        }
        Ok(())
    }

    /// `devices.list` as the kiosk sees it: its devices only, without addresses, and the sites
    /// they belong to without the gateways' error texts.
    pub fn narrow_list(&self, devices: &mut Vec<Device>, gateways: &mut Vec<GatewayState>) {
        devices.retain(|d| self.scope.covers(d.device_id, d.site.as_deref()));
        for d in devices.iter_mut() {
            d.address.clear();
            d.status_detail = None;
        }
        gateways.retain(|g| devices.iter().any(|d| d.site.as_ref() == Some(&g.name)));
        for g in gateways.iter_mut() {
            g.message = None;
            g.devices = u32::try_from(
                devices
                    .iter()
                    .filter(|d| d.site.as_ref() == Some(&g.name))
                    .count(),
            )
            .unwrap_or(u32::MAX);
        }
    }

    /// The start of today (Unix seconds) for a device: local midnight in its site's zone.
    pub async fn today_start(&self, device_id: u32) -> u32 {
        let zone = self
            .site_index(device_id)
            .await
            .and_then(|i| self.gws.sites().get(i)?.zone.as_ref());
        let tz = zone.map_or(jiff::tz::TimeZone::UTC, |z| z.tz().clone());
        start_of_today(&tz)
    }

    /// An `archive.logs` query narrowed to the kiosk: only its devices (all of them when none
    /// are named; a device outside is refused), from the earliest "today" among them.
    pub async fn narrow_query(&self, q: &mut LogQuery) -> Result<(), RpcError> {
        let devices = match &q.device_ids {
            Some(ids) => {
                self.check(ids).await?;
                ids.clone()
            }
            None => {
                let (mut all, mut gateways) = self.gws.list_devices().await?;
                self.narrow_list(&mut all, &mut gateways);
                let ids: Vec<u32> = all.iter().map(|d| d.device_id).collect();
                if !self.scope.all_devices {
                    q.device_ids = Some(ids.clone());
                }
                ids
            }
        };
        let mut from = start_of_today(&jiff::tz::TimeZone::UTC);
        let mut zones_seen = std::collections::HashSet::new();
        for id in devices {
            let site = self.gws.known_site_of(id);
            if zones_seen.insert(site) {
                from = from.min(self.today_start(id).await);
            }
        }
        q.from = Some(q.from.map_or(from, |f| f.max(from)));
        Ok(())
    }
}

/// Local midnight of today in `tz`, as Unix seconds (0 if it cannot be computed).
fn start_of_today(tz: &jiff::tz::TimeZone) -> u32 {
    jiff::Timestamp::now()
        .to_zoned_datetime(tz.clone())
        .start_of_day()
        .ok()
        .and_then(|z| u32::try_from(z.timestamp().as_second()).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_starts_at_local_midnight() {
        let utc = start_of_today(&jiff::tz::TimeZone::UTC);
        let now = u32::try_from(jiff::Timestamp::now().as_second()).unwrap_or(0);
        assert!(utc <= now && now - utc < 86_400, "{utc} {now}");
        assert_eq!(utc % 86_400, 0);
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("zone");
        let t = start_of_today(&tokyo);
        assert!(t <= now && now - t < 86_400);
        // Tokyo is 9 hours ahead all year: its midnight is 15:00 UTC.
        assert_eq!(t % 86_400, 15 * 3_600);
    }
}
