//! Building the one SQL dialect both backends run: `$n` placeholders (SQLite reads `$1` as
//! parameter 1, PostgreSQL natively), bound through the `Any` driver; and reading columns back
//! into the crate's types with range checks.

use sqlx::Row;
use sqlx::any::{Any, AnyArguments, AnyRow};
use sqlx::query::Query;
use tna_types::config::TnaKey;

use crate::error::{ArchiveError, Result};

/// SQLite's default cap on bind parameters in one statement (`SQLITE_MAX_VARIABLE_NUMBER`
/// since 3.32). PostgreSQL allows 65535, so chunking for SQLite suits both.
pub const MAX_BIND_PARAMS: usize = 32_766;

/// A value to bind, owned so a statement can be assembled piece by piece.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    /// An integer column.
    Int(i64),
    /// A text column.
    Text(String),
}

/// A statement under construction and the parameters its placeholders stand for, in order.
#[derive(Debug, Default)]
pub(crate) struct SqlBuilder {
    /// The SQL so far.
    pub sql: String,
    params: Vec<Param>,
}

impl SqlBuilder {
    /// Starts with `sql`.
    pub fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_owned(),
            params: Vec::new(),
        }
    }

    /// Adds `p` and returns its placeholder (`$n`).
    pub fn param(&mut self, p: Param) -> String {
        self.params.push(p);
        format!("${}", self.params.len())
    }

    /// Appends `WHERE a AND b …` when there are conditions.
    pub fn push_where(&mut self, conditions: &[String]) {
        if !conditions.is_empty() {
            self.sql.push_str(" WHERE ");
            self.sql.push_str(&conditions.join(" AND "));
        }
    }

    /// The query with every parameter bound.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut q = sqlx::query(&self.sql);
        for p in &self.params {
            q = match p {
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.as_str()),
            };
        }
        q
    }
}

/// `($k, $k+1, …), (…)` for `rows` rows of `columns` columns, numbered from `$1`.
pub(crate) fn values_rows(rows: usize, columns: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(rows * columns * 7);
    let mut n = 0usize;
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..columns {
            if c > 0 {
                s.push(',');
            }
            n += 1;
            // Writing to a String cannot fail.
            let _ = write!(s, "${n}");
        }
        s.push(')');
    }
    s
}

/// How many rows of `columns` columns fit in one statement, at most `cap`.
pub(crate) const fn rows_per_statement(columns: usize, cap: usize) -> usize {
    let fit = MAX_BIND_PARAMS / columns;
    if fit < cap { fit } else { cap }
}

/// A `u32` for an integer column.
pub(crate) fn u32_param(v: u32) -> Param {
    Param::Int(i64::from(v))
}

/// Reads an integer column.
pub(crate) fn get_i64(row: &AnyRow, column: &'static str) -> Result<i64> {
    Ok(row.try_get::<i64, _>(column)?)
}

/// Reads a nullable integer column.
pub(crate) fn get_opt_i64(row: &AnyRow, column: &'static str) -> Result<Option<i64>> {
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

/// Reads a text column.
pub(crate) fn get_string(row: &AnyRow, column: &'static str) -> Result<String> {
    Ok(row.try_get::<String, _>(column)?)
}

/// Reads a nullable text column.
pub(crate) fn get_opt_string(row: &AnyRow, column: &'static str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

/// Reads an integer column that must fit a `u32`.
pub(crate) fn get_u32(row: &AnyRow, table: &'static str, column: &'static str) -> Result<u32> {
    to_u32(get_i64(row, column)?, table, column)
}

/// Reads an integer column that must not be negative.
pub(crate) fn get_u64(row: &AnyRow, table: &'static str, column: &'static str) -> Result<u64> {
    let v = get_i64(row, column)?;
    u64::try_from(v).map_err(|_| corrupt(table, column, format!("{v} is negative")))
}

/// `v` as a `u32`, or a [`ArchiveError::Corrupt`] naming the column.
pub(crate) fn to_u32(v: i64, table: &'static str, column: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(table, column, format!("{v} is not a u32")))
}

/// A count as stored (counts never reach `i64::MAX`; saturate rather than wrap).
pub(crate) fn count_param(v: u64) -> Param {
    Param::Int(i64::try_from(v).unwrap_or(i64::MAX))
}

/// A T&A key as stored: its number 1..=16, or NULL.
pub(crate) fn key_to_sql(key: Option<TnaKey>) -> Option<i64> {
    key.map(|k| i64::from(k.number()))
}

/// A stored T&A key back.
pub(crate) fn key_from_sql(v: Option<i64>, table: &'static str) -> Result<Option<TnaKey>> {
    match v {
        None => Ok(None),
        Some(n) => u8::try_from(n)
            .ok()
            .and_then(|n| TnaKey::new(n).ok())
            .map(Some)
            .ok_or_else(|| corrupt(table, "tna_key", format!("{n} is not a T&A key 1..=16"))),
    }
}

fn corrupt(table: &'static str, column: &'static str, detail: String) -> ArchiveError {
    ArchiveError::Corrupt {
        table,
        column,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_rows_numbers_every_placeholder_once() {
        assert_eq!(values_rows(2, 3), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(values_rows(1, 1), "($1)");
    }

    #[test]
    fn rows_per_statement_respects_the_bind_limit() {
        assert_eq!(rows_per_statement(8, 1_000), 1_000);
        assert_eq!(rows_per_statement(8, 100_000), MAX_BIND_PARAMS / 8);
        assert!(rows_per_statement(8, 100_000) * 8 <= MAX_BIND_PARAMS);
    }

    #[test]
    fn keys_round_trip_and_bad_numbers_are_corrupt() {
        for k in TnaKey::all() {
            assert_eq!(key_from_sql(key_to_sql(Some(k)), "t").ok(), Some(Some(k)));
        }
        assert!(matches!(key_from_sql(None, "t"), Ok(None)));
        assert!(key_from_sql(Some(0), "t").is_err());
        assert!(key_from_sql(Some(17), "t").is_err());
        assert!(key_from_sql(Some(-1), "t").is_err());
    }
}
