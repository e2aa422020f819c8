//! [`LifecycleRepo`] on SQLite.
//!
//! Each purge batch walks its table in key order from the cursor (the digest for tokens and
//! sessions, the id for the outbox), reads at most `limit` rows, and deletes the ones that match:
//! a batch costs the same whatever share of the table is live, and the write lock is held for
//! one batch only. `secure_delete` zeroes the deleted cells. The last batch of a purge marks its
//! transaction so that [`Store::write`](crate::store::Store::write) checkpoints and truncates the
//! WAL after the commit, as after an acknowledgement: no older page image of the removed rows
//! is left, without a checkpoint per batch. (A link erased from a pending mail marks its own
//! batch, as everywhere else.)

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
use crate::store::row::{coded, corrupt, digest, from_ns, ns_clamped};
use crate::store::{LifecycleRepo, TokenRecord};
use crate::token::{TokenDigest, TokenState};
use rusqlite::params;
use time::OffsetDateTime;

fn limit_param(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The cursor of the outbox: the last id examined, big-endian.
fn outbox_from(from: &PurgeCursor) -> i64 {
    <[u8; 8]>::try_from(from.0.as_slice()).map_or(0, i64::from_be_bytes)
}

impl SqliteTx<'_> {
    /// Deletes the rows of `table` whose `digest` is in `gone`.
    fn delete_by_digest(&mut self, table: &str, gone: &[TokenDigest]) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("DELETE FROM {table} WHERE digest = ?1"))
            .map_err(storage("cannot purge"))?;
        for d in gone {
            stmt.execute([&d.as_bytes()[..]])
                .map_err(storage("cannot purge"))?;
        }
        Ok(())
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
        const T: &str = "outbox";
        let mut examined = 0;
        let mut last = None;
        let mut gone = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id, acked, created_at FROM outbox WHERE id > ?1 ORDER BY id LIMIT ?2",
                )
                .map_err(storage("cannot read the outbox"))?;
            let mut rows = stmt
                .query(params![outbox_from(from), limit_param(limit)])
                .map_err(storage("cannot read the outbox"))?;
            let before = ns_clamped(before);
            while let Some(row) = rows.next().map_err(storage("cannot read the outbox"))? {
                examined += 1;
                let id: i64 = col(row, 0, T, "id")?;
                let acked: bool = col(row, 1, T, "acked")?;
                let created_at: i64 = col(row, 2, T, "created_at")?;
                last = Some(id);
                if acked && created_at < before {
                    gone.push(id);
                }
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM outbox WHERE id = ?1")
            .map_err(storage("cannot purge the outbox"))?;
        for id in &gone {
            stmt.execute([id])
                .map_err(storage("cannot purge the outbox"))?;
        }
        drop(stmt);
        let next = self.next_after(examined, limit, last.map(|id| id.to_be_bytes().to_vec()));
        Ok(PurgeBatch {
            removed: gone.len(),
            next,
        })
    }

    fn purge_tokens(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        const T: &str = "tokens";
        let now = ns_clamped(now);
        let (mut examined, mut last) = (0, None);
        let (mut gone, mut issued) = (Vec::new(), Vec::new());
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT digest, state, expires_at FROM tokens WHERE digest > ?1
                     ORDER BY digest LIMIT ?2",
                )
                .map_err(storage("cannot read tokens"))?;
            let mut rows = stmt
                .query(params![from.0.as_slice(), limit_param(limit)])
                .map_err(storage("cannot read tokens"))?;
            while let Some(row) = rows.next().map_err(storage("cannot read tokens"))? {
                examined += 1;
                let d: Vec<u8> = col(row, 0, T, "digest")?;
                let state: String = col(row, 1, T, "state")?;
                let expires_at: i64 = col(row, 2, T, "expires_at")?;
                let dg = digest(&d, T, "digest")?;
                last = Some(d);
                let state = coded::<TokenState>(&state, T, "state")?;
                // Exactly the tokens `TokenLifecycle::is_usable(now)` refuses.
                if state != TokenState::Issued || now >= expires_at {
                    if state == TokenState::Issued {
                        issued.push(dg);
                    }
                    gone.push(dg);
                }
            }
        }
        // An issued token past its expiry may still have its link in a pending mail.
        for d in &issued {
            self.erase_links(d)?;
        }
        self.delete_by_digest("tokens", &gone)?;
        let next = self.next_after(examined, limit, last);
        Ok(PurgeBatch {
            removed: gone.len(),
            next,
        })
    }

    fn purge_sessions(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        const T: &str = "sessions";
        let now = ns_clamped(now);
        let (mut examined, mut last, mut gone) = (0, None, Vec::new());
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT digest, last_seen, idle_ns, expires_at FROM sessions
                     WHERE digest > ?1 ORDER BY digest LIMIT ?2",
                )
                .map_err(storage("cannot read sessions"))?;
            let mut rows = stmt
                .query(params![from.0.as_slice(), limit_param(limit)])
                .map_err(storage("cannot read sessions"))?;
            while let Some(row) = rows.next().map_err(storage("cannot read sessions"))? {
                examined += 1;
                let d: Vec<u8> = col(row, 0, T, "digest")?;
                let last_seen: i64 = col(row, 1, T, "last_seen")?;
                let idle: i64 = col(row, 2, T, "idle_ns")?;
                let expires_at: i64 = col(row, 3, T, "expires_at")?;
                let dg = digest(&d, T, "digest")?;
                last = Some(d);
                // Exactly the sessions `SessionRecord::is_valid(now)` refuses.
                if expires_at <= now || last_seen.saturating_add(idle) <= now {
                    gone.push(dg);
                }
            }
        }
        self.delete_by_digest("sessions", &gone)?;
        let next = self.next_after(examined, limit, last);
        Ok(PurgeBatch {
            removed: gone.len(),
            next,
        })
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
