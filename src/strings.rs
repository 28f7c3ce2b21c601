//! Every user-visible string, gathered per area. Each is a function that gives the text in the
//! language in use ([`crate::i18n`]): the English text here is also its key in the Korean catalog
//! (`i18n/ko.json`). Names stay in capitals where the text is fixed (they were constants).
#![allow(non_snake_case)]

/// The shell: header, navigation, connection indicator.
pub mod app {
    use crate::i18n::tr;
    use crate::trf;

    pub fn PRODUCT_NAME() -> &'static str {
        tr("BioStar T&A Console")
    }
    pub fn SKIP_TO_CONTENT() -> &'static str {
        tr("Skip to content")
    }
    /// A page whose own module could not be fetched (the relay was unreachable, or it was
    /// updated since this tab loaded).
    pub fn PAGE_NOT_LOADED_TITLE() -> &'static str {
        tr("This page could not be loaded")
    }
    pub fn PAGE_NOT_LOADED() -> &'static str {
        tr(
            "Its code could not be fetched from the relay: the connection may be down, or the console was updated since this tab opened. Reloading fetches the current version.",
        )
    }
    pub fn RELOAD() -> &'static str {
        tr("Reload")
    }
    /// The button that shows the navigation on a narrow screen.
    /// The language switch's label (for screen readers; the switch shows the languages' own
    /// names).
    pub fn LANGUAGE() -> &'static str {
        tr("Language")
    }
    /// The main navigation's name for screen readers.
    pub fn NAV_LABEL() -> &'static str {
        tr("Main")
    }
    pub fn MENU() -> &'static str {
        tr("Menu")
    }
    pub fn NAV_DEVICES() -> &'static str {
        tr("Devices")
    }
    pub fn NOT_FOUND_TITLE() -> &'static str {
        tr("Page not found")
    }
    pub fn NOT_FOUND_BODY() -> &'static str {
        tr("There is no page at this address.")
    }
    pub fn BACK_TO_DEVICES() -> &'static str {
        tr("Back to devices")
    }

    pub fn CONN_CONNECTING() -> &'static str {
        tr("Connecting to relay…")
    }
    pub fn CONN_CONNECTED() -> &'static str {
        tr("Connected")
    }
    pub fn CONN_RETRY_NOW() -> &'static str {
        tr("Retry now")
    }
    /// "Disconnected — retrying in 3 s".
    pub fn conn_disconnected(retry_in_secs: u32) -> String {
        trf!(
            "Disconnected — retrying in {retry_in_secs} s",
            retry_in_secs
        )
    }
}

/// The clocks page.
pub mod clocks {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::dst::{DstSchedule, WeekTime, ZoneSettings, ZoneVerdict};
    use tna_types::time::format_offset;

    pub fn NAV() -> &'static str {
        tr("Clocks")
    }
    pub fn TITLE() -> &'static str {
        tr("Clocks and time zones")
    }
    pub fn INTRO() -> &'static str {
        tr(
            "Each connected device's clock against the relay's, and the time zone it keeps: its UTC offset and daylight-saving schedules, judged against its site's zone for this year and the next. A punch is stamped with the device's clock, so a device that is off records wrong times; a device with a wrong zone shows wrong local times. Sync time sets the chosen devices to the relay's UTC time; Fix time zones writes the site's zone rules.",
        )
    }
    pub fn THRESHOLD() -> &'static str {
        tr("Flag devices off by more than (s)")
    }
    pub fn REFRESH() -> &'static str {
        tr("Read again")
    }
    pub fn LOADING() -> &'static str {
        tr("Reading device clocks and time zones…")
    }
    pub fn NONE_CONNECTED() -> &'static str {
        tr("No device is connected: there is no clock to read.")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The clocks could not be read")
    }
    pub fn ZONES_FAILED() -> &'static str {
        tr("The devices' time-zone settings could not be read")
    }
    pub fn SYNC_FAILED() -> &'static str {
        tr("Sync time failed")
    }
    pub fn FIX_FAILED() -> &'static str {
        tr("Fix time zones failed")
    }
    pub fn SELECT_DRIFTED() -> &'static str {
        tr("Select the flagged clocks")
    }
    pub fn SELECT_WRONG_ZONE() -> &'static str {
        tr("Select wrong time zones")
    }
    pub fn CAPTION() -> &'static str {
        tr("Device clocks, their offset from the relay, and their time-zone settings")
    }
    pub fn COL_PICK() -> &'static str {
        tr("Choose")
    }
    pub fn COL_DEVICE() -> &'static str {
        tr("Device")
    }
    pub fn COL_TIME() -> &'static str {
        tr("Device time (site's zone)")
    }
    pub fn COL_OFFSET() -> &'static str {
        tr("Offset from relay")
    }
    pub fn COL_SETTINGS() -> &'static str {
        tr("Zone settings on the device")
    }
    pub fn COL_THIS_YEAR() -> &'static str {
        tr("This year")
    }
    pub fn COL_NEXT_YEAR() -> &'static str {
        tr("Next year")
    }
    pub fn COL_RESULT() -> &'static str {
        tr("Sync result")
    }
    pub fn SYNCED() -> &'static str {
        tr("Synced")
    }
    pub fn SYNC_ROW_FAILED() -> &'static str {
        tr("Failed")
    }
    pub fn FIX_NOTHING() -> &'static str {
        tr("Already right: nothing written")
    }
    pub fn NO_DST() -> &'static str {
        tr("no DST")
    }
    /// The start of the confirmation of a clock sync (count and sites follow).
    pub fn CONFIRM_SYNC() -> &'static str {
        tr("Set the clock to the relay's UTC time on")
    }
    pub fn MONTHS() -> [&'static str; 12] {
        [
            tr("Jan"),
            tr("Feb"),
            tr("Mar"),
            tr("Apr"),
            tr("May"),
            tr("Jun"),
            tr("Jul"),
            tr("Aug"),
            tr("Sep"),
            tr("Oct"),
            tr("Nov"),
            tr("Dec"),
        ]
    }
    pub fn WEEKDAYS() -> [&'static str; 7] {
        [
            tr("Sun"),
            tr("Mon"),
            tr("Tue"),
            tr("Wed"),
            tr("Thu"),
            tr("Fri"),
            tr("Sat"),
        ]
    }
    pub fn ORDINALS() -> [&'static str; 10] {
        [
            tr("1st"),
            tr("2nd"),
            tr("3rd"),
            tr("4th"),
            tr("5th"),
            tr("6th"),
            tr("7th"),
            tr("8th"),
            tr("9th"),
            tr("10th"),
        ]
    }
    pub fn summary(drifted: usize, threshold: i64) -> String {
        match drifted {
            0 => trf!("No clock is off by more than {threshold} s.", threshold),
            1 => trf!("1 clock is off by more than {threshold} s.", threshold),
            n => trf!(
                "{n} clocks are off by more than {threshold} s.",
                n,
                threshold
            ),
        }
    }
    pub fn zone_summary(wrong: usize) -> String {
        match wrong {
            0 => tr("Every judged device keeps its site's time zone for this year.").to_string(),
            1 => tr("1 device does not keep its site's time zone for this year.").to_string(),
            n => trf!(
                "{n} devices do not keep their site's time zone for this year.",
                n
            ),
        }
    }
    pub fn sync(n: usize) -> String {
        trf!("Sync time of {n} devices", n)
    }
    pub fn fix(n: usize) -> String {
        trf!("Fix time zones of {n} devices…", n)
    }
    pub fn pick(id: u32) -> String {
        trf!("Choose device {id}", id)
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
            ZoneVerdict::Right => tr("Right"),
            ZoneVerdict::WrongOffset => tr("Wrong UTC offset"),
            ZoneVerdict::DstMissing => tr("DST missing"),
            ZoneVerdict::DstOtherYear => tr("DST set for another year"),
            ZoneVerdict::DstDiffers => tr("DST rule differs"),
            ZoneVerdict::DstUnsupported => tr("Device cannot keep DST"),
        }
    }
    /// "last Sun of Mar 2026, 01:00 UTC".
    pub fn week_time(w: &WeekTime) -> String {
        let ordinal = if w.ordinal == tna_types::dst::LAST {
            tr("last")
        } else {
            usize::try_from(w.ordinal - 1)
                .ok()
                .and_then(|i| ORDINALS().get(i).copied())
                .unwrap_or("?")
        };
        let day = WEEKDAYS()
            .get(usize::from(w.weekday))
            .copied()
            .unwrap_or("?");
        let month = usize::from(w.month)
            .checked_sub(1)
            .and_then(|i| MONTHS().get(i).copied())
            .unwrap_or("?");
        trf!(
            "{ordinal} {day} of {month} {year}, {time} UTC",
            ordinal,
            day,
            month,
            year = w.year,
            time = format!("{:02}:{:02}", w.hour, w.minute)
        )
    }
    fn schedule_text(d: &DstSchedule) -> String {
        let mins = d.offset_seconds / 60;
        let shift = if mins % 60 == 0 {
            trf!("{h} h", h = format!("{:+}", mins / 60))
        } else {
            trf!("{min} min", min = format!("{mins:+}"))
        };
        format!("{} → {} ({shift})", week_time(&d.start), week_time(&d.end))
    }
    /// "UTC+01:00; DST last Sun of Mar 2026, 01:00 UTC → last Sun of Oct 2026, 01:00 UTC (+1 h)".
    pub fn settings_text(z: &ZoneSettings) -> String {
        let dst = if z.schedules.is_empty() {
            NO_DST().to_string()
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
        trf!("The site's zone asks for: {zone}", zone = settings_text(z))
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
            parts.push(trf!(
                "UTC offset UTC{from} → UTC{to}",
                from = format_offset(before.utc_offset),
                to = format_offset(target.utc_offset)
            ));
        }
        if schedules {
            let list = |z: &ZoneSettings| {
                if z.schedules.is_empty() {
                    NO_DST().to_string()
                } else {
                    z.schedules
                        .iter()
                        .map(schedule_text)
                        .collect::<Vec<_>>()
                        .join("; ")
                }
            };
            parts.push(trf!(
                "DST {from} → {to}",
                from = list(before),
                to = list(target)
            ));
        }
        parts.join("; ")
    }
    pub use super::components::devices_count;
    pub fn preview_title(year: i32) -> String {
        trf!("What fixing would write ({year} rules)", year)
    }
    pub fn result_title(year: i32) -> String {
        trf!("Time zones written ({year} rules)", year)
    }
    pub fn preview_intro(changing: usize) -> String {
        match changing {
            0 => tr("Every chosen device already keeps its site's zone: nothing to write.")
                .to_string(),
            n => trf!(
                "{devices} would change. Devices that already match are left alone.",
                devices = devices_count(n)
            ),
        }
    }
    pub fn apply_fix(n: usize) -> String {
        trf!("Write to {devices}", devices = devices_count(n))
    }
    /// The confirmation of a fix: the count and the sites.
    pub fn confirm_fix(n: usize, sites: &[String]) -> String {
        if sites.is_empty() {
            trf!(
                "Write the time-zone settings of {devices}?",
                devices = devices_count(n)
            )
        } else {
            trf!(
                "Write the time-zone settings of {devices} at {sites}?",
                devices = devices_count(n),
                sites = sites.join(", ")
            )
        }
    }
    pub fn written_summary(written: usize, total: usize) -> String {
        trf!(
            "Written to {written} of {devices} (re-read after writing).",
            written,
            devices = devices_count(total)
        )
    }
    pub fn fix_written(verdict: Option<ZoneVerdict>) -> String {
        match verdict {
            Some(v) => trf!("Written; re-read: {verdict}", verdict = verdict_text(v)),
            None => tr("Written; the re-read failed").to_string(),
        }
    }
    pub fn fix_failed(why: &str) -> String {
        trf!("Not fixed: {why}", why)
    }
}

/// The accounts page (admin).
pub mod accounts {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::Role;

    pub fn NAV() -> &'static str {
        tr("Accounts")
    }
    pub fn TITLE() -> &'static str {
        tr("Accounts")
    }
    pub fn INTRO() -> &'static str {
        tr(
            "Admins manage accounts; operators change devices; viewers read logs and live events; kiosks show the reception screen only. A change of role or password signs that account out everywhere.",
        )
    }
    pub fn LOADING() -> &'static str {
        tr("Loading accounts…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The accounts could not be read")
    }
    pub fn FAILED() -> &'static str {
        tr("That did not work")
    }
    pub fn CAPTION() -> &'static str {
        tr("Accounts of this relay")
    }
    pub fn COL_USER() -> &'static str {
        tr("Username")
    }
    pub fn COL_ROLE() -> &'static str {
        tr("Role")
    }
    pub fn COL_ACTIONS() -> &'static str {
        tr("Password and removal")
    }
    pub fn CREATE_TITLE() -> &'static str {
        tr("New account")
    }
    pub fn USERNAME() -> &'static str {
        tr("Username")
    }
    pub fn PASSWORD() -> &'static str {
        tr("Password (at least 10 characters)")
    }
    pub fn ROLE() -> &'static str {
        tr("Role")
    }
    pub fn CREATE() -> &'static str {
        tr("Create account")
    }
    pub fn NEW_PASSWORD() -> &'static str {
        tr("New password")
    }
    pub fn SET_PASSWORD() -> &'static str {
        tr("Set password")
    }
    pub fn DELETE() -> &'static str {
        tr("Delete")
    }
    pub fn KIOSKS_TITLE() -> &'static str {
        tr("Paired reception tablets")
    }
    pub fn KIOSKS_NONE() -> &'static str {
        tr("No tablet is paired.")
    }
    pub fn COL_KIOSK() -> &'static str {
        tr("Tablet")
    }
    pub fn COL_PAIRED() -> &'static str {
        tr("Paired (UTC day)")
    }
    pub fn COL_EXPIRES() -> &'static str {
        tr("Signed in until")
    }
    pub fn UNPAIR() -> &'static str {
        tr("Unpair")
    }
    pub fn confirm_unpair(name: &str) -> String {
        trf!(
            "Unpair the tablet {name}? It stops showing the kiosk at once and needs a new code.",
            name
        )
    }
    pub fn unpaired(name: &str) -> String {
        trf!("Tablet {name} unpaired.", name)
    }
    pub fn PAIR_TITLE() -> &'static str {
        tr("Pair a reception tablet")
    }
    pub fn PAIR_INTRO() -> &'static str {
        tr(
            "Makes a one-time code (valid for a few minutes). On the tablet, open /kiosk/pair and enter it: the tablet then shows the kiosk and stays signed in.",
        )
    }
    pub fn KIOSK_NAME() -> &'static str {
        tr("Tablet name")
    }
    pub fn PAIR() -> &'static str {
        tr("Make a pairing code")
    }
    pub fn PAIR_CODE_IS() -> &'static str {
        tr("Pairing code:")
    }
    pub fn PAIR_HOW() -> &'static str {
        tr("— enter it at /kiosk/pair on the tablet.")
    }
    pub fn SCOPE() -> &'static str {
        tr("What the tablet shows")
    }
    pub fn SCOPE_HINT() -> &'static str {
        tr(
            "Only today's punches of these devices, without device addresses. Choose no site and no device to show every device.",
        )
    }
    pub fn SCOPE_SITES() -> &'static str {
        tr("Sites")
    }
    pub fn SCOPE_DEVICES() -> &'static str {
        tr("Device IDs (comma-separated)")
    }
    pub fn SCOPE_BAD_DEVICES() -> &'static str {
        tr("Write device IDs as numbers separated by commas, e.g. 541234567, 541234568.")
    }
    pub fn COL_SCOPE() -> &'static str {
        tr("Shows")
    }
    pub fn SCOPE_ALL() -> &'static str {
        tr("Every device")
    }
    pub fn NAME_FORM() -> &'static str {
        tr("Names on the tablet")
    }
    pub fn NAME_FULL() -> &'static str {
        tr("Full name")
    }
    pub fn NAME_FIRST_INITIAL() -> &'static str {
        tr("First name and initial (public wall)")
    }
    /// "Sites HQ, Depot · devices 541234567".
    pub fn scope_text(scope: &tna_types::protocol::KioskScope) -> String {
        let mut parts = Vec::new();
        if scope.all_devices {
            parts.push(SCOPE_ALL().to_string());
        }
        if !scope.sites.is_empty() {
            parts.push(trf!("Sites {sites}", sites = scope.sites.join(", ")));
        }
        if !scope.devices.is_empty() {
            let ids: Vec<String> = scope.devices.iter().map(u32::to_string).collect();
            parts.push(trf!("devices {ids}", ids = ids.join(", ")));
        }
        if !scope.name_form.is_full() {
            parts.push(tr("first names").to_string());
        }
        parts.join(" · ")
    }
    pub fn role_text(r: Role) -> &'static str {
        match r {
            Role::Kiosk => tr("Kiosk (reception screen only)"),
            Role::Viewer => tr("Viewer (read-only)"),
            Role::Operator => tr("Operator (changes devices)"),
            Role::Admin => tr("Admin (everything)"),
        }
    }
    pub fn created(u: &str) -> String {
        trf!("Account {u} created.", u)
    }
    pub fn role_changed(u: &str, r: Role) -> String {
        trf!(
            "{u} is now {role}; their sessions were ended.",
            u,
            role = r.name()
        )
    }
    pub fn password_set(u: &str) -> String {
        trf!("New password set for {u}; their sessions were ended.", u)
    }
    pub fn confirm_delete(u: &str) -> String {
        trf!("Delete the account {u}? Its sessions end at once.", u)
    }
    pub fn deleted(u: &str) -> String {
        trf!("Account {u} deleted.", u)
    }
    pub fn new_password_for(u: &str) -> String {
        trf!("New password for {u}", u)
    }
}

/// Sign-in, sign-out and kiosk pairing.
pub mod signin {
    use crate::i18n::tr;
    use crate::trf;

    pub fn TITLE() -> &'static str {
        tr("Sign in")
    }
    pub fn INTRO() -> &'static str {
        tr("Sign in with the account an admin gave you.")
    }
    pub fn USERNAME() -> &'static str {
        tr("Username")
    }
    pub fn PASSWORD() -> &'static str {
        tr("Password")
    }
    pub fn SUBMIT() -> &'static str {
        tr("Sign in")
    }
    pub fn SIGNING_IN() -> &'static str {
        tr("Signing in…")
    }
    pub fn KIOSK_HINT() -> &'static str {
        tr("A reception tablet?")
    }
    pub fn KIOSK_LINK() -> &'static str {
        tr("Pair it with a code")
    }
    pub fn PAIR_TITLE() -> &'static str {
        tr("Pair this tablet as a kiosk")
    }
    pub fn PAIR_INTRO() -> &'static str {
        tr(
            "Enter the one-time code an admin made under Accounts. The tablet then shows the reception screen without a password.",
        )
    }
    pub fn PAIR_CODE() -> &'static str {
        tr("Pairing code")
    }
    pub fn PAIR_SUBMIT() -> &'static str {
        tr("Pair")
    }
    pub fn CHECKING() -> &'static str {
        tr("Checking sign-in…")
    }
    pub fn UNREACHABLE() -> &'static str {
        tr("The relay cannot be reached")
    }
    pub fn TRY_AGAIN() -> &'static str {
        tr("Try again")
    }
    pub fn SIGN_OUT() -> &'static str {
        tr("Sign out")
    }
    /// "anna (operator)".
    pub fn who(username: &str, role: &str) -> String {
        trf!("{username} ({role})", username, role)
    }
    /// A refused sign-in (the relay's `reason: badCredentials`).
    pub fn BAD_CREDENTIALS() -> &'static str {
        tr("Wrong username or password.")
    }
    pub fn BAD_PAIRING_CODE() -> &'static str {
        tr("Unknown or expired pairing code: ask an admin for a new one.")
    }
    pub fn rate_limited(secs: u64) -> String {
        trf!("Too many failed attempts: try again in {secs} s.", secs)
    }
    pub fn http_status(status: u16) -> String {
        trf!("The relay answered HTTP {status}.", status)
    }
}

/// Errors of the relay connection (see `crate::api::ApiError`).
pub mod api {
    use crate::i18n::tr;
    use crate::trf;

    pub fn NOT_CONNECTED() -> &'static str {
        tr(
            "Not connected to the relay. The console reconnects by itself; try again when the header shows Connected.",
        )
    }
    pub fn CONNECT_FAILED() -> &'static str {
        tr("Could not connect to the relay. Check that it is running; the console keeps retrying.")
    }
    pub fn CONNECTION_LOST() -> &'static str {
        tr(
            "The connection to the relay dropped before the answer arrived; the request may or may not have been carried out.",
        )
    }
    pub fn timed_out(after_ms: u32) -> String {
        trf!(
            "No answer from the relay within {secs} s; the request may still be carried out.",
            secs = after_ms.div_ceil(1000)
        )
    }
    pub fn protocol_error(detail: &str) -> String {
        trf!("The console could not talk to the relay: {detail}", detail)
    }
    /// What a method does, for "your role may not …".
    pub fn method_action(method: &str) -> String {
        match method {
            "tna.setConfig" | "tna.setConfigMulti" => tr("change T&A configurations").into(),
            "jobCodes.set" | "jobCodes.setMulti" => tr("change job codes").into(),
            "system.setJobCodeUse" => tr("switch job codes on or off").into(),
            "time.sync" => tr("set device clocks").into(),
            "time.fixZones" => tr("change device time zones").into(),
            "archive.sync" => tr("start an archive sync").into(),
            "timecards.setPolicy" => tr("change the timecard policy").into(),
            "audit.list" => tr("read the audit trail").into(),
            m if m.starts_with("accounts.") || m.starts_with("kiosk.") => {
                tr("manage accounts and kiosks").into()
            }
            other => trf!("call {other}", other),
        }
    }
    /// The relay's refusals, worded here from their code and data (`tna_types::protocol`), so
    /// they read in the console's language. `detail` is the relay's or device's own text,
    /// shown as it came.
    pub fn device_not_found(device: u64) -> String {
        trf!("Device {device} is not known to the gateway.", device)
    }
    pub fn device_unreachable(device: u64) -> String {
        trf!(
            "Device {device} did not answer; check that it is on and connected.",
            device
        )
    }
    pub fn gateway_down(gateway: &str) -> String {
        trf!(
            "The gateway {gateway} cannot be reached; the relay keeps trying.",
            gateway
        )
    }
    pub fn device_behind_down_gateway(device: u64) -> String {
        trf!(
            "Device {device} is not behind any gateway that answers; the relay keeps trying.",
            device
        )
    }
    pub fn GATEWAY_DOWN() -> &'static str {
        tr("The device gateway cannot be reached; the relay keeps trying.")
    }
    pub fn gateway_timeout(after_ms: u64) -> String {
        trf!(
            "The gateway did not answer within {secs} s; try again.",
            secs = after_ms.div_ceil(1000)
        )
    }
    pub fn DEVICE_TIMEOUT() -> &'static str {
        tr("The device did not answer in time; try again.")
    }
    pub fn SESSION_ENDED() -> &'static str {
        tr("Your session has ended (signed out, expired or changed by an admin): sign in again.")
    }
    pub fn NOT_SIGNED_IN() -> &'static str {
        tr("Sign in first.")
    }
    pub fn kiosk_scope(device: u64) -> String {
        trf!(
            "This kiosk shows only the devices it was paired for; device {device} is not one of them.",
            device
        )
    }
    pub fn NO_DIRECTORY() -> &'static str {
        tr("This relay keeps no user directory.")
    }
    pub fn NO_SIGN_IN() -> &'static str {
        tr("This relay runs without sign-in: there are no accounts to manage.")
    }
    pub fn device_cannot(device: u64) -> String {
        trf!("Device {device} cannot do this.", device)
    }
    pub fn NOT_POSSIBLE() -> &'static str {
        tr("Not possible here.")
    }
    /// "Too many devices in one call: at most 1,000, got 1,200."
    pub fn too_many(what: tna_types::protocol::Limit, limit: u64, value: u64) -> String {
        use tna_types::protocol::Limit;
        let what = match what {
            Limit::DevicesPerCall => tr("devices in one call"),
            Limit::UsersPerCall => tr("users in one call"),
            Limit::LogPage => tr("logs in one page"),
            Limit::ArchivePage => tr("rows in one archive page"),
            Limit::ArchiveDevices => tr("devices in one archive query"),
            Limit::DirectoryPage => tr("users in one directory page"),
            Limit::TimecardDays => tr("days in one timecard range"),
            Limit::TimecardEvents => tr("archived events in one timecard range"),
            Limit::Subscriptions => tr("live subscriptions on this page"),
            Limit::FrameBytes => tr("bytes in one request"),
            Limit::InFlight => tr("requests at once"),
            Limit::SocketOutbox => tr("answers waiting to be read"),
        };
        let n = |v: u64| crate::i18n::number(usize::try_from(v).unwrap_or(usize::MAX));
        trf!(
            "Too many {what}: at most {limit}, got {value}.",
            what,
            limit = n(limit),
            value = n(value)
        )
    }
    pub fn relay_busy(limit: u64) -> String {
        trf!(
            "The relay is answering {limit} large archive queries already; try again in a moment.",
            limit
        )
    }
    pub fn RELAY_OUTBOX() -> &'static str {
        tr(
            "The relay is holding too many answers for slow connections right now; try again in a moment.",
        )
    }
    pub fn TOO_MUCH() -> &'static str {
        tr("The request is over one of the relay's limits.")
    }
    pub fn refused_input(detail: &str) -> String {
        trf!(
            "The relay refused the request as malformed: {detail}",
            detail
        )
    }
    pub fn invalid(first: &str) -> String {
        trf!("The input was refused: {first}", first)
    }
    pub fn AUDIT_DOWN() -> &'static str {
        tr("The change was not made: the audit trail cannot be stored right now.")
    }
    pub fn relay_failed(detail: &str) -> String {
        trf!("The relay failed: {detail}", detail)
    }
    pub fn UNKNOWN_METHOD() -> &'static str {
        tr("This relay does not know that request; it may be older than the console.")
    }
    pub fn with_detail(sentence: &str, detail: &str) -> String {
        trf!("{sentence} ({detail})", sentence, detail)
    }
    /// A site without a time zone: nothing to judge a device's zone settings against.
    pub fn no_zone(site: Option<&str>) -> String {
        match site {
            Some(site) => trf!(
                "Site {site} has no time zone (set time_zone in its [[gateway]] section): nothing to check against.",
                site
            ),
            None => tr(
                "The relay's gateway has no time zone (set time_zone, or --time-zone): nothing to check against.",
            )
            .to_string(),
        }
    }
    pub fn zone_not_expressible(zone: &str) -> String {
        trf!("A device cannot hold the rules of {zone}.", zone)
    }
    pub fn NOT_HELD_AFTER_WRITE() -> &'static str {
        tr("The device does not hold the zone's settings after the write.")
    }
    pub fn reread_failed(written: bool, detail: &str) -> String {
        if written {
            trf!("Written, but the re-read failed: {detail}", detail)
        } else {
            trf!("The re-read failed: {detail}", detail)
        }
    }
    /// A row's failure: its error worded like any refusal, else the relay's sentence.
    pub fn row_failure(
        error: Option<&tna_types::protocol::RpcError>,
        message: Option<&str>,
    ) -> String {
        match error {
            Some(e) => crate::api::rpc_sentence(e),
            None => message.unwrap_or_default().to_string(),
        }
    }
}

/// Shared components.
pub mod components {
    use crate::i18n::tr;
    use crate::trf;

    pub fn STATUS_CONNECTED() -> &'static str {
        tr("Connected")
    }
    pub fn STATUS_CONNECTING() -> &'static str {
        tr("Connecting")
    }
    pub fn STATUS_DISCONNECTED() -> &'static str {
        tr("Disconnected")
    }
    pub fn STATUS_ERROR() -> &'static str {
        tr("Error")
    }
    pub fn RETRY() -> &'static str {
        tr("Retry")
    }
    pub fn RETRYING() -> &'static str {
        tr("Retrying…")
    }
    pub fn ERROR_TITLE() -> &'static str {
        tr("Something went wrong")
    }
    pub fn YES() -> &'static str {
        tr("Yes")
    }
    pub fn NO() -> &'static str {
        tr("No")
    }
    pub fn SELECT_ALL() -> &'static str {
        tr("All")
    }
    pub fn SELECT_NONE() -> &'static str {
        tr("None")
    }
    /// "1 device", "52 devices".
    pub fn devices_count(n: usize) -> String {
        crate::i18n::plural(n, "1 device", "{n} devices")
    }
    /// "Apply this configuration to 52 devices at HQ, Warehouse?": a write to many devices,
    /// with the count and the sites.
    pub fn confirm_many(what: &str, n: usize, sites: &[String]) -> String {
        let devices = devices_count(n);
        if sites.is_empty() {
            trf!("{what} {devices}?", what, devices)
        } else {
            trf!(
                "{what} {devices} at {sites}?",
                what,
                devices,
                sites = sites.join(", ")
            )
        }
    }
    /// The first day of a range filter.
    pub fn FROM() -> &'static str {
        tr("From")
    }
    /// The last day of a range filter (its punches are included).
    pub fn TO() -> &'static str {
        tr("To (inclusive)")
    }
}

/// The devices page.
pub mod devices {
    use crate::i18n::tr;
    use crate::trf;

    pub fn TITLE() -> &'static str {
        tr("Devices")
    }
    pub fn FILTER_LABEL() -> &'static str {
        tr("Filter devices")
    }
    pub fn FILTER_PLACEHOLDER() -> &'static str {
        tr("Filter by ID, name, place, tag, site or type")
    }
    pub fn REFRESH() -> &'static str {
        tr("Refresh")
    }
    pub fn REFRESHING() -> &'static str {
        tr("Refreshing…")
    }
    pub fn LOADING() -> &'static str {
        tr("Loading devices…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The device list could not be read")
    }
    pub fn NONE() -> &'static str {
        tr("The gateway reports no devices.")
    }
    pub fn NO_MATCH() -> &'static str {
        tr("No device matches the filter.")
    }
    /// A status change pushed while the page is open: "since 14:05:09".
    pub fn since(time: &str) -> String {
        trf!("since {time}", time)
    }
    pub fn CAPTION() -> &'static str {
        tr("Devices known to the gateway")
    }
    pub fn COL_ID() -> &'static str {
        tr("ID")
    }
    pub fn COL_NAME() -> &'static str {
        tr("Name")
    }
    pub fn COL_SITE() -> &'static str {
        tr("Site")
    }
    pub fn COL_TYPE() -> &'static str {
        tr("Type")
    }
    pub fn COL_ADDRESS() -> &'static str {
        tr("Address")
    }
    pub fn COL_STATUS() -> &'static str {
        tr("Status")
    }
    pub fn COL_TNA() -> &'static str {
        tr("T&A")
    }
    pub fn COL_JOB_CODES() -> &'static str {
        tr("Job codes")
    }
    /// "Showing 3 of 12 devices · 10 connected".
    pub fn summary(shown: usize, total: usize, connected: usize) -> String {
        if shown == total {
            trf!("{total} devices · {connected} connected", total, connected)
        } else {
            trf!(
                "Showing {shown} of {total} devices · {connected} connected",
                shown,
                total,
                connected
            )
        }
    }
    /// Accessible name of a row's link.
    pub fn open_device(id: u32) -> String {
        trf!("Open device {id}", id)
    }
    /// A site whose gateway did not answer `devices.list`.
    pub fn site_down(site: &str, devices: u32, why: Option<&str>) -> String {
        let why = why.map(|w| trf!(" ({w})", w)).unwrap_or_default();
        trf!(
            "The gateway of site {site} cannot be reached{why}. Its {devices} devices are shown as last seen and cannot be changed until it is back; other sites are not affected.",
            site,
            why,
            devices
        )
    }
    /// A status change that says more than the status.
    pub fn detail_since(detail: &str, time: &str) -> String {
        trf!("{detail} · since {time}", detail, time)
    }
}

/// The device detail page.
pub mod device {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::TnaMode;

    /// The document title of a device page.
    pub fn TITLE() -> &'static str {
        tr("Device")
    }
    pub fn LOADING() -> &'static str {
        tr("Loading device…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The device could not be read")
    }
    pub fn CONFIG_FAILED() -> &'static str {
        tr("The T&A configuration could not be read")
    }
    pub fn INVALID_ID() -> &'static str {
        tr("This is not a device ID.")
    }
    pub fn TYPE() -> &'static str {
        tr("Type")
    }
    pub fn ADDRESS() -> &'static str {
        tr("Address")
    }
    pub fn STATUS() -> &'static str {
        tr("Status")
    }
    pub fn SITE() -> &'static str {
        tr("Site")
    }
    pub fn JOB_CODES() -> &'static str {
        tr("Job codes")
    }
    pub fn CONFIG_TITLE() -> &'static str {
        tr("T&A configuration")
    }
    pub fn CONFIG_READ_ONLY() -> &'static str {
        tr("Read-only view of the configuration stored on the device.")
    }
    pub fn NO_TNA() -> &'static str {
        tr("This device does not support T&A: it has no T&A keys to configure.")
    }
    pub fn MODE() -> &'static str {
        tr("Mode")
    }
    pub fn FIXED_KEY() -> &'static str {
        tr("Fixed key")
    }
    pub fn FIXED_KEY_UNUSED() -> &'static str {
        tr("Used only in Fixed mode")
    }
    pub fn NO_KEY() -> &'static str {
        tr("None")
    }
    pub fn REQUIRED() -> &'static str {
        tr("T&A required")
    }
    pub fn REQUIRED_UNUSED() -> &'static str {
        tr("Applies only in By user mode")
    }
    pub fn KEYS_CAPTION() -> &'static str {
        tr("T&A keys")
    }
    pub fn COL_KEY() -> &'static str {
        tr("Key")
    }
    pub fn COL_LABEL() -> &'static str {
        tr("Label")
    }
    pub fn COL_SCHEDULE() -> &'static str {
        tr("Schedule")
    }
    pub fn SCHEDULE_NONE() -> &'static str {
        tr("None")
    }
    pub fn SCHEDULE_ALWAYS() -> &'static str {
        tr("Always")
    }
    pub fn SCHEDULES_FAILED() -> &'static str {
        tr("Schedule names could not be read, so schedules are shown by ID")
    }
    /// A schedule ID the device's schedule list does not hold.
    pub fn schedule_unknown(id: u32) -> String {
        trf!("#{id} (unknown)", id)
    }
    /// A schedule shown by ID only (the list could not be read).
    pub fn schedule_id(id: u32) -> String {
        trf!("#{id}", id)
    }
    /// Page heading.
    pub fn heading(id: u32) -> String {
        trf!("Device {id}", id)
    }
    pub fn NAME() -> &'static str {
        tr("Name")
    }
    pub fn LOCATION() -> &'static str {
        tr("Location")
    }
    pub fn TAGS() -> &'static str {
        tr("Tags (comma-separated)")
    }
    pub fn TAGS_SHORT() -> &'static str {
        tr("Tags")
    }
    pub fn EDIT_NAME() -> &'static str {
        tr("Name and location")
    }
    pub fn SAVE_NAME() -> &'static str {
        tr("Save name")
    }
    pub fn CANCEL() -> &'static str {
        tr("Cancel")
    }
    pub fn NAME_SAVED() -> &'static str {
        tr("Saved.")
    }
    pub fn NAME_FAILED() -> &'static str {
        tr("The name could not be saved")
    }
    pub fn NAME_HINT() -> &'static str {
        tr("Shown wherever this device appears. Leave a field empty to clear it.")
    }

    /// The mode's name.
    pub fn mode_name(mode: TnaMode) -> &'static str {
        match mode {
            TnaMode::Unused => tr("Not used"),
            TnaMode::ByUser => tr("By user"),
            TnaMode::BySchedule => tr("By schedule"),
            TnaMode::LastChoice => tr("Last choice"),
            TnaMode::Fixed => tr("Fixed"),
        }
    }

    /// One line on what the mode does.
    pub fn mode_explanation(mode: TnaMode) -> &'static str {
        match mode {
            TnaMode::Unused => tr("T&A is off: events get no T&A key."),
            TnaMode::ByUser => tr("The user picks a key on the device after authenticating."),
            TnaMode::BySchedule => tr("Each key applies during the schedule assigned to it."),
            TnaMode::LastChoice => tr("The key the previous user picked is used again."),
            TnaMode::Fixed => tr("Every event gets the fixed key below."),
        }
    }
}

/// The T&A config editor, export and import (device page).
pub mod editor {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::ConfigField;

    /// A config field for people.
    pub fn field_name(f: ConfigField) -> String {
        match f {
            ConfigField::Mode => tr("Mode").into(),
            ConfigField::Key => tr("Fixed key").into(),
            ConfigField::IsRequired => tr("T&A required").into(),
            ConfigField::Label(k) => trf!("Label of {k}", k),
            ConfigField::Schedule(k) => trf!("Schedule of {k}", k),
        }
    }
    pub fn EDIT() -> &'static str {
        tr("Edit")
    }
    pub fn TITLE() -> &'static str {
        tr("Edit T&A configuration")
    }
    pub fn SAVE() -> &'static str {
        tr("Save")
    }
    pub fn SAVING() -> &'static str {
        tr("Saving…")
    }
    pub fn CANCEL() -> &'static str {
        tr("Cancel")
    }
    pub fn SAVE_FAILED() -> &'static str {
        tr("The device did not take the configuration; your edits are kept")
    }
    pub fn SAVED() -> &'static str {
        tr("Saved. This is the configuration the device now holds.")
    }
    pub fn UNCHANGED() -> &'static str {
        tr("No changes yet.")
    }
    pub fn INVALID() -> &'static str {
        tr("Fix the marked fields to save.")
    }
    pub fn MODE() -> &'static str {
        tr("Mode")
    }
    pub fn FIXED_KEY() -> &'static str {
        tr("Fixed key")
    }
    pub fn FIXED_KEY_NONE() -> &'static str {
        tr("— choose a key —")
    }
    pub fn FIXED_KEY_ONLY_FIXED() -> &'static str {
        tr("Used only in Fixed mode.")
    }
    pub fn REQUIRED() -> &'static str {
        tr("T&A required (users must pick a key)")
    }
    pub fn REQUIRED_ONLY_BY_USER() -> &'static str {
        tr("Applies only in By user mode.")
    }
    pub fn NO_KEYPAD() -> &'static str {
        tr("Not available: this device has no keypad or screen to pick a key.")
    }
    pub fn UNSAVED_PROMPT() -> &'static str {
        tr("You have unsaved changes to the T&A configuration. Leave and lose them?")
    }
    pub fn EXPORT() -> &'static str {
        tr("Export JSON")
    }
    pub fn IMPORT() -> &'static str {
        tr("Import JSON")
    }
    pub fn IMPORT_TITLE() -> &'static str {
        tr("Imported file")
    }
    pub fn IMPORT_BAD() -> &'static str {
        tr("This file cannot be used; nothing was changed")
    }
    pub fn IMPORT_SAME() -> &'static str {
        tr("The file holds the same configuration as the device.")
    }
    pub fn IMPORT_DIFF() -> &'static str {
        tr("Loading this file changes these fields (nothing is written until you save):")
    }
    pub fn IMPORT_APPLY() -> &'static str {
        tr("Load into editor")
    }
    pub fn IMPORT_DISCARD() -> &'static str {
        tr("Discard")
    }
    /// Why a picked file was not read: larger than one frame to the relay.
    pub fn IMPORT_TOO_LARGE() -> &'static str {
        tr("the file is too large")
    }
    /// Why a picked file was not read: the browser could not read it as text.
    pub fn IMPORT_NOT_TEXT() -> &'static str {
        tr("not text")
    }
    pub fn COL_FIELD() -> &'static str {
        tr("Field")
    }
    pub fn COL_BEFORE() -> &'static str {
        tr("Now")
    }
    pub fn COL_AFTER() -> &'static str {
        tr("New")
    }
    /// "12 / 48 bytes".
    pub fn label_bytes(used: usize, max: usize) -> String {
        trf!("{used} / {max} bytes", used, max)
    }
    /// Accessible name of a key's label input.
    pub fn label_for(key: &str) -> String {
        trf!("Label of {key}", key)
    }
    /// Accessible name of a key's schedule picker.
    pub fn schedule_for(key: &str) -> String {
        trf!("Schedule of {key}", key)
    }
    /// The file could not be read or parsed.
    pub fn import_parse(detail: &str) -> String {
        trf!(
            "The file is not a T&A configuration in JSON: {detail}",
            detail
        )
    }
    /// The file could not be read at all.
    pub fn import_read(detail: &str) -> String {
        trf!("The file could not be read: {detail}", detail)
    }
    /// The export file name.
    pub fn export_name(device_id: u32) -> String {
        trf!("tna-config-{device_id}.json", device_id)
    }
    /// Which device an imported file came from: "Exported from Reception entrance (540000001),
    /// BioStation A2, Lobby".
    pub fn import_from(from: &tna_types::ExportedFrom) -> String {
        let who = match &from.name {
            Some(name) => format!("{name} ({})", from.device_id),
            None => from.device_id.to_string(),
        };
        let mut text = trf!(
            "Exported from {who}, {product}",
            who,
            product = from.product
        );
        if let Some(place) = &from.location {
            text.push_str(", ");
            text.push_str(place);
        }
        text
    }
}

/// The bulk apply page and its preview / apply / result flow (also used by the drift report).
pub mod bulk {
    use crate::i18n::tr;
    use crate::trf;

    /// The start of the confirmation of an apply (count and sites follow).
    pub fn CONFIRM_APPLY() -> &'static str {
        tr("Apply this T&A configuration to")
    }
    use tna_types::Ineligible;

    pub fn NAV() -> &'static str {
        tr("Bulk apply")
    }
    pub fn TITLE() -> &'static str {
        tr("Bulk apply a T&A configuration")
    }
    pub fn LOADING() -> &'static str {
        tr("Loading devices…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The device list could not be read")
    }
    pub fn TARGETS() -> &'static str {
        tr("1. Target devices")
    }
    pub fn SOURCE() -> &'static str {
        tr("2. Configuration to apply")
    }
    pub fn FILTER_TYPE() -> &'static str {
        tr("Type")
    }
    pub fn FILTER_SITE() -> &'static str {
        tr("Site")
    }
    pub fn FILTER_TNA() -> &'static str {
        tr("T&A support")
    }
    pub fn FILTER_STATUS() -> &'static str {
        tr("Status")
    }
    pub fn FILTER_TEXT() -> &'static str {
        tr("Text")
    }
    pub fn FILTER_TEXT_PLACEHOLDER() -> &'static str {
        tr("ID, type or address")
    }
    pub fn ANY() -> &'static str {
        tr("Any")
    }
    pub fn YES() -> &'static str {
        tr("Yes")
    }
    pub fn NO() -> &'static str {
        tr("No")
    }
    pub fn SELECT_ALL() -> &'static str {
        tr("Select all shown")
    }
    pub fn CLEAR() -> &'static str {
        tr("Clear selection")
    }
    pub fn SELECT_DEVICE() -> &'static str {
        tr("Select device")
    }
    pub fn SOURCE_DEVICE() -> &'static str {
        tr("A device's configuration")
    }
    pub fn SOURCE_DRAFT() -> &'static str {
        tr("The editor's current draft")
    }
    pub fn SOURCE_FILE() -> &'static str {
        tr("An imported file")
    }
    pub fn NO_DRAFT() -> &'static str {
        tr("No draft: open a device, click Edit and change something first.")
    }
    pub fn PICK_DEVICE() -> &'static str {
        tr("— choose a device —")
    }
    pub fn SOURCE_LOADING() -> &'static str {
        tr("Reading the configuration…")
    }
    pub fn SOURCE_FAILED() -> &'static str {
        tr("The source configuration could not be used")
    }
    pub fn SOURCE_READY() -> &'static str {
        tr("Source configuration ready.")
    }
    pub fn PREVIEW() -> &'static str {
        tr("Preview changes")
    }
    pub fn PREVIEWING() -> &'static str {
        tr("Reading the targets…")
    }
    pub fn PREVIEW_TITLE() -> &'static str {
        tr("3. Preview")
    }
    pub fn APPLY_NONE() -> &'static str {
        tr("Nothing to apply: every target already matches or cannot take it.")
    }
    pub fn APPLYING() -> &'static str {
        tr("Applying…")
    }
    pub fn CANCEL() -> &'static str {
        tr("Cancel")
    }
    pub fn CANCELLING() -> &'static str {
        tr("Cancelling after this batch…")
    }
    pub fn RESULTS_TITLE() -> &'static str {
        tr("4. Results")
    }
    pub fn RETRY_FAILED() -> &'static str {
        tr("Retry failed")
    }
    pub fn REREADING() -> &'static str {
        tr("Re-reading every target…")
    }
    pub fn COL_SELECT() -> &'static str {
        tr("Select")
    }
    pub fn COL_DEVICE() -> &'static str {
        tr("Device")
    }
    pub fn COL_TYPE() -> &'static str {
        tr("Type")
    }
    pub fn COL_STATUS() -> &'static str {
        tr("Status")
    }
    pub fn COL_TNA() -> &'static str {
        tr("T&A")
    }
    pub fn COL_CHANGES() -> &'static str {
        tr("What changes")
    }
    /// The per-device preview, folded under the grouped summary.
    pub fn PER_DEVICE() -> &'static str {
        tr("Per device")
    }
    pub use super::components::devices_count;
    pub fn COL_RESULT() -> &'static str {
        tr("Result")
    }
    pub fn COL_DETAIL() -> &'static str {
        tr("Detail")
    }
    pub fn COL_AFTER() -> &'static str {
        tr("After re-read")
    }
    pub fn SAME() -> &'static str {
        tr("Already matches: not written")
    }
    pub fn OK() -> &'static str {
        tr("OK")
    }
    pub fn FAILED() -> &'static str {
        tr("Failed")
    }
    pub fn NOT_SENT() -> &'static str {
        tr("Not sent (cancelled)")
    }
    pub fn MATCHES() -> &'static str {
        tr("Matches")
    }
    pub fn STILL_DIFFERS() -> &'static str {
        tr("Still differs")
    }
    pub fn REREAD_FAILED() -> &'static str {
        tr("Could not re-read")
    }

    /// Why a device cannot take the config.
    pub fn ineligible(why: Ineligible) -> &'static str {
        match why {
            Ineligible::NoTna => tr("Cannot take it: no T&A support"),
            Ineligible::Offline => tr("Cannot take it: offline"),
            Ineligible::NoKeypad => {
                tr("Cannot take it: the mode needs a keypad or screen, the device has none")
            }
        }
    }
    /// A read before the preview failed.
    pub fn unreadable(message: &str) -> String {
        trf!(
            "Cannot take it: its configuration could not be read ({message})",
            message
        )
    }
    /// "3 selected of 40 shown".
    pub fn selected(selected: usize, shown: usize) -> String {
        trf!("{selected} selected · {shown} shown", selected, shown)
    }
    /// The apply button.
    pub fn apply(n: usize) -> String {
        trf!("Apply to {n} devices", n)
    }
    /// "12 of 20 devices".
    pub fn progress(done: usize, total: usize) -> String {
        trf!("{done} of {total} devices", done, total)
    }
    /// "18 OK · 2 failed".
    pub fn summary(ok: usize, failed: usize, not_sent: usize) -> String {
        if not_sent == 0 {
            trf!("{ok} OK · {failed} failed", ok, failed)
        } else {
            trf!(
                "{ok} OK · {failed} failed · {not_sent} not sent",
                ok,
                failed,
                not_sent
            )
        }
    }
    /// A gRPC status code with its name: "13 INTERNAL".
    pub fn grpc_code(code: i32) -> String {
        let name = match code {
            0 => tr("OK"),
            1 => tr("CANCELLED"),
            2 => tr("UNKNOWN"),
            3 => tr("INVALID_ARGUMENT"),
            4 => tr("DEADLINE_EXCEEDED"),
            5 => tr("NOT_FOUND"),
            6 => tr("ALREADY_EXISTS"),
            7 => tr("PERMISSION_DENIED"),
            8 => tr("RESOURCE_EXHAUSTED"),
            9 => tr("FAILED_PRECONDITION"),
            10 => tr("ABORTED"),
            11 => tr("OUT_OF_RANGE"),
            12 => tr("UNIMPLEMENTED"),
            13 => tr("INTERNAL"),
            14 => tr("UNAVAILABLE"),
            15 => tr("DATA_LOSS"),
            16 => tr("UNAUTHENTICATED"),
            _ => "",
        };
        trf!("gRPC {code} {name}", code, name)
            .trim_end()
            .to_string()
    }
    /// A relay error for a whole batch: "relay error -32003".
    pub fn relay_code(code: i32) -> String {
        trf!("relay error {code}", code)
    }
}

/// Job codes on the device page.
pub mod jobcodes {
    use crate::i18n::tr;
    use crate::trf;

    /// The start of the confirmation of a copy (the count follows).
    pub fn CONFIRM_COPY() -> &'static str {
        tr("Copy this user's job codes to")
    }
    pub fn USE_ON() -> &'static str {
        tr("Job codes are on: users pick one when they punch.")
    }
    pub fn USE_OFF() -> &'static str {
        tr("Job codes are off on this device.")
    }
    pub fn TITLE() -> &'static str {
        tr("Job codes")
    }
    pub fn USE() -> &'static str {
        tr("Ask users for a job code on this device (useJobCode)")
    }
    pub fn USE_FAILED() -> &'static str {
        tr("The job-code setting could not be read or changed")
    }
    pub fn LOADING() -> &'static str {
        tr("Reading job codes…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The job codes could not be read")
    }
    pub fn NO_USERS() -> &'static str {
        tr("No users are enrolled on this device.")
    }
    pub fn COL_USER() -> &'static str {
        tr("User")
    }
    pub fn COL_CODES() -> &'static str {
        tr("Job codes")
    }
    pub fn COL_CODE() -> &'static str {
        tr("Code")
    }
    pub fn COL_LABEL() -> &'static str {
        tr("Label")
    }
    pub fn NONE() -> &'static str {
        tr("None")
    }
    pub fn EDIT() -> &'static str {
        tr("Edit")
    }
    pub fn ADD() -> &'static str {
        tr("Add job code")
    }
    pub fn REMOVE() -> &'static str {
        tr("Remove")
    }
    pub fn SAVE() -> &'static str {
        tr("Save job codes")
    }
    pub fn SAVING() -> &'static str {
        tr("Saving…")
    }
    pub fn CLOSE() -> &'static str {
        tr("Close")
    }
    pub fn SAVE_FAILED() -> &'static str {
        tr("The job codes were not saved; your edits are kept")
    }
    pub fn SAVED() -> &'static str {
        tr("Saved; shown as re-read from the device.")
    }
    pub fn COPY_TITLE() -> &'static str {
        tr("Copy this user's job codes to other devices")
    }
    pub fn COPY() -> &'static str {
        tr("Copy to selected devices")
    }
    pub fn COPYING() -> &'static str {
        tr("Copying…")
    }
    pub fn COPY_FAILED() -> &'static str {
        tr("The copy failed")
    }
    pub fn NO_OTHER_DEVICES() -> &'static str {
        tr("No other device supports job codes.")
    }
    /// Heading of one user's editor.
    pub fn editing(user: &str) -> String {
        trf!("Job codes of user {user}", user)
    }
    /// "3 / 16".
    pub fn count(n: usize, max: usize) -> String {
        trf!("{n} / {max} job codes", n, max)
    }
}

/// The drift report.
pub mod drift {
    use crate::i18n::tr;
    use crate::trf;

    /// Devices that cannot take the reference at all (listed apart from those that differ).
    pub fn CANNOT_TITLE() -> &'static str {
        tr("Cannot take the reference")
    }
    pub fn NAV() -> &'static str {
        tr("Drift")
    }
    pub fn TITLE() -> &'static str {
        tr("Drift report")
    }
    pub fn INTRO() -> &'static str {
        tr(
            "Compares the T&A configuration of every T&A device with a reference and lists the devices that differ, field by field.",
        )
    }
    pub fn REFERENCE() -> &'static str {
        tr("Reference configuration")
    }
    pub fn COMPARE() -> &'static str {
        tr("Compare all T&A devices")
    }
    pub fn COMPARING() -> &'static str {
        tr("Reading every T&A device…")
    }
    pub fn NONE() -> &'static str {
        tr("No drift: every checked device holds the reference configuration.")
    }
    pub fn COL_DEVICE() -> &'static str {
        tr("Device")
    }
    pub fn COL_FIELDS() -> &'static str {
        tr("Differs from the reference")
    }
    pub fn UNCHECKED_TITLE() -> &'static str {
        tr("Not checked")
    }
    pub fn FIX() -> &'static str {
        tr("Apply the reference to the drifted devices")
    }
    /// "2 of 18 devices differ".
    pub fn summary(drifted: usize, checked: usize) -> String {
        trf!(
            "{drifted} of {checked} checked devices differ",
            drifted,
            checked
        )
    }
}

/// The logs page.
pub mod logs {
    use crate::i18n::tr;
    use crate::trf;

    pub fn NAV() -> &'static str {
        tr("Logs")
    }
    pub fn TITLE() -> &'static str {
        tr("Logs")
    }
    pub fn KIND_LABEL() -> &'static str {
        tr("Log")
    }
    pub fn KIND_TNA() -> &'static str {
        tr("T&A log")
    }
    pub fn KIND_JOB() -> &'static str {
        tr("Job-code log")
    }
    pub fn DEVICES_LABEL() -> &'static str {
        tr("Devices")
    }
    pub fn DEVICES_LOADING() -> &'static str {
        tr("Loading devices…")
    }
    pub fn DEVICES_FAILED() -> &'static str {
        tr("The device list could not be read")
    }
    pub fn DEVICES_NONE() -> &'static str {
        tr("No connected device keeps this log.")
    }
    pub fn LOAD_MORE() -> &'static str {
        tr("Load more")
    }
    pub fn LOAD_ALL() -> &'static str {
        tr("Load all")
    }
    pub fn CANCEL() -> &'static str {
        tr("Cancel")
    }
    pub fn CLEAR() -> &'static str {
        tr("Clear")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("Logs could not be read")
    }
    pub fn PICK_DEVICES() -> &'static str {
        tr("Choose one or more devices, then Load more or Load all.")
    }
    pub fn NOTHING_LOADED() -> &'static str {
        tr("Nothing loaded yet.")
    }
    pub fn COMPLETE() -> &'static str {
        tr(" · everything stored has been read")
    }
    pub fn NO_MATCH() -> &'static str {
        tr("No loaded record matches the filters.")
    }
    pub fn FILTERS() -> &'static str {
        tr("Filters")
    }
    pub fn FROM() -> &'static str {
        tr("From")
    }
    pub fn TO() -> &'static str {
        tr("To")
    }
    pub fn USER() -> &'static str {
        tr("User (ID or name)")
    }
    pub fn USER_PLACEHOLDER() -> &'static str {
        tr("Any user")
    }
    pub fn KEY() -> &'static str {
        tr("Key")
    }
    pub fn KEY_ANY() -> &'static str {
        tr("Any key")
    }
    pub fn KEY_NONE() -> &'static str {
        tr("No key")
    }
    pub fn EVENT() -> &'static str {
        tr("Event")
    }
    pub fn EVENT_ANY() -> &'static str {
        tr("Any event")
    }
    pub fn SORT_NEWEST() -> &'static str {
        tr("Newest first")
    }
    pub fn SORT_OLDEST() -> &'static str {
        tr("Oldest first")
    }
    pub fn EXPORT() -> &'static str {
        tr("Export CSV")
    }
    pub fn EXPORT_FAILED() -> &'static str {
        tr("The CSV file could not be created.")
    }
    pub fn FILE_NAME() -> &'static str {
        tr("tna-logs.csv")
    }
    pub fn TABLE_LABEL() -> &'static str {
        tr("Log records")
    }
    pub fn COL_TIME() -> &'static str {
        tr("Time (with its UTC offset)")
    }
    pub fn COL_DEVICE() -> &'static str {
        tr("Device")
    }
    pub fn COL_USER() -> &'static str {
        tr("User")
    }
    pub fn COL_NAME() -> &'static str {
        tr("Name")
    }
    pub fn COL_EVENT() -> &'static str {
        tr("Event")
    }
    pub fn COL_KEY() -> &'static str {
        tr("T&A key")
    }
    pub fn COL_JOB() -> &'static str {
        tr("Job code")
    }
    pub fn NONE() -> &'static str {
        tr("—")
    }
    pub fn SOURCE_LABEL() -> &'static str {
        tr("Source")
    }
    pub fn SOURCE_ARCHIVE() -> &'static str {
        tr("Archive")
    }
    pub fn SOURCE_DEVICES() -> &'static str {
        tr("Devices")
    }
    pub fn SOURCE_DEVICES_INFO() -> &'static str {
        tr("Read from the devices, page by page from each device's cursor.")
    }
    pub fn SOURCE_CHECKING() -> &'static str {
        tr("Read from the devices (checking the relay's archive…).")
    }
    pub fn SOURCE_NO_ARCHIVE() -> &'static str {
        tr("Read from the devices: the relay keeps no archive.")
    }
    pub fn SOURCE_STATUS_FAILED() -> &'static str {
        tr("Read from the devices: the state of the relay's archive could not be read.")
    }
    pub fn COMPLETE_ARCHIVE() -> &'static str {
        tr(" · every matching record in the archive has been read")
    }
    pub fn ARCHIVE_FILTERS_CHANGED() -> &'static str {
        tr(
            "The dates or the user changed since the archive was read: Load more or Load all reads it again with them.",
        )
    }

    /// "12,345 records read · 1 of 3 devices done".
    pub fn progress(records: usize, done: usize, total: usize) -> String {
        trf!(
            "{records} records read · {done} of {total} devices done",
            records = thousands(records),
            done,
            total
        )
    }
    /// "12,345 records read from the archive".
    pub fn archive_progress(records: usize) -> String {
        trf!(
            "{records} records read from the archive",
            records = thousands(records)
        )
    }
    /// "From the relay's archive · last synced 2026-01-05 14:05:09, 12 s ago".
    pub fn source_archive(last_sync: Option<(&str, i64)>) -> String {
        match last_sync {
            Some((local, secs)) => trf!(
                "From the relay's archive · last synced {local}, {duration} ago",
                local,
                duration = super::sync::duration(secs)
            ),
            None => tr("From the relay's archive").to_string(),
        }
    }
    /// "Not in the archive yet: devices 3, 4."
    pub fn not_archived(ids: &[u32]) -> String {
        let list: Vec<String> = ids.iter().map(u32::to_string).collect();
        trf!(
            "Not in the archive yet: devices {list}.",
            list = list.join(", ")
        )
    }
    /// "Exporting… 40 %".
    pub fn exporting(percent: usize) -> String {
        trf!("Exporting… {percent} %", percent)
    }
    /// "Showing 1,200 of 100,000 loaded records".
    pub fn shown(shown: usize, loaded: usize) -> String {
        if shown == loaded {
            trf!("{loaded} records loaded", loaded = thousands(loaded))
        } else {
            trf!(
                "Showing {shown} of {loaded} loaded records",
                shown = thousands(shown),
                loaded = thousands(loaded)
            )
        }
    }
    /// The time cell's hover text.
    pub fn time_title(utc: &str, offset: Option<&str>) -> String {
        match offset {
            Some(o) => trf!("{utc} (device time zone UTC{o})", utc, o),
            None => trf!("{utc} (device time zone not known: shown in UTC)", utc),
        }
    }
    /// 1234567 → "1,234,567".
    pub fn thousands(n: usize) -> String {
        crate::i18n::number(n)
    }
    /// An event the console has no name for: "Event 0x1234/5".
    pub fn unknown_event(code: u32, sub: u32) -> String {
        trf!("Event {code}/{sub}", code = format!("0x{code:04X}"), sub)
    }
}

/// The live page and the kiosk's connection line.
pub mod live {
    use crate::i18n::tr;
    use crate::trf;

    pub fn NAV() -> &'static str {
        tr("Live")
    }
    pub fn TITLE() -> &'static str {
        tr("Live events")
    }
    pub fn INTRO() -> &'static str {
        tr("New T&A events of the chosen devices appear at the top as they happen.")
    }
    pub fn DEVICES_LABEL() -> &'static str {
        tr("Devices")
    }
    pub fn NONE_CHOSEN() -> &'static str {
        tr("No device chosen: pick one or more on the left.")
    }
    pub fn STATUS_CONNECTING() -> &'static str {
        tr("Connecting…")
    }
    pub fn STATUS_LIVE() -> &'static str {
        tr("Live")
    }
    pub fn STATUS_RETRYING() -> &'static str {
        tr("Subscription failed — retrying")
    }
    pub fn WAITING() -> &'static str {
        tr("Waiting for the first event…")
    }
    pub fn NO_DEVICES() -> &'static str {
        tr("No connected device supports T&A.")
    }
    pub fn DEVICES_FAILED() -> &'static str {
        tr("The device list could not be read")
    }
    pub fn TABLE_CAPTION() -> &'static str {
        tr("Latest events, newest first")
    }
    /// "3 devices of other relays sharing this archive are listed too: …".
    pub fn remote_note(count: usize) -> String {
        trf!(
            "{devices} of other relays sharing this archive are listed too: their events \
             arrive live through the archive (times in UTC, keys by number).",
            devices = super::components::devices_count(count)
        )
    }
    /// "42 events since this page opened · 12 devices" ("1 event", "1 device").
    pub fn summary(events: u64, devices: usize) -> String {
        trf!(
            "{events} since this page opened · {devices}",
            events = crate::i18n::plural(events, "1 event", "{n} events"),
            devices = super::components::devices_count(devices)
        )
    }
}

/// The reception kiosk (`/kiosk`).
pub mod kiosk {
    use crate::i18n::tr;
    use crate::trf;

    use crate::logs::kiosk::Direction;

    /// The document title of the reception screen.
    pub fn TITLE() -> &'static str {
        tr("Reception")
    }
    pub fn LATEST() -> &'static str {
        tr("Latest punches")
    }
    pub fn WHO_IS_IN() -> &'static str {
        tr("Who is in")
    }
    pub fn NO_PUNCHES() -> &'static str {
        tr("No punches yet today.")
    }
    pub fn NOBODY() -> &'static str {
        tr("Nobody has punched with a key yet.")
    }
    pub fn CONN_LIVE() -> &'static str {
        tr("Live")
    }
    pub fn CONN_CONNECTING() -> &'static str {
        tr("Connecting…")
    }
    pub fn CONN_RETRYING() -> &'static str {
        tr("Reconnecting…")
    }
    pub fn SETTINGS() -> &'static str {
        tr("Settings")
    }
    pub fn SETTINGS_TITLE() -> &'static str {
        tr("Kiosk settings")
    }
    pub fn SETTINGS_INTRO() -> &'static str {
        tr("What each T&A key means at this reception. Saved in this browser.")
    }
    pub fn CLOSE() -> &'static str {
        tr("Done")
    }
    pub fn THEME() -> &'static str {
        tr("Theme")
    }
    pub fn DEVICES() -> &'static str {
        tr("Devices shown")
    }
    pub fn NO_DEVICES() -> &'static str {
        tr("No connected device supports T&A.")
    }
    pub fn DEVICES_EVERY() -> &'static str {
        tr("Showing every connected T&A device, also ones added later.")
    }
    pub fn DEVICES_CHOSEN() -> &'static str {
        tr(
            "Showing the chosen devices only (this tablet remembers them; ?devices=ID,ID in the address does the same).",
        )
    }
    pub fn DEVICES_RESET() -> &'static str {
        tr("Show every device")
    }
    pub fn THEME_AUTO() -> &'static str {
        tr("Automatic")
    }
    pub fn THEME_LIGHT() -> &'static str {
        tr("Light")
    }
    pub fn THEME_DARK() -> &'static str {
        tr("Dark")
    }
    pub fn DIRECTION_NONE() -> &'static str {
        tr("Not used")
    }
    pub fn STATUS_UNKNOWN() -> &'static str {
        tr("—")
    }

    /// The settings' name of a direction.
    pub fn direction_name(d: Direction) -> &'static str {
        match d {
            Direction::In => tr("Check in"),
            Direction::Out => tr("Check out"),
            Direction::BreakStart => tr("Break start"),
            Direction::BreakEnd => tr("Break end"),
        }
    }

    /// The board's status word.
    pub fn status_word(d: Direction) -> &'static str {
        match d {
            Direction::In | Direction::BreakEnd => tr("IN"),
            Direction::Out => tr("OUT"),
            Direction::BreakStart => tr("BREAK"),
        }
    }

    /// "Offline — reconnecting in 3 s".
    pub fn offline(retry_in_secs: u32) -> String {
        trf!("Offline — reconnecting in {retry_in_secs} s", retry_in_secs)
    }

    /// "Offline since 14:05 — reconnecting in 3 s": the board shown is the one the kiosk had
    /// then (kept in this browser).
    pub fn offline_since(hm: &str, retry_in_secs: u32) -> String {
        trf!(
            "Offline since {hm} — reconnecting in {retry_in_secs} s",
            hm,
            retry_in_secs
        )
    }

    /// The first-start prompt of a kiosk not in full screen.
    pub fn FULLSCREEN() -> &'static str {
        tr("Tap to enter full screen")
    }
    pub fn FULLSCREEN_LATER() -> &'static str {
        tr("Not now")
    }

    /// "5 in".
    pub fn present_count(n: usize) -> String {
        trf!("{n} in", n)
    }

    /// "User 1007".
    pub fn user(id: &str) -> String {
        trf!("User {id}", id)
    }
}

/// The timecards page.
pub mod timecards {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::timecard::{PunchType, RepeatRule, TimecardFlag};

    pub use super::sync::NO_ARCHIVE;

    pub fn NAV() -> &'static str {
        tr("Timecards")
    }
    pub fn TITLE() -> &'static str {
        tr("Timecards")
    }
    pub fn INTRO() -> &'static str {
        tr(
            "Worked time per user and day, computed by the relay from the archived T&A punches by the policy below. Nothing is guessed: a day that needs a look is flagged and its open time is not counted.",
        )
    }
    pub fn RANGE() -> &'static str {
        tr("Days and user")
    }
    pub fn FROM() -> &'static str {
        tr("From")
    }
    pub fn TO() -> &'static str {
        tr("To (inclusive)")
    }
    pub fn USER() -> &'static str {
        tr("User ID")
    }
    pub fn USER_PLACEHOLDER() -> &'static str {
        tr("Every user")
    }
    pub fn LOAD() -> &'static str {
        tr("Load")
    }
    pub fn LOADING() -> &'static str {
        tr("Computing timecards…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The timecards could not be computed")
    }
    pub fn BAD_DATE() -> &'static str {
        tr("Enter both days as dates.")
    }
    pub fn TO_BEFORE_FROM() -> &'static str {
        tr("The last day must not be before the first.")
    }
    pub fn EMPTY() -> &'static str {
        tr("No punches in these days.")
    }
    pub fn NONE() -> &'static str {
        tr("—")
    }

    pub fn POLICY_TITLE() -> &'static str {
        tr("Policy")
    }
    pub fn POLICY_LOADING() -> &'static str {
        tr("Reading the policy…")
    }
    pub fn POLICY_FAILED() -> &'static str {
        tr("The policy could not be read")
    }
    pub fn POLICY_KEYS() -> &'static str {
        tr("Keys")
    }
    pub fn POLICY_NO_KEYS() -> &'static str {
        tr("No key is mapped: every punch is ignored.")
    }
    pub fn POLICY_OTHER_KEYS() -> &'static str {
        tr("Other keys are ignored (flagged as unmapped).")
    }
    pub fn POLICY_DAY_START() -> &'static str {
        tr("Day")
    }
    pub fn POLICY_REPEATS() -> &'static str {
        tr("Repeated punches")
    }
    pub fn POLICY_ZONE() -> &'static str {
        tr("Time zone")
    }
    pub fn ZONE_RULE() -> &'static str {
        tr(
            "Each day is in the time zone of the site where its first punch was made, with daylight saving time: a day boundary is local wall time, worked time is real elapsed time (a night shift across a DST change counts one hour less or more than its wall-clock span).",
        )
    }
    pub fn COL_ZONE() -> &'static str {
        tr("Zone")
    }
    pub fn EDIT_POLICY() -> &'static str {
        tr("Edit policy")
    }
    pub fn EDIT_TITLE() -> &'static str {
        tr("Edit the policy")
    }
    pub fn EDIT_INTRO() -> &'static str {
        tr("Applies to every timecard computed from now on, past days included.")
    }
    pub fn PUNCH_NONE() -> &'static str {
        tr("Not used")
    }
    pub fn DAY_START_LABEL() -> &'static str {
        tr("Day starts at (local time)")
    }
    pub fn REPEATED_IN_LABEL() -> &'static str {
        tr("Several INs in a row")
    }
    pub fn REPEATED_OUT_LABEL() -> &'static str {
        tr("Several OUTs in a row")
    }
    pub fn KEYS_LEGEND() -> &'static str {
        tr("What each T&A key means")
    }
    pub fn BAD_DAY_START() -> &'static str {
        tr("Enter the time the day starts as HH:MM.")
    }
    pub fn SAVE() -> &'static str {
        tr("Save policy")
    }
    pub fn SAVING() -> &'static str {
        tr("Saving…")
    }
    pub fn CANCEL() -> &'static str {
        tr("Cancel")
    }
    pub fn SAVE_FAILED() -> &'static str {
        tr("The policy was not saved")
    }
    pub fn SAVED() -> &'static str {
        tr("Policy saved. The timecards below were computed again with it.")
    }
    pub fn FIX_ERRORS() -> &'static str {
        tr("Fix the fields marked below first.")
    }

    pub fn DAYS_TITLE() -> &'static str {
        tr("Days")
    }
    pub fn TOTALS_TITLE() -> &'static str {
        tr("Totals per user")
    }
    pub fn TOTALS_CAPTION() -> &'static str {
        tr("Totals per user over the days shown")
    }
    pub fn COL_USER() -> &'static str {
        tr("User")
    }
    pub fn COL_DAY() -> &'static str {
        tr("Day")
    }
    pub fn COL_FIRST_IN() -> &'static str {
        tr("First in")
    }
    pub fn COL_LAST_OUT() -> &'static str {
        tr("Last out")
    }
    pub fn COL_BREAK() -> &'static str {
        tr("Break")
    }
    pub fn COL_MEAL() -> &'static str {
        tr("Meal")
    }
    pub fn COL_WORKED() -> &'static str {
        tr("Worked")
    }
    pub fn COL_FLAGS() -> &'static str {
        tr("Flags")
    }
    pub fn COL_DEVICES() -> &'static str {
        tr("Devices")
    }
    pub fn COL_DAYS() -> &'static str {
        tr("Days")
    }
    pub fn COL_FLAGGED() -> &'static str {
        tr("Flagged days")
    }
    pub fn CSV() -> &'static str {
        tr("Export days as CSV")
    }
    pub fn CSV_TOTALS() -> &'static str {
        tr("Export totals as CSV")
    }
    pub fn CSV_FAILED() -> &'static str {
        tr("The CSV file could not be created.")
    }

    /// The days table's caption.
    pub fn caption(from: &str, to: &str) -> String {
        trf!("Timecards per user and day, {from} to {to}", from, to)
    }
    /// "12 days of 3 users, from 240 archived events".
    pub fn summary(days: usize, users: usize, events: u64) -> String {
        let days = if days == 1 {
            tr("1 day").to_string()
        } else {
            trf!("{days} days", days)
        };
        let users = if users == 1 {
            tr("1 user").to_string()
        } else {
            trf!("{users} users", users)
        };
        trf!(
            "{days} of {users}, from {events} archived events",
            days,
            users,
            events
        )
    }
    /// CSV file names.
    pub fn file_name(from: &str, to: &str) -> String {
        trf!("timecards-{from}-to-{to}.csv", from, to)
    }
    pub fn totals_file_name(from: &str, to: &str) -> String {
        trf!("timecard-totals-{from}-to-{to}.csv", from, to)
    }
    /// A time on a later date than the day it belongs to: "02:10 (+1 day)".
    pub fn time_on(hm: &str, days_after: i64) -> String {
        match days_after {
            0 => hm.to_string(),
            1 => trf!("{hm} (+1 day)", hm),
            d => trf!("{hm} ({days} days)", hm, days = format!("{d:+}")),
        }
    }
    /// The title of a time cell: the full local date and time with its offset, and UTC.
    pub fn time_title(local: &str, offset: &str, utc: &str) -> String {
        trf!("{local} (UTC{offset}) · {utc} UTC", local, offset, utc)
    }
    /// A day's zone: its IANA name, or UTC when the site has none.
    pub fn zone_name(zone: Option<&str>) -> String {
        match zone {
            Some(z) => z.to_string(),
            None => crate::strings::time::NO_ZONE().to_string(),
        }
    }

    pub fn PUNCHES_OPEN() -> &'static str {
        tr("Show the punches behind this day")
    }
    pub fn PUNCHES_LOADING() -> &'static str {
        tr("Reading the punches…")
    }
    pub fn PUNCHES_FAILED() -> &'static str {
        tr("The punches could not be read")
    }
    pub fn UNMAPPED() -> &'static str {
        tr("Not counted")
    }
    pub fn punch_name(p: PunchType) -> &'static str {
        match p {
            PunchType::CheckIn => tr("Check in"),
            PunchType::CheckOut => tr("Check out"),
            PunchType::BreakStart => tr("Break start"),
            PunchType::BreakEnd => tr("Break end"),
            PunchType::MealStart => tr("Meal start"),
            PunchType::MealEnd => tr("Meal end"),
        }
    }
    pub fn flag_name(f: TimecardFlag) -> &'static str {
        match f {
            TimecardFlag::MissingOut => tr("Missing OUT"),
            TimecardFlag::MissingIn => tr("Missing IN"),
            TimecardFlag::RepeatedIn => tr("Repeated IN"),
            TimecardFlag::RepeatedOut => tr("Repeated OUT"),
            TimecardFlag::UnpairedBreak => tr("Unpaired break"),
            TimecardFlag::UnpairedMeal => tr("Unpaired meal"),
            TimecardFlag::UnmappedKeys => tr("Unmapped keys"),
        }
    }
    /// What a flag means, for the flag's hover text.
    pub fn flag_help(f: TimecardFlag) -> &'static str {
        match f {
            TimecardFlag::MissingOut => tr("A check-in was never closed; its time is not counted."),
            TimecardFlag::MissingIn => tr("A check-out had no open check-in to close."),
            TimecardFlag::RepeatedIn => {
                tr("Several check-ins in a row; one counted by the policy.")
            }
            TimecardFlag::RepeatedOut => {
                tr("Several check-outs in a row; one counted by the policy.")
            }
            TimecardFlag::UnpairedBreak => {
                tr("A break start or end without its pair; not deducted.")
            }
            TimecardFlag::UnpairedMeal => tr("A meal start or end without its pair; not deducted."),
            TimecardFlag::UnmappedKeys => {
                "Punches without a key, or with a key the policy ignores."
            }
        }
    }
    /// The label of a key's select in the policy form.
    pub fn key_label(n: u8) -> String {
        trf!("KEY_{n}", n)
    }
    /// "KEY_1: Check in".
    pub fn key_means(n: u8, punch: PunchType) -> String {
        format!("KEY_{n}: {}", punch_name(punch))
    }
    /// "Starts at 05:00 local time; punches before it belong to the previous day."
    pub fn day_starts(hm: &str) -> String {
        if hm == "00:00" {
            tr("Starts at midnight (00:00) local time.").to_string()
        } else {
            trf!(
                "Starts at {hm} local time; punches before it belong to the previous day.",
                hm
            )
        }
    }
    pub fn rule_option(r: RepeatRule) -> &'static str {
        match r {
            RepeatRule::First => tr("The first counts"),
            RepeatRule::Last => tr("The last counts"),
        }
    }
    pub fn repeated_in(r: RepeatRule) -> &'static str {
        match r {
            RepeatRule::First => tr("Several INs in a row: the first counts."),
            RepeatRule::Last => tr("Several INs in a row: the last counts."),
        }
    }
    pub fn repeated_out(r: RepeatRule) -> &'static str {
        match r {
            RepeatRule::First => tr("Several OUTs in a row: the first counts."),
            RepeatRule::Last => tr("Several OUTs in a row: the last counts."),
        }
    }
}

/// The archive sync page (`/sync`).
pub mod sync {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::archive::Stream;

    pub fn NO_ARCHIVE() -> &'static str {
        tr("This relay keeps no log archive")
    }
    pub fn NAV() -> &'static str {
        tr("Archive")
    }
    pub fn TITLE() -> &'static str {
        tr("Log archive")
    }
    pub fn INTRO() -> &'static str {
        tr(
            "The relay copies every T&A device's T&A and job-code logs into its archive, each event once, and keeps them after the device overwrites them. This page refreshes every 5 seconds.",
        )
    }
    pub fn LOADING() -> &'static str {
        tr("Reading the archive's state…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The archive's state could not be read")
    }
    pub fn SYNC_ALL() -> &'static str {
        tr("Sync all devices now")
    }
    pub fn SYNC_FAILED() -> &'static str {
        tr("The sync could not be started")
    }
    pub fn QUEUED_ALL() -> &'static str {
        tr("A sync of every device was queued.")
    }
    pub fn EMPTY() -> &'static str {
        tr("The archive has not read any device yet.")
    }
    pub fn CAPTION() -> &'static str {
        tr("Sync state per device and log")
    }
    pub fn COL_DEVICE() -> &'static str {
        tr("Device")
    }
    pub fn COL_STREAM() -> &'static str {
        tr("Log")
    }
    pub fn COL_EPOCH() -> &'static str {
        tr("Epoch")
    }
    pub fn COL_NEXT() -> &'static str {
        tr("Next event ID")
    }
    pub fn COL_STORED() -> &'static str {
        tr("Stored")
    }
    pub fn COL_LAST_SYNC() -> &'static str {
        tr("Last sync")
    }
    pub fn COL_LAG() -> &'static str {
        tr("Lag")
    }
    pub fn COL_ERROR() -> &'static str {
        tr("Last error")
    }
    pub fn COL_RESET() -> &'static str {
        tr("Reset detected")
    }
    pub fn COL_ACTIONS() -> &'static str {
        tr("Sync")
    }
    pub fn NEVER() -> &'static str {
        tr("Never")
    }
    pub fn NONE() -> &'static str {
        tr("—")
    }
    pub fn SYNCING() -> &'static str {
        tr("Syncing now")
    }
    pub fn SYNC_ROW() -> &'static str {
        tr("Sync now")
    }
    pub fn DISMISS() -> &'static str {
        tr("Dismiss")
    }

    pub fn backend(name: &str) -> String {
        trf!("Archive database: {name}", name)
    }
    /// "4 logs of 2 devices · 12,345 records stored".
    pub fn summary(rows: usize, devices: usize, stored: u64) -> String {
        trf!(
            "{rows} logs of {devices} devices · {stored} records stored",
            rows,
            devices,
            stored = super::logs::thousands(usize::try_from(stored).unwrap_or(usize::MAX))
        )
    }
    pub fn stream_name(s: Stream) -> &'static str {
        match s {
            Stream::Tna => tr("T&A"),
            Stream::JobCode => tr("Job codes"),
        }
    }
    pub fn queued(device: u32) -> String {
        trf!("A sync of device {device} was queued.", device)
    }
    /// Accessible name of a row's button.
    pub fn sync_device(device: u32) -> String {
        trf!("Sync now: device {device}", device)
    }
    /// "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h".
    pub fn duration(secs: i64) -> String {
        let s = secs.max(0);
        match s {
            0..60 => trf!("{s} s", s),
            60..3_600 => trf!("{min} min {sec} s", min = s / 60, sec = s % 60),
            3_600..86_400 => trf!("{h} h {min} min", h = s / 3600, min = s % 3600 / 60),
            _ => trf!("{d} d {h} h", d = s / 86_400, h = s % 86_400 / 3600),
        }
    }
    /// "14:05:09 · 12 s ago".
    pub fn ago(local: &str, secs: i64) -> String {
        trf!("{local} · {duration} ago", local, duration = duration(secs))
    }
    pub fn error_at(local: &str) -> String {
        trf!("at {local}", local)
    }
    /// The warning of a row whose device renumbered its events.
    pub fn reset_at(local: &str) -> String {
        trf!(
            "⚠ {local}: event IDs started again; earlier records are kept",
            local
        )
    }
    /// The notice of an `archive.reset` push.
    pub fn reset_notice(device: u32, stream: Stream, epoch: u32) -> String {
        trf!(
            "Device {device}'s {stream} log started its event IDs again (factory reset or log wipe). The archive kept every record it had and now reads the device from the start as epoch {epoch}.",
            device,
            stream = stream_name(stream),
            epoch
        )
    }
}

/// The audit trail page (`/audit`, admin).
pub mod audit {
    use crate::i18n::tr;
    use crate::trf;

    pub use super::sync::NO_ARCHIVE;

    pub fn NAV() -> &'static str {
        tr("Audit")
    }
    pub fn TITLE() -> &'static str {
        tr("Audit trail")
    }
    pub fn INTRO() -> &'static str {
        tr(
            "Every change made through the relay: when, by whom, to which devices, the state before and after, and what came back. Newest first.",
        )
    }
    pub fn FILTERS() -> &'static str {
        tr("Filters")
    }
    pub fn FROM() -> &'static str {
        tr("From")
    }
    pub fn TO() -> &'static str {
        tr("To (inclusive)")
    }
    pub fn ACTOR() -> &'static str {
        tr("Who")
    }
    pub fn ACTOR_PLACEHOLDER() -> &'static str {
        tr("Any account")
    }
    pub fn METHOD() -> &'static str {
        tr("Change")
    }
    pub fn METHOD_ANY() -> &'static str {
        tr("Any change")
    }
    pub fn DEVICE() -> &'static str {
        tr("Device ID")
    }
    pub fn DEVICE_PLACEHOLDER() -> &'static str {
        tr("Any device")
    }
    pub fn APPLY() -> &'static str {
        tr("Show")
    }
    pub fn BAD_DEVICE() -> &'static str {
        tr("The device ID must be a positive number.")
    }
    pub fn BAD_DATE() -> &'static str {
        tr("Enter the days as dates.")
    }
    pub fn TO_BEFORE_FROM() -> &'static str {
        tr("The last day must not be before the first.")
    }
    pub fn LOADING() -> &'static str {
        tr("Reading the audit trail…")
    }
    pub fn LOAD_FAILED() -> &'static str {
        tr("The audit trail could not be read")
    }
    pub fn EMPTY() -> &'static str {
        tr("No change matches.")
    }
    pub fn MORE() -> &'static str {
        tr("Load more")
    }
    pub fn END() -> &'static str {
        tr("That is every matching change.")
    }
    pub fn CAPTION() -> &'static str {
        tr("Recorded changes, newest first")
    }
    pub fn COL_TIME() -> &'static str {
        tr("Time")
    }
    pub fn COL_ACTOR() -> &'static str {
        tr("Who")
    }
    pub fn COL_METHOD() -> &'static str {
        tr("Change")
    }
    pub fn COL_DEVICES() -> &'static str {
        tr("Devices")
    }
    pub fn COL_RESULT() -> &'static str {
        tr("Result")
    }
    pub fn COL_DETAILS() -> &'static str {
        tr("Details")
    }
    pub fn SHOW() -> &'static str {
        tr("Before, after, results")
    }
    /// The people a write was about (job codes name users).
    pub fn PEOPLE() -> &'static str {
        tr("People")
    }
    /// "and 12 more" below the people shown.
    pub fn people_more(more: usize) -> String {
        trf!("and {more} more", more)
    }
    pub fn BEFORE() -> &'static str {
        tr("Before")
    }
    pub fn AFTER() -> &'static str {
        tr("After")
    }
    pub fn RESULTS() -> &'static str {
        tr("Results")
    }
    pub fn NOT_RECORDED() -> &'static str {
        tr("Not recorded")
    }
    pub fn OK() -> &'static str {
        tr("OK")
    }
    pub fn NONE() -> &'static str {
        tr("—")
    }

    /// A method as people read it (the method name itself for ones not listed).
    pub fn method_name(m: &str) -> &str {
        match m {
            "devices.setInfo" => tr("Device name and location"),
            "tna.setConfig" => tr("T&A config (one device)"),
            "tna.setConfigMulti" => tr("T&A config (many devices)"),
            "jobCodes.set" => tr("Job codes (one device)"),
            "jobCodes.setMulti" => tr("Job codes (many devices)"),
            "system.setJobCodeUse" => tr("Job-code use on/off"),
            "time.sync" => tr("Clock sync"),
            "time.fixZones" => tr("Time zones fixed"),
            "timecards.setPolicy" => tr("Timecard policy"),
            "archive.sync" => tr("Archive sync"),
            "accounts.create" => tr("Account created"),
            "accounts.setRole" => tr("Account role"),
            "accounts.setPassword" => tr("Account password"),
            "accounts.delete" => tr("Account deleted"),
            "kiosk.pair" => tr("Kiosk paired"),
            "kiosk.revoke" => tr("Kiosk unpaired"),
            other => other,
        }
    }
    /// "3 ok / 1 failed".
    pub fn counts(ok: usize, failed: usize) -> String {
        trf!("{ok} ok / {failed} failed", ok, failed)
    }
    pub fn failed(message: &str) -> String {
        trf!("Failed: {message}", message)
    }
    /// " and 7 more" after the devices shown.
    pub fn devices_more(more: usize) -> String {
        trf!(" and {more} more", more)
    }
    /// "12 changes shown".
    pub fn shown(n: usize) -> String {
        if n == 1 {
            tr("1 change shown").to_string()
        } else {
            trf!("{n} changes shown", n)
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
    use crate::i18n::tr;
    use crate::trf;

    /// A site without a configured zone: its times are shown in UTC, and say so.
    pub fn NO_ZONE() -> &'static str {
        tr("UTC, no zone set")
    }
    /// The browser's zone when the browser does not name it.
    pub fn BROWSER() -> &'static str {
        tr("this browser's time zone")
    }
    /// The zone switch's label.
    pub fn VIEW_LABEL() -> &'static str {
        tr("Show times in")
    }
    /// The zone switch's choices.
    pub fn VIEW_SITE() -> &'static str {
        tr("Each site's time zone")
    }
    pub fn VIEW_BROWSER() -> &'static str {
        tr("My time zone")
    }
    pub fn VIEW_UTC() -> &'static str {
        tr("UTC")
    }
    /// The title of a punch's time: its zone, and the same instant in UTC.
    pub fn row_title(zone: &str, utc: &str) -> String {
        trf!("{zone} · {utc}", zone, utc)
    }
    /// A zone the relay names but this browser does not know: shown in UTC.
    pub fn unknown_zone(zone: &str) -> String {
        trf!("{zone} (unknown to this browser: shown in UTC)", zone)
    }
}

/// Roles in the UI.
pub mod roles {
    use crate::i18n::tr;
    use crate::trf;

    use tna_types::Role;

    pub fn NEEDS_TITLE() -> &'static str {
        tr("Not available for your role")
    }
    pub fn BACK() -> &'static str {
        tr("Back to the devices")
    }
    /// "This page needs the operator role; you are signed in as viewer."
    pub fn needs(needs: Role, have: Role) -> String {
        trf!(
            "This page needs the {needs} role; you are signed in as {have}. An admin can change your role.",
            needs = needs.name(),
            have = have.name()
        )
    }
    /// A write the relay refused for the role: "Your role (viewer) may not change T&A configurations."
    pub fn may_not(role: &str, what: &str) -> String {
        trf!("Your role ({role}) may not {what}.", role, what)
    }
}
