//! Secrets: password rules and argon2id hashing, session tokens, pairing codes and generated
//! passwords.
//!
//! - Passwords are stored as argon2id PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with
//!   a random salt per hash; verification takes the parameters from the stored string, so hashes
//!   made with other parameters keep working.
//! - Tokens and pairing codes come from the OS random number generator and are kept only as
//!   their SHA-256 ([`TokenHash`]): a memory or file dump does not give live credentials. A lookup
//!   is by that hash, so no secret is ever compared byte by byte with another.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::AuthError;

/// Fewest characters in a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most bytes (UTF-8) in a password; longer ones are refused before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 128;
/// Most characters in a username or kiosk name.
pub const MAX_USERNAME_CHARS: usize = 32;
/// Random bytes in a session token (base64url without padding: [`TOKEN_CHARS`] characters).
pub const TOKEN_BYTES: usize = 32;
/// Characters of a session token as handed out.
pub const TOKEN_CHARS: usize = 43;
/// Characters of a pairing code (without the display dash).
pub const PAIRING_CODE_LEN: usize = 8;
/// What pairing codes are made of: no 0/O and no 1/I, so a code read off a screen is typed right.
/// 32 symbols, so one random byte masked to 5 bits picks one without bias.
pub const PAIRING_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Random bytes in a generated password (base64url: 24 characters).
pub const GENERATED_PASSWORD_BYTES: usize = 18;

/// The naming rule, as shown to whoever broke it.
const USERNAME_RULE: &str =
    "must be 1 to 32 characters, each a letter (A-Z, a-z), a digit, '.', '_' or '-'";

/// The SHA-256 of a token or pairing code: the only form in which the relay keeps one.
pub type TokenHash = [u8; 32];

/// How expensive password hashes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashCost {
    /// The argon2 crate's defaults (argon2id, 19 MiB, 2 passes): what the relay uses.
    #[default]
    Default,
    /// The cheapest parameters argon2 accepts. Only for tests: such hashes are easy to crack.
    FastForTests,
}

/// Hashes and verifies passwords with argon2id.
pub(crate) struct Hasher {
    argon2: Argon2<'static>,
    /// How many verifications ran (tests check that refused and unknown-user sign-ins do or
    /// do not hash).
    #[cfg(test)]
    pub(crate) verifies: std::sync::atomic::AtomicUsize,
}

impl Hasher {
    /// A hasher making hashes of the given cost.
    pub(crate) fn new(cost: HashCost) -> Self {
        let params = match cost {
            HashCost::Default => Params::default(),
            HashCost::FastForTests => {
                Params::new(Params::MIN_M_COST, Params::MIN_T_COST, 1, None).unwrap_or_default()
            }
        };
        Hasher {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
            #[cfg(test)]
            verifies: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The PHC string of `password` with a fresh random salt.
    pub(crate) fn hash(&self, password: &str) -> Result<String, AuthError> {
        self.argon2
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AuthError::Crypto(format!("hashing a password: {e}")))
    }

    /// A hash of nothing anyone types, made with this hasher's parameters: verified against when
    /// the username is unknown, so that answer takes as long as a wrong password.
    pub(crate) fn dummy_hash(&self) -> Option<String> {
        self.argon2
            .hash_password_with_salt(b"no account has this password", b"tna-relay-dummy-salt")
            .map(|h| h.to_string())
            .ok()
    }

    /// Whether `password` matches the PHC string `phc` (false for an unreadable `phc`).
    pub(crate) fn verify(&self, password: &str, phc: &str) -> bool {
        #[cfg(test)]
        self.verifies
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        PasswordVerifier::<str>::verify_password(&self.argon2, password.as_bytes(), phc).is_ok()
    }
}

/// Whether `phc` is a PHC string this relay can verify against.
pub(crate) fn is_phc(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| h.algorithm.as_str().starts_with("argon2"))
}

/// Checks the naming rule for usernames and kiosk names.
pub fn check_username(name: &str) -> Result<(), AuthError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(AuthError::InvalidUsername(USERNAME_RULE.to_owned()))
    }
}

/// Whether `name` follows the naming rule (1–32 of `[A-Za-z0-9._-]`).
pub(crate) fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_USERNAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Checks the rules for a new password.
pub fn check_password(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters long"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::WeakPassword(format!(
            "must be at most {MAX_PASSWORD_BYTES} bytes long"
        )));
    }
    Ok(())
}

/// `N` bytes from the OS random number generator.
fn random<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| AuthError::Crypto(format!("OS random: {e}")))?;
    Ok(bytes)
}

/// A new session token and its hash.
pub(crate) fn new_token() -> Result<(String, TokenHash), AuthError> {
    let token = URL_SAFE_NO_PAD.encode(random::<TOKEN_BYTES>()?);
    let hash = hash_secret(&token);
    Ok((token, hash))
}

/// The SHA-256 of a token or (normalised) pairing code.
pub(crate) fn hash_secret(secret: &str) -> TokenHash {
    Sha256::digest(secret.as_bytes()).into()
}

/// A token hash as stored in the accounts file.
pub(crate) fn encode_hash(hash: &TokenHash) -> String {
    URL_SAFE_NO_PAD.encode(hash)
}

/// A token hash read from the accounts file.
pub(crate) fn decode_hash(text: &str) -> Option<TokenHash> {
    URL_SAFE_NO_PAD.decode(text).ok()?.try_into().ok()
}

/// A new pairing code ([`PAIRING_CODE_LEN`] characters of [`PAIRING_ALPHABET`]).
pub(crate) fn new_pairing_code() -> Result<String, AuthError> {
    Ok(random::<PAIRING_CODE_LEN>()?
        .iter()
        .map(|b| char::from(PAIRING_ALPHABET[usize::from(b & 31)]))
        .collect())
}

/// A typed pairing code in canonical form: dashes and spaces dropped, upper case. None when it
/// cannot be a code this relay issued.
pub(crate) fn normalise_pairing_code(typed: &str) -> Option<String> {
    if typed.len() > 4 * PAIRING_CODE_LEN {
        return None;
    }
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == PAIRING_CODE_LEN && code.bytes().all(|b| PAIRING_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// A random password for the first admin: URL-safe, [`GENERATED_PASSWORD_BYTES`] of entropy.
pub(crate) fn generate_password() -> Result<String, AuthError> {
    Ok(URL_SAFE_NO_PAD.encode(random::<GENERATED_PASSWORD_BYTES>()?))
}
