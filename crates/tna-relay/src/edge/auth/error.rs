//! Why an account or session operation failed.
//!
//! Sign-in failures are deliberately vague: a wrong password and an unknown username are the
//! same [`AuthError::BadCredentials`], so the answer does not tell a caller which usernames exist.
//! No variant ever carries a password, token or pairing code.

/// An account, sign-in or pairing failure.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Unknown username or wrong password (one answer for both).
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many failed attempts for this username or from this client; nothing was checked.
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    RateLimited {
        /// Seconds until the oldest counted failure leaves the window.
        retry_after_secs: u64,
    },
    /// The username (or kiosk name) breaks the naming rule, which the message states.
    #[error("invalid username: {0}")]
    InvalidUsername(String),
    /// The new password breaks a password rule, which the message states.
    #[error("password too weak: {0}")]
    WeakPassword(String),
    /// No account has this username.
    #[error("no account named {0:?}")]
    UnknownAccount(String),
    /// An account with this username (compared ignoring ASCII case) already exists.
    #[error("an account named {0:?} already exists")]
    AccountExists(String),
    /// The change would leave no admin account.
    #[error("the last admin account cannot be deleted or demoted")]
    LastAdmin,
    /// The pairing code is unknown, already used or expired.
    #[error("unknown or expired pairing code")]
    BadPairingCode,
    /// A pairing that does not say what the kiosk shows.
    #[error("the kiosk's scope: {0}")]
    BadScope(&'static str),
    /// No paired kiosk has this name.
    #[error("no kiosk named {0:?}")]
    UnknownKiosk(String),
    /// The number of paired kiosks is at its limit; revoke one first.
    #[error("too many paired kiosks (at most {0}); revoke one first")]
    TooManyKiosks(usize),
    /// The accounts file could not be read or written (the string names the file).
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// The accounts file is not what this relay writes; the message says what is wrong.
    #[error("corrupt accounts file {0}")]
    Corrupt(String),
    /// The OS random number generator or the password hash failed.
    #[error("crypto failure: {0}")]
    Crypto(String),
}
