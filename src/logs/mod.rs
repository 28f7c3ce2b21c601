//! The pure side of the log views (no DOM, unit-tested natively): one [`LogRow`] type for T&A and
//! job-code records, event names, times in a device's time zone, filters and sorting, the CSV
//! rows, and the window of a virtualised table.
//!
//! A row's local time is its instant at the offset in force then in its site's zone. Which
//! offset that is comes from an [`Offsets`]: in the browser `crate::time` asks `Intl` (and may
//! show every row in one zone instead); tests give fixed rules.

pub mod archive;
pub mod event_names;
pub mod kiosk;
pub mod live;

use std::collections::HashMap;

use tna_types::time;
use tna_types::{JobCodeLog, TnaLog};

/// One loaded record, T&A or job code. `(device_id, id)` identifies it. (Serde: the kiosk keeps
/// its last board in the browser, [`kiosk::Saved`].)
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogRow {
    /// The device.
    pub device_id: u32,
    /// The per-device record ID.
    pub id: u32,
    /// Unix seconds, UTC.
    pub timestamp: u32,
    /// The user ID (may be empty).
    pub user_id: String,
    /// 16-bit event code.
    pub event_code: u32,
    /// 8-bit sub code.
    pub sub_code: u32,
    /// The T&A key number 1..=16, if any.
    pub key: Option<u8>,
    /// The job code (job-code logs only).
    pub job_code: Option<u32>,
}

impl From<TnaLog> for LogRow {
    fn from(l: TnaLog) -> Self {
        LogRow {
            device_id: l.device_id,
            id: l.id,
            timestamp: l.timestamp,
            user_id: l.user_id,
            event_code: l.event_code,
            sub_code: l.sub_code,
            key: l.tna_key.map(|k| k.number()),
            job_code: None,
        }
    }
}

impl From<JobCodeLog> for LogRow {
    fn from(l: JobCodeLog) -> Self {
        LogRow {
            device_id: l.device_id,
            id: l.id,
            timestamp: l.timestamp,
            user_id: l.user_id,
            event_code: l.event_code,
            sub_code: l.sub_code,
            key: None,
            job_code: Some(l.job_code),
        }
    }
}

/// What the views know about a device: its site's time zone, its T&A key labels and its users'
/// job-code labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceMeta {
    /// The IANA zone of the device's site (`Device::zone`); `None` when the site has none or
    /// before the device list was read (times are then shown in UTC, and say so).
    pub zone: Option<String>,
    /// Whether the device list has been read, so `zone` is known (a query for a range of days
    /// covers every zone on Earth until then).
    pub listed: bool,
    /// The 16 key labels from the device's T&A config (`None` until read).
    pub labels: Option<Vec<String>>,
    /// Job-code labels by (user ID, code), read from the device's users (`None` until asked
    /// for; empty while on its way or when the read failed).
    pub job_labels: Option<HashMap<(String, u32), String>>,
}

impl DeviceMeta {
    /// The label of `key` on this device: `labels[key-1]`, or `KEY_n` when empty or unknown.
    pub fn key_label(&self, key: u8) -> String {
        self.labels
            .as_ref()
            .and_then(|l| l.get(usize::from(key).wrapping_sub(1)))
            .filter(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("KEY_{key}"))
    }

    /// The label `user` gave `code` on this device, if known and not empty. Job codes are
    /// per user: the same code can mean different work for two users.
    pub fn job_label(&self, user: &str, code: u32) -> Option<&str> {
        self.job_labels
            .as_ref()?
            .get(&(user.to_string(), code))
            .map(String::as_str)
            .filter(|l| !l.is_empty())
    }

    /// Fills [`Self::job_labels`] from the device's users.
    pub fn set_job_labels(&mut self, users: &[tna_types::UserJobCodes]) {
        let map = self.job_labels.get_or_insert_with(HashMap::new);
        for u in users {
            for j in &u.job_codes {
                map.insert((u.user_id.clone(), j.code), j.label.clone());
            }
        }
    }
}

/// A job code as the table shows it: `301 · Assembly`, or `301` without a known label.
pub fn job_text(row: &LogRow, meta: Option<&DeviceMeta>) -> Option<String> {
    let code = row.job_code?;
    Some(match meta.and_then(|m| m.job_label(&row.user_id, code)) {
        Some(label) => format!("{code} · {label}"),
        None => code.to_string(),
    })
}

/// The devices' metadata by ID.
pub type MetaMap = HashMap<u32, DeviceMeta>;

/// The offset (seconds east of UTC) a device's row is shown at, at an instant.
pub trait Offsets {
    /// The offset for a row of the device described by `meta` (unknown device: `None`) at `at`.
    fn offset(&self, meta: Option<&DeviceMeta>, at: u32) -> i32;
}

impl<F: Fn(Option<&DeviceMeta>, u32) -> i32> Offsets for F {
    fn offset(&self, meta: Option<&DeviceMeta>, at: u32) -> i32 {
        self(meta, at)
    }
}

/// Every row in UTC.
pub fn utc(_: Option<&DeviceMeta>, _: u32) -> i32 {
    0
}

/// The name of an event in the console's language: "1:N authentication success (card + PIN)",
/// or "Event 0x1234/5" for codes the console has no name for.
pub fn event_name(code: u32, sub: u32) -> String {
    let main = event_names::MAIN
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| crate::i18n::tr(n));
    let detail = event_names::SUB
        .iter()
        .find(|(c, s, _)| *c == code && *s == sub)
        .map(|(_, _, n)| how_name(n));
    match (main, detail) {
        (Some(m), Some(d)) => format!("{m} ({d})"),
        (Some(m), None) => m.to_string(),
        _ => crate::strings::logs::unknown_event(code, sub),
    }
}

/// How a user authenticated, in the console's language: each part of "card + finger + PIN".
fn how_name(name: &'static str) -> String {
    name.split(" + ")
        .map(crate::i18n::tr)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The texts of the event names the catalog must hold: each main name and each part of a
/// "how" name.
pub fn event_name_texts() -> Vec<&'static str> {
    let mut texts: Vec<&'static str> = event_names::MAIN.iter().map(|(_, n)| *n).collect();
    for (_, _, n) in event_names::SUB {
        texts.extend(n.split(" + "));
    }
    crate::order::sort_unique(&mut texts);
    texts
}

// The calendar is `tna_types::time` (the one copy, tested there); these are the log views'
// names for it, times being u32 Unix seconds and zones a fixed offset in seconds.
pub use tna_types::time::{civil_from_days, days_from_civil, format_date, format_offset};

/// The local day number (days since 1970-01-01) of `ts` at offset `tz`.
pub fn local_day(ts: u32, tz: i32) -> i64 {
    time::local_day(i64::from(ts), tz)
}

/// Parses `YYYY-MM-DD` (what `<input type=date>` gives; spaces around are ignored) into a day
/// number; `None` for anything else, including dates that do not exist.
pub fn parse_date(s: &str) -> Option<i64> {
    time::parse_date(s.trim())
}

/// The local time shown in the table: `2026-11-24 08:30:15`.
pub fn format_local(ts: u32, tz: i32) -> String {
    time::format_at(i64::from(ts), tz, ' ')
}

/// The local time of day without seconds: `08:30` (the kiosk's punches, the timecards' times).
pub fn format_hm(ts: u32, tz: i32) -> String {
    time::format_hm(i64::from(ts), tz)
}

/// The hover text: `2026-11-23 23:30:15 UTC`.
pub fn format_utc(ts: u32) -> String {
    format!("{} UTC", time::format_at(i64::from(ts), 0, ' '))
}

/// ISO 8601 with the offset, for the CSV: `2026-11-24T08:30:15+09:00`.
pub fn iso_local(ts: u32, tz: i32) -> String {
    format!(
        "{}{}",
        time::format_at(i64::from(ts), tz, 'T'),
        format_offset(tz)
    )
}

/// ISO 8601 in UTC, for the CSV: `2026-11-23T23:30:15Z`.
pub fn iso_utc(ts: u32) -> String {
    format!("{}Z", time::format_at(i64::from(ts), 0, 'T'))
}

/// Which key a filter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyFilter {
    /// Any key or none.
    #[default]
    Any,
    /// Only records without a key.
    NoKey,
    /// Only this key (1..=16).
    Key(u8),
}

impl KeyFilter {
    /// From the select's value: `""` any, `"none"`, `"1"`..`"16"`.
    pub fn parse(v: &str) -> KeyFilter {
        match v {
            "none" => KeyFilter::NoKey,
            n => n
                .parse::<u8>()
                .ok()
                .filter(|k| (1..=16).contains(k))
                .map_or(KeyFilter::Any, KeyFilter::Key),
        }
    }
}

/// The filters of the log table. Dates are days in each device's own time zone (a record from a
/// device at UTC+9 dated 24 Nov there belongs to 24 Nov whatever the viewer's zone).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// First day shown (inclusive).
    pub from_day: Option<i64>,
    /// Last day shown (inclusive).
    pub to_day: Option<i64>,
    /// A user ID, or a part of a name; empty = every user.
    pub user: String,
    /// The users whose names match [`Self::user`] (from the relay's directory, `users.list`);
    /// `None` until known: then only the exact ID matches.
    pub user_ids: Option<Vec<String>>,
    /// Key filter.
    pub key: KeyFilter,
    /// Event code; `None` = every event.
    pub event_code: Option<u32>,
}

impl Filter {
    /// Whether `row` passes, with its device's metadata; its day is the local date at the offset
    /// `offsets` gives for it.
    pub fn accepts(&self, row: &LogRow, meta: Option<&DeviceMeta>, offsets: &impl Offsets) -> bool {
        if self.from_day.is_some() || self.to_day.is_some() {
            let tz = offsets.offset(meta, row.timestamp);
            let day = local_day(row.timestamp, tz);
            if self.from_day.is_some_and(|f| day < f) || self.to_day.is_some_and(|t| day > t) {
                return false;
            }
        }
        let user = self.user.trim();
        if !user.is_empty()
            && row.user_id != user
            && !self
                .user_ids
                .as_ref()
                .is_some_and(|ids| ids.contains(&row.user_id))
        {
            return false;
        }
        match self.key {
            KeyFilter::Any => {}
            KeyFilter::NoKey if row.key.is_some() => return false,
            KeyFilter::Key(k) if row.key != Some(k) => return false,
            _ => {}
        }
        self.event_code.is_none_or(|c| c == row.event_code)
    }
}

/// Indices of the rows that pass `filter`, ordered by time (then device, then ID), newest first
/// when `newest_first`.
pub fn select(
    rows: &[LogRow],
    meta: &MetaMap,
    filter: &Filter,
    newest_first: bool,
    offsets: &impl Offsets,
) -> Vec<u32> {
    let mut idx: Vec<u32> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| filter.accepts(r, meta.get(&r.device_id), offsets))
        .map(|(i, _)| i as u32)
        .collect();
    let key = |i: &u32| {
        let r = &rows[*i as usize];
        (r.timestamp, r.device_id, r.id)
    };
    // The standard sort, not `crate::order`: this one orders up to 100k rows as the user
    // waits, where an indirect call per comparison would show.
    idx.sort_unstable_by_key(key);
    if newest_first {
        idx.reverse();
    }
    idx
}

/// The CSV header (same columns as the table, plus raw codes and UTC). `local_time` carries its
/// offset (`2026-03-29T03:10:00+02:00`), `time_zone` the zone it is in.
pub const CSV_HEADER: &[&str] = &[
    "local_time",
    "utc_time",
    "time_zone",
    "device_id",
    "event_id",
    "user_id",
    "user_name",
    "event",
    "event_code",
    "sub_code",
    "tna_key",
    "key_label",
    "job_code",
    "job_label",
];

/// Characters that make a spreadsheet read a cell as a formula. Key labels and user IDs come from
/// devices, where anyone at the terminal menu can type them, so an exported cell must never run.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Appends `field` to `out`, quoted when it holds a comma, quote, CR or LF, or starts or ends with
/// a space (RFC 4180: quotes doubled inside). A field that a spreadsheet would take for a formula
/// gets a leading `'` (the usual CSV-injection guard), so it shows as the text it is.
pub fn push_csv_field(out: &mut String, field: &str) {
    let guarded;
    let field = if field.starts_with(FORMULA_STARTS) {
        guarded = format!("'{field}");
        guarded.as_str()
    } else {
        field
    };
    let needs =
        field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ');
    if needs {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Appends one CSV line (CRLF-terminated) of `fields`.
pub fn push_csv_line<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_csv_field(out, f.as_ref());
    }
    out.push_str("\r\n");
}

/// Appends the CSV line of `row`, its local time at the offset `offsets` gives and `zone` named;
/// `user_name` is the directory's name of its user (empty when it has none).
pub fn push_csv_row(
    out: &mut String,
    row: &LogRow,
    meta: Option<&DeviceMeta>,
    offsets: &impl Offsets,
    zone: &str,
    user_name: &str,
) {
    let tz = offsets.offset(meta, row.timestamp);
    let label = match (row.key, meta) {
        (Some(k), Some(m)) => m.key_label(k),
        (Some(k), None) => format!("KEY_{k}"),
        (None, _) => String::new(),
    };
    let fields = [
        iso_local(row.timestamp, tz),
        iso_utc(row.timestamp),
        zone.to_string(),
        row.device_id.to_string(),
        row.id.to_string(),
        row.user_id.clone(),
        user_name.to_string(),
        event_name(row.event_code, row.sub_code),
        row.event_code.to_string(),
        row.sub_code.to_string(),
        row.key.map(|k| k.to_string()).unwrap_or_default(),
        label,
        row.job_code.map(|j| j.to_string()).unwrap_or_default(),
        row.job_code
            .and_then(|j| meta.and_then(|m| m.job_label(&row.user_id, j)))
            .unwrap_or_default()
            .to_string(),
    ];
    push_csv_line(out, &fields);
}

/// The rows of a virtualised list to put in the DOM: `[first, end)` for a viewport of
/// `viewport_px` scrolled to `scroll_px`, with `overscan` extra rows on each side.
pub fn window(
    total: usize,
    row_px: f64,
    scroll_px: f64,
    viewport_px: f64,
    overscan: usize,
) -> (usize, usize) {
    if total == 0 || row_px <= 0.0 {
        return (0, 0);
    }
    let first_visible = (scroll_px.max(0.0) / row_px).floor() as usize;
    let visible = (viewport_px.max(0.0) / row_px).ceil() as usize + 1;
    let first = first_visible.saturating_sub(overscan).min(total);
    let end = first_visible
        .saturating_add(visible)
        .saturating_add(overscan)
        .min(total);
    (first, end.max(first))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = tna_types::time::SECONDS_PER_DAY;

    fn row(device_id: u32, id: u32, timestamp: u32, user: &str, key: Option<u8>) -> LogRow {
        LogRow {
            device_id,
            id,
            timestamp,
            user_id: user.into(),
            event_code: 0x1300,
            sub_code: 4,
            key,
            job_code: None,
        }
    }

    /// The calendar itself is tested in `tna_types::time`; this checks what the views add.
    #[test]
    fn dates_from_the_date_input() {
        assert_eq!(
            parse_date(" 2024-02-29 "),
            Some(days_from_civil(2024, 2, 29))
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(format_date(days_from_civil(2026, 11, 4)), "2026-11-04");
    }

    #[test]
    fn times_in_the_device_zone() {
        // 2024-11-23 23:30:15 UTC.
        let ts = 1_732_404_615;
        assert_eq!(format_utc(ts), "2024-11-23 23:30:15 UTC");
        assert_eq!(format_local(ts, 9 * 3600), "2024-11-24 08:30:15");
        assert_eq!(iso_local(ts, -12_600), "2024-11-23T20:00:15-03:30");
        assert_eq!(iso_utc(ts), "2024-11-23T23:30:15Z");
        assert_eq!(local_day(ts, 9 * 3600), days_from_civil(2024, 11, 24));
        assert_eq!(local_day(ts, 0), days_from_civil(2024, 11, 23));
        assert_eq!(format_offset(0), "+00:00");
        assert_eq!(format_offset(-330 * 60), "-05:30");
        assert_eq!(format_hm(ts, 9 * 3600), "08:30");
        assert_eq!(format_hm(ts, 0), "23:30");
        assert_eq!(format_hm(ts, -24 * 3600), "23:30");
        assert_eq!(format_hm(ts, 9 * 3600), format_local(ts, 9 * 3600)[11..16]);
    }

    #[test]
    fn event_names_and_key_labels() {
        assert_eq!(
            event_name(0x1300, 4),
            "1:N authentication success (face + PIN)"
        );
        assert_eq!(event_name(0x1000, 0), "1:1 authentication success");
        assert_eq!(event_name(0x9999, 1), "Event 0x9999/1");
        let mut labels = vec![String::new(); 16];
        labels[0] = "Check in".into();
        let meta = DeviceMeta {
            zone: None,
            listed: true,
            labels: Some(labels),
            job_labels: None,
        };
        assert_eq!(meta.key_label(1), "Check in");
        assert_eq!(meta.key_label(2), "KEY_2");
        assert_eq!(DeviceMeta::default().key_label(16), "KEY_16");
        assert_eq!(meta.key_label(0), "KEY_0", "out of range never panics");
    }

    #[test]
    fn filters_and_sort() {
        let day = days_from_civil(2024, 11, 24);
        let at = |h: i64| (day * DAY + h * 3600) as u32;
        let rows = vec![
            row(1, 1, at(1), "7", Some(1)),
            row(1, 2, at(30), "8", None),
            row(2, 1, at(2), "7", Some(2)),
            row(2, 2, at(-5), "7", Some(1)),
        ];
        let mut meta = MetaMap::new();
        meta.insert(
            2,
            DeviceMeta {
                zone: Some("America/Sao_Paulo".into()),
                listed: true,
                labels: None,
                job_labels: None,
            },
        );
        // The site's zone as a fixed rule here (the browser asks Intl): UTC−3.
        let zones = |m: Option<&DeviceMeta>, _: u32| match m.and_then(|m| m.zone.as_deref()) {
            Some("America/Sao_Paulo") => -3 * 3600,
            _ => 0,
        };
        let select = |rows: &[LogRow], meta: &MetaMap, f: &Filter, newest: bool| {
            select(rows, meta, f, newest, &zones)
        };
        let all = select(&rows, &meta, &Filter::default(), false);
        assert_eq!(all, vec![3, 0, 2, 1], "oldest first");
        assert_eq!(
            select(&rows, &meta, &Filter::default(), true),
            vec![1, 2, 0, 3]
        );
        let one_day = Filter {
            from_day: Some(day),
            to_day: Some(day),
            ..Default::default()
        };
        // Device 2 is at UTC-3: its 02:00 UTC record is on the previous local day.
        assert_eq!(select(&rows, &meta, &one_day, false), vec![0]);
        let user = Filter {
            user: " 7 ".into(),
            ..Default::default()
        };
        assert_eq!(select(&rows, &meta, &user, false), vec![3, 0, 2]);
        // A part of a name: the users the directory found for it, and the exact ID too.
        let by_name = Filter {
            user: "kim".into(),
            user_ids: Some(vec!["7".into()]),
            ..Default::default()
        };
        assert_eq!(select(&rows, &meta, &by_name, false), vec![3, 0, 2]);
        let nobody = Filter {
            user: "nobody".into(),
            user_ids: Some(Vec::new()),
            ..Default::default()
        };
        assert!(select(&rows, &meta, &nobody, false).is_empty());
        let key = Filter {
            key: KeyFilter::parse("1"),
            ..Default::default()
        };
        assert_eq!(select(&rows, &meta, &key, false), vec![3, 0]);
        let none = Filter {
            key: KeyFilter::parse("none"),
            ..Default::default()
        };
        assert_eq!(select(&rows, &meta, &none, false), vec![1]);
        assert_eq!(KeyFilter::parse("17"), KeyFilter::Any);
        let ev = Filter {
            event_code: Some(0x1000),
            ..Default::default()
        };
        assert!(select(&rows, &meta, &ev, false).is_empty());
    }

    #[test]
    fn csv_quoting() {
        let mut s = String::new();
        push_csv_line(
            &mut s,
            &["a", "b,c", "say \"hi\"", "two\nlines", " pad", "출근"],
        );
        assert_eq!(
            s,
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",출근\r\n"
        );
        let mut guarded = String::new();
        push_csv_line(
            &mut guarded,
            &["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "a=b"],
        );
        assert_eq!(
            guarded,
            "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),a=b\r\n"
        );
        let mut line = String::new();
        let mut labels = vec![String::new(); 16];
        labels[1] = "Out, late".into();
        let meta = DeviceMeta {
            zone: Some("Europe/Berlin".into()),
            listed: true,
            labels: Some(labels),
            job_labels: None,
        };
        // Summer time in Berlin in July: the offset in force at that instant, not the zone's
        // standard one.
        let july = 1_783_000_000; // 2026-07-02 13:46:40 UTC
        let berlin = |_: Option<&DeviceMeta>, at: u32| if at == july { 7200 } else { 3600 };
        push_csv_row(
            &mut line,
            &row(5, 9, july, "u1", Some(2)),
            Some(&meta),
            &berlin,
            "Europe/Berlin",
            "Kim, Minjun",
        );
        assert_eq!(
            line,
            "2026-07-02T15:46:40+02:00,2026-07-02T13:46:40Z,Europe/Berlin,5,9,u1,\"Kim, Minjun\",1:N authentication success (face + PIN),4864,4,2,\"Out, late\",,\r\n"
        );
    }

    #[test]
    fn job_code_labels_are_per_user() {
        let mut meta = DeviceMeta::default();
        let job = |user: &str, code: u32| LogRow {
            job_code: Some(code),
            ..row(5, 1, 0, user, None)
        };
        // Asked for but not read yet: the code alone.
        assert_eq!(
            job_text(&job("u1", 301), Some(&meta)).as_deref(),
            Some("301")
        );
        meta.set_job_labels(&[
            tna_types::UserJobCodes {
                user_id: "u1".into(),
                job_codes: vec![
                    tna_types::JobCode {
                        code: 301,
                        label: "Assembly".into(),
                    },
                    tna_types::JobCode {
                        code: 302,
                        label: String::new(),
                    },
                ],
            },
            tna_types::UserJobCodes {
                user_id: "u2".into(),
                job_codes: vec![tna_types::JobCode {
                    code: 301,
                    label: "출장, 외근".into(),
                }],
            },
        ]);
        assert_eq!(
            job_text(&job("u1", 301), Some(&meta)).as_deref(),
            Some("301 · Assembly")
        );
        assert_eq!(
            job_text(&job("u2", 301), Some(&meta)).as_deref(),
            Some("301 · 출장, 외근")
        );
        // An empty label, an unknown code or user, no metadata: the code alone.
        assert_eq!(
            job_text(&job("u1", 302), Some(&meta)).as_deref(),
            Some("302")
        );
        assert_eq!(
            job_text(&job("u3", 301), Some(&meta)).as_deref(),
            Some("301")
        );
        assert_eq!(job_text(&job("u1", 301), None).as_deref(), Some("301"));
        assert_eq!(job_text(&row(5, 1, 0, "u1", Some(1)), Some(&meta)), None);
        let mut line = String::new();
        push_csv_row(&mut line, &job("u2", 301), Some(&meta), &utc, "UTC", "");
        assert!(line.ends_with(",,301,\"출장, 외근\"\r\n"), "{line}");
    }

    #[test]
    fn virtual_window() {
        assert_eq!(window(0, 32.0, 0.0, 600.0, 5), (0, 0));
        assert_eq!(window(100_000, 32.0, 0.0, 640.0, 5), (0, 26));
        assert_eq!(window(100_000, 32.0, 32_000.0, 640.0, 5), (995, 1026));
        assert_eq!(window(10, 32.0, 10_000.0, 640.0, 5), (10, 10));
        assert_eq!(window(100, 32.0, 3_000.0, 640.0, 5), (88, 100));
    }
}
