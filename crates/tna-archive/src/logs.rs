//! The event tables: storing device pages (records and cursor in one transaction) and reading
//! them back across devices in archive order, with keyset paging.

use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::query::Query;
pub use tna_types::archive::{
    Archived, ArchivedJobCodeLog, ArchivedTnaLog, LogQuery, MAX_QUERY_DEVICES, MAX_QUERY_LIMIT,
    QueryCursor, QueryPage,
};
use tna_types::{JobCodeLog, TnaLog};

use crate::cursor::{Stream, add_stored, claim_for_page};
use crate::error::{ArchiveError, Result};
use crate::sql::{
    Param, SqlBuilder, get_i64, get_opt_i64, get_string, get_u32, key_from_sql, key_to_sql,
    rows_per_statement, u32_param, values_rows,
};
use crate::{Archive, Backend};

/// Most rows one multi-row `INSERT` carries on PostgreSQL (fewer when the bind-parameter limit
/// says so).
pub const MAX_ROWS_PER_INSERT: usize = 1_000;

/// Rows per multi-row `INSERT` on SQLite. sqlx binds each `$n` after looking its name up in a
/// list, so a statement's binding cost grows with the square of its parameters: measured best
/// between 25 and 50 rows of 8 columns.
pub const SQLITE_ROWS_PER_INSERT: usize = 40;

/// Columns every event table has, in insert order; the stream's own column follows.
const COMMON_COLUMNS: [&str; 7] = [
    "device_id",
    "epoch",
    "event_id",
    "ts",
    "user_id",
    "event_code",
    "sub_code",
];

/// The archive's reading order (and the keyset).
const ORDER: &str = "ts, device_id, epoch, event_id";

/// A device record kind with a table of its own.
pub(crate) trait LogRecord: Sized {
    /// Its stream.
    const STREAM: Stream;
    /// Its table.
    const TABLE: &'static str;
    /// The stream's own column after [`COMMON_COLUMNS`].
    const OWN_COLUMN: &'static str;

    /// The device the record names.
    fn device_id(&self) -> u32;
    /// The device's event ID.
    fn event_id(&self) -> u32;
    /// The timestamp.
    fn timestamp(&self) -> u32;
    /// Binds the record's columns after `device_id` and `epoch`.
    fn bind_rest<'q>(
        &'q self,
        q: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>>;
    /// Reads a record back.
    fn from_row(row: &AnyRow) -> Result<Archived<Self>>;
}

/// Columns per row of any event table.
const COLUMNS_PER_ROW: usize = COMMON_COLUMNS.len() + 1;

/// Rows per multi-row insert on `backend`.
const fn rows_per_insert(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => rows_per_statement(COLUMNS_PER_ROW, SQLITE_ROWS_PER_INSERT),
        Backend::Postgres => rows_per_statement(COLUMNS_PER_ROW, MAX_ROWS_PER_INSERT),
    }
}

fn columns<R: LogRecord>() -> String {
    format!("{}, {}", COMMON_COLUMNS.join(", "), R::OWN_COLUMN)
}

fn common_fields(
    row: &AnyRow,
    table: &'static str,
) -> Result<(u32, u32, u32, u32, String, u32, u32)> {
    Ok((
        get_u32(row, table, "device_id")?,
        get_u32(row, table, "epoch")?,
        get_u32(row, table, "event_id")?,
        get_u32(row, table, "ts")?,
        get_string(row, "user_id")?,
        get_u32(row, table, "event_code")?,
        get_u32(row, table, "sub_code")?,
    ))
}

impl LogRecord for TnaLog {
    const STREAM: Stream = Stream::Tna;
    const TABLE: &'static str = "tna_log";
    const OWN_COLUMN: &'static str = "tna_key";

    fn device_id(&self) -> u32 {
        self.device_id
    }
    fn event_id(&self) -> u32 {
        self.id
    }
    fn timestamp(&self) -> u32 {
        self.timestamp
    }
    fn bind_rest<'q>(
        &'q self,
        q: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        q.bind(i64::from(self.id))
            .bind(i64::from(self.timestamp))
            .bind(self.user_id.as_str())
            .bind(i64::from(self.event_code))
            .bind(i64::from(self.sub_code))
            .bind(key_to_sql(self.tna_key))
    }
    fn from_row(row: &AnyRow) -> Result<Archived<Self>> {
        let (device_id, epoch, id, timestamp, user_id, event_code, sub_code) =
            common_fields(row, Self::TABLE)?;
        Ok(Archived {
            epoch,
            log: TnaLog {
                id,
                timestamp,
                device_id,
                user_id,
                event_code,
                sub_code,
                tna_key: key_from_sql(get_opt_i64(row, "tna_key")?, Self::TABLE)?,
            },
        })
    }
}

impl LogRecord for JobCodeLog {
    const STREAM: Stream = Stream::JobCode;
    const TABLE: &'static str = "job_code_log";
    const OWN_COLUMN: &'static str = "job_code";

    fn device_id(&self) -> u32 {
        self.device_id
    }
    fn event_id(&self) -> u32 {
        self.id
    }
    fn timestamp(&self) -> u32 {
        self.timestamp
    }
    fn bind_rest<'q>(
        &'q self,
        q: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        q.bind(i64::from(self.id))
            .bind(i64::from(self.timestamp))
            .bind(self.user_id.as_str())
            .bind(i64::from(self.event_code))
            .bind(i64::from(self.sub_code))
            .bind(i64::from(self.job_code))
    }
    fn from_row(row: &AnyRow) -> Result<Archived<Self>> {
        let (device_id, epoch, id, timestamp, user_id, event_code, sub_code) =
            common_fields(row, Self::TABLE)?;
        Ok(Archived {
            epoch,
            log: JobCodeLog {
                id,
                timestamp,
                device_id,
                user_id,
                event_code,
                sub_code,
                job_code: get_u32(row, Self::TABLE, "job_code")?,
            },
        })
    }
}

fn insert_sql<R: LogRecord>(rows: usize) -> String {
    format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT (device_id, epoch, event_id) DO NOTHING",
        R::TABLE,
        columns::<R>(),
        values_rows(rows, COLUMNS_PER_ROW)
    )
}

/// The `WHERE` conditions of `q`; `None` when it can match nothing.
fn filters(b: &mut SqlBuilder, q: &LogQuery, with_after: bool) -> Option<Vec<String>> {
    let mut c = Vec::new();
    if let Some(from) = q.from {
        c.push(format!("ts >= {}", b.param(u32_param(from))));
    }
    if let Some(to) = q.to {
        c.push(format!("ts < {}", b.param(u32_param(to))));
    }
    if let Some(user) = &q.user_id {
        c.push(format!("user_id = {}", b.param(Param::Text(user.clone()))));
    }
    if let Some(devices) = &q.device_ids {
        let mut devices = devices.clone();
        devices.sort_unstable();
        devices.dedup();
        if devices.is_empty() {
            return None;
        }
        let list: Vec<String> = devices.iter().map(|d| b.param(u32_param(*d))).collect();
        c.push(format!("device_id IN ({})", list.join(", ")));
    }
    if with_after && let Some(a) = q.after {
        let (t, d, e, i) = (
            b.param(u32_param(a.timestamp)),
            b.param(u32_param(a.device_id)),
            b.param(u32_param(a.epoch)),
            b.param(u32_param(a.event_id)),
        );
        c.push(format!("({ORDER}) > ({t}, {d}, {e}, {i})"));
    }
    Some(c)
}

fn check_devices(q: &LogQuery) -> Result<()> {
    match &q.device_ids {
        Some(d) if d.len() > MAX_QUERY_DEVICES => Err(ArchiveError::BadQuery(format!(
            "a query may name at most {MAX_QUERY_DEVICES} devices, got {}",
            d.len()
        ))),
        _ => Ok(()),
    }
}

impl Archive {
    /// Stores one page of a device's T&A log read in `epoch` and moves the cursor to
    /// `next_event_id`, in one transaction; see [`Archive::store_job_code_page`] for the rules.
    /// Returns how many records were new.
    pub async fn store_tna_page(
        &self,
        device_id: u32,
        epoch: u32,
        logs: &[TnaLog],
        next_event_id: u32,
        now: i64,
    ) -> Result<u64> {
        self.store_page(device_id, epoch, logs, next_event_id, now)
            .await
    }

    /// Stores one page of a device's job-code log read in `epoch` and moves the cursor to
    /// `next_event_id`, in one transaction. Records already stored (same device, epoch, event
    /// ID) are skipped and not counted. The cursor's `next_event_id` never moves back within
    /// an epoch; `last_sync_at` becomes `now` and `last_error` is cleared. Refused, with
    /// nothing written, when the cursor is in another epoch ([`ArchiveError::StaleEpoch`]) or
    /// a record names another device ([`ArchiveError::ForeignRecord`]). Returns how many
    /// records were new.
    pub async fn store_job_code_page(
        &self,
        device_id: u32,
        epoch: u32,
        logs: &[JobCodeLog],
        next_event_id: u32,
        now: i64,
    ) -> Result<u64> {
        self.store_page(device_id, epoch, logs, next_event_id, now)
            .await
    }

    async fn store_page<R: LogRecord>(
        &self,
        device_id: u32,
        epoch: u32,
        logs: &[R],
        next_event_id: u32,
        now: i64,
    ) -> Result<u64> {
        if let Some(r) = logs.iter().find(|r| r.device_id() != device_id) {
            return Err(ArchiveError::ForeignRecord {
                device_id,
                record_device_id: r.device_id(),
                event_id: r.event_id(),
            });
        }
        let mut tx = self.begin_write().await?;
        claim_for_page(&mut tx, device_id, R::STREAM, epoch, next_event_id, now).await?;
        let mut inserted = 0u64;
        for chunk in logs.chunks(rows_per_insert(self.backend)) {
            let sql = insert_sql::<R>(chunk.len());
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = r.bind_rest(q.bind(i64::from(device_id)).bind(i64::from(epoch)));
            }
            inserted += q.execute(&mut *tx).await?.rows_affected();
        }
        add_stored(&mut tx, device_id, R::STREAM, inserted).await?;
        tx.commit().await?;
        tracing::debug!(
            device_id,
            stream = %R::STREAM,
            epoch,
            next_event_id,
            received = logs.len(),
            inserted,
            "stored log page"
        );
        Ok(inserted)
    }

    /// The timestamp of one stored event, `None` when it is not stored. The sync compares it
    /// with the device's record of the same ID to tell "the same event" from "a new event that
    /// got a reused ID after the device started numbering again".
    pub async fn stored_timestamp(
        &self,
        device_id: u32,
        stream: Stream,
        epoch: u32,
        event_id: u32,
    ) -> Result<Option<u32>> {
        let table = match stream {
            Stream::Tna => <TnaLog as LogRecord>::TABLE,
            Stream::JobCode => <JobCodeLog as LogRecord>::TABLE,
        };
        let mut b = SqlBuilder::new("");
        let (d, e, i) = (
            b.param(u32_param(device_id)),
            b.param(u32_param(epoch)),
            b.param(u32_param(event_id)),
        );
        b.sql = format!(
            "SELECT ts FROM {table} WHERE device_id = {d} AND epoch = {e} AND event_id = {i}"
        );
        match b.query().fetch_optional(&self.pool).await? {
            Some(row) => Ok(Some(get_u32(&row, table, "ts")?)),
            None => Ok(None),
        }
    }

    /// A device's stored T&A events of its current epoch from event ID `start` on, in ID order,
    /// at most `limit`: the device's log as the archive holds it, read the way a device is
    /// (empty when the archive has no cursor for the device).
    pub async fn tna_from_event(
        &self,
        device_id: u32,
        start: u32,
        limit: u32,
    ) -> Result<Vec<TnaLog>> {
        let Some(cursor) = self.cursor(device_id, Stream::Tna).await? else {
            return Ok(Vec::new());
        };
        let limit = limit.clamp(1, MAX_QUERY_LIMIT);
        let mut b = SqlBuilder::new("");
        let (d, e, i, n) = (
            b.param(u32_param(device_id)),
            b.param(u32_param(cursor.epoch)),
            b.param(u32_param(start)),
            b.param(Param::Int(i64::from(limit))),
        );
        b.sql = format!(
            "SELECT {} FROM {} WHERE device_id = {d} AND epoch = {e} AND event_id >= {i} \
             ORDER BY event_id LIMIT {n}",
            columns::<TnaLog>(),
            <TnaLog as LogRecord>::TABLE
        );
        let rows = b.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| TnaLog::from_row(r).map(|a| a.log))
            .collect()
    }

    /// One page of stored T&A events matching `q`, across devices, in archive order.
    pub async fn query_tna(&self, q: &LogQuery) -> Result<QueryPage<ArchivedTnaLog>> {
        self.query::<TnaLog>(q).await
    }

    /// How many stored T&A events match `q` (`after` and `limit` are ignored).
    pub async fn count_tna(&self, q: &LogQuery) -> Result<u64> {
        self.count::<TnaLog>(q).await
    }

    /// One page of stored job-code events matching `q`, across devices, in archive order.
    pub async fn query_job_codes(&self, q: &LogQuery) -> Result<QueryPage<ArchivedJobCodeLog>> {
        self.query::<JobCodeLog>(q).await
    }

    /// How many stored job-code events match `q` (`after` and `limit` are ignored).
    pub async fn count_job_codes(&self, q: &LogQuery) -> Result<u64> {
        self.count::<JobCodeLog>(q).await
    }

    async fn query<R: LogRecord>(&self, q: &LogQuery) -> Result<QueryPage<Archived<R>>> {
        check_devices(q)?;
        let limit = q.limit.clamp(1, MAX_QUERY_LIMIT);
        let mut b = SqlBuilder::new("");
        let Some(conditions) = filters(&mut b, q, true) else {
            return Ok(QueryPage {
                rows: Vec::new(),
                next: None,
            });
        };
        // One row more than asked says whether another page follows.
        let lim = b.param(Param::Int(i64::from(limit) + 1));
        b.sql = format!("SELECT {} FROM {}", columns::<R>(), R::TABLE);
        b.push_where(&conditions);
        b.sql.push_str(&format!(" ORDER BY {ORDER} LIMIT {lim}"));
        let rows = b.query().fetch_all(&self.pool).await?;
        let mut out = rows
            .iter()
            .map(R::from_row)
            .collect::<Result<Vec<Archived<R>>>>()?;
        let more = out.len() > limit as usize;
        out.truncate(limit as usize);
        let next = match out.last() {
            Some(last) if more => Some(QueryCursor {
                timestamp: last.log.timestamp(),
                device_id: last.log.device_id(),
                epoch: last.epoch,
                event_id: last.log.event_id(),
            }),
            _ => None,
        };
        Ok(QueryPage { rows: out, next })
    }

    async fn count<R: LogRecord>(&self, q: &LogQuery) -> Result<u64> {
        check_devices(q)?;
        let mut b = SqlBuilder::new("");
        let Some(conditions) = filters(&mut b, q, false) else {
            return Ok(0);
        };
        b.sql = format!("SELECT COUNT(*) AS n FROM {}", R::TABLE);
        b.push_where(&conditions);
        let row = b.query().fetch_one(&self.pool).await?;
        let n = get_i64(&row, "n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
