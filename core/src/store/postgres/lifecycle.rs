//! [`LifecycleRepo`] on PostgreSQL.
//!
//! Each purge batch is one statement: a window of at most `limit` rows in key order from the
//! cursor, the rows of it that match deleted by a data-modifying `WITH`, and the window's count
//! and last key to resume from. A token deleted while still `issued` (past its expiry) erases
//! the link of the pending mail carrying it in the same statement. PostgreSQL keeps deleted row
//! versions until `VACUUM` (see the README).

use super::audit::{AUDIT_COLUMNS, audit_from_row};
use super::tokens::{TOKEN_COLUMNS, token_from_row};
use super::{PostgresTx, col};
use crate::Result;
use crate::account::AccountId;
use crate::audit::StoredAuditEvent;
use crate::email::Email;
use crate::lifecycle::{PurgeBatch, PurgeCursor};
use crate::locale::{Coded, Locale};
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::store::row::{coded, corrupt, from_ns, ns_clamped};
use crate::store::{LifecycleRepo, TokenRecord};
use crate::token::TokenState;
use ::postgres::Row;
use time::OffsetDateTime;

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Reads `(examined, last key, removed)` from a purge statement's row.
fn batch(
    row: &Row,
    limit: usize,
    last: Option<Vec<u8>>,
    table: &'static str,
) -> Result<PurgeBatch> {
    let examined: i64 = col(row, 0, table, "count")?;
    let removed: i64 = col(row, 2, table, "count")?;
    let more = usize::try_from(examined).unwrap_or(0) >= limit;
    Ok(PurgeBatch {
        removed: usize::try_from(removed).unwrap_or(0),
        next: if more { last.map(PurgeCursor) } else { None },
    })
}

impl LifecycleRepo for PostgresTx<'_> {
    fn purge_notifications(
        &mut self,
        before: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        self.serialise()?;
        let from = <[u8; 8]>::try_from(from.0.as_slice()).map_or(0, i64::from_be_bytes);
        let row = self.query_one(
            "WITH win AS (SELECT id, acked, created_at FROM outbox WHERE id > $1
                          ORDER BY id LIMIT $2),
                  gone AS (DELETE FROM outbox o USING win
                           WHERE o.id = win.id AND win.acked AND win.created_at < $3
                           RETURNING o.id)
             SELECT (SELECT count(*) FROM win), (SELECT max(id) FROM win),
                    (SELECT count(*) FROM gone)",
            &[&from, &limit_param(limit), &ns_clamped(before)],
            "cannot purge the outbox",
        )?;
        let last: Option<i64> = col(&row, 1, "outbox", "id")?;
        batch(
            &row,
            limit,
            last.map(|id| id.to_be_bytes().to_vec()),
            "outbox",
        )
    }

    fn purge_tokens(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        self.serialise()?;
        let row = self.query_one(
            "WITH win AS (SELECT digest, state, expires_at FROM tokens WHERE digest > $1
                          ORDER BY digest LIMIT $2),
                  gone AS (DELETE FROM tokens t USING win
                           WHERE t.digest = win.digest
                             AND (win.state <> $3 OR win.expires_at <= $4)
                           RETURNING t.digest, t.state),
                  erased AS (UPDATE outbox SET token = NULL, token_digest = NULL
                             WHERE token_digest IN (SELECT digest FROM gone WHERE state = $3))
             SELECT (SELECT count(*) FROM win), (SELECT digest FROM win ORDER BY digest DESC LIMIT 1),
                    (SELECT count(*) FROM gone)",
            &[
                &from.0.as_slice(),
                &limit_param(limit),
                &TokenState::Issued.code(),
                &ns_clamped(now),
            ],
            "cannot purge tokens",
        )?;
        let last: Option<Vec<u8>> = col(&row, 1, "tokens", "digest")?;
        batch(&row, limit, last, "tokens")
    }

    fn purge_sessions(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        self.serialise()?;
        // Exactly the sessions `SessionRecord::is_valid(now)` refuses (the sum cannot overflow
        // in numeric).
        let row = self.query_one(
            "WITH win AS (SELECT digest, last_seen, idle_ns, expires_at FROM sessions
                          WHERE digest > $1 ORDER BY digest LIMIT $2),
                  gone AS (DELETE FROM sessions s USING win
                           WHERE s.digest = win.digest
                             AND (win.expires_at <= $3
                                  OR win.last_seen::numeric + win.idle_ns <= $3)
                           RETURNING s.digest)
             SELECT (SELECT count(*) FROM win), (SELECT digest FROM win ORDER BY digest DESC LIMIT 1),
                    (SELECT count(*) FROM gone)",
            &[&from.0.as_slice(), &limit_param(limit), &ns_clamped(now)],
            "cannot purge sessions",
        )?;
        let last: Option<Vec<u8>> = col(&row, 1, "sessions", "digest")?;
        batch(&row, limit, last, "sessions")
    }

    fn tokens_of(&mut self, account: AccountId) -> Result<Vec<TokenRecord>> {
        self.serialise()?;
        let rows = self.query(
            &format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE account = $1 ORDER BY issued_at, digest"
            ),
            &[&&account.as_bytes()[..]],
            "cannot read tokens",
        )?;
        rows.iter().map(token_from_row).collect()
    }

    fn notifications_to(&mut self, email: &Email) -> Result<Vec<(Notification, bool)>> {
        self.serialise()?;
        const T: &str = "outbox";
        let rows = self.query(
            "SELECT id, kind, email, name, expires_at, locale, created_at, acked FROM outbox
             WHERE email = $1 ORDER BY id",
            &[&email.as_str()],
            "cannot read the outbox",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = col(row, 0, T, "id")?;
            let kind: &str = col(row, 1, T, "kind")?;
            let to: &str = col(row, 2, T, "email")?;
            let expires_at: Option<i64> = col(row, 4, T, "expires_at")?;
            let locale: &str = col(row, 5, T, "locale")?;
            let n = Notification {
                id: NotificationId(u64::try_from(id).map_err(|_| corrupt(T, "id"))?),
                created_at: from_ns(col(row, 6, T, "created_at")?, T, "created_at")?,
                body: NewNotification {
                    kind: coded::<NotificationKind>(kind, T, "kind")?,
                    email: Email::parse(to).map_err(|_| corrupt(T, "email"))?,
                    name: col(row, 3, T, "name")?,
                    token: None,
                    expires_at: expires_at
                        .map(|n| from_ns(n, T, "expires_at"))
                        .transpose()?,
                    locale: locale.parse::<Locale>().map_err(|_| corrupt(T, "locale"))?,
                },
            };
            out.push((n, col(row, 7, T, "acked")?));
        }
        Ok(out)
    }

    fn audit_about(&mut self, account: AccountId) -> Result<Vec<StoredAuditEvent>> {
        self.serialise()?;
        let rows = self.query(
            &format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a WHERE a.actor = $1 OR a.subject = $1
                 ORDER BY a.seq"
            ),
            &[&&account.as_bytes()[..]],
            "cannot read the audit log",
        )?;
        rows.iter().map(audit_from_row).collect()
    }
}
