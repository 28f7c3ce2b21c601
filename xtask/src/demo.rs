//! `cargo xtask demo`: setup → fetch → Trunk build → the relay in demo mode (gateway-sim in
//! process) serving the built console. Ctrl-C stops the relay.

use anyhow::Result;

use crate::process::{Ctx, Plan, Step};
use crate::{bundles, setup};

/// Devices the relay's demo gateway simulates unless told otherwise.
pub const DEFAULT_DEVICES: u32 = 50;

/// Builds the console and runs the relay until Ctrl-C.
pub fn run(ctx: &Ctx, port: u16, devices: u32) -> Result<()> {
    let plan = Plan::new("cargo xtask demo: build").task("setup", setup::run);
    bundles::add_dist(ctx, plan).run(ctx)?;

    let listen = format!("127.0.0.1:{port}");
    let relay = Step::cargo(
        ctx,
        "relay (demo)",
        [
            "run",
            "--release",
            "-p",
            "tna-relay",
            "--",
            "--demo",
            "--listen",
        ],
    )
    .args([
        listen.clone(),
        "--dist".into(),
        "dist".into(),
        "--demo-devices".into(),
        devices.to_string(),
    ]);
    println!(
        "\ndemo: starting the relay with {devices} simulated devices; the console will be at \
         http://{listen}/ (Ctrl-C stops it)"
    );
    relay.run_foreground(ctx)?;
    println!("demo: relay stopped");
    Ok(())
}
