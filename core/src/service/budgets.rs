//! The budgets that stop guessing: the password checks an account may spend before its lock
//! (reserved before argon2, settled after, so the lockout holds however many checks run at
//! once, on however many servers), and the `EMAIL_TAKEN` answers an actor may get.

use super::{Actor, Portal};
use crate::account::{Account, AccountId, LockoutConfig, LoginRefusal};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::establishment::EstablishmentCode;
use crate::store::{AccountRepo, AttemptRepo, AuditRepo, Store};
use crate::token::TokenDigest;
use crate::{Error, Result};
use serde_json::json;
use time::OffsetDateTime;

/// What [`Portal::reserve_check`] got.
pub(super) enum Reservation {
    /// A check is reserved: the account as read in the reserving transaction.
    Reserved(Box<Account>),
    /// Refused without a check (locked, not active, or the budget is spent): a decoy is held
    /// instead, for [`Portal::settle_refusal`] after a dummy argon2 run.
    Refused(LoginRefusal),
    /// The account is gone (a decoy is held, as for a refusal).
    Missing,
}

/// When checks reserved at `now` lapse if never settled.
fn lease(now: OffsetDateTime) -> OffsetDateTime {
    now.checked_add(LockoutConfig::ATTEMPT_LEASE).unwrap_or(now)
}

/// The decoy of a login: a reservation that counts toward no account, keyed by a digest of
/// what was typed as the email. A login that checks no password (unknown email, locked
/// account, budget spent) holds and releases it in the two transactions a real check writes,
/// so every answer costs the same writes as a wrong password: time tells nothing of whether
/// the email has an account, or whether it is locked. Held only while the dummy argon2 runs.
pub(super) fn decoy(email: &str) -> AccountId {
    let d = TokenDigest::of_text(email);
    let mut b = [0u8; 16];
    b.copy_from_slice(&d.as_bytes()[..16]);
    AccountId::from_bytes(b)
}

impl<S: Store, C: Clock> Portal<S, C> {
    /// Reserves one password check of the account, in a write transaction, before argon2
    /// runs: granted while the account is unlocked, active, and its failures in a row plus the
    /// checks in flight stay under `lockout.max_failures` ([`Account::may_check_password`]).
    /// Refused, no check may be spent: the `decoy` is held instead, and the caller runs a
    /// dummy argon2 then [`settle_refusal`](Self::settle_refusal), so the answer takes the
    /// time of a wrong password. A reserved check must be settled:
    /// [`settle_failed_check`](Self::settle_failed_check) or
    /// [`release_check`](Self::release_check) (else it lapses after
    /// [`LockoutConfig::ATTEMPT_LEASE`]).
    pub(super) fn reserve_check(&self, id: AccountId, decoy: AccountId) -> Result<Reservation> {
        let now = self.now();
        self.store.write(|tx| {
            let Some(a) = tx.account(id)? else {
                Self::hold(tx, decoy, now)?;
                return Ok(Reservation::Missing);
            };
            let in_flight = tx.attempts_in_flight(id, now)?;
            match a.may_check_password(in_flight, now, &self.config.lockout) {
                Ok(()) => {
                    Self::hold(tx, id, now)?;
                    Ok(Reservation::Reserved(Box::new(a)))
                }
                Err(refusal) => {
                    Self::hold(tx, decoy, now)?;
                    Ok(Reservation::Refused(refusal))
                }
            }
        })
    }

    /// Holds the decoy of a login that will check no password (an unknown email): the first
    /// of its two transactions (see [`decoy`]).
    pub(super) fn hold_decoy(&self, decoy: AccountId) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| Self::hold(tx, decoy, now))
    }

    /// The second transaction of a login or a check that checked no password: releases the
    /// decoy and audits the refusal as `action` (`unknown_email` when there is no account).
    pub(super) fn settle_refusal(
        &self,
        refused: Option<(AccountId, LoginRefusal)>,
        decoy: AccountId,
        action: AuditAction,
    ) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| {
            Self::release_check(tx, decoy, now)?;
            match refused {
                Some((id, refusal)) => self.refuse_in(tx, id, refusal, action, now),
                None => tx
                    .append(
                        &NewAuditEvent::new(now, action).with(json!({ "reason": "unknown_email" })),
                    )
                    .map(|_| ()),
            }
        })
    }

    /// One more check of `id` in flight.
    fn hold(tx: &mut S::Tx<'_>, id: AccountId, now: OffsetDateTime) -> Result<()> {
        let n = tx.attempts_in_flight(id, now)?;
        tx.set_attempts_in_flight(id, n.saturating_add(1), lease(now))
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
