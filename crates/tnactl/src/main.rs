//! `tnactl`: a command-line client of the relay's public JSON-RPC protocol — T&A configuration
//! as code (`plan`, `apply`, `export` of a desired-state file), devices, configs, job codes,
//! archived logs and timecards. See `docs/tnactl.md`.
//!
//! Modules: [`client`] (sign-in over HTTP, JSON-RPC over one WebSocket, pipelined),
//! [`session`] (the stored token), [`desired`] (the file format, checked before anything is
//! read or written), [`plan`] (read, merge, judge, group), [`apply`] (the batched writes,
//! `tna_types::bulk`), [`export`], [`output`] (tables, CSV, JSON lines). Exit codes: 0 ok /
//! nothing to do, 1 error, 2 `plan` found changes, 3 `apply` left a device failed or differing.

mod apply;
mod client;
mod desired;
mod export;
mod output;
mod plan;
mod session;
mod tls;

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tna_types::Device;
use tna_types::archive::LogQuery;
use tna_types::protocol::{DeviceParams, GetJobCodesParams, NoParams, TimecardsParams, method};

use crate::client::Client;
use crate::plan::{Plan, State};

/// Exit code: `plan` found changes.
const EXIT_CHANGES: u8 = 2;
/// Exit code: `apply` left a device failed or differing.
const EXIT_DEVICE_FAILED: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "tnactl",
    version,
    about = "T&A configuration as code for tna-relay: plan, apply, export; devices, logs, timecards"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Sign in to a relay and store the session token (mode 0600 in the config directory).
    Login {
        /// The relay, e.g. https://relay.example:8080.
        url: String,
        /// The account.
        #[arg(long, short)]
        username: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        /// A PEM CA file the https:// relay's certificate is checked against instead of the
        /// system's roots (kept with the session; TNACTL_CA_CERT overrides it).
        #[arg(long)]
        ca_cert: Option<PathBuf>,
    },
    /// Sign out: end the session at the relay and forget the token.
    Logout,
    /// Who the session is signed in as.
    Whoami {
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// List the relay's devices.
    Devices {
        /// Only this site.
        #[arg(long)]
        site: Option<String>,
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Read one thing from devices.
    #[command(subcommand)]
    Get(Get),
    /// Show what a desired-state file would change. Exit 0: nothing to do; 2: changes; 1: error.
    Plan {
        /// The desired-state file (TOML).
        file: PathBuf,
        #[arg(short, long, value_enum, default_value_t = PlanFormat::Text)]
        output: PlanFormat,
    },
    /// Make the devices hold what a desired-state file says. Exit 3 when a device failed.
    Apply {
        /// The desired-state file (TOML).
        file: PathBuf,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
        /// Write calls in flight at most (each call is a batch of 10 to 100 devices; the shared
        /// rule `tna_types::bulk` picks the size and may keep fewer in flight for small applies).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=24))]
        parallel: u16,
        #[arg(short, long, value_enum, default_value_t = PlanFormat::Text)]
        output: PlanFormat,
    },
    /// Write the devices' current state as a desired-state file (to standard output).
    Export {
        /// Only this site.
        #[arg(long)]
        site: Option<String>,
        /// Also every user's job codes (one list per user and device: large on big sites).
        #[arg(long)]
        job_codes: bool,
    },
    /// Stream archived T&A events (paged, constant memory).
    Logs {
        /// From: YYYY-MM-DD (UTC day) or Unix seconds.
        #[arg(long)]
        from: String,
        /// To: YYYY-MM-DD (the whole UTC day included) or Unix seconds (excluded).
        #[arg(long)]
        to: String,
        /// Only these devices.
        #[arg(long = "device")]
        devices: Vec<u32>,
        /// Only this user.
        #[arg(long)]
        user: Option<String>,
        #[arg(short, long, value_enum, default_value_t = LogFormat::Csv)]
        output: LogFormat,
    },
    /// Timecards of a range of days (the relay's timecard rules), as CSV.
    Timecards {
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day (included), YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// Only this user.
        #[arg(long)]
        user: Option<String>,
        #[arg(short, long, value_enum, default_value_t = CsvOnly::Csv)]
        output: CsvOnly,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand, Debug)]
enum Get {
    /// Devices' T&A configs: TOML (desired-state sections, schedules by name) or JSON.
    Config {
        #[arg(required = true)]
        devices: Vec<u32>,
        #[arg(short, long, value_enum, default_value_t = ConfigFormat::Toml)]
        output: ConfigFormat,
    },
    /// A device's users and their job codes.
    Jobcodes {
        device: u32,
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum PlanFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ConfigFormat {
    Toml,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Csv,
    Jsonl,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum CsvOnly {
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("tnactl: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> Result<u8> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::Login {
            url,
            username,
            password_stdin,
            ca_cert,
        } => {
            let base = client::base_url(&url)?;
            let ca_cert = match session::ca_cert(ca_cert.as_deref()) {
                Some(p) => Some(
                    std::path::absolute(&p)
                        .with_context(|| format!("the CA file {}", p.display()))?,
                ),
                None => None,
            };
            let roots = tls::Roots::load(ca_cert.as_deref())?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                s.trim_end_matches(['\n', '\r']).to_string()
            } else {
                rpassword::prompt_password(format!("Password for {username} at {base}: "))
                    .context("cannot read the password (use --password-stdin without a terminal)")?
            };
            let signed = client::sign_in(&base, &roots, &username, &password)?;
            let path = session::save(&session::Stored {
                url: base.clone(),
                username: signed.username.clone(),
                role: signed.role,
                expires_at: signed.expires_at,
                token: signed.token,
                ca_cert,
            })?;
            writeln!(
                out,
                "Signed in to {base} as {} ({}); session stored in {}.",
                signed.username,
                signed.role.name(),
                path.display()
            )?;
            Ok(0)
        }
        Command::Logout => {
            if let Some(s) = session::load()? {
                // The session ends at the relay too; a relay that cannot be reached is no reason
                // to keep the token here.
                let ca = session::ca_cert(s.ca_cert.as_deref());
                let signed_out = tls::Roots::load(ca.as_deref())
                    .map_err(anyhow::Error::from)
                    .and_then(|roots| Ok(client::sign_out(&s.url, &roots, &s.token)?));
                if let Err(e) = signed_out {
                    eprintln!("tnactl: warning: {e}");
                }
            }
            let had = session::remove()?;
            writeln!(
                out,
                "{}",
                if had { "Signed out." } else { "Not signed in." }
            )?;
            Ok(0)
        }
        Command::Whoami { output } => {
            let url = session::target()?.url;
            let mut c = session::connect()?;
            let me = c.call::<method::SessionWhoami>(&NoParams {})?;
            c.close();
            if output == Format::Json {
                serde_json::to_writer_pretty(&mut out, &me)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{} ({}) at {url}{}",
                    me.username.as_deref().unwrap_or("(relay without sign-in)"),
                    me.role.name(),
                    me.expires_at
                        .map(|t| format!("; the session ends at {t} (Unix seconds)."))
                        .unwrap_or_default()
                )?;
            }
            Ok(0)
        }
        Command::Devices { site, output } => {
            let mut c = session::connect()?;
            let list = list_devices(&mut c, site.as_deref())?;
            c.close();
            let format = match output {
                Format::Table => "table",
                Format::Json => "json",
                Format::Csv => "csv",
            };
            output::devices(&mut out, &list, format)?;
            Ok(0)
        }
        Command::Get(Get::Config { devices, output }) => {
            let mut c = session::connect()?;
            if output == ConfigFormat::Json {
                let params: Vec<DeviceParams> = devices
                    .iter()
                    .map(|&device_id| DeviceParams { device_id })
                    .collect();
                let got =
                    c.call_many::<method::TnaGetConfig>(&params, plan::READ_WINDOW, |_, _| {})?;
                let mut map = serde_json::Map::new();
                for (id, r) in devices.iter().zip(got) {
                    let r = r.map_err(|e| anyhow!("device {id}: {}", e.message))?;
                    map.insert(id.to_string(), serde_json::to_value(r.config)?);
                }
                serde_json::to_writer_pretty(&mut out, &map)?;
                writeln!(out)?;
            } else {
                let all = list_devices(&mut c, None)?;
                let mut chosen = Vec::new();
                for id in &devices {
                    chosen.push(
                        all.iter()
                            .find(|d| d.device_id == *id)
                            .cloned()
                            .ok_or_else(|| anyhow!("device {id}: the relay does not list it"))?,
                    );
                }
                let (text, skipped) =
                    export::export(&mut c, &chosen, "tnactl get config", false, false)?;
                if let Some((id, why)) = skipped.first() {
                    bail!("device {id}: {why}");
                }
                out.write_all(text.as_bytes())?;
            }
            c.close();
            Ok(0)
        }
        Command::Get(Get::Jobcodes { device, output }) => {
            let mut c = session::connect()?;
            let r = c
                .call::<method::JobCodesGet>(&GetJobCodesParams {
                    device_id: device,
                    user_ids: Vec::new(),
                })
                .map_err(|e| anyhow!("device {device}: {e}"))?;
            c.close();
            match output {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &r.users)?;
                    writeln!(out)?;
                }
                Format::Csv => {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(["userId", "code", "label"])?;
                    for u in &r.users {
                        for j in &u.job_codes {
                            w.write_record([
                                u.user_id.clone(),
                                j.code.to_string(),
                                j.label.clone(),
                            ])?;
                        }
                    }
                    w.flush()?;
                }
                Format::Table => {
                    let rows: Vec<Vec<String>> = r
                        .users
                        .iter()
                        .filter(|u| !u.job_codes.is_empty())
                        .map(|u| {
                            vec![
                                u.user_id.clone(),
                                u.job_codes
                                    .iter()
                                    .map(|j| format!("{} {}", j.code, j.label))
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ]
                        })
                        .collect();
                    out.write_all(output::table(&["USER", "JOB CODES"], &rows).as_bytes())?;
                }
            }
            Ok(0)
        }
        Command::Plan { file, output } => {
            let desired = desired::load(&file)?;
            let mut c = session::connect()?;
            let plan = make_plan(&mut c, &desired)?;
            c.close();
            print_plan(&mut out, &plan, output)?;
            Ok(if plan.summary.changes > 0 {
                EXIT_CHANGES
            } else {
                0
            })
        }
        Command::Apply {
            file,
            yes,
            parallel,
            output,
        } => apply_cmd(&mut out, &file, yes, usize::from(parallel), output),
        Command::Export { site, job_codes } => {
            let mut c = session::connect()?;
            let list = list_devices(&mut c, site.as_deref())?;
            if list.is_empty() {
                bail!(
                    "no devices{}",
                    site.map(|s| format!(" at site {s:?}")).unwrap_or_default()
                );
            }
            let url = session::target()?.url;
            let header = format!(
                "Exported by tnactl from {url}{} ({} devices).\nEach section selects devices by ID; edit, then `tnactl plan` this file.",
                site.as_ref()
                    .map(|s| format!(", site {s}"))
                    .unwrap_or_default(),
                list.len()
            );
            let (text, skipped) = export::export(&mut c, &list, &header, job_codes, true)?;
            c.close();
            out.write_all(text.as_bytes())?;
            for (id, why) in &skipped {
                eprintln!("tnactl: device {id} left out: {why}");
            }
            Ok(0)
        }
        Command::Logs {
            from,
            to,
            devices,
            user,
            output,
        } => {
            let query = LogQuery {
                from: Some(output::instant(&from, false)?),
                to: Some(output::instant(&to, true)?),
                user_id: user,
                device_ids: (!devices.is_empty()).then_some(devices),
                after: None,
                limit: output::LOG_PAGE,
            };
            let mut c = session::connect()?;
            let format = match output {
                LogFormat::Csv => "csv",
                LogFormat::Jsonl => "jsonl",
            };
            output::logs(&mut c, query, format, &mut out)?;
            c.close();
            Ok(0)
        }
        Command::Timecards {
            from,
            to,
            user,
            output: _,
        } => {
            let mut c = session::connect()?;
            output::timecards(
                &mut c,
                &TimecardsParams {
                    from,
                    to,
                    user_id: user,
                },
                "csv",
                &mut out,
            )?;
            c.close();
            Ok(0)
        }
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "tnactl", &mut out);
            Ok(0)
        }
    }
}

/// `devices.list`, of one site when given.
fn list_devices(c: &mut Client, site: Option<&str>) -> Result<Vec<Device>> {
    let r = c
        .call::<method::DevicesList>(&NoParams {})
        .context("devices.list")?;
    Ok(match site {
        Some(s) => r
            .devices
            .into_iter()
            .filter(|d| d.site.as_deref() == Some(s))
            .collect(),
        None => r.devices,
    })
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Reads and judges; a broken rule of the file is an error naming device, field and rule.
fn make_plan(c: &mut Client, desired: &desired::DesiredFile) -> Result<Plan> {
    let all = list_devices(c, None)?;
    let targets = desired::resolve(desired, &all);
    let bar = spinner();
    let held = plan::read(c, &targets, |what, n, total| {
        bar.set_message(what.to_string());
        bar.set_length(total as u64);
        bar.set_position(n as u64);
    })?;
    bar.finish_and_clear();
    plan::judge(&targets, &held, all.len()).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("  device {}: {}: {}", e.device_id, e.field, e.rule))
            .collect();
        anyhow!(
            "the file breaks a rule for {} device(s); nothing was written:\n{}",
            errors.len(),
            lines.join("\n")
        )
    })
}

fn print_plan(out: &mut impl Write, plan: &Plan, format: PlanFormat) -> Result<()> {
    match format {
        PlanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, plan)?;
            writeln!(out)?;
        }
        PlanFormat::Text => out.write_all(plan.render().as_bytes())?,
    }
    Ok(())
}

/// `apply -o json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ApplyReport<'a> {
    plan: &'a Plan,
    operation_id: &'a str,
    results: &'a [apply::WriteResult],
    failed: usize,
}

fn apply_cmd(
    out: &mut impl Write,
    file: &std::path::Path,
    yes: bool,
    parallel: usize,
    format: PlanFormat,
) -> Result<u8> {
    let desired = desired::load(file)?;
    let mut c = session::connect()?;
    let plan = make_plan(&mut c, &desired)?;
    // The relay closes a socket that is silent for a minute: not kept open over the question.
    c.close();
    if format == PlanFormat::Text {
        print_plan(out, &plan, format)?;
    }
    let to_write: usize = plan
        .devices
        .iter()
        .filter(|p| p.state == State::Changes)
        .count();
    if to_write == 0 {
        if format == PlanFormat::Json {
            serde_json::to_writer_pretty(
                &mut *out,
                &ApplyReport {
                    plan: &plan,
                    operation_id: "",
                    results: &[],
                    failed: 0,
                },
            )?;
            writeln!(out)?;
        }
        return Ok(0);
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("not a terminal: pass --yes to apply without confirmation");
        }
        eprint!("Apply these changes to {to_write} device(s)? [y/N] ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("not applied");
        }
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).map_err(|e| anyhow!("no random source: {e}"))?;
    let operation = tna_types::bulk::operation_id(
        u64::try_from(now.as_millis()).unwrap_or(u64::MAX),
        u32::from_le_bytes(random),
    );
    let mut c = session::connect()?;
    let bar = spinner();
    let mut results = apply::write(
        &mut c,
        &plan.devices,
        &operation,
        parallel,
        |what, n, total| {
            bar.set_message(what.to_string());
            bar.set_length(total as u64);
            bar.set_position(n as u64);
        },
    )?;
    bar.finish_and_clear();
    // Re-read: every written device judged again.
    let written: Vec<u32> = results.iter().map(|r| r.device_id).collect();
    let all = list_devices(&mut c, None)?;
    let targets: Vec<_> = desired::resolve(&desired, &all)
        .into_iter()
        .filter(|(d, _)| written.contains(&d.device_id))
        .collect();
    let held = plan::read(&mut c, &targets, |_, _, _| {})?;
    c.close();
    for r in results.iter_mut().filter(|r| r.ok) {
        let Some((d, w)) = targets.iter().find(|(d, _)| d.device_id == r.device_id) else {
            r.reread_error = Some("no longer listed by the relay".into());
            continue;
        };
        let empty = plan::Held::default();
        match plan::device_plan(d, w, held.get(&d.device_id).unwrap_or(&empty)) {
            Ok(p) if p.state == State::Same => {}
            Ok(p) if p.state == State::Changes => r.still_differs = p.changes,
            Ok(p) => r.reread_error = Some(p.reasons.join("; ")),
            Err(e) => {
                r.reread_error = Some(
                    e.iter()
                        .map(|e| format!("{}: {}", e.field, e.rule))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }
        }
    }
    let failed = results.iter().filter(|r| !r.good()).count();
    match format {
        PlanFormat::Json => {
            serde_json::to_writer_pretty(
                &mut *out,
                &ApplyReport {
                    plan: &plan,
                    operation_id: &operation,
                    results: &results,
                    failed,
                },
            )?;
            writeln!(out)?;
        }
        PlanFormat::Text => {
            writeln!(out, "\nResults (operation {operation}):")?;
            let rows: Vec<Vec<String>> = results.iter().map(result_row).collect();
            out.write_all(output::table(&["DEVICE", "RESULT", "DETAIL"], &rows).as_bytes())?;
            writeln!(
                out,
                "{} written and re-read as the file says, {failed} failed.",
                results.len() - failed
            )?;
        }
    }
    Ok(if failed > 0 { EXIT_DEVICE_FAILED } else { 0 })
}

fn result_row(r: &apply::WriteResult) -> Vec<String> {
    use tna_types::bulk::{DeviceOutcome, FailureCode};
    let (state, detail) = if !r.ok {
        let detail = r
            .failures
            .iter()
            .map(|f| match &f.outcome {
                DeviceOutcome::Failed { code, message } => {
                    let code = match code {
                        FailureCode::Grpc(c) => format!(" (gRPC {c})"),
                        FailureCode::Relay(c) => format!(" (relay {c})"),
                        FailureCode::None => String::new(),
                    };
                    format!("{}: {message}{code}", f.what)
                }
                DeviceOutcome::Ok => String::new(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        ("failed", detail)
    } else if !r.still_differs.is_empty() {
        (
            "differs",
            r.still_differs
                .iter()
                .map(plan::Change::line)
                .collect::<Vec<_>>()
                .join("; "),
        )
    } else if let Some(e) = &r.reread_error {
        ("unread", e.clone())
    } else {
        ("ok", String::new())
    };
    vec![r.device_id.to_string(), state.to_string(), detail]
}
