//! [`AttemptRepo`] on PostgreSQL: `login_attempts` (one row per account with checks in
//! flight) and the count of an actor's audited answers by the index `audit_by_actor`. Both
//! run after the writer lock ([`PostgresTx::serialise`]), so what is read stays true until
//! the commit, whichever server commits.

use super::PostgresTx;
use crate::Result;
use crate::account::AccountId;
use crate::audit::AuditAction;
use crate::locale::Coded;
use crate::store::AttemptRepo;
use crate::store::row::ns_clamped;
use time::OffsetDateTime;

impl AttemptRepo for PostgresTx<'_> {
    fn attempts_in_flight(&mut self, account: AccountId, now: OffsetDateTime) -> Result<u32> {
        self.serialise()?;
        let row = self.query_opt(
            "SELECT in_flight FROM login_attempts WHERE account = $1 AND lease_until > $2",
            &[&&account.as_bytes()[..], &ns_clamped(now)],
            "cannot read the password checks in flight",
        )?;
        let n: i64 = match row {
            Some(r) => r.try_get(0).unwrap_or(0),
            None => 0,
        };
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn set_attempts_in_flight(
        &mut self,
        account: AccountId,
        n: u32,
        lease_until: OffsetDateTime,
    ) -> Result<()> {
        self.writable()?;
        self.serialise()?;
        let id = &account.as_bytes()[..];
        if n == 0 {
            self.execute(
                "DELETE FROM login_attempts WHERE account = $1",
                &[&id],
                "cannot record the password checks in flight",
            )?;
        } else {
            self.execute(
                "INSERT INTO login_attempts (account, in_flight, lease_until) VALUES ($1, $2, $3)
                 ON CONFLICT (account) DO UPDATE SET in_flight = $2, lease_until = $3",
                &[&id, &i64::from(n), &ns_clamped(lease_until)],
                "cannot record the password checks in flight",
            )?;
        }
        Ok(())
    }

    fn count_actions_since(
        &mut self,
        actor: AccountId,
        action: AuditAction,
        since: OffsetDateTime,
    ) -> Result<usize> {
        self.serialise()?;
        self.count(
            "SELECT count(*) FROM audit WHERE actor = $1 AND action = $2 AND at >= $3",
            &[&&actor.as_bytes()[..], &action.code(), &ns_clamped(since)],
            "cannot count audit events",
        )
    }
}
