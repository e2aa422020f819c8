//! [`LifecycleRepo`]: what retention and the right of access need from a store, beside the
//! repositories the flows use.

use crate::Result;
use crate::account::AccountId;
use crate::audit::StoredAuditEvent;
use crate::email::Email;
use crate::lifecycle::{PurgeBatch, PurgeCursor};
use crate::notification::Notification;
use crate::store::TokenRecord;
use time::OffsetDateTime;

/// Purges (run in batches by `run_maintenance`, each batch one write transaction) and the reads
/// of an account's export.
///
/// A purge batch examines at most `limit` rows from `from` on, in the store's own order,
/// deletes those that match, and says where the next batch starts (`None`: nothing left to
/// examine). Rows inserted meanwhile may be left for the next run.
pub trait LifecycleRepo {
    /// Deletes acknowledged notifications queued before `before`.
    fn purge_notifications(
        &mut self,
        before: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch>;
    /// Deletes link tokens that are no longer usable at `now`: ended (consumed, superseded,
    /// revoked, expired) or past their expiry. A pending notification still carrying the link of
    /// a deleted token loses it in the same transaction (see [`super::TokenRepo`]).
    fn purge_tokens(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch>;
    /// Deletes sessions that have ended at `now` (past their absolute expiry or idle timeout).
    fn purge_sessions(
        &mut self,
        now: OffsetDateTime,
        from: &PurgeCursor,
        limit: usize,
    ) -> Result<PurgeBatch>;
    /// Every link token of the account still in the store, oldest first.
    fn tokens_of(&mut self, account: AccountId) -> Result<Vec<TokenRecord>>;
    /// Every notification queued for this address still in the store, oldest first, with
    /// whether it was acknowledged; link tokens are left out (`token` is `None`).
    fn notifications_to(&mut self, email: &Email) -> Result<Vec<(Notification, bool)>>;
    /// Audit events whose actor or subject is the account, in log order.
    fn audit_about(&mut self, account: AccountId) -> Result<Vec<StoredAuditEvent>>;
}
