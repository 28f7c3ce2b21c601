//! The devices table: one row per device, filtered by a text, each row linking to its page.

use leptos::html;
use leptos::prelude::*;
use tna_types::{Device, product_name};
use wasm_bindgen::JsValue;

use crate::components::status_badge::{StatusBadge, status_key, status_text};
use crate::components::yes_no;
use crate::strings::devices as s;

/// Whether `device` matches the filter text: every whitespace-separated word must appear
/// (case-insensitive) in its ID, name, location, tags, type (code or product name), address,
/// status, status detail or site.
pub fn device_matches(device: &Device, filter: &str) -> bool {
    let haystack = format!(
        "{} {} {} {} {} {} {} {} {} {}",
        device.device_id,
        device.name.as_deref().unwrap_or(""),
        device.location.as_deref().unwrap_or(""),
        device.tags.join(" "),
        device.device_type,
        product_name(&device.device_type),
        device.address,
        status_key(device.status),
        status_text(device.status),
        device.status_detail.as_deref().unwrap_or(""),
    )
    .to_lowercase();
    let site = device.site.as_deref().unwrap_or("").to_lowercase();
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack.contains(word) || site.contains(word))
}

/// The link to a device's page.
pub fn device_href(id: u32) -> String {
    format!("/devices/{id}")
}

/// The table of `devices` matching `filter`, plus a one-line summary and an empty state.
#[component]
pub fn DeviceTable(
    #[prop(into)] devices: Signal<Vec<Device>>,
    #[prop(into)] filter: Signal<String>,
) -> impl IntoView {
    let shown = Memo::new(move |_| {
        let filter = filter.get();
        devices.with(|all| {
            all.iter()
                .filter(|d| device_matches(d, &filter))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // A Site column once any device has a site (a relay with several gateways); a Name column
    // once any device has a name or location.
    let has_sites = Memo::new(move |_| devices.with(|all| all.iter().any(|d| d.site.is_some())));
    let has_names = Memo::new(move |_| {
        devices.with(|all| all.iter().any(|d| d.name.is_some() || d.location.is_some()))
    });
    let summary = move || {
        let connected = devices.with(|all| {
            all.iter()
                .filter(|d| d.status == tna_types::ConnectionStatus::Connected)
                .count()
        });
        s::summary(shown.with(Vec::len), devices.with(Vec::len), connected)
    };
    let empty = move || {
        if devices.with(Vec::is_empty) {
            Some(s::NONE())
        } else if shown.with(Vec::is_empty) {
            Some(s::NO_MATCH())
        } else {
            None
        }
    };
    view! {
        <p class="summary muted" data-testid="device-summary" aria-live="polite">{summary}</p>
        <div class="table-wrap">
            <table class="data-table devices-table" data-testid="device-table">
                <caption class="visually-hidden">{s::CAPTION()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_ID()}</th>
                        {move || has_names.get().then(|| view! { <th scope="col">{s::COL_NAME()}</th> })}
                        {move || has_sites.get().then(|| view! { <th scope="col">{s::COL_SITE()}</th> })}
                        <th scope="col">{s::COL_TYPE()}</th>
                        <th scope="col">{s::COL_ADDRESS()}</th>
                        <th scope="col">{s::COL_STATUS()}</th>
                        <th scope="col">{s::COL_TNA()}</th>
                        <th scope="col">{s::COL_JOB_CODES()}</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || shown.get()
                        key=move |d| {
                            (
                                d.device_id,
                                d.status,
                                d.status_detail.clone(),
                                d.name.clone(),
                                d.location.clone(),
                                has_sites.get_untracked(),
                                has_names.get_untracked(),
                            )
                        }
                        children=move |d| {
                            view! {
                                <DeviceRow
                                    device=d
                                    show_site=has_sites.get_untracked()
                                    show_name=has_names.get_untracked()
                                />
                            }
                        }
                    />
                </tbody>
            </table>
        </div>
        {move || empty().map(|text| view! { <p class="empty-state" data-testid="devices-empty">{text}</p> })}
    }
}

/// One row; a click anywhere on it follows the ID link (keyboard users use the link itself).
#[component]
fn DeviceRow(device: Device, show_site: bool, show_name: bool) -> impl IntoView {
    let link = NodeRef::<html::A>::new();
    let id = device.device_id;
    let follow_link = move |ev: leptos::ev::MouseEvent| {
        let Some(a) = link.get() else { return };
        let on_link = ev
            .target()
            .is_some_and(|t| AsRef::<JsValue>::as_ref(&a) == &JsValue::from(t));
        if !on_link {
            a.click();
        }
    };
    view! {
        <tr data-testid="device-row" data-device-id=id.to_string() class="clickable" on:click=follow_link>
            <td data-label=s::COL_ID()>
                <a
                    node_ref=link
                    href=device_href(id)
                    data-testid="device-link"
                    aria-label=s::open_device(id)
                >
                    {id.to_string()}
                </a>
            </td>
            {show_name.then(|| view! {
                <td data-label=s::COL_NAME() data-testid="device-name">
                    <span class="device-name">{device.name.clone().unwrap_or_default()}</span>
                    {device.location.clone().map(|l| view! { <span class="muted device-location">{l}</span> })}
                </td>
            })}
            {show_site.then(|| view! {
                <td data-label=s::COL_SITE() data-testid="device-site">{device.site.clone().unwrap_or_default()}</td>
            })}
            <td data-label=s::COL_TYPE() data-testid="device-type" title=device.device_type.clone()>
                {product_name(&device.device_type)}
            </td>
            <td data-label=s::COL_ADDRESS() data-testid="device-address" class="mono">{device.address.clone()}</td>
            <td data-label=s::COL_STATUS()>
                <StatusBadge status=device.status detail=device.status_detail.clone() />
            </td>
            <td data-label=s::COL_TNA() data-testid="device-tna" data-value=device.tna_supported.to_string()>
                {yes_no(device.tna_supported)}
            </td>
            <td data-label=s::COL_JOB_CODES() data-testid="device-jobcodes" data-value=device.job_code_supported.to_string()>
                {yes_no(device.job_code_supported)}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tna_types::ConnectionStatus;

    fn dev(id: u32, ty: &str, status: ConnectionStatus) -> Device {
        Device {
            site: Some("HQ".into()),
            tna_supported: true,
            ..Device::listed(id, ty, format!("10.0.0.{id}:51211"), status)
        }
    }

    #[test]
    fn filter_matches_every_word_in_any_column() {
        let d = dev(540001, "BIOSTATION_A2", ConnectionStatus::Disconnected);
        assert!(device_matches(&d, ""));
        assert!(device_matches(&d, "5400"));
        assert!(device_matches(&d, "biostation"));
        assert!(device_matches(&d, "disconn 10.0.0"));
        assert!(device_matches(&d, "hq"));
        assert!(!device_matches(&d, "biolite"));
        assert!(!device_matches(&d, "biostation connected x"));
        // Names, locations, tags and product names are searched too.
        let named = Device {
            name: Some("Reception entrance".into()),
            location: Some("Building A".into()),
            tags: vec!["lobby".into()],
            ..d
        };
        assert!(device_matches(&named, "reception"));
        assert!(device_matches(&named, "building lobby"));
        assert!(device_matches(&named, "BioStation A2"));
        assert!(!device_matches(&named, "warehouse"));
    }
}
