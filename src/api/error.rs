//! The one error type of every console call.

use tna_types::protocol::{ErrorCode, RpcError};

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
            // A refusal for the role says so in words, naming the role and what was refused.
            ApiError::Rpc(e) if e.kind() == Some(ErrorCode::PermissionDenied) => {
                let data = e.data.as_ref();
                let field = |k: &str| data.and_then(|d| d.get(k)).and_then(|v| v.as_str());
                match (field("role"), field("method")) {
                    (Some(role), Some(method)) => {
                        crate::strings::roles::may_not(role, &s::method_action(method))
                    }
                    _ => e.message.clone(),
                }
            }
            ApiError::Rpc(e) => e.message.clone(),
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
}
