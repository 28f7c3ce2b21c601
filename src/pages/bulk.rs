//! `/bulk`: apply one T&A config to many devices.
//!
//! Targets are picked with filters (type, T&A support, status, text) and select-all; the source
//! is a device's config, the editor's current draft, or an imported file. [`ApplyFlow`] (also
//! used by the drift report) then previews per device (which fields change, which devices
//! already match, which cannot take it and why), applies in batches, and shows one result row
//! per device, "Retry failed", and a re-read that marks devices still differing.
//!
//! Batching is done here, in the console: each batch is one `tna.setConfigMulti` call of at most
//! [`BATCH`] devices, so progress is counted per answered batch and Cancel takes effect between
//! batches (a batch already sent is never half-cancelled). See `docs/protocol.md` ("Bulk apply").

use std::collections::{BTreeMap, BTreeSet};

use futures::future::join_all;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::{
    ConnectionStatus, Device, FieldChange, TnaConfig, config_diff, eligibility, validate_config,
};
use wasm_bindgen::JsCast;

use crate::api::{ApiClient, ApiError, use_api};
use crate::components::device_table::device_matches;
use crate::components::status_badge::{status_key, status_text};
use crate::components::{ErrorBanner, StatusBadge};
use crate::pages::Loader;
use crate::pages::config_editor::{DiffTable, Imported, check_import};
use crate::strings::{bulk as s, editor as es};

/// Devices per `tna.setConfigMulti` call.
pub const BATCH: usize = 10;
/// Config reads in flight at once (previews and re-reads); below the relay's per-socket limit.
pub const READ_CONCURRENCY: usize = 16;

/// The editor's current draft, shared with the bulk page (provided by the app root).
#[derive(Clone, Copy)]
pub struct DraftSlot(pub RwSignal<Option<(u32, TnaConfig)>>);

/// The target filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BulkFilter {
    /// Device type name; empty = any.
    pub device_type: String,
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
            && self.tna.is_none_or(|t| d.tna_supported == t)
            && self.status.is_none_or(|st| d.status == st)
            && device_matches(d, &self.text)
    }
}

/// What the preview says about one target.
#[derive(Debug, Clone, PartialEq)]
pub enum Preview {
    /// These fields change.
    Changes(Vec<FieldChange>),
    /// The device already holds the config.
    Same,
    /// The device cannot take it: why.
    Cannot(String),
}

/// The outcome of the write for one device.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written.
    Ok,
    /// Not written: the code (gRPC per device, or the relay's for a failed batch) and message.
    Failed {
        /// "gRPC 13 INTERNAL" or "relay error -32003".
        code: String,
        /// The gateway's or relay's message.
        message: String,
    },
    /// Not sent: cancelled first.
    NotSent,
}

/// What a re-read after the apply found.
#[derive(Debug, Clone, PartialEq)]
pub enum Reread {
    /// The device holds the config.
    Matches,
    /// The device still differs in these fields (before = device, after = the config).
    Differs(Vec<FieldChange>),
    /// The re-read failed.
    Failed(String),
}

/// One row of the result table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// The write.
    pub outcome: Outcome,
    /// The re-read, once done.
    pub reread: Option<Reread>,
}

/// The preview of one target, from what the device list says and its config as read.
pub fn preview_of(
    device: &Device,
    config: &TnaConfig,
    read: Option<&Result<TnaConfig, ApiError>>,
) -> Preview {
    if let Err(why) = eligibility(device, config) {
        return Preview::Cannot(s::ineligible(why).to_string());
    }
    match read {
        Some(Ok(held)) => {
            let changes = config_diff(held, config);
            if changes.is_empty() {
                Preview::Same
            } else {
                Preview::Changes(changes)
            }
        }
        Some(Err(e)) => Preview::Cannot(s::unreadable(&e.message())),
        None => Preview::Cannot(s::unreadable("")),
    }
}

/// The IDs whose last outcome is a failure or not sent, in table order.
pub fn failed_ids(results: &BTreeMap<u32, ResultRow>, order: &[u32]) -> Vec<u32> {
    order
        .iter()
        .copied()
        .filter(|id| {
            results
                .get(id)
                .is_some_and(|r| !matches!(r.outcome, Outcome::Ok))
        })
        .collect()
}

/// Reads the configs of `ids`, at most [`READ_CONCURRENCY`] at once, in `ids` order.
pub async fn read_configs(api: ApiClient, ids: &[u32]) -> Vec<(u32, Result<TnaConfig, ApiError>)> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(READ_CONCURRENCY) {
        let got = join_all(
            chunk
                .iter()
                .map(|&id| async move { (id, api.get_config(id).await) }),
        )
        .await;
        out.extend(got);
    }
    out
}

/// The bulk page.
#[component]
pub fn BulkPage() -> impl IntoView {
    let api = use_api();
    let loader = Loader::<Vec<Device>>::new();
    Effect::new(move |_| {
        api.epoch().track();
        if !loader.loading.get_untracked() {
            loader.run(api.list_devices());
        }
    });
    crate::pages::follow_status(api, loader, false);

    view! {
        <section class="page bulk-page" data-testid="bulk-page">
            <h1>{s::TITLE}</h1>
            {move || match loader.data.get() {
                None => view! { <p class="loading" aria-busy="true">{s::LOADING}</p> }.into_any(),
                Some(Err(e)) => view! {
                    <ErrorBanner
                        title=s::LOAD_FAILED
                        error=e
                        on_retry=Callback::new(move |()| loader.run(api.list_devices()))
                        busy=loader.loading
                    />
                }
                .into_any(),
                Some(Ok(devices)) => view! { <BulkForm devices=devices /> }.into_any(),
            }}
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
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let r = match text.map(|v| v.as_string()) {
                Ok(Some(text)) => match check_import(&text, &TnaConfig::default(), None) {
                    Imported::Ready(cfg, _) => Ok(*cfg),
                    Imported::Bad(msg, _) => Err(msg),
                },
                _ => Err(es::import_read("")),
            };
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
        .map(|t| view! { <option value=t.clone()>{t.clone()}</option> })
        .collect_view();
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
                                aria-label=format!("{} {id}", s::SELECT_DEVICE)
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
                        <td class="mono">{id}</td>
                        <td>{d.device_type.clone()}</td>
                        <td><StatusBadge status=d.status detail=d.status_detail.clone() /></td>
                        <td>{if d.tna_supported { s::YES } else { s::NO }}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <section class="card" data-testid="bulk-targets">
            <h2>{s::TARGETS}</h2>
            <div class="filters">
                <label>
                    {s::FILTER_TYPE}
                    <select class="input" data-testid="filter-type" on:change=move |ev| filter.update(|f| f.device_type = event_target_value(&ev))>
                        <option value="">{s::ANY}</option>
                        {type_options}
                    </select>
                </label>
                <label>
                    {s::FILTER_TNA}
                    <select class="input" data-testid="filter-tna" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| f.tna = match v.as_str() { "yes" => Some(true), "no" => Some(false), _ => None });
                    }>
                        <option value="">{s::ANY}</option>
                        <option value="yes">{s::YES}</option>
                        <option value="no">{s::NO}</option>
                    </select>
                </label>
                <label>
                    {s::FILTER_STATUS}
                    <select class="input" data-testid="filter-status" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filter.update(|f| f.status = [ConnectionStatus::Connected, ConnectionStatus::Connecting, ConnectionStatus::Disconnected, ConnectionStatus::Error]
                            .into_iter()
                            .find(|st| status_key(*st) == v));
                    }>
                        <option value="">{s::ANY}</option>
                        {[ConnectionStatus::Connected, ConnectionStatus::Connecting, ConnectionStatus::Disconnected, ConnectionStatus::Error]
                            .into_iter()
                            .map(|st| view! { <option value=status_key(st)>{status_text(st)}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {s::FILTER_TEXT}
                    <input
                        class="input"
                        type="search"
                        data-testid="filter-text"
                        placeholder=s::FILTER_TEXT_PLACEHOLDER
                        on:input=move |ev| filter.update(|f| f.text = event_target_value(&ev))
                    />
                </label>
                <button type="button" class="btn" data-testid="select-all" on:click=select_all>{s::SELECT_ALL}</button>
                <button type="button" class="btn" data-testid="select-none" on:click=move |_| selected.set(BTreeSet::new())>{s::CLEAR}</button>
            </div>
            <p class="muted" data-testid="bulk-selected">
                {move || s::selected(selected.with(BTreeSet::len), shown.with(Vec::len))}
            </p>
            <div class="table-wrap">
                <table class="data-table" data-testid="bulk-devices">
                    <thead>
                        <tr>
                            <th scope="col">{s::COL_SELECT}</th>
                            <th scope="col">{s::COL_DEVICE}</th>
                            <th scope="col">{s::COL_TYPE}</th>
                            <th scope="col">{s::COL_STATUS}</th>
                            <th scope="col">{s::COL_TNA}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        <section class="card" data-testid="bulk-source">
            <h2>{s::SOURCE}</h2>
            <div class="field" role="radiogroup">
                <label>
                    <input type="radio" name="bulk-source" data-testid="source-device" prop:checked=move || kind.get() == SourceKind::Device on:change=move |_| set_kind(SourceKind::Device) />
                    " "{s::SOURCE_DEVICE}
                </label>
                <label>
                    <input type="radio" name="bulk-source" data-testid="source-draft" prop:checked=move || kind.get() == SourceKind::Draft on:change=move |_| set_kind(SourceKind::Draft) />
                    " "{s::SOURCE_DRAFT}
                </label>
                <label>
                    <input type="radio" name="bulk-source" data-testid="source-file" prop:checked=move || kind.get() == SourceKind::File on:change=move |_| set_kind(SourceKind::File) />
                    " "{s::SOURCE_FILE}
                </label>
            </div>
            {move || match kind.get() {
                SourceKind::Device => view! {
                    <select class="input" data-testid="source-device-id" aria-label=s::PICK_DEVICE on:change=pick_device>
                        <option value="">{s::PICK_DEVICE}</option>
                        {device_options()}
                    </select>
                }
                .into_any(),
                SourceKind::Draft => (source.with(Option::is_none))
                    .then(|| view! { <p class="muted" data-testid="no-draft">{s::NO_DRAFT}</p> })
                    .into_any(),
                SourceKind::File => view! {
                    <label class="btn file-btn">
                        {es::IMPORT}
                        <input type="file" accept=".json,application/json" class="visually-hidden" data-testid="source-file-input" on:change=on_file />
                    </label>
                }
                .into_any(),
            }}
            {move || source_loading.get().then(|| view! { <p class="loading">{s::SOURCE_LOADING}</p> })}
            {move || match source.get() {
                Some(Err(msg)) => Some(view! {
                    <div class="error-banner" role="alert" data-testid="source-error">
                        <p class="error-title">{s::SOURCE_FAILED}</p>
                        <p class="error-message">{msg}</p>
                    </div>
                }.into_any()),
                Some(Ok(_)) if !source_errors.with(Vec::is_empty) => Some(view! {
                    <div class="error-banner" role="alert" data-testid="source-error">
                        <p class="error-title">{s::SOURCE_FAILED}</p>
                        <ul>
                            {source_errors.get().into_iter().map(|e| view! { <li>{e.field}": "{e.message}</li> }).collect_view()}
                        </ul>
                    </div>
                }.into_any()),
                Some(Ok(_)) => Some(view! { <p class="ok-note" data-testid="source-ready">{s::SOURCE_READY}</p> }.into_any()),
                None => None,
            }}
            <button type="button" class="btn btn-primary" data-testid="bulk-preview" disabled=move || !can_preview() on:click=preview>
                {s::PREVIEW}
            </button>
        </section>
        {move || plan.get().map(|(targets, config)| view! { <ApplyFlow targets=targets config=config /> })}
    }
}

/// Preview → apply in batches with progress and cancel → results, retry failed, re-read.
#[component]
pub fn ApplyFlow(targets: Vec<Device>, config: TnaConfig) -> impl IntoView {
    let api = use_api();
    let order: Vec<u32> = targets.iter().map(|d| d.device_id).collect();
    let order = StoredValue::new(order);
    let targets = StoredValue::new(targets);
    let config = StoredValue::new(config);
    let previews = RwSignal::new(None::<Vec<(u32, Preview)>>);
    let results = RwSignal::new(BTreeMap::<u32, ResultRow>::new());
    let running = RwSignal::new(false);
    let rereading = RwSignal::new(false);
    let cancel = RwSignal::new(false);
    let progress = RwSignal::new((0usize, 0usize));

    // Preview on mount: eligibility from the list, then read every eligible target.
    spawn_local(async move {
        let Some(cfg) = config.try_get_value() else {
            return;
        };
        let eligible: Vec<u32> = targets
            .try_with_value(|t| {
                t.iter()
                    .filter(|d| eligibility(d, &cfg).is_ok())
                    .map(|d| d.device_id)
                    .collect()
            })
            .unwrap_or_default();
        let reads: BTreeMap<u32, Result<TnaConfig, ApiError>> =
            read_configs(api, &eligible).await.into_iter().collect();
        let rows = targets.try_with_value(|t| {
            t.iter()
                .map(|d| (d.device_id, preview_of(d, &cfg, reads.get(&d.device_id))))
                .collect()
        });
        if let Some(rows) = rows {
            previews.try_set(Some(rows));
        }
    });

    let run = move |ids: Vec<u32>| {
        if ids.is_empty() {
            return;
        }
        running.set(true);
        cancel.set(false);
        progress.set((0, ids.len()));
        spawn_local(async move {
            let Some(cfg) = config.try_get_value() else {
                return;
            };
            let mut sent = Vec::new();
            for batch in ids.chunks(BATCH) {
                // A disposed flag means the page was left: stop sending.
                if cancel.try_get_untracked().unwrap_or(true) {
                    break;
                }
                let answer = api.set_config_multi(batch.to_vec(), cfg.clone()).await;
                results.try_update(|rs| match answer {
                    Ok(rows) => {
                        for r in rows {
                            let outcome = if r.ok {
                                Outcome::Ok
                            } else {
                                Outcome::Failed {
                                    code: r.code.map(s::grpc_code).unwrap_or_default(),
                                    message: r.message.unwrap_or_default(),
                                }
                            };
                            rs.insert(
                                r.device_id,
                                ResultRow {
                                    outcome,
                                    reread: None,
                                },
                            );
                        }
                    }
                    Err(e) => {
                        for &id in batch {
                            rs.insert(
                                id,
                                ResultRow {
                                    outcome: Outcome::Failed {
                                        code: e.rpc_code().map(s::relay_code).unwrap_or_default(),
                                        message: e.message(),
                                    },
                                    reread: None,
                                },
                            );
                        }
                    }
                });
                sent.extend_from_slice(batch);
                progress.try_update(|p| p.0 = sent.len());
            }
            results.try_update(|rs| {
                for id in ids.iter().filter(|id| !sent.contains(id)) {
                    rs.insert(
                        *id,
                        ResultRow {
                            outcome: Outcome::NotSent,
                            reread: None,
                        },
                    );
                }
            });
            running.try_set(false);
            // Re-read what was sent: the table shows what the devices hold now.
            rereading.try_set(true);
            let reads = read_configs(api, &sent).await;
            results.try_update(|rs| {
                for (id, read) in reads {
                    if let Some(row) = rs.get_mut(&id) {
                        row.reread = Some(match read {
                            Ok(held) => {
                                let d = config_diff(&held, &cfg);
                                if d.is_empty() {
                                    Reread::Matches
                                } else {
                                    Reread::Differs(d)
                                }
                            }
                            Err(e) => Reread::Failed(e.message()),
                        });
                    }
                }
            });
            rereading.try_set(false);
        });
    };

    let to_apply = Memo::new(move |_| {
        previews.with(|p| {
            p.as_ref()
                .map(|rows| {
                    rows.iter()
                        .filter(|(_, pv)| matches!(pv, Preview::Changes(_)))
                        .map(|(id, _)| *id)
                        .collect::<Vec<u32>>()
                })
                .unwrap_or_default()
        })
    });
    let retry_ids = Memo::new(move |_| results.with(|rs| order.with_value(|o| failed_ids(rs, o))));

    let preview_table = move || {
        previews.get().map(|rows| {
            let body = rows
                .into_iter()
                .map(|(id, pv)| {
                    let (state, detail) = match pv {
                        Preview::Changes(ch) => ("changes", view! { <DiffTable changes=ch schedules=None /> }.into_any()),
                        Preview::Same => ("same", view! { <span class="muted">{s::SAME}</span> }.into_any()),
                        Preview::Cannot(why) => ("cannot", view! { <span class="warning">{why}</span> }.into_any()),
                    };
                    view! {
                        <tr data-testid="preview-row" data-device-id=id.to_string() data-state=state>
                            <th scope="row" class="mono">{id}</th>
                            <td>{detail}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="data-table" data-testid="preview-table">
                    <thead>
                        <tr>
                            <th scope="col">{s::COL_DEVICE}</th>
                            <th scope="col">{s::COL_CHANGES}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            }
        })
    };

    let result_rows = move || {
        let rs = results.get();
        order
            .with_value(|o| {
                o.iter()
                    .filter_map(|id| rs.get(id).map(|r| (*id, r.clone())))
                    .collect::<Vec<_>>()
            })
            .into_iter()
            .map(|(id, r)| {
                let (state, label, code, message) = match r.outcome {
                    Outcome::Ok => ("ok", s::OK, String::new(), String::new()),
                    Outcome::Failed { code, message } => ("failed", s::FAILED, code, message),
                    Outcome::NotSent => ("notSent", s::NOT_SENT, String::new(), String::new()),
                };
                let (reread_state, reread) = match r.reread {
                    None => ("", view! { <span></span> }.into_any()),
                    Some(Reread::Matches) => {
                        ("matches", view! { <span>{s::MATCHES}</span> }.into_any())
                    }
                    Some(Reread::Differs(ch)) => {
                        let fields = ch
                            .iter()
                            .map(|c| es::field_name(c.field))
                            .collect::<Vec<_>>()
                            .join(", ");
                        (
                            "differs",
                            view! { <span class="warning">{s::STILL_DIFFERS}": "{fields}</span> }
                                .into_any(),
                        )
                    }
                    Some(Reread::Failed(m)) => (
                        "failed",
                        view! { <span class="warning">{s::REREAD_FAILED}": "{m}</span> }.into_any(),
                    ),
                };
                view! {
                    <tr
                        data-testid="result-row"
                        data-device-id=id.to_string()
                        data-state=state
                        data-reread=reread_state
                        class:result-failed=state != "ok"
                    >
                        <th scope="row" class="mono">{id}</th>
                        <td data-testid="result-state">{label}</td>
                        <td data-testid="result-code" class="mono">{code}</td>
                        <td data-testid="result-message">{message}</td>
                        <td data-testid="result-reread">{reread}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let summary = move || {
        results.with(|rs| {
            let ok = rs.values().filter(|r| r.outcome == Outcome::Ok).count();
            let failed = rs
                .values()
                .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
                .count();
            let not_sent = rs
                .values()
                .filter(|r| r.outcome == Outcome::NotSent)
                .count();
            s::summary(ok, failed, not_sent)
        })
    };

    view! {
        <section class="card" data-testid="bulk-flow">
            <h2>{s::PREVIEW_TITLE}</h2>
            {move || previews.with(Option::is_none).then(|| view! { <p class="loading" aria-busy="true">{s::PREVIEWING}</p> })}
            {preview_table}
            {move || (previews.with(Option::is_some) && to_apply.with(Vec::is_empty))
                .then(|| view! { <p class="muted" data-testid="apply-none">{s::APPLY_NONE}</p> })}
            <div class="toolbar">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="bulk-apply"
                    disabled=move || running.get() || rereading.get() || to_apply.with(Vec::is_empty) || results.with(|r| !r.is_empty())
                    on:click=move |_| run(to_apply.get_untracked())
                >
                    {move || s::apply(to_apply.with(Vec::len))}
                </button>
                <button
                    type="button"
                    class="btn"
                    data-testid="bulk-cancel"
                    disabled=move || !running.get() || cancel.get()
                    on:click=move |_| cancel.set(true)
                >
                    {move || if cancel.get() && running.get() { s::CANCELLING } else { s::CANCEL }}
                </button>
            </div>
            {move || {
                let (done, total) = progress.get();
                (total > 0).then(|| view! {
                    <div data-testid="bulk-progress-box">
                        <progress class="progress" data-testid="bulk-progress" max=total.to_string() value=done.to_string()></progress>
                        <span class="muted" data-testid="bulk-progress-text" data-done=done.to_string() data-total=total.to_string()>
                            {if running.get() { format!("{} · {}", s::APPLYING, s::progress(done, total)) } else { s::progress(done, total) }}
                        </span>
                    </div>
                })
            }}
            {move || (!results.with(BTreeMap::is_empty)).then(|| view! {
                <h2>{s::RESULTS_TITLE}</h2>
                <p data-testid="result-summary">{summary}</p>
                {move || rereading.get().then(|| view! { <p class="loading" data-testid="rereading">{s::REREADING}</p> })}
                <table class="data-table" data-testid="result-table">
                    <thead>
                        <tr>
                            <th scope="col">{s::COL_DEVICE}</th>
                            <th scope="col">{s::COL_RESULT}</th>
                            <th scope="col" colspan="2">{s::COL_DETAIL}</th>
                            <th scope="col">{s::COL_AFTER}</th>
                        </tr>
                    </thead>
                    <tbody>{result_rows}</tbody>
                </table>
                <button
                    type="button"
                    class="btn"
                    data-testid="retry-failed"
                    disabled=move || running.get() || rereading.get() || retry_ids.with(Vec::is_empty)
                    on:click=move |_| run(retry_ids.get_untracked())
                >
                    {s::RETRY_FAILED}
                </button>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tna_types::TnaMode;

    fn dev(id: u32, ty: &str, tna: bool, status: ConnectionStatus) -> Device {
        Device {
            device_id: id,
            site: None,
            device_type: ty.into(),
            address: format!("10.0.0.{id}:51211"),
            status,
            status_detail: None,
            tna_supported: tna,
            job_code_supported: false,
            has_keypad: Some(false),
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
