//! Files the console makes and offers for download (CSV exports, a device's config as JSON): the
//! text goes into a `Blob`, the browser gets an object URL for it and a click on a detached
//! `<a download>` starts the download. The URL is revoked a minute later, when the browser has
//! long taken the file.

use std::time::Duration;

use leptos::prelude::set_timeout;
use wasm_bindgen::{JsCast, JsValue};

/// The MIME type of a CSV file.
pub const CSV: &str = "text/csv;charset=utf-8";
/// The MIME type of a JSON file.
pub const JSON: &str = "application/json";
/// The byte-order mark that makes spreadsheets read a CSV file as UTF-8.
const BOM: &str = "\u{feff}";
/// How long the object URL stays valid after the click.
const REVOKE_AFTER: Duration = Duration::from_secs(60);

/// Offers `text` as a download named `name` of type `mime`.
pub fn offer_download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    offer_parts(name, mime, &js_sys::Array::of1(&JsValue::from_str(text)))
}

/// Offers `text` as a UTF-8 CSV file named `name` (with a BOM).
pub fn offer_csv(name: &str, text: &str) -> Result<(), String> {
    let file = CsvFile::new();
    file.push(text);
    file.offer(name)
}

/// A CSV file made in chunks: each chunk is handed to the browser as it is made, so a large
/// export never needs one string of the whole file.
pub struct CsvFile {
    parts: js_sys::Array,
}

impl CsvFile {
    /// An empty file (the BOM only).
    pub fn new() -> Self {
        let parts = js_sys::Array::new();
        parts.push(&JsValue::from_str(BOM));
        Self { parts }
    }

    /// Appends `text` (whole CSV lines).
    pub fn push(&self, text: &str) {
        self.parts.push(&JsValue::from_str(text));
    }

    /// Offers the file as a download named `name`.
    pub fn offer(&self, name: &str) -> Result<(), String> {
        offer_parts(name, CSV, &self.parts)
    }
}

impl Default for CsvFile {
    fn default() -> Self {
        Self::new()
    }
}

/// Offers the concatenation of `parts` (JS strings) as a download.
fn offer_parts(name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), String> {
    click_download(name, mime, parts).map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

fn click_download(name: &str, mime: &str, parts: &js_sys::Array) -> Result<(), JsValue> {
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        REVOKE_AFTER,
    );
    Ok(())
}
