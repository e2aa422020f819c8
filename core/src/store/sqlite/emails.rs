//! Schema version 6's data (issue 16, item 9): every stored email in the normal form of
//! `email.rs` as it now is — domains in IDNA's Unicode form (`xn--garag-fsa.fr` and full-width
//! `ｇａｒａｇｅ.fr` were stored as typed, lower-cased), so that lookups and the `UNIQUE` index
//! see one mailbox as one address.
//!
//! An account whose stored email normalises differently is rewritten with its listing keys (the
//! `accounts_listing` trigger carries them to `rights`); links (`tokens.email`) and queued mails
//! (`outbox.email`) likewise. Left as they are: an account whose new form another account
//! already holds (two accounts of one mailbox, made before the fix: which one is the person's
//! is an operator's call), and values the rules now refuse (`je;an@…`, `.test` domains), which
//! read back as a corrupt row, as any invalid stored value does.

use super::accounts::account_from_row;
use super::storage;
use crate::Result;
use crate::email::Email;
use crate::store::row::{ACCOUNT_COLUMNS, AccountRow};
use rusqlite::{Connection, params};

/// Rewrites the emails whose normal form changed (see the module's documentation).
pub(super) fn renormalise(conn: &Connection) -> Result<()> {
    let failed = storage("migration failed");
    let accounts = {
        let mut stmt = conn
            .prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts"))
            .map_err(&failed)?;
        let rows = stmt
            .query_map([], |row| {
                Ok((row.get::<_, String>(1)?, account_from_row(row)))
            })
            .map_err(&failed)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(&failed)?
    };
    for (stored, account) in accounts {
        let Ok(account) = account else { continue };
        if account.email.as_str() == stored {
            continue;
        }
        let row = AccountRow::new(&account)?;
        conn.execute(
            "UPDATE OR IGNORE accounts SET email = ?2, sort_key = ?3, search_text = ?4
             WHERE id = ?1",
            params![row.id, row.email, row.sort_key, row.search_text],
        )
        .map_err(&failed)?;
    }
    for (table, key) in [("tokens", "digest"), ("outbox", "id")] {
        let stored: Vec<(rusqlite::types::Value, String)> = conn
            .prepare(&format!(
                "SELECT {key}, email FROM {table} WHERE email IS NOT NULL"
            ))
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(&failed)?;
        for (id, email) in stored {
            let Ok(normal) = Email::parse(&email) else {
                continue;
            };
            if normal.as_str() != email {
                conn.execute(
                    &format!("UPDATE {table} SET email = ?2 WHERE {key} = ?1"),
                    params![id, normal.as_str()],
                )
                .map_err(&failed)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::schema::{APPLICATION_ID, MIGRATIONS};
    use super::super::tests::{TempPath, fast, user};
    use super::*;
    use crate::account::AccountState;
    use crate::store::sqlite::SqliteStore;
    use crate::store::{AccountRepo, Store};

    fn stored_emails(path: &std::path::Path) -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT email FROM accounts ORDER BY last_name")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<Vec<String>>>().unwrap()
    }

    #[test]
    fn a_version_5_file_gets_its_emails_in_the_new_normal_form() {
        let path = TempPath::new("v5-emails");
        // (stored as the release before the fix let it be, last name)
        let rows = [
            ("jean@xn--garag-fsa.fr", "Alpha"),
            ("ana@ｇａｒａｇｅ.fr", "Bravo"),
            ("max@garagé.fr", "Charlie"),
            ("max@xn--garag-fsa.fr", "Delta"),
            ("je;an@garage.fr", "Echo"),
        ];
        {
            let conn = Connection::open(&path.0).unwrap();
            for script in &MIGRATIONS[..5] {
                conn.execute_batch(script).unwrap();
            }
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 5;"
            ))
            .unwrap();
            let slots: Vec<String> = (1..=21).map(|i| format!("?{i}")).collect();
            let insert = format!(
                "INSERT INTO accounts ({ACCOUNT_COLUMNS}, sort_key, search_text) VALUES ({})",
                slots.join(", ")
            );
            for (stored, last) in rows {
                let mut row =
                    AccountRow::new(&user("x@garage.fr", last, "Anne", AccountState::Active))
                        .unwrap();
                row.email = stored.to_owned();
                conn.execute(&insert, row.sqlite_params().as_slice())
                    .unwrap();
            }
            conn.execute(
                "INSERT INTO outbox (kind, email, name, locale, created_at)
                 VALUES ('password_reset', 'jean@xn--garag-fsa.fr', 'A', 'fr', 1)",
                [],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path.0, fast()).unwrap();
        assert_eq!(
            stored_emails(&path.0),
            [
                "jean@garagé.fr",
                "ana@garage.fr",
                "max@garagé.fr",
                // Its new form is Charlie's: left for an operator to decide.
                "max@xn--garag-fsa.fr",
                // Refused by the new rules: left as it was.
                "je;an@garage.fr",
            ]
        );
        let found = |email: &str| {
            let email = Email::parse(email).unwrap();
            store
                .write(|tx| tx.account_by_email(&email))
                .unwrap()
                .map(|a| a.last_name.as_str().to_owned())
        };
        assert_eq!(found("jean@garagé.fr").as_deref(), Some("Alpha"));
        assert_eq!(found("JEAN@xn--garag-fsa.fr").as_deref(), Some("Alpha"));
        assert_eq!(found("ana@garage.fr").as_deref(), Some("Bravo"));
        assert_eq!(found("max@xn--garag-fsa.fr").as_deref(), Some("Charlie"));
        let conn = Connection::open(&path.0).unwrap();
        let queued: String = conn
            .query_row("SELECT email FROM outbox", [], |r| r.get(0))
            .unwrap();
        assert_eq!(queued, "jean@garagé.fr");
    }
}
