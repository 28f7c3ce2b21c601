//! The one error type of every console call.

use tna_types::protocol::{ErrorCode, RpcError};

use crate::components::field_error_text;
use crate::strings::api as s;

/// Why a call to the relay failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The relay answered with a protocol error; its `message` is written for people.
    Rpc(RpcError),
    /// The call was made while the socket was down; nothing was sent.
    NotConnected,
    /// The call waited for the socket to open, and the connection attempt failed.
    ConnectFailed,
    /// The socket dropped after the request was sent: the relay may or may not have acted on it.
    ConnectionLost,
    /// No answer within the call timeout (the relay may still act on the request).
    Timeout {
        /// The timeout that passed, in milliseconds.
        after_ms: u32,
    },
    /// The browser refused to send the frame, or a frame could not be understood.
    Protocol(String),
}

impl ApiError {
    /// One sentence a person can act on.
    pub fn message(&self) -> String {
        match self {
            ApiError::Rpc(e) => rpc_sentence(e),
            ApiError::NotConnected => s::NOT_CONNECTED().to_string(),
            ApiError::ConnectFailed => s::CONNECT_FAILED().to_string(),
            ApiError::ConnectionLost => s::CONNECTION_LOST().to_string(),
            ApiError::Timeout { after_ms } => s::timed_out(*after_ms),
            ApiError::Protocol(detail) => s::protocol_error(detail),
        }
    }

    /// The relay's error code, when the relay answered.
    pub fn rpc_code(&self) -> Option<i32> {
        match self {
            ApiError::Rpc(e) => Some(e.code),
            _ => None,
        }
    }

    /// The relay's error as a known [`ErrorCode`], when it is one.
    pub fn kind(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Rpc(e) => e.kind(),
            _ => None,
        }
    }

    /// Whether the failure came from the connection (not from the relay or the device): the
    /// console retries these by itself once the socket is back.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            ApiError::NotConnected | ApiError::ConnectFailed | ApiError::ConnectionLost
        )
    }
}

/// The relay's refusal in the console's words (and language), from its code and `data`; the
/// relay's own English `message` only where the code is unknown or says nothing more. Texts the
/// relay passes through from a device or a parser (`data.detail`) are shown as they came.
pub fn rpc_sentence(e: &RpcError) -> String {
    let data = e.data.as_ref();
    let num = |k: &str| {
        data.and_then(|d| d.get(k))
            .and_then(serde_json::Value::as_u64)
    };
    let text = |k: &str| data.and_then(|d| d.get(k)).and_then(|v| v.as_str());
    let with_detail = |sentence: String| match text("detail") {
        Some(d) if !d.is_empty() => s::with_detail(&sentence, d),
        _ => sentence,
    };
    // A re-read after a write failed, whatever its code: says whether the write happened.
    if e.reason() == Some("rereadFailed") {
        let written = data
            .and_then(|d| d.get("written"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        return s::reread_failed(written, text("detail").unwrap_or_default());
    }
    let Some(kind) = e.kind() else {
        return e.message.clone();
    };
    match kind {
        ErrorCode::PermissionDenied => match (e.reason(), text("role"), text("method")) {
            (Some("sessionEnded"), ..) => s::SESSION_ENDED().to_string(),
            (Some("notSignedIn"), ..) => s::NOT_SIGNED_IN().to_string(),
            (Some("kioskScope"), ..) => num("deviceId")
                .map(s::kiosk_scope)
                .unwrap_or_else(|| e.message.clone()),
            // A refusal for the role names the role and what was refused.
            (_, Some(role), Some(method)) => {
                crate::strings::roles::may_not(role, &s::method_action(method))
            }
            _ => e.message.clone(),
        },
        ErrorCode::DeviceNotFound => num("deviceId")
            .map(s::device_not_found)
            .unwrap_or_else(|| e.message.clone()),
        ErrorCode::DeviceUnreachable => match num("deviceId") {
            Some(d) => s::device_unreachable(d),
            None => e.message.clone(),
        },
        ErrorCode::GatewayUnavailable => match (num("deviceId"), text("gateway")) {
            (Some(d), _) => s::device_behind_down_gateway(d),
            (None, Some(g)) if g != "gateway" => with_detail(s::gateway_down(g)),
            _ => with_detail(s::GATEWAY_DOWN().to_string()),
        },
        ErrorCode::Timeout => match num("afterMs") {
            Some(ms) => s::gateway_timeout(ms),
            None => s::DEVICE_TIMEOUT().to_string(),
        },
        ErrorCode::Unsupported => match (e.reason(), num("deviceId")) {
            (Some("noZone"), _) => s::no_zone(text("site")),
            (Some("zoneNotExpressible"), _) => s::with_detail(
                &s::zone_not_expressible(text("zone").unwrap_or_default()),
                text("detail").unwrap_or_default(),
            ),
            (Some("noArchive"), _) => crate::strings::sync::NO_ARCHIVE().to_string(),
            (Some("noDirectory"), _) => s::NO_DIRECTORY().to_string(),
            (Some("noSignIn"), _) => s::NO_SIGN_IN().to_string(),
            (_, Some(d)) => s::with_detail(&s::device_cannot(d), &e.message),
            _ => s::with_detail(s::NOT_POSSIBLE(), &e.message),
        },
        ErrorCode::LimitExceeded => match (e.limit(), e.reason()) {
            (Some(what), _) => {
                s::too_many(what, num("limit").unwrap_or(0), num("value").unwrap_or(0))
            }
            (None, Some("busy")) => s::relay_busy(num("limit").unwrap_or(0)),
            (None, Some("relayOutbox")) => s::RELAY_OUTBOX().to_string(),
            _ => s::TOO_MUCH().to_string(),
        },
        ErrorCode::ValidationFailed => match e.field_errors().first() {
            Some(f) if f.field.is_empty() => s::invalid(&field_error_text(f)),
            Some(f) => s::invalid(&format!("{}: {}", f.field, field_error_text(f))),
            None => e.message.clone(),
        },
        ErrorCode::InvalidParams | ErrorCode::ParseError | ErrorCode::InvalidRequest => {
            s::refused_input(text("detail").unwrap_or(&e.message))
        }
        ErrorCode::MethodNotFound => s::UNKNOWN_METHOD().to_string(),
        ErrorCode::AuditUnavailable => with_detail(s::AUDIT_DOWN().to_string()),
        ErrorCode::Internal if e.reason() == Some("notHeldAfterWrite") => {
            s::NOT_HELD_AFTER_WRITE().to_string()
        }
        ErrorCode::Internal => s::relay_failed(text("detail").unwrap_or(&e.message)),
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Rpc(e) => write!(f, "{} (code {})", e.message, e.code),
            other => f.write_str(&other.message()),
        }
    }
}

impl std::error::Error for ApiError {}

impl From<RpcError> for ApiError {
    fn from(e: RpcError) -> Self {
        ApiError::Rpc(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_for_the_role_says_so_in_words() {
        let refused = ApiError::Rpc(RpcError {
            code: ErrorCode::PermissionDenied as i32,
            message: "role viewer may not call tna.setConfig".into(),
            data: Some(serde_json::json!({"role": "viewer", "method": "tna.setConfig"})),
        });
        assert_eq!(
            refused.message(),
            "Your role (viewer) may not change T&A configurations."
        );
        // Without the data the relay's own sentence stays.
        let bare = ApiError::Rpc(RpcError {
            code: ErrorCode::PermissionDenied as i32,
            message: "Sign in again.".into(),
            data: Some(serde_json::json!({"signIn": true})),
        });
        assert_eq!(bare.message(), "Sign in again.");
    }

    #[test]
    fn the_relays_refusals_are_worded_from_code_and_data() {
        use tna_types::protocol::Limit;
        let limit = ApiError::Rpc(RpcError::limit_exceeded(Limit::DevicesPerCall, 1000, 1200));
        assert_eq!(
            limit.message(),
            "Too many devices in one call: at most 1,000, got 1,200."
        );
        assert_eq!(
            ApiError::Rpc(RpcError::device_not_found(540_000_001)).message(),
            "Device 540000001 is not known to the gateway."
        );
        let no_archive = ApiError::Rpc(RpcError::because(
            ErrorCode::Unsupported,
            "noArchive",
            "English text the console does not show",
            serde_json::Value::Null,
        ));
        assert_eq!(
            no_archive.message(),
            crate::strings::sync::NO_ARCHIVE(),
            "worded by the reason, not the relay's text"
        );
        let ended = ApiError::Rpc(RpcError::because(
            ErrorCode::PermissionDenied,
            "sessionEnded",
            "x",
            serde_json::json!({"signIn": true}),
        ));
        assert_eq!(ended.message(), s::SESSION_ENDED());
        let slow = ApiError::Rpc(
            RpcError::new(ErrorCode::Timeout, "x").with_data(serde_json::json!({"afterMs": 15000})),
        );
        assert_eq!(
            slow.message(),
            "The gateway did not answer within 15 s; try again."
        );
        // A code this console does not know keeps the relay's sentence.
        let newer = ApiError::Rpc(RpcError {
            code: -32050,
            message: "Something new.".into(),
            data: None,
        });
        assert_eq!(newer.message(), "Something new.");
    }
}
