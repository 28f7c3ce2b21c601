//! `tna-bench --quick` as a test target, so that `cargo xtask test` runs the benchmark binary that
//! its native-test step already compiled. A plain `cargo run -p tna-bench` resolves features for
//! tna-bench alone, which differ from the workspace's: it compiled every dependency a second time
//! and once filled a CI machine's disk. Ignored by default: it needs a Trunk-built `dist/` and
//! Chromium, which exist only after the browser steps; the xtask step passes `--ignored`.

use std::path::PathBuf;
use std::process::Command;

/// Where the built console is (`dist/` of the repository unless told otherwise).
const DIST_ENV: &str = "TNA_BENCH_DIST";
/// Where the quick run's JSON report goes.
const OUT_ENV: &str = "TNA_BENCH_OUT";

#[test]
#[ignore = "needs dist/ and Chromium: `cargo xtask test` runs it after the browser tests"]
fn quick_benchmarks_run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dist = std::env::var_os(DIST_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("dist"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tna-bench"));
    cmd.arg("--quick").arg("--dist").arg(&dist);
    if let Some(out) = std::env::var_os(OUT_ENV) {
        cmd.arg("--out").arg(out);
    }
    let status = cmd.status().expect("start tna-bench");
    assert!(status.success(), "tna-bench --quick failed: {status}");
}
