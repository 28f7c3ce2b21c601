//! Helpers shared by the integration tests: start an emulator on 127.0.0.1:0, connect a
//! plaintext channel, bound every await in time.

#![allow(dead_code)] // each test binary uses a different subset

use std::future::Future;
use std::time::Duration;

use gateway_sim::{Gateway, RunningGateway, SimConfig, start};
use tonic::transport::{Channel, Endpoint};

/// Upper bound for any single step of a test.
pub const STEP: Duration = Duration::from_secs(20);

/// Awaits `f`, failing the test if it takes longer than [`STEP`].
pub async fn within<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(STEP, f)
        .await
        .expect("test step timed out")
}

/// A small site without background punches (tests append punches themselves).
pub fn small(seed: u64) -> SimConfig {
    SimConfig {
        devices: 12,
        logs_per_device: 2_500,
        seed,
        punch_interval: None,
        first_device_id: gateway_sim::FIRST_DEVICE_ID,
        zone: None,
    }
}

/// Starts a plaintext emulator for `cfg` on an ephemeral localhost port.
pub async fn serve(cfg: SimConfig) -> RunningGateway {
    within(start(
        Gateway::new(cfg),
        "127.0.0.1:0".parse().unwrap(),
        None,
    ))
    .await
    .unwrap()
}

/// A plaintext channel to the emulator.
pub async fn channel(running: &RunningGateway) -> Channel {
    let url = format!("http://{}", running.addr);
    within(Endpoint::from_shared(url).unwrap().connect())
        .await
        .unwrap()
}

/// First device matching `pred` (T&A support, job-code support).
pub fn find(gw: &Gateway, pred: impl Fn(bool, bool) -> bool) -> u32 {
    gw.device_ids()
        .into_iter()
        .find(|&id| {
            pred(
                gw.tna_supported(id).unwrap(),
                gw.job_code_supported(id).unwrap(),
            )
        })
        .expect("site has a device of that kind")
}

/// First device matching `pred` (T&A support, job-code support) that is someone's home device
/// (so it has users and a history).
pub fn find_home(gw: &Gateway, pred: impl Fn(bool, bool) -> bool) -> u32 {
    let homes = gw.plan().home_devices();
    gw.device_ids()
        .into_iter()
        .find(|&id| {
            homes.contains(&id)
                && pred(
                    gw.tna_supported(id).unwrap(),
                    gw.job_code_supported(id).unwrap(),
                )
        })
        .expect("site has a home device of that kind")
}

/// All T&A devices.
pub fn tna_devices(gw: &Gateway) -> Vec<u32> {
    gw.device_ids()
        .into_iter()
        .filter(|&id| gw.tna_supported(id) == Some(true))
        .collect()
}
