//! The administrator declared with the warranty convention, and the establishments (seed §1).

use super::Portal;
use crate::account::{Account, AccountId, AccountState, Declaration, Role};
use crate::audit::{AuditAction, NewAuditEvent};
use crate::clock::Clock;
use crate::establishment::Establishment;
use crate::rights::Rights;
use crate::store::{AccountRepo, AuditRepo, Store};
use crate::{Error, Result};
use serde_json::json;

impl<S: Store, C: Clock> Portal<S, C> {
    // ----- establishments and the administrator (seed §1) -----

    /// Records (or updates) an establishment.
    pub fn add_establishment(&self, e: &Establishment) -> Result<()> {
        traced!("add_establishment", || {
            super::trace::establishment(Some(&e.code));
            self.store.write(|tx| tx.put_establishment(e))
        })
    }

    /// Records the administrator declared via the manager's extranet as `Declared`, holding all
    /// six rights on `establishments` (which are recorded too). Declaring again adds
    /// establishments to the same account; it never duplicates it.
    pub fn declare_administrator(
        &self,
        decl: &Declaration,
        establishments: &[Establishment],
    ) -> Result<AccountId> {
        traced!("declare_administrator", || {
            if establishments.is_empty() {
                return Err(Error::InvalidInput {
                    field: "establishments",
                    reason: "declare at least one establishment".into(),
                });
            }
            let now = self.now();
            self.store.write(|tx| {
                for e in establishments {
                    tx.put_establishment(e)?;
                }
                let (id, new) = match tx.account_by_email(&decl.email)? {
                    Some(a) => (a.id, false),
                    None => {
                        let mut a = Account::new(
                            decl.email.clone(),
                            decl.last_name.clone(),
                            decl.first_name.clone(),
                            Role::Administrator,
                            AccountState::Declared,
                            self.config.locale,
                            now,
                        );
                        a.function = decl.function.clone();
                        tx.insert_account(&a)?;
                        (a.id, true)
                    }
                };
                for e in establishments {
                    tx.set_rights(id, &e.code, Rights::all())?;
                }
                tx.append(
                    &NewAuditEvent::new(now, AuditAction::AdministratorDeclared)
                        .on(id)
                        .at_establishments(establishments.iter().map(|e| e.code.clone()))
                        .with(json!({ "new_account": new })),
                )?;
                Ok(id)
            })
        })
    }
}
