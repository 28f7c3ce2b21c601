//! Benchmark 1 — transfer size of both bundles: the console (wasm, js and css of `dist/`) and the
//! kiosk's own bundle (`dist/kiosk/`) — raw, and the gzip and brotli variants `cargo xtask`
//! writes next to them (exactly what the relay serves).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::report::Report;

const GROUP: &str = "1. transfer size";
/// Budget of the console for wasm + js + css, brotli.
const CONSOLE_BUDGET_BROTLI: u64 = 300_000;
/// Budget of the kiosk bundle for wasm + js + css, brotli.
const KIOSK_BUDGET_BROTLI: u64 = 150_000;

pub fn run(dist: &Path, report: &mut Report) -> anyhow::Result<()> {
    bundle(dist, "console", CONSOLE_BUDGET_BROTLI, report)?;
    bundle(&dist.join("kiosk"), "kiosk", KIOSK_BUDGET_BROTLI, report)
}

/// Reports the sizes of one bundle: the wasm, js and css files directly in `dir`.
fn bundle(dir: &Path, name: &str, budget: u64, report: &mut Report) -> anyhow::Result<()> {
    let mut totals = [0u64; 3];
    let mut found = 0;
    for kind in ["wasm", "js", "css"] {
        let mut sizes = [0u64; 3];
        for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
            let path = entry?.path();
            if path.extension().and_then(|e| e.to_str()) != Some(kind) {
                continue;
            }
            let s = [
                size(&path)?,
                size(&variant(&path, "gz"))?,
                size(&variant(&path, "br"))?,
            ];
            for i in 0..3 {
                sizes[i] += s[i];
                totals[i] += s[i];
            }
            found += 1;
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
    report.add(
        GROUP,
        &format!("{name} total: raw"),
        totals[0] as f64,
        "bytes",
    );
    report.add(
        GROUP,
        &format!("{name} total: gzip"),
        totals[1] as f64,
        "bytes",
    );
    let br = totals[2];
    report.budget(
        GROUP,
        &format!("{name} total: brotli"),
        br as f64,
        "bytes",
        &format!("≤ {} kB", budget / 1000),
        br <= budget,
    );
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
