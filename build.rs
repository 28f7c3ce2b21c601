//! With the `split` feature, the console's WASM (the `tna-console` binary only) keeps the
//! linker's relocations (`--emit-relocs`): `cargo xtask dist` needs them to cut it into one
//! module per lazy page (`xtask/src/split.rs`); with `kiosk-split`, the kiosk's (`tna-kiosk`).
//! A link argument of one binary, not a `RUSTFLAGS` flag: the flags are part of every crate's
//! fingerprint (each build would compile everything again), and an unsplit WASM must stay a
//! plain module for wasm-opt.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    for (feature, bin) in [("SPLIT", "tna-console"), ("KIOSK_SPLIT", "tna-kiosk")] {
        if wasm && std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some() {
            println!("cargo::rustc-link-arg-bin={bin}=--emit-relocs");
        }
    }
}
