//! [`SessionRepo`] on PostgreSQL: login sessions, keyed by the SHA-256 digest of their token.
//!
//! Touching a session, the one write on the hot path of every request, skips the writer lock:
//! `last_seen` only moves forwards, so touches commute with everything.
//!
//! Checking a session on every request ([`Store::session_snapshot`](crate::store::Store)) is
//! one round trip: a single `SELECT` of the session joined with its account, the account's
//! rights aggregated into two arrays, run on a pooled connection in autocommit (a single
//! statement reads one snapshot), through the connection's prepared statements.

use super::accounts::rights_from_bits;
use super::pool::Conn;
use super::{PostgresStore, PostgresTx, col, pg};
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
use ::postgres::Row;
use std::sync::LazyLock;
use time::OffsetDateTime;

const SESSION_COLUMNS: &str =
    "digest, account, created_at, last_seen, idle_ns, expires_at, remembered, establishment";

/// The session whose [`SESSION_COLUMNS`] start at column `at` of the row.
fn session_from_row(row: &Row, at: usize) -> Result<SessionRecord> {
    const T: &str = "sessions";
    let d: &[u8] = col(row, at, T, "digest")?;
    let account: &[u8] = col(row, at + 1, T, "account")?;
    let establishment: Option<&str> = col(row, at + 7, T, "establishment")?;
    Ok(SessionRecord {
        digest: digest(d, T, "digest")?,
        account: account_id(account, T, "account")?,
        created_at: from_ns(col(row, at + 2, T, "created_at")?, T, "created_at")?,
        last_seen: from_ns(col(row, at + 3, T, "last_seen")?, T, "last_seen")?,
        idle: time::Duration::nanoseconds(col(row, at + 4, T, "idle_ns")?),
        expires_at: from_ns(col(row, at + 5, T, "expires_at")?, T, "expires_at")?,
        remembered: col(row, at + 6, T, "remembered")?,
        establishment: establishment
            .map(|c| EstablishmentCode::parse(c).map_err(|_| corrupt(T, "establishment")))
            .transpose()?,
    })
}

/// Where the session's columns start in the snapshot row (after the account's), and where the
/// arrays of the rights' establishments and bits are.
const SNAPSHOT_SESSION: usize = column_count(ACCOUNT_COLUMNS);
const SNAPSHOT_RIGHTS: usize = SNAPSHOT_SESSION + column_count(SESSION_COLUMNS);

/// The session, its account and the account's rights in one row, formatted once. The rights
/// are aggregated by a lateral subquery (one pass over the account's slice of the `rights`
/// primary key; `array_agg` over no row is NULL, hence the `COALESCE`).
static SNAPSHOT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, {}, r.codes, r.bits,
                EXISTS (SELECT 1 FROM totp t WHERE t.account = s.account AND t.confirmed)
         FROM sessions s
         JOIN accounts a ON a.id = s.account
         CROSS JOIN LATERAL (
             SELECT COALESCE(array_agg(establishment ORDER BY establishment), '{{}}') AS codes,
                    COALESCE(array_agg(bits ORDER BY establishment), '{{}}') AS bits
             FROM rights WHERE account = s.account
         ) r
         WHERE s.digest = $1",
        qualified("a", ACCOUNT_COLUMNS),
        qualified("s", SESSION_COLUMNS)
    )
});

impl PostgresStore {
    /// [`Store::session_snapshot`](crate::store::Store::session_snapshot): one statement, one
    /// round trip, outside any explicit transaction. A connection that fails without the
    /// server's answer (closed while idle) is dropped and the read tried on another: it
    /// changes nothing, so trying again is safe.
    pub(super) fn snapshot(&self, digest: &TokenDigest) -> Result<Option<SessionSnapshot>> {
        const CONTEXT: &str = "cannot read a session";
        let mut attempts = 0;
        loop {
            let mut conn = self.pool.get()?;
            let Conn { client, statements } = conn.conn();
            let stmt = match statements.get(SNAPSHOT.as_str()) {
                Some(s) => Ok(s.clone()),
                None => client.prepare(&SNAPSHOT).inspect(|s| {
                    statements.insert(SNAPSHOT.clone(), s.clone());
                }),
            };
            match stmt.and_then(|stmt| client.query_opt(&stmt, &[&&digest.as_bytes()[..]])) {
                Ok(row) => return row.map(|r| snapshot_from_row(&r)).transpose(),
                Err(e) if e.as_db_error().is_none() && attempts < self.pool.max => {
                    attempts += 1;
                    conn.discard();
                }
                Err(e) => return Err(pg(CONTEXT)(e)),
            }
        }
    }
}

fn snapshot_from_row(row: &Row) -> Result<SessionSnapshot> {
    let account = read_account_row!(col, row).into_account()?;
    let session = session_from_row(row, SNAPSHOT_SESSION)?;
    let codes: Vec<&str> = col(row, SNAPSHOT_RIGHTS, "rights", "establishment")?;
    let bits: Vec<i32> = col(row, SNAPSHOT_RIGHTS + 1, "rights", "bits")?;
    if codes.len() != bits.len() {
        return Err(corrupt("rights", "bits"));
    }
    let mut rights = RightsMatrix::default();
    for (code, bits) in codes.into_iter().zip(bits) {
        let code =
            EstablishmentCode::parse(code).map_err(|_| corrupt("rights", "establishment"))?;
        rights.set(code, rights_from_bits(bits)?);
    }
    let mfa_enrolled: bool = col(row, SNAPSHOT_RIGHTS + 2, "totp", "confirmed")?;
    Ok(SessionSnapshot {
        session,
        account,
        rights,
        mfa_enrolled,
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
                "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
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
                &s.establishment.as_ref().map(EstablishmentCode::as_str),
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
        .map(|r| session_from_row(&r, 0))
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

    fn sessions_of(&mut self, account: AccountId) -> Result<Vec<SessionRecord>> {
        self.serialise()?;
        // `sessions_account` finds the account's few rows; sorting them costs nothing.
        self.query(
            &format!(
                "SELECT {SESSION_COLUMNS} FROM sessions WHERE account = $1
                 ORDER BY created_at, digest"
            ),
            &[&&account.as_bytes()[..]],
            "cannot read sessions",
        )?
        .iter()
        .map(|r| session_from_row(r, 0))
        .collect()
    }

    fn set_session_establishment(
        &mut self,
        digest: &TokenDigest,
        establishment: Option<&EstablishmentCode>,
    ) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        let n = self.execute(
            "UPDATE sessions SET establishment = $2 WHERE digest = $1",
            &[
                &&digest.as_bytes()[..],
                &establishment.map(EstablishmentCode::as_str),
            ],
            "cannot connect a session to an establishment",
        )?;
        Ok(n > 0)
    }

    fn delete_expired_sessions(
        &mut self,
        account: AccountId,
        now: OffsetDateTime,
    ) -> Result<usize> {
        self.writable()?;
        self.serialise()?;
        // Exactly the sessions `SessionRecord::is_valid(now)` refuses; the idle end summed as
        // NUMERIC, which cannot overflow as BIGINT would (an error in PostgreSQL).
        let n = self.execute(
            "DELETE FROM sessions
             WHERE account = $1 AND (expires_at <= $2 OR last_seen::numeric + idle_ns <= $2)",
            &[&&account.as_bytes()[..], &ns_clamped(now)],
            "cannot delete expired sessions",
        )?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }
}
