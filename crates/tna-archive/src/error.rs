//! What can go wrong in the archive.

use crate::cursor::Stream;

/// An archive operation failed. Every message is one line.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The archive URL could not be understood; the message says what to write instead.
    #[error("bad archive URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given, password removed.
        url: String,
        /// What is wrong with it and what to write instead.
        reason: String,
    },

    /// The database could not be opened or reached; `hint` says what to check.
    #[error("cannot open the archive at {url}: {reason} ({hint})")]
    Open {
        /// The URL, password removed.
        url: String,
        /// What the driver said.
        reason: String,
        /// What to fix.
        hint: &'static str,
    },

    /// Bringing the schema up to date failed.
    #[error("cannot migrate the archive schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),

    /// A writer asked to store under an epoch that is not the cursor's: another writer (or an
    /// event-ID reset) moved the cursor on. Nothing was written.
    #[error(
        "device {device_id} {stream} log: the archive is at epoch {current}, the writer at \
         epoch {given}; nothing was stored (re-read the cursor)"
    )]
    StaleEpoch {
        /// The device.
        device_id: u32,
        /// Its log stream.
        stream: Stream,
        /// The cursor's epoch.
        current: u32,
        /// The epoch the writer gave.
        given: u32,
    },

    /// A page held a record of another device. Nothing was written.
    #[error(
        "record {event_id} of device {record_device_id} is in a page stored for device \
         {device_id}; nothing was stored"
    )]
    ForeignRecord {
        /// The device the page was stored for.
        device_id: u32,
        /// The device the record names.
        record_device_id: u32,
        /// The record's event ID.
        event_id: u32,
    },

    /// The cursor's epoch cannot go any higher.
    #[error("device {device_id} {stream} log: no epoch after {epoch}")]
    EpochExhausted {
        /// The device.
        device_id: u32,
        /// Its log stream.
        stream: Stream,
        /// The last epoch.
        epoch: u32,
    },

    /// A stored value is outside what its column may hold (the file was edited by hand, or
    /// written by a newer version).
    #[error("bad value in the archive, {table}.{column}: {detail}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// What was found.
        detail: String,
    },

    /// A query asked for something the archive will not do; the message says what.
    #[error("bad archive query: {0}")]
    BadQuery(String),

    /// A JSON value could not be written or read back.
    #[error("audit JSON: {0}")]
    Json(#[from] serde_json::Error),

    /// The database refused a statement or the connection broke.
    #[error("archive database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// The archive's `Result`.
pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;
