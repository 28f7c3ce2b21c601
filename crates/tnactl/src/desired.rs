//! The desired-state file (TOML, documented in `docs/tnactl.md`): sections that select devices
//! and say what they should hold. Parsed strictly (unknown keys are errors) and checked as a
//! whole before anything is read from or written to a device; every error names the file, the
//! line and the key.
//!
//! Later sections override earlier ones, field by field, for the devices both select
//! ([`resolve`]); a field no section names is left as the device holds it.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use serde_spanned::Spanned;
use tna_types::limits::MAX_TNA_KEYS;
use tna_types::{Device, JobCode, TnaMode, UserJobCodes, validate_user_job_codes};

/// The file's format version.
pub const VERSION: u32 = 1;

/// An error in a desired-state file: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {key}: {message}")]
pub struct FileError {
    /// The file as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The key (dotted path) the error is about.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Option<Spanned<u32>>,
    #[serde(default)]
    section: Vec<Spanned<RawSection>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    /// For people reading the file; not used otherwise.
    #[serde(rename = "title")]
    _title: Option<String>,
    select: Spanned<RawSelect>,
    tna: Option<Spanned<RawTna>>,
    use_job_code: Option<bool>,
    #[serde(default)]
    job_codes: Vec<Spanned<RawUserCodes>>,
    fix_zones: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelect {
    #[serde(default)]
    all: bool,
    site: Option<OneOrMany<String>>,
    #[serde(rename = "type")]
    device_type: Option<OneOrMany<String>>,
    ids: Option<Vec<u32>>,
    name: Option<Spanned<String>>,
    tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(v) => vec![v],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTna {
    mode: Option<Spanned<String>>,
    fixed_key: Option<Spanned<i64>>,
    required: Option<bool>,
    #[serde(default)]
    keys: BTreeMap<Spanned<String>, Spanned<RawKey>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    label: Option<Spanned<String>>,
    schedule: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUserCodes {
    user: String,
    codes: Vec<RawCode>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    code: u32,
    label: String,
}

/// Which devices a section is about: every criterion given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Every device (`all = true`).
    pub all: bool,
    /// One of these sites.
    pub sites: Vec<String>,
    /// One of these device types.
    pub types: Vec<String>,
    /// One of these IDs.
    pub ids: Vec<u32>,
    /// The device's name matches this glob pattern (`*`, `?`, `[a-z]`).
    pub name: Option<glob::Pattern>,
    /// The device carries every one of these tags.
    pub tags: Vec<String>,
}

impl Selector {
    /// Whether `device` is selected.
    pub fn matches(&self, device: &Device) -> bool {
        if !self.sites.is_empty()
            && !device
                .site
                .as_ref()
                .is_some_and(|s| self.sites.iter().any(|w| w == s))
        {
            return false;
        }
        if !self.types.is_empty() && !self.types.contains(&device.device_type) {
            return false;
        }
        if !self.ids.is_empty() && !self.ids.contains(&device.device_id) {
            return false;
        }
        if let Some(p) = &self.name
            && !device.name.as_deref().is_some_and(|n| p.matches(n))
        {
            return false;
        }
        if !self.tags.iter().all(|t| device.tags.contains(t)) {
            return false;
        }
        true
    }
}

/// One key's desired label and schedule (by name; `""` = no schedule), each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySpec {
    /// The label.
    pub label: Option<String>,
    /// The schedule's name on the device; `""` for none.
    pub schedule: Option<String>,
}

/// The T&A config a section asks for; `None` fields are not managed by it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TnaSpec {
    /// The mode.
    pub mode: Option<TnaMode>,
    /// The fixed key (`Some(None)`: no fixed key, written as `fixed_key = 0`).
    pub fixed_key: Option<Option<u8>>,
    /// "T&A required".
    pub required: Option<bool>,
    /// Per key (index 0 = KEY_1).
    pub keys: [KeySpec; MAX_TNA_KEYS],
}

impl TnaSpec {
    /// `later` over `self`, field by field.
    fn overlay(&mut self, later: &TnaSpec) {
        if later.mode.is_some() {
            self.mode = later.mode;
        }
        if later.fixed_key.is_some() {
            self.fixed_key = later.fixed_key;
        }
        if later.required.is_some() {
            self.required = later.required;
        }
        for (mine, theirs) in self.keys.iter_mut().zip(&later.keys) {
            if theirs.label.is_some() {
                mine.label.clone_from(&theirs.label);
            }
            if theirs.schedule.is_some() {
                mine.schedule.clone_from(&theirs.schedule);
            }
        }
    }
}

/// One checked section.
#[derive(Debug, Clone)]
pub struct Section {
    /// Which devices.
    pub select: Selector,
    /// T&A config.
    pub tna: Option<TnaSpec>,
    /// `useJobCode`.
    pub use_job_code: Option<bool>,
    /// Job codes per user (each listed user's whole list).
    pub job_codes: Vec<UserJobCodes>,
    /// Write the site zone's offset and DST schedules where they differ.
    pub fix_zones: Option<bool>,
}

/// A checked desired-state file.
#[derive(Debug, Clone)]
pub struct DesiredFile {
    /// The sections, in file order.
    pub sections: Vec<Section>,
}

/// What the file asks of one device, all matching sections merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceDesired {
    /// The sections that selected it (indices).
    pub sections: Vec<usize>,
    /// T&A config, when any section names one.
    pub tna: Option<TnaSpec>,
    /// `useJobCode`.
    pub use_job_code: Option<bool>,
    /// Job codes per user, later sections replacing a user's list.
    pub job_codes: BTreeMap<String, Vec<JobCode>>,
    /// Fix the site zone.
    pub fix_zones: bool,
}

/// Line and column (1-based) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> FileError {
        let (line, column) = line_col(self.text, span.start);
        FileError {
            file: self.file.to_string(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A mode's name in the file: its protocol (serde) name, `byUser`.
pub fn mode_name(mode: TnaMode) -> String {
    serde_json::to_value(mode)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse_mode(name: &str) -> Option<TnaMode> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// Reads and checks a desired-state file.
pub fn load(path: &Path) -> Result<DesiredFile, FileError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| FileError {
        file: file.clone(),
        line: 0,
        column: 0,
        key: String::new(),
        message: format!("cannot read the file: {e}"),
    })?;
    parse(&file, &text)
}

/// Parses and checks `text` (named `file` in errors).
pub fn parse(file: &str, text: &str) -> Result<DesiredFile, FileError> {
    let cx = Ctx { file, text };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        // toml's message carries the key path in its first line; the rest is a snippet.
        let message = e.message().to_string();
        let key = key_at(text, span.start);
        cx.err(span, key, message)
    })?;
    if let Some(v) = &raw.version
        && *v.get_ref() != VERSION
    {
        return Err(cx.err(
            v.span(),
            "version",
            format!("this tnactl reads version {VERSION} files"),
        ));
    }
    let mut sections = Vec::new();
    for (n, spanned) in raw.section.into_iter().enumerate() {
        let span = spanned.span();
        let raw = spanned.into_inner();
        let prefix = format!("section[{n}]");
        let sel_span = raw.select.span();
        let sel = raw.select.into_inner();
        let name = match sel.name {
            Some(p) => Some(glob::Pattern::new(p.get_ref()).map_err(|e| {
                cx.err(
                    p.span(),
                    format!("{prefix}.select.name"),
                    format!("not a name pattern: {e}"),
                )
            })?),
            None => None,
        };
        let select = Selector {
            all: sel.all,
            sites: sel.site.map(OneOrMany::into_vec).unwrap_or_default(),
            types: sel.device_type.map(OneOrMany::into_vec).unwrap_or_default(),
            ids: sel.ids.unwrap_or_default(),
            name,
            tags: sel.tags.unwrap_or_default(),
        };
        let criteria = !select.sites.is_empty()
            || !select.types.is_empty()
            || !select.ids.is_empty()
            || select.name.is_some()
            || !select.tags.is_empty();
        if !select.all && !criteria {
            return Err(cx.err(
                sel_span,
                format!("{prefix}.select"),
                "selects nothing: give site, type, ids, name or tags (or all = true)",
            ));
        }
        if select.all && criteria {
            return Err(cx.err(
                sel_span,
                format!("{prefix}.select.all"),
                "all = true cannot be combined with other criteria",
            ));
        }
        let tna = match raw.tna {
            Some(t) => Some(tna_spec(&cx, &prefix, t)?),
            None => None,
        };
        let mut job_codes: Vec<UserJobCodes> = Vec::new();
        for (i, u) in raw.job_codes.into_iter().enumerate() {
            let span = u.span();
            let u = u.into_inner();
            let user = UserJobCodes {
                user_id: u.user,
                job_codes: u
                    .codes
                    .into_iter()
                    .map(|c| JobCode {
                        code: c.code,
                        label: c.label,
                    })
                    .collect(),
            };
            if let Err(errors) = validate_user_job_codes(&user) {
                let first = &errors[0];
                let field = first
                    .field
                    .replace("jobCodes", "codes")
                    .replace("userId", "user");
                return Err(cx.err(
                    span,
                    format!("{prefix}.job_codes[{i}].{field}"),
                    first.message.clone(),
                ));
            }
            if job_codes.iter().any(|j| j.user_id == user.user_id) {
                return Err(cx.err(
                    span,
                    format!("{prefix}.job_codes[{i}].user"),
                    format!("user {:?} is listed twice in this section", user.user_id),
                ));
            }
            job_codes.push(user);
        }
        let managed = tna.is_some()
            || raw.use_job_code.is_some()
            || !job_codes.is_empty()
            || raw.fix_zones.is_some();
        if !managed {
            return Err(cx.err(
                span,
                prefix,
                "says nothing about the devices: give tna, use_job_code, job_codes or fix_zones",
            ));
        }
        sections.push(Section {
            select,
            tna,
            use_job_code: raw.use_job_code,
            job_codes,
            fix_zones: raw.fix_zones,
        });
    }
    Ok(DesiredFile { sections })
}

fn tna_spec(cx: &Ctx<'_>, prefix: &str, raw: Spanned<RawTna>) -> Result<TnaSpec, FileError> {
    let raw = raw.into_inner();
    let mut spec = TnaSpec::default();
    if let Some(m) = raw.mode {
        spec.mode = Some(parse_mode(m.get_ref()).ok_or_else(|| {
            cx.err(
                m.span(),
                format!("{prefix}.tna.mode"),
                format!(
                    "unknown mode {:?}: one of unused, byUser, bySchedule, lastChoice, fixed",
                    m.get_ref()
                ),
            )
        })?);
    }
    if let Some(k) = raw.fixed_key {
        let n = *k.get_ref();
        spec.fixed_key = Some(match n {
            0 => None,
            1..=16 => Some(n as u8),
            _ => {
                return Err(cx.err(
                    k.span(),
                    format!("{prefix}.tna.fixed_key"),
                    "a fixed key is 1 to 16 (0 = none)",
                ));
            }
        });
    }
    spec.required = raw.required;
    for (k, v) in raw.keys {
        let n: usize = match k.get_ref().parse() {
            Ok(n @ 1..=MAX_TNA_KEYS) => n,
            _ => {
                return Err(cx.err(
                    k.span(),
                    format!("{prefix}.tna.keys.{}", k.get_ref()),
                    "keys are numbered 1 to 16",
                ));
            }
        };
        let key_path = format!("{prefix}.tna.keys.{n}");
        let v = v.into_inner();
        if let Some(label) = &v.label {
            // The one label rule (validate.rs), on a config holding just this label.
            let mut probe = tna_types::TnaConfig::default();
            probe.labels[n - 1] = label.get_ref().clone();
            if let Err(errors) = tna_types::validate_config(&probe, None)
                && let Some(e) = errors.first()
            {
                return Err(cx.err(label.span(), format!("{key_path}.label"), e.message.clone()));
            }
        }
        spec.keys[n - 1] = KeySpec {
            label: v.label.map(Spanned::into_inner),
            schedule: v.schedule,
        };
    }
    Ok(spec)
}

/// The dotted key around a byte offset, for parse errors: the last `[header]` before it and the
/// key at the start of its line.
fn key_at(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let header = before
        .lines()
        .rev()
        .find_map(|l| {
            let l = l.trim();
            l.starts_with('[')
                .then(|| l.trim_matches(|c| c == '[' || c == ']').to_string())
        })
        .unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line
        .split('=')
        .next()
        .map(str::trim)
        .filter(|k| !k.is_empty() && !k.starts_with('[') && line.contains('='))
        .unwrap_or("");
    match (header.is_empty(), key.is_empty()) {
        (true, _) => key.to_string(),
        (false, true) => header,
        (false, false) => format!("{header}.{key}"),
    }
}

/// What the file asks of each device, in device-list order; devices no section selects are left
/// out.
pub fn resolve(file: &DesiredFile, devices: &[Device]) -> Vec<(Device, DeviceDesired)> {
    let mut out = Vec::new();
    for d in devices {
        let mut want = DeviceDesired::default();
        for (i, s) in file.sections.iter().enumerate() {
            if !s.select.all && !s.select.matches(d) {
                continue;
            }
            want.sections.push(i);
            if let Some(t) = &s.tna {
                want.tna.get_or_insert_with(TnaSpec::default).overlay(t);
            }
            if s.use_job_code.is_some() {
                want.use_job_code = s.use_job_code;
            }
            for u in &s.job_codes {
                want.job_codes
                    .insert(u.user_id.clone(), u.job_codes.clone());
            }
            if let Some(f) = s.fix_zones {
                want.fix_zones = f;
            }
        }
        if !want.sections.is_empty() {
            out.push((d.clone(), want));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tna_types::ConnectionStatus;

    /// A connected T&A device with a keypad and job codes at `site` (shared by the tests of
    /// plan and export).
    pub(crate) fn device(
        id: u32,
        site: &str,
        ty: &str,
        name: Option<&str>,
        tags: &[&str],
    ) -> Device {
        Device {
            site: Some(site.into()),
            tna_supported: true,
            job_code_supported: true,
            has_keypad: Some(true),
            name: name.map(str::to_string),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Device::listed(id, ty, "a:1", ConnectionStatus::Connected)
        }
    }

    fn devices() -> Vec<Device> {
        vec![
            device(
                1,
                "HQ",
                "BIOSTATION_A2",
                Some("Reception east"),
                &["entrance"],
            ),
            device(
                2,
                "HQ",
                "BIOLITE_N2",
                Some("Canteen"),
                &["entrance", "food"],
            ),
            device(3, "Warehouse", "BIOSTATION_A2", None, &[]),
            device(
                4,
                "Warehouse",
                "BIOLITE_N2",
                Some("Reception west"),
                &["dock"],
            ),
        ]
    }

    fn ids(file: &str) -> Vec<(u32, Vec<usize>)> {
        let f = parse("t.toml", file).expect("valid");
        resolve(&f, &devices())
            .into_iter()
            .map(|(d, w)| (d.device_id, w.sections))
            .collect()
    }

    #[test]
    fn selectors_by_site_type_ids_name_and_tag() {
        let by = |sel: &str| {
            ids(&format!(
                "[[section]]\nselect = {{ {sel} }}\nfix_zones = true\n"
            ))
        };
        assert_eq!(by("site = \"HQ\""), [(1, vec![0]), (2, vec![0])]);
        assert_eq!(
            by("site = [\"HQ\", \"Warehouse\"], type = \"BIOLITE_N2\""),
            [(2, vec![0]), (4, vec![0])]
        );
        assert_eq!(by("ids = [3, 4, 99]"), [(3, vec![0]), (4, vec![0])]);
        assert_eq!(by("name = \"Reception*\""), [(1, vec![0]), (4, vec![0])]);
        assert_eq!(
            by("name = \"*\""),
            [(1, vec![0]), (2, vec![0]), (4, vec![0])],
            "a device without a name never matches"
        );
        assert_eq!(by("tags = [\"entrance\"]"), [(1, vec![0]), (2, vec![0])]);
        assert_eq!(by("tags = [\"entrance\", \"food\"]"), [(2, vec![0])]);
        assert_eq!(by("all = true").len(), 4);
        assert!(by("tags = [\"nowhere\"]").is_empty());
    }

    #[test]
    fn later_sections_override_earlier_ones_field_by_field() {
        let f = parse(
            "t.toml",
            r#"
[[section]]
select = { all = true }
use_job_code = false
[section.tna]
mode = "byUser"
required = true
keys.1 = { label = "In", schedule = "Always" }
keys.2 = { label = "Out" }
[[section.job_codes]]
user = "7"
codes = [{ code = 1, label = "A" }]

[[section]]
select = { site = "Warehouse" }
use_job_code = true
[section.tna]
keys.2 = { label = "Leave" }
[[section.job_codes]]
user = "7"
codes = [{ code = 2, label = "B" }]
"#,
        )
        .expect("valid");
        let r = resolve(&f, &devices());
        let hq = &r[0].1;
        let wh = &r[2].1;
        assert_eq!(hq.sections, [0]);
        assert_eq!(wh.sections, [0, 1]);
        let (hq_tna, wh_tna) = (hq.tna.as_ref().unwrap(), wh.tna.as_ref().unwrap());
        assert_eq!(hq_tna.keys[1].label.as_deref(), Some("Out"));
        assert_eq!(wh_tna.keys[1].label.as_deref(), Some("Leave"));
        // Fields the later section does not name stay as the earlier one said.
        assert_eq!(wh_tna.mode, Some(TnaMode::ByUser));
        assert_eq!(wh_tna.required, Some(true));
        assert_eq!(wh_tna.keys[0].schedule.as_deref(), Some("Always"));
        assert_eq!(hq.use_job_code, Some(false));
        assert_eq!(wh.use_job_code, Some(true));
        assert_eq!(wh.job_codes["7"][0].code, 2);
        assert_eq!(hq.job_codes["7"][0].code, 1);
    }

    #[test]
    fn the_example_file_is_valid() {
        let text = include_str!("../../../deploy/site.example.toml");
        let f = parse("deploy/site.example.toml", text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.sections.len(), 4);
        let r = resolve(&f, &devices());
        // Device 1 (HQ, tagged entrance, named Reception east, a BIOSTATION_A2) is in three.
        assert_eq!(r[0].1.sections, [0, 1, 2]);
        let tna = r[0].1.tna.as_ref().unwrap();
        assert_eq!(tna.mode, Some(TnaMode::BySchedule));
        assert_eq!(tna.keys[0].label.as_deref(), Some("Check in"));
        assert_eq!(tna.keys[0].schedule.as_deref(), Some("Office hours"));
        assert_eq!(tna.keys[4].label.as_deref(), Some("Visitor"));
        assert!(r[0].1.fix_zones);
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = |text: &str| parse("site.toml", text).expect_err("refused");
        let e = bad(
            "[[section]]\nselect = { site = \"HQ\" }\n[section.tna]\nmode = \"byUser\"\ncolour = 3\n",
        );
        assert_eq!((e.file.as_str(), e.line), ("site.toml", 5), "{e}");
        assert!(e.message.contains("colour"), "{e}");
        let e =
            bad("[[section]]\nselect = { site = \"HQ\" }\n[section.tna]\nmode = \"sometimes\"\n");
        assert_eq!((e.line, e.key.as_str()), (4, "section[0].tna.mode"), "{e}");
        let e = bad(
            "[[section]]\nselect = { site = \"HQ\" }\n[section.tna]\nkeys.17 = { label = \"x\" }\n",
        );
        assert_eq!(
            (e.line, e.key.as_str()),
            (4, "section[0].tna.keys.17"),
            "{e}"
        );
        let long = "x".repeat(49);
        let e = bad(&format!(
            "[[section]]\nselect = {{ site = \"HQ\" }}\n[section.tna]\nkeys.3 = {{ label = \"{long}\" }}\n"
        ));
        assert_eq!(
            (e.line, e.key.as_str()),
            (4, "section[0].tna.keys.3.label"),
            "{e}"
        );
        assert!(e.message.contains("48 bytes"), "{e}");
        let e = bad("[[section]]\nselect = { }\nfix_zones = true\n");
        assert_eq!((e.line, e.key.as_str()), (2, "section[0].select"), "{e}");
        let e = bad("[[section]]\nselect = { site = \"HQ\" }\n");
        assert_eq!(e.line, 1, "{e}");
        let e = bad("[[section]]\nselect = { site = \"HQ\" }\nfix_zones = yes\n");
        assert_eq!((e.line, e.key.as_str()), (3, "section.fix_zones"), "{e}");
        let e = bad(
            "[[section]]\nselect = { site = \"HQ\" }\n[[section.job_codes]]\nuser = \"1\"\ncodes = [{ code = 0, label = \"x\" }]\n",
        );
        assert!(e.key.starts_with("section[0].job_codes[0].codes"), "{e}");
        assert_eq!(e.line, 3, "{e}");
    }
}
