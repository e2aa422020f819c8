//! Data lifecycle (RGPD): retention (`run_maintenance`, which a host runs from a timer, off the
//! UI thread) and the right of access (`export_account`).

use super::Portal;
use crate::convert::to_account_id;
use crate::error::Result;
use dealer_portal::lifecycle;

/// How many acknowledged mails, ended links and ended sessions a maintenance run removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct MaintenanceReport {
    /// Acknowledged mails past the retention.
    pub notifications_purged: u64,
    /// Links used, superseded, revoked or expired.
    pub tokens_purged: u64,
    /// Sessions past their expiry or idle timeout.
    pub sessions_purged: u64,
}

impl From<lifecycle::MaintenanceReport> for MaintenanceReport {
    fn from(r: lifecycle::MaintenanceReport) -> Self {
        MaintenanceReport {
            notifications_purged: r.notifications_purged,
            tokens_purged: r.tokens_purged,
            sessions_purged: r.sessions_purged,
        }
    }
}

#[uniffi::export]
impl Portal {
    /// Removes acknowledged mails past the retention, ended links and ended sessions, in
    /// batches; says how many of each.
    pub fn run_maintenance(&self) -> Result<MaintenanceReport> {
        Ok(self.inner.run_maintenance()?.into())
    }

    /// Everything the store holds about the account, as JSON text (no token, digest or hash);
    /// oneself, or a manager who can read the account.
    pub fn export_account(&self, session_token: String, account_id: String) -> Result<String> {
        let id = to_account_id(&account_id)?;
        Ok(self.inner.export_account(&session_token, id)?)
    }
}
