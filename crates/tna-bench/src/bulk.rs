//! Benchmark 4 — Bulk apply through the relay (with its archive, so every write is audited and
//! the archive sync reads the devices in the background, as after any real start), timed until
//! every per-device result is back:
//! - 1,000 devices without latency: one `tna.setConfigMulti` of all of them, and the console's
//!   way;
//! - 1,000 devices with 300 ms emulated latency on every call and 2 % of them failing, the
//!   console's way (budget ≤ 3 s) and, for comparison, as one call of all of them;
//! - 10,000 devices the same way (full mode only, reported without a budget).
//!
//! "The console's way" is the schedule the Bulk page's `ApplyFlow` and `tnactl apply` use,
//! `tna_types::bulk::Run` (batch size, batches in flight, order, one `operationId`), driven here
//! over one real WebSocket to a real relay in front of a real gateway-sim over TCP. Every run
//! checks that each device has exactly one row and that exactly the failing devices failed.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, RunningGateway, SimConfig};
use tna_relay::{GatewayTarget, RelayConfig, RunningRelay};
use tna_types::bulk::{self, BatchError, DeviceOutcome};
use tna_types::protocol::{
    RequestId, ResultsResult, ServerMessage, SetConfigMultiParams, encode_request, method,
};
use tna_types::{TnaConfig, TnaMode};
use tokio_tungstenite::tungstenite::Message;

use crate::logs::Ws;
use crate::report::{Report, median};

const GROUP: &str = "4. bulk apply";
/// Budget: median time for 1,000 devices in one call without latency.
const BUDGET_MS: f64 = 2_000.0;
/// Budget: the console's way, 1,000 devices at [`LATENCY`], to the last result.
const BUDGET_SLOW_MS: f64 = 3_000.0;
/// Emulated latency of every call on every target: what a real device takes to apply a config.
const LATENCY: Duration = Duration::from_millis(300);
/// One device in this many fails its write (2 %).
const FAIL_EVERY: usize = 50;
/// The schedule every emulated device has ("Office hours"): the config names it, so the relay
/// checks every target's schedules before writing, as for a real config with schedules.
const SCHEDULE: u32 = 2;

/// One emulator + relay (with a SQLite archive) on loopback.
struct Setup {
    sim: Gateway,
    gateway: RunningGateway,
    relay: RunningRelay,
    targets: Vec<u32>,
    _dir: tempfile::TempDir,
}

impl Setup {
    /// `want` T&A targets; with `latency`, every target answers every call after it and every
    /// [`FAIL_EVERY`]-th fails its writes, from before the relay starts.
    async fn start(want: usize, latency: Option<Duration>) -> anyhow::Result<Setup> {
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
        if let Some(latency) = latency {
            for &id in &targets {
                sim.set_latency(id, latency);
            }
            for &id in failing(&targets) {
                sim.fail_set_config(id, true);
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("tna-bench-bulk")
            .tempdir()?;
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let gateway = gateway_sim::start(sim.clone(), loopback, None).await?;
        let mut config = RelayConfig::new(
            loopback,
            GatewayTarget::Remote {
                url: format!("http://{}", gateway.addr),
                ca_cert: None,
            },
        );
        config.archive = Some(format!(
            "sqlite://{}",
            dir.path().join("archive.db").display()
        ));
        let relay = match tna_relay::start(config).await {
            Ok(r) => r,
            Err(e) => {
                gateway.shutdown().await;
                return Err(e.into());
            }
        };
        Ok(Setup {
            sim,
            gateway,
            relay,
            targets,
            _dir: dir,
        })
    }

    async fn socket(&self) -> anyhow::Result<Ws> {
        let (ws, _) = tokio_tungstenite::connect_async_with_config(
            format!("ws://{}/ws", self.relay.addr()),
            None,
            true,
        )
        .await?;
        Ok(ws)
    }

    async fn stop(self) {
        self.relay.shutdown().await;
        self.gateway.shutdown().await;
    }
}

/// The targets made to fail: every [`FAIL_EVERY`]-th.
fn failing(targets: &[u32]) -> impl Iterator<Item = &u32> {
    targets.iter().skip(FAIL_EVERY - 1).step_by(FAIL_EVERY)
}

/// A config that differs per run (so every run really writes) and names a schedule.
fn config(run: usize) -> TnaConfig {
    let mut config = TnaConfig {
        mode: TnaMode::ByUser,
        ..Default::default()
    };
    config.labels[0] = format!("In {run}");
    config.labels[1] = "Out".into();
    config.schedules[0] = SCHEDULE;
    config
}

pub async fn run(quick: bool, report: &mut Report) -> anyhow::Result<()> {
    let want = if quick { 100 } else { 1_000 };
    let runs = if quick { 1 } else { 5 };
    let mut next_id = 0i64;

    // Without latency.
    let setup = Setup::start(want, None).await?;
    let result = async {
        let mut ws = setup.socket().await?;
        let mut plain = Vec::new();
        let mut console = Vec::new();
        for i in 0..runs {
            plain.push(one_call(&mut ws, &setup.targets, &config(i), &mut next_id).await?);
            let (ms, _) =
                console_way(&mut ws, &setup.targets, &config(100 + i), &[], &mut next_id).await?;
            console.push(ms);
        }
        anyhow::Ok((plain, console))
    }
    .await;
    setup.stop().await;
    let (mut plain, mut console) = result?;
    let m = median(&mut plain);
    report.budget(
        GROUP,
        &format!("{want} devices, one call, no latency (median of {runs})"),
        m,
        "ms",
        "≤ 2,000 ms",
        m <= BUDGET_MS,
    );
    report.add(
        GROUP,
        &format!("{want} devices, the console's way, no latency (median of {runs})"),
        median(&mut console),
        "ms",
    );

    // At real latency, 2 % failing: the console's way, then one call of all of them.
    let slow_runs = if quick { 1 } else { 3 };
    let setup = Setup::start(want, Some(LATENCY)).await?;
    let result = async {
        let mut ws = setup.socket().await?;
        let fail: Vec<u32> = failing(&setup.targets).copied().collect();
        let mut console = Vec::new();
        let mut shape = String::new();
        for i in 0..slow_runs {
            let (ms, s) = console_way(
                &mut ws,
                &setup.targets,
                &config(200 + i),
                &fail,
                &mut next_id,
            )
            .await?;
            console.push(ms);
            shape = s;
        }
        // Every device that did not fail holds the config of the last run.
        let last = config(200 + slow_runs - 1);
        for &id in &setup.targets {
            let held = setup.sim.tna_config(id).context("device config")?;
            ensure!(
                (held.labels[0] == last.labels[0]) != fail.contains(&id),
                "device {id}: holds {:?} after the apply",
                held.labels[0]
            );
        }
        let single = one_call_expecting(
            &mut ws,
            &setup.targets,
            &config(300),
            fail.len(),
            &mut next_id,
        )
        .await?;
        anyhow::Ok((console, shape, single))
    }
    .await;
    setup.stop().await;
    let (mut console, shape, single) = result?;
    let ms = LATENCY.as_millis();
    let m = median(&mut console);
    report.budget(
        GROUP,
        &format!(
            "{want} devices, {ms} ms per device, 2 % failing: the console's way ({shape}), to the last result (median of {slow_runs})"
        ),
        m,
        "ms",
        "≤ 3,000 ms",
        m <= BUDGET_SLOW_MS,
    );
    report.add(
        GROUP,
        &format!("{want} devices, {ms} ms per device, 2 % failing: one call of all of them"),
        single,
        "ms",
    );

    if !quick {
        let big = 10_000;
        let setup = Setup::start(big, Some(LATENCY)).await?;
        let result = async {
            let mut ws = setup.socket().await?;
            let fail: Vec<u32> = failing(&setup.targets).copied().collect();
            console_way(&mut ws, &setup.targets, &config(400), &fail, &mut next_id).await
        }
        .await;
        setup.stop().await;
        let (ms_big, shape) = result?;
        report.add(
            GROUP,
            &format!(
                "{big} devices, {ms} ms per device, 2 % failing: the console's way ({shape}), to the last result"
            ),
            ms_big,
            "ms",
        );
    }
    Ok(())
}

/// The console's way: the shared schedule (`bulk::Run` with the console's window) sends the
/// batches over `ws`, one operation ID; returns the time to the last result and the plan in
/// words, after checking every device has exactly one row and exactly `fail` failed.
async fn console_way(
    ws: &mut Ws,
    targets: &[u32],
    config: &TnaConfig,
    fail: &[u32],
    next_id: &mut i64,
) -> anyhow::Result<(f64, String)> {
    let operation = bulk::operation_id(*next_id as u64, 0xbe7c);
    let mut run = bulk::Run::new(targets, bulk::WINDOW);
    let shape = format!(
        "{} batches of ≤ {}, {} in flight",
        run.batches(),
        run.batch_size(),
        run.window()
    );
    let mut out: HashMap<i64, usize> = HashMap::new();
    let mut rows: Vec<(u32, DeviceOutcome)> = Vec::with_capacity(targets.len());
    let mut answered = 0;
    let started = Instant::now();
    while !run.finished() {
        while let Some(batch) = run.next_batch() {
            *next_id += 1;
            let params = SetConfigMultiParams {
                device_ids: batch.devices.to_vec(),
                config: config.clone(),
                operation_id: Some(operation.clone()),
            };
            out.insert(*next_id, batch.index);
            ws.send(Message::Text(
                encode_request::<method::TnaSetConfigMulti>(*next_id, &params).into(),
            ))
            .await?;
        }
        let (id, answer) = response(ws).await?;
        let Some(index) = out.remove(&id) else {
            bail!("an answer to request {id}, which was not sent");
        };
        let answer = answer
            .into_result::<ResultsResult>()
            .map(|r| r.results)
            .map_err(|e| BatchError {
                code: Some(e.code),
                message: e.message,
            });
        rows.extend(run.answer(index, answer.as_deref()));
        answered += 1;
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "bench: bulk: {} devices the console's way ({shape}): {ms:.0} ms",
        targets.len()
    );
    ensure!(answered == run.batches(), "{answered} answers");
    ensure!(run.not_sent().is_empty(), "devices not sent");
    let mut seen: Vec<u32> = rows.iter().map(|r| r.0).collect();
    seen.sort_unstable();
    let mut want: Vec<u32> = targets.to_vec();
    want.sort_unstable();
    ensure!(seen == want, "not exactly one row per device");
    let mut failed: Vec<u32> = rows
        .iter()
        .filter(|r| r.1 != DeviceOutcome::Ok)
        .map(|r| r.0)
        .collect();
    failed.sort_unstable();
    let mut expected = fail.to_vec();
    expected.sort_unstable();
    if failed != expected {
        let sample: Vec<_> = rows
            .iter()
            .filter(|r| r.1 != DeviceOutcome::Ok)
            .take(3)
            .collect();
        bail!(
            "{} devices failed, expected {}: {sample:?}",
            failed.len(),
            expected.len()
        );
    }
    Ok((ms, shape))
}

/// One `tna.setConfigMulti` of all `targets`, none failing; returns ms.
async fn one_call(
    ws: &mut Ws,
    targets: &[u32],
    config: &TnaConfig,
    next_id: &mut i64,
) -> anyhow::Result<f64> {
    one_call_expecting(ws, targets, config, 0, next_id).await
}

/// One `tna.setConfigMulti` of all `targets` with `failures` devices failing; returns ms.
async fn one_call_expecting(
    ws: &mut Ws,
    targets: &[u32],
    config: &TnaConfig,
    failures: usize,
    next_id: &mut i64,
) -> anyhow::Result<f64> {
    *next_id += 1;
    let params = SetConfigMultiParams {
        device_ids: targets.to_vec(),
        config: config.clone(),
        operation_id: None,
    };
    let started = Instant::now();
    ws.send(Message::Text(
        encode_request::<method::TnaSetConfigMulti>(*next_id, &params).into(),
    ))
    .await?;
    let (id, answer) = response(ws).await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    ensure!(id == *next_id, "answer to {id}, expected {next_id}");
    let result: ResultsResult = answer.into_result().context("setConfigMulti")?;
    ensure!(
        result.results.len() == targets.len(),
        "{} results for {} devices",
        result.results.len(),
        targets.len()
    );
    let failed = result.results.iter().filter(|r| !r.ok).count();
    ensure!(
        failed == failures,
        "{failed} devices failed, expected {failures}"
    );
    Ok(ms)
}

/// The next response on `ws` (pushes skipped): its numeric ID and the response.
async fn response(ws: &mut Ws) -> anyhow::Result<(i64, tna_types::protocol::Response)> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(t))) => match ServerMessage::decode(t.as_str()) {
                Ok(ServerMessage::Response(r)) => match r.id {
                    Some(RequestId::Number(id)) => return Ok((id, r)),
                    other => bail!("a response without a numeric ID: {other:?}"),
                },
                Ok(ServerMessage::Notification(_)) => continue,
                Err(e) => bail!("bad frame: {e}"),
            },
            Some(Ok(_)) => continue,
            other => bail!("socket ended: {other:?}"),
        }
    }
}
