//! Schema version 4's data (issue 16, item 9): every stored email in the normal form of
//! `email.rs` as it now is — domains in IDNA's Unicode form (`xn--garag-fsa.fr` and full-width
//! `ｇａｒａｇｅ.fr` were stored as typed, lower-cased), so that lookups and the `UNIQUE`
//! constraint see one mailbox as one address. The same rules as the SQLite store's
//! (`store/sqlite/emails.rs`): an account is rewritten with its listing keys unless another
//! account already holds its new form (left for an operator) or the rules now refuse it (read
//! back as a corrupt row, as any invalid stored value); links and queued mails likewise.

use super::accounts::account_from_row;
use super::pg;
use crate::Result;
use crate::email::Email;
use crate::store::row::{ACCOUNT_COLUMNS, AccountRow};
use ::postgres::Transaction;

/// Rewrites the emails whose normal form changed (see the module's documentation).
pub(super) fn renormalise(tx: &mut Transaction<'_>) -> Result<()> {
    let rows = tx
        .query(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"), &[])
        .map_err(pg("migration failed"))?;
    for row in rows {
        let stored: String = row.get(1);
        let Ok(account) = account_from_row(&row) else {
            continue;
        };
        if account.email.as_str() == stored {
            continue;
        }
        let new = AccountRow::new(&account)?;
        tx.execute(
            "UPDATE accounts SET email = $2, sort_key = $3, search_text = $4
             WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM accounts WHERE email = $2)",
            &[&new.id, &new.email, &new.sort_key, &new.search_text],
        )
        .map_err(pg("migration failed"))?;
    }
    let tokens = tx
        .query(
            "SELECT digest, email FROM tokens WHERE email IS NOT NULL",
            &[],
        )
        .map_err(pg("migration failed"))?;
    for row in tokens {
        let (digest, email): (Vec<u8>, String) = (row.get(0), row.get(1));
        if let Some(normal) = changed(&email) {
            tx.execute(
                "UPDATE tokens SET email = $2 WHERE digest = $1",
                &[&digest, &normal],
            )
            .map_err(pg("migration failed"))?;
        }
    }
    let queued = tx
        .query("SELECT id, email FROM outbox", &[])
        .map_err(pg("migration failed"))?;
    for row in queued {
        let (id, email): (i64, String) = (row.get(0), row.get(1));
        if let Some(normal) = changed(&email) {
            tx.execute(
                "UPDATE outbox SET email = $2 WHERE id = $1",
                &[&id, &normal],
            )
            .map_err(pg("migration failed"))?;
        }
    }
    Ok(())
}

/// The new normal form of a stored email, when it parses and differs.
fn changed(stored: &str) -> Option<String> {
    Email::parse(stored)
        .ok()
        .map(Email::into_string)
        .filter(|n| n != stored)
}
