//! Mounts the kiosk bundle (`kiosk.html`): the reception screen only.

fn main() {
    leptos::mount::mount_to_body(tna_console::kiosk_app::KioskApp);
}
