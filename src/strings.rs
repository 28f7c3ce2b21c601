//! Every user-visible string, gathered per area so a translation can replace them in one place.

/// The shell: header, navigation, connection indicator.
pub mod app {
    pub const PRODUCT_NAME: &str = "BioStar T&A Console";
    pub const SKIP_TO_CONTENT: &str = "Skip to content";
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
}

/// The devices page.
pub mod devices {
    pub const TITLE: &str = "Devices";
    pub const FILTER_LABEL: &str = "Filter devices";
    pub const FILTER_PLACEHOLDER: &str = "Filter by ID, type, address or status";
    pub const REFRESH: &str = "Refresh";
    pub const REFRESHING: &str = "Refreshing…";
    pub const LOADING: &str = "Loading devices…";
    pub const LOAD_FAILED: &str = "The device list could not be read";
    pub const NONE: &str = "The gateway reports no devices.";
    pub const NO_MATCH: &str = "No device matches the filter.";
    pub const CAPTION: &str = "Devices known to the gateway";
    pub const COL_ID: &str = "ID";
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
}

/// The device detail page.
pub mod device {
    use tna_types::TnaMode;

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
    pub const SELECT_ALL: &str = "All";
    pub const SELECT_NONE: &str = "None";
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
    pub const USER: &str = "User ID";
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
    pub const COL_TIME: &str = "Time (device)";
    pub const COL_DEVICE: &str = "Device";
    pub const COL_USER: &str = "User";
    pub const COL_EVENT: &str = "Event";
    pub const COL_KEY: &str = "T&A key";
    pub const COL_JOB: &str = "Job code";
    pub const NONE: &str = "—";

    /// "12,345 records read · 1 of 3 devices done".
    pub fn progress(records: usize, done: usize, total: usize) -> String {
        format!(
            "{} records read · {done} of {total} devices done",
            thousands(records)
        )
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
    pub const INTRO: &str = "New T&A events of every T&A device appear at the top as they happen.";
    pub const STATUS_CONNECTING: &str = "Connecting…";
    pub const STATUS_LIVE: &str = "Live";
    pub const STATUS_RETRYING: &str = "Subscription failed — retrying";
    pub const WAITING: &str = "Waiting for the first event…";
    pub const NO_DEVICES: &str = "No connected device supports T&A.";
    pub const DEVICES_FAILED: &str = "The device list could not be read";
    pub const TABLE_CAPTION: &str = "Latest events, newest first";
    /// "42 events since this page opened · 12 devices".
    pub fn summary(events: u64, devices: usize) -> String {
        format!("{events} events since this page opened · {devices} devices")
    }
}

/// The reception kiosk (`/kiosk`).
pub mod kiosk {
    use crate::logs::kiosk::Direction;

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

    /// "5 in".
    pub fn present_count(n: usize) -> String {
        format!("{n} in")
    }

    /// "User 1007".
    pub fn user(id: &str) -> String {
        format!("User {id}")
    }
}
