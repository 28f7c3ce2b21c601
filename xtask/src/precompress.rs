//! Writes brotli (`.br`) and gzip (`.gz`) variants next to the console's files in `dist/` (and the
//! kiosk's in `dist/kiosk/`), which
//! the relay serves to browsers that accept them. Done once per build rather than per request:
//! brotli at its best quality is far too slow to run on the fly.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::process::Ctx;

/// File types worth compressing (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &["wasm", "js", "css", "html", "svg", "json"];

/// Precompresses every compressible file of `dist/` (the one Trunk just wrote) and of its
/// subdirectories (`dist/kiosk/`, the kiosk's bundle).
pub fn run(ctx: &Ctx) -> Result<()> {
    let dist = ctx.root.join("dist");
    println!("  precompress {}", dist.display());
    if ctx.dry_run {
        return Ok(());
    }
    compress_dir(&dist, &dist)
}

/// Writes the variants of the files of `dir` and, recursively, of its subdirectories; names
/// are printed relative to `root`.
fn compress_dir(root: &Path, dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            compress_dir(root, &path)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let data = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        let br = brotli(&data)?;
        let gz = gzip(&data)?;
        write_variant(&path, "br", &br)?;
        write_variant(&path, "gz", &gz)?;
        let name = path.strip_prefix(root).unwrap_or(&path).display();
        println!(
            "    {name}: {} raw, {} gzip, {} brotli",
            data.len(),
            gz.len(),
            br.len()
        );
    }
    Ok(())
}

fn write_variant(path: &Path, ext: &str, data: &[u8]) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    std::fs::write(&name, data).with_context(|| format!("write {}", Path::new(&name).display()))
}

/// gzip at the best level.
fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

/// brotli at quality 11 with a 4 MiB window (what static-file precompressors use).
pub fn brotli(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(data)?;
    }
    Ok(out)
}
