//! Benchmark 6 — Live fan-out: 500 WebSocket clients subscribed to live events while punches are
//! appended at 1,000 events/s across 1,000 devices; prints the delivery latency (p50/p99/max), how
//! many deliveries arrived, and the relay's memory.
//!
//! Two processes, so the relay's memory is the relay's alone:
//! - the **server** (this binary re-executed with the hidden `--fanout-server DEVICES` flag, see
//!   [`serve`]) runs the relay with its in-process gateway emulator, exactly as `tna-relay --demo`
//!   does. It prints its WebSocket URL, waits for a start line on stdin, appends punches with
//!   [`gateway_sim::Gateway::append_punch`] at the asked rate round-robin over the asked devices,
//!   and prints one line per punch: `p DEVICE EVENT_ID UNIX_NS`. `SystemTime` is the clock both
//!   processes share, so the parent can subtract it from its own receive time.
//! - the **parent** ([`run`]) opens the sockets, subscribes them, starts the load, records the
//!   receive time of every `events.log`, and samples the server's `VmRSS`/`VmHWM` from `/proc`.
//!   One socket is deliberately slow (it subscribes to every device and reads nothing for a
//!   while) and is counted apart, so its backlog never shows in the others' latency.
//!
//! **What each socket watches.** In the full run each normal socket subscribes to a group of
//! [`Load::watch`] devices (100 of the 1,000, like a kiosk tablet showing its area), so every event
//! reaches 50 sockets: 50,000 deliveries/s. Subscribing every socket to every device (the Live
//! page's default; `--fanout-watch 1000`) is the worst case the relay allows, but cannot be set
//! up in this benchmark's time: `events.subscribe` makes the relay find each device's log end
//! with a binary search of ~33 `GetTNALog` calls, so 500 × 1,000 devices are ~17 million gateway
//! calls — about 10 minutes of both cores here before the first event.
//!
//! Sockets subscribe one at a time: each `events.subscribe` makes the relay start one gateway call
//! per device at once (1,000 for the slow socket), and three such bursts together make the
//! emulator's HTTP/2 server close the relay's one gateway connection (`ResourceExhausted`), which
//! fails every call on it. Subscribing is CPU-bound anyway.
//!
//! The server dies with the parent: it exits when its stdin closes or its stdout breaks, and has
//! a hard lifetime ([`SERVER_LIFETIME`]). The parent kills it (by its own child handle) on error.
//!
//! On a 2-core machine the clients share the CPU with the relay, so the figures are a lower bound
//! of what the relay does on its own; the CPU figures say how busy each side was.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail, ensure};
use futures::{SinkExt, StreamExt};
use gateway_sim::{Gateway, SimConfig};
use serde::Deserialize;
use tna_relay::{GatewayTarget, RelayConfig};
use tna_types::ConnectionStatus;
use tna_types::limits::MAX_DEVICES_PER_CALL;
use tna_types::protocol::{
    Method, NoParams, ServerMessage, SubscribeParams, encode_request, method,
};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::logs::Ws;
use crate::report::Report;

const GROUP: &str = "6. live fan-out";
/// Budget: 99th percentile of delivery latency (punch appended → `events.log` read by a client).
const BUDGET_P99_MS: f64 = 50.0;
/// Budget: the relay process's peak resident memory.
const BUDGET_RSS_MB: f64 = 100.0;

/// One load shape.
struct Load {
    /// WebSocket clients, the slow one included.
    sockets: usize,
    /// Punches appended per second, over all devices.
    rate: u32,
    /// How long punches are appended.
    duration: Duration,
    /// T&A devices the punches are spread over.
    devices: usize,
    /// Devices each normal socket subscribes to: the devices are cut into groups of this many and
    /// socket `i` watches group `i mod groups`, so each event reaches `sockets / groups` sockets.
    watch: usize,
    /// How long the slow client reads nothing after the load starts (`None`: no slow client).
    slow_pause: Option<Duration>,
}

/// The load run: 500 sockets, 1,000 events/s across 1,000 devices, one minute.
const FULL: Load = Load {
    sockets: 500,
    rate: 1_000,
    duration: Duration::from_secs(60),
    devices: 1_000,
    watch: 100,
    slow_pause: Some(Duration::from_secs(30)),
};

/// Proves the code works (CI); the figures mean nothing.
const QUICK: Load = Load {
    sockets: 5,
    rate: 50,
    duration: Duration::from_secs(2),
    devices: 20,
    watch: 10,
    slow_pause: Some(Duration::from_secs(1)),
};

/// History per simulated device: the benchmark is about live events, so keep the server small.
const SIM_LOGS_PER_DEVICE: u32 = 10;
const SIM_SEED: u64 = 6;
/// Emulated devices per wanted T&A device: about a tenth of simulated models have no T&A (as in
/// the bulk benchmark), so build enough to find `devices` that do.
const SIM_DEVICES_NUM: usize = 13;
const SIM_DEVICES_DEN: usize = 10;
/// The server appends the punches that are due every tick (pacing by elapsed time, so a late
/// tick catches up rather than lowering the rate).
const TICK: Duration = Duration::from_millis(10);
/// How often the server's memory is sampled.
const MEMORY_SAMPLE: Duration = Duration::from_millis(500);
/// How long the server may take to print its URL.
const SERVER_START_WAIT: Duration = Duration::from_secs(30);
/// Hard lifetime of the server process, whatever the parent does (beyond [`SETUP_LIMIT`] and
/// the load).
const SERVER_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How long the server's graceful shutdown may take before it exits anyway.
const SERVER_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How long the parent waits for the server to exit after closing its stdin.
const SERVER_EXIT_WAIT: Duration = Duration::from_secs(10);
/// Opening one WebSocket.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One JSON-RPC call (`events.subscribe` of 1,000 devices does thousands of gateway calls).
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// Sockets connecting at the same time.
const CONNECT_PARALLEL: usize = 16;
/// Bound of the whole connect-and-subscribe phase (generous for `--fanout-watch 1000`).
const SETUP_LIMIT: Duration = Duration::from_secs(15 * 60);
/// Beyond the load's duration, how long the server may take to report that it is done.
const DONE_MARGIN: Duration = Duration::from_secs(30);
/// After the last punch: stop waiting for deliveries when none came for this long…
const DRAIN_IDLE: Duration = Duration::from_secs(2);
/// …or after this long in all.
const DRAIN_LIMIT: Duration = Duration::from_secs(15);
/// How often the drain checks progress.
const DRAIN_POLL: Duration = Duration::from_millis(100);
/// Sending a close frame at the end.
const CLOSE_WAIT: Duration = Duration::from_secs(2);
/// Clock ticks per second in `/proc/*/stat` (`USER_HZ`, 100 on every Linux ABI in use).
const USER_HZ: f64 = 100.0;
const BYTES_PER_KIB: f64 = 1024.0;
const BYTES_PER_MB: f64 = 1_000_000.0;

// ---------------------------------------------------------------------------------------------
// Server side (the re-executed child)
// ---------------------------------------------------------------------------------------------

/// The child process: relay + emulator with `devices` simulated devices; see the module docs for
/// its stdin/stdout protocol.
pub async fn serve(devices: u32) -> anyhow::Result<()> {
    let relay = tna_relay::start(RelayConfig {
        // Every benchmark socket comes from 127.0.0.1: the per-address cap (64, which a real
        // site's clients each stay far below) would refuse all but 64 of them.
        socket_caps: tna_relay::socket_caps::Caps {
            per_client: tna_relay::outbox::MAX_SOCKETS_TOTAL,
            ..Default::default()
        },
        ..RelayConfig::new(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            GatewayTarget::Demo(SimConfig {
                devices,
                logs_per_device: SIM_LOGS_PER_DEVICE,
                seed: SIM_SEED,
                punch_interval: None,
                first_device_id: gateway_sim::FIRST_DEVICE_ID,
                zone: None,
            }),
        )
    })
    .await?;
    let gateway = relay
        .demo_gateway()
        .context("the relay started without its demo gateway")?
        .clone();
    let out = stdout_writer();
    let mut commands = stdin_reader();
    out.send(format!("url ws://{}/ws\n", relay.addr()))
        .map_err(|_| anyhow!("stdout is closed"))?;
    let result = tokio::time::timeout(SERVER_LIFETIME, async {
        // The first line is the start command; EOF before it means the parent is gone.
        let Some(line) = commands.recv().await else {
            return Ok(());
        };
        let plan = Plan::parse(&line)?;
        tokio::select! {
            r = generate(&gateway, &plan, &out) => r?,
            _ = until_eof(&mut commands) => return Ok(()),
        }
        until_eof(&mut commands).await;
        anyhow::Ok(())
    })
    .await;
    // Bounded: the process must end even if a socket holds the shutdown up.
    let _ = tokio::time::timeout(SERVER_SHUTDOWN_GRACE, relay.shutdown()).await;
    result.map_err(|_| anyhow!("the fan-out server reached its lifetime limit"))?
}

/// What the parent asks for: `start RATE DURATION_MS ID,ID,…`.
struct Plan {
    rate: f64,
    duration: Duration,
    devices: Vec<u32>,
}

impl Plan {
    fn line(rate: u32, duration: Duration, devices: &[u32]) -> String {
        let ids: Vec<String> = devices.iter().map(u32::to_string).collect();
        format!("start {rate} {} {}\n", duration.as_millis(), ids.join(","))
    }

    fn parse(line: &str) -> anyhow::Result<Plan> {
        let mut words = line.split_whitespace();
        ensure!(
            words.next() == Some("start"),
            "expected a start line: {line:?}"
        );
        let rate: f64 = words.next().context("no rate")?.parse()?;
        let ms: u64 = words.next().context("no duration")?.parse()?;
        let devices = words
            .next()
            .context("no devices")?
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<u32>, _>>()?;
        ensure!(rate > 0.0 && !devices.is_empty(), "nothing to do: {line:?}");
        Ok(Plan {
            rate,
            duration: Duration::from_millis(ms),
            devices,
        })
    }
}

/// Appends `rate × duration` punches, round-robin over the devices, paced by elapsed time, and
/// reports each one (time taken just before the append, so the latency includes it).
async fn generate(
    gw: &Gateway,
    plan: &Plan,
    out: &std::sync::mpsc::Sender<String>,
) -> anyhow::Result<()> {
    let total = (plan.rate * plan.duration.as_secs_f64()).round() as u64;
    let mut devices = plan.devices.iter().cycle();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let started = Instant::now();
    let mut appended = 0u64;
    while appended < total {
        tick.tick().await;
        let due = ((plan.rate * started.elapsed().as_secs_f64()) as u64).min(total);
        let mut lines = String::new();
        while appended < due {
            let device = *devices.next().context("no devices")?;
            let at = unix_ns();
            let log = gw
                .append_punch(device)
                .with_context(|| format!("device {device} took no punch (not a T&A device?)"))?;
            writeln!(lines, "p {device} {} {at}", log.id)?;
            appended += 1;
        }
        if !lines.is_empty() {
            out.send(lines).map_err(|_| anyhow!("stdout is closed"))?;
        }
    }
    let elapsed = started.elapsed().as_nanos();
    out.send(format!("done {appended} {elapsed}\n"))
        .map_err(|_| anyhow!("stdout is closed"))?;
    Ok(())
}

pub(crate) async fn until_eof(commands: &mut mpsc::Receiver<String>) {
    while commands.recv().await.is_some() {}
}

/// Stdout on its own thread, so a parent that reads slowly never blocks the relay's runtime.
/// A broken pipe means the parent is gone: the process ends.
pub(crate) fn stdout_writer() -> std::sync::mpsc::Sender<String> {
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        for text in rx {
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                std::process::exit(1);
            }
        }
    });
    tx
}

/// Stdin lines on their own thread. At EOF (the parent closed it, or died) the channel closes,
/// and the process ends after [`SERVER_SHUTDOWN_GRACE`] × 2 even if its shutdown hangs.
pub(crate) fn stdin_reader() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
        drop(tx);
        std::thread::sleep(SERVER_SHUTDOWN_GRACE * 2);
        std::process::exit(0);
    });
    rx
}

fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

// ---------------------------------------------------------------------------------------------
// Parent side
// ---------------------------------------------------------------------------------------------

/// Append time of every punch, by (device, event ID), filled from the server's stdout.
#[derive(Default)]
struct Appends {
    times: RwLock<HashMap<(u32, u32), u64>>,
}

impl Appends {
    fn get(&self, device: u32, id: u32) -> Option<u64> {
        self.times
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(device, id))
            .copied()
    }

    fn insert(&self, device: u32, id: u32, at: u64) {
        self.times
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert((device, id), at);
    }
}

/// Lines of the server other than punches.
enum Control {
    Url(String),
    Done { appended: u64, elapsed: Duration },
    Bad(String),
}

/// The server process. Dropping it kills the process if it still runs (error paths).
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    control: mpsc::UnboundedReceiver<Control>,
    appends: Arc<Appends>,
}

impl Server {
    fn spawn(sim_devices: usize) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("the benchmark's own executable")?;
        let mut child = Command::new(exe)
            .arg("--fanout-server")
            .arg(sim_devices.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("start the fan-out server process")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("the server's stdout")?;
        let appends = Arc::new(Appends::default());
        let (tx, control) = mpsc::unbounded_channel();
        let sink = appends.clone();
        // A thread, not a task: std pipes block. It ends at the server's EOF.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let words: Vec<&str> = line.split_whitespace().collect();
                let parsed = match words.as_slice() {
                    ["p", device, id, at] => match (device.parse(), id.parse(), at.parse()) {
                        (Ok(device), Ok(id), Ok(at)) => {
                            sink.insert(device, id, at);
                            continue;
                        }
                        _ => Control::Bad(line.clone()),
                    },
                    ["url", url] => Control::Url((*url).to_string()),
                    ["done", appended, ns] => match (appended.parse(), ns.parse()) {
                        (Ok(appended), Ok(ns)) => Control::Done {
                            appended,
                            elapsed: Duration::from_nanos(ns),
                        },
                        _ => Control::Bad(line.clone()),
                    },
                    _ => Control::Bad(line.clone()),
                };
                if tx.send(parsed).is_err() {
                    break;
                }
            }
        });
        Ok(Server {
            child,
            stdin,
            control,
            appends,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn url(&mut self) -> anyhow::Result<String> {
        match tokio::time::timeout(SERVER_START_WAIT, self.control.recv()).await {
            Ok(Some(Control::Url(url))) => Ok(url),
            Ok(Some(Control::Bad(line))) => bail!("the fan-out server said {line:?}"),
            Ok(Some(Control::Done { .. })) => bail!("the fan-out server finished before starting"),
            Ok(None) => bail!("the fan-out server ended before printing its URL"),
            Err(_) => bail!("the fan-out server printed no URL in {SERVER_START_WAIT:?}"),
        }
    }

    /// Tells the server to start appending punches.
    fn start(&mut self, load: &Load, devices: &[u32]) -> anyhow::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .context("the server's stdin is closed")?;
        // One line (about 10 kB for 1,000 devices) into an empty 64 kB pipe: does not block.
        stdin.write_all(Plan::line(load.rate, load.duration, devices).as_bytes())?;
        stdin.flush()?;
        Ok(())
    }

    /// Waits for the server's `done` line: (punches appended, time taken).
    async fn done(&mut self, wait: Duration) -> anyhow::Result<(u64, Duration)> {
        match tokio::time::timeout(wait, self.control.recv()).await {
            Ok(Some(Control::Done { appended, elapsed })) => Ok((appended, elapsed)),
            Ok(Some(Control::Bad(line))) => bail!("the fan-out server said {line:?}"),
            Ok(Some(Control::Url(_))) => bail!("the fan-out server printed its URL twice"),
            Ok(None) => bail!("the fan-out server ended during the load"),
            Err(_) => bail!("the fan-out server did not finish its load in {wait:?}"),
        }
    }

    /// Closes the server's stdin (it shuts down) and waits for it to exit; kills it if it
    /// takes too long.
    async fn finish(mut self) -> anyhow::Result<()> {
        self.stdin.take();
        let started = Instant::now();
        while started.elapsed() < SERVER_EXIT_WAIT {
            if let Some(status) = self.child.try_wait()? {
                ensure!(status.success(), "the fan-out server exited with {status}");
                return Ok(());
            }
            tokio::time::sleep(DRAIN_POLL).await;
        }
        bail!("the fan-out server did not exit in {SERVER_EXIT_WAIT:?}; killed")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stdin.take();
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Resident memory of a process from `/proc/PID/status` (`VmRSS`, `VmHWM`), in kB.
pub(crate) fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

pub(crate) fn kib_to_mb(kib: u64) -> f64 {
    kib as f64 * BYTES_PER_KIB / BYTES_PER_MB
}

/// User + system CPU seconds of a process (`self` for this one) from `/proc/PID/stat`.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / USER_HZ)
}

/// Samples the server's `VmRSS` until `stop`; returns the highest sample in kB.
async fn sample_memory(pid: u32, mut stop: watch::Receiver<bool>) -> u64 {
    let mut peak = 0;
    let mut tick = tokio::time::interval(MEMORY_SAMPLE);
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

/// Log-linear latency histogram in microseconds: exact below 64 µs, then 64 buckets per power of
/// two (under 1.6 % error), so 500 clients × 60,000 deliveries need no per-delivery memory.
struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max_us: u64,
}

/// Buckets per power of two, as bits.
const HIST_SUB_BITS: u32 = 6;
const HIST_SUB: u64 = 1 << HIST_SUB_BITS;
/// Enough buckets for any u64.
const HIST_BUCKETS: usize = ((64 - HIST_SUB_BITS as usize) + 1) * HIST_SUB as usize;

impl Histogram {
    fn new() -> Self {
        Histogram {
            counts: vec![0; HIST_BUCKETS],
            total: 0,
            max_us: 0,
        }
    }

    fn index(us: u64) -> usize {
        if us < HIST_SUB {
            return us as usize;
        }
        let shift = 63 - us.leading_zeros() - HIST_SUB_BITS;
        let sub = (us >> shift) - HIST_SUB;
        ((u64::from(shift) + 1) * HIST_SUB + sub) as usize
    }

    /// The middle of a bucket.
    fn value(index: usize) -> f64 {
        let index = index as u64;
        if index < HIST_SUB {
            return index as f64;
        }
        let shift = index / HIST_SUB - 1;
        let low = (HIST_SUB + index % HIST_SUB) << shift;
        low as f64 + ((1u64 << shift) as f64 - 1.0) / 2.0
    }

    fn record_ns(&mut self, ns: u64) {
        let us = ns / 1_000;
        if let Some(c) = self.counts.get_mut(Self::index(us)) {
            *c += 1;
        }
        self.total += 1;
        self.max_us = self.max_us.max(us);
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max_us = self.max_us.max(other.max_us);
    }

    /// The `q` quantile in ms (0 when empty).
    fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::value(i).min(self.max_us as f64) / 1_000.0;
            }
        }
        self.max_ms()
    }

    fn max_ms(&self) -> f64 {
        self.max_us as f64 / 1_000.0
    }
}

/// What the clients share: append times, device index, and a progress counter for the drain.
struct Shared {
    appends: Arc<Appends>,
    /// Device ID → position in per-client arrays.
    index: HashMap<u32, usize>,
    /// `events.log` deliveries to the normal clients so far.
    received: AtomicU64,
}

/// One client's counts.
struct ClientStats {
    hist: Histogram,
    /// Receipts whose punch line had not been read yet: (device, id, received at).
    pending: Vec<(u32, u32, u64)>,
    /// Per device (by [`Shared::index`]): the last event ID received.
    last_id: Vec<Option<u32>>,
    received: u64,
    duplicates: u64,
    gaps: u64,
    /// Frames that were not what the protocol promises (bad JSON, unknown events, responses).
    errors: u64,
    first_gap_ns: Option<u64>,
    last_receive_ns: u64,
    /// Why the socket ended before the benchmark closed it.
    closed: Option<String>,
}

/// The members of a push the benchmark looks at; the rest is skipped, which keeps the clients'
/// share of the (shared) CPU small. The protocol's own decoder is used for responses.
#[derive(Deserialize)]
struct Push<'a> {
    #[serde(borrow, default)]
    method: Option<&'a str>,
    #[serde(default)]
    params: Option<PushParams>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PushParams {
    #[serde(default)]
    log: Option<LogKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogKey {
    id: u32,
    device_id: u32,
}

impl ClientStats {
    fn new(devices: usize) -> Self {
        ClientStats {
            hist: Histogram::new(),
            pending: Vec::new(),
            last_id: vec![None; devices],
            received: 0,
            duplicates: 0,
            gaps: 0,
            errors: 0,
            first_gap_ns: None,
            last_receive_ns: 0,
            closed: None,
        }
    }

    fn on_text(&mut self, text: &str, now: u64, shared: &Shared, normal: bool) {
        match serde_json::from_str::<Push<'_>>(text) {
            Ok(Push {
                method: Some("events.log"),
                params: Some(PushParams { log: Some(log), .. }),
            }) => self.on_log(&log, now, shared, normal),
            Ok(Push {
                method: Some("events.gap"),
                ..
            }) => {
                self.gaps += 1;
                self.first_gap_ns.get_or_insert(now);
            }
            Ok(_) | Err(_) => self.errors += 1,
        }
    }

    fn on_log(&mut self, log: &LogKey, now: u64, shared: &Shared, normal: bool) {
        let Some(last) = shared
            .index
            .get(&log.device_id)
            .and_then(|&i| self.last_id.get_mut(i))
        else {
            self.errors += 1;
            return;
        };
        // The relay keeps each device's events in order, so an ID at or below the last one is a
        // repeat (or out of order, which is as wrong).
        if last.is_some_and(|l| log.id <= l) {
            self.duplicates += 1;
            return;
        }
        *last = Some(log.id);
        self.received += 1;
        self.last_receive_ns = now;
        if normal {
            shared.received.fetch_add(1, Ordering::Relaxed);
        }
        match shared.appends.get(log.device_id, log.id) {
            Some(at) => self.hist.record_ns(now.saturating_sub(at)),
            None => self.pending.push((log.device_id, log.id, now)),
        }
    }

    /// Settles the receipts that arrived before their punch line.
    fn resolve(&mut self, appends: &Appends) {
        for (device, id, now) in std::mem::take(&mut self.pending) {
            match appends.get(device, id) {
                Some(at) => self.hist.record_ns(now.saturating_sub(at)),
                None => self.errors += 1,
            }
        }
    }
}

/// Reads one client's socket until `stop`; a slow client first reads nothing for `pause`.
async fn receive(
    mut ws: Ws,
    pause: Option<Duration>,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) -> ClientStats {
    let normal = pause.is_none();
    let mut s = ClientStats::new(shared.index.len());
    if let Some(pause) = pause {
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
    loop {
        let frame = tokio::select! {
            // The stop wins over a full socket, so a backlog cannot hold the end of the run.
            biased;
            _ = stop.wait_for(|s| *s) => break,
            f = ws.next() => f,
        };
        let now = unix_ns();
        match frame {
            Some(Ok(Message::Text(t))) => s.on_text(t.as_str(), now, &shared, normal),
            Some(Ok(Message::Close(frame))) => {
                s.closed = Some(match frame {
                    Some(f) => format!("close frame {} {:?}", f.code, f.reason.as_str()),
                    None => "close frame without a reason".into(),
                });
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                s.closed = Some(format!("socket error: {e}"));
                break;
            }
            None => {
                s.closed = Some("the stream ended without a close frame".into());
                break;
            }
        }
    }
    if s.closed.is_none() {
        let _ = tokio::time::timeout(CLOSE_WAIT, ws.close(None)).await;
    }
    s.resolve(&shared.appends);
    s
}

async fn connect(url: &str) -> anyhow::Result<Ws> {
    // No Origin header: the relay lets non-browser clients through (server.rs `check_origin`).
    let (ws, _) = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_tungstenite::connect_async_with_config(url, None, true),
    )
    .await
    .context("connecting timed out")??;
    Ok(ws)
}

/// One request and its response (notifications before it are skipped).
async fn call<M: Method>(ws: &mut Ws, id: i64, params: &M::Params) -> anyhow::Result<M::Result> {
    ws.send(Message::Text(encode_request::<M>(id, params).into()))
        .await?;
    let answer = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => match ServerMessage::decode(t.as_str()) {
                    Ok(ServerMessage::Response(r)) => {
                        return r.into_result::<M::Result>().map_err(anyhow::Error::from);
                    }
                    Ok(ServerMessage::Notification(_)) => continue,
                    Err(e) => bail!("bad frame: {e}"),
                },
                Some(Ok(_)) => continue,
                other => bail!("socket ended: {other:?}"),
            }
        }
    };
    tokio::time::timeout(CALL_TIMEOUT, answer)
        .await
        .with_context(|| format!("{} took over {CALL_TIMEOUT:?}", M::NAME))?
        .with_context(|| M::NAME)
}

/// Subscribes one socket to `devices` (in calls of at most [`MAX_DEVICES_PER_CALL`]); returns
/// how long it took.
async fn subscribe(ws: &mut Ws, devices: &[u32]) -> anyhow::Result<Duration> {
    let started = Instant::now();
    for (i, chunk) in devices.chunks(MAX_DEVICES_PER_CALL).enumerate() {
        let params = SubscribeParams {
            device_ids: chunk.to_vec(),
        };
        let r = call::<method::EventsSubscribe>(ws, i as i64 + 1, &params).await?;
        // A device is left out of `nextEventIds` when the relay could not read its log end:
        // with every emulated device online, that means the relay's gateway calls failed.
        ensure!(
            r.next_event_ids.len() == chunk.len(),
            "events.subscribe returned cursors for {} of {} devices",
            r.next_event_ids.len(),
            chunk.len()
        );
    }
    Ok(started.elapsed())
}

/// The first `want` connected T&A devices of the relay's `devices.list`.
async fn pick_devices(url: &str, want: usize) -> anyhow::Result<Vec<u32>> {
    let mut ws = connect(url).await?;
    let list = call::<method::DevicesList>(&mut ws, 1, &NoParams {}).await?;
    let _ = tokio::time::timeout(CLOSE_WAIT, ws.close(None)).await;
    let devices: Vec<u32> = list
        .devices
        .iter()
        .filter(|d| d.tna_supported && d.status == ConnectionStatus::Connected)
        .map(|d| d.device_id)
        .take(want)
        .collect();
    ensure!(
        devices.len() == want,
        "only {} connected T&A devices in the emulator, {want} wanted",
        devices.len()
    );
    Ok(devices)
}

/// Everything measured in one run.
struct Outcome {
    /// Devices each normal socket watched.
    watch: usize,
    sockets_open: usize,
    setup_failures: usize,
    subscribe_ms: Vec<f64>,
    rss_idle_kib: u64,
    rss_connected_kib: u64,
    rss_subscribed_kib: u64,
    rss_peak_kib: u64,
    appended: u64,
    load_time: Duration,
    /// `events.log` deliveries the normal sockets should get (their devices' punches).
    expected: u64,
    normal: Vec<ClientStats>,
    slow: Option<ClientStats>,
    server_cpu: Option<f64>,
    bench_cpu: Option<f64>,
    /// From the start of the load to the last delivery to a normal socket.
    delivery_window: Duration,
    /// When the load started (Unix ns).
    load_start_ns: u64,
}

/// Runs the benchmark; `watch` overrides the devices per normal socket (`--fanout-watch`).
pub async fn run(quick: bool, watch: Option<usize>, report: &mut Report) -> anyhow::Result<()> {
    let load = if quick { &QUICK } else { &FULL };
    let watch = watch.unwrap_or(load.watch).clamp(1, load.devices);
    let sim_devices = load.devices * SIM_DEVICES_NUM / SIM_DEVICES_DEN + 10;
    let mut server = Server::spawn(sim_devices)?;
    let outcome = measure(load, watch, &mut server).await;
    let finished = server.finish().await;
    let o = outcome?;
    finished?;
    print_and_report(load, &o, report);
    Ok(())
}

async fn measure(load: &Load, watch: usize, server: &mut Server) -> anyhow::Result<Outcome> {
    let url = server.url().await?;
    let pid = server.pid();
    let rss_idle_kib = proc_status_kib(pid, "VmRSS").context("the server's VmRSS")?;
    let (stop_sampler, sampler_stop) = watch::channel(false);
    let sampler = tokio::spawn(sample_memory(pid, sampler_stop));

    let devices = pick_devices(&url, load.devices).await?;
    let groups: Vec<Vec<u32>> = devices.chunks(watch).map(<[u32]>::to_vec).collect();
    // Socket 0 is the slow one when the load has one: it watches every device, so its backlog
    // outgrows the relay's queue and the kernel's socket buffers while it reads nothing.
    let has_slow = load.slow_pause.is_some();
    let watched = |i: usize| -> &[u32] {
        match (has_slow, i.checked_sub(1)) {
            (true, None) => &devices,
            (true, Some(n)) | (false, Some(n)) => &groups[n % groups.len()],
            (false, None) => &groups[0],
        }
    };
    // Connect every socket first (cheap, a few at a time), then subscribe them one by one (see
    // the module docs for why not concurrently).
    let deadline = tokio::time::Instant::now() + SETUP_LIMIT;
    let connected: Vec<(usize, anyhow::Result<Ws>)> = tokio::time::timeout_at(
        deadline,
        futures::stream::iter(0..load.sockets)
            .map(|i| {
                let url = url.clone();
                async move { (i, connect(&url).await) }
            })
            .buffered(CONNECT_PARALLEL)
            .collect(),
    )
    .await
    .with_context(|| {
        format!(
            "{} sockets did not connect in {SETUP_LIMIT:?}",
            load.sockets
        )
    })?;
    let rss_connected_kib = proc_status_kib(pid, "VmRSS").context("the server's VmRSS")?;
    let mut sockets = Vec::new();
    let mut subscribe_ms = Vec::new();
    let mut setup_failures = 0;
    for (i, ws) in connected {
        let subscribed = match ws {
            Ok(mut ws) => {
                match tokio::time::timeout_at(deadline, subscribe(&mut ws, watched(i))).await {
                    Ok(Ok(took)) => Ok((ws, took)),
                    Ok(Err(e)) => Err(e),
                    Err(_) => bail!("the sockets did not subscribe in {SETUP_LIMIT:?}"),
                }
            }
            Err(e) => Err(e),
        };
        match subscribed {
            Ok((ws, took)) => {
                if !(has_slow && i == 0) {
                    subscribe_ms.push(took.as_secs_f64() * 1_000.0);
                }
                sockets.push((i, ws));
            }
            Err(e) => {
                setup_failures += 1;
                eprintln!("bench: fan-out socket {i} failed to connect or subscribe: {e:#}");
            }
        }
    }
    let sockets_open = sockets.len();
    ensure!(
        sockets.iter().any(|&(i, _)| !(has_slow && i == 0)),
        "no normal socket subscribed ({setup_failures} failed)"
    );
    let rss_subscribed_kib = proc_status_kib(pid, "VmRSS").context("the server's VmRSS")?;

    let shared = Arc::new(Shared {
        appends: server.appends.clone(),
        index: devices.iter().enumerate().map(|(i, &d)| (d, i)).collect(),
        received: AtomicU64::new(0),
    });
    let (stop_clients, clients_stop) = watch::channel(false);
    let mut tasks = Vec::new();
    for (i, ws) in sockets {
        let slow = has_slow && i == 0;
        let pause = if slow { load.slow_pause } else { None };
        let task = tokio::spawn(receive(ws, pause, shared.clone(), clients_stop.clone()));
        tasks.push((i, slow, task));
    }

    let cpu_before = (cpu_seconds(&pid.to_string()), cpu_seconds("self"));
    let load_started = Instant::now();
    let load_start_ns = unix_ns();
    server.start(load, &devices)?;
    let (appended, load_time) = server.done(load.duration + DONE_MARGIN).await?;

    // Every punch line is in (the server prints `done` after them): what each socket is owed.
    let per_device: HashMap<u32, u64> = {
        let times = server
            .appends
            .times
            .read()
            .unwrap_or_else(|e| e.into_inner());
        let mut counts = HashMap::new();
        for &(device, _) in times.keys() {
            *counts.entry(device).or_insert(0) += 1;
        }
        counts
    };
    let owed = |i: usize| -> u64 {
        watched(i)
            .iter()
            .map(|d| per_device.get(d).copied().unwrap_or(0))
            .sum()
    };
    let expected: u64 = tasks
        .iter()
        .filter(|(_, slow, _)| !slow)
        .map(|&(i, _, _)| owed(i))
        .sum();

    // Drain: until every normal socket has everything, or deliveries stop, or the limit.
    let drain_started = Instant::now();
    let mut last = (shared.received.load(Ordering::Relaxed), Instant::now());
    loop {
        let now = shared.received.load(Ordering::Relaxed);
        if now >= expected
            || last.1.elapsed() >= DRAIN_IDLE
            || drain_started.elapsed() >= DRAIN_LIMIT
        {
            break;
        }
        if now != last.0 {
            last = (now, Instant::now());
        }
        tokio::time::sleep(DRAIN_POLL).await;
    }
    let busy = load_started.elapsed().as_secs_f64();
    let cpu = |before: Option<f64>, after: Option<f64>| Some((after? - before?) / busy);
    let server_cpu = cpu(cpu_before.0, cpu_seconds(&pid.to_string()));
    let bench_cpu = cpu(cpu_before.1, cpu_seconds("self"));

    let _ = stop_clients.send(true);
    let mut normal = Vec::new();
    let mut slow_stats = None;
    for (_, slow, task) in tasks {
        let stats = task.await.context("a client task panicked")?;
        if slow {
            slow_stats = Some(stats);
        } else {
            normal.push(stats);
        }
    }
    let _ = stop_sampler.send(true);
    let sampled_peak = sampler.await.unwrap_or(0);
    let rss_peak_kib = proc_status_kib(pid, "VmHWM").unwrap_or(0).max(sampled_peak);
    let last_receive = normal.iter().map(|s| s.last_receive_ns).max().unwrap_or(0);
    Ok(Outcome {
        watch,
        sockets_open,
        setup_failures,
        subscribe_ms,
        rss_idle_kib,
        rss_connected_kib,
        rss_subscribed_kib,
        rss_peak_kib,
        appended,
        load_time,
        expected,
        normal,
        slow: slow_stats,
        server_cpu,
        bench_cpu,
        delivery_window: Duration::from_nanos(last_receive.saturating_sub(load_start_ns)),
        load_start_ns,
    })
}

fn print_and_report(load: &Load, o: &Outcome, report: &mut Report) {
    let mut hist = Histogram::new();
    let (mut received, mut duplicates, mut gaps, mut errors, mut closed) = (0, 0, 0, 0, 0);
    for s in &o.normal {
        hist.merge(&s.hist);
        received += s.received;
        duplicates += s.duplicates;
        gaps += s.gaps;
        errors += s.errors;
        closed += u64::from(s.closed.is_some());
    }
    if let Some(why) = o.normal.iter().find_map(|s| s.closed.as_deref()) {
        println!("bench: {closed} normal sockets ended early, e.g.: {why}");
    }
    let load_secs = o.load_time.as_secs_f64().max(f64::EPSILON);
    println!(
        "bench: fan-out load: {} sockets, {} events/s across {} devices for {} s; each normal \
         socket watches {} devices",
        load.sockets,
        load.rate,
        load.devices,
        load.duration.as_secs(),
        o.watch
    );

    let mut subscribe = o.subscribe_ms.clone();
    // Every socket must take part, or the figures below describe a smaller load.
    report.budget(
        GROUP,
        &format!("sockets subscribed (of {})", load.sockets),
        o.sockets_open as f64,
        "count",
        "all",
        o.sockets_open == load.sockets,
    );
    report.add(
        GROUP,
        &format!("events.subscribe of {} devices, median", o.watch),
        crate::report::median(&mut subscribe),
        "ms",
    );
    report.add(
        GROUP,
        &format!("events appended, {} devices", load.devices),
        o.appended as f64 / load_secs,
        "ev/s",
    );
    report.add(
        GROUP,
        &format!(
            "deliveries due ({} normal sockets × {} devices)",
            o.normal.len(),
            o.watch
        ),
        o.expected as f64 / load_secs,
        "msg/s",
    );
    let p99 = hist.quantile_ms(0.99);
    report.add(GROUP, "latency p50", hist.quantile_ms(0.5), "ms");
    report.budget(
        GROUP,
        "latency p99",
        p99,
        "ms",
        "≤ 50 ms",
        p99 <= BUDGET_P99_MS && received > 0,
    );
    report.add(GROUP, "latency max", hist.max_ms(), "ms");
    report.add(GROUP, "deliveries expected", o.expected as f64, "count");
    report.add(GROUP, "deliveries received", received as f64, "count");
    report.add(
        GROUP,
        "received / expected",
        if o.expected == 0 {
            0.0
        } else {
            received as f64 / o.expected as f64
        },
        "ratio",
    );
    report.add(
        GROUP,
        "deliveries/s achieved",
        received as f64 / o.delivery_window.as_secs_f64().max(f64::EPSILON),
        "msg/s",
    );
    report.add(
        GROUP,
        "duplicates (normal sockets)",
        duplicates as f64,
        "count",
    );
    report.add(GROUP, "events.gap (normal sockets)", gaps as f64, "count");
    report.add(
        GROUP,
        "errors (bad frames, failed/closed sockets)",
        (errors + o.setup_failures as u64 + closed) as f64,
        "count",
    );
    let peak = kib_to_mb(o.rss_peak_kib);
    report.budget(
        GROUP,
        "relay process peak RSS (VmHWM)",
        peak,
        "MB",
        "≤ 100 MB",
        peak <= BUDGET_RSS_MB,
    );
    report.add(
        GROUP,
        "relay RSS before any socket",
        kib_to_mb(o.rss_idle_kib),
        "MB",
    );
    report.add(
        GROUP,
        &format!("relay RSS, {} sockets open, none subscribed", load.sockets),
        kib_to_mb(o.rss_connected_kib),
        "MB",
    );
    report.add(
        GROUP,
        "relay RSS, all subscribed, before load",
        kib_to_mb(o.rss_subscribed_kib),
        "MB",
    );
    if let Some(cores) = o.server_cpu {
        report.add(GROUP, "relay process CPU during load", cores, "cores");
    }
    if let Some(cores) = o.bench_cpu {
        report.add(GROUP, "benchmark clients CPU during load", cores, "cores");
    }

    if let (Some(s), Some(pause)) = (&o.slow, load.slow_pause) {
        let first_gap = s.first_gap_ns.map_or_else(
            || "none".to_string(),
            |ns| {
                let after = Duration::from_nanos(ns.saturating_sub(o.load_start_ns));
                format!("the first read {:.1} s into the load", after.as_secs_f64())
            },
        );
        println!(
            "bench: slow socket (every device, read nothing for {} s): {} of {} events, {} \
             events.gap ({first_gap}), {} duplicates, max latency {:.0} ms, ended by the \
             relay: {}",
            pause.as_secs(),
            s.received,
            o.appended,
            s.gaps,
            s.duplicates,
            s.hist.max_ms(),
            s.closed.as_deref().unwrap_or("no")
        );
        report.add(
            GROUP,
            &format!("slow socket: events received (of {})", o.appended),
            s.received as f64,
            "count",
        );
        report.add(GROUP, "slow socket: events.gap", s.gaps as f64, "count");
        report.add(GROUP, "slow socket: max latency", s.hist.max_ms(), "ms");
        report.add(
            GROUP,
            "slow socket: disconnected by the relay",
            f64::from(u8::from(s.closed.is_some())),
            "0/1",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_ordered_and_close() {
        let mut last = 0;
        for us in [
            0,
            1,
            63,
            64,
            65,
            127,
            128,
            1_000,
            8_765,
            50_000,
            1 << 40,
            u64::MAX,
        ] {
            let i = Histogram::index(us);
            assert!(i < HIST_BUCKETS, "{us} → {i}");
            assert!(i >= last, "{us} → {i} after {last}");
            last = i;
            let mid = Histogram::value(i);
            if us < u64::MAX >> 1 {
                assert!(
                    (mid - us as f64).abs() <= us as f64 / 64.0 + 0.5,
                    "{us} ~ {mid}"
                );
            }
        }
    }

    #[test]
    fn histogram_quantiles() {
        let mut h = Histogram::new();
        for ms in 1..=100u64 {
            h.record_ns(ms * 1_000_000);
        }
        assert!(
            (h.quantile_ms(0.5) - 50.0).abs() < 1.0,
            "{}",
            h.quantile_ms(0.5)
        );
        assert!(
            (h.quantile_ms(0.99) - 99.0).abs() < 1.6,
            "{}",
            h.quantile_ms(0.99)
        );
        assert_eq!(h.max_ms(), 100.0);
        assert_eq!(Histogram::new().quantile_ms(0.99), 0.0);
    }

    #[test]
    fn start_line_round_trips() {
        let line = Plan::line(1_000, Duration::from_secs(60), &[7, 541234567]);
        let plan = Plan::parse(line.trim_end()).expect("a plan");
        assert_eq!(plan.rate, 1_000.0);
        assert_eq!(plan.duration, Duration::from_secs(60));
        assert_eq!(plan.devices, vec![7, 541234567]);
        assert!(Plan::parse("start 10 100").is_err());
        assert!(Plan::parse("go 10 100 1").is_err());
    }
}
