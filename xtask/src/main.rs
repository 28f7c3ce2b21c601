//! `cargo xtask` — the project's developer commands. This file is the CLI only; each command
//! lives in its own module and every external program runs through [`process::Step`].

mod bench;
mod bundle_bytes;
mod bundles;
mod catalog;
mod demo;
mod precompress;
mod process;
mod setup;
mod split;
mod stylesheet;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::process::Ctx;

/// Developer commands of tna-console. Every step prints what it runs and how long it took.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    /// Print the steps (and what setup would install) without running them.
    #[arg(long, global = true)]
    dry_run: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Install what is missing: wasm32 target, the bundles' nightly, Chromium + chromedriver, Trunk, wasm-bindgen-cli, wasm-opt.
    Setup,
    /// Build the console and serve it from the relay with simulated devices (Ctrl-C stops it).
    Demo {
        /// Port on 127.0.0.1 to serve the console on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Number of simulated devices.
        #[arg(long, default_value_t = demo::DEFAULT_DEVICES)]
        devices: u32,
    },
    /// Build the release bundles into dist/ and dist/kiosk/ (what the relay serves and embeds).
    Dist,
    /// Everything CI runs: setup, fmt, clippy, native tests, Trunk build, browser tests.
    Test {
        /// Stop after the native tests (no Trunk build, no browser tests).
        #[arg(long)]
        quick: bool,
    },
    /// Benchmarks: transfer size, first paint, log download, bulk apply (prints one table).
    Bench {
        /// Tiny sizes: proves the benchmark code works, without judging times.
        #[arg(long)]
        quick: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = Ctx::new(cli.dry_run).and_then(|ctx| match cli.command {
        Command::Setup => setup::run(&ctx),
        Command::Demo { port, devices } => demo::run(&ctx, port, devices),
        Command::Dist => bundles::run(&ctx),
        Command::Test { quick } => test::run(&ctx, quick),
        Command::Bench { quick } => bench::run(&ctx, quick),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
