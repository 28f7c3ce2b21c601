//! The `tna-relay` binary starts the way `deploy/tna-relay.service` runs it: as a non-root user,
//! with a working directory it cannot write (the unit has none, so `/`; `ProtectSystem=strict`),
//! only the state directory (where the accounts file is) writable, and no archive setting. It
//! serves, and its archive is a file in the state directory.
//!
//! Run as root, the binary is started as `nobody` with `setpriv` and `/` as its working
//! directory. Run as another user, it is started as that user in a read-only temp directory.
//! As root without `setpriv` the test says why it skips (root could write anywhere).
//!
//! Also: `systemd-analyze verify` accepts the unit, where `systemd-analyze` exists.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_tna-relay");
const PASSWORD: &str = "service-start-password";
/// Bound of one step (start, one request).
const STEP: Duration = Duration::from_secs(20);
/// `nobody` on Debian.
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    StdCommand::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn have(tool: &str, arg: &str) -> bool {
    StdCommand::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// How the relay is started: the command (program + leading args) and its working directory.
fn as_the_unit_does(tmp: &Path) -> Option<(Vec<String>, PathBuf)> {
    if is_root() {
        if !have("setpriv", "--version") {
            eprintln!(
                "SKIPPED: running as root without `setpriv` (util-linux): cannot start the relay \
                 as a non-root user, and root could write its working directory."
            );
            return None;
        }
        let cmd = [
            "setpriv",
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
            "--",
            BIN,
        ];
        return Some((cmd.map(String::from).to_vec(), PathBuf::from("/")));
    }
    let cwd = tmp.join("read-only");
    std::fs::create_dir(&cwd).expect("create the working directory");
    std::fs::set_permissions(&cwd, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    Some((vec![BIN.to_string()], cwd))
}

#[tokio::test]
async fn starts_like_the_unit_with_the_archive_in_the_state_directory() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let Some((cmd, cwd)) = as_the_unit_does(tmp.path()) else {
        return;
    };
    // The state directory: the only place the relay may write (owned by it, 0700).
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let state = tmp.path().join("state");
    std::fs::create_dir(&state).expect("create the state directory");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    if is_root() {
        std::os::unix::fs::chown(&state, Some(NOBODY), Some(NOBODY)).expect("chown");
    }
    let mut child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .args(["--gateway", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"])
        .current_dir(&cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // As deploy/tna-relay.service sets it; no TNA_RELAY_ARCHIVE.
        .env("TNA_RELAY_ACCOUNTS", state.join("accounts.json"))
        .env("TNA_ADMIN_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start tna-relay");
    let stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stdout).lines();
    let printed = tokio::time::timeout(STEP, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("tna-relay: console at http://") {
                return url.trim_end_matches('/').parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let Some(addr) = printed else {
        let _ = child.kill().await;
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err).await;
        panic!("the relay did not start as the unit runs it: {err}");
    };
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    tokio::spawn(async move {
        let mut sink = Vec::new();
        let _ = stderr.read_to_end(&mut sink).await;
    });

    let health = support::http(addr, "GET", "/healthz", None, None, STEP).await;
    assert_eq!(health.status, 200, "healthz: {:?}", health.body);
    let signed_in = support::http(
        addr,
        "POST",
        "/api/session",
        None,
        Some(json!({"username": "admin", "password": PASSWORD})),
        STEP,
    )
    .await;
    assert_eq!(signed_in.status, 200, "sign-in: {:?}", signed_in.body);
    assert!(
        state.join("tna-archive.db").is_file(),
        "the archive is in the state directory"
    );
    assert!(
        !cwd.join("tna-archive.db").exists(),
        "nothing in the working directory"
    );
    child.kill().await.expect("stop the relay");
}

#[test]
fn an_unwritable_archive_is_named_once_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no-such-dir").join("a.db");
    let out = StdCommand::new(BIN)
        .args(["--gateway", "http://127.0.0.1:9", "--listen", "127.0.0.1:0"])
        .env_remove("RUST_LOG")
        .env("TNA_RELAY_ACCOUNTS", dir.path().join("accounts.json"))
        .env("TNA_ADMIN_PASSWORD", PASSWORD)
        .env(
            "TNA_RELAY_ARCHIVE",
            format!("sqlite://{}", missing.display()),
        )
        .stdin(Stdio::null())
        .output()
        .expect("run tna-relay");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("tna-relay: "))
        .unwrap_or_default();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        line.matches("cannot open the archive").count(),
        1,
        "said once: {line}"
    );
}

#[test]
fn systemd_accepts_the_unit() {
    if !have("systemd-analyze", "--version") {
        eprintln!("SKIPPED: no `systemd-analyze` here; the unit was not verified.");
        return;
    }
    let unit = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/tna-relay.service");
    // `verify` checks that ExecStart exists: point it at this build, in a copy of the unit.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(&unit).expect("read the unit");
    assert!(
        text.contains("TNA_RELAY_ARCHIVE=sqlite:///var/lib/tna-relay/"),
        "the unit sets the archive in its state directory"
    );
    assert!(
        text.contains("WorkingDirectory=/var/lib/tna-relay"),
        "the unit sets a working directory"
    );
    let copy = dir.path().join("tna-relay.service");
    std::fs::write(&copy, text.replace("/usr/local/bin/tna-relay", BIN)).expect("write");
    let out = StdCommand::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&copy)
        .output()
        .expect("systemd-analyze");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Lines about the unit itself (not about the host's other units, or its missing
    // /etc/tna-relay/env or user, which an install creates).
    let about_unit: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("tna-relay.service") && !l.contains("/etc/tna-relay/env"))
        .collect();
    assert!(
        out.status.success() || about_unit.is_empty(),
        "systemd-analyze verify: {said}"
    );
    assert!(about_unit.is_empty(), "systemd-analyze verify: {said}");
}
