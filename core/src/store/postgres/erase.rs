//! [`ErasureRepo`] on PostgreSQL: the account's rows leave every table in one transaction.
//! The deleted row versions stay in the table files until `VACUUM` and in the WAL until it is
//! recycled (PostgreSQL's own storage; see the README), but no live row, dump or replica built
//! from one keeps them.

use super::PostgresTx;
use crate::Result;
use crate::account::AccountId;
use crate::store::ErasureRepo;

impl ErasureRepo for PostgresTx<'_> {
    fn erase_account(&mut self, id: AccountId) -> Result<bool> {
        self.writable()?;
        self.serialise()?;
        let id = &id.as_bytes()[..];
        // Mails to the account's address, and to the addresses its email-change links named
        // (pending or sent), before the rows that name those addresses go.
        let n = self.execute(
            "WITH mails AS (
                 DELETE FROM outbox WHERE email IN (
                     SELECT email FROM accounts WHERE id = $1
                     UNION SELECT email FROM tokens WHERE account = $1 AND email IS NOT NULL)),
             sessions AS (DELETE FROM sessions WHERE account = $1),
             tokens AS (DELETE FROM tokens WHERE account = $1),
             rights AS (DELETE FROM rights WHERE account = $1)
             DELETE FROM accounts WHERE id = $1",
            &[&id],
            "cannot erase an account",
        )?;
        // TODO(totp): delete the account's second factor (secret, recovery codes) here once
        // the `totp` branch stores it.
        Ok(n > 0)
    }
}
