//! `tna-bench`: the figures behind `cargo xtask bench`. Each benchmark measures the relay path
//! and, where one exists, a comparison in the same run, so the printed ratios hold on a shared,
//! noisy machine. Nothing here asserts a time; budgets are printed beside the figures.

mod bulk;
mod first_paint;
mod logs;
mod report;
mod sizes;

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

use report::Report;

/// Runs the benchmarks and prints one table (also written as JSON).
#[derive(Parser, Debug)]
struct Cli {
    /// Tiny sizes: proves the benchmark code works (CI), the figures mean nothing.
    #[arg(long)]
    quick: bool,
    /// The built console.
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/results.json")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut report = Report::new(cli.quick);

    println!("bench: transfer size of {}", cli.dist.display());
    sizes::run(&cli.dist, &mut report).context("transfer size")?;
    println!("bench: first paint in Chromium");
    first_paint::run(&cli.dist, cli.quick, &mut report)
        .await
        .context("first paint")?;
    println!("bench: log download, direct gRPC vs through the relay");
    logs::run(cli.quick, &mut report)
        .await
        .context("log download")?;
    println!("bench: bulk apply through the relay");
    bulk::run(cli.quick, &mut report)
        .await
        .context("bulk apply")?;

    report.print();
    report
        .write(&cli.out)
        .with_context(|| format!("write {}", cli.out.display()))?;
    println!("bench: results written to {}", cli.out.display());
    Ok(())
}
