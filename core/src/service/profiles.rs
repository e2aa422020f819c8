//! A person's profile: reading and editing one's own, or, for a manager, the accounts they can
//! list (reading) and those whose every establishment they manage (editing: the disable rule);
//! and changing one's email through a link sent to the new address.

use super::users::managed_part;
use super::{Portal, establishments_of};
use crate::account::{AccountDetail, AccountId, AccountState, ProfileUpdate};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::email::Email;
use crate::error::Forbidden;
use crate::notification::{NewNotification, NotificationKind};
use crate::rights::{self, DisableScope};
use crate::secret::SecretString;
use crate::store::{
    AccountRepo, AuditRepo, OutboxRepo, SessionRepo, Store, TokenRecord, TokenRepo,
};
use crate::token::{TokenLifecycle, TokenPurpose, TokenSecret, TokenState};
use crate::{Error, Result};
use serde_json::json;
use time::Duration;

impl<S: Store, C: Clock> Portal<S, C> {
    /// An account's profile: one's own (with all one's rights), or an account the actor can
    /// list (with its rights on the establishments the actor manages). Any other is
    /// [`Error::UnknownAccount`].
    pub fn account(&self, session_token: &str, id: AccountId) -> Result<AccountDetail> {
        traced!("account", || {
            let actor = self.actor(session_token)?;
            if id == actor.account.id {
                return Ok(AccountDetail::of(&actor.account, actor.rights));
            }
            self.store.read(|tx| {
                let (a, r) = self.target(tx, &actor.rights, id)?;
                Ok(AccountDetail::of(&a, managed_part(&actor.rights, &r)))
            })
        })
    }

    /// Edits a profile (names, function, phones; see [`ProfileUpdate`]): one's own, or an
    /// account whose every establishment the actor manages. An account the actor cannot list
    /// is [`Error::UnknownAccount`]; one it can list but not edit, [`Error::Forbidden`].
    /// Answers the profile as it now is.
    pub fn update_profile(
        &self,
        session_token: &str,
        id: AccountId,
        update: &ProfileUpdate,
    ) -> Result<AccountDetail> {
        traced!("update_profile", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                let actor_rights = tx.rights(actor.account.id)?;
                let (mut a, r) = if id == actor.account.id {
                    let a = tx.account(id)?.ok_or(Error::SessionInvalid)?;
                    (a, actor_rights.clone())
                } else {
                    let (a, r) = self.target(tx, &actor_rights, id)?;
                    match rights::disable_scope(&actor_rights, &r) {
                        DisableScope::Whole => {}
                        DisableScope::Partial(codes) => {
                            return Err(Error::Forbidden {
                                reason: Forbidden::NotEveryEstablishment {
                                    removable: codes.iter().map(|c| c.to_string()).collect(),
                                },
                            });
                        }
                        DisableScope::None => {
                            return Err(Error::UnknownAccount { id: id.to_string() });
                        }
                    }
                    (a, r)
                };
                if !update.is_empty() {
                    a.apply(update);
                    tx.update_account(&a)?;
                    let fields: Vec<&str> = [
                        ("last_name", update.last_name.is_some()),
                        ("first_name", update.first_name.is_some()),
                        ("function", update.function.is_some()),
                        ("mobile", update.mobile.is_some()),
                        ("landline", update.landline.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(f, set)| set.then_some(f))
                    .collect();
                    tx.append(
                        &NewAuditEvent::new(now, AuditAction::ProfileUpdated)
                            .by(actor.account.id)
                            .on(a.id)
                            .at_establishments(r.establishments().cloned())
                            .with(json!({ "fields": fields })),
                    )?;
                }
                let shown = if id == actor.account.id {
                    r
                } else {
                    managed_part(&actor_rights, &r)
                };
                Ok(AccountDetail::of(&a, shown))
            })
        })
    }

    /// Asks to change the session's account's email: with the current password (a wrong one is
    /// [`Error::InvalidCredentials`] and counts toward the lockout), a confirmation link goes
    /// to the new address (`email_change`) and a notice to the current one
    /// (`email_change_requested`). When the new address belongs to an account, the answer is
    /// the same and that account's owner gets an `account_exists` mail instead. The email
    /// changes only once the link is confirmed ([`Portal::confirm_email_change`]).
    pub fn request_email_change(
        &self,
        session_token: &str,
        new_email: &Email,
        current_password: &str,
    ) -> Result<()> {
        traced!("request_email_change", || {
            let actor = self.actor(session_token)?;
            self.check_current_password(&actor.account, current_password)?;
            if *new_email == actor.account.email {
                return Err(Error::InvalidInput {
                    field: "email",
                    reason: "this is already the account's email; type the new address".into(),
                });
            }
            let now = self.now();
            let secret = TokenSecret::generate();
            self.store.write(|tx| {
                let a = tx.account(actor.account.id)?.ok_or(Error::SessionInvalid)?;
                let establishments = establishments_of(tx, a.id)?;
                if let Some(owner) = tx.account_by_email(new_email)? {
                    let sent = tx.count_queued_since(
                        new_email,
                        NotificationKind::AccountExists,
                        now - Duration::hours(1),
                    )?;
                    let told = owner.state != AccountState::Disabled
                        && sent < self.config.tokens.max_reset_mails_per_hour as usize;
                    if told {
                        tx.queue(
                            &NewNotification {
                                kind: NotificationKind::AccountExists,
                                email: owner.email.clone(),
                                name: owner.display_name(),
                                token: None,
                                expires_at: None,
                                locale: owner.locale,
                            },
                            now,
                        )?;
                    }
                    tx.append(
                        &NewAuditEvent::new(now, AuditAction::EmailChangeIgnored)
                            .by(a.id)
                            .on(a.id)
                            .at_establishments(establishments)
                            .with(json!({ "reason": "email_taken", "owner_told": told })),
                    )?;
                    return Ok(());
                }
                tx.end_tokens(a.id, &[TokenPurpose::EmailChange], TokenState::Superseded)?;
                let lifecycle = TokenLifecycle::issue(
                    TokenPurpose::EmailChange,
                    now,
                    self.config.tokens.ttl(TokenPurpose::EmailChange),
                );
                let expires_at = lifecycle.expires_at;
                tx.insert_token(&TokenRecord {
                    digest: secret.digest(),
                    account: a.id,
                    lifecycle,
                    email: Some(new_email.clone()),
                })?;
                tx.queue(
                    &NewNotification {
                        kind: NotificationKind::EmailChange,
                        email: new_email.clone(),
                        name: a.display_name(),
                        token: Some(SecretString::from(secret.expose())),
                        expires_at: Some(expires_at),
                        locale: a.locale,
                    },
                    now,
                )?;
                tx.queue(
                    &NewNotification {
                        kind: NotificationKind::EmailChangeRequested,
                        email: a.email.clone(),
                        name: a.display_name(),
                        token: None,
                        expires_at: Some(expires_at),
                        locale: a.locale,
                    },
                    now,
                )?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::EmailChangeRequested)
                        .by(a.id)
                        .on(a.id)
                        .at_establishments(establishments),
                )?;
                Ok(())
            })
        })
    }

    /// Confirms an email change with the link sent to the new address: the account's email
    /// becomes the new one, and every link and every session of the account end (the person
    /// logs in again with the new address). An unusable link is [`Error::TokenInvalid`]; an
    /// address taken since the request, [`Error::EmailTaken`] (the link stays usable).
    pub fn confirm_email_change(&self, token: &str) -> Result<()> {
        traced!("confirm_email_change", || {
            let secret = TokenSecret::parse(token).map_err(|_| Error::TokenInvalid)?;
            let digest = secret.digest();
            let now = self.now();
            let Some(rec) = self.store.read(|tx| tx.token(&digest))? else {
                return Err(self.reject_token(digest, "unknown", None, false));
            };
            if rec.lifecycle.purpose != TokenPurpose::EmailChange {
                return Err(self.reject_token(digest, "wrong_purpose", Some(rec.account), false));
            }
            if !rec.lifecycle.is_usable(now) {
                let state = rec.lifecycle.effective_state(now);
                return Err(self.reject_token(
                    digest,
                    crate::locale::Coded::code(state),
                    Some(rec.account),
                    state == TokenState::Expired,
                ));
            }
            self.store.write(|tx| {
                let rec = tx
                    .consume_token(&digest, TokenPurpose::EmailChange, now)?
                    .ok_or(Error::TokenInvalid)?;
                let new_email = rec.email.ok_or(Error::TokenInvalid)?;
                let mut a = tx.account(rec.account)?.ok_or(Error::TokenInvalid)?;
                if a.state == AccountState::Disabled {
                    return Err(Error::TokenInvalid);
                }
                if tx.account_by_email(&new_email)?.is_some() {
                    return Err(Error::EmailTaken);
                }
                a.email = new_email;
                tx.update_account(&a)?;
                tx.end_tokens(
                    a.id,
                    &[
                        TokenPurpose::PasswordReset,
                        TokenPurpose::Activation,
                        TokenPurpose::EmailChange,
                    ],
                    TokenState::Revoked,
                )?;
                tx.delete_sessions(a.id)?;
                let establishments = establishments_of(tx, a.id)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::EmailChanged)
                        .by(a.id)
                        .on(a.id)
                        .at_establishments(establishments),
                )?;
                Ok(())
            })
        })
    }
}
