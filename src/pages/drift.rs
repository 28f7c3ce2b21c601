//! `/drift`: every T&A device's config compared with a reference (a device's config or an
//! imported file), listing the devices that differ field by field (`tna_types::config_diff`).
//! One action applies the reference to the drifted devices through the bulk page's
//! [`ApplyFlow`] (preview, batches, results, retry, re-read).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::{ConnectionStatus, Device, FieldChange, TnaConfig, config_diff};

use crate::api::{ApiError, use_api};
use crate::components::{
    ApplyFlow, DeviceLabel, DiffTable, Imported, Loaded, check_import, ok_data, read_configs,
    read_picked_file, relay_resource,
};
use crate::strings::{bulk as bs, drift as s, editor as es};

/// The comparison of one device with the reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Drift {
    /// These fields differ (before = the device, after = the reference).
    Differs(Vec<FieldChange>),
    /// Same as the reference.
    Same,
    /// The device cannot take the reference (e.g. a keypad-less device and a mode that needs a
    /// keypad): why. Listed apart, and never part of a fix.
    Cannot(String),
    /// Not checked: why.
    Unchecked(String),
}

/// Compares what each device holds with the reference; devices are given in list order.
pub fn drift_of(
    devices: &[Device],
    reads: &BTreeMap<u32, Result<TnaConfig, ApiError>>,
    reference: &TnaConfig,
) -> Vec<(u32, Drift)> {
    devices
        .iter()
        .filter(|d| d.tna_supported)
        .map(|d| {
            let drift = if d.status != ConnectionStatus::Connected {
                Drift::Unchecked(bs::ineligible(tna_types::Ineligible::Offline).to_string())
            } else {
                match reads.get(&d.device_id) {
                    _ if tna_types::eligibility(d, reference).is_err() => {
                        let why = tna_types::eligibility(d, reference)
                            .err()
                            .map(bs::ineligible)
                            .unwrap_or_default();
                        Drift::Cannot(why.to_string())
                    }
                    Some(Ok(held)) => {
                        let changes = config_diff(held, reference);
                        if changes.is_empty() {
                            Drift::Same
                        } else {
                            Drift::Differs(changes)
                        }
                    }
                    Some(Err(e)) => Drift::Unchecked(bs::unreadable(&e.message())),
                    None => Drift::Unchecked(bs::unreadable("")),
                }
            };
            (d.device_id, drift)
        })
        .collect()
}

/// The drift page.
#[component]
pub fn DriftPage() -> impl IntoView {
    let api = use_api();
    let devices = relay_resource(move || api.list_devices());
    view! {
        <section class="page drift-page" data-testid="drift-page">
            <h1>{s::TITLE()}</h1>
            <p class="muted">{s::INTRO()}</p>
            <Loaded resource=devices failed=bs::LOAD_FAILED() loading=bs::LOADING()>
                {move || ok_data(devices).map(|devices| view! { <DriftReport devices /> })}
            </Loaded>
        </section>
    }
}

#[component]
fn DriftReport(devices: Vec<Device>) -> impl IntoView {
    let api = use_api();
    let devices = StoredValue::new(devices);
    let reference = RwSignal::new(None::<Result<TnaConfig, String>>);
    // Compare: read every connected T&A device's config and diff it with the reference.
    let compare_action = Action::new_local(move |reference: &TnaConfig| {
        let reference = reference.clone();
        async move {
            let ids: Vec<u32> = devices.with_value(|all| {
                all.iter()
                    .filter(|d| d.tna_supported && d.status == ConnectionStatus::Connected)
                    .map(|d| d.device_id)
                    .collect()
            });
            let reads: BTreeMap<u32, Result<TnaConfig, ApiError>> =
                read_configs(api, &ids).await.into_iter().collect();
            // The report may be gone by now (the user left the page): nothing to show then.
            let rows = devices
                .try_with_value(|all| drift_of(all, &reads, &reference))
                .unwrap_or_default();
            (reference, rows)
        }
    });
    let report = compare_action.value();
    let comparing = compare_action.pending();
    let fix = RwSignal::new(None::<(Vec<Device>, TnaConfig)>);

    let pick_device = move |ev: web_sys::Event| {
        compare_action.clear();
        fix.set(None);
        let Ok(id) = event_target_value(&ev).parse::<u32>() else {
            reference.set(None);
            return;
        };
        spawn_local(async move {
            let r = api.get_config(id).await.map_err(|e| e.message());
            reference.try_set(Some(r));
        });
    };
    let on_file = move |ev: web_sys::Event| {
        compare_action.clear();
        fix.set(None);
        read_picked_file(&ev, move |text| {
            let r = text.and_then(
                |text| match check_import(&text, &TnaConfig::default(), None) {
                    Imported::Ready(cfg, ..) => Ok(*cfg),
                    Imported::Bad(msg, _) => Err(msg),
                },
            );
            reference.try_set(Some(r));
        });
    };
    let compare = move |_| {
        let Some(Ok(reference)) = reference.get_untracked() else {
            return;
        };
        fix.set(None);
        compare_action.dispatch(reference);
    };
    let start_fix = move |_| {
        if let Some((reference, rows)) = report.get_untracked() {
            let drifted: Vec<u32> = rows
                .iter()
                .filter(|(_, d)| matches!(d, Drift::Differs(_)))
                .map(|(id, _)| *id)
                .collect();
            let targets = devices.with_value(|all| {
                all.iter()
                    .filter(|d| drifted.contains(&d.device_id))
                    .cloned()
                    .collect()
            });
            fix.set(Some((targets, reference)));
        }
    };

    let device_options = devices.with_value(|all| {
        all.iter()
            .filter(|d| d.tna_supported)
            .map(|d| view! { <option value=d.device_id.to_string()>{d.device_id}</option> })
            .collect_view()
    });

    let report_view = move || {
        report.get().map(|(_, rows)| {
            let checked = rows.iter().filter(|(_, d)| !matches!(d, Drift::Unchecked(_))).count();
            let drifted: Vec<(u32, Vec<FieldChange>)> = rows
                .iter()
                .filter_map(|(id, d)| match d {
                    Drift::Differs(ch) => Some((*id, ch.clone())),
                    _ => None,
                })
                .collect();
            let unchecked: Vec<(u32, String)> = rows
                .iter()
                .filter_map(|(id, d)| match d {
                    Drift::Unchecked(why) => Some((*id, why.clone())),
                    _ => None,
                })
                .collect();
            let cannot: Vec<(u32, String)> = rows
                .iter()
                .filter_map(|(id, d)| match d {
                    Drift::Cannot(why) => Some((*id, why.clone())),
                    _ => None,
                })
                .collect();
            let n = drifted.len();
            let body = drifted
                .into_iter()
                .map(|(id, ch)| view! {
                    <tr data-testid="drift-row" data-device-id=id.to_string()>
                        <th scope="row"><DeviceLabel device_id=id /></th>
                        <td><DiffTable changes=ch schedules=None /></td>
                    </tr>
                })
                .collect_view();
            view! {
                <section class="card" data-testid="drift-report">
                    <p data-testid="drift-summary" data-drifted=n.to_string()>{s::summary(n, checked)}</p>
                    {(n == 0).then(|| view! { <p class="ok-note" data-testid="drift-none">{s::NONE()}</p> })}
                    {(n > 0).then(|| view! {
                        <table class="data-table" data-testid="drift-table">
                            <thead>
                                <tr>
                                    <th scope="col">{s::COL_DEVICE()}</th>
                                    <th scope="col">{s::COL_FIELDS()}</th>
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                        <button type="button" class="btn btn-primary" data-testid="drift-fix" on:click=start_fix>
                            {s::FIX()}
                        </button>
                    })}
                    {(!cannot.is_empty()).then(|| view! {
                        <h3>{s::CANNOT_TITLE()}</h3>
                        <ul data-testid="drift-cannot">
                            {cannot.into_iter().map(|(id, why)| view! { <li data-device-id=id.to_string()>{id}": "{why}</li> }).collect_view()}
                        </ul>
                    })}
                    {(!unchecked.is_empty()).then(|| view! {
                        <h3>{s::UNCHECKED_TITLE()}</h3>
                        <ul data-testid="drift-unchecked">
                            {unchecked.into_iter().map(|(id, why)| view! { <li data-device-id=id.to_string()>{id}": "{why}</li> }).collect_view()}
                        </ul>
                    })}
                </section>
            }
        })
    };

    view! {
        <section class="card" data-testid="drift-reference">
            <h2>{s::REFERENCE()}</h2>
            <div class="toolbar">
                <label>
                    {bs::SOURCE_DEVICE()}" "
                    <select class="input" data-testid="drift-reference-device" on:change=pick_device>
                        <option value="">{bs::PICK_DEVICE()}</option>
                        {device_options}
                    </select>
                </label>
                <label class="btn file-btn">
                    {es::IMPORT()}
                    <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="drift-reference-file" on:change=on_file />
                </label>
            </div>
            {move || match reference.get() {
                Some(Err(msg)) => Some(view! {
                    <div class="error-banner" role="alert" data-testid="source-error">
                        <p class="error-title">{bs::SOURCE_FAILED()}</p>
                        <p class="error-message">{msg}</p>
                    </div>
                }.into_any()),
                Some(Ok(_)) => Some(view! { <p class="ok-note" data-testid="source-ready">{bs::SOURCE_READY()}</p> }.into_any()),
                None => None,
            }}
            <button
                type="button"
                class="btn btn-primary"
                data-testid="drift-compare"
                disabled=move || comparing.get() || !matches!(reference.get(), Some(Ok(_)))
                on:click=compare
            >
                {move || if comparing.get() { s::COMPARING() } else { s::COMPARE() }}
            </button>
        </section>
        {report_view}
        {move || fix.get().map(|(targets, config)| view! { <ApplyFlow targets=targets config=config /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(id: u32, tna: bool, status: ConnectionStatus) -> Device {
        Device {
            tna_supported: tna,
            ..Device::listed(id, "X", "a:1", status)
        }
    }

    #[test]
    fn drift_lists_differing_fields_and_skips_what_it_cannot_check() {
        use ConnectionStatus::*;
        let reference = TnaConfig::default();
        let mut other = reference.clone();
        other.labels[2] = "x".into();
        let devices = vec![
            dev(1, true, Connected),
            dev(2, true, Connected),
            dev(3, false, Connected),
            dev(4, true, Disconnected),
            dev(5, true, Connected),
        ];
        let reads = BTreeMap::from([
            (1, Ok(reference.clone())),
            (2, Ok(other)),
            (5, Err(ApiError::NotConnected)),
        ]);
        let rows = drift_of(&devices, &reads, &reference);
        let ids: Vec<u32> = rows.iter().map(|r| r.0).collect();
        assert_eq!(ids, [1, 2, 4, 5], "T&A devices only");
        assert_eq!(rows[0].1, Drift::Same);
        match &rows[1].1 {
            Drift::Differs(ch) => {
                assert_eq!(ch.len(), 1);
                assert_eq!(ch[0].field.path(), "labels[2]");
                assert_eq!(ch[0].after, "\"\"");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(rows[2].1, Drift::Unchecked(_)));
        assert!(matches!(rows[3].1, Drift::Unchecked(_)));
    }
}
