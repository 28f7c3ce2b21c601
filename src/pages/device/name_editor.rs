//! A device's name, location and tags (`devices.setInfo`): the form operators use to give the
//! device a name people know it by ("Reception entrance"). The relay keeps them in the archive
//! and normalizes them (trimmed, tags lower-cased); the page re-reads the device after a save.

use leptos::prelude::*;
use tna_types::{Device, DeviceInfo};

use crate::api::use_api;
use crate::components::{ErrorBanner, TextField, may};
use crate::strings::device as s;

/// Tags as typed: comma-separated, empty parts dropped (the relay checks each).
fn parse_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The "Name and location" button and form, for roles that may call `devices.setInfo`.
#[component]
pub fn NameEditor(device: Device, on_saved: Callback<()>) -> impl IntoView {
    let api = use_api();
    let id = device.device_id;
    let open = RwSignal::new(false);
    let name = RwSignal::new(device.name.clone().unwrap_or_default());
    let location = RwSignal::new(device.location.clone().unwrap_or_default());
    let tags = RwSignal::new(device.tags.join(", "));
    let save = Action::new_local(move |info: &DeviceInfo| api.set_device_info(info.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            open.set(false);
            on_saved.run(());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = |v: RwSignal<String>| {
            let t = v.get_untracked();
            (!t.trim().is_empty()).then(|| t.trim().to_string())
        };
        save.dispatch(DeviceInfo {
            device_id: id,
            name: text(name),
            location: text(location),
            tags: parse_tags(&tags.get_untracked()),
        });
    };
    may("devices.setInfo").then(|| {
        view! {
            <button
                type="button"
                class="btn btn-small btn-secondary"
                data-testid="edit-name"
                hidden=move || open.get()
                on:click=move |_| open.set(true)
            >
                {s::EDIT_NAME()}
            </button>
            <Show when=move || open.get()>
                <form class="card form-grid name-form" data-testid="name-form" on:submit=submit>
                    <p class="muted">{s::NAME_HINT()}</p>
                    <TextField label=s::NAME() value=name testid="name-input" required=false />
                    <TextField
                        label=s::LOCATION()
                        value=location
                        testid="location-input"
                        required=false
                    />
                    <TextField label=s::TAGS() value=tags testid="tags-input" required=false />
                    <div class="actions">
                        <button type="submit" class="btn btn-primary" data-testid="save-name">
                            {s::SAVE_NAME()}
                        </button>
                        <button type="button" class="btn" on:click=move |_| open.set(false)>
                            {s::CANCEL()}
                        </button>
                    </div>
                    {move || {
                        save.value()
                            .get()
                            .and_then(Result::err)
                            .map(|e| view! { <ErrorBanner title=s::NAME_FAILED() error=e /> })
                    }}
                </form>
            </Show>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_on_commas() {
        assert_eq!(parse_tags(" lobby, north ,,"), ["lobby", "north"]);
        assert!(parse_tags("  ").is_empty());
    }
}
