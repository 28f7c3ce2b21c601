//! The console's routed pages as lazily loaded routes.
//!
//! The Devices page (where the console opens) is part of the main WASM module; every other page
//! is a [`LazyRoute`]: the router awaits its view before it shows the page. With the `split`
//! feature (the release bundle, `cargo xtask dist`), each page's view is a Leptos `#[lazy]`
//! function, so `wasm_split_cli_support` moves the code only that page reaches into a module of
//! its own, fetched the first time the page is opened; code two pages share goes into a chunk
//! both load. Without the feature (tests, `trunk serve`), the same routes call the page at once.
//!
//! A page for a higher role is wrapped in [`RequireRole`] inside its lazy view: a viewer who
//! types `/bulk` gets the module (WASM is public; the relay refuses the writes) and the "needs the
//! operator role" page.

use leptos::prelude::*;
use leptos_router::LazyRoute;
use tna_types::Role;

use leptos::wasm_split::SplitLoaderError;

use crate::components::role::RequireRole;
use crate::strings::app as s;

/// Declares one lazy route per page: `Route => view function => page component`, and the role
/// the page needs, if any.
///
/// The view function is a `wasm_split` split point (what Leptos' `#[lazy]` expands to), marked
/// `fallible`: a module that cannot be fetched becomes [`NotLoaded`], not a panic that would
/// take the whole console down.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident => $view:ident => $page:path $(, needs $role:expr)?;)*) => {$(
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
                loaded.unwrap_or_else(|_| view! { <NotLoaded /> }.into_any())
            }
        }

        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($view, wasm_split_path = ::leptos::wasm_split, fallible)
        )]
        fn $view() -> Result<AnyView, SplitLoaderError> {
            let page = || view! { <$page /> };
            $(let page = || view! { <RequireRole needs=$role>{page()}</RequireRole> };)?
            Ok(page().into_any())
        }
    )*};
}

/// What a page shows when its module could not be fetched: the relay was unreachable, or it was
/// updated since this tab loaded and the old module is gone. Reloading gets the current version.
#[component]
fn NotLoaded() -> impl IntoView {
    let reload = |_| {
        if let Err(e) = window().location().reload() {
            leptos::logging::warn!("reload: {e:?}");
        }
    };
    view! {
        <section class="page" data-testid="page-not-loaded">
            <h1>{s::PAGE_NOT_LOADED_TITLE()}</h1>
            <p>{s::PAGE_NOT_LOADED()}</p>
            <p><button type="button" class="btn" on:click=reload>{s::RELOAD()}</button></p>
        </section>
    }
}

lazy_pages! {
    /// `/devices/:id`: one device's T&A settings, job codes, name.
    DeviceRoute => device_view => crate::pages::DevicePage;
    /// `/bulk`: one config to many devices.
    BulkRoute => bulk_view => crate::pages::BulkPage, needs Role::Operator;
    /// `/drift`: every device compared with a reference.
    DriftRoute => drift_view => crate::pages::DriftPage, needs Role::Operator;
    /// `/logs`: the archive's or the devices' logs.
    LogsRoute => logs_view => crate::pages::LogsPage;
    /// `/live`: punches as they happen.
    LiveRoute => live_view => crate::pages::LivePage;
    /// `/accounts`: who may sign in.
    AccountsRoute => accounts_view => crate::pages::AccountsPage, needs Role::Admin;
    /// `/clocks`: device clocks and zones.
    ClocksRoute => clocks_view => crate::pages::ClocksPage;
    /// `/timecards`: hours per person and day.
    TimecardsRoute => timecards_view => crate::pages::TimecardsPage;
    /// `/archive`: the log archive's state.
    ArchiveRoute => archive_view => crate::pages::ArchivePage;
    /// `/audit`: every write, by whom.
    AuditRoute => audit_view => crate::pages::AuditPage, needs Role::Admin;
}
