//! The kiosk as an installed app on a reception tablet: the service worker that lets it start
//! without the network (`pwa/sw.js`, copied to `/kiosk/sw.js`), the screen kept on (Screen Wake
//! Lock, taken again whenever the page becomes visible), a first-start prompt to enter full
//! screen, and new versions picked up without anyone touching the tablet (the page compares the
//! relay's kiosk page with its own and reloads between punches).
//!
//! These browser APIs are reached through `js_sys::Reflect`: some are not in `web-sys` without
//! its unstable flag (Wake Lock), and a browser without one of them simply goes without it.

use std::time::Duration;

use js_sys::{Function, Promise, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::js::member;
use crate::strings::kiosk as s;

/// The service worker's script and scope (the kiosk bundle's public URL).
pub const SW_URL: &str = "/kiosk/sw.js";
pub const SCOPE: &str = "/kiosk/";
/// How often the kiosk asks the relay whether a new version is out.
pub const UPDATE_EVERY: Duration = Duration::from_secs(10 * 60);
/// A new version is loaded only after this long without a new punch (never mid-punch).
pub const QUIET_BEFORE_RELOAD_SECS: f64 = 20.0;
/// Where the kiosk remembers that the full-screen prompt was answered.
const KEY_FULLSCREEN_ASKED: &str = "tna-console.kiosk.fullscreen-asked";

/// Calls `target.name(args…)`; `None` when there is no such method or it threw.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Option<JsValue> {
    let f: Function = member(target, name)?.dyn_into().ok()?;
    let list = js_sys::Array::new();
    for a in args {
        list.push(a);
    }
    Reflect::apply(&f, target, &list).ok()
}

async fn settle(value: JsValue) -> Result<JsValue, JsValue> {
    match value.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

fn navigator() -> Option<JsValue> {
    web_sys::window().map(|w| w.navigator().into())
}

/// Registers the kiosk's service worker (once per page; the browser keeps it up to date).
pub fn register_service_worker() {
    let Some(container) = navigator().and_then(|n| member(&n, "serviceWorker")) else {
        return; // not a secure context, or an old browser: the kiosk works online only
    };
    let options = js_sys::Object::new();
    let _ = Reflect::set(&options, &"scope".into(), &SCOPE.into());
    if let Some(p) = call(&container, "register", &[SW_URL.into(), options.into()]) {
        spawn_local(async move {
            if let Err(e) = settle(p).await {
                leptos::logging::warn!(
                    "the kiosk's service worker was not registered: {}",
                    crate::js::error_text(&e)
                );
            }
        });
    }
}

/// Whether the Screen Wake Lock is held (`data-wake-lock` on the kiosk: `held`, `released`,
/// `unavailable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WakeLock {
    Held,
    Released,
    Unavailable,
}

impl WakeLock {
    pub fn key(self) -> &'static str {
        match self {
            WakeLock::Held => "held",
            WakeLock::Released => "released",
            WakeLock::Unavailable => "unavailable",
        }
    }
}

/// Keeps the screen on while the kiosk shows: asks for a screen wake lock now and again every
/// time the page becomes visible (the browser drops it when the page is hidden).
pub fn keep_screen_on() -> RwSignal<WakeLock> {
    let state = RwSignal::new(WakeLock::Released);
    let acquire = move || {
        let Some(lock) = navigator().and_then(|n| member(&n, "wakeLock")) else {
            state.try_set(WakeLock::Unavailable);
            return;
        };
        let Some(p) = call(&lock, "request", &["screen".into()]) else {
            state.try_set(WakeLock::Unavailable);
            return;
        };
        spawn_local(async move {
            match settle(p).await {
                Ok(sentinel) => {
                    state.try_set(WakeLock::Held);
                    let on_release = Closure::<dyn FnMut()>::new(move || {
                        state.try_set(WakeLock::Released);
                    });
                    let _ = call(
                        &sentinel,
                        "addEventListener",
                        &["release".into(), on_release.into_js_value()],
                    );
                }
                // Refused (hidden page, no permission, power saving): tried again when visible.
                Err(_) => {
                    state.try_set(WakeLock::Released);
                }
            }
        });
    };
    acquire();
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let visible = doc.clone();
        let handle = window_event_listener_untyped("visibilitychange", move |_| {
            if member(&visible, "visibilityState").and_then(|v| v.as_string())
                == Some("visible".into())
                && state.get_untracked() != WakeLock::Held
            {
                acquire();
            }
        });
        on_cleanup(move || handle.remove());
    }
    state
}

/// Whether the kiosk already fills the screen (full screen now, or installed and started in
/// full-screen or standalone display mode).
fn fills_screen() -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    let in_fullscreen = window
        .document()
        .and_then(|d| member(&d.into(), "fullscreenElement"))
        .is_some();
    let display_mode = |mode: &str| {
        call(
            &window.clone().into(),
            "matchMedia",
            &[format!("(display-mode: {mode})").into()],
        )
        .and_then(|m| member(&m, "matches"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
    };
    in_fullscreen || display_mode("fullscreen") || display_mode("standalone")
}

fn asked_before() -> bool {
    crate::stored::get(KEY_FULLSCREEN_ASKED).is_some()
}

fn remember_asked() {
    crate::stored::set(KEY_FULLSCREEN_ASKED, "1");
}

/// "Tap to enter full screen" on a kiosk's first start (browsers enter full screen only from a
/// tap). "Not now" is remembered per browser; an installed kiosk that starts in full screen never asks.
#[component]
pub fn FullscreenPrompt() -> impl IntoView {
    let open = RwSignal::new(!asked_before() && !fills_screen());
    // Only "Not now" is remembered: a tablet in a browser tab leaves full screen when it reloads
    // into a new version, and is asked again then.
    let enter = move |_| {
        open.set(false);
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            && let Some(p) = call(&root.into(), "requestFullscreen", &[])
        {
            spawn_local(async move {
                let _ = settle(p).await;
            });
        }
    };
    let later = move |_| {
        remember_asked();
        open.set(false);
    };
    move || {
        open.get().then(|| {
            view! {
                <div class="kiosk-fullscreen" data-testid="kiosk-fullscreen">
                    <button type="button" class="kiosk-btn kiosk-fullscreen-go" on:click=enter>
                        {s::FULLSCREEN()}
                    </button>
                    <button
                        type="button"
                        class="btn btn-small"
                        data-testid="kiosk-fullscreen-later"
                        on:click=later
                    >
                        {s::FULLSCREEN_LATER()}
                    </button>
                </div>
            }
        })
    }
}

/// The build a kiosk page loads: its WebAssembly file's name (`tna-kiosk-<hash>`), which Trunk
/// changes with every change of the code.
pub fn bundle_id(html: &str) -> Option<&str> {
    let end = html.find("_bg.wasm")?;
    let start = html[..end].rfind("tna-kiosk-")?;
    let id = &html[start..end];
    id.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .then_some(id)
}

/// The bundle this page runs (from its own loader script).
fn running_bundle() -> Option<String> {
    let html = web_sys::window()?
        .document()?
        .document_element()?
        .outer_html();
    bundle_id(&html).map(str::to_string)
}

/// The bundle the relay serves now (`None`: the relay cannot be reached).
async fn served_bundle() -> Option<String> {
    // A query no cache has seen: the answer is the relay's current page.
    let url = format!("{SCOPE}?version-check={}", js_sys::Date::now() as u64);
    let text = crate::api::session::fetch_text(&url).await?;
    bundle_id(&text).map(str::to_string)
}

/// How often to look for a new version and how long to wait for quiet: [`UPDATE_EVERY`] and
/// [`QUIET_BEFORE_RELOAD_SECS`], or `?update-every=SECS&update-quiet=SECS` in the kiosk's address
/// (a site that wants new versions sooner; the browser tests).
pub fn update_timing(param: impl Fn(&str) -> Option<String>) -> (Duration, f64) {
    let secs = |name: &str| param(name).and_then(|v| v.parse::<u32>().ok());
    (
        secs("update-every").map_or(UPDATE_EVERY, |s| Duration::from_secs(u64::from(s.max(1)))),
        secs("update-quiet").map_or(QUIET_BEFORE_RELOAD_SECS, f64::from),
    )
}

/// Checks every `every` for a new version and reloads the page when one is out and the kiosk has
/// been quiet for `quiet_secs` (`last_punch_ms`: `Date.now()` of the newest punch on screen).
/// The service worker answers the reload from the relay, so the new version's files are loaded
/// and cached.
pub fn reload_on_new_version(
    last_punch_ms: Signal<f64>,
    busy: Signal<bool>,
    (every, quiet_secs): (Duration, f64),
) {
    let Some(running) = running_bundle() else {
        return; // a page not built by Trunk (tests): nothing to compare
    };
    let pending = RwSignal::new(false);
    let check = move || {
        if pending.get_untracked() {
            return;
        }
        let running = running.clone();
        spawn_local(async move {
            if let Some(served) = served_bundle().await
                && served != running
            {
                pending.try_set(true);
            }
        });
    };
    if let Ok(h) = set_interval_with_handle(check, every) {
        on_cleanup(move || h.clear());
    }
    let try_reload = move || {
        let quiet = (js_sys::Date::now() - last_punch_ms.get_untracked()) / 1000.0 >= quiet_secs;
        if pending.get_untracked()
            && quiet
            && !busy.get_untracked()
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().reload();
        }
    };
    if let Ok(h) = set_interval_with_handle(try_reload, every.min(Duration::from_secs(5))) {
        on_cleanup(move || h.clear());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_timing_comes_from_the_address_or_the_defaults() {
        assert_eq!(
            update_timing(|_| None),
            (UPDATE_EVERY, QUIET_BEFORE_RELOAD_SECS)
        );
        let fast = |name: &str| match name {
            "update-every" => Some("2".to_string()),
            "update-quiet" => Some("0".to_string()),
            _ => None,
        };
        assert_eq!(update_timing(fast), (Duration::from_secs(2), 0.0));
        let bad = |_: &str| Some("soon".to_string());
        assert_eq!(update_timing(bad), (UPDATE_EVERY, QUIET_BEFORE_RELOAD_SECS));
    }

    #[test]
    fn the_bundle_is_named_by_its_wasm_file() {
        let page = r#"<link rel="preload" href="/kiosk/tna-kiosk-3f9a2c_bg.wasm" as="fetch">
            <script type="module">import init from '/kiosk/tna-kiosk-3f9a2c.js';
            init({ module_or_path: '/kiosk/tna-kiosk-3f9a2c_bg.wasm' });</script>"#;
        assert_eq!(bundle_id(page), Some("tna-kiosk-3f9a2c"));
        let newer = page.replace("3f9a2c", "77b01e");
        assert_ne!(bundle_id(&newer), bundle_id(page));
        assert_eq!(bundle_id("<html>no bundle</html>"), None);
        assert_eq!(
            bundle_id("tna-kiosk-<script>_bg.wasm"),
            None,
            "not a file name"
        );
    }
}
