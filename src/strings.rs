//! Every user-visible string, gathered per area so a translation can replace them in one place.

/// The shell: header, navigation, connection indicator.
pub mod app {
    pub const PRODUCT_NAME: &str = "BioStar T&A Console";
    pub const SKIP_TO_CONTENT: &str = "Skip to content";
    /// The button that shows the navigation on a narrow screen.
    pub const MENU: &str = "Menu";
    pub const NAV_DEVICES: &str = "Devices";
    pub const NOT_FOUND_TITLE: &str = "Page not found";
    pub const NOT_FOUND_BODY: &str = "There is no page at this address.";
    pub const BACK_TO_DEVICES: &str = "Back to devices";

    pub const CONN_CONNECTING: &str = "Connecting to relay…";
    pub const CONN_CONNECTED: &str = "Connected";
    pub const CONN_RETRY_NOW: &str = "Retry now";
    /// "Disconnected — retrying in 3 s".
    pub fn conn_disconnected(retry_in_secs: u32) -> String {
        format!("Disconnected — retrying in {retry_in_secs} s")
    }
}

/// The clocks page.
pub mod clocks {
    use tna_types::dst::{DstSchedule, WeekTime, ZoneSettings, ZoneVerdict};
    use tna_types::time::format_offset;

    pub const NAV: &str = "Clocks";
    pub const TITLE: &str = "Clocks and time zones";
    pub const INTRO: &str = "Each connected device's clock against the relay's, and the time zone it keeps: its UTC offset and daylight-saving schedules, judged against its site's zone for this year and the next. A punch is stamped with the device's clock, so a device that is off records wrong times; a device with a wrong zone shows wrong local times. Sync time sets the chosen devices to the relay's UTC time; Fix time zones writes the site's zone rules.";
    pub const THRESHOLD: &str = "Flag devices off by more than (s)";
    pub const REFRESH: &str = "Read again";
    pub const LOADING: &str = "Reading device clocks and time zones…";
    pub const NONE_CONNECTED: &str = "No device is connected: there is no clock to read.";
    pub const LOAD_FAILED: &str = "The clocks could not be read";
    pub const ZONES_FAILED: &str = "The devices' time-zone settings could not be read";
    pub const SYNC_FAILED: &str = "Sync time failed";
    pub const FIX_FAILED: &str = "Fix time zones failed";
    pub const SELECT_DRIFTED: &str = "Select the flagged clocks";
    pub const SELECT_WRONG_ZONE: &str = "Select wrong time zones";
    pub const CAPTION: &str =
        "Device clocks, their offset from the relay, and their time-zone settings";
    pub const COL_PICK: &str = "Choose";
    pub const COL_DEVICE: &str = "Device";
    pub const COL_TIME: &str = "Device time (site's zone)";
    pub const COL_OFFSET: &str = "Offset from relay";
    pub const COL_SETTINGS: &str = "Zone settings on the device";
    pub const COL_THIS_YEAR: &str = "This year";
    pub const COL_NEXT_YEAR: &str = "Next year";
    pub const COL_RESULT: &str = "Sync result";
    pub const SYNCED: &str = "Synced";
    pub const SYNC_ROW_FAILED: &str = "Failed";
    pub const FIX_NOTHING: &str = "Already right: nothing written";
    pub const NO_DST: &str = "no DST";
    /// The start of the confirmation of a clock sync (count and sites follow).
    pub const CONFIRM_SYNC: &str = "Set the clock to the relay's UTC time on";
    pub const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    pub const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    pub const ORDINALS: [&str; 10] = [
        "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th",
    ];
    pub fn summary(drifted: usize, threshold: i64) -> String {
        match drifted {
            0 => format!("No clock is off by more than {threshold} s."),
            1 => format!("1 clock is off by more than {threshold} s."),
            n => format!("{n} clocks are off by more than {threshold} s."),
        }
    }
    pub fn zone_summary(wrong: usize) -> String {
        match wrong {
            0 => "Every judged device keeps its site's time zone for this year.".to_string(),
            1 => "1 device does not keep its site's time zone for this year.".to_string(),
            n => format!("{n} devices do not keep their site's time zone for this year."),
        }
    }
    pub fn sync(n: usize) -> String {
        format!("Sync time of {n} devices")
    }
    pub fn fix(n: usize) -> String {
        format!("Fix time zones of {n} devices…")
    }
    pub fn pick(id: u32) -> String {
        format!("Choose device {id}")
    }
    /// The stable name of a verdict (`data-verdict`).
    pub fn verdict_key(v: ZoneVerdict) -> &'static str {
        match v {
            ZoneVerdict::Right => "right",
            ZoneVerdict::WrongOffset => "wrongOffset",
            ZoneVerdict::DstMissing => "dstMissing",
            ZoneVerdict::DstOtherYear => "dstOtherYear",
            ZoneVerdict::DstDiffers => "dstDiffers",
            ZoneVerdict::DstUnsupported => "dstUnsupported",
        }
    }
    pub fn verdict_text(v: ZoneVerdict) -> &'static str {
        match v {
            ZoneVerdict::Right => "Right",
            ZoneVerdict::WrongOffset => "Wrong UTC offset",
            ZoneVerdict::DstMissing => "DST missing",
            ZoneVerdict::DstOtherYear => "DST set for another year",
            ZoneVerdict::DstDiffers => "DST rule differs",
            ZoneVerdict::DstUnsupported => "Device cannot keep DST",
        }
    }
    /// "last Sun of Mar 2026, 01:00 UTC".
    pub fn week_time(w: &WeekTime) -> String {
        let ordinal = if w.ordinal == tna_types::dst::LAST {
            "last"
        } else {
            usize::try_from(w.ordinal - 1)
                .ok()
                .and_then(|i| ORDINALS.get(i))
                .copied()
                .unwrap_or("?")
        };
        let day = WEEKDAYS.get(usize::from(w.weekday)).copied().unwrap_or("?");
        let month = usize::from(w.month)
            .checked_sub(1)
            .and_then(|i| MONTHS.get(i))
            .copied()
            .unwrap_or("?");
        format!(
            "{ordinal} {day} of {month} {}, {:02}:{:02} UTC",
            w.year, w.hour, w.minute
        )
    }
    fn schedule_text(d: &DstSchedule) -> String {
        let mins = d.offset_seconds / 60;
        let shift = if mins % 60 == 0 {
            format!("{:+} h", mins / 60)
        } else {
            format!("{mins:+} min")
        };
        format!("{} → {} ({shift})", week_time(&d.start), week_time(&d.end))
    }
    /// "UTC+01:00; DST last Sun of Mar 2026, 01:00 UTC → last Sun of Oct 2026, 01:00 UTC (+1 h)".
    pub fn settings_text(z: &ZoneSettings) -> String {
        let dst = if z.schedules.is_empty() {
            NO_DST.to_string()
        } else {
            z.schedules
                .iter()
                .map(schedule_text)
                .collect::<Vec<_>>()
                .join("; ")
        };
        format!("UTC{}; {dst}", format_offset(z.utc_offset))
    }
    /// A verdict's title: what the zone asks for.
    pub fn expected_text(z: &ZoneSettings) -> String {
        format!("The site's zone asks for: {}", settings_text(z))
    }
    /// One grouped change of a preview.
    pub fn change_text(
        before: &ZoneSettings,
        target: &ZoneSettings,
        offset: bool,
        schedules: bool,
    ) -> String {
        let mut parts = Vec::new();
        if offset {
            parts.push(format!(
                "UTC offset UTC{} → UTC{}",
                format_offset(before.utc_offset),
                format_offset(target.utc_offset)
            ));
        }
        if schedules {
            let list = |z: &ZoneSettings| {
                if z.schedules.is_empty() {
                    NO_DST.to_string()
                } else {
                    z.schedules
                        .iter()
                        .map(schedule_text)
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            };
            parts.push(format!("DST {} → {}", list(before), list(target)));
        }
        parts.join("; ")
    }
    pub use super::components::devices_count;
    pub fn preview_title(year: i32) -> String {
        format!("What fixing would write ({year} rules)")
    }
    pub fn result_title(year: i32) -> String {
        format!("Time zones written ({year} rules)")
    }
    pub fn preview_intro(changing: usize) -> String {
        match changing {
            0 => "Every chosen device already keeps its site's zone: nothing to write.".to_string(),
            n => format!(
                "{} would change. Devices that already match are left alone.",
                devices_count(n)
            ),
        }
    }
    pub fn apply_fix(n: usize) -> String {
        format!("Write to {}", devices_count(n))
    }
    /// The confirmation of a fix: the count and the sites.
    pub fn confirm_fix(n: usize, sites: &[String]) -> String {
        if sites.is_empty() {
            format!("Write the time-zone settings of {}?", devices_count(n))
        } else {
            format!(
                "Write the time-zone settings of {} at {}?",
                devices_count(n),
                sites.join(", ")
            )
        }
    }
    pub fn written_summary(written: usize, total: usize) -> String {
        format!(
            "Written to {written} of {} (re-read after writing).",
            devices_count(total)
        )
    }
    pub fn fix_written(verdict: Option<ZoneVerdict>) -> String {
        match verdict {
            Some(v) => format!("Written; re-read: {}", verdict_text(v)),
            None => "Written; the re-read failed".to_string(),
        }
    }
    pub fn fix_failed(why: &str) -> String {
        format!("Not fixed: {why}")
    }
}

/// The accounts page (admin).
pub mod accounts {
    use tna_types::Role;

    pub const NAV: &str = "Accounts";
    pub const TITLE: &str = "Accounts";
    pub const INTRO: &str = "Admins manage accounts; operators change devices; viewers read logs and live events; kiosks show the reception screen only. A change of role or password signs that account out everywhere.";
    pub const LOADING: &str = "Loading accounts…";
    pub const LOAD_FAILED: &str = "The accounts could not be read";
    pub const FAILED: &str = "That did not work";
    pub const CAPTION: &str = "Accounts of this relay";
    pub const COL_USER: &str = "Username";
    pub const COL_ROLE: &str = "Role";
    pub const COL_ACTIONS: &str = "Password and removal";
    pub const CREATE_TITLE: &str = "New account";
    pub const USERNAME: &str = "Username";
    pub const PASSWORD: &str = "Password (at least 10 characters)";
    pub const ROLE: &str = "Role";
    pub const CREATE: &str = "Create account";
    pub const NEW_PASSWORD: &str = "New password";
    pub const SET_PASSWORD: &str = "Set password";
    pub const DELETE: &str = "Delete";
    pub const KIOSKS_TITLE: &str = "Paired reception tablets";
    pub const KIOSKS_NONE: &str = "No tablet is paired.";
    pub const COL_KIOSK: &str = "Tablet";
    pub const COL_PAIRED: &str = "Paired (UTC day)";
    pub const COL_EXPIRES: &str = "Signed in until";
    pub const UNPAIR: &str = "Unpair";
    pub fn confirm_unpair(name: &str) -> String {
        format!(
            "Unpair the tablet {name}? It stops showing the kiosk at once and needs a new code."
        )
    }
    pub fn unpaired(name: &str) -> String {
        format!("Tablet {name} unpaired.")
    }
    pub const PAIR_TITLE: &str = "Pair a reception tablet";
    pub const PAIR_INTRO: &str = "Makes a one-time code (valid for a few minutes). On the tablet, open /kiosk/pair and enter it: the tablet then shows the kiosk and stays signed in.";
    pub const KIOSK_NAME: &str = "Tablet name";
    pub const PAIR: &str = "Make a pairing code";
    pub const PAIR_CODE_IS: &str = "Pairing code:";
    pub const PAIR_HOW: &str = "— enter it at /kiosk/pair on the tablet.";
    pub const SCOPE: &str = "What the tablet shows";
    pub const SCOPE_HINT: &str = "Only today's punches of these devices, without device addresses. Choose no site and no device to show every device.";
    pub const SCOPE_SITES: &str = "Sites";
    pub const SCOPE_DEVICES: &str = "Device IDs (comma-separated)";
    pub const SCOPE_BAD_DEVICES: &str =
        "Write device IDs as numbers separated by commas, e.g. 541234567, 541234568.";
    pub const COL_SCOPE: &str = "Shows";
    pub const SCOPE_ALL: &str = "Every device";
    pub const NAME_FORM: &str = "Names on the tablet";
    pub const NAME_FULL: &str = "Full name";
    pub const NAME_FIRST_INITIAL: &str = "First name and initial (public wall)";
    /// "Sites HQ, Depot · devices 541234567".
    pub fn scope_text(scope: &tna_types::protocol::KioskScope) -> String {
        let mut parts = Vec::new();
        if scope.all_devices {
            parts.push(SCOPE_ALL.to_string());
        }
        if !scope.sites.is_empty() {
            parts.push(format!("Sites {}", scope.sites.join(", ")));
        }
        if !scope.devices.is_empty() {
            let ids: Vec<String> = scope.devices.iter().map(u32::to_string).collect();
            parts.push(format!("devices {}", ids.join(", ")));
        }
        if !scope.name_form.is_full() {
            parts.push("first names".to_string());
        }
        parts.join(" · ")
    }
    pub fn role_text(r: Role) -> &'static str {
        match r {
            Role::Kiosk => "Kiosk (reception screen only)",
            Role::Viewer => "Viewer (read-only)",
            Role::Operator => "Operator (changes devices)",
            Role::Admin => "Admin (everything)",
        }
    }
    pub fn created(u: &str) -> String {
        format!("Account {u} created.")
    }
    pub fn role_changed(u: &str, r: Role) -> String {
        format!("{u} is now {}; their sessions were ended.", r.name())
    }
    pub fn password_set(u: &str) -> String {
        format!("New password set for {u}; their sessions were ended.")
    }
    pub fn confirm_delete(u: &str) -> String {
        format!("Delete the account {u}? Its sessions end at once.")
    }
    pub fn deleted(u: &str) -> String {
        format!("Account {u} deleted.")
    }
    pub fn new_password_for(u: &str) -> String {
        format!("New password for {u}")
    }
}

/// Sign-in, sign-out and kiosk pairing.
pub mod signin {
    pub const TITLE: &str = "Sign in";
    pub const INTRO: &str = "Sign in with the account an admin gave you.";
    pub const USERNAME: &str = "Username";
    pub const PASSWORD: &str = "Password";
    pub const SUBMIT: &str = "Sign in";
    pub const SIGNING_IN: &str = "Signing in…";
    pub const KIOSK_HINT: &str = "A reception tablet?";
    pub const KIOSK_LINK: &str = "Pair it with a code";
    pub const PAIR_TITLE: &str = "Pair this tablet as a kiosk";
    pub const PAIR_INTRO: &str = "Enter the one-time code an admin made under Accounts. The tablet then shows the reception screen without a password.";
    pub const PAIR_CODE: &str = "Pairing code";
    pub const PAIR_SUBMIT: &str = "Pair";
    pub const CHECKING: &str = "Checking sign-in…";
    pub const UNREACHABLE: &str = "The relay cannot be reached";
    pub const TRY_AGAIN: &str = "Try again";
    pub const SIGN_OUT: &str = "Sign out";
    /// "anna (operator)".
    pub fn who(username: &str, role: &str) -> String {
        format!("{username} ({role})")
    }
}

/// Errors of the relay connection (see `crate::api::ApiError`).
pub mod api {
    pub const NOT_CONNECTED: &str = "Not connected to the relay. The console reconnects by itself; try again when the header shows Connected.";
    pub const CONNECT_FAILED: &str =
        "Could not connect to the relay. Check that it is running; the console keeps retrying.";
    pub const CONNECTION_LOST: &str = "The connection to the relay dropped before the answer arrived; the request may or may not have been carried out.";
    pub fn timed_out(after_ms: u32) -> String {
        format!(
            "No answer from the relay within {} s; the request may still be carried out.",
            after_ms.div_ceil(1000)
        )
    }
    pub fn protocol_error(detail: &str) -> String {
        format!("The console could not talk to the relay: {detail}")
    }
    /// What a method does, for "your role may not …".
    pub fn method_action(method: &str) -> String {
        match method {
            "tna.setConfig" | "tna.setConfigMulti" => "change T&A configurations".into(),
            "jobCodes.set" | "jobCodes.setMulti" => "change job codes".into(),
            "system.setJobCodeUse" => "switch job codes on or off".into(),
            "time.sync" => "set device clocks".into(),
            "time.fixZones" => "change device time zones".into(),
            "archive.sync" => "start an archive sync".into(),
            "timecards.setPolicy" => "change the timecard policy".into(),
            "audit.list" => "read the audit trail".into(),
            m if m.starts_with("accounts.") || m.starts_with("kiosk.") => {
                "manage accounts and kiosks".into()
            }
            other => format!("call {other}"),
        }
    }
}

/// Shared components.
pub mod components {
    pub const STATUS_CONNECTED: &str = "Connected";
    pub const STATUS_CONNECTING: &str = "Connecting";
    pub const STATUS_DISCONNECTED: &str = "Disconnected";
    pub const STATUS_ERROR: &str = "Error";
    pub const RETRY: &str = "Retry";
    pub const RETRYING: &str = "Retrying…";
    pub const ERROR_TITLE: &str = "Something went wrong";
    pub const YES: &str = "Yes";
    pub const NO: &str = "No";
    pub const SELECT_ALL: &str = "All";
    pub const SELECT_NONE: &str = "None";
    /// "1 device", "52 devices".
    pub fn devices_count(n: usize) -> String {
        if n == 1 {
            "1 device".to_string()
        } else {
            format!("{n} devices")
        }
    }
    /// "Apply this configuration to 52 devices at HQ, Warehouse?": a write to many devices,
    /// with the count and the sites.
    pub fn confirm_many(what: &str, n: usize, sites: &[String]) -> String {
        let devices = devices_count(n);
        if sites.is_empty() {
            format!("{what} {devices}?")
        } else {
            format!("{what} {devices} at {}?", sites.join(", "))
        }
    }
    /// The first day of a range filter.
    pub const FROM: &str = "From";
    /// The last day of a range filter (its punches are included).
    pub const TO: &str = "To (inclusive)";
}

/// The devices page.
pub mod devices {
    pub const TITLE: &str = "Devices";
    pub const FILTER_LABEL: &str = "Filter devices";
    pub const FILTER_PLACEHOLDER: &str = "Filter by ID, name, place, tag, site or type";
    pub const REFRESH: &str = "Refresh";
    pub const REFRESHING: &str = "Refreshing…";
    pub const LOADING: &str = "Loading devices…";
    pub const LOAD_FAILED: &str = "The device list could not be read";
    pub const NONE: &str = "The gateway reports no devices.";
    pub const NO_MATCH: &str = "No device matches the filter.";
    /// A status change pushed while the page is open: "since 14:05:09".
    pub fn since(time: &str) -> String {
        format!("since {time}")
    }
    pub const CAPTION: &str = "Devices known to the gateway";
    pub const COL_ID: &str = "ID";
    pub const COL_NAME: &str = "Name";
    pub const COL_SITE: &str = "Site";
    pub const COL_TYPE: &str = "Type";
    pub const COL_ADDRESS: &str = "Address";
    pub const COL_STATUS: &str = "Status";
    pub const COL_TNA: &str = "T&A";
    pub const COL_JOB_CODES: &str = "Job codes";
    /// "Showing 3 of 12 devices · 10 connected".
    pub fn summary(shown: usize, total: usize, connected: usize) -> String {
        if shown == total {
            format!("{total} devices · {connected} connected")
        } else {
            format!("Showing {shown} of {total} devices · {connected} connected")
        }
    }
    /// Accessible name of a row's link.
    pub fn open_device(id: u32) -> String {
        format!("Open device {id}")
    }
    /// A site whose gateway did not answer `devices.list`.
    pub fn site_down(site: &str, devices: u32, why: Option<&str>) -> String {
        let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
        format!(
            "The gateway of site {site} cannot be reached{why}. Its {devices} devices are shown as last seen and cannot be changed until it is back; other sites are not affected."
        )
    }
    /// A status change that says more than the status.
    pub fn detail_since(detail: &str, time: &str) -> String {
        format!("{detail} · since {time}")
    }
}

/// The device detail page.
pub mod device {
    use tna_types::TnaMode;

    /// The document title of a device page.
    pub const TITLE: &str = "Device";
    pub const LOADING: &str = "Loading device…";
    pub const LOAD_FAILED: &str = "The device could not be read";
    pub const CONFIG_FAILED: &str = "The T&A configuration could not be read";
    pub const INVALID_ID: &str = "This is not a device ID.";
    pub const TYPE: &str = "Type";
    pub const ADDRESS: &str = "Address";
    pub const STATUS: &str = "Status";
    pub const SITE: &str = "Site";
    pub const JOB_CODES: &str = "Job codes";
    pub const CONFIG_TITLE: &str = "T&A configuration";
    pub const CONFIG_READ_ONLY: &str = "Read-only view of the configuration stored on the device.";
    pub const NO_TNA: &str = "This device does not support T&A: it has no T&A keys to configure.";
    pub const MODE: &str = "Mode";
    pub const FIXED_KEY: &str = "Fixed key";
    pub const FIXED_KEY_UNUSED: &str = "Used only in Fixed mode";
    pub const NO_KEY: &str = "None";
    pub const REQUIRED: &str = "T&A required";
    pub const REQUIRED_UNUSED: &str = "Applies only in By user mode";
    pub const KEYS_CAPTION: &str = "T&A keys";
    pub const COL_KEY: &str = "Key";
    pub const COL_LABEL: &str = "Label";
    pub const COL_SCHEDULE: &str = "Schedule";
    pub const SCHEDULE_NONE: &str = "None";
    pub const SCHEDULE_ALWAYS: &str = "Always";
    pub const SCHEDULES_FAILED: &str =
        "Schedule names could not be read, so schedules are shown by ID";
    /// A schedule ID the device's schedule list does not hold.
    pub fn schedule_unknown(id: u32) -> String {
        format!("#{id} (unknown)")
    }
    /// A schedule shown by ID only (the list could not be read).
    pub fn schedule_id(id: u32) -> String {
        format!("#{id}")
    }
    /// Page heading.
    pub fn heading(id: u32) -> String {
        format!("Device {id}")
    }
    pub const NAME: &str = "Name";
    pub const LOCATION: &str = "Location";
    pub const TAGS: &str = "Tags (comma-separated)";
    pub const TAGS_SHORT: &str = "Tags";
    pub const EDIT_NAME: &str = "Name and location";
    pub const SAVE_NAME: &str = "Save name";
    pub const CANCEL: &str = "Cancel";
    pub const NAME_SAVED: &str = "Saved.";
    pub const NAME_FAILED: &str = "The name could not be saved";
    pub const NAME_HINT: &str =
        "Shown wherever this device appears. Leave a field empty to clear it.";

    /// The mode's name.
    pub fn mode_name(mode: TnaMode) -> &'static str {
        match mode {
            TnaMode::Unused => "Not used",
            TnaMode::ByUser => "By user",
            TnaMode::BySchedule => "By schedule",
            TnaMode::LastChoice => "Last choice",
            TnaMode::Fixed => "Fixed",
        }
    }

    /// One line on what the mode does.
    pub fn mode_explanation(mode: TnaMode) -> &'static str {
        match mode {
            TnaMode::Unused => "T&A is off: events get no T&A key.",
            TnaMode::ByUser => "The user picks a key on the device after authenticating.",
            TnaMode::BySchedule => "Each key applies during the schedule assigned to it.",
            TnaMode::LastChoice => "The key the previous user picked is used again.",
            TnaMode::Fixed => "Every event gets the fixed key below.",
        }
    }
}

/// The T&A config editor, export and import (device page).
pub mod editor {
    use tna_types::ConfigField;

    /// A config field for people.
    pub fn field_name(f: ConfigField) -> String {
        match f {
            ConfigField::Mode => "Mode".into(),
            ConfigField::Key => "Fixed key".into(),
            ConfigField::IsRequired => "T&A required".into(),
            ConfigField::Label(k) => format!("Label of {k}"),
            ConfigField::Schedule(k) => format!("Schedule of {k}"),
        }
    }
    pub const EDIT: &str = "Edit";
    pub const TITLE: &str = "Edit T&A configuration";
    pub const SAVE: &str = "Save";
    pub const SAVING: &str = "Saving…";
    pub const CANCEL: &str = "Cancel";
    pub const SAVE_FAILED: &str = "The device did not take the configuration; your edits are kept";
    pub const SAVED: &str = "Saved. This is the configuration the device now holds.";
    pub const UNCHANGED: &str = "No changes yet.";
    pub const INVALID: &str = "Fix the marked fields to save.";
    pub const MODE: &str = "Mode";
    pub const FIXED_KEY: &str = "Fixed key";
    pub const FIXED_KEY_NONE: &str = "— choose a key —";
    pub const FIXED_KEY_ONLY_FIXED: &str = "Used only in Fixed mode.";
    pub const REQUIRED: &str = "T&A required (users must pick a key)";
    pub const REQUIRED_ONLY_BY_USER: &str = "Applies only in By user mode.";
    pub const NO_KEYPAD: &str = "Not available: this device has no keypad or screen to pick a key.";
    pub const UNSAVED_PROMPT: &str =
        "You have unsaved changes to the T&A configuration. Leave and lose them?";
    pub const EXPORT: &str = "Export JSON";
    pub const IMPORT: &str = "Import JSON";
    pub const IMPORT_TITLE: &str = "Imported file";
    pub const IMPORT_BAD: &str = "This file cannot be used; nothing was changed";
    pub const IMPORT_SAME: &str = "The file holds the same configuration as the device.";
    pub const IMPORT_DIFF: &str =
        "Loading this file changes these fields (nothing is written until you save):";
    pub const IMPORT_APPLY: &str = "Load into editor";
    pub const IMPORT_DISCARD: &str = "Discard";
    /// Why a picked file was not read: larger than one frame to the relay.
    pub const IMPORT_TOO_LARGE: &str = "the file is too large";
    /// Why a picked file was not read: the browser could not read it as text.
    pub const IMPORT_NOT_TEXT: &str = "not text";
    pub const COL_FIELD: &str = "Field";
    pub const COL_BEFORE: &str = "Now";
    pub const COL_AFTER: &str = "New";
    /// "12 / 48 bytes".
    pub fn label_bytes(used: usize, max: usize) -> String {
        format!("{used} / {max} bytes")
    }
    /// Accessible name of a key's label input.
    pub fn label_for(key: &str) -> String {
        format!("Label of {key}")
    }
    /// Accessible name of a key's schedule picker.
    pub fn schedule_for(key: &str) -> String {
        format!("Schedule of {key}")
    }
    /// The file could not be read or parsed.
    pub fn import_parse(detail: &str) -> String {
        format!("The file is not a T&A configuration in JSON: {detail}")
    }
    /// The file could not be read at all.
    pub fn import_read(detail: &str) -> String {
        format!("The file could not be read: {detail}")
    }
    /// The export file name.
    pub fn export_name(device_id: u32) -> String {
        format!("tna-config-{device_id}.json")
    }
    /// Which device an imported file came from: "Exported from Reception entrance (540000001),
    /// BioStation A2, Lobby".
    pub fn import_from(from: &tna_types::ExportedFrom) -> String {
        let who = match &from.name {
            Some(name) => format!("{name} ({})", from.device_id),
            None => from.device_id.to_string(),
        };
        let mut text = format!("Exported from {who}, {}", from.product);
        if let Some(place) = &from.location {
            text.push_str(", ");
            text.push_str(place);
        }
        text
    }
}

/// The bulk apply page and its preview / apply / result flow (also used by the drift report).
pub mod bulk {
    /// The start of the confirmation of an apply (count and sites follow).
    pub const CONFIRM_APPLY: &str = "Apply this T&A configuration to";
    use tna_types::Ineligible;

    pub const NAV: &str = "Bulk apply";
    pub const TITLE: &str = "Bulk apply a T&A configuration";
    pub const LOADING: &str = "Loading devices…";
    pub const LOAD_FAILED: &str = "The device list could not be read";
    pub const TARGETS: &str = "1. Target devices";
    pub const SOURCE: &str = "2. Configuration to apply";
    pub const FILTER_TYPE: &str = "Type";
    pub const FILTER_SITE: &str = "Site";
    pub const FILTER_TNA: &str = "T&A support";
    pub const FILTER_STATUS: &str = "Status";
    pub const FILTER_TEXT: &str = "Text";
    pub const FILTER_TEXT_PLACEHOLDER: &str = "ID, type or address";
    pub const ANY: &str = "Any";
    pub const YES: &str = "Yes";
    pub const NO: &str = "No";
    pub const SELECT_ALL: &str = "Select all shown";
    pub const CLEAR: &str = "Clear selection";
    pub const SELECT_DEVICE: &str = "Select device";
    pub const SOURCE_DEVICE: &str = "A device's configuration";
    pub const SOURCE_DRAFT: &str = "The editor's current draft";
    pub const SOURCE_FILE: &str = "An imported file";
    pub const NO_DRAFT: &str = "No draft: open a device, click Edit and change something first.";
    pub const PICK_DEVICE: &str = "— choose a device —";
    pub const SOURCE_LOADING: &str = "Reading the configuration…";
    pub const SOURCE_FAILED: &str = "The source configuration could not be used";
    pub const SOURCE_READY: &str = "Source configuration ready.";
    pub const PREVIEW: &str = "Preview changes";
    pub const PREVIEWING: &str = "Reading the targets…";
    pub const PREVIEW_TITLE: &str = "3. Preview";
    pub const APPLY_NONE: &str =
        "Nothing to apply: every target already matches or cannot take it.";
    pub const APPLYING: &str = "Applying…";
    pub const CANCEL: &str = "Cancel";
    pub const CANCELLING: &str = "Cancelling after this batch…";
    pub const RESULTS_TITLE: &str = "4. Results";
    pub const RETRY_FAILED: &str = "Retry failed";
    pub const REREADING: &str = "Re-reading every target…";
    pub const COL_SELECT: &str = "Select";
    pub const COL_DEVICE: &str = "Device";
    pub const COL_TYPE: &str = "Type";
    pub const COL_STATUS: &str = "Status";
    pub const COL_TNA: &str = "T&A";
    pub const COL_CHANGES: &str = "What changes";
    /// The per-device preview, folded under the grouped summary.
    pub const PER_DEVICE: &str = "Per device";
    pub use super::components::devices_count;
    pub const COL_RESULT: &str = "Result";
    pub const COL_DETAIL: &str = "Detail";
    pub const COL_AFTER: &str = "After re-read";
    pub const SAME: &str = "Already matches: not written";
    pub const OK: &str = "OK";
    pub const FAILED: &str = "Failed";
    pub const NOT_SENT: &str = "Not sent (cancelled)";
    pub const MATCHES: &str = "Matches";
    pub const STILL_DIFFERS: &str = "Still differs";
    pub const REREAD_FAILED: &str = "Could not re-read";

    /// Why a device cannot take the config.
    pub fn ineligible(why: Ineligible) -> &'static str {
        match why {
            Ineligible::NoTna => "Cannot take it: no T&A support",
            Ineligible::Offline => "Cannot take it: offline",
            Ineligible::NoKeypad => {
                "Cannot take it: the mode needs a keypad or screen, the device has none"
            }
        }
    }
    /// A read before the preview failed.
    pub fn unreadable(message: &str) -> String {
        format!("Cannot take it: its configuration could not be read ({message})")
    }
    /// "3 selected of 40 shown".
    pub fn selected(selected: usize, shown: usize) -> String {
        format!("{selected} selected · {shown} shown")
    }
    /// The apply button.
    pub fn apply(n: usize) -> String {
        format!("Apply to {n} devices")
    }
    /// "12 of 20 devices".
    pub fn progress(done: usize, total: usize) -> String {
        format!("{done} of {total} devices")
    }
    /// "18 OK · 2 failed".
    pub fn summary(ok: usize, failed: usize, not_sent: usize) -> String {
        if not_sent == 0 {
            format!("{ok} OK · {failed} failed")
        } else {
            format!("{ok} OK · {failed} failed · {not_sent} not sent")
        }
    }
    /// A gRPC status code with its name: "13 INTERNAL".
    pub fn grpc_code(code: i32) -> String {
        let name = match code {
            0 => "OK",
            1 => "CANCELLED",
            2 => "UNKNOWN",
            3 => "INVALID_ARGUMENT",
            4 => "DEADLINE_EXCEEDED",
            5 => "NOT_FOUND",
            6 => "ALREADY_EXISTS",
            7 => "PERMISSION_DENIED",
            8 => "RESOURCE_EXHAUSTED",
            9 => "FAILED_PRECONDITION",
            10 => "ABORTED",
            11 => "OUT_OF_RANGE",
            12 => "UNIMPLEMENTED",
            13 => "INTERNAL",
            14 => "UNAVAILABLE",
            15 => "DATA_LOSS",
            16 => "UNAUTHENTICATED",
            _ => "",
        };
        format!("gRPC {code} {name}").trim_end().to_string()
    }
    /// A relay error for a whole batch: "relay error -32003".
    pub fn relay_code(code: i32) -> String {
        format!("relay error {code}")
    }
}

/// Job codes on the device page.
pub mod jobcodes {
    /// The start of the confirmation of a copy (the count follows).
    pub const CONFIRM_COPY: &str = "Copy this user's job codes to";
    pub const USE_ON: &str = "Job codes are on: users pick one when they punch.";
    pub const USE_OFF: &str = "Job codes are off on this device.";
    pub const TITLE: &str = "Job codes";
    pub const USE: &str = "Ask users for a job code on this device (useJobCode)";
    pub const USE_FAILED: &str = "The job-code setting could not be read or changed";
    pub const LOADING: &str = "Reading job codes…";
    pub const LOAD_FAILED: &str = "The job codes could not be read";
    pub const NO_USERS: &str = "No users are enrolled on this device.";
    pub const COL_USER: &str = "User";
    pub const COL_CODES: &str = "Job codes";
    pub const COL_CODE: &str = "Code";
    pub const COL_LABEL: &str = "Label";
    pub const NONE: &str = "None";
    pub const EDIT: &str = "Edit";
    pub const ADD: &str = "Add job code";
    pub const REMOVE: &str = "Remove";
    pub const SAVE: &str = "Save job codes";
    pub const SAVING: &str = "Saving…";
    pub const CLOSE: &str = "Close";
    pub const SAVE_FAILED: &str = "The job codes were not saved; your edits are kept";
    pub const SAVED: &str = "Saved; shown as re-read from the device.";
    pub const COPY_TITLE: &str = "Copy this user's job codes to other devices";
    pub const COPY: &str = "Copy to selected devices";
    pub const COPYING: &str = "Copying…";
    pub const COPY_FAILED: &str = "The copy failed";
    pub const NO_OTHER_DEVICES: &str = "No other device supports job codes.";
    /// Heading of one user's editor.
    pub fn editing(user: &str) -> String {
        format!("Job codes of user {user}")
    }
    /// "3 / 16".
    pub fn count(n: usize, max: usize) -> String {
        format!("{n} / {max} job codes")
    }
}

/// The drift report.
pub mod drift {
    /// Devices that cannot take the reference at all (listed apart from those that differ).
    pub const CANNOT_TITLE: &str = "Cannot take the reference";
    pub const NAV: &str = "Drift";
    pub const TITLE: &str = "Drift report";
    pub const INTRO: &str = "Compares the T&A configuration of every T&A device with a reference and lists the devices that differ, field by field.";
    pub const REFERENCE: &str = "Reference configuration";
    pub const COMPARE: &str = "Compare all T&A devices";
    pub const COMPARING: &str = "Reading every T&A device…";
    pub const NONE: &str = "No drift: every checked device holds the reference configuration.";
    pub const COL_DEVICE: &str = "Device";
    pub const COL_FIELDS: &str = "Differs from the reference";
    pub const UNCHECKED_TITLE: &str = "Not checked";
    pub const FIX: &str = "Apply the reference to the drifted devices";
    /// "2 of 18 devices differ".
    pub fn summary(drifted: usize, checked: usize) -> String {
        format!("{drifted} of {checked} checked devices differ")
    }
}

/// The logs page.
pub mod logs {
    pub const NAV: &str = "Logs";
    pub const TITLE: &str = "Logs";
    pub const KIND_LABEL: &str = "Log";
    pub const KIND_TNA: &str = "T&A log";
    pub const KIND_JOB: &str = "Job-code log";
    pub const DEVICES_LABEL: &str = "Devices";
    pub const DEVICES_LOADING: &str = "Loading devices…";
    pub const DEVICES_FAILED: &str = "The device list could not be read";
    pub const DEVICES_NONE: &str = "No connected device keeps this log.";
    pub const LOAD_MORE: &str = "Load more";
    pub const LOAD_ALL: &str = "Load all";
    pub const CANCEL: &str = "Cancel";
    pub const CLEAR: &str = "Clear";
    pub const LOAD_FAILED: &str = "Logs could not be read";
    pub const PICK_DEVICES: &str = "Choose one or more devices, then Load more or Load all.";
    pub const NOTHING_LOADED: &str = "Nothing loaded yet.";
    pub const COMPLETE: &str = " · everything stored has been read";
    pub const NO_MATCH: &str = "No loaded record matches the filters.";
    pub const FILTERS: &str = "Filters";
    pub const FROM: &str = "From";
    pub const TO: &str = "To";
    pub const USER: &str = "User (ID or name)";
    pub const USER_PLACEHOLDER: &str = "Any user";
    pub const KEY: &str = "Key";
    pub const KEY_ANY: &str = "Any key";
    pub const KEY_NONE: &str = "No key";
    pub const EVENT: &str = "Event";
    pub const EVENT_ANY: &str = "Any event";
    pub const SORT_NEWEST: &str = "Newest first";
    pub const SORT_OLDEST: &str = "Oldest first";
    pub const EXPORT: &str = "Export CSV";
    pub const EXPORT_FAILED: &str = "The CSV file could not be created.";
    pub const FILE_NAME: &str = "tna-logs.csv";
    pub const TABLE_LABEL: &str = "Log records";
    pub const COL_TIME: &str = "Time (with its UTC offset)";
    pub const COL_DEVICE: &str = "Device";
    pub const COL_USER: &str = "User";
    pub const COL_NAME: &str = "Name";
    pub const COL_EVENT: &str = "Event";
    pub const COL_KEY: &str = "T&A key";
    pub const COL_JOB: &str = "Job code";
    pub const NONE: &str = "—";
    pub const SOURCE_LABEL: &str = "Source";
    pub const SOURCE_ARCHIVE: &str = "Archive";
    pub const SOURCE_DEVICES: &str = "Devices";
    pub const SOURCE_DEVICES_INFO: &str =
        "Read from the devices, page by page from each device's cursor.";
    pub const SOURCE_CHECKING: &str = "Read from the devices (checking the relay's archive…).";
    pub const SOURCE_NO_ARCHIVE: &str = "Read from the devices: the relay keeps no archive.";
    pub const SOURCE_STATUS_FAILED: &str =
        "Read from the devices: the state of the relay's archive could not be read.";
    pub const COMPLETE_ARCHIVE: &str = " · every matching record in the archive has been read";
    pub const ARCHIVE_FILTERS_CHANGED: &str = "The dates or the user changed since the archive was read: Load more or Load all reads it again with them.";

    /// "12,345 records read · 1 of 3 devices done".
    pub fn progress(records: usize, done: usize, total: usize) -> String {
        format!(
            "{} records read · {done} of {total} devices done",
            thousands(records)
        )
    }
    /// "12,345 records read from the archive".
    pub fn archive_progress(records: usize) -> String {
        format!("{} records read from the archive", thousands(records))
    }
    /// "From the relay's archive · last synced 2026-01-05 14:05:09, 12 s ago".
    pub fn source_archive(last_sync: Option<(&str, i64)>) -> String {
        match last_sync {
            Some((local, secs)) => format!(
                "From the relay's archive · last synced {local}, {} ago",
                super::sync::duration(secs)
            ),
            None => "From the relay's archive".to_string(),
        }
    }
    /// "Not in the archive yet: devices 3, 4."
    pub fn not_archived(ids: &[u32]) -> String {
        let list: Vec<String> = ids.iter().map(u32::to_string).collect();
        format!("Not in the archive yet: devices {}.", list.join(", "))
    }
    /// "Exporting… 40 %".
    pub fn exporting(percent: usize) -> String {
        format!("Exporting… {percent} %")
    }
    /// "Showing 1,200 of 100,000 loaded records".
    pub fn shown(shown: usize, loaded: usize) -> String {
        if shown == loaded {
            format!("{} records loaded", thousands(loaded))
        } else {
            format!(
                "Showing {} of {} loaded records",
                thousands(shown),
                thousands(loaded)
            )
        }
    }
    /// The time cell's hover text.
    pub fn time_title(utc: &str, offset: Option<&str>) -> String {
        match offset {
            Some(o) => format!("{utc} (device time zone UTC{o})"),
            None => format!("{utc} (device time zone not known: shown in UTC)"),
        }
    }
    /// 1234567 → "1,234,567".
    pub fn thousands(n: usize) -> String {
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

/// The live page and the kiosk's connection line.
pub mod live {
    pub const NAV: &str = "Live";
    pub const TITLE: &str = "Live events";
    pub const INTRO: &str =
        "New T&A events of the chosen devices appear at the top as they happen.";
    pub const DEVICES_LABEL: &str = "Devices";
    pub const NONE_CHOSEN: &str = "No device chosen: pick one or more on the left.";
    pub const STATUS_CONNECTING: &str = "Connecting…";
    pub const STATUS_LIVE: &str = "Live";
    pub const STATUS_RETRYING: &str = "Subscription failed — retrying";
    pub const WAITING: &str = "Waiting for the first event…";
    pub const NO_DEVICES: &str = "No connected device supports T&A.";
    pub const DEVICES_FAILED: &str = "The device list could not be read";
    pub const TABLE_CAPTION: &str = "Latest events, newest first";
    /// "3 devices of other relays sharing this archive are listed too: …".
    pub fn remote_note(count: usize) -> String {
        let d = if count == 1 { "device" } else { "devices" };
        format!(
            "{count} {d} of other relays sharing this archive are listed too: their events \
             arrive live through the archive (times in UTC, keys by number)."
        )
    }
    /// "42 events since this page opened · 12 devices" ("1 event", "1 device").
    pub fn summary(events: u64, devices: usize) -> String {
        let e = if events == 1 { "event" } else { "events" };
        let d = if devices == 1 { "device" } else { "devices" };
        format!("{events} {e} since this page opened · {devices} {d}")
    }
}

/// The reception kiosk (`/kiosk`).
pub mod kiosk {
    use crate::logs::kiosk::Direction;

    /// The document title of the reception screen.
    pub const TITLE: &str = "Reception";
    pub const LATEST: &str = "Latest punches";
    pub const WHO_IS_IN: &str = "Who is in";
    pub const NO_PUNCHES: &str = "No punches yet today.";
    pub const NOBODY: &str = "Nobody has punched with a key yet.";
    pub const CONN_LIVE: &str = "Live";
    pub const CONN_CONNECTING: &str = "Connecting…";
    pub const CONN_RETRYING: &str = "Reconnecting…";
    pub const SETTINGS: &str = "Settings";
    pub const SETTINGS_TITLE: &str = "Kiosk settings";
    pub const SETTINGS_INTRO: &str =
        "What each T&A key means at this reception. Saved in this browser.";
    pub const CLOSE: &str = "Done";
    pub const THEME: &str = "Theme";
    pub const DEVICES: &str = "Devices shown";
    pub const NO_DEVICES: &str = "No connected device supports T&A.";
    pub const DEVICES_EVERY: &str = "Showing every connected T&A device, also ones added later.";
    pub const DEVICES_CHOSEN: &str = "Showing the chosen devices only (this tablet remembers them; ?devices=ID,ID in the address does the same).";
    pub const DEVICES_RESET: &str = "Show every device";
    pub const THEME_AUTO: &str = "Automatic";
    pub const THEME_LIGHT: &str = "Light";
    pub const THEME_DARK: &str = "Dark";
    pub const DIRECTION_NONE: &str = "Not used";
    pub const STATUS_UNKNOWN: &str = "—";
    pub const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    pub const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    /// The settings' name of a direction.
    pub fn direction_name(d: Direction) -> &'static str {
        match d {
            Direction::In => "Check in",
            Direction::Out => "Check out",
            Direction::BreakStart => "Break start",
            Direction::BreakEnd => "Break end",
        }
    }

    /// The board's status word.
    pub fn status_word(d: Direction) -> &'static str {
        match d {
            Direction::In | Direction::BreakEnd => "IN",
            Direction::Out => "OUT",
            Direction::BreakStart => "BREAK",
        }
    }

    /// "Offline — reconnecting in 3 s".
    pub fn offline(retry_in_secs: u32) -> String {
        format!("Offline — reconnecting in {retry_in_secs} s")
    }

    /// "Offline since 14:05 — reconnecting in 3 s": the board shown is the one the kiosk had
    /// then (kept in this browser).
    pub fn offline_since(hm: &str, retry_in_secs: u32) -> String {
        format!("Offline since {hm} — reconnecting in {retry_in_secs} s")
    }

    /// The first-start prompt of a kiosk not in full screen.
    pub const FULLSCREEN: &str = "Tap to enter full screen";
    pub const FULLSCREEN_LATER: &str = "Not now";

    /// "5 in".
    pub fn present_count(n: usize) -> String {
        format!("{n} in")
    }

    /// "User 1007".
    pub fn user(id: &str) -> String {
        format!("User {id}")
    }
}

/// The timecards page.
pub mod timecards {
    use tna_types::timecard::{PunchType, RepeatRule, TimecardFlag};

    pub use super::sync::NO_ARCHIVE;

    pub const NAV: &str = "Timecards";
    pub const TITLE: &str = "Timecards";
    pub const INTRO: &str = "Worked time per user and day, computed by the relay from the archived T&A punches by the policy below. Nothing is guessed: a day that needs a look is flagged and its open time is not counted.";
    pub const RANGE: &str = "Days and user";
    pub const FROM: &str = "From";
    pub const TO: &str = "To (inclusive)";
    pub const USER: &str = "User ID";
    pub const USER_PLACEHOLDER: &str = "Every user";
    pub const LOAD: &str = "Load";
    pub const LOADING: &str = "Computing timecards…";
    pub const LOAD_FAILED: &str = "The timecards could not be computed";
    pub const BAD_DATE: &str = "Enter both days as dates.";
    pub const TO_BEFORE_FROM: &str = "The last day must not be before the first.";
    pub const EMPTY: &str = "No punches in these days.";
    pub const NONE: &str = "—";

    pub const POLICY_TITLE: &str = "Policy";
    pub const POLICY_LOADING: &str = "Reading the policy…";
    pub const POLICY_FAILED: &str = "The policy could not be read";
    pub const POLICY_KEYS: &str = "Keys";
    pub const POLICY_NO_KEYS: &str = "No key is mapped: every punch is ignored.";
    pub const POLICY_OTHER_KEYS: &str = "Other keys are ignored (flagged as unmapped).";
    pub const POLICY_DAY_START: &str = "Day";
    pub const POLICY_REPEATS: &str = "Repeated punches";
    pub const POLICY_ZONE: &str = "Time zone";
    pub const ZONE_RULE: &str = "Each day is in the time zone of the site where its first punch was made, with daylight saving time: a day boundary is local wall time, worked time is real elapsed time (a night shift across a DST change counts one hour less or more than its wall-clock span).";
    pub const COL_ZONE: &str = "Zone";
    pub const EDIT_POLICY: &str = "Edit policy";
    pub const EDIT_TITLE: &str = "Edit the policy";
    pub const EDIT_INTRO: &str =
        "Applies to every timecard computed from now on, past days included.";
    pub const PUNCH_NONE: &str = "Not used";
    pub const DAY_START_LABEL: &str = "Day starts at (local time)";
    pub const REPEATED_IN_LABEL: &str = "Several INs in a row";
    pub const REPEATED_OUT_LABEL: &str = "Several OUTs in a row";
    pub const KEYS_LEGEND: &str = "What each T&A key means";
    pub const BAD_DAY_START: &str = "Enter the time the day starts as HH:MM.";
    pub const SAVE: &str = "Save policy";
    pub const SAVING: &str = "Saving…";
    pub const CANCEL: &str = "Cancel";
    pub const SAVE_FAILED: &str = "The policy was not saved";
    pub const SAVED: &str = "Policy saved. The timecards below were computed again with it.";
    pub const FIX_ERRORS: &str = "Fix the fields marked below first.";

    pub const DAYS_TITLE: &str = "Days";
    pub const TOTALS_TITLE: &str = "Totals per user";
    pub const TOTALS_CAPTION: &str = "Totals per user over the days shown";
    pub const COL_USER: &str = "User";
    pub const COL_DAY: &str = "Day";
    pub const COL_FIRST_IN: &str = "First in";
    pub const COL_LAST_OUT: &str = "Last out";
    pub const COL_BREAK: &str = "Break";
    pub const COL_MEAL: &str = "Meal";
    pub const COL_WORKED: &str = "Worked";
    pub const COL_FLAGS: &str = "Flags";
    pub const COL_DEVICES: &str = "Devices";
    pub const COL_DAYS: &str = "Days";
    pub const COL_FLAGGED: &str = "Flagged days";
    pub const CSV: &str = "Export days as CSV";
    pub const CSV_TOTALS: &str = "Export totals as CSV";
    pub const CSV_FAILED: &str = "The CSV file could not be created.";

    /// The days table's caption.
    pub fn caption(from: &str, to: &str) -> String {
        format!("Timecards per user and day, {from} to {to}")
    }
    /// "12 days of 3 users, from 240 archived events".
    pub fn summary(days: usize, users: usize, events: u64) -> String {
        let days = if days == 1 {
            "1 day".to_string()
        } else {
            format!("{days} days")
        };
        let users = if users == 1 {
            "1 user".to_string()
        } else {
            format!("{users} users")
        };
        format!("{days} of {users}, from {events} archived events")
    }
    /// CSV file names.
    pub fn file_name(from: &str, to: &str) -> String {
        format!("timecards-{from}-to-{to}.csv")
    }
    pub fn totals_file_name(from: &str, to: &str) -> String {
        format!("timecard-totals-{from}-to-{to}.csv")
    }
    /// A time on a later date than the day it belongs to: "02:10 (+1 day)".
    pub fn time_on(hm: &str, days_after: i64) -> String {
        match days_after {
            0 => hm.to_string(),
            1 => format!("{hm} (+1 day)"),
            d => format!("{hm} ({d:+} days)"),
        }
    }
    /// The title of a time cell: the full local date and time with its offset, and UTC.
    pub fn time_title(local: &str, offset: &str, utc: &str) -> String {
        format!("{local} (UTC{offset}) · {utc} UTC")
    }
    /// A day's zone: its IANA name, or UTC when the site has none.
    pub fn zone_name(zone: Option<&str>) -> String {
        match zone {
            Some(z) => z.to_string(),
            None => crate::strings::time::NO_ZONE.to_string(),
        }
    }

    pub const PUNCHES_OPEN: &str = "Show the punches behind this day";
    pub const PUNCHES_LOADING: &str = "Reading the punches…";
    pub const PUNCHES_FAILED: &str = "The punches could not be read";
    pub const UNMAPPED: &str = "Not counted";
    pub fn punch_name(p: PunchType) -> &'static str {
        match p {
            PunchType::CheckIn => "Check in",
            PunchType::CheckOut => "Check out",
            PunchType::BreakStart => "Break start",
            PunchType::BreakEnd => "Break end",
            PunchType::MealStart => "Meal start",
            PunchType::MealEnd => "Meal end",
        }
    }
    pub fn flag_name(f: TimecardFlag) -> &'static str {
        match f {
            TimecardFlag::MissingOut => "Missing OUT",
            TimecardFlag::MissingIn => "Missing IN",
            TimecardFlag::RepeatedIn => "Repeated IN",
            TimecardFlag::RepeatedOut => "Repeated OUT",
            TimecardFlag::UnpairedBreak => "Unpaired break",
            TimecardFlag::UnpairedMeal => "Unpaired meal",
            TimecardFlag::UnmappedKeys => "Unmapped keys",
        }
    }
    /// What a flag means, for the flag's hover text.
    pub fn flag_help(f: TimecardFlag) -> &'static str {
        match f {
            TimecardFlag::MissingOut => "A check-in was never closed; its time is not counted.",
            TimecardFlag::MissingIn => "A check-out had no open check-in to close.",
            TimecardFlag::RepeatedIn => "Several check-ins in a row; one counted by the policy.",
            TimecardFlag::RepeatedOut => "Several check-outs in a row; one counted by the policy.",
            TimecardFlag::UnpairedBreak => "A break start or end without its pair; not deducted.",
            TimecardFlag::UnpairedMeal => "A meal start or end without its pair; not deducted.",
            TimecardFlag::UnmappedKeys => {
                "Punches without a key, or with a key the policy ignores."
            }
        }
    }
    /// The label of a key's select in the policy form.
    pub fn key_label(n: u8) -> String {
        format!("KEY_{n}")
    }
    /// "KEY_1: Check in".
    pub fn key_means(n: u8, punch: PunchType) -> String {
        format!("KEY_{n}: {}", punch_name(punch))
    }
    /// "Starts at 05:00 local time; punches before it belong to the previous day."
    pub fn day_starts(hm: &str) -> String {
        if hm == "00:00" {
            "Starts at midnight (00:00) local time.".to_string()
        } else {
            format!("Starts at {hm} local time; punches before it belong to the previous day.")
        }
    }
    pub fn rule_option(r: RepeatRule) -> &'static str {
        match r {
            RepeatRule::First => "The first counts",
            RepeatRule::Last => "The last counts",
        }
    }
    pub fn repeated_in(r: RepeatRule) -> &'static str {
        match r {
            RepeatRule::First => "Several INs in a row: the first counts.",
            RepeatRule::Last => "Several INs in a row: the last counts.",
        }
    }
    pub fn repeated_out(r: RepeatRule) -> &'static str {
        match r {
            RepeatRule::First => "Several OUTs in a row: the first counts.",
            RepeatRule::Last => "Several OUTs in a row: the last counts.",
        }
    }
}

/// The archive sync page (`/sync`).
pub mod sync {
    use tna_types::archive::Stream;

    pub const NO_ARCHIVE: &str = "This relay keeps no log archive";
    pub const NAV: &str = "Archive";
    pub const TITLE: &str = "Log archive";
    pub const INTRO: &str = "The relay copies every T&A device's T&A and job-code logs into its archive, each event once, and keeps them after the device overwrites them. This page refreshes every 5 seconds.";
    pub const LOADING: &str = "Reading the archive's state…";
    pub const LOAD_FAILED: &str = "The archive's state could not be read";
    pub const SYNC_ALL: &str = "Sync all devices now";
    pub const SYNC_FAILED: &str = "The sync could not be started";
    pub const QUEUED_ALL: &str = "A sync of every device was queued.";
    pub const EMPTY: &str = "The archive has not read any device yet.";
    pub const CAPTION: &str = "Sync state per device and log";
    pub const COL_DEVICE: &str = "Device";
    pub const COL_STREAM: &str = "Log";
    pub const COL_EPOCH: &str = "Epoch";
    pub const COL_NEXT: &str = "Next event ID";
    pub const COL_STORED: &str = "Stored";
    pub const COL_LAST_SYNC: &str = "Last sync";
    pub const COL_LAG: &str = "Lag";
    pub const COL_ERROR: &str = "Last error";
    pub const COL_RESET: &str = "Reset detected";
    pub const COL_ACTIONS: &str = "Sync";
    pub const NEVER: &str = "Never";
    pub const NONE: &str = "—";
    pub const SYNCING: &str = "Syncing now";
    pub const SYNC_ROW: &str = "Sync now";
    pub const DISMISS: &str = "Dismiss";

    pub fn backend(name: &str) -> String {
        format!("Archive database: {name}")
    }
    /// "4 logs of 2 devices · 12,345 records stored".
    pub fn summary(rows: usize, devices: usize, stored: u64) -> String {
        format!(
            "{rows} logs of {devices} devices · {} records stored",
            super::logs::thousands(usize::try_from(stored).unwrap_or(usize::MAX))
        )
    }
    pub fn stream_name(s: Stream) -> &'static str {
        match s {
            Stream::Tna => "T&A",
            Stream::JobCode => "Job codes",
        }
    }
    pub fn queued(device: u32) -> String {
        format!("A sync of device {device} was queued.")
    }
    /// Accessible name of a row's button.
    pub fn sync_device(device: u32) -> String {
        format!("Sync now: device {device}")
    }
    /// "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
    pub fn duration(secs: i64) -> String {
        let s = secs.max(0);
        match s {
            0..60 => format!("{s} s"),
            60..3_600 => format!("{} min {} s", s / 60, s % 60),
            3_600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
            _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        }
    }
    /// "14:05:09 · 12 s ago".
    pub fn ago(local: &str, secs: i64) -> String {
        format!("{local} · {} ago", duration(secs))
    }
    pub fn error_at(local: &str) -> String {
        format!("at {local}")
    }
    /// The warning of a row whose device renumbered its events.
    pub fn reset_at(local: &str) -> String {
        format!("⚠ {local}: event IDs started again; earlier records are kept")
    }
    /// The notice of an `archive.reset` push.
    pub fn reset_notice(device: u32, stream: Stream, epoch: u32) -> String {
        format!(
            "Device {device}'s {} log started its event IDs again (factory reset or log wipe). The archive kept every record it had and now reads the device from the start as epoch {epoch}.",
            stream_name(stream)
        )
    }
}

/// The audit trail page (`/audit`, admin).
pub mod audit {
    pub use super::sync::NO_ARCHIVE;

    pub const NAV: &str = "Audit";
    pub const TITLE: &str = "Audit trail";
    pub const INTRO: &str = "Every change made through the relay: when, by whom, to which devices, the state before and after, and what came back. Newest first.";
    pub const FILTERS: &str = "Filters";
    pub const FROM: &str = "From";
    pub const TO: &str = "To (inclusive)";
    pub const ACTOR: &str = "Who";
    pub const ACTOR_PLACEHOLDER: &str = "Any account";
    pub const METHOD: &str = "Change";
    pub const METHOD_ANY: &str = "Any change";
    pub const DEVICE: &str = "Device ID";
    pub const DEVICE_PLACEHOLDER: &str = "Any device";
    pub const APPLY: &str = "Show";
    pub const BAD_DEVICE: &str = "The device ID must be a positive number.";
    pub const BAD_DATE: &str = "Enter the days as dates.";
    pub const TO_BEFORE_FROM: &str = "The last day must not be before the first.";
    pub const LOADING: &str = "Reading the audit trail…";
    pub const LOAD_FAILED: &str = "The audit trail could not be read";
    pub const EMPTY: &str = "No change matches.";
    pub const MORE: &str = "Load more";
    pub const END: &str = "That is every matching change.";
    pub const CAPTION: &str = "Recorded changes, newest first";
    pub const COL_TIME: &str = "Time";
    pub const COL_ACTOR: &str = "Who";
    pub const COL_METHOD: &str = "Change";
    pub const COL_DEVICES: &str = "Devices";
    pub const COL_RESULT: &str = "Result";
    pub const COL_DETAILS: &str = "Details";
    pub const SHOW: &str = "Before, after, results";
    /// The people a write was about (job codes name users).
    pub const PEOPLE: &str = "People";
    /// "and 12 more" below the people shown.
    pub fn people_more(more: usize) -> String {
        format!("and {more} more")
    }
    pub const BEFORE: &str = "Before";
    pub const AFTER: &str = "After";
    pub const RESULTS: &str = "Results";
    pub const NOT_RECORDED: &str = "Not recorded";
    pub const OK: &str = "OK";
    pub const NONE: &str = "—";

    /// A method as people read it (the method name itself for ones not listed).
    pub fn method_name(m: &str) -> &str {
        match m {
            "devices.setInfo" => "Device name and location",
            "tna.setConfig" => "T&A config (one device)",
            "tna.setConfigMulti" => "T&A config (many devices)",
            "jobCodes.set" => "Job codes (one device)",
            "jobCodes.setMulti" => "Job codes (many devices)",
            "system.setJobCodeUse" => "Job-code use on/off",
            "time.sync" => "Clock sync",
            "time.fixZones" => "Time zones fixed",
            "timecards.setPolicy" => "Timecard policy",
            "archive.sync" => "Archive sync",
            "accounts.create" => "Account created",
            "accounts.setRole" => "Account role",
            "accounts.setPassword" => "Account password",
            "accounts.delete" => "Account deleted",
            "kiosk.pair" => "Kiosk paired",
            "kiosk.revoke" => "Kiosk unpaired",
            other => other,
        }
    }
    /// "3 ok / 1 failed".
    pub fn counts(ok: usize, failed: usize) -> String {
        format!("{ok} ok / {failed} failed")
    }
    pub fn failed(message: &str) -> String {
        format!("Failed: {message}")
    }
    /// " and 7 more" after the devices shown.
    pub fn devices_more(more: usize) -> String {
        format!(" and {more} more")
    }
    /// "12 changes shown".
    pub fn shown(n: usize) -> String {
        if n == 1 {
            "1 change shown".to_string()
        } else {
            format!("{n} changes shown")
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn live_counts_read_as_english() {
        assert_eq!(
            super::live::summary(1, 1),
            "1 event since this page opened · 1 device"
        );
        assert_eq!(
            super::live::summary(42, 12),
            "42 events since this page opened · 12 devices"
        );
        assert!(super::live::remote_note(1).starts_with("1 device of other relays"));
        assert!(super::live::remote_note(3).starts_with("3 devices of other relays"));
    }
}

/// Times and zones, shared by every page that shows a time.
pub mod time {
    /// A site without a configured zone: its times are shown in UTC, and say so.
    pub const NO_ZONE: &str = "UTC, no zone set";
    /// The browser's zone when the browser does not name it.
    pub const BROWSER: &str = "this browser's time zone";
    /// The zone switch's label.
    pub const VIEW_LABEL: &str = "Show times in";
    /// The zone switch's choices.
    pub const VIEW_SITE: &str = "Each site's time zone";
    pub const VIEW_BROWSER: &str = "My time zone";
    pub const VIEW_UTC: &str = "UTC";
    /// The title of a punch's time: its zone, and the same instant in UTC.
    pub fn row_title(zone: &str, utc: &str) -> String {
        format!("{zone} · {utc}")
    }
    /// A zone the relay names but this browser does not know: shown in UTC.
    pub fn unknown_zone(zone: &str) -> String {
        format!("{zone} (unknown to this browser: shown in UTC)")
    }
}

/// Roles in the UI.
pub mod roles {
    use tna_types::Role;

    pub const NEEDS_TITLE: &str = "Not available for your role";
    pub const BACK: &str = "Back to the devices";
    /// "This page needs the operator role; you are signed in as viewer."
    pub fn needs(needs: Role, have: Role) -> String {
        format!(
            "This page needs the {} role; you are signed in as {}. An admin can change your role.",
            needs.name(),
            have.name()
        )
    }
    /// A write the relay refused for the role: "Your role (viewer) may not change T&A configurations."
    pub fn may_not(role: &str, what: &str) -> String {
        format!("Your role ({role}) may not {what}.")
    }
}
