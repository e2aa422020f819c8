//! [`ErasureRepo`] on SQLite: the account's rows leave every table in one transaction. With
//! `secure_delete` on, SQLite zeroes the deleted cells and freed pages; the transaction is
//! marked as having erased something, so [`SqliteStore`](super::SqliteStore)'s `write`
//! checkpoints and truncates the WAL after the commit, as it does for an acknowledged link: no
//! earlier page image keeps the person's data.

use super::{SqliteTx, storage};
use crate::Result;
use crate::account::AccountId;
use crate::store::ErasureRepo;
use rusqlite::params;

impl ErasureRepo for SqliteTx<'_> {
    fn erase_account(&mut self, id: AccountId) -> Result<bool> {
        self.writable()?;
        let id = &id.as_bytes()[..];
        let run = |sql: &str| -> Result<usize> {
            self.conn
                .prepare_cached(sql)
                .and_then(|mut s| s.execute(params![id]))
                .map_err(storage("cannot erase an account"))
        };
        // Mails to the account's address, and to the addresses its email-change links named
        // (pending or sent), before the rows that name those addresses go.
        run("DELETE FROM outbox WHERE email IN (
                 SELECT email FROM accounts WHERE id = ?1
                 UNION SELECT email FROM tokens WHERE account = ?1 AND email IS NOT NULL)")?;
        run("DELETE FROM sessions WHERE account = ?1")?;
        run("DELETE FROM tokens WHERE account = ?1")?;
        run("DELETE FROM rights WHERE account = ?1")?;
        // TODO(totp): delete the account's second factor (secret, recovery codes) here once
        // the `totp` branch stores it.
        let existed = run("DELETE FROM accounts WHERE id = ?1")? > 0;
        self.erased |= existed;
        Ok(existed)
    }
}
