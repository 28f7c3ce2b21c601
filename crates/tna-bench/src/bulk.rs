//! Benchmark 4 — Bulk apply: `tna.setConfigMulti` to 1,000 emulated devices through the relay, timed until
//! every per-device result is back; once without emulated latency and once with 50 ms per device.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use tna_relay::{GatewayTarget, RelayConfig};
use tna_types::protocol::{
    ResultsResult, ServerMessage, SetConfigMultiParams, encode_request, method,
};
use tna_types::{TnaConfig, TnaMode};
use tokio_tungstenite::tungstenite::Message;

use crate::report::{Report, median};

const GROUP: &str = "4. bulk apply";
/// Budget: median time for 1,000 devices without latency.
const BUDGET_MS: f64 = 2_000.0;
const LATENCY: Duration = Duration::from_millis(50);
/// Devices per `tna.setConfigMulti` call in the console's Bulk page (`BATCH` in src/pages/bulk.rs).
const CONSOLE_BATCH: usize = 10;

pub async fn run(quick: bool, report: &mut Report) -> anyhow::Result<()> {
    let want = if quick { 20 } else { 1_000 };
    let runs = if quick { 1 } else { 5 };
    // About a tenth of simulated devices have no T&A; make enough to find `want` that do.
    let sim = Gateway::new(SimConfig {
        devices: want as u32 * 13 / 10 + 10,
        logs_per_device: 10,
        seed: 3,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    });
    let targets: Vec<u32> = sim
        .device_ids()
        .into_iter()
        .filter(|&id| sim.tna_supported(id) == Some(true))
        .take(want)
        .collect();
    ensure!(
        targets.len() == want,
        "only {} T&A devices in the emulator",
        targets.len()
    );
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let gateway = gateway_sim::start(sim.clone(), loopback, None).await?;
    let relay = tna_relay::start(RelayConfig::new(
        loopback,
        GatewayTarget::Remote {
            url: format!("http://{}", gateway.addr),
            ca_cert: None,
        },
    ))
    .await?;

    let result = async {
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(
            format!("ws://{}/ws", relay.addr()),
            None,
            true,
        )
        .await?;
        let mut plain = Vec::new();
        for i in 0..runs {
            plain.push(apply(&mut ws, &targets, i).await?);
        }
        let mut batched = Vec::new();
        for i in 0..runs {
            let started = Instant::now();
            for (b, chunk) in targets.chunks(CONSOLE_BATCH).enumerate() {
                apply(&mut ws, chunk, 1_000 * (i + 1) + b).await?;
            }
            batched.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        for &id in &targets {
            sim.set_latency(id, LATENCY);
        }
        let mut slow = Vec::new();
        for i in 0..runs {
            slow.push(apply(&mut ws, &targets, runs + i).await?);
        }
        anyhow::Ok((plain, batched, slow))
    }
    .await;
    relay.shutdown().await;
    gateway.shutdown().await;
    let (mut plain, mut batched, mut slow) = result?;
    let m = median(&mut plain);
    report.budget(
        GROUP,
        &format!("{want} devices, no latency (median of {runs})"),
        m,
        "ms",
        "≤ 2,000 ms",
        m <= BUDGET_MS,
    );
    report.add(
        GROUP,
        &format!("{want} devices, the console's way (batches of {CONSOLE_BATCH})"),
        median(&mut batched),
        "ms",
    );
    report.add(
        GROUP,
        &format!("{want} devices, 50 ms per device"),
        median(&mut slow),
        "ms",
    );
    Ok(())
}

/// One apply with a config that differs per run (so every run really writes); returns ms.
async fn apply(ws: &mut crate::logs::Ws, targets: &[u32], run: usize) -> anyhow::Result<f64> {
    let mut config = TnaConfig {
        mode: TnaMode::ByUser,
        ..Default::default()
    };
    config.labels[0] = format!("In {run}");
    config.labels[1] = "Out".into();
    let params = SetConfigMultiParams {
        device_ids: targets.to_vec(),
        config,
        operation_id: None,
    };
    let started = Instant::now();
    ws.send(Message::Text(
        encode_request::<method::TnaSetConfigMulti>(run as i64 + 1, &params).into(),
    ))
    .await?;
    let result: ResultsResult = loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => match ServerMessage::decode(t.as_str()) {
                Ok(ServerMessage::Response(r)) => {
                    break r.into_result().context("setConfigMulti")?;
                }
                Ok(ServerMessage::Notification(_)) => continue,
                Err(e) => bail!("bad frame: {e}"),
            },
            Some(Ok(_)) => continue,
            other => bail!("socket ended: {other:?}"),
        }
    };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    ensure!(
        result.results.len() == targets.len(),
        "{} results for {} devices",
        result.results.len(),
        targets.len()
    );
    let failed = result.results.iter().filter(|r| !r.ok).count();
    ensure!(failed == 0, "{failed} devices failed");
    Ok(ms)
}
