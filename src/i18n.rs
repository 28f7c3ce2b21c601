//! The console's languages: English (built in) and Korean (`i18n/ko.json`, loaded only when
//! chosen, so an English console carries no second catalog).
//!
//! Every user-visible string is a function in [`crate::strings`] that passes its English text
//! through [`tr`]; texts with values go through [`trf!`] (a template with named `{placeholders}`
//! filled after translation, so a language may order them its own way). The English text is the
//! key of the catalog. A test checks that the catalog has every key and nothing else, with the
//! same placeholders.
//!
//! The language is chosen once, before the app mounts (the header's switch and the kiosk's
//! setting save it and reload): the one saved in this browser, else the first of the browser's
//! languages that the console speaks, else English. Numbers and plural forms follow it through
//! the browser's `Intl`; `<html lang>` says it (screen readers, axe).

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// Every language, in the switch's order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// The BCP 47 tag (`<html lang>`, `Intl`, the stored choice).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    /// The language's own name, as the switch shows it (never translated).
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ko => "한국어",
        }
    }

    /// The language of a tag such as `ko-KR` or `en-GB`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The first of `preferred` (the browser's languages, best first) that the console speaks.
    pub fn pick<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or(Lang::En)
    }
}

/// Where the choice of language is kept in the browser.
pub const KEY_LANG: &str = "tna-console.lang";
/// The Korean catalog, relative to the bundle's public URL (Trunk copies `i18n/`).
pub const CATALOG_DIR: &str = "i18n/";

static LANG: OnceLock<Lang> = OnceLock::new();
static CATALOG: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();

/// The language in use.
pub fn lang() -> Lang {
    LANG.get().copied().unwrap_or(Lang::En)
}

/// `en` in the language in use (English when the catalog lacks it).
pub fn tr(en: &'static str) -> &'static str {
    CATALOG.get().and_then(|c| c.get(en).copied()).unwrap_or(en)
}

/// `template` with each `{name}` replaced by its value (`{{`/`}}` stay braces).
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) {
            let name = &tail[1..end];
            match values.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => out.push_str(v),
                None => out.push_str(&tail[..=end]),
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Translates a template and fills its placeholders: `trf!("Sync of {n} devices", n)` or
/// `trf!("Write to {devices}", devices = devices_count(n))`. Values are `Display`.
#[macro_export]
macro_rules! trf {
    ($template:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::tr($template),
            &[$((stringify!($name), $crate::trf!(@value $name $(= $value)?).to_string())),*],
        )
    };
    (@value $name:ident = $value:expr) => { $value };
    (@value $name:ident) => { $name };
}

/// `n` as the language writes numbers ("12,345").
pub fn number(n: usize) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let format = js_sys::Intl::NumberFormat::new(
            &js_sys::Array::of1(&lang().tag().into()),
            &js_sys::Object::new(),
        );
        let f: js_sys::Function = format.format();
        if let Some(s) = f
            .call1(&format, &(n as f64).into())
            .ok()
            .and_then(|v| v.as_string())
        {
            return s;
        }
    }
    grouped(n)
}

/// `n` with a comma every three digits (outside a browser, and the fallback).
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether `n` takes the singular form in the language in use (`Intl.PluralRules`; English's
/// rule outside a browser).
fn is_one(n: u64) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let rules = js_sys::Intl::PluralRules::new(
            &js_sys::Array::of1(&lang().tag().into()),
            &js_sys::Object::new(),
        );
        rules.select(n as f64).as_string().as_deref() == Some("one")
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        n == 1
    }
}

/// "1 device" / "52 devices": `one` or `other` (translated; `{n}` is the number) by the
/// language's plural rules. Korean has one form: its catalog words `other`.
pub fn plural(n: impl TryInto<u64>, one: &'static str, other: &'static str) -> String {
    let count = n.try_into().unwrap_or(u64::MAX);
    let template = if is_one(count) { tr(one) } else { tr(other) };
    fill(
        template,
        &[("n", number(usize::try_from(count).unwrap_or(usize::MAX)))],
    )
}

/// The browser's choice: the stored one, else its languages.
fn browser_choice() -> Lang {
    let Some(window) = web_sys::window() else {
        return Lang::En;
    };
    let stored = crate::stored::get(KEY_LANG).and_then(|v| Lang::from_tag(&v));
    if let Some(l) = stored {
        return l;
    }
    let languages: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    Lang::pick(languages.iter().map(String::as_str))
}

/// Chooses the language and, for Korean, loads its catalog from `base` + [`CATALOG_DIR`]
/// (`/` for the console, `/kiosk/` for the kiosk). Call once, before mounting. A catalog that
/// cannot be loaded leaves the console in English.
pub async fn start(base: &str) {
    let mut chosen = browser_choice();
    if chosen != Lang::En {
        let url = format!("{base}{CATALOG_DIR}{}.json", chosen.tag());
        let loaded = crate::api::session::fetch_text(&url)
            .await
            .and_then(|text| catalog_of(&text));
        match loaded {
            Some(map) => {
                let _ = CATALOG.set(map);
            }
            None => chosen = Lang::En,
        }
    }
    let _ = LANG.set(chosen);
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", chosen.tag());
    }
}

/// A catalog file's texts (a JSON object of text → text), read by the browser's `JSON.parse`:
/// serde's reader of it was the last `HashMap<String, String>` decoder in both bundles. `None`
/// for anything else (the console then stays in English). The texts live as long as the page.
fn catalog_of(text: &str) -> Option<HashMap<&'static str, &'static str>> {
    use wasm_bindgen::JsCast;
    let parsed = js_sys::JSON::parse(text).ok()?;
    if js_sys::Array::is_array(&parsed) {
        return None;
    }
    let object: js_sys::Object = parsed.dyn_into().ok()?;
    js_sys::Object::entries(&object)
        .iter()
        .map(|entry| {
            let pair: js_sys::Array = entry.unchecked_into();
            let key = pair.get(0).as_string()?;
            let value = pair.get(1).as_string()?;
            Some((&*key.leak(), &*value.leak()))
        })
        .collect()
}

/// Keeps `lang` as this browser's choice and reloads into it.
pub fn switch_to(lang: Lang) {
    let Some(window) = web_sys::window() else {
        return;
    };
    crate::stored::set(KEY_LANG, lang.tag());
    let _ = window.location().reload();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_is_picked_from_the_browsers_list() {
        assert_eq!(Lang::pick(["ko-KR", "en-US"]), Lang::Ko);
        assert_eq!(Lang::pick(["fr-FR", "en-GB", "ko"]), Lang::En);
        assert_eq!(
            Lang::pick(["fr-FR", "de"]),
            Lang::En,
            "none spoken: English"
        );
        assert_eq!(Lang::pick(["KO_kr"]), Lang::Ko);
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn templates_are_filled_by_name_in_any_order() {
        let v = |a: &str, b: &str| vec![("a", a.to_string()), ("b", b.to_string())];
        assert_eq!(fill("{a} of {b}", &v("1", "2")), "1 of 2");
        assert_eq!(fill("{b}개 중 {a}", &v("1", "2")), "2개 중 1");
        assert_eq!(fill("{{a}} {c} {a", &v("1", "2")), "{a} {c} {a");
        assert_eq!(
            trf!("Write to {devices} ({n})", devices = "3 devices", n = 3),
            "Write to 3 devices (3)"
        );
        assert_eq!(number(1_234_567), "1,234,567");
        assert_eq!(plural(1u32, "1 device", "{n} devices"), "1 device");
        assert_eq!(
            plural(12_000usize, "1 device", "{n} devices"),
            "12,000 devices"
        );
    }

    /// The catalog check CI runs: every English text of `strings.rs` and every validation rule
    /// has a Korean one with the same placeholders, and the catalog has nothing else.
    #[test]
    fn the_korean_catalog_has_every_text_and_nothing_else() {
        let source = include_str!("strings.rs");
        let catalog: HashMap<String, String> =
            serde_json::from_str(include_str!("../i18n/ko.json")).expect("i18n/ko.json is JSON");
        let mut keys = catalog_keys(source);
        // The event names (generated from G-SDK's table) and the validation rules' sentences
        // (`tna_types::validate::Rule`), worded by the console.
        keys.extend(
            crate::logs::event_name_texts()
                .into_iter()
                .map(str::to_string),
        );
        keys.extend(
            tna_types::validate::Rule::examples()
                .iter()
                .map(|r| r.template().to_string()),
        );
        assert!(
            keys.len() > 500,
            "only {} texts found in strings.rs",
            keys.len()
        );
        let missing: Vec<&String> = keys.iter().filter(|k| !catalog.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "no Korean for {} texts: {missing:#?}",
            missing.len()
        );
        let extra: Vec<&String> = catalog.keys().filter(|k| !keys.contains(*k)).collect();
        assert!(
            extra.is_empty(),
            "Korean for texts that are gone: {extra:#?}"
        );
        for (en, ko) in &catalog {
            assert!(!ko.trim().is_empty(), "empty Korean for {en:?}");
            assert_eq!(
                placeholders(en),
                placeholders(ko),
                "placeholders differ: {en:?} → {ko:?}"
            );
        }
    }

    /// The English texts: the literal first argument of every `tr(…)`, `trf!(…)` and
    /// `plural(…)` in `source`, unescaped as Rust reads it.
    fn catalog_keys(source: &str) -> std::collections::BTreeSet<String> {
        let mut keys = std::collections::BTreeSet::new();
        for opener in ["tr(", "trf!(", "plural("] {
            let mut rest = source;
            while let Some(i) = rest.find(opener) {
                let before = rest[..i].chars().last();
                rest = &rest[i + opener.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // `str(`, `is_one(`…
                }
                // plural(n, "one", "other"): both literals after the count.
                let mut args = rest;
                loop {
                    let trimmed = args.trim_start();
                    let Some(lit) = trimmed.strip_prefix('"') else {
                        match trimmed.find([',', ')']) {
                            Some(j) if trimmed.as_bytes()[j] == b',' && opener == "plural(" => {
                                args = &trimmed[j + 1..];
                                continue;
                            }
                            _ => break,
                        }
                    };
                    let (text, after) = rust_literal(lit);
                    keys.insert(text);
                    let after = after.trim_start();
                    if opener == "plural("
                        && let Some(next) = after.strip_prefix(',')
                    {
                        args = next;
                        continue;
                    }
                    break;
                }
            }
        }
        keys
    }

    /// Reads a Rust string literal's body (after its opening quote): (text, what follows).
    fn rust_literal(body: &str) -> (String, &str) {
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (out, &body[i + 1..]),
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, '\n')) => {
                        // A line continuation: the next line's leading blanks are skipped.
                        let rest = chars.as_str();
                        let skip = rest.len() - rest.trim_start().len();
                        for _ in 0..rest[..skip].chars().count() {
                            chars.next();
                        }
                    }
                    Some((_, other)) => out.push(other),
                    None => {}
                },
                c => out.push(c),
            }
        }
        (out, "")
    }

    fn placeholders(text: &str) -> std::collections::BTreeSet<String> {
        let clean = text.replace("{{", "").replace("}}", "");
        let mut set = std::collections::BTreeSet::new();
        let mut rest = clean.as_str();
        while let Some(i) = rest.find('{') {
            let Some(end) = rest[i..].find('}') else {
                break;
            };
            set.insert(rest[i + 1..i + end].to_string());
            rest = &rest[i + end + 1..];
        }
        set
    }
}
