//! `cargo xtask setup`: the toolchain recipe of `shared/toolchain.md`, idempotent. Each check
//! prints one line with what it found or installed and how long it took; installs stream their
//! output. Only the package registries are used: Trunk must never download tools itself.

use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::bundles::{self, SIZE_TOOLCHAIN};
use crate::process::{Ctx, Step, fmt_duration};

/// Trunk 0.22 needs rustc >= 1.96.1; 0.21.14 builds with `--locked` on 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";
/// Must equal the `wasm-bindgen` version in Cargo.lock exactly (and `Trunk.toml`).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// npm `binaryen`; Debian's binaryen (108) breaks wasm-bindgen output, never apt-install it.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// npm `terser`: minifies wasm-bindgen's JS in the release bundles (Trunk's own minifier
/// cannot read its `export default` and leaves it as it is).
pub const TERSER_VERSION: &str = "5.51.4";
/// npm `axe-core`, injected into pages by the accessibility end-to-end test.
pub const AXE_CORE_VERSION: &str = "4.14.1";

/// Where the accessibility test finds axe-core (`$TOOLS_DIR/node_modules/axe-core/axe.min.js`).
pub fn axe_js(ctx: &Ctx) -> std::path::PathBuf {
    ctx.tools_dir.join("node_modules/axe-core/axe.min.js")
}
/// The wasm target the console is built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Debian packages for the browser tests.
/// Debian packages the tests need: the browser and its driver, a PostgreSQL server for the
/// archive tests, a Korean font so screenshots show Korean key labels instead of boxes, and
/// systemd for `systemd-analyze verify` of `deploy/tna-relay.service` (the relay's
/// `service_start` test; it says SKIPPED without it).
pub const APT_PACKAGES: [&str; 5] = [
    "chromium",
    "chromium-driver",
    "postgresql",
    "fonts-nanum",
    "systemd",
];

/// Runs every setup step.
pub fn run(ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    apt_packages(ctx)?;
    bundle_tools(ctx)?;
    npm_tool(ctx, "axe-core", AXE_CORE_VERSION, "axe.min.js")?;
    done(ctx, started);
    Ok(())
}

/// Only what the release bundles need (`cargo xtask dist`, the Dockerfile): no browser, no
/// database.
pub fn run_for_bundles(ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    bundle_tools(ctx)?;
    done(ctx, started);
    Ok(())
}

fn bundle_tools(ctx: &Ctx) -> Result<()> {
    wasm_target(ctx)?;
    size_toolchain(ctx);
    trunk(ctx)?;
    wasm_bindgen(ctx)?;
    wasm_opt(ctx)?;
    npm_tool(ctx, "terser", TERSER_VERSION, "bin/terser")
}

fn done(ctx: &Ctx, started: Instant) {
    println!(
        "setup: done in {} (tools on PATH: {}, {})",
        fmt_duration(started.elapsed()),
        ctx.tools_dir.join("node_modules/.bin").display(),
        ctx.cargo_home.join("bin").display()
    );
}

/// What a check found.
enum Check {
    /// Present: what was found (e.g. the version line).
    Present(String),
    /// Missing or wrong: the steps that install it.
    Install(Vec<Step>),
}
use Check::{Install, Present};

/// Times one check and runs the install steps it asks for.
fn ensure(ctx: &Ctx, what: &str, check: impl FnOnce() -> Result<Check>) -> Result<()> {
    let t = Instant::now();
    match check()? {
        Present(found) => {
            println!(
                "setup: {what:<36} ok: {found} ({})",
                fmt_duration(t.elapsed())
            );
        }
        Install(steps) => {
            let verb = if ctx.dry_run {
                "would install"
            } else {
                "installing"
            };
            println!("setup: {what:<36} {verb} …");
            for step in &steps {
                step.run(ctx)
                    .with_context(|| format!("setup of {what} failed"))?;
            }
            if !ctx.dry_run {
                println!(
                    "setup: {what:<36} installed in {}",
                    fmt_duration(t.elapsed())
                );
            }
        }
    }
    Ok(())
}

fn wasm_target(ctx: &Ctx) -> Result<()> {
    ensure(ctx, &format!("rust target {WASM_TARGET}"), || {
        let installed = Step::new("rustup", "rustup")
            .args(["target", "list", "--installed"])
            .probe_stdout(ctx)
            .context("`rustup target list --installed` failed: is rustup installed?")?;
        Ok(if installed.lines().any(|l| l.trim() == WASM_TARGET) {
            Present("installed".into())
        } else {
            Install(vec![Step::new("rustup target add", "rustup").args([
                "target",
                "add",
                WASM_TARGET,
            ])])
        })
    })
}

/// The pinned nightly the release bundles are built with ([`crate::bundles`]). Optional: where
/// it cannot be installed the bundles are built with stable (larger), so this only warns.
fn size_toolchain(ctx: &Ctx) {
    let what = format!("rust {SIZE_TOOLCHAIN} (bundles)");
    let found = ensure(ctx, &what, || {
        Ok(if bundles::size_toolchain_installed(ctx) {
            Present("installed, with rust-src and the wasm target".into())
        } else {
            Install(vec![bundles::install_size_toolchain()])
        })
    });
    if let Err(e) = found {
        println!("setup: {what:<36} not installed ({e:#}); bundles will be built with stable");
    }
}

/// `dpkg -s` reports removed-but-configured packages too; the status word must be "ok installed".
fn dpkg_installed(ctx: &Ctx, package: &str) -> bool {
    Step::new("dpkg-query", "dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .probe_stdout(ctx)
        .is_some_and(|s| s.contains("ok installed"))
}

fn apt_packages(ctx: &Ctx) -> Result<()> {
    ensure(
        ctx,
        "apt chromium, chromium-driver, postgresql, fonts-nanum, systemd",
        || {
            let missing: Vec<&str> = APT_PACKAGES
                .into_iter()
                .filter(|p| !dpkg_installed(ctx, p))
                .collect();
            if missing.is_empty() {
                return Ok(Present("installed".into()));
            }
            let is_root = Step::new("id", "id")
                .args(["-u"])
                .probe_stdout(ctx)
                .is_some_and(|u| u == "0");
            let (program, prefix): (&str, Vec<&str>) = if is_root {
                ("apt-get", vec![])
            } else if ctx.which("sudo").is_some() {
                ("sudo", vec!["DEBIAN_FRONTEND=noninteractive", "apt-get"])
            } else {
                bail!(
                    "{} missing and not root without sudo: install them with apt-get as root",
                    missing.join(" ")
                );
            };
            let update = Step::new("apt-get update", program)
                .args(prefix.iter().copied().chain(["update", "-qq"]));
            let install = Step::new("apt-get install", program)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(
                    prefix
                        .iter()
                        .copied()
                        .chain(["install", "-y", "-qq", "--no-install-recommends"])
                        .chain(missing.iter().copied()),
                );
            Ok(Install(vec![update, install]))
        },
    )
}

fn trunk(ctx: &Ctx) -> Result<()> {
    ensure(ctx, &format!("trunk {TRUNK_VERSION}"), || {
        let want = format!("trunk {TRUNK_VERSION}");
        Ok(
            match Step::new("trunk", "trunk")
                .args(["--version"])
                .probe_stdout(ctx)
            {
                Some(v) if v == want => Present(v),
                _ => Install(vec![Step::cargo(
                    ctx,
                    "cargo install trunk",
                    ["install", "trunk", "--version", TRUNK_VERSION, "--locked"],
                )]),
            },
        )
    })
}

fn wasm_bindgen(ctx: &Ctx) -> Result<()> {
    ensure(
        ctx,
        &format!("wasm-bindgen-cli {WASM_BINDGEN_VERSION}"),
        || {
            let want = format!("wasm-bindgen {WASM_BINDGEN_VERSION}");
            let runner = ctx.which("wasm-bindgen-test-runner").is_some();
            Ok(
                match Step::new("wasm-bindgen", "wasm-bindgen")
                    .args(["--version"])
                    .probe_stdout(ctx)
                {
                    Some(v) if v == want && runner => Present(v),
                    // Without --locked: the crate's lockfile names a version missing from the index.
                    _ => Install(vec![Step::cargo(
                        ctx,
                        "cargo install wasm-bindgen-cli",
                        [
                            "install",
                            "wasm-bindgen-cli",
                            "--version",
                            WASM_BINDGEN_VERSION,
                        ],
                    )]),
                },
            )
        },
    )
}

/// Installs the npm `package@version` into `$TOOLS_DIR` (npm itself must be there).
fn npm_install(ctx: &Ctx, package: &str, version: &str) -> Result<Check> {
    if ctx.which("npm").is_none() {
        bail!("npm is needed to install {package}@{version} (apt-get install npm)");
    }
    let prefix = ctx.tools_dir.display().to_string();
    Ok(Install(vec![
        Step::new(format!("npm install {package}"), "npm").args([
            "install",
            "--prefix",
            &prefix,
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            &format!("{package}@{version}"),
        ]),
    ]))
}

/// An npm package at `version` in the tools folder, with its file `file` (what xtask uses).
fn npm_tool(ctx: &Ctx, package: &str, version: &str, file: &str) -> Result<()> {
    ensure(ctx, &format!("{package} {version}"), || {
        let dir = ctx.tools_dir.join("node_modules").join(package);
        // package.json as npm writes it: `"version": "4.14.1"`.
        let pinned = std::fs::read_to_string(dir.join("package.json"))
            .is_ok_and(|t| t.contains(&format!("\"version\": \"{version}\"")));
        Ok(match pinned {
            true if dir.join(file).is_file() => Present(version.to_string()),
            _ => npm_install(ctx, package, version)?,
        })
    })
}

fn wasm_opt(ctx: &Ctx) -> Result<()> {
    let major = BINARYEN_VERSION
        .split('.')
        .next()
        .unwrap_or(BINARYEN_VERSION);
    ensure(ctx, &format!("wasm-opt (binaryen {major})"), || {
        let want = format!("version_{major}");
        Ok(
            match Step::new("wasm-opt", "wasm-opt")
                .args(["--version"])
                .probe_stdout(ctx)
            {
                Some(v) if v.contains(&want) => Present(v),
                _ => npm_install(ctx, "binaryen", BINARYEN_VERSION)?,
            },
        )
    })
}
