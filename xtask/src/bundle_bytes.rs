//! What a built bundle holds, as bytes. The kiosk's trimming steps keep a text (`catalog.rs`)
//! or a style rule (`stylesheet.rs`) when the bundle's files hold its bytes: every text and
//! class reaches the page from a string literal, stored as its UTF-8 bytes.

use std::path::Path;

use anyhow::{Context, Result, ensure};

/// The contents of some of a bundle's files.
pub struct BundleBytes(Vec<Vec<u8>>);

impl BundleBytes {
    /// The files of `dir` itself (not its folders) whose extension is one of `extensions`; an
    /// error when there is none.
    pub fn read(dir: &Path, extensions: &[&str]) -> Result<Self> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
            let path = entry?.path();
            if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.contains(&e))
            {
                files.push(
                    std::fs::read(&path).with_context(|| format!("read {}", path.display()))?,
                );
            }
        }
        ensure!(
            !files.is_empty(),
            "no {} file in {} (build it first)",
            extensions.join("/"),
            dir.display()
        );
        Ok(BundleBytes(files))
    }

    /// These contents (tests).
    #[cfg(test)]
    pub fn new(files: Vec<Vec<u8>>) -> Self {
        BundleBytes(files)
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether `needle` occurs in one of the files.
    pub fn holds(&self, needle: &str) -> bool {
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        self.0.iter().any(|file| finder.find(file).is_some())
    }
}
