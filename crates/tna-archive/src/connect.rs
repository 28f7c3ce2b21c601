//! Opening an archive from its URL: telling the backend, SQLite's settings, one clear line when
//! the database cannot be reached.

use std::str::FromStr as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::any::AnyPoolOptions;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool};
use sqlx::{Connection as _, Executor as _};

use crate::error::{ArchiveError, Result};
use crate::schema::MIGRATOR;

/// How long SQLite waits for another writer's lock before giving up (milliseconds).
pub const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Reading connections to a SQLite file (WAL: readers never wait for the writer).
pub const SQLITE_READERS: u32 = 4;

/// Page cache per SQLite connection, KiB. The writer's stays warm between pages (it is the
/// only connection that writes), which matters for the randomly placed user-index pages.
pub const SQLITE_CACHE_KIB: u32 = 65_536;

/// WAL pages (4 KiB) written before SQLite copies them back into the database file. Larger
/// than SQLite's 1,000, so a busy writer checkpoints (and fsyncs) once every few stored log
/// pages rather than after nearly every one.
pub const SQLITE_WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// Connections to a PostgreSQL server, per relay.
pub const POSTGRES_POOL_SIZE: u32 = 8;

/// How long opening may take before the database is declared unreachable.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an operation waits for a free connection (SQLite writers queue for theirs).
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Set once, on the first connection: the write-ahead log (readers never block the writer,
/// the writer never blocks readers). It is a property of the file, kept across connections.
const SQLITE_ONCE: &str = "PRAGMA journal_mode = WAL;";

/// Set on every SQLite connection: wait for locks instead of failing at once (first, so the
/// others wait too), fsync at checkpoints only (a crash may lose the last commits, never
/// corrupt the file), the page cache, and the checkpoint interval.
fn sqlite_pragmas() -> String {
    format!(
        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA synchronous = NORMAL; \
         PRAGMA cache_size = -{SQLITE_CACHE_KIB}; \
         PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT_PAGES};"
    )
}

/// Which database holds the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Backend {
    /// A SQLite file: one relay.
    Sqlite,
    /// A PostgreSQL database: several relays may share it.
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// The URL without its password, for messages and logs.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        None => url.to_owned(),
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &url[scheme_end + 3 + at..]
        ),
    }
}

fn bad_url(url: &str, reason: impl Into<String>) -> ArchiveError {
    ArchiveError::BadUrl {
        url: redact(url),
        reason: reason.into(),
    }
}

/// What an archive URL asks for, ready to connect.
#[derive(Debug)]
pub(crate) struct Target {
    /// The backend.
    pub backend: Backend,
    /// The URL to give the driver (SQLite: with `mode=rwc` added unless a mode is given).
    pub url: String,
    /// An in-memory SQLite database: one connection, or each would see its own.
    pub in_memory: bool,
}

/// Reads an archive URL.
pub(crate) fn parse(url: &str) -> Result<Target> {
    let url = url.trim();
    if url.starts_with("sqlite:") {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let in_memory = path.ends_with(":memory:") || query.contains("mode=memory");
        let has_mode = query.split('&').any(|kv| kv.starts_with("mode="));
        let full = match (has_mode || in_memory, query.is_empty()) {
            (true, _) => url.to_owned(),
            (false, true) => format!("{path}?mode=rwc"),
            (false, false) => format!("{path}?{query}&mode=rwc"),
        };
        let bare = path.trim_start_matches("sqlite:").trim_start_matches("//");
        if bare.is_empty() {
            return Err(bad_url(
                url,
                "no file named: write sqlite:///absolute/path/archive.db or sqlite:relative.db",
            ));
        }
        SqliteConnectOptions::from_str(&full).map_err(|e| {
            bad_url(
                url,
                format!(
                    "{e}: write sqlite:///absolute/path/archive.db, optionally with \
                     ?mode=rwc|rw|ro"
                ),
            )
        })?;
        Ok(Target {
            backend: Backend::Sqlite,
            url: full,
            in_memory,
        })
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        PgConnectOptions::from_str(url).map_err(|e| {
            bad_url(
                url,
                format!("{e}: write postgres://user[:password]@host[:port]/database"),
            )
        })?;
        Ok(Target {
            backend: Backend::Postgres,
            url: url.to_owned(),
            in_memory: false,
        })
    } else {
        let scheme = url.split(':').next().unwrap_or_default();
        Err(bad_url(
            url,
            format!(
                "unknown scheme {scheme:?}: write sqlite:///path/archive.db for a file or \
                 postgres://user@host/database for a shared server"
            ),
        ))
    }
}

/// What to tell a person whose database could not be opened.
fn hint(backend: Backend, e: &sqlx::Error) -> &'static str {
    match (backend, e) {
        (Backend::Sqlite, _) => {
            "check that the directory exists, the file is a SQLite database, and the relay \
             may write both"
        }
        (Backend::Postgres, sqlx::Error::Io(io))
            if io.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            "check that PostgreSQL is running and listening on that host and port"
        }
        (Backend::Postgres, sqlx::Error::Io(_)) => {
            "check the host name, the port and the network path to the server"
        }
        (Backend::Postgres, sqlx::Error::Tls(_)) => {
            "check the server's TLS certificate, or set sslmode in the URL"
        }
        (Backend::Postgres, sqlx::Error::Database(db)) => match db.code().as_deref() {
            Some("28P01" | "28000") => "check the user name and password in the URL",
            Some("3D000") => "create the database or fix its name in the URL",
            Some("42501") => "grant the user the right to create tables in that database",
            _ => "check the URL and the server's log",
        },
        (Backend::Postgres, _) => "check the URL and that the server is reachable",
    }
}

fn open_error(target: &Target, e: &sqlx::Error) -> ArchiveError {
    let reason = e.to_string().replace('\n', " ");
    ArchiveError::Open {
        url: redact(&target.url),
        reason,
        hint: hint(target.backend, e),
    }
}

/// The connections of an open archive.
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    /// Reads (and, on PostgreSQL, everything).
    pub read: AnyPool,
    /// Writes. SQLite: one connection, so in-process writers queue here instead of contending
    /// for the file lock, and its page cache stays valid. PostgreSQL: the same pool as `read`.
    pub write: AnyPool,
    /// Which database.
    pub backend: Backend,
}

/// Opens the pools for `url` and brings the schema up to date.
pub(crate) async fn open(url: &str) -> Result<Pools> {
    sqlx::any::install_default_drivers();
    let target = parse(url)?;

    // One direct connection first: it fails at once with the driver's reason, where the pool
    // would retry a refused connection until its timeout and then only say "timed out".
    if !target.in_memory {
        let probe = tokio::time::timeout(OPEN_TIMEOUT, AnyConnection::connect(&target.url))
            .await
            .map_err(|_| ArchiveError::Open {
                url: redact(&target.url),
                reason: format!("no answer within {} s", OPEN_TIMEOUT.as_secs()),
                hint: "check the host, the port and any firewall in between",
            })?;
        let mut probe = probe.map_err(|e| open_error(&target, &e))?;
        if target.backend == Backend::Sqlite {
            // Also the first write to a new file, which proves it writable.
            let setup = format!("{}{SQLITE_ONCE}", sqlite_pragmas());
            probe
                .execute(setup.as_str())
                .await
                .map_err(|e| open_error(&target, &e))?;
        }
        probe.close().await.map_err(|e| open_error(&target, &e))?;
    }

    let pool = |size: u32| {
        let options = AnyPoolOptions::new()
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .max_connections(size);
        match target.backend {
            Backend::Postgres => options,
            Backend::Sqlite => options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(sqlite_pragmas().as_str()).await?;
                    Ok(())
                })
            }),
        }
    };
    let connect = |options: AnyPoolOptions| async {
        options
            .connect(&target.url)
            .await
            .map_err(|e| open_error(&target, &e))
    };
    let pools = match (target.backend, target.in_memory) {
        (Backend::Postgres, _) => {
            let read = connect(pool(POSTGRES_POOL_SIZE)).await?;
            Pools {
                write: read.clone(),
                read,
                backend: Backend::Postgres,
            }
        }
        // Every connection to `:memory:` is a database of its own: one connection, kept.
        (Backend::Sqlite, true) => {
            let only = pool(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
            let read = connect(only).await?;
            Pools {
                write: read.clone(),
                read,
                backend: Backend::Sqlite,
            }
        }
        (Backend::Sqlite, false) => Pools {
            read: connect(pool(SQLITE_READERS)).await?,
            write: connect(pool(1)).await?,
            backend: Backend::Sqlite,
        },
    };
    MIGRATOR.run(&pools.write).await?;
    tracing::info!(backend = %target.backend, url = %redact(&target.url), "archive open");
    Ok(pools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://relay:s3cret@db:5432/tna"),
            "postgres://relay:***@db:5432/tna"
        );
        assert_eq!(redact("postgres://relay@db/tna"), "postgres://relay@db/tna");
        assert_eq!(redact("sqlite:///var/a.db"), "sqlite:///var/a.db");
    }

    #[test]
    fn sqlite_urls_create_the_file_unless_a_mode_is_given() -> Result<()> {
        assert_eq!(
            parse("sqlite:///tmp/a.db")?.url,
            "sqlite:///tmp/a.db?mode=rwc"
        );
        assert_eq!(parse("sqlite:a.db?mode=ro")?.url, "sqlite:a.db?mode=ro");
        assert_eq!(
            parse("sqlite:a.db?cache=shared")?.url,
            "sqlite:a.db?cache=shared&mode=rwc"
        );
        assert!(parse("sqlite::memory:")?.in_memory);
        Ok(())
    }

    #[test]
    fn unknown_schemes_and_parameters_are_bad_urls() {
        for url in [
            "mysql://x/y",
            "/tmp/a.db",
            "",
            "sqlite:a.db?journal=wal",
            "sqlite://",
        ] {
            assert!(
                matches!(parse(url), Err(ArchiveError::BadUrl { .. })),
                "{url}"
            );
        }
    }
}
