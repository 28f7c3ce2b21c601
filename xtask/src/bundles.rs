//! The release bundles (`dist/` and `dist/kiosk/`), built by Trunk, and the toolchain that
//! makes them small.
//!
//! Stable Rust ships a prebuilt standard library: every panic carries its message formatting
//! and every source location, and the WASM keeps that code. The pinned nightly below rebuilds
//! the standard library for the bundle (`-Zbuild-std`) with panics that abort at once and no
//! locations. Measured on this console: wasm 520,432 → 490,269 B brotli, kiosk 206,574 →
//! 190,383 B (−6 %, −8 %). Everything else (tests, clippy, the relay) stays on stable.
//!
//! `cargo xtask setup` installs the nightly (`rustup`, seconds). Where it is missing, the
//! bundles are built with stable as before, and the build says so.

use std::ffi::OsStr;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};

use crate::catalog;
use crate::precompress;
use crate::process::{Ctx, Plan, Step};
use crate::setup::{self, WASM_TARGET};
use crate::split;
use crate::stylesheet;

/// The nightly that builds the release bundles (1.97.0-nightly, e50aa6fba 2026-05-19).
/// Pinned: a newer nightly may change sizes or break, and the bundle must be reproducible.
pub const SIZE_TOOLCHAIN: &str = "nightly-2026-05-20";

/// Flags for the bundle's crates. `RUSTFLAGS` replaces the `rustflags` of
/// `.cargo/config.toml` for the wasm target, so its flags are repeated first (a test checks).
pub const SIZE_RUSTFLAGS: &str =
    "--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none";

/// The kiosk's flags: the bundle's, and `-Zfmt-debug=none`, which compiles every `Debug`
/// formatting (`{:?}`, derived `Debug`) to nothing — 3.0 kB of the kiosk's brotli first load.
/// The kiosk shows no `Debug` text to anyone (what it shows goes through `Display` and
/// `src/strings.rs`); its browser-console warnings lose their `{:?}` details. The console keeps
/// full `Debug`: its config diffs and validation messages quote values with it.
pub const KIOSK_RUSTFLAGS: &str = "--cfg erase_components -Zunstable-options \
     -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none";

/// What `-Zbuild-std` rebuilds (std and the abort runtime it links).
const BUILD_STD: &str = "std,panic_abort";

/// `cargo xtask dist`: setup, then the release bundles (what the relay serves and embeds).
pub fn run(ctx: &Ctx) -> Result<()> {
    let plan = Plan::new("cargo xtask dist").task("setup (bundle tools)", setup::run_for_bundles);
    add_dist(ctx, plan).run(ctx)
}

/// Adds the bundles to `plan`: fetch, the console's and then the kiosk's release build (the
/// console's build replaces the whole of `dist/`, so the kiosk's comes second), and the
/// precompressed copies the relay serves.
pub fn add_dist<'a>(ctx: &Ctx, plan: Plan<'a>) -> Plan<'a> {
    plan.step(fetch(ctx))
        .task("cargo fetch (std, for the size toolchain)", fetch_std)
        .task("trunk build", |ctx: &Ctx| {
            with_size_toolchain(ctx, trunk_build(), SIZE_RUSTFLAGS).run(ctx)
        })
        .task("split the console's wasm", |ctx: &Ctx| {
            split::run(ctx, &split::CONSOLE)
        })
        .task("trunk build (kiosk)", |ctx: &Ctx| {
            with_size_toolchain(ctx, trunk_build_kiosk(), KIOSK_RUSTFLAGS).run(ctx)
        })
        .task("split the kiosk's wasm", |ctx: &Ctx| {
            split::run(ctx, &split::KIOSK)
        })
        .task("the kiosk's catalogs: its own texts", |ctx: &Ctx| {
            if ctx.dry_run {
                println!("  would keep in dist/kiosk/i18n/*.json the texts its WASM holds");
                return Ok(());
            }
            catalog::trim_to_bundle(&ctx.root.join("dist/kiosk"))
        })
        .task("the kiosk's stylesheet: its own rules", |ctx: &Ctx| {
            if ctx.dry_run {
                println!("  would keep in dist/kiosk/main-*.css the rules its markup can use");
                return Ok(());
            }
            stylesheet::trim_to_bundle(&ctx.root.join("dist/kiosk"))
        })
        .task("minify js, name files by content", |ctx: &Ctx| {
            for dir in [ctx.root.join("dist"), ctx.root.join("dist/kiosk")] {
                minify_js(ctx, &dir)?;
                name_by_content(ctx, &dir)?;
            }
            Ok(())
        })
        .task("precompress dist", precompress::run)
}

/// `cargo fetch --locked`: everything Trunk's `--offline` build needs, and Cargo.lock is current.
fn fetch(ctx: &Ctx) -> Step {
    Step::cargo(ctx, "cargo fetch", ["fetch", "--locked"])
}

/// The crates the standard library's own build needs (`-Zbuild-std`): Trunk builds offline, and
/// they are not in the workspace's `Cargo.lock` but in the toolchain's `library/Cargo.lock`.
fn fetch_std(ctx: &Ctx) -> Result<()> {
    if !ctx.dry_run && !size_toolchain_installed(ctx) {
        println!("  {SIZE_TOOLCHAIN} is not installed: nothing to fetch");
        return Ok(());
    }
    let sysroot = Step::new("rustc --print sysroot", "rustc")
        .args([
            format!("+{SIZE_TOOLCHAIN}"),
            "--print".into(),
            "sysroot".into(),
        ])
        .probe_stdout(ctx)
        .unwrap_or_else(|| format!("<sysroot of {SIZE_TOOLCHAIN}>"));
    let manifest = Path::new(&sysroot).join("lib/rustlib/src/rust/library/Cargo.toml");
    Step::new("cargo fetch (std)", "cargo")
        .args([
            format!("+{SIZE_TOOLCHAIN}"),
            "fetch".into(),
            "--locked".into(),
        ])
        .args([OsStr::new("--manifest-path"), manifest.as_os_str()])
        .run(ctx)
}

/// The release build of the console into `dist/`, with the pinned tools from PATH only, its
/// pages lazy and its WASM linked with relocations (feature `split`, `build.rs`) for
/// [`split::run`].
fn trunk_build() -> Step {
    Step::new("trunk build", "trunk").args([
        "build",
        "--release",
        "--offline",
        "--locked",
        "--features",
        "split",
    ])
}

/// The release build of the kiosk's own bundle (`kiosk.html`, the `tna-kiosk` binary) into
/// `dist/kiosk/`, which the relay serves at `/kiosk`. (`--offline=true`: a bare `--offline`
/// followed by the HTML path would take the path as its value.)
fn trunk_build_kiosk() -> Step {
    Step::new("trunk build (kiosk)", "trunk").args([
        "build",
        "--release",
        "--offline=true",
        "--locked",
        "--dist",
        "dist/kiosk",
        "--public-url",
        "/kiosk/",
        // `kiosk-split`, not `split`: each console page's entry is an exported symbol, which the
        // linker keeps in every binary of the library (with `split`, the kiosk carried every
        // page: 1.76 MB).
        "--features",
        "kiosk-split",
        "kiosk.html",
    ])
}

/// Whether the pinned nightly and its parts for the bundle are installed.
pub fn size_toolchain_installed(ctx: &Ctx) -> bool {
    let has = |what: &str, list: &[&str]| {
        Step::new(what, "rustup")
            .args([format!("+{SIZE_TOOLCHAIN}")])
            .args(list.iter().copied())
            .probe_stdout(ctx)
    };
    let targets = has("rustup target list", &["target", "list", "--installed"]);
    let components = has(
        "rustup component list",
        &["component", "list", "--installed"],
    );
    targets.is_some_and(|t| t.lines().any(|l| l.trim() == WASM_TARGET))
        && components.is_some_and(|c| c.lines().any(|l| l.trim().starts_with("rust-src")))
}

/// The install of the pinned nightly, minimal, with the standard library's source and the wasm
/// target.
pub fn install_size_toolchain() -> Step {
    Step::new("rustup toolchain install", "rustup").args([
        "toolchain",
        "install",
        SIZE_TOOLCHAIN,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
        "--target",
        WASM_TARGET,
    ])
}

/// `step` (a Trunk build) with the size toolchain and `flags` when it is installed.
fn with_size_toolchain(ctx: &Ctx, step: Step, flags: &str) -> Step {
    // A dry run shows the build as it runs once setup has installed the toolchain.
    if !ctx.dry_run && !size_toolchain_installed(ctx) {
        println!(
            "bundles: {SIZE_TOOLCHAIN} is not installed (`cargo xtask setup`): building with \
             stable, about 7 % larger"
        );
        return step;
    }
    step.env("RUSTUP_TOOLCHAIN", SIZE_TOOLCHAIN)
        .env("CARGO_UNSTABLE_BUILD_STD", BUILD_STD)
        .env("RUSTFLAGS", flags)
}

/// Minifies wasm-bindgen's JS of the bundle in `dir` (`tna-*.js`) with terser and gives the
/// page's `integrity` attribute the new digest ([`name_by_content`] names it next). Trunk's own
/// minifier cannot read the file's `export default` and leaves it as it is: terser takes 65 kB to
/// 29 kB (brotli 8.6 to 6.8 kB) for the console, 47 to 21 kB (7.1 to 5.4 kB) for the kiosk.
fn minify_js(ctx: &Ctx, dir: &Path) -> Result<()> {
    if ctx.dry_run {
        println!("  would minify {}/tna-*.js and sw.js", dir.display());
        return Ok(());
    }
    let page = dir.join("index.html");
    let mut html = std::fs::read_to_string(&page)
        .with_context(|| format!("read {} (run the Trunk build first)", page.display()))?;
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !(name.starts_with("tna-") && name.ends_with(".js")) {
            continue;
        }
        let before = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        terser(ctx, &path, true)?;
        let after = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        html = with_new_integrity(&html, &before, &after)
            .with_context(|| format!("the integrity of {name} in {}", page.display()))?;
        println!("  {name}: {} → {} bytes", before.len(), after.len());
    }
    std::fs::write(&page, html).with_context(|| format!("write {}", page.display()))?;
    // The kiosk's service worker: a classic script under a fixed name (its scope's worker is
    // found by that name), referenced without a digest. 6.0 → 2.6 kB, brotli 2.0 → 1.0 kB.
    let worker = dir.join("sw.js");
    if worker.is_file() {
        terser(ctx, &worker, false)?;
    }
    Ok(())
}

/// Minifies `path` in place (`module`: an ES module, else a classic script).
pub fn terser(ctx: &Ctx, path: &Path, module: bool) -> Result<()> {
    let mut step = Step::new("terser", "terser").args([path.as_os_str()]);
    if module {
        step = step.args(["--module"]);
    }
    step.args([
        OsStr::new("--compress"),
        OsStr::new("--mangle"),
        OsStr::new("-o"),
    ])
    .args([path.as_os_str()])
    .run(ctx)
}

/// The kinds of file Trunk names `<stem>-<hash><suffix>`.
const TRUNK_SUFFIXES: [&str; 3] = ["_bg.wasm", ".js", ".css"];

/// `name` split into Trunk's stem, hash and suffix: `tna-kiosk-72d0…a95_bg.wasm` →
/// (`tna-kiosk`, `72d0…a95`, `_bg.wasm`). Trunk writes its 64-bit hash without leading zeros, so
/// one build in sixteen has 15 digits or fewer.
pub fn trunk_name(name: &str) -> Option<(&str, &str, &str)> {
    TRUNK_SUFFIXES.iter().find_map(|suffix| {
        let (stem, hash) = name.strip_suffix(suffix)?.rsplit_once('-')?;
        let hex = (1..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit());
        hex.then_some((stem, hash, *suffix))
    })
}

/// `name` (Trunk's `<stem>-<hash><suffix>`) with 16 hex digits taken from `content` instead:
/// always 16, as the kiosk's service worker recognises a hashed file by them.
fn content_name(name: &str, content: &[u8]) -> Result<String> {
    let (stem, _, suffix) = trunk_name(name)
        .with_context(|| format!("{name} is not named <stem>-<hex digits>.js/.css/_bg.wasm"))?;
    Ok(format!("{stem}-{}{suffix}", hex16(content)))
}

/// Names every Trunk-named file of `dir` (wasm-bindgen's JS, the WASM, the stylesheet — as they
/// are after minifying and splitting) by its content, and `index.html`'s references with them.
/// The kiosk's service worker keeps a hashed file for good, so the name must say the content.
fn name_by_content(ctx: &Ctx, dir: &Path) -> Result<()> {
    if ctx.dry_run {
        println!("  would name {}'s files by their content", dir.display());
        return Ok(());
    }
    let page = dir.join("index.html");
    let mut html =
        std::fs::read_to_string(&page).with_context(|| format!("read {}", page.display()))?;
    // Listed before any is renamed (a renamed file must not come up again).
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if trunk_name(name).is_some() {
            files.push((name.to_string(), path.clone()));
        }
    }
    for (name, path) in files {
        let content = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        let new_name = content_name(&name, &content)?;
        if new_name == name {
            continue;
        }
        ensure!(
            html.contains(&name),
            "{} does not name {name}",
            page.display()
        );
        std::fs::rename(&path, dir.join(&new_name))
            .with_context(|| format!("rename {} to {new_name}", path.display()))?;
        html = html.replace(&name, &new_name);
        println!("  {name} → {new_name}");
    }
    std::fs::write(&page, html).with_context(|| format!("write {}", page.display()))
}

/// The first 16 hex digits of the SHA-384 of `bytes`: the content part of a file's name.
pub fn hex16(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha384::digest(bytes)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Subresource Integrity's form of a SHA-384 digest: `sha384-<base64>`.
pub fn sri(bytes: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha384::digest(bytes);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `html` with the integrity of the file that was `before` now that of `after`. A page without
/// it is left as it is; two tags with the same digest are refused (which one is meant?).
pub fn with_new_integrity(html: &str, before: &[u8], after: &[u8]) -> Result<String> {
    let old = sri(before);
    match html.matches(&old).count() {
        0 => Ok(html.to_string()),
        1 => Ok(html.replace(&old, &sri(after))),
        n => bail!("{n} tags carry the digest {old}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm target's `rustflags` in `.cargo/config.toml` (one line, `["a", "b"]`).
    fn config_flags() -> Vec<String> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../.cargo/config.toml");
        let text = std::fs::read_to_string(path).expect("read .cargo/config.toml");
        let mut in_wasm = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                in_wasm = line == "[target.wasm32-unknown-unknown]";
            } else if in_wasm && let Some(list) = line.strip_prefix("rustflags") {
                let list = list.trim_start_matches([' ', '=']).trim();
                return list
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(|s| s.trim().trim_matches('"').to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
        }
        panic!("no rustflags for the wasm target in .cargo/config.toml");
    }

    #[test]
    fn a_minified_file_gets_its_new_digest_in_the_page() {
        // The SHA-384 of "abc" (FIPS 180-2's example), as SRI writes it.
        assert_eq!(
            sri(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
        let page = format!(
            r#"<link href=/a.js integrity={} rel=modulepreload>"#,
            sri(b"long")
        );
        let now = with_new_integrity(&page, b"long", b"short").expect("one tag");
        assert_eq!(
            now,
            format!(
                r#"<link href=/a.js integrity={} rel=modulepreload>"#,
                sri(b"short")
            )
        );
        assert_eq!(
            with_new_integrity("<p>", b"long", b"short").expect("none"),
            "<p>"
        );
        let twice = format!("{page}{page}");
        assert!(with_new_integrity(&twice, b"long", b"short").is_err());
    }

    #[test]
    fn a_minified_file_is_named_by_its_content() {
        let a = content_name("tna-kiosk-72d072daacf8ca95.js", b"one").expect("trunk's name");
        let b = content_name("tna-kiosk-72d072daacf8ca95.js", b"two").expect("trunk's name");
        assert_ne!(a, b);
        assert!(a.starts_with("tna-kiosk-") && a.ends_with(".js") && a.len() == b.len());
        assert_eq!(a.len(), "tna-kiosk-72d072daacf8ca95.js".len());
        assert!(content_name("sw.js", b"one").is_err());
        assert!(content_name("tna-kiosk-xyz.js", b"one").is_err());
        // Trunk drops leading zeros: 15 digits; the wasm and the stylesheet too.
        let wasm = content_name("tna-console-6bfb80ee8063d23_bg.wasm", b"one").expect("15");
        assert!(wasm.starts_with("tna-console-") && wasm.ends_with("_bg.wasm"));
        assert_eq!(wasm.len(), "tna-console-".len() + 16 + "_bg.wasm".len());
        let css = content_name("main-a2f9806c1c23acd3.css", b"one").expect("css");
        assert_eq!(css, format!("main-{}.css", hex16(b"one")));
        assert!(content_name("icon-192.png", b"one").is_err());
        assert!(content_name("manifest.webmanifest", b"one").is_err());
    }

    #[test]
    fn the_bundle_flags_keep_the_configs_flags() {
        let config = config_flags();
        assert!(
            config.contains(&"erase_components".to_string()),
            "{config:?}"
        );
        let config: Vec<&str> = config.iter().map(String::as_str).collect();
        let size: Vec<&str> = SIZE_RUSTFLAGS.split_whitespace().collect();
        assert!(
            size.starts_with(&config),
            "RUSTFLAGS replaces the config's flags, so it must start with them: {config:?}"
        );
        // The kiosk's are the bundle's and one more.
        let kiosk: Vec<&str> = KIOSK_RUSTFLAGS.split_whitespace().collect();
        assert_eq!(kiosk[..size.len()], size[..]);
        assert_eq!(kiosk[size.len()..], ["-Zfmt-debug=none"]);
    }
}
