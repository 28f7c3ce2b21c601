//! The first and last day of a range, as two date inputs: the filter of Logs, Timecards and
//! Audit. The values are `YYYY-MM-DD` as the browser's date input gives them; the page checks
//! them (`crate::logs::parse_date`) when it applies the filter.

use leptos::prelude::*;

use crate::strings::components as s;

/// Two labelled `<input type="date">` bound to `from` and `to`; their `data-testid`s are
/// `{testid}-from` and `{testid}-to`.
#[component]
pub fn DayRangeFields(
    from: RwSignal<String>,
    to: RwSignal<String>,
    /// The page's prefix of the inputs' `data-testid`.
    testid: &'static str,
    /// Whether both days must be given.
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let day = move |value: RwSignal<String>, label: &'static str, id: String| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input
                    class="input"
                    type="date"
                    required=required
                    data-testid=id
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    on:change=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };
    view! {
        {day(from, s::FROM(), format!("{testid}-from"))}
        {day(to, s::TO(), format!("{testid}-to"))}
    }
}
