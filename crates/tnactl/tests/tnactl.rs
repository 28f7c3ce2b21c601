//! The built `tnactl` binary against a real relay and the gateway emulator on free loopback
//! ports (site HQ in Europe/Berlin, an operator account, a SQLite archive): login, export →
//! plan says nothing to do → a label edited → plan shows exactly that change (exit 2) → apply →
//! the devices hold it and plan says nothing to do; a device whose writes fail makes apply exit
//! 3 with its row; a malformed file is refused with its line before anything is written; broken
//! rules name device and field; missing schedules and zones; selectors by name and tag once
//! `devices.setInfo` named and tagged devices; logs, timecards, completions.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use gateway_sim::{Gateway, RunningGateway, SimConfig};
use serde_json::Value;
use tna_relay::auth::Auth;
use tna_relay::{GatewaySite, GatewayTarget, RelayConfig, RunningRelay};
use tna_types::Role;

#[path = "../../tna-relay/tests/support/mod.rs"]
mod support;

const USER: &str = "ops";
const PASSWORD: &str = "a-long-enough-password";
/// `--from` / `--to` covering every archived event.
const EVER: [&str; 4] = ["--from", "2000-01-01", "--to", "2100-01-01"];
/// One command's bound (the debug binary, a few dozen devices).
const STEP: Duration = Duration::from_secs(90);

struct Harness {
    gateway: RunningGateway,
    relay: RunningRelay,
    /// XDG_CONFIG_HOME of the commands (the stored session) and the files of the test.
    dir: tempfile::TempDir,
}

impl Harness {
    async fn start(devices: u32) -> Harness {
        Harness::start_with(devices, false).await
    }

    /// With `https`, the relay serves HTTPS with a certificate of a fresh CA (`ca.crt` in the
    /// test's directory), and `login` is given that CA.
    async fn start_with(devices: u32, https: bool) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let tls = https.then(|| {
            gateway_sim::generate_tls(Some(dir.path())).expect("certificates");
            tna_relay::tls::TlsFiles {
                cert: dir.path().join("server.crt"),
                key: dir.path().join("server.key"),
            }
        });
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        let sim = SimConfig {
            devices,
            logs_per_device: 30,
            seed: 7,
            punch_interval: None,
            first_device_id: gateway_sim::FIRST_DEVICE_ID,
            zone: Some("Europe/Berlin".into()),
        };
        let gateway = gateway_sim::start(Gateway::new(sim), loopback, None)
            .await
            .expect("the gateway emulator starts");
        let auth = Auth::in_memory_fast_for_tests();
        auth.create_account(USER, PASSWORD, Role::Operator)
            .expect("account");
        let site = GatewaySite::named(
            "HQ",
            GatewayTarget::Remote {
                url: format!("http://{}", gateway.addr),
                ca_cert: None,
            },
        )
        .in_zone("Europe/Berlin");
        let relay = tna_relay::start(RelayConfig {
            auth: Some(auth),
            tls,
            archive: Some(format!(
                "sqlite://{}",
                dir.path().join("archive.db").display()
            )),
            ..RelayConfig::with_sites(loopback, vec![site])
        })
        .await
        .expect("the relay starts");
        let h = Harness {
            gateway,
            relay,
            dir,
        };
        let url = h.relay.url();
        let ca = h.path("ca.crt").display().to_string();
        let mut login = vec!["login", &url, "--username", USER, "--password-stdin"];
        if https {
            login.extend(["--ca-cert", &ca]);
        }
        let login = h.run_with_stdin(&login, PASSWORD).await;
        assert_eq!(login.status.code(), Some(0), "{}", text(&login));
        h
    }

    fn sim(&self) -> &Gateway {
        &self.gateway.gateway
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    async fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "").await
    }

    async fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tnactl"));
        cmd.args(args)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("HOME", self.dir.path())
            .env_remove("TNACTL_URL")
            .env_remove("TNACTL_TOKEN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let stdin = stdin.to_string();
        let what = args.join(" ");
        let run = tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().expect("tnactl starts");
            if let Some(mut input) = child.stdin.take() {
                input.write_all(stdin.as_bytes()).expect("stdin");
            }
            child.wait_with_output().expect("tnactl runs")
        });
        tokio::time::timeout(STEP, run)
            .await
            .unwrap_or_else(|_| panic!("tnactl {what} did not finish within {STEP:?}"))
            .expect("join")
    }

    /// `plan -o json`: the exit code and the plan.
    async fn plan_json(&self, file: &Path) -> (Option<i32>, Value) {
        let out = self
            .run(&["plan", &file.display().to_string(), "-o", "json"])
            .await;
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("plan JSON: {e}\n{}", text(&out)));
        (out.status.code(), v)
    }

    async fn stop(self) {
        self.relay.shutdown().await;
        self.gateway.shutdown().await;
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The IDs of the first `select = { ids = [...] }` line of an exported file.
fn first_section_ids(file: &str) -> Vec<u32> {
    let line = file
        .lines()
        .find(|l| l.starts_with("select = { ids = ["))
        .expect("a section");
    let inner = line
        .trim_start_matches("select = { ids = [")
        .trim_end_matches("] }");
    inner
        .split(", ")
        .map(|n| n.parse().expect("an ID"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_plan_edit_apply_plan() {
    let h = Harness::start(12).await;
    let who = h.run(&["whoami"]).await;
    assert_eq!(who.status.code(), Some(0), "{}", text(&who));
    assert!(stdout(&who).starts_with("ops (operator)"), "{}", text(&who));
    let meta = std::fs::metadata(h.path("config/tnactl/session.json")).expect("session file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let _ = meta;

    let devices = h.run(&["devices", "--site", "HQ", "-o", "json"]).await;
    let list: Vec<Value> = serde_json::from_slice(&devices.stdout).expect("devices JSON");
    assert_eq!(list.len(), 12, "{}", text(&devices));

    // Export, then plan it: nothing to do.
    let export = h.run(&["export", "--site", "HQ"]).await;
    assert_eq!(export.status.code(), Some(0), "{}", text(&export));
    let exported = stdout(&export);
    let file = h.path("site.toml");
    std::fs::write(&file, &exported).expect("write");
    let (code, plan) = h.plan_json(&file).await;
    assert_eq!(code, Some(0), "{plan:#}\n{exported}");
    assert_eq!(plan["summary"]["changes"], 0, "{plan:#}");
    assert!(plan["summary"]["same"].as_u64().unwrap() > 0, "{plan:#}");

    // Edit KEY_2's label of the first section.
    let ids = first_section_ids(&exported);
    let mut edited = String::new();
    let mut done = false;
    for line in exported.lines() {
        if !done && line.starts_with("keys.2 = { label = ") {
            let rest = &line[line.find(", schedule").expect("schedule")..];
            edited.push_str(&format!("keys.2 = {{ label = \"Leave now\"{rest}\n"));
            done = true;
        } else {
            edited.push_str(line);
            edited.push('\n');
        }
    }
    assert!(done, "{exported}");
    std::fs::write(&file, &edited).expect("write");
    let (code, plan) = h.plan_json(&file).await;
    assert_eq!(code, Some(2), "{plan:#}");
    let changed: Vec<u32> = plan["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["state"] == "changes")
        .map(|d| d["deviceId"].as_u64().unwrap() as u32)
        .collect();
    assert_eq!(
        changed, ids,
        "exactly the first section's devices change: {plan:#}"
    );
    for d in plan["devices"].as_array().unwrap() {
        if d["state"] == "changes" {
            let changes = d["changes"].as_array().unwrap();
            assert_eq!(changes.len(), 1, "{d:#}");
            assert_eq!(changes[0]["what"], "tna");
            assert_eq!(changes[0]["field"], "labels[1]");
            assert_eq!(changes[0]["after"], "\"Leave now\"");
        }
    }
    // The human plan shows that one change, grouped.
    let human = h.run(&["plan", &file.display().to_string()]).await;
    assert_eq!(human.status.code(), Some(2), "{}", text(&human));
    let human = stdout(&human);
    assert!(human.contains("KEY_2 label: "), "{human}");
    assert!(human.contains(" → \"Leave now\""), "{human}");

    // Apply, and the devices hold it.
    let apply = h
        .run(&["apply", &file.display().to_string(), "--yes"])
        .await;
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    assert!(
        stdout(&apply).contains(&format!(
            "{} written and re-read as the file says, 0 failed.",
            ids.len()
        )),
        "{}",
        text(&apply)
    );
    for id in &ids {
        let held = h.sim().tna_config(*id).expect("device");
        assert_eq!(held.labels[1], "Leave now", "device {id}");
    }
    let (code, plan) = h.plan_json(&file).await;
    assert_eq!(code, Some(0), "{plan:#}");

    // get config shows it, as TOML and JSON.
    let id = ids[0].to_string();
    let got = h.run(&["get", "config", &id, "-o", "json"]).await;
    let v: Value = serde_json::from_slice(&got.stdout).expect("config JSON");
    assert_eq!(v[&id]["labels"][1], "Leave now", "{}", text(&got));
    let got = h.run(&["get", "config", &id]).await;
    assert!(
        stdout(&got).contains("keys.2 = { label = \"Leave now\""),
        "{}",
        text(&got)
    );

    let out = h.run(&["logout"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!h.path("config/tnactl/session.json").exists());
    let who = h.run(&["whoami"]).await;
    assert_eq!(who.status.code(), Some(1), "{}", text(&who));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_device_makes_apply_fail_with_its_row() {
    let h = Harness::start(8).await;
    let ids = h.sim().device_ids();
    // Two T&A devices with a keypad-free mode either way: fixed on KEY_1 works on every T&A device.
    let list = h.run(&["devices", "-o", "json"]).await;
    let list: Vec<Value> = serde_json::from_slice(&list.stdout).expect("devices JSON");
    let tna: Vec<u32> = list
        .iter()
        .filter(|d| d["tnaSupported"] == true && d["status"] == "connected")
        .map(|d| d["deviceId"].as_u64().unwrap() as u32)
        .take(3)
        .collect();
    assert_eq!(tna.len(), 3, "{list:#?} of {ids:?}");
    let bad = tna[1];
    h.sim().fail_set_config(bad, true);
    let file = h.path("fail.toml");
    std::fs::write(
        &file,
        format!(
            "[[section]]\nselect = {{ ids = [{}, {}, {}] }}\n[section.tna]\nkeys.5 = {{ label = \"Tnactl test\" }}\n",
            tna[0], tna[1], tna[2]
        ),
    )
    .unwrap();
    let apply = h
        .run(&[
            "apply",
            &file.display().to_string(),
            "--yes",
            "--parallel",
            "2",
        ])
        .await;
    assert_eq!(apply.status.code(), Some(3), "{}", text(&apply));
    let out = stdout(&apply);
    let row = out
        .lines()
        .find(|l| l.starts_with(&bad.to_string()))
        .unwrap_or_else(|| panic!("a row for {bad}: {out}"));
    assert!(
        row.contains("failed") && row.contains("tna:") && row.contains("gRPC 13"),
        "{row}"
    );
    for ok in [tna[0], tna[2]] {
        let row = out
            .lines()
            .find(|l| l.starts_with(&ok.to_string()))
            .expect("row");
        assert!(row.contains(" ok"), "{row}");
        assert_eq!(h.sim().tna_config(ok).unwrap().labels[4], "Tnactl test");
    }
    assert_ne!(h.sim().tna_config(bad).unwrap().labels[4], "Tnactl test");
    // JSON: the failure with its code.
    let apply = h
        .run(&["apply", &file.display().to_string(), "--yes", "-o", "json"])
        .await;
    assert_eq!(apply.status.code(), Some(3), "{}", text(&apply));
    let v: Value = serde_json::from_slice(&apply.stdout).expect("apply JSON");
    assert_eq!(v["failed"], 1);
    let r = &v["results"][0];
    assert_eq!(r["deviceId"], bad);
    assert_eq!(r["ok"], false);
    assert_eq!(r["failures"][0]["what"], "tna");
    assert_eq!(
        r["failures"][0]["code"],
        serde_json::json!({"source": "grpc", "code": 13})
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_files_and_broken_rules_are_refused_before_any_write() {
    let h = Harness::start(6).await;
    let list = h.run(&["devices", "-o", "json"]).await;
    let list: Vec<Value> = serde_json::from_slice(&list.stdout).expect("devices JSON");
    let id = list
        .iter()
        .find(|d| d["tnaSupported"] == true && d["status"] == "connected")
        .map(|d| d["deviceId"].as_u64().unwrap() as u32)
        .expect("a T&A device");
    let before = h.sim().tna_config(id).unwrap();

    // A valid first section and a typo in the second: nothing is written, the line is named.
    let file = h.path("bad.toml");
    std::fs::write(
        &file,
        format!(
            "[[section]]\nselect = {{ ids = [{id}] }}\n[section.tna]\nkeys.1 = {{ label = \"Changed\" }}\n\n[[section]]\nselect = {{ all = true }}\nuse_jobcode = true\n"
        ),
    )
    .unwrap();
    for cmd in ["plan", "apply"] {
        let out = h
            .run(&[cmd, &file.display().to_string(), "--yes"][..if cmd == "plan" { 2 } else { 3 }])
            .await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.toml:8:"), "{err}");
        assert!(err.contains("use_jobcode"), "{err}");
    }
    assert_eq!(h.sim().tna_config(id).unwrap(), before);

    // A rule broken for a device: named with its field and the rule.
    std::fs::write(
        &file,
        format!("[[section]]\nselect = {{ ids = [{id}] }}\n[section.tna]\nmode = \"fixed\"\nfixed_key = 0\n"),
    )
    .unwrap();
    let out = h
        .run(&["apply", &file.display().to_string(), "--yes"])
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("device {id}: key: Fixed mode needs a key")),
        "{err}"
    );
    assert_eq!(h.sim().tna_config(id).unwrap(), before);

    // A schedule the device lacks: it cannot take it, and says why.
    std::fs::write(
        &file,
        format!("[[section]]\nselect = {{ ids = [{id}] }}\n[section.tna]\nkeys.3 = {{ schedule = \"Moon phase\" }}\n"),
    )
    .unwrap();
    let out = h.run(&["plan", &file.display().to_string()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let s = stdout(&out);
    assert!(s.contains("1 cannot take it"), "{s}");
    assert!(
        s.contains("KEY_3: schedule \"Moon phase\" does not exist on this device"),
        "{s}"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_logs_timecards_and_completions() {
    let h = Harness::start(10).await;
    // The seeded site has devices with a wrong offset or stale DST schedules.
    let file = h.path("zones.toml");
    std::fs::write(
        &file,
        "[[section]]\nselect = { site = \"HQ\" }\nfix_zones = true\n",
    )
    .unwrap();
    let (code, plan) = h.plan_json(&file).await;
    assert_eq!(code, Some(2), "{plan:#}");
    let zone_fields: Vec<&str> = plan["devices"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["changes"].as_array().unwrap().iter())
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(
        zone_fields
            .iter()
            .all(|f| *f == "utcOffset" || *f == "dstSchedules"),
        "{plan:#}"
    );
    let apply = h
        .run(&["apply", &file.display().to_string(), "--yes"])
        .await;
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply));
    let (code, plan) = h.plan_json(&file).await;
    assert_eq!(code, Some(0), "{plan:#}");

    // Logs from the archive: wait (bounded) until the first sync stored some.
    let mut rows = Vec::new();
    for _ in 0..60 {
        let out = h
            .run(&[&["logs"][..], &EVER, &["-o", "jsonl"]].concat())
            .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        rows = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
            .collect();
        if rows.len() >= 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(rows.len() >= 30, "{} rows", rows.len());
    let keys: Vec<(u64, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["timestamp"].as_u64().unwrap(),
                r["deviceId"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "archive order");
    let one = rows[0]["deviceId"].as_u64().unwrap().to_string();
    let out = h
        .run(&[&["logs"][..], &EVER, &["--device", &one, "-o", "csv"]].concat())
        .await;
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("timestamp,deviceId,epoch,id,userId,eventCode,subCode,tnaKey"),
        "{}",
        text(&out)
    );
    let body: Vec<&str> = lines.collect();
    assert!(!body.is_empty());
    assert!(
        body.iter()
            .all(|l| l.split(',').nth(1) == Some(one.as_str())),
        "{csv}"
    );

    let out = h
        .run(&[
            "timecards",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-07",
            "-o",
            "csv",
        ])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).starts_with("userId,day,zone,firstIn,lastOut,workedSeconds"),
        "{}",
        text(&out)
    );

    for shell in ["bash", "zsh", "fish"] {
        let out = h.run(&["completions", shell]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(stdout(&out).contains("tnactl"), "{shell}");
        assert!(stdout(&out).contains("export"), "{shell}");
    }
    h.stop().await;
}

/// An https:// relay with a private CA: refused against the system's roots, used with
/// `login --ca-cert` (kept with the session for the socket too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_relay_with_a_private_ca() {
    let h = Harness::start_with(3, true).await;
    assert!(h.relay.url().starts_with("https://"));
    let out = h.run(&["devices", "-o", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).expect("devices JSON");
    assert_eq!(list.len(), 3);
    let session = std::fs::read_to_string(h.path("config/tnactl/session.json")).unwrap();
    assert!(session.contains("ca.crt"), "{session}");
    // Without the CA the certificate is not trusted.
    let out = h
        .run_with_stdin(
            &[
                "login",
                &h.relay.url(),
                "--username",
                USER,
                "--password-stdin",
            ],
            PASSWORD,
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot connect"),
        "{}",
        text(&out)
    );
    h.stop().await;
}

/// Selectors by name pattern and tag against what `devices.setInfo` keeps (set here through the
/// relay tests' own JSON-RPC helper, with the session `login` stored).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selectors_by_name_and_tag_after_set_info() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;

    let h = Harness::start(6).await;
    let list = h.run(&["devices", "-o", "json"]).await;
    let list: Vec<Value> = serde_json::from_slice(&list.stdout).expect("devices JSON");
    let tna: Vec<u32> = list
        .iter()
        .filter(|d| d["tnaSupported"] == true && d["status"] == "connected")
        .map(|d| d["deviceId"].as_u64().unwrap() as u32)
        .take(4)
        .collect();
    assert_eq!(tna.len(), 4, "{list:#?}");
    let session: Value = serde_json::from_slice(
        &std::fs::read(h.path("config/tnactl/session.json")).expect("session"),
    )
    .expect("session JSON");
    let token = session["token"].as_str().expect("token");
    let mut request = format!("ws://{}/ws", h.relay.addr())
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("/ws");
    let infos = [
        (tna[0], Some("Reception east"), vec!["entrance"]),
        (tna[1], Some("Canteen"), vec!["entrance", "food"]),
        (tna[2], Some("Reception west"), vec![]),
        (tna[3], None, vec!["food"]),
    ];
    for (n, (id, name, tags)) in infos.iter().enumerate() {
        let mut params = serde_json::json!({"deviceId": id, "tags": tags});
        if let Some(name) = name {
            params["name"] = (*name).into();
        }
        let answer = support::call(&mut ws, n as i64 + 1, "devices.setInfo", params, STEP).await;
        assert!(answer.get("result").is_some(), "{answer}");
    }
    let file = h.path("select.toml");
    std::fs::write(
        &file,
        "[[section]]\nselect = { tags = [\"entrance\"] }\n[section.tna]\nkeys.6 = { label = \"Door\" }\n\n\
         [[section]]\nselect = { name = \"Reception*\" }\n[section.tna]\nkeys.7 = { label = \"Desk\" }\n",
    )
    .unwrap();
    let (code, plan) = h.plan_json(&file).await;
    assert_eq!(code, Some(2), "{plan:#}");
    let fields = |id: u32| -> Vec<String> {
        plan["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["deviceId"] == id)
            .map(|d| {
                d["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["field"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(fields(tna[0]), ["labels[5]", "labels[6]"], "{plan:#}");
    assert_eq!(fields(tna[1]), ["labels[5]"], "{plan:#}");
    assert_eq!(fields(tna[2]), ["labels[6]"], "{plan:#}");
    assert!(fields(tna[3]).is_empty(), "{plan:#}");
    assert_eq!(plan["summary"]["selected"], 3, "{plan:#}");
    h.stop().await;
}
