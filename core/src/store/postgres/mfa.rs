//! [`MfaRepo`] on PostgreSQL: `totp` (one row per account: the sealed secret, whether
//! confirmed, the last accepted time step) and `totp_recovery` (unused recovery codes' digests).
//!
//! Accepting a step and using a recovery code are each one conditional statement (`UPDATE …
//! WHERE last_step < $2`, `DELETE … WHERE digest = $2`) counted by its rows: under the writer
//! lock, and even without it (the second statement waits for the first's row lock, then
//! re-checks its condition on the committed row), of two logins with one code exactly one wins.

use super::{PostgresTx, col};
use crate::Result;
use crate::account::AccountId;
use crate::store::MfaRepo;
use crate::store::row::{from_ns, ns};
use crate::token::TokenDigest;
use crate::totp::TotpRecord;

impl MfaRepo for PostgresTx<'_> {
    fn totp(&mut self, account: AccountId) -> Result<Option<TotpRecord>> {
        self.serialise()?;
        let Some(row) = self.query_opt(
            "SELECT sealed, confirmed, last_step, created_at FROM totp WHERE account = $1",
            &[&&account.as_bytes()[..]],
            "cannot read a second factor",
        )?
        else {
            return Ok(None);
        };
        const T: &str = "totp";
        Ok(Some(TotpRecord {
            account,
            sealed: col::<Vec<u8>>(&row, 0, T, "sealed")?,
            confirmed: col(&row, 1, T, "confirmed")?,
            last_step: col(&row, 2, T, "last_step")?,
            created_at: from_ns(col(&row, 3, T, "created_at")?, T, "created_at")?,
        }))
    }

    fn put_pending_totp(&mut self, r: &TotpRecord) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        let created_at = ns(r.created_at)?;
        let n = self.execute(
            "INSERT INTO totp (account, sealed, confirmed, last_step, created_at)
             VALUES ($1, $2, FALSE, $3, $4)
             ON CONFLICT (account) DO UPDATE SET sealed = excluded.sealed,
                 last_step = excluded.last_step, created_at = excluded.created_at
             WHERE NOT totp.confirmed",
            &[
                &&r.account.as_bytes()[..],
                &r.sealed,
                &r.last_step,
                &created_at,
            ],
            "cannot store a second factor",
        )?;
        Ok(n == 1)
    }

    fn confirm_totp(
        &mut self,
        account: AccountId,
        step: i64,
        recovery: &[TokenDigest],
    ) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        const CONTEXT: &str = "cannot confirm a second factor";
        let id = &account.as_bytes()[..];
        let n = self.execute(
            "UPDATE totp SET confirmed = TRUE, last_step = $2
             WHERE account = $1 AND NOT confirmed AND last_step < $2",
            &[&id, &step],
            CONTEXT,
        )?;
        if n != 1 {
            return Ok(false);
        }
        self.execute(
            "DELETE FROM totp_recovery WHERE account = $1",
            &[&id],
            CONTEXT,
        )?;
        let digests: Vec<&[u8]> = recovery.iter().map(|d| &d.as_bytes()[..]).collect();
        self.execute(
            "INSERT INTO totp_recovery (account, digest)
             SELECT $1, d FROM unnest($2::bytea[]) AS d ON CONFLICT DO NOTHING",
            &[&id, &digests],
            CONTEXT,
        )?;
        Ok(true)
    }

    fn advance_totp_step(&mut self, account: AccountId, step: i64) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        let n = self.execute(
            "UPDATE totp SET last_step = $2
             WHERE account = $1 AND confirmed AND last_step < $2",
            &[&&account.as_bytes()[..], &step],
            "cannot accept a code",
        )?;
        Ok(n == 1)
    }

    fn use_recovery_code(&mut self, account: AccountId, digest: &TokenDigest) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        let n = self.execute(
            "DELETE FROM totp_recovery WHERE account = $1 AND digest = $2",
            &[&&account.as_bytes()[..], &&digest.as_bytes()[..]],
            "cannot use a recovery code",
        )?;
        Ok(n == 1)
    }

    fn recovery_codes_left(&mut self, account: AccountId) -> Result<usize> {
        self.serialise()?;
        self.count(
            "SELECT count(*) FROM totp_recovery WHERE account = $1",
            &[&&account.as_bytes()[..]],
            "cannot count recovery codes",
        )
    }

    fn delete_totp(&mut self, account: AccountId) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        const CONTEXT: &str = "cannot remove a second factor";
        let id = &account.as_bytes()[..];
        self.execute(
            "DELETE FROM totp_recovery WHERE account = $1",
            &[&id],
            CONTEXT,
        )?;
        let n = self.execute("DELETE FROM totp WHERE account = $1", &[&id], CONTEXT)?;
        Ok(n == 1)
    }
}
