//! [`OutboxRepo`] on SQLite: the notifications queued in the transaction of the change they
//! announce, until the host acknowledges them.
//!
//! A queued mail's link token is the one secret stored in clear, beside its digest.
//! Acknowledging sets it to NULL (`secure_delete` zeroes the old bytes in the page) and marks
//! the transaction, so that [`Store::write`](crate::store::Store::write) truncates the WAL after
//! the commit and no older image of the page keeps the token; so does `erase_links`, which the
//! tokens' repository runs when a token ends (consumed, superseded, revoked, expired).

use super::{SqliteTx, col, storage};
use crate::email::Email;
use crate::locale::{Coded, Locale};
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::secret::SecretString;
use crate::store::OutboxRepo;
use crate::store::row::{coded, corrupt, from_ns, ns, ns_clamped};
use crate::token::TokenDigest;
use crate::{Error, Result};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

impl OutboxRepo for SqliteTx<'_> {
    fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId> {
        self.writable()?;
        let (expires_at, at) = (n.expires_at.map(ns).transpose()?, ns(at)?);
        self.conn
            .prepare_cached(
                "INSERT INTO outbox
                 (kind, email, name, token, expires_at, locale, created_at, token_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                let digest = (n.token.as_ref()).map(|t| TokenDigest::of_text(t.expose()));
                s.execute(params![
                    n.kind.code(),
                    n.email.as_str(),
                    n.name,
                    n.token.as_ref().map(SecretString::expose),
                    expires_at,
                    n.locale.code(),
                    at,
                    digest.as_ref().map(|d| &d.as_bytes()[..]),
                ])
            })
            .map_err(storage("cannot queue a notification"))?;
        // The writer connection is this transaction's alone: the last rowid is this row's.
        Ok(NotificationId(self.conn.last_insert_rowid() as u64))
    }

    fn pending(&mut self, limit: usize) -> Result<Vec<Notification>> {
        const T: &str = "outbox";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, kind, email, name, token, expires_at, locale, created_at FROM outbox
                 WHERE acked = 0 ORDER BY id LIMIT ?1",
            )
            .map_err(storage("cannot read the outbox"))?;
        let mut rows = stmt
            .query([i64::try_from(limit).unwrap_or(i64::MAX)])
            .map_err(storage("cannot read the outbox"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the outbox"))? {
            let id: i64 = col(row, 0, T, "id")?;
            let kind: String = col(row, 1, T, "kind")?;
            let email: String = col(row, 2, T, "email")?;
            let token: Option<String> = col(row, 4, T, "token")?;
            let expires_at: Option<i64> = col(row, 5, T, "expires_at")?;
            let locale: String = col(row, 6, T, "locale")?;
            out.push(Notification {
                id: NotificationId(id as u64),
                created_at: from_ns(col(row, 7, T, "created_at")?, T, "created_at")?,
                body: NewNotification {
                    kind: coded::<NotificationKind>(&kind, T, "kind")?,
                    email: Email::parse(&email).map_err(|_| corrupt(T, "email"))?,
                    name: col(row, 3, T, "name")?,
                    token: token.map(SecretString::new),
                    expires_at: expires_at
                        .map(|n| from_ns(n, T, "expires_at"))
                        .transpose()?,
                    locale: locale.parse::<Locale>().map_err(|_| corrupt(T, "locale"))?,
                },
            });
        }
        Ok(out)
    }

    fn count_queued_since(
        &mut self,
        email: &Email,
        kind: NotificationKind,
        since: OffsetDateTime,
    ) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM outbox WHERE email = ?1 AND kind = ?2 AND created_at >= ?3",
            )
            .and_then(|mut s| {
                s.query_row(
                    params![email.as_str(), kind.code(), ns_clamped(since)],
                    |r| r.get(0),
                )
            })
            .map_err(storage("cannot count notifications"))?;
        Ok(n as usize)
    }

    fn acknowledge(&mut self, id: NotificationId) -> Result<()> {
        self.writable()?;
        let unknown = || Error::UnknownNotification { id: id.to_string() };
        let Ok(rowid) = i64::try_from(id.0) else {
            return Err(unknown());
        };
        // With secure_delete, SQLite zeroes the old cell in the page; `write` then truncates the
        // WAL so no earlier image of the page keeps the token.
        let had_token: Option<bool> = self
            .conn
            .prepare_cached("UPDATE outbox SET acked = 1, token = NULL, token_digest = NULL WHERE id = ?1 AND acked = 0 RETURNING ?2")
            .and_then(|mut s| s.query_row(params![rowid, true], |r| r.get(0)).optional())
            .map_err(storage("cannot acknowledge a notification"))?;
        match had_token {
            Some(_) => {
                self.erased = true;
                Ok(())
            }
            None => Err(unknown()),
        }
    }
}

impl SqliteTx<'_> {
    /// Erases the link of the pending notification carrying this token, which is no longer
    /// usable: the mail stays queued, without its link. Marks the transaction, so that the WAL
    /// is truncated after the commit (as after an acknowledgement).
    pub(super) fn erase_links(&mut self, digest: &TokenDigest) -> Result<()> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET token = NULL, token_digest = NULL WHERE token_digest = ?1",
            )
            .and_then(|mut s| s.execute([&digest.as_bytes()[..]]))
            .map_err(storage("cannot erase a link"))?;
        self.erased |= n > 0;
        Ok(())
    }
}
