//! [`OutboxRepo`] on PostgreSQL: the notifications queued in the transaction of the change they
//! announce, until the host acknowledges them.
//!
//! Acknowledging sets the link token to NULL, and so does the end of its token (see `tokens`,
//! which finds the mail by the token's digest, kept beside it); PostgreSQL keeps the old row
//! version until `VACUUM`, and the WAL keeps it until recycled (see the README).

use super::{PostgresTx, col};
use crate::email::Email;
use crate::locale::{Coded, Locale};
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::secret::SecretString;
use crate::store::OutboxRepo;
use crate::store::row::{coded, corrupt, from_ns, ns_clamped};
use crate::token::TokenDigest;
use crate::{Error, Result};
use time::OffsetDateTime;

impl OutboxRepo for PostgresTx<'_> {
    fn queue(&mut self, n: &NewNotification, at: OffsetDateTime) -> Result<NotificationId> {
        self.writable()?;
        self.serialise()?;
        let digest = (n.token.as_ref()).map(|t| TokenDigest::of_text(t.expose()));
        let row = self.query_one(
            "INSERT INTO outbox
             (kind, email, name, token, expires_at, locale, created_at, token_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                &n.kind.code(),
                &n.email.as_str(),
                &n.name,
                &n.token.as_ref().map(SecretString::expose),
                &n.expires_at.map(ns_clamped),
                &n.locale.code(),
                &ns_clamped(at),
                &digest.as_ref().map(|d| &d.as_bytes()[..]),
            ],
            "cannot queue a notification",
        )?;
        let id: i64 = col(&row, 0, "outbox", "id")?;
        Ok(NotificationId(
            u64::try_from(id).map_err(|_| corrupt("outbox", "id"))?,
        ))
    }

    fn pending(&mut self, limit: usize) -> Result<Vec<Notification>> {
        self.serialise()?;
        const T: &str = "outbox";
        let rows = self.query(
            "SELECT id, kind, email, name, token, expires_at, locale, created_at FROM outbox
             WHERE NOT acked ORDER BY id LIMIT $1",
            &[&i64::try_from(limit).unwrap_or(i64::MAX)],
            "cannot read the outbox",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = col(row, 0, T, "id")?;
            let kind: &str = col(row, 1, T, "kind")?;
            let email: &str = col(row, 2, T, "email")?;
            let token: Option<&str> = col(row, 4, T, "token")?;
            let expires_at: Option<i64> = col(row, 5, T, "expires_at")?;
            let locale: &str = col(row, 6, T, "locale")?;
            out.push(Notification {
                id: NotificationId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
                created_at: from_ns(col(row, 7, T, "created_at")?, T, "created_at")?,
                body: NewNotification {
                    kind: coded::<NotificationKind>(kind, T, "kind")?,
                    email: Email::parse(email).map_err(|_| corrupt(T, "email"))?,
                    name: col(row, 3, T, "name")?,
                    token: token.map(SecretString::from),
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
        self.serialise()?;
        self.count(
            "SELECT count(*) FROM outbox WHERE email = $1 AND kind = $2 AND created_at >= $3",
            &[&email.as_str(), &kind.code(), &ns_clamped(since)],
            "cannot count notifications",
        )
    }

    fn acknowledge(&mut self, id: NotificationId) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let unknown = || Error::UnknownNotification { id: id.to_string() };
        let Ok(rowid) = i64::try_from(id.0) else {
            return Err(unknown());
        };
        let done = self.query_opt(
            "UPDATE outbox SET acked = true, token = NULL, token_digest = NULL
             WHERE id = $1 AND NOT acked RETURNING id",
            &[&rowid],
            "cannot acknowledge a notification",
        )?;
        match done {
            Some(_) => Ok(()),
            None => Err(unknown()),
        }
    }
}
