//! Benchmark 1 — Console transfer size: wasm, js and css of `dist/` — raw, and the gzip and brotli variants
//! `cargo xtask` writes next to them (exactly what the relay serves).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::report::Report;

const GROUP: &str = "1. transfer size";
/// Budget for wasm + js + css, brotli.
const BUDGET_BROTLI: u64 = 150_000;

pub fn run(dist: &Path, report: &mut Report) -> anyhow::Result<()> {
    let mut totals = [0u64; 3];
    let mut found = 0;
    for kind in ["wasm", "js", "css"] {
        let mut sizes = [0u64; 3];
        for entry in std::fs::read_dir(dist).with_context(|| format!("read {}", dist.display()))? {
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
            report.add(GROUP, &format!("{kind}: {enc}"), sizes[i] as f64, "bytes");
        }
    }
    if found == 0 {
        bail!(
            "no wasm/js/css files in {} (run trunk build first)",
            dist.display()
        );
    }
    report.add(GROUP, "total: raw", totals[0] as f64, "bytes");
    report.add(GROUP, "total: gzip", totals[1] as f64, "bytes");
    let br = totals[2];
    report.budget(
        GROUP,
        "total: brotli",
        br as f64,
        "bytes",
        "≤ 150 kB",
        br <= BUDGET_BROTLI,
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
