//! A headless Chromium for the console's end-to-end tests and benchmarks: spawns `chromedriver`
//! on a free loopback port, opens a WebDriver session with a fresh profile, and cleans all of it
//! up on [`Browser::close`] (or on drop, best effort). Flags follow `shared/toolchain.md`: without
//! the background-networking switches Chromium tries to reach Google's hosts, which this machine
//! refuses.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::ClientBuilder;
pub use fantoccini::{Client, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's ChromeDriver (overridden by `$CHROMEDRIVER`).
pub const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long chromedriver may take to listen, and Chromium to open a session.
pub const START_LIMIT: Duration = Duration::from_secs(30);

/// Why a browser could not be started or used.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A program or file the browser needs is missing.
    #[error("missing: {0}")]
    Missing(String),
    /// Local I/O (ports, processes, files).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// A WebDriver command failed.
    #[error("WebDriver: {0}")]
    WebDriver(String),
    /// Something did not happen in time.
    #[error("timed out: {0}")]
    Timeout(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> HarnessError {
    let what = what.into();
    move |source| HarnessError::Io { what, source }
}

/// The chromedriver to use: `$CHROMEDRIVER` or Debian's.
pub fn chromedriver_path() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CHROMEDRIVER))
}

/// What is missing to run the console in a browser: the built console (`dist/index.html`),
/// chromedriver, Chromium. Empty when everything is there.
pub fn missing_prerequisites(dist: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let index = dist.join("index.html");
    if !index.is_file() {
        missing.push(format!("{} (run `cargo xtask dist`)", index.display()));
    }
    let driver = chromedriver_path();
    if !driver.is_file() {
        missing.push(format!("{} (run `cargo xtask setup`)", driver.display()));
    }
    if !Path::new(CHROMIUM).is_file() {
        missing.push(format!("{CHROMIUM} (run `cargo xtask setup`)"));
    }
    missing
}

/// A chromedriver process plus one headless Chromium session with its own profile directory.
pub struct Browser {
    client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a window of `width`×`height`.
    pub async fn start(width: u32, height: u32) -> Result<Browser, HarnessError> {
        let program = chromedriver_path();
        if !program.is_file() {
            return Err(HarnessError::Missing(program.display().to_string()));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(io("pick a free port"))?
            .port();
        let mut driver = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io(format!("start {}", program.display())))?;
        let profile = std::env::temp_dir().join(format!(
            "tna-browser-{}-{}",
            std::process::id(),
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        let session = async {
            std::fs::create_dir_all(&profile).map_err(io("create the browser profile"))?;
            wait_listening(SocketAddr::from(([127, 0, 0, 1], port)), START_LIMIT).await?;
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities(&profile, width, height));
            let url = format!("http://127.0.0.1:{port}");
            tokio::time::timeout(START_LIMIT, builder.connect(&url))
                .await
                .map_err(|_| HarnessError::Timeout("no WebDriver session".into()))?
                .map_err(|e| HarnessError::WebDriver(e.to_string()))
        }
        .await;
        match session {
            Ok(client) => Ok(Browser {
                client,
                driver,
                profile,
            }),
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                let _ = std::fs::remove_dir_all(&profile);
                Err(e)
            }
        }
    }

    /// Slows the page's CPU `rate` times (Chromium's DevTools `Emulation.setCPUThrottlingRate`,
    /// through chromedriver): 4 is Chrome's own "low-end mobile" preset, a cheap tablet.
    pub async fn throttle_cpu(&self, rate: f64) -> Result<(), HarnessError> {
        devtools(
            &self.client,
            "Emulation.setCPUThrottlingRate",
            serde_json::json!({ "rate": rate }),
        )
        .await
        .map(|_| ())
    }

    /// The resident memory of this browser's largest renderer process (the page: its JS heap,
    /// WebAssembly memory and DOM), in bytes, read from `/proc` (Linux). `None` elsewhere or
    /// when no renderer is found.
    pub fn renderer_rss_bytes(&self) -> Option<u64> {
        let root = self.driver.id();
        // Parent → children over every process, then the browser's whole tree.
        let mut children: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // `pid (comm) state ppid …`: the name may hold spaces, so read after its `)`.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(pid);
            }
        }
        let mut stack = vec![root];
        let mut largest = None;
        while let Some(pid) = stack.pop() {
            stack.extend(children.get(&pid).into_iter().flatten().copied());
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if !String::from_utf8_lossy(&cmdline).contains("--type=renderer") {
                continue;
            }
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let rss_kb = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok());
            if let Some(kb) = rss_kb {
                largest = largest.max(Some(kb * 1024));
            }
        }
        largest
    }

    /// The WebDriver client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Closes the session, stops chromedriver and removes the profile.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        self.cleanup();
    }

    fn cleanup(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.cleanup();
    }
}

fn capabilities(
    profile: &Path,
    width: u32,
    height: u32,
) -> serde_json::Map<String, serde_json::Value> {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--window-size={width},{height}"));
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": CHROMIUM, "args": args }),
    );
    caps
}

async fn wait_listening(addr: SocketAddr, limit: Duration) -> Result<(), HarnessError> {
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if started.elapsed() > limit {
            return Err(HarnessError::Timeout(format!(
                "chromedriver did not listen on {addr}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Polls until at least `want` elements match `css`, for at most `limit`; returns how many match.
pub async fn wait_for_count(
    client: &Client,
    css: &str,
    want: usize,
    limit: Duration,
) -> Result<usize, HarnessError> {
    let started = Instant::now();
    loop {
        let n = client
            .find_all(Locator::Css(css))
            .await
            .map_err(|e| HarnessError::WebDriver(e.to_string()))?
            .len();
        if n >= want {
            return Ok(n);
        }
        if started.elapsed() > limit {
            return Err(HarnessError::Timeout(format!(
                "waited {limit:?} for {want} × `{css}`, found {n}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Saves a PNG screenshot as `dir/name` and returns its path.
pub async fn save_screenshot(
    client: &Client,
    dir: &Path,
    name: &str,
) -> Result<PathBuf, HarnessError> {
    let png = client
        .screenshot()
        .await
        .map_err(|e| HarnessError::WebDriver(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(io(format!("create {}", dir.display())))?;
    let path = dir.join(name);
    std::fs::write(&path, png).map_err(io(format!("write {}", path.display())))?;
    Ok(path)
}

/// Sends a Chromium DevTools command (`Page.getInstallabilityErrors`, …) to the page of
/// `client`'s session through chromedriver, and returns its result.
pub async fn devtools(
    client: &Client,
    cmd: &'static str,
    params: serde_json::Value,
) -> Result<serde_json::Value, HarnessError> {
    client
        .issue_cmd(Cdp { cmd, params })
        .await
        .map_err(|e| HarnessError::WebDriver(e.to_string()))
}

/// A Chromium DevTools command sent through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
