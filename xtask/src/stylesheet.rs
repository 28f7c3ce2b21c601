//! The kiosk's own stylesheet: `dist/kiosk/main-*.css` keeps only the rules its markup can use.
//!
//! Why: both bundles are built from one stylesheet (`style/main.css`), most of which styles the
//! console's pages; the kiosk fetched all of it before its first paint. Which classes the kiosk
//! can put on an element is written in its code: every class reaches the DOM from a string
//! literal in its WASM (or its JS, or its page), stored as its bytes. So a selector is kept when
//! each class it requires occurs in the bundle — or a prefix of the class up to a `-` does, for
//! classes composed at run time (`kiosk-card-{direction}`). Classes inside parentheses
//! (`:not(.x)`, `:is(.a, .b)`) are not required, and neither are selectors without classes
//! (`body`, `:root`, `[hidden]`). Like the catalog (`catalog.rs`), it errs one way only: a rule
//! kept for nothing costs bytes, never a style.
//!
//! The stylesheet is Trunk's minified output: rules `selectors{declarations}`, conditional
//! blocks (`@media`, `@supports`, `@layer`, `@container`) holding rules, other at-rules
//! (`@keyframes`, `@font-face`) kept whole.

use std::path::Path;

use anyhow::{Context, Result, bail, ensure};

use crate::bundle_bytes::BundleBytes;
use crate::bundles::with_new_integrity;

/// At-rules whose block holds rules, trimmed like the top level.
const CONDITIONAL: [&str; 4] = ["@media", "@supports", "@layer", "@container"];

/// Trims the one stylesheet of `dir` (a bundle: its WASM, JS and `index.html`) to the rules the
/// bundle can use, and gives the page's `integrity` attribute the new digest.
pub fn trim_to_bundle(dir: &Path) -> Result<()> {
    let bundle = BundleBytes::read(dir, &["wasm", "js", "html"])?;
    let mut sheets = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "css") {
            sheets.push(path);
        }
    }
    let [sheet] = sheets.as_slice() else {
        bail!(
            "{} has {} stylesheets, not one (build it first)",
            dir.display(),
            sheets.len()
        );
    };
    ensure!(bundle.len() > 1, "no WASM or JS in {}", dir.display());
    let css =
        std::fs::read_to_string(sheet).with_context(|| format!("read {}", sheet.display()))?;
    let kept = trim(&css, &|class| used(class, &bundle))
        .with_context(|| format!("{} is not a stylesheet this can read", sheet.display()))?;
    let page = dir.join("index.html");
    let html =
        std::fs::read_to_string(&page).with_context(|| format!("read {}", page.display()))?;
    let html = with_new_integrity(&html, css.as_bytes(), kept.as_bytes())?;
    std::fs::write(sheet, &kept).with_context(|| format!("write {}", sheet.display()))?;
    std::fs::write(&page, html).with_context(|| format!("write {}", page.display()))?;
    println!(
        "  {}: {} → {} bytes",
        sheet.display(),
        css.len(),
        kept.len()
    );
    Ok(())
}

/// Whether `class` (or a prefix of it up to a `-`) occurs in one of `bundle`'s files.
fn used(class: &str, bundle: &BundleBytes) -> bool {
    bundle.holds(class)
        || class
            .match_indices('-')
            .any(|(at, _)| at > 0 && bundle.holds(&class[..=at]))
}

/// `css` with the selectors whose classes are not all `used` left out, and the rules and
/// conditional blocks left empty by that.
pub fn trim(css: &str, used: &dyn Fn(&str) -> bool) -> Result<String> {
    let mut out = String::with_capacity(css.len());
    block(css, used, &mut out, false)?;
    Ok(out)
}

/// Trims rules into `out` until the end of `css` (the top level) or the `}` closing the
/// conditional block it is in (`nested`); returns what follows that `}`.
fn block<'a>(
    mut css: &'a str,
    used: &dyn Fn(&str) -> bool,
    out: &mut String,
    nested: bool,
) -> Result<&'a str> {
    loop {
        css = skip_space_and_comments(css);
        if css.is_empty() {
            ensure!(!nested, "a block without its '}}'");
            return Ok(css);
        }
        if let Some(rest) = css.strip_prefix('}') {
            ensure!(nested, "a '}}' without its '{{'");
            return Ok(rest);
        }
        let Some(open) = find_outside_strings(css, &['{', ';', '}']) else {
            bail!("text after the last rule: {:.40}", css);
        };
        let head = css[..open].trim();
        match css.as_bytes()[open] {
            b';' => {
                // A statement at-rule (`@charset`, `@import`): kept.
                out.push_str(head);
                out.push(';');
                css = &css[open + 1..];
            }
            b'}' => bail!("a declaration outside a rule: {head:.40}"),
            _ if CONDITIONAL.iter().any(|at| at_rule_is(head, at)) => {
                let mut inner = String::new();
                css = block(&css[open + 1..], used, &mut inner, true)?;
                if !inner.is_empty() {
                    out.push_str(head);
                    out.push('{');
                    out.push_str(&inner);
                    out.push('}');
                }
            }
            _ => {
                let end = open + closing(&css[open..])?;
                let body = &css[open..=end];
                if head.starts_with('@') {
                    out.push_str(head);
                    out.push_str(body);
                } else {
                    let kept: Vec<&str> = split_top_level(head)
                        .into_iter()
                        .filter(|selector| required_classes(selector).iter().all(|c| used(c)))
                        .collect();
                    if !kept.is_empty() {
                        out.push_str(&kept.join(","));
                        out.push_str(body);
                    }
                }
                css = &css[end + 1..];
            }
        }
    }
}

/// Whether `head` is the at-rule `at` (`@media …`, not `@media-foo`).
fn at_rule_is(head: &str, at: &str) -> bool {
    head.strip_prefix(at)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '(', '\n', '\t']))
}

fn skip_space_and_comments(mut css: &str) -> &str {
    loop {
        css = css.trim_start();
        match css.strip_prefix("/*") {
            Some(rest) => css = rest.find("*/").map_or("", |end| &rest[end + 2..]),
            None => return css,
        }
    }
}

/// The byte index of the first of `wanted` outside strings and comments.
fn find_outside_strings(css: &str, wanted: &[char]) -> Option<usize> {
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'"' | b'\'') => i = string_end(bytes, i, quote),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = css[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
            }
            b if wanted.contains(&char::from(b)) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The index just past the string that starts at `start` with `quote`.
fn string_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index (in `body`, which starts with `{`) of the `}` that closes it.
fn closing(body: &str) -> Result<usize> {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(i) = find_outside_strings(&body[at..], &['{', '}']) {
        let i = at + i;
        if body.as_bytes()[i] == b'{' {
            depth += 1;
        } else {
            depth -= 1;
            if depth == 0 {
                return Ok(i);
            }
        }
        at = i + 1;
    }
    bail!("a '{{' without its '}}': {:.40}", body)
}

/// The selectors of a selector list (commas inside parentheses or brackets do not split).
fn split_top_level(list: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim());
    parts
}

/// The classes an element must have for `selector` to match anything: those outside
/// parentheses and attribute brackets. A selector with an escape requires none (kept).
fn required_classes(selector: &str) -> Vec<&str> {
    if selector.contains('\\') {
        return Vec::new();
    }
    let mut classes = Vec::new();
    let mut depth = 0i32;
    let bytes = selector.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b'.' if depth == 0 => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric()
                        || bytes[end] == b'-'
                        || bytes[end] == b'_'
                        || bytes[end] >= 0x80)
                {
                    end += 1;
                }
                if end > start {
                    classes.push(&selector[start..end]);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trimmed(css: &str, classes: &[&str]) -> String {
        trim(css, &|c| classes.contains(&c)).expect("a stylesheet")
    }

    #[test]
    fn a_rule_stays_when_its_classes_are_used() {
        let css = ".a{color:red}.b{color:blue}.a .b,.c{margin:0}body{margin:0}";
        assert_eq!(trimmed(css, &["a"]), ".a{color:red}body{margin:0}");
        assert_eq!(trimmed(css, &["c"]), ".c{margin:0}body{margin:0}");
        assert_eq!(
            trimmed(css, &["a", "b"]),
            ".a{color:red}.b{color:blue}.a .b{margin:0}body{margin:0}"
        );
    }

    #[test]
    fn conditional_blocks_keep_their_used_rules_and_vanish_when_empty() {
        let css = "@media (max-width:640px){.a{x:1}.b{x:2}}@supports (display:grid){.b{x:3}}";
        assert_eq!(trimmed(css, &["a"]), "@media (max-width:640px){.a{x:1}}");
        assert_eq!(trimmed(css, &[]), "");
    }

    #[test]
    fn other_at_rules_classless_selectors_and_parentheses_are_kept() {
        let css = "@keyframes spin{from{transform:none}to{transform:rotate(1turn)}}\
                   :root{--x:1}[hidden]{display:none}.a:not(.gone){x:1}\
                   :is(.gone,.a) .a{x:2}.gone[data-x=\".a\"]{x:3}@charset \"utf-8\";";
        assert_eq!(
            trimmed(css, &["a"]),
            "@keyframes spin{from{transform:none}to{transform:rotate(1turn)}}\
             :root{--x:1}[hidden]{display:none}.a:not(.gone){x:1}\
             :is(.gone,.a) .a{x:2}@charset \"utf-8\";"
        );
    }

    #[test]
    fn braces_and_commas_in_strings_do_not_confuse_it() {
        let css = ".a::after{content:\"}{,\"}.b,.a{content:'{'}";
        assert_eq!(
            trimmed(css, &["a"]),
            ".a::after{content:\"}{,\"}.a{content:'{'}"
        );
    }

    #[test]
    fn a_class_composed_at_run_time_is_found_by_its_prefix() {
        let bundle = BundleBytes::new(vec![b"...kiosk-card kiosk-card-...btn...".to_vec()]);
        assert!(used("kiosk-card-in", &bundle));
        assert!(used("btn", &bundle));
        assert!(!used("logs-table", &bundle));
        assert!(
            !used("-x", &BundleBytes::new(vec![b"-".to_vec()])),
            "no empty prefix"
        );
    }

    #[test]
    fn broken_stylesheets_are_errors() {
        assert!(trim(".a{x:1", &|_| true).is_err());
        assert!(trim(".a{x:1}}", &|_| true).is_err());
        assert!(trim(".a{x:1} stray", &|_| true).is_err());
    }

    #[test]
    fn the_bundle_and_its_page_are_rewritten_together() {
        let dir = std::env::temp_dir().join(format!("tna-stylesheet-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let css = ".kiosk-a{x:1}.logs-b{x:2}";
        std::fs::write(dir.join("main-1234.css"), css).expect("css");
        std::fs::write(dir.join("app_bg.wasm"), b"\0asm kiosk-a").expect("wasm");
        std::fs::write(dir.join("app.js"), b"export {}").expect("js");
        let page = format!(
            "<link href=/main-1234.css integrity={} rel=stylesheet>",
            crate::bundles::sri(css.as_bytes())
        );
        std::fs::write(dir.join("index.html"), page).expect("page");
        let result = trim_to_bundle(&dir);
        let kept = std::fs::read_to_string(dir.join("main-1234.css")).unwrap_or_default();
        let page = std::fs::read_to_string(dir.join("index.html")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        result.expect("trimmed");
        assert_eq!(kept, ".kiosk-a{x:1}");
        assert!(
            page.contains(&crate::bundles::sri(kept.as_bytes())),
            "{page}"
        );
    }
}
