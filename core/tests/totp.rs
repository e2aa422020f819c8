//! Two-factor login (`suite/totp.rs`) on the stores of this crate: in memory and SQLite.
//! `postgres.rs` runs the same list on PostgreSQL. Then, SQLite only: no byte of a secret in
//! the database file.

#[allow(dead_code)]
#[path = "suite/totp.rs"]
mod suite;

macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::suite::$name(dealer_portal::store::MemoryStore::new()); })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(#[test] fn $name() { super::suite::$name(super::sqlite_store(stringify!($name)).0); })*
        }
    };
}

#[cfg(feature = "sqlite")]
fn sqlite_store(name: &str) -> (dealer_portal::store::SqliteStore, std::path::PathBuf) {
    use dealer_portal::store::{SqliteOptions, SqliteStore, Synchronous};
    let dir =
        std::env::temp_dir().join(format!("dealer-portal-totp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opts = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    let path = dir.join("portal.db");
    (SqliteStore::open(&path, opts).unwrap(), dir)
}

suite::every_totp_flow!(on_every_store);

/// After enrolment and logins with codes and recovery codes, neither the base32 secret, nor its
/// raw bytes, nor a recovery code is in the database file or its WAL; nor in the audit log,
/// nor in any Debug output of the portal's answers.
#[cfg(feature = "sqlite")]
#[test]
fn sqlite_file_holds_no_totp_secret() {
    use dealer_portal::Clock;
    use dealer_portal::totp::{MfaPolicy, TotpSecret};
    use suite::{ADMIN, ADMIN_PW};
    let (store, dir) = sqlite_store("dump");
    let (p, clock) = suite::portal(store, MfaPolicy::Required);
    suite::admin(&p);
    let s = p.login(ADMIN, ADMIN_PW, false).unwrap();
    let e = p.begin_totp_enrollment(s.token.expose(), ADMIN_PW).unwrap();
    let b32 = e.secret.expose().to_owned();
    let secret = TotpSecret::from_base32(&b32).unwrap();
    let codes = p
        .confirm_totp_enrollment(s.token.expose(), &secret.code_at(clock.now()))
        .unwrap();
    clock.advance(time::Duration::seconds(30));
    let s2 = p
        .login_with_otp(ADMIN, ADMIN_PW, false, Some(&secret.code_at(clock.now())))
        .unwrap();
    p.login_with_otp(ADMIN, ADMIN_PW, false, Some(codes[0].expose()))
        .unwrap();
    let audit = p
        .audit_log(s2.token.expose(), Some(&"T99999".parse().unwrap()), 0, 500)
        .unwrap();
    let raw = decode_base32(&b32);
    assert_eq!(raw.len(), 20);
    let mut haystack = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        haystack.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(haystack.len() > 4096);
    let text = format!(
        "{audit:?} {e:?} {codes:?} {:?}",
        p.authenticate(s2.token.expose())
    );
    assert!(
        !contains(&haystack, b32.as_bytes()),
        "base32 secret in the file"
    );
    assert!(!contains(&haystack, &raw), "raw secret in the file");
    assert!(!text.contains(&b32), "secret in audit or Debug");
    for c in &codes {
        assert!(
            !contains(&haystack, c.expose().as_bytes()),
            "recovery code in the file"
        );
        assert!(!text.contains(c.expose()));
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// RFC 4648 base32 without padding, the test's own (not the library's).
fn decode_base32(s: &str) -> Vec<u8> {
    let (mut bits, mut n, mut out) = (0u32, 0u32, Vec::new());
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => panic!("not base32"),
        };
        bits = (bits << 5) | u32::from(v);
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}
