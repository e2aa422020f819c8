//! [`AuditRepo`] on the memory store: the log as a vector, chained under the store's key.

use super::MemoryTx;
use crate::Result;
use crate::audit::{AuditScheme, GENESIS, NewAuditEvent, StoredAuditEvent, scheme_hash};
use crate::establishment::EstablishmentCode;
use crate::store::AuditRepo;

impl AuditRepo for MemoryTx<'_> {
    fn append(&mut self, e: &NewAuditEvent) -> Result<u64> {
        self.writable()?;
        let prev = self.st.audit.last().map_or(GENESIS, |l| l.hash);
        let seq = self.st.audit.len() as u64 + 1;
        let key = self.st.audit_key.as_ref();
        let scheme = key.map_or(AuditScheme::Sha256, |_| AuditScheme::HmacSha256);
        let hash = scheme_hash(scheme, key, &prev, seq, e).expect("a key for a keyed scheme");
        self.st.audit.push(StoredAuditEvent {
            seq,
            event: e.clone(),
            prev_hash: prev,
            hash,
            scheme,
        });
        self.journal(|st| {
            st.audit.pop();
        });
        Ok(seq)
    }

    fn audit_for(
        &mut self,
        establishment: &EstablishmentCode,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<StoredAuditEvent>> {
        Ok(self
            .st
            .audit
            .iter()
            .rev()
            .filter(|e| e.event.establishments.contains(establishment))
            .skip(offset)
            .take(limit)
            .cloned()
            .collect())
    }

    fn audit_all(&mut self) -> Result<Vec<StoredAuditEvent>> {
        Ok(self.st.audit.clone())
    }

    fn audit_last(&mut self) -> Result<Option<StoredAuditEvent>> {
        Ok(self.st.audit.last().cloned())
    }
}

impl MemoryTx<'_> {
    /// Test support: the log itself, to edit it as an intruder with write access would.
    #[doc(hidden)]
    pub fn audit_log_mut(&mut self) -> &mut Vec<StoredAuditEvent> {
        &mut self.st.audit
    }
}
