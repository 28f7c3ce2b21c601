//! Behaviour of [`Auth`]: sign-in, limits, sessions, accounts, kiosk pairing and the file.
//! Every test uses the cheapest argon2 parameters and a hand-moved clock.

use std::sync::Arc;

use super::*;

const START: u64 = 1_700_000_000;
const PW: &str = "correct horse battery";
const CLIENT: &str = "192.0.2.10";

fn options(clock: &Arc<ManualClock>) -> AuthOptions {
    AuthOptions {
        clock: clock.clone(),
        hash_cost: HashCost::FastForTests,
    }
}

/// An in-memory store with one admin ("root") and one operator ("olga"), both with [`PW`].
fn fixture() -> (Auth, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(START));
    let auth = Auth::in_memory_with(options(&clock));
    auth.create_account("root", PW, Role::Admin).ok();
    auth.create_account("olga", PW, Role::Operator).ok();
    assert_eq!(auth.accounts().len(), 2);
    (auth, clock)
}

fn open(path: &Path, clock: &Arc<ManualClock>) -> Result<Auth, AuthError> {
    Auth::open_with(path, options(clock))
}

#[test]
fn sign_in_with_the_right_password_opens_a_session() {
    let (auth, _) = fixture();
    let s = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    assert_eq!(s.username, "olga");
    assert_eq!(s.role, Role::Operator);
    assert_eq!(s.expires_at, START + SESSION_TTL.as_secs());
    assert_eq!(auth.session(&s.token), Some(s.clone()));
    // A second sign-in is a different session.
    let t = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    assert_ne!(s.token, t.token);
    assert!(auth.session(&s.token).is_some() && auth.session(&t.token).is_some());
}

#[test]
fn wrong_password_and_unknown_user_fail_alike() {
    let (auth, _) = fixture();
    let wrong = auth
        .sign_in("olga", "not the password", CLIENT)
        .unwrap_err();
    let unknown = auth.sign_in("nobody", PW, "192.0.2.11").unwrap_err();
    let junk = auth.sign_in("", PW, "192.0.2.12").unwrap_err();
    assert!(matches!(wrong, AuthError::BadCredentials), "{wrong:?}");
    assert!(matches!(unknown, AuthError::BadCredentials), "{unknown:?}");
    assert!(matches!(junk, AuthError::BadCredentials), "{junk:?}");
    assert_eq!(wrong.to_string(), unknown.to_string());
    // Case matters in the password, and an over-long password never matches.
    let upper = PW.to_uppercase();
    assert!(matches!(
        auth.sign_in("olga", &upper, "192.0.2.13"),
        Err(AuthError::BadCredentials)
    ));
    let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
    assert!(matches!(
        auth.sign_in("olga", &long, "192.0.2.14"),
        Err(AuthError::BadCredentials)
    ));
}

/// How many argon2 verifications `f` ran.
fn verifies(auth: &Auth, f: impl FnOnce()) -> usize {
    use std::sync::atomic::Ordering;
    let before = auth.inner.hasher.verifies.load(Ordering::Relaxed);
    f();
    auth.inner.hasher.verifies.load(Ordering::Relaxed) - before
}

#[test]
fn an_unknown_user_costs_one_verify_and_a_refused_attempt_none() {
    let (auth, _) = fixture();
    // The first sign-in also makes the dummy hash; count from the second on.
    let _ = auth.sign_in("olga", PW, "192.0.2.200");
    assert_eq!(
        verifies(&auth, || drop(auth.sign_in("olga", "wrong password", "c1"))),
        1
    );
    assert_eq!(
        verifies(&auth, || drop(auth.sign_in("nobody", PW, "c2"))),
        1
    );
    for _ in 0..FREE_PAIR_FAILURES {
        let _ = auth.sign_in("olga", "wrong password", "c3");
    }
    // Delayed: refused before any hashing.
    assert_eq!(verifies(&auth, || drop(auth.sign_in("olga", PW, "c3"))), 0);
}

#[test]
fn wrong_passwords_from_one_client_delay_only_that_client() {
    let (auth, clock) = fixture();
    let attacker = "198.51.100.7";
    for i in 0..FREE_PAIR_FAILURES {
        let r = auth.sign_in("olga", "wrong password", attacker);
        assert!(matches!(r, Err(AuthError::BadCredentials)), "{i}: {r:?}");
    }
    // The attacker must wait, even with the right password …
    let r = auth.sign_in("olga", PW, attacker);
    let Err(AuthError::RateLimited { retry_after_secs }) = r else {
        panic!("expected RateLimited, got {r:?}");
    };
    assert_eq!(retry_after_secs, FIRST_DELAY.as_secs());
    // … but olga on her own machine signs in at once.
    assert!(auth.sign_in("olga", PW, "203.0.113.1").is_ok());
    // The attacker's delays grow with every further failure, and never become a lockout.
    let mut waited = Vec::new();
    for _ in 0..4 {
        let r = auth.sign_in("olga", "wrong password", attacker);
        match r {
            Err(AuthError::RateLimited { retry_after_secs }) => {
                waited.push(retry_after_secs);
                clock.advance(Duration::from_secs(retry_after_secs));
                let r = auth.sign_in("olga", "wrong password", attacker);
                assert!(matches!(r, Err(AuthError::BadCredentials)), "{r:?}");
            }
            other => panic!("expected a delay, got {other:?}"),
        }
    }
    assert_eq!(waited, [1, 2, 4, 8]);
    clock.advance(MAX_DELAY);
    assert!(auth.sign_in("olga", PW, attacker).is_ok());
}

#[test]
fn a_client_is_delayed_across_usernames() {
    let (auth, clock) = fixture();
    for i in 0..FREE_CLIENT_FAILURES {
        let r = auth.sign_in(&format!("a{i}"), "wrong password", CLIENT);
        assert!(matches!(r, Err(AuthError::BadCredentials)), "{i}: {r:?}");
    }
    let r = auth.sign_in("root", PW, CLIENT);
    assert!(matches!(r, Err(AuthError::RateLimited { .. })), "{r:?}");
    // Another client is fine; this one again after its delay.
    assert!(auth.sign_in("root", PW, "192.0.2.99").is_ok());
    clock.advance(FIRST_DELAY);
    assert!(auth.sign_in("root", PW, CLIENT).is_ok());
}

#[test]
fn a_success_resets_the_pair_counter() {
    let (auth, _) = fixture();
    let client = "198.51.100.1";
    for _ in 0..FREE_PAIR_FAILURES - 1 {
        assert!(auth.sign_in("olga", "wrong password", client).is_err());
    }
    assert!(auth.sign_in("olga", PW, client).is_ok());
    // The free failures are free again.
    for i in 0..FREE_PAIR_FAILURES {
        let r = auth.sign_in("olga", "wrong password", client);
        assert!(matches!(r, Err(AuthError::BadCredentials)), "{i}: {r:?}");
    }
    let r = auth.sign_in("olga", PW, client);
    assert!(matches!(r, Err(AuthError::RateLimited { .. })), "{r:?}");
}

#[test]
fn sessions_expire_session_ttl_after_sign_in() {
    let (auth, clock) = fixture();
    let s = auth.sign_in("root", PW, CLIENT).expect("sign-in");
    clock.advance(SESSION_TTL - Duration::from_secs(1));
    assert!(auth.session(&s.token).is_some());
    clock.advance(Duration::from_secs(1));
    assert_eq!(auth.session(&s.token), None);
    // Gone for good, even if the clock went back.
    clock.set(START);
    assert_eq!(auth.session(&s.token), None);
}

#[test]
fn sign_out_ends_only_that_session() {
    let (auth, _) = fixture();
    let a = auth.sign_in("root", PW, CLIENT).expect("sign-in");
    let b = auth.sign_in("root", PW, CLIENT).expect("sign-in");
    auth.sign_out(&a.token);
    assert_eq!(auth.session(&a.token), None);
    assert!(auth.session(&b.token).is_some());
    auth.sign_out("not a token"); // nothing happens
    auth.sign_out(&a.token);
}

#[test]
fn unknown_and_malformed_tokens_have_no_session() {
    let (auth, _) = fixture();
    let s = auth.sign_in("root", PW, CLIENT).expect("sign-in");
    assert_eq!(s.token.len(), TOKEN_CHARS);
    assert!(
        s.token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "not base64url: {}",
        s.token
    );
    let mut other = s.token.clone();
    let last = if other.ends_with('A') { "B" } else { "A" };
    other.replace_range(TOKEN_CHARS - 1.., last);
    assert_eq!(auth.session(&other), None);
    assert_eq!(auth.session(""), None);
    assert_eq!(auth.session(&format!("{}x", s.token)), None);
    // The debug form never shows the token.
    assert!(!format!("{s:?}").contains(&s.token));
}

#[test]
fn set_password_ends_sessions_and_replaces_the_password() {
    let (auth, _) = fixture();
    let s = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    let other = auth.sign_in("root", PW, CLIENT).expect("sign-in");
    auth.set_password("olga", "a new long password")
        .expect("set");
    assert_eq!(auth.session(&s.token), None);
    assert!(
        auth.session(&other.token).is_some(),
        "other accounts keep theirs"
    );
    assert!(matches!(
        auth.sign_in("olga", PW, "192.0.2.50"),
        Err(AuthError::BadCredentials)
    ));
    assert!(auth.sign_in("olga", "a new long password", CLIENT).is_ok());
    assert!(matches!(
        auth.set_password("nobody", "a new long password"),
        Err(AuthError::UnknownAccount(n)) if n == "nobody"
    ));
    assert!(matches!(
        auth.set_password("olga", "short"),
        Err(AuthError::WeakPassword(_))
    ));
}

#[test]
fn set_role_ends_sessions_and_new_sessions_have_the_new_role() {
    let (auth, _) = fixture();
    let s = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    auth.set_role("olga", Role::Viewer).expect("set");
    assert_eq!(auth.session(&s.token), None);
    let t = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    assert_eq!(t.role, Role::Viewer);
    assert_eq!(
        auth.accounts(),
        vec![
            AccountInfo {
                username: "olga".into(),
                role: Role::Viewer
            },
            AccountInfo {
                username: "root".into(),
                role: Role::Admin
            },
        ]
    );
}

#[test]
fn the_last_admin_cannot_be_deleted_or_demoted() {
    let (auth, _) = fixture();
    assert!(matches!(
        auth.delete_account("root"),
        Err(AuthError::LastAdmin)
    ));
    assert!(matches!(
        auth.set_role("root", Role::Operator),
        Err(AuthError::LastAdmin)
    ));
    assert!(matches!(
        auth.delete_account("nobody"),
        Err(AuthError::UnknownAccount(_))
    ));
    // With a second admin, the first can go (and its sessions with it).
    let s = auth.sign_in("root", PW, CLIENT).expect("sign-in");
    auth.set_role("olga", Role::Admin).expect("promote");
    auth.delete_account("root").expect("delete");
    assert_eq!(auth.session(&s.token), None);
    assert!(matches!(
        auth.sign_in("root", PW, "192.0.2.60"),
        Err(AuthError::BadCredentials)
    ));
    assert!(matches!(
        auth.delete_account("olga"),
        Err(AuthError::LastAdmin)
    ));
    assert_eq!(auth.accounts().len(), 1);
}

#[test]
fn weak_passwords_and_bad_usernames_are_rejected_naming_the_rule() {
    let (auth, _) = fixture();
    let short = "x".repeat(MIN_PASSWORD_CHARS - 1);
    let e = auth
        .create_account("valid.name", &short, Role::Viewer)
        .unwrap_err();
    assert!(matches!(e, AuthError::WeakPassword(_)), "{e:?}");
    assert!(e.to_string().contains("at least 10 characters"), "{e}");
    let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
    let e = auth
        .create_account("valid.name", &long, Role::Viewer)
        .unwrap_err();
    assert!(e.to_string().contains("at most 128 bytes"), "{e}");
    // Ten characters of more than one byte each are fine.
    auth.create_account("unicode_pw", "ééééééééé€", Role::Viewer)
        .expect("10 chars");

    let too_long = "a".repeat(MAX_USERNAME_CHARS + 1);
    for bad in [
        "",
        "with space",
        "sla/sh",
        "ünï",
        "semi;colon",
        too_long.as_str(),
    ] {
        let e = auth.create_account(bad, PW, Role::Viewer).unwrap_err();
        assert!(matches!(e, AuthError::InvalidUsername(_)), "{bad:?}: {e:?}");
        assert!(e.to_string().contains("1 to 32 characters"), "{e}");
    }
    let max = "a".repeat(MAX_USERNAME_CHARS);
    for good in ["A.b_c-9", max.as_str()] {
        auth.create_account(good, PW, Role::Viewer).expect(good);
    }
}

#[test]
fn usernames_are_unique_ignoring_case_and_listed_sorted() {
    let (auth, _) = fixture();
    let e = auth.create_account("OLGA", PW, Role::Viewer).unwrap_err();
    assert!(
        matches!(&e, AuthError::AccountExists(n) if n == "olga"),
        "{e:?}"
    );
    auth.create_account("mike", PW, Role::Kiosk)
        .expect("create");
    let names: Vec<String> = auth.accounts().into_iter().map(|a| a.username).collect();
    assert_eq!(names, ["mike", "olga", "root"]);
    let json = serde_json::to_string(&auth.accounts()[0]).expect("json");
    assert_eq!(json, r#"{"username":"mike","role":"kiosk"}"#);
}

#[test]
fn sessions_per_account_are_capped() {
    let (auth, clock) = fixture();
    let first = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    let mut last = first.clone();
    for _ in 0..MAX_SESSIONS_PER_ACCOUNT {
        clock.advance(Duration::from_secs(1));
        last = auth.sign_in("olga", PW, CLIENT).expect("sign-in");
    }
    // The oldest made room for the newest.
    assert_eq!(auth.session(&first.token), None);
    assert!(auth.session(&last.token).is_some());
    let live = auth
        .state()
        .sessions
        .values()
        .filter(|e| e.username == "olga")
        .count();
    assert_eq!(live, MAX_SESSIONS_PER_ACCOUNT);
}

#[test]
fn a_pairing_code_works_once() {
    let (auth, _) = fixture();
    let code = auth
        .pairing_code("front-desk", KioskScope::all())
        .expect("code");
    assert_eq!(code.len(), PAIRING_CODE_LEN);
    assert!(
        code.bytes().all(|b| PAIRING_ALPHABET.contains(&b)),
        "{code}"
    );
    // Typed in lower case with a dash: still the code.
    let typed = format!("{}-{}", &code[..4], &code[4..]).to_lowercase();
    let s = auth.redeem_pairing(&typed, CLIENT).expect("redeem");
    assert_eq!(s.role, Role::Kiosk);
    assert_eq!(s.username, "front-desk");
    assert_eq!(s.expires_at, START + KIOSK_TTL.as_secs());
    assert_eq!(auth.session(&s.token), Some(s.clone()));
    assert!(matches!(
        auth.redeem_pairing(&code, CLIENT),
        Err(AuthError::BadPairingCode)
    ));
    assert_eq!(auth.kiosks().len(), 1);
    assert!(matches!(
        auth.pairing_code("bad name", KioskScope::all()),
        Err(AuthError::InvalidUsername(_))
    ));
}

#[test]
fn a_pairing_code_expires() {
    let (auth, clock) = fixture();
    let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    clock.advance(PAIRING_TTL);
    assert!(matches!(
        auth.redeem_pairing(&code, CLIENT),
        Err(AuthError::BadPairingCode)
    ));
    // A new code for the same name replaces an unused one.
    let old = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    let new = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    assert!(matches!(
        auth.redeem_pairing(&old, CLIENT),
        Err(AuthError::BadPairingCode)
    ));
    assert!(auth.redeem_pairing(&new, CLIENT).is_ok());
}

#[test]
fn bad_pairing_codes_are_rate_limited_per_client() {
    let (auth, clock) = fixture();
    let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    for i in 0..FREE_CLIENT_FAILURES {
        let guess = format!("GUESS{i:03}");
        let r = auth.redeem_pairing(&guess, CLIENT);
        assert!(
            matches!(r, Err(AuthError::BadPairingCode)),
            "{guess}: {r:?}"
        );
    }
    // Even the right code is refused now, and not used up.
    let r = auth.redeem_pairing(&code, CLIENT);
    assert!(matches!(r, Err(AuthError::RateLimited { .. })), "{r:?}");
    clock.advance(FAILURE_WINDOW);
    let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    assert!(auth.redeem_pairing(&code, CLIENT).is_ok());
}

#[test]
fn pairing_again_replaces_the_old_tablet_and_revoke_kiosk_unpairs() {
    let (auth, clock) = fixture();
    let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    let old = auth.redeem_pairing(&code, CLIENT).expect("redeem");
    clock.advance(Duration::from_secs(60));
    let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    let new = auth.redeem_pairing(&code, CLIENT).expect("redeem");
    assert_eq!(auth.session(&old.token), None);
    assert!(auth.session(&new.token).is_some());
    assert_eq!(
        auth.kiosks(),
        vec![KioskInfo {
            name: "lobby".into(),
            paired_at: START + 60,
            expires_at: START + 60 + KIOSK_TTL.as_secs(),
            scope: KioskScope::all(),
        }]
    );
    auth.revoke_kiosk("lobby").expect("revoke");
    assert_eq!(auth.session(&new.token), None);
    assert!(auth.kiosks().is_empty());
    assert!(matches!(
        auth.revoke_kiosk("lobby"),
        Err(AuthError::UnknownKiosk(_))
    ));
}

#[test]
fn a_kiosk_survives_reopening_the_file_but_account_sessions_do_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    let clock = Arc::new(ManualClock::new(START));
    let (kiosk, user) = {
        let auth = open(&path, &clock).expect("open");
        auth.create_account("root", PW, Role::Admin)
            .expect("create");
        let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
        let kiosk = auth.redeem_pairing(&code, CLIENT).expect("redeem");
        let user = auth.sign_in("root", PW, CLIENT).expect("sign-in");
        (kiosk, user)
    };
    let auth = open(&path, &clock).expect("reopen");
    assert_eq!(auth.session(&kiosk.token), Some(kiosk.clone()));
    assert_eq!(auth.session(&user.token), None);
    assert!(auth.sign_in("root", PW, CLIENT).is_ok(), "account kept");
    // Signing the kiosk out is saved too.
    auth.sign_out(&kiosk.token);
    let auth = open(&path, &clock).expect("reopen");
    assert_eq!(auth.session(&kiosk.token), None);
    // An expired kiosk is not loaded.
    let code = auth.pairing_code("hall", KioskScope::all()).expect("code");
    let hall = auth.redeem_pairing(&code, CLIENT).expect("redeem");
    clock.advance(KIOSK_TTL);
    let auth = open(&path, &clock).expect("reopen");
    assert_eq!(auth.session(&hall.token), None);
    assert!(auth.kiosks().is_empty());
}

#[test]
fn a_kiosk_keeps_its_scope_and_a_pairing_must_name_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    let clock = Arc::new(ManualClock::new(START));
    let hq = KioskScope {
        sites: vec!["HQ".into()],
        devices: vec![7],
        all_devices: false,
        name_form: tna_types::protocol::NameForm::Full,
    };
    let kiosk = {
        let auth = open(&path, &clock).expect("open");
        assert!(matches!(
            auth.pairing_code("lobby", KioskScope::default()),
            Err(AuthError::BadScope(_))
        ));
        let code = auth.pairing_code("lobby", hq.clone()).expect("code");
        let kiosk = auth.redeem_pairing(&code, CLIENT).expect("redeem");
        assert_eq!(kiosk.scope.as_deref(), Some(&hq));
        kiosk
    };
    // The scope is in the file: a restarted relay keeps the kiosk to it.
    let auth = open(&path, &clock).expect("reopen");
    let again = auth.session(&kiosk.token).expect("session");
    assert_eq!(again.scope.as_deref(), Some(&hq));
    assert_eq!(auth.kiosks()[0].scope, hq);
    // A file written before kiosks had scopes: that kiosk shows every device, as it did.
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
    if let Some(k) = file["kiosks"][0].as_object_mut() {
        k.remove("scope");
    }
    std::fs::write(&path, file.to_string()).expect("write");
    let auth = open(&path, &clock).expect("reopen old file");
    let old = auth.session(&kiosk.token).expect("session");
    assert_eq!(old.scope.as_deref(), Some(&KioskScope::all()));
}

#[test]
fn the_file_holds_no_password_or_token_and_is_private() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    let clock = Arc::new(ManualClock::new(START));
    let auth = open(&path, &clock).expect("open");
    auth.create_account("root", PW, Role::Admin)
        .expect("create");
    let code = auth.pairing_code("lobby", KioskScope::all()).expect("code");
    let kiosk = auth.redeem_pairing(&code, CLIENT).expect("redeem");
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("\"root\""), "{text}");
    assert!(text.contains("$argon2id$"), "{text}");
    assert!(!text.contains(PW), "password in the file: {text}");
    assert!(!text.contains(&kiosk.token), "token in the file: {text}");
    assert!(!text.contains(&code), "pairing code in the file: {text}");
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert_eq!(names, ["accounts.json"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn open_creates_a_missing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    let clock = Arc::new(ManualClock::new(START));
    let auth = open(&path, &clock).expect("open");
    assert!(auth.accounts().is_empty());
    let text = std::fs::read_to_string(&path).expect("created");
    assert!(text.contains("\"version\": 1"), "{text}");
    // A missing directory is an I/O error naming the file.
    let nowhere = dir.path().join("missing").join("accounts.json");
    let e = open(&nowhere, &clock).unwrap_err();
    assert!(matches!(e, AuthError::Io(..)), "{e:?}");
    assert!(e.to_string().contains("accounts.json"), "{e}");
}

#[test]
fn a_corrupt_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    let clock = Arc::new(ManualClock::new(START));
    let hash = Hasher::new(HashCost::FastForTests).hash(PW).expect("hash");
    let account = |name: &str, hash: &str| {
        format!(r#"{{"username":"{name}","role":"admin","passwordHash":"{hash}"}}"#)
    };
    let cases = [
        String::new(),
        "not json".to_owned(),
        "{\"version\":1,\"accounts\":[".to_owned(),
        r#"{"version":2,"accounts":[]}"#.to_owned(),
        format!(r#"{{"version":1,"accounts":[{}]}}"#, account("root", "plaintext!")),
        format!(r#"{{"version":1,"accounts":[{}]}}"#, account("bad name", &hash)),
        format!(
            r#"{{"version":1,"accounts":[{},{}]}}"#,
            account("root", &hash),
            account("ROOT", &hash)
        ),
        r#"{"version":1,"accounts":[{"username":"root","role":"superuser","passwordHash":"x"}]}"#
            .to_owned(),
        r#"{"version":1,"accounts":[],"kiosks":[{"name":"k","tokenHash":"short","pairedAt":1,"expiresAt":1}]}"#
            .to_owned(),
    ];
    for case in cases {
        std::fs::write(&path, &case).expect("write");
        let r = open(&path, &clock);
        assert!(matches!(r, Err(AuthError::Corrupt(_))), "{case}: {r:?}");
    }
    // The well-formed version of the same file loads.
    std::fs::write(
        &path,
        format!(r#"{{"version":1,"accounts":[{}]}}"#, account("root", &hash)),
    )
    .expect("write");
    let auth = open(&path, &clock).expect("open");
    assert!(auth.sign_in("root", PW, CLIENT).is_ok());
}

#[test]
fn a_failed_save_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("accounts.json");
    let clock = Arc::new(ManualClock::new(START));
    let auth = open(&path, &clock).expect("open");
    auth.create_account("root", PW, Role::Admin)
        .expect("create");
    let before = std::fs::read_to_string(&path).expect("read");
    // A directory where the temporary file goes makes every save fail (even as root).
    let blocker = dir.path().join(".accounts.json.tmp");
    std::fs::create_dir(&blocker).expect("mkdir");
    std::fs::write(blocker.join("x"), "x").expect("write");
    let e = auth.create_account("olga", PW, Role::Operator).unwrap_err();
    assert!(matches!(e, AuthError::Io(..)), "{e:?}");
    assert!(matches!(
        auth.set_role("root", Role::Viewer),
        Err(AuthError::LastAdmin)
    ));
    let e = auth
        .pairing_code("lobby", KioskScope::all())
        .and_then(|c| auth.redeem_pairing(&c, CLIENT));
    assert!(matches!(e, Err(AuthError::Io(..))), "{e:?}");
    assert_eq!(auth.accounts().len(), 1);
    assert!(auth.kiosks().is_empty());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
}

#[test]
fn ensure_admin_generates_a_password_only_when_there_is_no_account() {
    let clock = Arc::new(ManualClock::new(START));
    let auth = Auth::in_memory_with(options(&clock));
    let password = auth.ensure_admin(None).expect("ensure").expect("generated");
    assert!(password.len() >= 16, "{password}");
    assert!(
        password
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "not URL-safe: {password}"
    );
    let s = auth
        .sign_in(FIRST_ADMIN, &password, CLIENT)
        .expect("sign-in");
    assert_eq!(s.role, Role::Admin);
    // Accounts exist now: nothing happens, nothing is returned, the password stays.
    assert_eq!(auth.ensure_admin(None).expect("ensure"), None);
    assert_eq!(
        auth.ensure_admin(Some("another password")).expect("ensure"),
        None
    );
    assert!(auth.sign_in(FIRST_ADMIN, &password, CLIENT).is_ok());
    // Two stores generate different passwords.
    let other = Auth::in_memory_with(options(&clock));
    assert_ne!(other.ensure_admin(None).expect("ensure"), Some(password));
}

#[test]
fn ensure_admin_with_a_given_password() {
    let clock = Arc::new(ManualClock::new(START));
    let auth = Auth::in_memory_with(options(&clock));
    assert!(matches!(
        auth.ensure_admin(Some("short")),
        Err(AuthError::WeakPassword(_))
    ));
    assert!(auth.accounts().is_empty());
    assert_eq!(auth.ensure_admin(Some(PW)).expect("ensure"), None);
    assert_eq!(
        auth.accounts(),
        vec![AccountInfo {
            username: FIRST_ADMIN.into(),
            role: Role::Admin
        }]
    );
    assert!(auth.sign_in(FIRST_ADMIN, PW, CLIENT).is_ok());
}

#[test]
fn default_hashes_are_argon2id_with_the_crate_defaults() {
    let hash = Hasher::new(HashCost::Default).hash(PW).expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    let fast = Hasher::new(HashCost::FastForTests);
    // Verification reads the parameters from the hash, whatever the hasher's own.
    assert!(fast.verify(PW, &hash));
    assert!(!fast.verify("wrong password", &hash));
    // A fresh salt every time.
    assert_ne!(fast.hash(PW).expect("hash"), fast.hash(PW).expect("hash"));
}

#[test]
fn auth_is_shared_across_threads() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Auth>();
    let (auth, _) = fixture();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let auth = auth.clone();
            std::thread::spawn(move || auth.sign_in("olga", PW, &format!("10.0.0.{i}")))
        })
        .collect();
    for h in handles {
        assert!(matches!(h.join(), Ok(Ok(_))));
    }
}
