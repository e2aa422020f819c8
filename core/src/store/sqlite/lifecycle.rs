//! [`LifecycleRepo`] on SQLite.
//!
//! Each purge batch takes the next `limit` keys of its table in key order from the cursor (the
//! digest for tokens and sessions, the id for the outbox), reading keys only, then removes the
//! rows of that key range that match with one set-based statement (and, for tokens, erases the
//! links of expired issued tokens from pending mails with one more): a batch costs the same
//! whatever share of the table is live, and the write lock is held for one batch only. A row is
//! removed exactly when the Rust rule refuses it (`TokenLifecycle::is_usable`,
//! `SessionRecord::is_valid`, an acknowledged mail older than the retention), written in SQL.
//! `secure_delete` zeroes the deleted cells. The last batch of a purge marks its
//! transaction so that [`Store::write`](crate::store::Store::write) checkpoints and truncates the
//! WAL after the commit, as after an acknowledgement: no older page image of the removed rows
//! is left, without a checkpoint per batch. (A link erased from a pending mail marks its own
//! batch, as everywhere else.) `run_maintenance` runs them through
//! [`Store::write_purge`](crate::store::Store::write_purge) instead, on a file: on the purge
//! connection of `maintenance.rs`, which ignores those marks and truncates the WAL once, at the
//! end of the run.

use super::audit::{AUDIT_COLUMNS, audit_from_row};
use super::tokens::{TOKEN_COLUMNS, token_from_row};
use super::{SqliteTx, col, storage};
use crate::Result;
use crate::account::AccountId;
use crate::audit::StoredAuditEvent;
use crate::email::Email;
use crate::lifecycle::{PurgeBatch, PurgeCursor};
use crate::locale::Locale;
use crate::notification::{NewNotification, Notification, NotificationId, NotificationKind};
use crate::store::row::{coded, corrupt, from_ns, ns_clamped};
use crate::store::{LifecycleRepo, TokenRecord};
use rusqlite::params;
use time::OffsetDateTime;

/// The tokens `TokenLifecycle::is_usable(now)` refuses, `?3` being `now`.
const TOKEN_ENDED: &str = "(state <> 'issued' OR expires_at <= ?3)";
/// The sessions `SessionRecord::is_valid(now)` refuses, `?3` being `now` (the sum cannot
/// overflow before the year 2262; past it SQLite compares a real, still above now).
const SESSION_ENDED: &str = "(expires_at <= ?3 OR last_seen + idle_ns <= ?3)";

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The cursor of the outbox: the last id examined, big-endian.
fn outbox_from(from: &PurgeCursor) -> i64 {
    <[u8; 8]>::try_from(from.0.as_slice()).map_or(0, i64::from_be_bytes)
}

impl SqliteTx<'_> {
    /// The batch starting after `from` in `table`'s key order: how many rows it holds (at most
    /// `limit`) and its last key. Reads keys only; the deletion is then one statement over the
    /// range, not one per row.
    pub(super) fn batch_range<K: rusqlite::types::FromSql>(
        &mut self,
        table: &str,
        key: &str,
        from: &dyn rusqlite::ToSql,
        limit: usize,
    ) -> Result<(usize, Option<K>)> {
        let (n, last): (i64, Option<K>) = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*), max({key}) FROM
                 (SELECT {key} FROM {table} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2)"
            ))
            .and_then(|mut s| {
                s.query_row(params![from, limit_param(limit)], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .map_err(storage("cannot read a purge batch"))?;
        Ok((usize::try_from(n).unwrap_or(0), last))
    }
}

impl SqliteTx<'_> {
    /// Where the next batch starts; at the last batch, the WAL is to be truncated after the
    /// commit, so that no page image of the purge's rows outlives it.
    fn next_after(
        &mut self,
        examined: usize,
        limit: usize,
        last: Option<Vec<u8>>,
    ) -> Option<PurgeCursor> {
        let next = if examined < limit {
            None
        } else {
            last.map(PurgeCursor)
        };
        self.erased |= next.is_none();
        next
    }
}

impl LifecycleRepo for SqliteTx<'_> {
    fn purge_notifications(
        &mut self,
        before: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        let (examined, last) =
            self.batch_range::<i64>("outbox", "id", &outbox_from(from), limit)?;
        let removed = match last {
            None => 0,
            Some(last) => self
                .conn
                .prepare_cached(
                    "DELETE FROM outbox WHERE id > ?1 AND id <= ?2 AND acked <> 0
                     AND created_at < ?3",
                )
                .and_then(|mut s| s.execute(params![outbox_from(from), last, ns_clamped(before)]))
                .map_err(storage("cannot purge the outbox"))?,
        };
        let next = self.next_after(examined, limit, last.map(|id| id.to_be_bytes().to_vec()));
        Ok(PurgeBatch { removed, next })
    }

    fn purge_tokens(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        let now = ns_clamped(now);
        if let Some(batch) = self.set_aside_step("tokens", TOKEN_ENDED, from, now, limit)? {
            return Ok(batch);
        }
        let (examined, last) =
            self.batch_range::<Vec<u8>>("tokens", "digest", &from.0.as_slice(), limit)?;
        let removed = match &last {
            None => 0,
            Some(last) => {
                // An issued token past its expiry may still have its link in a pending mail:
                // erased first (few rows: the partial index holds pending links only).
                let links = self
                    .conn
                    .prepare_cached(
                        "UPDATE outbox SET token = NULL, token_digest = NULL
                         WHERE token_digest IN (SELECT digest FROM tokens
                           WHERE digest > ?1 AND digest <= ?2 AND state = 'issued'
                           AND expires_at <= ?3)",
                    )
                    .and_then(|mut s| s.execute(params![from.0.as_slice(), last, now]))
                    .map_err(storage("cannot erase a link"))?;
                self.erased |= links > 0;
                // Exactly the tokens `TokenLifecycle::is_usable(now)` refuses.
                self.conn
                    .prepare_cached(&format!(
                        "DELETE FROM tokens WHERE digest > ?1 AND digest <= ?2 AND {TOKEN_ENDED}"
                    ))
                    .and_then(|mut s| s.execute(params![from.0.as_slice(), last, now]))
                    .map_err(storage("cannot purge tokens"))?
            }
        };
        let next = self.next_after(examined, limit, last);
        if next.is_none() {
            self.restore_index("tokens")?;
        }
        Ok(PurgeBatch { removed, next })
    }

    fn purge_sessions(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        let now = ns_clamped(now);
        if let Some(batch) = self.set_aside_step("sessions", SESSION_ENDED, from, now, limit)? {
            return Ok(batch);
        }
        let (examined, last) =
            self.batch_range::<Vec<u8>>("sessions", "digest", &from.0.as_slice(), limit)?;
        let removed = match &last {
            None => 0,
            Some(last) => self
                .conn
                .prepare_cached(&format!(
                    "DELETE FROM sessions WHERE digest > ?1 AND digest <= ?2 \
                         AND {SESSION_ENDED}"
                ))
                .and_then(|mut s| s.execute(params![from.0.as_slice(), last, now]))
                .map_err(storage("cannot purge sessions"))?,
        };
        let next = self.next_after(examined, limit, last);
        if next.is_none() {
            self.restore_index("sessions")?;
        }
        Ok(PurgeBatch { removed, next })
    }

    fn tokens_of(&mut self, account: AccountId) -> Result<Vec<TokenRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE account = ?1 ORDER BY issued_at, digest"
            ))
            .map_err(storage("cannot read tokens"))?;
        let mut rows = stmt
            .query([&account.as_bytes()[..]])
            .map_err(storage("cannot read tokens"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read tokens"))? {
            out.push(token_from_row(row)?);
        }
        Ok(out)
    }

    fn notifications_to(&mut self, email: &Email) -> Result<Vec<(Notification, bool)>> {
        const T: &str = "outbox";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, kind, email, name, expires_at, locale, created_at, acked FROM outbox
                 WHERE email = ?1 ORDER BY id",
            )
            .map_err(storage("cannot read the outbox"))?;
        let mut rows = stmt
            .query([email.as_str()])
            .map_err(storage("cannot read the outbox"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the outbox"))? {
            let id: i64 = col(row, 0, T, "id")?;
            let kind: String = col(row, 1, T, "kind")?;
            let to: String = col(row, 2, T, "email")?;
            let expires_at: Option<i64> = col(row, 4, T, "expires_at")?;
            let locale: String = col(row, 5, T, "locale")?;
            let n = Notification {
                id: NotificationId(id as u64),
                created_at: from_ns(col(row, 6, T, "created_at")?, T, "created_at")?,
                body: NewNotification {
                    kind: coded::<NotificationKind>(&kind, T, "kind")?,
                    email: Email::parse(&to).map_err(|_| corrupt(T, "email"))?,
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
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit a WHERE a.actor = ?1 OR a.subject = ?1
                 ORDER BY a.seq"
            ))
            .map_err(storage("cannot read the audit log"))?;
        let mut rows = stmt
            .query([&account.as_bytes()[..]])
            .map_err(storage("cannot read the audit log"))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(storage("cannot read the audit log"))? {
            out.push(audit_from_row(row)?);
        }
        Ok(out)
    }
}
