//! People by name. One store per page tree maps user IDs to the names the relay's directory
//! holds (`users.get`), filled in batches as views ask for them, so everywhere a user appears
//! shows "Name (ID)" — or the ID alone when the directory has no name for it (devices without
//! name support, or a user not read yet).
//!
//! A view reads [`UserNames::name`] inside its reactive closure: an ID the store has not seen is
//! queued, one `users.get` per [`MAX_USERS_PER_CALL`] IDs is sent on the next tick, and the view
//! re-renders when the answer arrives. Each ID is asked once per page tree.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use tna_types::limits::MAX_USERS_PER_CALL;

use crate::api::ApiClient;

/// The store (cheap to copy; provided as context by the app roots).
#[derive(Clone, Copy)]
pub struct UserNames {
    /// ID → name; `None` once asked and the directory has no name (or no such user).
    names: RwSignal<HashMap<String, Option<String>>>,
    /// IDs queued for the next `users.get`.
    wanted: StoredValue<Vec<String>>,
    /// A flush is scheduled.
    scheduled: StoredValue<bool>,
    api: ApiClient,
}

/// Creates the store for everything below (the console and the kiosk roots call it).
pub fn provide_user_names(api: ApiClient) -> UserNames {
    let store = UserNames {
        names: RwSignal::new(HashMap::new()),
        wanted: StoredValue::new(Vec::new()),
        scheduled: StoredValue::new(false),
        api,
    };
    provide_context(store);
    store
}

/// The store, where a root provided one (component tests mount without it: IDs alone).
pub fn use_user_names() -> Option<UserNames> {
    use_context::<UserNames>()
}

impl UserNames {
    /// The name of `user_id`, if the directory has one (reactive: re-read when it arrives).
    pub fn name(&self, user_id: &str) -> Option<String> {
        if user_id.is_empty() {
            return None;
        }
        let known = self.names.with(|m| m.get(user_id).cloned());
        match known {
            Some(name) => name,
            None => {
                self.want(user_id);
                None
            }
        }
    }

    /// Names already known for these IDs, without asking (for exports of rows on screen).
    pub fn known(&self, user_id: &str) -> Option<String> {
        self.names
            .with_untracked(|m| m.get(user_id).cloned().flatten())
    }

    /// Reads the names of those of `ids` not known yet, and waits for them (before an export
    /// of rows that were never on screen).
    pub async fn load(&self, ids: impl IntoIterator<Item = String>) {
        let mut unknown: Vec<String> = ids
            .into_iter()
            .filter(|id| !id.is_empty() && self.names.with_untracked(|m| !m.contains_key(id)))
            .collect();
        crate::order::sort_unique(&mut unknown);
        for chunk in unknown.chunks(MAX_USERS_PER_CALL) {
            self.answer(chunk, self.api.get_users(chunk.to_vec()).await);
        }
    }

    /// Keeps the answer for `asked`: every asked ID gets one (so none is asked again and again).
    fn answer(
        &self,
        asked: &[String],
        found: Result<Vec<tna_types::users::DirectoryUser>, crate::api::ApiError>,
    ) {
        // A failed call (the relay unreachable) records nothing: the IDs are asked again the
        // next time a view shows them.
        let Ok(users) = found else { return };
        self.names.update(|m| {
            for id in asked {
                m.entry(id.clone()).or_insert(None);
            }
            for u in users {
                m.insert(u.user_id, u.name);
            }
        });
    }

    fn want(&self, user_id: &str) {
        self.wanted.update_value(|w| {
            if !w.iter().any(|x| x == user_id) {
                w.push(user_id.to_string());
            }
        });
        if self.scheduled.get_value() {
            return;
        }
        self.scheduled.set_value(true);
        let store = *self;
        spawn_local(async move { store.flush().await });
    }

    async fn flush(self) {
        let ids = self
            .wanted
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        self.scheduled.set_value(false);
        for chunk in ids.chunks(MAX_USERS_PER_CALL) {
            self.answer(chunk, self.api.get_users(chunk.to_vec()).await);
        }
    }
}

/// "Name (ID)", or the ID alone: how a user reads in text (CSV, titles).
pub fn user_label(user_id: &str, name: Option<&str>) -> String {
    match name {
        Some(n) if !n.is_empty() => format!("{n} ({user_id})"),
        _ => user_id.to_string(),
    }
}

/// A user as every page shows one: the name with the ID beside it, or the ID alone. With
/// `name_only` (a table that has its own ID column) the name alone, or nothing.
#[component]
pub fn UserName(#[prop(into)] user_id: String, #[prop(optional)] name_only: bool) -> impl IntoView {
    let store = use_user_names();
    let id = user_id.clone();
    let name = move || store.and_then(|s| s.name(&id));
    let shown = user_id.clone();
    view! {
        <span class="user-name" data-testid="user-name" data-user-id=user_id>
            {move || match (name(), name_only) {
                (Some(n), false) => view! {
                    <span class="user-full-name">{n}</span>
                    " "
                    <span class="muted mono user-id">{shown.clone()}</span>
                }
                    .into_any(),
                (Some(n), true) => view! { <span class="user-full-name">{n}</span> }.into_any(),
                (None, false) => view! { <span class="mono user-id">{shown.clone()}</span> }.into_any(),
                (None, true) => ().into_any(),
            }}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_reads_as_name_and_id_or_id_alone() {
        assert_eq!(user_label("1001", Some("김민준")), "김민준 (1001)");
        assert_eq!(user_label("1001", Some("")), "1001");
        assert_eq!(user_label("1001", None), "1001");
    }
}
