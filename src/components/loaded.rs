//! How every page shows what it reads from the relay: a [`LocalResource`] under
//! `<Transition>` and `<ErrorBoundary>`, the way Leptos' `fetch` example does it.
//!
//! - [`relay_resource`] makes the resource: it reads again after every reconnect (the socket's
//!   epoch) and whenever a signal its fetcher reads changes (a filter in the URL, an
//!   [`Action`]'s `version()` after a write); `refetch()` reads again on request.
//! - [`Loaded`] shows it: a loading line before the first answer, then the page's children —
//!   built once per successful load phase, not on every refresh, so a table refreshed in place
//!   keeps its rows and the keyboard focus — or the error banner with a retry button. While a
//!   refresh runs the last answer stays on screen (`<Transition>`).
//! - [`ok_data`] is how children read the loaded value.

use std::future::Future;

use leptos::prelude::*;

use tna_types::protocol::ErrorCode;

use crate::api::{ApiError, use_api};
use crate::components::ErrorBanner;

/// What a relay read gives: `None` until the first answer, then the last answer.
pub type RelayResource<T> = LocalResource<Result<T, ApiError>>;

/// A resource of one relay read, read again after every reconnect and whenever a signal that
/// `fetch` reads (synchronously, before its future starts) changes.
pub fn relay_resource<T, Fut>(fetch: impl Fn() -> Fut + 'static) -> RelayResource<T>
where
    T: 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let api = use_api();
    LocalResource::new(move || {
        api.epoch().track();
        fetch()
    })
}

/// The loaded value (a clone), `None` before the first answer or after a failed one.
pub fn ok_data<T: Clone + 'static>(resource: RelayResource<T>) -> Option<T> {
    resource.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).cloned())
}

/// The last error, when the last read failed.
pub fn load_error<T: 'static>(resource: RelayResource<T>) -> Option<ApiError> {
    resource.with(|r| r.as_ref().and_then(|r| r.as_ref().err()).cloned())
}

/// The banner title of an archive call's failure: a relay without an archive answers
/// `Unsupported` (there is no device involved in these methods), which says so plainly.
pub fn error_title(e: &ApiError, otherwise: &'static str) -> &'static str {
    if e.kind() == Some(ErrorCode::Unsupported) {
        crate::strings::sync::NO_ARCHIVE()
    } else {
        otherwise
    }
}

/// The banner title of a failure: the page's own words, or a closer one for some errors.
pub type TitleOf = fn(&ApiError, &'static str) -> &'static str;

/// Shows `resource`: `loading` until the first answer, then `children` (built once per
/// successful phase; they read the value with [`ok_data`]), or an [`ErrorBanner`] titled
/// `failed` with a retry button.
#[component]
pub fn Loaded<T>(
    resource: RelayResource<T>,
    /// The banner title when the read fails.
    failed: &'static str,
    /// What shows before the first answer.
    loading: &'static str,
    /// A closer title for some errors (e.g. "this relay keeps no archive").
    #[prop(optional)]
    title_of: Option<TitleOf>,
    /// Set while a read (the first or a refresh) runs, for busy buttons.
    #[prop(optional, into)]
    set_pending: Option<SignalSetter<bool>>,
    /// `data-testid` of the loading line.
    #[prop(optional)]
    loading_testid: Option<&'static str>,
    children: ChildrenFn,
) -> impl IntoView
where
    T: 'static,
{
    // Changes only between failed and loaded, so a refresh does not rebuild the children.
    let phase = Memo::new(move |_| {
        resource.with(|r| {
            r.as_ref()
                .map(|r| r.as_ref().map(|_| ()).map_err(Clone::clone))
        })
    });
    let busy = RwSignal::new(false);
    let pending = SignalSetter::map(move |p: bool| {
        busy.set(p);
        if let Some(set) = set_pending {
            set.set(p);
        }
    });
    let fallback = move || {
        view! {
            <p class="loading" data-testid=loading_testid aria-busy="true">
                {loading}
            </p>
        }
    };
    view! {
        <Transition fallback set_pending=pending>
            <ErrorBoundary fallback=move |errors| {
                let error = errors.with(|list| {
                    list.iter()
                        .find_map(|(_, e)| e.clone().into_inner().downcast_ref::<ApiError>().cloned())
                });
                error.map(|e| {
                    let title = title_of.map_or(failed, |f| f(&e, failed));
                    view! {
                        <ErrorBanner
                            title=title
                            error=e
                            on_retry=Callback::new(move |()| resource.refetch())
                            busy=busy
                        />
                    }
                })
            }>
                {
                    let children = children.clone();
                    move || {
                        // Registers the read with the Transition (fallback before the first
                        // answer, `set_pending` on every refresh) without rebuilding the
                        // children when the value changes.
                        resource.with_untracked(|_| ());
                        phase.get().map(|r| r.map(|()| children()))
                    }
                }
            </ErrorBoundary>
        </Transition>
    }
}
