//! `Portal`'s data-lifecycle flows (RGPD): retention and the right of access.

use super::Portal;
use crate::errors::Res;
use crate::values::MaintenanceReport;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

#[pymethods]
impl Portal {
    /// Removes acknowledged mails past the retention, ended links and ended sessions, in
    /// batches; says how many of each. Run it from a timer.
    fn run_maintenance(&self, py: Python<'_>) -> Res<MaintenanceReport> {
        Ok(py.detach(|| self.inner.run_maintenance())?.into())
    }

    /// Everything the store holds about the account, as JSON text (no token, digest or hash);
    /// oneself, or a manager who can read the account.
    fn export_account(
        &self,
        py: Python<'_>,
        session_token: PyBackedStr,
        account_id: PyBackedStr,
    ) -> Res<String> {
        Ok(py.detach(|| {
            let id = super::account_id(&account_id)?;
            self.inner.export_account(&session_token, id)
        })?)
    }
}
