//! TLS: a client trusting the generated CA gets through; one trusting another CA does not.

mod common;

use common::{small, within};
use gateway_sim::{Gateway, generate_tls, start};
use gsdk_proto::connect::GetDeviceListRequest;
use gsdk_proto::connect::connect_client::ConnectClient;
use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_round_trip_and_wrong_ca_rejected() {
    let dir = std::env::temp_dir().join(format!("gateway-sim-tls-test-{}", std::process::id()));
    let tls = generate_tls(Some(&dir)).unwrap();
    for f in ["ca.crt", "server.crt", "server.key"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(text.starts_with("-----BEGIN"), "{f} is PEM");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("ca.crt")).unwrap(),
        tls.ca_cert_pem
    );

    let running = within(start(
        Gateway::new(small(1)),
        "127.0.0.1:0".parse().unwrap(),
        Some(&tls),
    ))
    .await
    .unwrap();
    let url = format!("https://127.0.0.1:{}", running.addr.port());

    let good = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&tls.ca_cert_pem))
        .domain_name("localhost");
    let ch = within(
        Endpoint::from_shared(url.clone())
            .unwrap()
            .tls_config(good)
            .unwrap()
            .connect(),
    )
    .await
    .unwrap();
    let list = within(ConnectClient::new(ch).get_device_list(GetDeviceListRequest {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.device_infos.len(), 12);

    let other = generate_tls(None).unwrap();
    let bad = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&other.ca_cert_pem))
        .domain_name("localhost");
    let endpoint = Endpoint::from_shared(url.clone())
        .unwrap()
        .tls_config(bad)
        .unwrap();
    match within(endpoint.connect()).await {
        Err(_) => {}
        Ok(ch) => {
            let r = within(ConnectClient::new(ch).get_device_list(GetDeviceListRequest {})).await;
            assert!(r.is_err(), "a client trusting another CA must fail");
        }
    }

    // A plaintext client cannot talk to the TLS server either.
    let plain = Endpoint::from_shared(format!("http://127.0.0.1:{}", running.addr.port())).unwrap();
    if let Ok(ch) = within(plain.connect()).await {
        let r = within(ConnectClient::new(ch).get_device_list(GetDeviceListRequest {})).await;
        assert!(r.is_err());
    }
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
