//! [`AttemptRepo`] on SQLite: `login_attempts` (one row per account with checks in flight)
//! and the count of an actor's audited answers by the index `audit_by_actor`.

use super::{SqliteTx, storage};
use crate::Result;
use crate::account::AccountId;
use crate::audit::AuditAction;
use crate::locale::Coded;
use crate::store::AttemptRepo;
use crate::store::row::ns_clamped;
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

impl AttemptRepo for SqliteTx<'_> {
    fn attempts_in_flight(&mut self, account: AccountId, now: OffsetDateTime) -> Result<u32> {
        let n: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT in_flight FROM login_attempts WHERE account = ?1 AND lease_until > ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![&account.as_bytes()[..], ns_clamped(now)], |r| {
                    r.get(0)
                })
                .optional()
            })
            .map_err(storage("cannot read the password checks in flight"))?;
        Ok(n.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    fn set_attempts_in_flight(
        &mut self,
        account: AccountId,
        n: u32,
        lease_until: OffsetDateTime,
    ) -> Result<()> {
        self.writable()?;
        let id = &account.as_bytes()[..];
        let r = if n == 0 {
            self.conn
                .prepare_cached("DELETE FROM login_attempts WHERE account = ?1")
                .and_then(|mut s| s.execute(params![id]))
        } else {
            self.conn
                .prepare_cached(
                    "INSERT INTO login_attempts (account, in_flight, lease_until) VALUES (?1, ?2, ?3)
                     ON CONFLICT (account) DO UPDATE SET in_flight = ?2, lease_until = ?3",
                )
                .and_then(|mut s| s.execute(params![id, i64::from(n), ns_clamped(lease_until)]))
        };
        r.map_err(storage("cannot record the password checks in flight"))?;
        Ok(())
    }

    fn count_actions_since(
        &mut self,
        actor: AccountId,
        action: AuditAction,
        since: OffsetDateTime,
    ) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM audit WHERE actor = ?1 AND action = ?2 AND at >= ?3",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![&actor.as_bytes()[..], action.code(), ns_clamped(since)],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot count audit events"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}
