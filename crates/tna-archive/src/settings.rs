//! Named settings kept in the archive, so relays sharing one database share them (the timecard
//! policy). Values are text (JSON by convention); the caller parses them.

use crate::Archive;
use crate::error::Result;
use crate::sql::{Param, SqlBuilder, get_string};

impl Archive {
    /// The value of setting `name`, `None` when it was never set.
    pub async fn setting(&self, name: &str) -> Result<Option<String>> {
        let mut b = SqlBuilder::new("");
        let n = b.param(Param::Text(name.to_owned()));
        b.sql = format!("SELECT value FROM setting WHERE name = {n}");
        match b.query().fetch_optional(&self.pool).await? {
            Some(row) => Ok(Some(get_string(&row, "value")?)),
            None => Ok(None),
        }
    }

    /// Sets `name` to `value` (replacing any value it had).
    pub async fn set_setting(&self, name: &str, value: &str) -> Result<()> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let mut tx = self.begin_write().await?;
        let mut b = SqlBuilder::new("");
        let (n, v, t) = (
            b.param(Param::Text(name.to_owned())),
            b.param(Param::Text(value.to_owned())),
            b.param(Param::Int(now)),
        );
        b.sql = format!(
            "INSERT INTO setting (name, value, updated_at) VALUES ({n}, {v}, {t}) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
        );
        b.query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
