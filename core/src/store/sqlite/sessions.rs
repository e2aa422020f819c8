//! [`SessionRepo`] on SQLite: login sessions, keyed by the SHA-256 digest of their token.
//!
//! Touching a session only ever moves `last_seen` forwards, so touches from concurrent requests
//! commute; the services write it back at most once per twentieth of the idle timeout.
//!
//! Checking a session on every request ([`Store::session_snapshot`](crate::store::Store)) is
//! one `SELECT` of the session joined with its account and the account's rights rows, run in
//! autocommit on a reader (a single statement reads one snapshot), with no `BEGIN`/`COMMIT`.

use super::accounts::rights_from_bits;
use super::{SqliteStore, SqliteTx, col, storage};
use crate::account::AccountId;
use crate::establishment::EstablishmentCode;
use crate::rights::RightsMatrix;
use crate::session::SessionRecord;
use crate::store::row::{
    ACCOUNT_COLUMNS, AccountRow, account_id, column_count, corrupt, digest, from_ns, ns,
    ns_clamped, qualified, read_account_row,
};
use crate::store::{SessionRepo, SessionSnapshot};
use crate::token::TokenDigest;
use crate::{Error, Result};
use rusqlite::{Connection, ErrorCode, Row, params};
use std::sync::LazyLock;
use time::OffsetDateTime;

const SESSION_COLUMNS: &str =
    "digest, account, created_at, last_seen, idle_ns, expires_at, remembered, establishment";

/// The session whose [`SESSION_COLUMNS`] start at column `at` of the row.
fn session_from_row(row: &Row<'_>, at: usize) -> Result<SessionRecord> {
    const T: &str = "sessions";
    let d: Vec<u8> = col(row, at, T, "digest")?;
    let account: Vec<u8> = col(row, at + 1, T, "account")?;
    let establishment: Option<String> = col(row, at + 7, T, "establishment")?;
    Ok(SessionRecord {
        digest: digest(&d, T, "digest")?,
        account: account_id(&account, T, "account")?,
        created_at: from_ns(col(row, at + 2, T, "created_at")?, T, "created_at")?,
        last_seen: from_ns(col(row, at + 3, T, "last_seen")?, T, "last_seen")?,
        idle: time::Duration::nanoseconds(col(row, at + 4, T, "idle_ns")?),
        expires_at: from_ns(col(row, at + 5, T, "expires_at")?, T, "expires_at")?,
        remembered: col(row, at + 6, T, "remembered")?,
        establishment: establishment
            .map(|c| EstablishmentCode::parse(&c).map_err(|_| corrupt(T, "establishment")))
            .transpose()?,
    })
}

/// Where the session's columns start in a snapshot row (after the account's), and where the
/// rights row's establishment and bits are.
const SNAPSHOT_SESSION: usize = column_count(ACCOUNT_COLUMNS);
const SNAPSHOT_RIGHTS: usize = SNAPSHOT_SESSION + column_count(SESSION_COLUMNS);

/// The session, its account, and one row per right of the account (a single row with NULL
/// rights when it holds none), formatted once.
pub(super) static SNAPSHOT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, {}, r.establishment, r.bits,
                EXISTS (SELECT 1 FROM totp t WHERE t.account = s.account AND t.confirmed = 1)
         FROM sessions s JOIN accounts a ON a.id = s.account
         LEFT JOIN rights r ON r.account = s.account
         WHERE s.digest = ?1",
        qualified("a", ACCOUNT_COLUMNS),
        qualified("s", SESSION_COLUMNS)
    )
});

impl SqliteStore {
    /// [`Store::session_snapshot`](crate::store::Store::session_snapshot): one statement on a
    /// reader (or on the writer's connection when there are none), outside any explicit
    /// transaction.
    pub(super) fn snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        match &self.readers {
            Some(pool) => {
                let reader = pool.get()?;
                let conn = reader
                    .conn
                    .as_ref()
                    .expect("a pooled reader holds its connection until dropped");
                read_snapshot(conn, digest)
            }
            None => {
                let conn = self.writer();
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                read_snapshot(&conn, digest)
            }
        }
    }
}

fn read_snapshot(conn: &Connection, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
    const CONTEXT: &str = "cannot read a session";
    let mut stmt = conn.prepare_cached(&SNAPSHOT).map_err(storage(CONTEXT))?;
    let mut rows = stmt
        .query([&digest.as_bytes()[..]])
        .map_err(storage(CONTEXT))?;
    let mut found: Option<(SessionRecord, AccountRow)> = None;
    let mut rights = RightsMatrix::default();
    let mut mfa_enrolled = false;
    while let Some(row) = rows.next().map_err(storage(CONTEXT))? {
        if found.is_none() {
            mfa_enrolled = col(row, SNAPSHOT_RIGHTS + 2, "totp", "confirmed")?;
            found = Some((
                session_from_row(row, SNAPSHOT_SESSION)?,
                read_account_row!(col, row),
            ));
        }
        let code: Option<String> = col(row, SNAPSHOT_RIGHTS, "rights", "establishment")?;
        if let Some(code) = code {
            let bits: i64 = col(row, SNAPSHOT_RIGHTS + 1, "rights", "bits")?;
            let code =
                EstablishmentCode::parse(&code).map_err(|_| corrupt("rights", "establishment"))?;
            rights.set(code, rights_from_bits(bits)?);
        }
    }
    let Some((session, account)) = found else {
        return Ok(None);
    };
    Ok(Some(SessionSnapshot {
        session,
        account: account.into_account()?,
        rights,
        mfa_enrolled,
    }))
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
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))
            .and_then(|mut st| {
                st.execute(params![
                    &s.digest.as_bytes()[..],
                    &s.account.as_bytes()[..],
                    created_at,
                    last_seen,
                    idle,
                    expires_at,
                    s.remembered,
                    s.establishment.as_ref().map(EstablishmentCode::as_str)
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
            .map(|row| session_from_row(row, 0))
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

    fn sessions_of(&mut self, account: AccountId) -> Result<Vec<SessionRecord>> {
        // `sessions_account` finds the account's few rows; sorting them costs nothing.
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE account = ?1
                 ORDER BY created_at, digest"
            ))
            .map_err(storage("cannot read sessions"))?;
        let mut rows = stmt
            .query([&account.as_bytes()[..]])
            .map_err(storage("cannot read sessions"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read sessions"))? {
            out.push(session_from_row(row, 0)?);
        }
        Ok(out)
    }

    fn set_session_establishment(
        &mut self,
        digest: &TokenDigest,
        establishment: Option<&EstablishmentCode>,
    ) -> Result<bool> {
        self.writable()?;
        let n = self
            .conn
            .prepare_cached("UPDATE sessions SET establishment = ?2 WHERE digest = ?1")
            .and_then(|mut s| {
                s.execute(params![
                    &digest.as_bytes()[..],
                    establishment.map(EstablishmentCode::as_str)
                ])
            })
            .map_err(storage("cannot connect a session to an establishment"))?;
        Ok(n > 0)
    }

    fn delete_expired_sessions(
        &mut self,
        account: AccountId,
        now: OffsetDateTime,
    ) -> Result<usize> {
        self.writable()?;
        // Exactly the sessions `SessionRecord::is_valid(now)` refuses. (Past i64 nanoseconds,
        // SQLite's sum turns into a REAL rather than wrapping.)
        self.conn
            .prepare_cached(
                "DELETE FROM sessions
                 WHERE account = ?1 AND (expires_at <= ?2 OR last_seen + idle_ns <= ?2)",
            )
            .and_then(|mut s| s.execute(params![&account.as_bytes()[..], ns_clamped(now)]))
            .map_err(storage("cannot delete expired sessions"))
    }
}
