//! [`SimConfig`]: how big the simulated site is and how it behaves over time.

use std::time::Duration;

/// Size, seed and live behaviour of a simulated gateway.
///
/// Everything generated from a config is a pure function of these fields (plus the moment of the
/// build, where the history ends), so two gateways built from equal configs at the same time
/// expose identical devices, configs, users and logs. The workforce's size and mistake rate are
/// [`crate::Workforce`] ([`crate::Gateway::with_workforce`]): kept apart so that every existing
/// `SimConfig { .. }` literal stays valid.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Number of simulated devices behind the gateway.
    pub devices: u32,
    /// Historical event-log records per T&A device: each home device of the workforce keeps the
    /// newest this many of its past punches (history goes back until every home device is full,
    /// at most three years); devices nobody calls home hold none.
    pub logs_per_device: u32,
    /// Seed of every pseudo-random choice (device models, IDs, configs, the workforce and its
    /// punches).
    pub seed: u64,
    /// How often the live generator records the workforce's punches whose planned time has
    /// come; `None` disables it (tests drive punches with [`crate::Gateway::append_punch`]).
    pub punch_interval: Option<Duration>,
    /// ID of the first device (the others follow with small gaps). Two simulated sites behind
    /// one relay need ID ranges that do not meet, as real serial numbers do not.
    pub first_device_id: u32,
    /// The site's time zone, an IANA name (`Europe/Berlin`): every device gets the zone's
    /// standard offset (`TimeConfig.timeZone`) and this year's DST schedules, except a few
    /// chosen by the seed that have a wrong offset, no schedule or last year's (`seed.rs`
    /// `zone_seeds`). `None` (or a name the tz database does not know, logged): offsets spread
    /// over a few zones and no DST schedule.
    pub zone: Option<String>,
}

/// The first device ID of a simulated site unless told otherwise (a BioStation-like serial).
pub const FIRST_DEVICE_ID: u32 = 540_000_001;

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            devices: 50,
            logs_per_device: 10_000,
            seed: 1,
            punch_interval: Some(Duration::from_secs(2)),
            first_device_id: FIRST_DEVICE_ID,
            zone: None,
        }
    }
}
