//! Embeds the built console (`<repo>/dist`) into the binary when it exists at build time, so a
//! release binary is all a site deploys. Without it the relay still builds (tests, `--dist DIR`).

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded_console)");
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist");
    println!("cargo::rerun-if-changed={}", dist.display());
    println!(
        "cargo::rerun-if-changed={}",
        dist.join("index.html").display()
    );
    if dist.join("index.html").is_file() {
        println!("cargo::rustc-cfg=embedded_console");
    }
}
