//! The console's routed pages as lazily loaded routes.
//!
//! The Devices page (where the console opens) is part of the main WASM module; every other page
//! is a [`LazyRoute`]: the router awaits its view before it shows the page. With the `split`
//! feature (the release bundle, `cargo xtask dist`), each page's view is a `wasm_split` split
//! point (what Leptos' `#[lazy]` expands to), so `wasm_split_cli_support` moves the code only that
//! page reaches into a module of its own, fetched the first time the page is opened (or a link to
//! it is pointed at, [`preload`]); code two pages share goes into a chunk both load. Without the
//! feature (tests, `trunk serve`), the same routes call the page at once.
//!
//! A page for a higher role is wrapped in [`RequireRole`] inside its lazy view: a viewer who
//! types `/bulk` gets the module (WASM is public; the relay refuses the writes) and the "needs the
//! operator role" page.

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use leptos_router::LazyRoute;
use tna_types::Role;

use crate::components::or_not_loaded;
use crate::components::role::RequireRole;

/// Declares one lazy route per page: `Route at "/path" => view function (its preload function)
/// => page component`, and the role the page needs, if any; and [`preload`] over all of them.
///
/// The view function is a `wasm_split` split point (what Leptos' `#[lazy]` expands to), marked
/// `fallible`: a module that cannot be fetched becomes "could not be loaded" ([`or_not_loaded`]), not a panic that would
/// take the whole console down.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident at $path:literal
        => $view:ident ($preload:ident) => $page:path $(, needs $role:expr)?;)*) => {
        $(
            $(#[$doc])*
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    #[cfg(feature = "split")]
                    let loaded = $view().await;
                    #[cfg(not(feature = "split"))]
                    let loaded = $view();
                    or_not_loaded(loaded)
                }
            }

            #[cfg_attr(
                feature = "split",
                leptos::wasm_split::wasm_split(
                    $view,
                    wasm_split_path = ::leptos::wasm_split,
                    preload($preload),
                    fallible
                )
            )]
            fn $view() -> Result<AnyView, SplitLoaderError> {
                let page = || view! { <$page /> };
                $(let page = || view! { <RequireRole needs=$role>{page()}</RequireRole> };)?
                Ok(page().into_any())
            }
        )*

        /// The lazy pages' paths, in declaration order (an index per page for [`preload`]).
        const PATHS: &[&str] = &[$($path),*];

        /// Starts fetching page `index`'s module (a failure is left to the page itself).
        #[cfg(feature = "split")]
        fn start_preload(index: usize) {
            let mut i = 0;
            $(
                if i == index {
                    leptos::task::spawn_local(async {
                        let _ = $preload().await;
                    });
                    return;
                }
                i += 1;
            )*
            let _ = i;
        }
    };
}

/// The lazy page a link's path opens: `/devices/42` → the device page, `/logs` → Logs.
fn page_index(path: &str) -> Option<usize> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    // A path ending in `/` takes a parameter (`/devices/:id`); the others are whole.
    PATHS.iter().position(|p| {
        if p.ends_with('/') {
            path.starts_with(p) && path.len() > p.len()
        } else {
            path == *p
        }
    })
}

/// Fetches the module of the page `path` opens ahead of the click (the pointer is over a link to
/// it, a finger touches one, or it has the keyboard focus), once per page: on a slow link the
/// page then shows at once. Without the split, nothing to fetch.
pub fn preload(path: &str) {
    thread_local! {
        static STARTED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let Some(index) = page_index(path) else {
        return;
    };
    let bit = 1u32 << index;
    let first = STARTED.with(|s| s.replace(s.get() | bit)) & bit == 0;
    #[cfg(feature = "split")]
    if first {
        start_preload(index);
    }
    #[cfg(not(feature = "split"))]
    let _ = first;
}

lazy_pages! {
    /// `/devices/:id`: one device's T&A settings, job codes, name.
    DeviceRoute at "/devices/" => device_view (preload_device) => crate::pages::DevicePage;
    /// `/bulk`: one config to many devices.
    BulkRoute at "/bulk" => bulk_view (preload_bulk) => crate::pages::BulkPage,
        needs Role::Operator;
    /// `/drift`: every device compared with a reference.
    DriftRoute at "/drift" => drift_view (preload_drift) => crate::pages::DriftPage,
        needs Role::Operator;
    /// `/logs`: the archive's or the devices' logs.
    LogsRoute at "/logs" => logs_view (preload_logs) => crate::pages::LogsPage;
    /// `/live`: punches as they happen.
    LiveRoute at "/live" => live_view (preload_live) => crate::pages::LivePage;
    /// `/accounts`: who may sign in.
    AccountsRoute at "/accounts" => accounts_view (preload_accounts) => crate::pages::AccountsPage,
        needs Role::Admin;
    /// `/clocks`: device clocks and zones.
    ClocksRoute at "/clocks" => clocks_view (preload_clocks) => crate::pages::ClocksPage;
    /// `/timecards`: hours per person and day.
    TimecardsRoute at "/timecards" => timecards_view (preload_timecards)
        => crate::pages::TimecardsPage;
    /// `/archive`: the log archive's state.
    ArchiveRoute at "/archive" => archive_view (preload_archive) => crate::pages::ArchivePage;
    /// `/audit`: every write, by whom.
    AuditRoute at "/audit" => audit_view (preload_audit) => crate::pages::AuditPage,
        needs Role::Admin;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_names_its_lazy_page() {
        assert_eq!(page_index("/devices/541000001"), Some(0));
        assert_eq!(page_index("/devices/"), None);
        assert_eq!(page_index("/logs"), Some(3));
        assert_eq!(page_index("/logs?device=5&from=2026-12-01"), Some(3));
        assert_eq!(page_index("/audit#top"), Some(9));
        assert_eq!(page_index("/"), None);
        assert_eq!(page_index("/logsx"), None);
        assert!(PATHS.len() <= 32, "preload keeps one bit per page");
    }
}
