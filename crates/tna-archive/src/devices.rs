//! What admins say about devices (`devices.setInfo`): a name, a location and tags per device, in
//! the archive so the relays of one archive (PostgreSQL) show the same names.

use std::collections::BTreeMap;

use tna_types::DeviceInfo;

use crate::Archive;
use crate::error::Result;
use crate::sql::{Param, SqlBuilder, get_i64, get_string, to_u32, u32_param};

impl Archive {
    /// Every device's name, location and tags, by device ID (devices without any are absent).
    pub async fn device_infos(&self) -> Result<BTreeMap<u32, DeviceInfo>> {
        let rows = sqlx::query("SELECT device_id, name, location, tags_json FROM device_info")
            .fetch_all(&self.pool)
            .await?;
        let mut out = BTreeMap::new();
        for row in rows {
            let device_id = to_u32(get_i64(&row, "device_id")?, "device_info", "device_id")?;
            let text = |t: String| (!t.is_empty()).then_some(t);
            let info = DeviceInfo {
                device_id,
                name: text(get_string(&row, "name")?),
                location: text(get_string(&row, "location")?),
                tags: serde_json::from_str(&get_string(&row, "tags_json")?)?,
            };
            out.insert(device_id, info);
        }
        Ok(out)
    }

    /// Keeps `info` for its device, replacing what was kept; an empty one removes the row. The
    /// caller normalizes and validates it first (`DeviceInfo::normalized`,
    /// `tna_types::validate_device_info`).
    pub async fn set_device_info(&self, info: &DeviceInfo) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let mut b = SqlBuilder::new("");
        let id = b.param(u32_param(info.device_id));
        if info.is_empty() {
            b.sql = format!("DELETE FROM device_info WHERE device_id = {id}");
        } else {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
                .unwrap_or(0);
            let (n, l, t, u) = (
                b.param(Param::Text(info.name.clone().unwrap_or_default())),
                b.param(Param::Text(info.location.clone().unwrap_or_default())),
                b.param(Param::Text(serde_json::to_string(&info.tags)?)),
                b.param(Param::Int(now)),
            );
            b.sql = format!(
                "INSERT INTO device_info (device_id, name, location, tags_json, updated_at) \
                 VALUES ({id}, {n}, {l}, {t}, {u}) \
                 ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, \
                 location = excluded.location, tags_json = excluded.tags_json, \
                 updated_at = excluded.updated_at"
            );
        }
        b.query().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
