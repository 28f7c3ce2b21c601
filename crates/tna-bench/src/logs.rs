//! Benchmark 3 — Log download: the same device's logs read in the same pages (a) by a direct tonic
//! client and through the relay by WebSocket clients that decode every record, (b) with the
//! binary subprotocol (`tna_types::binary`, what the console uses) and (c) in JSON (the public
//! protocol, what scripts use), alternating runs so all see the same machine load. Prints
//! records/s for each and the ratios to direct; the budget is on the binary one.
//!
//! Also, without the network: what one page costs to encode on the relay and to decode on the
//! client, JSON vs binary (the choice the issue asked to measure on both sides).

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use gsdk_proto::tna::GetTnaLogRequest;
use gsdk_proto::tna::tna_client::TnaClient;
use tna_relay::{GatewayTarget, RelayConfig};
use tna_types::binary;
use tna_types::limits::MAX_LOG_PAGE;
use tna_types::protocol::{
    LogPageParams, Outcome, RequestId, Response, ServerMessage, encode_request, method,
};
use tna_types::{LogPage, TnaKey, TnaLog};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::report::{Report, median};

const GROUP: &str = "3. log download";
/// Budgets (binary subprotocol): the relay keeps ≥ 80 % of the direct rate and moves
/// ≥ 1,000,000 records/s.
const BUDGET_RATIO: f64 = 0.8;
const BUDGET_RATE: f64 = 1_000_000.0;
/// Encodes and decodes of one page in the codec figures.
const CODEC_RUNS: usize = 15;

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
    let mut json_rates = Vec::new();
    let result = async {
        let mut grpc = TnaClient::connect(url.clone())
            .await?
            .max_decoding_message_size(64 << 20);
        let ws_url = format!("ws://{}/ws", relay.addr());
        let mut request = ws_url.as_str().into_client_request()?;
        request
            .headers_mut()
            .insert("Sec-WebSocket-Protocol", binary::SUBPROTOCOL.parse()?);
        let (mut bin_ws, answer) =
            tokio_tungstenite::connect_async_with_config(request, None, true).await?;
        ensure!(
            answer.headers().get("Sec-WebSocket-Protocol").is_some(),
            "the relay took the binary subprotocol"
        );
        let (mut json_ws, _) =
            tokio_tungstenite::connect_async_with_config(ws_url, None, true).await?;
        for _ in 0..rounds {
            let started = Instant::now();
            let n = read_direct(&mut grpc, device).await?;
            ensure!(
                n == expected,
                "direct read {n} records, the device has {expected}"
            );
            direct_rates.push(n as f64 / started.elapsed().as_secs_f64());

            for (ws, rates) in [
                (&mut bin_ws, &mut relay_rates),
                (&mut json_ws, &mut json_rates),
            ] {
                let started = Instant::now();
                let n = read_relay(ws, device).await?;
                ensure!(
                    n == expected,
                    "relay read {n} records, the device has {expected}"
                );
                rates.push(n as f64 / started.elapsed().as_secs_f64());
            }
        }
        anyhow::Ok(())
    }
    .await;
    relay.shutdown().await;
    gateway.shutdown().await;
    result?;

    let direct = median(&mut direct_rates);
    let via_relay = median(&mut relay_rates);
    let via_json = median(&mut json_rates);
    let ratio = via_relay / direct;
    let what = format!("{expected} logs, pages of {MAX_LOG_PAGE}");
    report.add(GROUP, &format!("direct gRPC ({what})"), direct, "rec/s");
    report.budget(
        GROUP,
        "through the relay (WebSocket, binary subprotocol)",
        via_relay,
        "rec/s",
        "≥ 1,000,000/s",
        via_relay >= BUDGET_RATE,
    );
    report.budget(
        GROUP,
        "relay (binary) / direct",
        ratio,
        "ratio",
        "≥ 0.8",
        ratio >= BUDGET_RATIO,
    );
    report.add(
        GROUP,
        "through the relay (WebSocket, JSON)",
        via_json,
        "rec/s",
    );
    report.add(GROUP, "relay (JSON) / direct", via_json / direct, "ratio");
    codec(report)?;
    Ok(())
}

/// One page of [`MAX_LOG_PAGE`] records encoded and decoded both ways, without the network:
/// the median of [`CODEC_RUNS`] of each, in ns per record, and the sizes.
fn codec(report: &mut Report) -> anyhow::Result<()> {
    let logs: Vec<TnaLog> = (0..MAX_LOG_PAGE)
        .map(|i| TnaLog {
            id: i,
            timestamp: 1_764_547_200 + i * 7,
            device_id: gateway_sim::FIRST_DEVICE_ID,
            user_id: format!("{}", 1_000 + i % 500),
            event_code: 0x1300,
            sub_code: i % 3,
            tna_key: TnaKey::new((i % 4 + 1) as u8).ok(),
        })
        .collect();
    let page = LogPage::from_read(logs, 0, MAX_LOG_PAGE);
    let per_record = |d: std::time::Duration| d.as_nanos() as f64 / f64::from(MAX_LOG_PAGE);
    let mut times = [const { Vec::new() }; 4];
    let (mut json_len, mut bin_len) = (0, 0);
    for _ in 0..CODEC_RUNS {
        let t = Instant::now();
        let json = encode_result(7, &page)?;
        times[0].push(per_record(t.elapsed()));
        let t = Instant::now();
        let back: LogPage<TnaLog> = match ServerMessage::decode(&json) {
            Ok(ServerMessage::Response(r)) => r.into_result()?,
            _ => bail!("the JSON page does not read back"),
        };
        times[1].push(per_record(t.elapsed()));
        ensure!(back == page, "JSON round trip");
        let t = Instant::now();
        let bin = binary::encode_reply(7, &page)?;
        times[2].push(per_record(t.elapsed()));
        let t = Instant::now();
        let back: LogPage<TnaLog> = match binary::read_frame(&bin)? {
            binary::ServerFrame::Result(_, body) => binary::decode_result(body)?,
            other => bail!("not a result: {other:?}"),
        };
        times[3].push(per_record(t.elapsed()));
        ensure!(back == page, "binary round trip");
        (json_len, bin_len) = (json.len(), bin.len());
    }
    let names = [
        "JSON encode (relay)",
        "JSON decode (client)",
        "binary encode (relay)",
        "binary decode (client)",
    ];
    for (name, t) in names.iter().zip(times.iter_mut()) {
        report.add(GROUP, &format!("{name}, per record"), median(t), "ns");
    }
    report.add(
        GROUP,
        &format!("one page of {MAX_LOG_PAGE}: JSON / binary size"),
        json_len as f64 / bin_len as f64,
        "ratio",
    );
    Ok(())
}

/// A JSON response frame for `result`, as the relay writes one.
fn encode_result(id: i64, page: &LogPage<TnaLog>) -> anyhow::Result<String> {
    Ok(Response {
        id: Some(RequestId::Number(id)),
        outcome: Outcome::Result(serde_json::value::to_raw_value(page)?),
    }
    .to_text())
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
                Some(Ok(Message::Binary(b))) => match binary::read_frame(&b)? {
                    binary::ServerFrame::Result(rid, body) => {
                        ensure!(rid == id, "answer {rid} to request {id}");
                        break binary::decode_result(body)?;
                    }
                    binary::ServerFrame::Push(_) => continue,
                    binary::ServerFrame::Error(_, e) => bail!("the relay refused: {e}"),
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
