//! Issue 16, items 1 and 3 (`suite/hardening.rs`) on every store of this crate: in memory,
//! SQLite in a file and in memory; and the configuration of the `EMAIL_TAKEN` ration.
//! `postgres.rs` runs the same checks on PostgreSQL, and with two processes.

#[allow(dead_code)]
#[path = "suite/hardening.rs"]
mod suite;

/// Generates one `#[test]` per check and per store.
macro_rules! hardening {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(#[test]
            fn $check() {
                super::suite::$check(dealer_portal::store::MemoryStore::new());
            })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite_file {
            $(#[test]
            fn $check() {
                let path = std::env::temp_dir().join(format!(
                    "dealer-portal-hardening-{}-{}.db",
                    std::process::id(),
                    stringify!($check)
                ));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                let opts = dealer_portal::store::SqliteOptions {
                    synchronous: dealer_portal::store::Synchronous::Off,
                    ..Default::default()
                };
                super::suite::$check(dealer_portal::store::SqliteStore::open(&path, opts).unwrap());
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite_memory {
            $(#[test]
            fn $check() {
                super::suite::$check(dealer_portal::store::SqliteStore::open_in_memory().unwrap());
            })*
        }
    };
}

suite::every_hardening_check!(hardening);

#[test]
fn no_ration_configuration_makes_a_flow_panic() {
    use dealer_portal::service::PortalConfig;
    use time::Duration;
    let with = |max: u32, window: Duration| {
        let mut c = PortalConfig::for_tests();
        c.email_taken.max_answers = max;
        c.email_taken.window = window;
        c.validate().map_err(|e| e.code())
    };
    assert_eq!(with(20, Duration::hours(24)), Ok(()));
    assert_eq!(with(u32::MAX, Duration::days(366)), Ok(()));
    assert_eq!(with(0, Duration::hours(24)), Err("INVALID_CONFIG"));
    assert_eq!(with(20, Duration::ZERO), Err("INVALID_CONFIG"));
    assert_eq!(with(20, Duration::seconds(-5)), Err("INVALID_CONFIG"));
    assert_eq!(with(20, Duration::days(367)), Err("INVALID_CONFIG"));
    assert_eq!(with(20, Duration::MAX), Err("INVALID_CONFIG"));
    // From a JSON configuration, as the bindings pass it: seconds.
    let c: PortalConfig =
        serde_json::from_str(r#"{"email_taken": {"max_answers": 3, "window": 3600}}"#).unwrap();
    assert_eq!(c.email_taken.max_answers, 3);
    assert_eq!(c.email_taken.window, Duration::hours(1));
    // An extreme window that validates still runs: the ration counts from the epoch.
    let mut c = PortalConfig::for_tests();
    c.email_taken.max_answers = u32::MAX;
    c.email_taken.window = Duration::days(366);
    let p = dealer_portal::Portal::new(
        dealer_portal::store::MemoryStore::new(),
        dealer_portal::ManualClock::new(time::OffsetDateTime::UNIX_EPOCH),
        c,
    )
    .unwrap();
    let (_, s) = suite::admin(&p);
    let taken = dealer_portal::account::NewUser::new("Pris", "Déjà", suite::ADMIN).unwrap();
    let r = p.create_user(
        &s,
        &suite::est("T99999"),
        &taken,
        dealer_portal::Rights::from(dealer_portal::Right::SubmitClaims),
    );
    assert_eq!(suite::code(r), "EMAIL_TAKEN");
}
