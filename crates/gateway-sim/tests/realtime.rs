//! Event monitoring, SubscribeRealtimeLog delivery and breakage; SubscribeStatus.

mod common;

use common::{channel, serve, small, tna_devices, within};
use gateway_sim::{Gateway, Workforce, start};
use gsdk_proto::connect::connect_client::ConnectClient;
use gsdk_proto::connect::{GetDeviceListRequest, Status as ConnStatus, SubscribeStatusRequest};
use gsdk_proto::err::MultiErrorResponse;
use gsdk_proto::event::event_client::EventClient;
use gsdk_proto::event::{
    DisableMonitoringRequest, EnableMonitoringMultiRequest, EnableMonitoringRequest,
    SubscribeRealtimeLogRequest,
};
use prost::Message;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitored_punches_are_streamed_until_dropped() {
    let running = serve(small(4)).await;
    let gw = running.gateway.clone();
    let devs = tna_devices(&gw);
    let (watched, ignored, filtered_out) = (devs[0], devs[1], devs[2]);
    let mut ev = EventClient::new(channel(&running).await);
    within(ev.enable_monitoring(EnableMonitoringRequest { device_id: watched }))
        .await
        .unwrap();
    within(ev.enable_monitoring(EnableMonitoringRequest {
        device_id: filtered_out,
    }))
    .await
    .unwrap();
    assert_eq!(gw.monitoring(watched), Some(true));
    assert_eq!(gw.monitoring(ignored), Some(false));

    let req = SubscribeRealtimeLogRequest {
        queue_size: 16,
        device_i_ds: vec![watched, ignored],
        event_codes: vec![],
    };
    let mut stream = within(ev.subscribe_realtime_log(req))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(gw.realtime_subscribers(), 1);

    let before = gw.log_count(ignored).unwrap();
    gw.append_punch(ignored).unwrap(); // not monitored: recorded, not streamed
    assert_eq!(gw.log_count(ignored), Some(before + 1));
    gw.append_punch(filtered_out).unwrap(); // monitored but excluded by the deviceIDs filter
    let punch = gw.append_punch(watched).unwrap();
    let got = within(stream.message()).await.unwrap().unwrap();
    assert_eq!(
        (got.device_id, got.id),
        (watched, punch.id),
        "first delivered event is the watched punch"
    );
    assert_eq!(got.tna_key, punch.tna_key);
    assert_eq!(got.user_id, punch.user_id);
    let last = gw.tna_logs(watched, punch.id, 0).unwrap();
    assert_eq!(last.len(), 1, "the punch is the newest record");

    // Disabling monitoring stops delivery.
    within(ev.disable_monitoring(DisableMonitoringRequest { device_id: watched }))
        .await
        .unwrap();
    gw.append_punch(watched).unwrap();
    within(ev.enable_monitoring(EnableMonitoringRequest { device_id: watched }))
        .await
        .unwrap();
    let again = gw.append_punch(watched).unwrap();
    let got = within(stream.message()).await.unwrap().unwrap();
    assert_eq!(
        got.id, again.id,
        "the punch made while unmonitored was not streamed"
    );

    gw.drop_realtime_streams();
    let err = within(stream.message()).await.unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_monitoring_multi_reports_failures() {
    let running = serve(small(4)).await;
    let gw = running.gateway.clone();
    let devs = tna_devices(&gw);
    gw.set_offline(devs[2], true);
    let mut ev = EventClient::new(channel(&running).await);
    let req = EnableMonitoringMultiRequest {
        device_i_ds: vec![devs[0], devs[1], devs[2], 7],
    };
    let status = within(ev.enable_monitoring_multi(req)).await.unwrap_err();
    let rich = tonic_types::pb::Status::decode(status.details()).unwrap();
    let multi = MultiErrorResponse::decode(rich.details[0].value.as_slice()).unwrap();
    let mut got: Vec<(u32, i32)> = multi
        .device_errors
        .iter()
        .map(|e| (e.device_id, e.code))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (7, Code::NotFound as i32),
            (devs[2], Code::Unavailable as i32)
        ]
    );
    assert_eq!(gw.monitoring(devs[0]), Some(true));
    assert_eq!(gw.monitoring(devs[1]), Some(true));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_code_filter() {
    let running = serve(small(4)).await;
    let gw = running.gateway.clone();
    let dev = tna_devices(&gw)[0];
    let mut ev = EventClient::new(channel(&running).await);
    within(ev.enable_monitoring(EnableMonitoringRequest { device_id: dev }))
        .await
        .unwrap();
    let req = SubscribeRealtimeLogRequest {
        queue_size: 64,
        device_i_ds: vec![],
        event_codes: vec![0x1000],
    };
    let mut stream = within(ev.subscribe_realtime_log(req))
        .await
        .unwrap()
        .into_inner();
    let mut verify_ids = Vec::new();
    for _ in 0..40 {
        let p = gw.append_punch(dev).unwrap();
        if p.event_code == 0x1000 {
            verify_ids.push(p.id);
        }
    }
    assert!(!verify_ids.is_empty());
    for want in verify_ids {
        let got = within(stream.message()).await.unwrap().unwrap();
        assert_eq!((got.id, got.event_code), (want, 0x1000));
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_status_reports_set_offline() {
    let running = serve(small(4)).await;
    let gw = running.gateway.clone();
    let dev = gw.device_ids()[3];
    let mut conn = ConnectClient::new(channel(&running).await);
    let mut stream = within(conn.subscribe_status(SubscribeStatusRequest { queue_size: 8 }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(gw.status_subscribers(), 1);

    gw.set_offline(dev, true);
    let change = within(stream.message()).await.unwrap().unwrap();
    assert_eq!(
        (change.device_id, change.status),
        (dev, ConnStatus::Disconnected as i32)
    );
    assert!(change.timestamp > 1_600_000_000);
    let list = within(conn.get_device_list(GetDeviceListRequest {}))
        .await
        .unwrap()
        .into_inner();
    let info = list
        .device_infos
        .iter()
        .find(|d| d.device_id == dev)
        .unwrap();
    assert_eq!(info.status, ConnStatus::Disconnected as i32);

    gw.set_offline(dev, true); // no change, no event
    gw.set_offline(dev, false);
    let change = within(stream.message()).await.unwrap().unwrap();
    assert_eq!(
        (change.device_id, change.status),
        (dev, ConnStatus::TlsConnected as i32)
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn punch_generator_streams_and_shutdown_ends_open_streams() {
    let mut cfg = small(8);
    cfg.punch_interval = Some(std::time::Duration::from_millis(20));
    // The history ends two days ago, so the plan's punches since then are due at once: the
    // generator records them (whatever the time of day this runs at) and streams them.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as u32;
    let gateway = Gateway::with_history_end(cfg, Workforce::default(), now - 2 * 86_400);
    let running = within(start(gateway, "127.0.0.1:0".parse().unwrap(), None))
        .await
        .unwrap();
    let gw = running.gateway.clone();
    let devs = tna_devices(&gw);
    let mut ev = EventClient::new(channel(&running).await);
    within(ev.enable_monitoring_multi(EnableMonitoringMultiRequest {
        device_i_ds: devs.clone(),
    }))
    .await
    .unwrap();
    let req = SubscribeRealtimeLogRequest {
        queue_size: 256,
        device_i_ds: vec![],
        event_codes: vec![],
    };
    let mut stream = within(ev.subscribe_realtime_log(req))
        .await
        .unwrap()
        .into_inner();
    let mut conn = ConnectClient::new(channel(&running).await);
    let mut status = within(conn.subscribe_status(SubscribeStatusRequest { queue_size: 1 }))
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    for _ in 0..3 {
        let e = within(stream.message()).await.unwrap().unwrap();
        assert!(devs.contains(&e.device_id));
        // Planned punches, in time order: a person of the site, a key.
        assert!(gw.plan().person(&e.user_id).is_some(), "{e:?}");
        assert!(e.tna_key != 0 || gw.tna_config(e.device_id).unwrap().mode == 0);
        assert!(last.is_none_or(|t| t <= e.timestamp));
        assert!(e.timestamp < now);
        last = Some(e.timestamp);
        let newest = gw.tna_logs(e.device_id, e.id, 0).unwrap();
        assert_eq!(
            newest.first().map(|l| l.id),
            Some(e.id),
            "streamed events are in the log"
        );
    }
    // Shutdown must not hang on the two open streams; they end with an error.
    within(running.shutdown()).await;
    // Events already queued for the stream come first (the generator caught up by hundreds).
    let ended = loop {
        match within(stream.message()).await {
            Ok(Some(_)) => continue,
            other => break other,
        }
    };
    assert!(ended.is_err(), "{ended:?}");
    assert!(within(status.message()).await.is_err());
}
