//! The store conformance suite (`suite/conformance.rs`) on every store of this crate (in memory,
//! SQLite in a file and in memory); then the store-specific checks (files, reopening, foreign
//! files, what reaches the disk).

// The fixtures serve the store-specific tests of some includers only.
#[allow(dead_code)]
#[path = "suite/conformance.rs"]
mod suite;

use dealer_portal::store::MemoryStore;

/// Generates one `#[test]` per check and per store.
macro_rules! conformance {
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

suite::every_check!(conformance);

#[test]
fn stores_are_send_and_sync() {
    fn assert<T: Send + Sync>() {}
    assert::<MemoryStore>();
    #[cfg(feature = "sqlite")]
    assert::<dealer_portal::store::SqliteStore>();
}

// ---------------------------------------------------------------------------------------------
// SQLite only: files
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "sqlite")]
mod sqlite {
    use crate::suite::*;
    use dealer_portal::SecretString;
    use dealer_portal::account::{AccountId, AccountQuery, AccountState};
    use dealer_portal::audit::{AuditAction, NewAuditEvent, verify_chain};
    use dealer_portal::document::{DocumentCategory, DocumentQuery};
    use dealer_portal::notification::NotificationKind;
    use dealer_portal::rights::{Right, Rights};
    use dealer_portal::store::{
        AccountRepo, AuditRepo, DocumentRepo, OutboxRepo, Store, TokenRecord, TokenRepo,
    };
    use dealer_portal::store::{SqliteOptions, SqliteStore};
    use dealer_portal::token::{TokenLifecycle, TokenPurpose, TokenSecret, TokenState};
    use std::path::{Path, PathBuf};
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use time::Duration;

    /// A database path in the temp directory, removed (with its WAL files) when dropped.
    pub struct TempDb {
        pub path: PathBuf,
    }

    impl TempDb {
        pub fn new(name: &str) -> Self {
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "dealer-portal-conformance-{}-{}-{name}.db",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let db = TempDb { path };
            db.remove();
            db
        }

        pub fn open(&self) -> SqliteStore {
            SqliteStore::open(&self.path, SqliteOptions::default()).unwrap()
        }

        fn side(&self, suffix: &str) -> PathBuf {
            PathBuf::from(format!("{}{suffix}", self.path.display()))
        }

        fn remove(&self) {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(self.side(suffix));
            }
        }

        /// The bytes of the database file and of its WAL, if any.
        fn dump(&self) -> Vec<u8> {
            let mut bytes = std::fs::read(&self.path).unwrap_or_default();
            bytes.extend(std::fs::read(self.side("-wal")).unwrap_or_default());
            bytes
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            self.remove();
        }
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    /// Whether any 12-byte piece of `secret` is in `haystack` (a freed cell may keep part of it).
    fn leaks(haystack: &[u8], secret: &str) -> bool {
        secret
            .as_bytes()
            .windows(12)
            .any(|piece| haystack.windows(12).any(|w| w == piece))
    }

    fn assert_refused(path: &Path) {
        let before = std::fs::read(path).unwrap();
        let err = SqliteStore::open(path, SqliteOptions::default()).unwrap_err();
        assert_eq!(err.code(), "STORAGE");
        assert!(
            err.to_string().contains("not a dealer-portal database"),
            "{err}"
        );
        assert_eq!(
            std::fs::read(path).unwrap(),
            before,
            "the file was modified"
        );
    }

    #[test]
    fn reopening_keeps_everything() {
        let db = TempDb::new("reopen");
        let a = full_account("keep@garage.fr");
        let t = token(a.id, TokenPurpose::PasswordReset, t0(), Duration::hours(1));
        let id;
        {
            let store = db.open();
            insert(&store, &a, &[("T1", Rights::all())]);
            store.write(|tx| tx.insert_token(&t)).unwrap();
            id = store
                .write(|tx| {
                    tx.queue(
                        &notification(
                            NotificationKind::PasswordReset,
                            "keep@garage.fr",
                            Some("tok"),
                        ),
                        t0(),
                    )
                })
                .unwrap();
            store
                .write(|tx| {
                    tx.append(
                        &NewAuditEvent::new(t0(), AuditAction::AdministratorDeclared)
                            .on(a.id)
                            .at_establishments([code("T1")]),
                    )
                })
                .unwrap();
            store
                .write(|tx| tx.insert_document(&code("T1"), &doc("quote", "D1", "2024-05-31")))
                .unwrap();
            store
                .write(|tx| tx.consume_token(&t.digest, TokenPurpose::PasswordReset, t0()))
                .unwrap()
                .unwrap();
        }
        let store = db.open();
        store
            .read(|tx| {
                assert_eq!(tx.account(a.id)?, Some(a.clone()));
                assert_eq!(tx.rights(a.id)?.rights_on(&code("T1")), Rights::all());
                assert_eq!(tx.establishment(&code("T1"))?, Some(establishment("T1")));
                assert_eq!(
                    tx.token(&t.digest)?.unwrap().lifecycle.state,
                    TokenState::Consumed,
                    "a consumed token stays consumed"
                );
                assert_eq!(
                    tx.pending(10)?.iter().map(|n| n.id).collect::<Vec<_>>(),
                    vec![id]
                );
                verify_chain(&tx.audit_all()?, None)?;
                assert_eq!(
                    tx.search_documents(&code("T1"), &DocumentQuery::new(DocumentCategory::Quote))?
                        .total,
                    1
                );
                Ok(())
            })
            .unwrap();
        assert_eq!(
            store
                .write(|tx| tx.consume_token(&t.digest, TokenPurpose::PasswordReset, t0()))
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_refused_untouched() {
        let db = TempDb::new("random");
        let mut bytes = vec![0u8; 8192];
        getrandom_fill(&mut bytes);
        std::fs::write(&db.path, &bytes).unwrap();
        assert_refused(&db.path);
        std::fs::write(&db.path, "SQLite format 2 but not really").unwrap();
        assert_refused(&db.path);
        assert!(!db.side("-wal").exists());
    }

    #[test]
    fn another_applications_database_is_refused_untouched() {
        let db = TempDb::new("foreign");
        {
            let conn = rusqlite::Connection::open(&db.path).unwrap();
            conn.execute_batch(
                "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');",
            )
            .unwrap();
        }
        assert_refused(&db.path);
        // Still readable by its owner.
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        let body: String = conn
            .query_row("SELECT body FROM notes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(body, "keep me");
        drop(conn);

        // No tables but another application id: refused too.
        let db = TempDb::new("foreign-id");
        {
            let conn = rusqlite::Connection::open(&db.path).unwrap();
            conn.execute_batch("PRAGMA application_id = 1234; PRAGMA user_version = 1;")
                .unwrap();
        }
        assert_refused(&db.path);
    }

    #[test]
    fn an_unusable_path_is_a_storage_error() {
        let db = TempDb::new("missing-dir");
        let path = db.path.join("no").join("such").join("dir.db");
        assert_eq!(
            err_code(SqliteStore::open(&path, SqliteOptions::default())),
            "STORAGE"
        );
        // An empty file (as `touch` leaves) becomes a new database.
        std::fs::write(&db.path, b"").unwrap();
        let store = db.open();
        assert_eq!(
            store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
            "R000001"
        );
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let db = TempDb::new("newer");
        drop(db.open());
        {
            let conn = rusqlite::Connection::open(&db.path).unwrap();
            conn.execute_batch("PRAGMA user_version = 999;").unwrap();
        }
        let err = SqliteStore::open(&db.path, SqliteOptions::default()).unwrap_err();
        assert_eq!(err.code(), "STORAGE");
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn a_corrupt_file_gives_storage_errors_not_panics() {
        let db = TempDb::new("corrupt");
        {
            let store = db.open();
            for i in 0..200 {
                let a = account(
                    &format!("user{i}@garage.fr"),
                    "Corrupt",
                    &format!("N{i}"),
                    AccountState::Active,
                );
                insert(&store, &a, &[("T1", rights(&[Right::SearchClaims]))]);
            }
        }
        let mut bytes = std::fs::read(&db.path).unwrap();
        assert!(bytes.len() > 8 * 4096);
        // Keep page 1 (header and schema), scramble the rest.
        let mut noise = vec![0u8; bytes.len() - 4096];
        getrandom_fill(&mut noise);
        bytes[4096..].copy_from_slice(&noise);
        std::fs::write(&db.path, &bytes).unwrap();
        match SqliteStore::open(&db.path, SqliteOptions::default()) {
            Err(e) => assert_eq!(e.code(), "STORAGE"),
            Ok(store) => {
                let r = store.read(|tx| tx.list_accounts(&[code("T1")], &AccountQuery::default()));
                assert_eq!(r.map(|p| p.total).map_err(|e| e.code()), Err("STORAGE"));
                let r = store.write(|tx| {
                    tx.insert_account(&account("new@garage.fr", "New", "N", AccountState::Active))
                });
                if let Err(e) = r {
                    assert_eq!(e.code(), "STORAGE");
                }
            }
        }
    }

    #[test]
    fn no_dead_link_reaches_the_disk() {
        let db = TempDb::new("dead-links");
        let store = db.open();
        let a = full_account("dead@garage.fr");
        insert(&store, &a, &[("T1", Rights::all())]);
        // Issues a reset link and queues its mail; returns the plaintext.
        let issue = || {
            let secret = TokenSecret::generate();
            let t = TokenRecord {
                digest: secret.digest(),
                account: a.id,
                lifecycle: TokenLifecycle::issue(
                    TokenPurpose::PasswordReset,
                    t0(),
                    Duration::hours(1),
                ),
                email: None,
            };
            let mail = notification(
                NotificationKind::PasswordReset,
                "dead@garage.fr",
                Some(secret.expose()),
            );
            store
                .write(|tx| {
                    tx.insert_token(&t)?;
                    tx.queue(&mail, t0())
                })
                .unwrap();
            secret
        };
        let first = issue();
        // Fill a few pages so the outbox row shares its page with others.
        for i in 0..50 {
            let mail = notification(
                NotificationKind::AccountLocked,
                &format!("n{i}@garage.fr"),
                None,
            );
            store.write(|tx| tx.queue(&mail, t0()).map(drop)).unwrap();
        }
        assert!(
            contains(&db.dump(), first.expose()),
            "the pending link is on disk (this test would prove nothing otherwise)"
        );
        // Superseded.
        store
            .write(|tx| tx.end_tokens(a.id, &[TokenPurpose::PasswordReset], TokenState::Superseded))
            .unwrap();
        let second = issue();
        let dump = db.dump();
        assert!(
            !leaks(&dump, first.expose()),
            "the superseded link is still on disk"
        );
        assert!(contains(&dump, second.expose()));
        // Consumed.
        store
            .write(|tx| tx.consume_token(&second.digest(), TokenPurpose::PasswordReset, t0()))
            .unwrap()
            .unwrap();
        let dump = db.dump();
        assert!(
            !leaks(&dump, second.expose()),
            "the used link is still on disk"
        );
        // Revoked.
        let third = issue();
        store
            .write(|tx| tx.end_tokens(a.id, &[TokenPurpose::PasswordReset], TokenState::Revoked))
            .unwrap();
        let dump = db.dump();
        assert!(
            !leaks(&dump, third.expose()),
            "the revoked link is still on disk"
        );
        assert!(
            contains(&dump, "dead@garage.fr"),
            "the mails are still there"
        );
    }

    #[test]
    fn no_secret_reaches_the_disk_after_acknowledge() {
        let db = TempDb::new("dump");
        let secret = TokenSecret::generate();
        let plaintext = secret.expose().to_owned();
        let password = "Correct-Horse-Battery-42!";
        let store = db.open();
        let mut a = full_account("dump@garage.fr");
        let hasher = dealer_portal::password::PasswordHasher::new(
            dealer_portal::password::HashParams::default(),
        );
        a.password = Some(hasher.hash(&SecretString::from(password)).unwrap());
        insert(&store, &a, &[("T1", Rights::all())]);
        let t = TokenRecord {
            digest: secret.digest(),
            account: a.id,
            lifecycle: TokenLifecycle::issue(TokenPurpose::PasswordReset, t0(), Duration::hours(1)),
            email: None,
        };
        let id = store
            .write(|tx| {
                tx.insert_token(&t)?;
                tx.queue(
                    &notification(
                        NotificationKind::PasswordReset,
                        "dump@garage.fr",
                        Some(&plaintext),
                    ),
                    t0(),
                )
            })
            .unwrap();
        // Fill a few pages so the outbox row shares its page with others.
        for i in 0..50 {
            store
                .write(|tx| {
                    tx.queue(
                        &notification(
                            NotificationKind::AccountLocked,
                            &format!("n{i}@garage.fr"),
                            None,
                        ),
                        t0(),
                    )
                    .map(drop)
                })
                .unwrap();
        }
        assert!(
            contains(&db.dump(), &plaintext),
            "the pending notification's token is on disk (this test would prove nothing otherwise)"
        );
        store.write(|tx| tx.acknowledge(id)).unwrap();
        assert_eq!(
            store.read(|tx| tx.token(&secret.digest())).unwrap(),
            Some(t)
        );
        // While the store is still open: the WAL was checkpointed and truncated.
        let dump = db.dump();
        assert!(
            !leaks(&dump, &plaintext),
            "the token's plaintext is still on disk"
        );
        assert!(!leaks(&dump, password));
        drop(store);
        let dump = db.dump();
        assert!(
            !leaks(&dump, &plaintext),
            "the token's plaintext is still on disk"
        );
        assert!(!leaks(&dump, password));
        assert!(
            contains(&dump, "dump@garage.fr"),
            "the dump is readable (this test would prove nothing otherwise)"
        );
    }

    #[test]
    fn racing_stores_on_one_file() {
        // Separate stores (separate connections, as separate processes would have) on one file.
        let db = TempDb::new("race");
        let t = token(
            AccountId::generate(),
            TokenPurpose::Activation,
            t0(),
            Duration::hours(1),
        );
        db.open().write(|tx| tx.insert_token(&t)).unwrap();
        let stores: Vec<SqliteStore> = (0..RACERS).map(|_| db.open()).collect();
        let barrier = Barrier::new(RACERS);
        let (wins, emails) = std::thread::scope(|s| {
            let handles: Vec<_> = stores
                .iter()
                .enumerate()
                .map(|(i, store)| {
                    let (barrier, t) = (&barrier, &t);
                    s.spawn(move || {
                        barrier.wait();
                        let won = store
                            .write(|tx| tx.consume_token(&t.digest, TokenPurpose::Activation, t0()))
                            .unwrap()
                            .is_some();
                        let a = account(
                            "race@garage.fr",
                            "Race",
                            &format!("N{i}"),
                            AccountState::Invited,
                        );
                        (
                            won,
                            store
                                .write(|tx| tx.insert_account(&a))
                                .map_err(|e| e.code()),
                        )
                    })
                })
                .collect();
            let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            (
                results.iter().filter(|r| r.0).count(),
                results.into_iter().map(|r| r.1).collect::<Vec<_>>(),
            )
        });
        assert_eq!(wins, 1);
        assert_eq!(emails.iter().filter(|r| r.is_ok()).count(), 1);
        assert!(
            emails
                .iter()
                .all(|r| *r == Ok(()) || *r == Err("EMAIL_TAKEN")),
            "{emails:?}"
        );
    }

    #[test]
    fn reads_run_beside_a_write() {
        let db = TempDb::new("parallel");
        let store = db.open();
        let a = account("p@garage.fr", "Para", "Lel", AccountState::Active);
        store.write(|tx| tx.insert_account(&a)).unwrap();
        let (inside, done) = (Barrier::new(2), Barrier::new(2));
        std::thread::scope(|s| {
            s.spawn(|| {
                store
                    .write(|tx| {
                        let mut b = a.clone();
                        b.failed_logins = 9;
                        tx.update_account(&b)?;
                        inside.wait();
                        done.wait();
                        Ok(())
                    })
                    .unwrap();
            });
            inside.wait();
            // The write is open and uncommitted: a read sees the last committed state, at once.
            let seen = store.read(|tx| tx.account(a.id)).unwrap().unwrap();
            assert_eq!(seen.failed_logins, 0);
            done.wait();
        });
        assert_eq!(
            store
                .read(|tx| tx.account(a.id))
                .unwrap()
                .unwrap()
                .failed_logins,
            9
        );
    }

    fn getrandom_fill(buf: &mut [u8]) {
        // Random enough for noise: SHA-256 in counter mode over fresh tokens.
        for chunk in buf.chunks_mut(32) {
            let d = TokenSecret::generate().digest();
            chunk.copy_from_slice(&d.as_bytes()[..chunk.len()]);
        }
    }
}
