//! "Mot de passe oublié" and "Activez votre compte": links by mail, the forms that redeem
//! them, and what any change of password ends (seed §1 and §2).

use super::{Portal, establishments_of, identity_names};
use crate::account::{Account, AccountId, AccountState};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::email::Email;
use crate::locale::Coded;
use crate::notification::{NewNotification, NotificationKind};
use crate::password::{Identity, PasswordHash};
use crate::secret::SecretString;
use crate::store::{
    AccountRepo, AuditRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo,
};
use crate::token::{TokenDigest, TokenLifecycle, TokenPurpose, TokenSecret, TokenState};
use crate::{Error, Result};
use serde_json::json;
use time::OffsetDateTime;

/// What [`Portal::inspect_token`] says of a link: the form page shows itself or "link expired".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenStatus {
    /// Whether the link can still be used.
    pub usable: bool,
    /// Its purpose, while the link can be used.
    pub kind: Option<TokenPurpose>,
    /// When it expires, when usable.
    pub expires_at: Option<OffsetDateTime>,
}

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- password reset ("Mot de passe oublié") -----

    /// "Mot de passe oublié": always answers `Ok(())` for a well-formed email, known or not, in
    /// the same time (each path does one write transaction, and the answer waits for
    /// [`PortalConfig::anonymous_response_floor_ms`]), so it reveals nothing.
    /// A `Declared` or `Active` account gets a reset link; an `Invited` one its activation link
    /// again; unknown or `Disabled` emails nothing. At most
    /// [`TokenConfig::max_reset_mails_per_hour`] mails per account per hour.
    pub fn request_password_reset(&self, email: &Email) -> Result<()> {
        traced!("request_password_reset", || {
            let started = std::time::Instant::now();
            let answer = self.request_password_reset_now(email);
            self.pad_anonymous(started);
            answer
        })
    }

    /// Waits until an anonymous request has taken the configured floor.
    pub(super) fn pad_anonymous(&self, started: std::time::Instant) {
        let floor = std::time::Duration::from_millis(self.config.anonymous_response_floor_ms);
        if let Some(rest) = floor.checked_sub(started.elapsed()) {
            std::thread::sleep(rest);
        }
    }

    fn request_password_reset_now(&self, email: &Email) -> Result<()> {
        let email = email.clone();
        let now = self.now();
        // Generated on every path, so the known and unknown paths cost the same.
        let secret = TokenSecret::generate();
        self.store.write(|tx| {
            let account = tx.account_by_email(&email)?;
            let ignored = |tx: &mut S::Tx<'_>, reason: &str, subject: Option<AccountId>| {
                let mut e = NewAuditEvent::new(now, AuditAction::ResetRequestIgnored)
                    .with(json!({ "reason": reason }));
                e.subject = subject;
                tx.append(&e).map(|_| ())
            };
            let Some(a) = account else {
                return ignored(tx, "unknown_email", None);
            };
            let (purpose, kind) = match a.state {
                AccountState::Declared | AccountState::Active => {
                    (TokenPurpose::PasswordReset, NotificationKind::PasswordReset)
                }
                AccountState::Invited => (TokenPurpose::Activation, NotificationKind::Activation),
                AccountState::Disabled => return ignored(tx, "disabled", Some(a.id)),
            };
            if self.rate_limited(tx, &a.email, now)? {
                return ignored(tx, "rate_limited", Some(a.id));
            }
            let establishments = establishments_of(tx, a.id)?;
            self.issue_link(tx, &a, purpose, kind, secret, now)?;
            let action = if purpose == TokenPurpose::Activation {
                AuditAction::ActivationSent
            } else {
                AuditAction::ResetRequested
            };
            tx.append(
                &NewAuditEvent::new(now, action)
                    .on(a.id)
                    .at_establishments(establishments),
            )?;
            Ok(())
        })
    }

    fn rate_limited(&self, tx: &mut S::Tx<'_>, email: &Email, now: OffsetDateTime) -> Result<bool> {
        let since = now - crate::lifecycle::MAIL_RATE_WINDOW;
        let sent = tx.count_queued_since(email, NotificationKind::PasswordReset, since)?
            + tx.count_queued_since(email, NotificationKind::Activation, since)?;
        Ok(sent >= self.config.tokens.max_reset_mails_per_hour as usize)
    }

    /// Supersedes the account's live token of this purpose, issues a new one, queues its mail.
    pub(super) fn issue_link(
        &self,
        tx: &mut S::Tx<'_>,
        a: &Account,
        purpose: TokenPurpose,
        kind: NotificationKind,
        secret: TokenSecret,
        now: OffsetDateTime,
    ) -> Result<()> {
        tx.end_tokens(a.id, &[purpose], TokenState::Superseded)?;
        self.queue_link(tx, a, purpose, kind, secret, now)
    }

    /// Issues a link token to an account that has no live one of this purpose, queues its mail.
    pub(super) fn queue_link(
        &self,
        tx: &mut S::Tx<'_>,
        a: &Account,
        purpose: TokenPurpose,
        kind: NotificationKind,
        secret: TokenSecret,
        now: OffsetDateTime,
    ) -> Result<()> {
        let lifecycle = TokenLifecycle::issue(purpose, now, self.config.tokens.ttl(purpose));
        let expires_at = lifecycle.expires_at;
        tx.insert_token(&TokenRecord {
            digest: secret.digest(),
            account: a.id,
            lifecycle,
            email: None,
        })?;
        tx.queue(
            &NewNotification {
                kind,
                email: a.email.clone(),
                name: a.display_name(),
                token: Some(SecretString::from(secret.expose())),
                expires_at: Some(expires_at),
                locale: a.locale,
            },
            now,
        )?;
        Ok(())
    }

    /// Says whether a reset or activation link can still be used, without consuming it (mail
    /// scanners open links). A malformed or unknown token is simply not usable.
    pub fn inspect_token(&self, token: &str) -> Result<TokenStatus> {
        traced!("inspect_token", || {
            let unusable = TokenStatus {
                usable: false,
                kind: None,
                expires_at: None,
            };
            let Ok(secret) = TokenSecret::parse(token) else {
                return Ok(unusable);
            };
            let now = self.now();
            let rec = self.store.read(|tx| tx.token(&secret.digest()))?;
            if let Some(r) = &rec
                && r.lifecycle.state == TokenState::Issued
                && r.lifecycle.effective_state(now) == TokenState::Expired
            {
                // Shown as expired: record it, so a clock going back cannot revive the link.
                self.store.write(|tx| tx.expire_token(&r.digest))?;
            }
            Ok(match rec {
                Some(r) => TokenStatus {
                    usable: r.lifecycle.is_usable(now),
                    // Only a usable link says what it is for: an ended one answers like an unknown
                    // one, before and after maintenance removes it.
                    kind: r.lifecycle.is_usable(now).then_some(r.lifecycle.purpose),
                    expires_at: r.lifecycle.is_usable(now).then_some(r.lifecycle.expires_at),
                },
                _ => unusable,
            })
        })
    }

    /// The reset form: the email typed again and the new password twice. The email must be the
    /// token's account's; the password must pass the policy and differ from the history; then
    /// the token is consumed, every other link and every session of the account is revoked, a
    /// lockout is lifted, and a `Declared` account becomes `Active`.
    pub fn complete_password_reset(
        &self,
        token: &str,
        email: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<()> {
        traced!("complete_password_reset", || {
            self.redeem(
                token,
                email,
                password,
                confirmation,
                TokenPurpose::PasswordReset,
            )
        })
    }

    /// The activation form ("Première connexion"): same checks as the reset; an `Invited`
    /// account becomes `Active`.
    pub fn activate_account(
        &self,
        token: &str,
        email: &str,
        password: &str,
        confirmation: &str,
    ) -> Result<()> {
        traced!("activate_account", || {
            self.redeem(
                token,
                email,
                password,
                confirmation,
                TokenPurpose::Activation,
            )
        })
    }

    pub(super) fn reject_token(
        &self,
        digest: TokenDigest,
        reason: &'static str,
        subject: Option<AccountId>,
        expire: bool,
    ) -> Error {
        let now = self.now();
        let logged = self.store.write(|tx| {
            if expire {
                tx.expire_token(&digest)?;
            }
            let mut e = NewAuditEvent::new(now, AuditAction::TokenRejected)
                .with(json!({ "reason": reason }));
            e.subject = subject;
            tx.append(&e)
        });
        match logged {
            Ok(_) => Error::TokenInvalid,
            Err(e) => e,
        }
    }

    fn redeem(
        &self,
        token: &str,
        email: &str,
        password: &str,
        confirmation: &str,
        purpose: TokenPurpose,
    ) -> Result<()> {
        let secret = TokenSecret::parse(token).map_err(|_| Error::TokenInvalid)?;
        let digest = secret.digest();
        let now = self.now();
        let found = self.store.read(|tx| match tx.token(&digest)? {
            Some(r) => Ok(Some((tx.account(r.account)?, r))),
            None => Ok(None),
        })?;
        let Some((Some(account), rec)) = found else {
            return Err(self.reject_token(digest, "unknown", None, false));
        };
        if rec.lifecycle.purpose != purpose {
            return Err(self.reject_token(digest, "wrong_purpose", Some(account.id), false));
        }
        if !rec.lifecycle.is_usable(now) {
            let state = rec.lifecycle.effective_state(now);
            return Err(self.reject_token(
                digest,
                state.code(),
                Some(account.id),
                state == TokenState::Expired,
            ));
        }
        if Email::parse(email).ok().as_ref() != Some(&account.email) {
            return Err(Error::EmailMismatch);
        }
        let hash = self.new_password_hash(&account, password, confirmation)?;
        let keep = self.config.policy.history;
        self.store.write(|tx| {
            if tx.consume_token(&digest, purpose, now)?.is_none() {
                return Err(Error::TokenInvalid);
            }
            let mut a = tx.account(account.id)?.ok_or(Error::TokenInvalid)?;
            // A token of the wrong state's purpose (an account disabled since, say) is just an
            // invalid link to the person holding it.
            let action = match purpose {
                TokenPurpose::Activation => {
                    a.activate(hash, keep).map_err(|_| Error::TokenInvalid)?;
                    AuditAction::AccountActivated
                }
                TokenPurpose::PasswordReset => {
                    a.complete_reset(hash, keep)
                        .map_err(|_| Error::TokenInvalid)?;
                    AuditAction::ResetCompleted
                }
                TokenPurpose::EmailChange => return Err(Error::TokenInvalid),
            };
            Self::save_new_password(tx, &a, action, now)
        })
    }

    /// Saves an account whose password just changed, with what the spec ties to any change of
    /// password: every reset and activation link and every session of the account end; then
    /// the change is audited.
    pub(super) fn save_new_password(
        tx: &mut S::Tx<'_>,
        a: &Account,
        action: AuditAction,
        now: OffsetDateTime,
    ) -> Result<()> {
        tx.update_account(a)?;
        tx.end_tokens(
            a.id,
            &[TokenPurpose::PasswordReset, TokenPurpose::Activation],
            TokenState::Revoked,
        )?;
        tx.delete_sessions(a.id)?;
        let establishments = establishments_of(tx, a.id)?;
        tx.append(
            &NewAuditEvent::new(now, action)
                .by(a.id)
                .on(a.id)
                .at_establishments(establishments),
        )?;
        Ok(())
    }

    /// The hash of a new password for `account`: the policy (with the account's email and names
    /// as identity), then the history, then argon2 — in that order, so the cheap checks answer
    /// first. Runs outside any store transaction.
    pub(super) fn new_password_hash(
        &self,
        account: &Account,
        password: &str,
        confirmation: &str,
    ) -> Result<PasswordHash> {
        let names = identity_names(account);
        let identity = Identity {
            email: Some(account.email.as_str()),
            names: &names,
        };
        let normalized = self
            .config
            .policy
            .check(password, confirmation, &identity)?;
        self.check_history(&normalized, account)?;
        self.hasher.hash(&normalized)
    }

    fn check_history(&self, normalized: &SecretString, account: &Account) -> Result<()> {
        let history = account.password_history();
        let n = (self.config.policy.history + 1).min(history.len());
        if self.config.policy.history > 0 && self.hasher.matches_any(normalized, &history[..n]) {
            return Err(Error::PasswordReused);
        }
        Ok(())
    }
}
