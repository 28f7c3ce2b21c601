//! A list of device checkboxes with "All" and "None": which devices a view reads (Logs), watches
//! (Live) or shows (kiosk). The caller owns the selection and the candidate list.

use leptos::prelude::*;

use crate::strings::components as s;

/// Checkboxes for `candidates`; `selected` holds the checked IDs in the order they were picked.
/// `on_change` runs after every change (Logs clears what it loaded for the old selection).
/// Each checkbox has `data-testid="{testid}"` and `data-device-id`.
#[component]
pub fn DeviceChecklist(
    /// The devices that can be chosen.
    #[prop(into)]
    candidates: Signal<Vec<u32>>,
    /// The chosen devices.
    selected: RwSignal<Vec<u32>>,
    /// The legend.
    legend: &'static str,
    /// Shown when there is nothing to choose.
    empty_text: &'static str,
    /// The checkboxes' `data-testid`.
    testid: &'static str,
    /// Runs after each change.
    #[prop(optional)]
    on_change: Option<Callback<()>>,
) -> impl IntoView {
    let changed = move || {
        if let Some(cb) = on_change {
            cb.run(());
        }
    };
    let toggle = move |id: u32, on: bool| {
        selected.update(|sel| {
            sel.retain(|x| *x != id);
            if on {
                sel.push(id);
            }
        });
        changed();
    };
    view! {
        <fieldset class="card device-picker" data-testid=format!("{testid}-list")>
            <legend>{legend}</legend>
            <div class="picker-actions">
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid=format!("{testid}-all")
                    on:click=move |_| {
                        selected.set(candidates.get_untracked());
                        changed();
                    }
                >
                    {s::SELECT_ALL()}
                </button>
                <button
                    type="button"
                    class="btn btn-small"
                    data-testid=format!("{testid}-none")
                    on:click=move |_| {
                        selected.set(Vec::new());
                        changed();
                    }
                >
                    {s::SELECT_NONE()}
                </button>
            </div>
            {move || {
                if candidates.with(Vec::is_empty) {
                    return view! { <p class="muted">{empty_text}</p> }.into_any();
                }
                view! {
                    <ul class="picker-list">
                        {candidates
                            .get()
                            .into_iter()
                            .map(|id| {
                                view! {
                                    <li>
                                        <label class="check">
                                            <input
                                                type="checkbox"
                                                data-testid=testid
                                                data-device-id=id.to_string()
                                                prop:checked=move || selected.with(|s| s.contains(&id))
                                                on:change=move |ev| toggle(id, event_target_checked(&ev))
                                            />
                                            <span class="mono">{id}</span>
                                        </label>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </fieldset>
    }
}

/// Parses a device list as URLs and settings write it: `541234567,541234568` (spaces allowed).
/// `None` when any part is not a device ID, so a typo never silently narrows a view.
pub fn parse_device_list(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: u32 = part.parse().ok().filter(|id| *id != 0)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Some(out)
}

/// The inverse of [`parse_device_list`].
pub fn format_device_list(ids: &[u32]) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_lists_round_trip_and_reject_typos() {
        assert_eq!(parse_device_list(""), Some(vec![]));
        assert_eq!(
            parse_device_list(" 541234567, 12,541234567 ,"),
            Some(vec![541234567, 12])
        );
        assert_eq!(parse_device_list("12,abc"), None);
        assert_eq!(parse_device_list("12,-3"), None);
        assert_eq!(parse_device_list("0"), None);
        assert_eq!(parse_device_list("99999999999"), None);
        let ids = vec![3, 1, 2];
        assert_eq!(parse_device_list(&format_device_list(&ids)), Some(ids));
    }
}
