//! Logging in (and the lockout rule), sessions, logging out and changing one's password.

use super::budgets::{Reservation, decoy};
use super::{Portal, establishments_of, existing_establishment};
use crate::account::{Account, AccountId, AccountState, LoginRefusal, Role};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::email::Email;
use crate::error::Forbidden;
use crate::establishment::EstablishmentCode;
use crate::menu::{Section, visible_sections};
use crate::names::PersonName;
use crate::notification::{NewNotification, NotificationKind};
use crate::password::MAX_CREDENTIAL_BYTES;
use crate::rights::RightsMatrix;
use crate::secret::SecretString;
use crate::session::{Session, SessionRecord};
use crate::session::{SessionId, SessionSummary};
use crate::store::SessionSnapshot;
use crate::store::{AccountRepo, AuditRepo, OutboxRepo, SessionRepo, Store};
use crate::token::TokenSecret;
use crate::{Error, Result};
use serde_json::json;
use time::OffsetDateTime;

/// The authenticated person behind a session, with their rights and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Their account.
    pub account: Account,
    /// Their rights.
    pub rights: RightsMatrix,
    /// The session they called with.
    pub session: SessionRecord,
    /// Whether the account has a confirmed second factor.
    pub mfa_enrolled: bool,
    /// Whether the session may only enrol a second factor, authenticate and log out: the
    /// deployment's policy requires one for this account and it has none. Derived on every
    /// request from the policy and the store (never stored with the session), so a stricter
    /// policy, or a reset second factor, applies to sessions already open.
    pub restricted: bool,
}

impl Actor {
    /// The establishment the session is connected to: the one it chose if the account still
    /// holds a right there, else the first (in code order) where it holds one.
    pub fn connected(&self) -> Option<&EstablishmentCode> {
        self.session
            .establishment
            .as_ref()
            .filter(|c| !self.rights.rights_on(c).is_empty())
            .or_else(|| self.rights.establishments().next())
    }

    /// The establishment a call names, or, when it names none, the connected one
    /// ([`Forbidden::NoConnectedEstablishment`] when there is none).
    pub fn establishment_or_connected(
        &self,
        named: Option<&EstablishmentCode>,
    ) -> Result<EstablishmentCode> {
        super::trace::establishment(named);
        named
            .or_else(|| self.connected())
            .cloned()
            .ok_or(Error::Forbidden {
                reason: Forbidden::NoConnectedEstablishment,
            })
    }
}

/// What [`Portal::authenticate`] answers: who is connected, until when, where, with which
/// rights and which menu.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionInfo {
    /// The account.
    pub account_id: AccountId,
    /// Its email.
    pub email: Email,
    /// Nom.
    pub last_name: PersonName,
    /// Prénom.
    pub first_name: PersonName,
    /// Administrator, user or repairer.
    pub role: Role,
    /// When the session ends if not used again.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The establishment the session is connected to, if the account holds a right anywhere.
    pub establishment: Option<EstablishmentCode>,
    /// The account's rights, on every establishment where it holds one.
    pub rights: RightsMatrix,
    /// The menu sections visible on the connected establishment, in the seed's order.
    pub sections: Vec<Section>,
    /// Whether the account has a confirmed second factor.
    pub mfa_enrolled: bool,
    /// Whether the session may only enrol a second factor, authenticate and log out
    /// (the deployment requires a second factor that the account has not enrolled yet).
    pub restricted: bool,
}

impl SessionInfo {
    /// What `actor`'s session answers.
    pub fn of(actor: &Actor) -> Self {
        let establishment = actor.connected().cloned();
        let sections = establishment
            .as_ref()
            .map(|c| visible_sections(actor.rights.rights_on(c)))
            .unwrap_or_default();
        let a = &actor.account;
        SessionInfo {
            account_id: a.id,
            email: a.email.clone(),
            last_name: a.last_name.clone(),
            first_name: a.first_name.clone(),
            role: a.role,
            expires_at: actor.session.expiry(),
            establishment,
            rights: actor.rights.clone(),
            sections,
            mfa_enrolled: actor.mfa_enrolled,
            restricted: actor.restricted,
        }
    }
}

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- login and sessions -----

    /// Logs in. Unknown email, wrong password, an account not active, a locked account: all
    /// answer [`Error::InvalidCredentials`], in about the same time (a dummy argon2 run and the
    /// same two writes when no password is checked). A check of the password is reserved in
    /// the store before argon2 runs and settled after (see `budgets`): however many logins of
    /// one account run at once, on however many servers, at most `lockout.max_failures`
    /// checks are spent before the lock, and no login succeeds while the account is locked
    /// when its transaction commits. After `lockout.max_failures` failures in a row the account is locked
    /// for `lockout.base`, doubling at each further lock; its owner gets a mail. A hash made
    /// with older parameters is re-hashed.
    ///
    /// An account with a second factor needs [`Portal::login_with_otp`]: here it answers
    /// [`Error::MfaRequired`] once the password is right.
    pub fn login(&self, email: &str, password: &str, remember: bool) -> Result<Session> {
        traced!("login", || {
            self.login_with_otp(email, password, remember, None)
        })
    }

    /// [`Portal::login`] with the code of the account's authenticator app, or one of its
    /// recovery codes (each used once): what the bindings call `login(..., otp=)`. The
    /// password is checked first (argon2); then, if the account has a second factor, a missing
    /// `otp` is [`Error::MfaRequired`], and a wrong or replayed code (each 30 s step is
    /// accepted once per account, one step of drift either side) or a used recovery code is
    /// [`Error::InvalidCredentials`], counted toward the lockout like a wrong password. An
    /// `otp` given for an account without a second factor is ignored.
    pub fn login_with_otp(
        &self,
        email: &str,
        password: &str,
        remember: bool,
        otp: Option<&str>,
    ) -> Result<Session> {
        traced!("login_with_otp", || {
            let too_long = password.len() > MAX_CREDENTIAL_BYTES;
            let normalized = crate::password::normalize(if too_long { "" } else { password });
            let account = match Email::parse(email) {
                Ok(e) => self.store.read(|tx| tx.account_by_email(&e))?,
                Err(_) => None,
            };
            // Every answer writes what a wrong password writes (a check held before argon2, then
            // settled): a decoy stands in when no password is checked (see `budgets::decoy`).
            let decoy = decoy(email);
            let Some(account) = account else {
                self.hold_decoy(decoy)?;
                self.hasher.dummy_verify(&normalized);
                self.settle_refusal(None, decoy, AuditAction::LoginFailed)?;
                return Err(Error::InvalidCredentials);
            };
            super::trace::actor(account.id, None);
            // One check of the lockout's budget is reserved before argon2 runs; refused (locked,
            // not active, budget spent by checks under way), a dummy run keeps the time.
            let account = match self.reserve_check(account.id, decoy)? {
                Reservation::Reserved(a) => *a,
                Reservation::Refused(refusal) => {
                    self.hasher.dummy_verify(&normalized);
                    let refused = Some((account.id, refusal));
                    self.settle_refusal(refused, decoy, AuditAction::LoginFailed)?;
                    return Err(Error::InvalidCredentials);
                }
                Reservation::Missing => {
                    self.hasher.dummy_verify(&normalized);
                    self.settle_refusal(None, decoy, AuditAction::LoginFailed)?;
                    return Err(Error::InvalidCredentials);
                }
            };
            if !self.verify_or_dummy(&account, &normalized, too_long) {
                self.settle_failed_check(account.id, AuditAction::LoginFailed)?;
                return Err(Error::InvalidCredentials);
            }
            let rehash = match &account.password {
                Some(h) if self.hasher.needs_rehash(h) => match self.hasher.hash(&normalized) {
                    Ok(h) => Some(h),
                    Err(e) => {
                        self.store
                            .write(|tx| Self::release_check(tx, account.id, self.now()))?;
                        return Err(e);
                    }
                },
                _ => None,
            };
            let now = self.now();
            let secret = TokenSecret::generate();
            let mut record = SessionRecord::open(
                secret.digest(),
                account.id,
                now,
                remember,
                None,
                &self.config.tokens,
            );
            let outcome = self.store.write(|tx| {
                Self::release_check(tx, account.id, now)?;
                let mut a = tx.account(account.id)?.ok_or(Error::InvalidCredentials)?;
                // Locked (or disabled) since the check: refused when this transaction commits.
                if let Some(refusal) = a.login_refusal(true, now) {
                    self.refuse_in(tx, a.id, refusal, AuditAction::LoginFailed, now)?;
                    return Ok(LoginOutcome::Refused);
                }
                // The password was right; the second factor's answer commits with the check's
                // release, and a wrong or replayed code counts toward the lockout.
                match self.second_factor(tx, a.id, otp, now) {
                    Ok(true) => {}
                    Ok(false) => {
                        let wrong = LoginRefusal::WrongCode;
                        self.refuse_in(tx, a.id, wrong, AuditAction::LoginFailed, now)?;
                        return Ok(LoginOutcome::Refused);
                    }
                    Err(Error::MfaRequired) => return Ok(LoginOutcome::MfaRequired),
                    Err(e) => return Err(e),
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
                Ok(LoginOutcome::Opened)
            })?;
            match outcome {
                LoginOutcome::Opened => {}
                LoginOutcome::MfaRequired => return Err(Error::MfaRequired),
                LoginOutcome::Refused => return Err(Error::InvalidCredentials),
            }
            super::trace::establishment(record.establishment.as_ref());
            Ok(Session {
                token: SecretString::from(secret.expose()),
                account_id: account.id,
                expires_at: record.expiry(),
            })
        })
    }

    /// Records a refused password check of an account (at login, or when a flow asks for
    /// the current password), in the caller's transaction: audited as `action` with the
    /// refusal's reason; a wrong password counts toward the lockout, and the failure that
    /// locks the account mails its owner.
    pub(super) fn refuse_in(
        &self,
        tx: &mut S::Tx<'_>,
        account: AccountId,
        refusal: LoginRefusal,
        action: AuditAction,
        now: OffsetDateTime,
    ) -> Result<()> {
        {
            let Some(mut a) = tx.account(account)? else {
                return Ok(());
            };
            let establishments = establishments_of(tx, a.id)?;
            tx.append(
                &NewAuditEvent::new(now, action)
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
        }
    }

    /// Verifies a password against the account's hash; an account without a password, or a
    /// password refused unread for its length, costs a dummy argon2 run instead, so every
    /// refusal takes the same time.
    fn verify_or_dummy(&self, account: &Account, normalized: &SecretString, refuse: bool) -> bool {
        match &account.password {
            Some(h) if !refuse => self.hasher.verify(normalized, h),
            _ => {
                self.hasher.dummy_verify(normalized);
                false
            }
        }
    }

    /// Checks the current password of the actor's account (argon2, outside any transaction).
    /// A wrong one is refused as [`Error::InvalidCredentials`] and counts toward the lockout,
    /// as a failed login does, so a stolen session cannot guess without limit.
    pub(super) fn check_current_password(&self, account: &Account, current: &str) -> Result<()> {
        let too_long = current.len() > MAX_CREDENTIAL_BYTES;
        let current = crate::password::normalize(if too_long { "" } else { current });
        // The same budget as logins: a check is reserved before argon2 (see `login`).
        let decoy = decoy(account.email.as_str());
        let account = match self.reserve_check(account.id, decoy)? {
            Reservation::Reserved(a) => *a,
            Reservation::Refused(refusal) => {
                self.hasher.dummy_verify(&current);
                let refused = Some((account.id, refusal));
                self.settle_refusal(refused, decoy, AuditAction::PasswordCheckFailed)?;
                return Err(Error::InvalidCredentials);
            }
            Reservation::Missing => {
                self.hasher.dummy_verify(&current);
                self.settle_refusal(None, decoy, AuditAction::PasswordCheckFailed)?;
                return Err(Error::InvalidCredentials);
            }
        };
        if !self.verify_or_dummy(&account, &current, too_long) {
            self.settle_failed_check(account.id, AuditAction::PasswordCheckFailed)?;
            return Err(Error::InvalidCredentials);
        }
        self.store
            .write(|tx| Self::release_check(tx, account.id, self.now()))
    }

    /// What a host checks on every request: who is behind the session, until when, the
    /// establishment it is connected to, the account's rights and the menu sections visible
    /// there. An unknown, ended or expired session, or an account no longer active, is
    /// [`Error::SessionInvalid`]. Refreshes the idle timer (coarsely: see
    /// [`SessionRecord::needs_touch`]); a session seen expired is removed.
    ///
    /// One read of the store ([`Store::session_snapshot`]): on PostgreSQL one round trip.
    pub fn authenticate(&self, session_token: &str) -> Result<SessionInfo> {
        traced!("authenticate", || {
            Ok(SessionInfo::of(&self.actor_even_restricted(session_token)?))
        })
    }

    /// The actor behind a session: its account, rights and session. Every flow resolves its
    /// caller here, so this is where a restricted session (see [`Actor::restricted`]) is
    /// refused, with [`Error::MfaEnrollmentRequired`]; the few flows a restricted session may
    /// call use `actor_even_restricted`.
    pub fn actor(&self, session_token: &str) -> Result<Actor> {
        traced!("actor", || {
            let actor = self.actor_even_restricted(session_token)?;
            if actor.restricted {
                return Err(Error::MfaEnrollmentRequired);
            }
            Ok(actor)
        })
    }

    /// The actor behind a session, restricted or not: for `authenticate` and enrolment only.
    pub(super) fn actor_even_restricted(&self, session_token: &str) -> Result<Actor> {
        let secret = TokenSecret::parse(session_token).map_err(|_| Error::SessionInvalid)?;
        let digest = secret.digest();
        let now = self.now();
        let SessionSnapshot {
            mut session,
            account,
            rights,
            mfa_enrolled,
        } = self
            .store
            .session_snapshot(&digest)?
            .ok_or(Error::SessionInvalid)?;
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
            session.touch(now);
        }
        let restricted = !mfa_enrolled && self.config.mfa.requires(account.role);
        let actor = Actor {
            account,
            rights,
            session,
            mfa_enrolled,
            restricted,
        };
        super::trace::actor(actor.account.id, actor.connected());
        Ok(actor)
    }

    /// Connects the session to another establishment where the account holds a right ("le
    /// point de vente sur lequel je suis connecté"); the menu and the calls that name no
    /// establishment follow it. An unknown code is [`Error::UnknownEstablishment`]; one where
    /// the account holds no right, [`Error::Forbidden`].
    pub fn select_establishment(
        &self,
        session_token: &str,
        code: &EstablishmentCode,
    ) -> Result<SessionInfo> {
        traced!("select_establishment", || {
            let mut actor = self.actor(session_token)?;
            super::trace::establishment(Some(code));
            let now = self.now();
            self.store.write(|tx| {
                existing_establishment(tx, code)?;
                if actor.rights.rights_on(code).is_empty() {
                    return Err(Error::Forbidden {
                        reason: Forbidden::NoRightOn {
                            establishment: code.to_string(),
                        },
                    });
                }
                if !tx.set_session_establishment(&actor.session.digest, Some(code))? {
                    return Err(Error::SessionInvalid);
                }
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::EstablishmentSelected)
                        .by(actor.account.id)
                        .on(actor.account.id)
                        .at_establishments([code.clone()]),
                )?;
                Ok(())
            })?;
            actor.session.establishment = Some(code.clone());
            Ok(SessionInfo::of(&actor))
        })
    }

    /// The caller's own live sessions, oldest first: an opaque id (never the token), when each
    /// was opened and last used, when it ends, whether it was remembered and which one is
    /// asking. Ended sessions are removed from the store on the way.
    pub fn list_sessions(&self, session_token: &str) -> Result<Vec<SessionSummary>> {
        traced!("list_sessions", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            let all = self.store.write(|tx| {
                tx.delete_expired_sessions(actor.account.id, now)?;
                tx.sessions_of(actor.account.id)
            })?;
            Ok(all
                .iter()
                .map(|s| SessionSummary::of(s, s.digest == actor.session.digest))
                .collect())
        })
    }

    /// Ends one of the caller's sessions (the current one included) by its id;
    /// [`Error::UnknownSession`] when no session of the caller has that id.
    pub fn revoke_session(&self, session_token: &str, id: &SessionId) -> Result<()> {
        traced!("revoke_session", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                let target = tx
                    .sessions_of(actor.account.id)?
                    .into_iter()
                    // An ended session is gone for every flow, whether or not maintenance has
                    // removed its row yet.
                    .find(|s| s.id() == *id && s.is_valid(now))
                    .ok_or(Error::UnknownSession)?;
                tx.delete_session(&target.digest)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::SessionRevoked)
                        .by(actor.account.id)
                        .on(actor.account.id),
                )?;
                Ok(())
            })
        })
    }

    /// Ends every session of the caller but the asking one; how many ended.
    pub fn revoke_other_sessions(&self, session_token: &str) -> Result<usize> {
        traced!("revoke_other_sessions", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                // Ended sessions are not counted (as if maintenance had already removed them).
                tx.delete_expired_sessions(actor.account.id, now)?;
                let others: Vec<SessionRecord> = tx
                    .sessions_of(actor.account.id)?
                    .into_iter()
                    .filter(|s| s.digest != actor.session.digest)
                    .collect();
                for s in &others {
                    tx.delete_session(&s.digest)?;
                }
                if !others.is_empty() {
                    tx.append(
                        &NewAuditEvent::new(now, AuditAction::SessionRevoked)
                            .by(actor.account.id)
                            .on(actor.account.id)
                            .with(json!({ "sessions": others.len() })),
                    )?;
                }
                Ok(others.len())
            })
        })
    }

    /// Ends a session. Ending an unknown or already ended session is not an error.
    pub fn logout(&self, session_token: &str) -> Result<()> {
        traced!("logout", || {
            let Ok(secret) = TokenSecret::parse(session_token) else {
                return Ok(());
            };
            let now = self.now();
            self.store.write(|tx| {
                let Some(s) = tx.session(&secret.digest())? else {
                    return Ok(());
                };
                super::trace::actor(s.account, s.establishment.as_ref());
                tx.delete_session(&s.digest)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::Logout)
                        .by(s.account)
                        .on(s.account),
                )?;
                Ok(())
            })
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
        traced!("change_password", || {
            let account = self.actor(session_token)?.account;
            self.check_current_password(&account, current)?;
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
        })
    }
}

/// How a login's last transaction ended.
enum LoginOutcome {
    /// The session is open.
    Opened,
    /// Locked since the check, or a wrong second factor: refused and recorded.
    Refused,
    /// The password was right, and the account's second factor is missing.
    MfaRequired,
}
