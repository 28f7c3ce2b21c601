//! What this browser remembers (`localStorage`): one place to read, keep and forget a setting.
//! A browser without storage (a private window that refuses it) simply remembers nothing.

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The value kept under `key`, if any.
pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Keeps `value` under `key`.
pub fn set(key: &str, value: &str) {
    if let Some(st) = storage() {
        let _ = st.set_item(key, value);
    }
}

/// Forgets `key`.
pub fn remove(key: &str) {
    if let Some(st) = storage() {
        let _ = st.remove_item(key);
    }
}
