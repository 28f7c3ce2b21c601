//! Filter state kept in the page's URL, so a filtered view is a link someone can send and a
//! reload keeps it (as in Leptos' `counter_url_query` example).

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{query_signal_with_options, use_location, use_navigate};
use leptos_router::params::ParamsMap;

/// A text filter bound to the URL query parameter `key`: starts from the URL, and every change
/// is written back to it (replacing the history entry, so Back leaves the page instead of
/// undoing keystrokes). An empty value removes the parameter.
pub fn url_text(key: &'static str) -> RwSignal<String> {
    let (in_url, set_url) = query_signal_with_options::<String>(
        key,
        NavigateOptions {
            replace: true,
            scroll: false,
            ..NavigateOptions::default()
        },
    );
    let value = RwSignal::new(in_url.get_untracked().unwrap_or_default());
    Effect::new(move |_| {
        let v = value.get();
        if in_url.get_untracked().unwrap_or_default() != v {
            set_url.set((!v.is_empty()).then_some(v));
        }
    });
    value
}

/// Applies a submitted filter: navigates at once to this page with `pairs` as its query (empty
/// values left out), adding a history entry, so Back returns to the previous filter. (The
/// `query_signal` setters wait for an animation frame, which a page in a background window may
/// not get soon.)
pub fn use_apply_query() -> impl Fn(&[(&'static str, String)]) + Clone {
    let navigate = use_navigate();
    let location = use_location();
    move |pairs: &[(&'static str, String)]| {
        let mut query = ParamsMap::new();
        for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            query.insert(*k, v.clone());
        }
        let path = location.pathname.get_untracked();
        navigate(
            &format!("{path}{}", query.to_query_string()),
            NavigateOptions::default(),
        );
    }
}
