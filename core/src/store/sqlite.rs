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
//!   notification's link token, is set to NULL when the notification is acknowledged, and the
//!   WAL is then checkpointed and truncated so no old page image keeps it.
//! - The file carries its own `application_id`; a file that is not a dealer-portal database is
//!   refused without being modified.
//!
//! Schema (version 3; `PRAGMA user_version` counts the scripts applied):
//! - `accounts`: id `BLOB(16)`, email (normalised, `UNIQUE`), names, role and state codes,
//!   phones as E.164 with their kind, PHC password hash and a JSON array of earlier ones,
//!   lockout counters, times as Unix nanoseconds, the French `sort_key` and the folded
//!   `search_text`;
//! - `rights` (account, establishment) → bits, with copies of the account's sort key, state and
//!   search text (a trigger keeps them in step) under the covering index `rights_listing` (per
//!   establishment, in French order), from which `list_accounts` counts and pages without
//!   reading an account row before the page is known (several establishments: their slices
//!   merged);
//! - `tokens` and `sessions` keyed by the 32-byte SHA-256 digest; `outbox` (the link token in
//!   clear until acknowledged); `audit` + `audit_establishments`; `documents` and
//!   `debit_lines`; `establishments`; `counters` (repairer codes).

use super::row::{
    ACCOUNT_COLUMNS, AccountRow, account_id, coded, corrupt, digest, from_ns, hash32, ns,
    ns_clamped, read_account_row,
};
use super::{
    AccountRepo, AuditRepo, DocumentRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo,
};
use crate::account::{Account, AccountId, AccountPage, AccountQuery, AccountState, AccountSummary};
use crate::audit::{AuditAction, GENESIS, NewAuditEvent, StoredAuditEvent, chain_hash_encoded};
use crate::document::{
    Document, DocumentCategory, DocumentId, DocumentKind, DocumentPage, DocumentQuery, NewDocument,
};
use crate::email::Email;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::locale::{Coded, Locale};
use crate::names::PersonName;
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::period::YearMonth;
use crate::reference::ReferenceKind;
use crate::regime::{DebitLine, DebitNature, Issuer, Regime};
use crate::rights::{Rights, RightsMatrix};
use crate::secret::SecretString;
use crate::session::SessionRecord;
use crate::token::{TokenDigest, TokenLifecycle, TokenPurpose, TokenState};
use crate::{Error, Result};
use rusqlite::config::DbConfig;
use rusqlite::types::FromSql;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row, params};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use time::{Date, OffsetDateTime};

/// `PRAGMA application_id` of a dealer-portal database: "DPRT".
const APPLICATION_ID: i32 = 0x4450_5254;

/// The schema, one script per version: script `i` takes `user_version` from `i` to `i + 1`.
/// Scripts are never edited once released; a change is a new script.
const MIGRATIONS: &[&str] = &[SCHEMA_V1, SCHEMA_V2, SCHEMA_V3];

const SCHEMA_V1: &str = r#"
CREATE TABLE establishments (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    city   TEXT NOT NULL,
    regime TEXT
) WITHOUT ROWID;

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE accounts (
    id                 BLOB PRIMARY KEY CHECK (length(id) = 16),
    email              TEXT NOT NULL UNIQUE,
    last_name          TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    function           TEXT NOT NULL,
    role               TEXT NOT NULL,
    state              TEXT NOT NULL,
    mobile             TEXT,
    mobile_kind        TEXT,
    landline           TEXT,
    landline_kind      TEXT,
    password           TEXT,
    previous_passwords TEXT NOT NULL DEFAULT '[]',
    failed_logins      INTEGER NOT NULL DEFAULT 0,
    lockouts           INTEGER NOT NULL DEFAULT 0,
    locked_until       INTEGER,
    locale             TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    sort_key           BLOB NOT NULL,
    search_text        TEXT NOT NULL
);

-- The rights matrix. Each row also carries copies of its account's sort key, state and
-- search text (kept in step by `set_rights` and the trigger below), so that accounts are
-- listed, filtered, counted and paginated from one covering index, in French order:
-- `rights_listing` for the accounts of one establishment, `rights_sorted` across many.
CREATE TABLE rights (
    account       BLOB NOT NULL REFERENCES accounts (id),
    establishment TEXT NOT NULL,
    bits          INTEGER NOT NULL CHECK (bits > 0),
    sort_key      BLOB NOT NULL,
    state         TEXT NOT NULL,
    search_text   TEXT NOT NULL,
    PRIMARY KEY (account, establishment)
) WITHOUT ROWID;
CREATE INDEX rights_listing ON rights (establishment, sort_key, account, bits, state, search_text);
CREATE INDEX rights_sorted ON rights (sort_key, account, establishment, bits, state, search_text);
-- How many rights rows there are, to choose how to list accounts.
INSERT INTO counters (name, value) VALUES ('rights', 0);
CREATE TRIGGER rights_added AFTER INSERT ON rights
BEGIN
    UPDATE counters SET value = value + 1 WHERE name = 'rights';
END;
CREATE TRIGGER rights_removed AFTER DELETE ON rights
BEGIN
    UPDATE counters SET value = value - 1 WHERE name = 'rights';
END;
CREATE TRIGGER accounts_listing AFTER UPDATE OF sort_key, state, search_text ON accounts
WHEN OLD.sort_key IS NOT NEW.sort_key OR OLD.state IS NOT NEW.state
    OR OLD.search_text IS NOT NEW.search_text
BEGIN
    UPDATE rights SET sort_key = NEW.sort_key, state = NEW.state, search_text = NEW.search_text
    WHERE account = NEW.id;
END;

CREATE TABLE tokens (
    digest     BLOB PRIMARY KEY CHECK (length(digest) = 32),
    account    BLOB NOT NULL,
    purpose    TEXT NOT NULL,
    state      TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_account ON tokens (account, purpose, issued_at);

CREATE TABLE sessions (
    digest     BLOB PRIMARY KEY CHECK (length(digest) = 32),
    account    BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    idle_ns    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remembered INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions (account);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The link token's plaintext until acknowledged. First in the row, so that without
    -- secure_delete its old bytes would survive in the page: the tests would notice.
    token      TEXT,
    kind       TEXT NOT NULL,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL,
    expires_at INTEGER,
    locale     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acked      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (id) WHERE acked = 0;
CREATE INDEX outbox_recipient ON outbox (email, kind, created_at);

CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor          BLOB,
    action         TEXT NOT NULL,
    subject        BLOB,
    establishments TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      BLOB NOT NULL,
    hash           BLOB NOT NULL
);
CREATE TABLE audit_establishments (
    code TEXT NOT NULL,
    seq  INTEGER NOT NULL REFERENCES audit (seq),
    PRIMARY KEY (code, seq)
) WITHOUT ROWID;

CREATE TABLE debit_lines (
    id            INTEGER PRIMARY KEY,
    establishment TEXT NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    nature        TEXT NOT NULL,
    amount_cents  INTEGER NOT NULL,
    label         TEXT
);
CREATE INDEX debit_lines_month ON debit_lines (establishment, year, month, id);

CREATE TABLE documents (
    id               INTEGER PRIMARY KEY,
    establishment    TEXT NOT NULL,
    category         TEXT NOT NULL,
    kind             TEXT,
    number           TEXT NOT NULL,
    issued_on        INTEGER NOT NULL, -- Julian day number
    title            TEXT,
    amount_cents     INTEGER,
    registration     TEXT,
    contract_number  TEXT,
    agreement_number TEXT,
    file_ref         TEXT
);
CREATE INDEX documents_newest ON documents (establishment, category, issued_on DESC, id DESC);
-- Exact searches: the equality, then the order of the results, so no sort is needed.
CREATE INDEX documents_number ON documents (establishment, number, issued_on DESC, id DESC);
CREATE INDEX documents_registration ON documents (establishment, registration, issued_on DESC, id DESC)
    WHERE registration IS NOT NULL;
CREATE INDEX documents_contract ON documents (establishment, contract_number, issued_on DESC, id DESC)
    WHERE contract_number IS NOT NULL;
CREATE INDEX documents_agreement ON documents (establishment, agreement_number, issued_on DESC, id DESC)
    WHERE agreement_number IS NOT NULL;
"#;

/// Version 2: no more triggers counting the rights rows. A trigger makes SQLite keep a
/// statement journal (a copy of every page the statement touches) for each rights row written,
/// which was the largest single cost of creating users; `list_accounts` now sizes the store by
/// its accounts instead (see `SqliteTx::gathers`).
const SCHEMA_V2: &str = r#"
DROP TRIGGER rights_added;
DROP TRIGGER rights_removed;
DELETE FROM counters WHERE name = 'rights';
"#;

/// Version 3: no more `rights_sorted`. Listing several establishments merges their slices of
/// `rights_listing` instead (see `SqliteTx::merge_slices`), which reads only the scope's rows.
/// The index held a third copy of every rights row (sort key, search text) under a key that
/// puts each new row at a random place: it was the largest single cost of creating users, in
/// bulk and one by one, and about a tenth of the file.
const SCHEMA_V3: &str = r#"
DROP INDEX rights_sorted;
"#;

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
    writer: Mutex<Connection>,
    /// Where the store lives, for messages.
    location: String,
    /// Whether the database has a WAL to truncate after erasing a secret.
    wal: bool,
    /// An erasure's checkpoint could not complete (readers on an old snapshot): retried after the
    /// next write.
    erase_pending: AtomicBool,
    busy_timeout: Duration,
    /// Forces the choice of plan in `list_accounts` (tests exercise both); `None`: automatic.
    gather_limit: Option<usize>,
    /// See [`SqliteOptions::bulk_cache_kib`].
    bulk_cache_kib: u32,
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

struct ReaderPool {
    path: PathBuf,
    max: usize,
    busy_timeout: Duration,
    state: Mutex<PoolState>,
    available: Condvar,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<Connection>,
    open: usize,
}

/// A reader connection borrowed from the pool; returned on drop.
struct PooledReader<'p> {
    pool: &'p ReaderPool,
    conn: Option<Connection>,
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
    fn get(&self) -> Result<PooledReader<'_>> {
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

/// Maps a SQLite error to [`Error::Storage`] with what was being done. SQLite's messages name
/// tables and columns, never the values bound to a statement.
fn storage(context: &'static str) -> impl Fn(rusqlite::Error) -> Error {
    move |e| Error::storage_from(context, e)
}

fn not_ours(location: &str, why: &str) -> Error {
    Error::storage(format!(
        "{location} is not a dealer-portal database ({why}); it was left untouched"
    ))
}

fn col<T: FromSql>(
    row: &Row<'_>,
    i: usize,
    table: &'static str,
    column: &'static str,
) -> Result<T> {
    row.get(i).map_err(|_| corrupt(table, column))
}

/// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`.
fn json_list<'s>(items: impl IntoIterator<Item = &'s str>) -> String {
    serde_json::Value::Array(
        items
            .into_iter()
            .map(|s| serde_json::Value::String(s.to_owned()))
            .collect(),
    )
    .to_string()
}

/// The purposes as the three slots of a statement's `purpose IN (?, ?, ?)`: three purposes
/// exist, so any list fits once repeats are dropped; unused slots repeat the first (or hold
/// none, which matches nothing).
fn purpose_slots(purposes: &[TokenPurpose]) -> [Option<&'static str>; 3] {
    let mut slots = [None; 3];
    let mut n = 0;
    for code in purposes.iter().map(|p| Some(p.code())) {
        if !slots[..n].contains(&code) {
            slots[n] = code;
            n += 1;
        }
    }
    let first = slots[0];
    for slot in &mut slots[n..] {
        *slot = first;
    }
    slots
}

/// Checks that an existing, non-empty file starts with SQLite's header, without opening it.
fn check_header(path: &Path, location: &str) -> Result<bool> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::storage(format!("cannot read {location}: {e}"))),
    };
    let mut header = Vec::with_capacity(16);
    f.by_ref()
        .take(16)
        .read_to_end(&mut header)
        .map_err(|e| Error::storage(format!("cannot read {location}: {e}")))?;
    if header.is_empty() {
        return Ok(false);
    }
    if header != b"SQLite format 3\0" {
        return Err(not_ours(location, "not a SQLite file"));
    }
    Ok(true)
}

/// Refuses a database that belongs to another application or to a newer version of this one.
fn check_identity(conn: &Connection, location: &str) -> Result<()> {
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

/// Applies the missing migrations, each in its own `BEGIN IMMEDIATE` transaction (so two
/// processes opening a new file at once do not both apply one).
fn migrate(conn: &Connection, location: &str) -> Result<()> {
    for (i, script) in MIGRATIONS.iter().enumerate() {
        let target = i as i64 + 1;
        conn.execute_batch("BEGIN IMMEDIATE")
            .map_err(storage("cannot start a migration"))?;
        let guard = Rollback(conn);
        check_identity(conn, location)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(storage("cannot read the schema version"))?;
        if version < target {
            conn.execute_batch(script)
                .map_err(storage("migration failed"))?;
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {target};"
            ))
            .map_err(storage("migration failed"))?;
        }
        conn.execute_batch("COMMIT")
            .map_err(storage("cannot commit a migration"))?;
        guard.disarm();
    }
    Ok(())
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

static MEMORY_SEQ: AtomicU64 = AtomicU64::new(0);

/// How long the checkpoint that erases a secret from the WAL waits for readers.
const ERASE_WAIT: Duration = Duration::from_millis(200);

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
                        .map_err(|e| Error::storage(format!("cannot open {location}: {e}")))?;
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
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| Error::storage(format!("cannot open {location}: {e}")))?;
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
        Ok(SqliteStore {
            readers: (opts.readers > 0).then(|| ReaderPool {
                // Readers open lazily: pin the path against a later change of directory.
                path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()),
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
        Ok(SqliteStore {
            readers: None,
            writer: Mutex::new(conn),
            location,
            wal,
            erase_pending: AtomicBool::new(false),
            busy_timeout: opts.busy_timeout,
            gather_limit: None,
            bulk_cache_kib: opts.bulk_cache_kib,
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
    /// checkpoint waits for it briefly (writes wait meanwhile), then gives up and is retried
    /// after the next write.
    fn erase_wal(&self, conn: &Connection) {
        if !self.wal {
            return;
        }
        let _ = conn.busy_timeout(self.busy_timeout.min(ERASE_WAIT));
        let done = conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            })
            .is_ok_and(|busy| busy == 0);
        let _ = conn.busy_timeout(self.busy_timeout);
        self.erase_pending.store(!done, Ordering::Relaxed);
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
}

impl SqliteTx<'_> {
    fn writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::storage("write attempted in a read-only transaction"));
        }
        Ok(())
    }

    /// Inserts an account's row and returns it (see [`AccountRepo::insert_account`]).
    fn insert_account_row(&mut self, a: &Account) -> Result<AccountRow> {
        // A taken email is the unique constraint's violation below: no lookup first.
        let row = AccountRow::new(a)?;
        let r = self
            .conn
            .prepare_cached(&INSERT_ACCOUNT)
            .and_then(|mut s| s.execute(row.sqlite_params()));
        match r {
            Ok(_) => {
                self.accounts_created += 1;
                if self.accounts_created == BULK_ACCOUNTS {
                    // A bulk import: let its pages stay in memory until it commits.
                    self.conn
                        .execute_batch(&format!(
                            "PRAGMA cache_size = -{}",
                            self.bulk_cache_kib.max(1)
                        ))
                        .map_err(storage("cannot grow the page cache"))?;
                }
                Ok(row)
            }
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                if e.to_string().contains("accounts.email") {
                    Err(Error::EmailTaken)
                } else {
                    Err(Error::storage("duplicate account id"))
                }
            }
            Err(e) => Err(storage("cannot insert an account")(e)),
        }
    }

    fn account_exists(&self, id: AccountId) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM accounts WHERE id = ?1")
            .and_then(|mut s| s.exists([&id.as_bytes()[..]]))
            .map_err(storage("cannot look an account up"))
    }

    fn email_owner(&self, email: &Email) -> Result<Option<AccountId>> {
        let id: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT id FROM accounts WHERE email = ?1")
            .and_then(|mut s| s.query_row([email.as_str()], |r| r.get(0)).optional())
            .map_err(storage("cannot look an email up"))?;
        id.map(|b| account_id(&b, "accounts", "id")).transpose()
    }

    fn query_accounts(&self, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Account>> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(storage("cannot read accounts"))?;
        let mut rows = stmt.query(p).map_err(storage("cannot read accounts"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read accounts"))? {
            out.push(account_from_row(row)?);
        }
        Ok(out)
    }
}

/// Binds an account row's 20 parameters (see [`AccountRow`]).
impl AccountRow {
    fn sqlite_params(&self) -> [&dyn rusqlite::ToSql; 20] {
        [
            &self.id,
            &self.email,
            &self.last_name,
            &self.first_name,
            &self.function,
            &self.role,
            &self.state,
            &self.mobile,
            &self.mobile_kind,
            &self.landline,
            &self.landline_kind,
            &self.password,
            &self.previous,
            &self.failed_logins,
            &self.lockouts,
            &self.locked_until,
            &self.locale,
            &self.created_at,
            &self.sort_key,
            &self.search_text,
        ]
    }
}

fn account_from_row(row: &Row<'_>) -> Result<Account> {
    read_account_row!(col, row).into_account()
}

impl AccountRepo for SqliteTx<'_> {
    fn put_establishment(&mut self, e: &Establishment) -> Result<()> {
        self.writable()?;
        self.conn
            .prepare_cached(
                "INSERT INTO establishments (code, name, city, regime) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, city = excluded.city, regime = excluded.regime",
            )
            .and_then(|mut s| s.execute(params![e.code.as_str(), e.name, e.city, e.regime.map(Regime::code)]))
            .map_err(storage("cannot save an establishment"))?;
        Ok(())
    }

    fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>> {
        type Raw = (String, String, String, Option<String>);
        let raw: Option<Raw> = self
            .conn
            .prepare_cached("SELECT code, name, city, regime FROM establishments WHERE code = ?1")
            .and_then(|mut s| {
                s.query_row([code.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
            })
            .map_err(storage("cannot read an establishment"))?;
        let Some((code, name, city, regime)) = raw else {
            return Ok(None);
        };
        let regime = regime
            .map(|r| coded::<Regime>(&r, "establishments", "regime"))
            .transpose()?;
        Establishment::new(&code, &name, &city, regime)
            .map(Some)
            .map_err(|_| corrupt("establishments", "code, name or city"))
    }

    fn next_repairer_code(&mut self) -> Result<EstablishmentCode> {
        self.writable()?;
        let n: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO counters (name, value) VALUES ('repairer', 1)
                 ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            )
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(storage("cannot draw a repairer code"))?;
        Ok(EstablishmentCode::repairer(
            u64::try_from(n).map_err(|_| corrupt("counters", "value"))?,
        ))
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        self.insert_account_row(a).map(drop)
    }

    fn insert_account_with_rights(
        &mut self,
        a: &Account,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        self.writable()?;
        if rights.is_empty() {
            // Nothing to hold: the same as inserting the account alone.
            return self.insert_account_row(a).map(drop);
        }
        let row = self.insert_account_row(a)?;
        // The listing copies come from the row just written: no read back.
        self.conn
            .prepare_cached(
                "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    &row.id,
                    establishment.as_str(),
                    i64::from(rights.bits()),
                    &row.sort_key,
                    &row.state,
                    &row.search_text
                ])
            })
            .map_err(storage("cannot save rights"))?;
        Ok(())
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        if !self.account_exists(a.id)? {
            return Err(Error::UnknownAccount {
                id: a.id.to_string(),
            });
        }
        if self
            .email_owner(&a.email)?
            .is_some_and(|owner| owner != a.id)
        {
            return Err(Error::EmailTaken);
        }
        let row = AccountRow::new(a)?;
        let r = self
            .conn
            .prepare_cached(
                "UPDATE accounts SET email = ?2, last_name = ?3, first_name = ?4, function = ?5, role = ?6, state = ?7,
                    mobile = ?8, mobile_kind = ?9, landline = ?10, landline_kind = ?11, password = ?12,
                    previous_passwords = ?13, failed_logins = ?14, lockouts = ?15, locked_until = ?16, locale = ?17,
                    created_at = ?18, sort_key = ?19, search_text = ?20
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(row.sqlite_params()));
        match r {
            Ok(_) => Ok(()),
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation)
                    && e.to_string().contains("accounts.email") =>
            {
                Err(Error::EmailTaken)
            }
            Err(e) => Err(storage("cannot update an account")(e)),
        }
    }

    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        Ok(self
            .query_accounts(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
                [&id.as_bytes()[..]],
            )?
            .pop())
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        Ok(self
            .query_accounts(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?1"),
                [email.as_str()],
            )?
            .pop())
    }

    fn rights(&mut self, id: AccountId) -> Result<RightsMatrix> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT establishment, bits FROM rights WHERE account = ?1 ORDER BY establishment",
            )
            .map_err(storage("cannot read rights"))?;
        let mut rows = stmt
            .query([&id.as_bytes()[..]])
            .map_err(storage("cannot read rights"))?;
        let mut m = RightsMatrix::default();
        while let Some(row) = rows.next().map_err(storage("cannot read rights"))? {
            let code: String = col(row, 0, "rights", "establishment")?;
            let bits: i64 = col(row, 1, "rights", "bits")?;
            let code =
                EstablishmentCode::parse(&code).map_err(|_| corrupt("rights", "establishment"))?;
            m.set(code, rights_from_bits(bits)?);
        }
        Ok(m)
    }

    fn set_rights(
        &mut self,
        id: AccountId,
        establishment: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        self.writable()?;
        let unknown = || Error::UnknownAccount { id: id.to_string() };
        let r = if rights.is_empty() {
            if !self.account_exists(id)? {
                return Err(unknown());
            }
            self.conn
                .prepare_cached("DELETE FROM rights WHERE account = ?1 AND establishment = ?2")
                .and_then(|mut s| s.execute(params![&id.as_bytes()[..], establishment.as_str()]))
        } else {
            self.conn
                .prepare_cached(
                    "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                     SELECT id, ?2, ?3, sort_key, state, search_text FROM accounts WHERE id = ?1
                     ON CONFLICT (account, establishment) DO UPDATE SET bits = excluded.bits",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        &id.as_bytes()[..],
                        establishment.as_str(),
                        i64::from(rights.bits())
                    ])
                })
        };
        // No row inserted or updated: the account does not exist (the SELECT found nothing).
        if r.map_err(storage("cannot save rights"))? == 0 && !rights.is_empty() {
            return Err(unknown());
        }
        Ok(())
    }

    fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM rights
                 WHERE establishment = ?1 AND (bits & ?2) != 0 AND state = ?3",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        establishment.as_str(),
                        i64::from(manage_bits()),
                        AccountState::Active.code()
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot count managers"))?;
        Ok(n as usize)
    }

    fn list_accounts(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage> {
        q.validate()?;
        let codes: Vec<&EstablishmentCode> = match &q.establishment {
            Some(e) if scope.contains(e) => vec![e],
            Some(_) => Vec::new(),
            None => {
                let mut v: Vec<&EstablishmentCode> = scope.iter().collect();
                v.sort();
                v.dedup();
                v
            }
        };
        if codes.is_empty() {
            return Ok(AccountPage {
                items: Vec::new(),
                total: 0,
            });
        }
        let needle = q
            .text
            .as_deref()
            .map(crate::names::fold)
            .filter(|t| !t.is_empty());
        let args = ListArgs {
            code: codes[0].as_str(),
            scope: json_list(codes.iter().map(|c| c.as_str())),
            mask: q.right.map(|r| i64::from(right_bits(r))),
            state: q.state.map(AccountState::code),
            text: needle,
        };
        // Only the filters asked for, so an unfiltered count is a bare index count.
        let mut filter = String::new();
        if args.mask.is_some() {
            filter.push_str(" AND (r.bits & :mask) = :mask");
        }
        if args.state.is_some() {
            filter.push_str(" AND r.state = :state");
        }
        if args.text.is_some() {
            filter.push_str(" AND instr(r.search_text, :text) > 0");
        }

        // Three plans, all on `rights_listing`, which carries the sort key, state and search
        // text, so no account row is read before the page is known:
        // - one establishment: its slice of the index, already in order;
        // - several, few rights rows: gather the matches from their slices and sort them;
        // - several, many: merge their slices, each already in order (see `merge_slices`).
        const SLICE: &str = "FROM rights r INDEXED BY rights_listing WHERE r.establishment = :code";
        const GATHER: &str = "FROM rights r INDEXED BY rights_listing
             WHERE r.establishment IN (SELECT value FROM json_each(:scope))";
        let (from, count) = if codes.len() == 1 {
            (SLICE, format!("SELECT count(*) {SLICE}{filter}"))
        } else if self.gathers(&args)? {
            // An account holding rights on several of the establishments counts once.
            let sql = format!("SELECT count(*) FROM (SELECT DISTINCT r.account {GATHER}{filter})");
            (GATHER, sql)
        } else {
            let (total, ids) = self.merge_slices(&codes, &args, &filter, q)?;
            return self.page_of(ids, total, &codes);
        };
        let total = self.count(&count, &args)?;
        if q.offset >= total {
            return Ok(AccountPage {
                items: Vec::new(),
                total,
            });
        }

        // Deep pages are read from the other end, then reversed.
        let limit = q.limit.min(total - q.offset);
        let from_end = q.offset > total / 2;
        let (descending, offset) = if from_end {
            (!q.descending, total - q.offset - limit)
        } else {
            (q.descending, q.offset)
        };
        let dir = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT DISTINCT r.sort_key, r.account {from}{filter}
             ORDER BY r.sort_key {dir}, r.account {dir} LIMIT :limit OFFSET :offset"
        );
        let mut ids = Vec::with_capacity(limit);
        {
            let mut stmt = self
                .conn
                .prepare_cached(&sql)
                .map_err(storage("cannot list accounts"))?;
            args.bind(&mut stmt)
                .and_then(|()| bind(&mut stmt, ":limit", limit as i64))
                .and_then(|()| bind(&mut stmt, ":offset", offset as i64))
                .map_err(storage("cannot list accounts"))?;
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(storage("cannot list accounts"))? {
                let id: Vec<u8> = col(row, 1, "rights", "account")?;
                ids.push(id);
            }
        }
        if from_end {
            ids.reverse();
        }
        self.page_of(ids, total, &codes)
    }
}

impl SqliteTx<'_> {
    /// The summaries of a page of accounts (ids in listing order), with their establishments
    /// within the scope.
    fn page_of(
        &self,
        ids: Vec<Vec<u8>>,
        total: usize,
        codes: &[&EstablishmentCode],
    ) -> Result<AccountPage> {
        // The page's accounts, and their establishments within the scope.
        let visible: HashSet<&str> = codes.iter().map(|c| c.as_str()).collect();
        let mut summary = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_SUMMARY} FROM accounts a WHERE a.id = ?1"
            ))
            .map_err(storage("cannot list accounts"))?;
        let mut held = self
            .conn
            .prepare_cached(
                "SELECT establishment FROM rights WHERE account = ?1 ORDER BY establishment",
            )
            .map_err(storage("cannot read rights"))?;
        let mut items = Vec::with_capacity(ids.len());
        for id in &ids {
            let mut rows = summary
                .query([id])
                .map_err(storage("cannot list accounts"))?;
            let Some(row) = rows.next().map_err(storage("cannot list accounts"))? else {
                return Err(corrupt("rights", "account"));
            };
            let mut item = summary_from_row(row)?;
            let mut rows = held.query([id]).map_err(storage("cannot read rights"))?;
            while let Some(row) = rows.next().map_err(storage("cannot read rights"))? {
                let code: String = col(row, 0, "rights", "establishment")?;
                if visible.contains(code.as_str()) {
                    item.establishments.push(
                        EstablishmentCode::parse(&code)
                            .map_err(|_| corrupt("rights", "establishment"))?,
                    );
                }
            }
            items.push(item);
        }
        Ok(AccountPage { items, total })
    }
}

/// The values a `list_accounts` statement may name.
struct ListArgs<'a> {
    code: &'a str,
    scope: String,
    mask: Option<i64>,
    state: Option<&'static str>,
    text: Option<String>,
}

impl ListArgs<'_> {
    /// Binds those the statement names.
    fn bind(&self, stmt: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
        bind(stmt, ":code", self.code)?;
        bind(stmt, ":scope", &self.scope)?;
        bind(stmt, ":mask", self.mask)?;
        bind(stmt, ":state", self.state)?;
        bind(stmt, ":text", &self.text)
    }
}

/// Binds a named parameter if the statement has it.
fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    name: &str,
    v: impl rusqlite::ToSql,
) -> rusqlite::Result<()> {
    match stmt.parameter_index(name)? {
        Some(i) => stmt.raw_bind_parameter(i, v),
        None => Ok(()),
    }
}

impl SqliteTx<'_> {
    fn count(&self, sql: &str, args: &ListArgs<'_>) -> Result<usize> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(storage("cannot count accounts"))?;
        args.bind(&mut stmt)
            .map_err(storage("cannot count accounts"))?;
        let mut rows = stmt.raw_query();
        let n: i64 = match rows.next().map_err(storage("cannot count accounts"))? {
            Some(row) => col(row, 0, "rights", "count")?,
            None => 0,
        };
        Ok(n.max(0) as usize)
    }

    /// Lists a scope of several establishments by merging their slices of `rights_listing`,
    /// each read in order by its own statement: one pass over the scope's rights rows gives both
    /// the total and the page, with no sort and no temporary table. An account holding rights on
    /// several of the establishments comes out of each of their slices with the same key, one
    /// after the other, and counts once.
    fn merge_slices(
        &self,
        codes: &[&EstablishmentCode],
        args: &ListArgs<'_>,
        filter: &str,
        q: &AccountQuery,
    ) -> Result<(usize, Vec<Vec<u8>>)> {
        let err = storage("cannot list accounts");
        let dir = if q.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT r.sort_key, r.account FROM rights r INDEXED BY rights_listing
             WHERE r.establishment = :code{filter} ORDER BY r.sort_key {dir}, r.account {dir}"
        );
        // One statement per slice, prepared for this listing (a scope may hold many
        // establishments; the statement cache keeps one statement per text). Preparing costs
        // a few µs each, reading the slices milliseconds.
        let mut stmts = Vec::with_capacity(codes.len());
        for code in codes {
            let mut stmt = self.conn.prepare(&sql).map_err(&err)?;
            args.bind(&mut stmt)
                .and_then(|()| bind(&mut stmt, ":code", code.as_str()))
                .map_err(&err)?;
            stmts.push(stmt);
        }
        let mut cursors: Vec<_> = stmts.iter_mut().map(|s| s.raw_query()).collect();

        let mut heap = std::collections::BinaryHeap::with_capacity(cursors.len());
        for (cursor, rows) in cursors.iter_mut().enumerate() {
            let mut head = SliceHead {
                key: Vec::new(),
                account: Vec::new(),
                cursor,
                descending: q.descending,
            };
            if head.advance(rows)? {
                heap.push(head);
            }
        }
        let (first, end) = (q.offset, q.offset.saturating_add(q.limit));
        let mut ids = Vec::with_capacity(q.limit.min(1024));
        let (mut total, mut last_key, mut last_account) = (0usize, Vec::new(), Vec::new());
        // The top's slice moves on in place (one sift down), and leaves the heap when done.
        while let Some(mut head) = heap.peek_mut() {
            if total == 0 || head.key != last_key || head.account != last_account {
                if (first..end).contains(&total) {
                    ids.push(head.account.clone());
                }
                total += 1;
                // The head's buffers become the last key seen; the old ones take its next row.
                std::mem::swap(&mut head.key, &mut last_key);
                std::mem::swap(&mut head.account, &mut last_account);
            }
            let cursor = head.cursor;
            if !head.advance(&mut cursors[cursor])? {
                std::collections::binary_heap::PeekMut::pop(head);
            }
        }
        Ok((total, ids))
    }

    /// Whether to list a scope of several establishments by sorting its matches rather than
    /// by merging their slices: for a few rights rows, where preparing a statement per
    /// establishment would cost more than the sort. Merging costs less per row as soon as
    /// there are a few thousand (30,000 rows: 5 ms merged, 24 ms sorted).
    fn gathers(&self, args: &ListArgs<'_>) -> Result<bool> {
        let limit = self.gather_limit.unwrap_or(GATHER_LIMIT);
        let cap = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM rights INDEXED BY rights_listing
                 WHERE establishment IN (SELECT value FROM json_each(?1)) LIMIT ?2)",
            )
            .and_then(|mut s| s.query_row(params![args.scope, cap], |r| r.get(0)))
            .map_err(storage("cannot count accounts"))?;
        Ok(n.max(0) as usize <= limit)
    }
}

/// Up to this many rights rows in a scope of several establishments, `list_accounts` sorts the
/// matches rather than merging the establishments' slices.
const GATHER_LIMIT: usize = 2_000;

/// The next row of one establishment's slice in `merge_slices`, ordered for a max-heap so that
/// the row that comes first in the listing's direction is on top.
struct SliceHead {
    key: Vec<u8>,
    account: Vec<u8>,
    cursor: usize,
    descending: bool,
}

impl SliceHead {
    /// Reads the slice's next row into the head's buffers; `false` when the slice is done.
    fn advance(&mut self, rows: &mut rusqlite::Rows<'_>) -> Result<bool> {
        let Some(row) = rows.next().map_err(storage("cannot list accounts"))? else {
            return Ok(false);
        };
        for (i, buf) in [(0, &mut self.key), (1, &mut self.account)] {
            let bytes = row
                .get_ref(i)
                .ok()
                .and_then(|v| v.as_blob().ok())
                .ok_or_else(|| corrupt("rights", if i == 0 { "sort_key" } else { "account" }))?;
            buf.clear();
            buf.extend_from_slice(bytes);
        }
        Ok(true)
    }
}

impl Ord for SliceHead {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let order = (&self.key, &self.account).cmp(&(&other.key, &other.account));
        if self.descending {
            order
        } else {
            order.reverse()
        }
    }
}

impl PartialOrd for SliceHead {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SliceHead {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for SliceHead {}

const ACCOUNT_SUMMARY: &str = "a.id, a.email, a.last_name, a.first_name, a.state";

fn summary_from_row(row: &Row<'_>) -> Result<AccountSummary> {
    const T: &str = "accounts";
    let id: Vec<u8> = col(row, 0, T, "id")?;
    let email: String = col(row, 1, T, "email")?;
    let last: String = col(row, 2, T, "last_name")?;
    let first: String = col(row, 3, T, "first_name")?;
    let state: String = col(row, 4, T, "state")?;
    Ok(AccountSummary {
        id: account_id(&id, T, "id")?,
        email: Email::parse(&email).map_err(|_| corrupt(T, "email"))?,
        last_name: PersonName::parse(&last).map_err(|_| corrupt(T, "last_name"))?,
        first_name: PersonName::parse(&first).map_err(|_| corrupt(T, "first_name"))?,
        state: coded::<AccountState>(&state, T, "state")?,
        establishments: Vec::new(),
    })
}

fn right_bits(r: crate::rights::Right) -> u8 {
    Rights::from(r).bits()
}

fn manage_bits() -> u8 {
    right_bits(crate::rights::Right::ManageAccounts)
}

fn rights_from_bits(bits: i64) -> Result<Rights> {
    u8::try_from(bits)
        .ok()
        .and_then(Rights::from_bits)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| corrupt("rights", "bits"))
}

fn token_from_row(row: &Row<'_>) -> Result<TokenRecord> {
    const T: &str = "tokens";
    let d: Vec<u8> = col(row, 0, T, "digest")?;
    let account: Vec<u8> = col(row, 1, T, "account")?;
    let purpose: String = col(row, 2, T, "purpose")?;
    let state: String = col(row, 3, T, "state")?;
    Ok(TokenRecord {
        digest: digest(&d, T, "digest")?,
        account: account_id(&account, T, "account")?,
        lifecycle: TokenLifecycle {
            purpose: coded::<TokenPurpose>(&purpose, T, "purpose")?,
            state: coded::<TokenState>(&state, T, "state")?,
            issued_at: from_ns(col(row, 4, T, "issued_at")?, T, "issued_at")?,
            expires_at: from_ns(col(row, 5, T, "expires_at")?, T, "expires_at")?,
        },
    })
}

const TOKEN_COLUMNS: &str = "digest, account, purpose, state, issued_at, expires_at";

// The statements run for every user created, formatted once.
static INSERT_ACCOUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO accounts ({ACCOUNT_COLUMNS}, sort_key, search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)"
    )
});
static INSERT_TOKEN: LazyLock<String> = LazyLock::new(|| {
    format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
});

impl TokenRepo for SqliteTx<'_> {
    fn insert_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.writable()?;
        let l = &t.lifecycle;
        let (issued_at, expires_at) = (ns(l.issued_at)?, ns(l.expires_at)?);
        let r = self.conn.prepare_cached(&INSERT_TOKEN).and_then(|mut s| {
            s.execute(params![
                &t.digest.as_bytes()[..],
                &t.account.as_bytes()[..],
                l.purpose.code(),
                l.state.code(),
                issued_at,
                expires_at,
            ])
        });
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(Error::storage("duplicate token digest"))
            }
            Err(e) => Err(storage("cannot insert a token")(e)),
        }
    }

    fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE digest = ?1"
            ))
            .map_err(storage("cannot read a token"))?;
        let mut rows = stmt
            .query([&digest.as_bytes()[..]])
            .map_err(storage("cannot read a token"))?;
        rows.next()
            .map_err(storage("cannot read a token"))?
            .map(token_from_row)
            .transpose()
    }

    fn consume_token(
        &mut self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRecord>> {
        self.writable()?;
        // One statement: the compare-and-set cannot be split by another writer.
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "UPDATE tokens SET state = ?4
                 WHERE digest = ?1 AND purpose = ?2 AND state = ?5 AND expires_at > ?3
                 RETURNING {TOKEN_COLUMNS}"
            ))
            .map_err(storage("cannot consume a token"))?;
        let mut rows = stmt
            .query(params![
                &digest.as_bytes()[..],
                purpose.code(),
                ns(now)?,
                TokenState::Consumed.code(),
                TokenState::Issued.code()
            ])
            .map_err(storage("cannot consume a token"))?;
        rows.next()
            .map_err(storage("cannot consume a token"))?
            .map(token_from_row)
            .transpose()
    }

    fn end_tokens(
        &mut self,
        account: AccountId,
        purposes: &[TokenPurpose],
        to: TokenState,
    ) -> Result<usize> {
        self.writable()?;
        let n = self
            .conn
            .prepare_cached(
                "UPDATE tokens SET state = ?3
                 WHERE account = ?1 AND state = ?2 AND purpose IN (?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                let [a, b, c] = purpose_slots(purposes);
                s.execute(params![
                    &account.as_bytes()[..],
                    TokenState::Issued.code(),
                    to.code(),
                    a,
                    b,
                    c
                ])
            })
            .map_err(storage("cannot end tokens"))?;
        Ok(n)
    }

    fn expire_token(&mut self, digest: &TokenDigest) -> Result<()> {
        self.writable()?;
        self.conn
            .prepare_cached("UPDATE tokens SET state = ?2 WHERE digest = ?1 AND state = ?3")
            .and_then(|mut s| {
                s.execute(params![
                    &digest.as_bytes()[..],
                    TokenState::Expired.code(),
                    TokenState::Issued.code()
                ])
            })
            .map_err(storage("cannot expire a token"))?;
        Ok(())
    }
}

const SESSION_COLUMNS: &str =
    "digest, account, created_at, last_seen, idle_ns, expires_at, remembered";

fn session_from_row(row: &Row<'_>) -> Result<SessionRecord> {
    const T: &str = "sessions";
    let d: Vec<u8> = col(row, 0, T, "digest")?;
    let account: Vec<u8> = col(row, 1, T, "account")?;
    Ok(SessionRecord {
        digest: digest(&d, T, "digest")?,
        account: account_id(&account, T, "account")?,
        created_at: from_ns(col(row, 2, T, "created_at")?, T, "created_at")?,
        last_seen: from_ns(col(row, 3, T, "last_seen")?, T, "last_seen")?,
        idle: time::Duration::nanoseconds(col(row, 4, T, "idle_ns")?),
        expires_at: from_ns(col(row, 5, T, "expires_at")?, T, "expires_at")?,
        remembered: col(row, 6, T, "remembered")?,
    })
}

impl SessionRepo for SqliteTx<'_> {
    fn insert_session(&mut self, s: &SessionRecord) -> Result<()> {
        self.writable()?;
        let idle = i64::try_from(s.idle.whole_nanoseconds()).map_err(|_| Error::InvalidInput {
            field: "session idle timeout",
            reason: "too long".into(),
        })?;
        let (created_at, last_seen, expires_at) =
            (ns(s.created_at)?, ns(s.last_seen)?, ns(s.expires_at)?);
        let r = self
            .conn
            .prepare_cached(&format!(
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ))
            .and_then(|mut st| {
                st.execute(params![
                    &s.digest.as_bytes()[..],
                    &s.account.as_bytes()[..],
                    created_at,
                    last_seen,
                    idle,
                    expires_at,
                    s.remembered
                ])
            });
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(Error::storage("duplicate session digest"))
            }
            Err(e) => Err(storage("cannot insert a session")(e)),
        }
    }

    fn session(&mut self, digest: &TokenDigest) -> Result<Option<SessionRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE digest = ?1"
            ))
            .map_err(storage("cannot read a session"))?;
        let mut rows = stmt
            .query([&digest.as_bytes()[..]])
            .map_err(storage("cannot read a session"))?;
        rows.next()
            .map_err(storage("cannot read a session"))?
            .map(session_from_row)
            .transpose()
    }

    fn touch_session(&mut self, digest: &TokenDigest, last_seen: OffsetDateTime) -> Result<()> {
        self.writable()?;
        // `last_seen` never moves backwards.
        let last_seen = ns(last_seen)?;
        self.conn
            .prepare_cached(
                "UPDATE sessions SET last_seen = ?2 WHERE digest = ?1 AND last_seen < ?2",
            )
            .and_then(|mut s| s.execute(params![&digest.as_bytes()[..], last_seen]))
            .map_err(storage("cannot touch a session"))?;
        Ok(())
    }

    fn delete_session(&mut self, digest: &TokenDigest) -> Result<bool> {
        self.writable()?;
        let n = self
            .conn
            .prepare_cached("DELETE FROM sessions WHERE digest = ?1")
            .and_then(|mut s| s.execute([&digest.as_bytes()[..]]))
            .map_err(storage("cannot delete a session"))?;
        Ok(n > 0)
    }

    fn delete_sessions(&mut self, account: AccountId) -> Result<usize> {
        self.writable()?;
        self.conn
            .prepare_cached("DELETE FROM sessions WHERE account = ?1")
            .and_then(|mut s| s.execute([&account.as_bytes()[..]]))
            .map_err(storage("cannot delete sessions"))
    }
}

impl OutboxRepo for SqliteTx<'_> {
    fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId> {
        self.writable()?;
        let (expires_at, at) = (n.expires_at.map(ns).transpose()?, ns(at)?);
        self.conn
            .prepare_cached(
                "INSERT INTO outbox (kind, email, name, token, expires_at, locale, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    n.kind.code(),
                    n.email.as_str(),
                    n.name,
                    n.token.as_ref().map(SecretString::expose),
                    expires_at,
                    n.locale.code(),
                    at
                ])
            })
            .map_err(storage("cannot queue a notification"))?;
        // The writer connection is this transaction's alone: the last rowid is this row's.
        Ok(NotificationId(self.conn.last_insert_rowid() as u64))
    }

    fn pending(&mut self, limit: usize) -> Result<Vec<Notification>> {
        const T: &str = "outbox";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, kind, email, name, token, expires_at, locale, created_at FROM outbox
                 WHERE acked = 0 ORDER BY id LIMIT ?1",
            )
            .map_err(storage("cannot read the outbox"))?;
        let mut rows = stmt
            .query([i64::try_from(limit).unwrap_or(i64::MAX)])
            .map_err(storage("cannot read the outbox"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the outbox"))? {
            let id: i64 = col(row, 0, T, "id")?;
            let kind: String = col(row, 1, T, "kind")?;
            let email: String = col(row, 2, T, "email")?;
            let token: Option<String> = col(row, 4, T, "token")?;
            let expires_at: Option<i64> = col(row, 5, T, "expires_at")?;
            let locale: String = col(row, 6, T, "locale")?;
            out.push(Notification {
                id: NotificationId(id as u64),
                created_at: from_ns(col(row, 7, T, "created_at")?, T, "created_at")?,
                body: NewNotification {
                    kind: coded::<NotificationKind>(&kind, T, "kind")?,
                    email: Email::parse(&email).map_err(|_| corrupt(T, "email"))?,
                    name: col(row, 3, T, "name")?,
                    token: token.map(SecretString::new),
                    expires_at: expires_at
                        .map(|n| from_ns(n, T, "expires_at"))
                        .transpose()?,
                    locale: locale.parse::<Locale>().map_err(|_| corrupt(T, "locale"))?,
                },
            });
        }
        Ok(out)
    }

    fn count_queued_since(
        &mut self,
        email: &Email,
        kind: NotificationKind,
        since: OffsetDateTime,
    ) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM outbox WHERE email = ?1 AND kind = ?2 AND created_at >= ?3",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![email.as_str(), kind.code(), ns_clamped(since)],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot count notifications"))?;
        Ok(n as usize)
    }

    fn acknowledge(&mut self, id: NotificationId) -> Result<()> {
        self.writable()?;
        let unknown = || Error::UnknownNotification { id: id.to_string() };
        let Ok(rowid) = i64::try_from(id.0) else {
            return Err(unknown());
        };
        // With secure_delete, SQLite zeroes the old cell in the page; `write` then truncates the
        // WAL so no earlier image of the page keeps the token.
        let had_token: Option<bool> = self
            .conn
            .prepare_cached("UPDATE outbox SET acked = 1, token = NULL WHERE id = ?1 AND acked = 0 RETURNING ?2")
            .and_then(|mut s| s.query_row(params![rowid, true], |r| r.get(0)).optional())
            .map_err(storage("cannot acknowledge a notification"))?;
        match had_token {
            Some(_) => {
                self.erased = true;
                Ok(())
            }
            None => Err(unknown()),
        }
    }
}

fn audit_from_row(row: &Row<'_>) -> Result<StoredAuditEvent> {
    const T: &str = "audit";
    let seq: i64 = col(row, 0, T, "seq")?;
    let actor: Option<Vec<u8>> = col(row, 2, T, "actor")?;
    let action: String = col(row, 3, T, "action")?;
    let subject: Option<Vec<u8>> = col(row, 4, T, "subject")?;
    let establishments: String = col(row, 5, T, "establishments")?;
    let details: String = col(row, 6, T, "details")?;
    let prev: Vec<u8> = col(row, 7, T, "prev_hash")?;
    let hash: Vec<u8> = col(row, 8, T, "hash")?;
    Ok(StoredAuditEvent {
        seq: u64::try_from(seq).map_err(|_| corrupt(T, "seq"))?,
        event: NewAuditEvent {
            at: from_ns(col(row, 1, T, "at")?, T, "at")?,
            actor: actor.map(|b| account_id(&b, T, "actor")).transpose()?,
            action: coded::<AuditAction>(&action, T, "action")?,
            subject: subject.map(|b| account_id(&b, T, "subject")).transpose()?,
            establishments: serde_json::from_str(&establishments)
                .map_err(|_| corrupt(T, "establishments"))?,
            details: serde_json::from_str(&details).map_err(|_| corrupt(T, "details"))?,
        },
        prev_hash: hash32(&prev, "prev_hash")?,
        hash: hash32(&hash, "hash")?,
    })
}

const AUDIT_COLUMNS: &str =
    "a.seq, a.at, a.actor, a.action, a.subject, a.establishments, a.details, a.prev_hash, a.hash";

impl AuditRepo for SqliteTx<'_> {
    fn append(&mut self, e: &NewAuditEvent) -> Result<u64> {
        self.writable()?;
        let (last, prev) = match self.audit_tip {
            Some(tip) => tip,
            None => {
                let last: Option<(i64, Vec<u8>)> = self
                    .conn
                    .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
                    .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                    .map_err(storage("cannot read the audit log"))?;
                match last {
                    Some((seq, hash)) => (
                        u64::try_from(seq).map_err(|_| corrupt("audit", "seq"))?,
                        hash32(&hash, "hash")?,
                    ),
                    None => (0, GENESIS),
                }
            }
        };
        let seq = last + 1;
        let at = ns(e.at)?;
        let establishments = serde_json::to_string(&e.establishments)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let details = serde_json::to_string(&e.details)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let hash = chain_hash_encoded(&prev, seq, e, &establishments, &details);
        self.conn
            .prepare_cached(
                "INSERT INTO audit (seq, at, actor, action, subject, establishments, details, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    seq as i64,
                    at,
                    e.actor.as_ref().map(|a| &a.as_bytes()[..]),
                    e.action.code(),
                    e.subject.as_ref().map(|a| &a.as_bytes()[..]),
                    establishments,
                    details,
                    &prev[..],
                    &hash[..]
                ])
            })
            .map_err(storage("cannot append to the audit log"))?;
        self.audit_tip = Some((seq, hash));
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT OR IGNORE INTO audit_establishments (code, seq) VALUES (?1, ?2)",
            )
            .map_err(storage("cannot append to the audit log"))?;
        for code in &e.establishments {
            stmt.execute(params![code.as_str(), seq as i64])
                .map_err(storage("cannot append to the audit log"))?;
        }
        Ok(seq)
    }

    fn audit_for(
        &mut self,
        establishment: &EstablishmentCode,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<StoredAuditEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_establishments e JOIN audit a ON a.seq = e.seq
                 WHERE e.code = ?1 ORDER BY e.seq DESC LIMIT ?2 OFFSET ?3"
            ))
            .map_err(storage("cannot read the audit log"))?;
        let mut rows = stmt
            .query(params![
                establishment.as_str(),
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ])
            .map_err(storage("cannot read the audit log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the audit log"))? {
            out.push(audit_from_row(row)?);
        }
        Ok(out)
    }

    fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a ORDER BY a.seq"
            ))
            .map_err(storage("cannot read the audit log"))?;
        let mut rows = stmt
            .query([])
            .map_err(storage("cannot read the audit log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the audit log"))? {
            out.push(audit_from_row(row)?);
        }
        Ok(out)
    }
}

const DOCUMENT_COLUMNS: &str = "id, establishment, category, kind, number, issued_on, title, amount_cents, registration, \
     contract_number, agreement_number, file_ref";

fn document_from_row(row: &Row<'_>) -> Result<Document> {
    const T: &str = "documents";
    let id: i64 = col(row, 0, T, "id")?;
    let establishment: String = col(row, 1, T, "establishment")?;
    let category: String = col(row, 2, T, "category")?;
    let kind: Option<String> = col(row, 3, T, "kind")?;
    let doc = NewDocument {
        category: coded::<DocumentCategory>(&category, T, "category")?,
        kind: kind
            .map(|k| coded::<DocumentKind>(&k, T, "kind"))
            .transpose()?,
        number: col(row, 4, T, "number")?,
        issued_on: Date::from_julian_day(col(row, 5, T, "issued_on")?)
            .map_err(|_| corrupt(T, "issued_on"))?,
        title: col(row, 6, T, "title")?,
        amount_cents: col(row, 7, T, "amount_cents")?,
        registration: col(row, 8, T, "registration")?,
        contract_number: col(row, 9, T, "contract_number")?,
        agreement_number: col(row, 10, T, "agreement_number")?,
        file_ref: col(row, 11, T, "file_ref")?,
    };
    Ok(Document {
        id: DocumentId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
        establishment: EstablishmentCode::parse(&establishment)
            .map_err(|_| corrupt(T, "establishment"))?,
        doc: doc
            .validate()
            .map_err(|_| corrupt(T, "number, title or references"))?,
    })
}

impl DocumentRepo for SqliteTx<'_> {
    fn insert_document(
        &mut self,
        establishment: &EstablishmentCode,
        d: &NewDocument,
    ) -> Result<DocumentId> {
        self.writable()?;
        let id: i64 = self
            .conn
            .prepare_cached(
                "INSERT INTO documents (establishment, category, kind, number, issued_on, title, amount_cents,
                     registration, contract_number, agreement_number, file_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![
                        establishment.as_str(),
                        d.category.code(),
                        d.kind.map(DocumentKind::code),
                        d.number,
                        d.issued_on.to_julian_day(),
                        d.title,
                        d.amount_cents,
                        d.registration,
                        d.contract_number,
                        d.agreement_number,
                        d.file_ref
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot insert a document"))?;
        Ok(DocumentId(id as u64))
    }

    fn search_documents(
        &mut self,
        establishment: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        // The same criteria as `DocumentQuery::matches`, as SQL over indexed columns.
        let mut sql = String::from("FROM documents WHERE establishment = ?1 AND category = ?2");
        let mut args: Vec<rusqlite::types::Value> = vec![
            establishment.as_str().to_owned().into(),
            q.category.code().to_owned().into(),
        ];
        let mut and = |sql: &mut String, cond: &str, v: rusqlite::types::Value| {
            args.push(v);
            sql.push_str(&format!(" AND {cond} ?{}", args.len()));
        };
        if let Some(k) = q.kind {
            and(&mut sql, "kind =", k.code().to_owned().into());
        }
        if let Some(n) = &q.number {
            and(&mut sql, "number =", n.clone().into());
        }
        let (lo, hi) = q.period.bounds();
        if let Some(lo) = lo {
            and(
                &mut sql,
                "issued_on >=",
                i64::from(lo.to_julian_day()).into(),
            );
        }
        if let Some(hi) = hi {
            and(
                &mut sql,
                "issued_on <=",
                i64::from(hi.to_julian_day()).into(),
            );
        }
        if let Some(r) = &q.reference {
            let column = match r.kind() {
                ReferenceKind::RegistrationPlate => "registration =",
                ReferenceKind::ContractNumber => "contract_number =",
                ReferenceKind::AgreementNumber => "agreement_number =",
            };
            and(&mut sql, column, r.normalized().to_owned().into());
        }
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) {sql}"))
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(&args), |r| r.get(0)))
            .map_err(storage("cannot count documents"))?;
        let total = total as usize;
        let mut items = Vec::new();
        if q.offset < total {
            let n = args.len();
            args.push(i64::try_from(q.limit).unwrap_or(i64::MAX).into());
            args.push(i64::try_from(q.offset).unwrap_or(i64::MAX).into());
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {DOCUMENT_COLUMNS} {sql} ORDER BY issued_on DESC, id DESC LIMIT ?{} OFFSET ?{}",
                    n + 1,
                    n + 2
                ))
                .map_err(storage("cannot search documents"))?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(&args))
                .map_err(storage("cannot search documents"))?;
            while let Some(row) = rows.next().map_err(storage("cannot search documents"))? {
                items.push(document_from_row(row)?);
            }
        }
        Ok(DocumentPage { items, total })
    }

    fn insert_debit_line(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
        line: &DebitLine,
    ) -> Result<()> {
        self.writable()?;
        self.conn
            .prepare_cached(
                "INSERT INTO debit_lines (establishment, year, month, issuer, nature, amount_cents, label)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    establishment.as_str(),
                    month.year(),
                    month.month(),
                    line.issuer.code(),
                    line.nature.code(),
                    line.amount_cents,
                    line.label
                ])
            })
            .map_err(storage("cannot insert a debit line"))?;
        Ok(())
    }

    fn debit_lines(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Vec<DebitLine>> {
        const T: &str = "debit_lines";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT issuer, nature, amount_cents, label FROM debit_lines
                 WHERE establishment = ?1 AND year = ?2 AND month = ?3 ORDER BY id",
            )
            .map_err(storage("cannot read debit lines"))?;
        let mut rows = stmt
            .query(params![establishment.as_str(), month.year(), month.month()])
            .map_err(storage("cannot read debit lines"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read debit lines"))? {
            let issuer: String = col(row, 0, T, "issuer")?;
            let nature: String = col(row, 1, T, "nature")?;
            out.push(DebitLine {
                issuer: coded::<Issuer>(&issuer, T, "issuer")?,
                nature: coded::<DebitNature>(&nature, T, "nature")?,
                amount_cents: col(row, 2, T, "amount_cents")?,
                label: col(row, 3, T, "label")?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notification::NotificationKind;
    use crate::store::MemoryStore;

    /// A database file in the temp directory, removed with its WAL when dropped.
    struct TempPath(PathBuf);

    impl TempPath {
        fn new(name: &str) -> Self {
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

    fn fast() -> SqliteOptions {
        SqliteOptions {
            synchronous: Synchronous::Off,
            ..SqliteOptions::default()
        }
    }

    #[test]
    fn purpose_slots_fill_three_in_slots() {
        use TokenPurpose::{Activation, PasswordReset, Session};
        let (a, r, s) = (Activation.code(), PasswordReset.code(), Session.code());
        assert_eq!(purpose_slots(&[]), [None, None, None]);
        assert_eq!(purpose_slots(&[Activation]), [Some(a); 3]);
        assert_eq!(
            purpose_slots(&[Activation, Activation, PasswordReset, Activation]),
            [Some(a), Some(r), Some(a)]
        );
        assert_eq!(
            purpose_slots(&[Session, PasswordReset, Activation, Session]),
            [Some(s), Some(r), Some(a)]
        );
    }

    /// A new account of the user role, created now.
    fn user(email: &str, last: &str, first: &str, state: AccountState) -> Account {
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

    #[test]
    fn a_version_1_file_is_upgraded_in_place() {
        let path = TempPath::new("v1");
        let a = user("anne@garage.fr", "Abel", "Anne", AccountState::Active);
        {
            // A file as the first release left it: schema 1, its rights counted by triggers.
            let conn = Connection::open(&path.0).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 1;
                 INSERT INTO establishments (code, name, city) VALUES ('T1', 'G', 'V');"
            ))
            .unwrap();
            let row = AccountRow::new(&a).unwrap();
            conn.execute(&INSERT_ACCOUNT, row.sqlite_params()).unwrap();
            conn.execute(
                "INSERT INTO rights (account, establishment, bits, sort_key, state, search_text)
                 SELECT id, 'T1', 3, sort_key, state, search_text FROM accounts",
                [],
            )
            .unwrap();
            let counted: i64 = conn
                .query_row(
                    "SELECT value FROM counters WHERE name = 'rights'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(counted, 1, "the v1 trigger counted the row");
        }
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        {
            let conn = store.writer();
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, MIGRATIONS.len() as i64);
            let leftovers: i64 = conn
                .query_row(
                    "SELECT (SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'rights_%')
                          + (SELECT count(*) FROM counters WHERE name = 'rights')",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(leftovers, 0, "the rights triggers and counter are gone");
            let indexes: Vec<String> = conn
                .prepare(
                    "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'rights'",
                )
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(
                indexes,
                ["rights_listing"],
                "version 3 dropped rights_sorted"
            );
        }
        // Everything written before is still there and listed.
        let m = store.read(|tx| tx.rights(a.id)).unwrap();
        assert_eq!(m.rights_on(&"T1".parse().unwrap()).bits(), 3);
        let page = store
            .read(|tx| tx.list_accounts(&["T1".parse().unwrap()], &AccountQuery::default()))
            .unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].id, a.id);
        // And new rights rows are written without the triggers.
        let b = user("bea@garage.fr", "Blanc", "Bea", AccountState::Invited);
        store
            .write(|tx| {
                tx.insert_account_with_rights(
                    &b,
                    &"T1".parse().unwrap(),
                    Rights::from_bits(1).unwrap(),
                )
            })
            .unwrap();
        let page = store
            .read(|tx| tx.list_accounts(&["T1".parse().unwrap()], &AccountQuery::default()))
            .unwrap();
        assert_eq!(page.total, 2);
        // Several establishments, by each plan: Abel before Blanc, once each.
        store
            .write(|tx| {
                tx.put_establishment(&Establishment::new("T2", "G", "V", None).unwrap())?;
                tx.set_rights(a.id, &"T2".parse().unwrap(), Rights::from_bits(1).unwrap())
            })
            .unwrap();
        let mut store = store;
        for limit in [Some(usize::MAX), Some(0)] {
            store.gather_limit = limit;
            let page = store
                .read(|tx| {
                    tx.list_accounts(
                        &["T1".parse().unwrap(), "T2".parse().unwrap()],
                        &AccountQuery::default(),
                    )
                })
                .unwrap();
            let ids: Vec<_> = page.items.iter().map(|i| i.id).collect();
            assert_eq!((page.total, ids), (2, vec![a.id, b.id]), "{limit:?}");
            assert_eq!(page.items[0].establishments.len(), 2);
        }
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

    /// xorshift64*: reproducible test data without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
            &v[self.below(v.len())]
        }
    }

    const LAST: &[&str] = &[
        "Éric",
        "Eric",
        "ERIC",
        "Émile",
        "Zoé",
        "Abel",
        "Ægir",
        "Çelik",
        "Dupont",
        "du Pont",
        "Dupond",
        "Lœvenbruck",
        "O'Neil",
        "Ölsen",
        "Martin",
        "Martín",
        "MARTIN",
        "Zola",
        "Édith",
        "Eva",
        "Ève",
    ];
    const FIRST: &[&str] = &[
        "Anne",
        "Éric",
        "Ève",
        "Luc",
        "Jean-François",
        "Zoé",
        "Paul",
        "Élodie",
    ];
    const STATES: &[AccountState] = &[
        AccountState::Declared,
        AccountState::Invited,
        AccountState::Active,
        AccountState::Disabled,
    ];

    fn account(rng: &mut Rng, i: usize) -> Account {
        Account {
            id: AccountId::generate(),
            email: Email::parse(&format!("user{i}@garage{}.fr", rng.below(5))).unwrap(),
            last_name: PersonName::parse(rng.pick::<&str>(LAST)).unwrap(),
            first_name: PersonName::parse(rng.pick::<&str>(FIRST)).unwrap(),
            function: String::new(),
            role: crate::account::Role::User,
            state: *rng.pick(STATES),
            mobile: None,
            landline: None,
            password: None,
            previous_passwords: Vec::new(),
            failed_logins: 0,
            lockouts: 0,
            locked_until: None,
            locale: Locale::Fr,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn codes(n: usize) -> Vec<EstablishmentCode> {
        (0..n)
            .map(|i| EstablishmentCode::parse(&format!("T{i}")).unwrap())
            .collect()
    }

    #[test]
    fn list_accounts_agrees_with_the_memory_store_on_both_plans() {
        let path = TempPath::new("differential");
        let mut sqlite = SqliteStore::open(&path.0, fast()).unwrap();
        let memory = MemoryStore::new();
        // The same data in both: populate each from the same seed, then copy ids over.
        let mut rng = Rng(0x5eed);
        let all = codes(6);
        let mut accounts = Vec::new();
        for i in 0..400 {
            let a = account(&mut rng, i);
            let mut rights = Vec::new();
            for _ in 0..rng.below(3) + 1 {
                rights.push((
                    rng.pick(&all).clone(),
                    Rights::from_bits((rng.below(63) + 1) as u8).unwrap(),
                ));
            }
            accounts.push((a, rights));
        }
        fn load<S: Store>(store: &S, accounts: &[(Account, Vec<(EstablishmentCode, Rights)>)]) {
            store
                .write(|tx| {
                    for (a, rights) in accounts {
                        tx.insert_account(a)?;
                        for (c, r) in rights {
                            tx.set_rights(a.id, c, *r)?;
                        }
                    }
                    Ok(())
                })
                .unwrap();
        }
        load(&sqlite, &accounts);
        load(&memory, &accounts);

        let texts = [
            None,
            Some("eric"),
            Some("É"),
            Some("garage3"),
            Some("ève"),
            Some("zz"),
            Some(""),
        ];
        for round in 0..300 {
            if round == 150 {
                // Renames, state changes and removed rights must reach the listing copies.
                let mut changes = Vec::new();
                for _ in 0..60 {
                    let (a, rights) = &accounts[rng.below(accounts.len())];
                    let mut b = a.clone();
                    b.last_name = PersonName::parse(rng.pick::<&str>(LAST)).unwrap();
                    b.state = *rng.pick(STATES);
                    let cleared = rng.pick(rights).0.clone();
                    changes.push((b, cleared));
                }
                fn apply<S: Store>(store: &S, changes: &[(Account, EstablishmentCode)]) {
                    store
                        .write(|tx| {
                            for (b, cleared) in changes {
                                let current = tx.account(b.id)?.unwrap();
                                tx.update_account(&Account {
                                    failed_logins: current.failed_logins + 1,
                                    ..b.clone()
                                })?;
                                tx.set_rights(b.id, cleared, Rights::EMPTY)?;
                            }
                            Ok(())
                        })
                        .unwrap();
                }
                apply(&sqlite, &changes);
                apply(&memory, &changes);
                let conn = sqlite.writer();
                let stale: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM rights r JOIN accounts a ON a.id = r.account
                         WHERE r.sort_key IS NOT a.sort_key OR r.state IS NOT a.state
                            OR r.search_text IS NOT a.search_text",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(stale, 0);
            }
            let mut scope: Vec<EstablishmentCode> =
                all.iter().filter(|_| rng.below(2) == 0).cloned().collect();
            if round % 7 == 0 {
                scope = all.clone();
            }
            let q = AccountQuery {
                text: rng.pick(&texts).map(str::to_owned),
                establishment: if rng.below(4) == 0 {
                    Some(rng.pick(&all).clone())
                } else {
                    None
                },
                right: if rng.below(3) == 0 {
                    Some(*rng.pick(crate::rights::Right::ALL))
                } else {
                    None
                },
                state: if rng.below(3) == 0 {
                    Some(*rng.pick(STATES))
                } else {
                    None
                },
                descending: rng.below(2) == 0,
                offset: rng.below(420),
                limit: rng.below(120) + 1,
            };
            let expected = memory.read(|tx| tx.list_accounts(&scope, &q)).unwrap();
            // Every plan: sorting the matches, and merging the establishments' slices.
            for threshold in [Some(usize::MAX), Some(0), None] {
                sqlite.gather_limit = threshold;
                let got = sqlite.read(|tx| tx.list_accounts(&scope, &q)).unwrap();
                assert_eq!(
                    got, expected,
                    "round {round}, gather limit {threshold:?}, {q:?}, scope {scope:?}"
                );
            }
        }
    }

    fn plan(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(p, |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn searches_use_their_indexes() {
        let store = SqliteStore::open_in_memory().unwrap();
        let conn = store.writer();
        let p = plan(
            &conn,
            "SELECT id FROM documents WHERE establishment = ?1 AND category = ?2 AND issued_on >= ?3
             ORDER BY issued_on DESC, id DESC LIMIT 50",
            params!["T1", "accounting", 1],
        );
        assert!(
            p.contains("documents_newest") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        let p = plan(
            &conn,
            "SELECT id FROM documents WHERE establishment = ?1 AND category = ?2 AND registration = ?3
             ORDER BY issued_on DESC, id DESC LIMIT 50",
            params!["T1", "contract", "AB-123-CD"],
        );
        assert!(
            p.contains("documents_registration") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        let p = plan(
            &conn,
            "SELECT id FROM documents WHERE establishment = ?1 AND category = ?2 AND number = ?3
             ORDER BY issued_on DESC, id DESC LIMIT 50",
            params!["T1", "accounting", "2204003143"],
        );
        assert!(
            p.contains("documents_number") && !p.contains("TEMP B-TREE"),
            "{p}"
        );
        // Listing accounts: the slice of one establishment (paged, or read whole for a merge)
        // needs no temporary table, neither to sort nor to remove duplicates.
        for dir in ["ASC", "DESC"] {
            let p = plan(
                &conn,
                &format!(
                    "SELECT DISTINCT r.sort_key, r.account FROM rights r INDEXED BY rights_listing
                     WHERE r.establishment = ?1 AND (r.bits & 1) = 1
                     ORDER BY r.sort_key {dir}, r.account {dir} LIMIT 5 OFFSET 5"
                ),
                ["T1"],
            );
            assert!(
                !p.contains("TEMP B-TREE") && p.contains("establishment=?"),
                "{p}"
            );
            let p = plan(
                &conn,
                &format!(
                    "SELECT r.sort_key, r.account FROM rights r INDEXED BY rights_listing
                     WHERE r.establishment = ?1 AND (r.bits & 1) = 1 AND instr(r.search_text, ?2) > 0
                     ORDER BY r.sort_key {dir}, r.account {dir}"
                ),
                ["T1", "eric"],
            );
            assert!(
                !p.contains("TEMP B-TREE") && p.contains("establishment=?"),
                "{p}"
            );
        }
        // Ending an account's tokens (`end_tokens`).
        let p = plan(
            &conn,
            "UPDATE tokens SET state = ?3 WHERE account = ?1 AND state = ?2 AND purpose IN (?4, ?5, ?6)",
            params![
                vec![0u8; 16],
                "issued",
                "revoked",
                "password_reset",
                "activation",
                "activation"
            ],
        );
        assert!(p.contains("tokens_account"), "{p}");
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
            acked.wait();
        });
        assert!(
            leaks(&wal()),
            "the reader kept the WAL (this test would prove nothing otherwise)"
        );
        store.write(|tx| tx.next_repairer_code()).unwrap();
        assert!(!store.erase_pending.load(Ordering::Relaxed));
        assert!(!leaks(&wal()));
        assert!(!leaks(&std::fs::read(&path.0).unwrap()));
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

    /// `cargo test --release -p dealer-portal --lib store::sqlite::tests::list_accounts_at_scale -- --ignored --nocapture`
    #[test]
    #[ignore = "a benchmark: run it in release"]
    fn list_accounts_at_scale() {
        let path = TempPath::new("scale");
        let mut store = SqliteStore::open(&path.0, fast()).unwrap();
        let mut rng = Rng(42);
        let start = std::time::Instant::now();
        // 100,000 accounts: all on T0 (a group's head office sees them all), and each also on
        // one of ten shops T1..T10 (10,000 each).
        let all = codes(11);
        store
            .write(|tx| {
                for i in 0..100_000 {
                    let a = account(&mut rng, i);
                    tx.insert_account(&a)?;
                    let bits = Rights::from_bits((rng.below(63) + 1) as u8).unwrap();
                    tx.set_rights(a.id, &all[0], bits)?;
                    tx.set_rights(a.id, &all[1 + i % 10], Rights::all())?;
                }
                Ok(())
            })
            .unwrap();
        println!("insert 100k: {:?}", start.elapsed());
        let head = vec![all[0].clone()];
        let shops = all[1..].to_vec();
        let q = AccountQuery::default;
        let cases: Vec<(&str, Vec<EstablishmentCode>, AccountQuery)> = vec![
            ("T0, first page", head.clone(), q()),
            (
                "T0, Z-A first page",
                head.clone(),
                AccountQuery {
                    descending: true,
                    ..q()
                },
            ),
            (
                "T0, page at 25k",
                head.clone(),
                AccountQuery {
                    offset: 25_000,
                    ..q()
                },
            ),
            (
                "T0, page at 50k",
                head.clone(),
                AccountQuery {
                    offset: 50_000,
                    ..q()
                },
            ),
            (
                "T0, last page",
                head.clone(),
                AccountQuery {
                    offset: 99_950,
                    ..q()
                },
            ),
            (
                "T0, text 'eric'",
                head.clone(),
                AccountQuery {
                    text: Some("eric".into()),
                    ..q()
                },
            ),
            (
                "T0, text 'user4242'",
                head.clone(),
                AccountQuery {
                    text: Some("user4242".into()),
                    ..q()
                },
            ),
            (
                "T0, right",
                head.clone(),
                AccountQuery {
                    right: Some(crate::rights::Right::ManageAccounts),
                    ..q()
                },
            ),
            (
                "T0, state, page 10k",
                head.clone(),
                AccountQuery {
                    state: Some(AccountState::Disabled),
                    offset: 10_000,
                    ..q()
                },
            ),
            ("one shop (10k)", vec![all[7].clone()], q()),
            (
                "3 shops, page at 10k",
                shops[..3].to_vec(),
                AccountQuery {
                    offset: 10_000,
                    ..q()
                },
            ),
            ("10 shops, first page", shops.clone(), q()),
            (
                "10 shops, Z-A at 50k",
                shops.clone(),
                AccountQuery {
                    offset: 50_000,
                    descending: true,
                    ..q()
                },
            ),
            (
                "10 shops, text 'eric'",
                shops.clone(),
                AccountQuery {
                    text: Some("eric".into()),
                    ..q()
                },
            ),
            (
                "all 11, page at 30k",
                all.clone(),
                AccountQuery {
                    offset: 30_000,
                    limit: 500,
                    ..q()
                },
            ),
        ];
        let plans: [(&str, Option<usize>); 3] = [
            ("auto", None),
            ("gather", Some(usize::MAX)),
            ("merge", Some(0)),
        ];
        for (name, scope, q) in &cases {
            for (plan, limit) in plans {
                if scope.len() == 1 && limit.is_some() {
                    continue;
                }
                store.gather_limit = limit;
                let mut times = Vec::new();
                let mut total = 0;
                for _ in 0..7 {
                    let start = std::time::Instant::now();
                    total = store.read(|tx| tx.list_accounts(scope, q)).unwrap().total;
                    times.push(start.elapsed().as_secs_f64() * 1000.0);
                }
                times.sort_by(f64::total_cmp);
                println!(
                    "{name:>24} {plan:>6}: min {:>7.2} ms, median {:>7.2} ms (total {total})",
                    times[0], times[3]
                );
            }
        }
    }
}
