//! With the `split` feature, the console's WASM (the `tna-console` binary only) keeps the
//! linker's relocations (`--emit-relocs`): `cargo xtask dist` needs them to cut it into one
//! module per lazy page (`xtask/src/split.rs`). A link argument of one binary, not a `RUSTFLAGS`
//! flag: the flags are part of every crate's fingerprint (the kiosk's build would compile
//! everything again), and the kiosk's WASM must stay a plain module for wasm-opt.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    if split && wasm {
        println!("cargo::rustc-link-arg-bin=tna-console=--emit-relocs");
    }
}
