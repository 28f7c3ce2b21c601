//! Sign-in over plain HTTP (`/api/session`, `/api/kiosk/pair`): the relay sets an `HttpOnly`
//! session cookie the WebSocket then carries, so the token never reaches this code.

use tna_types::auth::Role;
use tna_types::protocol::WhoamiResult;
use wasm_bindgen::{JsCast, JsValue};

use crate::js;
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

/// An HTTP answer: status and body text (empty when there is none).
struct Answer {
    status: u16,
    text: String,
}

/// What a refused sign-in, pairing or session check carries (every field optional: a proxy's
/// error page has none of them).
#[derive(Debug, Default)]
struct Refusal {
    /// The relay's own sentence (`error`).
    error: Option<String>,
    /// A stable reason the console words itself (`badCredentials`, `rateLimited`, …).
    reason: Option<String>,
    /// `retryAfterSecs`.
    retry_after_secs: Option<u64>,
    /// A signed-out session's hint (demo relays name their demo account).
    hint: Option<String>,
}

/// A JSON object of an HTTP answer, parsed by the browser (`JSON.parse`) and read member by
/// member. Why not serde: these few members are all the kiosk reads as JSON — every other frame
/// it gets is binary (`tna_types::binary`) — and serde_json's reader would cost its WASM more
/// than everything else it decodes.
struct Object(JsValue);

impl Object {
    /// The body as an object; `None` when it is not JSON or not an object.
    fn parse(text: &str) -> Option<Object> {
        js_sys::JSON::parse(text)
            .ok()
            .filter(|v| v.is_object())
            .map(Object)
    }

    /// A string member.
    fn text(&self, name: &str) -> Option<String> {
        js::member(&self.0, name)?.as_string()
    }

    /// A whole, non-negative number member.
    fn count(&self, name: &str) -> Option<u64> {
        js::member(&self.0, name)?
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(n))
            .map(|n| n as u64)
    }
}

impl Answer {
    fn refusal(&self) -> Refusal {
        Object::parse(&self.text)
            .map(|o| Refusal {
                error: o.text("error"),
                reason: o.text("reason"),
                retry_after_secs: o.count("retryAfterSecs"),
                hint: o.text("hint"),
            })
            .unwrap_or_default()
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
    let req =
        web_sys::Request::new_with_str_and_init(path, &init).map_err(|e| js::error_text(&e))?;
    if body.is_some() {
        req.headers()
            .set("Content-Type", "application/json")
            .map_err(|e| js::error_text(&e))?;
    }
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|e| js::error_text(&e))?
        .dyn_into()
        .map_err(|e| js::error_text(&e))?;
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

/// The session an answer names (`WhoamiResult`'s JSON: `username`, `role`, `expiresAt`).
fn session_of(a: Answer) -> Result<WhoamiResult, String> {
    let unexpected = |what: &str| format!("Unexpected answer from the relay: {what}");
    let o = Object::parse(&a.text).ok_or_else(|| unexpected("not a JSON object"))?;
    let role = o.text("role").ok_or_else(|| unexpected("no role"))?;
    Ok(WhoamiResult {
        username: o.text("username"),
        role: Role::parse(&role).ok_or_else(|| unexpected(&format!("unknown role \"{role}\"")))?,
        expires_at: o.count("expiresAt"),
    })
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
