//! [`AttemptRepo`] in memory: the password checks in flight per account, and the count of an
//! actor's audited answers (a scan of the log).

use super::MemoryTx;
use crate::Result;
use crate::account::AccountId;
use crate::audit::AuditAction;
use crate::store::AttemptRepo;
use time::OffsetDateTime;

impl AttemptRepo for MemoryTx<'_> {
    fn attempts_in_flight(&mut self, account: AccountId, now: OffsetDateTime) -> Result<u32> {
        Ok(match self.st.attempts.get(&account) {
            Some(&(n, until)) if now < until => n,
            _ => 0,
        })
    }

    fn set_attempts_in_flight(
        &mut self,
        account: AccountId,
        n: u32,
        lease_until: OffsetDateTime,
    ) -> Result<()> {
        self.writable()?;
        let before = if n == 0 {
            self.st.attempts.remove(&account)
        } else {
            self.st.attempts.insert(account, (n, lease_until))
        };
        self.journal(move |st| match before {
            Some(b) => {
                st.attempts.insert(account, b);
            }
            None => {
                st.attempts.remove(&account);
            }
        });
        Ok(())
    }

    fn count_actions_since(
        &mut self,
        actor: AccountId,
        action: AuditAction,
        since: OffsetDateTime,
    ) -> Result<usize> {
        // A scan: a clock may go back, so the log's order is not relied on.
        Ok(self
            .st
            .audit
            .iter()
            .filter(|e| {
                e.event.actor == Some(actor) && e.event.action == action && e.event.at >= since
            })
            .count())
    }
}
