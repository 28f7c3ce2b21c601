//! `cargo xtask test`: everything CI runs, in order, stopping at the first failure:
//! setup → fmt → clippy (native, wasm32) → native tests (workspace, then the console's pure unit
//! tests) → fetch → Trunk build → wasm-bindgen tests in Chromium → end-to-end tests in Chromium.
//! `--quick` stops after the native tests.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::bundles;
use crate::process::{Ctx, Plan, Step};
use crate::setup::{self, WASM_TARGET};

/// The console package (the root crate, built for wasm32 by Trunk).
const CONSOLE: &str = "tna-console";
/// The relay package, whose build embeds `dist/` when it exists.
const RELAY: &str = "tna-relay";
/// Makes the relay build without the console even when `dist/` exists (see its build.rs).
const NO_EMBED: &str = "TNA_RELAY_NO_EMBED";
/// Chromium and its driver as Debian installs them.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The unprivileged user the archive tests start PostgreSQL as when they run as root.
const PG_USER_ENV: &str = "TNA_ARCHIVE_PG_USER";

/// Runs the whole test plan.
pub fn run(ctx: &Ctx, quick: bool) -> Result<()> {
    let title = if quick {
        "cargo xtask test --quick"
    } else {
        "cargo xtask test"
    };
    let mut plan = Plan::new(title)
        .task("setup", setup::run)
        .step(Step::cargo(ctx, "fmt", ["fmt", "--all", "--", "--check"]))
        // Without the embedded console, as on a clean machine where dist/ does not exist yet
        // (whatever a local dist/ holds); the embedded build is linted after the Trunk build.
        .step(
            Step::cargo(
                ctx,
                "clippy (native)",
                [
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            )
            .env(NO_EMBED, "1"),
        )
        .step(Step::cargo(
            ctx,
            "clippy (wasm32)",
            [
                "clippy",
                "-p",
                CONSOLE,
                "--target",
                WASM_TARGET,
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ))
        // The console's browser tests need Chromium and a built dist/: they run below; its pure
        // unit tests (`#[test]` in src/) run natively here.
        .step(
            Step::cargo(
                ctx,
                "native tests",
                ["test", "--workspace", "--exclude", CONSOLE],
            )
            .env(NO_EMBED, "1")
            // The archive's PostgreSQL tests start a throwaway server, which refuses to run as
            // root: as root (CI containers) it runs as `nobody` (ignored otherwise).
            .env(PG_USER_ENV, "nobody"),
        )
        .step(Step::cargo(
            ctx,
            "console unit tests (native)",
            ["test", "-p", CONSOLE, "--lib"],
        ));
    if !quick {
        let caps = caps_file(ctx);
        let caps_for_task = caps.clone();
        plan = bundles::add_dist(ctx, plan)
            .step(Step::cargo(
                ctx,
                "clippy (relay, console embedded)",
                [
                    "clippy",
                    "-p",
                    RELAY,
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
            ))
            .task("write WebDriver capabilities", move |ctx: &Ctx| {
                write_caps(ctx, &caps_for_task)
            })
            .step(
                Step::cargo(
                    ctx,
                    "wasm-bindgen tests (Chromium)",
                    ["test", "-p", CONSOLE, "--target", WASM_TARGET],
                )
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", caps),
            )
            .step(
                Step::cargo(
                    ctx,
                    "end-to-end tests (Chromium)",
                    ["test", "-p", CONSOLE, "--test", "e2e"],
                )
                // A missing dist/ or chromedriver fails the test instead of skipping it.
                .env("TNA_E2E_REQUIRED", "1")
                .env("TNA_AXE_JS", setup::axe_js(ctx)),
            )
            // Proves the benchmark code still works (tiny sizes, debug build, times not judged).
            .step(bench_quick(ctx));
    }
    plan.run(ctx)
}

/// `tna-bench --quick` in the debug build the native tests above already compiled: its `quick`
/// test target runs the binary. The same packages (`--workspace --exclude` the console), the same
/// dev-dependencies and `NO_EMBED` give the same features, so nothing is compiled again (a
/// `cargo run -p tna-bench` resolved features for tna-bench alone and rebuilt every dependency).
fn bench_quick(ctx: &Ctx) -> Step {
    let dist = ctx.root.join("dist").display().to_string();
    let out = ctx
        .target_dir()
        .join("bench/quick.json")
        .display()
        .to_string();
    Step::cargo(
        ctx,
        "benchmarks (quick)",
        [
            "test",
            "--workspace",
            "--exclude",
            CONSOLE,
            "--test",
            "quick",
            "--",
            "--ignored",
            "--nocapture",
        ],
    )
    .env(NO_EMBED, "1")
    .env(PG_USER_ENV, "nobody")
    .env("TNA_BENCH_DIST", dist)
    .env("TNA_BENCH_OUT", out)
}

fn caps_file(ctx: &Ctx) -> PathBuf {
    ctx.target_dir().join("xtask/webdriver-chromium.json")
}

/// Capabilities for wasm-bindgen-test-runner's WebDriver session (headless is its own default).
fn write_caps(ctx: &Ctx, path: &PathBuf) -> Result<()> {
    let json = format!(
        r#"{{"goog:chromeOptions": {{"binary": "{CHROMIUM}", "args": ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-sandbox", "--disable-dev-shm-usage"]}}}}
"#
    );
    println!("  write {}", path.display());
    if ctx.dry_run {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    std::fs::write(path, json).with_context(|| format!("write {}", path.display()))
}
