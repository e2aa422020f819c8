//! The "host surface" conformance checks (`suite/sessions.rs`) on every store of this crate: in
//! memory, SQLite in a file and in memory. `postgres.rs` runs them on PostgreSQL.

// The fixtures serve the checks; not all of them are used by every includer.
#[allow(dead_code)]
#[path = "suite/sessions.rs"]
mod suite;

/// Generates one `#[test]` per check and per store.
macro_rules! sessions {
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
                let db = super::TempDb::new(stringify!($check));
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

suite::every_session_check!(sessions);

/// A database path in the temp directory, removed (with its WAL files) when dropped.
#[cfg(feature = "sqlite")]
struct TempDb(std::path::PathBuf);

#[cfg(feature = "sqlite")]
impl TempDb {
    fn new(name: &str) -> Self {
        let db = TempDb(std::env::temp_dir().join(format!(
            "dealer-portal-sessions-{}-{name}.db",
            std::process::id()
        )));
        db.remove();
        db
    }

    /// The store on the file, with its read-only connections (so reads, and
    /// `session_snapshot`, run on another connection than writes).
    fn open(&self) -> dealer_portal::store::SqliteStore {
        let opts = dealer_portal::store::SqliteOptions {
            synchronous: dealer_portal::store::Synchronous::Off,
            ..Default::default()
        };
        dealer_portal::store::SqliteStore::open(&self.0, opts).unwrap()
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[cfg(feature = "sqlite")]
impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}
