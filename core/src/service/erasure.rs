//! The right to erasure: [`Portal::erase_account`].

use super::Portal;
use crate::account::{AccountId, AccountState};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::error::Forbidden;
use crate::locale::Coded;
use crate::rights::{self, DisableScope};
use crate::store::{AccountRepo, AuditRepo, ErasureRepo, MfaRepo, Store};
use crate::{Error, Result};

impl<S: Store, C: Clock> Portal<S, C> {
    /// Erases a disabled account: its email, names, phones, function, password hash and
    /// history, rights, sessions, links and mails (pending and sent) leave the store; its id
    /// and its audit events stay, and the audit chain still verifies (events name people by id
    /// only). Afterwards the account is in no listing and every flow answers `UNKNOWN_ACCOUNT`
    /// for it.
    ///
    /// The actor must manage accounts on every establishment where the account holds rights
    /// (as for disabling): an account it cannot list is `UNKNOWN_ACCOUNT`, one it can list but
    /// not wholly manage is `FORBIDDEN`; an account that is not disabled is `INVALID_STATE`.
    ///
    /// ```
    /// use dealer_portal::service::{Portal, PortalConfig};
    /// use dealer_portal::account::{Declaration, NewUser};
    /// use dealer_portal::establishment::Establishment;
    /// use dealer_portal::rights::{Right, Rights};
    /// let p = Portal::in_memory(PortalConfig::for_tests())?;
    /// let garage = Establishment::new("T99999", "GARAGE XYZ", "VILLE 1", None)?;
    /// let decl = Declaration::new("admin@garage-xyz.fr", "Geloen", "Alexandre", "Gérant")?;
    /// p.declare_administrator(&decl, &[garage.clone()])?;
    /// p.request_password_reset(&decl.email)?;
    /// let link = p.pending_notifications()?.pop().unwrap().body.token.unwrap();
    /// p.complete_password_reset(link.expose(), "admin@garage-xyz.fr", "Garage-XYZ-2026!", "Garage-XYZ-2026!")?;
    /// let s = p.login("admin@garage-xyz.fr", "Garage-XYZ-2026!", false)?;
    /// let user = NewUser::new("Dupont", "Jean", "jean@garage-xyz.fr")?;
    /// let s = s.token.expose();
    /// let id = p.create_user(s, &garage.code, &user, Rights::EMPTY.with(Right::SubmitClaims))?;
    /// assert_eq!(p.erase_account(s, id).unwrap_err().code(), "INVALID_STATE");
    /// p.disable_account(s, id)?;
    /// p.erase_account(s, id)?;
    /// assert_eq!(p.account(s, id).unwrap_err().code(), "UNKNOWN_ACCOUNT");
    /// assert!(p.verify_audit_chain(None)? > 0);
    /// # Ok::<(), dealer_portal::Error>(())
    /// ```
    pub fn erase_account(&self, session_token: &str, id: AccountId) -> Result<()> {
        traced!("erase_account", || {
            let actor = self.actor(session_token)?;
            let now = self.now();
            self.store.write(|tx| {
                let actor_rights = tx.rights(actor.account.id)?;
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
                    DisableScope::None => return Err(Error::UnknownAccount { id: id.to_string() }),
                }
                if a.state != AccountState::Disabled {
                    return Err(Error::InvalidState {
                        state: a.state.code(),
                        reason: "only a disabled account can be erased; disable it first",
                    });
                }
                // The second factor (sealed secret, recovery-code digests) goes with the rest.
                tx.delete_totp(a.id)?;
                tx.erase_account(a.id)?;
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::AccountErased)
                        .by(actor.account.id)
                        .on(a.id)
                        .at_establishments(r.establishments().cloned()),
                )?;
                Ok(())
            })
        })
    }
}
