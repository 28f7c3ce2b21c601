//! `tna-bench`: the figures behind `cargo xtask bench`. Each benchmark measures the relay path
//! and, where one exists, a comparison in the same run, so the printed ratios hold on a shared,
//! noisy machine. Nothing here asserts a time; budgets are printed beside the figures.

mod abuse;
mod archive;
mod bulk;
mod demo;
mod fanout;
mod first_paint;
mod logs;
mod report;
mod sizes;
mod table;
mod users;

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
    /// Run only this benchmark (default: all of them).
    #[arg(long, value_enum)]
    only: Option<Bench>,
    /// Internal: run as the live fan-out benchmark's relay process with this many emulated
    /// devices (started by the benchmark itself, see fanout.rs).
    #[arg(long, hide = true, value_name = "DEVICES")]
    fanout_server: Option<u32>,
    /// Live fan-out: devices each socket subscribes to (default 100 of the 1,000; 1000 makes
    /// every socket watch every device, which takes about 10 minutes to subscribe on 2 cores).
    #[arg(long, value_name = "DEVICES")]
    fanout_watch: Option<usize>,
    /// Internal: run as the non-reading-clients benchmark's relay process (see abuse.rs).
    #[arg(long, hide = true)]
    abuse_server: bool,
}

/// The benchmarks, for `--only`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Bench {
    Sizes,
    FirstPaint,
    Logs,
    Bulk,
    Table,
    Fanout,
    Archive,
    Abuse,
    Users,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(devices) = cli.fanout_server {
        // The child process of the fan-out benchmark: its stdout is a protocol, print nothing.
        return fanout::serve(devices).await;
    }
    if cli.abuse_server {
        return abuse::serve().await;
    }
    let mut report = Report::new(cli.quick);
    let runs = |bench| cli.only.is_none_or(|only| only == bench);

    if runs(Bench::Sizes) {
        println!("bench: transfer size of {}", cli.dist.display());
        sizes::run(&cli.dist, &mut report).context("transfer size")?;
    }
    if runs(Bench::FirstPaint) {
        println!("bench: first paint in Chromium");
        first_paint::run(&cli.dist, cli.quick, &mut report)
            .await
            .context("first paint")?;
    }
    if runs(Bench::Logs) {
        println!("bench: log download, direct gRPC vs through the relay");
        logs::run(cli.quick, &mut report)
            .await
            .context("log download")?;
    }
    if runs(Bench::Bulk) {
        println!("bench: bulk apply through the relay");
        bulk::run(cli.quick, &mut report)
            .await
            .context("bulk apply")?;
    }
    if runs(Bench::Table) {
        println!("bench: log table with many rows in Chromium");
        table::run(&cli.dist, cli.quick, &mut report)
            .await
            .context("log table")?;
        table::run_archive(&cli.dist, cli.quick, &mut report)
            .await
            .context("log table from the archive")?;
    }
    if runs(Bench::Fanout) {
        println!("bench: live fan-out through the relay (relay in its own process)");
        fanout::run(cli.quick, cli.fanout_watch, &mut report)
            .await
            .context("live fan-out")?;
    }

    if runs(Bench::Archive) {
        println!("bench: log archive, SQLite and PostgreSQL");
        archive::run(cli.quick, &mut report)
            .await
            .context("log archive")?;
    }

    if runs(Bench::Abuse) {
        println!("bench: clients that never read their socket (relay in its own process)");
        abuse::run(cli.quick, &mut report)
            .await
            .context("non-reading clients")?;
    }

    if runs(Bench::Users) {
        println!("bench: user directory: search of 100,000 people, sync of 1,000 devices");
        users::run(cli.quick, &mut report)
            .await
            .context("user directory")?;
    }

    report.print();
    report
        .write(&cli.out)
        .with_context(|| format!("write {}", cli.out.display()))?;
    println!("bench: results written to {}", cli.out.display());
    Ok(())
}
