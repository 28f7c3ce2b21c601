//! `cargo xtask bench`: setup → Trunk build → precompress → the `tna-bench` binary (release),
//! which prints one table and writes `target/bench/results.json`. `--quick` uses tiny sizes to
//! prove the benchmark code still works (CI) without judging times.

use anyhow::Result;

use crate::process::{Ctx, Plan, Step};
use crate::{bundles, setup};

/// Builds the console and runs every benchmark.
pub fn run(ctx: &Ctx, quick: bool) -> Result<()> {
    let dist = ctx.root.join("dist");
    let out = ctx.target_dir().join("bench/results.json");
    let mut args = vec![
        "run".to_string(),
        "--release".into(),
        "-p".into(),
        "tna-bench".into(),
        "--".into(),
        "--dist".into(),
        dist.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    if quick {
        args.push("--quick".into());
    }
    let plan = Plan::new(if quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    })
    .task("setup", setup::run);
    bundles::add_dist(ctx, plan)
        .step(Step::cargo(ctx, "benchmarks", args))
        .run(ctx)
}
