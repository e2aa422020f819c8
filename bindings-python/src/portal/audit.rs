//! The audit chain's head and verification, and the erasure of an account (second release).

use super::{Portal, account_id};
use crate::errors::Res;
use dealer_portal::audit::AuditHead as CoreAuditHead;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

/// The end of the audit chain: the last event's position (`seq`, 0 for an empty log) and hash
/// (64 hex digits). Record it outside the store and give it back to
/// `Portal.verify_audit_chain(expected_head)` to detect a cut tail or a rewritten log.
#[pyclass(module = "dealer_portal", frozen, eq, hash, from_py_object)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct AuditHead {
    pub(crate) inner: CoreAuditHead,
}

#[pymethods]
impl AuditHead {
    #[new]
    fn new(seq: u64, hash: String) -> Self {
        AuditHead {
            inner: CoreAuditHead::new(seq, hash),
        }
    }
    /// The last event's position (0: no event).
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }
    /// Its hash, 64 hex digits.
    #[getter]
    fn hash(&self) -> String {
        self.inner.hash.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "AuditHead(seq={}, hash='{}')",
            self.inner.seq, self.inner.hash
        )
    }
}

#[pymethods]
impl Portal {
    /// The end of the audit chain, to record elsewhere.
    fn audit_head(&self, py: Python<'_>) -> Res<AuditHead> {
        let inner = py.detach(|| self.inner.audit_head())?;
        Ok(AuditHead { inner })
    }

    /// Recomputes the audit chain (under the configured `audit_key` for keyed events); returns
    /// the number of events. With `expected_head`, also checks the log still holds that head
    /// (a log that grew since passes). AUDIT_CHAIN_BROKEN (a StorageError) otherwise.
    #[pyo3(signature = (expected_head=None))]
    fn verify_audit_chain(&self, py: Python<'_>, expected_head: Option<AuditHead>) -> Res<usize> {
        Ok(py.detach(|| {
            self.inner
                .verify_audit_chain(expected_head.as_ref().map(|h| &h.inner))
        })?)
    }

    /// Erases a disabled account (names, email, phones, password hashes, sessions, links,
    /// mails); its id and audit events stay. INVALID_STATE if it is not disabled.
    fn erase_account(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<()> {
        Ok(py.detach(|| {
            self.inner
                .erase_account(&session_token, self::account_id(&account_id)?)
        })?)
    }
}
