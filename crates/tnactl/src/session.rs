//! The stored session: `login` keeps the relay URL and the session token in
//! `$XDG_CONFIG_HOME/tnactl/session.json` (the platform's config directory elsewhere), readable
//! by the user only (mode 0600), with the CA file of `login --ca-cert`. `TNACTL_URL`,
//! `TNACTL_TOKEN` and `TNACTL_CA_CERT` override what is stored.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use tna_types::Role;

use crate::client::{self, Client};
use crate::tls::Roots;

/// Environment variable naming the relay (overrides the stored URL).
pub const ENV_URL: &str = "TNACTL_URL";
/// Environment variable holding a session token (overrides the stored token).
pub const ENV_TOKEN: &str = "TNACTL_TOKEN";
/// Environment variable naming the PEM CA file an `https://` relay's certificate is checked
/// against (overrides the stored one; without either, the system's roots).
pub const ENV_CA_CERT: &str = "TNACTL_CA_CERT";

/// What `login` stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
    /// The relay's base URL.
    pub url: String,
    /// The account.
    pub username: String,
    /// Its role at sign-in.
    pub role: Role,
    /// When the session ends (Unix seconds).
    pub expires_at: u64,
    /// The bearer token.
    pub token: String,
    /// The CA the relay's certificate is checked against (absent: the system's roots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
}

/// The session file.
pub fn path() -> Result<PathBuf> {
    let dir = dirs::config_dir().ok_or_else(|| {
        anyhow!(
            "no config directory (set XDG_CONFIG_HOME or HOME), or use TNACTL_URL and TNACTL_TOKEN"
        )
    })?;
    Ok(dir.join("tnactl").join("session.json"))
}

/// The stored session, if any.
pub fn load() -> Result<Option<Stored>> {
    let path = path()?;
    match fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .with_context(|| format!("{} is not a tnactl session file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Stores `session`, readable by the user only.
pub fn save(session: &Stored) -> Result<PathBuf> {
    let path = path()?;
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(session)?;
    // Written next to it and renamed, so a crash never leaves half a file; created 0600.
    let tmp = path.with_extension("json.tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Removes the stored session; whether there was one.
pub fn remove() -> Result<bool> {
    let path = path()?;
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

/// Where to connect and how.
pub struct Target {
    /// The relay's base URL.
    pub url: String,
    /// The session token.
    pub token: String,
    /// The roots an `https://` relay is checked against.
    pub roots: Roots,
}

/// The CA file to use: `TNACTL_CA_CERT`, else `stored`.
pub fn ca_cert(stored: Option<&Path>) -> Option<PathBuf> {
    std::env::var_os(ENV_CA_CERT)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| stored.map(Path::to_path_buf))
}

/// The relay URL, token and roots to use: the environment first, then the stored session.
pub fn target() -> Result<Target> {
    let stored = load()?;
    let url = std::env::var(ENV_URL)
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| stored.as_ref().map(|s| s.url.clone()))
        .ok_or_else(|| anyhow!("not signed in: run `tnactl login URL --username NAME` (or set {ENV_URL} and {ENV_TOKEN})"))?;
    let token = std::env::var(ENV_TOKEN)
        .ok()
        .filter(|t| !t.is_empty())
        .or_else(|| stored.as_ref().map(|s| s.token.clone()))
        .ok_or_else(|| anyhow!("no session token: run `tnactl login` (or set {ENV_TOKEN})"))?;
    let ca = ca_cert(stored.as_ref().and_then(|s| s.ca_cert.as_deref()));
    Ok(Target {
        url: client::base_url(&url)?,
        token,
        roots: Roots::load(ca.as_deref())?,
    })
}

/// Connects with [`target`].
pub fn connect() -> Result<Client> {
    let t = target()?;
    Ok(Client::connect(&t.url, &t.roots, &t.token)?)
}
