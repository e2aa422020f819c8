//! [`MfaRepo`] on SQLite: `totp` (one row per account: the sealed secret, whether confirmed,
//! the last accepted time step) and `totp_recovery` (the digests of unused recovery codes).
//!
//! Accepting a step and using a recovery code are each one conditional statement (`UPDATE …
//! WHERE last_step < ?`, `DELETE … WHERE digest = ?`) counted by its changes: with writers
//! serialised, of two logins presenting the same code exactly one changes a row.

use super::{SqliteTx, col, storage};
use crate::Result;
use crate::account::AccountId;
use crate::store::MfaRepo;
use crate::store::row::{from_ns, ns};
use crate::token::TokenDigest;
use crate::totp::TotpRecord;
use rusqlite::params;

impl MfaRepo for SqliteTx<'_> {
    fn totp(&mut self, account: AccountId) -> Result<Option<TotpRecord>> {
        const CONTEXT: &str = "cannot read a second factor";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT sealed, confirmed, last_step, created_at FROM totp WHERE account = ?1",
            )
            .map_err(storage(CONTEXT))?;
        let mut rows = stmt
            .query([&account.as_bytes()[..]])
            .map_err(storage(CONTEXT))?;
        let Some(row) = rows.next().map_err(storage(CONTEXT))? else {
            return Ok(None);
        };
        const T: &str = "totp";
        Ok(Some(TotpRecord {
            account,
            sealed: col(row, 0, T, "sealed")?,
            confirmed: col(row, 1, T, "confirmed")?,
            last_step: col(row, 2, T, "last_step")?,
            created_at: from_ns(col(row, 3, T, "created_at")?, T, "created_at")?,
        }))
    }

    fn put_pending_totp(&mut self, r: &TotpRecord) -> Result<bool> {
        self.writable()?;
        let created_at = ns(r.created_at)?;
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO totp (account, sealed, confirmed, last_step, created_at)
                 VALUES (?1, ?2, 0, ?3, ?4)
                 ON CONFLICT (account) DO UPDATE SET sealed = excluded.sealed,
                     last_step = excluded.last_step, created_at = excluded.created_at
                 WHERE totp.confirmed = 0",
            )
            .and_then(|mut s| {
                s.execute(params![
                    &r.account.as_bytes()[..],
                    &r.sealed,
                    r.last_step,
                    created_at
                ])
            })
            .map_err(storage("cannot store a second factor"))?;
        Ok(n == 1)
    }

    fn confirm_totp(
        &mut self,
        account: AccountId,
        step: i64,
        recovery: &[TokenDigest],
    ) -> Result<bool> {
        self.writable()?;
        const CONTEXT: &str = "cannot confirm a second factor";
        let n = self
            .conn
            .prepare_cached(
                "UPDATE totp SET confirmed = 1, last_step = ?2
                 WHERE account = ?1 AND confirmed = 0 AND last_step < ?2",
            )
            .and_then(|mut s| s.execute(params![&account.as_bytes()[..], step]))
            .map_err(storage(CONTEXT))?;
        if n != 1 {
            return Ok(false);
        }
        self.conn
            .prepare_cached("DELETE FROM totp_recovery WHERE account = ?1")
            .and_then(|mut s| s.execute([&account.as_bytes()[..]]))
            .map_err(storage(CONTEXT))?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO totp_recovery (account, digest) VALUES (?1, ?2)")
            .map_err(storage(CONTEXT))?;
        for d in recovery {
            insert
                .execute(params![&account.as_bytes()[..], &d.as_bytes()[..]])
                .map_err(storage(CONTEXT))?;
        }
        Ok(true)
    }

    fn advance_totp_step(&mut self, account: AccountId, step: i64) -> Result<bool> {
        self.writable()?;
        let n = self
            .conn
            .prepare_cached(
                "UPDATE totp SET last_step = ?2
                 WHERE account = ?1 AND confirmed = 1 AND last_step < ?2",
            )
            .and_then(|mut s| s.execute(params![&account.as_bytes()[..], step]))
            .map_err(storage("cannot accept a code"))?;
        Ok(n == 1)
    }

    fn use_recovery_code(&mut self, account: AccountId, digest: &TokenDigest) -> Result<bool> {
        self.writable()?;
        let n = self
            .conn
            .prepare_cached("DELETE FROM totp_recovery WHERE account = ?1 AND digest = ?2")
            .and_then(|mut s| s.execute(params![&account.as_bytes()[..], &digest.as_bytes()[..]]))
            .map_err(storage("cannot use a recovery code"))?;
        Ok(n == 1)
    }

    fn recovery_codes_left(&mut self, account: AccountId) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM totp_recovery WHERE account = ?1")
            .and_then(|mut s| s.query_row([&account.as_bytes()[..]], |r| r.get(0)))
            .map_err(storage("cannot count recovery codes"))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn delete_totp(&mut self, account: AccountId) -> Result<bool> {
        self.writable()?;
        const CONTEXT: &str = "cannot remove a second factor";
        self.conn
            .prepare_cached("DELETE FROM totp_recovery WHERE account = ?1")
            .and_then(|mut s| s.execute([&account.as_bytes()[..]]))
            .map_err(storage(CONTEXT))?;
        let n = self
            .conn
            .prepare_cached("DELETE FROM totp WHERE account = ?1")
            .and_then(|mut s| s.execute([&account.as_bytes()[..]]))
            .map_err(storage(CONTEXT))?;
        Ok(n == 1)
    }
}
