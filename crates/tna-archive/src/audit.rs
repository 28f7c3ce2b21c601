//! The audit trail: who changed what on which devices, kept with the logs.

use std::collections::HashMap;

use sqlx::any::AnyRow;

pub use tna_types::archive::{AuditEntry, AuditQuery, MAX_AUDIT_LIMIT};

use crate::Archive;
use crate::error::Result;
use crate::sql::{
    Param, SqlBuilder, get_i64, get_opt_string, get_string, get_u32, rows_per_statement, u32_param,
    values_rows,
};

/// Most device rows one insert carries.
const MAX_DEVICE_ROWS_PER_INSERT: usize = 1_000;

/// Columns of `audit_device`.
const DEVICE_COLUMNS: usize = 3;

/// The name of the audit entries' sequence in `id_counter`.
const AUDIT_SEQUENCE: &str = "audit_log";

/// The columns of an entry, in [`entry_from_row`]'s order.
const COLUMNS: &str = "id, at, actor, method, before_json, after_json, results_json";

fn entry_from_row(row: &AnyRow) -> Result<AuditEntry> {
    let json = |s: Option<String>| -> Result<Option<serde_json::Value>> {
        Ok(match s {
            None => None,
            Some(s) => Some(serde_json::from_str(&s)?),
        })
    };
    Ok(AuditEntry {
        id: get_i64(row, "id")?,
        at: get_i64(row, "at")?,
        actor: get_string(row, "actor")?,
        method: get_string(row, "method")?,
        device_ids: Vec::new(),
        before: json(get_opt_string(row, "before_json")?)?,
        after: json(get_opt_string(row, "after_json")?)?,
        results: serde_json::from_str(&get_string(row, "results_json")?)?,
    })
}

impl Archive {
    /// Appends an entry (its `id` is ignored) and returns the ID it got. IDs increase in the
    /// order entries are committed, in both backends.
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<i64> {
        let before = entry
            .before
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        let after = entry
            .after
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        let results = serde_json::to_string(&entry.results)?;

        let mut tx = self.begin_write().await?;
        let mut b = SqlBuilder::new("");
        let name = b.param(Param::Text(AUDIT_SEQUENCE.to_owned()));
        b.sql = format!(
            "UPDATE id_counter SET last_id = last_id + 1 WHERE name = {name} RETURNING last_id"
        );
        let id = get_i64(&b.query().fetch_one(&mut *tx).await?, "last_id")?;

        let insert =
            format!("INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        sqlx::query(&insert)
            .bind(id)
            .bind(entry.at)
            .bind(entry.actor.as_str())
            .bind(entry.method.as_str())
            .bind(before)
            .bind(after)
            .bind(results)
            .execute(&mut *tx)
            .await?;

        let per_insert = rows_per_statement(DEVICE_COLUMNS, MAX_DEVICE_ROWS_PER_INSERT);
        let mut position = 0i64;
        for chunk in entry.device_ids.chunks(per_insert) {
            let sql = format!(
                "INSERT INTO audit_device (audit_id, position, device_id) VALUES {}",
                values_rows(chunk.len(), DEVICE_COLUMNS)
            );
            let mut q = sqlx::query(&sql);
            for d in chunk {
                q = q.bind(id).bind(position).bind(i64::from(*d));
                position += 1;
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        tracing::debug!(id, actor = %entry.actor, method = %entry.method, "audit entry");
        Ok(id)
    }

    /// Fails unless the audit trail can be written now: takes the write lock and touches the
    /// entries' sequence without changing it, then rolls back. Cheap (no row is added), and it
    /// fails the way [`Archive::append_audit`] would — a read-only file, a closed pool, a
    /// database that is gone.
    pub async fn check_audit_writable(&self) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE id_counter SET last_id = last_id WHERE name = $1")
            .bind(AUDIT_SEQUENCE)
            .execute(&mut *tx)
            .await?;
        tx.rollback().await?;
        Ok(())
    }

    /// Adds `more` to entry `id` (one bulk operation sent in several calls): its devices are
    /// appended after the entry's, and its `before`, `after` and `results` are merged into the
    /// entry's by [`merge_json`] (objects key by key, arrays appended). The entry keeps its ID,
    /// time, actor and method.
    pub async fn extend_audit(&self, id: i64, more: &AuditEntry) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log WHERE id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let old = entry_from_row(&row)?;
        let merge = |a: Option<serde_json::Value>, b: &Option<serde_json::Value>| match (a, b) {
            (Some(a), Some(b)) => Some(merge_json(a, b.clone())),
            (a, b) => a.or_else(|| b.clone()),
        };
        let before = merge(old.before, &more.before);
        let after = merge(old.after, &more.after);
        let results = merge_json(old.results, more.results.clone());
        let text =
            |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::to_string).transpose();
        sqlx::query(
            "UPDATE audit_log SET before_json = $1, after_json = $2, results_json = $3 \
             WHERE id = $4",
        )
        .bind(text(&before)?)
        .bind(text(&after)?)
        .bind(serde_json::to_string(&results)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let count = sqlx::query("SELECT COUNT(*) AS n FROM audit_device WHERE audit_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let mut position = get_i64(&count, "n")?;
        let per_insert = rows_per_statement(DEVICE_COLUMNS, MAX_DEVICE_ROWS_PER_INSERT);
        for chunk in more.device_ids.chunks(per_insert) {
            let sql = format!(
                "INSERT INTO audit_device (audit_id, position, device_id) VALUES {}",
                values_rows(chunk.len(), DEVICE_COLUMNS)
            );
            let mut q = sqlx::query(&sql);
            for d in chunk {
                q = q.bind(id).bind(position).bind(i64::from(*d));
                position += 1;
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        tracing::debug!(id, method = %more.method, "audit entry extended");
        Ok(())
    }

    /// Audit entries matching `q`, newest (highest ID) first.
    pub async fn list_audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = q.limit.clamp(1, MAX_AUDIT_LIMIT);
        let mut b = SqlBuilder::new("");
        let mut c = Vec::new();
        if let Some(from) = q.from {
            c.push(format!("at >= {}", b.param(Param::Int(from))));
        }
        if let Some(to) = q.to {
            c.push(format!("at < {}", b.param(Param::Int(to))));
        }
        if let Some(actor) = &q.actor {
            c.push(format!("actor = {}", b.param(Param::Text(actor.clone()))));
        }
        if let Some(method) = &q.method {
            c.push(format!("method = {}", b.param(Param::Text(method.clone()))));
        }
        if let Some(device) = q.device_id {
            c.push(format!(
                "EXISTS (SELECT 1 FROM audit_device d WHERE d.audit_id = audit_log.id \
                 AND d.device_id = {})",
                b.param(u32_param(device))
            ));
        }
        if let Some(before) = q.before_id {
            c.push(format!("id < {}", b.param(Param::Int(before))));
        }
        let lim = b.param(Param::Int(i64::from(limit)));
        b.sql = format!("SELECT {COLUMNS} FROM audit_log");
        b.push_where(&c);
        b.sql.push_str(&format!(" ORDER BY id DESC LIMIT {lim}"));
        let rows = b.query().fetch_all(&self.pool).await?;
        let mut entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>>>()?;
        if entries.is_empty() {
            return Ok(entries);
        }

        let mut d = SqlBuilder::new("");
        let ids: Vec<String> = entries.iter().map(|e| d.param(Param::Int(e.id))).collect();
        d.sql = format!(
            "SELECT audit_id, device_id FROM audit_device WHERE audit_id IN ({}) \
             ORDER BY audit_id, position",
            ids.join(", ")
        );
        let index: HashMap<i64, usize> =
            entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        for row in d.query().fetch_all(&self.pool).await? {
            let audit_id = get_i64(&row, "audit_id")?;
            let device = get_u32(&row, "audit_device", "device_id")?;
            if let Some(e) = index.get(&audit_id).and_then(|&i| entries.get_mut(i)) {
                e.device_ids.push(device);
            }
        }
        Ok(entries)
    }
}

/// `b` merged into `a`: equal values kept once, objects key by key (recursively), arrays
/// appended, and two different other values become `[a, b]`.
pub fn merge_json(a: serde_json::Value, b: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match (a, b) {
        (a, b) if a == b => a,
        (Value::Object(mut a), Value::Object(b)) => {
            for (k, v) in b {
                let merged = match a.remove(&k) {
                    Some(old) => merge_json(old, v),
                    None => v,
                };
                a.insert(k, merged);
            }
            Value::Object(a)
        }
        (Value::Array(mut a), Value::Array(b)) => {
            a.extend(b);
            Value::Array(a)
        }
        (a, b) => Value::Array(vec![a, b]),
    }
}

#[cfg(test)]
mod tests {
    use super::merge_json;
    use serde_json::json;

    #[test]
    fn batches_merge_into_one() {
        let a = json!({"results": [{"deviceId": 1}], "cfg": {"mode": 1}, "note": "x"});
        let b = json!({"results": [{"deviceId": 2}], "cfg": {"mode": 1}, "note": "y"});
        let same = json!({"labels": ["In", "Out"]});
        assert_eq!(merge_json(same.clone(), same.clone()), same);
        assert_eq!(
            merge_json(a, b),
            json!({"results": [{"deviceId": 1}, {"deviceId": 2}], "cfg": {"mode": 1}, "note": ["x", "y"]})
        );
    }
}
