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
    /// One sentence a person can act on, naming the limit.
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
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
        errors.push(FieldError::new(
            "key",
            "Fixed mode needs a key (KEY_1 to KEY_16).",
        ));
    }
    if config.is_required && !config.mode.allows_required() {
        errors.push(FieldError::new(
            "isRequired",
            format!(
                "\"T&A required\" applies only in By user mode, not in {}.",
                config.mode.label()
            ),
        ));
    }
    if config.mode == TnaMode::BySchedule && config.schedules.iter().all(|&s| s == 0) {
        errors.push(FieldError::new(
            "schedules",
            "By schedule mode needs at least one key with a schedule.",
        ));
    }
    for (i, label) in config.labels.iter().enumerate() {
        if let Some(msg) = check_label(label, MAX_TNA_LABEL_BYTES, None) {
            errors.push(FieldError::new(format!("labels[{i}]"), msg));
        }
    }
    if let Some(known) = known_schedules {
        for (i, &id) in config.schedules.iter().enumerate() {
            if id != 0 && id != SCHEDULE_ALWAYS && !known.contains(&id) {
                errors.push(FieldError::new(
                    format!("schedules[{i}]"),
                    format!("Schedule {id} does not exist on this device."),
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
    if let Err(e) = validate_user_id(&user.user_id) {
        errors.push(FieldError::new("userId", e));
    }
    if user.job_codes.len() > MAX_JOB_CODES_PER_USER {
        errors.push(FieldError::new(
            "jobCodes",
            format!(
                "A user can hold at most {MAX_JOB_CODES_PER_USER} job codes, got {}.",
                user.job_codes.len()
            ),
        ));
    }
    for (i, jc) in user.job_codes.iter().enumerate() {
        if jc.code == 0 {
            errors.push(FieldError::new(
                format!("jobCodes[{i}].code"),
                "A job code must not be 0.",
            ));
        } else if user.job_codes[..i].iter().any(|o| o.code == jc.code) {
            errors.push(FieldError::new(
                format!("jobCodes[{i}].code"),
                format!("Job code {} appears twice.", jc.code),
            ));
        }
        if let Some(msg) = check_label(&jc.label, MAX_JOB_LABEL_BYTES, Some(MAX_JOB_LABEL_CHARS)) {
            errors.push(FieldError::new(format!("jobCodes[{i}].label"), msg));
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
            errors.extend(
                errs.into_iter()
                    .map(|e| FieldError::new(format!("users[{i}].{}", e.field), e.message)),
            );
        }
        if users[..i].iter().any(|o| o.user_id == u.user_id) {
            errors.push(FieldError::new(
                format!("users[{i}].userId"),
                format!("User {} appears twice.", u.user_id),
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
            errors.push(FieldError::new(
                field,
                format!("A device {field} is at most {max} characters, got {chars}."),
            ));
        }
        if text.chars().any(char::is_control) {
            errors.push(FieldError::new(
                field,
                format!("A device {field} must not contain control characters."),
            ));
        }
    }
    if info.tags.len() > MAX_DEVICE_TAGS {
        errors.push(FieldError::new(
            "tags",
            format!(
                "A device has at most {MAX_DEVICE_TAGS} tags, got {}.",
                info.tags.len()
            ),
        ));
    }
    for (i, tag) in info.tags.iter().enumerate() {
        let chars = tag.chars().count();
        if chars == 0 || chars > MAX_DEVICE_TAG_CHARS {
            errors.push(FieldError::new(
                format!("tags[{i}]"),
                format!("A tag has 1 to {MAX_DEVICE_TAG_CHARS} characters, got {chars}."),
            ));
        } else if !tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            errors.push(FieldError::new(
                format!("tags[{i}]"),
                format!("Tag {tag:?}: a tag is one word of letters, digits, '-', '_' or '.'."),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks a user ID: 1 to 32 bytes, no control characters, not "0".
pub fn validate_user_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id == "0" {
        return Err("A user ID must not be empty or 0.".into());
    }
    if id.len() > MAX_USER_ID_BYTES {
        return Err(format!(
            "A user ID is at most {MAX_USER_ID_BYTES} bytes, got {}.",
            id.len()
        ));
    }
    if id.chars().any(char::is_control) {
        return Err("A user ID must not contain control characters.".into());
    }
    Ok(())
}

fn check_label(label: &str, max_bytes: usize, max_chars: Option<usize>) -> Option<String> {
    if label.len() > max_bytes {
        return Some(format!(
            "A label is at most {max_bytes} bytes of UTF-8, this one has {} bytes.",
            label.len()
        ));
    }
    if let Some(max) = max_chars {
        let n = label.chars().count();
        if n > max {
            return Some(format!(
                "A label is at most {max} characters, this one has {n}."
            ));
        }
    }
    if label.chars().any(char::is_control) {
        return Some("A label must not contain control characters (tabs, line breaks, …).".into());
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
}
