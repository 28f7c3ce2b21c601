//! Compiles `proto/*.proto` with protox (pure Rust, no `protoc`) and generates tonic clients and servers.

const PROTOS: &[&str] = &[
    "proto/err.proto",
    "proto/tna.proto",
    "proto/device.proto",
    "proto/connect.proto",
    "proto/event.proto",
    "proto/user.proto",
    "proto/schedule.proto",
    "proto/system.proto",
    "proto/time.proto",
    "proto/google/rpc/status.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for p in PROTOS {
        println!("cargo:rerun-if-changed={p}");
    }
    let fds = protox::compile(PROTOS, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
