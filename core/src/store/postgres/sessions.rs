//! [`SessionRepo`] on PostgreSQL: login sessions, keyed by the SHA-256 digest of their token.
//!
//! Touching a session, the one write on the hot path of every request, skips the writer lock:
//! `last_seen` only moves forwards, so touches commute with everything.

use super::{PostgresTx, col};
use crate::account::AccountId;
use crate::establishment::EstablishmentCode;
use crate::session::SessionRecord;
use crate::store::SessionRepo;
use crate::store::row::{account_id, corrupt, digest, from_ns, ns, ns_clamped};
use crate::token::TokenDigest;
use crate::{Error, Result};
use ::postgres::Row;
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
