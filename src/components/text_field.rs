//! A labelled text input bound to a signal: the sign-in, pairing and accounts forms.

use leptos::prelude::*;

/// `<label><span>label</span><input></label>` with two-way binding to `value`.
#[component]
pub fn TextField(
    /// The visible label (also the input's accessible name).
    label: &'static str,
    /// The bound value.
    value: RwSignal<String>,
    /// `data-testid` of the input.
    testid: &'static str,
    /// `type` (`text`, `password`).
    #[prop(default = "text")]
    kind: &'static str,
    /// `autocomplete` (`username`, `current-password`, `new-password`, `off`, …).
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Extra classes of the input.
    #[prop(default = "")]
    class: &'static str,
    /// The form may not be sent while it is empty (most fields); `false` for optional ones.
    #[prop(default = true)]
    required: bool,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                class=format!("input {class}")
                type=kind
                autocomplete=autocomplete
                data-testid=testid
                required=required
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
