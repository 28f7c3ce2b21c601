//! Same seed ⇒ same site; different seed ⇒ different site; construction is fast.

mod common;

use std::time::Instant;

use common::{channel, serve, small, within};
use gateway_sim::{Gateway, SimConfig};
use gsdk_proto::connect::GetDeviceListRequest;
use gsdk_proto::connect::connect_client::ConnectClient;
use gsdk_proto::device::Type;

#[test]
fn same_seed_same_site_different_seed_differs() {
    let a = Gateway::new(small(42));
    let b = Gateway::new(small(42));
    let c = Gateway::new(small(43));
    assert_eq!(a.device_ids(), b.device_ids());
    assert_eq!(a.device_ids().len(), 12);
    for id in a.device_ids() {
        assert_eq!(a.tna_supported(id), b.tna_supported(id));
        assert_eq!(a.tna_config(id), b.tna_config(id));
        assert_eq!(a.log_count(id), b.log_count(id));
        assert_eq!(a.tna_logs(id, 0, 0), b.tna_logs(id, 0, 0));
    }
    assert_ne!(a.device_ids(), c.device_ids());
    let logs_a: Vec<_> = a
        .device_ids()
        .iter()
        .map(|&id| a.tna_logs(id, 0, 50))
        .collect();
    let logs_c: Vec<_> = c
        .device_ids()
        .iter()
        .map(|&id| c.tna_logs(id, 0, 50))
        .collect();
    assert_ne!(logs_a, logs_c);
}

#[test]
fn site_has_every_kind_of_device_and_sane_data() {
    let gw = Gateway::new(SimConfig {
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        ..SimConfig::default()
    });
    let ids = gw.device_ids();
    assert_eq!(ids.len(), 50);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "IDs are increasing serials"
    );
    assert!(
        ids.iter().any(|&id| gw.tna_supported(id) == Some(false)),
        "some device lacks T&A"
    );
    assert!(
        ids.iter()
            .any(|&id| gw.tna_supported(id) == Some(true)
                && gw.job_code_supported(id) == Some(false))
    );
    // Home devices of the workforce hold the newest 10,000 of its punches; T&A devices nobody
    // calls home (T&A unused, or FIXED on another key than check-in) hold none.
    let homes = gw.plan().home_devices();
    assert!(!homes.is_empty());
    for id in ids {
        match gw.tna_config(id) {
            Some(cfg) => {
                assert_eq!(cfg.labels.len(), 16);
                assert_eq!(cfg.schedules.len(), 16);
                let logs = gw.tna_logs(id, 0, 0).unwrap();
                if !homes.contains(&id) {
                    assert!(logs.is_empty(), "device {id} is nobody's home");
                    continue;
                }
                assert_eq!(logs.len(), 10_000);
                assert!(logs.windows(2).all(|w| w[1].id == w[0].id + 1), "no gaps");
                assert!(
                    logs.windows(2).all(|w| w[1].timestamp >= w[0].timestamp),
                    "time ordered"
                );
                // Every punch is a person's, with the key the device's mode records.
                assert!(logs.iter().all(|l| (1..=6).contains(&l.tna_key)));
                assert!(logs.iter().all(|l| !l.user_id.is_empty()));
                assert!(
                    logs.iter()
                        .all(|l| [0x1000, 0x1300].contains(&l.event_code))
                );
                match cfg.mode {
                    4 => assert!(logs.iter().all(|l| l.tna_key == cfg.key), "FIXED"),
                    2 => assert!(logs.iter().all(|l| [1, 2].contains(&l.tna_key)), "schedule"),
                    _ => {}
                }
            }
            None => assert_eq!(gw.tna_supported(id), Some(false)),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_list_over_grpc_is_deterministic() {
    let one = serve(small(5)).await;
    let two = serve(small(5)).await;
    let list = |ch| async move {
        let mut c = ConnectClient::new(ch);
        within(c.get_device_list(GetDeviceListRequest {}))
            .await
            .unwrap()
            .into_inner()
            .device_infos
    };
    let a = list(channel(&one).await).await;
    let b = list(channel(&two).await).await;
    assert_eq!(a, b);
    assert_eq!(a.len(), 12);
    assert_eq!(a[0].r#type, Type::BiostationA2 as i32);
    for d in &a {
        assert_eq!(d.port, 51211);
        assert!(d.use_ssl);
        assert!(d.ip_addr.starts_with("192.168."));
        assert_eq!(d.status, gsdk_proto::connect::Status::TlsConnected as i32);
    }
    one.shutdown().await;
    two.shutdown().await;
}

#[test]
fn construction_is_fast() {
    let t = Instant::now();
    let site = Gateway::new(SimConfig {
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        ..SimConfig::default()
    });
    let site_time = t.elapsed();
    let t = Instant::now();
    // One device: the default workforce is as large as fills 200,000 records within a year.
    let big = Gateway::new(SimConfig {
        devices: 1,
        logs_per_device: 200_000,
        seed: 1,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    });
    let big_time = t.elapsed();
    println!(
        "50 x 10,000 logs: {site_time:?}; 1 x 200,000 logs: {big_time:?} ({} people)",
        big.plan().people().len()
    );
    assert_eq!(big.log_count(big.device_ids()[0]), Some(200_000));
    assert_eq!(site.device_ids().len(), 50);
    // Generous bounds: this also runs unoptimised on a busy 2-core machine.
    assert!(site_time.as_secs() < 10 && big_time.as_secs() < 10);
}
