//! The one validation of configs and job codes, run by the console on every edit and by the
//! relay before anything is written to a device. Every error names its field (`labels[3]`,
//! `jobCodes[0].label`) and the limit it broke, so the console can show it next to the input.

use serde::{Deserialize, Serialize};

use crate::config::{TnaConfig, TnaMode};
use crate::device::DeviceInfo;
use crate::jobcode::UserJobCodes;
use crate::limits::{
    MAX_DEVICE_LOCATION_CHARS, MAX_DEVICE_NAME_CHARS, MAX_DEVICE_TAG_CHARS, MAX_DEVICE_TAGS,
    MAX_JOB_CODES_PER_USER, MAX_JOB_LABEL_BYTES, MAX_JOB_LABEL_CHARS, MAX_TNA_LABEL_BYTES,
    MAX_USER_ID_BYTES, SCHEDULE_ALWAYS,
};

/// One broken rule: the field (JSON path in camelCase) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field, e.g. `labels[3]` or `key`.
    pub field: String,
    /// One English sentence a person can act on, naming the limit.
    pub message: String,
    /// The rule and its values, for a client that words it in its own language (absent where a
    /// device or an older relay gave only the sentence).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub rule: Option<Rule>,
}

impl FieldError {
    /// `field` broke `rule` (the English message is the rule's).
    pub fn broke(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            message: rule.english(),
            rule: Some(rule),
        }
    }

    /// An error known only by its sentence (a device's own refusal).
    pub fn sentence(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            rule: None,
        }
    }
}

/// A rule of the validation, with the values its sentence names. Its English sentence is
/// [`Rule::template`] filled with [`Rule::values`] (`{name}` placeholders), so a client in
/// another language translates the template and fills in the same values.
///
/// On the wire: `{"kind": "labelBytes", "max": 48, "value": 60}` (camelCase kind and values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Rule {
    FixedNeedsKey,
    RequiredNeedsByUser {
        mode: TnaMode,
    },
    ScheduleNeeded,
    ScheduleMissing {
        schedule_id: u32,
    },
    LabelBytes {
        max: usize,
        value: usize,
    },
    LabelChars {
        max: usize,
        value: usize,
    },
    LabelControl,
    TooManyJobCodes {
        max: usize,
        value: usize,
    },
    JobCodeZero,
    JobCodeTwice {
        code: u32,
    },
    UserTwice {
        user_id: String,
    },
    UserIdEmpty,
    UserIdBytes {
        max: usize,
        value: usize,
    },
    UserIdControl,
    DeviceTextChars {
        field: String,
        max: usize,
        value: usize,
    },
    DeviceTextControl {
        field: String,
    },
    TooManyTags {
        max: usize,
        value: usize,
    },
    TagChars {
        max: usize,
        value: usize,
    },
    TagWord {
        tag: String,
    },
    DayStartTooLate {
        max: u32,
        value: u32,
    },
    KeyTwice {
        key: String,
    },
    /// A rule this build does not know (from a newer relay): its sentence is the error's
    /// `message`. Never sent; read for any `kind` this build does not know.
    Unknown,
}

/// [`Rule`] as read from the wire: the kind and every value any rule names, flat.
///
/// Why by hand: serde's derived reader for an internally tagged enum buffers the object and
/// decodes each of the ~20 variants through its own visitor; in the console's WASM that was
/// 32 kB for this one enum. One flat struct and a `match` read the same JSON. A rule of a kind
/// this build does not know reads as [`Rule::Unknown`]; one whose values do not fit their types
/// is an error, which [`crate::protocol::RpcError::field_errors`] confines to its own field error.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RuleWire {
    kind: String,
    mode: Option<TnaMode>,
    schedule_id: Option<u32>,
    max: Option<u64>,
    value: Option<u64>,
    code: Option<u32>,
    user_id: Option<String>,
    field: Option<String>,
    tag: Option<String>,
    key: Option<String>,
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = RuleWire::deserialize(d)?;
        fn need<T, E: Error>(v: Option<T>, name: &'static str) -> Result<T, E> {
            v.ok_or_else(|| E::missing_field(name))
        }
        fn count<T: TryFrom<u64>, E: Error>(v: Option<u64>, name: &'static str) -> Result<T, E> {
            T::try_from(need::<u64, E>(v, name)?)
                .map_err(|_| E::custom(format_args!("{name} is out of range")))
        }
        let (max, value) = (w.max, w.value);
        let limit = || -> Result<(usize, usize), D::Error> {
            Ok((count(max, "max")?, count(value, "value")?))
        };
        Ok(match w.kind.as_str() {
            "fixedNeedsKey" => Rule::FixedNeedsKey,
            "requiredNeedsByUser" => Rule::RequiredNeedsByUser {
                mode: need(w.mode, "mode")?,
            },
            "scheduleNeeded" => Rule::ScheduleNeeded,
            "scheduleMissing" => Rule::ScheduleMissing {
                schedule_id: need(w.schedule_id, "scheduleId")?,
            },
            "labelBytes" => {
                let (max, value) = limit()?;
                Rule::LabelBytes { max, value }
            }
            "labelChars" => {
                let (max, value) = limit()?;
                Rule::LabelChars { max, value }
            }
            "labelControl" => Rule::LabelControl,
            "tooManyJobCodes" => {
                let (max, value) = limit()?;
                Rule::TooManyJobCodes { max, value }
            }
            "jobCodeZero" => Rule::JobCodeZero,
            "jobCodeTwice" => Rule::JobCodeTwice {
                code: need(w.code, "code")?,
            },
            "userTwice" => Rule::UserTwice {
                user_id: need(w.user_id, "userId")?,
            },
            "userIdEmpty" => Rule::UserIdEmpty,
            "userIdBytes" => {
                let (max, value) = limit()?;
                Rule::UserIdBytes { max, value }
            }
            "userIdControl" => Rule::UserIdControl,
            "deviceTextChars" => {
                let (max, value) = limit()?;
                Rule::DeviceTextChars {
                    field: need(w.field, "field")?,
                    max,
                    value,
                }
            }
            "deviceTextControl" => Rule::DeviceTextControl {
                field: need(w.field, "field")?,
            },
            "tooManyTags" => {
                let (max, value) = limit()?;
                Rule::TooManyTags { max, value }
            }
            "tagChars" => {
                let (max, value) = limit()?;
                Rule::TagChars { max, value }
            }
            "tagWord" => Rule::TagWord {
                tag: need(w.tag, "tag")?,
            },
            "dayStartTooLate" => Rule::DayStartTooLate {
                max: count(max, "max")?,
                value: count(value, "value")?,
            },
            "keyTwice" => Rule::KeyTwice {
                key: need(w.key, "key")?,
            },
            // A rule from a newer relay: its sentence is the error's message.
            _ => Rule::Unknown,
        })
    }
}

impl Rule {
    /// The English sentence with `{name}` placeholders for [`Rule::values`].
    pub fn template(&self) -> &'static str {
        match self {
            Rule::FixedNeedsKey => "Fixed mode needs a key (KEY_1 to KEY_16).",
            Rule::RequiredNeedsByUser { .. } => {
                "\"T&A required\" applies only in By user mode, not in {mode}."
            }
            Rule::ScheduleNeeded => "By schedule mode needs at least one key with a schedule.",
            Rule::ScheduleMissing { .. } => "Schedule {scheduleId} does not exist on this device.",
            Rule::LabelBytes { .. } => {
                "A label is at most {max} bytes of UTF-8, this one has {value} bytes."
            }
            Rule::LabelChars { .. } => "A label is at most {max} characters, this one has {value}.",
            Rule::LabelControl => {
                "A label must not contain control characters (tabs, line breaks, …)."
            }
            Rule::TooManyJobCodes { .. } => "A user can hold at most {max} job codes, got {value}.",
            Rule::JobCodeZero => "A job code must not be 0.",
            Rule::JobCodeTwice { .. } => "Job code {code} appears twice.",
            Rule::UserTwice { .. } => "User {userId} appears twice.",
            Rule::UserIdEmpty => "A user ID must not be empty or 0.",
            Rule::UserIdBytes { .. } => "A user ID is at most {max} bytes, got {value}.",
            Rule::UserIdControl => "A user ID must not contain control characters.",
            Rule::DeviceTextChars { .. } => {
                "A device {field} is at most {max} characters, got {value}."
            }
            Rule::DeviceTextControl { .. } => {
                "A device {field} must not contain control characters."
            }
            Rule::TooManyTags { .. } => "A device has at most {max} tags, got {value}.",
            Rule::TagChars { .. } => "A tag has 1 to {max} characters, got {value}.",
            Rule::TagWord { .. } => {
                "Tag {tag}: a tag is one word of letters, digits, '-', '_' or '.'."
            }
            Rule::DayStartTooLate { .. } => {
                "The day must start before 24:00 (below {max} minutes), got {value}."
            }
            Rule::KeyTwice { .. } => "{key} is mapped twice; a key means one punch type.",
            Rule::Unknown => "",
        }
    }

    /// The values the template names, as text (a mode by its English name; a client words the
    /// mode itself).
    pub fn values(&self) -> Vec<(&'static str, String)> {
        let n = |name, v: usize| (name, v.to_string());
        match self {
            Rule::FixedNeedsKey
            | Rule::ScheduleNeeded
            | Rule::LabelControl
            | Rule::JobCodeZero
            | Rule::UserIdEmpty
            | Rule::UserIdControl
            | Rule::Unknown => Vec::new(),
            Rule::RequiredNeedsByUser { mode } => vec![("mode", mode.label().to_string())],
            Rule::ScheduleMissing { schedule_id } => {
                vec![("scheduleId", schedule_id.to_string())]
            }
            Rule::LabelBytes { max, value }
            | Rule::LabelChars { max, value }
            | Rule::TooManyJobCodes { max, value }
            | Rule::UserIdBytes { max, value }
            | Rule::TooManyTags { max, value }
            | Rule::TagChars { max, value } => vec![n("max", *max), n("value", *value)],
            Rule::JobCodeTwice { code } => vec![("code", code.to_string())],
            Rule::UserTwice { user_id } => vec![("userId", user_id.clone())],
            Rule::DeviceTextChars { field, max, value } => {
                vec![("field", field.clone()), n("max", *max), n("value", *value)]
            }
            Rule::DeviceTextControl { field } => vec![("field", field.clone())],
            Rule::TagWord { tag } => vec![("tag", format!("{tag:?}"))],
            Rule::DayStartTooLate { max, value } => {
                vec![("max", max.to_string()), ("value", value.to_string())]
            }
            Rule::KeyTwice { key } => vec![("key", key.clone())],
        }
    }

    /// The English sentence.
    pub fn english(&self) -> String {
        let mut text = self.template().to_string();
        for (name, value) in self.values() {
            text = text.replace(&format!("{{{name}}}"), &value);
        }
        text
    }

    /// One of every rule (for clients that check their translations cover each template).
    pub fn examples() -> Vec<Rule> {
        vec![
            Rule::FixedNeedsKey,
            Rule::RequiredNeedsByUser {
                mode: TnaMode::Fixed,
            },
            Rule::ScheduleNeeded,
            Rule::ScheduleMissing { schedule_id: 7 },
            Rule::LabelBytes { max: 48, value: 60 },
            Rule::LabelChars { max: 16, value: 17 },
            Rule::LabelControl,
            Rule::TooManyJobCodes { max: 16, value: 17 },
            Rule::JobCodeZero,
            Rule::JobCodeTwice { code: 3 },
            Rule::UserTwice {
                user_id: "1001".into(),
            },
            Rule::UserIdEmpty,
            Rule::UserIdBytes { max: 32, value: 40 },
            Rule::UserIdControl,
            Rule::DeviceTextChars {
                field: "name".into(),
                max: 64,
                value: 70,
            },
            Rule::DeviceTextControl {
                field: "name".into(),
            },
            Rule::TooManyTags { max: 16, value: 17 },
            Rule::TagChars { max: 32, value: 0 },
            Rule::TagWord { tag: "a b".into() },
            Rule::DayStartTooLate {
                max: 1440,
                value: 1500,
            },
            Rule::KeyTwice {
                key: "KEY_3".into(),
            },
        ]
    }
}

/// Checks a T&A config. `known_schedules` are the schedule IDs the target device holds; pass
/// `None` when they are not known (the schedule rule is then checked per device later).
/// Returns every broken rule, not only the first.
pub fn validate_config(
    config: &TnaConfig,
    known_schedules: Option<&[u32]>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if config.mode == TnaMode::Fixed && config.key.is_none() {
        errors.push(FieldError::broke("key", Rule::FixedNeedsKey));
    }
    if config.is_required && !config.mode.allows_required() {
        errors.push(FieldError::broke(
            "isRequired",
            Rule::RequiredNeedsByUser { mode: config.mode },
        ));
    }
    if config.mode == TnaMode::BySchedule && config.schedules.iter().all(|&s| s == 0) {
        errors.push(FieldError::broke("schedules", Rule::ScheduleNeeded));
    }
    for (i, label) in config.labels.iter().enumerate() {
        if let Some(rule) = check_label(label, MAX_TNA_LABEL_BYTES, None) {
            errors.push(FieldError::broke(format!("labels[{i}]"), rule));
        }
    }
    if let Some(known) = known_schedules {
        for (i, &id) in config.schedules.iter().enumerate() {
            if id != 0 && id != SCHEDULE_ALWAYS && !known.contains(&id) {
                errors.push(FieldError::broke(
                    format!("schedules[{i}]"),
                    Rule::ScheduleMissing { schedule_id: id },
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks the job codes of one user: a valid user ID, at most 16 codes, non-zero and unique
/// codes, labels within 48 bytes and 16 characters without control characters.
pub fn validate_user_job_codes(user: &UserJobCodes) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(rule) = check_user_id(&user.user_id) {
        errors.push(FieldError::broke("userId", rule));
    }
    if user.job_codes.len() > MAX_JOB_CODES_PER_USER {
        errors.push(FieldError::broke(
            "jobCodes",
            Rule::TooManyJobCodes {
                max: MAX_JOB_CODES_PER_USER,
                value: user.job_codes.len(),
            },
        ));
    }
    for (i, jc) in user.job_codes.iter().enumerate() {
        if jc.code == 0 {
            errors.push(FieldError::broke(
                format!("jobCodes[{i}].code"),
                Rule::JobCodeZero,
            ));
        } else if user.job_codes[..i].iter().any(|o| o.code == jc.code) {
            errors.push(FieldError::broke(
                format!("jobCodes[{i}].code"),
                Rule::JobCodeTwice { code: jc.code },
            ));
        }
        if let Some(rule) = check_label(&jc.label, MAX_JOB_LABEL_BYTES, Some(MAX_JOB_LABEL_CHARS)) {
            errors.push(FieldError::broke(format!("jobCodes[{i}].label"), rule));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks the users of one job-code write: each as [`validate_user_job_codes`] (fields prefixed
/// `users[i].`), and no user listed twice.
pub fn validate_users(users: &[UserJobCodes]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, u) in users.iter().enumerate() {
        if let Err(errs) = validate_user_job_codes(u) {
            errors.extend(errs.into_iter().map(|e| FieldError {
                field: format!("users[{i}].{}", e.field),
                ..e
            }));
        }
        if users[..i].iter().any(|o| o.user_id == u.user_id) {
            errors.push(FieldError::broke(
                format!("users[{i}].userId"),
                Rule::UserTwice {
                    user_id: u.user_id.clone(),
                },
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks a device's name, location and tags, as [`DeviceInfo::normalized`] gives them: lengths
/// in characters, no control characters; tags are single words of letters, digits, `-`, `_`
/// or `.` (they select devices in `tnactl` files).
pub fn validate_device_info(info: &DeviceInfo) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, text, max) in [
        ("name", &info.name, MAX_DEVICE_NAME_CHARS),
        ("location", &info.location, MAX_DEVICE_LOCATION_CHARS),
    ] {
        let Some(text) = text else { continue };
        let chars = text.chars().count();
        if chars > max {
            errors.push(FieldError::broke(
                field,
                Rule::DeviceTextChars {
                    field: field.into(),
                    max,
                    value: chars,
                },
            ));
        }
        if text.chars().any(char::is_control) {
            errors.push(FieldError::broke(
                field,
                Rule::DeviceTextControl {
                    field: field.into(),
                },
            ));
        }
    }
    if info.tags.len() > MAX_DEVICE_TAGS {
        errors.push(FieldError::broke(
            "tags",
            Rule::TooManyTags {
                max: MAX_DEVICE_TAGS,
                value: info.tags.len(),
            },
        ));
    }
    for (i, tag) in info.tags.iter().enumerate() {
        let chars = tag.chars().count();
        if chars == 0 || chars > MAX_DEVICE_TAG_CHARS {
            errors.push(FieldError::broke(
                format!("tags[{i}]"),
                Rule::TagChars {
                    max: MAX_DEVICE_TAG_CHARS,
                    value: chars,
                },
            ));
        } else if !tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            errors.push(FieldError::broke(
                format!("tags[{i}]"),
                Rule::TagWord { tag: tag.clone() },
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks a user ID: 1 to 32 bytes, no control characters, not "0" (the broken rule's English
/// sentence; [`check_user_id`] gives the rule).
pub fn validate_user_id(id: &str) -> Result<(), String> {
    check_user_id(id).map_err(|rule| rule.english())
}

/// [`validate_user_id`] with the broken [`Rule`].
pub fn check_user_id(id: &str) -> Result<(), Rule> {
    if id.is_empty() || id == "0" {
        return Err(Rule::UserIdEmpty);
    }
    if id.len() > MAX_USER_ID_BYTES {
        return Err(Rule::UserIdBytes {
            max: MAX_USER_ID_BYTES,
            value: id.len(),
        });
    }
    if id.chars().any(char::is_control) {
        return Err(Rule::UserIdControl);
    }
    Ok(())
}

fn check_label(label: &str, max_bytes: usize, max_chars: Option<usize>) -> Option<Rule> {
    if label.len() > max_bytes {
        return Some(Rule::LabelBytes {
            max: max_bytes,
            value: label.len(),
        });
    }
    if let Some(max) = max_chars {
        let n = label.chars().count();
        if n > max {
            return Some(Rule::LabelChars { max, value: n });
        }
    }
    if label.chars().any(char::is_control) {
        return Some(Rule::LabelControl);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TnaKey;
    use crate::jobcode::JobCode;

    fn fields(r: Result<(), Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn by_user() -> TnaConfig {
        TnaConfig {
            mode: TnaMode::ByUser,
            ..TnaConfig::default()
        }
    }

    #[test]
    fn fixed_needs_a_key() {
        let mut c = TnaConfig {
            mode: TnaMode::Fixed,
            ..TnaConfig::default()
        };
        assert_eq!(fields(validate_config(&c, None)), ["key"]);
        c.key = TnaKey::new(4).ok();
        assert_eq!(validate_config(&c, None), Ok(()));
    }

    #[test]
    fn required_only_by_user() {
        let mut c = by_user();
        c.is_required = true;
        assert_eq!(validate_config(&c, None), Ok(()));
        for mode in [
            TnaMode::Unused,
            TnaMode::BySchedule,
            TnaMode::LastChoice,
            TnaMode::Fixed,
        ] {
            c.mode = mode;
            c.key = TnaKey::new(1).ok();
            c.schedules[0] = 1;
            assert_eq!(
                fields(validate_config(&c, None)),
                ["isRequired"],
                "{mode:?}"
            );
        }
    }

    #[test]
    fn by_schedule_needs_a_scheduled_key() {
        let mut c = TnaConfig {
            mode: TnaMode::BySchedule,
            ..TnaConfig::default()
        };
        assert_eq!(fields(validate_config(&c, None)), ["schedules"]);
        c.schedules[2] = 1;
        assert_eq!(validate_config(&c, None), Ok(()));
    }

    #[test]
    fn label_limit_counts_bytes_not_characters() {
        let mut c = by_user();
        c.labels[3] = "a".repeat(48);
        assert_eq!(validate_config(&c, None), Ok(()));
        c.labels[3] = "a".repeat(49);
        assert_eq!(fields(validate_config(&c, None)), ["labels[3]"]);
        // 16 Hangul syllables are 48 bytes; 17 are 51.
        c.labels[3] = "출".repeat(16);
        assert_eq!(validate_config(&c, None), Ok(()));
        c.labels[3] = "출".repeat(17);
        let errs = validate_config(&c, None).unwrap_err();
        assert_eq!(errs[0].field, "labels[3]");
        assert!(errs[0].message.contains("48 bytes"), "{}", errs[0].message);
    }

    #[test]
    fn label_without_control_characters() {
        let mut c = by_user();
        c.labels[0] = "In\nOut".into();
        assert_eq!(fields(validate_config(&c, None)), ["labels[0]"]);
        c.labels[0] = "In / Out".into();
        assert_eq!(validate_config(&c, None), Ok(()));
    }

    #[test]
    fn schedule_must_exist_on_device() {
        let mut c = by_user();
        c.schedules[5] = 7;
        assert_eq!(fields(validate_config(&c, Some(&[2, 3]))), ["schedules[5]"]);
        assert_eq!(validate_config(&c, Some(&[2, 7])), Ok(()));
        c.schedules[5] = SCHEDULE_ALWAYS; // predefined on every device
        assert_eq!(validate_config(&c, Some(&[])), Ok(()));
        c.schedules[5] = 0;
        assert_eq!(validate_config(&c, Some(&[])), Ok(()));
    }

    #[test]
    fn reports_every_broken_rule() {
        let mut c = TnaConfig {
            mode: TnaMode::Fixed,
            is_required: true,
            ..TnaConfig::default()
        };
        c.labels[15] = "x".repeat(60);
        assert_eq!(
            fields(validate_config(&c, None)),
            ["key", "isRequired", "labels[15]"]
        );
    }

    fn user(codes: Vec<JobCode>) -> UserJobCodes {
        UserJobCodes {
            user_id: "1001".into(),
            job_codes: codes,
        }
    }

    fn jc(code: u32, label: &str) -> JobCode {
        JobCode {
            code,
            label: label.into(),
        }
    }

    #[test]
    fn job_codes_at_most_sixteen() {
        let ok: Vec<_> = (1..=16).map(|c| jc(c, "Job")).collect();
        assert_eq!(validate_user_job_codes(&user(ok)), Ok(()));
        let too_many: Vec<_> = (1..=17).map(|c| jc(c, "Job")).collect();
        assert_eq!(
            fields(validate_user_job_codes(&user(too_many))),
            ["jobCodes"]
        );
    }

    #[test]
    fn job_code_label_limits() {
        assert_eq!(
            validate_user_job_codes(&user(vec![jc(1, &"a".repeat(16))])),
            Ok(())
        );
        assert_eq!(
            fields(validate_user_job_codes(&user(vec![jc(1, &"a".repeat(17))]))),
            ["jobCodes[0].label"]
        );
        // 12 emoji are 12 characters but 48 bytes: fine; 13 are 52 bytes: too long.
        assert_eq!(
            validate_user_job_codes(&user(vec![jc(1, &"😀".repeat(12))])),
            Ok(())
        );
        assert_eq!(
            fields(validate_user_job_codes(&user(vec![jc(
                1,
                &"😀".repeat(13)
            )]))),
            ["jobCodes[0].label"]
        );
        assert_eq!(
            fields(validate_user_job_codes(&user(vec![jc(1, "a\tb")]))),
            ["jobCodes[0].label"]
        );
    }

    #[test]
    fn job_codes_nonzero_and_unique() {
        assert_eq!(
            fields(validate_user_job_codes(&user(vec![
                jc(0, "x"),
                jc(5, "a"),
                jc(5, "b")
            ]))),
            ["jobCodes[0].code", "jobCodes[2].code"]
        );
    }

    #[test]
    fn users_prefix_fields_and_reject_repeats() {
        let a = user(vec![jc(1, "A")]);
        let mut b = user(vec![jc(0, "B")]);
        b.user_id = "1002".into();
        assert_eq!(
            fields(validate_users(&[a.clone(), b, a.clone()])),
            ["users[1].jobCodes[0].code", "users[2].userId"]
        );
        assert_eq!(validate_users(&[a]), Ok(()));
    }

    #[test]
    fn user_ids() {
        assert!(validate_user_id("1001").is_ok());
        assert!(validate_user_id("").is_err());
        assert!(validate_user_id("0").is_err());
        assert!(validate_user_id(&"9".repeat(33)).is_err());
        assert!(validate_user_id("a\u{0}b").is_err());
        assert_eq!(
            fields(validate_user_job_codes(&UserJobCodes {
                user_id: String::new(),
                job_codes: vec![]
            })),
            ["userId"]
        );
    }

    #[test]
    fn every_rule_fills_its_template_and_keeps_its_sentence() {
        for rule in Rule::examples() {
            let english = rule.english();
            assert!(!english.contains('{'), "{rule:?}: {english}");
            let e = FieldError::broke("x", rule.clone());
            let back: FieldError =
                serde_json::from_str(&serde_json::to_string(&e).expect("json")).expect("parse");
            assert_eq!(back, e);
        }
        assert_eq!(
            Rule::LabelBytes { max: 48, value: 60 }.english(),
            "A label is at most 48 bytes of UTF-8, this one has 60 bytes."
        );
        let json = serde_json::to_value(FieldError::broke(
            "labels[3]",
            Rule::LabelBytes { max: 48, value: 60 },
        ))
        .expect("json");
        assert_eq!(
            json["rule"],
            serde_json::json!({"kind": "labelBytes", "max": 48, "value": 60})
        );
        // A rule from a newer relay is read as Unknown; the other errors are kept.
        let newer: Vec<FieldError> = serde_json::from_value(serde_json::json!([
            {"field": "x", "message": "New rule.", "rule": {"kind": "somethingNew", "n": 1}},
            {"field": "labels[0]", "message": "m", "rule": {"kind": "labelControl"}}
        ]))
        .expect("parse");
        assert_eq!(newer[0].rule, Some(Rule::Unknown));
        assert_eq!(newer[1].rule, Some(Rule::LabelControl));
        // A known rule without a value it names is refused, not guessed.
        let short =
            serde_json::from_value::<Rule>(serde_json::json!({"kind": "labelBytes", "max": 48}));
        assert!(
            short
                .expect_err("value missing")
                .to_string()
                .contains("value")
        );
        let wide =
            serde_json::json!({"kind": "dayStartTooLate", "max": 1440, "value": 5_000_000_000u64});
        assert!(serde_json::from_value::<Rule>(wide).is_err());
        // A sentence-only error (a device's refusal) has no rule on the wire.
        let plain = serde_json::to_value(FieldError::sentence("", "refused")).expect("json");
        assert!(plain.get("rule").is_none());
    }
}
