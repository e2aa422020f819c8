//! "Gestion des comptes": creating users, the rights matrix (the no-escalation and
//! last-manager rules), disabling accounts, the account list, and repairers' registration
//! (seed §2).

use super::{Actor, Portal, existing_establishment};
use crate::account::{
    Account, AccountId, AccountPage, AccountQuery, AccountState, NewUser, RepairerRegistration,
    Role,
};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::establishment::{Establishment, EstablishmentCode};
use crate::locale::Coded;
use crate::notification::{NewNotification, NotificationKind};
use crate::rights::{self, DisableScope, Right, Rights, RightsMatrix};
use crate::store::{AccountRepo, AuditRepo, OutboxRepo, SessionRepo, Store, TokenRepo, Tx};
use crate::token::{TokenPurpose, TokenSecret, TokenState};
use crate::{Error, Result};
use serde_json::json;
use time::{Duration, OffsetDateTime};

/// What a user creation checks about its actor, read once per transaction: the actor's rights
/// (read inside the transaction, so they are the ones the write commits against) and the
/// establishments already found to exist.
struct Grantor {
    rights: RightsMatrix,
    known: Vec<EstablishmentCode>,
}

impl Grantor {
    fn new<T: Tx + ?Sized>(tx: &mut T, actor: &Actor) -> Result<Self> {
        Ok(Grantor {
            rights: tx.rights(actor.account.id)?,
            known: Vec::new(),
        })
    }

    /// The establishment exists ([`Error::UnknownEstablishment`]) and the actor may grant
    /// `rights` there ([`rights::check_grant`]).
    fn check<T: Tx + ?Sized>(
        &mut self,
        tx: &mut T,
        code: &EstablishmentCode,
        rights: Rights,
    ) -> Result<()> {
        if !self.known.contains(code) {
            existing_establishment(tx, code)?;
            self.known.push(code.clone());
        }
        rights::check_grant(&self.rights, code, rights)
    }
}

/// One row of a bulk import.
#[derive(Debug, Clone)]
pub struct UserImport {
    /// Where the user gets rights.
    pub establishment: EstablishmentCode,
    /// Who.
    pub user: NewUser,
    /// Which rights.
    pub rights: Rights,
}

/// The part of `target`'s rights on establishments `actor` manages: what a manager sees of
/// another account.
pub(super) fn managed_part(actor: &RightsMatrix, target: &RightsMatrix) -> RightsMatrix {
    let mut visible = RightsMatrix::new();
    for (code, rights) in target.iter() {
        if actor.rights_on(code).contains(Right::ManageAccounts) {
            visible.set(code.clone(), rights);
        }
    }
    visible
}

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- users and rights (seed §2) -----

    /// The establishments where the session's account holds `ManageAccounts` ("Gestion des
    /// comptes"). With one only, a UI shows "Vous n'avez pas de droits de gestion de compte sur
    /// d'autres établissements".
    pub fn manageable_establishments(&self, session_token: &str) -> Result<Vec<Establishment>> {
        traced!("manageable_establishments", || {
            let actor = self.actor(session_token)?;
            self.store.read(|tx| {
                actor
                    .rights
                    .manageable()
                    .into_iter()
                    .map(|code| existing_establishment(tx, code))
                    .collect()
            })
        })
    }

    /// Creates a user on an establishment the actor manages, with rights the actor holds there
    /// (at least one). The user is `Invited` and gets an activation mail ("Activez votre
    /// compte"). A taken email answers [`Error::EmailTaken`], at most
    /// `email_taken.max_answers` times per actor in `email_taken.window` (20 in 24 hours by
    /// default), then [`Error::RateLimited`]; both answers are audited.
    pub fn create_user<'a>(
        &self,
        session_token: &str,
        establishment: impl Into<Option<&'a EstablishmentCode>>,
        user: &NewUser,
        rights: Rights,
    ) -> Result<AccountId> {
        traced!("create_user", || {
            let actor = self.actor(session_token)?;
            let code = &actor.establishment_or_connected(establishment.into())?;
            let now = self.now();
            self.store
                .write(|tx| {
                    let mut grantor = Grantor::new(tx, &actor)?;
                    match self.create_user_in(tx, &actor, &mut grantor, code, user, rights, now) {
                        // Committed: the answer is audited and counts toward the actor's ration.
                        Err(e @ (Error::EmailTaken | Error::RateLimited { .. })) => Ok(Err(e)),
                        other => other.map(Ok),
                    }
                })
                .and_then(|created| created)
        })
    }

    /// Creates many users in one transaction (bulk import). Each row gets its own result; a bad
    /// row (unknown establishment, rights the actor may not grant, a taken email) does not stop
    /// the others; taken emails draw on the actor's ration as in
    /// [`create_user`](Self::create_user). A storage failure fails the whole call and writes none of the batch.
    pub fn create_users(
        &self,
        session_token: &str,
        rows: &[UserImport],
    ) -> Result<Vec<Result<AccountId>>> {
        traced!("create_users", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                // The actor's rights and the establishments are read once for the whole batch:
                // nothing in the batch changes them.
                let mut grantor = Grantor::new(tx, &actor)?;
                let mut results = Vec::with_capacity(rows.len());
                for r in rows {
                    let created = self.create_user_in(
                        tx,
                        &actor,
                        &mut grantor,
                        &r.establishment,
                        &r.user,
                        r.rights,
                        now,
                    );
                    // A bad row is refused before anything of it is written; a storage failure may
                    // come halfway through one, so it ends the whole batch (rolled back).
                    if let Err(e @ Error::Storage(_)) = created {
                        return Err(e);
                    }
                    results.push(created);
                }
                Ok(results)
            })
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn create_user_in(
        &self,
        tx: &mut S::Tx<'_>,
        actor: &Actor,
        grantor: &mut Grantor,
        code: &EstablishmentCode,
        user: &NewUser,
        rights: Rights,
        now: OffsetDateTime,
    ) -> Result<AccountId> {
        grantor.check(tx, code, rights)?;
        let mut a = Account::new(
            user.email.clone(),
            user.last_name.clone(),
            user.first_name.clone(),
            Role::User,
            AccountState::Invited,
            self.config.locale,
            now,
        );
        a.mobile = user.mobile.clone();
        a.landline = user.landline.clone();
        match tx.insert_account_with_rights(&a, code, rights) {
            // Whether an address has an account is rationed per actor (see `email_taken_answer`).
            Err(Error::EmailTaken) => return Err(self.email_taken_answer(tx, actor, code, now)?),
            r => r?,
        }
        // A new account has no link to supersede.
        self.queue_link(
            tx,
            &a,
            TokenPurpose::Activation,
            NotificationKind::Activation,
            TokenSecret::generate(),
            now,
        )?;
        tx.append(
            &NewAuditEvent::new(now, AuditAction::UserCreated)
                .by(actor.account.id)
                .on(a.id)
                .at_establishments([code.clone()])
                .with(json!({ "rights": rights })),
        )?;
        Ok(a.id)
    }

    /// "Vous êtes réparateur ? Créer un compte": creates a repairer establishment (no regime,
    /// code `R000001`...) and an `Invited` account holding `SubmitClaims`, `SearchClaims` and
    /// `ManageAccounts` there, and queues its activation mail. When the email is taken it
    /// answers the same way and the owner gets an "account exists" mail instead. Rate-limited
    /// like resets.
    pub fn register_repairer(&self, registration: &RepairerRegistration) -> Result<()> {
        traced!("register_repairer", || {
            let RepairerRegistration {
                email,
                last_name,
                first_name,
                company,
                city,
            } = registration;
            let started = std::time::Instant::now();
            let now = self.now();
            let secret = TokenSecret::generate();
            let answer = self.store.write(|tx| {
                if let Some(owner) = tx.account_by_email(email)? {
                    let sent = tx.count_queued_since(
                        email,
                        NotificationKind::AccountExists,
                        now - Duration::hours(1),
                    )?;
                    let reason = if owner.state == AccountState::Disabled {
                        "disabled"
                    } else if sent >= self.config.tokens.max_reset_mails_per_hour as usize {
                        "rate_limited"
                    } else {
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
                        "email_taken"
                    };
                    tx.append(
                        &NewAuditEvent::new(now, AuditAction::RegistrationIgnored)
                            .on(owner.id)
                            .with(json!({ "reason": reason })),
                    )?;
                    return Ok(());
                }
                let code = tx.next_repairer_code()?;
                let e = Establishment {
                    code: code.clone(),
                    name: company.clone(),
                    city: city.clone(),
                    regime: None,
                };
                tx.put_establishment(&e)?;
                let a = Account::new(
                    email.clone(),
                    last_name.clone(),
                    first_name.clone(),
                    Role::Repairer,
                    AccountState::Invited,
                    self.config.locale,
                    now,
                );
                tx.insert_account(&a)?;
                let rights: Rights = [
                    Right::SubmitClaims,
                    Right::SearchClaims,
                    Right::ManageAccounts,
                ]
                .into_iter()
                .collect();
                tx.set_rights(a.id, &code, rights)?;
                self.issue_link(
                    tx,
                    &a,
                    TokenPurpose::Activation,
                    NotificationKind::Activation,
                    secret,
                    now,
                )?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::RepairerRegistered)
                        .on(a.id)
                        .at_establishments([code]),
                )?;
                Ok(())
            });
            self.pad_anonymous(started);
            answer
        })
    }

    /// Loads the target and checks the actor may act on it (it holds rights on an
    /// establishment the actor manages). Invisible accounts are `UnknownAccount`.
    pub(super) fn target(
        &self,
        tx: &mut S::Tx<'_>,
        actor_rights: &RightsMatrix,
        id: AccountId,
    ) -> Result<(Account, RightsMatrix)> {
        let unknown = || Error::UnknownAccount { id: id.to_string() };
        let a = tx.account(id)?.ok_or_else(unknown)?;
        let r = tx.rights(id)?;
        if !rights::visible_to(actor_rights, &r) {
            return Err(unknown());
        }
        Ok((a, r))
    }

    /// Sends a new activation link to an `Invited` account the actor manages; the earlier link
    /// stops working.
    pub fn resend_activation(&self, session_token: &str, id: AccountId) -> Result<()> {
        traced!("resend_activation", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                let actor_rights = tx.rights(actor.account.id)?;
                let (a, r) = self.target(tx, &actor_rights, id)?;
                if a.state != AccountState::Invited {
                    return Err(Error::InvalidState {
                        state: a.state.code(),
                        reason: "only an invited account can be sent an activation link",
                    });
                }
                self.issue_link(
                    tx,
                    &a,
                    TokenPurpose::Activation,
                    NotificationKind::Activation,
                    TokenSecret::generate(),
                    now,
                )?;
                let shared: Vec<_> = r
                    .establishments()
                    .filter(|c| actor_rights.rights_on(c).contains(Right::ManageAccounts))
                    .cloned()
                    .collect();
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::ActivationSent)
                        .by(actor.account.id)
                        .on(a.id)
                        .at_establishments(shared),
                )?;
                Ok(())
            })
        })
    }

    /// Sets an account's rights on one establishment: granting on a new establishment follows
    /// the creation rules (at least one right, none the actor lacks); changing existing rights
    /// may remove any right but add only rights the actor holds; an empty set removes the
    /// account from the establishment. The last active manager of an establishment cannot lose
    /// `ManageAccounts`.
    pub fn set_rights(
        &self,
        session_token: &str,
        id: AccountId,
        code: &EstablishmentCode,
        requested: Rights,
    ) -> Result<()> {
        traced!("set_rights", || {
            let actor = self.actor(session_token)?;
            super::trace::establishment(Some(code));
            let now = self.now();
            self.store.write(|tx| {
                existing_establishment(tx, code)?;
                let actor_rights = tx.rights(actor.account.id)?;
                let unknown = || Error::UnknownAccount { id: id.to_string() };
                let a = tx.account(id)?.ok_or_else(unknown)?;
                let before = tx.rights(id)?;
                // Granting on a new establishment is allowed to a manager of that establishment
                // even when the account is not yet visible to them elsewhere.
                let current = before.rights_on(code);
                if current.is_empty() {
                    rights::check_grant(&actor_rights, code, requested)?;
                } else {
                    rights::check_set_rights(&actor_rights, code, current, requested)?;
                }
                if a.state == AccountState::Active
                    && current.contains(Right::ManageAccounts)
                    && !requested.contains(Right::ManageAccounts)
                {
                    let managers = tx.active_managers(code)?;
                    rights::check_last_manager(code, managers.saturating_sub(1))?;
                }
                tx.set_rights(id, code, requested)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::RightsChanged)
                        .by(actor.account.id)
                        .on(id)
                        .at_establishments([code.clone()])
                        .with(json!({ "before": current, "after": requested })),
                )?;
                Ok(())
            })
        })
    }

    /// An account's rights, on the establishments the actor manages (all of them for the
    /// actor's own account); only establishments where it holds at least one right.
    pub fn rights_matrix(&self, session_token: &str, id: AccountId) -> Result<RightsMatrix> {
        traced!("rights_matrix", || {
            let actor = self.actor(session_token)?;
            if id == actor.account.id {
                return Ok(actor.rights);
            }
            self.store.read(|tx| {
                let (_, r) = self.target(tx, &actor.rights, id)?;
                Ok(managed_part(&actor.rights, &r))
            })
        })
    }

    /// Disables an account: it can no longer log in, its sessions and links are revoked. Needs
    /// `ManageAccounts` on every establishment where the account holds rights; otherwise
    /// [`Error::Forbidden`] says so, and the actor can only remove its rights on the
    /// establishments it manages ([`Portal::set_rights`] with no rights).
    pub fn disable_account(&self, session_token: &str, id: AccountId) -> Result<()> {
        traced!("disable_account", || {
            self.set_enabled(session_token, id, false)
        })
    }

    /// Re-enables a disabled account (back to `Active`, or to `Invited`/`Declared` if it never
    /// chose a password). Same rights as [`Portal::disable_account`].
    pub fn enable_account(&self, session_token: &str, id: AccountId) -> Result<()> {
        traced!("enable_account", || {
            self.set_enabled(session_token, id, true)
        })
    }

    fn set_enabled(&self, session_token: &str, id: AccountId, enable: bool) -> Result<()> {
        let actor = self.actor(session_token)?;
        let now = self.now();
        self.store.write(|tx| {
            let actor_rights = tx.rights(actor.account.id)?;
            let (mut a, r) = self.target(tx, &actor_rights, id)?;
            match rights::disable_scope(&actor_rights, &r) {
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
            if enable {
                a.enable()?;
            } else {
                let was_active = a.state == AccountState::Active;
                a.disable()?;
                if was_active {
                    for (code, rights) in r.iter() {
                        if rights.contains(Right::ManageAccounts) {
                            rights::check_last_manager(
                                code,
                                tx.active_managers(code)?.saturating_sub(1),
                            )?;
                        }
                    }
                }
                tx.end_tokens(
                    a.id,
                    &[TokenPurpose::PasswordReset, TokenPurpose::Activation],
                    TokenState::Revoked,
                )?;
                tx.delete_sessions(a.id)?;
            }
            tx.update_account(&a)?;
            let action = if enable {
                AuditAction::AccountEnabled
            } else {
                AuditAction::AccountDisabled
            };
            tx.append(
                &NewAuditEvent::new(now, action)
                    .by(actor.account.id)
                    .on(a.id)
                    .at_establishments(r.establishments().cloned()),
            )?;
            Ok(())
        })
    }

    /// Accounts with rights on establishments the actor manages (the actor included, in every
    /// state unless filtered), searched case- and accent-insensitively in names and email,
    /// sorted in French order by last then first name, paginated with the total.
    pub fn list_accounts(&self, session_token: &str, q: &AccountQuery) -> Result<AccountPage> {
        traced!("list_accounts", || {
            let actor = self.actor(session_token)?;
            let scope: Vec<EstablishmentCode> =
                actor.rights.manageable().into_iter().cloned().collect();
            if scope.is_empty() {
                return Err(Error::Forbidden {
                    reason: crate::error::Forbidden::NoManagedEstablishment,
                });
            }
            self.store.read(|tx| {
                if let Some(code) = &q.establishment {
                    existing_establishment(tx, code)?;
                    if !scope.contains(code) {
                        return Err(Right::ManageAccounts.missing_on(code));
                    }
                }
                tx.list_accounts(&scope, q)
            })
        })
    }
}
