//! Benchmark 8 — Clients that never read (issue #14): the relay runs in its own process (this
//! binary with `--abuse-server`: the release relay on the demo emulator, with a SQLite archive
//! the relay fills itself). [`CLIENTS`] clients each open a socket with a small receive buffer
//! and fire `archive.logs` pages of [`MAX_QUERY_LIMIT`] rows for [`FLOOD`], never reading a
//! byte. Meanwhile one normal client asks `devices.list` every [`PROBE_EVERY`]. Reported: the
//! relay's `VmRSS` before, its peak (sampled every 100 ms) and after the flooders closed (the
//! relay closes them itself: write timeout / outbox full), and the normal client's latency.
//!
//! `--quick`: 5 clients for 3 s.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use futures::{SinkExt, StreamExt};
use gateway_sim::SimConfig;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::Command;
use tna_relay::{GatewayTarget, RelayConfig};
use tna_types::archive::MAX_QUERY_LIMIT;

use tokio::net::TcpSocket;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::fanout::{kib_to_mb, proc_status_kib, stdin_reader, stdout_writer, until_eof};
use crate::report::{Report, median};

const GROUP: &str = "8. non-reading clients";
/// Non-reading clients in full mode.
const CLIENTS: usize = 50;
const QUICK_CLIENTS: usize = 5;
/// How long each fires requests.
const FLOOD: Duration = Duration::from_secs(10);
const QUICK_FLOOD: Duration = Duration::from_secs(3);
/// Requests each non-reading client sends per second.
const REQUESTS_PER_SECOND: u64 = 20;
/// The normal client's `devices.list` interval.
const PROBE_EVERY: Duration = Duration::from_millis(250);
/// Emulated devices and logs each (the archive the flooders read).
const DEVICES: u32 = 20;
const LOGS_PER_DEVICE: u32 = 2_000;
/// Archived rows to wait for before the flood starts.
const ARCHIVE_READY_ROWS: usize = 5_000;
/// After the flood the non-reading sockets stay open (never read) this long: the relay must
/// close them itself within its write timeout.
const AFTER_FLOOD: Duration = Duration::from_secs(15);
/// Then this long for the memory to settle before the after-close figure.
const SETTLE: Duration = Duration::from_secs(3);
const STEP: Duration = Duration::from_secs(30);

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The child process: a relay with the demo emulator and an archive; prints `url ws://…` and
/// serves until stdin closes.
pub async fn serve() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("abuse-archive.db");
    let relay = tna_relay::start(RelayConfig {
        archive: Some(format!("sqlite://{}", db.display())),
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Demo(SimConfig {
                devices: DEVICES,
                logs_per_device: LOGS_PER_DEVICE,
                seed: 14,
                punch_interval: None,
                first_device_id: gateway_sim::FIRST_DEVICE_ID,
                zone: None,
            }),
        )
    })
    .await?;
    let out = stdout_writer();
    let mut commands = stdin_reader();
    out.send(format!("url {}\n", relay.addr()))
        .map_err(|_| anyhow!("stdout is closed"))?;
    until_eof(&mut commands).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), relay.shutdown()).await;
    Ok(())
}

pub async fn run(quick: bool, report: &mut Report) -> anyhow::Result<()> {
    let (clients, flood) = if quick {
        (QUICK_CLIENTS, QUICK_FLOOD)
    } else {
        (CLIENTS, FLOOD)
    };
    let exe = std::env::current_exe().context("the benchmark's own executable")?;
    let mut child = Command::new(exe)
        .arg("--abuse-server")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("start the relay process")?;
    let pid = child.id();
    let stdout = child.stdout.take().context("the relay's stdout")?;
    let line = tokio::time::timeout(
        STEP,
        tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        }),
    )
    .await
    .context("the relay did not start in time")???;
    let line = line.trim();
    let addr: SocketAddr = line
        .strip_prefix("url ")
        .context("expected `url ADDR`")?
        .parse()?;
    let result = measure(addr, pid, clients, flood).await;
    // The relay ends when its stdin closes; killed if it has not after a few seconds.
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let m = result?;
    report.add(
        GROUP,
        &format!("non-reading clients × archive.logs {MAX_QUERY_LIMIT} rows"),
        m.clients as f64,
        "clients",
    );
    report.add(GROUP, "relay RSS before", kib_to_mb(m.rss_before), "MB");
    report.add(
        GROUP,
        "relay RSS peak during the flood",
        kib_to_mb(m.rss_peak),
        "MB",
    );
    report.add(
        GROUP,
        "relay RSS after they were closed",
        kib_to_mb(m.rss_after),
        "MB",
    );
    report.add(
        GROUP,
        "requests sent by the non-reading clients",
        m.sent as f64,
        "requests",
    );
    report.add(
        GROUP,
        "non-reading sockets the relay closed itself",
        m.closed_by_relay as f64,
        "sockets",
    );
    report.add(
        GROUP,
        "devices.list answered meanwhile",
        m.probes_ok as f64,
        "answers",
    );
    report.add(
        GROUP,
        "devices.list not answered meanwhile",
        m.probes_failed as f64,
        "calls",
    );
    report.add(
        GROUP,
        "devices.list latency meanwhile (median)",
        m.probe_p50_ms,
        "ms",
    );
    report.add(
        GROUP,
        "devices.list latency meanwhile (max)",
        m.probe_max_ms,
        "ms",
    );
    Ok(())
}

struct Measured {
    clients: usize,
    rss_before: u64,
    rss_peak: u64,
    rss_after: u64,
    sent: u64,
    closed_by_relay: usize,
    probes_ok: usize,
    probes_failed: usize,
    probe_p50_ms: f64,
    probe_max_ms: f64,
}

async fn connect(addr: SocketAddr, recv_buffer: Option<u32>) -> anyhow::Result<Ws> {
    let tcp = TcpSocket::new_v4()?;
    if let Some(size) = recv_buffer {
        tcp.set_recv_buffer_size(size)?;
    }
    let stream = tcp.connect(addr).await?;
    let (ws, _) = tokio_tungstenite::client_async(
        format!("ws://{addr}/ws"),
        tokio_tungstenite::MaybeTlsStream::Plain(stream),
    )
    .await?;
    Ok(ws)
}

/// One request, its answer (pushes skipped).
async fn call(ws: &mut Ws, id: u64, method: &str, params: Value) -> anyhow::Result<Value> {
    let frame = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    ws.send(Message::Text(frame.to_string().into())).await?;
    loop {
        match tokio::time::timeout(STEP, ws.next()).await? {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(t.as_str())?;
                if v["id"] == id {
                    return Ok(v);
                }
            }
            Some(Ok(_)) => {}
            other => bail!("the socket ended: {other:?}"),
        }
    }
}

async fn measure(
    addr: SocketAddr,
    pid: u32,
    clients: usize,
    flood: Duration,
) -> anyhow::Result<Measured> {
    let mut probe = connect(addr, None).await?;
    // Wait until the relay's sync has archived enough rows for full pages.
    let ready = Instant::now();
    let mut id = 0;
    loop {
        id += 1;
        let page = call(
            &mut probe,
            id,
            "archive.logs",
            json!({"limit": MAX_QUERY_LIMIT}),
        )
        .await?;
        let rows = page["result"]["rows"].as_array().map_or(0, Vec::len);
        if rows >= ARCHIVE_READY_ROWS {
            break;
        }
        if ready.elapsed() > Duration::from_secs(120) {
            bail!("the archive holds only {rows} rows after 2 minutes: {page}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = proc_status_kib(pid, "VmRSS").context("the relay's VmRSS")?;
    let (stop_tx, stop) = watch::channel(false);
    let sampler = tokio::spawn(sample(pid, stop.clone()));
    let mut floods = Vec::new();
    for _ in 0..clients {
        let ws = connect(addr, Some(4096)).await?;
        floods.push(tokio::spawn(fire(ws, flood)));
    }
    let probing = async {
        let mut ok = Vec::new();
        let mut failed = 0;
        let start = Instant::now();
        let mut id = 1_000_000;
        while start.elapsed() < flood + AFTER_FLOOD {
            id += 1;
            let asked = Instant::now();
            match call(&mut probe, id, "devices.list", json!({})).await {
                Ok(v) if v["result"].is_object() => ok.push(asked.elapsed().as_secs_f64() * 1000.0),
                _ => failed += 1,
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
        (ok, failed)
    };
    let (mut ok, probes_failed) = probing.await;
    let mut sent = 0;
    let mut closed_by_relay = 0;
    let mut sockets = Vec::new();
    for f in floods {
        let (n, ws) = f.await?;
        sent += n;
        sockets.push(ws);
    }
    // Did the relay close them? A read now ends (after whatever it had written) when it did.
    for ws in &mut sockets {
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match ws.next().await {
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return true,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await
        .unwrap_or(false);
        if closed {
            closed_by_relay += 1;
        }
    }
    drop(sockets);
    tokio::time::sleep(SETTLE).await;
    let _ = stop_tx.send(true);
    let rss_peak = sampler.await?;
    let rss_after = proc_status_kib(pid, "VmRSS").context("the relay's VmRSS")?;
    let probe_max_ms = ok.iter().copied().fold(0.0, f64::max);
    let probe_p50_ms = if ok.is_empty() {
        f64::NAN
    } else {
        median(&mut ok)
    };
    Ok(Measured {
        clients,
        rss_before,
        rss_peak,
        rss_after,
        sent,
        closed_by_relay,
        probes_ok: ok.len(),
        probes_failed,
        probe_p50_ms,
        probe_max_ms,
    })
}

/// Sends `archive.logs` pages for `flood`, never reading; stops early when the relay closed the
/// socket. Returns how many were sent, and the socket (still unread).
async fn fire(mut ws: Ws, flood: Duration) -> (u64, Ws) {
    let start = Instant::now();
    let mut sent = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / REQUESTS_PER_SECOND));
    while start.elapsed() < flood {
        tick.tick().await;
        let frame = json!({"jsonrpc": "2.0", "id": sent, "method": "archive.logs", "params": {"limit": MAX_QUERY_LIMIT}});
        let send = ws.send(Message::Text(frame.to_string().into()));
        match tokio::time::timeout(Duration::from_secs(1), send).await {
            Ok(Ok(())) => sent += 1,
            _ => break,
        }
    }
    (sent, ws)
}

async fn sample(pid: u32, mut stop: watch::Receiver<bool>) -> u64 {
    let mut peak = 0;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Some(rss) = proc_status_kib(pid, "VmRSS") {
                    peak = peak.max(rss);
                }
            }
            _ = stop.wait_for(|s| *s) => return peak,
        }
    }
}
