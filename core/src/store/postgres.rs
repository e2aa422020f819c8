//! The PostgreSQL store: several portal servers sharing one database.
//!
//! - A small pool of connections (rust-postgres' sync [`Client`]s), each with its own cache of
//!   prepared statements, so a statement costs one round trip.
//! - Versioned migrations applied on connect, in one transaction holding an advisory lock, so
//!   servers starting together apply each script once; a `schema_version` table records the
//!   version and that the schema is dealer-portal's. DDL is transactional: a failed migration
//!   leaves the database as it was.
//! - [`Store::write`] runs a READ COMMITTED transaction. The atomic rules are the database's own:
//!   the email is `UNIQUE` ([`Error::EmailTaken`] from the constraint), a token is consumed by one
//!   conditional `UPDATE … WHERE state = 'issued' AND expires_at > $now RETURNING …`, outbox rows
//!   are inserted in the transaction that queues them, and the audit chain is appended under a
//!   row lock on its one-row `audit_head` (`SELECT … FOR UPDATE`), so two servers never chain
//!   from the same hash. On top of these, a write transaction takes a transaction-scoped advisory
//!   lock (per schema) before its first statement, as [`Store::write`] promises serialised
//!   writers: the services' read-modify-write sequences (failed-login counters, the last-manager
//!   check, the repairer counter) then hold across servers as they do in one process. Session
//!   touches, the one write on the hot path of every request, commute and skip that lock.
//! - [`Store::read`] runs a REPEATABLE READ READ ONLY transaction: one snapshot, never blocked
//!   by writers.
//! - Token digests only; password hashes as PHC strings; times as nanoseconds since the epoch
//!   (`BIGINT`, exact round trip); names sorted by their collation key (`BYTEA`, indexed);
//!   establishment codes and emails `COLLATE "C"`, so SQL orders them as Rust does. A queued
//!   notification's link token is set to NULL when acknowledged (PostgreSQL keeps the old row
//!   version until `VACUUM`, and the WAL keeps it until recycled: see the README).
//! - Error messages carry PostgreSQL's message and SQLSTATE, never its `DETAIL` (which quotes
//!   the values of a conflicting key) nor the URL's password.

use super::row::{
    ACCOUNT_COLUMNS, AccountRow, account_id, coded, corrupt, digest, from_ns, hash32, ns,
    ns_clamped, read_account_row,
};
use super::{
    AccountRepo, AuditRepo, DocumentRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo,
};
use crate::account::{Account, AccountId, AccountPage, AccountQuery, AccountState, AccountSummary};
use crate::audit::{AuditAction, GENESIS, NewAuditEvent, StoredAuditEvent, chain_hash};
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
use ::postgres::error::SqlState;
use ::postgres::types::{FromSql, ToSql};
use ::postgres::{Client, Config, IsolationLevel, NoTls, Row, Statement};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// The name recorded in `schema_version.application`: a schema of another application is refused.
const APPLICATION: &str = "dealer-portal";

/// First key of the advisory locks (the second is derived from the schema's name): "DPRT".
const LOCK_CLASS: i32 = 0x4450_5254;
/// Added to the schema's key for the migration lock (the writer lock uses the key itself).
const MIGRATION_LOCK_OFFSET: i32 = 1;

/// The schema, one script per version: script `i` takes the schema from version `i` to `i + 1`.
/// Scripts are never edited once released; a change is a new script.
const MIGRATIONS: &[&str] = &[SCHEMA_V1];

const SCHEMA_V1: &str = r#"
CREATE TABLE establishments (
    code   TEXT COLLATE "C" PRIMARY KEY,
    name   TEXT NOT NULL,
    city   TEXT NOT NULL,
    regime TEXT
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE accounts (
    id                 BYTEA PRIMARY KEY CHECK (length(id) = 16),
    email              TEXT COLLATE "C" NOT NULL CONSTRAINT accounts_email_key UNIQUE,
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
    failed_logins      BIGINT NOT NULL DEFAULT 0,
    lockouts           BIGINT NOT NULL DEFAULT 0,
    locked_until       BIGINT,
    locale             TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    sort_key           BYTEA NOT NULL,
    search_text        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX accounts_sort ON accounts (sort_key, id);

CREATE TABLE rights (
    account       BYTEA NOT NULL REFERENCES accounts (id),
    establishment TEXT COLLATE "C" NOT NULL,
    bits          INTEGER NOT NULL CHECK (bits > 0),
    PRIMARY KEY (account, establishment)
);
CREATE INDEX rights_establishment ON rights (establishment, account);

CREATE TABLE tokens (
    digest     BYTEA PRIMARY KEY CHECK (length(digest) = 32),
    account    BYTEA NOT NULL,
    purpose    TEXT NOT NULL,
    state      TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX tokens_account ON tokens (account, purpose, issued_at);

CREATE TABLE sessions (
    digest     BYTEA PRIMARY KEY CHECK (length(digest) = 32),
    account    BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    idle_ns    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    remembered BOOLEAN NOT NULL
);
CREATE INDEX sessions_account ON sessions (account);

CREATE TABLE outbox (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The link token's plaintext until acknowledged, then NULL.
    token      TEXT,
    kind       TEXT NOT NULL,
    email      TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    expires_at BIGINT,
    locale     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acked      BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX outbox_pending ON outbox (id) WHERE NOT acked;
CREATE INDEX outbox_recipient ON outbox (email, kind, created_at);

-- The chain's end, one row: appending locks it, so appends are serial across servers.
CREATE TABLE audit_head (
    one  BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    seq  BIGINT NOT NULL,
    hash BYTEA -- NULL before the first event (the genesis hash)
);
INSERT INTO audit_head (one, seq, hash) VALUES (true, 0, NULL);

CREATE TABLE audit (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor          BYTEA,
    action         TEXT NOT NULL,
    subject        BYTEA,
    -- JSON text exactly as hashed (not JSONB, which would reformat numbers).
    establishments TEXT NOT NULL,
    details        TEXT NOT NULL,
    prev_hash      BYTEA NOT NULL,
    hash           BYTEA NOT NULL
);
CREATE TABLE audit_establishments (
    code TEXT COLLATE "C" NOT NULL,
    seq  BIGINT NOT NULL REFERENCES audit (seq),
    PRIMARY KEY (code, seq)
);

CREATE TABLE debit_lines (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    establishment TEXT COLLATE "C" NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER NOT NULL,
    issuer        TEXT NOT NULL,
    nature        TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL,
    label         TEXT
);
CREATE INDEX debit_lines_month ON debit_lines (establishment, year, month, id);

CREATE TABLE documents (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    establishment    TEXT COLLATE "C" NOT NULL,
    category         TEXT NOT NULL,
    kind             TEXT,
    number           TEXT COLLATE "C" NOT NULL,
    issued_on        DATE NOT NULL,
    title            TEXT,
    amount_cents     BIGINT,
    registration     TEXT COLLATE "C",
    contract_number  TEXT COLLATE "C",
    agreement_number TEXT COLLATE "C",
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

/// How a [`PostgresStore`] connects.
///
/// ```
/// use dealer_portal::store::PostgresOptions;
/// let opts = PostgresOptions::default();
/// assert_eq!(opts.max_connections, 8);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// How many connections the pool may open; 8 by default. Writers are serialised by the
    /// database, so more connections serve more concurrent reads, not more writes.
    pub max_connections: usize,
    /// How long a transaction waits for a free connection before failing; 30 s by default.
    pub acquire_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// A store in a PostgreSQL database, shared by any number of portal servers.
///
/// [`PostgresStore::connect`] takes a libpq-style URL
/// (`postgres://user:password@host:5432/dbname`, or `key=value` pairs). The tables live in the
/// first schema of the connection's `search_path` (by default `public`); several portals can
/// share a database with a schema each (`?options=-c%20search_path%3Dportal_a`). TLS is not
/// supported yet: use `sslmode=disable` or leave it to the default `prefer`, on a trusted network
/// or a local socket (`host=/var/run/postgresql`).
pub struct PostgresStore {
    pool: Pool,
    /// The second key of the advisory locks: derived from the schema's name.
    lock_key: i32,
    /// Where the store lives, for messages (never the password).
    location: String,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// The pool
// ---------------------------------------------------------------------------------------------

/// A connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

struct Pool {
    config: Config,
    max: usize,
    timeout: Duration,
    state: Mutex<PoolState>,
    available: Condvar,
}

#[derive(Default)]
struct PoolState {
    idle: Vec<Conn>,
    open: usize,
}

/// A connection borrowed from the pool; returned on drop unless it was closed.
struct Pooled<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
}

impl Pooled<'_> {
    fn conn(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .expect("a pooled connection is held until dropped")
    }

    /// Closes this connection instead of returning it.
    fn discard(&mut self) {
        if self.conn.take().is_some() {
            self.pool.lost();
        }
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if conn.client.is_closed() {
            self.pool.lost();
            return;
        }
        let mut st = self.pool.lock();
        st.idle.push(conn);
        drop(st);
        self.pool.available.notify_one();
    }
}

impl Pool {
    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection was closed: its slot is free.
    fn lost(&self) {
        self.lock().open -= 1;
        self.available.notify_one();
    }

    fn get(&self) -> Result<Pooled<'_>> {
        let deadline = Instant::now() + self.timeout;
        let mut st = self.lock();
        loop {
            if let Some(conn) = st.idle.pop() {
                return Ok(Pooled {
                    pool: self,
                    conn: Some(conn),
                });
            }
            if st.open < self.max {
                st.open += 1;
                drop(st);
                return match self.open() {
                    Ok(conn) => Ok(Pooled {
                        pool: self,
                        conn: Some(conn),
                    }),
                    Err(e) => {
                        self.lost();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::storage(format!(
                    "no PostgreSQL connection became free within {:?} (pool of {})",
                    self.timeout, self.max
                )));
            }
            st = self
                .available
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn open(&self) -> Result<Conn> {
        let mut client = self
            .config
            .connect(NoTls)
            .map_err(pg("cannot connect to PostgreSQL"))?;
        // A server cut off in the middle of a transaction (a network partition) would hold the
        // writer lock until TCP gives up, hours later: unless the URL's options chose a limit,
        // PostgreSQL ends a session left idle inside a transaction for a minute.
        client
            .batch_execute(
                "SELECT set_config('idle_in_transaction_session_timeout', '60s', false)
                 WHERE current_setting('idle_in_transaction_session_timeout') IN ('0', '0ms')",
            )
            .map_err(pg("cannot configure a PostgreSQL connection"))?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and conversions
// ---------------------------------------------------------------------------------------------

/// PostgreSQL's message and SQLSTATE, without the `DETAIL` (which quotes key values).
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// Maps a PostgreSQL error to [`Error::Storage`] with what was being done.
fn pg(context: &'static str) -> impl Fn(postgres::Error) -> Error {
    move |e| Error::storage(format!("{context}: {}", describe(&e)))
}

fn is_unique_violation(e: &postgres::Error, constraint: &str) -> bool {
    e.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::UNIQUE_VIOLATION && db.constraint() == Some(constraint)
    })
}

fn col<'r, T: FromSql<'r>>(
    row: &'r Row,
    i: usize,
    table: &'static str,
    column: &'static str,
) -> Result<T> {
    row.try_get(i).map_err(|_| corrupt(table, column))
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

fn purpose_codes(purposes: &[TokenPurpose]) -> Vec<&'static str> {
    purposes.iter().map(|p| p.code()).collect()
}

/// The advisory lock key of a schema: the first four bytes of SHA-256 of its name, so every
/// server computes the same key, and portals in different schemas do not serialise each other.
fn schema_key(schema: &str) -> i32 {
    let h = Sha256::digest(schema.as_bytes());
    i32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

// ---------------------------------------------------------------------------------------------
// Connecting and migrating
// ---------------------------------------------------------------------------------------------

impl PostgresStore {
    /// Connects to the database at `url` with [`PostgresOptions::default`], and brings its schema
    /// up to date (creating the tables in an empty schema). A schema that belongs to another
    /// application, or to a newer version of this library, is refused and left untouched.
    ///
    /// ```no_run
    /// use dealer_portal::store::{AccountRepo, PostgresStore, Store};
    /// let store = PostgresStore::connect("postgres://portal:secret@db.internal/portal")?;
    /// let code = store.write(|tx| tx.next_repairer_code())?;
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, PostgresOptions::default())
    }

    /// [`PostgresStore::connect`] with options.
    pub fn connect_with(url: &str, opts: PostgresOptions) -> Result<Self> {
        if opts.max_connections == 0 {
            return Err(Error::InvalidConfig {
                reason: "a PostgreSQL store needs at least one connection".into(),
            });
        }
        // The parser's message never repeats the URL (which may hold a password).
        let mut config = Config::from_str(url).map_err(|e| Error::InvalidConfig {
            reason: format!("invalid PostgreSQL connection URL: {e}"),
        })?;
        if config.get_application_name().is_none() {
            config.application_name("dealer-portal");
        }
        // Without one, a server that drops packets would hang a request forever.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        let location = describe_config(&config);
        let pool = Pool {
            config,
            max: opts.max_connections,
            timeout: opts.acquire_timeout,
            state: Mutex::new(PoolState::default()),
            available: Condvar::new(),
        };
        let lock_key = {
            let mut conn = pool.get()?;
            migrate(&mut conn.conn().client, &location)?
        };
        Ok(PostgresStore {
            pool,
            lock_key,
            location,
        })
    }

    /// Where the store lives: database, user and hosts (never the password).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// A connection with a transaction started on it (`begin` is the `START TRANSACTION`). A
    /// connection that cannot start one (the server restarted, a proxy closed it while idle) is
    /// dropped and another one opened: nothing has run on it yet, so trying again is safe.
    fn begin(&self, begin: &str) -> Result<Pooled<'_>> {
        let mut attempts = 0;
        loop {
            let mut conn = self.pool.get()?;
            match conn.conn().client.batch_execute(begin) {
                Ok(()) => return Ok(conn),
                Err(_) if attempts < self.pool.max => {
                    attempts += 1;
                    conn.discard();
                }
                Err(e) => return Err(pg("cannot start a transaction")(e)),
            }
        }
    }

    /// Runs `f` in a transaction started by `begin`: committed if `f` returns `Ok` and no
    /// statement failed, rolled back otherwise (also when `f` panics).
    fn run<R>(
        &self,
        begin: &str,
        read_only: bool,
        f: impl FnOnce(&mut PostgresTx<'_>) -> Result<R>,
    ) -> Result<R> {
        let mut conn = self.begin(begin)?;
        let Conn { client, statements } = conn.conn();
        let mut tx = PostgresTx {
            client,
            statements,
            read_only,
            serialised: false,
            lock_key: self.lock_key,
            failed: false,
            open: true,
        };
        let out = f(&mut tx);
        let ended = match (&out, tx.failed) {
            (Ok(_), false) => tx.end("COMMIT").map_err(pg("cannot commit")),
            (Ok(_), true) => {
                // PostgreSQL would answer COMMIT with a silent ROLLBACK: say so.
                tx.end("ROLLBACK")
                    .map_err(pg("cannot roll back"))
                    .and(Err(Error::storage(
                        "a statement of the transaction failed, so it was rolled back",
                    )))
            }
            (Err(_), _) => tx.end("ROLLBACK").map_err(pg("cannot roll back")),
        };
        drop(tx);
        if ended.is_err() {
            // The connection's state is unknown: do not hand it out again.
            conn.discard();
        }
        let out = out?;
        ended?;
        Ok(out)
    }
}

fn describe_config(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    format!(
        "PostgreSQL database {:?} as {:?} on {}",
        config.get_dbname().unwrap_or("(default)"),
        config.get_user().unwrap_or("(default)"),
        if hosts.is_empty() {
            "(default host)".to_owned()
        } else {
            hosts.join(",")
        }
    )
}

/// Applies the missing migrations in one transaction under an advisory lock: a second server
/// starting at the same time waits, then finds the schema up to date. Returns the schema's lock
/// key.
fn migrate(client: &mut Client, location: &str) -> Result<i32> {
    let schema: Option<String> = client
        .query_one("SELECT current_schema()::text", &[])
        .map_err(pg("cannot read the current schema"))?
        .get(0);
    let Some(schema) = schema else {
        return Err(Error::InvalidConfig {
            reason: format!(
                "{location}: no schema of the search_path exists; create it or fix the search_path"
            ),
        });
    };
    let key = schema_key(&schema);
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .map_err(pg("cannot start a migration"))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&LOCK_CLASS, &key.wrapping_add(MIGRATION_LOCK_OFFSET)],
    )
    .map_err(pg("cannot lock the schema for a migration"))?;
    let has_version_table: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                            WHERE schemaname = current_schema() AND tablename = 'schema_version')",
            &[],
        )
        .map_err(pg("cannot read the schema version"))?
        .get(0);
    let version: i32 = if has_version_table {
        let row = tx
            .query_opt("SELECT application, version FROM schema_version", &[])
            .map_err(pg("cannot read the schema version"))?;
        let Some(row) = row else {
            return Err(not_ours(
                location,
                &schema,
                "its schema_version table is empty",
            ));
        };
        let application: String = row
            .try_get(0)
            .map_err(|_| not_ours(location, &schema, "unreadable schema_version"))?;
        if application != APPLICATION {
            return Err(not_ours(
                location,
                &schema,
                "it belongs to another application",
            ));
        }
        row.try_get(1)
            .map_err(|_| not_ours(location, &schema, "unreadable schema_version"))?
    } else {
        let ours: i64 = tx
            .query_one(
                "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()",
                &[],
            )
            .map_err(pg("cannot read the schema"))?
            .get(0);
        if ours > 0 {
            return Err(not_ours(
                location,
                &schema,
                "it holds tables but no schema_version",
            ));
        }
        tx.batch_execute(
            "CREATE TABLE schema_version (
                 one         BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
                 application TEXT NOT NULL,
                 version     INTEGER NOT NULL
             )",
        )
        .map_err(pg("migration failed"))?;
        tx.execute(
            "INSERT INTO schema_version (application, version) VALUES ($1, 0)",
            &[&APPLICATION],
        )
        .map_err(pg("migration failed"))?;
        0
    };
    let latest = MIGRATIONS.len() as i32;
    if version > latest {
        return Err(Error::storage(format!(
            "{location}, schema {schema:?}, has schema version {version}, newer than this library's {latest}; upgrade the library"
        )));
    }
    for (i, script) in MIGRATIONS.iter().enumerate().skip(count(version.into())) {
        tx.batch_execute(script).map_err(pg("migration failed"))?;
        tx.execute("UPDATE schema_version SET version = $1", &[&(i as i32 + 1)])
            .map_err(pg("migration failed"))?;
    }
    tx.commit().map_err(pg("cannot commit a migration"))?;
    Ok(key)
}

fn not_ours(location: &str, schema: &str, why: &str) -> Error {
    Error::storage(format!(
        "schema {schema:?} of {location} is not a dealer-portal schema ({why}); it was left untouched"
    ))
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

impl Store for PostgresStore {
    type Tx<'a> = PostgresTx<'a>;

    fn write<R>(&self, f: impl FnOnce(&mut PostgresTx<'_>) -> Result<R>) -> Result<R> {
        self.run("START TRANSACTION ISOLATION LEVEL READ COMMITTED", false, f)
    }

    fn read<R>(&self, f: impl FnOnce(&mut PostgresTx<'_>) -> Result<R>) -> Result<R> {
        self.run(
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            true,
            f,
        )
    }
}

/// A transaction on a [`PostgresStore`].
pub struct PostgresTx<'a> {
    client: &'a mut Client,
    statements: &'a mut HashMap<String, Statement>,
    read_only: bool,
    /// The writer lock is held (taken before the first statement of a write transaction).
    serialised: bool,
    lock_key: i32,
    /// A statement failed: PostgreSQL has aborted the transaction.
    failed: bool,
    /// Neither committed nor rolled back yet.
    open: bool,
}

impl Drop for PostgresTx<'_> {
    fn drop(&mut self) {
        // Only when `f` panicked: `run` ends the transaction otherwise.
        if self.open {
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

type Params<'p> = [&'p (dyn ToSql + Sync)];

impl PostgresTx<'_> {
    fn end(&mut self, sql: &str) -> std::result::Result<(), ::postgres::Error> {
        self.open = false;
        self.client.batch_execute(sql)
    }

    /// Notes a failed statement (PostgreSQL aborts the transaction) and passes the result on.
    fn check<T>(
        &mut self,
        r: std::result::Result<T, ::postgres::Error>,
    ) -> std::result::Result<T, ::postgres::Error> {
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn writable(&self) -> Result<()> {
        if self.read_only {
            return Err(Error::storage("write attempted in a read-only transaction"));
        }
        Ok(())
    }

    /// In a write transaction, waits for the writer lock of the schema (held until the commit or
    /// the rollback), so that what the transaction reads stays true until it commits.
    fn serialise(&mut self) -> Result<()> {
        if self.read_only || self.serialised {
            return Ok(());
        }
        let key = self.lock_key;
        self.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&LOCK_CLASS, &key],
            "cannot take the writer lock",
        )?;
        self.serialised = true;
        Ok(())
    }

    /// The prepared statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let r = self.client.prepare(sql);
        let s = self.check(r).map_err(pg("cannot prepare a statement"))?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &str, p: &Params<'_>, context: &'static str) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let r = self.client.query(&stmt, p);
        self.check(r).map_err(pg(context))
    }

    fn query_opt(
        &mut self,
        sql: &str,
        p: &Params<'_>,
        context: &'static str,
    ) -> Result<Option<Row>> {
        let stmt = self.statement(sql)?;
        let r = self.client.query_opt(&stmt, p);
        self.check(r).map_err(pg(context))
    }

    fn query_one(&mut self, sql: &str, p: &Params<'_>, context: &'static str) -> Result<Row> {
        let stmt = self.statement(sql)?;
        let r = self.client.query_one(&stmt, p);
        self.check(r).map_err(pg(context))
    }

    fn execute_raw(
        &mut self,
        sql: &str,
        p: &Params<'_>,
    ) -> Result<std::result::Result<u64, postgres::Error>> {
        let stmt = self.statement(sql)?;
        let r = self.client.execute(&stmt, p);
        Ok(self.check(r))
    }

    fn execute(&mut self, sql: &str, p: &Params<'_>, context: &'static str) -> Result<u64> {
        self.execute_raw(sql, p)?.map_err(pg(context))
    }

    fn count(&mut self, sql: &str, p: &Params<'_>, context: &'static str) -> Result<usize> {
        let row = self.query_one(sql, p, context)?;
        let n: i64 = row.try_get(0).map_err(pg(context))?;
        Ok(count(n))
    }

    fn account_exists(&mut self, id: AccountId) -> Result<bool> {
        Ok(self
            .query_opt(
                "SELECT 1 FROM accounts WHERE id = $1",
                &[&&id.as_bytes()[..]],
                "cannot look an account up",
            )?
            .is_some())
    }

    fn email_owner(&mut self, email: &Email) -> Result<Option<AccountId>> {
        let row = self.query_opt(
            "SELECT id FROM accounts WHERE email = $1",
            &[&email.as_str()],
            "cannot look an email up",
        )?;
        row.map(|r| {
            let id: &[u8] = col(&r, 0, "accounts", "id")?;
            account_id(id, "accounts", "id")
        })
        .transpose()
    }

    fn accounts(&mut self, sql: &str, p: &Params<'_>) -> Result<Option<Account>> {
        self.query_opt(sql, p, "cannot read accounts")?
            .map(|r| account_from_row(&r))
            .transpose()
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/// Binds an account row's 20 parameters (see [`AccountRow`]).
impl AccountRow {
    fn pg_params(&self) -> [&(dyn ToSql + Sync); 20] {
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

fn account_from_row(row: &Row) -> Result<Account> {
    read_account_row!(col, row).into_account()
}

const ACCOUNT_SUMMARY: &str = "a.id, a.email, a.last_name, a.first_name, a.state";

/// A summary, with its establishments in the scope (column 5, a sorted array).
fn summary_from_row(row: &Row) -> Result<AccountSummary> {
    const T: &str = "accounts";
    let id: &[u8] = col(row, 0, T, "id")?;
    let email: &str = col(row, 1, T, "email")?;
    let last: &str = col(row, 2, T, "last_name")?;
    let first: &str = col(row, 3, T, "first_name")?;
    let state: &str = col(row, 4, T, "state")?;
    let codes: Vec<&str> = col(row, 5, "rights", "establishment")?;
    Ok(AccountSummary {
        id: account_id(id, T, "id")?,
        email: Email::parse(email).map_err(|_| corrupt(T, "email"))?,
        last_name: PersonName::parse(last).map_err(|_| corrupt(T, "last_name"))?,
        first_name: PersonName::parse(first).map_err(|_| corrupt(T, "first_name"))?,
        state: coded::<AccountState>(state, T, "state")?,
        establishments: codes
            .into_iter()
            .map(|c| EstablishmentCode::parse(c).map_err(|_| corrupt("rights", "establishment")))
            .collect::<Result<_>>()?,
    })
}

fn right_bits(r: crate::rights::Right) -> i32 {
    i32::from(Rights::from(r).bits())
}

fn rights_from_bits(bits: i32) -> Result<Rights> {
    u8::try_from(bits)
        .ok()
        .and_then(Rights::from_bits)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| corrupt("rights", "bits"))
}

impl AccountRepo for PostgresTx<'_> {
    fn put_establishment(&mut self, e: &Establishment) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        self.execute(
            "INSERT INTO establishments (code, name, city, regime) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE
                 SET name = excluded.name, city = excluded.city, regime = excluded.regime",
            &[
                &e.code.as_str(),
                &e.name,
                &e.city,
                &e.regime.map(Regime::code),
            ],
            "cannot save an establishment",
        )?;
        Ok(())
    }

    fn establishment(&mut self, code: &EstablishmentCode) -> Result<Option<Establishment>> {
        self.serialise()?;
        const T: &str = "establishments";
        let Some(row) = self.query_opt(
            "SELECT code, name, city, regime FROM establishments WHERE code = $1",
            &[&code.as_str()],
            "cannot read an establishment",
        )?
        else {
            return Ok(None);
        };
        let code: &str = col(&row, 0, T, "code")?;
        let name: &str = col(&row, 1, T, "name")?;
        let city: &str = col(&row, 2, T, "city")?;
        let regime: Option<&str> = col(&row, 3, T, "regime")?;
        let regime = regime
            .map(|r| coded::<Regime>(r, T, "regime"))
            .transpose()?;
        Establishment::new(code, name, city, regime)
            .map(Some)
            .map_err(|_| corrupt(T, "code, name or city"))
    }

    fn next_repairer_code(&mut self) -> Result<EstablishmentCode> {
        self.writable()?;
        self.serialise()?;
        // A counter row rather than a SEQUENCE: a rolled-back registration gives its number
        // back, as in the other stores (sequences are not transactional).
        let row = self.query_one(
            "INSERT INTO counters (name, value) VALUES ('repairer', 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[],
            "cannot draw a repairer code",
        )?;
        let n: i64 = col(&row, 0, "counters", "value")?;
        Ok(EstablishmentCode::repairer(
            u64::try_from(n).map_err(|_| corrupt("counters", "value"))?,
        ))
    }

    fn insert_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let row = AccountRow::new(a)?;
        // The UNIQUE constraint decides: of two transactions inserting one email, the second
        // waits for the first and, if it commits, inserts nothing (and stays usable).
        let inserted = self.query_opt(
            &format!(
                "INSERT INTO accounts ({ACCOUNT_COLUMNS}, sort_key, search_text)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                 ON CONFLICT DO NOTHING RETURNING 1"
            ),
            &row.pg_params(),
            "cannot insert an account",
        )?;
        if inserted.is_some() {
            return Ok(());
        }
        if self.email_owner(&a.email)?.is_some() {
            Err(Error::EmailTaken)
        } else {
            Err(Error::storage("duplicate account id"))
        }
    }

    fn update_account(&mut self, a: &Account) -> Result<()> {
        self.writable()?;
        self.serialise()?;
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
        let r = self.execute_raw(
            "UPDATE accounts SET email = $2, last_name = $3, first_name = $4, function = $5, role = $6,
                state = $7, mobile = $8, mobile_kind = $9, landline = $10, landline_kind = $11,
                password = $12, previous_passwords = $13, failed_logins = $14, lockouts = $15,
                locked_until = $16, locale = $17, created_at = $18, sort_key = $19, search_text = $20
             WHERE id = $1",
            &row.pg_params(),
        )?;
        match r {
            Ok(_) => Ok(()),
            // Only when a writer outside this library took the email in between.
            Err(e) if is_unique_violation(&e, "accounts_email_key") => Err(Error::EmailTaken),
            Err(e) => Err(pg("cannot update an account")(e)),
        }
    }

    fn account(&mut self, id: AccountId) -> Result<Option<Account>> {
        self.serialise()?;
        self.accounts(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1"),
            &[&&id.as_bytes()[..]],
        )
    }

    fn account_by_email(&mut self, email: &Email) -> Result<Option<Account>> {
        self.serialise()?;
        self.accounts(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = $1"),
            &[&email.as_str()],
        )
    }

    fn rights(&mut self, id: AccountId) -> Result<RightsMatrix> {
        self.serialise()?;
        let rows = self.query(
            "SELECT establishment, bits FROM rights WHERE account = $1 ORDER BY establishment",
            &[&&id.as_bytes()[..]],
            "cannot read rights",
        )?;
        let mut m = RightsMatrix::default();
        for row in &rows {
            let code: &str = col(row, 0, "rights", "establishment")?;
            let bits: i32 = col(row, 1, "rights", "bits")?;
            let code =
                EstablishmentCode::parse(code).map_err(|_| corrupt("rights", "establishment"))?;
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
        self.serialise()?;
        if !self.account_exists(id)? {
            return Err(Error::UnknownAccount { id: id.to_string() });
        }
        if rights.is_empty() {
            self.execute(
                "DELETE FROM rights WHERE account = $1 AND establishment = $2",
                &[&&id.as_bytes()[..], &establishment.as_str()],
                "cannot save rights",
            )?;
        } else {
            self.execute(
                "INSERT INTO rights (account, establishment, bits) VALUES ($1, $2, $3)
                 ON CONFLICT (account, establishment) DO UPDATE SET bits = excluded.bits",
                &[
                    &&id.as_bytes()[..],
                    &establishment.as_str(),
                    &i32::from(rights.bits()),
                ],
                "cannot save rights",
            )?;
        }
        Ok(())
    }

    fn active_managers(&mut self, establishment: &EstablishmentCode) -> Result<usize> {
        self.serialise()?;
        self.count(
            "SELECT count(*) FROM rights r JOIN accounts a ON a.id = r.account
             WHERE r.establishment = $1 AND (r.bits & $2) <> 0 AND a.state = $3",
            &[
                &establishment.as_str(),
                &right_bits(crate::rights::Right::ManageAccounts),
                &AccountState::Active.code(),
            ],
            "cannot count managers",
        )
    }

    fn list_accounts(
        &mut self,
        scope: &[EstablishmentCode],
        q: &AccountQuery,
    ) -> Result<AccountPage> {
        q.validate()?;
        self.serialise()?;
        let mut codes: Vec<&str> = match &q.establishment {
            Some(e) if scope.contains(e) => vec![e.as_str()],
            Some(_) => Vec::new(),
            None => scope.iter().map(EstablishmentCode::as_str).collect(),
        };
        codes.sort_unstable();
        codes.dedup();
        if codes.is_empty() {
            return Ok(AccountPage {
                items: Vec::new(),
                total: 0,
            });
        }
        let mask = q.right.map_or(0, right_bits);
        let state = q.state.map(AccountState::code);
        let needle = q
            .text
            .as_deref()
            .map(crate::names::fold)
            .filter(|t| !t.is_empty());

        // Accounts holding, on an establishment of the scope, rights that include `mask`.
        const WHERE: &str = "EXISTS (SELECT 1 FROM rights r WHERE r.account = a.id
                 AND r.establishment = ANY($1::text[]) AND (r.bits & $2) = $2)
             AND ($3::text IS NULL OR a.state = $3)
             AND ($4::text IS NULL OR strpos(a.search_text, $4) > 0)";
        let total = self.count(
            &format!("SELECT count(*) FROM accounts a WHERE {WHERE}"),
            &[&codes, &mask, &state, &needle],
            "cannot count accounts",
        )?;
        if q.offset >= total {
            return Ok(AccountPage {
                items: Vec::new(),
                total,
            });
        }
        // Deep pages are read from the other end of the order, then reversed.
        let limit = q.limit.min(total - q.offset);
        let from_end = q.offset > total / 2;
        let (descending, offset) = if from_end {
            (!q.descending, total - q.offset - limit)
        } else {
            (q.descending, q.offset)
        };
        let dir = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {ACCOUNT_SUMMARY},
                 ARRAY(SELECT r.establishment FROM rights r
                       WHERE r.account = a.id AND r.establishment = ANY($1::text[])
                       ORDER BY r.establishment)
             FROM accounts a WHERE {WHERE}
             ORDER BY a.sort_key {dir}, a.id {dir} LIMIT $5 OFFSET $6"
        );
        let rows = self.query(
            &sql,
            &[
                &codes,
                &mask,
                &state,
                &needle,
                &(limit as i64),
                &(offset as i64),
            ],
            "cannot list accounts",
        )?;
        let mut items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>>>()?;
        if from_end {
            items.reverse();
        }
        Ok(AccountPage { items, total })
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

const TOKEN_COLUMNS: &str = "digest, account, purpose, state, issued_at, expires_at";

fn token_from_row(row: &Row) -> Result<TokenRecord> {
    const T: &str = "tokens";
    let d: &[u8] = col(row, 0, T, "digest")?;
    let account: &[u8] = col(row, 1, T, "account")?;
    let purpose: &str = col(row, 2, T, "purpose")?;
    let state: &str = col(row, 3, T, "state")?;
    Ok(TokenRecord {
        digest: digest(d, T, "digest")?,
        account: account_id(account, T, "account")?,
        lifecycle: TokenLifecycle {
            purpose: coded::<TokenPurpose>(purpose, T, "purpose")?,
            state: coded::<TokenState>(state, T, "state")?,
            issued_at: from_ns(col(row, 4, T, "issued_at")?, T, "issued_at")?,
            expires_at: from_ns(col(row, 5, T, "expires_at")?, T, "expires_at")?,
        },
    })
}

impl TokenRepo for PostgresTx<'_> {
    fn insert_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let l = &t.lifecycle;
        let (issued_at, expires_at) = (ns(l.issued_at)?, ns(l.expires_at)?);
        let inserted = self.query_opt(
            &format!(
                "INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (digest) DO NOTHING RETURNING 1"
            ),
            &[
                &&t.digest.as_bytes()[..],
                &&t.account.as_bytes()[..],
                &l.purpose.code(),
                &l.state.code(),
                &issued_at,
                &expires_at,
            ],
            "cannot insert a token",
        )?;
        match inserted {
            Some(_) => Ok(()),
            None => Err(Error::storage("duplicate token digest")),
        }
    }

    fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>> {
        self.serialise()?;
        self.query_opt(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE digest = $1"),
            &[&&digest.as_bytes()[..]],
            "cannot read a token",
        )?
        .map(|r| token_from_row(&r))
        .transpose()
    }

    fn consume_token(
        &mut self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRecord>> {
        self.writable()?;
        self.serialise()?;
        // One conditional UPDATE: of two transactions on one token, the second waits for the
        // first's row lock, then re-checks the condition on the committed row and updates none.
        self.query_opt(
            &format!(
                "UPDATE tokens SET state = $4
                 WHERE digest = $1 AND purpose = $2 AND state = $5 AND expires_at > $3
                 RETURNING {TOKEN_COLUMNS}"
            ),
            &[
                &&digest.as_bytes()[..],
                &purpose.code(),
                &ns_clamped(now),
                &TokenState::Consumed.code(),
                &TokenState::Issued.code(),
            ],
            "cannot consume a token",
        )?
        .map(|r| token_from_row(&r))
        .transpose()
    }

    fn end_tokens(
        &mut self,
        account: AccountId,
        purposes: &[TokenPurpose],
        to: TokenState,
    ) -> Result<usize> {
        self.writable()?;
        self.serialise()?;
        let n = self.execute(
            "UPDATE tokens SET state = $3
             WHERE account = $1 AND state = $4 AND purpose = ANY($2::text[])",
            &[
                &&account.as_bytes()[..],
                &purpose_codes(purposes),
                &to.code(),
                &TokenState::Issued.code(),
            ],
            "cannot end tokens",
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn expire_token(&mut self, digest: &TokenDigest) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        self.execute(
            "UPDATE tokens SET state = $2 WHERE digest = $1 AND state = $3",
            &[
                &&digest.as_bytes()[..],
                &TokenState::Expired.code(),
                &TokenState::Issued.code(),
            ],
            "cannot expire a token",
        )?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

const SESSION_COLUMNS: &str =
    "digest, account, created_at, last_seen, idle_ns, expires_at, remembered";

fn session_from_row(row: &Row) -> Result<SessionRecord> {
    const T: &str = "sessions";
    let d: &[u8] = col(row, 0, T, "digest")?;
    let account: &[u8] = col(row, 1, T, "account")?;
    Ok(SessionRecord {
        digest: digest(d, T, "digest")?,
        account: account_id(account, T, "account")?,
        created_at: from_ns(col(row, 2, T, "created_at")?, T, "created_at")?,
        last_seen: from_ns(col(row, 3, T, "last_seen")?, T, "last_seen")?,
        idle: time::Duration::nanoseconds(col(row, 4, T, "idle_ns")?),
        expires_at: from_ns(col(row, 5, T, "expires_at")?, T, "expires_at")?,
        remembered: col(row, 6, T, "remembered")?,
    })
}

impl SessionRepo for PostgresTx<'_> {
    fn insert_session(&mut self, s: &SessionRecord) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let idle = i64::try_from(s.idle.whole_nanoseconds()).map_err(|_| Error::InvalidInput {
            field: "session idle timeout",
            reason: "too long".into(),
        })?;
        let inserted = self.query_opt(
            &format!(
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (digest) DO NOTHING RETURNING 1"
            ),
            &[
                &&s.digest.as_bytes()[..],
                &&s.account.as_bytes()[..],
                &ns_clamped(s.created_at),
                &ns_clamped(s.last_seen),
                &idle,
                &ns_clamped(s.expires_at),
                &s.remembered,
            ],
            "cannot insert a session",
        )?;
        match inserted {
            Some(_) => Ok(()),
            None => Err(Error::storage("duplicate session digest")),
        }
    }

    fn session(&mut self, digest: &TokenDigest) -> Result<Option<SessionRecord>> {
        self.serialise()?;
        self.query_opt(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE digest = $1"),
            &[&&digest.as_bytes()[..]],
            "cannot read a session",
        )?
        .map(|r| session_from_row(&r))
        .transpose()
    }

    fn touch_session(&mut self, digest: &TokenDigest, last_seen: OffsetDateTime) -> Result<()> {
        self.writable()?;
        // No writer lock: `last_seen` only moves forwards, so touches commute with everything,
        // and every authenticated request makes one.
        let last_seen = ns(last_seen)?;
        self.execute(
            "UPDATE sessions SET last_seen = $2 WHERE digest = $1 AND last_seen < $2",
            &[&&digest.as_bytes()[..], &last_seen],
            "cannot touch a session",
        )?;
        Ok(())
    }

    fn delete_session(&mut self, digest: &TokenDigest) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        let n = self.execute(
            "DELETE FROM sessions WHERE digest = $1",
            &[&&digest.as_bytes()[..]],
            "cannot delete a session",
        )?;
        Ok(n > 0)
    }

    fn delete_sessions(&mut self, account: AccountId) -> Result<usize> {
        self.writable()?;
        self.serialise()?;
        let n = self.execute(
            "DELETE FROM sessions WHERE account = $1",
            &[&&account.as_bytes()[..]],
            "cannot delete sessions",
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}

// ---------------------------------------------------------------------------------------------
// Outbox
// ---------------------------------------------------------------------------------------------

impl OutboxRepo for PostgresTx<'_> {
    fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId> {
        self.writable()?;
        self.serialise()?;
        let row = self.query_one(
            "INSERT INTO outbox (kind, email, name, token, expires_at, locale, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                &n.kind.code(),
                &n.email.as_str(),
                &n.name,
                &n.token.as_ref().map(SecretString::expose),
                &n.expires_at.map(ns_clamped),
                &n.locale.code(),
                &ns_clamped(at),
            ],
            "cannot queue a notification",
        )?;
        let id: i64 = col(&row, 0, "outbox", "id")?;
        Ok(NotificationId(
            u64::try_from(id).map_err(|_| corrupt("outbox", "id"))?,
        ))
    }

    fn pending(&mut self, limit: usize) -> Result<Vec<Notification>> {
        self.serialise()?;
        const T: &str = "outbox";
        let rows = self.query(
            "SELECT id, kind, email, name, token, expires_at, locale, created_at FROM outbox
             WHERE NOT acked ORDER BY id LIMIT $1",
            &[&i64::try_from(limit).unwrap_or(i64::MAX)],
            "cannot read the outbox",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = col(row, 0, T, "id")?;
            let kind: &str = col(row, 1, T, "kind")?;
            let email: &str = col(row, 2, T, "email")?;
            let token: Option<&str> = col(row, 4, T, "token")?;
            let expires_at: Option<i64> = col(row, 5, T, "expires_at")?;
            let locale: &str = col(row, 6, T, "locale")?;
            out.push(Notification {
                id: NotificationId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
                created_at: from_ns(col(row, 7, T, "created_at")?, T, "created_at")?,
                body: NewNotification {
                    kind: coded::<NotificationKind>(kind, T, "kind")?,
                    email: Email::parse(email).map_err(|_| corrupt(T, "email"))?,
                    name: col(row, 3, T, "name")?,
                    token: token.map(SecretString::from),
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
        self.serialise()?;
        self.count(
            "SELECT count(*) FROM outbox WHERE email = $1 AND kind = $2 AND created_at >= $3",
            &[&email.as_str(), &kind.code(), &ns_clamped(since)],
            "cannot count notifications",
        )
    }

    fn acknowledge(&mut self, id: NotificationId) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let unknown = || Error::UnknownNotification { id: id.to_string() };
        let Ok(rowid) = i64::try_from(id.0) else {
            return Err(unknown());
        };
        let done = self.query_opt(
            "UPDATE outbox SET acked = true, token = NULL WHERE id = $1 AND NOT acked RETURNING id",
            &[&rowid],
            "cannot acknowledge a notification",
        )?;
        match done {
            Some(_) => Ok(()),
            None => Err(unknown()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

const AUDIT_COLUMNS: &str =
    "a.seq, a.at, a.actor, a.action, a.subject, a.establishments, a.details, a.prev_hash, a.hash";

fn audit_from_row(row: &Row) -> Result<StoredAuditEvent> {
    const T: &str = "audit";
    let seq: i64 = col(row, 0, T, "seq")?;
    let actor: Option<&[u8]> = col(row, 2, T, "actor")?;
    let action: &str = col(row, 3, T, "action")?;
    let subject: Option<&[u8]> = col(row, 4, T, "subject")?;
    let establishments: &str = col(row, 5, T, "establishments")?;
    let details: &str = col(row, 6, T, "details")?;
    let prev: &[u8] = col(row, 7, T, "prev_hash")?;
    let hash: &[u8] = col(row, 8, T, "hash")?;
    Ok(StoredAuditEvent {
        seq: u64::try_from(seq).map_err(|_| corrupt(T, "seq"))?,
        event: NewAuditEvent {
            at: from_ns(col(row, 1, T, "at")?, T, "at")?,
            actor: actor.map(|b| account_id(b, T, "actor")).transpose()?,
            action: coded::<AuditAction>(action, T, "action")?,
            subject: subject.map(|b| account_id(b, T, "subject")).transpose()?,
            establishments: serde_json::from_str(establishments)
                .map_err(|_| corrupt(T, "establishments"))?,
            details: serde_json::from_str(details).map_err(|_| corrupt(T, "details"))?,
        },
        prev_hash: hash32(prev, "prev_hash")?,
        hash: hash32(hash, "hash")?,
    })
}

impl AuditRepo for PostgresTx<'_> {
    fn append(&mut self, e: &NewAuditEvent) -> Result<u64> {
        self.writable()?;
        self.serialise()?;
        // The row lock on the chain's end is held until the commit: another server appending
        // waits, then reads the end this transaction wrote.
        let head = self.query_one(
            "SELECT seq, hash FROM audit_head FOR UPDATE",
            &[],
            "cannot read the audit log",
        )?;
        let last: i64 = col(&head, 0, "audit_head", "seq")?;
        let prev = match col::<Option<&[u8]>>(&head, 1, "audit_head", "hash")? {
            Some(h) => hash32(h, "hash")?,
            None => GENESIS,
        };
        let seq = u64::try_from(last).map_err(|_| corrupt("audit_head", "seq"))? + 1;
        let hash = chain_hash(&prev, seq, e);
        let establishments = serde_json::to_string(&e.establishments)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let details = serde_json::to_string(&e.details)
            .map_err(|err| Error::storage(format!("cannot encode an audit event: {err}")))?;
        let codes: Vec<&str> = e.establishments.iter().map(|c| c.as_str()).collect();
        let seq_i = seq as i64;
        self.execute(
            "WITH head AS (UPDATE audit_head SET seq = $1, hash = $9),
                  event AS (
                      INSERT INTO audit (seq, at, actor, action, subject, establishments, details,
                                         prev_hash, hash)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq)
             INSERT INTO audit_establishments (code, seq)
             SELECT DISTINCT code, (SELECT seq FROM event) FROM unnest($10::text[]) AS code",
            &[
                &seq_i,
                &ns_clamped(e.at),
                &e.actor.as_ref().map(|a| &a.as_bytes()[..]),
                &e.action.code(),
                &e.subject.as_ref().map(|a| &a.as_bytes()[..]),
                &establishments,
                &details,
                &&prev[..],
                &&hash[..],
                &codes,
            ],
            "cannot append to the audit log",
        )?;
        Ok(seq)
    }

    fn audit_for(
        &mut self,
        establishment: &EstablishmentCode,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<StoredAuditEvent>> {
        self.serialise()?;
        let rows = self.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_establishments e JOIN audit a ON a.seq = e.seq
                 WHERE e.code = $1 ORDER BY e.seq DESC LIMIT $2 OFFSET $3"
            ),
            &[
                &establishment.as_str(),
                &i64::try_from(limit).unwrap_or(i64::MAX),
                &i64::try_from(offset).unwrap_or(i64::MAX),
            ],
            "cannot read the audit log",
        )?;
        rows.iter().map(audit_from_row).collect()
    }

    fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>> {
        self.serialise()?;
        let rows = self.query(
            &format!("SELECT {AUDIT_COLUMNS} FROM audit a ORDER BY a.seq"),
            &[],
            "cannot read the audit log",
        )?;
        rows.iter().map(audit_from_row).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Documents and debit lines
// ---------------------------------------------------------------------------------------------

const DOCUMENT_COLUMNS: &str = "id, establishment, category, kind, number, issued_on, title, amount_cents, registration, \
     contract_number, agreement_number, file_ref";

fn document_from_row(row: &Row) -> Result<Document> {
    const T: &str = "documents";
    let id: i64 = col(row, 0, T, "id")?;
    let establishment: &str = col(row, 1, T, "establishment")?;
    let category: &str = col(row, 2, T, "category")?;
    let kind: Option<&str> = col(row, 3, T, "kind")?;
    let doc = NewDocument {
        category: coded::<DocumentCategory>(category, T, "category")?,
        kind: kind
            .map(|k| coded::<DocumentKind>(k, T, "kind"))
            .transpose()?,
        number: col(row, 4, T, "number")?,
        issued_on: col(row, 5, T, "issued_on")?,
        title: col(row, 6, T, "title")?,
        amount_cents: col(row, 7, T, "amount_cents")?,
        registration: col(row, 8, T, "registration")?,
        contract_number: col(row, 9, T, "contract_number")?,
        agreement_number: col(row, 10, T, "agreement_number")?,
        file_ref: col(row, 11, T, "file_ref")?,
    };
    Ok(Document {
        id: DocumentId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
        establishment: EstablishmentCode::parse(establishment)
            .map_err(|_| corrupt(T, "establishment"))?,
        doc: doc
            .validate()
            .map_err(|_| corrupt(T, "number, title or references"))?,
    })
}

impl DocumentRepo for PostgresTx<'_> {
    fn insert_document(
        &mut self,
        establishment: &EstablishmentCode,
        d: &NewDocument,
    ) -> Result<DocumentId> {
        self.writable()?;
        self.serialise()?;
        let row = self.query_one(
            "INSERT INTO documents (establishment, category, kind, number, issued_on, title,
                 amount_cents, registration, contract_number, agreement_number, file_ref)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            &[
                &establishment.as_str(),
                &d.category.code(),
                &d.kind.map(DocumentKind::code),
                &d.number,
                &d.issued_on,
                &d.title,
                &d.amount_cents,
                &d.registration,
                &d.contract_number,
                &d.agreement_number,
                &d.file_ref,
            ],
            "cannot insert a document",
        )?;
        let id: i64 = col(&row, 0, "documents", "id")?;
        Ok(DocumentId(
            u64::try_from(id).map_err(|_| corrupt("documents", "id"))?,
        ))
    }

    fn search_documents(
        &mut self,
        establishment: &EstablishmentCode,
        q: &DocumentQuery,
    ) -> Result<DocumentPage> {
        self.serialise()?;
        // The same criteria as `DocumentQuery::matches`, as SQL over indexed columns.
        let establishment = establishment.as_str();
        let category = q.category.code();
        let kind = q.kind.map(DocumentKind::code);
        let (lo, hi) = q.period.bounds();
        let reference = q.reference.as_ref().map(|r| {
            let column = match r.kind() {
                ReferenceKind::RegistrationPlate => "registration",
                ReferenceKind::ContractNumber => "contract_number",
                ReferenceKind::AgreementNumber => "agreement_number",
            };
            (column, r.normalized().to_owned())
        });
        let mut sql = String::from("FROM documents WHERE establishment = $1 AND category = $2");
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&establishment, &category];
        let mut and = |args: &mut Vec<&(dyn ToSql + Sync)>, cond: &str| {
            sql.push_str(&format!(" AND {cond} ${}", args.len()));
        };
        if let Some(k) = &kind {
            args.push(k);
            and(&mut args, "kind =");
        }
        if let Some(n) = &q.number {
            args.push(n);
            and(&mut args, "number =");
        }
        if let Some(lo) = &lo {
            args.push(lo);
            and(&mut args, "issued_on >=");
        }
        if let Some(hi) = &hi {
            args.push(hi);
            and(&mut args, "issued_on <=");
        }
        if let Some((column, value)) = &reference {
            args.push(value);
            and(&mut args, &format!("{column} ="));
        }
        let total = self.count(
            &format!("SELECT count(*) {sql}"),
            &args,
            "cannot count documents",
        )?;
        let mut items = Vec::new();
        if q.offset < total {
            let limit = i64::try_from(q.limit).unwrap_or(i64::MAX);
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let k = args.len();
            args.push(&limit);
            args.push(&offset);
            let rows = self.query(
                &format!(
                    "SELECT {DOCUMENT_COLUMNS} {sql} ORDER BY issued_on DESC, id DESC LIMIT ${} OFFSET ${}",
                    k + 1,
                    k + 2
                ),
                &args,
                "cannot search documents",
            )?;
            items = rows
                .iter()
                .map(document_from_row)
                .collect::<Result<Vec<_>>>()?;
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
        self.serialise()?;
        self.execute(
            "INSERT INTO debit_lines (establishment, year, month, issuer, nature, amount_cents, label)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &establishment.as_str(),
                &i32::from(month.year()),
                &i32::from(month.month()),
                &line.issuer.code(),
                &line.nature.code(),
                &line.amount_cents,
                &line.label,
            ],
            "cannot insert a debit line",
        )?;
        Ok(())
    }

    fn debit_lines(
        &mut self,
        establishment: &EstablishmentCode,
        month: YearMonth,
    ) -> Result<Vec<DebitLine>> {
        self.serialise()?;
        const T: &str = "debit_lines";
        let rows = self.query(
            "SELECT issuer, nature, amount_cents, label FROM debit_lines
             WHERE establishment = $1 AND year = $2 AND month = $3 ORDER BY id",
            &[
                &establishment.as_str(),
                &i32::from(month.year()),
                &i32::from(month.month()),
            ],
            "cannot read debit lines",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let issuer: &str = col(row, 0, T, "issuer")?;
            let nature: &str = col(row, 1, T, "nature")?;
            out.push(DebitLine {
                issuer: coded::<Issuer>(issuer, T, "issuer")?,
                nature: coded::<DebitNature>(nature, T, "nature")?,
                amount_cents: col(row, 2, T, "amount_cents")?,
                label: col(row, 3, T, "label")?,
            });
        }
        Ok(out)
    }
}
