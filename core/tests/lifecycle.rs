//! Data lifecycle (`suite/lifecycle.rs`) on every store of this crate (in memory, SQLite in a
//! file and in memory); then what only SQLite can show: purged bytes gone from the file and the
//! WAL. `postgres.rs` runs the suite on PostgreSQL.

#[allow(dead_code)]
#[path = "suite/lifecycle.rs"]
mod suite;

/// One `#[test]` per store check and per store.
macro_rules! checks {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(#[test]
            fn $check() {
                super::suite::$check(&dealer_portal::store::MemoryStore::new());
            })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite_file {
            $(#[test]
            fn $check() {
                let db = super::sqlite::TempDb::new(stringify!($check));
                super::suite::$check(&db.open());
            })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite_memory {
            $(#[test]
            fn $check() {
                super::suite::$check(&dealer_portal::store::SqliteStore::open_in_memory().unwrap());
            })*
        }
    };
}

suite::every_lifecycle_check!(checks);

/// One `#[test]` per flow and per store.
macro_rules! flows {
    ($($flow:ident),* $(,)?) => {
        mod memory_flows {
            $(#[test]
            fn $flow() {
                super::suite::$flow(dealer_portal::store::MemoryStore::new());
            })*
        }
        #[cfg(feature = "sqlite")]
        mod sqlite_flows {
            $(#[test]
            fn $flow() {
                let db = super::sqlite::TempDb::new(stringify!($flow));
                super::suite::$flow(db.open());
            })*
        }
    };
}

suite::every_lifecycle_flow!(flows);

#[test]
fn maintenance_changes_no_answer_in_memory() {
    use dealer_portal::store::MemoryStore;
    suite::maintenance_changes_no_answer(MemoryStore::new(), MemoryStore::new());
}

#[cfg(feature = "sqlite")]
#[test]
fn maintenance_changes_no_answer_on_sqlite() {
    let (a, b) = (
        sqlite::TempDb::new("no_answer_a"),
        sqlite::TempDb::new("no_answer_b"),
    );
    suite::maintenance_changes_no_answer(a.open(), b.open());
}

#[test]
fn retention_below_the_rate_limit_window_is_refused() {
    use dealer_portal::lifecycle::{MAIL_RATE_WINDOW, RetentionConfig};
    use dealer_portal::service::{Portal, PortalConfig};
    let config = PortalConfig {
        retention: RetentionConfig {
            acknowledged_mails: MAIL_RATE_WINDOW - time::Duration::SECOND,
            ..RetentionConfig::default()
        },
        ..PortalConfig::for_tests()
    };
    assert_eq!(
        Portal::in_memory(config).unwrap_err().code(),
        "INVALID_CONFIG"
    );
    // And from a host's JSON configuration.
    let json = r#"{"retention": {"acknowledged_mails": 60}}"#;
    let config: PortalConfig = serde_json::from_str(json).unwrap();
    assert_eq!(config.validate().unwrap_err().code(), "INVALID_CONFIG");
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use dealer_portal::ManualClock;
    use dealer_portal::account::Declaration;
    use dealer_portal::establishment::Establishment;
    use dealer_portal::service::Portal;
    use dealer_portal::store::{SqliteOptions, SqliteStore, Synchronous};
    use dealer_portal::token::TokenSecret;
    use std::path::PathBuf;
    use time::Duration;
    use time::macros::datetime;

    /// A database path in the temp directory, removed (with its WAL files) when dropped.
    pub struct TempDb(pub PathBuf);

    impl TempDb {
        pub fn new(name: &str) -> Self {
            let db = TempDb(std::env::temp_dir().join(format!(
                "dealer-portal-lifecycle-{}-{name}.db",
                std::process::id()
            )));
            db.remove();
            db
        }

        pub fn open(&self) -> SqliteStore {
            let opts = SqliteOptions {
                synchronous: Synchronous::Off,
                ..SqliteOptions::default()
            };
            SqliteStore::open(&self.0, opts).unwrap()
        }

        fn side(&self, suffix: &str) -> PathBuf {
            PathBuf::from(format!("{}{suffix}", self.0.display()))
        }

        /// The file and its WAL, as bytes.
        pub fn bytes(&self) -> Vec<u8> {
            let mut bytes = std::fs::read(&self.0).unwrap();
            bytes.extend(std::fs::read(self.side("-wal")).unwrap_or_default());
            bytes
        }

        fn remove(&self) {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(self.side(suffix));
            }
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            self.remove();
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// A link never used expires in a pending mail; a session ends; a mail is acknowledged and
    /// ages past the retention. After `run_maintenance` none of their bytes (link text, token
    /// digests, the mail's row) is left in the file or the WAL.
    #[test]
    fn purged_rows_leave_the_file_and_the_wal() {
        let db = TempDb::new("bytes");
        let clock = ManualClock::new(datetime!(2026-01-15 09:00 UTC));
        let p = Portal::new(db.open(), clock.clone(), super::suite::config()).unwrap();
        let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap();
        let decl = Declaration::new(super::suite::ADMIN, "Geloen", "Alexandre", "Gérant").unwrap();
        p.declare_administrator(&decl, &[garage]).unwrap();
        // A first reset, used: its mail acknowledged. A second one never used nor sent.
        let admin = super::suite::ADMIN.parse().unwrap();
        p.request_password_reset(&admin).unwrap();
        let first = p.pending_notifications().unwrap().pop().unwrap();
        let used = first.body.token.as_ref().unwrap().expose().to_owned();
        p.complete_password_reset(
            &used,
            super::suite::ADMIN,
            "Garage XYZ 2026!",
            "Garage XYZ 2026!",
        )
        .unwrap();
        p.acknowledge_notification(first.id).unwrap();
        let session = p
            .login(super::suite::ADMIN, "Garage XYZ 2026!", false)
            .unwrap();
        let session = session.token.expose().to_owned();
        clock.advance(Duration::hours(2));
        p.request_password_reset(&admin).unwrap();
        let second = p.pending_notifications().unwrap().pop().unwrap();
        let unused = second.body.token.as_ref().unwrap().expose().to_owned();
        let digests: Vec<[u8; 32]> = [&used, &unused, &session]
            .iter()
            .map(|t| *TokenSecret::parse(t).unwrap().digest().as_bytes())
            .collect();
        assert!(
            contains(&db.bytes(), unused.as_bytes()),
            "the pending link is in the file"
        );
        for d in &digests {
            assert!(contains(&db.bytes(), d), "every digest is in the file");
        }

        clock.advance(Duration::hours(3)); // the unused link expires, the session ends
        let report = p.run_maintenance().unwrap();
        assert_eq!(report.tokens_purged, 2);
        assert_eq!(report.sessions_purged, 1);
        assert_eq!(
            report.notifications_purged, 1,
            "the first mail, acknowledged 5 h ago"
        );

        let bytes = db.bytes();
        assert!(
            !contains(&bytes, unused.as_bytes()),
            "the expired link left the file and WAL"
        );
        assert!(!contains(&bytes, used.as_bytes()));
        for d in &digests {
            assert!(
                !contains(&bytes, d),
                "a purged digest left the file and WAL"
            );
        }
        // The second mail is still pending, without its link.
        let pending = p.pending_notifications().unwrap();
        assert_eq!(pending.len(), 1);
        assert!(pending[0].body.token.is_none());
    }
}
