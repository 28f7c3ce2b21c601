//! Mounts the console into the page body.

fn main() {
    leptos::mount::mount_to_body(tna_console::App);
}
