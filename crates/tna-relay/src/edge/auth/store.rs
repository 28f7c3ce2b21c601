//! The accounts file: accounts (argon2id PHC strings, never passwords) and paired kiosks (the
//! SHA-256 of their tokens, never the tokens), as JSON.
//!
//! Written whole on every change, atomically: a private temporary file next to it (mode 0600 on
//! Unix), flushed to disk, then renamed over the old one — a crash leaves the old file or the new
//! one, never half of either. Read once at start; anything this relay would not have written is
//! [`AuthError::Corrupt`], never a panic and never a silently empty account list.

use std::collections::{BTreeMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tna_types::Role;

use super::AuthError;
use super::secret::{self, TokenHash};

/// The file format this relay reads and writes.
pub const FILE_VERSION: u32 = 1;

/// The whole file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FileData {
    pub version: u32,
    pub accounts: Vec<StoredAccount>,
    #[serde(default)]
    pub kiosks: Vec<StoredKiosk>,
}

/// One account.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredAccount {
    pub username: String,
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// One paired kiosk's session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredKiosk {
    pub name: String,
    /// base64url of the SHA-256 of the token.
    pub token_hash: String,
    pub paired_at: u64,
    pub expires_at: u64,
    /// What it may show; absent in files written before kiosks had scopes (every device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<tna_types::protocol::KioskScope>,
}

/// What a loaded file holds, checked.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// username → (role, PHC string)
    pub accounts: BTreeMap<String, (Role, String)>,
    /// token hash → kiosk (unexpired only)
    pub kiosks: Vec<(TokenHash, StoredKiosk)>,
}

fn io_err(path: &Path, e: io::Error) -> AuthError {
    AuthError::Io(path.display().to_string(), e)
}

fn corrupt(path: &Path, why: impl std::fmt::Display) -> AuthError {
    AuthError::Corrupt(format!("{}: {why}", path.display()))
}

/// Reads and checks the file; `Ok(None)` when it does not exist.
pub(crate) fn load(path: &Path, now: u64) -> Result<Option<Loaded>, AuthError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path, e)),
    };
    warn_if_readable_by_others(path);
    let data: FileData = serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e))?;
    if data.version != FILE_VERSION {
        return Err(corrupt(
            path,
            format!("version {} (expected {FILE_VERSION})", data.version),
        ));
    }
    let mut loaded = Loaded::default();
    let mut lower = HashSet::new();
    for a in data.accounts {
        if !secret::is_valid_name(&a.username) {
            return Err(corrupt(path, format!("invalid username {:?}", a.username)));
        }
        if !lower.insert(a.username.to_ascii_lowercase()) {
            return Err(corrupt(
                path,
                format!("duplicate username {:?}", a.username),
            ));
        }
        if !secret::is_phc(&a.password_hash) {
            return Err(corrupt(
                path,
                format!("account {:?} has no argon2 password hash", a.username),
            ));
        }
        loaded
            .accounts
            .insert(a.username, (a.role, a.password_hash));
    }
    let mut names = HashSet::new();
    for k in data.kiosks {
        if !secret::is_valid_name(&k.name) || !names.insert(k.name.clone()) {
            return Err(corrupt(
                path,
                format!("invalid or duplicate kiosk {:?}", k.name),
            ));
        }
        let Some(hash) = secret::decode_hash(&k.token_hash) else {
            return Err(corrupt(
                path,
                format!("kiosk {:?} has a bad token hash", k.name),
            ));
        };
        if k.expires_at > now {
            loaded.kiosks.push((hash, k));
        }
    }
    Ok(Some(loaded))
}

/// Writes `data` to `path` atomically, readable by the owner only.
pub(crate) fn save(path: &Path, data: &FileData) -> Result<(), AuthError> {
    let mut bytes = serde_json::to_vec_pretty(data)
        .map_err(|e| AuthError::Io(path.display().to_string(), io::Error::other(e)))?;
    bytes.push(b'\n');
    write_atomically(path, &bytes).map_err(|e| io_err(path, e))
}

/// `.<name>.tmp` in the same directory, so the rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "accounts".to_owned());
    path.with_file_name(format!(".{name}.tmp"))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = temp_path(path);
    // A leftover from a crash may have other permissions: start from a new file.
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let written = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()
    })();
    let renamed = written.and_then(|()| fs::rename(&tmp, path));
    if let Err(e) = renamed {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    sync_parent(path);
    Ok(())
}

#[cfg(unix)]
fn create_private(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Makes the rename durable (best effort: not every platform can sync a directory).
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = fs::metadata(path) {
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{:o}", mode & 0o777),
                "the accounts file is readable by other users; it will be rewritten as 0600 on the next change"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}
