//! The user directory (`users.*`): which device holds which user under which name, kept per
//! device ([`Archive::store_device_users`] replaces one device's list in one transaction) and
//! one derived row per user — the name most devices give, the devices, the differing names and
//! the search keys — rewritten in the same transaction for the users whose rows changed.
//!
//! Search ([`Archive::directory_page`]): an ID that starts with the query, or a name that
//! contains it, both compared as [`search_key`]s (NFKD, combining marks dropped, lower case), so
//! "muller" finds "Müller" and "MÜL" finds it too. NFKD splits a Hangul syllable into its
//! letters (jamo) on both sides, so "민" finds "김민준" and so does "미", a syllable being typed.
//!
//! No database index serves a substring, and a scan of 100,000 keys in SQL takes ~50 ms (SQLite
//! spends ~0.5 µs a row in its VM), so the keys are searched in memory: [`SearchIndex`] holds
//! every user's ID and keys in user-ID order (Rust's byte order, the same on both backends),
//! read whole once and again whenever the directory changed. Whether it did is one probe: every
//! directory write that changes a row bumps the `user_directory` counter, which writers already
//! take first (so two relays on one PostgreSQL archive see each other's changes at the next
//! search). The page's matching IDs are then read as rows, with first/last seen from the
//! archive's T&A log (`tna_log_user_ts`), two index probes per row returned.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tna_types::users::{DirectoryUser, UsersListParams, UsersPage};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::Result;
use crate::sql::{Param, SqlBuilder, get_i64, get_opt_i64, get_string, to_u32, u32_param};
use crate::{Archive, Backend};

/// The search form of an ID, a name or a query: compatibility decomposition (NFKD), combining
/// marks dropped, lower case.
pub fn search_key(s: &str) -> String {
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Bind parameters in one directory statement: small on SQLite, where sqlx resolves every `$n`
/// by a scan over the statement's parameters (see the crate docs), large on PostgreSQL.
fn params_per_statement(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 320,
        Backend::Postgres => 8_000,
    }
}

/// The archive's cached [`SearchIndex`] (empty until the first search).
#[derive(Clone, Default)]
pub(crate) struct SearchIndexSlot(Arc<tokio::sync::Mutex<Option<Arc<SearchIndex>>>>);

impl std::fmt::Debug for SearchIndexSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchIndexSlot(..)")
    }
}

/// One user's ID and search keys.
struct SearchEntry {
    user_id: String,
    id_key: String,
    name_key: String,
}

/// Every user's search keys in user-ID order, as of one directory version.
pub(crate) struct SearchIndex {
    version: i64,
    entries: Vec<SearchEntry>,
}

impl SearchIndex {
    /// Up to `n` IDs after `after` whose ID key starts with `key` or whose name key contains it
    /// (every ID for an empty key).
    fn page(&self, key: &str, after: Option<&str>, n: usize) -> Vec<String> {
        let start = after.map_or(0, |a| {
            self.entries.partition_point(|e| e.user_id.as_str() <= a)
        });
        self.entries[start..]
            .iter()
            .filter(|e| key.is_empty() || e.id_key.starts_with(key) || e.name_key.contains(key))
            .take(n)
            .map(|e| e.user_id.clone())
            .collect()
    }
}

/// What one device's list changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeviceUsersStored {
    /// Users the device holds now.
    pub users: usize,
    /// Users added, removed or renamed on this device since its last list.
    pub changed: usize,
}

const USER_COLUMNS: &str = "d.user_id, d.name, d.devices_json, d.conflict_json, \
     (SELECT MIN(l.ts) FROM tna_log l WHERE l.user_id = d.user_id) AS first_seen, \
     (SELECT MAX(l.ts) FROM tna_log l WHERE l.user_id = d.user_id) AS last_seen";

impl Archive {
    /// Keeps `users` — `(user ID, name)`, `""` for no name — as everything `device_id` holds,
    /// replacing its previous list, and rewrites the directory rows of the users that changed;
    /// all in one transaction. A device that could not be read must not come here: it keeps
    /// what was known.
    pub async fn store_device_users(
        &self,
        device_id: u32,
        users: &[(String, String)],
        now: i64,
    ) -> Result<DeviceUsersStored> {
        let new: BTreeMap<&str, &str> = users
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str()))
            .collect();
        let mut tx = self.begin_write().await?;
        // Serializes directory writers (see the migration): a row lock, nothing changed yet.
        sqlx::query("UPDATE id_counter SET last_id = last_id WHERE name = 'user_directory'")
            .execute(&mut *tx)
            .await?;
        let mut b = SqlBuilder::new("");
        let d = b.param(u32_param(device_id));
        b.sql = format!("SELECT user_id, name FROM user_device WHERE device_id = {d}");
        let mut old = BTreeMap::new();
        for row in b.query().fetch_all(&mut *tx).await? {
            old.insert(get_string(&row, "user_id")?, get_string(&row, "name")?);
        }
        let gone: Vec<&str> = old
            .iter()
            .filter(|(id, name)| new.get(id.as_str()) != Some(&name.as_str()))
            .map(|(id, _)| id.as_str())
            .collect();
        let added: Vec<(&str, &str)> = new
            .iter()
            .filter(|(id, name)| old.get(**id).map(String::as_str) != Some(**name))
            .map(|(id, name)| (*id, *name))
            .collect();
        let per = params_per_statement(self.backend);
        for chunk in gone.chunks(per - 1) {
            let mut b = SqlBuilder::new("");
            let d = b.param(u32_param(device_id));
            let ids = in_list(&mut b, chunk);
            b.sql = format!("DELETE FROM user_device WHERE device_id = {d} AND user_id IN ({ids})");
            b.query().execute(&mut *tx).await?;
        }
        for chunk in added.chunks(per / 4) {
            let mut b = SqlBuilder::new("");
            let rows: Vec<String> = chunk
                .iter()
                .map(|(id, name)| {
                    format!(
                        "({}, {}, {}, {})",
                        b.param(u32_param(device_id)),
                        b.param(Param::Text((*id).to_owned())),
                        b.param(Param::Text((*name).to_owned())),
                        b.param(Param::Int(now)),
                    )
                })
                .collect();
            b.sql = format!(
                "INSERT INTO user_device (device_id, user_id, name, synced_at) VALUES {}",
                rows.join(",")
            );
            b.query().execute(&mut *tx).await?;
        }
        let changed: BTreeSet<&str> = gone
            .iter()
            .copied()
            .chain(added.iter().map(|(id, _)| *id))
            .collect();
        let changed: Vec<&str> = changed.into_iter().collect();
        for chunk in changed.chunks(per / 7) {
            rederive(&mut tx, chunk, now).await?;
        }
        if !changed.is_empty() {
            // The directory's version: searches reload their keys when it moved.
            sqlx::query(
                "UPDATE id_counter SET last_id = last_id + 1 WHERE name = 'user_directory'",
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(DeviceUsersStored {
            users: new.len(),
            changed: changed.len(),
        })
    }

    /// One page of the directory in user-ID order (byte order), optionally narrowed by a search
    /// (see the module docs).
    pub async fn directory_page(&self, p: &UsersListParams) -> Result<UsersPage> {
        let index = self.search_index().await?;
        let key = search_key(p.query.as_deref().unwrap_or_default().trim());
        let limit = p.limit.max(1) as usize;
        let mut ids = index.page(&key, p.after.as_deref(), limit + 1);
        let more = ids.len() > limit;
        ids.truncate(limit);
        let users = self.directory_users(&ids).await?;
        // A user removed since the keys were read is left out; the cursor still moves past it.
        let next = more.then(|| ids.last().cloned()).flatten();
        Ok(UsersPage { users, next })
    }

    /// The search keys, read again when the directory changed since they were read.
    async fn search_index(&self) -> Result<Arc<SearchIndex>> {
        let mut slot = self.search_index.0.lock().await;
        let row = sqlx::query("SELECT last_id FROM id_counter WHERE name = 'user_directory'")
            .fetch_one(&self.pool)
            .await?;
        let version = get_i64(&row, "last_id")?;
        if let Some(index) = slot.as_ref().filter(|i| i.version == version) {
            return Ok(index.clone());
        }
        // Read after the version: a write in between only makes the keys newer than their
        // label, and the next search reads them once more.
        let rows = sqlx::query("SELECT user_id, id_key, name_key FROM directory_user")
            .fetch_all(&self.pool)
            .await?;
        let mut entries = rows
            .iter()
            .map(|r| {
                Ok(SearchEntry {
                    user_id: get_string(r, "user_id")?,
                    id_key: get_string(r, "id_key")?,
                    name_key: get_string(r, "name_key")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        entries.sort_unstable_by(|a, b| a.user_id.cmp(&b.user_id));
        let index = Arc::new(SearchIndex { version, entries });
        *slot = Some(index.clone());
        Ok(index)
    }

    /// The directory entries of `user_ids` that it holds, in the order asked (each once).
    pub async fn directory_users(&self, user_ids: &[String]) -> Result<Vec<DirectoryUser>> {
        let mut found = BTreeMap::new();
        let ids: Vec<&str> = user_ids.iter().map(String::as_str).collect();
        for chunk in ids.chunks(params_per_statement(self.backend)) {
            let mut b = SqlBuilder::new("");
            let list = in_list(&mut b, chunk);
            b.sql =
                format!("SELECT {USER_COLUMNS} FROM directory_user d WHERE d.user_id IN ({list})");
            for row in b.query().fetch_all(&self.pool).await? {
                let u = user_row(&row)?;
                found.insert(u.user_id.clone(), u);
            }
        }
        Ok(user_ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Which of `user_ids` the directory does not hold.
    pub async fn unknown_users(&self, user_ids: &[&str]) -> Result<Vec<String>> {
        let mut known = BTreeSet::new();
        for chunk in user_ids.chunks(params_per_statement(self.backend)) {
            let mut b = SqlBuilder::new("");
            let list = in_list(&mut b, chunk);
            b.sql = format!("SELECT user_id FROM directory_user WHERE user_id IN ({list})");
            for row in b.query().fetch_all(&self.pool).await? {
                known.insert(get_string(&row, "user_id")?);
            }
        }
        let unknown: BTreeSet<&str> = user_ids
            .iter()
            .copied()
            .filter(|id| !known.contains(*id))
            .collect();
        Ok(unknown.into_iter().map(str::to_owned).collect())
    }

    /// Users in the directory.
    pub async fn directory_size(&self) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM directory_user")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(get_i64(&row, "n")?).unwrap_or(0))
    }
}

/// `$a, $b, …` for `ids`.
fn in_list(b: &mut SqlBuilder, ids: &[&str]) -> String {
    ids.iter()
        .map(|id| b.param(Param::Text((*id).to_owned())))
        .collect::<Vec<_>>()
        .join(",")
}

/// Rewrites the directory rows of `user_ids` from what the devices hold (a user no device holds
/// any more leaves the directory).
async fn rederive(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_ids: &[&str],
    now: i64,
) -> Result<()> {
    let mut b = SqlBuilder::new("");
    let list = in_list(&mut b, user_ids);
    b.sql = format!(
        "SELECT user_id, device_id, name FROM user_device WHERE user_id IN ({list}) \
         ORDER BY user_id, device_id"
    );
    let mut held: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    for row in b.query().fetch_all(&mut **tx).await? {
        held.entry(get_string(&row, "user_id")?).or_default().push((
            to_u32(get_i64(&row, "device_id")?, "user_device", "device_id")?,
            get_string(&row, "name")?,
        ));
    }
    b.sql = format!("DELETE FROM directory_user WHERE user_id IN ({list})");
    b.query().execute(&mut **tx).await?;
    if held.is_empty() {
        return Ok(());
    }
    let mut b = SqlBuilder::new("");
    let mut rows = Vec::with_capacity(held.len());
    for (user_id, devices) in &held {
        let (name, conflict) = chosen_name(devices.iter().map(|(_, n)| n.as_str()));
        let device_ids: Vec<u32> = devices.iter().map(|(d, _)| *d).collect();
        rows.push(format!(
            "({}, {}, {}, {}, {}, {}, {})",
            b.param(Param::Text(user_id.clone())),
            b.param(Param::Text(name.clone())),
            b.param(Param::Text(search_key(user_id))),
            b.param(Param::Text(search_key(&name))),
            b.param(Param::Text(serde_json::to_string(&device_ids)?)),
            b.param(Param::Text(serde_json::to_string(&conflict)?)),
            b.param(Param::Int(now)),
        ));
    }
    b.sql = format!(
        "INSERT INTO directory_user (user_id, name, id_key, name_key, devices_json, \
         conflict_json, updated_at) VALUES {}",
        rows.join(",")
    );
    b.query().execute(&mut **tx).await?;
    Ok(())
}

/// The name most devices give (`""` when none gives one; ties: the smallest), and the differing
/// names when there are several (sorted), else none.
pub fn chosen_name<'a>(names: impl Iterator<Item = &'a str>) -> (String, Vec<String>) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for n in names.filter(|n| !n.is_empty()) {
        *counts.entry(n).or_default() += 1;
    }
    // The largest (count, Reverse(name)): on a tie in count, the smallest name.
    let name = counts
        .iter()
        .max_by_key(|(n, c)| (**c, std::cmp::Reverse(**n)))
        .map(|(n, _)| (*n).to_owned())
        .unwrap_or_default();
    let conflict = if counts.len() > 1 {
        counts.keys().map(|n| (*n).to_owned()).collect()
    } else {
        Vec::new()
    };
    (name, conflict)
}

fn user_row(row: &sqlx::any::AnyRow) -> Result<DirectoryUser> {
    let name = get_string(row, "name")?;
    Ok(DirectoryUser {
        user_id: get_string(row, "user_id")?,
        name: (!name.is_empty()).then_some(name),
        device_ids: serde_json::from_str(&get_string(row, "devices_json")?)?,
        first_seen: get_opt_i64(row, "first_seen")?,
        last_seen: get_opt_i64(row, "last_seen")?,
        name_conflict: serde_json::from_str(&get_string(row, "conflict_json")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_accents_and_split_hangul() {
        assert_eq!(search_key("Müller"), "muller");
        assert_eq!(search_key("ÉLODIE Ñandú"), "elodie nandu");
        assert!(search_key("김민준").contains(&search_key("민")));
        // A syllable still being typed (민 without its final ㄴ) matches too.
        assert!(search_key("김민준").contains(&search_key("미")));
        assert!(!search_key("김민준").contains(&search_key("박")));
    }

    #[test]
    fn the_name_most_devices_give_wins_and_differences_are_listed() {
        assert_eq!(chosen_name(["", ""].into_iter()), (String::new(), vec![]));
        assert_eq!(chosen_name(["Ann", ""].into_iter()), ("Ann".into(), vec![]));
        assert_eq!(
            chosen_name(["Bo", "Ann", "Bo"].into_iter()),
            ("Bo".into(), vec!["Ann".into(), "Bo".into()])
        );
        assert_eq!(
            chosen_name(["Bo", "Ann"].into_iter()).0,
            "Ann",
            "a tie goes to the smallest"
        );
    }
}
