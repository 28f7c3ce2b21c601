//! Accounts, sign-in and sessions: who may use the relay, with which [`Role`].
//!
//! - **Accounts** (username, role, argon2id hash) live in a JSON file ([`Auth::open`], see
//!   `store.rs`) or only in memory ([`Auth::in_memory`]). There is always at least one admin: the
//!   last one can be neither deleted nor demoted, and [`Auth::ensure_admin`] creates the first.
//! - **Sign-in** checks the password with argon2id. An unknown username is verified against a
//!   dummy hash, so it takes as long and fails the same way ([`AuthError::BadCredentials`]) as a
//!   wrong password. Failures are counted per (username, client) and per client, with growing
//!   delays (`limiter.rs`): wrong passwords from one client never delay the user on another.
//!   While a delay runs nothing is checked at all.
//! - **Sessions** are bearer tokens of [`TOKEN_BYTES`] OS-random bytes. The relay keeps only their
//!   SHA-256, so a memory or file dump gives no live token. A session lives [`SESSION_TTL`] from
//!   sign-in, in memory only: restarting the relay signs everyone out. Changing an account's
//!   password or role, or deleting it, ends its sessions.
//! - **Kiosks** are enrolled without a password: an admin asks for a one-time pairing code
//!   ([`PAIRING_TTL`]), the wall tablet redeems it for a [`Role::Kiosk`] session of
//!   [`KIOSK_TTL`]. Kiosk sessions are kept (hashed) in the accounts file, so a tablet stays
//!   signed in across relay restarts; bad codes count against the client like bad passwords.
//!
//! Nothing here logs a password, token or pairing code; events name the username (or kiosk) and
//! the outcome. Hashing is slow on purpose (tens of milliseconds with the default parameters):
//! the password methods block, so async callers run them in `tokio::task::spawn_blocking`.
//! The clock is injectable ([`AuthOptions::clock`], [`ManualClock`]) so expiry is testable.

mod clock;
mod error;
mod limiter;
mod secret;
mod store;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

pub use tna_types::Role;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::AuthError;
pub use limiter::{
    FAILURE_WINDOW, FIRST_DELAY, FREE_CLIENT_FAILURES, FREE_PAIR_FAILURES, MAX_CLIENT_KEY_BYTES,
    MAX_DELAY, MAX_TRACKED_KEYS,
};
pub use secret::{
    GENERATED_PASSWORD_BYTES, HashCost, MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS,
    PAIRING_ALPHABET, PAIRING_CODE_LEN, TOKEN_BYTES, TOKEN_CHARS, check_password, check_username,
};
pub use store::FILE_VERSION;

use limiter::Limiter;
use secret::{Hasher, TokenHash};
use store::{FileData, StoredAccount, StoredKiosk};

/// How long a signed-in session lives (from sign-in, not from last use): one long shift.
pub const SESSION_TTL: Duration = Duration::from_secs(12 * 60 * 60);
/// How long a paired kiosk stays signed in.
pub const KIOSK_TTL: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// How long a pairing code can be redeemed.
pub const PAIRING_TTL: Duration = Duration::from_secs(10 * 60);
/// Most live sessions per account; signing in beyond that ends the one closest to expiry.
pub const MAX_SESSIONS_PER_ACCOUNT: usize = 32;
/// Most live account sessions in all; beyond that the one closest to expiry ends.
pub const MAX_SESSIONS: usize = 10_000;
/// Most paired kiosks.
pub const MAX_KIOSKS: usize = 256;
/// Most pairing codes waiting to be redeemed; a new one beyond that replaces the oldest.
pub const MAX_PENDING_PAIRINGS: usize = 32;
/// The account [`Auth::ensure_admin`] creates.
pub const FIRST_ADMIN: &str = "admin";

/// A live session, as handed to the caller.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The bearer token (only ever handed out at sign-in or pairing, never stored).
    pub token: String,
    /// The account's username, or the kiosk's name.
    pub username: String,
    /// What the session may do.
    pub role: Role,
    /// When it ends (Unix seconds).
    pub expires_at: u64,
    /// A kiosk's: what it may show (`None` for accounts).
    pub scope: Option<Arc<KioskScope>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"<redacted>")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// An account and a paired kiosk as listed to admins: the protocol's types (`accounts.list`,
/// `kiosk.list`), defined once in `tna_types`.
pub use tna_types::protocol::{AccountInfo, KioskInfo, KioskScope};

/// How an [`Auth`] is set up.
#[derive(Clone)]
pub struct AuthOptions {
    /// Where the time comes from.
    pub clock: Arc<dyn Clock>,
    /// The cost of new password hashes.
    pub hash_cost: HashCost,
}

impl Default for AuthOptions {
    fn default() -> Self {
        AuthOptions {
            clock: Arc::new(SystemClock),
            hash_cost: HashCost::Default,
        }
    }
}

impl std::fmt::Debug for AuthOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthOptions")
            .field("now", &self.clock.now())
            .field("hash_cost", &self.hash_cost)
            .finish()
    }
}

#[derive(Debug, Clone)]
struct Account {
    role: Role,
    /// argon2id PHC string.
    password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Account,
    Kiosk {
        paired_at: u64,
        /// What it may show.
        scope: Arc<KioskScope>,
    },
}

/// A session as kept: under the SHA-256 of its token, without the token.
#[derive(Debug, Clone)]
struct Entry {
    username: String,
    role: Role,
    expires_at: u64,
    kind: Kind,
}

impl Entry {
    fn is_kiosk(&self) -> bool {
        matches!(self.kind, Kind::Kiosk { .. })
    }
}

/// A pairing code waiting to be redeemed (kept under its SHA-256).
#[derive(Debug)]
struct Pairing {
    name: String,
    expires_at: u64,
    scope: KioskScope,
}

#[derive(Debug, Default)]
struct State {
    accounts: BTreeMap<String, Account>,
    sessions: HashMap<TokenHash, Entry>,
    pairings: HashMap<TokenHash, Pairing>,
}

impl State {
    fn admins(&self) -> usize {
        self.accounts
            .values()
            .filter(|a| a.role == Role::Admin)
            .count()
    }

    /// The existing username equal to `username` ignoring ASCII case.
    fn clashing(&self, username: &str) -> Option<&String> {
        self.accounts
            .keys()
            .find(|k| k.eq_ignore_ascii_case(username))
    }

    /// Ends every (non-kiosk) session of `username`; returns how many.
    fn revoke_account_sessions(&mut self, username: &str) -> usize {
        let before = self.sessions.len();
        self.sessions
            .retain(|_, e| e.is_kiosk() || e.username != username);
        before - self.sessions.len()
    }

    /// The live kiosks other than `except`.
    fn kiosk_count_except(&self, except: &str, now: u64) -> usize {
        self.sessions
            .values()
            .filter(|e| e.is_kiosk() && e.expires_at > now && e.username != except)
            .count()
    }

    /// Paired kiosks as written to the file, by name.
    fn stored_kiosks(&self) -> Vec<StoredKiosk> {
        let mut kiosks: Vec<StoredKiosk> = self
            .sessions
            .iter()
            .filter_map(|(hash, e)| match &e.kind {
                Kind::Kiosk { paired_at, scope } => Some(StoredKiosk {
                    name: e.username.clone(),
                    token_hash: secret::encode_hash(hash),
                    paired_at: *paired_at,
                    expires_at: e.expires_at,
                    scope: Some(KioskScope::clone(scope)),
                }),
                Kind::Account => None,
            })
            .collect();
        kiosks.sort_by(|a, b| a.name.cmp(&b.name));
        kiosks
    }

    /// Adds an account session, first dropping expired sessions and, at the limits, the
    /// session of the same account (then of anyone) that would end soonest.
    fn add_account_session(&mut self, hash: TokenHash, entry: Entry, now: u64) {
        self.sessions.retain(|_, e| e.expires_at > now);
        let soonest = |sessions: &HashMap<TokenHash, Entry>, user: Option<&str>| {
            sessions
                .iter()
                .filter(|(_, e)| !e.is_kiosk() && user.is_none_or(|u| e.username == u))
                .min_by_key(|(_, e)| e.expires_at)
                .map(|(h, _)| *h)
        };
        let own = self
            .sessions
            .values()
            .filter(|e| !e.is_kiosk() && e.username == entry.username)
            .count();
        if own >= MAX_SESSIONS_PER_ACCOUNT
            && let Some(h) = soonest(&self.sessions, Some(&entry.username))
        {
            self.sessions.remove(&h);
        }
        let all = self.sessions.values().filter(|e| !e.is_kiosk()).count();
        if all >= MAX_SESSIONS
            && let Some(h) = soonest(&self.sessions, None)
        {
            self.sessions.remove(&h);
        }
        self.sessions.insert(hash, entry);
    }
}

struct Inner {
    /// None: in memory only.
    file: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    hasher: Hasher,
    /// Verified against for unknown usernames; made on the first sign-in (whoever it is for).
    dummy_hash: OnceLock<Option<String>>,
    state: Mutex<State>,
    limiter: Mutex<Limiter>,
}

/// The relay's accounts, sessions and failed-attempt limiter (cheap to clone, shared).
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("file", &self.inner.file)
            .finish_non_exhaustive()
    }
}

impl Auth {
    fn build(file: Option<PathBuf>, options: AuthOptions) -> Auth {
        Auth {
            inner: Arc::new(Inner {
                file,
                clock: options.clock,
                hasher: Hasher::new(options.hash_cost),
                dummy_hash: OnceLock::new(),
                state: Mutex::new(State::default()),
                limiter: Mutex::new(Limiter::default()),
            }),
        }
    }

    /// Accounts persisted in the JSON file at `path` (created, empty, if absent; written
    /// atomically, mode 0600 on Unix). Paired kiosks stay signed in across restarts.
    pub fn open(path: &Path) -> Result<Auth, AuthError> {
        Auth::open_with(path, AuthOptions::default())
    }

    /// [`Auth::open`] with a chosen clock and hash cost.
    pub fn open_with(path: &Path, options: AuthOptions) -> Result<Auth, AuthError> {
        let now = options.clock.now();
        let auth = Auth::build(Some(path.to_owned()), options);
        match store::load(path, now)? {
            Some(loaded) => {
                let mut st = auth.state();
                for (username, (role, password_hash)) in loaded.accounts {
                    st.accounts.insert(
                        username,
                        Account {
                            role,
                            password_hash,
                        },
                    );
                }
                for (hash, k) in loaded.kiosks {
                    st.sessions.insert(
                        hash,
                        Entry {
                            username: k.name,
                            role: Role::Kiosk,
                            expires_at: k.expires_at,
                            // Paired before kiosks had scopes: every device, as then.
                            kind: Kind::Kiosk {
                                paired_at: k.paired_at,
                                scope: Arc::new(k.scope.unwrap_or_else(KioskScope::all)),
                            },
                        },
                    );
                }
                tracing::info!(
                    path = %path.display(),
                    accounts = st.accounts.len(),
                    kiosks = st.sessions.len(),
                    "accounts loaded"
                );
            }
            None => {
                auth.save(&BTreeMap::new(), Vec::new())?;
                tracing::info!(path = %path.display(), "accounts file created");
            }
        }
        Ok(auth)
    }

    /// Accounts in memory only (tests, demo).
    pub fn in_memory() -> Auth {
        Auth::in_memory_with(AuthOptions::default())
    }

    /// [`Auth::in_memory`] with a chosen clock and hash cost.
    pub fn in_memory_with(options: AuthOptions) -> Auth {
        Auth::build(None, options)
    }

    /// In memory with the cheapest password hashes, so debug-build tests run fast. Never use
    /// this for real accounts.
    pub fn in_memory_fast_for_tests() -> Auth {
        Auth::in_memory_with(AuthOptions {
            hash_cost: HashCost::FastForTests,
            ..AuthOptions::default()
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn limiter(&self) -> MutexGuard<'_, Limiter> {
        self.inner.limiter.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now(&self) -> u64 {
        self.inner.clock.now()
    }

    /// Writes the file (no-op in memory). Called with the state lock held, before the change is
    /// applied in memory: a failed write changes nothing.
    fn save(
        &self,
        accounts: &BTreeMap<String, Account>,
        kiosks: Vec<StoredKiosk>,
    ) -> Result<(), AuthError> {
        let Some(path) = &self.inner.file else {
            return Ok(());
        };
        let data = FileData {
            version: FILE_VERSION,
            accounts: accounts
                .iter()
                .map(|(username, a)| StoredAccount {
                    username: username.clone(),
                    role: a.role,
                    password_hash: a.password_hash.clone(),
                })
                .collect(),
            kiosks,
        };
        store::save(path, &data)
    }

    /// Applies `change` to a copy of the accounts, saves it with the current kiosks, then keeps it.
    fn commit_accounts(
        &self,
        st: &mut State,
        change: impl FnOnce(&mut BTreeMap<String, Account>),
    ) -> Result<(), AuthError> {
        let mut accounts = st.accounts.clone();
        change(&mut accounts);
        self.save(&accounts, st.stored_kiosks())?;
        st.accounts = accounts;
        Ok(())
    }

    /// If there is no account at all, creates [`FIRST_ADMIN`] (role admin) with `password`, or
    /// with a generated one (24 URL-safe characters) which is returned so the caller can show it
    /// once. `Ok(None)` when accounts exist or `password` was given.
    pub fn ensure_admin(&self, password: Option<&str>) -> Result<Option<String>, AuthError> {
        if !self.state().accounts.is_empty() {
            return Ok(None);
        }
        let (password, generated) = match password {
            Some(p) => {
                check_password(p)?;
                (p.to_owned(), false)
            }
            None => (secret::generate_password()?, true),
        };
        let password_hash = self.inner.hasher.hash(&password)?;
        let mut st = self.state();
        if !st.accounts.is_empty() {
            return Ok(None);
        }
        self.commit_accounts(&mut st, |accounts| {
            accounts.insert(
                FIRST_ADMIN.to_owned(),
                Account {
                    role: Role::Admin,
                    password_hash,
                },
            );
        })?;
        tracing::info!(
            username = FIRST_ADMIN,
            generated,
            "first admin account created"
        );
        Ok(generated.then_some(password))
    }

    /// Creates an account. Usernames are unique ignoring ASCII case.
    pub fn create_account(
        &self,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<(), AuthError> {
        check_username(username)?;
        check_password(password)?;
        if let Some(existing) = self.state().clashing(username) {
            return Err(AuthError::AccountExists(existing.clone()));
        }
        let password_hash = self.inner.hasher.hash(password)?;
        let mut st = self.state();
        if let Some(existing) = st.clashing(username) {
            return Err(AuthError::AccountExists(existing.clone()));
        }
        self.commit_accounts(&mut st, |accounts| {
            accounts.insert(
                username.to_owned(),
                Account {
                    role,
                    password_hash,
                },
            );
        })?;
        tracing::info!(username, role = role.name(), "account created");
        Ok(())
    }

    /// Sets an account's password and ends its sessions.
    pub fn set_password(&self, username: &str, password: &str) -> Result<(), AuthError> {
        check_password(password)?;
        if !self.state().accounts.contains_key(username) {
            return Err(AuthError::UnknownAccount(username.to_owned()));
        }
        let password_hash = self.inner.hasher.hash(password)?;
        let mut st = self.state();
        if !st.accounts.contains_key(username) {
            return Err(AuthError::UnknownAccount(username.to_owned()));
        }
        self.commit_accounts(&mut st, |accounts| {
            if let Some(a) = accounts.get_mut(username) {
                a.password_hash = password_hash;
            }
        })?;
        let revoked = st.revoke_account_sessions(username);
        tracing::info!(username, revoked, "password changed");
        Ok(())
    }

    /// Sets an account's role and ends its sessions; the last admin cannot be demoted.
    pub fn set_role(&self, username: &str, role: Role) -> Result<(), AuthError> {
        let mut st = self.state();
        let Some(current) = st.accounts.get(username).map(|a| a.role) else {
            return Err(AuthError::UnknownAccount(username.to_owned()));
        };
        if current == Role::Admin && role != Role::Admin && st.admins() <= 1 {
            return Err(AuthError::LastAdmin);
        }
        self.commit_accounts(&mut st, |accounts| {
            if let Some(a) = accounts.get_mut(username) {
                a.role = role;
            }
        })?;
        let revoked = st.revoke_account_sessions(username);
        tracing::info!(username, role = role.name(), revoked, "role changed");
        Ok(())
    }

    /// Deletes an account and ends its sessions; the last admin cannot be deleted.
    pub fn delete_account(&self, username: &str) -> Result<(), AuthError> {
        let mut st = self.state();
        let Some(current) = st.accounts.get(username).map(|a| a.role) else {
            return Err(AuthError::UnknownAccount(username.to_owned()));
        };
        if current == Role::Admin && st.admins() <= 1 {
            return Err(AuthError::LastAdmin);
        }
        self.commit_accounts(&mut st, |accounts| {
            accounts.remove(username);
        })?;
        let revoked = st.revoke_account_sessions(username);
        tracing::info!(username, revoked, "account deleted");
        Ok(())
    }

    /// Every account, by username.
    pub fn accounts(&self) -> Vec<AccountInfo> {
        self.state()
            .accounts
            .iter()
            .map(|(username, a)| AccountInfo {
                username: username.clone(),
                role: a.role,
            })
            .collect()
    }

    /// Checks the password and, on success, opens a session of [`SESSION_TTL`]. `client`
    /// identifies the caller for rate limiting (its IP address). Blocks for one argon2 verify.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<Session, AuthError> {
        let now = self.now();
        // Only names that could exist get a counter: junk names cannot crowd out real ones.
        let user_key = secret::is_valid_name(username).then_some(username);
        let logged = user_key.unwrap_or("<invalid>");
        if let Err(retry_after_secs) = self.limiter().begin(user_key, client, now) {
            tracing::warn!(
                username = logged,
                client,
                retry_after_secs,
                "sign-in refused: too many failures"
            );
            return Err(AuthError::RateLimited { retry_after_secs });
        }
        // Made before the lookup, so the first sign-in is equally slow for every username.
        let dummy = self
            .inner
            .dummy_hash
            .get_or_init(|| self.inner.hasher.dummy_hash());
        let stored = self
            .state()
            .accounts
            .get(username)
            .map(|a| a.password_hash.clone());
        let verified = password.len() <= MAX_PASSWORD_BYTES
            && match (&stored, dummy) {
                (Some(hash), _) => self.inner.hasher.verify(password, hash),
                (None, Some(dummy)) => {
                    let _ = self.inner.hasher.verify(password, dummy);
                    false
                }
                (None, None) => false,
            };
        if !verified {
            tracing::info!(username = logged, client, "sign-in failed");
            return Err(AuthError::BadCredentials);
        }
        let (token, hash) = secret::new_token()?;
        let expires_at = now.saturating_add(SESSION_TTL.as_secs());
        let role = {
            let mut st = self.state();
            // The password or account may have changed while we were hashing.
            let Some(account) = st
                .accounts
                .get(username)
                .filter(|a| Some(&a.password_hash) == stored.as_ref())
            else {
                return Err(AuthError::BadCredentials);
            };
            let role = account.role;
            st.add_account_session(
                hash,
                Entry {
                    username: username.to_owned(),
                    role,
                    expires_at,
                    kind: Kind::Account,
                },
                now,
            );
            role
        };
        self.limiter().succeeded(user_key, client);
        tracing::info!(username, role = role.name(), client, "signed in");
        Ok(Session {
            token,
            username: username.to_owned(),
            role,
            expires_at,
            scope: None,
        })
    }

    /// The live session for `token`: None when unknown, expired or revoked.
    pub fn session(&self, token: &str) -> Option<Session> {
        if token.len() != TOKEN_CHARS {
            return None;
        }
        let hash = secret::hash_secret(token);
        let now = self.now();
        let mut st = self.state();
        let entry = st.sessions.get(&hash)?;
        if entry.expires_at <= now {
            // An expired kiosk stays in the file until the next save; loading drops it.
            st.sessions.remove(&hash);
            return None;
        }
        Some(Session {
            token: token.to_owned(),
            username: entry.username.clone(),
            role: entry.role,
            expires_at: entry.expires_at,
            scope: match &entry.kind {
                Kind::Kiosk { scope, .. } => Some(Arc::clone(scope)),
                Kind::Account => None,
            },
        })
    }

    /// Ends the session of `token` (nothing happens for an unknown token). Ending a kiosk's
    /// session unpairs it.
    pub fn sign_out(&self, token: &str) {
        if token.len() != TOKEN_CHARS {
            return;
        }
        let hash = secret::hash_secret(token);
        let mut st = self.state();
        let Some(entry) = st.sessions.get(&hash).cloned() else {
            return;
        };
        if entry.is_kiosk() {
            let mut kiosks = st.stored_kiosks();
            kiosks.retain(|k| k.name != entry.username);
            if let Err(e) = self.save(&st.accounts, kiosks) {
                // Signed out now; the file still has the kiosk until the next successful save.
                tracing::error!(kiosk = entry.username, "kiosk sign-out not saved: {e}");
            }
        }
        st.sessions.remove(&hash);
        tracing::info!(
            username = entry.username,
            kiosk = entry.is_kiosk(),
            "signed out"
        );
    }

    /// A one-time pairing code for a kiosk to be called `name` (same rule as usernames), valid
    /// [`PAIRING_TTL`], that may show what `scope` says. A new code for the same name replaces
    /// the one not yet redeemed.
    pub fn pairing_code(&self, name: &str, scope: KioskScope) -> Result<String, AuthError> {
        check_username(name)?;
        if let Some(why) = scope.problem() {
            return Err(AuthError::BadScope(why));
        }
        let now = self.now();
        let code = secret::new_pairing_code()?;
        let mut st = self.state();
        if st.kiosk_count_except(name, now) >= MAX_KIOSKS {
            return Err(AuthError::TooManyKiosks(MAX_KIOSKS));
        }
        st.pairings
            .retain(|_, p| p.expires_at > now && p.name != name);
        if st.pairings.len() >= MAX_PENDING_PAIRINGS
            && let Some(oldest) = st
                .pairings
                .iter()
                .min_by_key(|(_, p)| p.expires_at)
                .map(|(h, _)| *h)
        {
            st.pairings.remove(&oldest);
        }
        st.pairings.insert(
            secret::hash_secret(&code),
            Pairing {
                name: name.to_owned(),
                expires_at: now.saturating_add(PAIRING_TTL.as_secs()),
                scope,
            },
        );
        tracing::info!(kiosk = name, "pairing code issued");
        Ok(code)
    }

    /// Redeems a pairing code (case, spaces and dashes ignored) once, for a [`Role::Kiosk`]
    /// session of [`KIOSK_TTL`] named as the admin asked. A kiosk paired again under the same
    /// name replaces the old tablet's session. Bad codes are rate limited per `client`.
    pub fn redeem_pairing(&self, code: &str, client: &str) -> Result<Session, AuthError> {
        let now = self.now();
        if let Err(retry_after_secs) = self.limiter().begin(None, client, now) {
            tracing::warn!(
                client,
                retry_after_secs,
                "pairing refused: too many failures"
            );
            return Err(AuthError::RateLimited { retry_after_secs });
        }
        let found = secret::normalise_pairing_code(code).and_then(|code| {
            let hash = secret::hash_secret(&code);
            let mut st = self.state();
            match st.pairings.get(&hash) {
                Some(p) if p.expires_at > now => Some((hash, p.name.clone(), p.scope.clone())),
                Some(_) => {
                    st.pairings.remove(&hash);
                    None
                }
                None => None,
            }
        });
        let Some((code_hash, name, scope)) = found else {
            tracing::info!(client, "pairing failed: unknown or expired code");
            return Err(AuthError::BadPairingCode);
        };
        let (token, token_hash) = secret::new_token()?;
        let expires_at = now.saturating_add(KIOSK_TTL.as_secs());
        {
            let mut st = self.state();
            // Redeemed concurrently by someone else?
            if st.pairings.remove(&code_hash).is_none() {
                return Err(AuthError::BadPairingCode);
            }
            if st.kiosk_count_except(&name, now) >= MAX_KIOSKS {
                return Err(AuthError::TooManyKiosks(MAX_KIOSKS));
            }
            let mut kiosks = st.stored_kiosks();
            kiosks.retain(|k| k.name != name);
            kiosks.push(StoredKiosk {
                name: name.clone(),
                token_hash: secret::encode_hash(&token_hash),
                paired_at: now,
                expires_at,
                scope: Some(scope.clone()),
            });
            self.save(&st.accounts, kiosks)?;
            st.sessions
                .retain(|_, e| !(e.is_kiosk() && e.username == name));
            st.sessions.insert(
                token_hash,
                Entry {
                    username: name.clone(),
                    role: Role::Kiosk,
                    expires_at,
                    kind: Kind::Kiosk {
                        paired_at: now,
                        scope: Arc::new(scope.clone()),
                    },
                },
            );
        }
        self.limiter().succeeded(None, client);
        tracing::info!(kiosk = name, client, "kiosk paired");
        Ok(Session {
            token,
            username: name,
            role: Role::Kiosk,
            expires_at,
            scope: Some(Arc::new(scope)),
        })
    }

    /// Every paired kiosk whose session is live, by name.
    pub fn kiosks(&self) -> Vec<KioskInfo> {
        let now = self.now();
        let mut kiosks: Vec<KioskInfo> = self
            .state()
            .sessions
            .values()
            .filter_map(|e| match &e.kind {
                Kind::Kiosk { paired_at, scope } if e.expires_at > now => Some(KioskInfo {
                    name: e.username.clone(),
                    paired_at: *paired_at,
                    expires_at: e.expires_at,
                    scope: KioskScope::clone(scope),
                }),
                _ => None,
            })
            .collect();
        kiosks.sort_by(|a, b| a.name.cmp(&b.name));
        kiosks
    }

    /// Unpairs the kiosk called `name` (a lost or replaced tablet): its session ends now.
    pub fn revoke_kiosk(&self, name: &str) -> Result<(), AuthError> {
        let mut st = self.state();
        let mut kiosks = st.stored_kiosks();
        let before = kiosks.len();
        kiosks.retain(|k| k.name != name);
        if kiosks.len() == before {
            return Err(AuthError::UnknownKiosk(name.to_owned()));
        }
        self.save(&st.accounts, kiosks)?;
        st.sessions
            .retain(|_, e| !(e.is_kiosk() && e.username == name));
        tracing::info!(kiosk = name, "kiosk unpaired");
        Ok(())
    }
}
