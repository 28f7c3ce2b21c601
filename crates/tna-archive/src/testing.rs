//! A throwaway PostgreSQL cluster for tests and benchmarks (feature `test-pg`): `initdb` into a
//! temp dir, `pg_ctl start` on a free loopback port, `pg_ctl stop -m immediate` on drop.
//!
//! The server binaries are looked for in `$TNA_ARCHIVE_PG_BIN`, then `/usr/lib/postgresql/*/bin`
//! (highest version first). Missing binaries are [`PgError::NotInstalled`], telling to run
//! `cargo xtask setup`. PostgreSQL refuses to run as root: as root [`PgCluster::start`] fails
//! with a message saying so, unless `TNA_ARCHIVE_PG_USER` names an unprivileged user to run
//! `initdb`/`pg_ctl` as ([`PgCluster::start_or_run_as`] names a default for that case).
//!
//! The cluster trades durability for speed (`fsync=off`, `full_page_writes=off`, `initdb
//! --no-sync`): figures measured on it are those of a server whose disk is never the limit.

use std::fmt;
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian/Ubuntu install the server binaries, one folder per major version.
const PG_LIB_DIR: &str = "/usr/lib/postgresql";
/// Overrides the binaries folder.
pub const BIN_ENV: &str = "TNA_ARCHIVE_PG_BIN";
/// As root: the unprivileged user to run the server as.
pub const USER_ENV: &str = "TNA_ARCHIVE_PG_USER";
/// Seconds `pg_ctl` waits for start-up.
const START_WAIT_SECS: &str = "60";

/// Why no cluster could be started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgError {
    /// The server binaries (`initdb`, `pg_ctl`) are not installed: `cargo xtask setup`.
    NotInstalled(String),
    /// Anything else: root without an unprivileged user, `initdb` or `pg_ctl` failed, …
    Failed(String),
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PgError::NotInstalled(m) | PgError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PgError {}

/// A running throwaway cluster.
pub struct PgCluster {
    bin: PathBuf,
    data: PathBuf,
    run_as: Option<(u32, u32)>,
    port: u16,
    // Last: removed after the server is stopped.
    dir: tempfile::TempDir,
}

impl fmt::Debug for PgCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgCluster")
            .field("bin", &self.bin)
            .field("data", &self.data)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl PgCluster {
    /// Creates and starts a cluster; `Err` says what is missing. As root, the server runs as
    /// the user named by `TNA_ARCHIVE_PG_USER`, and without one this fails.
    pub fn start() -> Result<PgCluster, PgError> {
        Self::start_inner(None)
    }

    /// Like [`PgCluster::start`], but as root without `TNA_ARCHIVE_PG_USER` the server runs
    /// as `default_user` (e.g. `nobody`) instead of failing.
    pub fn start_or_run_as(default_user: &str) -> Result<PgCluster, PgError> {
        Self::start_inner(Some(default_user))
    }

    fn start_inner(default_user: Option<&str>) -> Result<PgCluster, PgError> {
        let bin = find_bin_dir()?;
        let run_as = unprivileged_user(default_user)?;
        let dir = tempfile::Builder::new()
            .prefix("tna-pg")
            .tempdir()
            .map_err(|e| PgError::Failed(format!("cannot create a temp dir: {e}")))?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).map_err(|e| {
                PgError::Failed(format!(
                    "cannot hand {} to uid {uid}: {e}",
                    dir.path().display()
                ))
            })?;
        }
        let data = dir.path().join("data");
        let mut cluster = PgCluster {
            bin,
            data,
            run_as,
            port: 0,
            dir,
        };
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                cluster.data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "--no-sync".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
            ],
        )?;
        cluster.port = free_port().map_err(|e| PgError::Failed(e.to_string()))?;
        let opts = format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            cluster.dir.path().display(),
            cluster.port
        );
        let log = cluster.dir.path().join("server.log");
        let started = cluster.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                cluster.data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                opts.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                START_WAIT_SECS.as_ref(),
                "start".as_ref(),
            ],
        );
        if let Err(e) = started {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(PgError::Failed(format!("{e}\nserver log:\n{log}")));
        }
        Ok(cluster)
    }

    /// The URL of the cluster's `postgres` database.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// Creates another (empty) database `name` in the cluster; returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, PgError> {
        let port = self.port.to_string();
        self.run(
            "createdb",
            &[
                "-h".as_ref(),
                "127.0.0.1".as_ref(),
                "-p".as_ref(),
                port.as_ref(),
                "-U".as_ref(),
                "postgres".as_ref(),
                name.as_ref(),
            ],
        )?;
        Ok(self.url_of(name))
    }

    fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs one server binary (as the unprivileged user when there is one); its output on failure.
    fn run(&self, name: &str, args: &[&std::ffi::OsStr]) -> Result<(), PgError> {
        let mut cmd = Command::new(self.bin.join(name));
        cmd.args(args).current_dir(self.dir.path());
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        // `pg_ctl start` gets `-l`, so the server holds no pipe of ours open.
        let out = cmd.output().map_err(|e| {
            PgError::Failed(format!("cannot run {}: {e}", self.bin.join(name).display()))
        })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(PgError::Failed(format!(
                "{name} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.port == 0 {
            return;
        }
        let data = self.data.clone();
        let stopped = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        );
        if let Err(e) = stopped {
            eprintln!("stopping the throwaway PostgreSQL cluster: {e}");
        }
    }
}

fn find_bin_dir() -> Result<PathBuf, PgError> {
    let has_tools = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os(BIN_ENV) {
        let dir = PathBuf::from(dir);
        return if has_tools(&dir) {
            Ok(dir)
        } else {
            Err(PgError::NotInstalled(format!(
                "{BIN_ENV}={} holds no initdb and pg_ctl: fix it, or unset it and run \
                 `cargo xtask setup`",
                dir.display()
            )))
        };
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(PG_LIB_DIR)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        PgError::NotInstalled(format!(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under {PG_LIB_DIR}/*/bin: \
             run `cargo xtask setup` (or set {BIN_ENV} to their folder)"
        ))
    })
}

/// `None` when not root; as root, the user named by `TNA_ARCHIVE_PG_USER`, else
/// `default_user`, else an error.
fn unprivileged_user(default_user: Option<&str>) -> Result<Option<(u32, u32)>, PgError> {
    let uid = id(&["-u"])?;
    if uid != 0 {
        return Ok(None);
    }
    let named = std::env::var(USER_ENV).ok().filter(|u| !u.is_empty());
    let Some(user) = named.or_else(|| default_user.map(str::to_owned)) else {
        return Err(PgError::Failed(format!(
            "running as root, and PostgreSQL's initdb/pg_ctl refuse to run as root: run as an \
             unprivileged user, or set {USER_ENV}=<unprivileged user> to start the throwaway \
             server as that user"
        )));
    };
    let (uid, gid) = (id(&["-u", &user])?, id(&["-g", &user])?);
    if uid == 0 {
        return Err(PgError::Failed(format!(
            "{USER_ENV}={user} is root; name an unprivileged user"
        )));
    }
    Ok(Some((uid, gid)))
}

fn id(args: &[&str]) -> Result<u32, PgError> {
    let out = Command::new("id")
        .args(args)
        .output()
        .map_err(|e| PgError::Failed(format!("cannot run id: {e}")))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| {
            PgError::Failed(format!(
                "id {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        })
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
}
