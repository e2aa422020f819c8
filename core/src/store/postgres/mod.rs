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
//!   the values of a conflicting key) nor the URL's password. A storage error keeps the
//!   driver's error as its source when the client failed (see `PgError`).
//!
//! The store's code, by file:
//! - here: [`PostgresStore`] (connecting, running a transaction), [`PostgresTx`] and its
//!   statement helpers, [`PostgresOptions`], and how driver errors become [`Error::Storage`];
//! - `schema`: the tables and indexes, one script per version, and `migrate`;
//! - `pool`: the connections, each with its prepared statements;
//! - `accounts`, `tokens`, `sessions`, `outbox`, `audit`, `documents`: one repository trait
//!   each.

mod accounts;
mod attempts;
mod audit;
mod documents;
mod emails;
mod erase;
mod lifecycle;
mod outbox;
mod pool;
mod schema;
mod sessions;
mod tls;
mod tokens;

use self::pool::{Conn, Pool, PoolState, Pooled};
use self::schema::migrate;
use self::tls::{Tls, TlsUrl};
use super::row::corrupt;
use super::{SessionSnapshot, Store};
use crate::audit::AuditKey;
use crate::token::TokenDigest;
use crate::{Error, Result};
use ::postgres::error::SqlState;
use ::postgres::types::{FromSql, ToSql};
use ::postgres::{Client, Config, Row, Statement};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// First key of the advisory locks (the second is derived from the schema's name): "DPRT".
const LOCK_CLASS: i32 = 0x4450_5254;

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
/// share a database with a schema each (`?options=-c%20search_path%3Dportal_a`).
///
/// The link is TLS (rustls) as libpq's `sslmode` says: `disable`, `prefer` (the default: TLS when
/// the server offers it, unverified), `require` (always, unverified), `verify-ca` (the
/// certificate signed by a trusted CA), `verify-full` (and issued for the host name: what a
/// deployment should use). The trusted CAs are those of the PEM file named by `sslrootcert`, or
/// for `verify-full` the system's (without it, or with `sslrootcert=system`). A host other than
/// loopback or a Unix socket is never reached in plaintext unless the URL says
/// `sslmode=disable`: `prefer` then requires TLS.
///
/// ```no_run
/// use dealer_portal::store::PostgresStore;
/// let store = PostgresStore::connect(
///     "postgresql://portal@db.internal/portal?sslmode=verify-full&sslrootcert=/etc/portal/db-ca.pem",
/// )?;
/// # Ok::<(), dealer_portal::Error>(())
/// ```
pub struct PostgresStore {
    pool: Pool,
    /// The second key of the advisory locks: derived from the schema's name.
    lock_key: i32,
    /// Where the store lives, for messages (never the password).
    location: String,
    /// See [`Store::set_audit_key`]: in memory only.
    audit_key: std::sync::Mutex<Option<std::sync::Arc<AuditKey>>>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
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

/// Maps a PostgreSQL error to [`Error::Storage`] with what was being done, the error kept as its
/// source (see [`PgError`]).
fn pg(context: &'static str) -> impl Fn(postgres::Error) -> Error {
    move |e| Error::storage_from(context, PgError(e))
}

/// A PostgreSQL error as the source of an [`Error::Storage`]: shown as [`describe`] shows it
/// (the server's message and SQLSTATE, or the client's own error), in `Debug` too.
///
/// Its own source is the driver's error when the client failed (a refused connection, a
/// closed socket: the I/O error is below it). A server's error has none: the driver's error
/// would lead to the server's whole report, whose `DETAIL` may quote the values of a key or a
/// failing row (an email, a password hash, a link token), which no message may show.
struct PgError(postgres::Error);

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&describe(&self.0))
    }
}

impl std::fmt::Debug for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PgError").field(&describe(&self.0)).finish()
    }
}

impl std::error::Error for PgError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.0.as_db_error() {
            Some(_) => None,
            None => Some(&self.0),
        }
    }
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

// ---------------------------------------------------------------------------------------------
// Connecting, and running a transaction
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
        // rust-postgres knows neither `sslrootcert` nor `verify-ca`/`verify-full`: taken out
        // first (see `tls`).
        let url = TlsUrl::split(url)?;
        // The parser's message never repeats the URL (which may hold a password).
        let mut config = Config::from_str(&url.rest).map_err(|e| Error::InvalidConfig {
            reason: format!("invalid PostgreSQL connection URL: {e}"),
        })?;
        let tls = Tls::configure(&mut config, url.mode, url.root_cert.as_deref())?;
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
            tls,
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
            audit_key: Default::default(),
        })
    }

    /// Where the store lives: database, user and hosts (never the password).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Checks that the database answers: `SELECT 1` on a pooled connection, one round trip
    /// through the same pool and prepared-statement cache as every flow. What a host's health
    /// check calls, and the floor `authenticate` is measured against.
    ///
    /// ```no_run
    /// let store = dealer_portal::store::PostgresStore::connect("postgres://portal@db/portal")?;
    /// store.ping()?;
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn ping(&self) -> Result<()> {
        const SQL: &str = "SELECT 1";
        let mut conn = self.pool.get()?;
        let pool::Conn { client, statements } = conn.conn();
        let stmt = match statements.get(SQL) {
            Some(s) => s.clone(),
            None => {
                let s = client
                    .prepare(SQL)
                    .map_err(pg("cannot reach the database"))?;
                statements.insert(SQL.to_owned(), s.clone());
                s
            }
        };
        match client.query_one(&stmt, &[]) {
            Ok(_) => Ok(()),
            Err(e) => {
                conn.discard();
                Err(pg("cannot reach the database")(e))
            }
        }
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
            audit_key: if read_only {
                None
            } else {
                (self.audit_key.lock())
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone()
            },
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

    fn set_audit_key(&self, key: Option<AuditKey>) {
        *self
            .audit_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = key.map(std::sync::Arc::new);
    }

    fn session_snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        // One statement, one round trip, no BEGIN/COMMIT (see `sessions`).
        self.snapshot(digest)
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
    /// The key new audit events are chained with (write transactions only).
    audit_key: Option<std::sync::Arc<AuditKey>>,
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
}
