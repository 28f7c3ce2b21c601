//! Device capability, schedules, job codes and system config.

mod common;

use common::{channel, find, find_home, serve, small, within};
use gsdk_proto::device::GetCapabilityInfoRequest;
use gsdk_proto::device::device_client::DeviceClient;
use gsdk_proto::err::MultiErrorResponse;
use gsdk_proto::schedule::GetListRequest;
use gsdk_proto::schedule::schedule_client::ScheduleClient;
use gsdk_proto::system::system_client::SystemClient;
use gsdk_proto::system::{GetConfigRequest, SetConfigRequest};
use gsdk_proto::tna::JobCode;
use gsdk_proto::user::user_client::UserClient;
use gsdk_proto::user::{GetJobCodeRequest, SetJobCodeMultiRequest, SetJobCodeRequest, UserJobCode};
use prost::Message;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capabilities_match_the_site() {
    let running = serve(small(6)).await;
    let gw = running.gateway.clone();
    let mut c = DeviceClient::new(channel(&running).await);
    for id in gw.device_ids() {
        let cap = within(c.get_capability_info(GetCapabilityInfoRequest { device_id: id }))
            .await
            .unwrap()
            .into_inner()
            .cap_info
            .unwrap();
        assert_eq!(Some(cap.tna_supported), gw.tna_supported(id));
        assert_eq!(Some(cap.job_code_supported), gw.job_code_supported(id));
        assert!(!cap.job_code_supported || cap.tna_supported);
    }
    let err = within(c.get_capability_info(GetCapabilityInfoRequest { device_id: 1 }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_exclude_predefined_always() {
    let running = serve(small(6)).await;
    let dev = running.gateway.device_ids()[0];
    let mut c = ScheduleClient::new(channel(&running).await);
    let list = within(c.get_list(GetListRequest { device_id: dev }))
        .await
        .unwrap()
        .into_inner()
        .schedules;
    let ids: Vec<u32> = list.iter().map(|s| s.id).collect();
    assert_eq!(ids, vec![2, 3, 4, 5]);
    assert_eq!(list[0].name, "Office hours");
    running.shutdown().await;
}

fn codes(user: &str, list: &[(u32, &str)]) -> UserJobCode {
    UserJobCode {
        user_id: user.into(),
        job_codes: list
            .iter()
            .map(|&(code, label)| JobCode {
                code,
                label: label.into(),
            })
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_codes_get_and_set() {
    let running = serve(small(6)).await;
    let gw = running.gateway.clone();
    let dev = find_home(&gw, |tna, job| tna && job);
    let no_job = find(&gw, |tna, job| tna && !job);
    let mut c = UserClient::new(channel(&running).await);
    // The device's users are the people who call it home, with their job codes.
    let mut residents: Vec<&gateway_sim::workforce::Person> = gw
        .plan()
        .people()
        .iter()
        .filter(|p| p.home_devices.contains(&dev))
        .collect();
    residents.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    assert!(residents.len() >= 3);

    let all = within(c.get_job_code(GetJobCodeRequest {
        device_id: dev,
        user_i_ds: vec![],
    }))
    .await
    .unwrap()
    .into_inner()
    .user_job_codes;
    assert_eq!(all.len(), residents.len());
    for (got, person) in all.iter().zip(&residents) {
        assert_eq!(got.user_id, person.user_id);
        assert_eq!(got.job_codes, person.job_codes);
    }
    assert!(all.iter().any(|u| !u.job_codes.is_empty()));
    let (first, second, third) = (
        all[0].user_id.as_str(),
        all[1].user_id.as_str(),
        all[2].user_id.as_str(),
    );

    let new = codes(second, &[(900, "Night audit"), (901, "점검")]);
    within(c.set_job_code(SetJobCodeRequest {
        device_id: dev,
        user_job_codes: vec![new.clone()],
    }))
    .await
    .unwrap();
    let got = within(c.get_job_code(GetJobCodeRequest {
        device_id: dev,
        user_i_ds: vec![second.into()],
    }))
    .await
    .unwrap()
    .into_inner()
    .user_job_codes;
    assert_eq!(got, vec![new]);

    let err = within(c.set_job_code(SetJobCodeRequest {
        device_id: no_job,
        user_job_codes: vec![codes(first, &[(5, "x")])],
    }))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    let err = within(c.get_job_code(GetJobCodeRequest {
        device_id: dev,
        user_i_ds: vec!["77".into()],
    }))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    let long = "x".repeat(49);
    let err = within(c.set_job_code(SetJobCodeRequest {
        device_id: dev,
        user_job_codes: vec![codes(first, &[(5, &long)])],
    }))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);

    // Multi: one device without job-code support.
    let req = SetJobCodeMultiRequest {
        device_i_ds: vec![dev, no_job],
        user_job_codes: vec![codes(third, &[(42, "Answer")])],
    };
    let status = within(c.set_job_code_multi(req)).await.unwrap_err();
    let rich = tonic_types::pb::Status::decode(status.details()).unwrap();
    let multi = MultiErrorResponse::decode(rich.details[0].value.as_slice()).unwrap();
    assert_eq!(multi.device_errors.len(), 1);
    assert_eq!(
        (
            multi.device_errors[0].device_id,
            multi.device_errors[0].code
        ),
        (no_job, Code::FailedPrecondition as i32)
    );
    let got = within(c.get_job_code(GetJobCodeRequest {
        device_id: dev,
        user_i_ds: vec![third.into()],
    }))
    .await
    .unwrap()
    .into_inner()
    .user_job_codes;
    assert_eq!(got[0].job_codes[0].code, 42);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_config_get_and_set() {
    let running = serve(small(6)).await;
    let gw = running.gateway.clone();
    let dev = find(&gw, |tna, job| tna && job);
    let no_job = find(&gw, |tna, job| tna && !job);
    let mut c = SystemClient::new(channel(&running).await);

    let cfg = within(c.get_config(GetConfigRequest { device_id: dev }))
        .await
        .unwrap()
        .into_inner()
        .config
        .unwrap();
    assert!(cfg.use_job_code);
    assert!([0, 32_400, -18_000, 3_600].contains(&cfg.time_zone));
    let other = within(c.get_config(GetConfigRequest { device_id: no_job }))
        .await
        .unwrap()
        .into_inner()
        .config
        .unwrap();
    assert!(!other.use_job_code);

    let mut changed = cfg;
    changed.use_job_code = false;
    changed.time_zone = 19_800;
    within(c.set_config(SetConfigRequest {
        device_id: dev,
        config: Some(changed),
    }))
    .await
    .unwrap();
    let back = within(c.get_config(GetConfigRequest { device_id: dev }))
        .await
        .unwrap()
        .into_inner()
        .config
        .unwrap();
    assert_eq!(back, changed);

    let mut bad = other;
    bad.use_job_code = true;
    let err = within(c.set_config(SetConfigRequest {
        device_id: no_job,
        config: Some(bad),
    }))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Code::FailedPrecondition);
    running.shutdown().await;
}
