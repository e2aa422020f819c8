//! The audit chain's head and verification, and the erasure of an account (second release).

use super::Portal;
use crate::convert::{count, to_account_id};
use crate::error::Result;
use dealer_portal::audit;

/// The end of the audit chain: the last event's position (`seq`, 0 for an empty log) and hash
/// (64 hex digits). Record it outside the store and give it back to `verify_audit_chain` to
/// detect a cut tail or a rewritten log. Not a secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditHead {
    /// The last event's position (0: no event).
    pub seq: u64,
    /// Its hash, 64 hex digits.
    pub hash: String,
}

#[uniffi::export]
impl Portal {
    /// The end of the audit chain, to record outside the store.
    pub fn audit_head(&self) -> Result<AuditHead> {
        let h = self.inner.audit_head()?;
        Ok(AuditHead {
            seq: h.seq,
            hash: h.hash,
        })
    }

    /// Proves the audit log was not edited: recomputes the whole chain (under the configured
    /// `audit_key` for keyed events) and answers the number of events verified. With
    /// `expected_head`, also checks the log still holds that head (a log that grew since
    /// passes); `AUDIT_CHAIN_BROKEN` otherwise.
    #[uniffi::method(default(expected_head = None))]
    pub fn verify_audit_chain(&self, expected_head: Option<AuditHead>) -> Result<u64> {
        let head = expected_head.map(|h| audit::AuditHead::new(h.seq, h.hash));
        Ok(count(self.inner.verify_audit_chain(head.as_ref())?))
    }

    /// Erases a disabled account (names, email, phones, password hashes, sessions, links,
    /// mails); its id and audit events stay. `INVALID_STATE` if it is not disabled.
    pub fn erase_account(&self, session_token: String, account_id: String) -> Result<()> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.erase_account(&session_token, id)?)
    }
}
