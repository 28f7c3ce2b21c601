//! Per (device, stream) read cursors: how far the archive has everything, in which epoch.

use sqlx::Transaction;
use sqlx::any::{Any, AnyRow};

/// A transaction on the archive.
type AnyTransaction<'c> = Transaction<'c, Any>;

pub use tna_types::archive::{Cursor, Stream};

use crate::Archive;
use crate::error::{ArchiveError, Result};
use crate::sql::{
    Param, SqlBuilder, get_opt_i64, get_opt_string, get_u32, get_u64, to_u32, u32_param,
};

/// The epoch a cursor starts in, before any event-ID reset.
pub const INITIAL_EPOCH: u32 = 0;

/// The cursor table.
const TABLE: &str = "log_cursor";

/// Rounds of "update the cursor, else create it" before a page is refused.
const CLAIM_TRIES: usize = 3;

/// The columns of a cursor, in [`cursor_from_row`]'s order.
const COLUMNS: &str = "device_id, stream, epoch, next_event_id, stored, last_sync_at, \
                       last_error, last_error_at, reset_detected_at";

/// The name a stream is stored under in `log_cursor.stream` (a free function, so the stream
/// type itself can live in `tna-types`).
pub(crate) fn stream_db_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Tna => "tna",
        Stream::JobCode => "job_code",
    }
}

/// The stream stored as `s`.
fn stream_from_db_name(s: &str) -> Option<Stream> {
    Stream::ALL.into_iter().find(|st| stream_db_name(*st) == s)
}

/// A stream as a bind parameter.
fn stream_param(stream: Stream) -> Param {
    Param::Text(stream_db_name(stream).to_owned())
}

fn cursor_from_row(row: &AnyRow) -> Result<Cursor> {
    let stream_name = get_opt_string(row, "stream")?.unwrap_or_default();
    let stream = stream_from_db_name(&stream_name).ok_or_else(|| ArchiveError::Corrupt {
        table: TABLE,
        column: "stream",
        detail: format!("unknown stream {stream_name:?}"),
    })?;
    Ok(Cursor {
        device_id: get_u32(row, TABLE, "device_id")?,
        stream,
        epoch: get_u32(row, TABLE, "epoch")?,
        next_event_id: get_u32(row, TABLE, "next_event_id")?,
        stored: get_u64(row, TABLE, "stored")?,
        last_sync_at: get_opt_i64(row, "last_sync_at")?,
        last_error: get_opt_string(row, "last_error")?,
        last_error_at: get_opt_i64(row, "last_error_at")?,
        reset_detected_at: get_opt_i64(row, "reset_detected_at")?,
    })
}

/// Inserts the cursor of a (device, stream) never seen before, at [`INITIAL_EPOCH`]; does
/// nothing when it exists. Returns whether it inserted.
async fn ensure_cursor(
    tx: &mut AnyTransaction<'_>,
    device_id: u32,
    stream: Stream,
) -> Result<bool> {
    let mut b = SqlBuilder::new("");
    let (d, s, e) = (
        b.param(u32_param(device_id)),
        b.param(stream_param(stream)),
        b.param(u32_param(INITIAL_EPOCH)),
    );
    b.sql = format!(
        "INSERT INTO {TABLE} (device_id, stream, epoch, next_event_id, stored) \
         VALUES ({d}, {s}, {e}, 0, 0) ON CONFLICT (device_id, stream) DO NOTHING"
    );
    Ok(b.query().execute(&mut **tx).await?.rows_affected() > 0)
}

/// Inside a page's transaction: checks the writer's epoch and moves the cursor (it never moves
/// back within an epoch), marking the sync and clearing the error. The cursor row stays locked
/// (PostgreSQL) or the database write-locked (SQLite) until the transaction ends, so a
/// concurrent writer waits and then sees the new state.
pub(crate) async fn claim_for_page(
    tx: &mut AnyTransaction<'_>,
    device_id: u32,
    stream: Stream,
    epoch: u32,
    next_event_id: u32,
    now: i64,
) -> Result<()> {
    // The update misses only while the cursor does not exist yet (or is being created by a
    // concurrent writer, PostgreSQL): create it or wait for its creator, then try again.
    for _ in 0..CLAIM_TRIES {
        let mut b = SqlBuilder::new("");
        let (d, s, e, n, t) = (
            b.param(u32_param(device_id)),
            b.param(stream_param(stream)),
            b.param(u32_param(epoch)),
            b.param(u32_param(next_event_id)),
            b.param(Param::Int(now)),
        );
        b.sql = format!(
            "UPDATE {TABLE} SET \
               next_event_id = CASE WHEN next_event_id < {n} THEN {n} ELSE next_event_id END, \
               last_sync_at = {t}, last_error = NULL \
             WHERE device_id = {d} AND stream = {s} AND epoch = {e}"
        );
        if b.query().execute(&mut **tx).await?.rows_affected() == 1 {
            return Ok(());
        }
        match current_epoch(tx, device_id, stream).await? {
            Some(current) if current != epoch => {
                return Err(ArchiveError::StaleEpoch {
                    device_id,
                    stream,
                    current,
                    given: epoch,
                });
            }
            // Committed by another writer since the update looked: try again.
            Some(_) => {}
            None if epoch == INITIAL_EPOCH => {
                ensure_cursor(tx, device_id, stream).await?;
            }
            None => {
                return Err(ArchiveError::StaleEpoch {
                    device_id,
                    stream,
                    current: INITIAL_EPOCH,
                    given: epoch,
                });
            }
        }
    }
    // Cannot happen (the cursor exists after the first round); refuse rather than loop.
    let current = current_epoch(tx, device_id, stream)
        .await?
        .unwrap_or(INITIAL_EPOCH);
    Err(ArchiveError::StaleEpoch {
        device_id,
        stream,
        current,
        given: epoch,
    })
}

/// Inside a page's transaction: adds what the page inserted to the cursor's count.
pub(crate) async fn add_stored(
    tx: &mut AnyTransaction<'_>,
    device_id: u32,
    stream: Stream,
    inserted: u64,
) -> Result<()> {
    if inserted == 0 {
        return Ok(());
    }
    let mut b = SqlBuilder::new("");
    let (d, s, i) = (
        b.param(u32_param(device_id)),
        b.param(stream_param(stream)),
        b.param(crate::sql::count_param(inserted)),
    );
    b.sql =
        format!("UPDATE {TABLE} SET stored = stored + {i} WHERE device_id = {d} AND stream = {s}");
    b.query().execute(&mut **tx).await?;
    Ok(())
}

async fn current_epoch(
    tx: &mut AnyTransaction<'_>,
    device_id: u32,
    stream: Stream,
) -> Result<Option<u32>> {
    let mut b = SqlBuilder::new("");
    let (d, s) = (b.param(u32_param(device_id)), b.param(stream_param(stream)));
    b.sql = format!("SELECT epoch FROM {TABLE} WHERE device_id = {d} AND stream = {s}");
    match b.query().fetch_optional(&mut **tx).await? {
        None => Ok(None),
        Some(row) => Ok(Some(get_u32(&row, TABLE, "epoch")?)),
    }
}

impl Archive {
    /// The cursor of one (device, stream), `None` when nothing was ever stored or recorded
    /// for it (a new cursor starts at [`INITIAL_EPOCH`], event 0).
    pub async fn cursor(&self, device_id: u32, stream: Stream) -> Result<Option<Cursor>> {
        let mut b = SqlBuilder::new("");
        let (d, s) = (b.param(u32_param(device_id)), b.param(stream_param(stream)));
        b.sql = format!("SELECT {COLUMNS} FROM {TABLE} WHERE device_id = {d} AND stream = {s}");
        match b.query().fetch_optional(&self.pool).await? {
            None => Ok(None),
            Some(row) => Ok(Some(cursor_from_row(&row)?)),
        }
    }

    /// Every cursor, by device then stream.
    pub async fn cursors(&self) -> Result<Vec<Cursor>> {
        let sql = format!("SELECT {COLUMNS} FROM {TABLE} ORDER BY device_id, stream");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        let mut cursors: Vec<Cursor> = rows.iter().map(cursor_from_row).collect::<Result<_>>()?;
        cursors.sort_by_key(|c| (c.device_id, c.stream));
        Ok(cursors)
    }

    /// Records stored for one (device, stream), all epochs; 0 when none.
    pub async fn stored_count(&self, device_id: u32, stream: Stream) -> Result<u64> {
        Ok(self
            .cursor(device_id, stream)
            .await?
            .map_or(0, |c| c.stored))
    }

    /// An event-ID reset was detected on the device (it returned IDs below the cursor): keeps
    /// everything stored, moves the cursor to a new epoch at event 0 and notes when. Returns
    /// the new epoch; writers still holding the old one are refused from now on.
    pub async fn start_epoch(&self, device_id: u32, stream: Stream, now: i64) -> Result<u32> {
        let mut tx = self.begin_write().await?;
        ensure_cursor(&mut tx, device_id, stream).await?;
        let mut b = SqlBuilder::new("");
        let (d, s, t) = (
            b.param(u32_param(device_id)),
            b.param(stream_param(stream)),
            b.param(Param::Int(now)),
        );
        b.sql = format!(
            "UPDATE {TABLE} SET epoch = epoch + 1, next_event_id = 0, reset_detected_at = {t} \
             WHERE device_id = {d} AND stream = {s} RETURNING epoch"
        );
        let row = b.query().fetch_one(&mut *tx).await?;
        let epoch = epoch_of(crate::sql::get_i64(&row, "epoch")?, device_id, stream)?;
        tx.commit().await?;
        tracing::warn!(device_id, %stream, epoch, "event-ID reset: new archive epoch");
        Ok(epoch)
    }

    /// [`Archive::start_epoch`] for a writer that saw the reset while the cursor was in
    /// `seen_epoch`: only the first of several relays noticing the same reset opens a new
    /// epoch; the others get the epoch already opened. Returns the epoch to write in and
    /// whether this call opened it.
    pub async fn start_epoch_after(
        &self,
        device_id: u32,
        stream: Stream,
        seen_epoch: u32,
        now: i64,
    ) -> Result<(u32, bool)> {
        let mut tx = self.begin_write().await?;
        ensure_cursor(&mut tx, device_id, stream).await?;
        let mut b = SqlBuilder::new("");
        let (d, s, e, t) = (
            b.param(u32_param(device_id)),
            b.param(stream_param(stream)),
            b.param(u32_param(seen_epoch)),
            b.param(Param::Int(now)),
        );
        b.sql = format!(
            "UPDATE {TABLE} SET epoch = epoch + 1, next_event_id = 0, reset_detected_at = {t} \
             WHERE device_id = {d} AND stream = {s} AND epoch = {e} RETURNING epoch"
        );
        let opened = b.query().fetch_optional(&mut *tx).await?;
        let (raw, opened) = match opened {
            Some(row) => (crate::sql::get_i64(&row, "epoch")?, true),
            None => {
                let mut b = SqlBuilder::new("");
                let (d, s) = (b.param(u32_param(device_id)), b.param(stream_param(stream)));
                b.sql = format!("SELECT epoch FROM {TABLE} WHERE device_id = {d} AND stream = {s}");
                let row = b.query().fetch_one(&mut *tx).await?;
                (crate::sql::get_i64(&row, "epoch")?, false)
            }
        };
        let epoch = epoch_of(raw, device_id, stream)?;
        tx.commit().await?;
        if opened {
            tracing::warn!(device_id, %stream, epoch, "event-ID reset: new archive epoch");
        }
        Ok((epoch, opened))
    }

    /// Notes a failed read of one (device, stream); the next stored page clears it.
    pub async fn record_error(
        &self,
        device_id: u32,
        stream: Stream,
        message: &str,
        now: i64,
    ) -> Result<()> {
        let mut b = SqlBuilder::new("");
        let (d, s, e, m, t) = (
            b.param(u32_param(device_id)),
            b.param(stream_param(stream)),
            b.param(u32_param(INITIAL_EPOCH)),
            b.param(Param::Text(message.to_owned())),
            b.param(Param::Int(now)),
        );
        b.sql = format!(
            "INSERT INTO {TABLE} (device_id, stream, epoch, next_event_id, stored, last_error, \
               last_error_at) VALUES ({d}, {s}, {e}, 0, 0, {m}, {t}) \
             ON CONFLICT (device_id, stream) DO UPDATE SET \
               last_error = excluded.last_error, last_error_at = excluded.last_error_at"
        );
        b.query().execute(&self.writer).await?;
        Ok(())
    }
}

/// A stored epoch as `u32`; one past the last possible epoch means the device has reset more
/// often than epochs can count.
fn epoch_of(raw: i64, device_id: u32, stream: Stream) -> Result<u32> {
    match to_u32(raw, TABLE, "epoch") {
        Ok(e) => Ok(e),
        Err(_) if raw == i64::from(u32::MAX) + 1 => Err(ArchiveError::EpochExhausted {
            device_id,
            stream,
            epoch: u32::MAX,
        }),
        Err(e) => Err(e),
    }
}
