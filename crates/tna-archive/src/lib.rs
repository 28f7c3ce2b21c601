//! The relay's log archive: the system of record for every T&A event and job-code event its
//! devices ever reported, each kept once, for ever, plus the audit trail of what people changed.
//!
//! # Backends
//!
//! A SQLite file by default (`sqlite:///var/lib/tna/archive.db`, created when missing, WAL,
//! `synchronous=NORMAL`, a busy timeout), or a PostgreSQL database when several relays share
//! one archive (`postgres://relay@db/tna`). Both run the **same** schema and the **same** SQL
//! through sqlx's `Any` driver: `$n` placeholders (SQLite reads `$1` as parameter 1), `BIGINT`
//! for every number, `TEXT` for strings and JSON, `INSERT … ON CONFLICT … DO NOTHING`, row-value
//! comparisons for keyset paging, and `UPDATE … RETURNING` on a counter row where the two
//! would otherwise need different auto-increment syntax. No statement is checked at build time
//! (there is no database then); the tests run every statement against both backends.
//!
//! # Schema (`migrations/`), and why it looks like this
//!
//! - `tna_log`, `job_code_log`: one row per event. A device numbers its events itself and may
//!   start again from 0 (reset, wipe), so the key is `(device_id, epoch, event_id)`: a detected
//!   reset opens a new epoch ([`Archive::start_epoch`]) and nothing stored before is touched.
//!   The key also makes storing idempotent: a page stored twice inserts nothing the second
//!   time. Indexes `(ts, device_id, epoch, event_id)` (the reading order and the paging key,
//!   so a time range over all devices is one index range scan) and
//!   `(user_id, ts, device_id, epoch, event_id)` (one user's events, already in order).
//! - `log_cursor`: per `(device_id, stream)` the epoch, the next event ID to read, how many
//!   records are stored, and the last sync / error / reset times. A page's records and its
//!   cursor move commit together, and a writer holding an old epoch is refused, so two relays
//!   (or a relay and its restarted self) never interleave pages of different epochs.
//! - `audit_log` + `audit_device`: who did what, with the before/after/results JSON as text;
//!   touched devices in their own table so "everything done to device 7" is an index lookup.
//! - `id_counter`: portable sequences (the audit IDs).
//! - `setting`: named settings (JSON text). `device_info`: a device's name, location and tags
//!   (`''` = none, tags as a JSON array), so relays sharing an archive show the same names.
//! - `user_device` + `directory_user`: the user directory — which device holds which user
//!   under which name, and per user the name chosen, search keys, devices and differing names;
//!   an index `(user_id, id_key, name_key)` lets a search read the keys in ID order alone.
//!
//! Every `u32` of a device record is stored as a 64-bit integer and range-checked when read
//! back; a T&A key is stored as its number 1..=16 or NULL.
//!
//! # Modules
//!
//! - [`connect`] — URLs, backends, opening, SQLite settings.
//! - `schema` — the embedded migrations; `sql` — the statement builder and column readers.
//! - [`logs`] — storing pages, querying events.
//! - [`cursor`] — read cursors and epochs.
//! - [`audit`] — the audit trail.
//! - [`live`] — live events between relays sharing one PostgreSQL archive (LISTEN/NOTIFY).
//! - [`settings`] — named settings shared by the relays of one archive (the timecard policy).
//! - [`devices`] — device names, locations and tags (`devices.setInfo`).
//! - [`users`] — the user directory (`users.*`): each device's users, one row per user, search.
//! - [`error`] — [`ArchiveError`].
//! - `testing` (feature `test-pg`) — a throwaway PostgreSQL cluster for tests and benchmarks.
//!
//! # Throughput
//!
//! A page is one transaction of multi-row `INSERT`s: [`MAX_ROWS_PER_INSERT`] rows per statement
//! on PostgreSQL (under the bind-parameter limits, [`MAX_BIND_PARAMS`]), [`SQLITE_ROWS_PER_INSERT`]
//! on SQLite, where sqlx resolves each `$n` by a scan over the statement's parameter names, so a
//! statement's cost grows with the square of its parameters. SQLite writes go through one
//! connection (in-process writers queue for it rather than for the file lock, and its page cache
//! stays valid); reads use a pool of their own. What limits SQLite then is the user index: a
//! page whose events come from many users dirties that many index pages, all written to the WAL
//! at commit.
//!
//! # Tests
//!
//! `tests/` runs one contract (`tests/support/contract.rs`) against a SQLite file, SQLite in
//! memory and a throwaway PostgreSQL cluster (`testing::PgCluster`, feature `test-pg`: `initdb`
//! and `pg_ctl` from `/usr/lib/postgresql/*/bin`, which must exist: `cargo xtask setup`).
//! PostgreSQL will not run as root; as root, set `TNA_ARCHIVE_PG_USER` to an unprivileged user
//! to start the test cluster as that user. `tests/throughput.rs` (ignored) prints more write
//! and query figures; benchmark 7 of `cargo xtask bench` (`tna-bench --only archive`) measures
//! the main ones on every bench run.

pub mod audit;
pub mod connect;
pub mod cursor;
pub mod devices;
pub mod error;
pub mod live;
pub mod logs;
mod schema;
pub mod settings;
mod sql;
#[cfg(feature = "test-pg")]
pub mod testing;
pub mod users;

use sqlx::any::Any;
use sqlx::{AnyPool, Transaction};

pub use audit::{AuditEntry, AuditQuery, MAX_AUDIT_LIMIT};
pub use connect::Backend;
pub use cursor::{Cursor, INITIAL_EPOCH, Stream};
pub use error::{ArchiveError, Result};
pub use logs::{
    Archived, ArchivedJobCodeLog, ArchivedTnaLog, LogQuery, MAX_QUERY_DEVICES, MAX_QUERY_LIMIT,
    MAX_ROWS_PER_INSERT, QueryCursor, QueryPage, SQLITE_ROWS_PER_INSERT,
};
pub use sql::MAX_BIND_PARAMS;
pub use users::{DeviceUsersStored, search_key};

/// An open archive. Cheap to clone: clones share the connection pools.
#[derive(Debug, Clone)]
pub struct Archive {
    /// Reads.
    pool: AnyPool,
    /// Writes (see [`connect`]: one connection for SQLite).
    writer: AnyPool,
    backend: Backend,
    /// The URL it was opened with (a PostgreSQL listener needs its own connection).
    url: live::SecretUrl,
    /// The directory's search keys in memory (see `users.rs`), shared by clones.
    search_index: users::SearchIndexSlot,
}

impl Archive {
    /// Opens (creating when missing) the archive at `url` and brings its schema up to date.
    ///
    /// `sqlite:///abs/path/archive.db`, `sqlite:relative.db` (the file is created unless the
    /// URL gives a `mode=`), `sqlite::memory:` (tests), or `postgres://user[:pw]@host[:port]/db`.
    /// A URL that cannot be read, or a database that cannot be reached, gives a one-line
    /// [`ArchiveError::BadUrl`] / [`ArchiveError::Open`] saying what to fix.
    pub async fn open(url: &str) -> Result<Archive> {
        let pools = connect::open(url).await?;
        Ok(Archive {
            pool: pools.read,
            writer: pools.write,
            backend: pools.backend,
            url: live::SecretUrl(url.into()),
            search_index: users::SearchIndexSlot::default(),
        })
    }

    /// Which database holds this archive.
    pub fn kind(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (waits for queries in flight). Other clones become unusable.
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    /// A write transaction. SQLite: `BEGIN IMMEDIATE`, which takes the write lock up front
    /// (waiting up to the busy timeout) instead of failing when a read has to become a write.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        })
    }
}
