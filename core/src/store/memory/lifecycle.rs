//! [`LifecycleRepo`] in memory. Nothing here holds a lock another process waits for, so a purge
//! batch ignores the cursor and removes up to `limit` matching rows, answering
//! [`PurgeCursor::START`] as long as it may have left some.

use super::{MemoryTx, State};
use crate::Result;
use crate::account::AccountId;
use crate::audit::StoredAuditEvent;
use crate::email::Email;
use crate::lifecycle::{PurgeBatch, PurgeCursor};
use crate::notification::Notification;
use crate::store::{LifecycleRepo, TokenRecord};
use crate::token::{TokenDigest, TokenState};
use time::OffsetDateTime;

fn batch(removed: usize, limit: usize) -> PurgeBatch {
    PurgeBatch {
        removed,
        next: (removed >= limit).then_some(PurgeCursor::START),
    }
}

impl LifecycleRepo for MemoryTx<'_> {
    fn purge_notifications(
        &mut self,
        before: OffsetDateTime,
        _from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        let gone: Vec<_> = self
            .st
            .outbox
            .iter()
            .filter(|(_, (n, acked))| *acked && n.created_at < before)
            .map(|(id, _)| *id)
            .take(limit)
            .collect();
        let rows: Vec<_> = gone
            .iter()
            .filter_map(|id| self.st.outbox.remove(id).map(|row| (*id, row)))
            .collect();
        let n = rows.len();
        self.journal(move |st: &mut State| st.outbox.extend(rows));
        Ok(batch(n, limit))
    }

    fn purge_tokens(
        &mut self,
        now: OffsetDateTime,
        _from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        // `extract_if` stops removing where `take` stops reading: at most `limit` rows go.
        let rows: Vec<(TokenDigest, TokenRecord)> = (self.st.tokens)
            .extract_if(|_, t| !t.lifecycle.is_usable(now))
            .take(limit)
            .collect();
        // An issued token past its expiry may still have its link in a pending mail.
        let issued: Vec<TokenDigest> = (rows.iter())
            .filter(|(_, t)| t.lifecycle.state == TokenState::Issued)
            .map(|(d, _)| *d)
            .collect();
        self.erase_links(&issued);
        let n = rows.len();
        self.journal(move |st: &mut State| st.tokens.extend(rows));
        Ok(batch(n, limit))
    }

    fn purge_sessions(
        &mut self,
        now: OffsetDateTime,
        _from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch> {
        self.writable()?;
        let rows: Vec<_> = (self.st.sessions)
            .extract_if(|_, s| !s.is_valid(now))
            .take(limit)
            .collect();
        let n = rows.len();
        self.journal(move |st: &mut State| st.sessions.extend(rows));
        Ok(batch(n, limit))
    }

    fn tokens_of(&mut self, account: AccountId) -> Result<Vec<TokenRecord>> {
        let mut out: Vec<TokenRecord> = (self.st.tokens.values())
            .filter(|t| t.account == account)
            .cloned()
            .collect();
        out.sort_by(|a, b| {
            (a.lifecycle.issued_at, a.digest.as_bytes())
                .cmp(&(b.lifecycle.issued_at, b.digest.as_bytes()))
        });
        Ok(out)
    }

    fn notifications_to(&mut self, email: &Email) -> Result<Vec<(Notification, bool)>> {
        Ok((self.st.outbox.values())
            .filter(|(n, _)| &n.body.email == email)
            .map(|(n, acked)| {
                let mut n = n.clone();
                n.body.token = None;
                (n, *acked)
            })
            .collect())
    }

    fn audit_about(&mut self, account: AccountId) -> Result<Vec<StoredAuditEvent>> {
        Ok((self.st.audit.iter())
            .filter(|e| e.event.actor == Some(account) || e.event.subject == Some(account))
            .cloned()
            .collect())
    }
}
