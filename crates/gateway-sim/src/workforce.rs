//! The emulated workforce: who works at a site, on which devices, in which shift, and what each
//! of them punches on any given day — a pure function of the seed and the site's config, so tests
//! and other crates compute the expected punches and timecards without reading the emulator.
//!
//! - [`Plan::for_site`] builds the people of a site: realistic names (Latin, Korean, Japanese,
//!   Chinese, Cyrillic, Greek, Arabic, Vietnamese; some people have no name), a shift (office
//!   day, early, late, or a night shift that ends the next morning; weekends off) and one or two
//!   *home devices* among the site's T&A devices.
//! - [`Plan::day`] gives one person's [`PlannedDay`]: the punches in time order (IN, break and
//!   meal out/in, OUT) at wall times in the site's zone (`SimConfig::zone`; UTC without one) with
//!   jitter, and the day's planned [`Mistake`], if any. The same (seed, person, day) always
//!   yields the same day, whatever else was asked before.
//!
//! Which device records what: people press the key of what they do (KEY_1 check in, KEY_2 check
//! out, KEY_3/4 break, KEY_5/6 meal — the seeded labels and the default timecard policy) on
//! devices in BY_USER or LAST_CHOICE mode. People whose main device is in BY_SCHEDULE mode only
//! check in (mornings, KEY_1) and out (afternoons, KEY_2), as that mode's seeded schedules
//! record. A FIXED device with KEY_1 is an entrance reader: people who have one as their second
//! home device check in there. Devices in UNUSED mode (or FIXED on another key) are nobody's
//! home; the punch's recorded key is always what the device's mode makes of the pressed one
//! ([`recorded_key`]).
//!
//! People's user IDs are numbers from [`Plan::first_user_id`] on (1001 at the first site; each
//! 10,000,000 of device-ID range above [`crate::FIRST_DEVICE_ID`] moves them up by 1,000,000, so
//! two emulated sites never share an ID).

use gsdk_proto::tna::{JobCode, Mode};

use crate::SimConfig;
use crate::seed::{self, Model, Rng, SeededDevice};

/// Seconds in a day.
const DAY: i64 = 86_400;
/// Punches a working person makes on a day, on average (IN, OUT, most take a meal, half a break):
/// used to size the default workforce.
const PUNCHES_PER_WORKDAY: u64 = 4;
/// Working days in a year, to size the default workforce.
const WORKDAYS_PER_YEAR: u64 = 250;
/// People per device in the default workforce of a site whose logs fill quickly anyway.
const DEFAULT_PEOPLE_PER_DEVICE: u32 = 6;

/// Size and error rate of a site's workforce (the rest comes from [`SimConfig`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workforce {
    /// People at the site; `None`: six per device, or more when needed so the devices' logs
    /// (`SimConfig::logs_per_device`) fill within about a year of history.
    pub people: Option<u32>,
    /// Chance, in percent, that a person's working day has a [`Mistake`] (0–100).
    pub mistake_percent: u32,
}

impl Default for Workforce {
    fn default() -> Self {
        Workforce {
            people: None,
            mistake_percent: 3,
        }
    }
}

/// A person's working pattern. Every shift works Monday to Friday (a night shift starts on those
/// days and ends the next morning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shift {
    /// About 08:00–17:00.
    Office,
    /// About 06:00–14:00.
    Early,
    /// About 13:30–22:00.
    Late,
    /// About 21:45–06:00 the next morning.
    Night,
}

/// What a person does at the terminal: the timecard's punch types.
pub use tna_types::timecard::PunchType as Action;

/// The T&A key a person presses for `action`: KEY_1 check in, KEY_2 check out, KEY_3/4 break,
/// KEY_5/6 meal — the seeded labels' layout and the default timecard policy's.
pub fn pressed_key(action: Action) -> u8 {
    match action {
        Action::CheckIn => 1,
        Action::CheckOut => 2,
        Action::BreakStart => 3,
        Action::BreakEnd => 4,
        Action::MealStart => 5,
        Action::MealEnd => 6,
    }
}

/// A planned error on a working day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mistake {
    /// The person left without checking out: the day has no OUT.
    MissedOut,
    /// The person checked in twice, a few minutes apart.
    DoubleIn,
    /// At the end of the day the person pressed KEY_3 (break start) instead of KEY_2: the punch
    /// is recorded as a break start and the day has no OUT. Only on keyed (BY_USER) devices.
    WrongKey,
}

/// One punch of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedPunch {
    /// User ID.
    pub user_id: String,
    /// Unix seconds, UTC.
    pub timestamp: u32,
    /// The device it is made on.
    pub device_id: u32,
    /// What the person meant to do.
    pub action: Action,
    /// The key the person pressed (differs from `pressed_key(action)` on a [`Mistake::WrongKey`]).
    pub pressed: u8,
    /// The key the device records: what its seeded mode makes of `pressed` ([`recorded_key`]).
    pub key: u8,
    /// Job code chosen with it, 0 for none.
    pub job_code: u32,
    /// Event code of the successful authentication (verify 0x1000 or identify 0x1300).
    pub event_code: u32,
    /// Its sub code (credential used).
    pub sub_code: u32,
    /// Local wall-clock minute of the day (0..1440) at which it is made.
    pub local_minute: u16,
}

/// One person's day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedDay {
    /// The local date the day (its shift) starts on, as days since 1970-01-01 (the timecard's
    /// `dayNumber`).
    pub day: i32,
    /// Punches in time order (a night shift's last ones fall on the next date).
    pub punches: Vec<PlannedPunch>,
    /// The day's planned mistake.
    pub mistake: Option<Mistake>,
}

impl PlannedDay {
    /// Whether the person works this day (a weekday they did not take off).
    pub fn is_working(&self) -> bool {
        !self.punches.is_empty()
    }

    /// The worked seconds of a clean day as its punches say: last OUT − first IN − the break and
    /// the meal taken in between. `None` on a day off and on a day with a mistake.
    pub fn worked_seconds(&self) -> Option<u64> {
        if self.mistake.is_some() || self.punches.is_empty() {
            return None;
        }
        let at = |a: Action| {
            self.punches
                .iter()
                .find(|p| p.action == a)
                .map(|p| i64::from(p.timestamp))
        };
        let span = |a: Action, b: Action| match (at(a), at(b)) {
            (Some(x), Some(y)) => y - x,
            _ => 0,
        };
        let worked = span(Action::CheckIn, Action::CheckOut)
            - span(Action::BreakStart, Action::BreakEnd)
            - span(Action::MealStart, Action::MealEnd);
        u64::try_from(worked).ok()
    }
}

/// What a person of the site is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// User ID (a number, as most devices use).
    pub user_id: String,
    /// Display name; `None` for people enrolled without one.
    pub name: Option<String>,
    /// Working pattern.
    pub shift: Shift,
    /// One or two devices the person punches on, main device first.
    pub home_devices: Vec<u32>,
    /// Job codes the person may choose (enrolled on their job-code devices).
    pub job_codes: Vec<JobCode>,
    /// Numeric user ID.
    number: u32,
    /// Plan device index of the main device.
    main: usize,
    /// Plan device index of the second home device.
    second: Option<usize>,
    takes_break: bool,
    takes_meal: bool,
}

/// How a device takes part in the plan, from its seeded T&A mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// BY_USER / LAST_CHOICE: people press the key of what they do.
    Keyed,
    /// BY_SCHEDULE: the schedule picks KEY_1 mornings, KEY_2 afternoons.
    Scheduled,
    /// FIXED on KEY_1: an entrance reader.
    Entrance,
    /// Nobody's home device.
    Idle,
}

/// A T&A device as the plan sees it.
#[derive(Clone, Debug)]
pub(crate) struct PlanDevice {
    /// Device ID.
    pub id: u32,
    /// Index in the site's device list.
    pub slot: usize,
    mode: Mode,
    fixed_key: u8,
    job_codes: bool,
    role: Role,
    /// Successful (event code, sub code) pairs the model produces.
    ways: Vec<(u16, u8)>,
}

/// The key a device in `mode` (with `fixed_key`) records when a person presses `pressed` at
/// local minute `minute`: the pressed key on BY_USER / LAST_CHOICE devices, the fixed key on
/// FIXED ones, KEY_1 before noon and KEY_2 after on BY_SCHEDULE ones (the seeded schedules),
/// none (0) when T&A is unused.
pub fn recorded_key(mode: Mode, fixed_key: u8, pressed: u8, minute: u16) -> u8 {
    match mode {
        Mode::ByUser | Mode::LastChoice => pressed,
        Mode::Fixed => fixed_key,
        Mode::BySchedule => {
            if minute < 12 * 60 {
                1
            } else {
                2
            }
        }
        Mode::Unused => 0,
    }
}

/// Verify success (1:1).
const VERIFY_SUCCESS: u16 = 0x1000;
/// Identify success (1:N).
const IDENTIFY_SUCCESS: u16 = 0x1300;

/// The successful (event code, sub code) pairs a model produces, repeated to weight the
/// common ones (per the G-SDK event table: verify 0x1000 sub 1..19, identify 0x1300 sub 1..8).
pub(crate) fn auth_ways(m: &Model) -> Vec<(u16, u8)> {
    let mut ways: Vec<(u16, u8)> = vec![(VERIFY_SUCCESS, 6)]; // card
    if m.keypad {
        ways.extend([(VERIFY_SUCCESS, 1), (VERIFY_SUCCESS, 7)]); // ID+PIN, card+PIN
    }
    if m.finger {
        // finger (1:N) twice, card+finger, ID+finger
        ways.extend([
            (IDENTIFY_SUCCESS, 1),
            (IDENTIFY_SUCCESS, 1),
            (VERIFY_SUCCESS, 8),
            (VERIFY_SUCCESS, 2),
        ]);
    }
    if m.face {
        // face (1:N) three times, card+face
        ways.extend([
            (IDENTIFY_SUCCESS, 3),
            (IDENTIFY_SUCCESS, 3),
            (IDENTIFY_SUCCESS, 3),
            (VERIFY_SUCCESS, 10),
        ]);
    }
    if m.face && m.finger {
        ways.push((IDENTIFY_SUCCESS, 5)); // face+finger
    }
    ways
}

/// The instants of one local date: where its midnight is and whether the next two days are
/// plain 24-hour days (then wall time → instant is an addition).
struct DayClock {
    midnight: i64,
    uniform: bool,
}

/// A site's workforce and how its days go.
#[derive(Clone, Debug)]
pub struct Plan {
    seed: u64,
    zone: Option<jiff::tz::TimeZone>,
    mistake_percent: u32,
    first_user_id: u32,
    people: Vec<Person>,
    devices: Vec<PlanDevice>,
    /// Device ID → index into `devices`.
    device_index: std::collections::HashMap<u32, usize>,
}

/// Names by script: (given names, family names, family name first, separator).
struct Names {
    given: &'static [&'static str],
    family: &'static [&'static str],
    family_first: bool,
    separator: &'static str,
}

const LATIN: Names = Names {
    given: &[
        "Anna",
        "Lukas",
        "Sofia",
        "Jonas",
        "Emma",
        "Noah",
        "Mia",
        "Felix",
        "Laura",
        "Elias",
        "Clara",
        "Paul",
        "Léa",
        "Mateo",
        "Zoë",
        "Björn",
        "Inès",
        "Łukasz",
        "Çağla",
        "Jürgen",
        "María José",
        "Siobhán",
        "João",
        "Chloé",
        "Amara",
        "David",
        "Olivia",
        "Tomás",
    ],
    family: &[
        "Müller",
        "Schmidt",
        "García",
        "Rossi",
        "Dubois",
        "Nowak",
        "Jansen",
        "Silva",
        "Novák",
        "Kowalski",
        "O'Brien",
        "Smith",
        "Johnson",
        "Fernández",
        "Weiß",
        "Van der Berg",
        "Øster",
        "Ødegård",
        "Yılmaz",
        "Dvořák",
        "Okafor",
        "Martin",
    ],
    family_first: false,
    separator: " ",
};

const KOREAN: Names = Names {
    given: &[
        "민준", "서연", "도윤", "지우", "하준", "서윤", "은우", "지민", "예준", "하은", "시우",
        "수아",
    ],
    family: &["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"],
    family_first: true,
    separator: "",
};

const JAPANESE: Names = Names {
    given: &["陽翔", "結菜", "蓮", "葵", "大和", "さくら"],
    family: &["佐藤", "鈴木", "高橋", "田中", "渡辺"],
    family_first: true,
    separator: " ",
};

const CHINESE: Names = Names {
    given: &["伟", "娜", "敏", "静", "磊", "婷"],
    family: &["王", "李", "张", "刘", "陈"],
    family_first: true,
    separator: "",
};

const CYRILLIC: Names = Names {
    given: &["Иван", "Ольга", "Дмитрий", "Анна", "Сергей"],
    family: &["Петров", "Смирнова", "Иванов", "Кузнецова"],
    family_first: false,
    separator: " ",
};

const GREEK: Names = Names {
    given: &["Νίκος", "Ελένη", "Γιώργος"],
    family: &["Παπαδόπουλος", "Γεωργίου"],
    family_first: false,
    separator: " ",
};

const ARABIC: Names = Names {
    given: &["محمد", "فاطمة", "أحمد"],
    family: &["العلي", "حداد"],
    family_first: false,
    separator: " ",
};

const VIETNAMESE: Names = Names {
    given: &["Văn An", "Thị Hương", "Minh Tuấn"],
    family: &["Nguyễn", "Trần", "Lê", "Phạm"],
    family_first: true,
    separator: " ",
};

/// A person's name, or `None` (about one in twenty people are enrolled without one).
fn person_name(rng: &mut Rng) -> Option<String> {
    let names = match rng.below(100) {
        0..=4 => return None,
        5..=54 => &LATIN,
        55..=76 => &KOREAN,
        77..=81 => &JAPANESE,
        82..=86 => &CHINESE,
        87..=90 => &CYRILLIC,
        91..=93 => &GREEK,
        94..=96 => &ARABIC,
        _ => &VIETNAMESE,
    };
    let given = rng.pick(names.given).copied().unwrap_or("Alex");
    let family = rng.pick(names.family).copied().unwrap_or("Kim");
    let (a, b) = if names.family_first {
        (family, given)
    } else {
        (given, family)
    };
    Some(format!("{a}{}{b}", names.separator))
}

/// The first user ID of a site: 1001, plus 1,000,000 for every 10,000,000 its device IDs start
/// above [`crate::FIRST_DEVICE_ID`].
fn first_user_id(first_device_id: u32) -> u32 {
    let block = first_device_id.saturating_sub(crate::FIRST_DEVICE_ID) / 10_000_000;
    1_001u32.saturating_add(block.saturating_mul(1_000_000))
}

/// Local date (days since 1970-01-01) → civil date.
fn civil(day: i32) -> jiff::civil::Date {
    let epoch = jiff::civil::date(1970, 1, 1);
    epoch
        .checked_add(jiff::SignedDuration::from_hours(i64::from(day) * 24))
        .unwrap_or(epoch)
}

/// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
fn weekday(day: i32) -> i32 {
    (day + 4).rem_euclid(7)
}

impl Plan {
    /// The workforce of the site `cfg` describes (pure: no clock, no I/O).
    pub fn for_site(cfg: &SimConfig, workforce: &Workforce) -> Plan {
        let devices = seed::site_devices(cfg.seed, cfg.devices as usize, cfg.first_device_id);
        Plan::from_devices(cfg, workforce, &devices)
    }

    /// The plan over devices already drawn from the seed.
    pub(crate) fn from_devices(
        cfg: &SimConfig,
        workforce: &Workforce,
        site: &[SeededDevice],
    ) -> Plan {
        let zone = cfg
            .zone
            .as_deref()
            .and_then(|name| jiff::tz::TimeZone::get(name).ok());
        let devices: Vec<PlanDevice> = site
            .iter()
            .filter_map(|d| {
                let tna = d.tna.as_ref()?;
                let mode = Mode::try_from(tna.mode).unwrap_or(Mode::Unused);
                let fixed_key = u8::try_from(tna.key).unwrap_or(0);
                let role = match mode {
                    Mode::ByUser | Mode::LastChoice => Role::Keyed,
                    Mode::BySchedule => Role::Scheduled,
                    Mode::Fixed if fixed_key == 1 => Role::Entrance,
                    _ => Role::Idle,
                };
                Some(PlanDevice {
                    id: d.id,
                    slot: d.index,
                    mode,
                    fixed_key,
                    job_codes: d.model.job_code && d.system.use_job_code,
                    role,
                    ways: auth_ways(d.model),
                })
            })
            .collect();
        let count = workforce
            .people
            .unwrap_or_else(|| default_people(cfg, &devices));
        let first = first_user_id(cfg.first_device_id);
        let people = assign(cfg.seed, first, count, &devices);
        let device_index = devices.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
        Plan {
            seed: cfg.seed,
            zone,
            mistake_percent: workforce.mistake_percent.min(100),
            first_user_id: first,
            people,
            devices,
            device_index,
        }
    }

    /// Everyone at the site, in user-ID order.
    pub fn people(&self) -> &[Person] {
        &self.people
    }

    /// The person with this user ID.
    pub fn person(&self, user_id: &str) -> Option<&Person> {
        let n: u32 = user_id.parse().ok()?;
        let i = n.checked_sub(self.first_user_id)?;
        self.people.get(i as usize).filter(|p| p.user_id == user_id)
    }

    /// The user ID of the site's first person.
    pub fn first_user_id(&self) -> u32 {
        self.first_user_id
    }

    /// The site's zone (`SimConfig::zone`) when the tz database knows it; days are UTC days
    /// without one.
    pub fn zone(&self) -> Option<&jiff::tz::TimeZone> {
        self.zone.as_ref()
    }

    /// The local date (days since 1970-01-01) of instant `unix` in the site's zone.
    pub fn local_day(&self, unix: i64) -> i32 {
        i32::try_from(self.local_seconds(unix).div_euclid(DAY)).unwrap_or(0)
    }

    /// Local wall time of `unix` as seconds since 1970-01-01 00:00 local.
    fn local_seconds(&self, unix: i64) -> i64 {
        let offset = match (&self.zone, jiff::Timestamp::from_second(unix)) {
            (Some(tz), Ok(ts)) => i64::from(tz.to_offset(ts).seconds()),
            _ => 0,
        };
        unix + offset
    }

    /// Local minute of the day (0..1440) of instant `unix`.
    pub(crate) fn local_minute(&self, unix: i64) -> u16 {
        u16::try_from(self.local_seconds(unix).rem_euclid(DAY) / 60).unwrap_or(0)
    }

    /// `person`'s day starting on local date `day` (days since 1970-01-01).
    pub fn day(&self, person: &Person, day: i32) -> PlannedDay {
        let Some(i) = self.index_of(person) else {
            return PlannedDay {
                day,
                punches: Vec::new(),
                mistake: None,
            };
        };
        self.day_at(&self.clock(day), i, day)
    }

    fn index_of(&self, person: &Person) -> Option<usize> {
        let i = person.number.checked_sub(self.first_user_id)? as usize;
        (self.people.get(i)? == person).then_some(i)
    }

    /// Devices of the plan (T&A devices of the site).
    pub(crate) fn devices(&self) -> &[PlanDevice] {
        &self.devices
    }

    /// People enrolled on the device at `slot`: those who call it home.
    pub(crate) fn residents(&self) -> Vec<Vec<usize>> {
        let mut by_device = vec![Vec::new(); self.devices.len()];
        for (i, p) in self.people.iter().enumerate() {
            by_device[p.main].push(i);
            if let Some(s) = p.second {
                by_device[s].push(i);
            }
        }
        by_device
    }

    /// Every device someone calls home.
    pub fn home_devices(&self) -> std::collections::BTreeSet<u32> {
        self.people
            .iter()
            .flat_map(|p| p.home_devices.iter().copied())
            .collect()
    }

    /// Plan device indexes of person `i`'s home devices.
    pub(crate) fn homes_of(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.people
            .get(i)
            .into_iter()
            .flat_map(|p| std::iter::once(p.main).chain(p.second))
    }

    /// The numeric user ID of person `i`.
    pub(crate) fn number(&self, i: usize) -> u32 {
        self.people.get(i).map_or(0, |p| p.number)
    }

    /// The instants of local date `day`.
    fn clock(&self, day: i32) -> DayClock {
        let Some(tz) = &self.zone else {
            return DayClock {
                midnight: i64::from(day) * DAY,
                uniform: true,
            };
        };
        let midnight = |d: i32| {
            tz.to_ambiguous_timestamp(civil(d).to_datetime(jiff::civil::Time::midnight()))
                .compatible()
                .map_or(i64::from(d) * DAY, |t| t.as_second())
        };
        let (m0, m1, m2) = (midnight(day), midnight(day + 1), midnight(day + 2));
        DayClock {
            midnight: m0,
            uniform: m1 - m0 == DAY && m2 - m1 == DAY,
        }
    }

    /// The instant of wall time `secs` after local midnight of `day` (may pass midnight).
    fn instant(&self, clock: &DayClock, day: i32, secs: i64) -> i64 {
        let tz = match &self.zone {
            Some(tz) if !clock.uniform => tz,
            _ => return clock.midnight + secs,
        };
        let wall = civil(day)
            .to_datetime(jiff::civil::Time::midnight())
            .checked_add(jiff::SignedDuration::from_secs(secs));
        wall.ok()
            .and_then(|dt| tz.to_ambiguous_timestamp(dt).compatible().ok())
            .map_or(clock.midnight + secs, |t| t.as_second())
    }

    /// Person `i`'s day `day`, with the day's clock already computed.
    fn day_at(&self, clock: &DayClock, i: usize, day: i32) -> PlannedDay {
        let none = PlannedDay {
            day,
            punches: Vec::new(),
            mistake: None,
        };
        let Some(p) = self.people.get(i) else {
            return none;
        };
        let wd = weekday(day);
        if wd == 0 || wd == 6 {
            return none;
        }
        let stream = 0x5EED_0000_0000_u64 ^ ((i as u64) << 24) ^ (day as u32 as u64);
        let mut rng = Rng::new(self.seed, stream);
        if rng.chance(3) {
            return none; // a day off
        }
        let main = &self.devices[p.main];
        let keyed = main.role == Role::Keyed;
        let mistake =
            rng.chance(self.mistake_percent)
                .then(|| match rng.below(if keyed { 3 } else { 2 }) {
                    0 => Mistake::MissedOut,
                    1 => Mistake::DoubleIn,
                    _ => Mistake::WrongKey,
                });
        // (action, local seconds after midnight of `day`)
        let mut steps: Vec<(Action, i64)> = Vec::with_capacity(8);
        let at = |rng: &mut Rng, minute: i64, jitter_min: (i64, i64)| {
            let span = u32::try_from(jitter_min.1 - jitter_min.0).unwrap_or(0);
            (minute + jitter_min.0 + i64::from(rng.below(span + 1))) * 60 + i64::from(rng.below(60))
        };
        let (start, brk, meal, end) = match p.shift {
            Shift::Office => (8 * 60, 15 * 60, 12 * 60, 17 * 60),
            Shift::Early => (6 * 60, 8 * 60 + 30, 10 * 60 + 30, 14 * 60),
            Shift::Late => (13 * 60 + 30, 20 * 60, 17 * 60 + 30, 22 * 60),
            Shift::Night => (21 * 60 + 45, 24 * 60 + 30, 26 * 60 + 30, 30 * 60),
        };
        let t_in = at(&mut rng, start, (-15, 15));
        steps.push((Action::CheckIn, t_in));
        if mistake == Some(Mistake::DoubleIn) {
            steps.push((Action::CheckIn, t_in + 60 + i64::from(rng.below(180))));
        }
        if keyed && p.takes_meal {
            let s = at(&mut rng, meal, (0, 30));
            steps.push((Action::MealStart, s));
            steps.push((Action::MealEnd, s + at(&mut rng, 30, (0, 14))));
        }
        if keyed && p.takes_break {
            let s = at(&mut rng, brk, (0, 20));
            steps.push((Action::BreakStart, s));
            steps.push((Action::BreakEnd, s + at(&mut rng, 10, (0, 5))));
        }
        if mistake != Some(Mistake::MissedOut) {
            steps.push((Action::CheckOut, at(&mut rng, end, (0, 40))));
        }
        steps.sort_by_key(|s| s.1);
        let punches = steps
            .into_iter()
            .map(|(action, secs)| {
                let device = self.device_for(p, action, &mut rng);
                let pressed = if mistake == Some(Mistake::WrongKey) && action == Action::CheckOut {
                    pressed_key(Action::BreakStart)
                } else {
                    pressed_key(action)
                };
                let local_minute = u16::try_from(secs.rem_euclid(DAY) / 60).unwrap_or(0);
                let (event_code, sub_code) = rng
                    .pick(&device.ways)
                    .copied()
                    .unwrap_or((VERIFY_SUCCESS, 6));
                let job_code = if device.job_codes && action == Action::CheckIn && rng.chance(35) {
                    rng.pick(&p.job_codes).map_or(0, |j| j.code)
                } else {
                    0
                };
                let ts = self.instant(clock, day, secs).clamp(0, i64::from(u32::MAX));
                PlannedPunch {
                    user_id: p.user_id.clone(),
                    timestamp: u32::try_from(ts).unwrap_or(0),
                    device_id: device.id,
                    action,
                    pressed,
                    key: recorded_key(device.mode, device.fixed_key, pressed, local_minute),
                    job_code,
                    event_code: u32::from(event_code),
                    sub_code: u32::from(sub_code),
                    local_minute,
                }
            })
            .collect();
        PlannedDay {
            day,
            punches,
            mistake,
        }
    }

    /// The device a punch is made on: check-ins at the entrance when the person has one; with a
    /// second keyed (or scheduled) device, about a third of the punches there.
    fn device_for(&self, p: &Person, action: Action, rng: &mut Rng) -> &PlanDevice {
        let main = &self.devices[p.main];
        let Some(second) = p.second.map(|s| &self.devices[s]) else {
            return main;
        };
        if second.role == Role::Entrance {
            return if action == Action::CheckIn {
                second
            } else {
                main
            };
        }
        if rng.chance(30) { second } else { main }
    }

    /// Every punch of every person's day `day`, as (person index, punch), in person order.
    pub(crate) fn punches_of_day(&self, day: i32) -> Vec<(usize, PlannedPunch)> {
        self.punches_of_day_for(day, |_| true)
    }

    /// [`Plan::punches_of_day`] of the people `wanted` accepts (by person index).
    pub(crate) fn punches_of_day_for(
        &self,
        day: i32,
        wanted: impl Fn(usize) -> bool,
    ) -> Vec<(usize, PlannedPunch)> {
        let clock = self.clock(day);
        (0..self.people.len())
            .filter(|&i| wanted(i))
            .flat_map(|i| {
                self.day_at(&clock, i, day)
                    .punches
                    .into_iter()
                    .map(move |p| (i, p))
            })
            .collect()
    }

    /// The plan device index of a device ID.
    pub(crate) fn device_index(&self, device_id: u32) -> Option<usize> {
        self.device_index.get(&device_id).copied()
    }
}

/// Six people per device, or as many as fill `logs_per_device` on each home device within
/// about a year.
fn default_people(cfg: &SimConfig, devices: &[PlanDevice]) -> u32 {
    let homes = devices.iter().filter(|d| d.role != Role::Idle).count() as u64;
    let per_year = PUNCHES_PER_WORKDAY * WORKDAYS_PER_YEAR;
    let to_fill = (u64::from(cfg.logs_per_device) * homes).div_ceil(per_year);
    let base = u64::from(cfg.devices) * u64::from(DEFAULT_PEOPLE_PER_DEVICE);
    u32::try_from(base.max(to_fill)).unwrap_or(u32::MAX)
}

/// Draws the people: names, shifts, job codes, home devices (round robin over the keyed and
/// scheduled devices, so each gets its share; entrances as second devices, often enough that
/// an entrance fills its log about as fast as a main device).
fn assign(seed: u64, first: u32, count: u32, devices: &[PlanDevice]) -> Vec<Person> {
    let of_role = |r: Role| -> Vec<usize> {
        (0..devices.len())
            .filter(|&i| devices[i].role == r)
            .collect()
    };
    let mains: Vec<usize> = (0..devices.len())
        .filter(|&i| matches!(devices[i].role, Role::Keyed | Role::Scheduled))
        .collect();
    let entrances = of_role(Role::Entrance);
    // Without keyed or scheduled devices, entrances (then nothing) are the main devices.
    let mains = if mains.is_empty() {
        entrances.clone()
    } else {
        mains
    };
    // Share of people with an entrance: an entrance records one punch per person-day, a main
    // device about four, so ~4E/(M+E) of people keep both filling alike (30..100 %).
    let entrance_percent = if entrances.is_empty() || mains == entrances {
        0
    } else {
        let (m, e) = (mains.len() as u64, entrances.len() as u64);
        u32::try_from((400 * e / (m + e)).clamp(30, 100)).unwrap_or(100)
    };
    let mut next_entrance = 0usize;
    (0..count)
        .filter_map(|k| {
            let number = first.checked_add(k)?;
            let mut rng = Rng::new(seed, 0x7000_0000 + u64::from(k));
            let name = person_name(&mut rng);
            let job_codes = seed::person_job_codes(&mut rng);
            let main = *mains.get(k as usize % mains.len().max(1))?;
            let scheduled = devices[main].role != Role::Keyed;
            let shift = if scheduled {
                if rng.chance(70) {
                    Shift::Office
                } else {
                    Shift::Early
                }
            } else {
                match rng.below(100) {
                    0..=54 => Shift::Office,
                    55..=69 => Shift::Early,
                    70..=84 => Shift::Late,
                    _ => Shift::Night,
                }
            };
            // Entrances go with keyed main devices: a scheduled device records only IN and OUT,
            // and would fill its log at half the pace if the INs went to an entrance.
            let second = if !scheduled && rng.chance(entrance_percent) {
                let e = entrances[next_entrance % entrances.len()];
                next_entrance += 1;
                Some(e)
            } else if rng.chance(20) {
                let same: Vec<usize> = mains
                    .iter()
                    .copied()
                    .filter(|&d| d != main && devices[d].role == devices[main].role)
                    .collect();
                rng.pick(&same).copied()
            } else {
                None
            };
            let home_devices = std::iter::once(main)
                .chain(second)
                .map(|d| devices[d].id)
                .collect();
            Some(Person {
                user_id: number.to_string(),
                name,
                shift,
                home_devices,
                job_codes,
                number,
                main,
                second,
                takes_break: rng.chance(50),
                takes_meal: rng.chance(85),
            })
        })
        .collect()
}
