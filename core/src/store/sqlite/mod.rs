//! The SQLite store: one file, WAL, versioned migrations, `rusqlite` with the bundled SQLite.
//!
//! - One writer connection behind a mutex: [`Store::write`] runs `BEGIN IMMEDIATE` … `COMMIT`
//!   (rolled back when the closure returns `Err` or panics), so writers are serialised, also
//!   across processes sharing the file.
//! - A small pool of read-only connections: [`Store::read`] runs a deferred transaction on one of
//!   them; WAL lets them read a consistent snapshot while a write goes on.
//! - `synchronous=FULL` by default (a consumed token stays consumed after a power cut),
//!   `foreign_keys=ON`, `secure_delete=ON` (deleted and overwritten bytes are zeroed in the
//!   file), and a busy timeout so that "database is locked" does not reach a caller.
//! - Token digests only; password hashes as PHC strings. The one plaintext secret, a queued
//!   notification's link token, is set to NULL when the notification is acknowledged or its
//!   token ends, and the WAL is then checkpointed and truncated so no old page image keeps it; a
//!   truncation kept back by a reader is retried in the background until it succeeds (bounded).
//! - The file carries its own `application_id`; a file that is not a dealer-portal database is
//!   refused without being modified.
//!
//! The store's code, by file:
//! - here: [`SqliteStore`] (opening a file, the writer connection, [`Store::write`] and
//!   [`Store::read`], erasing a secret from the WAL), [`SqliteTx`] and [`SqliteOptions`], and
//!   what every repository uses (`storage`, `col`, the `Rollback` guard);
//! - `schema`: the tables and indexes, one script per version, and `migrate`;
//! - `pool`: the read-only connections of [`Store::read`], and the checks that a file is a
//!   dealer-portal database before anything is written to it;
//! - `accounts`: [`AccountRepo`](super::AccountRepo) (establishments, accounts, rights), and
//!   `listing`: its `list_accounts`, counted and paged from one covering index;
//! - `tokens`, `sessions`, `outbox`, `audit`, `documents`: one repository trait each;
//! - `maintenance`: the connection that `run_maintenance`'s purge batches commit on.

mod accounts;
mod attempts;
mod audit;
mod documents;
mod emails;
mod erase;
mod lifecycle;
mod listing;
mod maintenance;
mod mfa;
mod outbox;
mod pool;
mod schema;
mod sessions;
mod tokens;

use self::pool::{PoolState, ReaderPool, check_header, check_identity};
use self::schema::migrate;
use super::row::corrupt;
use super::{SessionSnapshot, Store};
use crate::audit::AuditKey;
use crate::token::TokenDigest;
use crate::{Error, Result};
use rusqlite::config::DbConfig;
use rusqlite::types::FromSql;
use rusqlite::{Connection, ErrorCode, OpenFlags, Row};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How hard SQLite pushes each commit to the disk (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Every commit is on the disk when `write` returns: a consumed token stays consumed after a
    /// power cut. The default.
    #[default]
    Full,
    /// With WAL, a power cut may lose the last commits (never corrupts). Faster.
    Normal,
    /// No syncing at all: for tests and throw-away databases only.
    Off,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
            Synchronous::Off => "OFF",
        }
    }
}

/// How a [`SqliteStore`] opens its file.
///
/// ```
/// use dealer_portal::store::{SqliteOptions, Synchronous};
/// let opts = SqliteOptions::default();
/// assert_eq!(opts.synchronous, Synchronous::Full);
/// assert_eq!(opts.readers, 4);
/// assert_eq!(opts.bulk_cache_kib, 64 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of commits; [`Synchronous::Full`] by default.
    pub synchronous: Synchronous,
    /// How long a connection waits for a lock held by another before failing; 5 s by default.
    pub busy_timeout: Duration,
    /// How many read-only connections [`Store::read`] may use at once; 4 by default. With 0,
    /// reads share the writer connection (and wait for writes).
    pub readers: usize,
    /// The page cache a large write transaction may grow to, in KiB; 64 MiB by default.
    /// Connections keep SQLite's default cache (2 MiB), which suits small transactions best
    /// (SQLite walks its whole cache at every commit). Once a transaction has created 256
    /// accounts (a bulk import, `create_users`), the writer's cache grows to this
    /// size until the transaction ends: its changed pages then stay in memory instead of being
    /// spilled to the WAL and read back, so each index page is written once. Memory is taken
    /// only as pages are used, and given back when the transaction ends.
    pub bulk_cache_kib: u32,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
            readers: 4,
            bulk_cache_kib: 64 * 1024,
        }
    }
}

/// A store in one SQLite file.
///
/// Opening creates the file if needed and brings its schema up to date; a file that is not a
/// dealer-portal database (not SQLite, another application's database, a newer schema) is an
/// [`Error::Storage`] and is left untouched.
///
/// ```
/// use dealer_portal::store::{AccountRepo, SqliteOptions, SqliteStore, Store};
/// let path = std::env::temp_dir().join(format!("dealer-portal-doc-{}.db", std::process::id()));
/// # let _ = std::fs::remove_file(&path);
/// let store = SqliteStore::open(&path, SqliteOptions::default())?;
/// let code = store.write(|tx| tx.next_repairer_code())?;
/// assert_eq!(code.as_str(), "R000001");
/// drop(store);
/// // Reopening keeps everything.
/// let store = SqliteStore::open(&path, SqliteOptions::default())?;
/// assert_eq!(store.write(|tx| tx.next_repairer_code())?.as_str(), "R000002");
/// # drop(store);
/// # for ext in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{ext}", path.display())); }
/// # Ok::<(), dealer_portal::Error>(())
/// ```
pub struct SqliteStore {
    // Declared before `writer` so the read-only connections close first and the writer, closing
    // last, checkpoints and removes the WAL.
    readers: Option<ReaderPool>,
    /// The connection of a maintenance run's purge batches while one runs (see
    /// `maintenance.rs`); declared before `writer` so that the writer closes last.
    maintenance: Mutex<Option<maintenance::PurgeConnection>>,
    /// The file (canonical), for the connections opened after `open`; `None` in memory.
    path: Option<std::path::PathBuf>,
    /// See [`SqliteOptions::synchronous`].
    synchronous: Synchronous,
    /// Shared (weakly) with the thread that retries an erasure kept back by a reader.
    writer: Arc<Mutex<Connection>>,
    /// Where the store lives, for messages.
    location: String,
    /// Whether the database has a WAL to truncate after erasing a secret.
    wal: bool,
    /// An erasure's checkpoint could not complete (readers on an old snapshot): retried in the
    /// background (see [`SqliteStore::erase_wal`]), and after every write until done.
    erase_pending: Arc<AtomicBool>,
    /// Whether a background retry runs.
    erase_retrying: Arc<AtomicBool>,
    busy_timeout: Duration,
    /// Forces the choice of plan in `list_accounts` (tests exercise both); `None`: automatic.
    gather_limit: Option<usize>,
    /// See [`SqliteOptions::bulk_cache_kib`].
    bulk_cache_kib: u32,
    /// See [`Store::set_audit_key`]: in memory only.
    audit_key: Mutex<Option<Arc<AuditKey>>>,
}

/// How many accounts a write transaction creates before its connection's page cache grows to
/// [`SqliteOptions::bulk_cache_kib`].
const BULK_ACCOUNTS: u32 = 256;

/// `PRAGMA cache_size` outside bulk transactions: SQLite's default (2,000 KiB).
const NORMAL_CACHE: i64 = -2000;

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Maps a SQLite error to [`Error::Storage`] with what was being done. SQLite's messages name
/// tables and columns, never the values bound to a statement.
fn storage(context: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| Error::storage_from(context, e)
}

fn col<T: FromSql>(
    row: &Row<'_>,
    i: usize,
    table: &'static str,
    column: &'static str,
) -> Result<T> {
    row.get(i).map_err(|_| corrupt(table, column))
}

/// Rolls the connection's transaction back when dropped, unless disarmed.
struct Rollback<'c>(&'c Connection);

impl Rollback<'_> {
    fn disarm(self) {
        std::mem::forget(self);
    }
}

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.0.execute_batch("ROLLBACK");
        }
    }
}

/// Leaves the shared connection writable again after a read on it.
struct QueryOnly<'c>(&'c Connection);

impl Drop for QueryOnly<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            let _ = self.0.execute_batch("ROLLBACK");
        }
        let _ = self.0.execute_batch("PRAGMA query_only = OFF");
    }
}

/// Creates the database file readable and writable by its owner only (0600) if it does not
/// exist yet, before SQLite opens it: SQLite then gives its WAL and shared-memory files the same
/// mode. An existing file keeps its mode. A file that cannot be created is left for SQLite to
/// report (with its own error).
fn create_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path);
    }
    #[cfg(not(unix))]
    let _ = path;
}

static MEMORY_SEQ: AtomicU64 = AtomicU64::new(0);

/// How long the checkpoint that erases a secret from the WAL waits for readers.
const ERASE_WAIT: Duration = Duration::from_millis(200);

/// How often, and how many times, a checkpoint kept back by a reader is retried in the
/// background: every 100 ms for 30 s (then the next write tries again).
const ERASE_RETRY_EVERY: Duration = Duration::from_millis(100);
const ERASE_RETRIES: u32 = 300;

/// Checkpoints and truncates the WAL, waiting at most `wait` for readers (and restoring the
/// connection's busy timeout); whether it completed.
fn truncate_wal(conn: &Connection, wait: Duration, busy_timeout: Duration) -> bool {
    let _ = conn.busy_timeout(wait);
    let done = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        })
        .is_ok_and(|busy| busy == 0);
    let _ = conn.busy_timeout(busy_timeout);
    done
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`, refuses a file that is not a
    /// dealer-portal database without modifying it, switches it to WAL and applies the missing
    /// migrations.
    ///
    /// ```
    /// use dealer_portal::store::{SqliteOptions, SqliteStore, Synchronous};
    /// let dir = std::env::temp_dir();
    /// let path = dir.join(format!("dealer-portal-open-{}.db", std::process::id()));
    /// let opts = SqliteOptions { synchronous: Synchronous::Normal, ..SqliteOptions::default() };
    /// let store = SqliteStore::open(&path, opts).unwrap();
    /// # drop(store);
    /// # for ext in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{ext}", path.display())); }
    ///
    /// // Not a database: refused, and the file is not touched.
    /// let other = dir.join(format!("dealer-portal-notes-{}.txt", std::process::id()));
    /// std::fs::write(&other, "shopping list").unwrap();
    /// let err = SqliteStore::open(&other, SqliteOptions::default()).unwrap_err();
    /// assert_eq!(err.code(), "STORAGE");
    /// assert_eq!(std::fs::read(&other).unwrap(), b"shopping list");
    /// # std::fs::remove_file(&other).unwrap();
    /// ```
    pub fn open(path: impl AsRef<Path>, opts: SqliteOptions) -> Result<Self> {
        let path = path.as_ref();
        let location = path.display().to_string();
        if check_header(path, &location)? {
            // Identify an existing file on a read-only connection first, so a foreign file is
            // never written to (not even its journal mode).
            let open_probe = |flags: OpenFlags| {
                let conn =
                    Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                        .map_err(|e| Error::storage_from(format!("cannot open {location}"), e))?;
                conn.busy_timeout(opts.busy_timeout)
                    .map_err(storage("cannot set the busy timeout"))?;
                Ok::<_, Error>(conn)
            };
            let mut probe = open_probe(OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            // A process killed while creating the file (switching it to WAL) leaves a hot
            // journal that only a read-write connection may roll back: read-only, not even the
            // header can be read, and the file would never open again. Roll it back on a
            // read-write connection that writes nothing else (no statement, no checkpoint on
            // close): that restores the file's last committed state, as any SQLite client's
            // next open would.
            let needs_writer = matches!(
                probe.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)),
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ReadOnly)
            );
            if needs_writer {
                drop(probe);
                probe = open_probe(OpenFlags::SQLITE_OPEN_READ_WRITE)?;
                probe
                    .set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
                    .map_err(storage("cannot configure the connection"))?;
                probe
                    .execute_batch("PRAGMA query_only = ON")
                    .map_err(storage("cannot configure the connection"))?;
            }
            check_identity(&probe, &location)?;
            drop(probe);
        }
        create_private(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::storage_from(format!("cannot open {location}"), e))?;
        conn.busy_timeout(opts.busy_timeout)
            .map_err(storage("cannot set the busy timeout"))?;
        // The file may have been created by another process in between: check again.
        check_identity(&conn, &location)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(storage("cannot switch to WAL"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::storage(format!(
                "{location}: the file system does not support WAL (journal mode {mode})"
            )));
        }
        let store = Self::finish(conn, location, &opts, true)?;
        // Readers open lazily: pin the path against a later change of directory.
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        Ok(SqliteStore {
            path: Some(path.clone()),
            readers: (opts.readers > 0).then(|| ReaderPool {
                path,
                max: opts.readers,
                busy_timeout: opts.busy_timeout,
                state: Mutex::new(PoolState::default()),
                available: Condvar::new(),
            }),
            ..store
        })
    }

    /// A private in-memory database on a single connection (reads share it), for tests.
    ///
    /// ```
    /// use dealer_portal::store::{AccountRepo, SqliteStore, Store};
    /// let store = SqliteStore::open_in_memory().unwrap();
    /// assert_eq!(store.write(|tx| tx.next_repairer_code()).unwrap().as_str(), "R000001");
    /// ```
    pub fn open_in_memory() -> Result<Self> {
        let n = MEMORY_SEQ.fetch_add(1, Ordering::Relaxed);
        let conn =
            Connection::open_in_memory().map_err(storage("cannot open an in-memory database"))?;
        let opts = SqliteOptions {
            synchronous: Synchronous::Off,
            readers: 0,
            ..SqliteOptions::default()
        };
        Self::finish(conn, format!("in-memory database #{n}"), &opts, false)
    }

    fn finish(conn: Connection, location: String, opts: &SqliteOptions, wal: bool) -> Result<Self> {
        // temp_store = MEMORY: statement journals and large sorts stay in memory, so no
        // temporary file ever holds page images (with secrets) and none costs file I/O.
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = {NORMAL_CACHE};",
            opts.synchronous.pragma(),
        ))
        .map_err(storage("cannot configure the connection"))?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate(&conn, &location)?;
        maintenance::restore_purge_indexes(&conn)?;
        Ok(SqliteStore {
            readers: None,
            maintenance: Mutex::new(None),
            path: None,
            synchronous: opts.synchronous,
            writer: Arc::new(Mutex::new(conn)),
            location,
            wal,
            erase_pending: Arc::default(),
            erase_retrying: Arc::default(),
            busy_timeout: opts.busy_timeout,
            gather_limit: None,
            bulk_cache_kib: opts.bulk_cache_kib,
            audit_key: Mutex::default(),
        })
    }

    /// Where the store lives (its path, or a name for an in-memory database).
    pub fn location(&self) -> &str {
        &self.location
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a transaction rolled it back (see `Rollback`): the connection is sound.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Copies the WAL into the file and truncates it, so no page image of an erased secret
    /// survives there. A reader still on an older snapshot keeps the WAL from being reset: the
    /// checkpoint waits for it briefly (writes wait meanwhile), then gives up, and a background
    /// thread retries it without waiting ([`ERASE_RETRY_EVERY`], at most [`ERASE_RETRIES`]
    /// times, each holding the writer connection for one checkpoint); every write tries again
    /// too, until one succeeds. The thread holds the connection weakly: a dropped store ends it.
    fn erase_wal(&self, conn: &Connection) {
        if !self.wal {
            return;
        }
        let done = truncate_wal(conn, self.busy_timeout.min(ERASE_WAIT), self.busy_timeout);
        self.erase_pending.store(!done, Ordering::Relaxed);
        if done || self.erase_retrying.swap(true, Ordering::AcqRel) {
            return;
        }
        let (writer, pending) = (Arc::downgrade(&self.writer), self.erase_pending.clone());
        let (retrying, busy_timeout) = (self.erase_retrying.clone(), self.busy_timeout);
        let retry = move || {
            for _ in 0..ERASE_RETRIES {
                std::thread::sleep(ERASE_RETRY_EVERY);
                let Some(writer) = writer.upgrade() else {
                    break;
                };
                let conn = writer.lock().unwrap_or_else(PoisonError::into_inner);
                if !pending.load(Ordering::Relaxed)
                    || truncate_wal(&conn, Duration::ZERO, busy_timeout)
                {
                    pending.store(false, Ordering::Relaxed);
                    break;
                }
            }
            retrying.store(false, Ordering::Release);
        };
        let spawned = std::thread::Builder::new()
            .name("dealer-portal-wal-erase".into())
            .spawn(retry);
        if spawned.is_err() {
            // Left to the next write.
            self.erase_retrying.store(false, Ordering::Release);
        }
    }
}

impl Store for SqliteStore {
    type Tx<'a> = SqliteTx<'a>;

    fn write<R>(&self, f: impl FnOnce(&mut SqliteTx<'_>) -> Result<R>) -> Result<R> {
        let conn = self.writer();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(storage("cannot start a write transaction"))?;
        let guard = Rollback(&conn);
        let mut tx = SqliteTx {
            conn: &conn,
            read_only: false,
            erased: false,
            gather_limit: self.gather_limit,
            audit_tip: None,
            accounts_created: 0,
            bulk_cache_kib: self.bulk_cache_kib,
            audit_key: (self.audit_key.lock())
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        };
        let out = f(&mut tx);
        let (erased, bulk) = (tx.erased, tx.accounts_created >= BULK_ACCOUNTS);
        let out = out.and_then(|out| {
            conn.execute_batch("COMMIT")
                .map_err(storage("cannot commit"))?;
            guard.disarm();
            Ok(out)
        });
        if bulk {
            // Back to the small cache, whether the transaction committed or rolled back (the
            // guard rolls back as it drops, just below).
            let _ = conn.execute_batch(&format!("PRAGMA cache_size = {NORMAL_CACHE}"));
        }
        let out = out?;
        if erased || self.erase_pending.load(Ordering::Relaxed) {
            self.erase_wal(&conn);
        }
        Ok(out)
    }

    fn read<R>(&self, f: impl FnOnce(&mut SqliteTx<'_>) -> Result<R>) -> Result<R> {
        self.read_with(f)
    }

    fn write_purge<R>(&self, f: impl FnOnce(&mut SqliteTx<'_>) -> Result<R>) -> Result<R> {
        self.purge_batch(f)
    }

    fn purge_checkpoint(&self, finished: bool) -> Result<()> {
        self.purge_pause(finished)
    }

    fn set_audit_key(&self, key: Option<AuditKey>) {
        *self
            .audit_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = key.map(Arc::new);
    }

    fn session_snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        // One statement, no BEGIN/COMMIT (see `sessions`).
        self.snapshot(digest)
    }
}

impl SqliteStore {
    fn read_with<R, F: FnOnce(&mut SqliteTx<'_>) -> Result<R>>(&self, f: F) -> Result<R> {
        let gather_limit = self.gather_limit;
        let run = |conn: &Connection, f: F| -> Result<R> {
            conn.execute_batch("BEGIN DEFERRED")
                .map_err(storage("cannot start a read transaction"))?;
            let guard = Rollback(conn);
            let out = f(&mut SqliteTx {
                conn,
                read_only: true,
                erased: false,
                gather_limit,
                audit_tip: None,
                accounts_created: 0,
                bulk_cache_kib: 0,
                audit_key: None,
            })?;
            conn.execute_batch("COMMIT")
                .map_err(storage("cannot end a read transaction"))?;
            guard.disarm();
            Ok(out)
        };
        match &self.readers {
            Some(pool) => {
                let reader = pool.get()?;
                let conn = reader
                    .conn
                    .as_ref()
                    .expect("a pooled reader holds its connection until dropped");
                run(conn, f)
            }
            None => {
                let conn = self.writer();
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                conn.execute_batch("PRAGMA query_only = ON")
                    .map_err(storage("cannot start a read transaction"))?;
                let _restore = QueryOnly(&conn);
                run(&conn, f)
            }
        }
    }
}

/// A transaction on a [`SqliteStore`].
pub struct SqliteTx<'a> {
    conn: &'a Connection,
    read_only: bool,
    /// A secret was erased: truncate the WAL after the commit.
    erased: bool,
    /// See [`SqliteStore::gather_limit`].
    gather_limit: Option<usize>,
    /// The audit log's last (seq, hash) once this transaction has read or written it: the
    /// writer is alone, so it stays right until the commit (a bulk import appends thousands).
    audit_tip: Option<(u64, [u8; 32])>,
    /// Accounts created in this transaction (see [`BULK_ACCOUNTS`]).
    accounts_created: u32,
    /// See [`SqliteOptions::bulk_cache_kib`].
    bulk_cache_kib: u32,
    /// The key new audit events are chained with (write transactions only).
    audit_key: Option<Arc<AuditKey>>,
}

impl SqliteTx<'_> {
    fn writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::storage("write attempted in a read-only transaction"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The tests of the store as a whole, and the fixtures that the tests of every file here
    //! share (`TempPath`, `fast`, `user`, `codes`).

    use super::*;
    use crate::account::{Account, AccountState};
    use crate::email::Email;
    use crate::establishment::EstablishmentCode;
    use crate::locale::Locale;
    use crate::notification::{NewNotification, NotificationKind};
    use crate::secret::SecretString;
    use crate::store::{AccountRepo, OutboxRepo};
    use std::path::PathBuf;
    use time::OffsetDateTime;

    /// A database file in the temp directory, removed with its WAL when dropped.
    pub(super) struct TempPath(pub(super) PathBuf);

    impl TempPath {
        pub(super) fn new(name: &str) -> Self {
            static N: AtomicU64 = AtomicU64::new(0);
            let p = std::env::temp_dir().join(format!(
                "dealer-portal-sqlite-{}-{}-{name}.db",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            let t = TempPath(p);
            t.clean();
            t
        }
        fn clean(&self) {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", self.0.display()));
            }
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            self.clean();
        }
    }

    pub(super) fn fast() -> SqliteOptions {
        SqliteOptions {
            synchronous: Synchronous::Off,
            ..SqliteOptions::default()
        }
    }

    /// A new account of the user role, created now.
    pub(super) fn user(email: &str, last: &str, first: &str, state: AccountState) -> Account {
        Account::new(
            email.parse().unwrap(),
            last.parse().unwrap(),
            first.parse().unwrap(),
            crate::account::Role::User,
            state,
            crate::locale::Locale::Fr,
            OffsetDateTime::now_utc(),
        )
    }

    pub(super) fn codes(n: usize) -> Vec<EstablishmentCode> {
        (0..n)
            .map(|i| EstablishmentCode::parse(&format!("T{i}")).unwrap())
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| {
            std::fs::metadata(p)
                .unwrap_or_else(|e| panic!("{p}: {e}"))
                .permissions()
                .mode()
                & 0o777
        };
        let path = TempPath::new("private");
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        store.write(|tx| tx.next_repairer_code()).unwrap();
        for ext in ["", "-wal", "-shm"] {
            let file = format!("{}{ext}", path.0.display());
            assert_eq!(mode(&file), 0o600, "{file}");
        }
        drop(store);

        // An existing file (here empty, as a host may prepare it) keeps the mode it was given.
        let shared = TempPath::new("shared");
        std::fs::write(&shared.0, b"").unwrap();
        std::fs::set_permissions(&shared.0, std::fs::Permissions::from_mode(0o640)).unwrap();
        let store = SqliteStore::open(&shared.0, fast()).unwrap();
        store.write(|tx| tx.next_repairer_code()).unwrap();
        assert_eq!(mode(&shared.0.display().to_string()), 0o640);
    }

    #[test]
    fn a_bulk_transaction_grows_the_cache_until_it_ends() {
        let path = TempPath::new("bulk-cache");
        let store = SqliteStore::open(
            &path.0,
            SqliteOptions {
                bulk_cache_kib: 12_345,
                ..fast()
            },
        )
        .unwrap();
        let cache = |conn: &Connection| -> i64 {
            conn.query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap()
        };
        let account = |i: u32| {
            user(
                &format!("u{i}@garage.fr"),
                "Abel",
                "Anne",
                AccountState::Invited,
            )
        };
        assert_eq!(cache(&store.writer()), NORMAL_CACHE);
        // A few accounts: the cache stays small.
        store
            .write(|tx| {
                for i in 0..BULK_ACCOUNTS - 1 {
                    tx.insert_account(&account(i))?;
                }
                assert_eq!(cache(tx.conn), NORMAL_CACHE);
                Ok(())
            })
            .unwrap();
        // A bulk import: grown while it runs, back to normal once committed...
        store
            .write(|tx| {
                for i in 1000..1000 + BULK_ACCOUNTS {
                    tx.insert_account(&account(i))?;
                }
                assert_eq!(cache(tx.conn), -12_345);
                Ok(())
            })
            .unwrap();
        assert_eq!(cache(&store.writer()), NORMAL_CACHE);
        // ... or rolled back.
        let err = store.write(|tx| {
            for i in 5000..5000 + BULK_ACCOUNTS {
                tx.insert_account(&account(i))?;
            }
            Err::<(), _>(Error::storage("abandoned"))
        });
        assert!(err.is_err());
        assert_eq!(cache(&store.writer()), NORMAL_CACHE);
        let count: i64 = store
            .writer()
            .query_row("SELECT count(*) FROM accounts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            count,
            i64::from(2 * BULK_ACCOUNTS - 1),
            "the abandoned one wrote nothing"
        );
    }

    #[test]
    fn a_file_that_cannot_be_opened_keeps_the_driver_error_as_its_source() {
        let dir = TempPath::new("missing-dir");
        let path = dir.0.join("portal.db");
        let err = SqliteStore::open(&path, fast()).unwrap_err();
        assert_eq!(err.code(), "STORAGE");
        let storage = std::error::Error::source(&err).expect("the store's context");
        let driver = storage.source().expect("the driver's error");
        assert!(
            driver.downcast_ref::<rusqlite::Error>().is_some(),
            "{driver:?}"
        );
        // The message reads as before: what was done, then what SQLite said.
        assert_eq!(
            err.to_string(),
            format!("storage error: cannot open {}: {driver}", path.display())
        );
    }

    #[test]
    fn a_panic_inside_a_write_rolls_back_and_the_store_goes_on() {
        let path = TempPath::new("panic");
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store
                .write(|tx| {
                    tx.next_repairer_code()?;
                    panic!("boom");
                    #[allow(unreachable_code)]
                    Ok(())
                })
                .unwrap();
        }));
        assert!(r.is_err());
        assert_eq!(
            store.write(|tx| tx.next_repairer_code()).unwrap().as_str(),
            "R000001"
        );
        assert_eq!(
            store.read(|tx| tx.establishment(&codes(1)[0])).unwrap(),
            None
        );
    }

    #[test]
    fn an_erasure_blocked_by_a_reader_is_retried() {
        let path = TempPath::new("erase");
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        let token = crate::token::TokenSecret::generate();
        let n = NewNotification {
            kind: NotificationKind::PasswordReset,
            email: Email::parse("a@garage.fr").unwrap(),
            name: "A".into(),
            token: Some(SecretString::from(token.expose())),
            expires_at: None,
            locale: Locale::Fr,
        };
        let id = store
            .write(|tx| tx.queue(&n, OffsetDateTime::UNIX_EPOCH))
            .unwrap();
        let wal = || std::fs::read(format!("{}-wal", path.0.display())).unwrap_or_default();
        let leaks = |b: &[u8]| {
            b.windows(token.expose().len())
                .any(|w| w == token.expose().as_bytes())
        };
        let (reading, acked) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
        std::thread::scope(|s| {
            s.spawn(|| {
                store
                    .read(|tx| {
                        tx.pending(1)?; // holds a snapshot from before the acknowledgement
                        reading.wait();
                        acked.wait();
                        Ok(())
                    })
                    .unwrap();
            });
            reading.wait();
            let start = std::time::Instant::now();
            store.write(|tx| tx.acknowledge(id)).unwrap();
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "the writer waited {:?}",
                start.elapsed()
            );
            assert!(store.erase_pending.load(Ordering::Relaxed));
            assert!(
                leaks(&wal()),
                "the reader kept the WAL (this test would prove nothing otherwise)"
            );
            acked.wait();
        });
        // No further write: the erasure is retried once the reader is gone.
        let start = std::time::Instant::now();
        while store.erase_pending.load(Ordering::Relaxed) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the erasure was not retried"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!leaks(&wal()));
        assert!(!leaks(&std::fs::read(&path.0).unwrap()));
        // A later write leaves it done.
        store.write(|tx| tx.next_repairer_code()).unwrap();
        assert!(!store.erase_pending.load(Ordering::Relaxed));
    }
}
