//! [`TokenRepo`] on PostgreSQL: reset, activation and email-change tokens, keyed by the SHA-256 digest of the
//! token (never the token itself).
//!
//! A token is consumed by one conditional `UPDATE … WHERE state = 'issued' AND expires_at > $now
//! RETURNING …`: of two transactions on one token, the second waits for the first's row lock,
//! then re-checks the condition on the committed row and updates none.
//!
//! A token that ends takes its link with it: each statement that moves tokens out of `issued`
//! also erases, in a data-modifying `WITH`, the link of the pending mail carrying them.

use super::{PostgresTx, col};
use crate::account::AccountId;
use crate::email::Email;
use crate::locale::Coded;
use crate::store::row::{account_id, coded, corrupt, digest, from_ns, ns, ns_clamped};
use crate::store::{TokenRecord, TokenRepo};
use crate::token::{TokenDigest, TokenLifecycle, TokenPurpose, TokenState};
use crate::{Error, Result};
use ::postgres::Row;
use time::OffsetDateTime;

pub(super) const TOKEN_COLUMNS: &str =
    "digest, account, purpose, state, issued_at, expires_at, email";

/// After a `WITH ended AS (UPDATE tokens … RETURNING digest …)`: erases the links of the mails
/// carrying the ended tokens (PostgreSQL runs a data-modifying `WITH` to completion whatever
/// the main query reads).
const ERASE_LINKS: &str = ", erased AS (UPDATE outbox SET token = NULL, token_digest = NULL
     WHERE token_digest IN (SELECT digest FROM ended))";

pub(super) fn token_from_row(row: &Row) -> Result<TokenRecord> {
    const T: &str = "tokens";
    let d: &[u8] = col(row, 0, T, "digest")?;
    let account: &[u8] = col(row, 1, T, "account")?;
    let purpose: &str = col(row, 2, T, "purpose")?;
    let state: &str = col(row, 3, T, "state")?;
    let email: Option<&str> = col(row, 6, T, "email")?;
    Ok(TokenRecord {
        digest: digest(d, T, "digest")?,
        account: account_id(account, T, "account")?,
        lifecycle: TokenLifecycle {
            purpose: coded::<TokenPurpose>(purpose, T, "purpose")?,
            state: coded::<TokenState>(state, T, "state")?,
            issued_at: from_ns(col(row, 4, T, "issued_at")?, T, "issued_at")?,
            expires_at: from_ns(col(row, 5, T, "expires_at")?, T, "expires_at")?,
        },
        email: email
            .map(|e| Email::parse(e).map_err(|_| corrupt(T, "email")))
            .transpose()?,
    })
}

impl TokenRepo for PostgresTx<'_> {
    fn insert_token(&mut self, t: &TokenRecord) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let l = &t.lifecycle;
        let (issued_at, expires_at) = (ns(l.issued_at)?, ns(l.expires_at)?);
        let inserted = self.query_opt(
            &format!(
                "INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (digest) DO NOTHING RETURNING 1"
            ),
            &[
                &&t.digest.as_bytes()[..],
                &&t.account.as_bytes()[..],
                &l.purpose.code(),
                &l.state.code(),
                &issued_at,
                &expires_at,
                &t.email.as_ref().map(Email::as_str),
            ],
            "cannot insert a token",
        )?;
        match inserted {
            Some(_) => Ok(()),
            None => Err(Error::storage("duplicate token digest")),
        }
    }

    fn token(&mut self, digest: &TokenDigest) -> Result<Option<TokenRecord>> {
        self.serialise()?;
        self.query_opt(
            &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE digest = $1"),
            &[&&digest.as_bytes()[..]],
            "cannot read a token",
        )?
        .map(|r| token_from_row(&r))
        .transpose()
    }

    fn consume_token(
        &mut self,
        digest: &TokenDigest,
        purpose: TokenPurpose,
        now: OffsetDateTime,
    ) -> Result<Option<TokenRecord>> {
        self.writable()?;
        self.serialise()?;
        // One conditional UPDATE: of two transactions on one token, the second waits for the
        // first's row lock, then re-checks the condition on the committed row and updates none.
        self.query_opt(
            &format!(
                "WITH ended AS (UPDATE tokens SET state = $4
                 WHERE digest = $1 AND purpose = $2 AND state = $5 AND expires_at > $3
                 RETURNING {TOKEN_COLUMNS}){ERASE_LINKS}
                 SELECT {TOKEN_COLUMNS} FROM ended"
            ),
            &[
                &&digest.as_bytes()[..],
                &purpose.code(),
                &ns_clamped(now),
                &TokenState::Consumed.code(),
                &TokenState::Issued.code(),
            ],
            "cannot consume a token",
        )?
        .map(|r| token_from_row(&r))
        .transpose()
    }

    fn end_tokens(
        &mut self,
        account: AccountId,
        purposes: &[TokenPurpose],
        to: TokenState,
    ) -> Result<usize> {
        self.writable()?;
        self.serialise()?;
        let n = self.count(
            &format!(
                "WITH ended AS (UPDATE tokens SET state = $3
                 WHERE account = $1 AND state = $4 AND purpose = ANY($2::text[])
                 RETURNING digest){ERASE_LINKS}
                 SELECT count(*) FROM ended"
            ),
            &[
                &&account.as_bytes()[..],
                &purpose_codes(purposes),
                &to.code(),
                &TokenState::Issued.code(),
            ],
            "cannot end tokens",
        )?;
        Ok(n)
    }

    fn expire_token(&mut self, digest: &TokenDigest) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        self.execute(
            &format!(
                "WITH ended AS (UPDATE tokens SET state = $2 WHERE digest = $1 AND state = $3
                 RETURNING digest){ERASE_LINKS}
                 SELECT 1"
            ),
            &[
                &&digest.as_bytes()[..],
                &TokenState::Expired.code(),
                &TokenState::Issued.code(),
            ],
            "cannot expire a token",
        )?;
        Ok(())
    }
}

fn purpose_codes(purposes: &[TokenPurpose]) -> Vec<&'static str> {
    purposes.iter().map(|p| p.code()).collect()
}
