//! Sign-in over plain HTTP (`/api/session`, `/api/kiosk/pair`): the relay sets an `HttpOnly`
//! session cookie the WebSocket then carries, so the token never reaches this code.

use tna_types::protocol::WhoamiResult;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the relay serves the kiosk's own bundle; its pairing page is `/kiosk/pair`.
pub const KIOSK_PATH: &str = "/kiosk/";

/// Where sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Asking the relay.
    Checking,
    /// Not signed in (or the session ended); `hint` is the relay's demo-account text, if any.
    SignedOut {
        /// Shown on the sign-in page (demo relays name their demo account).
        hint: Option<String>,
    },
    /// Signed in, or the relay runs without sign-in (`username` is then `None`).
    SignedIn(WhoamiResult),
    /// The relay could not be asked (offline, or not a relay).
    Unreachable(String),
}

/// An HTTP answer: status and body text (empty when there is none). Each caller reads the
/// body straight into the type it expects: no `serde_json::Value` in between, whose reader and
/// a second copy of every decoder it feeds would be built into both bundles.
struct Answer {
    status: u16,
    text: String,
}

/// What a refused sign-in, pairing or session check carries (every field optional: a proxy's
/// error page has none of them).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Refusal {
    /// The relay's own sentence.
    error: Option<String>,
    /// A stable reason the console words itself (`badCredentials`, `rateLimited`, …).
    reason: Option<String>,
    retry_after_secs: Option<u64>,
    /// A signed-out session's hint (demo relays name their demo account).
    hint: Option<String>,
}

impl Answer {
    fn refusal(&self) -> Refusal {
        serde_json::from_str(&self.text).unwrap_or_default()
    }
}

async fn send(method: &str, path: &str, body: Option<String>) -> Result<Answer, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(b) = &body {
        init.set_body(&JsValue::from_str(b));
    }
    let req = web_sys::Request::new_with_str_and_init(path, &init).map_err(js_text)?;
    if body.is_some() {
        req.headers()
            .set("Content-Type", "application/json")
            .map_err(js_text)?;
    }
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(js_text)?
        .dyn_into()
        .map_err(js_text)?;
    let status = resp.status();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    };
    Ok(Answer {
        status,
        text: text.unwrap_or_default(),
    })
}

/// The body of a plain `GET url` (a file of the relay's: a catalog, the kiosk's page); `None`
/// when the relay cannot be reached or answers with an error.
pub async fn fetch_text(url: &str) -> Option<String> {
    let window = web_sys::window()?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !resp.ok() {
        return None;
    }
    JsFuture::from(resp.text().ok()?).await.ok()?.as_string()
}

fn js_text(v: JsValue) -> String {
    v.as_string()
        .or_else(|| {
            v.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "network error".into())
}

/// A refused sign-in or pairing in the console's words (by the relay's `reason`), else the
/// relay's own sentence.
fn error_text(a: &Answer) -> String {
    use crate::strings::signin as s;
    let refusal = a.refusal();
    match refusal.reason.as_deref() {
        Some("badCredentials") => return s::BAD_CREDENTIALS().to_string(),
        Some("badPairingCode") => return s::BAD_PAIRING_CODE().to_string(),
        Some("rateLimited") => return s::rate_limited(refusal.retry_after_secs.unwrap_or(0)),
        _ => {}
    }
    refusal.error.unwrap_or_else(|| s::http_status(a.status))
}

fn session_of(a: Answer) -> Result<WhoamiResult, String> {
    serde_json::from_str(&a.text).map_err(|e| format!("Unexpected answer from the relay: {e}"))
}

/// Who the session cookie belongs to.
pub async fn check() -> SessionState {
    match send("GET", "/api/session", None).await {
        Ok(a) if a.status == 200 => match session_of(a) {
            Ok(s) => SessionState::SignedIn(s),
            Err(e) => SessionState::Unreachable(e),
        },
        Ok(a) if a.status == 401 => SessionState::SignedOut {
            hint: a.refusal().hint,
        },
        Ok(a) => SessionState::Unreachable(error_text(&a)),
        Err(e) => SessionState::Unreachable(e),
    }
}

/// Signs in; the answer's message on failure (wrong password, too many attempts).
pub async fn sign_in(username: &str, password: &str) -> Result<WhoamiResult, String> {
    #[derive(serde::Serialize)]
    struct SignIn<'a> {
        username: &'a str,
        password: &'a str,
    }
    let body = serde_json::to_string(&SignIn { username, password }).map_err(|e| e.to_string())?;
    let a = send("POST", "/api/session", Some(body)).await?;
    if a.status == 200 {
        session_of(a)
    } else {
        Err(error_text(&a))
    }
}

/// Enrols this browser as a kiosk with a pairing code.
pub async fn pair(code: &str) -> Result<WhoamiResult, String> {
    #[derive(serde::Serialize)]
    struct Pair<'a> {
        code: &'a str,
    }
    let body = serde_json::to_string(&Pair { code }).map_err(|e| e.to_string())?;
    let a = send("POST", "/api/kiosk/pair", Some(body)).await?;
    if a.status == 200 {
        session_of(a)
    } else {
        Err(error_text(&a))
    }
}

/// Signs out (the relay ends the session and clears the cookie).
pub async fn sign_out() -> Result<(), String> {
    let a = send("DELETE", "/api/session", None).await?;
    if a.status < 300 {
        Ok(())
    } else {
        Err(error_text(&a))
    }
}
