//! The keyed audit chain, its head, and erasure (`suite/audit.rs`) on the stores of this crate:
//! in memory, and SQLite, whose intruder edits the file with its own connection (SQL `UPDATE`
//! and `DELETE`) and whose bytes are the database file and its WAL.

// Only the fixtures of the flows suite are used here, not its flows.
#[allow(dead_code, unused_macros, unused_imports)]
#[path = "suite/flows.rs"]
mod flows;
#[path = "suite/audit.rs"]
mod suite;

use dealer_portal::audit::StoredAuditEvent;
use dealer_portal::store::{MemoryStore, Store};
use std::sync::Arc;
use suite::Intruder;

/// The memory store's intruder: edits the log in place.
struct InMemory(Arc<MemoryStore>);

impl Intruder for InMemory {
    fn overwrite(&self, e: &StoredAuditEvent) {
        self.0
            .write(|tx| {
                tx.audit_log_mut()[e.seq as usize - 1] = e.clone();
                Ok(())
            })
            .unwrap();
    }
    fn cut_from(&self, seq: u64) {
        self.0
            .write(|tx| {
                tx.audit_log_mut().truncate(seq as usize - 1);
                Ok(())
            })
            .unwrap();
    }
    fn bytes(&self) -> Option<Vec<u8>> {
        None
    }
}

macro_rules! on_memory {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(#[test] fn $name() {
                let s = std::sync::Arc::new(dealer_portal::store::MemoryStore::new());
                super::suite::$name(s.clone(), &super::InMemory(s));
            })*
        }
    };
}
suite::every_audit_check!(on_memory);

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::{Intruder, StoredAuditEvent};
    use dealer_portal::store::{SqliteOptions, SqliteStore};
    use std::path::PathBuf;

    /// The SQLite store's intruder: its own connection to the file.
    pub struct OnDisk(pub PathBuf);

    impl OnDisk {
        fn conn(&self) -> rusqlite::Connection {
            let c = rusqlite::Connection::open(&self.0).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
            c
        }
    }

    impl Intruder for OnDisk {
        fn overwrite(&self, e: &StoredAuditEvent) {
            let n = self
                .conn()
                .execute(
                    "UPDATE audit SET details = ?2, prev_hash = ?3, hash = ?4, scheme = ?5
                     WHERE seq = ?1",
                    rusqlite::params![
                        e.seq as i64,
                        serde_json::to_string(&e.event.details).unwrap(),
                        &e.prev_hash[..],
                        &e.hash[..],
                        e.scheme.code()
                    ],
                )
                .unwrap();
            assert_eq!(n, 1);
        }
        fn cut_from(&self, seq: u64) {
            self.conn()
                .execute_batch(&format!(
                    "DELETE FROM audit_establishments WHERE seq >= {seq};
                     DELETE FROM audit WHERE seq >= {seq};"
                ))
                .unwrap();
        }
        fn bytes(&self) -> Option<Vec<u8>> {
            let mut all = std::fs::read(&self.0).unwrap();
            let wal = PathBuf::from(format!("{}-wal", self.0.display()));
            all.extend(std::fs::read(wal).unwrap_or_default());
            Some(all)
        }
    }

    pub fn store(name: &str) -> (std::sync::Arc<SqliteStore>, OnDisk) {
        let dir =
            std::env::temp_dir().join(format!("dealer-portal-audit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portal.db");
        let opts = SqliteOptions {
            synchronous: dealer_portal::store::Synchronous::Normal,
            ..SqliteOptions::default()
        };
        let store = SqliteStore::open(&path, opts).unwrap();
        (std::sync::Arc::new(store), OnDisk(path))
    }

    macro_rules! on_sqlite {
        ($($name:ident),* $(,)?) => {
            $(#[test] fn $name() {
                let (s, intruder) = store(stringify!($name));
                super::suite::$name(s, &intruder);
            })*
        };
    }
    super::suite::every_audit_check!(on_sqlite);
}
