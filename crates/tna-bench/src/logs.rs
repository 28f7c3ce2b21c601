//! Benchmark 3 — Log download: the same device's logs read in the same pages (a) by a direct tonic client
//! and (b) through the relay by a WebSocket client that decodes every record, alternating runs
//! so both see the same machine load. Prints records/s for both and their ratio.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use gsdk_proto::tna::GetTnaLogRequest;
use gsdk_proto::tna::tna_client::TnaClient;
use tna_relay::{GatewayTarget, RelayConfig};
use tna_types::limits::MAX_LOG_PAGE;
use tna_types::protocol::{LogPageParams, ServerMessage, encode_request, method};
use tna_types::{LogPage, TnaLog};
use tokio_tungstenite::tungstenite::Message;

use crate::report::{Report, median};

const GROUP: &str = "3. log download";
/// Budgets: the relay keeps ≥ 80 % of the direct rate and moves ≥ 200,000 records/s.
const BUDGET_RATIO: f64 = 0.8;
const BUDGET_RATE: f64 = 200_000.0;

pub async fn run(quick: bool, report: &mut Report) -> anyhow::Result<()> {
    let logs = if quick { 2_000 } else { 200_000 };
    let rounds = if quick { 1 } else { 3 };
    let sim = Gateway::new(SimConfig {
        devices: 4,
        logs_per_device: logs,
        seed: 1,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    });
    let device = *sim.device_ids().first().context("a device")?;
    let expected = sim.log_count(device).context("device logs")?;
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(sim, loopback, None).await?;
    let url = format!("http://{}", gateway.addr);
    let relay = tna_relay::start(RelayConfig::new(
        loopback,
        GatewayTarget::Remote {
            url: url.clone(),
            ca_cert: None,
        },
    ))
    .await?;

    let mut direct_rates = Vec::new();
    let mut relay_rates = Vec::new();
    let result = async {
        let mut grpc = TnaClient::connect(url.clone())
            .await?
            .max_decoding_message_size(64 << 20);
        let ws_url = format!("ws://{}/ws", relay.addr());
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(ws_url, None, true).await?;
        for _ in 0..rounds {
            let started = Instant::now();
            let n = read_direct(&mut grpc, device).await?;
            ensure!(
                n == expected,
                "direct read {n} records, the device has {expected}"
            );
            direct_rates.push(n as f64 / started.elapsed().as_secs_f64());

            let started = Instant::now();
            let n = read_relay(&mut ws, device).await?;
            ensure!(
                n == expected,
                "relay read {n} records, the device has {expected}"
            );
            relay_rates.push(n as f64 / started.elapsed().as_secs_f64());
        }
        anyhow::Ok(())
    }
    .await;
    relay.shutdown().await;
    gateway.shutdown().await;
    result?;

    let direct = median(&mut direct_rates);
    let via_relay = median(&mut relay_rates);
    let ratio = via_relay / direct;
    let what = format!("{expected} logs, pages of {MAX_LOG_PAGE}");
    report.add(GROUP, &format!("direct gRPC ({what})"), direct, "rec/s");
    report.budget(
        GROUP,
        "through the relay (WebSocket)",
        via_relay,
        "rec/s",
        "≥ 200,000/s",
        via_relay >= BUDGET_RATE,
    );
    report.budget(
        GROUP,
        "relay / direct",
        ratio,
        "ratio",
        "≥ 0.8",
        ratio >= BUDGET_RATIO,
    );
    Ok(())
}

async fn read_direct(
    client: &mut TnaClient<tonic::transport::Channel>,
    device: u32,
) -> anyhow::Result<usize> {
    let mut start = 0;
    let mut total = 0;
    loop {
        let req = GetTnaLogRequest {
            device_id: device,
            start_event_id: start,
            max_num_of_log: MAX_LOG_PAGE,
            filter: None,
        };
        let page = client.get_tna_log(req).await?.into_inner().tna_events;
        total += page.len();
        match page.last() {
            Some(last) if page.len() == MAX_LOG_PAGE as usize => start = last.id + 1,
            _ => return Ok(total),
        }
    }
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn read_relay(ws: &mut Ws, device: u32) -> anyhow::Result<usize> {
    let mut start = 0;
    let mut total = 0;
    let mut id = 0;
    loop {
        id += 1;
        let params = LogPageParams {
            device_id: device,
            start_event_id: start,
            limit: MAX_LOG_PAGE,
        };
        ws.send(Message::Text(
            encode_request::<method::TnaGetLog>(id, &params).into(),
        ))
        .await?;
        let page: LogPage<TnaLog> = loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => match ServerMessage::decode(t.as_str()) {
                    Ok(ServerMessage::Response(r)) => break r.into_result()?,
                    Ok(ServerMessage::Notification(_)) => continue,
                    Err(e) => bail!("bad frame: {e}"),
                },
                Some(Ok(_)) => continue,
                other => bail!("socket ended: {other:?}"),
            }
        };
        total += page.logs.len();
        if page.done {
            return Ok(total);
        }
        start = page.next_start_event_id;
    }
}
