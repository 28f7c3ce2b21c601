//! Times as the console shows them: the one place that knows about time zones.
//!
//! Instants are Unix seconds (UTC), as the relay sends them. A punch is shown in the zone of the
//! site it happened at (`Device::zone`, an IANA name the relay is configured with), with the
//! offset in force at that instant — so daylight saving time is right — and the zone named. A
//! site without a zone is shown in UTC and says so. Where rows of several sites are mixed the
//! user may instead see every row in one zone: the browser's, or UTC ([`ZoneView`]).
//!
//! The offsets come from the browser's own time-zone database (`Intl.DateTimeFormat` with
//! `timeZone`), not from a database shipped in the WASM; the calendar arithmetic is
//! `tna_types::time`, shared with the relay and tested there.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Date, Function, Object, Reflect};
use leptos::prelude::*;
use tna_types::time;
use wasm_bindgen::{JsCast, JsValue};

use crate::strings::time as s;

/// Offsets are looked up per slot of this many seconds: every zone's changes fall on a quarter
/// hour, so one lookup serves a whole slot (the Logs page formats 100,000 rows with a few
/// thousand lookups).
const SLOT_SECONDS: i64 = 900;
/// Where the chosen [`ZoneView`] is remembered (per browser).
const VIEW_KEY: &str = "tna.zoneView";

/// In which zone mixed rows are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZoneView {
    /// Each row in the zone of its own site (the default).
    #[default]
    Site,
    /// Every row in the browser's zone.
    Browser,
    /// Every row in UTC.
    Utc,
}

impl ZoneView {
    /// Every choice, in the switch's order.
    pub const ALL: [ZoneView; 3] = [ZoneView::Site, ZoneView::Browser, ZoneView::Utc];

    /// The stable name (storage, `data-` attributes, option values).
    pub fn key(self) -> &'static str {
        match self {
            ZoneView::Site => "site",
            ZoneView::Browser => "browser",
            ZoneView::Utc => "utc",
        }
    }

    /// From [`Self::key`]; anything else is the default.
    pub fn parse(v: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|z| z.key() == v)
            .unwrap_or_default()
    }

    /// The zone a row of a site in `site_zone` is shown in.
    pub fn zone_for<'a>(self, site_zone: Option<&'a str>) -> Zone<'a> {
        match self {
            ZoneView::Site => site_zone.map_or(Zone::Utc, Zone::Named),
            ZoneView::Browser => Zone::Browser,
            ZoneView::Utc => Zone::Utc,
        }
    }
}

/// A zone to show a time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone<'a> {
    /// An IANA zone (`Europe/Berlin`).
    Named(&'a str),
    /// The browser's own zone.
    Browser,
    /// UTC.
    Utc,
}

thread_local! {
    static FORMATTERS: RefCell<HashMap<String, Option<Function>>> = RefCell::new(HashMap::new());
    static OFFSETS: RefCell<HashMap<(String, i64), i32>> = RefCell::new(HashMap::new());
}

/// A formatter that names the offset (`GMT+01:00`) of `zone` (`""`: the browser's); `None`
/// when the browser does not know the zone.
fn offset_formatter(zone: &str) -> Option<Function> {
    FORMATTERS.with(|cache| {
        cache
            .borrow_mut()
            .entry(zone.to_string())
            .or_insert_with(|| {
                let options = Object::new();
                let set = |k: &str, v: &JsValue| Reflect::set(&options, &k.into(), v).is_ok();
                let ok = set("timeZoneName", &"longOffset".into())
                    && (zone.is_empty() || set("timeZone", &zone.into()));
                if !ok {
                    return None;
                }
                let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
                let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
                    .ok()?
                    .dyn_into()
                    .ok()?;
                // An unknown zone throws a RangeError: caught here, never a panic.
                let args = Array::of2(&"en-US".into(), &options);
                let format = Reflect::construct(&ctor, &args).ok()?;
                let parts = Reflect::get(&format, &"formatToParts".into()).ok()?;
                let parts: Function = parts.dyn_into().ok()?;
                Some(parts.bind0(&format))
            })
            .clone()
    })
}

/// `GMT+01:00`, `GMT-03:30`, `GMT` → seconds east of UTC.
pub fn parse_gmt_offset(text: &str) -> Option<i32> {
    let rest = text
        .trim()
        .strip_prefix("GMT")
        .or_else(|| text.trim().strip_prefix("UTC"))?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, body) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => (-1, rest.strip_prefix('\u{2212}')?),
    };
    let mut parts = body.split(':');
    let h: i32 = parts.next()?.parse().ok()?;
    let m: i32 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    let sec: i32 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    (h <= 24 && m < 60 && sec < 60).then_some(sign * (h * 3600 + m * 60 + sec))
}

/// The offset of a named zone (or `""`, the browser's) at `at`, from the browser.
fn lookup(zone: &str, at: i64) -> Option<i32> {
    let format = offset_formatter(zone)?;
    let date = Date::new(&JsValue::from_f64(at as f64 * 1000.0));
    let parts: Array = format.call1(&JsValue::NULL, &date).ok()?.dyn_into().ok()?;
    parts.iter().find_map(|p| {
        let kind = Reflect::get(&p, &"type".into()).ok()?.as_string()?;
        (kind == "timeZoneName")
            .then(|| Reflect::get(&p, &"value".into()).ok()?.as_string())
            .flatten()
            .and_then(|v| parse_gmt_offset(&v))
    })
}

/// Seconds east of UTC in `zone` at instant `at`, DST included. A zone the browser does not
/// know counts as UTC (its label then says so: [`zone_label`]).
pub fn offset_at(zone: Zone<'_>, at: i64) -> i32 {
    let name = match zone {
        Zone::Utc => return 0,
        Zone::Browser => "",
        Zone::Named(n) => n,
    };
    let slot = at.div_euclid(SLOT_SECONDS);
    let key = (name.to_string(), slot);
    if let Some(o) = OFFSETS.with(|c| c.borrow().get(&key).copied()) {
        return o;
    }
    let offset = lookup(name, slot * SLOT_SECONDS).unwrap_or(0);
    OFFSETS.with(|c| c.borrow_mut().insert(key, offset));
    offset
}

/// A calendar day (days since 1970) as the language in use writes it, with its weekday: "Sun, 6
/// Dec 2026", "2026년 12월 6일 (일)" (`Intl.DateTimeFormat`; ISO `2026-12-06` where it fails).
pub fn day_text(day: i64) -> String {
    let intl_text = || -> Option<String> {
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let options = js_sys::Object::new();
        for (k, v) in [
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
            // The day is given as its UTC midnight: formatted in UTC it stays that day.
            ("timeZone", "UTC"),
        ] {
            Reflect::set(&options, &k.into(), &v.into()).ok()?;
        }
        let args = Array::of2(&crate::i18n::lang().tag().into(), &options);
        let format = Reflect::construct(&ctor, &args).ok()?;
        let f: Function = Reflect::get(&format, &"format".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let date =
            js_sys::Date::new(&((day * tna_types::time::SECONDS_PER_DAY) as f64 * 1000.0).into());
        f.call1(&format, &date).ok()?.as_string()
    };
    intl_text().unwrap_or_else(|| {
        let (y, m, d) = tna_types::time::civil_from_days(day);
        format!("{y:04}-{m:02}-{d:02}")
    })
}

/// Whether the browser knows `zone`.
pub fn known_zone(zone: &str) -> bool {
    offset_formatter(zone).is_some()
}

/// The browser's zone name (`Europe/Berlin`), where it says.
pub fn browser_zone_name() -> Option<String> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let plain = Reflect::construct(&ctor, &Array::new()).ok()?;
    let resolved: Function = Reflect::get(&plain, &"resolvedOptions".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = resolved.call0(&plain).ok()?;
    Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
}

/// The name a zone is shown with: `Europe/Berlin`, the browser's own name, `UTC`, or
/// "UTC, no zone set" for a site without one.
pub fn zone_label(view: ZoneView, site_zone: Option<&str>) -> String {
    match view.zone_for(site_zone) {
        Zone::Named(n) if known_zone(n) => n.to_string(),
        Zone::Named(n) => s::unknown_zone(n),
        Zone::Browser => browser_zone_name().unwrap_or_else(|| s::BROWSER().to_string()),
        Zone::Utc if view == ZoneView::Site => s::NO_ZONE().to_string(),
        Zone::Utc => "UTC".to_string(),
    }
}

/// An instant as shown in a zone: `2026-03-29 03:10:00` and its offset at that instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// `YYYY-MM-DD HH:MM:SS`.
    pub text: String,
    /// `HH:MM`.
    pub hm: String,
    /// Seconds east of UTC at that instant.
    pub offset: i32,
}

impl Shown {
    /// `UTC+02:00`.
    pub fn offset_text(&self) -> String {
        format!("UTC{}", time::format_offset(self.offset))
    }
}

/// `at` shown in `zone`.
pub fn show(at: i64, zone: Zone<'_>) -> Shown {
    let offset = offset_at(zone, at);
    Shown {
        text: time::format_at(at, offset, ' '),
        hm: time::format_hm(at, offset),
        offset,
    }
}

/// The offsets of log rows under a [`ZoneView`]: each row in its site's zone, or all in one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowOffsets(pub ZoneView);

impl crate::logs::Offsets for RowOffsets {
    fn offset(&self, meta: Option<&crate::logs::DeviceMeta>, at: u32) -> i32 {
        offset_at(self.0.zone_for(site_zone(meta)), i64::from(at))
    }
}

/// The site zone of a device's metadata.
pub fn site_zone(meta: Option<&crate::logs::DeviceMeta>) -> Option<&str> {
    meta.and_then(|m| m.zone.as_deref())
}

/// The [`ZoneView`] chosen in this browser, shared by the pages that mix sites.
#[derive(Clone, Copy)]
pub struct ZoneViewChoice(pub RwSignal<ZoneView>);

/// Provides the remembered [`ZoneView`] (the app root calls it once).
pub fn provide_zone_view() {
    let stored = crate::stored::get(VIEW_KEY)
        .map(|v| ZoneView::parse(&v))
        .unwrap_or_default();
    let view = RwSignal::new(stored);
    Effect::new(move |_| crate::stored::set(VIEW_KEY, view.get().key()));
    provide_context(ZoneViewChoice(view));
}

/// The chosen [`ZoneView`] (site zones where nothing was provided, e.g. component tests).
pub fn use_zone_view() -> RwSignal<ZoneView> {
    use_context::<ZoneViewChoice>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(ZoneView::Site))
}

/// Unix seconds now, by the browser's clock.
pub fn now_secs() -> i64 {
    (Date::now() / 1000.0) as i64
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC±HH:MM` in the browser's zone (relay events: a sync,
/// an audit entry), with the offset so the reader knows which zone.
pub fn browser_time(at: i64) -> String {
    let shown = show(at, Zone::Browser);
    format!("{} {}", shown.text, shown.offset_text())
}

/// `HH:MM:SS` of Unix seconds in the browser's zone (when a device's status changed, a moment
/// ago).
pub fn clock_time(at: u32) -> String {
    let shown = show(i64::from(at), Zone::Browser);
    shown.text.get(11..).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmt_offsets_parse() {
        assert_eq!(parse_gmt_offset("GMT"), Some(0));
        assert_eq!(parse_gmt_offset("GMT+01:00"), Some(3600));
        assert_eq!(parse_gmt_offset("GMT-03:30"), Some(-12_600));
        assert_eq!(parse_gmt_offset("GMT+05:45"), Some(20_700));
        assert_eq!(parse_gmt_offset("GMT+10:30"), Some(37_800));
        assert_eq!(parse_gmt_offset("GMT\u{2212}04:00"), Some(-14_400));
        assert_eq!(parse_gmt_offset("GMT+9"), Some(32_400));
        assert_eq!(parse_gmt_offset("CET"), None);
        assert_eq!(parse_gmt_offset("GMT+01:75"), None);
    }

    #[test]
    fn zone_views_round_trip() {
        for v in ZoneView::ALL {
            assert_eq!(ZoneView::parse(v.key()), v);
        }
        assert_eq!(ZoneView::parse("nonsense"), ZoneView::Site);
        assert_eq!(
            ZoneView::Site.zone_for(Some("Europe/Berlin")),
            Zone::Named("Europe/Berlin")
        );
        assert_eq!(ZoneView::Site.zone_for(None), Zone::Utc);
        assert_eq!(ZoneView::Utc.zone_for(Some("Europe/Berlin")), Zone::Utc);
        assert_eq!(ZoneView::Browser.zone_for(None), Zone::Browser);
    }
}
