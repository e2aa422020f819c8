//! What `Portal.run_maintenance` removed.

use dealer_portal::lifecycle::MaintenanceReport as CoreReport;
use pyo3::prelude::*;

/// How many acknowledged mails, ended links and ended sessions a maintenance run removed.
#[pyclass(module = "dealer_portal", frozen, eq, get_all)]
#[derive(PartialEq, Eq)]
pub(crate) struct MaintenanceReport {
    pub(crate) notifications_purged: u64,
    pub(crate) tokens_purged: u64,
    pub(crate) sessions_purged: u64,
}

impl From<CoreReport> for MaintenanceReport {
    fn from(r: CoreReport) -> Self {
        MaintenanceReport {
            notifications_purged: r.notifications_purged,
            tokens_purged: r.tokens_purged,
            sessions_purged: r.sessions_purged,
        }
    }
}

#[pymethods]
impl MaintenanceReport {
    fn __repr__(&self) -> String {
        format!(
            "MaintenanceReport(notifications_purged={}, tokens_purged={}, sessions_purged={})",
            self.notifications_purged, self.tokens_purged, self.sessions_purged
        )
    }
}
