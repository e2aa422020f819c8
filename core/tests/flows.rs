//! The portal's flows end to end (`suite/flows.rs`) on every store of this crate (in memory,
//! SQLite); then tests of one store, or of the portal's configuration.

// The fixtures serve the own tests of some includers only.
#[allow(dead_code)]
#[path = "suite/flows.rs"]
mod suite;

use dealer_portal::ManualClock;
use dealer_portal::account::Declaration;
use dealer_portal::service::{Portal, PortalConfig};
use dealer_portal::store::{MemoryStore, Store};
#[cfg(feature = "sqlite")]
use dealer_portal::store::{SqliteOptions, SqliteStore};
use std::sync::Arc;
use suite::{ADMIN, ADMIN_PW, admin_session, email, est, garages, repairer};
use time::Duration;
use time::macros::datetime;

macro_rules! on_every_store {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::suite::$name(dealer_portal::store::MemoryStore::new()); })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite {
            $(#[test] fn $name() { super::suite::$name(super::sqlite_store(stringify!($name))); })*
        }
    };
}

#[cfg(feature = "sqlite")]
fn sqlite_store(name: &str) -> SqliteStore {
    let dir =
        std::env::temp_dir().join(format!("dealer-portal-flows-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Durability is not what these tests are about.
    let opts = SqliteOptions {
        synchronous: dealer_portal::store::Synchronous::Normal,
        ..SqliteOptions::default()
    };
    SqliteStore::open(dir.join("portal.db"), opts).unwrap()
}

suite::every_flow!(on_every_store);

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_reopen_keeps_everything_and_holds_no_secret() {
    use crate::suite::{USER_PW, rights};
    use dealer_portal::account::{AccountQuery, NewUser};
    use dealer_portal::rights::Right;
    let dir = std::env::temp_dir().join(format!("dealer-portal-reopen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("portal.db");
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    let (session, tokens) = {
        let p = Portal::new(
            SqliteStore::open(&path, SqliteOptions::default()).unwrap(),
            clock.clone(),
            PortalConfig::for_tests(),
        )
        .unwrap();
        let admin = admin_session(&p);
        p.create_user(
            &admin,
            &est("T99999"),
            &NewUser::new("Durand", "Anne", "anne@x.fr").unwrap(),
            rights(&[Right::SubmitClaims]),
        )
        .unwrap();
        let tokens: Vec<String> = p
            .pending_notifications()
            .unwrap()
            .iter()
            .filter_map(|n| n.body.token.as_ref().map(|t| t.expose().to_owned()))
            .collect();
        for n in p.pending_notifications().unwrap() {
            p.acknowledge_notification(n.id).unwrap();
        }
        (admin, tokens)
    };
    assert!(!tokens.is_empty());
    let p = Portal::new(
        SqliteStore::open(&path, SqliteOptions::default()).unwrap(),
        clock,
        PortalConfig::for_tests(),
    )
    .unwrap();
    assert!(p.authenticate(&session).is_ok());
    assert_eq!(
        p.list_accounts(&session, &AccountQuery::default())
            .unwrap()
            .total,
        2
    );
    assert!(p.verify_audit_chain(None).unwrap() > 3);
    drop(p);
    let mut bytes = Vec::new();
    for f in ["portal.db", "portal.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join(f)) {
            bytes.extend(b);
        }
    }
    let hay = String::from_utf8_lossy(&bytes);
    for t in tokens.iter().chain([&session]) {
        assert!(!hay.contains(t.as_str()), "a token is in the file");
    }
    for pw in [ADMIN_PW, USER_PW] {
        assert!(!hay.contains(pw), "a password is in the file");
    }
}

#[test]
fn rehash_on_outdated_parameters() {
    let store = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
    let old = Portal::new(store.clone(), clock.clone(), PortalConfig::for_tests()).unwrap();
    admin_session(&old);
    let mut cfg = PortalConfig::for_tests();
    cfg.hash.t_cost += 1;
    let new = Portal::new(store.clone(), clock, cfg).unwrap();
    let phc = |s: &MemoryStore| {
        use dealer_portal::store::AccountRepo;
        s.read(|tx| tx.account_by_email(&ADMIN.parse().unwrap()))
            .unwrap()
            .unwrap()
            .password
            .unwrap()
            .as_phc()
            .to_owned()
    };
    let before = phc(&store);
    new.login(ADMIN, ADMIN_PW, false).unwrap();
    let after = phc(&store);
    assert_ne!(before, after);
    assert!(after.contains(&format!("t={}", cfg_t(&new))));
    // And the old portal still verifies it (parameters travel in the PHC string).
    old.login(ADMIN, ADMIN_PW, false).unwrap();
}

fn cfg_t<S: Store>(p: &Portal<S, ManualClock>) -> u32 {
    p.config().hash.t_cost
}

#[test]
fn configuration_is_checked_when_the_portal_opens() {
    let mut cfg = PortalConfig::for_tests();
    cfg.hash.m_cost_kib = 1;
    assert_eq!(
        Portal::new(
            MemoryStore::new(),
            ManualClock::new(datetime!(2026-01-15 09:00 UTC)),
            cfg
        )
        .unwrap_err()
        .code(),
        "INVALID_CONFIG"
    );
    let mut cfg = PortalConfig::for_tests();
    cfg.tokens.session_idle = Duration::hours(13);
    assert_eq!(
        Portal::new(
            MemoryStore::new(),
            ManualClock::new(datetime!(2026-01-15 09:00 UTC)),
            cfg
        )
        .unwrap_err()
        .code(),
        "INVALID_CONFIG"
    );
    assert!(
        serde_json::from_str::<PortalConfig>(
            r#"{"hash": {"m_cost_kib": 256, "t_cost": 1, "p_cost": 1}}"#
        )
        .is_ok()
    );
    assert!(
        serde_json::from_str::<PortalConfig>(r#"{"hashes": {}}"#).is_err(),
        "a misspelt field is not ignored"
    );
    assert!(serde_json::from_str::<PortalConfig>(r#"{"lockout": {"max_failures": 3}}"#).is_ok());
    // No configuration value can make a flow panic: a lock of i64::MAX seconds would overflow
    // the end of lock; the configuration is refused instead.
    for lockout in [
        r#"{"max": 9223372036854775807}"#,
        r#"{"base": 9223372036854775807, "max": 9223372036854775807}"#,
        r#"{"max": 31708800}"#,
    ] {
        let cfg: PortalConfig =
            serde_json::from_str(&format!(r#"{{"lockout": {lockout}}}"#)).unwrap();
        assert_eq!(
            Portal::new(MemoryStore::new(), dealer_portal::SystemClock, cfg)
                .unwrap_err()
                .code(),
            "INVALID_CONFIG",
            "{lockout}"
        );
    }
    let peppered: PortalConfig = serde_json::from_str(r#"{"pepper": "s3cr3t-pepper"}"#).unwrap();
    assert!(peppered.pepper.is_some());
    assert!(
        !serde_json::to_string(&peppered).unwrap().contains("s3cr3t"),
        "a pepper is never written out"
    );
    assert!(!format!("{peppered:?}").contains("s3cr3t"));
}

#[test]
fn anonymous_requests_take_at_least_the_floor() {
    let mut cfg = PortalConfig::for_tests();
    cfg.anonymous_response_floor_ms = 30;
    let p = Portal::new(
        MemoryStore::new(),
        ManualClock::new(datetime!(2026-01-15 09:00 UTC)),
        cfg,
    )
    .unwrap();
    p.declare_administrator(
        &Declaration::new(ADMIN, "Geloen", "Alexandre", "Gérant").unwrap(),
        &garages(),
    )
    .unwrap();
    for address in [ADMIN, "nobody@x.fr"] {
        let t = std::time::Instant::now();
        p.request_password_reset(&email(address)).unwrap();
        assert!(
            t.elapsed() >= std::time::Duration::from_millis(30),
            "{address}"
        );
        let t = std::time::Instant::now();
        p.register_repairer(&repairer(address, "Petit", "Jean", "Garage", "Lyon"))
            .unwrap();
        assert!(
            t.elapsed() >= std::time::Duration::from_millis(30),
            "{address}"
        );
    }
    assert_eq!(PortalConfig::default().anonymous_response_floor_ms, 10);
}
