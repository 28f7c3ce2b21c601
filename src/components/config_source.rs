//! Where a T&A config comes from besides a device: a JSON file the user picks (read with one
//! size limit, validated, shown as a diff) or the editor's unsaved draft offered to Bulk.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::limits::MAX_FRAME_BYTES;
use tna_types::validate::FieldError;
use tna_types::{
    ConfigFile, ExportedFrom, FieldChange, Schedule, TnaConfig, config_diff, validate_config,
};
use wasm_bindgen::JsCast;

use crate::components::schedule_name;
use crate::strings::editor as s;

/// The editor's current draft, shared with the bulk page (provided by the app root).
#[derive(Clone, Copy)]
pub struct DraftSlot(pub RwSignal<Option<(u32, TnaConfig)>>);

/// What an imported file turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Imported {
    /// Unusable: why (a sentence) and, for a config that breaks rules, the field errors.
    Bad(String, Vec<FieldError>),
    /// A valid config, how it differs from the device's, and the device the file was exported
    /// from when it says so.
    Ready(Box<TnaConfig>, Vec<FieldChange>, Option<ExportedFrom>),
}

/// Checks an imported file's text: a [`ConfigFile`] (an export, or a bare `TnaConfig`) in JSON
/// whose config passes validation against the device's schedules (`None` when they are not
/// known).
pub fn check_import(text: &str, current: &TnaConfig, schedule_ids: Option<&[u32]>) -> Imported {
    let ConfigFile { device, config } = match ConfigFile::parse(text) {
        Ok(c) => c,
        Err(e) => return Imported::Bad(s::import_parse(&e.to_string()), Vec::new()),
    };
    if let Err(errors) = validate_config(&config, schedule_ids) {
        let first = errors
            .first()
            .map(|e| format!("{}: {}", e.field, super::field_error_text(e)))
            .unwrap_or_default();
        return Imported::Bad(first, errors);
    }
    let diff = config_diff(current, &config);
    Imported::Ready(Box::new(config), diff, device)
}

/// The two values of a change as people read them (schedules by name).
pub fn change_texts(c: &FieldChange, schedules: Option<&[Schedule]>) -> (String, String) {
    match c.field {
        tna_types::ConfigField::Schedule(_) => {
            let name = |v: &str| schedule_name(v.parse().unwrap_or(0), schedules);
            (name(&c.before), name(&c.after))
        }
        _ => (c.before.clone(), c.after.clone()),
    }
}

/// A table of changes (`data-testid="diff-row"` per field).
#[component]
pub fn DiffTable(changes: Vec<FieldChange>, schedules: Option<Vec<Schedule>>) -> impl IntoView {
    let rows = changes
        .into_iter()
        .map(|c| {
            let (before, after) = change_texts(&c, schedules.as_deref());
            view! {
                <tr data-testid="diff-row" data-field=c.field.path()>
                    <th scope="row">{s::field_name(c.field)}</th>
                    <td class="diff-before">{before}</td>
                    <td class="diff-after">{after}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data-table diff-table" data-testid="diff-table">
            <thead>
                <tr>
                    <th scope="col">{s::COL_FIELD()}</th>
                    <th scope="col">{s::COL_BEFORE()}</th>
                    <th scope="col">{s::COL_AFTER()}</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Reads the file picked in the `<input type="file">` of `ev` as text and gives it to `done`,
/// or why it cannot be read (too large for one frame to the relay, not text). The input is
/// cleared so the same file can be picked again; nothing happens when no file was picked.
pub fn read_picked_file(ev: &web_sys::Event, done: impl FnOnce(Result<String, String>) + 'static) {
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
    if file.size() > MAX_FRAME_BYTES as f64 {
        done(Err(s::import_read(s::IMPORT_TOO_LARGE())));
        return;
    }
    spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        done(match text.map(|v| v.as_string()) {
            Ok(Some(text)) => Ok(text),
            Ok(None) => Err(s::import_read(s::IMPORT_NOT_TEXT())),
            Err(e) => Err(s::import_read(&e.as_string().unwrap_or_default())),
        });
    });
}
