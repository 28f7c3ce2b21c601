//! The Dockerfile at the repository root builds an image whose relay answers `--help`. Runs
//! only where a Docker daemon answers (`docker info`); elsewhere it says so and passes, since
//! there is nothing to build with.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Building the image compiles Trunk, the console and the relay from scratch.
const BUILD_LIMIT: Duration = Duration::from_secs(60 * 60);
const TAG: &str = "tna-relay:test";

fn docker_available() -> bool {
    Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn docker_image_builds_and_runs_when_docker_is_available() {
    if !docker_available() {
        eprintln!("SKIPPED: no Docker daemon answers `docker info`; the image was not built.");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut child = Command::new("docker")
        .args(["build", "-t", TAG, "."])
        .current_dir(&repo)
        .spawn()
        .expect("docker build starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("docker build runs") {
            break status;
        }
        if started.elapsed() > BUILD_LIMIT {
            let _ = child.kill();
            panic!("docker build took longer than {BUILD_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_secs(2));
    };
    assert!(status.success(), "docker build failed: {status}");
    let out = Command::new("docker")
        .args(["run", "--rm", TAG, "--help"])
        .output()
        .expect("docker run");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && help.contains("--gateway"), "{help}");
}
