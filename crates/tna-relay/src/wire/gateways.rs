//! Several device gateways (sites) behind one relay.
//!
//! - Every method names devices, never gateways: [`Gateways`] finds each device's gateway in a
//!   map learned from device lists and status changes. A device it has not seen yet triggers
//!   one re-list of every gateway before the call fails with "device not found".
//! - A multi-device call is split per gateway ([`Gateways::per_site`]); the groups run at once
//!   and the per-device rows are merged back in request order. A gateway that fails turns into
//!   failed rows for its own devices only, naming its site.
//! - `devices.list` asks every gateway at once. An unreachable gateway's devices are listed as
//!   last seen, with status `error` and a detail saying the site's gateway cannot be reached,
//!   and the result's `gateways` says which sites answered.
//! - With ONE gateway nothing is looked up: every device goes to it, and its errors reach the
//!   client unchanged (the behaviour before sites existed).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::future::join_all;
use serde_json::json;
use tna_types::protocol::{DeviceClock, ErrorCode, GatewayState, RpcError};
use tna_types::{ConnectionStatus, Device, DeviceResult};

use crate::gsdk::{self, GatewayClient};
use crate::zones::Zone;

/// gRPC `UNAVAILABLE`: the code in per-device rows of devices whose gateway is down.
const GRPC_UNAVAILABLE: i32 = 14;
/// gRPC `NOT_FOUND`: the code in per-device rows of devices no gateway manages.
const GRPC_NOT_FOUND: i32 = 5;

/// What [`Gateways::with_zones`] takes for one site.
pub struct SiteSpec {
    /// The site name (`[[gateway]] name`); `None` for a lone unnamed gateway.
    pub name: Option<String>,
    /// The site's time zone (`[[gateway]] time_zone`); `None`: UTC, no zone set.
    pub zone: Option<Zone>,
    /// Its client.
    pub client: GatewayClient,
}

/// One gateway and the site it serves.
pub struct Site {
    /// The site name (`[[gateway]] name`); `None` for a lone unnamed gateway.
    pub name: Option<String>,
    /// The site's time zone; `None`: UTC, no zone set. Its devices carry the name (`zone`).
    pub zone: Option<Zone>,
    /// Its client.
    pub client: GatewayClient,
    /// What its last device list said.
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    devices: Vec<Device>,
    /// Why the gateway could not be reached, while it cannot.
    down: Option<String>,
}

impl Site {
    /// The name used in messages: the site name, or "the device gateway".
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("the gateway of site {n}"),
            None => "the device gateway".to_string(),
        }
    }

    fn seen(&self) -> MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Devices of its last good list.
    pub fn last_seen_devices(&self) -> Vec<u32> {
        self.seen().devices.iter().map(|d| d.device_id).collect()
    }

    /// Whether the gateway could not be reached at the last try.
    pub fn is_down(&self) -> bool {
        self.seen().down.is_some()
    }

    /// Records that the gateway cannot be reached (`Some(why)`) or can again (`None`).
    pub fn set_down(&self, why: Option<String>) {
        self.seen().down = why;
    }

    /// An error of a call to this gateway, naming the site when there is one.
    fn tag(&self, e: RpcError) -> RpcError {
        match (&self.name, e.kind()) {
            (Some(name), Some(ErrorCode::GatewayUnavailable)) => {
                site_unavailable(name, transport_detail(&e).unwrap_or("no answer"))
            }
            _ => e,
        }
    }
}

/// The transport's own words of a gateway error ("tcp connect error"), not the whole sentence.
fn transport_detail(e: &RpcError) -> Option<&str> {
    e.data.as_ref().and_then(|d| d["detail"].as_str())
}

/// The error of a call to the unreachable gateway of site `name`.
pub fn site_unavailable(name: &str, detail: &str) -> RpcError {
    RpcError::new(
        ErrorCode::GatewayUnavailable,
        format!(
            "The gateway of site {name} is unavailable ({detail}); the relay keeps retrying. \
             Devices of other sites are not affected."
        ),
    )
    .with_data(json!({ "gateway": name, "detail": detail }))
}

/// A row of a multi-device result.
pub trait DeviceRow {
    /// The device it is about.
    fn device_id(&self) -> u32;
    /// The row of a device the call could not reach because of `e`.
    fn failed(device_id: u32, grpc_code: i32, e: &RpcError) -> Self;
}

impl DeviceRow for DeviceResult {
    fn device_id(&self) -> u32 {
        self.device_id
    }
    fn failed(device_id: u32, grpc_code: i32, e: &RpcError) -> Self {
        DeviceResult::refused(device_id, grpc_code, e)
    }
}

impl DeviceRow for DeviceClock {
    fn device_id(&self) -> u32 {
        self.device_id
    }
    fn failed(device_id: u32, _grpc_code: i32, e: &RpcError) -> Self {
        DeviceClock::unread(device_id, e.clone())
    }
}

/// Every gateway of the relay and which device is behind which (cheap to clone).
#[derive(Clone)]
pub struct Gateways {
    inner: Arc<Inner>,
}

struct Inner {
    sites: Vec<Site>,
    /// Device → index in `sites`.
    owners: Mutex<HashMap<u32, usize>>,
}

impl Gateways {
    /// The relay's gateways, in config order, without time zones. At least one: callers check.
    pub fn new(sites: Vec<(Option<String>, GatewayClient)>) -> Gateways {
        Gateways::with_zones(
            sites
                .into_iter()
                .map(|(name, client)| SiteSpec {
                    name,
                    zone: None,
                    client,
                })
                .collect(),
        )
    }

    /// The relay's gateways, in config order, each with its site's zone.
    pub fn with_zones(sites: Vec<SiteSpec>) -> Gateways {
        Gateways {
            inner: Arc::new(Inner {
                sites: sites
                    .into_iter()
                    .map(|s| Site {
                        name: s.name,
                        zone: s.zone,
                        client: s.client,
                        seen: Mutex::default(),
                    })
                    .collect(),
                owners: Mutex::default(),
            }),
        }
    }

    /// One unnamed gateway.
    pub fn single(client: GatewayClient) -> Gateways {
        Gateways::new(vec![(None, client)])
    }

    /// The sites, in config order.
    pub fn sites(&self) -> &[Site] {
        &self.inner.sites
    }

    /// Whether there is more than one gateway (devices then carry their site).
    pub fn several(&self) -> bool {
        self.inner.sites.len() > 1
    }

    fn owners(&self) -> MutexGuard<'_, HashMap<u32, usize>> {
        self.inner.owners.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that `device_id` is behind site `site` (a status change names it).
    pub fn note_owner(&self, device_id: u32, site: usize) {
        self.note_owner_status(device_id, site, true);
    }

    /// Notes a status change of `device_id` at site `site`: a device new to the map is placed
    /// there; a device already placed elsewhere moves only when it is connected here (a device
    /// moved between sites stays listed, disconnected, by its old gateway for a while).
    pub fn note_owner_status(&self, device_id: u32, site: usize, connected: bool) {
        if !self.several() {
            return;
        }
        let mut owners = self.owners();
        match owners.get(&device_id) {
            Some(&other) if other != site && !connected => {}
            _ => {
                owners.insert(device_id, site);
            }
        }
    }

    /// Of `devices`, those no gateway of this relay listed last time (behind another relay
    /// sharing the archive), sorted, each once.
    pub fn devices_elsewhere(&self, devices: impl IntoIterator<Item = u32>) -> Vec<u32> {
        let here: HashSet<u32> = self
            .inner
            .sites
            .iter()
            .flat_map(|s| s.last_seen_devices())
            .collect();
        let elsewhere: BTreeSet<u32> = devices.into_iter().filter(|d| !here.contains(d)).collect();
        elsewhere.into_iter().collect()
    }

    /// The site of a device already known (no gateway call); always site 0 with one gateway.
    pub fn known_site_of(&self, device_id: u32) -> Option<usize> {
        if !self.several() {
            return Some(0);
        }
        self.owners().get(&device_id).copied()
    }

    /// The site of `device_id`, re-listing every gateway once if it is not known yet.
    pub async fn site_of(&self, device_id: u32) -> Result<usize, RpcError> {
        if let Some(i) = self.known_site_of(device_id) {
            return Ok(i);
        }
        self.list().await;
        self.known_site_of(device_id)
            .ok_or_else(|| self.unknown_device(device_id))
    }

    /// The error for a device no gateway listed: "not found", unless a gateway could not be
    /// asked — then the device may well be behind it, and the error names that site.
    pub fn unknown_device(&self, device_id: u32) -> RpcError {
        let down: Vec<&str> = self
            .inner
            .sites
            .iter()
            .filter(|s| s.is_down())
            .filter_map(|s| s.name.as_deref())
            .collect();
        if down.is_empty() {
            return RpcError::device_not_found(device_id);
        }
        let names = down.join(", ");
        RpcError::new(
            ErrorCode::GatewayUnavailable,
            format!(
                "Device {device_id} is not behind any gateway that answers; the gateway of site {names} cannot be reached and may hold it."
            ),
        )
        .with_data(json!({ "gateway": names, "deviceId": device_id }))
    }

    /// The client of `device_id`'s gateway.
    pub async fn client_for(&self, device_id: u32) -> Result<&GatewayClient, RpcError> {
        let i = self.site_of(device_id).await?;
        Ok(&self.inner.sites[i].client)
    }

    /// Runs a single-device call on the device's gateway; a gateway failure names its site.
    pub async fn on_device<'a, T, F, Fut>(&'a self, device_id: u32, call: F) -> Result<T, RpcError>
    where
        F: FnOnce(&'a GatewayClient) -> Fut,
        Fut: Future<Output = Result<T, RpcError>> + 'a,
    {
        let i = self.site_of(device_id).await?;
        let site = &self.inner.sites[i];
        call(&site.client).await.map_err(|e| site.tag(e))
    }

    /// Every device of every gateway, and (with several) how each gateway answered. With one
    /// gateway its failure is the call's error; with several, an unreachable gateway's devices
    /// are listed as last seen and marked.
    pub async fn list_devices(&self) -> Result<(Vec<Device>, Vec<GatewayState>), RpcError> {
        let answers = self.list().await;
        if !self.several() {
            let (devices, _) = answers.into_iter().next().unwrap_or((Ok(Vec::new()), 0));
            return devices.map(|d| (d, Vec::new()));
        }
        let mut all = Vec::new();
        let mut states = Vec::new();
        for ((answer, _), site) in answers.into_iter().zip(&self.inner.sites) {
            let name = site.name.clone().unwrap_or_default();
            let zone = site.zone.as_ref().map(|z| z.name().to_string());
            match answer {
                Ok(devices) => {
                    states.push(GatewayState {
                        name,
                        zone,
                        reachable: true,
                        message: None,
                        devices: devices.len() as u32,
                    });
                    all.extend(devices);
                }
                Err(e) => {
                    let last = site.seen().devices.clone();
                    let detail = transport_detail(&e).unwrap_or(&e.message).to_string();
                    let why = format!("{} cannot be reached: {detail}", site.label());
                    states.push(GatewayState {
                        name,
                        zone,
                        reachable: false,
                        message: Some(detail),
                        devices: last.len() as u32,
                    });
                    all.extend(last.into_iter().map(|mut d| {
                        d.status = ConnectionStatus::Error;
                        d.status_detail = Some(why.clone());
                        d
                    }));
                }
            }
        }
        Ok((all, states))
    }

    /// Lists every gateway at once, remembering what each said and which device is where.
    async fn list(&self) -> Vec<(Result<Vec<Device>, RpcError>, usize)> {
        join_all((0..self.inner.sites.len()).map(|i| async move { (self.list_site(i).await, i) }))
            .await
    }

    /// Lists one gateway's devices (tagged with its site), remembering what it said.
    pub async fn list_site(&self, i: usize) -> Result<Vec<Device>, RpcError> {
        let site = &self.inner.sites[i];
        let answer = gsdk::connect::list_devices(&site.client)
            .await
            .map_err(|e| site.tag(e))
            .map(|mut devices| {
                let zone = site.zone.as_ref().map(|z| z.name().to_string());
                for d in &mut devices {
                    d.site = site.name.clone();
                    d.zone = zone.clone();
                }
                devices
            });
        match &answer {
            Ok(devices) => {
                if self.several() {
                    let mut owners = self.owners();
                    for d in devices {
                        match owners.get(&d.device_id) {
                            Some(&other) if other != i => {
                                // Two gateways list one device ID (it moved, or two sites
                                // share a serial range): the one it is connected to wins.
                                let there =
                                    self.inner.sites[other].seen().devices.iter().any(|x| {
                                        x.device_id == d.device_id
                                            && x.status == ConnectionStatus::Connected
                                    });
                                tracing::warn!(
                                    device = d.device_id,
                                    "device listed by two gateways ({} and {})",
                                    self.inner.sites[other].label(),
                                    site.label()
                                );
                                if d.status == ConnectionStatus::Connected || !there {
                                    owners.insert(d.device_id, i);
                                }
                            }
                            _ => {
                                owners.insert(d.device_id, i);
                            }
                        }
                    }
                }
                let mut seen = site.seen();
                seen.devices = devices.clone();
                seen.down = None;
            }
            Err(e) => site.seen().down = Some(e.message.clone()),
        }
        answer
    }

    /// Splits `device_ids` by gateway, keeping request order inside each group; devices no
    /// gateway manages come back separately.
    pub async fn group(&self, device_ids: &[u32]) -> (Vec<(usize, Vec<u32>)>, Vec<u32>) {
        if !self.several() {
            return (vec![(0, device_ids.to_vec())], Vec::new());
        }
        if device_ids.iter().any(|&d| self.known_site_of(d).is_none()) {
            self.list().await;
        }
        let mut groups: Vec<(usize, Vec<u32>)> = Vec::new();
        let mut unknown = Vec::new();
        for &d in device_ids {
            match self.known_site_of(d) {
                Some(i) => match groups.iter_mut().find(|(s, _)| *s == i) {
                    Some((_, ids)) => ids.push(d),
                    None => groups.push((i, vec![d])),
                },
                None => unknown.push(d),
            }
        }
        (groups, unknown)
    }

    /// Runs a multi-device call once per gateway (all at once) and merges the rows in
    /// `device_ids` order. With several gateways, a failed group becomes failed rows for its
    /// devices and devices on no gateway get a "not found" row; with one, a failure is the
    /// call's error.
    pub async fn per_site<'a, T, F, Fut>(
        &'a self,
        device_ids: &[u32],
        call: F,
    ) -> Result<Vec<T>, RpcError>
    where
        T: DeviceRow,
        F: Fn(&'a GatewayClient, Vec<u32>) -> Fut,
        Fut: Future<Output = Result<Vec<T>, RpcError>> + 'a,
    {
        let (groups, unknown) = self.group(device_ids).await;
        let several = self.several();
        let answers = join_all(groups.into_iter().map(|(i, ids)| {
            let site = &self.inner.sites[i];
            let fut = call(&site.client, ids.clone());
            async move { (site, ids, fut.await) }
        }))
        .await;
        let mut rows: HashMap<u32, T> = HashMap::with_capacity(device_ids.len());
        for (site, ids, answer) in answers {
            match answer {
                Ok(list) => rows.extend(list.into_iter().map(|r| (r.device_id(), r))),
                Err(e) if several => {
                    let e = site.tag(e);
                    let code = match e.kind() {
                        Some(ErrorCode::GatewayUnavailable) => GRPC_UNAVAILABLE,
                        _ => e
                            .data
                            .as_ref()
                            .and_then(|d| d["grpcCode"].as_i64())
                            .and_then(|c| i32::try_from(c).ok())
                            .unwrap_or(GRPC_UNAVAILABLE),
                    };
                    rows.extend(ids.into_iter().map(|d| (d, T::failed(d, code, &e))));
                }
                Err(e) => return Err(e),
            }
        }
        for d in unknown {
            let e = self.unknown_device(d);
            let code = match e.kind() {
                Some(ErrorCode::GatewayUnavailable) => GRPC_UNAVAILABLE,
                _ => GRPC_NOT_FOUND,
            };
            rows.insert(d, T::failed(d, code, &e));
        }
        Ok(device_ids.iter().filter_map(|d| rows.remove(d)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> GatewayClient {
        GatewayClient::new("http://127.0.0.1:9", None).expect("lazy client")
    }

    #[tokio::test]
    async fn one_gateway_takes_every_device_without_lookups() {
        let g = Gateways::single(client());
        assert_eq!(g.known_site_of(123), Some(0));
        let (groups, unknown) = g.group(&[3, 1, 2]).await;
        assert_eq!(groups, vec![(0, vec![3, 1, 2])]);
        assert!(unknown.is_empty());
    }

    #[tokio::test]
    async fn several_gateways_group_known_devices_in_order() {
        let g = Gateways::new(vec![
            (Some("A".into()), client()),
            (Some("B".into()), client()),
        ]);
        g.note_owner(10, 0);
        g.note_owner(20, 1);
        g.note_owner(11, 0);
        let (groups, unknown) = g.group(&[20, 10, 11]).await;
        assert_eq!(groups, vec![(1, vec![20]), (0, vec![10, 11])]);
        assert!(unknown.is_empty());
        let rows: Vec<DeviceResult> = g
            .per_site(&[20, 10, 11], |_, ids| async move {
                Ok(ids.into_iter().map(DeviceResult::ok).collect())
            })
            .await
            .expect("rows");
        let order: Vec<u32> = rows.iter().map(|r| r.device_id).collect();
        assert_eq!(order, vec![20, 10, 11], "request order, not group order");
    }

    #[tokio::test]
    async fn a_failed_group_fails_only_its_devices_and_names_the_site() {
        let g = Gateways::new(vec![
            (Some("HQ".into()), client()),
            (Some("Warehouse".into()), client()),
        ]);
        g.note_owner(1, 0);
        g.note_owner(2, 1);
        let rows: Vec<DeviceResult> = g
            .per_site(&[1, 2], |gw, ids| {
                let down = std::ptr::eq(gw, &g.sites()[1].client);
                async move {
                    if down {
                        Err(crate::errors::gateway_unavailable("connection refused"))
                    } else {
                        Ok(ids.into_iter().map(DeviceResult::ok).collect())
                    }
                }
            })
            .await
            .expect("rows");
        assert!(rows[0].ok);
        assert!(!rows[1].ok);
        assert_eq!(rows[1].code, Some(GRPC_UNAVAILABLE));
        let msg = rows[1].message.clone().unwrap_or_default();
        assert!(msg.contains("site Warehouse"), "{msg}");
    }
}
