//! The outbox and the audit log as the host sees them.

use super::{Portal, existing_establishment};
use crate::audit::{AuditEvent, verify_chain};
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
        self.store.read(|tx| tx.pending(1000))
    }

    /// Marks a notification sent; its link token is erased from the store.
    pub fn acknowledge_notification(&self, id: NotificationId) -> Result<()> {
        self.store.write(|tx| tx.acknowledge(id))
    }

    /// The audit log of an establishment the actor manages, newest first.
    pub fn audit_log<'a>(
        &self,
        session_token: &str,
        establishment: impl Into<Option<&'a EstablishmentCode>>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<AuditEvent>> {
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
    }

    /// Proves the audit log was not edited: recomputes the chain; returns the number of events.
    pub fn verify_audit_chain(&self) -> Result<usize> {
        let all = self.store.read(|tx| tx.audit_all())?;
        verify_chain(&all)?;
        Ok(all.len())
    }
}
