//! `plan`: what a desired-state file would change. Reads what each selected device holds
//! (pipelined on one socket), merges the file's sections over it, resolves schedule names per
//! device, checks the result with the one validation (`tna_types::validate_config`) and the
//! one eligibility rule (`tna_types::eligibility`), and lists the differences
//! (`tna_types::config_diff`). Pure functions ([`device_plan`], [`group`]) do the judging; [`read`]
//! does the reading.

use std::collections::BTreeMap;

use serde::Serialize;
use tna_types::dst::{FixZonesParams, ZoneFix, ZoneSettings};
use tna_types::limits::MAX_DEVICES_PER_CALL;
use tna_types::protocol::{DeviceParams, GetJobCodesParams, method};
use tna_types::{
    ConfigField, ConnectionStatus, Device, Ineligible, JobCode, Schedule, TnaConfig, TnaKey,
    UserJobCodes, config_diff, eligibility, validate_config,
};

use crate::client::{Client, ClientError};
use crate::desired::{DeviceDesired, TnaSpec, mode_name};

/// Requests one socket keeps in flight while reading.
pub const READ_WINDOW: usize = crate::client::MAX_WINDOW;

/// One difference, as `plan -o json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `tna`, `useJobCode`, `jobCodes` or `zone`.
    pub what: &'static str,
    /// The field: a `TnaConfig` JSON path (`labels[1]`), `useJobCode`, `jobCodes[USER]`,
    /// `utcOffset` or `dstSchedules`.
    pub field: String,
    /// What the device holds, as text.
    pub before: String,
    /// What it would hold.
    pub after: String,
}

impl Change {
    /// One line for people: `KEY_2 label: "Out" → "Leave"`.
    pub fn line(&self) -> String {
        format!("{}: {} → {}", self.title(), self.before, self.after)
    }

    fn title(&self) -> String {
        if self.what != "tna" {
            return self.field.clone();
        }
        let idx = |prefix: &str| {
            self.field
                .strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|n| n.parse::<usize>().ok())
        };
        if let Some(i) = idx("labels[") {
            format!("KEY_{} label", i + 1)
        } else if let Some(i) = idx("schedules[") {
            format!("KEY_{} schedule", i + 1)
        } else {
            match self.field.as_str() {
                "key" => "fixed key".into(),
                "isRequired" => "T&A required".into(),
                other => other.into(),
            }
        }
    }
}

/// What the writes of one device are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Writes {
    /// The whole config to write.
    pub tna: Option<TnaConfig>,
    /// `useJobCode` to set.
    pub use_job_code: Option<bool>,
    /// Users whose job-code lists to replace.
    pub job_codes: Vec<UserJobCodes>,
    /// Write the site zone's settings.
    pub fix_zone: bool,
}

impl Writes {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.tna.is_none()
            && self.use_job_code.is_none()
            && self.job_codes.is_empty()
            && !self.fix_zone
    }
}

/// The verdict for one device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// It holds what the file says.
    Same,
    /// It would change.
    Changes,
    /// It cannot take what the file says (nothing is written to it).
    Cannot,
}

/// A device's plan.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePlan {
    /// The device.
    pub device_id: u32,
    /// Its site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The verdict.
    pub state: State,
    /// What would change (empty unless `changes`).
    pub changes: Vec<Change>,
    /// Why it cannot take it (empty unless `cannot`).
    pub reasons: Vec<String>,
    /// What apply writes.
    #[serde(skip)]
    pub writes: Writes,
}

/// A broken rule of the file for one device: refused before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleError {
    /// The device.
    pub device_id: u32,
    /// The field (`TnaConfig` JSON path).
    pub field: String,
    /// The rule, in words.
    pub rule: String,
}

/// What was read from one device (each `None` when not needed; `Err` = the read failed).
#[derive(Debug, Clone, Default)]
pub struct Held {
    /// `tna.getConfig`.
    pub config: Option<Result<TnaConfig, String>>,
    /// `schedules.list`.
    pub schedules: Option<Result<Vec<Schedule>, String>>,
    /// `system.getJobCodeUse`.
    pub use_job_code: Option<Result<bool, String>>,
    /// `jobCodes.get` of the users the file names.
    pub job_codes: Option<Result<Vec<UserJobCodes>, String>>,
    /// `time.fixZones` dry run.
    pub zone: Option<Result<ZoneFix, String>>,
}

/// Why a device cannot take anything, from the device list alone.
pub fn unreachable(device: &Device) -> Option<String> {
    (device.status != ConnectionStatus::Connected).then(|| match &device.status_detail {
        Some(d) => format!("offline ({d})"),
        None => "offline".to_string(),
    })
}

/// The words for an ineligibility.
pub fn ineligible_text(why: Ineligible) -> &'static str {
    match why {
        Ineligible::NoTna => "no T&A support",
        Ineligible::Offline => "offline",
        Ineligible::NoKeypad => "the mode needs a keypad or screen, the device has none",
    }
}

/// The schedule's name for people (`none`, `Always`, or `#ID` when the device has no such one).
pub fn schedule_name(id: u32, schedules: &[Schedule]) -> String {
    if id == 0 {
        return "none".into();
    }
    schedules
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| format!("#{id}"), |s| format!("{:?}", s.name))
}

fn field_text(field: ConfigField, c: &TnaConfig, schedules: &[Schedule]) -> String {
    match field {
        ConfigField::Mode => mode_name(c.mode),
        ConfigField::Key => c.key.map_or_else(|| "none".into(), |k| k.to_string()),
        ConfigField::IsRequired => c.is_required.to_string(),
        ConfigField::Label(k) => format!("{:?}", c.labels[k.index()]),
        ConfigField::Schedule(k) => schedule_name(c.schedules[k.index()], schedules),
    }
}

/// `spec` over `held`, schedule names resolved on the device: the config to hold, or why not.
pub fn desired_config(
    spec: &TnaSpec,
    held: &TnaConfig,
    schedules: &[Schedule],
) -> Result<TnaConfig, String> {
    let mut c = held.clone();
    if let Some(m) = spec.mode {
        c.mode = m;
    }
    if let Some(k) = spec.fixed_key {
        c.key = k.and_then(|n| TnaKey::new(n).ok());
    }
    if let Some(r) = spec.required {
        c.is_required = r;
    }
    for (i, k) in spec.keys.iter().enumerate() {
        if let Some(l) = &k.label {
            c.labels[i].clone_from(l);
        }
        if let Some(name) = &k.schedule {
            c.schedules[i] = if name.is_empty() {
                0
            } else {
                schedules
                    .iter()
                    .find(|s| &s.name == name)
                    .map(|s| s.id)
                    .ok_or_else(|| {
                        format!(
                            "KEY_{}: schedule {name:?} does not exist on this device (it has {})",
                            i + 1,
                            schedules
                                .iter()
                                .map(|s| format!("{:?}", s.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?
            };
        }
    }
    Ok(c)
}

fn codes_text(codes: &[JobCode]) -> String {
    if codes.is_empty() {
        return "none".into();
    }
    codes
        .iter()
        .map(|c| format!("{} {:?}", c.code, c.label))
        .collect::<Vec<_>>()
        .join(", ")
}

fn zone_text(s: &ZoneSettings) -> String {
    let periods = s
        .schedules
        .iter()
        .map(|p| {
            format!(
                "{}-{:02}/{}→{}-{:02}/{} +{}s",
                p.start.year,
                p.start.month,
                ordinal_text(p.start.ordinal, p.start.weekday),
                p.end.year,
                p.end.month,
                ordinal_text(p.end.ordinal, p.end.weekday),
                p.offset_seconds
            )
        })
        .collect::<Vec<_>>();
    if periods.is_empty() {
        "no DST".into()
    } else {
        periods.join("; ")
    }
}

fn ordinal_text(ordinal: i8, weekday: u8) -> String {
    let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        .get(usize::from(weekday))
        .copied()
        .unwrap_or("?");
    if ordinal < 0 {
        format!("last {day}")
    } else {
        format!("{ordinal}. {day}")
    }
}

/// Judges one device: its plan, or the file's broken rules for it.
pub fn device_plan(
    device: &Device,
    want: &DeviceDesired,
    held: &Held,
) -> Result<DevicePlan, Vec<RuleError>> {
    let mut plan = DevicePlan {
        device_id: device.device_id,
        site: device.site.clone(),
        state: State::Same,
        changes: Vec::new(),
        reasons: Vec::new(),
        writes: Writes::default(),
    };
    let mut errors = Vec::new();
    if let Some(why) = unreachable(device) {
        plan.reasons.push(why);
    } else {
        if let Some(spec) = &want.tna {
            tna_part(device, spec, held, &mut plan, &mut errors);
        }
        if let Some(on) = want.use_job_code {
            if on && !device.job_code_supported {
                plan.reasons.push("useJobCode: no job-code support".into());
            } else {
                match &held.use_job_code {
                    Some(Ok(now)) if *now != on => {
                        plan.changes.push(Change {
                            what: "useJobCode",
                            field: "useJobCode".into(),
                            before: now.to_string(),
                            after: on.to_string(),
                        });
                        plan.writes.use_job_code = Some(on);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => plan
                        .reasons
                        .push(format!("useJobCode could not be read: {e}")),
                    None => plan.reasons.push("useJobCode was not read".into()),
                }
            }
        }
        if !want.job_codes.is_empty() {
            if !device.job_code_supported {
                plan.reasons.push("jobCodes: no job-code support".into());
            } else {
                match &held.job_codes {
                    Some(Ok(users)) => {
                        for (user, codes) in &want.job_codes {
                            let now = users
                                .iter()
                                .find(|u| &u.user_id == user)
                                .map(|u| u.job_codes.as_slice())
                                .unwrap_or(&[]);
                            if now != codes.as_slice() {
                                plan.changes.push(Change {
                                    what: "jobCodes",
                                    field: format!("jobCodes[{user}]"),
                                    before: codes_text(now),
                                    after: codes_text(codes),
                                });
                                plan.writes.job_codes.push(UserJobCodes {
                                    user_id: user.clone(),
                                    job_codes: codes.clone(),
                                });
                            }
                        }
                    }
                    Some(Err(e)) => plan
                        .reasons
                        .push(format!("job codes could not be read: {e}")),
                    None => plan.reasons.push("job codes were not read".into()),
                }
            }
        }
        if want.fix_zones {
            match &held.zone {
                Some(Ok(z)) if z.ok => {
                    if let (Some(before), Some(target)) = (&z.before, &z.target) {
                        if z.offset_changes {
                            plan.changes.push(Change {
                                what: "zone",
                                field: "utcOffset".into(),
                                before: tna_types::time::format_offset(before.utc_offset),
                                after: tna_types::time::format_offset(target.utc_offset),
                            });
                        }
                        if z.schedules_change {
                            plan.changes.push(Change {
                                what: "zone",
                                field: "dstSchedules".into(),
                                before: zone_text(before),
                                after: zone_text(target),
                            });
                        }
                        plan.writes.fix_zone = z.offset_changes || z.schedules_change;
                    }
                }
                Some(Ok(z)) => plan.reasons.push(format!(
                    "zone: {}",
                    z.message
                        .clone()
                        .unwrap_or_else(|| "cannot be judged".into())
                )),
                Some(Err(e)) => plan.reasons.push(format!("zone could not be read: {e}")),
                None => plan.reasons.push("zone was not read".into()),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !plan.reasons.is_empty() {
        plan.state = State::Cannot;
        plan.changes.clear();
        plan.writes = Writes::default();
    } else if !plan.changes.is_empty() {
        plan.state = State::Changes;
    }
    Ok(plan)
}

fn tna_part(
    device: &Device,
    spec: &TnaSpec,
    held: &Held,
    plan: &mut DevicePlan,
    errors: &mut Vec<RuleError>,
) {
    if !device.tna_supported {
        plan.reasons.push(ineligible_text(Ineligible::NoTna).into());
        return;
    }
    let (config, schedules) = match (&held.config, &held.schedules) {
        (Some(Ok(c)), Some(Ok(s))) => (c, s),
        (Some(Err(e)), _) | (_, Some(Err(e))) => {
            plan.reasons
                .push(format!("its T&A config could not be read: {e}"));
            return;
        }
        _ => {
            plan.reasons.push("its T&A config was not read".into());
            return;
        }
    };
    let desired = match desired_config(spec, config, schedules) {
        Ok(d) => d,
        Err(why) => {
            plan.reasons.push(why);
            return;
        }
    };
    let known: Vec<u32> = schedules.iter().map(|s| s.id).collect();
    if let Err(rules) = validate_config(&desired, Some(&known)) {
        errors.extend(rules.into_iter().map(|r| RuleError {
            device_id: device.device_id,
            field: r.field,
            rule: r.message,
        }));
        return;
    }
    if let Err(why) = eligibility(device, &desired) {
        plan.reasons.push(ineligible_text(why).into());
        return;
    }
    let diff = config_diff(config, &desired);
    if diff.is_empty() {
        return;
    }
    plan.changes.extend(diff.iter().map(|c| Change {
        what: "tna",
        field: c.field.path(),
        before: field_text(c.field, config, schedules),
        after: field_text(c.field, &desired, schedules),
    }));
    plan.writes.tna = Some(desired);
}

/// Devices with the same verdict and the same changes (or reasons), in first-seen order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The verdict.
    pub state: State,
    /// The devices.
    pub devices: Vec<u32>,
    /// The changes they share.
    pub changes: Vec<Change>,
    /// The reasons they share.
    pub reasons: Vec<String>,
}

/// Groups identical device plans, in first-seen order.
pub fn group(plans: &[DevicePlan]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for p in plans {
        match groups
            .iter_mut()
            .find(|g| g.state == p.state && g.changes == p.changes && g.reasons == p.reasons)
        {
            Some(g) => g.devices.push(p.device_id),
            None => groups.push(Group {
                state: p.state,
                devices: vec![p.device_id],
                changes: p.changes.clone(),
                reasons: p.reasons.clone(),
            }),
        }
    }
    groups
}

/// The counts of a plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Devices the file selects.
    pub selected: usize,
    /// Devices that would change.
    pub changes: usize,
    /// Devices already right.
    pub same: usize,
    /// Devices that cannot take it.
    pub cannot: usize,
    /// Devices of the relay no section selects (left alone).
    pub untouched: usize,
}

/// A whole plan.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Counts.
    pub summary: Summary,
    /// Identical device plans grouped.
    pub groups: Vec<Group>,
    /// Every selected device.
    pub devices: Vec<DevicePlan>,
}

impl Plan {
    /// From the device plans and the relay's device count.
    pub fn new(devices: Vec<DevicePlan>, listed: usize) -> Plan {
        let count = |s| devices.iter().filter(|p| p.state == s).count();
        let summary = Summary {
            selected: devices.len(),
            changes: count(State::Changes),
            same: count(State::Same),
            cannot: count(State::Cannot),
            untouched: listed.saturating_sub(devices.len()),
        };
        Plan {
            summary,
            groups: group(&devices),
            devices,
        }
    }

    /// Human output.
    pub fn render(&self) -> String {
        let s = &self.summary;
        let mut out = format!(
            "{} devices selected: {} to change, {} already right, {} cannot take it; {} not selected (left alone).\n",
            s.selected, s.changes, s.same, s.cannot, s.untouched
        );
        for g in &self.groups {
            let ids = id_list(&g.devices);
            match g.state {
                State::Changes => {
                    out.push_str(&format!(
                        "\n~ {} device(s) change: {ids}\n",
                        g.devices.len()
                    ));
                    for c in &g.changes {
                        out.push_str(&format!("    {}\n", c.line()));
                    }
                }
                State::Cannot => {
                    out.push_str(&format!(
                        "\n! {} device(s) cannot take it: {ids}\n",
                        g.devices.len()
                    ));
                    for r in &g.reasons {
                        out.push_str(&format!("    {r}\n"));
                    }
                }
                State::Same => {
                    out.push_str(&format!(
                        "\n= {} device(s) already right: {ids}\n",
                        g.devices.len()
                    ));
                }
            }
        }
        if s.changes == 0 {
            out.push_str("\nNothing to do.\n");
        }
        out
    }
}

/// `1, 2, 3` (the first 20, then `… and N more`).
pub fn id_list(ids: &[u32]) -> String {
    const SHOWN: usize = 20;
    let mut s = ids
        .iter()
        .take(SHOWN)
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOWN {
        s.push_str(&format!(" … and {} more", ids.len() - SHOWN));
    }
    s
}

/// Reads what the plan needs from every selected device that is connected.
pub fn read(
    client: &mut Client,
    targets: &[(Device, DeviceDesired)],
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<BTreeMap<u32, Held>, ClientError> {
    let mut held: BTreeMap<u32, Held> = BTreeMap::new();
    let live = |d: &Device| unreachable(d).is_none();
    let tna: Vec<u32> = targets
        .iter()
        .filter(|(d, w)| w.tna.is_some() && d.tna_supported && live(d))
        .map(|(d, _)| d.device_id)
        .collect();
    let params: Vec<DeviceParams> = tna
        .iter()
        .map(|&device_id| DeviceParams { device_id })
        .collect();
    let configs = client.call_many::<method::TnaGetConfig>(&params, READ_WINDOW, |_, n| {
        progress("T&A configs", n, params.len())
    })?;
    let schedules = client.call_many::<method::SchedulesList>(&params, READ_WINDOW, |_, n| {
        progress("schedules", n, params.len())
    })?;
    for ((id, c), s) in tna.iter().zip(configs).zip(schedules) {
        let h = held.entry(*id).or_default();
        h.config = Some(c.map(|r| r.config).map_err(|e| e.message));
        h.schedules = Some(s.map(|r| r.schedules).map_err(|e| e.message));
    }
    let jc: Vec<u32> = targets
        .iter()
        .filter(|(d, w)| w.use_job_code.is_some() && d.job_code_supported && live(d))
        .map(|(d, _)| d.device_id)
        .collect();
    let params: Vec<DeviceParams> = jc
        .iter()
        .map(|&device_id| DeviceParams { device_id })
        .collect();
    let uses = client.call_many::<method::SystemGetJobCodeUse>(&params, READ_WINDOW, |_, n| {
        progress("useJobCode", n, params.len())
    })?;
    for (id, u) in jc.iter().zip(uses) {
        held.entry(*id).or_default().use_job_code =
            Some(u.map(|r| r.enabled).map_err(|e| e.message));
    }
    let codes: Vec<(u32, Vec<String>)> = targets
        .iter()
        .filter(|(d, w)| !w.job_codes.is_empty() && d.job_code_supported && live(d))
        .map(|(d, w)| (d.device_id, w.job_codes.keys().cloned().collect()))
        .collect();
    let params: Vec<GetJobCodesParams> = codes
        .iter()
        .map(|(device_id, user_ids)| GetJobCodesParams {
            device_id: *device_id,
            user_ids: user_ids.clone(),
        })
        .collect();
    let got = client.call_many::<method::JobCodesGet>(&params, READ_WINDOW, |_, n| {
        progress("job codes", n, params.len())
    })?;
    for ((id, _), g) in codes.iter().zip(got) {
        held.entry(*id).or_default().job_codes = Some(g.map(|r| r.users).map_err(|e| e.message));
    }
    let zones: Vec<u32> = targets
        .iter()
        .filter(|(d, w)| w.fix_zones && live(d))
        .map(|(d, _)| d.device_id)
        .collect();
    let params: Vec<FixZonesParams> = zones
        .chunks(MAX_DEVICES_PER_CALL)
        .map(|c| FixZonesParams {
            device_ids: c.to_vec(),
            dry_run: true,
        })
        .collect();
    let got = client.call_many::<method::TimeFixZones>(&params, READ_WINDOW, |_, n| {
        progress("zones", n, params.len())
    })?;
    for (chunk, g) in zones.chunks(MAX_DEVICES_PER_CALL).zip(got) {
        match g {
            Ok(r) => {
                for fix in r.fixes {
                    let id = fix.device_id;
                    held.entry(id).or_default().zone = Some(Ok(fix));
                }
            }
            Err(e) => {
                for &id in chunk {
                    held.entry(id).or_default().zone = Some(Err(e.message.clone()));
                }
            }
        }
    }
    Ok(held)
}

/// Judges every target: the plan, or every broken rule.
pub fn judge(
    targets: &[(Device, DeviceDesired)],
    held: &BTreeMap<u32, Held>,
    listed: usize,
) -> Result<Plan, Vec<RuleError>> {
    let empty = Held::default();
    let mut plans = Vec::new();
    let mut errors = Vec::new();
    for (d, w) in targets {
        match device_plan(d, w, held.get(&d.device_id).unwrap_or(&empty)) {
            Ok(p) => plans.push(p),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(Plan::new(plans, listed))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::{KeySpec, parse, resolve};

    fn device(id: u32, keypad: bool, job_codes: bool) -> Device {
        Device {
            has_keypad: Some(keypad),
            job_code_supported: job_codes,
            ..crate::desired::tests::device(id, "HQ", "X", None, &[])
        }
    }

    fn schedules() -> Vec<Schedule> {
        vec![
            Schedule {
                id: 1,
                name: "Always".into(),
            },
            Schedule {
                id: 2,
                name: "Office hours".into(),
            },
        ]
    }

    fn held(config: TnaConfig) -> Held {
        Held {
            config: Some(Ok(config)),
            schedules: Some(Ok(schedules())),
            ..Held::default()
        }
    }

    fn by_user() -> TnaConfig {
        let mut c = TnaConfig {
            mode: tna_types::TnaMode::ByUser,
            ..TnaConfig::default()
        };
        c.labels[0] = "In".into();
        c.labels[1] = "Out".into();
        c
    }

    #[test]
    fn only_named_fields_change_and_schedules_resolve_by_name() {
        let mut spec = TnaSpec::default();
        spec.keys[1] = KeySpec {
            label: Some("Leave".into()),
            schedule: Some("Office hours".into()),
        };
        let d = desired_config(&spec, &by_user(), &schedules()).unwrap();
        assert_eq!(d.labels[0], "In");
        assert_eq!(d.labels[1], "Leave");
        assert_eq!(d.schedules[1], 2);
        spec.keys[1].schedule = Some("Night".into());
        let e = desired_config(&spec, &by_user(), &schedules()).unwrap_err();
        assert!(e.contains("KEY_2") && e.contains("\"Night\""), "{e}");
    }

    #[test]
    fn plan_says_what_changes_and_who_cannot() {
        let f = parse(
            "t.toml",
            "[[section]]\nselect = { all = true }\n[section.tna]\nkeys.2 = { label = \"Leave\", schedule = \"Office hours\" }\n",
        )
        .unwrap();
        let devs = vec![
            device(1, true, false),
            device(2, true, false),
            device(3, true, false),
        ];
        let targets = resolve(&f, &devs);
        let mut reads = BTreeMap::new();
        reads.insert(1, held(by_user()));
        let mut right = by_user();
        right.labels[1] = "Leave".into();
        right.schedules[1] = 2;
        reads.insert(2, held(right));
        reads.insert(
            3,
            Held {
                schedules: Some(Ok(vec![Schedule {
                    id: 1,
                    name: "Always".into(),
                }])),
                ..held(by_user())
            },
        );
        let plan = judge(&targets, &reads, 5).unwrap();
        assert_eq!(
            plan.summary,
            Summary {
                selected: 3,
                changes: 1,
                same: 1,
                cannot: 1,
                untouched: 2
            }
        );
        let lines: Vec<String> = plan.devices[0].changes.iter().map(Change::line).collect();
        assert_eq!(
            lines,
            [
                "KEY_2 label: \"Out\" → \"Leave\"",
                "KEY_2 schedule: none → \"Office hours\""
            ]
        );
        assert_eq!(plan.devices[0].writes.tna.as_ref().unwrap().schedules[1], 2);
        assert_eq!(plan.devices[1].state, State::Same);
        assert_eq!(plan.devices[2].state, State::Cannot);
        assert!(
            plan.devices[2].reasons[0].contains("Office hours"),
            "{:?}",
            plan.devices[2].reasons
        );
        assert!(plan.devices[2].writes.is_empty());
        let text = plan.render();
        assert!(text.contains("~ 1 device(s) change: 1\n"), "{text}");
    }

    #[test]
    fn broken_rules_name_device_and_field_and_keypads_are_checked() {
        let f = parse(
            "t.toml",
            "[[section]]\nselect = { ids = [1, 4] }\n[section.tna]\nmode = \"fixed\"\n",
        )
        .unwrap();
        let devs = vec![device(1, true, false)];
        let targets = resolve(&f, &devs);
        let mut reads = BTreeMap::new();
        reads.insert(1, held(by_user()));
        let errs = judge(&targets, &reads, 1).unwrap_err();
        assert_eq!(errs[0].device_id, 1);
        assert_eq!(errs[0].field, "key");
        assert!(errs[0].rule.contains("Fixed mode needs a key"), "{errs:?}");

        let f = parse(
            "t.toml",
            "[[section]]\nselect = { all = true }\n[section.tna]\nmode = \"byUser\"\n",
        )
        .unwrap();
        let devs = vec![device(4, false, false)];
        let mut reads = BTreeMap::new();
        reads.insert(4, held(TnaConfig::default()));
        let plan = judge(&resolve(&f, &devs), &reads, 1).unwrap();
        assert_eq!(plan.devices[0].state, State::Cannot);
        assert_eq!(
            plan.devices[0].reasons,
            [ineligible_text(Ineligible::NoKeypad)]
        );
    }

    #[test]
    fn identical_plans_group() {
        let f = parse(
            "t.toml",
            "[[section]]\nselect = { all = true }\nuse_job_code = true\n",
        )
        .unwrap();
        let devs = vec![
            device(1, true, true),
            device(2, true, true),
            device(3, true, false),
        ];
        let mut reads = BTreeMap::new();
        for id in [1, 2] {
            reads.insert(
                id,
                Held {
                    use_job_code: Some(Ok(false)),
                    ..Held::default()
                },
            );
        }
        let plan = judge(&resolve(&f, &devs), &reads, 3).unwrap();
        assert_eq!(plan.groups.len(), 2);
        assert_eq!(plan.groups[0].devices, [1, 2]);
        assert_eq!(plan.groups[0].changes[0].line(), "useJobCode: false → true");
        assert_eq!(plan.groups[1].state, State::Cannot);
        let v = serde_json::to_value(&plan).unwrap();
        assert_eq!(v["summary"]["changes"], 2);
        assert_eq!(v["devices"][0]["changes"][0]["what"], "useJobCode");
        assert_eq!(v["devices"][2]["state"], "cannot");
    }
}
