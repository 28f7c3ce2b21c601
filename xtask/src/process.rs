//! Running external programs uniformly: a [`Step`] is one command with its name and environment;
//! a [`Plan`] runs named tasks in order, prints each one's duration, stops at the first failure
//! and ends with a summary table.

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Set by the Ctrl-C handler; the running child gets the signal from the terminal itself.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// What every command needs: the repository root, the PATH children see, and the mode.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The workspace root (parent of `xtask/`).
    pub root: PathBuf,
    /// Where npm puts the pinned `wasm-opt` (`$TOOLS_DIR`, default `~/.cache/wasm-tools`).
    pub tools_dir: PathBuf,
    /// `$CARGO_HOME` (default `~/.cargo`); `cargo install` puts Trunk and wasm-bindgen here.
    pub cargo_home: PathBuf,
    /// The cargo that runs xtask (`$CARGO`), so children use the same toolchain.
    pub cargo: OsString,
    /// PATH for every child: `$TOOLS_DIR/node_modules/.bin` and `$CARGO_HOME/bin` first.
    pub path: OsString,
    /// Print steps without running them.
    pub dry_run: bool,
    /// `CARGO_TERM_COLOR` for children: kept when set, else `always` on a terminal, `never` in logs.
    pub color: String,
}

impl Ctx {
    /// Reads the environment once.
    pub fn new(dry_run: bool) -> Result<Self> {
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            // A second Ctrl-C while a child is shutting down is ignored too: the child decides.
            let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
        });
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("xtask/ has no parent directory")?
            .to_path_buf();
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let tools_dir = match std::env::var_os("TOOLS_DIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => home
                .as_ref()
                .context("neither TOOLS_DIR nor HOME is set")?
                .join(".cache/wasm-tools"),
        };
        let cargo_home = match std::env::var_os("CARGO_HOME") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => home
                .as_ref()
                .context("neither CARGO_HOME nor HOME is set")?
                .join(".cargo"),
        };
        let mut dirs = vec![tools_dir.join("node_modules/.bin"), cargo_home.join("bin")];
        if let Some(p) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&p));
        }
        let path = std::env::join_paths(dirs).context("a PATH entry contains ':'")?;
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let color = match std::env::var("CARGO_TERM_COLOR") {
            Ok(c) if !c.is_empty() => c,
            _ if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() => {
                "always".into()
            }
            _ => "never".into(),
        };
        Ok(Self {
            root,
            tools_dir,
            cargo_home,
            cargo,
            path,
            dry_run,
            color,
        })
    }

    /// The cargo target directory (`$CARGO_TARGET_DIR` or `<root>/target`).
    pub fn target_dir(&self) -> PathBuf {
        match std::env::var_os("CARGO_TARGET_DIR") {
            Some(d) if !d.is_empty() => self.root.join(d),
            _ => self.root.join("target"),
        }
    }

    /// Finds a program on the children's PATH.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        std::env::split_paths(&self.path)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    }
}

/// One external command: a name for people, the program, its arguments and extra environment.
#[derive(Debug, Clone)]
pub struct Step {
    /// Short name shown in progress lines and the summary, e.g. `clippy (wasm32)`.
    pub name: String,
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
}

impl Step {
    /// A step running `program`.
    pub fn new(name: impl Into<String>, program: impl Into<OsString>) -> Self {
        Self {
            name: name.into(),
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// A step running the cargo that runs xtask.
    pub fn cargo<I, S>(ctx: &Ctx, name: impl Into<String>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Self::new(name, ctx.cargo.clone()).args(args)
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for this step.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// The command line as a person would type it (environment first).
    pub fn display(&self) -> String {
        let program = Path::new(&self.program)
            .file_name()
            .unwrap_or(self.program.as_os_str());
        self.env
            .iter()
            .map(|(k, v)| format!("{}={}", k.to_string_lossy(), quote(v)))
            .chain(std::iter::once(quote(program)))
            .chain(self.args.iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn command(&self, ctx: &Ctx) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .current_dir(&ctx.root)
            .env("PATH", &ctx.path)
            .env("CARGO_TERM_COLOR", &ctx.color);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the step with its output streamed to ours; fails unless it exits with 0.
    pub fn run(&self, ctx: &Ctx) -> Result<()> {
        println!("  $ {}", self.display());
        if ctx.dry_run {
            return Ok(());
        }
        let status = self
            .command(ctx)
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("could not start `{}`", self.program.to_string_lossy()))?;
        if INTERRUPTED.load(Ordering::SeqCst) {
            bail!("interrupted (Ctrl-C)");
        }
        if !status.success() {
            bail!("`{}` exited with {status}", self.display());
        }
        Ok(())
    }

    /// Runs the step like [`Step::run`] but with our stdin, for interactive servers (the demo).
    pub fn run_foreground(&self, ctx: &Ctx) -> Result<()> {
        println!("  $ {}", self.display());
        if ctx.dry_run {
            return Ok(());
        }
        let status = self
            .command(ctx)
            .status()
            .with_context(|| format!("could not start `{}`", self.program.to_string_lossy()))?;
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Ok(());
        }
        if !status.success() {
            bail!("`{}` exited with {status}", self.display());
        }
        Ok(())
    }

    /// Runs the step quietly and returns its output (for version checks); runs even in dry-run
    /// mode, so use it only for commands that change nothing.
    pub fn probe(&self, ctx: &Ctx) -> Result<Output> {
        self.command(ctx)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not start `{}`", self.program.to_string_lossy()))
    }

    /// Trimmed stdout of a successful probe, `None` when the program is missing or failed.
    pub fn probe_stdout(&self, ctx: &Ctx) -> Option<String> {
        let out = self.probe(ctx).ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+%".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// "3.4s", "2m 05s".
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let whole = d.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    }
}

type Task<'a> = Box<dyn FnOnce(&Ctx) -> Result<()> + 'a>;

/// Named tasks run in order: each prints `[i/n] name`, then its duration; the first failure
/// stops the plan; a summary table follows either way.
pub struct Plan<'a> {
    title: String,
    tasks: Vec<(String, Task<'a>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Failed,
    NotRun,
}

impl<'a> Plan<'a> {
    /// An empty plan; `title` names it in the summary (e.g. `cargo xtask test`).
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            tasks: Vec::new(),
        }
    }

    /// Adds one command.
    pub fn step(mut self, step: Step) -> Self {
        let name = step.name.clone();
        self.tasks
            .push((name, Box::new(move |ctx: &Ctx| step.run(ctx))));
        self
    }

    /// Adds a task written in Rust (e.g. setup, writing a file).
    pub fn task(
        mut self,
        name: impl Into<String>,
        f: impl FnOnce(&Ctx) -> Result<()> + 'a,
    ) -> Self {
        self.tasks.push((name.into(), Box::new(f)));
        self
    }

    /// Runs every task; on failure the error names the step.
    pub fn run(self, ctx: &Ctx) -> Result<()> {
        let total = self.tasks.len();
        let started = Instant::now();
        let mut rows: Vec<(String, Outcome, Duration)> = Vec::new();
        let mut failure = None;
        for (i, (name, task)) in self.tasks.into_iter().enumerate() {
            if failure.is_some() {
                rows.push((name, Outcome::NotRun, Duration::ZERO));
                continue;
            }
            println!("\n[{}/{total}] {name}", i + 1);
            let t = Instant::now();
            let result = task(ctx);
            let took = t.elapsed();
            match result {
                Ok(()) => {
                    println!("[{}/{total}] {name}: ok in {}", i + 1, fmt_duration(took));
                    rows.push((name, Outcome::Ok, took));
                }
                Err(e) => {
                    println!(
                        "[{}/{total}] {name}: FAILED after {}",
                        i + 1,
                        fmt_duration(took)
                    );
                    failure = Some((name.clone(), e));
                    rows.push((name, Outcome::Failed, took));
                }
            }
        }
        print_summary(&self.title, &rows, started.elapsed(), ctx.dry_run);
        match failure {
            None => Ok(()),
            Some((name, e)) => Err(e.context(format!("step `{name}` failed"))),
        }
    }
}

fn print_summary(title: &str, rows: &[(String, Outcome, Duration)], total: Duration, dry: bool) {
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(4).max(4);
    println!("\n{title}{}", if dry { " (dry run)" } else { "" });
    println!("  {:<width$}  {:<7}  {:>8}", "step", "result", "time");
    println!("  {:-<width$}  {:-<7}  {:->8}", "", "", "");
    for (name, outcome, took) in rows {
        let (word, time) = match outcome {
            Outcome::Ok => ("ok", fmt_duration(*took)),
            Outcome::Failed => ("FAILED", fmt_duration(*took)),
            Outcome::NotRun => ("not run", "-".to_string()),
        };
        println!("  {name:<width$}  {word:<7}  {time:>8}");
    }
    println!(
        "  {:<width$}  {:<7}  {:>8}",
        "total",
        "",
        fmt_duration(total)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(fmt_duration(Duration::from_millis(3400)), "3.4s");
        assert_eq!(fmt_duration(Duration::from_secs(125)), "2m 05s");
    }

    #[test]
    fn display_quotes_what_needs_it() {
        let s = Step::new("x", "/usr/bin/cargo")
            .args(["clippy", "--", "-D", "warnings", "a b"])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver");
        assert_eq!(
            s.display(),
            "CHROMEDRIVER=/usr/bin/chromedriver cargo clippy -- -D warnings 'a b'"
        );
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn plan_stops_at_the_first_failure_and_names_it() {
        let ctx = Ctx::new(false).expect("ctx");
        let ran_after = std::cell::Cell::new(false);
        let err = Plan::new("t")
            .step(Step::new("first", "true"))
            .step(Step::new("second", "false"))
            .task("third", |_| {
                ran_after.set(true);
                Ok(())
            })
            .run(&ctx)
            .expect_err("fails");
        assert!(!ran_after.get(), "stops at the failure");
        assert_eq!(err.to_string(), "step `second` failed");
        assert!(
            format!("{err:#}").contains("exited with exit status: 1"),
            "{err:#}"
        );
    }

    #[test]
    fn children_get_the_tool_dirs_first_on_path() {
        let ctx = Ctx::new(false).expect("ctx");
        let out = Step::new("path", "sh")
            .args(["-c", "echo $PATH"])
            .probe_stdout(&ctx)
            .expect("sh runs");
        let first = out.split(':').next().unwrap_or_default();
        assert!(first.ends_with("node_modules/.bin"), "{out}");
    }
}
