//! The budgets that stop guessing: the password checks an account may spend before its lock
//! (reserved before argon2, settled after, so the lockout holds however many checks run at
//! once, on however many servers), and the `EMAIL_TAKEN` answers an actor may get.

use super::{Actor, Portal};
use crate::account::{Account, AccountId, LockoutConfig, LoginRefusal};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::establishment::EstablishmentCode;
use crate::store::{AccountRepo, AttemptRepo, AuditRepo, Store};
use crate::{Error, Result};
use serde_json::json;
use time::OffsetDateTime;

/// What [`Portal::reserve_check`] got.
pub(super) enum Reservation {
    /// A check is reserved: the account as read in the reserving transaction.
    Reserved(Account),
    /// Refused without a check (and audited): locked, not active, or the budget is spent.
    Refused,
    /// The account is gone.
    Missing,
}

/// When checks reserved at `now` lapse if never settled.
fn lease(now: OffsetDateTime) -> OffsetDateTime {
    now.checked_add(LockoutConfig::ATTEMPT_LEASE).unwrap_or(now)
}

impl<S: Store, C: Clock> Portal<S, C> {
    /// Reserves one password check of the account, in a write transaction, before argon2
    /// runs: granted while the account is unlocked, active, and its failures in a row plus the
    /// checks in flight stay under `lockout.max_failures` ([`Account::may_check_password`]).
    /// A refusal is audited as `action` with its reason, and no check may then be spent: the
    /// caller runs a dummy argon2 instead, so the answer takes the same time. A reserved check
    /// must be settled: [`settle_failed_check`](Self::settle_failed_check) or
    /// [`release_check`](Self::release_check) (else it lapses after
    /// [`LockoutConfig::ATTEMPT_LEASE`]).
    pub(super) fn reserve_check(&self, id: AccountId, action: AuditAction) -> Result<Reservation> {
        let now = self.now();
        self.store.write(|tx| {
            let Some(a) = tx.account(id)? else {
                return Ok(Reservation::Missing);
            };
            let in_flight = tx.attempts_in_flight(id, now)?;
            match a.may_check_password(in_flight, now, &self.config.lockout) {
                Ok(()) => {
                    tx.set_attempts_in_flight(id, in_flight.saturating_add(1), lease(now))?;
                    Ok(Reservation::Reserved(a))
                }
                Err(refusal) => {
                    self.refuse_in(tx, id, refusal, action, now)?;
                    Ok(Reservation::Refused)
                }
            }
        })
    }

    /// Settles a reserved check whose password did not verify: the check leaves the flight
    /// and the failure counts, in one transaction; the failure that reaches
    /// `lockout.max_failures` locks the account (once: none is in flight then) and mails its
    /// owner. Audited as `action`.
    pub(super) fn settle_failed_check(&self, id: AccountId, action: AuditAction) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| {
            Self::release_check(tx, id, now)?;
            self.refuse_in(tx, id, LoginRefusal::WrongPassword, action, now)
        })
    }

    /// Takes one reserved check of the account out of the flight, in the caller's transaction
    /// (a successful check, whose transaction also does what the check allowed).
    pub(super) fn release_check(
        tx: &mut S::Tx<'_>,
        id: AccountId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let n = tx.attempts_in_flight(id, now)?;
        if n > 0 {
            tx.set_attempts_in_flight(id, n - 1, lease(now))?;
        }
        Ok(())
    }

    /// The answer to `actor` when the email it gave for a new account is taken: `EMAIL_TAKEN`
    /// while it has had fewer than `email_taken.max_answers` of them in the window, then
    /// [`Error::RateLimited`]. Counted in the store (the audit log by actor), so the ration
    /// holds across servers; each answer is audited (who, when, where; never the email) in
    /// `tx`, which the caller commits.
    pub(super) fn email_taken_answer(
        &self,
        tx: &mut S::Tx<'_>,
        actor: &Actor,
        establishment: &EstablishmentCode,
        now: OffsetDateTime,
    ) -> Result<Error> {
        let limit = &self.config.email_taken;
        let since = now
            .checked_sub(limit.window)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let given =
            tx.count_actions_since(actor.account.id, AuditAction::EmailTakenAnswered, since)?;
        let (action, answer) = if given < limit.max_answers as usize {
            (AuditAction::EmailTakenAnswered, Error::EmailTaken)
        } else {
            let hours = (limit.window.whole_seconds() + 3599) / 3600;
            let answer = Error::RateLimited {
                what: "email taken",
                window_hours: hours,
            };
            (AuditAction::RateLimited, answer)
        };
        tx.append(
            &NewAuditEvent::new(now, action)
                .by(actor.account.id)
                .at_establishments([establishment.clone()])
                .with(json!({ "answer": answer.code() })),
        )?;
        Ok(answer)
    }
}
