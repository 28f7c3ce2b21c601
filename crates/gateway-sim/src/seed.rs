//! Deterministic sample data: the PRNG, the device model table and the seeded configs, users,
//! job codes and schedules every simulated device starts with.
//!
//! Nothing here reads the clock: the same seed always yields the same site.

use gsdk_proto::device::{CapabilityInfo, Type as DeviceType};
use gsdk_proto::schedule::{DaySchedule, ScheduleInfo, TimePeriod, WeeklySchedule, schedule_info};
use gsdk_proto::system::{CameraFrequency, SystemConfig};
use gsdk_proto::tna::{JobCode, Key, Mode, TnaConfig};

/// SplitMix64: tiny, fast and good enough for sample data; keeps us free of `rand` versions.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for one purpose (`stream`) derived from the user's seed, so adding a new
    /// consumer of randomness does not shift every other generated value.
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        Rng(seed ^ stream.wrapping_mul(0xD134_2543_DE82_EF95))
    }

    /// Next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n == 0` yields 0). Modulo bias is irrelevant for sample data.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            0
        } else {
            (self.next_u64() % u64::from(n)) as u32
        }
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// A uniformly chosen element (`None` for an empty slice).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let len = u32::try_from(items.len()).unwrap_or(u32::MAX);
        items.get(self.below(len) as usize)
    }
}

/// One device model as the simulator knows it: what the hardware can do.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Model {
    /// Wire `device.Type`.
    pub ty: DeviceType,
    /// Supports T&A (`CapabilityInfo.TNASupported`).
    pub tna: bool,
    /// Supports job codes (`CapabilityInfo.jobCodeSupported`).
    pub job_code: bool,
    /// Has a screen/keypad so users can pick a T&A key themselves.
    pub keypad: bool,
    /// Face authentication.
    pub face: bool,
    /// Fingerprint authentication.
    pub finger: bool,
    /// QR / barcode reader.
    pub qr: bool,
    /// `CapabilityInfo.maxNumOfUser`.
    pub max_users: u32,
    /// Relative frequency in a generated site.
    weight: u32,
}

#[allow(clippy::too_many_arguments)] // a positional row keeps the model table readable
const fn model(
    ty: DeviceType,
    tna: bool,
    job_code: bool,
    keypad: bool,
    face: bool,
    finger: bool,
    qr: bool,
    max_users: u32,
    weight: u32,
) -> Model {
    Model {
        ty,
        tna,
        job_code,
        keypad,
        face,
        finger,
        qr,
        max_users,
        weight,
    }
}

/// The models a generated site is drawn from. Terminals first; the two I/O modules at the end
/// have no T&A support at all, which exercises the console's FAILED_PRECONDITION path.
#[rustfmt::skip]
pub(crate) const MODELS: &[Model] = &[
    //     type                         tna   job    keypad face   finger qr     users    weight
    model(DeviceType::BiostationA2,    true, true,  true,  false, true,  false, 500_000, 6),
    model(DeviceType::Biostation3,     true, true,  true,  true,  false, true,  100_000, 5),
    model(DeviceType::FacestationF2,   true, true,  true,  true,  true,  false, 100_000, 5),
    model(DeviceType::Xstation2,       true, true,  true,  false, false, true,  500_000, 4),
    model(DeviceType::BioliteN2,       true, false, true,  false, true,  false, 500_000, 4),
    model(DeviceType::XpassD2,         true, false, false, false, false, false, 50_000,  3),
    model(DeviceType::BioentryW2,      true, false, false, false, true,  false, 500_000, 3),
    model(DeviceType::SecureIo2,       false, false, false, false, false, false, 0,     1),
    model(DeviceType::DoorModule20,    false, false, false, false, false, false, 0,     1),
];

/// Index into [`MODELS`] of the first device of every site (a full-featured terminal).
const FIRST_MODEL: usize = 0;
/// Index into [`MODELS`] forced onto the last device when the draw produced no non-T&A device.
const NO_TNA_MODEL: usize = 7;
/// Index into [`MODELS`] forced onto device 1 when the draw produced no T&A device without job codes.
const NO_JOB_MODEL: usize = 5;

/// Picks the model of every device. Device 0 is always a BioStation A2 and, for sites of four
/// devices or more, at least one device lacks T&A and one has T&A without job codes, so tests
/// can rely on finding each kind for any seed.
pub(crate) fn pick_models(rng: &mut Rng, count: usize) -> Vec<&'static Model> {
    let total: u32 = MODELS.iter().map(|m| m.weight).sum();
    let mut out: Vec<&'static Model> = (0..count)
        .map(|i| {
            if i == FIRST_MODEL {
                return &MODELS[FIRST_MODEL];
            }
            let mut r = rng.below(total);
            MODELS
                .iter()
                .find(|m| {
                    if r < m.weight {
                        true
                    } else {
                        r -= m.weight;
                        false
                    }
                })
                .unwrap_or(&MODELS[FIRST_MODEL])
        })
        .collect();
    if count >= 4 {
        if !out.iter().any(|m| !m.tna) {
            out[count - 1] = &MODELS[NO_TNA_MODEL];
        }
        if !out.iter().any(|m| m.tna && !m.job_code) {
            out[1] = &MODELS[NO_JOB_MODEL];
        }
    }
    out
}

/// Serial-like device IDs: strictly increasing from `first` with small random gaps.
pub(crate) fn device_ids(rng: &mut Rng, count: usize, first: u32) -> Vec<u32> {
    let mut next = first;
    (0..count)
        .map(|_| {
            let id = next;
            next = next.saturating_add(1 + rng.below(40));
            id
        })
        .collect()
}

/// The LAN address a device would have (never dialled: the simulator has no device sockets).
pub(crate) fn device_ip(index: usize) -> String {
    format!("192.168.{}.{}", index / 240, 10 + index % 240)
}

/// Port a real device listens on in SERVER_TO_DEVICE mode.
pub(crate) const DEVICE_PORT: i32 = 51211;

/// `CapabilityInfo` as the gateway would report it for this model.
pub(crate) fn capability(m: &Model) -> CapabilityInfo {
    let terminal = m.tna;
    CapabilityInfo {
        r#type: m.ty as i32,
        max_num_of_user: m.max_users,
        pin_supported: m.keypad,
        card_supported: terminal,
        card1x_supported: terminal,
        seos_supported: terminal && m.keypad,
        finger_supported: m.finger,
        face_supported: m.face,
        user_name_supported: m.keypad,
        user_photo_supported: m.keypad,
        user_phrase_supported: m.keypad,
        alphanumeric_id_supported: terminal,
        wlan_supported: m.face,
        image_log_supported: m.face,
        voip_supported: m.keypad && m.face,
        tna_supported: m.tna,
        job_code_supported: m.job_code,
        wiegand_supported: terminal,
        wiegand_multi_supported: terminal && m.keypad,
        trigger_action_supported: true,
        dst_supported: dst_supported(m),
        dns_supported: terminal,
        osdp_key_supported: true,
        rs485_ext_supported: true,
        qr_supported: m.qr,
        dynamic_slave_device_supported: !terminal,
    }
}

/// Number of T&A keys on the wire: configs always carry exactly this many labels/schedules.
pub(crate) const TNA_KEYS: usize = 16;

/// The usual BioStar layout (KEY_1 in, KEY_2 out, KEY_3/4 break, KEY_5/6 meal), which is also
/// the default timecard policy's, so the workforce's punches read as they were meant.
const LABELS_EN: [&str; 6] = [
    "Check in",
    "Check out",
    "Break start",
    "Break end",
    "Meal start",
    "Meal end",
];
/// A Korean label set: 3-byte UTF-8 characters exercise the 48-byte label limit in the console.
const LABELS_KO: [&str; 6] = ["출근", "퇴근", "외출", "복귀", "식사", "식사 복귀"];

fn labels(set: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = set.iter().map(|s| (*s).to_owned()).collect();
    v.resize(TNA_KEYS, String::new());
    v
}

/// The seeded `TNAConfig` of a T&A device. Keypad terminals are mostly BY_USER; devices without
/// a keypad cannot let users choose, so they are FIXED or BY_SCHEDULE.
pub(crate) fn tna_config(rng: &mut Rng, m: &Model) -> TnaConfig {
    let set: &[&str] = if rng.chance(15) {
        &LABELS_KO
    } else {
        &LABELS_EN
    };
    let mut schedules = vec![0u32; TNA_KEYS];
    let (mode, key) = if m.keypad {
        match rng.below(20) {
            0..=12 => (Mode::ByUser, Key::Unspecified),
            13..=15 => (Mode::BySchedule, Key::Unspecified),
            16..=17 => (Mode::LastChoice, Key::Unspecified),
            18 => (Mode::Fixed, Key::Key1),
            _ => (Mode::Unused, Key::Unspecified),
        }
    } else if rng.chance(60) {
        (Mode::Fixed, Key::Key1)
    } else {
        (Mode::BySchedule, Key::Unspecified)
    };
    if mode == Mode::BySchedule {
        // KEY_1 (check in) during the morning, KEY_2 (check out) during the afternoon.
        schedules[0] = SCHEDULE_MORNING;
        schedules[1] = SCHEDULE_AFTERNOON;
    }
    TnaConfig {
        mode: mode as i32,
        key: key as i32,
        is_required: m.keypad && mode == Mode::ByUser && rng.chance(40),
        schedules,
        labels: labels(set),
    }
}

const SCHEDULE_OFFICE: u32 = 2;
const SCHEDULE_MORNING: u32 = 3;
const SCHEDULE_AFTERNOON: u32 = 4;
const SCHEDULE_NIGHT: u32 = 5;

fn day(periods: &[(i32, i32)]) -> DaySchedule {
    DaySchedule {
        periods: periods
            .iter()
            .map(|&(start_time, end_time)| TimePeriod {
                start_time,
                end_time,
            })
            .collect(),
    }
}

fn weekly(id: u32, name: &str, weekdays: &[(i32, i32)], weekend: &[(i32, i32)]) -> ScheduleInfo {
    // Seven day schedules, Sunday first.
    let day_schedules = (0..7)
        .map(|d| {
            if d == 0 || d == 6 {
                day(weekend)
            } else {
                day(weekdays)
            }
        })
        .collect();
    ScheduleInfo {
        id,
        name: name.to_owned(),
        ordinary: Some(schedule_info::Ordinary::Weekly(WeeklySchedule {
            day_schedules,
        })),
        holidays: Vec::new(),
    }
}

/// The schedules every device holds. Like the real gateway, the list does NOT contain the
/// predefined schedule 1 ("Always"); the relay adds it for the console.
pub(crate) fn schedules() -> Vec<ScheduleInfo> {
    let all_day_morning = [(6 * 60, 12 * 60)];
    let all_day_afternoon = [(12 * 60, 18 * 60)];
    let night = [(22 * 60, 24 * 60), (0, 6 * 60)];
    vec![
        weekly(SCHEDULE_OFFICE, "Office hours", &[(9 * 60, 18 * 60)], &[]),
        weekly(
            SCHEDULE_MORNING,
            "Morning",
            &all_day_morning,
            &all_day_morning,
        ),
        weekly(
            SCHEDULE_AFTERNOON,
            "Afternoon",
            &all_day_afternoon,
            &all_day_afternoon,
        ),
        weekly(SCHEDULE_NIGHT, "Night shift", &night, &night),
    ]
}

/// Time zones (seconds east of UTC) devices are spread over: UTC, Seoul, New York, Paris.
const TIME_ZONES: [i32; 4] = [0, 32_400, -18_000, 3_600];

/// The seeded `SystemConfig` of a device.
pub(crate) fn system_config(rng: &mut Rng, m: &Model) -> SystemConfig {
    SystemConfig {
        time_zone: rng.pick(&TIME_ZONES).copied().unwrap_or(0),
        sync_time: true,
        is_locked: false,
        use_interphone: m.keypad && m.face,
        osdp_key_encrypted: false,
        use_job_code: m.job_code,
        use_alphanumeric_id: false,
        camera_frequency: if m.face {
            CameraFrequency::Freq60hz as i32
        } else {
            CameraFrequency::FreqNone as i32
        },
        use_secure_tamper: false,
        use_card_operation_mask: 0,
    }
}

/// The job codes a site uses (code, label).
const JOB_CODES: [(u32, &str); 6] = [
    (100, "Assembly"),
    (200, "Packing"),
    (300, "Maintenance"),
    (400, "Office"),
    (500, "Training"),
    (610, "Quality check"),
];

/// A person's job codes: 0 to 3 consecutive entries of the site's table.
pub(crate) fn person_job_codes(rng: &mut Rng) -> Vec<JobCode> {
    let n = rng.below(4) as usize;
    let start = rng.below(JOB_CODES.len() as u32) as usize;
    (0..n)
        .map(|k| {
            let (code, label) = JOB_CODES[(start + k) % JOB_CODES.len()];
            JobCode {
                code,
                label: label.to_owned(),
            }
        })
        .collect()
}

/// What the seed makes of one device before any time-dependent data: its model, ID and the
/// configs it starts with. The gateway and the workforce plan both start from this list, so the
/// plan knows each device's T&A mode without building the gateway.
#[derive(Clone, Debug)]
pub(crate) struct SeededDevice {
    /// Position in the device list.
    pub index: usize,
    /// Device ID.
    pub id: u32,
    /// Hardware model.
    pub model: &'static Model,
    /// Seeded system config (the site zone, if any, is applied later).
    pub system: SystemConfig,
    /// Seeded T&A config, `None` without T&A support.
    pub tna: Option<TnaConfig>,
    /// ID of the device's first log record.
    pub first_log_id: u32,
}

/// Every device of a site: models and IDs from stream 1, each device's configs from its own
/// stream (seed, 1000 + index), so device `i` is the same whatever the site size.
pub(crate) fn site_devices(seed: u64, count: usize, first_device_id: u32) -> Vec<SeededDevice> {
    let mut rng = Rng::new(seed, 1);
    let models = pick_models(&mut rng, count);
    let ids = device_ids(&mut rng, count, first_device_id);
    models
        .into_iter()
        .zip(ids)
        .enumerate()
        .map(|(index, (model, id))| {
            let mut rng = Rng::new(seed, 1_000 + index as u64);
            let system = system_config(&mut rng, model);
            let tna = model.tna.then(|| tna_config(&mut rng, model));
            let first_log_id = 1 + rng.below(5_000);
            SeededDevice {
                index,
                id,
                model,
                system,
                tna,
                first_log_id,
            }
        })
        .collect()
}

/// A device clock's offset from real time: most devices within ±2 s, about one in five off by
/// 45 s to 15 min either way (a drifted clock nobody has synchronised).
pub(crate) fn clock_offset(rng: &mut Rng) -> i64 {
    let off = if rng.chance(20) {
        i64::from(45 + rng.below(855))
    } else {
        i64::from(rng.below(3))
    };
    if rng.chance(50) { -off } else { off }
}

/// How a seeded device's time settings stand against its site's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ZoneSeed {
    /// The zone's standard offset and this year's DST schedules.
    Right,
    /// An hour off the standard offset (someone entered summer time), this year's schedules.
    WrongOffset,
    /// The right offset and no DST schedule.
    NoDst,
    /// The right offset and last year's DST schedules (nobody renewed them).
    LastYear,
}

/// The zone settings of every device of a site with a time zone. The first three devices that
/// take DST schedules (after device 0, which is always right) are wrong in each way, so every
/// site of four or more such devices shows each kind; the others are right, except about one in
/// ten of each kind.
pub(crate) fn zone_seeds(rng: &mut Rng, models: &[&'static Model]) -> Vec<ZoneSeed> {
    let mut forced = [ZoneSeed::WrongOffset, ZoneSeed::NoDst, ZoneSeed::LastYear].into_iter();
    models
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let drawn = match rng.below(10) {
                0 => ZoneSeed::WrongOffset,
                1 => ZoneSeed::NoDst,
                2 => ZoneSeed::LastYear,
                _ => ZoneSeed::Right,
            };
            if i == 0 {
                ZoneSeed::Right
            } else if dst_supported(m) {
                forced.next().unwrap_or(drawn)
            } else {
                drawn
            }
        })
        .collect()
}

/// Whether the model takes DST schedules (`CapabilityInfo.DSTSupported`).
pub(crate) fn dst_supported(m: &Model) -> bool {
    m.tna
}
