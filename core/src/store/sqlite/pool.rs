//! The connections of a [`SqliteStore`](super::SqliteStore) besides its writer, and the checks
//! made on a file before anything is written to it.
//!
//! - [`ReaderPool`]: up to [`SqliteOptions::readers`](super::SqliteOptions::readers) read-only
//!   connections (`query_only`, temporary storage in memory), opened when first needed, each
//!   lent to one [`Store::read`](crate::store::Store::read) at a time; a reader comes back to
//!   the pool on drop, its transaction rolled back, and a caller waits while all are lent.
//! - [`check_header`] reads the first bytes of an existing file without opening it as a
//!   database, [`check_identity`] its `application_id` and schema version: a file that is not
//!   SQLite, belongs to another application or has a newer schema is refused, untouched.

use super::schema::{APPLICATION_ID, MIGRATIONS};
use super::storage;
use crate::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

pub(super) struct ReaderPool {
    pub(super) path: PathBuf,
    pub(super) max: usize,
    pub(super) busy_timeout: Duration,
    pub(super) state: Mutex<PoolState>,
    pub(super) available: Condvar,
}

#[derive(Default)]
pub(super) struct PoolState {
    idle: Vec<Connection>,
    open: usize,
}

/// A reader connection borrowed from the pool; returned on drop.
pub(super) struct PooledReader<'p> {
    pool: &'p ReaderPool,
    pub(super) conn: Option<Connection>,
}

impl Drop for PooledReader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut st = self
            .pool
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if conn.is_autocommit() || conn.execute_batch("ROLLBACK").is_ok() {
            st.idle.push(conn);
        } else {
            st.open -= 1;
        }
        drop(st);
        self.pool.available.notify_one();
    }
}

impl ReaderPool {
    pub(super) fn get(&self) -> Result<PooledReader<'_>> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(conn) = st.idle.pop() {
                return Ok(PooledReader {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if st.open < self.max {
                st.open += 1;
                drop(st);
                return match open_reader(&self.path, self.busy_timeout) {
                    Ok(conn) => Ok(PooledReader {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.state
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .open -= 1;
                        self.available.notify_one();
                        Err(e)
                    }
                };
            }
            st = self
                .available
                .wait(st)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

fn open_reader(path: &Path, busy_timeout: Duration) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(storage("cannot open a read connection"))?;
    conn.busy_timeout(busy_timeout)
        .map_err(storage("cannot set the busy timeout"))?;
    // Sorts that outgrow memory stay in memory too: no temporary file holds listing rows.
    conn.execute_batch("PRAGMA query_only = ON; PRAGMA temp_store = MEMORY;")
        .map_err(storage("cannot make a read connection read-only"))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn not_ours(location: &str, why: &str) -> Error {
    Error::storage(format!(
        "{location} is not a dealer-portal database ({why}); it was left untouched"
    ))
}

/// Checks that an existing, non-empty file starts with SQLite's header, without opening it.
pub(super) fn check_header(path: &Path, location: &str) -> Result<bool> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::storage_from(format!("cannot read {location}"), e)),
    };
    let mut header = Vec::with_capacity(16);
    f.by_ref()
        .take(16)
        .read_to_end(&mut header)
        .map_err(|e| Error::storage_from(format!("cannot read {location}"), e))?;
    if header.is_empty() {
        return Ok(false);
    }
    if header != b"SQLite format 3\0" {
        return Err(not_ours(location, "not a SQLite file"));
    }
    Ok(true)
}

/// Refuses a database that belongs to another application or to a newer version of this one.
pub(super) fn check_identity(conn: &Connection, location: &str) -> Result<()> {
    let read = |sql: &str| {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map_err(storage("cannot read the database header"))
    };
    let app = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let objects = read("SELECT count(*) FROM sqlite_schema")?;
    if app != i64::from(APPLICATION_ID) && !(app == 0 && version == 0 && objects == 0) {
        return Err(not_ours(location, "it belongs to another application"));
    }
    if version > MIGRATIONS.len() as i64 {
        return Err(Error::storage(format!(
            "{location} has schema version {version}, newer than this library's {}; upgrade the library",
            MIGRATIONS.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::sqlite::tests::{TempPath, fast};
    use crate::store::sqlite::{SqliteStore, storage};
    use crate::store::{AccountRepo, Store};

    #[test]
    fn read_connections_refuse_writes_at_the_sqlite_level_too() {
        let path = TempPath::new("readonly");
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        let in_memory = SqliteStore::open_in_memory().unwrap();
        for store in [&store, &in_memory] {
            let err = store
                .read(|tx| {
                    tx.conn
                        .execute("INSERT INTO counters (name, value) VALUES ('x', 1)", [])
                        .map_err(storage("raw insert"))
                })
                .unwrap_err();
            assert_eq!(err.code(), "STORAGE");
            // The shared connection is writable again afterwards.
            store.write(|tx| tx.next_repairer_code()).unwrap();
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_keeps_the_os_error_as_its_source() {
        let path = TempPath::new("a-directory");
        std::fs::create_dir(&path.0).unwrap();
        let err = SqliteStore::open(&path.0, fast()).unwrap_err();
        std::fs::remove_dir(&path.0).unwrap();
        assert_eq!(err.code(), "STORAGE");
        let storage = std::error::Error::source(&err).expect("the store's context");
        let os = storage.source().expect("the OS's error");
        assert!(os.downcast_ref::<std::io::Error>().is_some(), "{os:?}");
        assert_eq!(
            err.to_string(),
            format!("storage error: cannot read {}: {os}", path.0.display())
        );
    }

    #[test]
    fn messages_hold_no_secret() {
        let path = TempPath::new("messages");
        std::fs::write(&path.0, b"not a database at all, password=hunter2").unwrap();
        let err = SqliteStore::open(&path.0, fast()).unwrap_err();
        assert!(
            err.to_string().contains("is not a dealer-portal database"),
            "{err}"
        );
        assert!(!err.to_string().contains("hunter2"));
    }
}
