//! TNA service: config round trip, Multi partial failure, log paging, error codes, latency.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::{channel, find, find_home, serve, small, tna_devices, within};
use gsdk_proto::err::MultiErrorResponse;
use gsdk_proto::event::GetLogRequest;
use gsdk_proto::event::event_client::EventClient;
use gsdk_proto::tna::tna_client::TnaClient;
use gsdk_proto::tna::{
    GetConfigRequest, GetJobCodeLogRequest, GetTnaLogRequest, Key, Mode, SetConfigMultiRequest,
    SetConfigRequest, TnaConfig,
};
use prost::Message;
use tonic::Code;

fn sample_config() -> TnaConfig {
    TnaConfig {
        mode: Mode::BySchedule as i32,
        key: Key::Unspecified as i32,
        is_required: true,
        schedules: vec![2, 1, 0, 5],
        labels: vec!["In".into(), "Out".into(), "출근".into()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_set_config_round_trip() {
    let running = serve(small(1)).await;
    let gw = running.gateway.clone();
    let dev = find(&gw, |tna, _| tna);
    let mut c = TnaClient::new(channel(&running).await);

    let before = within(c.get_config(GetConfigRequest { device_id: dev }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(before.config, gw.tna_config(dev));

    within(c.set_config(SetConfigRequest {
        device_id: dev,
        config: Some(sample_config()),
    }))
    .await
    .unwrap();
    let after = within(c.get_config(GetConfigRequest { device_id: dev }))
        .await
        .unwrap()
        .into_inner();
    let cfg = after.config.unwrap();
    assert_eq!(cfg.mode, Mode::BySchedule as i32);
    assert!(cfg.is_required);
    assert_eq!(cfg.labels.len(), 16, "padded to 16 labels");
    assert_eq!(cfg.schedules.len(), 16, "padded to 16 schedules");
    assert_eq!(&cfg.labels[..3], &["In", "Out", "출근"]);
    assert_eq!(&cfg.schedules[..5], &[2, 1, 0, 5, 0]);
    assert_eq!(Some(cfg), gw.tna_config(dev));

    // Invalid configs are rejected and leave the stored one alone.
    let bad = [
        TnaConfig {
            mode: 7,
            ..sample_config()
        },
        TnaConfig {
            mode: Mode::Fixed as i32,
            key: 0,
            ..sample_config()
        },
        TnaConfig {
            labels: vec!["x".repeat(49)],
            ..sample_config()
        },
        TnaConfig {
            labels: vec![String::new(); 17],
            ..sample_config()
        },
        TnaConfig {
            schedules: vec![0; 17],
            ..sample_config()
        },
        TnaConfig {
            schedules: vec![99],
            ..sample_config()
        },
    ];
    for cfg in bad {
        let err = within(c.set_config(SetConfigRequest {
            device_id: dev,
            config: Some(cfg.clone()),
        }))
        .await
        .unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{cfg:?}: {err:?}");
    }
    assert_eq!(gw.tna_config(dev).unwrap().labels[0], "In");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_config_multi_reports_each_failed_device() {
    let running = serve(small(3)).await;
    let gw = running.gateway.clone();
    let devs = tna_devices(&gw);
    assert!(devs.len() >= 6);
    let (fail_a, fail_b, offline) = (devs[1], devs[3], devs[4]);
    gw.fail_set_config(fail_a, true);
    gw.fail_set_config(fail_b, true);
    gw.set_offline(offline, true);
    let mut c = TnaClient::new(channel(&running).await);

    let cfg = TnaConfig {
        labels: vec!["Multi".into()],
        ..sample_config()
    };
    let req = SetConfigMultiRequest {
        device_i_ds: devs.clone(),
        config: Some(cfg),
    };
    let status = within(c.set_config_multi(req)).await.unwrap_err();
    assert_eq!(status.code(), Code::Unknown);
    assert_eq!(
        status.message(),
        format!("3 of {} devices failed", devs.len())
    );

    let rich =
        tonic_types::pb::Status::decode(status.details()).expect("google.rpc.Status in details");
    assert_eq!(rich.details.len(), 1);
    assert_eq!(rich.details[0].type_url, gsdk_proto::MULTI_ERROR_TYPE_URL);
    let multi = MultiErrorResponse::decode(rich.details[0].value.as_slice()).unwrap();
    let mut got: Vec<(u32, i32)> = multi
        .device_errors
        .iter()
        .map(|e| (e.device_id, e.code))
        .collect();
    got.sort();
    let mut want = vec![
        (fail_a, Code::Internal as i32),
        (fail_b, Code::Internal as i32),
        (offline, Code::Unavailable as i32),
    ];
    want.sort();
    assert_eq!(got, want);
    assert!(multi.device_errors.iter().all(|e| !e.msg.is_empty()));

    for &d in &devs {
        let labels0 = gw.tna_config(d).unwrap().labels[0].clone();
        if [fail_a, fail_b, offline].contains(&d) {
            assert_ne!(labels0, "Multi", "device {d} must keep its config");
        } else {
            assert_eq!(labels0, "Multi", "device {d} got the config");
        }
    }

    // All healthy: success with an empty deviceErrors list.
    gw.fail_set_config(fail_a, false);
    gw.fail_set_config(fail_b, false);
    gw.set_offline(offline, false);
    let ok = within(c.set_config_multi(SetConfigMultiRequest {
        device_i_ds: devs,
        config: Some(sample_config()),
    }))
    .await
    .unwrap()
    .into_inner();
    assert!(ok.device_errors.is_empty());
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_runs_devices_in_parallel() {
    let running = serve(small(3)).await;
    let gw = running.gateway.clone();
    let devs: Vec<u32> = tna_devices(&gw).into_iter().take(5).collect();
    let latency = Duration::from_millis(500);
    for &d in &devs {
        gw.set_latency(d, latency);
    }
    let mut c = TnaClient::new(channel(&running).await);
    let t = Instant::now();
    let req = SetConfigMultiRequest {
        device_i_ds: devs.clone(),
        config: Some(sample_config()),
    };
    within(c.set_config_multi(req)).await.unwrap();
    let took = t.elapsed();
    assert!(took >= latency);
    // Serially this would take 2.5 s; allow lots of slack for a loaded machine.
    assert!(
        took < latency * 4,
        "devices were handled one after another: {took:?}"
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tna_log_paging_covers_every_id_once() {
    let running = serve(small(9)).await;
    let gw = running.gateway.clone();
    let dev = find_home(&gw, |tna, _| tna);
    let total = gw.log_count(dev).unwrap();
    assert_eq!(total, 2_500);
    let mut c = TnaClient::new(channel(&running).await);
    let get = |start, max| GetTnaLogRequest {
        device_id: dev,
        start_event_id: start,
        max_num_of_log: max,
        filter: None,
    };

    // startEventID 0 = from the oldest; maxNumOfLog 0 = all.
    let all = within(c.get_tna_log(get(0, 0)))
        .await
        .unwrap()
        .into_inner()
        .tna_events;
    assert_eq!(all.len(), total);
    let first = all[0].id;
    let last = all[total - 1].id;
    assert_eq!(last - first + 1, total as u32);
    assert!(
        all.iter()
            .all(|e| e.device_id == dev && !e.user_id.is_empty())
    );

    let mut seen = HashSet::new();
    let mut start = first;
    let mut pages = Vec::new();
    loop {
        let page = within(c.get_tna_log(get(start, 1_000)))
            .await
            .unwrap()
            .into_inner()
            .tna_events;
        pages.push(page.len());
        assert_eq!(
            page.first().map(|e| e.id),
            Some(start),
            "start is inclusive"
        );
        for e in &page {
            assert!(seen.insert(e.id), "id {} returned twice", e.id);
        }
        if page.len() < 1_000 {
            break;
        }
        start = page[page.len() - 1].id + 1;
    }
    assert_eq!(pages, vec![1_000, 1_000, 500], "last page short");
    assert_eq!(seen.len(), total);
    assert_eq!(seen, (first..=last).collect::<HashSet<_>>());

    let beyond = within(c.get_tna_log(get(last + 1, 1_000)))
        .await
        .unwrap()
        .into_inner()
        .tna_events;
    assert!(beyond.is_empty());
    let one = within(c.get_tna_log(get(0, 1)))
        .await
        .unwrap()
        .into_inner()
        .tna_events;
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id, first);

    // Event.GetLog reads the same log.
    let mut e = EventClient::new(channel(&running).await);
    let events = within(e.get_log(GetLogRequest {
        device_id: dev,
        start_event_id: first + 10,
        max_num_of_log: 5,
    }))
    .await
    .unwrap()
    .into_inner()
    .events;
    assert_eq!(
        events.iter().map(|e| e.id).collect::<Vec<_>>(),
        (first + 10..first + 15).collect::<Vec<_>>()
    );
    assert_eq!(events[0].timestamp, all[10].timestamp);
    assert_eq!(events[0].tna_key, all[10].tna_key);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_code_log_only_has_job_code_records() {
    let running = serve(small(9)).await;
    let gw = running.gateway.clone();
    let dev = find_home(&gw, |tna, job| tna && job);
    let no_job = find(&gw, |tna, job| tna && !job);
    let mut c = TnaClient::new(channel(&running).await);
    let req = |d, start, max| GetJobCodeLogRequest {
        device_id: d,
        start_event_id: start,
        max_num_of_log: max,
    };
    let all = within(c.get_job_code_log(req(dev, 0, 0)))
        .await
        .unwrap()
        .into_inner()
        .job_code_events;
    assert!(!all.is_empty() && all.len() < 2_500);
    assert!(all.iter().all(|l| l.job_code != 0));
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let mid = all[all.len() / 2].id;
    let tail = within(c.get_job_code_log(req(dev, mid, 3)))
        .await
        .unwrap()
        .into_inner()
        .job_code_events;
    assert_eq!(
        tail.iter().map(|l| l.id).collect::<Vec<_>>(),
        all[all.len() / 2..][..3]
            .iter()
            .map(|l| l.id)
            .collect::<Vec<_>>()
    );
    let err = within(c.get_job_code_log(req(no_job, 0, 0)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_codes() {
    let running = serve(small(2)).await;
    let gw = running.gateway.clone();
    let no_tna = find(&gw, |tna, _| !tna);
    let offline = find(&gw, |tna, _| tna);
    gw.set_offline(offline, true);
    let mut c = TnaClient::new(channel(&running).await);

    let unknown = within(c.get_config(GetConfigRequest { device_id: 12_345 }))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::NotFound);
    assert!(unknown.message().contains("12345"), "{}", unknown.message());

    let pre = within(c.get_config(GetConfigRequest { device_id: no_tna }))
        .await
        .unwrap_err();
    assert_eq!(pre.code(), Code::FailedPrecondition);
    let pre_log = within(c.get_tna_log(GetTnaLogRequest {
        device_id: no_tna,
        ..Default::default()
    }))
    .await
    .unwrap_err();
    assert_eq!(pre_log.code(), Code::FailedPrecondition);

    let off = within(c.get_config(GetConfigRequest { device_id: offline }))
        .await
        .unwrap_err();
    assert_eq!(off.code(), Code::Unavailable);
    assert_eq!(off.message(), format!("device {offline} is disconnected"));

    gw.set_offline(offline, false);
    within(c.get_config(GetConfigRequest { device_id: offline }))
        .await
        .unwrap();
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_fault_delays_answers() {
    let running = serve(small(2)).await;
    let gw = running.gateway.clone();
    let dev = find(&gw, |tna, _| tna);
    let latency = Duration::from_millis(400);
    gw.set_latency(dev, latency);
    let mut c = TnaClient::new(channel(&running).await);
    let t = Instant::now();
    within(c.get_config(GetConfigRequest { device_id: dev }))
        .await
        .unwrap();
    assert!(t.elapsed() >= latency, "answered after {:?}", t.elapsed());
    let t = Instant::now();
    within(c.get_tna_log(GetTnaLogRequest {
        device_id: dev,
        max_num_of_log: 1,
        ..Default::default()
    }))
    .await
    .unwrap();
    assert!(t.elapsed() >= latency);
    running.shutdown().await;
}

#[test]
fn set_tna_config_changes_only_that_device() {
    let gw = gateway_sim::Gateway::new(gateway_sim::SimConfig {
        devices: 16,
        logs_per_device: 1,
        seed: 3,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    });
    let ids = gw.device_ids();
    let tna: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|&d| gw.tna_supported(d) == Some(true))
        .collect();
    let (a, b) = (tna[0], tna[1]);
    let b_before = gw.tna_config(b);
    let mut c = gw.tna_config(a).expect("config");
    c.labels[0] = "changed at the device".into();
    assert!(gw.set_tna_config(a, c.clone()));
    assert_eq!(gw.tna_config(a), Some(c.clone()));
    assert_eq!(gw.tna_config(b), b_before, "other devices keep theirs");
    assert!(!gw.set_tna_config(1, c.clone()), "unknown device");
    if let Some(&plain) = ids.iter().find(|&&d| gw.tna_supported(d) == Some(false)) {
        assert!(!gw.set_tna_config(plain, c), "device without T&A");
        assert_eq!(gw.tna_config(plain), None);
    }
}
