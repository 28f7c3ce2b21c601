//! The shared simulated state: every device with its profile, faults, configs and event log.
//!
//! Locking: ONE mutex per device ([`DeviceSlot::state`]), never a global one, so Multi calls
//! touching different devices really run in parallel. Fault switches and the monitoring flag are
//! atomics beside the lock so a latency or offline check never waits for another request.
//! The mutex is a `std` one: it is held only for short, non-async sections (the compiler refuses
//! to hold its guard across an `.await` in our Send futures) and lets sync control calls such as
//! [`Gateway::append_punch`] work from anywhere.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gsdk_proto::connect::StatusChange;
use gsdk_proto::device::CapabilityInfo;
use gsdk_proto::event::EventLog;
use gsdk_proto::schedule::ScheduleInfo;
use gsdk_proto::system::SystemConfig;
use gsdk_proto::time::DstSchedule;
use gsdk_proto::tna::{JobCode, JobCodeLog, TnaConfig, TnaLog};

use crate::SimConfig;
use crate::fanout::Fanout;
use crate::punches::{DeviceLog, LogRecord, history};
use crate::seed::{self, Model, Rng, SeededDevice, ZoneSeed};
use crate::workforce::{Plan, Workforce};

/// People enrolled on a T&A device that nobody calls home (so tests can punch there).
const VISITORS: usize = 5;

/// A user enrolled on a device.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EnrolledUser {
    /// The name the device holds (empty: none, or the device keeps no names).
    pub name: String,
    /// Job codes the user may choose there.
    pub job_codes: Vec<JobCode>,
}

/// What a device is; fixed for the life of the gateway.
#[derive(Debug)]
pub(crate) struct DeviceProfile {
    /// Device ID (the serial number on the label).
    pub id: u32,
    /// Hardware model.
    pub model: &'static Model,
    /// LAN address string reported in `DeviceInfo.IPAddr`.
    pub ip: String,
    /// Reported capabilities.
    pub caps: CapabilityInfo,
}

/// Switches tests flip at runtime (see `faults.rs`), plus the monitoring flag.
#[derive(Debug, Default)]
pub(crate) struct DeviceFlags {
    /// The device is disconnected from the gateway.
    pub offline: AtomicBool,
    /// Every call on the device sleeps this many milliseconds first.
    pub latency_ms: AtomicU64,
    /// TNA SetConfig / SetConfigMulti fail for the device.
    pub fail_set_config: AtomicBool,
    /// Time SetConfig / SetDSTConfig (and their Multi forms) fail for the device.
    pub fail_set_time: AtomicBool,
    /// EnableMonitoring is on: new events go to SubscribeRealtimeLog streams.
    pub monitoring: AtomicBool,
}

/// Everything about a device that requests can change.
#[derive(Debug)]
pub(crate) struct DeviceState {
    /// T&A config; `None` on devices without T&A support.
    pub tna_config: Option<TnaConfig>,
    /// System config (useJobCode, time zone, ...). Its `timeZone`/`syncTime` are the Time
    /// service's `TimeConfig` (one setting on a device).
    pub system: SystemConfig,
    /// DST schedules (`Time.GetDSTConfig`); empty on devices without DST support.
    pub dst: Vec<DstSchedule>,
    /// Enrolled users (name, job codes), keyed by user ID.
    pub users: BTreeMap<String, EnrolledUser>,
    /// Schedules on the device (without the predefined ID 1).
    pub schedules: Vec<ScheduleInfo>,
    /// The event log.
    pub log: DeviceLog,
    /// Randomness for punches appended at runtime (per device, so it needs no global lock).
    pub rng: Rng,
    /// How far the device's clock is ahead of real time (seconds; negative = behind).
    pub clock_offset: i64,
}

/// One simulated device: immutable profile, lock-free flags, locked state.
#[derive(Debug)]
pub(crate) struct DeviceSlot {
    /// Immutable description.
    pub profile: DeviceProfile,
    /// Faults and monitoring flag.
    pub flags: DeviceFlags,
    state: Mutex<DeviceState>,
}

impl DeviceSlot {
    /// Locks the device state. A poisoned lock only means another request panicked mid-way;
    /// the data is still usable for a simulator, so we take it over instead of panicking too.
    pub(crate) fn lock(&self) -> MutexGuard<'_, DeviceState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the device is currently connected.
    pub(crate) fn online(&self) -> bool {
        !self.flags.offline.load(Ordering::Relaxed)
    }

    /// The latency fault currently configured.
    pub(crate) fn latency(&self) -> Duration {
        Duration::from_millis(self.flags.latency_ms.load(Ordering::Relaxed))
    }
}

/// State shared by every clone of a [`Gateway`].
pub(crate) struct Shared {
    /// Configuration the gateway was built from.
    pub cfg: SimConfig,
    /// The site's time zone, when `cfg.zone` names one the tz database knows.
    pub zone: Option<jiff::tz::TimeZone>,
    /// Devices in list order.
    pub slots: Vec<DeviceSlot>,
    /// Device ID → index into `slots`.
    index: HashMap<u32, usize>,
    /// Open SubscribeRealtimeLog streams.
    pub realtime: Fanout<EventLog>,
    /// Open SubscribeStatus streams.
    pub status: Fanout<StatusChange>,
    /// The site's workforce.
    pub plan: Plan,
    /// Where the generated history ends (Unix seconds): the live generator records the plan's
    /// punches from here on.
    pub history_end: u32,
}

/// Cheap, cloneable handle to the simulated gateway: its devices, their data and the fault
/// switches. The gRPC services and the control API all work on the same state.
#[derive(Clone)]
pub struct Gateway {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("devices", &self.shared.slots.len())
            .field("seed", &self.shared.cfg.seed)
            .finish()
    }
}

/// Current Unix time in seconds (0 if the clock is before 1970, u32::MAX after 2106).
pub(crate) fn unix_now() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs).unwrap_or(u32::MAX)
}

impl Gateway {
    /// Builds the simulated site from `cfg` with the default [`Workforce`].
    pub fn new(cfg: SimConfig) -> Gateway {
        Gateway::with_workforce(cfg, Workforce::default())
    }

    /// Builds the simulated site from `cfg`: devices, configs, the workforce (its people are the
    /// devices' users) and its history up to now.
    ///
    /// Deterministic for a seed and a moment: the history is the plan's punches before the time
    /// of the build (each device keeps its newest `logs_per_device`).
    pub fn with_workforce(cfg: SimConfig, workforce: Workforce) -> Gateway {
        Gateway::with_history_end(cfg, workforce, unix_now())
    }

    /// As [`Gateway::with_workforce`], with the history ending at `history_end` (Unix seconds)
    /// instead of now: the live generator then records the plan's punches from there on, at
    /// once those already due (at most 2,000 per tick) — a gateway catching up, or a test that
    /// wants planned punches to stream without waiting for working hours.
    pub fn with_history_end(cfg: SimConfig, workforce: Workforce, history_end: u32) -> Gateway {
        let started = std::time::Instant::now();
        let site = seed::site_devices(cfg.seed, cfg.devices as usize, cfg.first_device_id);
        let plan = Plan::from_devices(&cfg, &workforce, &site);
        let histories = history(&plan, cfg.logs_per_device, history_end);
        let zone = site_zone(&cfg);
        let models: Vec<&'static Model> = site.iter().map(|d| d.model).collect();
        let zones = SiteZone::new(zone.as_ref(), &mut Rng::new(cfg.seed, 3), &models);
        let slots = build_devices(&cfg, site, &plan, histories, &zones);
        let index = slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.profile.id, i))
            .collect();
        tracing::debug!(
            devices = slots.len(),
            people = plan.people().len(),
            seed = cfg.seed,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "simulated gateway built"
        );
        Gateway {
            shared: Arc::new(Shared {
                cfg,
                zone,
                slots,
                index,
                realtime: Fanout::new(),
                status: Fanout::new(),
                plan,
                history_end,
            }),
        }
    }

    /// The site's workforce plan: who works where and what they punch.
    pub fn plan(&self) -> &Plan {
        &self.shared.plan
    }

    /// The device with this ID, if the gateway manages it.
    pub(crate) fn slot(&self, device_id: u32) -> Option<&DeviceSlot> {
        let i = *self.shared.index.get(&device_id)?;
        self.shared.slots.get(i)
    }

    /// All devices in list order.
    pub(crate) fn slots(&self) -> &[DeviceSlot] {
        &self.shared.slots
    }

    /// The configuration this gateway was built from.
    pub fn config(&self) -> &SimConfig {
        &self.shared.cfg
    }

    /// Device IDs in `GetDeviceList` order.
    pub fn device_ids(&self) -> Vec<u32> {
        self.shared.slots.iter().map(|s| s.profile.id).collect()
    }

    /// Current T&A config of a device (`None` for unknown devices and devices without T&A).
    pub fn tna_config(&self, device_id: u32) -> Option<TnaConfig> {
        self.slot(device_id)?.lock().tna_config.clone()
    }

    /// Replaces a device's T&A config directly, as if someone changed it at the device (tests use
    /// it to make configs drift behind a client's back). Returns `false`, changing nothing, for
    /// unknown devices and devices without T&A.
    pub fn set_tna_config(&self, device_id: u32, config: TnaConfig) -> bool {
        let Some(slot) = self.slot(device_id) else {
            return false;
        };
        let mut st = slot.lock();
        match st.tna_config.as_mut() {
            Some(held) => {
                *held = config;
                true
            }
            None => false,
        }
    }

    /// Number of records in the device's event log (`None` for unknown devices).
    pub fn log_count(&self, device_id: u32) -> Option<usize> {
        Some(self.slot(device_id)?.lock().log.len())
    }

    /// The device's time zone (`SystemConfig.timeZone`, seconds east of UTC).
    pub fn time_zone(&self, device_id: u32) -> Option<i32> {
        Some(self.slot(device_id)?.lock().system.time_zone)
    }

    /// Whether the device supports T&A (`None` for unknown devices).
    pub fn tna_supported(&self, device_id: u32) -> Option<bool> {
        Some(self.slot(device_id)?.profile.model.tna)
    }

    /// Whether the device supports job codes (`None` for unknown devices).
    pub fn job_code_supported(&self, device_id: u32) -> Option<bool> {
        Some(self.slot(device_id)?.profile.model.job_code)
    }

    /// How far the device's clock is ahead of real time, in seconds (`None` for unknown devices).
    pub fn clock_offset(&self, device_id: u32) -> Option<i64> {
        Some(self.slot(device_id)?.lock().clock_offset)
    }

    /// Puts the device's clock `offset` seconds ahead of real time (tests make clocks drift).
    pub fn set_clock_offset(&self, device_id: u32, offset: i64) -> bool {
        let Some(slot) = self.slot(device_id) else {
            return false;
        };
        slot.lock().clock_offset = offset;
        true
    }

    /// The device's DST schedules (`None` for unknown devices).
    pub fn dst_schedules(&self, device_id: u32) -> Option<Vec<DstSchedule>> {
        Some(self.slot(device_id)?.lock().dst.clone())
    }

    /// Replaces a device's time zone offset and DST schedules directly, as if someone changed
    /// them at the device (no validation). Returns `false` for unknown devices.
    pub fn set_zone_settings(&self, device_id: u32, offset: i32, dst: Vec<DstSchedule>) -> bool {
        let Some(slot) = self.slot(device_id) else {
            return false;
        };
        let mut st = slot.lock();
        st.system.time_zone = offset;
        st.dst = dst;
        true
    }

    /// The site's time zone (`SimConfig::zone`) when the tz database knows it.
    pub fn site_zone(&self) -> Option<&str> {
        self.shared
            .zone
            .as_ref()
            .and(self.shared.cfg.zone.as_deref())
    }

    /// The device's local wall time now, as Unix seconds of that wall clock: its clock, plus its
    /// `timeZone`, plus the offset of the DST schedule it is in (WeekTimes read as UTC wall
    /// time, see `dst.rs`). `None` for unknown devices.
    pub fn local_time(&self, device_id: u32) -> Option<i64> {
        let st = self.slot(device_id)?.lock();
        let utc = i64::from(unix_now()) + st.clock_offset;
        let dst =
            jiff::Timestamp::from_second(utc).map_or(0, |now| crate::dst::offset_at(&st.dst, now));
        Some(utc + i64::from(st.system.time_zone) + i64::from(dst))
    }

    /// The device's `device.Type` wire value (`None` for unknown devices).
    pub fn device_type(&self, device_id: u32) -> Option<i32> {
        Some(self.slot(device_id)?.profile.model.ty as i32)
    }
}

/// The site's zone from `cfg.zone` (a name the tz database does not know is logged and ignored).
fn site_zone(cfg: &SimConfig) -> Option<jiff::tz::TimeZone> {
    let name = cfg.zone.as_deref()?;
    match jiff::tz::TimeZone::get(name) {
        Ok(tz) => Some(tz),
        Err(e) => {
            tracing::warn!(zone = name, "unknown time zone, devices get none: {e}");
            None
        }
    }
}

/// What the devices of a site with a zone start with: per device how it stands against the zone,
/// and the zone's settings for this year and the last (the year of the build, UTC).
struct SiteZone {
    seeds: Vec<ZoneSeed>,
    standard: i32,
    this_year: Vec<DstSchedule>,
    last_year: Vec<DstSchedule>,
}

impl SiteZone {
    fn new(zone: Option<&jiff::tz::TimeZone>, rng: &mut Rng, models: &[&'static Model]) -> Self {
        let Some(tz) = zone else {
            return SiteZone {
                seeds: Vec::new(),
                standard: 0,
                this_year: Vec::new(),
                last_year: Vec::new(),
            };
        };
        let year = jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .year();
        let (standard, this_year) = crate::dst::zone_settings(tz, year);
        let (_, last_year) = crate::dst::zone_settings(tz, year - 1);
        SiteZone {
            seeds: seed::zone_seeds(rng, models),
            standard,
            this_year,
            last_year,
        }
    }

    /// Sets device `i`'s offset in `system` and returns its DST schedules (nothing without a
    /// site zone: the drawn offset stays).
    fn apply(&self, i: usize, model: &Model, system: &mut SystemConfig) -> Vec<DstSchedule> {
        let Some(&kind) = self.seeds.get(i) else {
            return Vec::new();
        };
        system.time_zone = match kind {
            ZoneSeed::WrongOffset => self.standard + 3_600,
            _ => self.standard,
        };
        if !seed::dst_supported(model) {
            return Vec::new();
        }
        match kind {
            ZoneSeed::Right | ZoneSeed::WrongOffset => self.this_year.clone(),
            ZoneSeed::NoDst => Vec::new(),
            ZoneSeed::LastYear => self.last_year.clone(),
        }
    }
}

/// Builds every device from its seeded configs, its users (the people who call it home, or a
/// few visitors) and its history.
fn build_devices(
    cfg: &SimConfig,
    site: Vec<SeededDevice>,
    plan: &Plan,
    histories: Vec<Vec<LogRecord>>,
    zones: &SiteZone,
) -> Vec<DeviceSlot> {
    let residents = plan.residents();
    let mut histories: Vec<Option<Vec<LogRecord>>> = histories.into_iter().map(Some).collect();
    let mut by_slot: HashMap<usize, usize> = HashMap::new();
    for (k, d) in plan.devices().iter().enumerate() {
        by_slot.insert(d.slot, k);
    }
    site.into_iter()
        .map(|d| {
            let k = by_slot.get(&d.index).copied();
            let records = k
                .and_then(|k| histories.get_mut(k).and_then(Option::take))
                .unwrap_or_default();
            let people: &[usize] = k.and_then(|k| residents.get(k)).map_or(&[], Vec::as_slice);
            build_device(cfg, d, plan, people, records, zones)
        })
        .collect()
}

/// Builds one device.
fn build_device(
    cfg: &SimConfig,
    d: SeededDevice,
    plan: &Plan,
    residents: &[usize],
    records: Vec<LogRecord>,
    zones: &SiteZone,
) -> DeviceSlot {
    let SeededDevice {
        index: i,
        id,
        model,
        mut system,
        tna: tna_config,
        first_log_id,
    } = d;
    let dst = zones.apply(i, model, &mut system);
    let caps = seed::capability(model);
    let mut users = BTreeMap::new();
    if model.tna {
        let visitors: Vec<usize> = (0..plan.people().len().min(VISITORS)).collect();
        let enrolled = if residents.is_empty() {
            &visitors
        } else {
            residents
        };
        for &p in enrolled {
            let Some(person) = plan.people().get(p) else {
                continue;
            };
            let name = if caps.user_name_supported {
                person.name.clone().unwrap_or_default()
            } else {
                String::new()
            };
            let job_codes = if model.job_code {
                person.job_codes.clone()
            } else {
                Vec::new()
            };
            users.insert(person.user_id.clone(), EnrolledUser { name, job_codes });
        }
    }
    let log = DeviceLog::from_records(first_log_id, records);
    DeviceSlot {
        profile: DeviceProfile {
            id,
            model,
            ip: seed::device_ip(i),
            caps,
        },
        flags: DeviceFlags::default(),
        state: Mutex::new(DeviceState {
            tna_config,
            system,
            dst,
            users,
            schedules: seed::schedules(),
            log,
            rng: Rng::new(cfg.seed, 2_000_000 + i as u64),
            // Its own stream, so adding clocks left every other seeded value as it was.
            clock_offset: seed::clock_offset(&mut Rng::new(cfg.seed, 50_000 + i as u64)),
        }),
    }
}

impl Gateway {
    /// The device's T&A log as GetTNALog would return it (`None` for unknown or non-T&A devices);
    /// lets tests compare logs without a client.
    pub fn tna_logs(
        &self,
        device_id: u32,
        start_event_id: u32,
        max_num_of_log: u32,
    ) -> Option<Vec<TnaLog>> {
        let slot = self.slot(device_id)?;
        if !slot.profile.model.tna {
            return None;
        }
        let st = slot.lock();
        Some(
            st.log
                .starting_at(start_event_id, max_num_of_log)
                .iter()
                .map(|r| r.to_tna(device_id))
                .collect(),
        )
    }

    /// The device's job-code log as GetJobCodeLog would return it (`None` for unknown devices
    /// and devices without job codes).
    pub fn job_code_logs(
        &self,
        device_id: u32,
        start_event_id: u32,
        max_num_of_log: u32,
    ) -> Option<Vec<JobCodeLog>> {
        let slot = self.slot(device_id)?;
        if !slot.profile.model.tna || !slot.profile.model.job_code {
            return None;
        }
        let st = slot.lock();
        Some(
            st.log
                .job_codes_starting_at(start_event_id, max_num_of_log)
                .map(|r| r.to_job_code(device_id))
                .collect(),
        )
    }

    /// A user's job codes on a device (`None` for unknown devices and users).
    pub fn user_job_codes(&self, device_id: u32, user_id: &str) -> Option<Vec<JobCode>> {
        self.slot(device_id)?
            .lock()
            .users
            .get(user_id)
            .map(|u| u.job_codes.clone())
    }
}
