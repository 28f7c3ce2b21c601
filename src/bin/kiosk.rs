//! Mounts the kiosk bundle (`kiosk.html`): the reception screen only, in the language chosen for
//! this tablet (its catalog comes from `/kiosk/i18n/`, which the kiosk's service worker keeps).

fn main() {
    // wasm-bindgen's own spawner: Leptos' executor starts with the mount.
    wasm_bindgen_futures::spawn_local(async {
        tna_console::i18n::start("/kiosk/").await;
        leptos::mount::mount_to_body(tna_console::kiosk_app::KioskApp);
    });
}
