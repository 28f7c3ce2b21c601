//! The T&A section of the device page: the read-only view, the editor (validated with
//! `tna_types::validate_config` on every change, errors next to their field), Save with the
//! re-read result, export to a JSON file and import from one (validated and shown as a diff
//! before it reaches the editor; nothing is written until Save).

use leptos::prelude::*;
use tna_types::limits::{MAX_TNA_LABEL_BYTES, SCHEDULE_ALWAYS};
use tna_types::{ConfigFile, ExportedFrom, Schedule, TnaConfig, TnaKey, TnaMode, validate_config};

use crate::api::use_api;
use crate::components::tna_config::mode_key;
use crate::components::unsaved::set_unsaved;
use crate::components::{
    DiffTable, DraftSlot, ErrorBanner, FieldErrorText, Imported, TnaConfigView, check_import,
    field_error_text, may, read_picked_file, schedule_name,
};
use crate::download;
use crate::strings::{device as ds, editor as s};

/// The T&A section of a T&A device: view, edit, export, import.
#[component]
pub fn TnaSection(
    /// The device as exports name it (ID, name, location, product).
    about: ExportedFrom,
    config: TnaConfig,
    schedules: Option<Vec<Schedule>>,
    has_keypad: Option<bool>,
) -> impl IntoView {
    let device_id = about.device_id;
    let about = StoredValue::new(about);
    let current = RwSignal::new(config.clone());
    let draft = RwSignal::new(config);
    let editing = RwSignal::new(false);
    let saved_note = RwSignal::new(false);
    let imported = RwSignal::new(None::<Imported>);
    let schedules = StoredValue::new(schedules);
    let schedule_ids = move || {
        schedules.with_value(|l| {
            l.as_ref()
                .map(|l| l.iter().map(|s| s.id).collect::<Vec<u32>>())
        })
    };

    let start_edit = move |_| {
        draft.set(current.get_untracked());
        saved_note.set(false);
        editing.set(true);
    };
    let export = move |_| {
        let file = ConfigFile {
            device: Some(about.get_value()),
            config: current.get_untracked(),
        };
        let text = serde_json::to_string_pretty(&file).unwrap_or_default();
        let _ = download::offer_download(&s::export_name(device_id), download::JSON, &text);
    };
    let on_file = move |ev: web_sys::Event| {
        saved_note.set(false);
        read_picked_file(&ev, move |text| {
            let result = match text {
                Ok(text) => {
                    let base = if editing.get_untracked() {
                        draft.get_untracked()
                    } else {
                        current.get_untracked()
                    };
                    check_import(&text, &base, schedule_ids().as_deref())
                }
                Err(why) => Imported::Bad(why, Vec::new()),
            };
            imported.try_set(Some(result));
        });
    };
    let apply_import = move |_| {
        if let Some(Imported::Ready(cfg, ..)) = imported.get_untracked() {
            if !editing.get_untracked() {
                draft.set(current.get_untracked());
            }
            draft.set(*cfg);
            editing.set(true);
        }
        imported.set(None);
    };

    let import_panel = move || {
        imported.get().map(|imp| {
            let body = match imp {
                Imported::Bad(message, errors) => {
                    let list = errors
                        .into_iter()
                        .map(|e| view! { <li data-field=e.field.clone()>{e.field.clone()}": "{field_error_text(&e)}</li> })
                        .collect_view();
                    view! {
                        <div class="error-banner" role="alert" data-testid="import-error">
                            <p class="error-title">{s::IMPORT_BAD()}</p>
                            <p class="error-message">{message}</p>
                            <ul>{list}</ul>
                        </div>
                    }
                    .into_any()
                }
                Imported::Ready(_, changes, from) if changes.is_empty() => view! {
                    {from_line(from)}
                    <p data-testid="import-same">{s::IMPORT_SAME()}</p>
                }
                .into_any(),
                Imported::Ready(_, changes, from) => view! {
                    {from_line(from)}
                    <p>{s::IMPORT_DIFF()}</p>
                    <DiffTable changes=changes schedules=schedules.get_value() />
                    <button type="button" class="btn btn-primary" data-testid="import-apply" on:click=apply_import>
                        {s::IMPORT_APPLY()}
                    </button>
                }
                .into_any(),
            };
            view! {
                <section class="card import-panel" data-testid="import-panel">
                    <h3>{s::IMPORT_TITLE()}</h3>
                    {body}
                    <button type="button" class="btn" data-testid="import-discard" on:click=move |_| imported.set(None)>
                        {s::IMPORT_DISCARD()}
                    </button>
                </section>
            }
        })
    };

    let on_saved = Callback::new(move |reread: TnaConfig| {
        current.set(reread.clone());
        draft.set(reread);
        editing.set(false);
        saved_note.set(true);
    });
    let on_cancel = Callback::new(move |()| {
        draft.set(current.get_untracked());
        editing.set(false);
    });

    // Edit and Import lead to a write: absent for a role that may not make it.
    let may_write = may("tna.setConfig");
    view! {
        <div class="toolbar tna-toolbar" data-testid="tna-toolbar">
            {may_write.then(|| view! {
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="edit-config"
                    disabled=move || editing.get()
                    on:click=start_edit
                >
                    {s::EDIT()}
                </button>
            })}
            <button type="button" class="btn" data-testid="export-config" on:click=export>
                {s::EXPORT()}
            </button>
            {may_write.then(|| view! {
                <label class="btn file-btn">
                    {s::IMPORT()}
                    <input
                        type="file"
                        accept=".json,application/json"
                        class="visually-hidden"
                        data-testid="import-file"
                        on:change=on_file
                    />
                </label>
            })}
        </div>
        {import_panel}
        {move || saved_note.get().then(|| view! {
            <p class="ok-note" role="status" data-testid="save-ok">{s::SAVED()}</p>
        })}
        {move || {
            if editing.get() {
                view! {
                    <TnaConfigEditor
                        device_id=device_id
                        current=current
                        draft=draft
                        schedules=schedules.get_value()
                        has_keypad=has_keypad
                        on_saved=on_saved
                        on_cancel=on_cancel
                    />
                }
                .into_any()
            } else {
                view! { <TnaConfigView config=current.get() schedules=schedules.get_value() /> }.into_any()
            }
        }}
    }
}

/// The schedule choices of a key: none, Always, the device's schedules, and the key's current
/// schedule if the device does not list it.
fn schedule_options(current: u32, schedules: Option<&[Schedule]>) -> Vec<(u32, String)> {
    let mut out = vec![
        (0, schedule_name(0, schedules)),
        (SCHEDULE_ALWAYS, schedule_name(SCHEDULE_ALWAYS, schedules)),
    ];
    for sch in schedules.unwrap_or_default() {
        if sch.id > SCHEDULE_ALWAYS {
            out.push((sch.id, schedule_name(sch.id, schedules)));
        }
    }
    if !out.iter().any(|(id, _)| *id == current) {
        out.push((current, schedule_name(current, schedules)));
    }
    out
}

/// The editor of the whole config.
#[component]
fn TnaConfigEditor(
    device_id: u32,
    current: RwSignal<TnaConfig>,
    draft: RwSignal<TnaConfig>,
    schedules: Option<Vec<Schedule>>,
    has_keypad: Option<bool>,
    on_saved: Callback<TnaConfig>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let api = use_api();
    let ids: Option<Vec<u32>> = schedules.as_ref().map(|l| l.iter().map(|s| s.id).collect());
    let errors = Memo::new(move |_| {
        draft.with(|d| validate_config(d, ids.as_deref()).err().unwrap_or_default())
    });
    let dirty = Memo::new(move |_| draft.with(|d| current.with(|c| d != c)));
    // Save: `tna.setConfig`, which answers with the re-read config.
    let save_action =
        Action::new_local(move |cfg: &TnaConfig| api.set_config(device_id, cfg.clone()));
    let saving = save_action.pending();
    let save_error = Memo::new(move |_| {
        save_action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    });
    Effect::new(move |_| {
        if let Some(Ok(reread)) = save_action.value().get() {
            on_saved.run(reread);
        }
    });

    Effect::new(move |_| set_unsaved(dirty.get(), s::UNSAVED_PROMPT()));
    // The bulk page can apply the draft ("the editor's current draft").
    if let Some(slot) = use_context::<DraftSlot>() {
        Effect::new(move |_| {
            if dirty.get() {
                slot.0.set(Some((device_id, draft.get())));
            }
        });
    }
    on_cleanup(|| set_unsaved(false, s::UNSAVED_PROMPT()));

    let save = move |_| {
        save_action.dispatch(draft.get_untracked());
    };

    let no_keypad = has_keypad == Some(false);
    let modes = TnaMode::ALL
        .into_iter()
        .map(|mode| {
            let blocked = no_keypad && mode.needs_keypad();
            view! {
                <label class="mode-option" data-testid="mode-option" data-mode=mode_key(mode) class:disabled=blocked>
                    <input
                        type="radio"
                        name="tna-mode"
                        data-testid=format!("mode-{}", mode_key(mode))
                        value=mode_key(mode)
                        disabled=blocked
                        prop:checked=move || draft.with(|d| d.mode == mode)
                        on:change=move |_| {
                            draft.update(|d| {
                                d.mode = mode;
                                if !mode.allows_required() {
                                    d.is_required = false;
                                }
                            })
                        }
                    />
                    <span class="mode-name">{ds::mode_name(mode)}</span>
                    <span class="mode-explanation muted">{ds::mode_explanation(mode)}</span>
                    {blocked.then(|| view! { <span class="muted note" data-testid="mode-blocked">{s::NO_KEYPAD()}</span> })}
                </label>
            }
        })
        .collect_view();

    let key_options = TnaKey::all()
        .map(|k| {
            let n = k.number();
            view! {
                <option value=n.to_string() prop:selected=move || draft.with(|d| d.key == Some(k))>
                    {k.to_string()}
                </option>
            }
        })
        .collect_view();

    let sched_list = StoredValue::new(schedules);
    let rows = TnaKey::all()
        .map(|key| {
            let i = key.index();
            let name = key.to_string();
            let label_path = format!("labels[{i}]");
            let options = sched_list.with_value(|l| {
                schedule_options(draft.with_untracked(|d| d.schedules[i]), l.as_deref())
            });
            let options = options
                .into_iter()
                .map(|(id, text)| {
                    view! {
                        <option value=id.to_string() prop:selected=move || draft.with(|d| d.schedules[i] == id)>
                            {text}
                        </option>
                    }
                })
                .collect_view();
            let bytes = move || draft.with(|d| d.labels[i].len());
            let over = Memo::new(move |_| bytes() > MAX_TNA_LABEL_BYTES);
            view! {
                <tr data-testid="edit-row" data-key=key.number().to_string()>
                    <th scope="row" class="key-name">{name.clone()}</th>
                    <td>
                        <input
                            class="input"
                            type="text"
                            data-testid="edit-label"
                            data-key=key.number().to_string()
                            aria-label=s::label_for(&name)
                            prop:value=move || draft.with(|d| d.labels[i].clone())
                            on:input=move |ev| draft.update(|d| d.labels[i] = event_target_value(&ev))
                        />
                        <span
                            class="byte-count muted"
                            data-testid="label-bytes"
                            class:over=over
                        >
                            {move || s::label_bytes(bytes(), MAX_TNA_LABEL_BYTES)}
                        </span>
                        <FieldErrorText errors field=label_path />
                    </td>
                    <td>
                        <select
                            class="input"
                            data-testid="edit-schedule"
                            data-key=key.number().to_string()
                            aria-label=s::schedule_for(&name)
                            on:change=move |ev| {
                                let v = event_target_value(&ev).parse().unwrap_or(0);
                                draft.update(|d| d.schedules[i] = v);
                            }
                        >
                            {options}
                        </select>
                        <FieldErrorText errors field=format!("schedules[{i}]") />
                    </td>
                </tr>
            }
        })
        .collect_view();

    let status = move || {
        if !errors.with(Vec::is_empty) {
            s::INVALID()
        } else if !dirty.get() {
            s::UNCHANGED()
        } else {
            ""
        }
    };

    view! {
        <section class="card tna-editor" data-testid="tna-editor" aria-labelledby="tna-editor-title">
            <h2 id="tna-editor-title">{s::TITLE()}</h2>
            <fieldset class="modes">
                <legend>{s::MODE()}</legend>
                {modes}
                <FieldErrorText errors field="mode" />
            </fieldset>
            <div class="field">
                <label for="fixed-key">{s::FIXED_KEY()}</label>
                <select
                    id="fixed-key"
                    class="input"
                    data-testid="edit-fixed-key"
                    disabled=move || draft.with(|d| d.mode != TnaMode::Fixed)
                    on:change=move |ev| {
                        let key = event_target_value(&ev).parse::<u8>().ok().and_then(|n| TnaKey::new(n).ok());
                        draft.update(|d| d.key = key);
                    }
                >
                    <option value="" prop:selected=move || draft.with(|d| d.key.is_none())>{s::FIXED_KEY_NONE()}</option>
                    {key_options}
                </select>
                {move || draft.with(|d| d.mode != TnaMode::Fixed).then(|| view! { <span class="muted note">{s::FIXED_KEY_ONLY_FIXED()}</span> })}
                <FieldErrorText errors field="key" />
            </div>
            <div class="field">
                <label>
                    <input
                        type="checkbox"
                        data-testid="edit-required"
                        disabled=move || draft.with(|d| !d.mode.allows_required() && !d.is_required)
                        prop:checked=move || draft.with(|d| d.is_required)
                        on:change=move |ev| draft.update(|d| d.is_required = event_target_checked(&ev))
                    />
                    " "{s::REQUIRED()}
                </label>
                {move || draft.with(|d| !d.mode.allows_required()).then(|| view! { <span class="muted note">{s::REQUIRED_ONLY_BY_USER()}</span> })}
                <FieldErrorText errors field="isRequired" />
            </div>
            <FieldErrorText errors field="schedules" />
            <div class="table-wrap">
                <table class="data-table keys-table" data-testid="edit-table">
                    <caption class="visually-hidden">{ds::KEYS_CAPTION()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ds::COL_KEY()}</th>
                            <th scope="col">{ds::COL_LABEL()}</th>
                            <th scope="col">{ds::COL_SCHEDULE()}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {move || save_error.get().map(|e| view! { <ErrorBanner title=s::SAVE_FAILED() error=e /> })}
            <div class="toolbar editor-actions">
                <button
                    type="button"
                    class="btn btn-primary"
                    data-testid="editor-save"
                    disabled=move || saving.get() || !dirty.get() || !errors.with(Vec::is_empty)
                    on:click=save
                >
                    {move || if saving.get() { s::SAVING() } else { s::SAVE() }}
                </button>
                <button type="button" class="btn" data-testid="editor-cancel" on:click=move |_| on_cancel.run(())>
                    {s::CANCEL()}
                </button>
                <span class="muted" data-testid="editor-status">{status}</span>
            </div>
        </section>
    }
}

/// The device an imported file says it came from, as a line above the diff.
fn from_line(from: Option<ExportedFrom>) -> Option<impl IntoView> {
    from.map(|f| view! { <p class="muted" data-testid="import-from">{s::import_from(&f)}</p> })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_checks_shape_rules_and_diff() {
        let current = TnaConfig::default();
        match check_import("{not json", &current, None) {
            Imported::Bad(msg, errs) => {
                assert!(msg.contains("not a T&A configuration"), "{msg}");
                assert!(errs.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let mut fixed = serde_json::to_value(&current).unwrap();
        fixed["mode"] = "fixed".into();
        match check_import(&fixed.to_string(), &current, None) {
            Imported::Bad(_, errs) => assert_eq!(errs[0].field, "key"),
            other => panic!("{other:?}"),
        }
        let mut sched = serde_json::to_value(&current).unwrap();
        sched["schedules"][2] = 9.into();
        assert!(matches!(
            check_import(&sched.to_string(), &current, Some(&[1, 2])),
            Imported::Bad(..)
        ));
        let mut good = current.clone();
        good.labels[0] = "In".into();
        let text = serde_json::to_string(&good).unwrap();
        match check_import(&text, &current, Some(&[1])) {
            Imported::Ready(cfg, diff, from) => {
                assert_eq!(*cfg, good);
                assert_eq!(diff.len(), 1);
                assert_eq!(diff[0].field.path(), "labels[0]");
                assert_eq!(from, None, "a bare config names no device");
            }
            other => panic!("{other:?}"),
        }
        // An export names its device; the config inside is what is checked and loaded.
        let about = ExportedFrom {
            device_id: 540_000_001,
            name: Some("Dock 2".into()),
            location: Some("Warehouse".into()),
            product: "BioStation A2".into(),
        };
        let export = ConfigFile {
            device: Some(about.clone()),
            config: good.clone(),
        };
        let text = serde_json::to_string(&export).unwrap();
        match check_import(&text, &current, Some(&[1])) {
            Imported::Ready(cfg, diff, from) => {
                assert_eq!(*cfg, good);
                assert_eq!(diff.len(), 1);
                assert_eq!(
                    from.as_ref().map(s::import_from).as_deref(),
                    Some("Exported from Dock 2 (540000001), BioStation A2, Warehouse")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn schedule_choices_keep_unknown_current_value() {
        let list = vec![
            Schedule {
                id: 1,
                name: "Always".into(),
            },
            Schedule {
                id: 4,
                name: "Night".into(),
            },
        ];
        let ids: Vec<u32> = schedule_options(0, Some(&list))
            .iter()
            .map(|o| o.0)
            .collect();
        assert_eq!(ids, [0, 1, 4]);
        let ids: Vec<u32> = schedule_options(9, Some(&list))
            .iter()
            .map(|o| o.0)
            .collect();
        assert_eq!(ids, [0, 1, 4, 9]);
    }
}
