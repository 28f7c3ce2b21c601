//! The user directory (`users.list`, `users.get`, `users.sync`): who the devices hold, by ID and
//! name. The relay reads each device's users (`User.GetList`, then `User.GetPartial` with the
//! header and name masks only — never credentials) and keeps one directory in its archive.

use serde::{Deserialize, Serialize};

/// One person of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryUser {
    /// The user ID the devices know the person by.
    pub user_id: String,
    /// The name the devices give; absent when none does (devices without name support answer
    /// none): show the ID alone. When devices disagree, the name most of them give (ties: the
    /// smallest in string order), and [`DirectoryUser::name_conflict`] lists them all.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub name: Option<String>,
    /// The devices that hold the user, ascending (absent for a kiosk).
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub device_ids: Vec<u32>,
    /// The user's first T&A event in the archive (Unix seconds); absent when it holds none.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub first_seen: Option<i64>,
    /// The user's last T&A event in the archive (Unix seconds); absent when it holds none.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub last_seen: Option<i64>,
    /// The differing names when devices disagree (sorted, each once); absent when they agree.
    #[serde(default, skip_serializing_if = "crate::binary::omit_empty")]
    pub name_conflict: Vec<String>,
}

impl DirectoryUser {
    /// What a kiosk may see of the user: the ID and the name, nothing else.
    pub fn display_only(self) -> DirectoryUser {
        DirectoryUser {
            user_id: self.user_id,
            name: self.name,
            device_ids: Vec::new(),
            first_seen: None,
            last_seen: None,
            name_conflict: Vec::new(),
        }
    }
}

/// `users.list` params: a search and a page of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsersListParams {
    /// Matches users whose ID starts with it, or whose name contains it — case- and
    /// accent-insensitively (Hangul too: a syllable's first letters match it); absent or blank:
    /// everyone. At most [`crate::limits::MAX_USER_QUERY_CHARS`] characters.
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub query: Option<String>,
    /// Users in the page: 1 ..= [`crate::limits::MAX_USERS_PAGE`].
    pub limit: u32,
    /// The `next` of the previous page: users after this ID (string order).
    #[serde(default, skip_serializing_if = "crate::binary::omit_none")]
    pub after: Option<String>,
}

/// `users.list` result: users in user-ID string order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersPage {
    /// The page.
    pub users: Vec<DirectoryUser>,
    /// Pass as `after` for the next page; `null` on the last one.
    pub next: Option<String>,
}

/// `users.get` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsersGetParams {
    /// The users (at most [`crate::limits::MAX_USERS_PER_CALL`]).
    pub user_ids: Vec<String>,
}

/// `users.get` result: the users the directory knows, in request order (unknown IDs left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersResult {
    /// The users found.
    pub users: Vec<DirectoryUser>,
}

/// `users.sync` params: which devices to read now (all connected ones when left out).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsersSyncParams {
    /// The devices; every connected device when `None`.
    #[serde(default)]
    pub device_ids: Option<Vec<u32>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_without_a_name_is_its_id_alone() {
        let u = DirectoryUser {
            user_id: "1001".into(),
            name: None,
            device_ids: vec![540000001],
            first_seen: None,
            last_seen: None,
            name_conflict: Vec::new(),
        };
        assert_eq!(
            serde_json::to_value(&u).expect("json"),
            serde_json::json!({"userId": "1001", "deviceIds": [540000001]})
        );
        let named = DirectoryUser {
            name: Some("김민준".into()),
            first_seen: Some(1),
            last_seen: Some(2),
            name_conflict: vec!["Kim Minjun".into(), "김민준".into()],
            ..u
        };
        let v = serde_json::to_value(&named).expect("json");
        assert_eq!(v["nameConflict"][1], "김민준");
        assert_eq!(
            serde_json::from_value::<DirectoryUser>(v).expect("back"),
            named
        );
        assert_eq!(
            serde_json::to_value(named.display_only()).expect("json"),
            serde_json::json!({"userId": "1001", "name": "김민준"})
        );
    }
}
