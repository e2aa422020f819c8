//! Logging in (and the lockout rule), sessions, logging out and changing one's password.

use super::{Portal, establishments_of};
use crate::account::{Account, AccountState};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::email::Email;
use crate::notification::{NewNotification, NotificationKind};
use crate::rights::RightsMatrix;
use crate::secret::SecretString;
use crate::session::{Session, SessionRecord};
use crate::store::{AccountRepo, AuditRepo, OutboxRepo, SessionRepo, Store};
use crate::token::TokenSecret;
use crate::{Error, Result};
use serde_json::json;

/// The authenticated person behind a session, with their rights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Their account.
    pub account: Account,
    /// Their rights.
    pub rights: RightsMatrix,
}

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- login and sessions -----

    /// Logs in. Unknown email, wrong password, an account not active, a locked account: all
    /// answer [`Error::InvalidCredentials`], in about the same time (a dummy argon2 run for
    /// unknown emails). After `lockout.max_failures` failures in a row the account is locked
    /// for `lockout.base`, doubling at each further lock; its owner gets a mail. A hash made
    /// with older parameters is re-hashed.
    pub fn login(&self, email: &str, password: &str, remember: bool) -> Result<Session> {
        let normalized = crate::password::normalize(password);
        let now = self.now();
        let account = match Email::parse(email) {
            Ok(e) => self.store.read(|tx| tx.account_by_email(&e))?,
            Err(_) => None,
        };
        let Some(account) = account else {
            self.hasher.dummy_verify(&normalized);
            self.store.write(|tx| {
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::LoginFailed)
                        .with(json!({ "reason": "unknown_email" })),
                )
            })?;
            return Err(Error::InvalidCredentials);
        };
        let verified = match &account.password {
            Some(h) => self.hasher.verify(&normalized, h),
            None => {
                self.hasher.dummy_verify(&normalized);
                false
            }
        };
        if let Some(refusal) = account.login_refusal(verified, now) {
            self.store.write(|tx| {
                let Some(mut a) = tx.account(account.id)? else {
                    return Ok(());
                };
                let establishments = establishments_of(tx, a.id)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::LoginFailed)
                        .on(a.id)
                        .at_establishments(establishments.clone())
                        .with(json!({ "reason": refusal.code() })),
                )?;
                if !refusal.counts_toward_lockout() {
                    return Ok(());
                }
                if let Some(until) = a.record_failed_login(now, &self.config.lockout) {
                    tx.queue(
                        &NewNotification {
                            kind: NotificationKind::AccountLocked,
                            email: a.email.clone(),
                            name: a.display_name(),
                            token: None,
                            expires_at: Some(until),
                            locale: a.locale,
                        },
                        now,
                    )?;
                    tx.append(
                        &NewAuditEvent::new(now, AuditAction::AccountLocked)
                            .on(a.id)
                            .at_establishments(establishments)
                            .with(json!({ "until": until.unix_timestamp(), "lock": a.lockouts })),
                    )?;
                }
                tx.update_account(&a)
            })?;
            return Err(Error::InvalidCredentials);
        }
        let rehash = match &account.password {
            Some(h) if self.hasher.needs_rehash(h) => Some(self.hasher.hash(&normalized)?),
            _ => None,
        };
        let secret = TokenSecret::generate();
        let mut record = SessionRecord::open(
            secret.digest(),
            account.id,
            now,
            remember,
            None,
            &self.config.tokens,
        );
        self.store.write(|tx| {
            let mut a = tx.account(account.id)?.ok_or(Error::InvalidCredentials)?;
            if a.state != AccountState::Active {
                return Err(Error::InvalidCredentials);
            }
            a.record_login(now);
            if let Some(h) = rehash {
                a.password = Some(h);
            }
            tx.update_account(&a)?;
            // Connected to the first establishment, in code order, where it holds a right.
            let establishments = establishments_of(tx, a.id)?;
            record.establishment = establishments.first().cloned();
            tx.delete_expired_sessions(a.id, now)?;
            tx.insert_session(&record)?;
            tx.append(
                &NewAuditEvent::new(now, AuditAction::LoginSucceeded)
                    .by(a.id)
                    .on(a.id)
                    .at_establishments(establishments)
                    .with(json!({ "remember": remember })),
            )?;
            Ok(())
        })?;
        Ok(Session {
            token: SecretString::from(secret.expose()),
            account_id: account.id,
            expires_at: record.expiry(),
        })
    }

    /// The account behind a session token, if the session is valid and the account active.
    /// Refreshes the idle timer (coarsely: see [`SessionRecord::needs_touch`]).
    pub fn authenticate(&self, session_token: &str) -> Result<Account> {
        self.session_account(session_token, |_, _| Ok(()))
            .map(|(account, ())| account)
    }

    /// The actor behind a session, with their rights.
    pub fn actor(&self, session_token: &str) -> Result<Actor> {
        let (account, rights) = self.session_account(session_token, |tx, a| tx.rights(a.id))?;
        Ok(Actor { account, rights })
    }

    /// [`authenticate`](Self::authenticate), with what `also` reads about the account in the
    /// same read transaction.
    fn session_account<R>(
        &self,
        session_token: &str,
        also: impl FnOnce(&mut S::Tx<'_>, &Account) -> Result<R>,
    ) -> Result<(Account, R)> {
        let secret = TokenSecret::parse(session_token).map_err(|_| Error::SessionInvalid)?;
        let digest = secret.digest();
        let now = self.now();
        let (session, account, also) = self.store.read(|tx| {
            let Some(s) = tx.session(&digest)? else {
                return Err(Error::SessionInvalid);
            };
            let a = tx.account(s.account)?.ok_or(Error::SessionInvalid)?;
            let also = also(tx, &a)?;
            Ok((s, a, also))
        })?;
        if !session.is_valid(now) {
            // Seen expired: end it, so a clock going back cannot revive it.
            self.store.write(|tx| tx.delete_session(&digest))?;
            return Err(Error::SessionInvalid);
        }
        if account.state != AccountState::Active {
            return Err(Error::SessionInvalid);
        }
        if session.needs_touch(now) {
            self.store.write(|tx| tx.touch_session(&digest, now))?;
        }
        Ok((account, also))
    }

    /// Ends a session. Ending an unknown or already ended session is not an error.
    pub fn logout(&self, session_token: &str) -> Result<()> {
        let Ok(secret) = TokenSecret::parse(session_token) else {
            return Ok(());
        };
        let now = self.now();
        self.store.write(|tx| {
            let Some(s) = tx.session(&secret.digest())? else {
                return Ok(());
            };
            tx.delete_session(&s.digest)?;
            tx.append(
                &NewAuditEvent::new(now, AuditAction::Logout)
                    .by(s.account)
                    .on(s.account),
            )?;
            Ok(())
        })
    }

    /// Changes the password of the session's account: the current password, then the new one
    /// twice. Every session of the account (this one included) and every link is revoked: the
    /// person logs in again with the new password.
    pub fn change_password(
        &self,
        session_token: &str,
        current: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<()> {
        let account = self.authenticate(session_token)?;
        let current = crate::password::normalize(current);
        if !account
            .password
            .as_ref()
            .is_some_and(|h| self.hasher.verify(&current, h))
        {
            return Err(Error::InvalidCredentials);
        }
        let hash = self.new_password_hash(&account, password, confirmation)?;
        let now = self.now();
        let keep = self.config.policy.history;
        self.store.write(|tx| {
            let mut a = tx.account(account.id)?.ok_or(Error::SessionInvalid)?;
            if a.password != account.password {
                // Changed concurrently: make the person try again with the password now in force.
                return Err(Error::InvalidCredentials);
            }
            a.set_password(hash, keep);
            Self::save_new_password(tx, &a, AuditAction::PasswordChanged, now)
        })
    }
}
