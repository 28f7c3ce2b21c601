//! Embeds the built console (`<repo>/dist`) into the binary when it exists at build time, so a
//! release binary is all a site deploys. Without it the relay still builds (tests, `--dist DIR`).
//! `TNA_RELAY_NO_EMBED=1` builds without it even when `dist/` exists: `cargo xtask test` lints
//! and tests that configuration exactly as a clean CI machine (no `dist/` yet) does.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded_console)");
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    println!("cargo::rerun-if-changed={}", dist.display());
    println!(
        "cargo::rerun-if-changed={}",
        dist.join("index.html").display()
    );
    println!("cargo::rerun-if-env-changed=TNA_RELAY_NO_EMBED");
    let no_embed = std::env::var_os("TNA_RELAY_NO_EMBED").is_some_and(|v| v == "1");
    if !no_embed && dist.join("index.html").is_file() {
        println!("cargo::rustc-cfg=embedded_console");
    }
}
