//! The outbox and the audit log as the host sees them.

use super::{Portal, existing_establishment};
use crate::audit::{
    AuditAction, AuditEvent, AuditHead, AuditScheme, NewAuditEvent, check_head, head_of,
    verify_chain,
};
use crate::clock::Clock;
use crate::establishment::EstablishmentCode;
use crate::notification::{Notification, NotificationId};
use crate::rights::Right;
use crate::store::{AuditRepo, OutboxRepo, Store};
use crate::{Error, Result};

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- outbox and audit -----

    /// Notifications waiting to be sent, oldest first (at most 1,000 at a time).
    pub fn pending_notifications(&self) -> Result<Vec<Notification>> {
        traced!("pending_notifications", || {
            self.store.read(|tx| tx.pending(1000))
        })
    }

    /// Marks a notification sent; its link token is erased from the store.
    pub fn acknowledge_notification(&self, id: NotificationId) -> Result<()> {
        traced!("acknowledge_notification", || {
            self.store.write(|tx| tx.acknowledge(id))
        })
    }

    /// The audit log of an establishment the actor manages, newest first.
    pub fn audit_log<'a>(
        &self,
        session_token: &str,
        establishment: impl Into<Option<&'a EstablishmentCode>>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<AuditEvent>> {
        traced!("audit_log", || {
            let actor = self.actor(session_token)?;
            let code = &actor.establishment_or_connected(establishment.into())?;
            if limit == 0 || limit > 500 {
                return Err(Error::InvalidQuery {
                    reason: format!("limit must be 1 to 500, got {limit}"),
                });
            }
            self.store.read(|tx| {
                existing_establishment(tx, code)?;
                if !actor.rights.rights_on(code).contains(Right::ManageAccounts) {
                    return Err(Right::ManageAccounts.missing_on(code));
                }
                Ok(tx
                    .audit_for(code, offset, limit)?
                    .iter()
                    .map(|e| e.to_public())
                    .collect())
            })
        })
    }

    /// The end of the audit chain: the last event's position and hash, for a host to record
    /// elsewhere and give back to [`verify_audit_chain`](Self::verify_audit_chain) later
    /// (`seq` 0 for an empty log).
    ///
    /// ```
    /// use dealer_portal::service::{Portal, PortalConfig};
    /// let portal = Portal::in_memory(PortalConfig::for_tests())?;
    /// let head = portal.audit_head()?;
    /// assert_eq!(head.seq, 0);
    /// assert_eq!(portal.verify_audit_chain(Some(&head))?, 0);
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn audit_head(&self) -> Result<AuditHead> {
        traced!("audit_head", || {
            Ok(head_of(self.store.read(|tx| tx.audit_last())?.as_ref()))
        })
    }

    /// Proves the audit log was not edited: recomputes the chain (under the configured
    /// `audit_key` for keyed events) and returns the number of events. With `expected_head` (a
    /// head recorded earlier), it also checks that the log still holds that event with that
    /// hash, so a cut tail or a log rewritten from scratch is caught. Any failure is
    /// [`Error::AuditChainBroken`](crate::Error::AuditChainBroken), whose message says which
    /// event and why (edited, cut, re-chained, the key missing or not the one that chained it).
    ///
    /// ```
    /// use dealer_portal::audit::AuditHead;
    /// use dealer_portal::service::{Portal, PortalConfig};
    /// let portal = Portal::in_memory(PortalConfig::for_tests())?;
    /// assert_eq!(portal.verify_audit_chain(None)?, 0);
    /// let past_the_end = AuditHead::new(3, "0".repeat(64));
    /// let err = portal.verify_audit_chain(Some(&past_the_end)).unwrap_err();
    /// assert_eq!(err.code(), "AUDIT_CHAIN_BROKEN");
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn verify_audit_chain(&self, expected_head: Option<&AuditHead>) -> Result<usize> {
        traced!("verify_audit_chain", || {
            let all = self.store.read(|tx| tx.audit_all())?;
            verify_chain(&all, self.config.audit_key.as_ref())?;
            if let Some(head) = expected_head {
                check_head(&all, head)?;
            }
            Ok(all.len())
        })
    }

    /// Gives the store the configured audit key; with a key, if the log ends with an event
    /// chained without it (a store that ran unkeyed until now), appends a keyed
    /// [`AuditAction::AuditChainKeyed`], so that a keyed log always ends with a keyed event and
    /// a tail re-chained without the key shows.
    pub(super) fn key_audit_chain(&self) -> Result<()> {
        self.store.set_audit_key(self.config.audit_key.clone());
        if self.config.audit_key.is_none() {
            return Ok(());
        }
        let now = self.now();
        self.store.write(|tx| {
            if tx
                .audit_last()?
                .is_some_and(|last| last.scheme != AuditScheme::HmacSha256)
            {
                tx.append(&NewAuditEvent::new(now, AuditAction::AuditChainKeyed))?;
            }
            Ok(())
        })
    }
}
