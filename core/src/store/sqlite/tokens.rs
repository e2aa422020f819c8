//! [`TokenRepo`] on SQLite: reset, activation and email-change tokens, keyed by the SHA-256 digest of the
//! token (never the token itself).
//!
//! A token is consumed by one conditional `UPDATE … RETURNING`: the compare-and-set that makes
//! a link work once cannot be split by another writer. `end_tokens` binds its purposes as the
//! three slots of `purpose IN (?, ?, ?)` ([`purpose_slots`]), one cached statement for any list.

use super::{SqliteTx, col, storage};
use crate::account::AccountId;
use crate::email::Email;
use crate::locale::Coded;
use crate::store::row::{account_id, coded, corrupt, digest, from_ns, ns};
use crate::store::{TokenRecord, TokenRepo};
use crate::token::{TokenDigest, TokenLifecycle, TokenPurpose, TokenState};
use crate::{Error, Result};
use rusqlite::{ErrorCode, Row, params};
use std::sync::LazyLock;
use time::OffsetDateTime;

pub(super) fn token_from_row(row: &Row<'_>) -> Result<TokenRecord> {
    const T: &str = "tokens";
    let d: Vec<u8> = col(row, 0, T, "digest")?;
    let account: Vec<u8> = col(row, 1, T, "account")?;
    let purpose: String = col(row, 2, T, "purpose")?;
    let state: String = col(row, 3, T, "state")?;
    let email: Option<String> = col(row, 6, T, "email")?;
    Ok(TokenRecord {
        digest: digest(&d, T, "digest")?,
        account: account_id(&account, T, "account")?,
        lifecycle: TokenLifecycle {
            purpose: coded::<TokenPurpose>(&purpose, T, "purpose")?,
            state: coded::<TokenState>(&state, T, "state")?,
            issued_at: from_ns(col(row, 4, T, "issued_at")?, T, "issued_at")?,
            expires_at: from_ns(col(row, 5, T, "expires_at")?, T, "expires_at")?,
        },
        email: email
            .map(|e| Email::parse(&e).map_err(|_| corrupt(T, "email")))
            .transpose()?,
    })
}

pub(super) const TOKEN_COLUMNS: &str =
    "digest, account, purpose, state, issued_at, expires_at, email";

// The statement run for every token issued, formatted once.
static INSERT_TOKEN: LazyLock<String> = LazyLock::new(|| {
    format!("INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
});

impl TokenRepo for SqliteTx<'_> {
    fn insert_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.writable()?;
        let l = &t.lifecycle;
        let (issued_at, expires_at) = (ns(l.issued_at)?, ns(l.expires_at)?);
        let r = self.conn.prepare_cached(&INSERT_TOKEN).and_then(|mut s| {
            s.execute(params![
                &t.digest.as_bytes()[..],
                &t.account.as_bytes()[..],
                l.purpose.code(),
                l.state.code(),
                issued_at,
                expires_at,
                t.email.as_ref().map(Email::as_str),
            ])
        });
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(Error::storage("duplicate token digest"))
            }
            Err(e) => Err(storage("cannot insert a token")(e)),
        }
    }

    fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE digest = ?1"
            ))
            .map_err(storage("cannot read a token"))?;
        let mut rows = stmt
            .query([&digest.as_bytes()[..]])
            .map_err(storage("cannot read a token"))?;
        rows.next()
            .map_err(storage("cannot read a token"))?
            .map(token_from_row)
            .transpose()
    }

    fn consume_token(
        &mut self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRecord>> {
        self.writable()?;
        // One statement: the compare-and-set cannot be split by another writer.
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "UPDATE tokens SET state = ?4
                 WHERE digest = ?1 AND purpose = ?2 AND state = ?5 AND expires_at > ?3
                 RETURNING {TOKEN_COLUMNS}"
            ))
            .map_err(storage("cannot consume a token"))?;
        let mut rows = stmt
            .query(params![
                &digest.as_bytes()[..],
                purpose.code(),
                ns(now)?,
                TokenState::Consumed.code(),
                TokenState::Issued.code()
            ])
            .map_err(storage("cannot consume a token"))?;
        let used = rows
            .next()
            .map_err(storage("cannot consume a token"))?
            .map(token_from_row)
            .transpose()?;
        drop(rows);
        drop(stmt);
        if let Some(t) = &used {
            self.erase_links(&t.digest)?;
        }
        Ok(used)
    }

    fn end_tokens(
        &mut self,
        account: AccountId,
        purposes: &[TokenPurpose],
        to: TokenState,
    ) -> Result<usize> {
        self.writable()?;
        let ended = self
            .conn
            .prepare_cached(
                "UPDATE tokens SET state = ?3
                 WHERE account = ?1 AND state = ?2 AND purpose IN (?4, ?5, ?6)
                 RETURNING digest",
            )
            .and_then(|mut s| {
                let [a, b, c] = purpose_slots(purposes);
                s.query_map(
                    params![
                        &account.as_bytes()[..],
                        TokenState::Issued.code(),
                        to.code(),
                        a,
                        b,
                        c
                    ],
                    |r| r.get::<_, Vec<u8>>(0),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(storage("cannot end tokens"))?;
        for d in &ended {
            self.erase_links(&digest(d, "tokens", "digest")?)?;
        }
        Ok(ended.len())
    }

    fn expire_token(&mut self, digest: &TokenDigest) -> Result<()> {
        self.writable()?;
        let n = self
            .conn
            .prepare_cached("UPDATE tokens SET state = ?2 WHERE digest = ?1 AND state = ?3")
            .and_then(|mut s| {
                s.execute(params![
                    &digest.as_bytes()[..],
                    TokenState::Expired.code(),
                    TokenState::Issued.code()
                ])
            })
            .map_err(storage("cannot expire a token"))?;
        if n > 0 {
            self.erase_links(digest)?;
        }
        Ok(())
    }
}

/// How many slots `end_tokens`' statement has: one per purpose that exists.
const PURPOSE_SLOTS: usize = 3;

// A new purpose needs one more slot (in `end_tokens`' statement too), or `purpose_slots` would
// index out of bounds given every purpose.
const _: () = assert!(TokenPurpose::ALL.len() == PURPOSE_SLOTS);

/// The purposes as the three slots of a statement's `purpose IN (?, ?, ?)`: three purposes
/// exist (checked when compiling), so any list fits once repeats are dropped; unused slots
/// repeat the first (or hold none, which matches nothing).
fn purpose_slots(purposes: &[TokenPurpose]) -> [Option<&'static str>; PURPOSE_SLOTS] {
    let mut slots = [None; PURPOSE_SLOTS];
    let mut n = 0;
    for code in purposes.iter().map(|p| Some(p.code())) {
        if !slots[..n].contains(&code) {
            slots[n] = code;
            n += 1;
        }
    }
    let first = slots[0];
    for slot in &mut slots[n..] {
        *slot = first;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_slots_hold_every_purpose() {
        let all = purpose_slots(TokenPurpose::ALL);
        for p in TokenPurpose::ALL {
            assert!(all.contains(&Some(p.code())), "{p:?}");
        }
        let twice: Vec<_> = TokenPurpose::ALL
            .iter()
            .chain(TokenPurpose::ALL)
            .copied()
            .collect();
        assert_eq!(purpose_slots(&twice), all);
    }

    #[test]
    fn purpose_slots_fill_three_in_slots() {
        use TokenPurpose::{Activation, PasswordReset};
        let (a, r) = (Activation.code(), PasswordReset.code());
        assert_eq!(purpose_slots(&[]), [None, None, None]);
        assert_eq!(purpose_slots(&[Activation]), [Some(a); 3]);
        assert_eq!(
            purpose_slots(&[Activation, Activation, PasswordReset, Activation]),
            [Some(a), Some(r), Some(a)]
        );
        assert_eq!(
            purpose_slots(&[PasswordReset, Activation, PasswordReset]),
            [Some(r), Some(a), Some(r)]
        );
    }
}
