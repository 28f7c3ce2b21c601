//! Mounts the console into the page body, in the language chosen for this browser.

fn main() {
    // wasm-bindgen's own spawner: Leptos' executor starts with the mount.
    wasm_bindgen_futures::spawn_local(async {
        tna_console::i18n::start("/").await;
        leptos::mount::mount_to_body(tna_console::App);
    });
}
