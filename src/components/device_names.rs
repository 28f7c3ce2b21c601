//! Places by name. One store per page tree maps device IDs to the names admins gave them
//! (`devices.setInfo`, carried by `devices.list`), read once when a view first asks, so a device
//! reads "Reception entrance 540000001" — or its ID alone — wherever it appears.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;

/// The store (cheap to copy; provided as context by the console's root).
#[derive(Clone, Copy)]
pub struct DeviceNames {
    /// ID → name, once the list was read.
    names: RwSignal<Option<HashMap<u32, String>>>,
    asked: StoredValue<bool>,
    api: ApiClient,
}

/// Creates the store for everything below.
pub fn provide_device_names(api: ApiClient) -> DeviceNames {
    let store = DeviceNames {
        names: RwSignal::new(None),
        asked: StoredValue::new(false),
        api,
    };
    provide_context(store);
    store
}

impl DeviceNames {
    /// The name of `device_id`, if it has one (reactive; the first call reads `devices.list`).
    pub fn name(&self, device_id: u32) -> Option<String> {
        if !self.asked.get_value() {
            self.asked.set_value(true);
            let store = *self;
            spawn_local(async move {
                let names = store
                    .api
                    .list_devices()
                    .await
                    .map(|devices| {
                        devices
                            .into_iter()
                            .filter_map(|d| Some((d.device_id, d.name?)))
                            .collect()
                    })
                    .unwrap_or_default();
                store.names.set(Some(names));
            });
        }
        self.names
            .with(|m| m.as_ref().and_then(|m| m.get(&device_id).cloned()))
    }
}

/// A device as pages show one: its name with the ID beside it, or the ID alone.
#[component]
pub fn DeviceLabel(device_id: u32) -> impl IntoView {
    let store = use_context::<DeviceNames>();
    let name = move || store.and_then(|s| s.name(device_id));
    view! {
        <span class="device-label" data-testid="device-label" data-device-id=device_id.to_string()>
            {move || {
                name()
                    .map(|n| view! { <span class="device-label-name">{n}</span> " " })
            }}
            <span class="mono device-label-id">{device_id}</span>
        </span>
    }
}
