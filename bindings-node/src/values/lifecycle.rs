//! What `runMaintenance` removed.

use dealer_portal::lifecycle::MaintenanceReport as CoreReport;
use napi_derive::napi;

fn saturating(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// How many acknowledged mails, ended links and ended sessions a maintenance run removed.
#[napi(object, object_from_js = false)]
pub struct MaintenanceReport {
    /// Acknowledged mails past the retention.
    pub notifications_purged: u32,
    /// Links used, superseded, revoked or expired.
    pub tokens_purged: u32,
    /// Sessions past their expiry or idle timeout.
    pub sessions_purged: u32,
}

impl From<CoreReport> for MaintenanceReport {
    fn from(r: CoreReport) -> Self {
        MaintenanceReport {
            notifications_purged: saturating(r.notifications_purged),
            tokens_purged: saturating(r.tokens_purged),
            sessions_purged: saturating(r.sessions_purged),
        }
    }
}
