//! Benchmark 1 — transfer size of both bundles: the console (wasm, js and css of `dist/`) and the
//! kiosk's own bundle (`dist/kiosk/`) — raw, and the gzip and brotli variants `cargo xtask`
//! writes next to them (exactly what the relay serves).
//!
//! The console's pages but Devices, and the kiosk's pairing page and settings panel, are lazy
//! modules (`split_<name>-<hash>.wasm`, and `chunk_<n>-<hash>.wasm` for code several share;
//! `xtask/src/split.rs`): each budget is on the first load (every css and js, the main module),
//! what a browser fetches before the first page (the console's Devices, the kiosk's board)
//! shows. The lazy modules are reported beside it: each one's own module, the shared chunks, and
//! the whole bundle; and the Korean catalog, which a browser in Korean fetches before it too.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::report::Report;

const GROUP: &str = "1. transfer size";
/// Budget of the console's first load (wasm + js + css), brotli.
const CONSOLE_BUDGET_BROTLI: u64 = 300_000;
/// Budget of the kiosk's first load (wasm + js + css), brotli.
const KIOSK_BUDGET_BROTLI: u64 = 150_000;

pub fn run(dist: &Path, report: &mut Report) -> anyhow::Result<()> {
    bundle(dist, "console", CONSOLE_BUDGET_BROTLI, report)?;
    bundle(&dist.join("kiosk"), "kiosk", KIOSK_BUDGET_BROTLI, report)
}

/// A lazy module of a bundle: a split point's own (`split_…`) or a shared chunk (`chunk_…`).
fn lazy_kind(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    if !name.ends_with(".wasm") {
        None
    } else if name.starts_with("split_") {
        Some("page")
    } else if name.starts_with("chunk_") {
        Some("chunk")
    } else {
        None
    }
}

/// Reports the sizes of one bundle: the wasm, js and css files directly in `dir`; the budget is
/// on the first load (all but the lazy modules).
fn bundle(dir: &Path, name: &str, budget: u64, report: &mut Report) -> anyhow::Result<()> {
    let mut totals = [0u64; 3];
    let mut lazy = [0u64; 3];
    // Shared chunks: how many, brotli bytes.
    let mut chunks = (0u64, 0u64);
    let mut found = 0;
    for kind in ["wasm", "js", "css"] {
        let mut sizes = [0u64; 3];
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
            files.push(entry?.path());
        }
        files.sort();
        for path in files {
            if path.extension().and_then(|e| e.to_str()) != Some(kind) {
                continue;
            }
            let s = [
                size(&path)?,
                size(&variant(&path, "gz"))?,
                size(&variant(&path, "br"))?,
            ];
            found += 1;
            if let Some(what) = lazy_kind(&path) {
                if what == "page" {
                    // `split_logs_view-<digest>` → `logs`
                    let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("?");
                    let page = stem.trim_start_matches("split_");
                    let page = page.split('-').next().unwrap_or(page);
                    let page = page.trim_end_matches("_view");
                    report.add(
                        GROUP,
                        &format!("{name} lazy module {page}: brotli"),
                        s[2] as f64,
                        "bytes",
                    );
                } else {
                    chunks.0 += 1;
                    chunks.1 += s[2];
                }
                for i in 0..3 {
                    lazy[i] += s[i];
                }
                continue;
            }
            for i in 0..3 {
                sizes[i] += s[i];
                totals[i] += s[i];
            }
        }
        for (i, enc) in ["raw", "gzip", "brotli"].iter().enumerate() {
            report.add(
                GROUP,
                &format!("{name} {kind}: {enc}"),
                sizes[i] as f64,
                "bytes",
            );
        }
    }
    if found == 0 {
        bail!(
            "no wasm/js/css files in {} (run both trunk builds first)",
            dir.display()
        );
    }
    // "first load" where there are lazy modules; "total" (the whole bundle) where there are none.
    let first = if lazy[0] > 0 { "first load" } else { "total" };
    report.add(
        GROUP,
        &format!("{name} {first}: raw"),
        totals[0] as f64,
        "bytes",
    );
    report.add(
        GROUP,
        &format!("{name} {first}: gzip"),
        totals[1] as f64,
        "bytes",
    );
    let br = totals[2];
    report.budget(
        GROUP,
        &format!("{name} {first}: brotli"),
        br as f64,
        "bytes",
        &format!("≤ {} kB", budget / 1000),
        br <= budget,
    );
    // A browser in Korean fetches the catalog before its first paint (`src/i18n.rs`); the
    // kiosk's holds only its own texts (`xtask/src/catalog.rs`).
    let catalog = dir.join("i18n/ko.json");
    if catalog.is_file() {
        let br_catalog = size(&variant(&catalog, "br"))?;
        report.add(
            GROUP,
            &format!("{name} Korean catalog: brotli"),
            br_catalog as f64,
            "bytes",
        );
        report.add(
            GROUP,
            &format!("{name} {first} in Korean: brotli"),
            (br + br_catalog) as f64,
            "bytes",
        );
    }
    if lazy[0] > 0 {
        report.add(
            GROUP,
            &format!("{name} shared chunks ({}): brotli", chunks.0),
            chunks.1 as f64,
            "bytes",
        );
        for (i, enc) in ["raw", "gzip", "brotli"].iter().enumerate() {
            report.add(
                GROUP,
                &format!("{name} lazy modules: {enc}"),
                lazy[i] as f64,
                "bytes",
            );
        }
        report.add(
            GROUP,
            &format!("{name} total with every page: brotli"),
            (totals[2] + lazy[2]) as f64,
            "bytes",
        );
    }
    Ok(())
}

fn variant(path: &Path, ext: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn size(path: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| {
            format!(
                "{} is missing (`cargo xtask bench` precompresses dist/)",
                path.display()
            )
        })?
        .len())
}
