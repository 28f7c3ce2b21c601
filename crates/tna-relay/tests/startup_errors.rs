//! The `tna-relay` binary refuses a bad start with one line on stderr that says what to fix,
//! and exit code 2: a config file with a typo, a missing TLS certificate, no gateway at all, an
//! archive URL of an unknown kind, an unknown time zone, a port already in use. A good config
//! file starts it.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tna-relay");
/// A failing start must end this fast (it never waits for a gateway).
const LIMIT: Duration = Duration::from_secs(20);

/// Runs the relay with `args` and an accounts file in `dir`; its output once it exits.
fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .env("TNA_RELAY_ACCOUNTS", dir.join("accounts.json"))
        .env("TNA_ADMIN_PASSWORD", "startup-test-password")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tna-relay");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "tna-relay {args:?} did not exit within {LIMIT:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one error line (the logger may print info lines before it).
fn error_line(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("tna-relay: "))
        .collect();
    assert_eq!(lines.len(), 1, "exactly one error line: {stderr}");
    assert_eq!(out.status.code(), Some(2), "exit code: {stderr}");
    lines[0].to_string()
}

#[test]
fn bad_starts_say_what_to_fix_in_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();

    let typo = d.join("typo.toml");
    std::fs::write(&typo, "listn = \"127.0.0.1:0\"\n").expect("write");
    let line = error_line(&run(d, &["--config", typo.to_str().unwrap_or_default()]));
    assert!(
        line.contains("typo.toml") && line.contains("listn"),
        "{line}"
    );

    let line = error_line(&run(d, &["--listen", "127.0.0.1:0"]));
    assert!(
        line.contains("no gateway") && line.contains("--gateway"),
        "{line}"
    );

    let missing = d.join("missing.crt");
    let line = error_line(&run(
        d,
        &[
            "--gateway",
            "http://127.0.0.1:9",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            missing.to_str().unwrap_or_default(),
            "--tls-key",
            missing.to_str().unwrap_or_default(),
        ],
    ));
    assert!(line.contains("missing.crt"), "{line}");

    // An unknown time zone names the site; a site without one is said to be in UTC at start
    // (the start above got that far before the certificate failed it).
    let line = error_line(&run(
        d,
        &[
            "--gateway",
            "http://127.0.0.1:9",
            "--site",
            "Depot",
            "--time-zone",
            "Europe/Atlantis",
            "--listen",
            "127.0.0.1:0",
        ],
    ));
    assert!(
        line.contains("site Depot") && line.contains("\"Europe/Atlantis\""),
        "{line}"
    );
    let no_zone = run(
        d,
        &[
            "--gateway",
            "http://127.0.0.1:9",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            missing.to_str().unwrap_or_default(),
            "--tls-key",
            missing.to_str().unwrap_or_default(),
        ],
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&no_zone.stdout),
        String::from_utf8_lossy(&no_zone.stderr)
    );
    assert!(
        said.contains("no time zone set for the gateway: UTC, no zone set"),
        "{said}"
    );

    // `--database` is `--archive` under the name integrators look for.
    let line = error_line(&run(
        d,
        &[
            "--gateway",
            "http://127.0.0.1:9",
            "--listen",
            "127.0.0.1:0",
            "--database",
            "mysql://127.0.0.1/tna",
        ],
    ));
    assert!(
        line.contains("mysql") && line.contains("sqlite:///"),
        "{line}"
    );

    // Origins are checked at start: a malformed one is never silently left out.
    for (flag, value) in [
        ("--public-origin", "tna.example.com"),
        ("--allow-origin", "https://bad; script-src *"),
    ] {
        let line = error_line(&run(
            d,
            &[
                "--gateway",
                "http://127.0.0.1:9",
                "--listen",
                "127.0.0.1:0",
                flag,
                value,
            ],
        ));
        assert!(
            line.contains("is not an origin") && line.contains(value),
            "{flag}: {line}"
        );
    }

    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let line = error_line(&run(
        d,
        &["--gateway", "http://127.0.0.1:9", "--listen", &addr],
    ));
    assert!(
        line.contains("cannot listen on") && line.contains(&addr),
        "{line}"
    );
}

#[test]
fn a_config_file_gives_the_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // The file names a certificate that does not exist: the error proves the file was read and
    // its [tls] section used, without leaving a relay running.
    let config = d.join("tna-relay.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\n[tls]\ncert = \"{0}/from-file.crt\"\nkey = \"{0}/from-file.key\"\n[[gateway]]\nname = \"HQ\"\nurl = \"http://127.0.0.1:9\"\n",
            d.display()
        ),
    )
    .expect("write");
    let line = error_line(&run(d, &["--config", config.to_str().unwrap_or_default()]));
    assert!(line.contains("from-file.crt"), "{line}");
}
