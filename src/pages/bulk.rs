//! `/bulk`: apply one T&A config to many devices.
//!
//! Targets are picked with filters (type, T&A support, status, text) and select-all; the source
//! is a device's config, the editor's current draft, or an imported file. The shared
//! [`ApplyFlow`] then previews, applies in batches and shows the results.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::{ConnectionStatus, Device, TnaConfig, product_name, validate_config};

use crate::api::use_api;
use crate::components::device_table::device_matches;
use crate::components::status_badge::{status_key, status_text};
use crate::components::{
    ApplyFlow, DeviceLabel, DraftSlot, Imported, Loaded, StatusBadge, check_import,
    field_error_text, ok_data, read_picked_file, relay_resource,
};
use crate::strings::{bulk as s, editor as es};

/// The target filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkFilter {
    /// Device type name; empty = any.
    pub device_type: String,
    /// Site (gateway name); empty = any.
    pub site: String,
    /// T&A support; `None` = any.
    pub tna: Option<bool>,
    /// Connection status; `None` = any.
    pub status: Option<ConnectionStatus>,
    /// Free text (ID, type, address, status).
    pub text: String,
}

impl BulkFilter {
    /// Whether a device passes every filter.
    pub fn matches(&self, d: &Device) -> bool {
        (self.device_type.is_empty() || d.device_type == self.device_type)
            && (self.site.is_empty() || d.site.as_deref() == Some(self.site.as_str()))
            && self.tna.is_none_or(|t| d.tna_supported == t)
            && self.status.is_none_or(|st| d.status == st)
            && device_matches(d, &self.text)
    }
}

/// The bulk page.
#[component]
pub fn BulkPage() -> impl IntoView {
    let api = use_api();
    let devices = relay_resource(move || api.list_devices());
    crate::pages::follow_status(api, devices, |d| d, false);

    view! {
        <section class="page bulk-page" data-testid="bulk-page">
            <h1>{s::TITLE()}</h1>
            <Loaded resource=devices failed=s::LOAD_FAILED() loading=s::LOADING()>
                {move || ok_data(devices).map(|devices| view! { <BulkForm devices /> })}
            </Loaded>
        </section>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Device,
    Draft,
    File,
}

/// Targets + source, then the flow.
#[component]
fn BulkForm(devices: Vec<Device>) -> impl IntoView {
    let api = use_api();
    let draft = use_context::<DraftSlot>();
    let devices = StoredValue::new(devices);
    let filter = RwSignal::new(BulkFilter::default());
    let selected = RwSignal::new(BTreeSet::<u32>::new());
    let shown = Memo::new(move |_| {
        let f = filter.get();
        devices.with_value(|all| {
            all.iter()
                .filter(|d| f.matches(d))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let types: Vec<String> = devices.with_value(|all| {
        all.iter()
            .map(|d| d.device_type.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    });

    let kind = RwSignal::new(SourceKind::Device);
    let source = RwSignal::new(None::<Result<TnaConfig, String>>);
    let source_loading = RwSignal::new(false);
    let plan = RwSignal::new(None::<(Vec<Device>, TnaConfig)>);

    let pick_device = move |ev: web_sys::Event| {
        let Ok(id) = event_target_value(&ev).parse::<u32>() else {
            source.set(None);
            return;
        };
        source_loading.set(true);
        spawn_local(async move {
            let r = api.get_config(id).await.map_err(|e| e.message());
            source_loading.try_set(false);
            source.try_set(Some(r));
        });
    };
    let on_file = move |ev: web_sys::Event| {
        read_picked_file(&ev, move |text| {
            let r = text.and_then(
                |text| match check_import(&text, &TnaConfig::default(), None) {
                    Imported::Ready(cfg, ..) => Ok(*cfg),
                    Imported::Bad(msg, _) => Err(msg),
                },
            );
            source.try_set(Some(r));
        });
    };
    let set_kind = move |k: SourceKind| {
        kind.set(k);
        plan.set(None);
        source.set(match k {
            SourceKind::Draft => draft.and_then(|d| d.0.get_untracked()).map(|(_, c)| Ok(c)),
            _ => None,
        });
    };

    let select_all = move |_| {
        selected.update(|sel| {
            sel.extend(shown.with_untracked(|v| v.iter().map(|d| d.device_id).collect::<Vec<_>>()))
        });
    };
    let preview = move |_| {
        let Some(Ok(config)) = source.get_untracked() else {
            return;
        };
        let ids = selected.get_untracked();
        let targets: Vec<Device> = devices.with_value(|all| {
            all.iter()
                .filter(|d| ids.contains(&d.device_id))
                .cloned()
                .collect()
        });
        plan.set(Some((targets, config)));
    };
    let source_errors = Memo::new(move |_| match source.get() {
        Some(Ok(c)) => validate_config(&c, None).err().unwrap_or_default(),
        _ => Vec::new(),
    });
    let can_preview = move || {
        !selected.with(BTreeSet::is_empty)
            && matches!(source.get(), Some(Ok(_)))
            && source_errors.with(Vec::is_empty)
    };

    let type_options = types
        .into_iter()
        .map(|t| view! { <option value=t.clone()>{product_name(&t)}</option> })
        .collect_view();
    let sites: Vec<String> = devices.with_value(|all| {
        all.iter()
            .filter_map(|d| d.site.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    });
    let site_filter = (!sites.is_empty()).then(|| {
        view! {
            <label>
                {s::FILTER_SITE()}
                <select
                    class="input"
                    data-testid="filter-site"
                    on:change=move |ev| filter.update(|f| f.site = event_target_value(&ev))
                >
                    <option value="">{s::ANY()}</option>
                    {sites
                        .into_iter()
                        .map(|site| view! { <option value=site.clone()>{site.clone()}</option> })
                        .collect_view()}
                </select>
            </label>
        }
    });
    let tna_devices: Vec<u32> = devices.with_value(|all| {
        all.iter()
            .filter(|d| d.tna_supported)
            .map(|d| d.device_id)
            .collect()
    });
    let tna_devices = StoredValue::new(tna_devices);
    let device_options = move || {
        tna_devices.with_value(|ids| {
            ids.iter()
                .map(|&id| view! { <option value=id.to_string()>{id}</option> })
                .collect_view()
        })
    };

    let rows = move || {
        shown
            .get()
            .into_iter()
            .map(|d| {
                let id = d.device_id;
                view! {
                    <tr data-testid="bulk-device-row" data-device-id=id.to_string()>
                        <td>
                            <input
                                type="checkbox"
                                data-testid="bulk-select"
                                data-device-id=id.to_string()
                                aria-label=format!("{} {id}", s::SELECT_DEVICE())
                                prop:checked=move || selected.with(|sel| sel.contains(&id))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.update(|sel| {
                                        if on {
                                            sel.insert(id);
                                        } else {
                                            sel.remove(&id);
                                        }
                                    });
                                }
                            />
                        </td>
                        <td><DeviceLabel device_id=id /></td>
                        <td title=d.device_type.clone()>{product_name(&d.device_type)}</td>
                        <td><StatusBadge status=d.status detail=d.status_detail.clone() /></td>
                        <td>{if d.tna_supported { s::YES() } else { s::NO() }}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card" data-testid="bulk-targets">
            <h2>{s::TARGETS()}</h2>
            <div class="filters">
                {site_filter}
                <label>
                    {s::FILTER_TYPE()}
                    <select class="input" data-testid="filter-type" on:change=move |ev| filter.update(|f| f.device_type = event_target_value(&ev))>
                        <option value="">{s::ANY()}</option>
                        {type_options}
                    </select>
                </label>
                <label>
                    {s::FILTER_TNA()}
                    <select class="input" data-testid="filter-tna" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| f.tna = match v.as_str() { "yes" => Some(true), "no" => Some(false), _ => None });
                    }>
                        <option value="">{s::ANY()}</option>
                        <option value="yes">{s::YES()}</option>
                        <option value="no">{s::NO()}</option>
                    </select>
                </label>
                <label>
                    {s::FILTER_STATUS()}
                    <select class="input" data-testid="filter-status" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| f.status = [ConnectionStatus::Connected, ConnectionStatus::Connecting, ConnectionStatus::Disconnected, ConnectionStatus::Error]
                            .into_iter()
                            .find(|st| status_key(*st) == v));
                    }>
                        <option value="">{s::ANY()}</option>
                        {[ConnectionStatus::Connected, ConnectionStatus::Connecting, ConnectionStatus::Disconnected, ConnectionStatus::Error]
                            .into_iter()
                            .map(|st| view! { <option value=status_key(st)>{status_text(st)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {s::FILTER_TEXT()}
                    <input
                        class="input"
                        type="search"
                        data-testid="filter-text"
                        placeholder=s::FILTER_TEXT_PLACEHOLDER()
                        on:input=move |ev| filter.update(|f| f.text = event_target_value(&ev))
                    />
                </label>
                <button type="button" class="btn" data-testid="select-all" on:click=select_all>{s::SELECT_ALL()}</button>
                <button type="button" class="btn" data-testid="select-none" on:click=move |_| selected.set(BTreeSet::new())>{s::CLEAR()}</button>
            </div>
            <p class="muted" data-testid="bulk-selected">
                {move || s::selected(selected.with(BTreeSet::len), shown.with(Vec::len))}
            </p>
            <div class="table-wrap">
                <table class="data-table" data-testid="bulk-devices">
                    <thead>
                        <tr>
                            <th scope="col">{s::COL_SELECT()}</th>
                            <th scope="col">{s::COL_DEVICE()}</th>
                            <th scope="col">{s::COL_TYPE()}</th>
                            <th scope="col">{s::COL_STATUS()}</th>
                            <th scope="col">{s::COL_TNA()}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        <section class="card" data-testid="bulk-source">
            <h2>{s::SOURCE()}</h2>
            <div class="field" role="radiogroup">
                <label>
                    <input type="radio" name="bulk-source" data-testid="source-device" prop:checked=move || kind.get() == SourceKind::Device on:change=move |_| set_kind(SourceKind::Device) />
                    " "{s::SOURCE_DEVICE()}
                </label>
                <label>
                    <input type="radio" name="bulk-source" data-testid="source-draft" prop:checked=move || kind.get() == SourceKind::Draft on:change=move |_| set_kind(SourceKind::Draft) />
                    " "{s::SOURCE_DRAFT()}
                </label>
                <label>
                    <input type="radio" name="bulk-source" data-testid="source-file" prop:checked=move || kind.get() == SourceKind::File on:change=move |_| set_kind(SourceKind::File) />
                    " "{s::SOURCE_FILE()}
                </label>
            </div>
            {move || match kind.get() {
                SourceKind::Device => view! {
                    <select class="input" data-testid="source-device-id" aria-label=s::PICK_DEVICE() on:change=pick_device>
                        <option value="">{s::PICK_DEVICE()}</option>
                        {device_options()}
                    </select>
                }
                .into_any(),
                SourceKind::Draft => (source.with(Option::is_none))
                    .then(|| view! { <p class="muted" data-testid="no-draft">{s::NO_DRAFT()}</p> })
                    .into_any(),
                SourceKind::File => view! {
                    <label class="btn file-btn">
                        {es::IMPORT()}
                        <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="source-file-input" on:change=on_file />
                    </label>
                }
                .into_any(),
            }}
            {move || source_loading.get().then(|| view! { <p class="loading">{s::SOURCE_LOADING()}</p> })}
            {move || match source.get() {
                Some(Err(msg)) => Some(view! {
                    <div class="error-banner" role="alert" data-testid="source-error">
                        <p class="error-title">{s::SOURCE_FAILED()}</p>
                        <p class="error-message">{msg}</p>
                    </div>
                }.into_any()),
                Some(Ok(_)) if !source_errors.with(Vec::is_empty) => Some(view! {
                    <div class="error-banner" role="alert" data-testid="source-error">
                        <p class="error-title">{s::SOURCE_FAILED()}</p>
                        <ul>
                            {source_errors.get().into_iter().map(|e| view! { <li>{e.field.clone()}": "{field_error_text(&e)}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any()),
                Some(Ok(_)) => Some(view! { <p class="ok-note" data-testid="source-ready">{s::SOURCE_READY()}</p> }.into_any()),
                None => None,
            }}
            <button type="button" class="btn btn-primary" data-testid="bulk-preview" disabled=move || !can_preview() on:click=preview>
                {s::PREVIEW()}
            </button>
        </section>
        {move || plan.get().map(|(targets, config)| view! { <ApplyFlow targets=targets config=config /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    use crate::api::ApiError;
    use crate::components::apply_flow::{Outcome, Preview, ResultRow, failed_ids, preview_of};
    use tna_types::TnaMode;

    fn dev(id: u32, ty: &str, tna: bool, status: ConnectionStatus) -> Device {
        Device {
            tna_supported: tna,
            has_keypad: Some(false),
            ..Device::listed(id, ty, format!("10.0.0.{id}:51211"), status)
        }
    }

    #[test]
    fn filters_combine() {
        use ConnectionStatus::*;
        let a = dev(1, "BIOSTATION_A2", true, Connected);
        let b = dev(2, "XPASS_D2", false, Connected);
        let c = dev(3, "BIOSTATION_A2", true, Disconnected);
        let f = BulkFilter {
            device_type: "BIOSTATION_A2".into(),
            ..Default::default()
        };
        assert!(f.matches(&a) && !f.matches(&b) && f.matches(&c));
        let f = BulkFilter {
            tna: Some(true),
            status: Some(Connected),
            ..Default::default()
        };
        assert!(f.matches(&a) && !f.matches(&b) && !f.matches(&c));
        let f = BulkFilter {
            text: "10.0.0.2".into(),
            ..Default::default()
        };
        assert!(!f.matches(&a) && f.matches(&b));
        let hq = Device {
            site: Some("HQ".into()),
            ..a.clone()
        };
        let f = BulkFilter {
            site: "HQ".into(),
            ..Default::default()
        };
        assert!(
            f.matches(&hq) && !f.matches(&a),
            "a site filter keeps that site only"
        );
    }

    #[test]
    fn preview_states() {
        use ConnectionStatus::*;
        let cfg = TnaConfig {
            mode: TnaMode::ByUser,
            ..Default::default()
        };
        let d = dev(1, "X", true, Connected);
        assert!(
            matches!(
                preview_of(&d, &cfg, Some(&Ok(cfg.clone()))),
                Preview::Cannot(_)
            ),
            "no keypad for By user"
        );
        let fixed = TnaConfig {
            mode: TnaMode::Fixed,
            key: tna_types::TnaKey::new(1).ok(),
            ..Default::default()
        };
        assert_eq!(
            preview_of(&d, &fixed, Some(&Ok(fixed.clone()))),
            Preview::Same
        );
        match preview_of(&d, &fixed, Some(&Ok(TnaConfig::default()))) {
            Preview::Changes(ch) => assert_eq!(ch.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            preview_of(&dev(2, "X", true, Disconnected), &fixed, None),
            Preview::Cannot(_)
        ));
        assert!(matches!(
            preview_of(&d, &fixed, Some(&Err(ApiError::NotConnected))),
            Preview::Cannot(_)
        ));
    }

    #[test]
    fn retry_takes_failed_and_unsent_in_order() {
        let mut rs = BTreeMap::new();
        let row = |outcome| ResultRow {
            outcome,
            reread: None,
        };
        rs.insert(3, row(Outcome::Ok));
        rs.insert(
            1,
            row(Outcome::Failed {
                code: "gRPC 13 INTERNAL".into(),
                message: "x".into(),
            }),
        );
        rs.insert(2, row(Outcome::NotSent));
        assert_eq!(failed_ids(&rs, &[3, 2, 1]), [2, 1]);
    }

    #[test]
    fn grpc_code_names() {
        assert_eq!(s::grpc_code(13), "gRPC 13 INTERNAL");
        assert_eq!(s::grpc_code(99), "gRPC 99");
    }
}
