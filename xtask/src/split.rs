//! Code splitting of the release bundles, as cargo-leptos builds Leptos' `#[lazy]` — Trunk 0.21
//! cannot: the console gets one WASM module per lazy page (`src/routes.rs`, feature `split`),
//! the kiosk one for its pairing page and one for its settings panel (feature `kiosk-split`).
//!
//! Trunk builds each bundle as before, with its feature; `build.rs` then links its WASM with
//! `--emit-relocs`, so every reference in the raw WASM can be moved. This step then cuts that raw
//! WASM with `wasm_split_cli_support`: the main module (the console's shell, sign-in and Devices;
//! the kiosk's board), one module per split point, and chunks of code several share; a link
//! module (`split-<hash>.js`) fetches a piece's modules on first use and links them to the main
//! module's memory and function table. The main module goes through wasm-bindgen and wasm-opt as
//! Trunk's does, and replaces Trunk's JS and WASM (integrity digests in `index.html` updated;
//! `bundles.rs` names them by content afterwards).
//!
//! Every file is named by its content, so the relay serves them all as immutable. The link module
//! and wasm-bindgen's JS would name each other (the JS imports the link module by the name
//! written in the main module; the link module asks the main module for its exports through
//! wasm-bindgen's `initSync`); the link module takes `initSync` from `window.wasmBindings`
//! (Trunk's loader sets it before any page can load) instead, so the names are made in one order:
//! page modules, link module, main module, JS.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use crate::bundles::hex16;
use crate::process::{Ctx, Step};

/// The name the main module imports the link module by, until the link module's content is known:
/// as long as `split-<16 hex>.js`, so the final name is written over it in place.
const LINK_PLACEHOLDER: &str = "./split-________________.js";
/// The module the link module would import `initSync` from; replaced, see the module doc.
const MAIN_PLACEHOLDER: &str = "./main-module.js";
/// What the link module gets instead of that import.
const INIT_SYNC_FROM_WINDOW: &str =
    "const initSync = (...args) => window.wasmBindings.initSync(...args);";
/// How many wasm-opt runs at once (the machines this runs on have two cores or more).
const OPT_THREADS: usize = 2;
/// Where cargo puts a binary's raw WASM, under the target directory.
const RAW_WASM_DIR: &str = "wasm32-unknown-unknown/wasm-release";

/// A bundle to split: its binary, its directory under the root, its public URL.
pub struct Bundle {
    bin: &'static str,
    dir: &'static str,
    public: &'static str,
}

/// The console (`--features split`): every page but Devices.
pub const CONSOLE: Bundle = Bundle {
    bin: "tna-console",
    dir: "dist",
    public: "/",
};

/// The kiosk (`--features kiosk-split`): its pairing page and its settings panel.
pub const KIOSK: Bundle = Bundle {
    bin: "tna-kiosk",
    dir: "dist/kiosk",
    public: "/kiosk/",
};

/// wasm-opt as Trunk runs it for `data-wasm-opt="z"`, with the features Rust's wasm32 target
/// emits.
const WASM_OPT_ARGS: [&str; 8] = [
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--strip-debug",
];

/// Splits a bundle's WASM and puts the modules into its directory.
pub fn run(ctx: &Ctx, bundle: &Bundle) -> Result<()> {
    let bin = bundle.bin;
    let dist = ctx.root.join(bundle.dir);
    let raw = ctx
        .target_dir()
        .join(RAW_WASM_DIR)
        .join(format!("{bin}.wasm"));
    if ctx.dry_run {
        println!(
            "  would split {} into {}/split_*.wasm, chunk_*.wasm, split-*.js",
            raw.display(),
            dist.display()
        );
        return Ok(());
    }
    let work = ctx.target_dir().join("split").join(bin);
    if work.exists() {
        std::fs::remove_dir_all(&work).with_context(|| format!("clear {}", work.display()))?;
    }
    std::fs::create_dir_all(&work).with_context(|| format!("create {}", work.display()))?;
    let input = std::fs::read(&raw)
        .with_context(|| format!("read {} (run the Trunk build first)", raw.display()))?;
    let main = work.join("main.wasm");
    let split = {
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = &work;
        options.main_out_path = &main;
        options.link_name = LINK_PLACEHOLDER;
        options.main_module = MAIN_PLACEHOLDER;
        wasm_split_cli_support::transform(options)
            .map_err(|e| anyhow::anyhow!("{e:#}"))
            .with_context(|| format!("split {}", raw.display()))?
    };
    ensure!(
        !split.split_modules.is_empty(),
        "{} has no split points: was it built with its feature (`split`, `kiosk-split`)?",
        raw.display()
    );
    let link_path = work.join(LINK_PLACEHOLDER);
    let mut link = std::fs::read_to_string(&link_path)
        .with_context(|| format!("read {}", link_path.display()))?;

    // The page modules and chunks: optimised, named by content, referenced so by the link module.
    let mut sizes = std::collections::HashMap::new();
    wasm_opt_all(ctx, &split.split_modules)?;
    for module in &split.split_modules {
        let bytes = std::fs::read(module).with_context(|| format!("read {}", module.display()))?;
        let stem = module
            .file_stem()
            .and_then(|s| s.to_str())
            .with_context(|| format!("{} has no name", module.display()))?;
        let name = format!("{stem}-{}.wasm", hex16(&bytes));
        link = replace_once(
            &link,
            &format!("\"./{stem}.wasm\""),
            &format!("\"./{name}\""),
        )
        .with_context(|| format!("the link module's reference to {stem}.wasm"))?;
        std::fs::write(dist.join(&name), &bytes).with_context(|| format!("write {name}"))?;
        let brotli = crate::precompress::brotli(&bytes)?.len();
        sizes.insert(stem.to_string(), (bytes.len(), brotli));
    }
    link = replace_once(
        &link,
        &format!("import {{ initSync }} from \"{MAIN_PLACEHOLDER}\";"),
        INIT_SYNC_FROM_WINDOW,
    )
    .context("the link module's import of initSync")?;
    std::fs::write(&link_path, &link).with_context(|| format!("write {}", link_path.display()))?;
    crate::bundles::terser(ctx, &link_path, true)?;
    let link =
        std::fs::read(&link_path).with_context(|| format!("read {}", link_path.display()))?;
    let link_name = format!("./split-{}.js", hex16(&link));
    std::fs::write(dist.join(&link_name), &link).with_context(|| format!("write {link_name}"))?;

    // The main module imports the link module by its final name, then goes the way Trunk's went.
    let mut main_bytes =
        std::fs::read(&main).with_context(|| format!("read {}", main.display()))?;
    let patched = overwrite_all(&mut main_bytes, LINK_PLACEHOLDER, &link_name)?;
    ensure!(
        patched > 0,
        "the main module does not import the link module"
    );
    std::fs::write(&main, &main_bytes).with_context(|| format!("write {}", main.display()))?;
    let out = work.join("bindgen");
    Step::new("wasm-bindgen", "wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--keep-lld-exports"])
        .args(["--out-name", bin, "--out-dir"])
        .args([out.as_os_str(), main.as_os_str()])
        .run(ctx)?;
    let main_wasm = out.join(format!("{bin}_bg.wasm"));
    wasm_opt(ctx, &main_wasm)?;
    let link_href = format!("{}{}", bundle.public, link_name.trim_start_matches("./"));
    let glue = out.join(format!("{bin}.js"));
    replace_trunk_files(&dist, bin, &glue, &main_wasm, (&link_href, &link))?;

    let main_size = std::fs::metadata(&main_wasm).map(|m| m.len()).unwrap_or(0);
    println!(
        "  main module: {main_size} bytes; {} page modules and shared chunks; what each page \
         fetches when first opened (raw / brotli):",
        sizes.len()
    );
    let mut pages: Vec<_> = split.prefetch_map.iter().collect();
    pages.sort();
    for (page, files) in pages {
        let (raw, brotli) = files
            .iter()
            .filter_map(|f| sizes.get(f))
            .fold((0, 0), |(r, b), (fr, fb)| (r + fr, b + fb));
        println!("    {page}: {} files, {raw} / {brotli} bytes", files.len());
    }
    Ok(())
}

/// Puts wasm-bindgen's `js` and the optimised `wasm` in place of Trunk's files of `bin` in `dist`,
/// under Trunk's names (the next step names every file by its content), with their digests in
/// `index.html`. The page also preloads the `link` module (URL, content), which wasm-bindgen's
/// JS imports: fetched at once, not after that JS (and the kiosk's service worker keeps what its
/// page names).
fn replace_trunk_files(
    dist: &Path,
    bin: &str,
    js: &Path,
    wasm: &Path,
    link: (&str, &[u8]),
) -> Result<()> {
    let page = dist.join("index.html");
    let mut html =
        std::fs::read_to_string(&page).with_context(|| format!("read {}", page.display()))?;
    for (new, suffix) in [(js, ".js"), (wasm, "_bg.wasm")] {
        let trunk = trunk_file(dist, bin, suffix)?;
        let before = std::fs::read(&trunk).with_context(|| format!("read {}", trunk.display()))?;
        let after = std::fs::read(new).with_context(|| format!("read {}", new.display()))?;
        html = crate::bundles::with_new_integrity(&html, &before, &after)?;
        std::fs::write(&trunk, &after).with_context(|| format!("write {}", trunk.display()))?;
    }
    let preload = format!(
        "<link crossorigin href={} integrity={} rel=modulepreload>",
        link.0,
        crate::bundles::sri(link.1)
    );
    html = replace_once(&html, "</head>", &format!("{preload}</head>"))
        .with_context(|| format!("the end of {}'s head", page.display()))?;
    std::fs::write(&page, html).with_context(|| format!("write {}", page.display()))
}

/// Trunk's one file of `bin` in `dist` ending in `suffix` (`<bin>-<hash><suffix>`).
fn trunk_file(dist: &Path, bin: &str, suffix: &str) -> Result<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dist).with_context(|| format!("read {}", dist.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if crate::bundles::trunk_name(name).is_some_and(|(stem, _, s)| stem == bin && s == suffix) {
            found.push(path);
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "expected one {bin}-<hash>{suffix} in {}, found {found:?}",
            dist.display()
        ),
    }
}

/// wasm-opt every one of `modules` in place, [`OPT_THREADS`] at a time. (npm's wasm-opt starts
/// a Node.js process each time, about half a second; a small module must still go through it:
/// it also drops the name section, which left in made the shared chunks 25 % larger.)
fn wasm_opt_all(ctx: &Ctx, modules: &[PathBuf]) -> Result<()> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..OPT_THREADS)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(module) = modules.get(i) else {
                            return Ok(());
                        };
                        wasm_opt(ctx, module)?;
                    }
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .map_err(|_| anyhow::anyhow!("a wasm-opt worker panicked"))?
        })
    })
}

/// wasm-opt `path` in place.
fn wasm_opt(ctx: &Ctx, path: &Path) -> Result<()> {
    Step::new("wasm-opt", "wasm-opt")
        .args(WASM_OPT_ARGS)
        .args([path.as_os_str()])
        .args(["-o"])
        .args([path.as_os_str()])
        .run(ctx)
}

/// `text` with `from`, which must occur exactly once, replaced by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> Result<String> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => bail!("expected `{from}` once, found it {n} times"),
    }
}

/// Writes `to` over every occurrence of `from` (of the same length) in `bytes`; how many.
fn overwrite_all(bytes: &mut [u8], from: &str, to: &str) -> Result<usize> {
    ensure!(from.len() == to.len(), "`{to}` is not as long as `{from}`");
    let mut count = 0;
    let mut at = 0;
    while let Some(pos) = bytes[at..]
        .windows(from.len())
        .position(|w| w == from.as_bytes())
    {
        let start = at + pos;
        bytes[start..start + to.len()].copy_from_slice(to.as_bytes());
        count += 1;
        at = start + to.len();
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_name_is_written_over_its_placeholder_in_place() {
        let mut bytes = b"\x00\x1b./split-________________.js\x00".to_vec();
        let name = format!("./split-{}.js", hex16(b"link"));
        assert_eq!(
            overwrite_all(&mut bytes, LINK_PLACEHOLDER, &name).unwrap(),
            1
        );
        assert_eq!(&bytes[2..2 + name.len()], name.as_bytes());
        assert_eq!(bytes.len(), LINK_PLACEHOLDER.len() + 3);
        assert!(overwrite_all(&mut bytes, LINK_PLACEHOLDER, "./short.js").is_err());
    }

    #[test]
    fn a_reference_must_be_there_once() {
        assert_eq!(replace_once("a b c", "b", "x").unwrap(), "a x c");
        assert!(replace_once("a b b", "b", "x").is_err());
        assert!(replace_once("a c", "b", "x").is_err());
    }
}
