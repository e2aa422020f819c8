//! Two-factor login (TOTP): enrolment, its confirmation with recovery codes, disabling it,
//! a manager's reset of a lost phone, and the check at login.

use super::{Portal, establishments_of};
use crate::account::{AccountId, LoginRefusal};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::locale::Coded;
use crate::notification::{NewNotification, NotificationKind};
use crate::rights::{self, DisableScope};
use crate::secret::SecretString;
use crate::store::{AuditRepo, MfaRepo, OutboxRepo, Store};
use crate::totp::{TotpKey, TotpRecord, TotpSecret, recovery};
use crate::{Error, Result};
use serde_json::json;
use time::OffsetDateTime;

/// What [`Portal::begin_totp_enrollment`] answers: the new secret, to show once (as text and
/// as a QR code of `uri`). `Debug` is redacted.
#[derive(Clone)]
pub struct TotpEnrollment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: SecretString,
    /// `otpauth://totp/…?secret=…&issuer=…`, for a QR code.
    pub uri: SecretString,
}

impl std::fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrollment(***)")
    }
}

fn no_key() -> Error {
    Error::InvalidConfig {
        reason: "two-factor login needs totp_key (64 hexadecimal digits) in the configuration \
                 to seal the secrets it stores"
            .into(),
    }
}

impl<S: Store, C: Clock> Portal<S, C> {
    fn totp_key(&self) -> Result<&TotpKey> {
        self.config.totp_key.as_ref().ok_or_else(no_key)
    }

    /// The second factor at login, inside the login's write transaction: `Ok(true)` when the
    /// account has none, or `otp` is a code of a step not yet accepted (the step is recorded by
    /// a compare-and-set, so of two logins with one code exactly one passes), or one of its
    /// unused recovery codes (used up here); `Ok(false)` for a wrong, replayed or used code;
    /// [`Error::MfaRequired`] when the account has one and `otp` is `None`.
    pub(super) fn second_factor<T: MfaRepo + AuditRepo + ?Sized>(
        &self,
        tx: &mut T,
        account: AccountId,
        otp: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let Some(t) = tx.totp(account)?.filter(|t| t.confirmed) else {
            return Ok(true);
        };
        let otp = otp.ok_or(Error::MfaRequired)?;
        let secret = TotpSecret::unseal(&t.sealed, self.totp_key()?, account)?;
        if let Some(step) = secret.verify(otp, now) {
            return tx.advance_totp_step(account, step);
        }
        let Some(digest) = recovery::digest(otp) else {
            return Ok(false);
        };
        if !tx.use_recovery_code(account, &digest)? {
            return Ok(false);
        }
        let left = tx.recovery_codes_left(account)?;
        tx.append(
            &NewAuditEvent::new(now, AuditAction::RecoveryCodeUsed)
                .by(account)
                .on(account)
                .with(json!({ "left": left })),
        )?;
        Ok(true)
    }

    /// Starts enrolling an authenticator app for the session's account: checks the current
    /// password (a wrong one counts toward the lockout), draws a new secret and stores it
    /// sealed, not yet active. Show `secret` and a QR code of `uri` once; the second factor is
    /// active after [`Portal::confirm_totp_enrollment`]. Starting again before confirming
    /// replaces the pending secret. A restricted session may call it.
    ///
    /// Errors: [`Error::InvalidState`] when a second factor is already active (disable it
    /// first), [`Error::InvalidConfig`] without `totp_key`.
    ///
    /// ```
    /// # use dealer_portal::service::{Portal, PortalConfig};
    /// # use dealer_portal::{account::Declaration, establishment::Establishment};
    /// # let mut config = PortalConfig::for_tests();
    /// # config.totp_key = Some(dealer_portal::totp::TotpKey::from_hex(&"42".repeat(32)).unwrap());
    /// # let portal = Portal::in_memory(config).unwrap();
    /// # let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None).unwrap();
    /// # let decl = Declaration::new("admin@garage-xyz.fr", "Geloen", "Alexandre", "Gérant").unwrap();
    /// # portal.declare_administrator(&decl, &[garage]).unwrap();
    /// # portal.request_password_reset(&decl.email).unwrap();
    /// # let token = portal.pending_notifications().unwrap()[0].body.token.clone().unwrap();
    /// # portal.complete_password_reset(token.expose(), "admin@garage-xyz.fr",
    /// #     "Garage-XYZ-2026!", "Garage-XYZ-2026!").unwrap();
    /// let session = portal.login("admin@garage-xyz.fr", "Garage-XYZ-2026!", false)?;
    /// let enrolment = portal.begin_totp_enrollment(session.token.expose(), "Garage-XYZ-2026!")?;
    /// assert!(enrolment.uri.expose().starts_with("otpauth://totp/"));
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn begin_totp_enrollment(
        &self,
        session_token: &str,
        current_password: &str,
    ) -> Result<TotpEnrollment> {
        traced!("begin_totp_enrollment", || {
            let actor = self.actor_even_restricted(session_token)?;
            let key = self.totp_key()?;
            self.check_current_password(&actor.account, current_password)?;
            let a = &actor.account;
            let already = || Error::InvalidState {
                state: a.state.code(),
                reason: "a second factor is already active; disable it before enrolling another",
            };
            if actor.mfa_enrolled {
                return Err(already());
            }
            let secret = TotpSecret::generate();
            let record = TotpRecord {
                account: a.id,
                sealed: secret.seal(key, a.id),
                confirmed: false,
                last_step: -1,
                created_at: self.now(),
            };
            self.store.write(|tx| {
                if tx.put_pending_totp(&record)? {
                    Ok(())
                } else {
                    Err(already())
                }
            })?;
            Ok(TotpEnrollment {
                secret: secret.base32(),
                uri: secret.uri(a.email.as_str()),
            })
        })
    }

    /// Activates the pending second factor with a first code from the app
    /// ([`Error::MfaInvalid`] if it is not the current one, ±1 step), and answers its 10
    /// recovery codes, shown once: the store keeps only their digests. A restricted session
    /// becomes a full one. [`Error::InvalidState`] without a pending enrolment.
    pub fn confirm_totp_enrollment(
        &self,
        session_token: &str,
        code: &str,
    ) -> Result<Vec<SecretString>> {
        traced!("confirm_totp_enrollment", || {
            let actor = self.actor_even_restricted(session_token)?;
            let key = self.totp_key()?;
            let now = self.now();
            let a = &actor.account;
            let codes = recovery::generate();
            let digests: Vec<_> = codes.iter().map(|(_, d)| *d).collect();
            self.store.write(|tx| {
                let pending =
                    tx.totp(a.id)?
                        .filter(|t| !t.confirmed)
                        .ok_or(Error::InvalidState {
                            state: a.state.code(),
                            reason: "no enrolment to confirm: call begin_totp_enrollment first",
                        })?;
                let secret = TotpSecret::unseal(&pending.sealed, key, a.id)?;
                let step = secret.verify(code, now).ok_or(Error::MfaInvalid)?;
                if !tx.confirm_totp(a.id, step, &digests)? {
                    return Err(Error::MfaInvalid);
                }
                let establishments = establishments_of(tx, a.id)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::TotpEnrolled)
                        .by(a.id)
                        .on(a.id)
                        .at_establishments(establishments),
                )?;
                Ok(())
            })?;
            Ok(codes.into_iter().map(|(c, _)| c).collect())
        })
    }

    /// Removes the session's account's second factor: the current password, then a current
    /// code (or a recovery code). A wrong password is [`Error::InvalidCredentials`], a wrong
    /// code [`Error::MfaInvalid`]; both count toward the lockout. [`Error::InvalidState`] when
    /// there is no active second factor. Where the policy requires one, the account's sessions
    /// become restricted until it enrols again.
    pub fn disable_totp(
        &self,
        session_token: &str,
        current_password: &str,
        code: &str,
    ) -> Result<()> {
        traced!("disable_totp", || {
            let actor = self.actor(session_token)?;
            self.totp_key()?;
            let a = &actor.account;
            if !actor.mfa_enrolled {
                return Err(Error::InvalidState {
                    state: a.state.code(),
                    reason: "no second factor to disable",
                });
            }
            self.check_current_password(a, current_password)?;
            let now = self.now();
            let disabled = self.store.write(|tx| {
                if !self.second_factor(tx, a.id, Some(code), now)? {
                    let wrong = LoginRefusal::WrongCode;
                    self.refuse_in(tx, a.id, wrong, AuditAction::PasswordCheckFailed, now)?;
                    return Ok(false);
                }
                tx.delete_totp(a.id)?;
                let establishments = establishments_of(tx, a.id)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::TotpDisabled)
                        .by(a.id)
                        .on(a.id)
                        .at_establishments(establishments),
                )?;
                Ok(true)
            })?;
            if !disabled {
                return Err(Error::MfaInvalid);
            }
            Ok(())
        })
    }

    /// Resets another account's second factor (a lost phone): the actor must manage accounts
    /// on every establishment where that account holds rights ([`Error::Forbidden`]
    /// otherwise; [`Error::UnknownAccount`] if it cannot see it). Its recovery codes go too;
    /// its owner is mailed (`totp_reset`) and logs in with the password alone until enrolling
    /// again (restricted where the policy requires a second factor). One's own second factor
    /// is removed with [`Portal::disable_totp`] instead, and an account without one is
    /// [`Error::InvalidState`].
    pub fn reset_totp(&self, session_token: &str, id: AccountId) -> Result<()> {
        traced!("reset_totp", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                let (a, r) = self.target(tx, &actor.rights, id)?;
                match rights::disable_scope(&actor.rights, &r) {
                    DisableScope::Whole => {}
                    DisableScope::Partial(codes) => {
                        return Err(Error::Forbidden {
                            reason: crate::error::Forbidden::NotEveryEstablishment {
                                removable: codes.iter().map(|c| c.to_string()).collect(),
                            },
                        });
                    }
                    DisableScope::None => return Err(Error::UnknownAccount { id: id.to_string() }),
                }
                if a.id == actor.account.id {
                    return Err(Error::InvalidState {
                        state: a.state.code(),
                        reason: "one's own second factor is removed with disable_totp",
                    });
                }
                if !tx.delete_totp(a.id)? {
                    return Err(Error::InvalidState {
                        state: a.state.code(),
                        reason: "the account has no second factor to reset",
                    });
                }
                tx.queue(
                    &NewNotification {
                        kind: NotificationKind::TotpReset,
                        email: a.email.clone(),
                        name: a.display_name(),
                        token: None,
                        expires_at: None,
                        locale: a.locale,
                    },
                    now,
                )?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::TotpReset)
                        .by(actor.account.id)
                        .on(a.id)
                        .at_establishments(r.establishments().cloned()),
                )?;
                Ok(())
            })
        })
    }
}
