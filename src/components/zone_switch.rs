//! The switch of the pages that mix rows of several sites (Logs, Live, Audit): each row in its
//! own site's time zone, or every row in the browser's zone, or in UTC. The choice is shared by
//! those pages and remembered per browser (`crate::time::provide_zone_view`).

use leptos::prelude::*;

use crate::strings::time as s;
use crate::time::{ZoneView, use_zone_view};

/// `<select>` of the [`ZoneView`]; `data-testid="{testid}"`.
#[component]
pub fn ZoneSwitch(testid: &'static str) -> impl IntoView {
    let view = use_zone_view();
    let text = |v: ZoneView| match v {
        ZoneView::Site => s::VIEW_SITE(),
        ZoneView::Browser => s::VIEW_BROWSER(),
        ZoneView::Utc => s::VIEW_UTC(),
    };
    view! {
        <label class="field-inline zone-switch">
            <span>{s::VIEW_LABEL()}</span>
            <select
                class="input"
                data-testid=testid
                data-view=move || view.get().key()
                on:change=move |ev| view.set(ZoneView::parse(&event_target_value(&ev)))
            >
                {ZoneView::ALL
                    .into_iter()
                    .map(|v| {
                        view! {
                            <option value=v.key() selected=move || view.get() == v>
                                {text(v)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
