//! Sign-in on the HTTP side and roles on the protocol side; the accounts and sessions
//! themselves live in [`crate::auth`].
//!
//! - `POST /api/session` `{username, password}` signs in: the session token comes back in an
//!   `HttpOnly; SameSite=Strict` cookie (browsers) and in the body (scripts send it as
//!   `Authorization: Bearer …`). `GET /api/session` says who the cookie belongs to (the console
//!   asks before it opens `/ws`); `DELETE /api/session` signs out.
//! - `POST /api/kiosk/pair` `{code}` turns a one-time pairing code (made by an admin with
//!   `kiosk.pair`) into a long-lived kiosk session cookie, so a wall tablet needs no password.
//! - `/ws` is refused (401) without a live session. Then EVERY request is checked again: the
//!   session must still be live (sign-out or expiry ends it at once, also on open sockets) and
//!   its role must allow the method (`tna_types::auth`); otherwise `-32006`.
//! - Without an [`Auth`] (library users and tests that pass `auth: None`) everything is open
//!   and callers act as admin. The `tna-relay` binary always signs in.
//! - Failed attempts are delayed per (username, client) and per client (`auth/limiter.rs`). The
//!   client is the peer's address, or, when the peer is a configured trusted proxy
//!   (`--trusted-proxy CIDR`), the right-most `X-Forwarded-For` address that is not itself a
//!   trusted proxy ([`client_ip`]). `X-Forwarded-For` from anyone else is ignored: a client
//!   could write anything there.

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tna_types::Role;
use tna_types::protocol::{
    AccountsResult, ErrorCode, KiosksResult, PairingResult, Request, RpcError, WhoamiResult,
};

use crate::auth::{Auth, AuthError, Session};
use crate::origin::cookie_name;

/// Password checks (argon2) running at once, relay-wide.
pub const MAX_PASSWORD_CHECKS: usize = 4;
/// How often an open socket's session is checked, so sign-out, expiry or a changed account
/// also ends live pushes on sockets that send no request.
pub const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(5);

static PASSWORD_CHECKS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(MAX_PASSWORD_CHECKS);

/// Who is on a socket: fixed when it opened, re-checked on every request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The session token (`None` when sign-in is off).
    pub token: Option<String>,
    /// The account.
    pub username: Option<String>,
    /// The role when the socket opened.
    pub role: Role,
    /// A kiosk's scope: what it may show (see [`crate::kiosk_scope`]); `None` for accounts.
    pub scope: Option<std::sync::Arc<tna_types::protocol::KioskScope>>,
}

impl Caller {
    /// The caller of a relay without sign-in.
    pub fn open() -> Caller {
        Caller {
            token: None,
            username: None,
            role: Role::Admin,
            scope: None,
        }
    }

    fn from_session(s: Session) -> Caller {
        Caller {
            token: Some(s.token),
            username: Some(s.username),
            role: s.role,
            scope: s.scope,
        }
    }
}

/// Most `X-Forwarded-For` entries looked at (right to left): a longer chain is not a real one.
pub const MAX_FORWARDED_HOPS: usize = 16;

/// The client of a request from `peer`: `peer` itself unless it is one of the `trusted` proxies;
/// then the right-most `X-Forwarded-For` address that is not a trusted proxy (each proxy appends
/// the address it was reached from, so entries left of an untrusted one may be forged). When
/// every listed address is a trusted proxy, the left-most of them; when the header is missing
/// or an entry is not an address, the last trusted hop.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer.to_canonical();
    if !is_trusted(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev().take(MAX_FORWARDED_HOPS) {
        let Some(ip) = parse_forwarded(entry) else {
            return client;
        };
        client = ip;
        if !is_trusted(&ip) {
            return ip;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, maybe with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// The session token of a request: the cookie, else `Authorization: Bearer`. With `secure`
/// cookies only the `__Host-` cookie counts (a plain one may have been planted over HTTP or by
/// a sibling subdomain).
pub fn token_of(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name && !v.is_empty()).then(|| v.to_string())
        });
    from_cookie.or_else(|| {
        headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// The caller of a `/ws` upgrade; `None` when it has no live session (answer [`not_signed_in`]).
pub fn caller_for_socket(auth: Option<&Auth>, headers: &HeaderMap, secure: bool) -> Option<Caller> {
    let Some(auth) = auth else {
        return Some(Caller::open());
    };
    token_of(headers, secure)
        .and_then(|t| auth.session(&t))
        .map(Caller::from_session)
}

/// The 401 for a `/ws` upgrade without a live session.
pub fn not_signed_in() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        "Sign in first: POST /api/session, then open /ws with the session cookie or an Authorization: Bearer token.",
    )
        .into_response()
}

/// Whether the caller's session is still live (always, without sign-in).
pub fn still_signed_in(auth: Option<&Auth>, caller: &Caller) -> bool {
    match (auth, &caller.token) {
        (None, _) => true,
        (Some(auth), Some(token)) => auth.session(token).is_some(),
        (Some(_), None) => false,
    }
}

/// Whether `caller` may run `method` now (session still live, role allows it).
pub fn authorize(auth: Option<&Auth>, caller: &Caller, method: &str) -> Result<(), RpcError> {
    let role = match (auth, &caller.token) {
        (None, _) => return Ok(()),
        (Some(auth), Some(token)) => match auth.session(token) {
            Some(s) => s.role,
            None => {
                return Err(RpcError::because(
                    ErrorCode::PermissionDenied,
                    "sessionEnded",
                    "Your session has ended (signed out, expired or changed by an admin): sign in again.",
                    json!({"signIn": true}),
                ));
            }
        },
        (Some(_), None) => {
            return Err(RpcError::because(
                ErrorCode::PermissionDenied,
                "notSignedIn",
                "Sign in first.",
                json!({"signIn": true}),
            ));
        }
    };
    if role.may_call(method) {
        Ok(())
    } else {
        Err(RpcError::new(
            ErrorCode::PermissionDenied,
            format!(
                "The {} role may not call {method}: ask an admin for a role that may.",
                role.name()
            ),
        )
        .with_data(json!({"role": role.name(), "method": method})))
    }
}

/// The protocol error for a store error.
fn rpc_error(e: AuthError) -> RpcError {
    let code = match &e {
        AuthError::InvalidUsername(_) | AuthError::WeakPassword(_) => ErrorCode::InvalidParams,
        AuthError::UnknownAccount(_) | AuthError::UnknownKiosk(_) | AuthError::BadScope(_) => {
            ErrorCode::InvalidParams
        }
        AuthError::TooManyKiosks(_) => ErrorCode::LimitExceeded,
        AuthError::AccountExists(_) | AuthError::LastAdmin => ErrorCode::InvalidParams,
        AuthError::RateLimited { .. } => ErrorCode::LimitExceeded,
        AuthError::BadCredentials | AuthError::BadPairingCode => ErrorCode::PermissionDenied,
        _ => ErrorCode::Internal,
    };
    RpcError::new(code, e.to_string())
}

/// The session and account methods; `None` for every other request.
pub fn handle(
    auth: Option<&Auth>,
    caller: &Caller,
    request: &Request,
) -> Option<Result<serde_json::Value, RpcError>> {
    let to_json = |v: Result<serde_json::Value, RpcError>| Some(v);
    let need = |auth: Option<&Auth>| -> Result<Auth, RpcError> {
        auth.cloned().ok_or_else(|| {
            RpcError::because(
                ErrorCode::Unsupported,
                "noSignIn",
                "This relay runs without sign-in: there are no accounts to manage.",
                serde_json::Value::Null,
            )
        })
    };
    let empty = || Ok(json!({}));
    let result = match request {
        Request::SessionWhoami(_) => {
            let session = caller
                .token
                .as_deref()
                .and_then(|t| auth.and_then(|a| a.session(t)));
            serde_json::to_value(WhoamiResult {
                username: caller.username.clone(),
                role: session.as_ref().map_or(caller.role, |s| s.role),
                expires_at: session.map(|s| s.expires_at),
            })
            .map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))
        }
        Request::AccountsList(_) => need(auth).and_then(|a| {
            serde_json::to_value(AccountsResult {
                accounts: a.accounts(),
            })
            .map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))
        }),
        Request::AccountsCreate(p) => need(auth).and_then(|a| {
            a.create_account(&p.username, &p.password.0, p.role)
                .map_err(rpc_error)
                .and_then(|()| empty())
        }),
        Request::AccountsSetRole(p) => need(auth).and_then(|a| {
            a.set_role(&p.username, p.role)
                .map_err(rpc_error)
                .and_then(|()| empty())
        }),
        Request::AccountsSetPassword(p) => need(auth).and_then(|a| {
            a.set_password(&p.username, &p.password.0)
                .map_err(rpc_error)
                .and_then(|()| empty())
        }),
        Request::AccountsDelete(p) => need(auth).and_then(|a| {
            a.delete_account(&p.username)
                .map_err(rpc_error)
                .and_then(|()| empty())
        }),
        Request::KioskPair(p) => need(auth).and_then(|a| {
            let code = a
                .pairing_code(&p.name, p.scope.clone())
                .map_err(rpc_error)?;
            serde_json::to_value(PairingResult {
                code,
                expires_at: now_secs() + crate::auth::PAIRING_TTL.as_secs(),
            })
            .map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))
        }),
        Request::KioskList(_) => need(auth).and_then(|a| {
            serde_json::to_value(KiosksResult { kiosks: a.kiosks() })
                .map_err(|e| RpcError::new(ErrorCode::Internal, e.to_string()))
        }),
        Request::KioskRevoke(p) => need(auth).and_then(|a| {
            a.revoke_kiosk(&p.name)
                .map_err(rpc_error)
                .and_then(|()| empty())
        }),
        _ => return None,
    };
    to_json(result)
}

/// `POST /api/session` body.
#[derive(Deserialize)]
pub struct SignInBody {
    username: String,
    password: String,
}

/// `POST /api/kiosk/pair` body.
#[derive(Deserialize)]
pub struct PairBody {
    code: String,
}

/// What `/api/session` answers about a session.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    username: String,
    role: Role,
    expires_at: u64,
    /// Only in the sign-in answer (for scripts); never logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

fn error_body(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// An error body with a stable `reason` (and more named values) a client words by itself.
fn error_because(
    status: StatusCode,
    reason: &str,
    message: &str,
    extra: serde_json::Value,
) -> Response {
    let mut body = match extra {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    body.insert("error".into(), message.into());
    body.insert("reason".into(), reason.into());
    (status, Json(serde_json::Value::Object(body))).into_response()
}

fn session_cookie(token: &str, max_age: u64, secure: bool) -> Option<HeaderValue> {
    let name = cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{flag}"
    ))
    .ok()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The answer to a successful sign-in or pairing: the cookie and the session.
fn signed_in(session: Session, secure: bool) -> Response {
    let max_age = session.expires_at.saturating_sub(now_secs());
    let cookie = session_cookie(&session.token, max_age, secure);
    let body = SessionBody {
        username: session.username,
        role: session.role,
        expires_at: session.expires_at,
        token: Some(session.token),
    };
    let mut resp = Json(body).into_response();
    if let Some(c) = cookie {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

/// The HTTP status and body for a refused sign-in.
fn refused(e: AuthError) -> Response {
    match e {
        AuthError::RateLimited { retry_after_secs } => {
            let mut resp = error_because(
                StatusCode::TOO_MANY_REQUESTS,
                "rateLimited",
                &format!("Too many failed attempts: try again in {retry_after_secs} s."),
                json!({ "retryAfterSecs": retry_after_secs }),
            );
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
            resp
        }
        AuthError::BadCredentials => error_because(
            StatusCode::UNAUTHORIZED,
            "badCredentials",
            &e.to_string(),
            serde_json::Value::Null,
        ),
        AuthError::BadPairingCode => error_because(
            StatusCode::UNAUTHORIZED,
            "badPairingCode",
            &e.to_string(),
            serde_json::Value::Null,
        ),
        other => {
            tracing::error!(error = %other, "sign-in failed inside the relay");
            error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The relay could not check the sign-in; see its log.",
            )
        }
    }
}

/// `GET /api/session` (401 with the sign-in page's `hint` when not signed in).
pub async fn whoami(
    auth: Option<Auth>,
    secure: bool,
    hint: Option<String>,
    headers: HeaderMap,
) -> Response {
    let Some(auth) = auth else {
        return Json(
            json!({"username": null, "role": "admin", "expiresAt": null, "signIn": false}),
        )
        .into_response();
    };
    match token_of(&headers, secure).and_then(|t| auth.session(&t)) {
        Some(s) => Json(SessionBody {
            username: s.username,
            role: s.role,
            expires_at: s.expires_at,
            token: None,
        })
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "Not signed in.", "hint": hint})),
        )
            .into_response(),
    }
}

/// `POST /api/session`; `client` is the caller's address ([`client_ip`]).
pub async fn sign_in(
    auth: Option<Auth>,
    secure: bool,
    client: IpAddr,
    body: Result<Json<SignInBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Some(auth) = auth else {
        return error_body(StatusCode::NOT_FOUND, "This relay runs without sign-in.");
    };
    let Ok(Json(body)) = body else {
        return error_body(
            StatusCode::BAD_REQUEST,
            "Send JSON {\"username\": …, \"password\": …}.",
        );
    };
    let client = client.to_string();
    // The store hashes with argon2 (tens of ms of CPU and ~19 MiB each): off the async workers,
    // and only a few at once, so a flood of attempts cannot exhaust memory or threads.
    let Ok(_slot) = PASSWORD_CHECKS.acquire().await else {
        return error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            "The relay is shutting down.",
        );
    };
    let result =
        tokio::task::spawn_blocking(move || auth.sign_in(&body.username, &body.password, &client))
            .await;
    // The submitted username is not logged: people type passwords into it. The store logs the
    // outcome with the account name when it is a valid one.
    match result {
        Ok(Ok(session)) => {
            tracing::info!(user = %session.username, role = session.role.name(), "signed in");
            signed_in(session, secure)
        }
        Ok(Err(e)) => {
            tracing::info!(outcome = %e, "sign-in refused");
            refused(e)
        }
        Err(_) => error_body(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sign-in check failed.",
        ),
    }
}

/// `DELETE /api/session`.
pub async fn sign_out(auth: Option<Auth>, secure: bool, headers: HeaderMap) -> Response {
    if let (Some(auth), Some(token)) = (auth, token_of(&headers, secure)) {
        auth.sign_out(&token);
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Some(c) = session_cookie("", 0, secure) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

/// `POST /api/kiosk/pair`; `client` is the caller's address ([`client_ip`]).
pub async fn pair(
    auth: Option<Auth>,
    secure: bool,
    client: IpAddr,
    body: Result<Json<PairBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Some(auth) = auth else {
        return error_body(StatusCode::NOT_FOUND, "This relay runs without sign-in.");
    };
    let Ok(Json(body)) = body else {
        return error_body(StatusCode::BAD_REQUEST, "Send JSON {\"code\": …}.");
    };
    match auth.redeem_pairing(body.code.trim(), &client.to_string()) {
        Ok(session) => {
            tracing::info!(kiosk = %session.username, "kiosk enrolled");
            signed_in(session, secure)
        }
        Err(e) => refused(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_cookie_or_bearer() {
        let mut h = HeaderMap::new();
        assert_eq!(token_of(&h, false), None);
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer abc"),
        );
        assert_eq!(token_of(&h, false).as_deref(), Some("abc"));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; tna_session=xyz; other=1"),
        );
        assert_eq!(
            token_of(&h, false).as_deref(),
            Some("xyz"),
            "the cookie wins"
        );
        assert_eq!(
            token_of(&h, true).as_deref(),
            Some("abc"),
            "with Secure cookies a plain tna_session cookie does not count"
        );
        let mut empty = HeaderMap::new();
        empty.insert(header::COOKIE, HeaderValue::from_static("tna_session="));
        empty.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(token_of(&empty, false), None);
        let mut host = HeaderMap::new();
        host.insert(
            header::COOKIE,
            HeaderValue::from_static("__Host-tna_session=sec; tna_session=plain"),
        );
        assert_eq!(token_of(&host, true).as_deref(), Some("sec"));
        assert_eq!(token_of(&host, false).as_deref(), Some("plain"));
    }

    #[test]
    fn the_client_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        let trusted: Vec<ipnet::IpNet> = ["10.0.0.0/8", "fd00::/8"]
            .iter()
            .filter_map(|n| n.parse().ok())
            .collect();
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 198.51.100.7"),
        );
        h.append("x-forwarded-for", HeaderValue::from_static("10.1.1.1"));
        // From an untrusted peer the header is ignored.
        assert_eq!(client_ip(ip("192.0.2.1"), &h, &trusted), ip("192.0.2.1"));
        assert_eq!(client_ip(ip("10.0.0.5"), &h, &[]), ip("10.0.0.5"));
        // Behind trusted proxies: the right-most untrusted address, not the forged left one.
        assert_eq!(client_ip(ip("10.0.0.5"), &h, &trusted), ip("198.51.100.7"));
        // An IPv4-mapped peer counts as its IPv4 address.
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.5"), &h, &trusted),
            ip("198.51.100.7")
        );
        // Ports, IPv6, a chain of proxies only, garbage, no header.
        let one = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("x-forwarded-for", HeaderValue::from_static(v));
            h
        };
        let peer = ip("10.0.0.5");
        assert_eq!(
            client_ip(peer, &one("[2001:db8::1]:443"), &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_ip(peer, &one("203.0.113.9:5000"), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(peer, &one("10.2.2.2, fd00::1"), &trusted),
            ip("10.2.2.2")
        );
        assert_eq!(
            client_ip(peer, &one("203.0.113.9, junk"), &trusted),
            peer,
            "an entry that is not an address stops the walk at the last trusted hop"
        );
        assert_eq!(client_ip(peer, &HeaderMap::new(), &trusted), peer);
    }

    #[test]
    fn open_relay_allows_everything() {
        assert!(authorize(None, &Caller::open(), "accounts.create").is_ok());
    }
}
