//! The kiosk's own language catalogs: `dist/kiosk/i18n/<lang>.json` keeps only the texts the
//! kiosk's code holds.
//!
//! Why: the catalog is the console's (the English text is the key, `src/i18n.rs`), some 600
//! texts, 14.7 kB brotli; a reception tablet in Korean fetched all of it before its first
//! paint, to show a few dozen. Which texts a bundle can show is written in its WASM: every key
//! reaches `tr` as a string literal, and a literal is stored as its UTF-8 bytes. So a key is
//! kept when its bytes occur in one of the kiosk's modules (the main one or a lazy one). A
//! text that only happens to occur inside another is kept too: that costs bytes, never a text.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::bundle_bytes::BundleBytes;

/// Keeps in every catalog of `dir`/i18n only the keys found in `dir`'s WASM modules.
pub fn trim_to_bundle(dir: &Path) -> Result<()> {
    let modules = BundleBytes::read(dir, &["wasm"])?;
    let catalogs = dir.join("i18n");
    for entry in
        std::fs::read_dir(&catalogs).with_context(|| format!("read {}", catalogs.display()))?
    {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
        let catalog: BTreeMap<String, String> = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a catalog (text → text)", path.display()))?;
        let before = catalog.len();
        let kept = texts_in(catalog, &modules);
        let json = serde_json::to_string(&kept)?;
        std::fs::write(&path, &json).with_context(|| format!("write {}", path.display()))?;
        println!(
            "  {}: {} of {before} texts, {} → {} bytes",
            path.display(),
            kept.len(),
            text.len(),
            json.len()
        );
    }
    Ok(())
}

/// The entries of `catalog` whose key occurs in one of `modules`.
fn texts_in(catalog: BTreeMap<String, String>, modules: &BundleBytes) -> BTreeMap<String, String> {
    catalog
        .into_iter()
        .filter(|(key, _)| modules.holds(key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_keeps_the_texts_a_module_holds() {
        let catalog: BTreeMap<String, String> = [
            ("Settings", "설정"),
            ("Who is in", "출근 현황"),
            ("Bulk apply", "일괄 적용"),
            ("{n} devices", "장치 {n}대"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let main = b"\0asm..Settings{n} devices..".to_vec();
        let lazy = b"\0asm..Who is in..".to_vec();
        let kept = texts_in(catalog, &BundleBytes::new(vec![main, lazy]));
        let keys: Vec<&str> = kept.keys().map(String::as_str).collect();
        assert_eq!(keys, ["Settings", "Who is in", "{n} devices"]);
        assert_eq!(kept["Who is in"], "출근 현황");
    }

    #[test]
    fn a_bundle_dir_gets_its_catalogs_trimmed_in_place() {
        let dir = std::env::temp_dir().join(format!("tna-catalog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("i18n")).unwrap();
        std::fs::write(dir.join("m-0123456789abcdef.wasm"), b"..Settings..").unwrap();
        std::fs::write(
            dir.join("i18n/ko.json"),
            r#"{"Settings":"설정","Bulk apply":"일괄 적용"}"#,
        )
        .unwrap();
        trim_to_bundle(&dir).unwrap();
        let after = std::fs::read_to_string(dir.join("i18n/ko.json")).unwrap();
        assert_eq!(after, r#"{"Settings":"설정"}"#);
        std::fs::write(dir.join("i18n/ko.json"), "[1]").unwrap();
        assert!(trim_to_bundle(&dir).is_err(), "not a catalog: an error");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
