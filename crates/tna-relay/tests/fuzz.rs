//! Property-based fuzzing of protobuf → shared-type conversion: whatever a gateway sends (any
//! bytes, any enum numbers, any list lengths) converts without a panic, and what converts
//! survives the trip back to protobuf. `TNA_FUZZ_CASES` sets the case count (default: a smoke).

use gsdk_proto::prost::Message;
use gsdk_proto::tna as pb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tna_relay::gsdk::tna::{config_from_pb, config_to_pb, job_code_log_from_pb, tna_log_from_pb};

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

fn pb_config() -> impl Strategy<Value = pb::TnaConfig> {
    (
        prop_oneof![0i32..5, any::<i32>()],
        prop_oneof![0i32..17, Just(48), any::<i32>()],
        any::<bool>(),
        prop::collection::vec(any::<u32>(), 0..20),
        prop::collection::vec(".{0,50}", 0..20),
    )
        .prop_map(
            |(mode, key, is_required, schedules, labels)| pb::TnaConfig {
                mode,
                key,
                is_required,
                schedules,
                labels,
            },
        )
}

#[test]
fn any_device_config_converts_or_is_refused() {
    runner()
        .run(&pb_config(), |c| {
            match config_from_pb(&c) {
                Ok(cfg) => {
                    prop_assert!((0..5).contains(&c.mode));
                    let key_ok = (1..=16).contains(&c.key);
                    prop_assert_eq!(cfg.key.is_some(), key_ok);
                    for (i, l) in c.labels.iter().take(16).enumerate() {
                        prop_assert_eq!(&cfg.labels[i], l);
                    }
                    let back = config_to_pb(&cfg);
                    prop_assert_eq!(back.labels.len(), 16);
                    prop_assert_eq!(back.schedules.len(), 16);
                    prop_assert_eq!(config_from_pb(&back).ok(), Some(cfg));
                }
                Err(e) => prop_assert!(!(0..5).contains(&c.mode), "refused: {}", e.message),
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn arbitrary_bytes_from_a_gateway_never_panic() {
    let bytes = prop::collection::vec(any::<u8>(), 0..300);
    runner()
        .run(&bytes, |b| {
            if let Ok(c) = pb::TnaConfig::decode(b.as_slice()) {
                let _ = config_from_pb(&c);
            }
            if let Ok(r) = pb::GetTnaLogResponse::decode(b.as_slice()) {
                for l in r.tna_events {
                    let key = l.tna_key;
                    let log = tna_log_from_pb(l);
                    prop_assert_eq!(log.tna_key.is_some(), (1..=16).contains(&key));
                }
            }
            if let Ok(r) = pb::GetJobCodeLogResponse::decode(b.as_slice()) {
                for l in r.job_code_events {
                    let code = l.job_code;
                    prop_assert_eq!(job_code_log_from_pb(l).job_code, code);
                }
            }
            Ok(())
        })
        .unwrap();
}
