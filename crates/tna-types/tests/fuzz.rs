//! Property-based fuzzing of everything that reads untrusted input: the protocol decoder and the
//! validation. Each property runs `TNA_FUZZ_CASES` cases (default: a short smoke for CI); a long
//! local run is e.g. `TNA_FUZZ_CASES=10000000 cargo test --release -p tna-types --test fuzz`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use tna_types::config::{TnaConfig, TnaKey, TnaMode};
use tna_types::jobcode::{JobCode, UserJobCodes};
use tna_types::protocol::{ErrorCode, Request, ServerMessage, decode_request};
use tna_types::{validate_config, validate_user_job_codes};

fn runner() -> TestRunner {
    let cases = std::env::var("TNA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Arbitrary JSON values, nested a few levels, with the keys and strings that matter here.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        ".{0,60}".prop_map(Value::String),
        prop::sample::select(vec!["2.0", "tna.getConfig", "deviceId", "fixed", "byUser"])
            .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    ".{0,12}",
                    prop::sample::select(vec![
                        "jsonrpc",
                        "id",
                        "method",
                        "params",
                        "deviceId",
                        "deviceIds",
                        "config",
                        "mode",
                        "key",
                        "isRequired",
                        "labels",
                        "schedules",
                        "startEventId",
                        "limit",
                    ])
                    .prop_map(String::from),
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn decoder_never_panics_on_arbitrary_text() {
    runner()
        .run(&".{0,400}", |text| {
            match decode_request(&text) {
                Ok((_, req)) => prop_assert!(Request::METHODS.contains(&req.method())),
                Err(e) => prop_assert!(e.error.kind().is_some(), "a known code: {}", e.error.code),
            }
            let _ = ServerMessage::decode(&text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn decoder_never_panics_on_arbitrary_json_requests() {
    let methods: Vec<&str> = Request::METHODS
        .iter()
        .copied()
        .chain(["nope", ""])
        .collect();
    let frame = (prop::sample::select(methods), json_value(), json_value());
    runner()
        .run(&frame, |(method, id, params)| {
            let text =
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
            match decode_request(&text) {
                Ok((_, req)) => prop_assert_eq!(req.method(), method),
                Err(e) => {
                    let code = e.error.kind();
                    prop_assert!(
                        matches!(
                            code,
                            Some(
                                ErrorCode::InvalidRequest
                                    | ErrorCode::MethodNotFound
                                    | ErrorCode::InvalidParams
                            )
                        ),
                        "{:?}",
                        code
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

fn config() -> impl Strategy<Value = TnaConfig> {
    (
        prop::sample::select(TnaMode::ALL.to_vec()),
        prop::option::of(1u8..=16),
        any::<bool>(),
        prop::array::uniform16(prop_oneof![
            Just(String::new()),
            ".{0,20}",
            "[a-z출근退勤]{0,40}"
        ]),
        prop::array::uniform16(prop_oneof![Just(0u32), Just(1u32), 2u32..8, any::<u32>()]),
    )
        .prop_map(|(mode, key, is_required, labels, schedules)| TnaConfig {
            mode,
            key: key.and_then(|k| TnaKey::new(k).ok()),
            is_required,
            labels,
            schedules,
        })
}

#[test]
fn validation_is_total_and_names_real_fields() {
    let known = prop::option::of(prop::collection::vec(0u32..10, 0..6));
    runner()
        .run(&(config(), known), |(cfg, known)| {
            match validate_config(&cfg, known.as_deref()) {
                Ok(()) => {
                    prop_assert!(cfg.labels.iter().all(|l| l.len() <= 48));
                    prop_assert!(cfg.mode != TnaMode::Fixed || cfg.key.is_some());
                    prop_assert!(!cfg.is_required || cfg.mode == TnaMode::ByUser);
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in errors {
                        let known_field = ["key", "isRequired", "schedules"]
                            .contains(&e.field.as_str())
                            || e.field.starts_with("labels[")
                            || e.field.starts_with("schedules[");
                        prop_assert!(known_field, "field {}", e.field);
                        prop_assert!(!e.message.is_empty());
                    }
                }
            }
            // The JSON shape round-trips exactly.
            let text =
                serde_json::to_string(&cfg).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: TnaConfig =
                serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, cfg);
            Ok(())
        })
        .unwrap();
}

#[test]
fn job_code_validation_is_total() {
    let codes = prop::collection::vec(
        (any::<u32>(), ".{0,24}").prop_map(|(code, label)| JobCode { code, label }),
        0..20,
    );
    runner()
        .run(&(".{0,40}", codes), |(user_id, job_codes)| {
            let user = UserJobCodes { user_id, job_codes };
            if validate_user_job_codes(&user).is_ok() {
                prop_assert!(user.job_codes.len() <= 16);
                prop_assert!(
                    user.job_codes
                        .iter()
                        .all(|j| j.code != 0 && j.label.len() <= 48)
                );
            }
            Ok(())
        })
        .unwrap();
}
