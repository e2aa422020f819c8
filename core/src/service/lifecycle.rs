//! Data lifecycle (RGPD): `run_maintenance` (retention) and `export_account` (right of access).

use super::Portal;
use crate::account::{AccountDetail, AccountId};
use crate::clock::Clock;
use crate::lifecycle::{
    AccountExport, AuditEventExport, LinkExport, MaintenanceReport, NotificationExport, PurgeBatch,
    PurgeCursor, SecurityExport, SessionExport,
};
use crate::store::{AccountRepo, LifecycleRepo, SessionRepo, Store};
use crate::{Error, Result};
use std::time::Instant;

impl<S: Store, C: Clock> Portal<S, C> {
    /// Removes what no rule needs any more, by the rules of
    /// [`PortalConfig::retention`](super::PortalConfig::retention): acknowledged mails queued
    /// longer ago than `retention.acknowledged_mails` (30 days by default, never less than the
    /// mail rate-limit window, so the rate limits count the same), link tokens that are used,
    /// superseded, revoked or expired, and sessions past their expiry or idle timeout (which
    /// every flow answers exactly as unknown ones). Says how many of each went.
    ///
    /// It works in batches of `retention.batch` rows, each in its own write transaction, so
    /// that other writers wait for one batch at most; a host runs it from a timer. On SQLite the
    /// removed rows are zeroed in the file, and the WAL is truncated once the run ends (the
    /// batches commit without waiting for the disk; the run ends durable).
    ///
    /// ```
    /// use dealer_portal::service::{Portal, PortalConfig};
    /// let portal = Portal::in_memory(PortalConfig::for_tests())?;
    /// let report = portal.run_maintenance()?;
    /// assert_eq!(report.total(), 0);
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn run_maintenance(&self) -> Result<MaintenanceReport> {
        traced!("run_maintenance", || {
            let now = self.now();
            let retention = self.config.retention;
            let before = now.saturating_sub(retention.acknowledged_mails);
            let limit = retention.batch;
            let mut report = MaintenanceReport::default();
            let mut purges = || -> Result<()> {
                report.notifications_purged = self.purge(&mut report, |tx, from| {
                    tx.purge_notifications(before, from, limit)
                })?;
                report.tokens_purged =
                    self.purge(&mut report, |tx, from| tx.purge_tokens(now, from, limit))?;
                report.sessions_purged =
                    self.purge(&mut report, |tx, from| tx.purge_sessions(now, from, limit))?;
                Ok(())
            };
            let purged = purges();
            // Also after a failed batch: what the batches before it removed is made durable
            // and leaves the store's logs.
            let finished = self.store.purge_checkpoint(true);
            purged.and(finished).map(|()| report)
        })
    }

    /// Runs one purge to its end, one write transaction per batch; how many rows it removed.
    fn purge(
        &self,
        report: &mut MaintenanceReport,
        batch: impl Fn(&mut S::Tx<'_>, &PurgeCursor) -> Result<PurgeBatch>,
    ) -> Result<u64> {
        let mut from = PurgeCursor::START;
        let mut removed = 0u64;
        loop {
            self.store.purge_checkpoint(false)?;
            let started = Instant::now();
            let b = self.store.write_purge(|tx| batch(tx, &from))?;
            report.batches += 1;
            report.longest_batch = report.longest_batch.max(started.elapsed());
            removed += b.removed as u64;
            match b.next {
                Some(next) => from = next,
                None => return Ok(removed),
            }
        }
    }

    /// Everything the store holds about an account, as JSON ([`AccountExport`]'s fields):
    /// profile and rights, password and lockout state (never a hash), sessions (their opaque
    /// ids, never tokens or digests), links (purpose and state, never the token or its digest),
    /// the mails queued for its address (never their link) and the audit events done by it or
    /// to it. Oneself, or a manager who can read the account (the answers of
    /// [`account`](Self::account): [`Error::UnknownAccount`] for an account the actor cannot
    /// list). The export is the person's right of access: a manager asking for them gets the
    /// whole document.
    ///
    /// ```
    /// use dealer_portal::service::{Portal, PortalConfig};
    /// use dealer_portal::account::Declaration;
    /// use dealer_portal::establishment::Establishment;
    /// let portal = Portal::in_memory(PortalConfig::for_tests())?;
    /// let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None)?;
    /// let decl = Declaration::new("admin@garage-xyz.fr", "Geloen", "Alexandre", "Gérant")?;
    /// let admin = portal.declare_administrator(&decl, &[garage])?;
    /// portal.request_password_reset(&decl.email)?;
    /// let token = portal.pending_notifications()?.pop().unwrap().body.token.unwrap();
    /// portal.complete_password_reset(token.expose(), "admin@garage-xyz.fr",
    ///     "Garage-XYZ-2026!", "Garage-XYZ-2026!")?;
    /// let session = portal.login("admin@garage-xyz.fr", "Garage-XYZ-2026!", false)?;
    /// let json = portal.export_account(session.token.expose(), admin)?;
    /// let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    /// assert_eq!(doc["profile"]["email"], "admin@garage-xyz.fr");
    /// assert!(!json.contains(session.token.expose()));
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn export_account(&self, session_token: &str, id: AccountId) -> Result<String> {
        traced!("export_account", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            let export = self.store.read(|tx| {
                let (a, rights) = if id == actor.account.id {
                    let a = tx.account(id)?.ok_or(Error::SessionInvalid)?;
                    let r = tx.rights(id)?;
                    (a, r)
                } else {
                    self.target(tx, &actor.rights, id)?
                };
                let sessions = tx.sessions_of(a.id)?;
                let links = tx.tokens_of(a.id)?;
                let mails = tx.notifications_to(&a.email)?;
                let audit = tx.audit_about(a.id)?;
                Ok(AccountExport {
                    format: AccountExport::FORMAT,
                    exported_at: now,
                    security: SecurityExport {
                        password_set: a.password.is_some(),
                        previous_passwords_kept: a.previous_passwords.len(),
                        failed_logins: a.failed_logins,
                        lockouts: a.lockouts,
                        locked_until: a.locked_until,
                        locale: a.locale,
                        role: a.role,
                    },
                    profile: AccountDetail::of(&a, rights),
                    sessions: (sessions.iter())
                        .map(|s| SessionExport {
                            id: s.id(),
                            created_at: s.created_at,
                            last_seen_at: s.last_seen,
                            expires_at: s.expiry(),
                            remembered: s.remembered,
                            establishment: s.establishment.clone(),
                        })
                        .collect(),
                    links: (links.into_iter())
                        .map(|t| LinkExport {
                            purpose: t.lifecycle.purpose,
                            state: t.lifecycle.effective_state(now),
                            issued_at: t.lifecycle.issued_at,
                            expires_at: t.lifecycle.expires_at,
                            new_email: t.email,
                        })
                        .collect(),
                    notifications: (mails.into_iter())
                        .map(|(n, acknowledged)| NotificationExport {
                            id: n.id,
                            kind: n.body.kind,
                            email: n.body.email,
                            name: n.body.name,
                            created_at: n.created_at,
                            expires_at: n.body.expires_at,
                            acknowledged,
                        })
                        .collect(),
                    audit: (audit.into_iter())
                        .map(|e| AuditEventExport {
                            seq: e.seq,
                            at: e.event.at,
                            action: e.event.action,
                            actor: e.event.actor,
                            subject: e.event.subject,
                            establishments: e.event.establishments,
                            details: e.event.details,
                        })
                        .collect(),
                })
            })?;
            export.to_json()
        })
    }
}
